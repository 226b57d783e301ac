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

	evidence := p.evidence
	if it.Pair.Dimension == eh.Knowledge && p.evidence == "mek" {
		evidence = "mek-knowledge"
	}
	tmpl, text, err := prompt(evidence, it, d)
	if err != nil {
		return nil, err
	}
	ev, err := step("evidence", tmpl, []eh.Message{userMessage(it, text)})
	if err != nil {
		return out, err
	}

	d.Evidence = ev.Response
	if tmpl, text, err = prompt("predict", it, d); err != nil {
		return nil, err
	}
	conv := []eh.Message{userMessage(it, text)}
	first, err := step("predict", tmpl, conv)
	if err != nil {
		return out, err
	}
	last := &out.Steps[len(out.Steps)-1]
	last.Answer, _ = extract.Extract(p.opt.Rule, first.Response)

	if p.explain {
		if tmpl, text, err = prompt("explain", it, d); err != nil {
			return nil, err
		}
		conv = append(conv, assistant(first.Response), eh.UserText(text))
		expl, err := step("explain", tmpl, conv)
		if err != nil {
			return out, err
		}
		if tmpl, text, err = prompt("final", it, d); err != nil {
			return nil, err
		}
		conv = append(conv, assistant(expl.Response), eh.UserText(text))
		if _, err := step("final", tmpl, conv); err != nil {
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
