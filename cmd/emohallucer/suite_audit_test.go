package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wordMatchSuite writes a suite folder of n text pairs whose basic question
// repeats the passage's words and whose hallucinated question uses words the
// passage lacks: the context-overlap rule solves every one. The questions vary
// so that the other audit checks (duplicates, wording artifacts) have nothing
// to report.
func wordMatchSuite(t *testing.T, n int) string {
	t.Helper()
	cues := []string{"rolling her eyes", "slamming the door", "laughing loudly", "tapping his foot", "sighing twice", "crying quietly"}
	others := []string{"apologising politely", "waving goodbye", "singing softly", "shrugging calmly", "whistling a tune", "nodding slowly"}
	var lines []string
	for i := 0; i < n; i++ {
		cue, other := cues[i%len(cues)], others[(i+1)%len(others)]
		ctx := fmt.Sprintf("Passage %d: the person kept %s while we talked.", i, cue)
		b, h := "Does the text mention "+cue+"?", "Does the text mention "+other+"?"
		if i%2 == 1 {
			b, h = "Is "+cue+" described?", "Is "+other+" described?"
		}
		lines = append(lines, fmt.Sprintf(`{"id":"p%d","dimension":"perception","subcategory":"reasoning-cue","modality":"text","context":{"text":%q},"basic":{"question":%q,"gold":"yes"},"hallucinated":{"question":%q,"gold":"no"}}`, i, ctx, b, h))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "suite.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSuiteAuditOverlapBaseline(t *testing.T) {
	solvable := wordMatchSuite(t, 24)
	tests := []struct {
		name       string
		args       []string
		code       int
		stderrHas  string  // "" for none
		wantAcc    float64 // overall overlap accuracy in the JSON report; -1 to skip
		subWantAcc float64
	}{
		// The builtin suite's text pairs are written not to be solvable by word matching.
		{"builtin passes strict", []string{"suite", "audit", "--suite", "builtin", "--strict", "--json"}, 0, "", -1, -1},
		// Without --strict the report is printed and the command succeeds.
		{"solvable suite, report only", []string{"suite", "audit", "--suite", solvable, "--json"}, 0, "", 1, 1},
		// --strict refuses it with exit 3 and says why.
		{"solvable suite, strict", []string{"suite", "audit", "--suite", solvable, "--strict", "--json"}, exitInvalid, "context-overlap baseline pair accuracy 1.000 > 0.40", 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, stderr)
			}
			if tc.stderrHas != "" && !strings.Contains(stderr, tc.stderrHas) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderrHas, stderr)
			}
			var r struct {
				Acc   *float64           `json:"overlap_baseline_accuracy"`
				BySub map[string]float64 `json:"overlap_by_subcategory"`
				Pairs int                `json:"overlap_pairs"`
			}
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("report is not JSON: %v\n%s", err, stdout)
			}
			if r.Acc == nil || r.Pairs == 0 || len(r.BySub) == 0 {
				t.Fatalf("report lacks the overlap baseline: %s", stdout)
			}
			if tc.wantAcc >= 0 && (*r.Acc != tc.wantAcc || r.BySub["reasoning-cue"] != tc.subWantAcc) {
				t.Errorf("overlap accuracy %.3f, by sub-category %v; want %.3f and reasoning-cue %.3f", *r.Acc, r.BySub, tc.wantAcc, tc.subWantAcc)
			}
		})
	}
	// The table output names the baseline and its verdict.
	code, stdout, _ := runCLI(t, "suite", "audit", "--suite", solvable)
	if code != 0 || !strings.Contains(stdout, "context-overlap baseline") || !strings.Contains(stdout, "WORD MATCHING SOLVES IT") {
		t.Errorf("table output (exit %d) lacks the overlap verdict:\n%s", code, stdout)
	}
}
