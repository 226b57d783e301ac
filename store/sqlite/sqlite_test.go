package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/store/sqlite"
	"github.com/emohallucer/emohallucer/store/storetest"
)

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	storetest.Run(t, func(t *testing.T, name string) eh.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(dir, name+".db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrationsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "cache.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Migrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 || !strings.HasPrefix(first[0], "migrations/0001") {
		t.Fatalf("migrations = %v, want 0001 first", first)
	}
	s.Close()
	// Opening again must not apply anything twice (CREATE TABLE would fail).
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	again, _ := s.Migrations(ctx)
	if !reflect.DeepEqual(first, again) {
		t.Fatalf("migrations changed on reopen: %v → %v", first, again)
	}
}

func TestSwappableNow(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s.Now = func() time.Time { return fixed }
	if err := s.SaveResponse(ctx, "k", &eh.Response{Text: "No"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CreatedAt(ctx, "k")
	if err != nil || !got.Equal(fixed) {
		t.Fatalf("created_at = %v, %v; want %v", got, err, fixed)
	}
}

func TestErrCorruptValue(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Exec(ctx, `INSERT INTO responses (key, response, created_at) VALUES ('bad', '{not json', 'x')`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LookupResponse(ctx, "bad"); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("lookup of a corrupt value: %v, want an error saying so", err)
	}
}

func TestErrUnwritableFolder(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(context.Background(), filepath.Join(f, "cache.db")); err == nil {
		t.Fatal("opening a store below a regular file succeeded")
	}
}
