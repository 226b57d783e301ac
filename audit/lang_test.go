package audit

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestCJKTokens checks that Japanese and Chinese runs become character
// bigrams while spaced words stay words.
func TestCJKTokens(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		// Japanese: kanji and kana alike, punctuation ends the run
		{"japanese", "怒っていますか。", []string{"怒っ", "って", "てい", "いま", "ます", "すか"}},
		// the prolonged-sound mark stays inside a katakana word; a Latin name is a word
		{"katakana and latin", "ジェームズ（James）は", []string{"ジェ", "ェー", "ーム", "ムズ", "james", "は"}},
		// Chinese, full-width question mark
		{"chinese", "是否愤怒？", []string{"是否", "否愤", "愤怒"}},
		// a one-character run stays itself
		{"single character", "「怒」", []string{"怒"}},
		// digits attached to CJK form a word of their own
		{"digits", "3回目", []string{"3", "回目"}},
		// English is unchanged
		{"english", "Isn’t it sad?", []string{"isn't", "it", "sad"}},
	}
	for _, tc := range tests {
		if got := tokens(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: tokens(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// TestCJKContent checks the overlap matcher's units for CJK text: stop
// characters cut the run, framing bigrams go, one-character segments stay.
func TestCJKContent(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		// 是, 否, 对 cut the run; 评论/论者/表示 frame the question
		{"chinese question", "评论者是否对搅拌机表示失望？", []string{"失望", "拌机", "搅拌", "机表", "示失"}},
		// particles and inflection go; the kanji stem of 怒って stays
		{"japanese verb", "書き手は怒っていますか。", []string{"怒"}},
		// a negation is a stop character, as "not" is a stop word
		{"negation", "不失望吗？", []string{"失望"}},
		// kana content words survive between particles
		{"kana word", "がっかりした", []string{"り"}},
	}
	for _, tc := range tests {
		var got []string
		for g := range ContentStems(tc.in) {
			got = append(got, g)
		}
		sort.Strings(got)
		sort.Strings(tc.want)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ContentStems(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// TestCJKOverlapCredit runs the context-overlap rule on Chinese and Japanese
// pairs: vocabulary the passage lacks is solvable, a negated mention ties, and
// the passage's own words in the wrong role mislead the rule.
func TestCJKOverlapCredit(t *testing.T) {
	const zh = "广告说这台搅拌机几秒钟就能把冰块打碎，我为它攒了好几个月的钱。结果根本做不到。冰块还是一块一块的。我不是生气，只是很失望。"
	const ja = "先日ご連絡いたしました返金の件、本日で三度目のご連絡となります。いつ頃ご対応いただけるのか、改めてご教示ください。"
	tests := []struct {
		name, ctx, basic, hallu string
		want                    float64
	}{
		// the hallucinated emotion is a word the passage never uses
		{"zh absent vocabulary", zh, "评论者是否感到失望？", "评论者是否感到嫉妒？", 1},
		// a negated mention shares every content unit: a tie
		{"zh negation ties", zh, "评论者是否感到失望？", "评论者是否没有感到失望？", tieCredit},
		// the hallucinated cue quotes the ad's promise, which the passage states
		{"zh passage words mislead", zh, "评论者是否说冰块还是一块一块的？", "评论者是否说冰块几秒钟就被打碎了？", 0},
		// 三度目 is in the passage, 初めて is not
		{"ja absent vocabulary", ja, "書き手は、今回が三度目の連絡だと書いていますか。", "書き手は、今回が初めての連絡だと書いていますか。", 1},
	}
	for _, tc := range tests {
		if got := OverlapCredit(tc.ctx, tc.basic, tc.hallu); got != tc.want {
			t.Errorf("%s: credit %.2f, want %.2f (overlaps basic %d, hallucinated %d)", tc.name, got, tc.want, Overlap(tc.ctx, tc.basic), Overlap(tc.ctx, tc.hallu))
		}
	}
}

// TestCJKDuplicates checks duplicate detection on Japanese questions, which
// as single whitespace words could never be near each other.
func TestCJKDuplicates(t *testing.T) {
	long := "書き手は、返金の件について本日で三度目の連絡になると書いたうえで、いつ頃対応してもらえるのかを改めて尋ねていますか"
	tests := []struct {
		name       string
		pairs      []eh.Pair
		dups, near int
	}{
		// only the punctuation differs: the same question
		{"punctuation", []eh.Pair{
			pair("a", "c", "書き手は怒っていますか。", "書き手は喜んでいますか。", eh.Category),
			pair("b", "c", "「書き手は怒っていますか？」", "書き手は悲しんでいますか。", eh.Category),
		}, 1, 0},
		// one character added to a long question
		{"one character", []eh.Pair{
			pair("a", "c", long+"。", "書き手は喜んでいますか。", eh.ReasoningCue),
			pair("b", "c", "書き手は悲しんでいますか。", long+"ね。", eh.ReasoningCue),
		}, 0, 1},
	}
	for _, tc := range tests {
		r := Run(&eh.Suite{Pairs: tc.pairs}, Options{})
		if r.Duplicates != tc.dups || r.NearDuplicates != tc.near {
			t.Errorf("%s: duplicates %d, near %d; want %d, %d", tc.name, r.Duplicates, r.NearDuplicates, tc.dups, tc.near)
		}
	}
}

// multilingual builds a suite of n English pairs without a leak, n Japanese
// pairs whose hallucinated question always says 全く (a blatant leak), and n
// Chinese pairs without one.
func multilingual(n int) *eh.Suite {
	s := synthetic(n, "balanced", 5)
	rng := rand.New(rand.NewPCG(9, 9))
	jaWho := []string{"書き手", "店員", "母親", "上司", "顧客", "友人"}
	jaFeel := []string{"怒って", "悲しんで", "喜んで", "驚いて", "恐れて", "安心して", "恥じて", "感謝して"}
	zhWho := []string{"作者", "店员", "母亲", "老板", "顾客", "朋友"}
	zhFeel := []string{"生气", "难过", "高兴", "惊讶", "害怕", "放心", "羞愧", "感激"}
	pick := func(l []string) string { return l[rng.IntN(len(l))] }
	for i := 0; i < n; i++ {
		who := pick(jaWho)
		p := pair(fmt.Sprintf("ja-%d", i), fmt.Sprintf("文章%d", i), who+"は"+pick(jaFeel)+"いますか。", who+"は全く"+pick(jaFeel)+"いますか。", eh.Category)
		p.Lang = eh.Japanese
		s.Pairs = append(s.Pairs, p)
		zw := pick(zhWho)
		b := zw + "是否" + pick(zhFeel) + "？"
		h := zw + "是否" + pick(zhFeel) + "？"
		for h == b {
			h = zw + "是否" + pick(zhFeel) + "？"
		}
		q := pair(fmt.Sprintf("zh-%d", i), fmt.Sprintf("文字%d", i), b, h, eh.Category)
		q.Lang = eh.Chinese
		s.Pairs = append(s.Pairs, q)
	}
	return s
}

// TestAuditByLang checks by_lang: each language is audited on its own, the
// Japanese leak is found there (and named by LangFailures) while English and
// Chinese stay near chance, and a one-language suite repeats its suite-wide
// figures.
func TestAuditByLang(t *testing.T) {
	r := Run(multilingual(120), Options{Permutations: -1})
	if len(r.ByLang) != 3 {
		t.Fatalf("by_lang has %d languages, want 3: %+v", len(r.ByLang), r.ByLang)
	}
	cases := []struct {
		lang     eh.Lang
		min, max float64
	}{
		{eh.English, 0, 0.6},  // no leak
		{eh.Japanese, 0.9, 1}, // 全く gives the role away
		{eh.Chinese, 0, 0.6},  // no leak
	}
	for _, c := range cases {
		la := r.ByLang[c.lang]
		if la == nil || la.Pairs != 120 || la.Folds != 10 {
			t.Fatalf("%s: %+v, want 120 pairs in 10 folds", c.lang, la)
		}
		if la.ArtifactAccuracy < c.min || la.ArtifactAccuracy > c.max {
			t.Errorf("%s: artifact accuracy %.3f, want in [%.2f, %.2f]", c.lang, la.ArtifactAccuracy, c.min, c.max)
		}
		if la.OverlapPairs != 120 {
			t.Errorf("%s: overlap baseline over %d pairs, want 120", c.lang, la.OverlapPairs)
		}
	}
	var sb strings.Builder
	if err := r.WriteText(&sb); err != nil || !strings.Contains(sb.String(), "per language") || !strings.Contains(sb.String(), "  ja  ") {
		t.Errorf("text report lacks the per-language table: %v\n%s", err, sb.String())
	}
	fails := r.LangFailures()
	if len(fails) != 1 || !strings.HasPrefix(fails[0], "ja: question-only artifact accuracy") {
		t.Errorf("LangFailures = %q, want the Japanese leak only", fails)
	}

	en := synthetic(60, "not", 3)
	one := Run(en, Options{Permutations: -1})
	la := one.ByLang[eh.English]
	if len(one.ByLang) != 1 || la == nil || la.ArtifactAccuracy != one.ArtifactAccuracy || la.Pairs != 60 {
		t.Errorf("one-language suite: by_lang %+v, want the suite-wide figures under en", one.ByLang)
	}
	if f := one.LangFailures(); f != nil {
		t.Errorf("one-language suite: LangFailures %q, want none (the suite-wide checks apply)", f)
	}
}
