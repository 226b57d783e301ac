package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/score"
)

// TestSuitePaths: a suite is taken as its folder, its suite.jsonl or builtin,
// and suite stats and audit take it as an argument like suite validate.
func TestSuitePaths(t *testing.T) {
	dir := imageSuite(t)
	file := filepath.Join(dir, "suite.jsonl")
	tests := []struct {
		args []string
		code int
		want string // in stdout, or stderr when the exit is not 0
	}{
		// validate, stats and audit on the file name the folder's suite
		{[]string{"suite", "validate", file}, 0, "6 pairs, no problems"},
		{[]string{"suite", "stats", file}, 0, "6 pairs (12 questions)"},
		{[]string{"suite", "stats", dir}, 0, "6 pairs (12 questions)"},
		// --suite keeps working, with the file too
		{[]string{"suite", "stats", "--suite", file}, 0, "6 pairs (12 questions)"},
		{[]string{"suite", "audit", file, "--folds", "2"}, 0, "6 / 12"},
		{[]string{"suite", "audit", "--suite", file, "--folds", "2"}, 0, "6 / 12"},
		// the argument and a different --suite: refused, not one silently winning
		{[]string{"suite", "stats", dir, "--suite", "builtin"}, exitUsage, "give the suite once"},
		// run takes the file as the folder (the run names the folder's suite)
		{[]string{"run", "--suite", file, "--model", "baseline:always-yes", "--out", filepath.Join(t.TempDir(), "r"), "--progress", "never"}, 0, "baseline:always-yes"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args...)
		got := stdout
		if tt.code != 0 {
			got = stderr
		}
		if code != tt.code || !strings.Contains(got, tt.want) {
			t.Errorf("%v: exit %d (want %d), want %q in:\n%s%s", tt.args, code, tt.code, tt.want, stdout, stderr)
		}
	}
}

