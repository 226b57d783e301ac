package stack

import (
	"bytes"
	"context"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// answering is a model that answers text, with P(yes) when yesProb is set.
type answering struct {
	text     string
	yesProb  *float64
	logprobs bool
}

func (a answering) Name() string { return "test:m" }
func (a answering) Capabilities() eh.Capabilities {
	return eh.Capabilities{Identity: "test:m", Modalities: []eh.Modality{eh.Text}, Logprobs: a.logprobs}
}
func (a answering) Generate(context.Context, *eh.Request) (*eh.Response, error) {
	return &eh.Response{Text: a.text, YesProb: a.yesProb}, nil
}

func TestLogprobWarning(t *testing.T) {
	p := 0.8
	tests := []struct {
		name  string
		model answering
		ask   bool // the request asks for log-probabilities
		warns int
	}{
		// the server ignored logprobs: one warning however many answers
		{"no log-probabilities", answering{text: "Yes.", logprobs: true}, true, 1},
		{"bold no, none either", answering{text: "**No**, it is not.", logprobs: true}, true, 1},
		// the server returned them
		{"log-probabilities returned", answering{text: "Yes", yesProb: &p, logprobs: true}, true, 0},
		// the first token is no answer token: nothing to expect
		{"reasoning first", answering{text: "Looking at the face, yes.", logprobs: true}, true, 0},
		// a step that did not ask (a PEP evidence step)
		{"not asked", answering{text: "Yes.", logprobs: true}, false, 0},
		// a model not configured with logprobs is not watched
		{"not configured", answering{text: "Yes."}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			w := Wrap(tt.model, Options{Concurrency: 1, Log: &log})
			for range 3 {
				if _, err := w.Generate(context.Background(), &eh.Request{Messages: []eh.Message{eh.UserText("q")}, Logprobs: tt.ask}); err != nil {
					t.Fatal(err)
				}
			}
			if got := strings.Count(log.String(), "returned none for the answer token"); got != tt.warns {
				t.Fatalf("%d warnings, want %d:\n%s", got, tt.warns, log.String())
			}
		})
	}
}
