package engine

import eh "github.com/emohallucer/emohallucer"

// Finished is the one rule by which a recorded question needs no new answer,
// used by local runs, shards and workers alike: its last record was answered,
// or skipped because the model does not take its modality — a question
// skipped for its modality is asked once the model takes it. A question whose
// last record is an error is asked again.
func Finished(status eh.Status, modality eh.Modality, caps eh.Capabilities) bool {
	return status == eh.StatusAnswered || status == eh.StatusNotEvaluated && !caps.Accepts(modality)
}
