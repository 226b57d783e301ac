package prep

import (
	"context"
	"fmt"
	"sync"

	"github.com/emohallucer/emohallucer"
)

// Some OpenAI-compatible servers (a text-only model behind Ollama or llama.cpp,
// LiteLLM routes to text models, older vLLM builds for input_audio) accept image and
// audio parts and silently ignore them: the model then answers from the question
// alone and its scores look like a poor perceiver's. The only trace is in the
// usage: the prompt costs no more tokens than the text alone.
//
// Two checks are offered:
//
//   - Probe sends a request with its media and the same request without it (one
//     token each) and compares the prompt tokens: exact, costs two calls, meant to
//     run once per model and modality before a run.
//   - DropDetector.Observe watches ordinary responses and compares each media
//     request's prompt tokens with what its text alone would cost, learned from the
//     same model's text-only requests; it warns once per model and modality.

// DropWarning says that a model seems to ignore a modality.
type DropWarning struct {
	Model    string
	Modality emohallucer.Modality
	// PromptTokens the server counted for a request with media, and TextTokens the
	// same text alone costs (measured by Probe, estimated by Observe).
	PromptTokens, TextTokens int
	MediaParts               int
	Exact                    bool // true when measured by Probe
	// Reason, when set, is what the server itself said (a model's declared
	// capabilities) and replaces the token comparison in the message.
	Reason string
}

// MediaChecker is implemented by models whose server can say which inputs a
// model takes (Ollama's /api/show lists "vision" and "audio" among a model's
// capabilities). Where the server can tell, asking it beats reading token
// counts: Ollama replaces an image sent to a text-only model with a short
// placeholder that costs a few tokens, as a tiny image would.
type MediaChecker interface {
	// CheckMedia returns a warning when the server reports that the model cannot
	// take kind, nil when it can or cannot tell.
	CheckMedia(ctx context.Context, kind emohallucer.Modality) (*DropWarning, error)
}

// String is the message to log.
func (w *DropWarning) String() string {
	if w.Reason != "" {
		return fmt.Sprintf("model %s seems to ignore %s input: %s; its %s scores would measure guessing, not perception — check that the server and model support %s",
			w.Model, w.Modality, w.Reason, w.Modality, w.Modality)
	}
	how := "estimated"
	if w.Exact {
		how = "measured"
	}
	return fmt.Sprintf("model %s seems to ignore %s input: a request with %d %s part(s) cost %d prompt tokens, the text alone %d (%s); its %s scores would measure guessing, not perception — check that the server and model support %s",
		w.Model, w.Modality, w.MediaParts, w.Modality, w.PromptTokens, w.TextTokens, how, w.Modality, w.Modality)
}

// minMediaTokens is the fewest prompt tokens one media part adds on any server we
// know: OpenAI low-detail images cost 85, Gemini 258 per image and 32 per second of
// audio, LLaVA 576; Qwen2-VL can go down to a few tokens for a tiny image, so the
// default for images stays low.
var minMediaTokens = map[emohallucer.Modality]int{
	emohallucer.Image:      4,
	emohallucer.Audio:      8,
	emohallucer.ShortVideo: 16,
	emohallucer.LongVideo:  16,
}

// MediaOf returns the modality of the request's media (the first media part's
// kind) and the number of media parts; Text and 0 when it has none.
func MediaOf(req *emohallucer.Request) (emohallucer.Modality, int) {
	kind, n := emohallucer.Text, 0
	for _, m := range req.Messages {
		for _, p := range m.Parts {
			if p.Media != nil {
				if n == 0 {
					kind = p.Media.Kind
				}
				n++
			}
		}
	}
	return kind, n
}

// TextOnly returns a copy of req without its media parts.
func TextOnly(req *emohallucer.Request) *emohallucer.Request {
	out := *req
	out.Messages = make([]emohallucer.Message, 0, len(req.Messages))
	for _, m := range req.Messages {
		mm := emohallucer.Message{Role: m.Role}
		for _, p := range m.Parts {
			if p.Media == nil {
				mm.Parts = append(mm.Parts, p)
			}
		}
		if len(mm.Parts) == 0 {
			mm.Parts = []emohallucer.Part{{Text: "."}}
		}
		out.Messages = append(out.Messages, mm)
	}
	return &out
}

