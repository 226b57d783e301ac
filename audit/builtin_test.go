package audit

import (
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"

	"github.com/emohallucer/emohallucer/builtin"
)

// TestBuiltinAudit audits the suite embedded in the binary and logs the report:
// authors of knowledge facts and text passages run it with -v to find wording
// that gives the hallucinated question away.
func TestBuiltinAudit(t *testing.T) {
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	r := Run(s, Options{Seed: 1})
	var sb strings.Builder
	if err := r.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + sb.String())
	// The dimensions are logged separately so that the authors of knowledge
	// facts and of text passages each see their own leaks.
	for _, dim := range []eh.Dimension{eh.Knowledge, eh.Perception} {
		sub := &eh.Suite{Name: s.Name + " (" + string(dim) + " only)"}
		for _, p := range s.Pairs {
			if p.Dimension == dim {
				sub.Pairs = append(sub.Pairs, p)
			}
		}
		sr := Run(sub, Options{Seed: 1})
		sb.Reset()
		if err := sr.WriteText(&sb); err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + sb.String())
	}
	if r.GoldYes != r.GoldNo || r.GoldYes != len(s.Pairs) {
		t.Errorf("gold answers %d yes / %d no over %d pairs, want exactly one of each per pair", r.GoldYes, r.GoldNo, len(s.Pairs))
	}
	if r.Duplicates != 0 {
		t.Errorf("%d duplicate questions: %+v", r.Duplicates, r.DuplicateList)
	}
	if r.NearDuplicates != 0 {
		t.Errorf("%d near-duplicate questions: %+v", r.NearDuplicates, r.NearDuplicateList)
	}
	// The builtin text pairs must not be solvable by word matching: the
	// hallucinated question stays as close to the passage's words as the true one.
	if r.OverlapPairs == 0 {
		t.Error("no pair with a text context was measured by the context-overlap baseline")
	}
	for _, f := range r.OverlapFailures() {
		t.Error(f)
	}
	// Japanese and Chinese are held to the same targets on their own: a leak
	// in one language must not hide in the suite-wide figures.
	for _, f := range r.LangFailures() {
		t.Error(f)
	}
	// The floor: stricter pairs must not cost builtin its size.
	if len(s.Pairs) < 856 {
		t.Errorf("builtin has %d pairs, want at least 856", len(s.Pairs))
	}
	if r.ArtifactAccuracy > ArtifactThreshold {
		t.Errorf("question-only classifier tells basic from hallucinated with accuracy %.3f > %.2f; see the tokens and swap terms above", r.ArtifactAccuracy, ArtifactThreshold)
	}
}
