package runner

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/emohallucer/emohallucer/store/responselog"
	"github.com/emohallucer/emohallucer/store/sqlite"
)

// The cache file's contents, when it exists, decide its kind; a new file's name
// does.
func TestOpenCacheKind(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "made-by-sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.WriteFile(filepath.Join(dir, "lines.db"), []byte(`{"key":"k","at":"x","response":{"text":"Yes"}}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sqlite bool
	}{
		{"new.jsonl", false},
		{"new-without-extension", false},
		{"new.db", true},
		{"new.SQLITE3", true},
		{"made-by-sqlite", true}, // an SQLite file whatever its name
		{"lines.db", false},      // a log whatever its name
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := OpenCache(ctx, filepath.Join(dir, tt.name))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, isSQLite := s.(*sqlite.DB)
			_, isLog := s.(*responselog.Log)
			if isSQLite != tt.sqlite || isLog == tt.sqlite {
				t.Errorf("%s: got %T, want sqlite=%v", tt.name, s, tt.sqlite)
			}
		})
	}
}
