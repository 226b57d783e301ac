package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
	"github.com/emohallucer/emohallucer/score"
)

// maxDescriptions bounds the descriptions listed per run in the HTML report.
const maxDescriptions = 100

// describeRows are the formatted describe metrics of every run and view
// that has them, in report order.
func describeRows(runs []Run, views []string) [][]string {
	var out [][]string
	for i := range runs {
		for _, name := range views {
			v := runs[i].Scores.Views[name]
			if v == nil || v.Describe == nil {
				continue
			}
			b := v.Describe
			out = append(out, []string{runs[i].Label(), name, fmt.Sprint(b.Responses), fmt.Sprint(b.EmotionMentions),
				fmt.Sprint(b.HallucinatedMentions), fmt.Sprintf("%.3f", b.EmoCHAIRi), fmt.Sprintf("%.3f", b.EmoCHAIRs), fmt.Sprintf("%.3f", b.Coverage),
				judgeCell(b.Judge)})
		}
	}
	return out
}

// judgeCell is the judge's agreement with the lexicon: Cohen's kappa and
// the claims it rests on; "—" without a judge, "n/a" when kappa is
// undefined.
func judgeCell(j *score.JudgeAgreement) string {
	switch {
	case j == nil:
		return "—"
	case j.Kappa == nil:
		return fmt.Sprintf("n/a (%d)", j.Claims)
	}
	return fmt.Sprintf("%.3f (%d)", *j.Kappa, j.Claims)
}

