package strategy

import (
	"context"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
)

// PEP is the Predict–Explain–Predict family of SPEC §4:
//
//  1. evidence: the model lays out evidence from the input — in the emotion
//     evidence slots (MEK: atmosphere, people, face, head pose, gaze, posture,
//     gestures, voice, emotional words, relations, per-person emotion, intensity
//     and cause), or as a generic description (PEP-MK);
//  2. predict: a first yes/no answer given the input and the evidence;
//  3. explain: the model explains that answer against the evidence and checks its
//     facts and logic (same conversation);
//  4. predict: the final yes/no answer, which is the scored one.
//
// mek-only stops after step 2. Knowledge questions have no input to observe, so
// their evidence step lays out the relevant emotion knowledge instead.
type PEP struct {
	name     string
	evidence string // template of step 1 for perception items
	explain  bool   // steps 3 and 4
	opt      Options
}

// Name implements emohallucer.Strategy.
func (p *PEP) Name() string { return p.name }

// Answer implements emohallucer.Strategy.
func (p *PEP) Answer(ctx context.Context, m eh.Model, it *eh.Item) (*eh.Outcome, error) {
	d := dataFor(it)
	out := &eh.Outcome{Rule: p.opt.Rule}
	step := func(name, tmpl string, msgs []eh.Message) (eh.Step, error) {
		st, err := call(ctx, m, it, p.opt, name, p.name+":"+tmpl, msgs, 0, nil)
		out.Steps = append(out.Steps, st)
		return st, err
	}

	evTmpl := p.evidence
	if it.Pair.Dimension == eh.Knowledge && p.evidence == "mek.v1" {
		evTmpl = "mek-knowledge.v1"
	}
	text, err := render(evTmpl, d)
	if err != nil {
		return nil, err
	}
	ev, err := step("evidence", evTmpl, []eh.Message{userMessage(it, text)})
	if err != nil {
		return out, err
	}

	d.Evidence = ev.Response
	if text, err = render("predict.v1", d); err != nil {
		return nil, err
	}
	conv := []eh.Message{userMessage(it, text)}
	first, err := step("predict", "predict.v1", conv)
	if err != nil {
		return out, err
	}
	last := &out.Steps[len(out.Steps)-1]
	last.Answer, _ = extract.Extract(p.opt.Rule, first.Response)

	if p.explain {
		explainText, err := render("explain.v1", d)
		if err != nil {
			return nil, err
		}
		conv = append(conv, assistant(first.Response), eh.UserText(explainText))
		expl, err := step("explain", "explain.v1", conv)
		if err != nil {
			return out, err
		}
		finalText, err := render("final.v1", d)
		if err != nil {
			return nil, err
		}
		conv = append(conv, assistant(expl.Response), eh.UserText(finalText))
		if _, err := step("final", "final.v1", conv); err != nil {
			return out, err
		}
		last = &out.Steps[len(out.Steps)-1]
		last.Answer, _ = extract.Extract(p.opt.Rule, last.Response)
	}
	out.Raw, out.Answer = last.Response, last.Answer
	out.Confidence = confidenceFromYesProb(out.Answer, last.YesProb)
	return out, nil
}

func assistant(text string) eh.Message {
	return eh.Message{Role: "assistant", Parts: []eh.Part{{Text: text}}}
}