// TestVersionAndProvenance: --version names the tool, Go and platform, and
// run.json records them with the suite's digest, which for a written suite is
// the SHA-256 of its suite.jsonl.
func TestVersionAndProvenance(t *testing.T) {
	code, stdout, _ := runCLI(t, "--version")
	want := "emohallucer " + rundir.ToolVersion() + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if code != 0 || strings.TrimSpace(stdout) != want {
		t.Fatalf("--version: exit %d, %q, want %q", code, stdout, want)
	}
	dir := imageSuite(t)
	b, err := os.ReadFile(filepath.Join(dir, "suite.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCLI(t, "run", "--suite", dir, "--model", "baseline:always-no", "--out", out, "--limit", "2", "--progress", "never"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	p := readRunJSON(t, out).Provenance
	if p == nil || p.SuiteSHA256 != hex.EncodeToString(sum[:]) || p.Tool != rundir.ToolVersion() || p.Go != runtime.Version() || p.OS != runtime.GOOS || p.Arch != runtime.GOARCH {
		t.Fatalf("provenance %+v, want suite digest %x", p, sum)
	}
}

// TestNotEvaluatedExplained: questions of a modality the model does not take
// are explained at the end of the run with their counts and the fix, and
// --modalities makes the same command send them.
func TestNotEvaluatedExplained(t *testing.T) {
	suiteDir := imageSuite(t)
	srv := fakeapi.New(fakeapi.Config{})
	defer srv.Close()
	tmp := t.TempDir()
	models := filepath.Join(tmp, "models.yaml")
	os.WriteFile(models, []byte(fmt.Sprintf("models:\n  - provider: openai\n    model: m\n    base_url: %s\n    modalities: [text]\n", srv.OpenAIBaseURL())), 0o644)
	out := filepath.Join(tmp, "run")
	args := []string{"run", "--suite", suiteDir, "--config", models, "--out", out, "--no-cache", "--progress", "never"}
	code, _, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"not evaluated: openai:m does not take image input, so 6 question(s) were not asked (6 image)",
		"add --modalities image, or modalities: [text, image] to its --config entry"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// The fix works: the image questions are now asked, the text ones resumed.
	code, _, stderr = runCLI(t, append(args, "--modalities", "image")...)
	if code != 0 || strings.Contains(stderr, "not evaluated:") || !strings.Contains(stderr, "6 answered, 0 not evaluated, 0 errors, 6 already recorded") {
		t.Fatalf("with --modalities image: exit %d:\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, append(args, "--modalities", "smell")...); code != exitUsage || !strings.Contains(stderr, `unknown modality "smell"`) {
		t.Errorf("--modalities smell: exit %d: %s", code, stderr)
	}
}

// TestSampleFlag: --sample draws from every stratum where --limit takes the
// first pairs, enters the run id, and excludes --limit.
func TestSampleFlag(t *testing.T) {
	suiteDir := imageSuite(t) // three text pairs, then three image pairs
	tmp := t.TempDir()
	run := func(name string, args ...string) rundir.Info {
		out := filepath.Join(tmp, name)
		args = append([]string{"run", "--suite", suiteDir, "--model", "baseline:always-yes", "--out", out, "--progress", "never"}, args...)
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		return readRunJSON(t, out)
	}
	modalities := func(name string) map[string]bool {
		got := map[string]bool{}
		for _, recs := range recordsByKey(t, filepath.Join(tmp, name)) {
			got[string(recs[0].Modality)] = true
		}
		return got
	}
	limit := run("limit", "--limit", "2")
	if m := modalities("limit"); len(m) != 1 || !m["text"] {
		t.Fatalf("--limit 2 took %v, want the first (text) pairs", m)
	}
	sample := run("sample", "--sample", "2", "--seed", "5")
	if m := modalities("sample"); !m["text"] || !m["image"] {
		t.Fatalf("--sample 2 took %v, want both modalities", m)
	}
	other := run("sample-seed", "--sample", "2", "--sample-seed", "6")
	if limit.Run == sample.Run || sample.Run == other.Run {
		t.Errorf("run ids do not record the sample: %s %s %s", limit.Run, sample.Run, other.Run)
	}
	if code, _, stderr := runCLI(t, "run", "--sample", "2", "--limit", "2", "--model", "baseline:always-yes", "--out", filepath.Join(tmp, "x")); code != exitUsage || !strings.Contains(stderr, "not both") {
		t.Errorf("--sample with --limit: exit %d: %s", code, stderr)
	}
}

// TestErrorMessages: mistakes on the command line exit 2 and say what would
// have been right.
func TestErrorMessages(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	tests := []struct {
		args []string
		code int
		want []string // in stderr
	}{
		// a misspelt flag names the closest one
		{[]string{"run", "--concurency", "3"}, exitUsage, []string{"unknown flag: --concurency", "did you mean --concurrency?"}},
		{[]string{"run", "--sampel", "3"}, exitUsage, []string{"did you mean --sample?"}},
		{[]string{"suite", "stats", "--jsn"}, exitUsage, []string{"did you mean --json?"}},
		// nothing close: where the flags are listed
		{[]string{"run", "--xyzzy"}, exitUsage, []string{"emohallucer run --help lists the flags"}},
		// an unknown view lists this suite's views (builtin has no audio)
		{[]string{"run", "--view", "noaduio", "--out", out}, exitUsage, []string{`unknown view "noaduio" for --view`, "this suite's views: all, noaudio, knowledge, perception, modality:text, subcategory:theory"}},
		// a real view with no pairs here leaves nothing to run: exit 3, with the list
		{[]string{"run", "--subset", "modality:audio", "--out", out}, exitInvalid, []string{`no pairs left: this suite has none in view "modality:audio" for --subset`, "modality:text"}},
		{[]string{"score", out, "--view", "x"}, exitUsage, []string{`unknown view "x"`, "subcategory:<theory"}},
		// refused before anything runs
		{[]string{"run", "--concurrency", "0", "--out", out}, exitUsage, []string{"--concurrency must be at least 1"}},
		{[]string{"run", "--model", "nonsense:x", "--out", out}, exitUsage, []string{`unknown provider "nonsense"`}},
		{[]string{"run", "--model", "openai", "--out", out}, exitUsage, []string{"want provider:model"}},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d: %s", tt.args, code, tt.code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tt.args, w, stderr)
			}
		}
	}
}

// TestScoreRule: score --rule re-reads every answer under another rule and
// says so, leaves summary.json alone, and refuses records without raw text.
func TestScoreRule(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{Answer: func(*fakeapi.Request) string { return "はい、そうです。" }})
	defer srv.Close()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "run")
	if code, _, stderr := runCLI(t, "run", "--model", "openai:m@"+srv.OpenAIBaseURL(), "--limit", "4", "--out", dir, "--no-cache", "--progress", "never"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	summary, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	code, stdout, stderr := runCLI(t, "score", dir, "--rule", "yesno-v1")
	if code != 0 {
		t.Fatalf("score --rule: exit %d: %s", code, stderr)
	}
	first, body, _ := strings.Cut(stdout, "\n")
	if !strings.Contains(first, "scored under rule yesno-v1 (records hold yesno-v2; summary.json unchanged)") {
		t.Errorf("first line %q does not name the rules", first)
	}
	var sc score.Scores
	if err := json.Unmarshal([]byte(body), &sc); err != nil {
		t.Fatal(err)
	}
	// yesno-v2 reads the Japanese yes; yesno-v1 cannot, so all 8 are unparsed.
	if sc.Run.Rule != "yesno-v1" || sc.Views["all"].Unparsed != 8 || readScores(t, dir).Views["all"].Unparsed != 0 {
		t.Errorf("rule %s, unparsed %d under v1 and %d under v2", sc.Run.Rule, sc.Views["all"].Unparsed, readScores(t, dir).Views["all"].Unparsed)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "summary.json")); string(after) != string(summary) {
		t.Error("score --rule rewrote summary.json")
	}
	// Records whose raw text was stripped cannot be re-read: refused, not ignored.
	b, _ := os.ReadFile(filepath.Join(dir, "records.jsonl"))
	var stripped []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		json.Unmarshal([]byte(line), &m)
		delete(m, "raw")
		delete(m, "steps")
		out, _ := json.Marshal(m)
		stripped = append(stripped, string(out))
	}
	bare := filepath.Join(tmp, "bare.jsonl")
	os.WriteFile(bare, []byte(strings.Join(stripped, "\n")+"\n"), 0o644)
	if code, _, stderr := runCLI(t, "score", bare, "--rule", "yesno-v1"); code != exitInvalid || !strings.Contains(stderr, "holds no answer text to re-extract under rule yesno-v1") {
		t.Errorf("stripped records: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "score", dir, "--rule", "yesno-v9"); code != exitUsage || !strings.Contains(stderr, "known: yesno-v2") {
		t.Errorf("unknown rule: exit %d: %s", code, stderr)
	}
}
