package main

import (
	"context"
	"fmt"
	"io"

	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/review"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/spf13/cobra"
)

const suiteFlagExamples = `  # pairs that most of three models contradict, to review first
  emohallucer suite flag runs/gpt4o runs/gemini runs/qwen --suite ./my-suite
  emohallucer suite flag runs/ --min-runs 3 --json | jq '.flagged[].pair'

  # review them first
  emohallucer suite flag runs/ --out flagged.txt
  emohallucer suite review sample ./my-suite --pairs flagged.txt --n 50 --out review.html`

// suiteFlagOptions are the resolved flags of "suite flag".
type suiteFlagOptions struct {
	Runs    []string
	Suite   string
	MinRuns int
	JSON    bool
	Out     string
}

func newSuiteFlagCmd() *cobra.Command {
	var o suiteFlagOptions
	cmd := &cobra.Command{
		Use:   "flag RUN...",
		Short: "List the pairs whose gold most model runs contradict, to review first",
		Long: `Read the records of run folders (or folders holding run folders) and list the
pairs where a strict majority of the runs that answered them contradict the
gold: they answer the basic question no or the hallucinated one yes. When
several models agree against a label, the label is the likelier error
(confident learning), so these pairs are the first to give a reviewer. An
unparsed answer is no disagreement, and a run with no parsed answer to a pair
does not count for it; --min-runs sets how many runs must have answered.
Pairs are ranked by the share of runs that contradict the gold, then by their
number. The question texts come from --suite, else from the suite the runs
recorded. Flagging never edits a suite; --out writes the flagged pair ids for
"suite review sample --pairs".`,
		Example: suiteFlagExamples,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Runs = args
			return suiteFlag(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Suite, "suite", "", `the suite the runs evaluated ("builtin" or a folder), for the question texts`)
	f.IntVar(&o.MinRuns, "min-runs", 2, "runs that must have answered a pair before it can be flagged")
	f.BoolVar(&o.JSON, "json", false, "print JSON")
	f.StringVar(&o.Out, "out", "", "also write the flagged pair ids to this file, one a line")
	return cmd
}

func suiteFlag(ctx context.Context, stdout io.Writer, o suiteFlagOptions) error {
	if o.MinRuns < 1 {
		return usagef("--min-runs must be at least 1")
	}
	dirs, err := rundir.FindAll(o.Runs)
	if err != nil {
		return err
	}
	runs := make([]report.Run, len(dirs))
	for i, d := range dirs {
		sc, err := rundir.ReadSummary(d)
		if err != nil {
			return err
		}
		runs[i] = report.Run{Dir: d, Scores: sc}
	}
	s, err := suiteForReport(ctx, o.Suite, runs)
	if err != nil {
		return err
	}
	flags, err := review.FlagRuns(dirs, review.FlagOptions{MinRuns: o.MinRuns, Suite: s})
	if err != nil {
		return err
	}
	if o.Out != "" {
		if err := flags.WritePairList(o.Out); err != nil {
			return err
		}
	}
	if o.JSON {
		return printJSON(stdout, flags)
	}
	if err := flags.WriteText(stdout); err != nil {
		return err
	}
	if s == nil {
		fmt.Fprintln(stdout, "\n(question texts not shown: give --suite; the runs did not record a suite folder that is still there)")
	}
	if o.Out != "" {
		fmt.Fprintf(stdout, "wrote %d pair id(s) to %s\n", len(flags.Flagged), o.Out)
	}
	return nil
}
