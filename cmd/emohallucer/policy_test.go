package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/policy"
)

// hash10 is a stable number in [0, 10) for a text.
func hash10(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32() % 10
}

// goldServer is a fake OpenAI server whose model knows the builtin suite's
// gold answers: it answers a question wrong when hash10(question) < wrongBelow,
// and states its first-token probability so that its confidence is high
// (0.85–0.98) on right answers and, when calibrated, low (0.55–0.7) on wrong
// ones; an overconfident model is surest (0.99) of its wrong answers.
func goldServer(t *testing.T, wrongBelow uint32, calibrated bool) *fakeapi.Server {
	t.Helper()
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	gold := map[string]eh.Gold{}
	for _, p := range s.Pairs {
		gold[p.Basic.Text], gold[p.Hallucinated.Text] = p.Basic.Gold, p.Hallucinated.Gold
	}
	// lookup finds the question in the prompt (the longest that it contains).
	lookup := func(r *fakeapi.Request) (q string, yes bool) {
		last := r.LastText()
		for text, g := range gold {
			if strings.Contains(last, text) && len(text) > len(q) {
				q, yes = text, g == eh.Yes
			}
		}
		return q, yes
	}
	answer := func(r *fakeapi.Request) (yes bool, conf float64) {
		q, yes := lookup(r)
		h := hash10(q)
		if calibrated && h == 9 && hash10(q+"#") == 0 {
			return !yes, 0.9 // now and then sure and wrong, as real models are
		}
		if h < wrongBelow {
			if calibrated {
				return !yes, 0.55 + 0.015*float64(h)
			}
			return !yes, 0.99
		}
		return yes, 0.85 + 0.014*float64(h)
	}
	srv := fakeapi.New(fakeapi.Config{
		Answer: func(r *fakeapi.Request) string {
			if yes, _ := answer(r); yes {
				return "Yes."
			}
			return "No."
		},
		YesProb: func(r *fakeapi.Request) float64 {
			yes, conf := answer(r)
			if yes {
				return conf
			}
			return 1 - conf
		},
	})
	t.Cleanup(srv.Close)
	return srv
}

// fixtureRun runs one model on the English pairs of the builtin suite through
// the command line with a models file (price optional) and returns the run
// folder. One language is enough for policies and gates, and a third of the
// questions keeps these tests fast.
func fixtureRun(t *testing.T, dir, name, spec, price string, extra ...string) string {
	t.Helper()
	cfg := filepath.Join(dir, name+".yaml")
	body := fmt.Sprintf("models:\n  - spec: %s\n", spec)
	if price != "" {
		body += "    price: " + price + "\n"
	}
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	args := append([]string{"run", "--config", cfg, "--suite", "builtin", "--subset", "lang:en", "--out", out, "--progress", "never"}, extra...)
	if code, stdout, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
	}
	return out
}

// policyRuns are the fixture runs of the policy tests.
type policyRuns struct {
	dir                                   string
	calibrated, sloppy, consistency, base string
}

// makePolicyRuns runs, on the builtin suite: a calibrated priced model (10 %
// wrong, unsure when wrong), an overconfident unpriced one (30 % wrong, sure
// when wrong), the calibrated model with self-consistency (confidence from
// agreement of samples: always 1 here, since the server answers the same every
// time), and a baseline with no confidences.
func makePolicyRuns(t *testing.T) policyRuns {
	t.Helper()
	t.Setenv("OPENAI_API_KEY", "test-key")
	dir := t.TempDir()
	good := goldServer(t, 1, true)
	bad := goldServer(t, 3, false)
	return policyRuns{dir: dir,
		calibrated:  fixtureRun(t, dir, "calibrated", "openai:calibrated@"+good.OpenAIBaseURL(), "{input: 2, output: 8}"),
		sloppy:      fixtureRun(t, dir, "sloppy", "openai:sloppy@"+bad.OpenAIBaseURL(), ""),
		consistency: fixtureRun(t, dir, "consistency", "openai:calibrated@"+good.OpenAIBaseURL(), "{input: 2, output: 8}", "--strategy", "self-consistency"),
		base:        fixtureRun(t, dir, "baseline", "baseline:always-yes", ""),
	}
}

const testRegister = `usecases:
  - name: support-chat
    description: flag angry customers in English chat logs
    view: modality:text
    max_error: 0.10
    review_cost_usd: 0.50
    error_cost_usd: 5
    volume_per_month: 20000
  - name: hr-interview
    description: summarise interview impressions from recordings
    view: modality:audio
    max_error: 0.02
    review_cost_usd: 3
    volume_per_month: 400
  - name: knowledge-strict
    description: answers about emotion facts with no error tolerated
    view: knowledge
    max_error: 0.001
    review_cost_usd: 1
    volume_per_month: 100
`

