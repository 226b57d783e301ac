package runner

import (
	"slices"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/score"
)

// SuiteViews lists the views that hold at least one of the pairs, in report
// order: the views a run of them can select (--subset) or print (--view).
func SuiteViews(pairs []eh.Pair) []string {
	seen := map[string]*score.View{}
	for i := range pairs {
		p := &pairs[i]
		cands := []string{score.ViewAll, score.ViewNoAudio, score.ViewKnowledge, score.ViewPerception,
			"modality:" + string(p.Modality), "subcategory:" + string(p.SubCategory)}
		for _, t := range p.Tags {
			if strings.HasPrefix(t, "split:") {
				cands = append(cands, t)
			}
		}
		rec := eh.NewRecord("", "", "", "", p, eh.Basic)
		for _, v := range cands {
			if _, ok := seen[v]; !ok && score.ViewMatches(v, rec) {
				seen[v] = nil
			}
		}
	}
	return score.OrderViews(seen)
}

// CheckView refuses a view (of the flag named flag) that holds none of the
// pairs, listing the ones that do, so that neither a misspelt view nor one
// this suite has no pairs in (modality:audio on a text suite) ends in an
// empty table or a bare "no pairs left".
func CheckView(flag, view string, pairs []eh.Pair) error {
	views := SuiteViews(pairs)
	if slices.Contains(views, view) {
		return nil
	}
	// A misspelt view is a mistake in the command (EUSAGE); a real view this
	// suite has no pairs in leaves nothing to run (EINVALID, as any
	// selection that leaves no pairs).
	code, what := eh.EUSAGE, "unknown view"
	if score.ValidView(view) {
		code, what = eh.EINVALID, "no pairs left: this suite has none in view"
	}
	return &eh.Error{Code: code, Message: what + " " + quote(view) + " for " + flag,
		Hint: "this suite's views: " + strings.Join(views, ", ")}
}

func quote(s string) string { return `"` + s + `"` }
