package report

import (
	"bytes"
	"html"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sebdah/goldie/v2"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/policy"
	"github.com/emohallucer/emohallucer/score"
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
	// The single words of the use-case, history and confusion sections'
	// headers and cells, which the phrases above do not cover.
	var words []string
	for _, id := range messageIDs() {
		if m := catalogue[id]; !strings.Contains(m.En, " ") && (strings.HasPrefix(id, "pol.") || strings.HasPrefix(id, "hist.")) {
			words = append(words, ">"+m.En+"<")
		}
	}
	runs := fixtureRuns()
	// The confusion heatmaps, with a combination never asked.
	runs[0].Scores.Confusion = score.Confusion{"anger": {"anger": {Asked: 4, SaidYes: 3}, "fear": {Asked: 4, SaidYes: 1}}, "fear": {"fear": {Asked: 2, SaidYes: 2}}}
	runs[0].Scores.IntensityConfusion = score.Confusion{"normal": {"normal": {Asked: 5, SaidYes: 1}, "strong": {Asked: 5, SaidYes: 4}}}
	ev, h := langSectionsData(t, runs)
	runs[2].Records = nil // a run without records: the review note names it
	tests := []struct {
		lang               Lang
		tag, heading, font string
		sections           []string // the headings of the three sections
	}{
		{Japanese, `<html lang="ja">`, "<h2>人によるレビューが必要な範囲</h2>", `"Noto Sans CJK JP"`,
			[]string{"混同表", `<a href="#usecases">ユースケース</a>`, "<h2>経時モニタリング</h2>", "人によるレビューを継続：ビュー modality:audio に回答のある実行がありません", "自動化率", "月間コスト合計", "ペア正答率：openai:m"}},
		{Chinese, `<html lang="zh-Hans">`, "<h2>需要人工复核的范围</h2>", `"Noto Sans CJK SC"`,
			[]string{"混淆表", `<a href="#usecases">应用场景</a>`, "<h2>随时间监测</h2>", "继续人工复核：没有运行在视图 modality:audio 上有回答", "自动化比例", "月度总成本", "成对准确率：openai:m"}},
	}
	for _, tt := range tests {
		pol, err := PolicySection(ev, tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		hist, err := HistorySection(h, tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2, Lang: tt.lang, Sections: []Section{pol, hist}}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, w := range words {
			if strings.Contains(out, w) {
				t.Errorf("%s page has English %q", tt.lang, w)
			}
		}
		for _, want := range append([]string{tt.tag, tt.heading, tt.font}, tt.sections...) {
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

// langSectionsData evaluates use cases on the fixture runs and follows them
// over time, so that the use-case and history sections show every kind of
// text: a recommendation, a use case kept with humans, notes (a run without
// prices, one without confidences) and a significant change between runs.
func langSectionsData(t *testing.T, runs []Run) (*policy.Evaluation, *History) {
	t.Helper()
	for _, r := range runs[2].Records {
		r.CostUSD = 0 // unpriced
	}
	pruns := policyRuns(t, runs)
	ucs := []policy.UseCase{
		{Name: "triage", View: "all", MaxError: 0.5, ReviewCostUSD: 1, VolumePerMonth: 1000},         // automated
		{Name: "strict", View: "all", MaxError: 0.001, ReviewCostUSD: 1, VolumePerMonth: 1000},       // no threshold meets it
		{Name: "calls", View: "modality:audio", MaxError: 0.1, ReviewCostUSD: 1, VolumePerMonth: 10}, // no run answers it
	}
	ev := policy.Evaluate(ucs, pruns)
	if ev.UseCases[0].Recommendation == nil || !ev.UseCases[1].KeepHumans || !ev.UseCases[2].KeepHumans {
		t.Fatalf("use cases %+v", ev.UseCases)
	}
	// The same model a month later, answering every question right: a
	// significant change to follow.
	first, later := runs[0], Run{Dir: "runs/m-later"}
	acc := score.NewAccumulator()
	for _, r := range first.Records {
		c := *r
		c.Run, c.Answer = "m-later", eh.Answer(c.Gold)
		later.Records = append(later.Records, &c)
		if err := acc.Add(&c); err != nil {
			t.Fatal(err)
		}
	}
	later.Scores = acc.Close()
	first.Scores.Run.Started, later.Scores.Run.Started = "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"
	h, err := BuildHistory([]Run{first, later, runs[2]})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Models) != 2 || len(h.Models[0].Changes) == 0 {
		t.Fatalf("history %+v", h.Models)
	}
	return ev, h
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
