package emohallucer

import (
	"strings"
	"testing"
)

// TestPairLang checks the single-pair rules of lang and translation_of.
func TestPairLang(t *testing.T) {
	base := Pair{ID: "p", Dimension: Knowledge, SubCategory: Theory, Modality: Text,
		Basic: Question{Text: "b?", Gold: Yes}, Hallucinated: Question{Text: "h?", Gold: No}}
	cases := []struct {
		name     string
		lang     Lang
		of       string
		language Lang   // what Language reports
		problem  string // "" when valid
	}{
		{"empty is English", "", "", English, ""},
		{"explicit en", English, "", English, ""},
		{"Japanese rendering", Japanese, "q", Japanese, ""},
		{"Chinese native", Chinese, "", Chinese, ""},
		{"region subtag is not accepted", "zh-CN", "", "zh-CN", `unknown lang "zh-CN"`},
		{"upper case is not accepted", "JA", "", "JA", `unknown lang "JA"`},
		{"renders itself", Japanese, "p", Japanese, "translation_of names the pair itself"},
	}
	for _, c := range cases {
		p := base
		p.Lang, p.TranslationOf = c.lang, c.of
		if got := p.Language(); got != c.language {
			t.Errorf("%s: Language() = %q, want %q", c.name, got, c.language)
		}
		probs := strings.Join(p.Problems(), "; ")
		if (c.problem == "") != (probs == "") || !strings.Contains(probs, c.problem) {
			t.Errorf("%s: problems %q, want %q", c.name, probs, c.problem)
		}
		r := NewRecord("r", "s", "m", "direct", &p, Basic)
		if r.Lang != c.lang || r.TranslationOf != c.of {
			t.Errorf("%s: record carries lang %q translation_of %q", c.name, r.Lang, r.TranslationOf)
		}
	}
}
