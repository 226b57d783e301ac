package review

import (
	"fmt"
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// Excluded is a pair left out because of its review, with the verdicts that
// decided it.
type Excluded struct {
	Pair string `json:"pair"`
	Counts
}

// Exclude reads the verdict files and applies Verdicts.Exclude to pairs. No
// files leaves the pairs as they are.
func Exclude(files []string, pairs []eh.Pair) ([]eh.Pair, []Excluded, error) {
	if len(files) == 0 {
		return pairs, nil, nil
	}
	vs, err := ReadVerdicts(files)
	if err != nil {
		return nil, nil, fmt.Errorf("--exclude: %w", err)
	}
	kept, excluded := vs.Exclude(pairs)
	return kept, excluded, nil
}

// Exclude returns the pairs a strict majority of their raters judged valid,
// or that nobody reviewed, in their order, and the pairs it left out (judged
// wrong or ambiguous by the majority, ties included; see Counts.Sound).
// Verdicts on pairs that are not in pairs are ignored: a verdict file may
// cover several suites.
func (vs *Verdicts) Exclude(pairs []eh.Pair) ([]eh.Pair, []Excluded) {
	by := vs.ByPair()
	kept := make([]eh.Pair, 0, len(pairs))
	var out []Excluded
	for _, p := range pairs {
		c, reviewed := by[p.ID]
		if reviewed && !c.Sound() {
			out = append(out, Excluded{Pair: p.ID, Counts: c})
			continue
		}
		kept = append(kept, p)
	}
	return kept, out
}

// ExcludedNote is the line commands print about what Exclude left out.
func ExcludedNote(files []string, excluded []Excluded) string {
	var c Counts
	for _, e := range excluded {
		c.Valid += e.Valid
		c.Ambiguous += e.Ambiguous
		c.Wrong += e.Wrong
	}
	return fmt.Sprintf("excluded %d pair(s) that their reviewers did not judge valid by a strict majority (verdicts: %d valid, %d ambiguous, %d wrong) from %s",
		len(excluded), c.Valid, c.Ambiguous, c.Wrong, strings.Join(files, ", "))
}
