package strategy

import (
	"context"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
)

// Vote asks several times and takes the majority of the parsed answers:
// self-consistency samples one chain-of-thought prompt k times at a temperature;
// majority-vote asks once with each of several paraphrased prompts. The
// confidence is the share of parsed answers that agree with the majority, which
// is what risk–coverage curves use when an API gives no log-probabilities.
type Vote struct {
	name      string
	templates []string // one call per template (name without language and version) and sample
	samples   int
	temp      *float64
	opt       Options
}

// Name implements emohallucer.Strategy.
func (v *Vote) Name() string { return v.name }

// Answer implements emohallucer.Strategy. A tie between yes and no, or no parsed
// answer at all, is unparsed: the strategy did not reach an answer.
func (v *Vote) Answer(ctx context.Context, m eh.Model, it *eh.Item) (*eh.Outcome, error) {
	d := dataFor(it)
	out := &eh.Outcome{Rule: v.opt.Rule}
	var yes, no int
	for _, name := range v.templates {
		tmpl, text, err := prompt(name, it, d)
		if err != nil {
			return nil, err
		}
		for s := range v.samples {
			st, err := call(ctx, m, it, v.opt, "sample", v.name+":"+tmpl, []eh.Message{userMessage(it, text)}, s, v.temp)
			if err != nil {
				out.Steps = append(out.Steps, st)
				return out, err
			}
			st.Answer, _ = extract.Extract(v.opt.Rule, st.Response)
			switch st.Answer {
			case eh.AnswerYes:
				yes++
			case eh.AnswerNo:
				no++
			}
			out.Steps = append(out.Steps, st)
		}
	}
	switch {
	case yes > no:
		out.Answer = eh.AnswerYes
	case no > yes:
		out.Answer = eh.AnswerNo
	default:
		out.Answer = eh.AnswerUnparsed
	}
	if out.Answer != eh.AnswerUnparsed {
		c := float64(max(yes, no)) / float64(yes+no)
		out.Confidence = &c
	}
	// The raw text shown for the item is the first sample that agrees.
	for _, st := range out.Steps {
		if st.Answer == out.Answer {
			out.Raw = st.Response
			break
		}
	}
	if out.Raw == "" && len(out.Steps) > 0 {
		out.Raw = out.Steps[len(out.Steps)-1].Response
	}
	return out, nil
}
