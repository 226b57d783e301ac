package strategy

import (
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
)

// voting names the strategies whose answer is a vote over their steps
// (Vote); every other strategy's answer is its last step's.
var voting = map[string]bool{"self-consistency": true, "majority-vote": true}

// Reextract reads a record's answer again under another extraction rule from
// the model text the record holds, as the strategy would have read it: the
// final step's text (Record.Raw) for single-answer strategies, a new vote
// over every sample's text for self-consistency and majority vote. The
// confidence follows: P(yes) of the final step turned toward the new answer,
// or the vote's agreement. Records that were not answered are left as they
// are. A record without the text (a vote read without its transcript, an
// answer with neither raw text nor steps) is an EINVALID error: re-scoring
// it would silently keep the old rule's answer.
func Reextract(rec *eh.Record, rule string) error {
	if _, ok := extract.Extract(rule, ""); !ok {
		return eh.Errorf(eh.EUSAGE, "unknown extraction rule %q (known: %s)", rule, strings.Join(extract.Rules, ", "))
	}
	if rec.Status != eh.StatusAnswered {
		return nil
	}
	missing := func(what string) error {
		return eh.Errorf(eh.EINVALID, "record of pair %s %s (strategy %s) holds no %s to re-extract under rule %s", rec.Pair, rec.Role, rec.Strategy, what, rule)
	}
	if voting[rec.Strategy] {
		if len(rec.Steps) == 0 {
			return missing("transcript of its samples")
		}
		for i := range rec.Steps {
			rec.Steps[i].Answer, _ = extract.Extract(rule, rec.Steps[i].Response)
		}
		rec.Answer, rec.Confidence, rec.Raw = tally(rec.Steps)
	} else {
		if rec.Raw == "" && len(rec.Steps) == 0 {
			return missing("answer text")
		}
		rec.Answer, _ = extract.Extract(rule, rec.Raw)
		rec.Confidence = nil
		if n := len(rec.Steps); n > 0 {
			last := &rec.Steps[n-1]
			last.Answer = rec.Answer
			rec.Confidence = confidenceFromYesProb(rec.Answer, last.YesProb)
		}
	}
	rec.Rule = rule
	return nil
}

// tally is a vote's outcome over its steps' extracted answers: the majority
// (a tie, or no parsed answer, is unparsed), the share of parsed answers
// that agree with it, and the raw text shown for it (the first agreeing
// sample, else the last step's).
func tally(steps []eh.Step) (eh.Answer, *float64, string) {
	var yes, no int
	for _, st := range steps {
		switch st.Answer {
		case eh.AnswerYes:
			yes++
		case eh.AnswerNo:
			no++
		}
	}
	answer := eh.AnswerUnparsed
	switch {
	case yes > no:
		answer = eh.AnswerYes
	case no > yes:
		answer = eh.AnswerNo
	}
	var conf *float64
	if answer != eh.AnswerUnparsed {
		c := float64(max(yes, no)) / float64(yes+no)
		conf = &c
	}
	for _, st := range steps {
		if st.Answer == answer {
			return answer, conf, st.Response
		}
	}
	if len(steps) == 0 {
		return answer, conf, ""
	}
	return answer, conf, steps[len(steps)-1].Response
}
