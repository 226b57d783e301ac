package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/score"
)

func readScores(t *testing.T, dir string) *score.Scores {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s score.Scores
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// TestBaselinesOnBuiltin is the core acceptance test: the baselines' metrics are
// known in closed form.
func TestBaselinesOnBuiltin(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "run", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, s := range []string{"Pct. Diff", "FP Ratio", "baseline:always-yes", "To evaluate a real model"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("output lacks %q:\n%s", s, stdout)
		}
	}
	yes := readScores(t, filepath.Join(out, "baseline-always-yes")).Views["all"]
	if yes.BasicAcc != 100 || yes.HallucinatedAcc != 0 || yes.OverallAcc != 0 || yes.PctDiff != 0.5 || *yes.FPRatio != 1 {
		t.Errorf("always-yes: %+v", yes)
	}
	no := readScores(t, filepath.Join(out, "baseline-always-no")).Views["all"]
	if no.BasicAcc != 0 || no.HallucinatedAcc != 100 || no.OverallAcc != 0 || no.PctDiff != -0.5 || *no.FPRatio != 0 {
		t.Errorf("always-no: %+v", no)
	}
	rnd := readScores(t, filepath.Join(out, "baseline-random-seed-1")).Views["all"]
	if rnd.OverallCI95[0] > 25 || rnd.OverallCI95[1] < 25 {
		t.Errorf("random: overall %v, CI %v does not contain 25", rnd.OverallAcc, rnd.OverallCI95)
	}
	if yes.Pairs < 30 {
		t.Errorf("builtin has %d pairs, want at least 30", yes.Pairs)
	}

	// score reproduces summary.json byte for byte from the records alone.
	dir := filepath.Join(out, "baseline-random-seed-1")
	before, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	os.Remove(filepath.Join(dir, "summary.json"))
	if code, _, stderr := runCLI(t, "score", dir); code != 0 {
		t.Fatalf("score: exit %d: %s", code, stderr)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if !bytes.Equal(before, after) {
		t.Fatal("score did not reproduce summary.json byte for byte")
	}

	// Streaming form: records on stdin give the same scores.
	var sout, serr bytes.Buffer
	recs, _ := os.Open(filepath.Join(dir, "records.jsonl"))
	defer recs.Close()
	if code := Main(context.Background(), []string{"score", "-"}, recs, &sout, &serr); code != 0 {
		t.Fatalf("score -: %d %s", code, serr.String())
	}
	if sout.String() != string(before) {
		t.Fatal("score - differs from summary.json")
	}

	// A rerun resumes: nothing is asked again and the summary is unchanged.
	code, _, stderr = runCLI(t, "run", "--out", out)
	if code != 0 || !strings.Contains(stderr, "0 answered") {
		t.Fatalf("rerun: exit %d, %s", code, stderr)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if !bytes.Equal(before, again) {
		t.Fatal("rerun changed summary.json")
	}

	// report prints the table and writes Markdown for every view.
	md := filepath.Join(t.TempDir(), "r.md")
	code, stdout, stderr = runCLI(t, "report", out, "--view", "knowledge", "--md", md)
	if code != 0 || !strings.Contains(stdout, "view: knowledge") {
		t.Fatalf("report: %d %s %s", code, stdout, stderr)
	}
	mdText, _ := os.ReadFile(md)
	for _, s := range []string{"## all", "## knowledge", "## subcategory:theory", "| baseline:always-no |"} {
		if !strings.Contains(string(mdText), s) {
			t.Errorf("markdown lacks %q", s)
		}
	}

	// --lang writes the report in Chinese; names and views stay as they are.
	code, _, stderr = runCLI(t, "report", out, "--md", md, "--lang", "zh")
	mdText, _ = os.ReadFile(md)
	for _, s := range []string{"# emohallucer 报告", "| 模型 | Pct. Diff |", "成对准确率 [95% 置信区间]", "## subcategory:theory", "| baseline:always-no |"} {
		if code != 0 || !strings.Contains(string(mdText), s) {
			t.Errorf("report --lang zh: exit %d (%s); markdown lacks %q", code, stderr, s)
		}
	}

	// --fail-under gates CI pipelines with exit code 4.
	if code, _, _ := runCLI(t, "score", dir, "--fail-under", "90"); code != exitThreshold {
		t.Errorf("fail-under: exit %d, want %d", code, exitThreshold)
	}
}

func TestSuiteValidateReportsFileAndLine(t *testing.T) {
	dir := t.TempDir()
	good := `{"id":"a","dimension":"knowledge","subcategory":"theory","modality":"text","basic":{"question":"Is A?","gold":"yes"},"hallucinated":{"question":"Is B?","gold":"no"}}`
	escape := `{"id":"e","dimension":"perception","subcategory":"category","modality":"image","context":{"media":[{"path":"../../etc/passwd","sha256":"` + strings.Repeat("a", 64) + `","kind":"image"}]},"basic":{"question":"Is A?","gold":"yes"},"hallucinated":{"question":"Is B?","gold":"no"}}`
	lines := []string{good, `{"id": oops}`, strings.Replace(good, `"gold":"no"`, `"gold":"yes"`, 1), escape}
	os.WriteFile(filepath.Join(dir, "suite.jsonl"), []byte(strings.Join(lines, "\n")), 0o644)
	code, stdout, _ := runCLI(t, "suite", "validate", dir)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d", code, exitInvalid)
	}
	name := filepath.Join(dir, "suite.jsonl")
	for _, want := range []string{name + ":2: malformed JSON", name + ":3: duplicate pair id", name + ":3: the hallucinated question must have gold answer \"no\"", name + `:4: media 1: media path "../../etc/passwd" escapes the suite folder (refused)`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if code, stdout, _ := runCLI(t, "suite", "validate", "builtin"); code != 0 || !strings.Contains(stdout, "no problems") {
		t.Fatalf("builtin: %d %s", code, stdout)
	}
}

func TestSuiteStatsJSON(t *testing.T) {
	code, stdout, _ := runCLI(t, "suite", "stats", "--suite", "builtin", "--json")
	if code != 0 {
		t.Fatal(code)
	}
	var st struct {
		Pairs         int            `json:"pairs"`
		ByDimension   map[string]int `json:"by_dimension"`
		BySubCategory map[string]int `json:"by_subcategory"`
		ByModality    map[string]int `json:"by_modality"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatal(err)
	}
	if st.Pairs == 0 || st.ByDimension["knowledge"] == 0 || st.ByModality["text"] != st.Pairs {
		t.Fatalf("stats %+v", st)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"run", "--bogus"}, exitUsage},
		{[]string{"run", "--view", "nonsense"}, exitUsage},
		{[]string{"run", "--shard", "3/2"}, exitUsage},
		{[]string{"run", "--model", "nonsense:x", "--out", "/dev/null/x"}, exitUsage},
		{[]string{"report", "/nonexistent/run"}, exitInvalid},
		{[]string{"report", "--lang", "fr", "/nonexistent/run"}, exitUsage},
		{[]string{"run", "--suite", "/nonexistent/suite"}, exitInvalid},
	}
	for _, tt := range tests {
		if code, _, stderr := runCLI(t, tt.args...); code != tt.code {
			t.Errorf("%v: exit %d, want %d (%s)", tt.args, code, tt.code, stderr)
		}
	}
}

// TestScoreExternal scores HallusionBench's sample predictions, as shipped with
// the benchmark, with both extraction rules.
func TestScoreExternal(t *testing.T) {
	data := filepath.Join("..", "..", "..", "shared", "data", "hallusionbench")
	if _, err := os.Stat(data); err != nil {
		t.Skipf("../shared/data is absent (%v); the interop tests need the HallusionBench files", err)
	}
	for rule, want := range map[string]string{"yesno-v1": "155/254", "first-word": "152/254"} {
		code, stdout, stderr := runCLI(t, "score", "--format", "hallusionbench", "--rule", rule,
			"--predictions", filepath.Join(data, "HallusionBench_result_sample.json"), "--questions", filepath.Join(data, "HallusionBench.json"))
		if code != 0 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "fAcc") || !strings.Contains(stdout, "qAcc") {
			t.Errorf("rule %s: exit %d, want aAcc %s in:\n%s%s", rule, code, want, stdout, stderr)
		}
	}
	if code, _, _ := runCLI(t, "score", "--format", "pope", "somedir"); code != exitUsage {
		t.Errorf("--format with a run folder: exit %d, want %d", code, exitUsage)
	}
}

// TestRunJSONMetadata checks that run.json carries the model's metadata and
// settings next to its records.
func TestRunJSONMetadata(t *testing.T) {
	tmp := t.TempDir()
	path := filepath.Join(tmp, "models.yaml")
	os.WriteFile(path, []byte(`models:
  - spec: baseline:random?seed=3
    price: {input: 1.5, output: 6}
    metadata: {family: Random, params_b: 0.001, open: true, reasoning: "no", released: 2026-01-02, extra: {color: blue}}
`), 0o644)
	dir := filepath.Join(tmp, "run")
	if code, _, stderr := runCLI(t, "run", "--config", path, "--out", dir, "--limit", "3", "--progress", "never"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	info := readRunJSON(t, dir)
	m := info.Metadata
	if m == nil || m.Family != "Random" || m.ParamsB != 0.001 || m.Released != "2026-01-02" || m.Extra["color"] != "blue" {
		t.Fatalf("metadata %+v", m)
	}
	if info.Price == nil || info.Price.Output != 6 || info.Questions != 6 || info.Result == nil || info.Result.Answered != 6 {
		t.Fatalf("run.json %+v", info)
	}
}
