package report

import (
	"testing"

	"github.com/emohallucer/emohallucer/policy"
)

// TestPolicyReasonsInEnglish: the section's reasons and notes, which it
// writes in the report's language from the numbers, are in English word for
// word what the policy package says in policy.json, for every kind of
// decision and note.
func TestPolicyReasonsInEnglish(t *testing.T) {
	runs := fixtureRuns()
	for _, r := range runs[2].Records {
		r.CostUSD = 0 // unpriced
	}
	for i, r := range runs[1].Records {
		if i%2 == 0 {
			r.Confidence = nil // some answers without confidence
		}
	}
	pruns := policyRuns(t, runs)
	// A run with no confidence at all, alone on its use case.
	bare := fixtureRuns()[2]
	for _, r := range bare.Records {
		r.Confidence = nil
	}
	bareRun, err := policy.NewRun(bare.Dir, bare.Records)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		u    policy.UseCase
		runs []*policy.Run
		keep bool
	}{
		// Automated: a run meets the limit and costs less than people.
		{policy.UseCase{Name: "triage", View: "all", MaxError: 0.5, ReviewCostUSD: 1, VolumePerMonth: 1000}, pruns, false},
		// Kept: no threshold meets the limit.
		{policy.UseCase{Name: "strict", View: "all", MaxError: 0.001, ReviewCostUSD: 1, VolumePerMonth: 1000}, pruns, true},
		// Kept: no run answers the view.
		{policy.UseCase{Name: "calls", View: "modality:audio", MaxError: 0.1, ReviewCostUSD: 1, VolumePerMonth: 10}, pruns, true},
		// Kept: reviewing by hand is cheaper than the cheapest (priced) run.
		{policy.UseCase{Name: "cheap people", View: "all", MaxError: 0.5, ReviewCostUSD: 1e-7, VolumePerMonth: 1e6}, pruns[:2], true},
		// Kept: no run carries confidences.
		{policy.UseCase{Name: "bare", View: "all", MaxError: 0.5, ReviewCostUSD: 1, VolumePerMonth: 1000}, []*policy.Run{bareRun}, true},
	}
	notes := map[string]bool{}
	for _, tt := range tests {
		d := policy.Evaluate([]policy.UseCase{tt.u}, tt.runs).UseCases[0]
		if d.KeepHumans != tt.keep {
			t.Errorf("%s: keep humans %v, want %v (%s)", tt.u.Name, d.KeepHumans, tt.keep, d.Reason)
			continue
		}
		if got := keepReason(&d, English); tt.keep && got != d.Reason {
			t.Errorf("%s: reason\n%q, policy says\n%q", tt.u.Name, got, d.Reason)
		}
		for i := range d.Candidates {
			c := &d.Candidates[i]
			if got := candidateNote(c, d.UseCase, English); got != c.Note {
				t.Errorf("%s, %s: note\n%q, policy says\n%q", tt.u.Name, c.Run, got, c.Note)
			}
			notes[c.Note] = true
		}
	}
	if len(notes) < 5 {
		t.Errorf("only %d kinds of note compared: %v", len(notes), notes)
	}
}

// policyRuns are the report's runs as the policy package reads them.
func policyRuns(t *testing.T, runs []Run) []*policy.Run {
	t.Helper()
	var out []*policy.Run
	for _, r := range runs {
		pr, err := policy.NewRun(r.Dir, r.Records)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pr)
	}
	return out
}
