package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/record"
)

// TestPEPMEKOverTheWire runs pep-mek against a fake OpenAI server scripted per
// step, and checks the message sequence each question sends, the transcripts in
// the records, that the scored answer is the last step's, and that a rerun sends
// nothing.
func TestPEPMEKOverTheWire(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{Answer: func(r *fakeapi.Request) string {
		last := r.LastText()
		switch {
		case strings.Contains(last, "lay out the"):
			return "1. Overall atmosphere: tense. 2. Number of people: one."
		case strings.Contains(last, "Explain your answer"):
			return "The evidence does not support my first answer."
		case strings.Contains(last, "final answer"):
			return "No."
		}
		return "Yes." // the first prediction
	}})
	defer srv.Close()
	dir := t.TempDir()
	args := []string{"run", "--suite", "builtin", "--subset", "perception", "--limit", "3", "--strategy", "pep-mek",
		"--model", "openai:m@" + srv.OpenAIBaseURL(), "--out", filepath.Join(dir, "run"), "--cache", filepath.Join(dir, "cache.db"), "--progress", "never"}
	t.Setenv("OPENAI_API_KEY", "test-key")
	if code, out, errOut := runCLI(t, args...); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	// 6 questions × 3 question-specific steps, plus one evidence call per
	// distinct input: the evidence is about the input, not the question, so
	// questions about the same passage share it (in-flight sharing and the
	// response cache), and no identical request is ever sent twice.
	evidence := map[string]int{}
	for _, r := range srv.Requests() {
		if len(r.Messages) == 1 && strings.Contains(r.Messages[0].Text, "facial expression") {
			evidence[r.Messages[0].Text]++
		}
	}
	for text, n := range evidence {
		if n != 1 {
			t.Errorf("the same evidence request was sent %d times:\n%s", n, text)
		}
	}
	total := int64(18 + len(evidence))
	if got := srv.Received(); got != total || len(evidence) == 0 {
		t.Fatalf("server received %d requests, want %d (18 + %d evidence calls)", got, total, len(evidence))
	}
	byTurns := map[int]int{}
	for _, r := range srv.Requests() {
		byTurns[len(r.Messages)]++
		switch len(r.Messages) {
		case 1:
			text := r.Messages[0].Text
			if !strings.Contains(text, "facial expression") && !strings.Contains(text, "Evidence laid out beforehand") {
				t.Errorf("a first-turn request is neither the MEK step nor the prediction:\n%s", text)
			}
		case 3, 5:
			if r.Messages[1].Role != "assistant" || r.Messages[1].Text != "Yes." {
				t.Errorf("explain/final steps must continue the conversation after the first prediction: %+v", r.Messages)
			}
		}
	}
	// Evidence and the 6 first predictions are single-turn; explain has 3
	// messages, final 5.
	if byTurns[1] != 6+len(evidence) || byTurns[3] != 6 || byTurns[5] != 6 {
		t.Fatalf("requests by number of messages: %v", byTurns)
	}
	recs, err := record.Existing(filepath.Join(dir, "run", record.FileName))
	if err != nil || len(recs) != 6 {
		t.Fatalf("records: %d, %v", len(recs), err)
	}
	for _, r := range recs {
		names := []string{}
		for _, st := range r.Steps {
			names = append(names, st.Name)
		}
		if strings.Join(names, ",") != "evidence,predict,explain,final" || r.Calls != 4 {
			t.Fatalf("record %s steps %v, calls %d", r.Key(), names, r.Calls)
		}
		if r.Answer != eh.AnswerNo || r.Raw != "No." || r.Steps[1].Answer != eh.AnswerYes {
			t.Fatalf("record %s: the scored answer must be the final step's: %+v", r.Key(), r)
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, "run", "summary.json"))
	// A rerun, even into a new folder, is answered from the cache.
	args[len(args)-5] = filepath.Join(dir, "run2")
	if code, out, errOut := runCLI(t, args...); code != 0 {
		t.Fatalf("rerun: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := srv.Received(); got != total {
		t.Fatalf("rerun sent %d requests", got-total)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "run2", "summary.json"))
	if !strings.Contains(string(after), `"cached_calls": 24`) || len(before) == 0 {
		t.Fatalf("rerun summary does not show 24 cached calls:\n%s", after)
	}
}
