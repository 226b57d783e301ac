package strategy

import (
	"context"
	"fmt"
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
	// judge, when set, is asked of every claim of a description whether the
	// input and its gold labels support it (see WithJudge).
	judge eh.Model
}

// WithJudge returns the describer that asks judge, with the pinned rubric
// judge-claim.v1 at temperature 0, whether each emotion a description
// claims (rule emoclaims-v1) is supported by the input and its gold labels.
// Each verdict is a step named judge:<label> whose Answer is yes
// (supported), no or unparsed (rule yesno-v2); the judge is a model like
// any other, so its answers are cached, retried and recorded.
func (s *Describer) WithJudge(judge eh.Model) *Describer {
	c := *s
	c.judge = judge
	return &c
}

// JudgeStep is the name of the judge's step about label.
func JudgeStep(label string) string { return "judge:" + label }

// describers are the strategies that apply to descriptions: the others
// (chain-of-thought, votes) combine yes/no answers.
var describers = map[string]bool{"direct": false, "pep-mek": true}

// NewDescriber returns the named strategy for descriptions.
func NewDescriber(name string, o Options) (*Describer, error) {
	evidence, ok := describers[name]
	if !ok {
		return nil, eh.Errorf(eh.EUSAGE, "--task describe takes --strategy direct or pep-mek, not %q (the others combine yes/no answers)", name)
	}
	if len(o.Prompt.directOnly()) > 0 {
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
	if s.judge == nil {
		return out, nil
	}
	d.Evidence, d.Gold = out.Raw, goldText(it.Pair)
	zero := 0.0
	for _, c := range extract.Claims(out.Raw) {
		d.Claim = c.Label
		tmpl, text, err := prompt("judge-claim", it, d)
		if err != nil {
			return nil, err
		}
		jo := Options{Temperature: &zero, MaxTokens: s.opt.MaxTokens}
		st, err := call(ctx, s.judge, it, jo, JudgeStep(c.Label), "judge:"+tmpl, []eh.Message{userMessage(it, text)}, 0, nil)
		st.Answer = extract.YesNo2(st.Response)
		out.Steps = append(out.Steps, st)
		if err != nil {
			return out, fmt.Errorf("judge: %w", err)
		}
	}
	return out, nil
}

// goldText lists an input's gold labels for the judge: the labels, then
// those the annotators also allowed.
func goldText(p *eh.Pair) string {
	labels, allowed := eh.DescribeLabels(p)
	text := strings.Join(labels, ", ")
	if len(allowed) > 0 {
		text += " (also given by many annotators: " + strings.Join(allowed, ", ") + ")"
	}
	return text
}
