package rundir

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
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

// TestFind: a run folder is itself; a folder of run folders lists them at
// any depth, without searching inside a run or a hidden folder; a missing path
// is ENOTFOUND.
func TestFind(t *testing.T) {
	root := t.TempDir()
	runs := []string{
		"a",                                // directly below
		"b",                                // directly below
		filepath.Join("builtin", "direct"), // two levels down
		filepath.Join("b7", "baselines", "always-yes"), // three levels down
	}
	for _, d := range append(runs, "not-a-run", filepath.Join("a", "inside-a-run"), filepath.Join(".hidden", "run")) {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	for _, d := range append(runs, filepath.Join("a", "inside-a-run"), filepath.Join(".hidden", "run")) {
		os.WriteFile(filepath.Join(root, d, "records.jsonl"), nil, 0o644)
	}
	var want []string
	for _, d := range []string{"a", "b", filepath.Join("b7", "baselines", "always-yes"), filepath.Join("builtin", "direct")} {
		want = append(want, filepath.Join(root, d))
	}
	if got, err := Find(root); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Find(root) = %v, %v; want %v", got, err, want)
	}
	if got, err := Find(filepath.Join(root, "a")); err != nil || len(got) != 1 {
		t.Fatalf("Find(run) = %v, %v", got, err)
	}
	if got, err := Find(filepath.Join(root, "not-a-run")); err != nil || len(got) != 0 {
		t.Fatalf("Find(empty) = %v, %v", got, err)
	}
	if _, err := Find(filepath.Join(root, "missing")); eh.ErrorCode(err) != eh.ENOTFOUND {
		t.Fatalf("missing: %v", err)
	}
	// FindAll: every path's runs in order; a path without runs is ENOTFOUND.
	if got, err := FindAll([]string{filepath.Join(root, "b"), filepath.Join(root, "a")}); err != nil || !reflect.DeepEqual(got, []string{filepath.Join(root, "b"), filepath.Join(root, "a")}) {
		t.Fatalf("FindAll = %v, %v", got, err)
	}
	if _, err := FindAll([]string{root, filepath.Join(root, "not-a-run")}); eh.ErrorCode(err) != eh.ENOTFOUND || !strings.Contains(err.Error(), "no run under") {
		t.Fatalf("FindAll of a folder without runs: %v", err)
	}
}
