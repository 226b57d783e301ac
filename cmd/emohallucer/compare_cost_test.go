package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/score"
)

// TestCompareCostsOnSharedQuestions runs direct on 6 pairs and pep-mek on the
// first 2 of them (then again from the cache), and checks that compare counts
// calls, tokens and cache hits on the 4 shared questions only, with the cache
// hits apart from the calls.
func TestCompareCostsOnSharedQuestions(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{Answer: answerByHash})
	defer srv.Close()
	t.Setenv("OPENAI_API_KEY", "test-key")
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache.db")
	run := func(out string, limit string, extra ...string) string {
		t.Helper()
		args := append([]string{"run", "--suite", "builtin", "--subset", "perception", "--limit", limit, "--model", "openai:m@" + srv.OpenAIBaseURL(),
			"--out", filepath.Join(dir, out), "--cache", cache, "--progress", "never"}, extra...)
		if code, stdout, stderr := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
		return filepath.Join(dir, out)
	}
	direct := run("direct", "6")
	run("pep", "2", "--strategy", "pep-mek")
	cached := run("pep-again", "2", "--strategy", "pep-mek")

	// Tokens of the direct run on the 2 shared pairs, read from its records.
	recs, err := record.Existing(filepath.Join(direct, record.FileName))
	if err != nil || len(recs) != 12 {
		t.Fatalf("direct records: %d, %v", len(recs), err)
	}
	shared := map[string]bool{}
	pep, _ := record.Existing(filepath.Join(cached, record.FileName))
	pepTokens, pepCached := 0, 0
	for _, r := range pep {
		shared[r.Pair] = true
		pepTokens += r.Usage.PromptTokens + r.Usage.CompletionTokens
		pepCached += r.CachedCalls
	}
	directTokens, wholeTokens := 0, 0
	for _, r := range recs {
		wholeTokens += r.Usage.PromptTokens + r.Usage.CompletionTokens
		if shared[r.Pair] {
			directTokens += r.Usage.PromptTokens + r.Usage.CompletionTokens
		}
	}
	if len(shared) != 2 || pepCached != 16 || directTokens == 0 || directTokens*6 == wholeTokens*2 {
		t.Fatalf("fixture: %d shared pairs, %d cached calls, tokens %d of %d (the shared pairs must cost other than the average)", len(shared), pepCached, directTokens, wholeTokens)
	}

	code, stdout, stderr := runCLI(t, "compare", direct, cached, "--json")
	if code != 0 {
		t.Fatalf("compare: exit %d\n%s", code, stderr)
	}
	var cmps []score.Comparison
	if err := json.Unmarshal([]byte(stdout), &cmps); err != nil {
		t.Fatal(err)
	}
	all := cmps[0]
	if all.Questions != 4 || all.CallsA != 4 || all.CachedA != 0 || all.CallsB != 16 || all.CachedB != 16 {
		t.Errorf("questions %d, calls %d (cache hits %d) → %d (cache hits %d)", all.Questions, all.CallsA, all.CachedA, all.CallsB, all.CachedB)
	}
	if all.TokensA != directTokens || all.TokensB != pepTokens || all.CostBasis != "tokens" {
		t.Errorf("tokens %d → %d by %q, want %d → %d by tokens", all.TokensA, all.TokensB, all.CostBasis, directTokens, pepTokens)
	}
	// The text output ends with the per-question cost line.
	_, text, _ := runCLI(t, "compare", direct, cached)
	if !strings.Contains(text, "on the 4 questions both answered") || !strings.Contains(text, "cache hits 0 → 16 of 4 → 16 calls") {
		t.Errorf("compare output:\n%s", text)
	}
}
