package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/strategy"
	"github.com/emohallucer/emohallucer/suite"
)

// TestUserPrompts: a config's system_prompt, template and few_shot reach the
// server, enter the run id and the cache key (a changed template is sent
// again, never answered from the cache), and bad ones are refused with the
// config line.
func TestUserPrompts(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{})
	defer srv.Close()
	tmp := t.TempDir()
	tmpl := filepath.Join(tmp, "ask.tmpl")
	config := func(name, body string) string {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, []byte(fmt.Sprintf("models:\n  - provider: openai\n    model: m\n    base_url: %s\n%s", srv.OpenAIBaseURL(), body)), 0o644)
		return p
	}
	prompts := config("prompts.yaml", `    system_prompt: You are a careful annotator.
    template: ask.tmpl
    few_shot:
      - {question: "Is the sky green?", answer: "no"}
      - question: Is the writer glad?
        context: I won!
        answer: "yes"
`)
	cache := filepath.Join(tmp, "cache.jsonl")
	run := func(cfg, out string) rundir.Info {
		if code, _, stderr := runCLI(t, "run", "--config", cfg, "--limit", "2", "--out", filepath.Join(tmp, out), "--cache", cache, "--progress", "never"); code != 0 {
			t.Fatalf("run %s: exit %d: %s", out, code, stderr)
		}
		return readRunJSON(t, filepath.Join(tmp, out))
	}
	os.WriteFile(tmpl, []byte("[{{.Lang}}/{{.Modality}}/{{.SubCategory}}] {{if .Context}}{{.Context}} | {{end}}Q: {{.Question}} (yes/no)"), 0o644)
	before := srv.Received()
	first := run(prompts, "a")
	last := srv.Last()
	if srv.Received()-before != 4 || last.System != "You are a careful annotator." || len(last.Messages) != 5 {
		t.Fatalf("%d requests; last: system %q, %d messages", srv.Received()-before, last.System, len(last.Messages))
	}
	// (examples take the question's language, modality and sub-category)
	wantTurns := []string{"Q: Is the sky green? (yes/no)", "no", "I won! | Q: Is the writer glad? (yes/no)", "yes"}
	for i, w := range wantTurns {
		if text := last.Messages[i].Text; !strings.HasSuffix(text, w) || i%2 == 0 && !strings.HasPrefix(text, "[en/text/") {
			t.Errorf("turn %d: %q, want %q", i, last.Messages[i].Text, w)
		}
	}
	if q := last.Messages[4].Text; !strings.HasPrefix(q, "[en/text/") || !strings.HasSuffix(q, "(yes/no)") {
		t.Errorf("question not rendered by the template: %q", q)
	}
	// The same prompts again: resumed, nothing sent.
	if again := run(prompts, "a"); again.Run != first.Run || srv.Received()-before != 4 {
		t.Fatalf("rerun: run %s (was %s), %d requests", again.Run, first.Run, srv.Received()-before)
	}
	// A changed template: another run id, and sent again despite the cache.
	os.WriteFile(tmpl, []byte("Q: {{.Question}} Answer yes or no."), 0o644)
	if changed := run(prompts, "b"); changed.Run == first.Run || srv.Received()-before != 8 {
		t.Fatalf("changed template: run %s (was %s), %d requests, want 8", changed.Run, first.Run, srv.Received()-before)
	}
	// No prompts at all: a third run id.
	if plain := run(config("plain.yaml", ""), "c"); plain.Run == first.Run {
		t.Error("the run id does not depend on the prompts")
	}

	bad := []struct {
		name, body, want string
	}{
		// a misspelt field fails at load time, with the model's line
		{"field.yaml", "    template: field.tmpl\n", "model at line 2: template: template:1:2: executing \"template\" at <.Questoin>"},
		// multi-step strategies build their own prompts
		{"pep.yaml", "    strategy: pep-mek\n    few_shot: [{question: q, answer: yes}]\n", "model at line 2: few_shot apply to the direct strategy only, not pep-mek"},
		{"empty.yaml", "    few_shot: [{question: q}]\n", "model at line 2: few_shot example 1: needs a question and an answer"},
		{"missing.yaml", "    template: nowhere.tmpl\n", "model at line 2: template nowhere.tmpl"},
		{"key.yaml", "    few_shot: [{question: q, answr: yes}]\n", `unknown key "answr"`},
	}
	os.WriteFile(filepath.Join(tmp, "field.tmpl"), []byte("{{.Questoin}}"), 0o644)
	for _, b := range bad {
		code, _, stderr := runCLI(t, "run", "--config", config(b.name, b.body), "--out", filepath.Join(tmp, "bad"), "--no-cache")
		if code != exitInvalid || !strings.Contains(stderr, b.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s", b.name, code, exitInvalid, b.want, stderr)
		}
	}
}

