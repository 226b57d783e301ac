package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/suite"
	"github.com/spf13/cobra"
)

// loadSuite resolves a --suite value: "builtin" or a suite folder. Media are
// checked (existence, digest, confinement to the folder).
func loadSuite(ctx context.Context, spec string) (*eh.Suite, error) {
	if spec == builtin.Name {
		return builtin.Suite()
	}
	return suite.ReadContext(ctx, spec, suite.Options{})
}

func newSuiteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "suite",
		Short: "Validate, count, audit, export, review and flag suites",
	}
	cmd.AddCommand(newSuiteValidateCmd(), newSuiteStatsCmd(), newSuiteAuditCmd(), newSuiteExportCmd(),
		newSuiteReviewCmd(), newSuiteFlagCmd())
	return cmd
}

func newSuiteValidateCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate PATH",
		Short: "Check a suite folder and report every problem with file and line",
		Long: `Check a suite folder (or "builtin"): malformed JSON, duplicate pair ids,
missing or wrong gold answers (basic must be yes, hallucinated no), unknown
dimension, sub-category or modality, missing media, digest mismatches, and media
paths that escape the suite folder (refused). Exits 3 if anything is wrong.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSuite(cmd.Context(), args[0])
			probs, isProbs := err.(suite.Problems)
			if err != nil && !isProbs {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if probs == nil {
					probs = suite.Problems{}
				}
				if err := enc.Encode(map[string]any{"pairs": len(s.Pairs), "problems": []suite.Problem(probs)}); err != nil {
					return err
				}
			} else {
				for _, p := range probs {
					fmt.Fprintln(out, p)
				}
				if len(probs) == 0 {
					fmt.Fprintf(out, "%s: %d pairs, no problems\n", args[0], len(s.Pairs))
				}
			}
			if len(probs) > 0 {
				return eh.Errorf(eh.EINVALID, "%s: %d problem(s)", args[0], len(probs))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the problems as JSON")
	return cmd
}

func newSuiteStatsCmd() *cobra.Command {
	var (
		spec   string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Count the pairs of a suite by dimension, sub-category, modality and language (native: no translation_of)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSuite(cmd.Context(), spec)
			if err != nil {
				return err
			}
			st := suite.Count(s)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			fmt.Fprintf(out, "suite %s: %d pairs (%d questions)\n", s.Name, st.Pairs, 2*st.Pairs)
			for _, g := range []struct {
				name string
				m    map[string]int
			}{{"dimension", st.ByDimension}, {"subcategory", st.BySubCategory}, {"modality", st.ByModality}, {"lang", st.ByLang}, {"native", st.NativeByLang}} {
				keys := make([]string, 0, len(g.m))
				for k := range g.m {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					fmt.Fprintf(out, "  %-12s %-18s %6d\n", g.name, k, g.m[k])
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&spec, "suite", builtin.Name, `suite folder, or "builtin"`)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
