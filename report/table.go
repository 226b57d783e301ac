// Package report renders finished scores for people: the paper-style table in
// plain text and Markdown (and, in html.go, a self-contained HTML report). It never
// computes a metric: everything it shows comes from score.Scores.
package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/score"
)

// Run is one run's scores and where they came from.
type Run struct {
	// Dir is the run folder (or file) the scores were read from.
	Dir    string
	Scores *score.Scores
	// Meta is the model's metadata from run.json, when known.
	Meta *Meta
	// Records are the run's records, loaded for the HTML report's error browser,
	// strategy comparisons and risk–coverage curves; nil elsewhere.
	Records []*eh.Record
}

// Label names a run in tables: its model, and its strategy when not direct.
func (r *Run) Label() string { return modelLabel(r.Scores.Run.Model, r.Scores.Run.Strategy) }

// modelLabel is a model's name, with the strategy when not direct.
func modelLabel(model, strategy string) string {
	if strategy != "" && strategy != "direct" {
		return model + " [" + strategy + "]"
	}
	return model
}

// row holds the formatted cells of one run in one view.
func row(r *Run, view string, l Lang) []string {
	v := r.Scores.Views[view]
	if v == nil {
		return []string{r.Label(), "—", "—", "—", "—", "—", "—", t(l, "cell.all"), "—"}
	}
	if v.Pairs == 0 {
		return []string{r.Label(), "—", "—", "—", "—", "—", "—", fmt.Sprint(v.NotEvaluated), fmt.Sprint(v.Errors)}
	}
	fp := "—"
	if v.FPRatio != nil {
		fp = fmt.Sprintf("%.2f (%d/%d)", *v.FPRatio, v.WrongYes, v.Wrong)
	}
	return []string{
		r.Label(),
		fmt.Sprintf("%+.2f", v.PctDiff),
		fp,
		fmt.Sprintf("%.2f (%d/%d)", v.BasicAcc, v.BasicCorrect, v.Pairs),
		fmt.Sprintf("%.2f (%d/%d)", v.HallucinatedAcc, v.HallucinatedCorrect, v.Pairs),
		fmt.Sprintf("%.2f [%.1f, %.1f]", v.OverallAcc, v.OverallCI95[0], v.OverallCI95[1]),
		fmt.Sprintf("%d/%d", v.Unparsed, v.Questions),
		fmt.Sprint(v.NotEvaluated),
		fmt.Sprint(v.Errors),
	}
}

// header names the table columns; "not eval." counts questions of a modality
// the model cannot take, which are never counted wrong.
func header(l Lang) []string {
	var out []string
	for _, id := range []string{"model", "pct_diff", "fp_ratio", "basic", "hallucinated", "overall_ci", "unparsed", "not_eval", "errors"} {
		out = append(out, t(l, "col."+id))
	}
	return out
}

// MultiSuite reports whether the runs come from more than one suite; tables
// then name each run's suite, since the same model on two suites is two rows
// that are not comparable.
func MultiSuite(runs []Run) bool {
	for i := range runs {
		if runs[i].Scores.Run.Suite != runs[0].Scores.Run.Suite {
			return true
		}
	}
	return false
}

// runNames names each run for the HTML report's filters and notes: its label,
// and its suite when the runs come from several.
func runNames(runs []Run) []string {
	multi := MultiSuite(runs)
	out := make([]string, len(runs))
	for i := range runs {
		out[i] = runs[i].Label()
		if multi {
			out[i] += " · " + runs[i].Scores.Run.Suite
		}
	}
	return out
}

// withSuite inserts the suite column after the model when the runs come from
// several suites.
func withSuite(multi bool, cells []string, suite string) []string {
	if !multi {
		return cells
	}
	return append([]string{cells[0], suite}, cells[1:]...)
}

// Text writes the table of one view as aligned plain text.
//
// Runs with descriptions (run --task describe) get their describe metrics
// in a second table.
func Text(w io.Writer, runs []Run, view string) error {
	fmt.Fprintf(w, "view: %s\n", view)
	multi := MultiSuite(runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(withSuite(multi, header(English), "suite"), "\t"))
	for i := range runs {
		fmt.Fprintln(tw, strings.Join(withSuite(multi, row(&runs[i], view, English), runs[i].Scores.Run.Suite), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return DescribeText(w, runs, view)
}

// Markdown writes one table per view, for every view any run has, in report
// order, in English.
func Markdown(w io.Writer, runs []Run) error {
	return MarkdownIn(w, runs, English)
}

// MarkdownIn is Markdown in language l: its headings, explanations and column
// names; names and values stay as they are.
func MarkdownIn(w io.Writer, runs []Run, l Lang) error {
	fmt.Fprintln(w, "# "+t(l, "title"))
	fmt.Fprintln(w)
	fmt.Fprintln(w, t(l, "md.intro"))
	fmt.Fprintln(w)
	var cols []string
	for _, id := range []string{"run", "suite", "strategy", "rule", "records", "calls", "cached", "cost_usd"} {
		cols = append(cols, t(l, "col."+id))
	}
	fmt.Fprintln(w, "| "+strings.Join(cols, " | ")+" |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |")
	for i := range runs {
		r := runs[i].Scores.Run
		fmt.Fprintf(w, "| %s | %s | %s | %s | %d | %d | %d | %.4f |\n", mdCell(r.ID), mdCell(r.Suite), mdCell(r.Strategy), mdCell(r.Rule), r.Records, r.Calls, r.CachedCalls, r.CostUSD)
	}
	multi := MultiSuite(runs)
	for _, view := range Views(runs) {
		fmt.Fprintf(w, "\n## %s\n\n", mdCell(view))
		fmt.Fprintln(w, "| "+strings.Join(withSuite(multi, header(l), t(l, "col.suite")), " | ")+" |")
		fmt.Fprintln(w, "| "+strings.Join(withSuite(multi, strings.Fields("--- ---: ---: ---: ---: ---: ---: ---: ---:"), "---"), " | ")+" |")
		for i := range runs {
			cells := withSuite(multi, row(&runs[i], view, l), runs[i].Scores.Run.Suite)
			for j := range cells {
				cells[j] = mdCell(cells[j])
			}
			fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
		}
	}
	return nil
}

// Views lists every view any run has, in report order.
func Views(runs []Run) []string {
	seen := map[string]*score.View{}
	for _, r := range runs {
		for name := range r.Scores.Views {
			seen[name] = nil
		}
	}
	return score.OrderViews(seen)
}

// mdCell keeps a value from breaking a Markdown table or becoming live HTML
// where the Markdown is rendered (model names and run ids are user input).
func mdCell(s string) string {
	return mdEscaper.Replace(s)
}

var mdEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "&", "&amp;", "<", "&lt;", ">", "&gt;")
