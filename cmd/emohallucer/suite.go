package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/suite"
	"github.com/spf13/cobra"
)

// loadSuite resolves a --suite value: "builtin" or a suite folder (or its
// suite.jsonl, see suiteDir). Media are checked (existence, digest,
// confinement to the folder).
func loadSuite(ctx context.Context, spec string) (*eh.Suite, error) {
	if spec == builtin.Name {
		return builtin.Suite()
	}
	return suite.ReadContext(ctx, suiteDir(spec), suite.Options{})
}

// suiteDir takes DIR/suite.jsonl as DIR: users point at the file they see
// (tab completion ends there), and the suite is its folder either way, so the
// run id and run.json name the same suite for both spellings.
func suiteDir(spec string) string {
	if filepath.Base(spec) == suite.FileName {
		if st, err := os.Stat(spec); err == nil && st.Mode().IsRegular() {
			return filepath.Dir(spec)
		}
	}
	return spec
}

// suiteArg is the suite of a command that takes it as an optional positional
// argument or --suite (the older spelling, kept): giving both, differently,
// is a usage error rather than one silently winning.
func suiteArg(cmd *cobra.Command, args []string, flag string) (string, error) {
	if len(args) == 0 {
		return flag, nil
	}
	if cmd.Flags().Changed("suite") && flag != args[0] {
		return "", usagef("give the suite once: %s as argument, or --suite %s", args[0], flag)
	}
	return args[0], nil
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
		Use:     "validate PATH",
		Example: "  emohallucer suite validate ./mysuite\n  emohallucer suite validate ./mysuite/suite.jsonl --json",
		Short:   "Check a suite folder and report every problem with file and line",
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
				if probs == nil {
					probs = suite.Problems{}
				}
				if err := printJSON(out, map[string]any{"pairs": len(s.Pairs), "problems": []suite.Problem(probs)}); err != nil {
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
		Use:   "stats [PATH]",
		Short: "Count the pairs of a suite by dimension, sub-category, modality and language (native: no translation_of)",
		Long: `Count the pairs of a suite (a folder, its suite.jsonl, or "builtin"; default
builtin) by dimension, sub-category, modality and language; native pairs are
those with no translation_of.`,
		Example: "  emohallucer suite stats ./mysuite\n  emohallucer suite stats builtin --json",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := suiteArg(cmd, args, spec)
			if err != nil {
				return err
			}
			s, err := loadSuite(cmd.Context(), spec)
			if err != nil {
				return err
			}
			st := suite.Count(s)
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, st)
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
	cmd.Flags().StringVar(&spec, "suite", builtin.Name, `suite folder, or "builtin" (or give it as the argument)`)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
