package main

import (
	"fmt"
	"io"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/score"
	"github.com/spf13/cobra"
)

// regressionGate is compare --fail-on-regression: B must not be worse than A
// by more than Points percentage points of overall accuracy with McNemar's
// p < Alpha, on View or (View empty) on any view.
type regressionGate struct {
	Points float64
	Alpha  float64
	View   string
}

// addRegressionFlags adds the gate's flags to compare.
func addRegressionFlags(cmd *cobra.Command, g *regressionGate) {
	cmd.Flags().Float64Var(&g.Points, "fail-on-regression", 0, "exit 4 when B's overall accuracy is lower than A's by more than this many percentage points with McNemar p < --alpha (on --view, else on any view)")
	cmd.Flags().Float64Var(&g.Alpha, "alpha", 0.05, "significance level of the regression gate")
	cmd.Flags().StringVar(&g.View, "view", "", "view the regression gate checks (default: every view)")
}

// check runs the gate on the comparison of runs a and b when
// --fail-on-regression was given; out receives one line per regressed view
// (nil: the error alone says it, as with --json).
func (g regressionGate) check(cmd *cobra.Command, a, b string, cmps []score.Comparison, out io.Writer) error {
	if !cmd.Flags().Changed("fail-on-regression") {
		if cmd.Flags().Changed("view") || cmd.Flags().Changed("alpha") {
			return usagef("--view and --alpha belong to --fail-on-regression")
		}
		return nil
	}
	switch {
	case g.Points < 0:
		return usagef("--fail-on-regression must be at least 0 points, not %g", g.Points)
	case g.Alpha <= 0 || g.Alpha >= 1:
		return usagef("--alpha must be in (0, 1), not %g", g.Alpha)
	case g.View != "" && !score.ValidView(g.View):
		return usagef("unknown view %q", g.View)
	}
	var regressed []string
	found := false
	for _, c := range cmps {
		if g.View != "" && c.View != g.View {
			continue
		}
		found = true
		if -c.DeltaOverall > g.Points && c.McNemarP < g.Alpha {
			regressed = append(regressed, fmt.Sprintf("%s %.2f → %.2f (%+.2f points, McNemar p %.3g)", c.View, c.OverallA, c.OverallB, c.DeltaOverall, c.McNemarP))
		}
	}
	if !found {
		return usagef("%s and %s share no scored pair on view %s", a, b, g.View)
	}
	if out != nil {
		if len(regressed) == 0 {
			fmt.Fprintf(out, "regression gate: no view lost more than %g points at p < %g\n", g.Points, g.Alpha)
		}
		for _, r := range regressed {
			fmt.Fprintf(out, "regressed: %s\n", r)
		}
	}
	if len(regressed) > 0 {
		return eh.Errorf(eh.ETHRESHOLD, "B (%s) regressed against A (%s) by more than %g points at p < %g on %d view(s): %s",
			b, a, g.Points, g.Alpha, len(regressed), strings.Join(regressed, "; "))
	}
	return nil
}
