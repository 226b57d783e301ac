package main

import (
	"io"

	"github.com/emohallucer/emohallucer/extract"
	"github.com/emohallucer/emohallucer/interop/external"
)

// scoreExternal scores a prediction file written by another tool (VLMEvalKit,
// lmms-eval, a benchmark's own scripts) against an external benchmark's
// questions: `emohallucer score --format hallusionbench|pope|videohallucer
// --predictions FILE --questions FILE [--rule yesno-v2|yesno-v1|first-word|reference]`.
// It prints the benchmark's own metrics, computed as its reference code does,
// next to ours, each with numerator and denominator. No media are needed.
func scoreExternal(w io.Writer, format, predictions, questions, rule string, asJSON bool) error {
	if rule == "" {
		rule = extract.Default
	}
	rep, err := external.Score(format, predictions, questions, rule)
	if err != nil {
		return err
	}
	if asJSON {
		return rep.WriteJSON(w)
	}
	return rep.WriteText(w)
}