func writeRegister(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "usecases.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPolicyRecommends evaluates the fixture runs and checks each use case's
// decision and the JSON contract.
func TestPolicyRecommends(t *testing.T) {
	runs := makePolicyRuns(t)
	reg := writeRegister(t, runs.dir, testRegister)
	code, stdout, stderr := runCLI(t, "policy", "--usecases", reg, runs.dir, "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	// The JSON has exactly the documented keys.
	var raw struct {
		UseCases []map[string]json.RawMessage `json:"usecases"`
	}
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatal(err)
	}
	for _, u := range raw.UseCases {
		var keys []string
		for k := range u {
			keys = append(keys, k)
		}
		if len(keys) != 5 || u["name"] == nil || u["keep_humans"] == nil || u["reason"] == nil || u["recommendation"] == nil || u["candidates"] == nil {
			t.Errorf("use case keys %v", keys)
		}
	}
	var ev policy.Evaluation
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.UseCases) != 3 {
		t.Fatalf("%d use cases", len(ev.UseCases))
	}
	support, hr, strict := ev.UseCases[0], ev.UseCases[1], ev.UseCases[2]

	// support-chat: only the calibrated direct run can set a threshold that
	// keeps the upper bound within 10 %; it is recommended.
	rec := support.Recommendation
	if support.KeepHumans || rec == nil || rec.Model != "openai:calibrated" || rec.Strategy != "direct" {
		t.Fatalf("support-chat: %+v", support)
	}
	if rec.ExpectedErrorUpper95 > 0.10 || rec.ExpectedError == 0 || rec.ExpectedErrorUpper95 <= rec.ExpectedError || rec.AutomatedShare <= 0.5 || rec.AutomatedShare >= 1 ||
		rec.Threshold < 0.55 || rec.ModelCostMonth <= 0 {
		t.Errorf("support-chat recommendation %+v", rec)
	}
	byModel := map[string]policy.Candidate{}
	for _, c := range support.Candidates {
		byModel[c.Model+"/"+c.Strategy] = c
	}
	tests := []struct {
		key   string
		meets bool
		note  string
	}{
		// Overconfident: sure of its wrong answers, no threshold separates them.
		{"openai:sloppy/direct", false, "no threshold keeps the 95% upper bound"},
		// Self-consistency gives every answer confidence 1 here: one threshold,
		// 10 % wrong, whose upper bound is above the limit.
		{"openai:calibrated/self-consistency", false, "no threshold"},
		// The baseline states no confidence.
		{"baseline:always-yes/direct", false, policy.NoConfidences},
	}
	for _, tt := range tests {
		c, ok := byModel[tt.key]
		if !ok {
			t.Errorf("no candidate %s among %v", tt.key, support.Candidates)
			continue
		}
		if c.Meets != tt.meets || !strings.Contains(c.Note, tt.note) || c.ReviewCostMonth != 10000 {
			t.Errorf("%s: meets %v, note %q, review %.2f", tt.key, c.Meets, c.Note, c.ReviewCostMonth)
		}
	}
	if c := byModel["openai:sloppy/direct"]; !strings.Contains(c.Note, "unpriced run") || c.ModelCostMonth != 0 {
		t.Errorf("unpriced run not noted: %+v", c)
	}
	// hr-interview: the builtin suite has no audio.
	if !hr.KeepHumans || hr.Recommendation != nil || !strings.Contains(hr.Reason, "no run has answers on view modality:audio") {
		t.Errorf("hr-interview: %+v", hr)
	}
	// knowledge-strict: a 0.1 % limit needs some 3000 error-free automated
	// answers; the suite has 1310 knowledge questions.
	if !strict.KeepHumans || !strings.Contains(strict.Reason, "no run keeps the 95% upper bound") {
		t.Errorf("knowledge-strict: %+v", strict)
	}

	// The table says the same.
	_, text, _ := runCLI(t, "policy", "--usecases", reg, runs.dir)
	for _, want := range []string{"use case support-chat", "automate with openai:calibrated [direct]", "keep_humans: no run has answers on view modality:audio", policy.NoConfidences} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
}

// TestPolicyNoConfidences: with only runs lacking confidences, the use case
// keeps humans and says how to get them.
func TestPolicyNoConfidences(t *testing.T) {
	dir := t.TempDir()
	base := fixtureRun(t, dir, "baseline", "baseline:random?seed=3", "")
	reg := writeRegister(t, dir, testRegister)
	_, stdout, _ := runCLI(t, "policy", "--usecases", reg, base, "--json")
	var ev policy.Evaluation
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatal(err)
	}
	if d := ev.UseCases[0]; !d.KeepHumans || d.Reason != policy.NoConfidences {
		t.Errorf("support-chat without confidences: %+v", d)
	}
}

// TestPolicyOutAndCheck writes policy.json from the fixture runs and gates new
// runs with policy check: the same model passes, an overconfident one fails
// with exit 4 naming the use case.
func TestPolicyOutAndCheck(t *testing.T) {
	runs := makePolicyRuns(t)
	reg := writeRegister(t, runs.dir, testRegister)
	out := filepath.Join(runs.dir, "policy.json")
	if code, _, stderr := runCLI(t, "policy", "--usecases", reg, runs.calibrated, runs.sloppy, "--out", out); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	f, err := policy.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	p := f.UseCases[0]
	if f.Schema != 1 || p.Name != "support-chat" || p.KeepHumans || p.Model != "openai:calibrated" || p.Threshold == nil ||
		!strings.HasPrefix(p.Evidence.Suite, "sha256:") || len(p.Evidence.Runs) != 2 || p.Evidence.Chosen == "" || len(p.Evidence.Date) != 10 {
		t.Fatalf("policy %+v", f)
	}
	tests := []struct {
		name string
		run  string
		code int
		want string
	}{
		// The run the policy was made from still meets it.
		{"same model", runs.calibrated, 0, "ok   support-chat"},
		// The overconfident model errs above the limit at the recorded threshold.
		{"regressed model", runs.sloppy, exitThreshold, "FAIL support-chat"},
		// No confidences: the threshold cannot be applied.
		{"no confidences", runs.base, exitThreshold, policy.NoConfidences},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "policy", "check", "--policy", out, tt.run)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("exit %d, want %d; output lacks %q?\n%s\n%s", code, tt.code, tt.want, stdout, stderr)
			}
		})
	}
}
