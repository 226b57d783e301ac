package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/extract"
)

// TestDefaultRuleInRunID runs with the default rule and then with yesno-v1 into
// the same folder: the default is recorded by name everywhere, and because the
// rule is part of the run id the second run refuses the folder instead of
// mixing records scored under two rules.
func TestDefaultRuleInRunID(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"run", "--model", "baseline:always-yes", "--out", dir, "--limit", "3", "--progress", "never"}
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if info := readRunJSON(t, dir); info.Rule != extract.YesNoV2 {
		t.Errorf("run.json names rule %q, want the default %s", info.Rule, extract.YesNoV2)
	}
	if s := readScores(t, dir); s.Run.Rule != extract.YesNoV2 {
		t.Errorf("summary.json names rule %q, want %s", s.Run.Rule, extract.YesNoV2)
	}
	for key, recs := range recordsByKey(t, dir) {
		if recs[0].Rule != extract.YesNoV2 {
			t.Errorf("%s recorded under rule %q", key, recs[0].Rule)
		}
	}
	code, _, stderr := runCLI(t, append(args, "--rule", extract.YesNoV1)...)
	if code == 0 || !strings.Contains(stderr, "not of this run") {
		t.Fatalf("rerun under yesno-v1 into the same folder: exit %d, %s", code, stderr)
	}
}