func textBytes(req *emohallucer.Request) int {
	n := len(req.System)
	for _, m := range req.Messages {
		for _, p := range m.Parts {
			n += len(p.Text)
		}
	}
	return n
}

// Probe asks m the request with and without its media, each limited to one output
// token, and returns a warning when the media added fewer prompt tokens than any
// known server charges for it. It returns nil, nil when the media was counted,
// and an error when either call failed or the server reports no usage.
func Probe(ctx context.Context, m emohallucer.Model, req *emohallucer.Request) (*DropWarning, error) {
	kind, n := MediaOf(req)
	if n == 0 {
		return nil, nil
	}
	with := *req
	with.MaxTokens = 1
	with.Logprobs = false
	without := TextOnly(&with)
	a, err := m.Generate(ctx, &with)
	if err != nil {
		return nil, err
	}
	b, err := m.Generate(ctx, without)
	if err != nil {
		return nil, err
	}
	if a.Usage.PromptTokens == 0 || b.Usage.PromptTokens == 0 {
		return nil, emohallucer.Errorf(emohallucer.EPROVIDER, "%s reports no prompt token usage; cannot tell whether %s input is used", m.Name(), kind)
	}
	if a.Usage.PromptTokens-b.Usage.PromptTokens >= n*minMediaTokens[kind] {
		return nil, nil
	}
	return &DropWarning{Model: m.Name(), Modality: kind, PromptTokens: a.Usage.PromptTokens,
		TextTokens: b.Usage.PromptTokens, MediaParts: n, Exact: true}, nil
}

// DropDetector watches responses for signs that a model ignores a modality. The
// zero value is ready; safe for concurrent use.
type DropDetector struct {
	mu      sync.Mutex
	samples map[string][]textSample // model -> text-only requests seen
	suspect map[string]int          // model|modality -> suspicious responses
	warned  map[string]bool
}

type textSample struct{ bytes, tokens int }

// Bounds of the detector's memory and patience.
const (
	maxSamples  = 256
	dropStrikes = 2 // suspicious responses before warning, so one odd estimate does not
	// bytesPerToken is a generous bytes-per-token figure: text never costs fewer
	// tokens than its bytes divided by this, in any tokenizer we know.
	bytesPerToken = 8
)

// Observe records one answered request. It returns a warning the first time a
// model's responses for a modality look like its media was dropped, and nil
// otherwise (including every later time for the same model and modality).
//
// The text of a media request is estimated to cost at least as much as the
// largest text-only request of the same model that was no longer, plus one token
// per 8 extra bytes: a lower bound, so the detector errs towards silence. It says
// nothing until the model has answered a text-only request at most as long.
func (d *DropDetector) Observe(model string, req *emohallucer.Request, resp *emohallucer.Response) *DropWarning {
	if resp == nil || resp.Cached || resp.Usage.PromptTokens <= 0 {
		return nil
	}
	kind, n := MediaOf(req)
	tb := textBytes(req)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.samples == nil {
		d.samples, d.suspect, d.warned = map[string][]textSample{}, map[string]int{}, map[string]bool{}
	}
	if n == 0 {
		if len(d.samples[model]) < maxSamples {
			d.samples[model] = append(d.samples[model], textSample{tb, resp.Usage.PromptTokens})
		}
		return nil
	}
	key := model + "|" + string(kind)
	if d.warned[key] {
		return nil
	}
	est := -1
	for _, s := range d.samples[model] {
		if s.bytes <= tb {
			est = max(est, s.tokens+(tb-s.bytes)/bytesPerToken)
		}
	}
	if est < 0 || resp.Usage.PromptTokens-est >= n*minMediaTokens[kind] {
		return nil
	}
	d.suspect[key]++
	if d.suspect[key] < dropStrikes {
		return nil
	}
	d.warned[key] = true
	return &DropWarning{Model: model, Modality: kind, PromptTokens: resp.Usage.PromptTokens, TextTokens: est, MediaParts: n}
}
