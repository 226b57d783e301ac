package report

import (
	"bytes"
	"html"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sebdah/goldie/v2"
)

// verbs finds the values a message takes: fmt verbs (%d, %[2]s, %.1f, not
// %%) and the page script's {0}, {1}.
var verbs = regexp.MustCompile(`%(\[\d+\])?[-+#0]*[\d.]*[a-zA-Z]|\{\d\}`)

// valueKinds lists a message's verbs by kind (the verb letter, or {n}), sorted,
// so that a translation may reorder them but not drop, add or change one.
func valueKinds(s string) string {
	var out []string
	for _, v := range verbs.FindAllString(strings.ReplaceAll(s, "%%", ""), -1) {
		if strings.HasPrefix(v, "{") {
			out = append(out, v)
		} else {
			out = append(out, v[len(v)-1:])
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// TestCatalogueComplete: every message has a Japanese and a Chinese text of
// its own (no silent English fallback) taking the same values as the English
// one; a name is the same in every language and carries no translation.
func TestCatalogueComplete(t *testing.T) {
	for _, id := range messageIDs() {
		m := catalogue[id]
		if m.En == "" {
			t.Errorf("%s: no English text", id)
		}
		if m.Name {
			if m.Ja != "" || m.Zh != "" {
				t.Errorf("%s is a name, the same in every language, yet has translations", id)
			}
			continue
		}
		for _, tr := range []struct {
			lang Lang
			text string
		}{{Japanese, m.Ja}, {Chinese, m.Zh}} {
			switch {
			case tr.text == "":
				t.Errorf("%s: missing %s translation (the report would show English)", id, tr.lang)
			case tr.text == m.En:
				t.Errorf("%s: %s text is the English one; mark names with Name", id, tr.lang)
			case valueKinds(tr.text) != valueKinds(m.En):
				t.Errorf("%s: %s takes values %q, English %q", id, tr.lang, valueKinds(tr.text), valueKinds(m.En))
			}
		}
	}
}

// TestT: the lookup falls back to English for a missing translation and
// keeps names as they are.
func TestT(t *testing.T) {
	addMessages(map[string]Msg{"test.partial": {En: "only %d in English", Ja: "日本語で %d"}})
	defer delete(catalogue, "test.partial")
	tests := []struct {
		lang Lang
		id   string
		args []any
		want string
	}{
		// A translated message, formatted.
		{Japanese, "test.partial", []any{3}, "日本語で 3"},
		// A missing translation falls back to English.
		{Chinese, "test.partial", []any{3}, "only 3 in English"},
		// A name stays as it is.
		{Chinese, "col.pct_diff", nil, "Pct. Diff"},
		// A message without values is not passed through Sprintf: its % stays.
		{Japanese, "heat.scale", nil, "ペア正答率（%）；偶然の水準 = 25"},
		// The zero language is English.
		{"", "title", nil, "emohallucer report"},
	}
	for _, tt := range tests {
		if got := t_(tt.lang, tt.id, tt.args...); got != tt.want {
			t.Errorf("t(%s, %s) = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}

// t_ is t, under a name the test's *testing.T does not shadow.
var t_ = t

func TestParseLang(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"", English, true},        // the default
		{"ja", Japanese, true},     // Japanese
		{"ZH", Chinese, true},      // case does not matter
		{"zh-Hans", Chinese, true}, // the BCP-47 tag the page carries
		{"fr", "", false},          // not a report language
	}
	for _, tt := range tests {
		got, err := ParseLang(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseLang(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestMarkdownGoldenLangs: the Markdown report in Japanese and Chinese.
func TestMarkdownGoldenLangs(t *testing.T) {
	runs := fixtureRuns()
	g := goldie.New(t, goldie.WithFixtureDir("testdata"), goldie.WithNameSuffix(""))
	for _, l := range []Lang{Japanese, Chinese} {
		var b bytes.Buffer
		if err := MarkdownIn(&b, runs, l); err != nil {
			t.Fatal(err)
		}
		g.Assert(t, "TestGolden.golden."+string(l)+".md", b.Bytes())
	}
}

// TestHTMLLangs: the page in Japanese and Chinese carries its language tag
// and the CJK font stack, and no English text of the catalogue: every
// stretch of two or more English words of any message that is not a name is
// absent from the page, attributes, charts and the script's words included.
func TestHTMLLangs(t *testing.T) {
	var english []string
	for _, id := range messageIDs() {
		m := catalogue[id]
		if m.Name {
			continue
		}
		for _, part := range verbs.Split(m.En, -1) {
			if part = strings.TrimSpace(part); strings.Count(part, " ") > 0 && len(part) > 6 {
				english = append(english, part)
			}
		}
	}
	if len(english) < 60 {
		t.Fatalf("only %d English phrases to look for", len(english))
	}
	runs := fixtureRuns()
	runs[2].Records = nil // a run without records: the review note names it
	tests := []struct {
		lang               Lang
		tag, heading, font string
	}{
		{Japanese, `<html lang="ja">`, "<h2>人によるレビューが必要な範囲</h2>", `"Noto Sans CJK JP"`},
		{Chinese, `<html lang="zh-Hans">`, "<h2>需要人工复核的范围</h2>", `"Noto Sans CJK SC"`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2, Lang: tt.lang}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, want := range []string{tt.tag, tt.heading, tt.font} {
			if !strings.Contains(out, want) {
				t.Errorf("%s page lacks %q", tt.lang, want)
			}
		}
		// The page's own text, with the JSON's \u escapes undone.
		text := html.UnescapeString(strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">", `\u0027`, "'").Replace(out))
		for _, e := range english {
			if strings.Contains(text, e) {
				t.Errorf("%s page has English %q", tt.lang, e)
			}
		}
		// Names and data stay as they are.
		for _, want := range []string{"Pct. Diff", "FP Ratio", "openai:m [pep-mek]", "modality:image"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s page lacks %q", tt.lang, want)
			}
		}
	}
}

// TestTextWidthCJK: label placement sizes CJK glyphs as 1 em, Latin as less.
func TestTextWidthCJK(t *testing.T) {
	tests := []struct {
		s    string
		want float64
	}{
		{"abc", 3 * 0.62 * 10},           // Latin
		{"正答率", 30},                      // Han
		{"ハルシネーション", 80},                 // katakana and the long vowel mark
		{"置信区间（%）", 60 + 6.2},            // Han with full-width parentheses; % is narrow
		{"FP Ratio（誤答）", 8*0.62*10 + 40}, // mixed
	}
	for _, tt := range tests {
		if got := textWidth(tt.s, 10); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("textWidth(%q) = %g, want %g", tt.s, got, tt.want)
		}
	}
}
