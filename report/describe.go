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

// describeHeader are the columns of the describe metrics.
var describeHeader = []string{"model", "view", "responses", "mentions", "hallucinated", "EmoCHAIR-i", "EmoCHAIR-s", "coverage", "judge κ (claims)"}

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
	fmt.Fprintln(tw, strings.Join(describeHeader, "\t"))
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

// describeBlock builds the section; nil when no run has descriptions.
func describeBlock(runs []Run, views []string) *describeSection {
	rows := describeRows(runs, views)
	if len(rows) == 0 {
		return nil
	}
	d := &describeSection{Header: describeHeader, Rows: rows}
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
				gold += " (also allowed: " + strings.Join(r.Allowed, ", ") + ")"
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
