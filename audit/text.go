package audit

import (
	"strings"
	"unicode"

	eh "github.com/emohallucer/emohallucer"
)

// tokens splits a question into lower-case words. Letters, digits and in-word
// apostrophes are kept together so that "isn't" and "don't" stay visible as
// negations rather than dissolving into "isn" and "t". Japanese and Chinese,
// written without spaces, have no words to split on: a run of their characters
// becomes its character bigrams (a single character stays itself), the usual
// unit of CJK text matching, which needs no dictionary and catches the
// two-character compounds most content words are.
func tokens(s string) []string {
	var out []string
	scan(s, func(w string) { out = append(out, w) }, func(run []rune) { out = append(out, charGrams(run)...) })
	return out
}

// scan walks s lower-cased and calls word for each word of a spaced script and
// cjk for each maximal run of CJK characters.
func scan(s string, word func(string), cjk func([]rune)) {
	s = strings.ToLower(strings.NewReplacer("’", "'", "‘", "'").Replace(s))
	var b strings.Builder
	var run []rune
	flush := func() {
		if w := strings.Trim(b.String(), "'"); w != "" {
			word(w)
		}
		b.Reset()
		if len(run) > 0 {
			cjk(run)
			run = run[:0]
		}
	}
	for _, r := range s {
		switch {
		case isCJK(r):
			if b.Len() > 0 {
				flush()
			}
			run = append(run, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if len(run) > 0 {
				flush()
			}
			b.WriteRune(r)
		case r == '\'' && b.Len() > 0:
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
}

// isCJK reports whether r belongs to a script written without spaces between
// words: Han ideographs, hiragana and katakana, with the prolonged-sound and
// iteration marks that sit inside their words.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		r == 'ー' || r == '々' || r == '〆'
}

// charGrams returns the character bigrams of a run, or the run itself when it
// is one character long.
func charGrams(run []rune) []string {
	if len(run) == 1 {
		return []string{string(run)}
	}
	out := make([]string, 0, len(run)-1)
	for i := 0; i+1 < len(run); i++ {
		out = append(out, string(run[i:i+2]))
	}
	return out
}

// normalise is the text key of a question for duplicate detection: its words,
// lower-cased, joined by single spaces (punctuation and spacing do not count).
func normalise(s string) string { return strings.Join(tokens(s), " ") }

// contextKey identifies the input a question is asked about: the passage text
// and the digests of its media. Two questions are only duplicates of each other
// when they are asked about the same input.
func contextKey(c eh.Context) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(c.Text))
	for _, m := range c.Media {
		b.WriteString("\x00")
		b.WriteString(m.SHA256)
	}
	return b.String()
}

// features returns the bag-of-words features of a question: unigrams and
// bigrams, with sentence-boundary markers so that a question's first and last
// words count as features of their own ("<s> is" is not "is").
func features(words []string) []string {
	out := make([]string, 0, 2*len(words)+1)
	out = append(out, words...)
	prev := "<s>"
	for _, w := range words {
		out = append(out, prev+" "+w)
		prev = w
	}
	out = append(out, prev+" </s>")
	return out
}

// shingles returns the set of word shingles (unigrams and bigrams) used for
// near-duplicate detection.
func shingles(words []string) map[string]struct{} {
	set := make(map[string]struct{}, 2*len(words)+1)
	for _, f := range features(words) {
		set[f] = struct{}{}
	}
	return set
}

func jaccard(a, b map[string]struct{}) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for k := range a {
		if _, ok := b[k]; ok {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
