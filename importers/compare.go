package importers

import (
	"fmt"
	"sort"

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

// Take is one recording as the comparison rules see it.
type Take struct {
	Emotion swap.Label
	// Strong is true for a portrayal coded at the dataset's stronger level.
	Strong bool
}

// highArousal are the portrayals that stand out from a neutral or calm take
// even at normal intensity. Surprise is not among them: at normal intensity
// it is often a mild lift of pitch (found in review: a RAVDESS normal-intensity
// surprise take as loud as the actor's neutral one), so it is compared only
// when strong.
var highArousal = map[swap.Label]bool{swap.Anger: true, swap.Fear: true}

// Quiet reports whether l is no emotion or a low-arousal calm one.
func Quiet(l swap.Label) bool { return l == swap.Neutral || l == swap.Calm }

// ClearlyStronger reports whether b, a different emotion than a by the same
// person, clearly expresses emotion more strongly: a neutral or calm take
// against a strong portrayal or a high-arousal one (anger, fear).
// Two portrayals of emotions are not compared (which is "stronger", strong
// fear or strong sadness, is not something listeners agree on), and a calm
// take is not set against sadness or disgust, which can sound as subdued.
func ClearlyStronger(a, b Take) bool {
	switch {
	case a.Emotion == b.Emotion || Quiet(b.Emotion) || !Quiet(a.Emotion):
		return false
	case a.Emotion == swap.Calm && (b.Emotion == swap.Sadness || b.Emotion == swap.Disgust):
		return false
	}
	return b.Strong || highArousal[b.Emotion]
}

// ClearlyMore reports whether b clearly comes across as more of its own
// emotion than a (angrier, sadder…): the two are far apart (swap.Distant) and
// b is strong, calm, or set against a neutral or calm take.
func ClearlyMore(a, b Take) bool {
	if _, ok := swap.Comparative(b.Emotion); !ok || !swap.IsDistant(a.Emotion, b.Emotion) {
		return false
	}
	return b.Strong || b.Emotion == swap.Calm || Quiet(a.Emotion)
}

// StrongerQuestion returns the question of an intensity comparison about who,
// whose files are called unit ("recording", "video"), for Compare.
func StrongerQuestion(who, unit string) func(a, b string) string {
	return func(a, b string) string {
		return Capitalize(fmt.Sprintf("Does %s express emotion more strongly in the %s %s than in the %s?", who, a, unit, b))
	}
}

// MoreQuestion returns the question of a category comparison ("Does the
// speaker sound angrier in the second recording than in the first?"), for
// Compare; comparative is the adjective's comparative form.
func MoreQuestion(who, verb, comparative, unit string) func(a, b string) string {
	return func(a, b string) string {
		return Capitalize(fmt.Sprintf("Does %s %s %s in the %s %s than in the %s?", who, verb, comparative, a, unit, b))
	}
}

// EachOrderedPair calls f(a, b) for every ordered pair of distinct items that
// share a group key (one actor, channel, view…), groups in key order and
// items in their given order, so that the pairs come out the same every run.
func EachOrderedPair[T any](items []T, key func(T) string, f func(a, b T)) {
	group := map[string][]T{}
	var keys []string
	for _, it := range items {
		k := key(it)
		if _, ok := group[k]; !ok {
			keys = append(keys, k)
		}
		group[k] = append(group[k], it)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := group[k]
		for i := range g {
			for j := range g {
				if i != j {
					f(g[i], g[j])
				}
			}
		}
	}
}
