package strategy

import (
	"context"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
)

// Describer asks for an open-ended description of the emotions an input
// shows (run --task describe, README "Open-ended descriptions"). Its
// outcome's Raw is the description and its Rule the claim rule
// (extract.EmoClaimsV1); there is no yes/no answer. direct asks once;
// pep-mek first lays out the MEK evidence and describes with it. Its name is
// describe-<strategy>, so records, run ids, reports and the cache key never
// take a description run for a yes/no one.
type Describer struct {
	name     string
	evidence bool
	opt      Options
}

// describers are the strategies that apply to descriptions: the others
// (chain-of-thought, votes) combine yes/no answers.
var describers = map[string]bool{"direct": false, "pep-mek": true}

// NewDescriber returns the named strategy for descriptions.
func NewDescriber(name string, o Options) (*Describer, error) {
	evidence, ok := describers[name]
	if !ok {
		return nil, eh.Errorf(eh.EUSAGE, "--task describe takes --strategy direct or pep-mek, not %q (the others combine yes/no answers)", name)
	}
	if o.Prompt != nil && (o.Prompt.Template != "" || len(o.Prompt.FewShot) > 0) {
		return nil, eh.Errorf(eh.EUSAGE, "--task describe takes a config's system prompt but not its question template or few-shot examples, which are written for yes/no questions")
	}
	return &Describer{name: "describe-" + name, evidence: evidence, opt: o}, nil
}

// Name implements emohallucer.Strategy.
func (s *Describer) Name() string { return s.name }

// Answer implements emohallucer.Strategy.
func (s *Describer) Answer(ctx context.Context, m eh.Model, it *eh.Item) (*eh.Outcome, error) {
	d := dataFor(it)
	out := &eh.Outcome{Rule: extract.EmoClaimsV1}
	step := func(name, tmpl string, text string) (eh.Step, error) {
		st, err := call(ctx, m, it, s.opt, name, s.name+":"+tmpl, []eh.Message{userMessage(it, text)}, 0, nil)
		out.Steps = append(out.Steps, st)
		return st, err
	}
	if s.evidence {
		tmpl, text, err := prompt("mek", it, d)
		if err != nil {
			return nil, err
		}
		ev, err := step("evidence", tmpl, text)
		if err != nil {
			return out, err
		}
		d.Evidence = ev.Response
	}
	tmpl, text, err := prompt("describe-emotions", it, d)
	if err != nil {
		return nil, err
	}
	st, err := step("describe", tmpl, text)
	if err != nil {
		return out, err
	}
	out.Raw = strings.TrimSpace(st.Response)
	return out, nil
}
