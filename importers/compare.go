package importers

import (
	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/swap"
)

// Compare completes base as a pair about two recordings of the same person:
// less and more are the media with less and more of what the question asks
// about. r decides which of them comes first, so that the words "first" and
// "second" are as common in basic as in hallucinated questions.
//
// question(a, b) must ask whether there is more of the quality in recording a
// than in recording b ("Does the speaker sound angrier in the second recording
// than in the first?"); the basic question names the right order and the
// hallucinated one the reverse, so both questions carry the same words. A
// judgement of one clip alone ("strong intensity?") depends on what the
// listener compares it with; two takes of the same person, side by side, do not.
func Compare(base eh.Pair, less, more eh.Media, r *swap.Rand, question func(a, b string) string) eh.Pair {
	base.Context.Media = []eh.Media{less, more}
	hi, lo := "second", "first"
	if r.IntN(2) == 1 {
		base.Context.Media = []eh.Media{more, less}
		hi, lo = lo, hi
	}
	base.Basic = eh.Question{Text: question(hi, lo), Gold: eh.Yes}
	base.Hallucinated = eh.Question{Text: question(lo, hi), Gold: eh.No}
	base.Corruption = "reversal"
	base.Tags = append(base.Tags, "higher:"+hi)
	return base
}
