package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/score"
	"github.com/spf13/cobra"
)

func newCompareCmd() *cobra.Command {
	var (
		asJSON bool
		by     string
		gate   regressionGate
	)
	cmd := &cobra.Command{
		Use:   "compare RUN_A RUN_B | compare --by lang RUN [RUN]",
		Short: "Compare two runs on the pairs both scored: Δ overall with CI, McNemar p, cost ratio",
		Long: `Compare two runs of the same suite pair by pair, for every view: the change in
overall (pair) accuracy from A to B in percentage points with a paired bootstrap
95% CI, McNemar's p on pair correctness, and the cost ratio B/A. Everything,
costs included, is counted on the pairs both runs answered, so a strategy run
of a subset is set against the direct run on that subset. The last line gives
calls (with the cache hits among them: a record counts the calls its strategy
made and which of them the response cache answered), tokens, dollars and
latency per question. The cost ratio is in USD when both runs were priced and
no shared question came from the cache, else in tokens, else in calls.
Typical use: a strategy against direct prompting.

  emohallucer run --model M --out runs/direct
  emohallucer run --model M --strategy pep-mek --out runs/pepmek
  emohallucer compare runs/direct runs/pepmek

With --by lang, compare the languages of one run (or of two runs of different
languages, pooled) on the facts asked in several of them: per language pair the
paired difference in pair accuracy, McNemar's p and the consistency.

  emohallucer compare --by lang runs/gpt4o

As a CI gate, --fail-on-regression POINTS exits 4 when B's overall accuracy
is below A's by more than POINTS percentage points with McNemar's p < --alpha
(default 0.05), on --view or on any view, and names the views that regressed:

  emohallucer compare runs/gpt-old runs/gpt-new --fail-on-regression 2 --view perception`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if by == "lang" {
				return compareLangsCommand(cmd.OutOrStdout(), args, asJSON)
			}
			if by != "" || len(args) != 2 {
				return usagef("compare takes two runs, or --by lang and one or two runs")
			}
			cmps, err := compareCommand(cmd.OutOrStdout(), args[0], args[1], asJSON)
			if err != nil {
				return err
			}
			var out io.Writer
			if !asJSON {
				out = cmd.OutOrStdout()
			}
			return gate.check(cmd, args[0], args[1], cmps, out)
		},
	}
	cmd.Flags().StringVar(&by, "by", "", `"lang": compare the languages of the runs on the same facts instead of two runs`)
	addRegressionFlags(cmd, &gate)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (keys view, delta_overall, delta_ci95, mcnemar_p, cost_ratio, cost_basis, calls_a, cache_hits_a, tokens_a, …)")
	return cmd
}

// compareCommand reads runs a and b, prints their comparison and returns
// it, for the regression gate to check without reading the runs again.
func compareCommand(w io.Writer, a, b string, asJSON bool) ([]score.Comparison, error) {
	accA, err := rundir.Accumulate([]string{a}, nil, nil)
	if err != nil {
		return nil, err
	}
	accB, err := rundir.Accumulate([]string{b}, nil, nil)
	if err != nil {
		return nil, err
	}
	cmps := score.Compare(accA, accB)
	if len(cmps) == 0 {
		return nil, usagef("%s and %s share no scored pair; compare runs of the same suite", a, b)
	}
	if asJSON {
		return cmps, printJSON(w, cmps)
	}
	fmt.Fprintf(w, "A = %s\nB = %s\n", a, b)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "view\tpairs\tA overall\tB overall\tΔ (B−A) [95% CI]\tonly A/only B\tMcNemar p\tcost B/A")
	for _, c := range cmps {
		ratio := "—"
		if c.CostRatio != nil {
			ratio = fmt.Sprintf("%.2f×", *c.CostRatio)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%+.2f [%+.1f, %+.1f]\t%d/%d\t%.4g\t%s\n",
			c.View, c.Pairs, c.OverallA, c.OverallB, c.DeltaOverall, c.DeltaCI95[0], c.DeltaCI95[1], c.OnlyA, c.OnlyB, c.McNemarP, ratio)
	}
	if err := tw.Flush(); err != nil {
		return nil, err
	}
	_, err = fmt.Fprintln(w, report.CostLine(cmps[0]))
	return cmps, err
}

// compareLangsCommand compares the languages of the pooled runs.
func compareLangsCommand(w io.Writer, runs []string, asJSON bool) error {
	var accs []*score.Accumulator
	for _, r := range runs {
		acc, err := rundir.Accumulate([]string{r}, nil, nil)
		if err != nil {
			return err
		}
		accs = append(accs, acc)
	}
	c, err := score.CrosslingualOf(accs...)
	if err != nil {
		return err
	}
	if c == nil {
		return usagef("%s: no fact was scored in two languages; run a suite with renderings (translation_of), such as builtin", strings.Join(runs, ", "))
	}
	return score.WriteCrosslingual(w, c, asJSON)
}
