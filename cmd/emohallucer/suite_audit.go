package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/audit"
	"github.com/spf13/cobra"
)

const suiteAuditExamples = `  # audit the suite embedded in the binary
  emohallucer suite audit builtin

  # audit a built suite folder, machine-readable, failing CI on a leak
  emohallucer suite audit ./my-suite --json --strict | jq '.artifact_accuracy'`

// suiteAuditOptions are the resolved flags of "suite audit".
type suiteAuditOptions struct {
	Suite  string
	JSON   bool
	Seed   int64
	Folds  int
	List   int
	Strict bool
}

func newSuiteAuditCmd() *cobra.Command {
	var o suiteAuditOptions
	cmd := &cobra.Command{
		Use:   "audit [PATH]",
		Short: "Check a suite for duplicates, imbalance and wording that gives answers away",
		Long: `Audit a suite before trusting scores on it. Reports gold yes/no balance, exact and
near-duplicate questions, the length difference between hallucinated and basic
questions, and a question-only artifact test: a naive Bayes classifier on words and
word pairs, cross-validated with folds split by pair, that tries to tell basic from
hallucinated questions without seeing the input. Accuracy near 0.5 (compare the
permuted-roles baseline) means the wording leaks nothing; above 0.60 it leaks, and
the listed tokens and one-sided swap terms show where.

For pairs with a text passage it also runs the context-overlap baseline: answer
yes to the question that shares more content words (stop words dropped,
inflections folded) with the passage and no to the other, a guess on a tie. Its
pair accuracy (chance 0.25) shows how far word matching alone gets; above 0.40
overall or 0.45 in a sub-category the pairs can be solved without reading.`,
		Example: suiteAuditExamples,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.Suite, err = suiteArg(cmd, args, o.Suite); err != nil {
				return err
			}
			return suiteAudit(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Suite, "suite", "builtin", `suite to audit: "builtin" or a suite folder (or give it as the argument)`)
	f.BoolVar(&o.JSON, "json", false, "print the report as JSON")
	f.Int64Var(&o.Seed, "seed", 1, "seed for folds, bootstrap and the permutation baseline")
	f.IntVar(&o.Folds, "folds", 10, "cross-validation folds (split by pair)")
	f.IntVar(&o.List, "list", 50, "list at most this many duplicate groups and near-duplicates (counts are always complete; -1 for all)")
	f.BoolVar(&o.Strict, "strict", false, "fail (exit 3) when gold answers are unbalanced, questions repeat, the artifact accuracy is above 0.60, or the context-overlap baseline is above 0.40 overall or 0.45 in a sub-category, in the whole suite or in any of its languages")
	return cmd
}

// suiteAudit loads the suite, audits it and writes the report to w.
func suiteAudit(ctx context.Context, w io.Writer, o suiteAuditOptions) error {
	s, err := loadSuite(ctx, o.Suite)
	if err != nil {
		return err
	}
	r := audit.Run(s, audit.Options{Seed: o.Seed, Folds: o.Folds, MaxListed: o.List})
	if o.JSON {
		if err := printJSON(w, r); err != nil {
			return fmt.Errorf("write audit report: %w", err)
		}
	} else if err := r.WriteText(w); err != nil {
		return fmt.Errorf("write audit report: %w", err)
	}
	if o.Strict {
		if fails := auditFailures(&r); len(fails) > 0 {
			return eh.Errorf(eh.EINVALID, "suite %s fails the audit: %s", r.Suite, strings.Join(fails, "; "))
		}
	}
	return nil
}

// auditFailures lists what --strict refuses.
func auditFailures(r *audit.Report) []string {
	var out []string
	if r.GoldYes != r.GoldNo {
		out = append(out, fmt.Sprintf("gold answers unbalanced (%d yes, %d no)", r.GoldYes, r.GoldNo))
	}
	if r.Duplicates > 0 {
		out = append(out, fmt.Sprintf("%d duplicate questions", r.Duplicates))
	}
	if r.Folds > 0 && r.ArtifactAccuracy > audit.ArtifactThreshold {
		out = append(out, fmt.Sprintf("question-only artifact accuracy %.3f > %.2f", r.ArtifactAccuracy, audit.ArtifactThreshold))
	}
	out = append(out, r.OverlapFailures()...)
	return append(out, r.LangFailures()...)
}
