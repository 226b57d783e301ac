package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/review"
)

// TestSuiteFlag runs three baselines on builtin's first pairs and flags
// the pairs whose gold most of them contradict, then reviews those first.
func TestSuiteFlag(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	// always-yes accepts every hallucinated question and always-no rejects
	// every basic one, so at least two of the three runs contradict the gold
	// of every pair; random decides whether it is two or three.
	code, _, stderr := runCLI(t, "run", "--limit", "15", "--out", runs, "--progress", "never")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	list := filepath.Join(dir, "flagged.txt")
	code, stdout, stderr := runCLI(t, "suite", "flag", runs, "--json", "--out", list)
	if code != 0 {
		t.Fatalf("flag: exit %d: %s", code, stderr)
	}
	var f review.Flags
	if err := json.Unmarshal([]byte(stdout), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Runs) != 3 || f.Pairs != 15 || len(f.Flagged) != 15 {
		t.Fatalf("flagged %d of %d pairs over %d runs", len(f.Flagged), f.Pairs, len(f.Runs))
	}
	s, _ := builtin.Suite()
	first := f.Flagged[0]
	// The question texts come from the suite the runs recorded (builtin).
	if first.Share != 1 || first.Runs != 3 || first.Basic == "" || first.RejectBasic < 1 || first.AcceptHallucinated < 1 {
		t.Errorf("first flagged %+v", first)
	}
	last := f.Flagged[len(f.Flagged)-1]
	if last.Contradicting != 2 || last.Runs != 3 {
		t.Errorf("last flagged %+v: random should agree with the gold on some pair", last)
	}
	ids, err := review.ReadPairList(list)
	if err != nil || len(ids) != 15 || ids[0] != first.Pair {
		t.Fatalf("list %v %v", ids, err)
	}

	// The text lists questions and every run's answers; --min-runs 4 flags
	// nothing with three runs.
	code, stdout, _ = runCLI(t, "suite", "flag", filepath.Join(runs, "baseline-always-yes"), filepath.Join(runs, "baseline-always-no"), "--min-runs", "2")
	if code != 0 || !strings.Contains(stdout, "15 of 15 pairs flagged") || !strings.Contains(stdout, s.Pairs[0].Basic.Text[:20]) || !strings.Contains(stdout, "baseline:always-no") {
		t.Errorf("text: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ := runCLI(t, "suite", "flag", runs, "--min-runs", "4"); code != 0 || !strings.Contains(stdout, "0 of 15 pairs flagged") {
		t.Errorf("min-runs 4: exit %d\n%s", code, stdout)
	}
	if code, _, _ := runCLI(t, "suite", "flag", filepath.Join(dir, "none")); code != exitInvalid {
		t.Errorf("missing run folder: exit %d", code)
	}

	// Flagged pairs come first on the review page.
	page := filepath.Join(dir, "review.html")
	if code, stdout, stderr := runCLI(t, "suite", "review", "sample", "builtin", "--pairs", list, "--n", "20", "--out", page); code != 0 || !strings.Contains(stdout, "20 pairs") {
		t.Fatalf("sample --pairs: exit %d\n%s%s", code, stdout, stderr)
	}
	html, _ := os.ReadFile(page)
	m := dataID.FindAllStringSubmatch(string(html), -1)
	if len(m) != 20 || m[0][1] != ids[0] || m[14][1] != ids[14] {
		t.Errorf("page order: %d pairs, first %v", len(m), m[0])
	}
}