// DescribeText writes the describe metrics of the runs that have them (run
// --task describe) in view, nothing for runs of yes/no questions alone;
// Text calls it.
func DescribeText(w io.Writer, runs []Run, view string) error {
	rows := describeRows(runs, []string{view})
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nopen-ended descriptions (EmoCHAIR-i: hallucinated mentions / mentions; EmoCHAIR-s: descriptions with one / descriptions; coverage: descriptions naming the gold / descriptions; judge κ: judge against lexicon)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(describeHeader(English), "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// describeSection is the HTML report's section on open-ended descriptions.
type describeSection struct {
	Header []string
	Rows   [][]string
	Lists  []describeList
}

// describeList shows one run's descriptions that hold a hallucinated
// mention.
type describeList struct {
	Label string
	Items []describeItem
	More  int // further such descriptions not shown
}

type describeItem struct {
	Pair, Gold string
	// Text is the escaped description with hallucinated mentions wrapped in
	// <mark>.
	Text template.HTML
}

func init() {
	addMessages(map[string]Msg{
		"desc.title": {En: "Open-ended descriptions", Ja: "自由記述", Zh: "开放式描述"},
		"desc.note": {
			En: "Rule emoclaims-v1 reads the emotions each description claims. EmoCHAIR-i: hallucinated mentions / mentions; EmoCHAIR-s: descriptions with a hallucinated mention / descriptions; coverage: descriptions naming the gold emotion / descriptions. Judge κ: Cohen's kappa of a judge model's supported/hallucinated verdicts against the lexicon's, over the claims it judged (README \"Open-ended descriptions\").",
			Ja: "規則 emoclaims-v1 で各記述が主張する情動を読み取ります。EmoCHAIR-i：ハルシネーションの言及数／言及数。EmoCHAIR-s：ハルシネーションの言及を含む記述数／記述数。カバレッジ：正解の情動に言及した記述数／記述数。判定 κ：判定モデルの「支持される／ハルシネーション」の判断と語彙規則の判断との Cohen の κ（判定した主張についての値。README「Open-ended descriptions」を参照）。",
			Zh: "规则 emoclaims-v1 读取每条描述所声称的情绪。EmoCHAIR-i：幻觉提及数／提及数；EmoCHAIR-s：含幻觉提及的描述数／描述数；覆盖率：提到标准情绪的描述数／描述数。评判 κ：评判模型“有依据／幻觉”的判断与词表规则判断之间的 Cohen κ（仅就其评判过的主张计算；见 README “Open-ended descriptions”）。",
		},
		"desc.list":             {En: "%s: descriptions with hallucinated emotions (marked)", Ja: "%s：ハルシネーションの情動を含む記述（強調表示）", Zh: "%s：含幻觉情绪的描述（已标出）"},
		"desc.more":             {En: "%d more not shown.", Ja: "ほか %d 件は表示していません。", Zh: "另有 %d 条未显示。"},
		"desc.gold":             {En: "gold: %s", Ja: "正解：%s", Zh: "标准答案：%s"},
		"desc.allowed":          {En: "%s (also allowed: %s)", Ja: "%s（許容：%s）", Zh: "%s（亦可：%s）"},
		"desc.col.model":        {En: "model", Ja: "モデル", Zh: "模型"},
		"desc.col.view":         {En: "view", Ja: "ビュー", Zh: "视图"},
		"desc.col.responses":    {En: "responses", Ja: "記述数", Zh: "描述数"},
		"desc.col.mentions":     {En: "mentions", Ja: "言及数", Zh: "提及数"},
		"desc.col.hallucinated": {En: "hallucinated", Ja: "ハルシネーション", Zh: "幻觉"},
		"desc.col.chair_i":      {En: "EmoCHAIR-i", Name: true},
		"desc.col.chair_s":      {En: "EmoCHAIR-s", Name: true},
		"desc.col.coverage":     {En: "coverage", Ja: "カバレッジ", Zh: "覆盖率"},
		"desc.col.judge":        {En: "judge κ (claims)", Ja: "判定 κ（主張数）", Zh: "评判 κ（主张数）"},
	})
}

// describeColumns are the message ids of the describe metrics' columns.
var describeColumns = []string{"desc.col.model", "desc.col.view", "desc.col.responses", "desc.col.mentions",
	"desc.col.hallucinated", "desc.col.chair_i", "desc.col.chair_s", "desc.col.coverage", "desc.col.judge"}

// describeHeader is the row of column names in lang.
func describeHeader(lang Lang) []string {
	header := make([]string, len(describeColumns))
	for i, id := range describeColumns {
		header[i] = t(lang, id)
	}
	return header
}

// describeBlock builds the section in the report's language; nil when no run
// has descriptions.
func describeBlock(runs []Run, views []string, lang Lang) *describeSection {
	rows := describeRows(runs, views)
	if len(rows) == 0 {
		return nil
	}
	d := &describeSection{Header: describeHeader(lang), Rows: rows}
	for i := range runs {
		l := describeList{Label: runs[i].Label()}
		for _, r := range runs[i].Records {
			if r.Role != eh.Describe || r.Status != eh.StatusAnswered {
				continue
			}
			text, n := highlight(r)
			if n == 0 {
				continue
			}
			if len(l.Items) == maxDescriptions {
				l.More++
				continue
			}
			gold := strings.Join(r.Labels, ", ")
			if len(r.Allowed) > 0 {
				gold = t(lang, "desc.allowed", gold, strings.Join(r.Allowed, ", "))
			}
			l.Items = append(l.Items, describeItem{Pair: r.Pair, Gold: gold, Text: text})
		}
		if len(l.Items) > 0 {
			d.Lists = append(d.Lists, l)
		}
	}
	return d
}

// highlight escapes a description (bounded to maxShown bytes) and wraps
// each hallucinated mention in <mark>; n counts them. Model text is
// untrusted: every byte of it goes through template.HTMLEscapeString.
func highlight(r *eh.Record) (template.HTML, int) {
	// Valid UTF-8 first: the claim rule's offsets are into valid text.
	raw := strings.ToValidUTF8(r.Raw, "\uFFFD")
	if len(raw) > maxShown {
		raw = strings.ToValidUTF8(raw[:maxShown], "") + "…"
	}
	claims, _ := extract.ClaimsBy(r.Rule, raw)
	var b strings.Builder
	at, n := 0, 0
	for _, c := range claims {
		if extract.Supported(c.Label, r.Labels, r.Allowed) {
			continue
		}
		n++
		b.WriteString(template.HTMLEscapeString(raw[at:c.Start]))
		fmt.Fprintf(&b, `<mark title="%s">%s</mark>`, template.HTMLEscapeString(c.Label), template.HTMLEscapeString(raw[c.Start:c.End]))
		at = c.End
	}
	b.WriteString(template.HTMLEscapeString(raw[at:]))
	return template.HTML(b.String()), n
}

// describeViews are the views whose describe metrics the HTML report
// shows: all, and the language, emotion and source views.
func describeViews(views []string) []string {
	var out []string
	for _, v := range views {
		if v == score.ViewAll || strings.HasPrefix(v, "lang:") || strings.HasPrefix(v, "emotion:") || strings.HasPrefix(v, "source:") {
			out = append(out, v)
		}
	}
	return out
}
