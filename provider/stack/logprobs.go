package stack

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	eh "github.com/emohallucer/emohallucer"
)

// logprobWatch warns, once per model, when log-probabilities were asked for
// (logprobs: true) and an answer that begins with yes or no came back without
// P(yes): the server ignores the parameter (many OpenAI-compatible servers
// do), so the run's records get no confidences and the risk–coverage curves
// have nothing to draw. An answer that begins otherwise ("Let me look…")
// says nothing: its first token is no answer token, so no P(yes) is expected.
type logprobWatch struct {
	eh.Model
	log  io.Writer
	once sync.Once
}

// Generate implements emohallucer.Model.
func (w *logprobWatch) Generate(ctx context.Context, req *eh.Request) (*eh.Response, error) {
	resp, err := w.Model.Generate(ctx, req)
	if err == nil && req.Logprobs && resp.YesProb == nil && startsWithAnswer(resp.Text) {
		w.once.Do(func() {
			fmt.Fprintf(w.log, "warning: %s: log-probabilities were asked for (logprobs, on by default for openai), but the server returned none for the answer token, so records get no confidence; if the server cannot give them, set logprobs: false in its --config entry\n", w.Model.Name())
		})
	}
	return resp, err
}

// startsWithAnswer tells whether text's first word is yes or no.
func startsWithAnswer(text string) bool {
	f := strings.Fields(strings.ToLower(text))
	if len(f) == 0 {
		return false
	}
	w := strings.TrimFunc(f[0], func(r rune) bool { return r < 'a' || r > 'z' })
	return w == "yes" || w == "no"
}
