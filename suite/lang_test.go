package suite

import (
	"reflect"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// rendering returns a rendering of goodPair(orig) in lang with id orig.lang.
func rendering(orig string, lang eh.Lang) eh.Pair {
	p := goodPair(orig + "." + string(lang))
	p.Basic.Text, p.Hallucinated.Text = "「"+p.ID+"」は正しいですか。", "「"+p.ID+"」は誤りですか。"
	p.Lang, p.TranslationOf = lang, orig
	return p
}

// TestTranslationChecks checks each rule of lang and translation_of, one pair
// at a time after a valid original and its valid renderings.
func TestTranslationChecks(t *testing.T) {
	badLang := goodPair("bad-lang")
	badLang.Lang = "fr"
	self := goodPair("self")
	self.TranslationOf = "self"
	missing := rendering("nowhere", eh.Japanese)
	sameLang := goodPair("same-lang")
	sameLang.TranslationOf = "orig"
	otherSub := rendering("orig", eh.Chinese)
	otherSub.ID, otherSub.SubCategory = "other-sub", eh.Finding
	chain := rendering("orig.ja", eh.Chinese)
	second := rendering("orig", eh.Japanese)
	second.ID = "orig.ja2"
	badGold := rendering("orig", eh.Japanese)
	badGold.ID, badGold.Hallucinated.Gold = "bad-gold", eh.Yes
	toBad := rendering("bad-gold", eh.Chinese)
	cases := []struct {
		name string
		p    eh.Pair
		want string // problem text on the pair's line; "" means none
	}{
		// an English original: no lang, no translation_of
		{"original", goodPair("orig"), ""},
		// a Japanese and a Chinese rendering of it
		{"ja rendering", rendering("orig", eh.Japanese), ""},
		{"zh rendering", rendering("orig", eh.Chinese), ""},
		// an explicit "en" is the same as empty
		{"explicit en", func() eh.Pair { p := goodPair("en"); p.Lang = eh.English; return p }(), ""},
		// a language outside en/ja/zh
		{"unknown lang", badLang, `unknown lang "fr"`},
		// a pair cannot render itself
		{"self", self, "names the pair itself"},
		// the original must exist
		{"missing original", missing, `translation_of "nowhere": no such pair`},
		// a rendering in the original's own language is no rendering
		{"same language", sameLang, "both pairs are in en"},
		// dimension, sub-category and modality must match the original
		{"other subcategory", otherSub, "knowledge/finding/text differs from the original's knowledge/theory/text"},
		// a rendering of a rendering: facts are one level deep
		{"chain", chain, `names a rendering of "orig"`},
		// one rendering per original and language
		{"second rendering", second, `second ja rendering of "orig" (the first is orig.ja)`},
		// gold stays structural: a rendering is a pair like any other
		{"bad gold", badGold, `hallucinated question must have gold answer "no"`},
		// a rendering of a bad line is not reported again as missing
		{"rendering of bad line", toBad, ""},
	}
	lines := make([]string, len(cases))
	for i, c := range cases {
		lines[i] = line(t, c.p)
	}
	_, err := Read(writeSuite(t, lines...), Options{SkipMedia: true})
	probs, _ := err.(Problems)
	for i, c := range cases {
		var got []string
		for _, p := range probs {
			if p.Line == i+1 {
				got = append(got, p.Message)
			}
		}
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s (line %d): unexpected problems %q", c.name, i+1, got)
		case c.want != "" && !strings.Contains(strings.Join(got, "\n"), c.want):
			t.Errorf("%s (line %d): want a problem containing %q, got %q", c.name, i+1, c.want, got)
		}
	}
}

// TestCountLangs checks by_lang and native_by_lang: an empty lang counts as
// en, and only pairs without translation_of are native.
func TestCountLangs(t *testing.T) {
	native := goodPair("ja-native")
	native.Lang = eh.Japanese
	s := &eh.Suite{Pairs: []eh.Pair{goodPair("a"), goodPair("b"), rendering("a", eh.Japanese), rendering("a", eh.Chinese), native}}
	st := Count(s)
	if want := map[string]int{"en": 2, "ja": 2, "zh": 1}; !reflect.DeepEqual(st.ByLang, want) {
		t.Errorf("by_lang = %v, want %v", st.ByLang, want)
	}
	if want := map[string]int{"en": 2, "ja": 1}; !reflect.DeepEqual(st.NativeByLang, want) {
		t.Errorf("native_by_lang = %v, want %v", st.NativeByLang, want)
	}
}
