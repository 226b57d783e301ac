package score

import (
	"sort"

	eh "github.com/emohallucer/emohallucer"
)

// RiskPoint is one operating point of a confidence threshold: answers with
// confidence ≥ Threshold are automated, the rest go to a human.
type RiskPoint struct {
	Threshold float64 `json:"threshold"`
	// Coverage is the share of questions answered automatically.
	Coverage float64 `json:"coverage"`
	// Risk is the error rate among the automated answers.
	Risk      float64 `json:"risk"`
	Automated int     `json:"automated"`
	Wrong     int     `json:"wrong"`
}

// RiskCoverage is the risk–coverage curve of one view of a run.
type RiskCoverage struct {
	View string `json:"view"`
	// Questions answered in the view; WithConfidence of them carry a confidence
	// (from token log-probabilities or agreement across samples). Answers without
	// one always go to a human.
	Questions      int         `json:"questions"`
	WithConfidence int         `json:"with_confidence"`
	Points         []RiskPoint `json:"points"`
	// Target is the highest acceptable error rate of automated answers, and
	// Recommended the threshold that automates the most questions within it (nil
	// when no threshold does).
	Target      float64    `json:"target"`
	Recommended *RiskPoint `json:"recommended"`
}

// HumanShare is the share of questions a human must review at the recommended
// threshold (all of them when there is none).
func (rc *RiskCoverage) HumanShare() float64 {
	if rc.Recommended == nil {
		return 1
	}
	return 1 - rc.Recommended.Coverage
}

// RiskCoverageOf computes the curve of the answered questions of a view.
func RiskCoverageOf(recs []*eh.Record, view string, target float64) RiskCoverage {
	rc := RiskCoverage{View: view, Target: target}
	type scored struct {
		conf    float64
		correct bool
	}
	var qs []scored
	for _, r := range recs {
		if r.Status != eh.StatusAnswered || !ViewMatches(view, r) {
			continue
		}
		rc.Questions++
		if r.Confidence != nil {
			qs = append(qs, scored{*r.Confidence, r.Correct()})
		}
	}
	rc.WithConfidence = len(qs)
	if len(qs) == 0 {
		return rc
	}
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].conf > qs[j].conf })
	wrong := 0
	for i, q := range qs {
		if !q.correct {
			wrong++
		}
		// One point per distinct threshold: after the last question of a tie.
		if i+1 < len(qs) && qs[i+1].conf == q.conf {
			continue
		}
		p := RiskPoint{Threshold: Round(q.conf, 6), Automated: i + 1, Wrong: wrong,
			Coverage: Round(float64(i+1)/float64(rc.Questions), 6), Risk: Round(float64(wrong)/float64(i+1), 6)}
		rc.Points = append(rc.Points, p)
		if p.Risk <= target && (rc.Recommended == nil || p.Coverage > rc.Recommended.Coverage) {
			pp := p
			rc.Recommended = &pp
		}
	}
	return rc
}
