package rundir

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestName: where each model's run goes.
func TestName(t *testing.T) {
	tests := []struct {
		out, spec string
		models    int
		want      string
	}{
		// No --out: runs/<slug>, credentials dropped from the name.
		{"", "openai:m@http://user:pw@host:8000/v1", 1, filepath.Join("runs", "openai-m-http-host-8000-v1")},
		// One model: --out itself.
		{"o", "baseline:always-yes", 1, "o"},
		// Several: one sub-folder each.
		{"o", "baseline:random?seed=1", 3, filepath.Join("o", "baseline-random-seed-1")},
	}
	for _, tt := range tests {
		if got := Name(tt.out, tt.spec, tt.models); got != tt.want {
			t.Errorf("Name(%q, %q, %d) = %q, want %q", tt.out, tt.spec, tt.models, got, tt.want)
		}
	}
}

// TestFind: a run folder is itself; a folder of run folders lists them;
// a missing path is ENOTFOUND.
func TestFind(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"b", "a", "not-a-run"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "a", "records.jsonl"), nil, 0o644)
	os.WriteFile(filepath.Join(root, "b", "records.jsonl"), nil, 0o644)
	if got, err := Find(root); err != nil || !reflect.DeepEqual(got, []string{filepath.Join(root, "a"), filepath.Join(root, "b")}) {
		t.Fatalf("Find(root) = %v, %v", got, err)
	}
	if got, err := Find(filepath.Join(root, "a")); err != nil || len(got) != 1 {
		t.Fatalf("Find(run) = %v, %v", got, err)
	}
	if _, err := Find(filepath.Join(root, "missing")); eh.ErrorCode(err) != eh.ENOTFOUND {
		t.Fatalf("missing: %v", err)
	}
}
