// Package strategy turns a question into model calls and combines their answers.
// Strategies wrap any Model: direct asks once; the mitigation strategies
// (PEP-MEK and its ablations, chain-of-thought, self-consistency, majority vote)
// make several calls per question.
//
// Prompt templates are embedded files named <name>.v<version>.tmpl; a request's
// Template field carries that name, so a changed template never reuses cached
// answers of the old one.
package strategy

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"sort"
	"strings"
	"text/template"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = template.Must(template.New("").ParseFS(templateFiles, "templates/*.tmpl"))

// Options configure strategies; zero values mean defaults.
type Options struct {
	// Rule is the extraction rule; default extract.Default (yesno-v2).
	Rule string
	// Decoding parameters applied to every call (nil: model default).
	Temperature *float64
	Seed        *int64
	MaxTokens   int
	// Logprobs asks for yes/no token log-probabilities on answer steps.
	Logprobs bool
	// Samples is k for self-consistency (default 5).
	Samples int
	// SampleTemperature is the temperature of self-consistency samples
	// (default 0.7).
	SampleTemperature *float64
}

// Factory builds a strategy from options.
type Factory func(Options) (eh.Strategy, error)

// factories is the registry of strategies, by the name users select.
var factories = map[string]Factory{
	"direct": func(o Options) (eh.Strategy, error) { return &Single{name: "direct", tmpl: "direct.v1", opt: o}, nil },
	"pep-mek": func(o Options) (eh.Strategy, error) {
		return &PEP{name: "pep-mek", evidence: "mek.v1", explain: true, opt: o}, nil
	},
	"mek-only": func(o Options) (eh.Strategy, error) { return &PEP{name: "mek-only", evidence: "mek.v1", opt: o}, nil },
	"pep-mk": func(o Options) (eh.Strategy, error) {
		return &PEP{name: "pep-mk", evidence: "describe.v1", explain: true, opt: o}, nil
	},
	"cot": func(o Options) (eh.Strategy, error) { return &Single{name: "cot", tmpl: "cot.v1", opt: o}, nil },
	"self-consistency": func(o Options) (eh.Strategy, error) {
		if o.Samples < 1 {
			return nil, eh.Errorf(eh.EINVALID, "self-consistency needs at least 1 sample, not %d", o.Samples)
		}
		return &Vote{name: "self-consistency", templates: []string{"cot.v1"}, samples: o.Samples, temp: o.SampleTemperature, opt: o}, nil
	},
	// Three wordings of the same question, each asked once with the model's
	// default decoding.
	"majority-vote": func(o Options) (eh.Strategy, error) {
		return &Vote{name: "majority-vote", templates: []string{"direct.v1", "para-a.v1", "para-b.v1"}, samples: 1, opt: o}, nil
	},
}

// Names lists the registered strategies.
func Names() []string {
	var out []string
	for n := range factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// New returns the named strategy.
func New(name string, o Options) (eh.Strategy, error) {
	f, ok := factories[name]
	if !ok {
		return nil, eh.Errorf(eh.EINVALID, "unknown strategy %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	o = o.withDefaults()
	if _, ok := extract.Extract(o.Rule, ""); !ok {
		return nil, eh.Errorf(eh.EINVALID, "unknown extraction rule %q (known: %s)", o.Rule, strings.Join(extract.Rules, ", "))
	}
	return f(o)
}

func (o Options) withDefaults() Options {
	if o.Rule == "" {
		o.Rule = extract.Default
	}
	if o.Samples == 0 {
		o.Samples = 5
	}
	if o.SampleTemperature == nil {
		t := 0.7
		o.SampleTemperature = &t
	}
	return o
}

// promptData is what templates see.
type promptData struct {
	Context   string
	Question  string
	HasMedia  bool
	MediaNoun string
	// Evidence, FirstAnswer and Explanation carry earlier steps' output into
	// later steps of multi-step strategies.
	Evidence    string
	FirstAnswer string
	Explanation string
}

func dataFor(it *eh.Item) promptData {
	d := promptData{Context: it.Pair.Context.Text, Question: it.Question(), HasMedia: len(it.Media) > 0}
	if d.HasMedia {
		d.MediaNoun = mediaNoun(it.Pair.Modality)
	}
	return d
}

func mediaNoun(m eh.Modality) string {
	switch m {
	case eh.Image:
		return "image"
	case eh.Audio:
		return "audio clip"
	}
	return "video"
}

// render executes a template; the name includes its version ("direct.v1").
func render(name string, d promptData) (string, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name+".tmpl", d); err != nil {
		return "", fmt.Errorf("template %s: %w", name, err)
	}
	return b.String(), nil
}

// userMessage puts the item's media first, then the text.
func userMessage(it *eh.Item, text string) eh.Message {
	m := eh.Message{Role: "user"}
	for i := range it.Media {
		m.Parts = append(m.Parts, eh.Part{Media: &it.Media[i]})
	}
	m.Parts = append(m.Parts, eh.Part{Text: text})
	return m
}

// call sends one request and returns it as a step of the transcript.
func call(ctx context.Context, m eh.Model, it *eh.Item, o Options, name, tmpl string, msgs []eh.Message, sample int, temp *float64) (eh.Step, error) {
	req := &eh.Request{Template: tmpl, Messages: msgs, Temperature: o.Temperature, Seed: o.Seed,
		MaxTokens: o.MaxTokens, Logprobs: o.Logprobs, Sample: sample, Item: it.Label()}
	if temp != nil {
		req.Temperature = temp
	}
	st := eh.Step{Name: name, Template: tmpl, Prompt: msgs}
	start := time.Now()
	resp, err := m.Generate(ctx, req)
	if err != nil {
		st.Error = err.Error()
		st.LatencyMS = ms(time.Since(start))
		return st, err
	}
	st.Response, st.Usage, st.YesProb, st.Cached = resp.Text, resp.Usage, resp.YesProb, resp.Cached
	st.LatencyMS = resp.LatencyMS
	if st.LatencyMS == 0 {
		st.LatencyMS = ms(time.Since(start))
	}
	return st, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// confidenceFromYesProb turns P(yes) into confidence in the extracted answer.
func confidenceFromYesProb(a eh.Answer, p *float64) *float64 {
	if p == nil || a == eh.AnswerUnparsed {
		return nil
	}
	c := *p
	if a == eh.AnswerNo {
		c = 1 - c
	}
	return &c
}

// Single sends one prompt once: direct (the question alone, with its context)
// or cot (reason step by step, then a stated answer).
type Single struct {
	name, tmpl string
	opt        Options
}

// Name implements emohallucer.Strategy.
func (s *Single) Name() string { return s.name }

// Answer implements emohallucer.Strategy.
func (s *Single) Answer(ctx context.Context, m eh.Model, it *eh.Item) (*eh.Outcome, error) {
	text, err := render(s.tmpl, dataFor(it))
	if err != nil {
		return nil, err
	}
	st, err := call(ctx, m, it, s.opt, "answer", s.name+":"+s.tmpl, []eh.Message{userMessage(it, text)}, 0, nil)
	out := &eh.Outcome{Rule: s.opt.Rule, Steps: []eh.Step{st}}
	if err != nil {
		return out, err
	}
	out.Steps[0].Answer, _ = extract.Extract(s.opt.Rule, st.Response)
	out.Raw, out.Answer = st.Response, out.Steps[0].Answer
	out.Confidence = confidenceFromYesProb(out.Answer, st.YesProb)
	return out, nil
}