// TestDryRun: --dry-run sorts the questions into to ask, not evaluated,
// already recorded and cached, estimates tokens and cost, and sends and
// writes nothing (the server fails the test if it is hit).
func TestDryRun(t *testing.T) {
	suiteDir := imageSuite(t) // 3 text pairs, 3 image pairs
	fake := fakeapi.New(fakeapi.Config{})
	defer fake.Close()
	var allowed atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowed.Load() {
			t.Errorf("the dry run sent %s %s", r.Method, r.URL.Path)
			http.Error(w, "no", http.StatusTeapot)
			return
		}
		fake.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	tmp := t.TempDir()
	models := filepath.Join(tmp, "models.yaml")
	os.WriteFile(models, []byte(fmt.Sprintf("models:\n  - provider: openai\n    model: m\n    base_url: %s/v1\n    modalities: [text]\n    price: {input: 1, output: 2}\n    decoding: {max_tokens: 10}\n", srv.URL)), 0o644)
	cache := filepath.Join(tmp, "cache.jsonl")
	base := []string{"run", "--suite", suiteDir, "--config", models, "--cache", cache, "--progress", "never"}
	// A real run answers the first two text pairs: records in A, answers in the cache.
	allowed.Store(true)
	if code, _, stderr := runCLI(t, append(base, "--out", filepath.Join(tmp, "A"), "--limit", "2")...); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	allowed.Store(false)
	cacheBefore, _ := os.ReadFile(cache)

	// The third text pair's two questions are still to ask: their prompts,
	// at 4 characters a token, and 10 answer tokens each.
	var prompt int
	s, err := suite.Read(suiteDir, suite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range mustItems(t, s)[4:6] {
		prompt += (len(strategyPrompt(t, &it)) + 3) / 4
	}
	cost := fmt.Sprintf("estimated %d prompt + 20 completion tokens, ≈ $%.4f at the config's price", prompt, (float64(prompt)*1+20*2)/1e6)
	tests := []struct {
		out  string
		want string
	}{
		// into A: the first four are recorded there
		{"A", "12 questions: 2 to ask (2 calls), 6 not evaluated (6 image), 4 already recorded, 0 from the cache"},
		// into a new folder: the same four come from the cache
		{"B", "12 questions: 2 to ask (2 calls), 6 not evaluated (6 image), 0 already recorded, 4 from the cache"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, append(base, "--out", filepath.Join(tmp, tt.out), "--dry-run")...)
		if code != 0 || !strings.Contains(stdout, tt.want) || !strings.Contains(stdout, cost) {
			t.Errorf("dry run into %s: exit %d, want %q and %q in:\n%s%s", tt.out, code, tt.want, cost, stdout, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "B")); !os.IsNotExist(err) {
		t.Errorf("the dry run created its run folder: %v", err)
	}
	if after, _ := os.ReadFile(cache); string(after) != string(cacheBefore) {
		t.Error("the dry run changed the cache")
	}
}

// mustItems are a suite's questions in run order.
func mustItems(t *testing.T, s *eh.Suite) []eh.Item {
	t.Helper()
	items, err := suite.Items(s)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// strategyPrompt is the text the direct strategy sends for an item.
func strategyPrompt(t *testing.T, it *eh.Item) string {
	t.Helper()
	st, _ := strategy.New("direct", strategy.Options{})
	var got string
	st.Answer(context.Background(), promptCatcher{&got}, it)
	return got
}

// promptCatcher records the text of the request it gets.
type promptCatcher struct{ text *string }

func (p promptCatcher) Name() string                  { return "catch" }
func (p promptCatcher) Capabilities() eh.Capabilities { return eh.Capabilities{} }
func (p promptCatcher) Generate(_ context.Context, r *eh.Request) (*eh.Response, error) {
	for _, m := range r.Messages {
		for _, part := range m.Parts {
			*p.text += part.Text
		}
	}
	return &eh.Response{Text: "yes"}, nil
}
