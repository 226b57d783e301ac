package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/importers/builder"
	"github.com/emohallucer/emohallucer/review"
	"github.com/emohallucer/emohallucer/suite"
)

// writeVerdicts writes a verdict file of rater with verdicts[i] on ids[i]
// (v, a, w).
func writeVerdicts(t *testing.T, path, rater string, ids []string, verdicts string) string {
	t.Helper()
	var b strings.Builder
	for i, c := range verdicts {
		v := map[rune]string{'v': "valid", 'a': "ambiguous", 'w': "wrong"}[c]
		fmt.Fprintf(&b, `{"pair":%q,"verdict":%q,"rater":%q}`+"\n", ids[i], v, rater)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var dataID = regexp.MustCompile(`<article class="card" data-id="([^"]+)"`)

// TestSuiteReviewSampleAgree writes a review page of builtin, judges its pairs
// as two raters and measures their agreement, end to end through the CLI.
func TestSuiteReviewSampleAgree(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "review.html")
	code, stdout, stderr := runCLI(t, "suite", "review", "sample", "builtin", "--n", "12", "--seed", "3", "--out", page, "--rater", "ana")
	if code != 0 || !strings.Contains(stdout, "wrote "+page+": 12 pairs of suite builtin") || !strings.Contains(stdout, "knowledge") || !strings.Contains(stdout, "emohallucer-text") {
		t.Fatalf("sample: exit %d\n%s%s", code, stdout, stderr)
	}
	html, _ := os.ReadFile(page)
	var ids []string
	for _, m := range dataID.FindAllStringSubmatch(string(html), -1) {
		ids = append(ids, m[1])
	}
	if len(ids) != 12 {
		t.Fatalf("page shows %d pairs", len(ids))
	}
	ana := writeVerdicts(t, filepath.Join(dir, "ana.jsonl"), "ana", ids, "vvvvvvvvwwaa")
	ben := writeVerdicts(t, filepath.Join(dir, "ben.jsonl"), "ben", ids, "vvvvvvvwwwaw")
	code, stdout, stderr = runCLI(t, "suite", "review", "agree", ana, ben, "--suite", "builtin", "--json")
	if code != 0 {
		t.Fatalf("agree: exit %d\n%s", code, stderr)
	}
	var a review.Agreement
	if err := json.Unmarshal([]byte(stdout), &a); err != nil {
		t.Fatal(err)
	}
	// 7 pairs both call valid; the eighth is a tie: validity 7/12.
	// Cohen on 12 pairs: po = 10/12; marginals ana (8, 2, 2), ben (7, 1, 4);
	// pe = (56 + 2 + 8)/144 = 66/144; κ = (120 − 66)/(144 − 66) = 54/78.
	if a.All.Sound != 7 || a.All.Pairs != 12 || a.All.CohenKappa == nil || fmt.Sprintf("%.6f", *a.All.CohenKappa) != fmt.Sprintf("%.6f", 54.0/78) {
		t.Errorf("all: %+v", a.All)
	}
	if len(a.BySource) != 2 || a.All.FleissKappa == nil || a.All.KrippendorffAlpha == nil {
		t.Errorf("groups %+v", a)
	}
	code, stdout, _ = runCLI(t, "suite", "review", "agree", ana, ben)
	if code != 0 || !strings.Contains(stdout, "Cohen κ") || !strings.Contains(stdout, "source:unknown") {
		t.Errorf("text without --suite: exit %d\n%s", code, stdout)
	}

	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"pair":"x","verdict":"valid","rater":"a"}`+"\n"+`{"pair":"y","verdict":"fine","rater":"a"}`+"\n"), 0o644)
	foreign := writeVerdicts(t, filepath.Join(dir, "foreign.jsonl"), "ana", []string{"x"}, "v")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		// A bad line names its file and line.
		{"bad line", []string{"suite", "review", "agree", bad}, exitInvalid, bad + `:2: pair y: verdict "fine"`},
		// A verdict file that is not there.
		{"missing file", []string{"suite", "review", "agree", bad + "x"}, exitInvalid, "does not exist"},
		// Verdicts on pairs the suite does not hold.
		{"foreign pairs", []string{"suite", "review", "agree", foreign, "--suite", "builtin"}, exitInvalid, "1 verdict(s) name pairs that suite builtin does not hold, e.g. x"},
		// The page must go somewhere.
		{"no out", []string{"suite", "review", "sample", "builtin"}, exitUsage, "--out is required"},
		// A --pairs list naming an unknown pair.
		{"unknown listed pair", []string{"suite", "review", "sample", "builtin", "--out", page, "--pairs", bad}, exitInvalid, "is not in the suite"},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s", tt.name, code, tt.code, tt.want, stderr)
		}
	}
}

// TestRunExclude leaves out of a run the pairs reviewers did not judge valid.
func TestRunExclude(t *testing.T) {
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ids := []string{s.Pairs[0].ID, s.Pairs[1].ID, s.Pairs[2].ID, s.Pairs[3].ID}
	f1 := writeVerdicts(t, filepath.Join(dir, "a.jsonl"), "ana", ids, "wavv")
	f2 := writeVerdicts(t, filepath.Join(dir, "b.jsonl"), "ben", ids, "wvwv")
	out := filepath.Join(dir, "run")
	code, _, stderr := runCLI(t, "run", "--model", "baseline:always-yes", "--out", out, "--progress", "never", "--exclude", f1, "--exclude", f2)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Pair 0 (w, w), pair 1 (a, v: a tie) and pair 2 (v, w: a tie) go; the
	// note counts their verdicts.
	if !strings.Contains(stderr, "excluded 3 pair(s)") || !strings.Contains(stderr, "2 valid, 1 ambiguous, 3 wrong") {
		t.Errorf("stderr lacks the exclusion note:\n%s", stderr)
	}
	if got := readScores(t, out).Views["all"].Pairs; got != len(s.Pairs)-3 {
		t.Errorf("run scored %d pairs, want %d", got, len(s.Pairs)-3)
	}
}

// TestBuildExclude builds SOUL from ../shared/data twice: the second build
// leaves out the pairs judged wrong, lists them in the manifest, and removes
// media only they used.
func TestBuildExclude(t *testing.T) {
	data := buildTestData(t)
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	from := []string{"--from", "ferplus=" + filepath.Join(data, "faces", "ferplus"), "--quiet"}
	if code, _, stderr := runCLI(t, append([]string{"build", "--out", full}, from...)...); code != 0 {
		t.Fatalf("build: %s", stderr)
	}
	s, err := suite.Read(full, suite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Every pair of the first face is judged wrong: its image goes too.
	face := s.Pairs[0].Context.Media[0].Path
	var ids []string
	for _, p := range s.Pairs {
		if p.Context.Media[0].Path == face {
			ids = append(ids, p.ID)
		}
	}
	ids = append(ids, s.Pairs[len(s.Pairs)-1].ID)
	verdicts := strings.Repeat("w", len(ids)-1) + "v"
	f := writeVerdicts(t, filepath.Join(dir, "v.jsonl"), "ana", ids, verdicts)
	reviewed := filepath.Join(dir, "reviewed")
	code, stdout, stderr := runCLI(t, append([]string{"build", "--out", reviewed, "--exclude", f}, from...)...)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("excluded %d pair(s)", len(ids)-1)) {
		t.Fatalf("build --exclude: exit %d\n%s%s", code, stdout, stderr)
	}
	r, err := suite.Read(reviewed, suite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := builder.ReadManifest(reviewed)
	if err != nil {
		t.Fatal(err)
	}
	fm, _ := builder.ReadManifest(full)
	if len(r.Pairs) != len(s.Pairs)-len(ids)+1 || len(m.Excluded) != len(ids)-1 || m.Excluded[0].Wrong != 1 || m.Totals.Pairs != len(r.Pairs) {
		t.Errorf("reviewed suite %d pairs, manifest excluded %+v, totals %+v", len(r.Pairs), m.Excluded, m.Totals)
	}
	// A bad verdict file stops the build before anything is imported.
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"pair":"x","rater":"ana","verdict":"nope"}`+"\n"), 0o644)
	if code, _, stderr := runCLI(t, append([]string{"build", "--out", filepath.Join(dir, "never"), "--exclude", bad}, from...)...); code != exitInvalid || !strings.Contains(stderr, bad+":1:") {
		t.Errorf("bad verdicts: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(reviewed, filepath.FromSlash(face))); !os.IsNotExist(err) || m.Totals.MediaFiles != fm.Totals.MediaFiles-1 {
		t.Errorf("the excluded face %s is still there (%v), media files %d of %d", face, err, m.Totals.MediaFiles, fm.Totals.MediaFiles)
	}
}
