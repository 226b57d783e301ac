package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/suite"
)

// TestReportNestedRunsOfTwoSuites: `report runs/` finds run folders two levels
// down, names each run's suite in its table, and, without --suite, shows each
// run's failed pairs with its own suite's explanations (the two suites share
// pair ids; the copy's explanations are marked).
func TestReportNestedRunsOfTwoSuites(t *testing.T) {
	tmp := t.TempDir()
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	pairs := append(s.Pairs[:0:0], s.Pairs[:5]...)
	for i := range pairs {
		pairs[i].Explanation = "MINI COPY: " + pairs[i].Explanation
	}
	mini := filepath.Join(tmp, "mini")
	if err := suite.Write(mini, pairs); err != nil {
		t.Fatal(err)
	}
	runs := filepath.Join(tmp, "runs")
	for _, r := range []struct{ suite, out string }{{"builtin", "builtin/yes"}, {mini, "mini/yes"}} {
		args := []string{"run", "--suite", r.suite, "--model", "baseline:always-yes", "--limit", "5", "--out", filepath.Join(runs, r.out), "--progress", "never", "--no-cache"}
		if code, _, stderr := runCLI(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	page := filepath.Join(tmp, "r.html")
	code, stdout, stderr := runCLI(t, "report", runs, "--html", page)
	if code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "model                suite") || !strings.Contains(stdout, "builtin") || !strings.Contains(stdout, " mini ") {
		t.Errorf("table without both runs and a suite column:\n%s", stdout)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if n := strings.Count(html, "MINI COPY: "); n != 5 {
		t.Errorf("%d explanations of the mini suite in the error browser, want 5", n)
	}
	if !strings.Contains(html, `"explanation":"`+s.Pairs[0].Explanation[:20]) {
		t.Error("the builtin run's pairs lack the builtin suite's explanations")
	}
}
