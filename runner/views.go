package runner

import (
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/score"
)

// CheckView refuses a view (of the flag named flag) that holds none of the
// pairs, listing the ones that do, so that neither a misspelt view nor one
// this suite has no pairs in (modality:audio on a text suite) ends in an
// empty table or a bare "no pairs left".
func CheckView(flag, view string, pairs []eh.Pair) error {
	for i := range pairs {
		if score.PairInView(view, &pairs[i]) {
			return nil
		}
	}
	views := score.ViewsOfPairs(pairs)
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
