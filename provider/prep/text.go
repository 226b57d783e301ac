package prep

import (
	"math"
	"strings"
	"unicode/utf8"
)

// BoundText makes model output safe to store: valid UTF-8 (invalid bytes become
// U+FFFD) and at most MaxResponseText bytes, cut on a rune boundary and marked
// with "…".
func BoundText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= MaxResponseText {
		return s
	}
	cut := MaxResponseText - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// TokenAlt is one candidate token at a position, with its log-probability.
type TokenAlt struct {
	Token   string
	Logprob float64
}

// TokenPos is one generated token and the top alternatives the API listed for it.
type TokenPos struct {
	Token string
	Top   []TokenAlt
}

// yesNoScan is how many leading tokens YesProb looks through for the answer word:
// models often open with markup ("**", a space) before "Yes".
const yesNoScan = 8

// YesProb computes P(yes)/(P(yes)+P(no)) at the first generated position, among
// the first few, whose chosen token or listed alternatives are yes or no
// (case-insensitive, surrounding spaces and punctuation ignored). Several spellings
// of the same word ("Yes", " yes") add up. It returns nil when no position
// qualifies.
func YesProb(tokens []TokenPos) *float64 {
	for i, pos := range tokens {
		if i >= yesNoScan {
			break
		}
		var py, pn float64
		found := false
		alts := pos.Top
		if len(alts) == 0 {
			continue
		}
		for _, a := range alts {
			p := math.Exp(a.Logprob)
			if math.IsNaN(p) || math.IsInf(p, 0) {
				continue
			}
			switch normWord(a.Token) {
			case "yes":
				py += p
				found = true
			case "no":
				pn += p
				found = true
			}
		}
		if !found {
			if w := normWord(pos.Token); w == "yes" || w == "no" {
				// The answer word itself was not among the alternatives listed (an
				// API quirk); no probability can be computed at this position.
				return nil
			}
			continue
		}
		if py+pn <= 0 {
			return nil
		}
		v := py / (py + pn)
		return &v
	}
	return nil
}

func normWord(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Trim(s, ".,!:;*\"'`()[]_-▁Ġ")
}
