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
			out.Steps = append(out.Steps, st)
		}
	}
	out.Answer, out.Confidence, out.Raw = tally(out.Steps)
	return out, nil
}
