package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sort"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/review"
	"github.com/spf13/cobra"
)

const suiteReviewExamples = `  # a page of 100 pairs for each reviewer; both judge the same sample
  emohallucer suite review sample ./my-suite --n 100 --seed 1 --out review-ana.html --rater ana
  emohallucer suite review sample ./my-suite --n 100 --seed 1 --out review-ben.html --rater ben

  # the pairs most model runs contradict first, then a stratified sample
  emohallucer suite flag runs/ --out flagged.txt
  emohallucer suite review sample ./my-suite --pairs flagged.txt --n 60 --out review.html

  # validity and agreement from the exported verdict files
  emohallucer suite review agree verdicts-ana.jsonl verdicts-ben.jsonl --suite ./my-suite

  # leave out what the reviewers did not judge valid
  emohallucer build --out ./my-suite-reviewed --from … --exclude verdicts-ana.jsonl --exclude verdicts-ben.jsonl`

func newSuiteReviewCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Review pairs by hand and measure validity and agreement",
		Long: `Human review of a suite's gold answers. "sample" writes a self-contained page
showing a seeded sample of pairs, stratified by source and sub-category, on
which a reviewer judges each pair valid, ambiguous or wrong with the keyboard
and exports the verdicts as JSONL. "agree" reads the verdict files of one or
more reviewers and reports validity with Wilson 95 % intervals and agreement
between them (Cohen's kappa, Fleiss' kappa, Krippendorff's alpha), overall,
per source and per sub-category. build --exclude and run --exclude then leave
out the pairs a strict majority of their reviewers did not judge valid.`,
		Example: suiteReviewExamples,
	}
	cmd.AddCommand(newReviewSampleCmd(), newReviewAgreeCmd())
	return cmd
}

// reviewSampleOptions are the resolved flags of "suite review sample".
type reviewSampleOptions struct {
	Suite string
	N     int
	Seed  uint64
	Out   string
	Rater string
	Pairs string
}

func newReviewSampleCmd() *cobra.Command {
	var o reviewSampleOptions
	cmd := &cobra.Command{
		Use:   "sample SUITE --out review.html",
		Short: "Write a review page of a seeded, stratified sample of pairs",
		Long: `Write one self-contained HTML page (no network: styles, script and media are
inside it) showing --n pairs of SUITE ("builtin" or a folder) drawn with
--seed, stratified by source and sub-category so that every source appears.
Each pair shows its context, media, both questions with their gold answers
and the explanation. Keys: 1 valid, 2 ambiguous, 3 wrong, j/k or the arrows
to move, u the next unjudged pair, n a note, p play, e export. Verdicts are
kept in the browser's storage, so a reload loses nothing; Export downloads
JSONL lines {"pair", "verdict", "rater", "note", "source", "subcategory"}.
The same suite, --n and --seed give the same pairs, so reviewers who are
given pages with the same seed judge the same sample.`,
		Example: suiteReviewExamples,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Suite = args[0]
			return reviewSample(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.N, "n", 100, "pairs to show")
	f.Uint64Var(&o.Seed, "seed", 1, "seed of the sample")
	f.StringVar(&o.Out, "out", "", "the page to write (required)")
	f.StringVar(&o.Rater, "rater", "", "the reviewer's name, suggested by the page (asked once when empty)")
	f.StringVar(&o.Pairs, "pairs", "", "a file of pair ids (one a line, as suite flag --out writes) shown first")
	return cmd
}

func reviewSample(ctx context.Context, stdout io.Writer, o reviewSampleOptions) error {
	if o.Out == "" {
		return usagef("suite review sample: --out is required")
	}
	s, err := loadSuite(ctx, o.Suite)
	if err != nil {
		return err
	}
	var first []string
	if o.Pairs != "" {
		if first, err = review.ReadPairList(o.Pairs); err != nil {
			return err
		}
	}
	picked, err := review.Sample(s.Pairs, o.N, o.Seed, first)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := review.WritePage(&buf, picked, review.PageOptions{Suite: s.Name, Dir: s.Dir, Seed: o.Seed, Rater: o.Rater}); err != nil {
		return err
	}
	if err := os.WriteFile(o.Out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	bySource := map[string]int{}
	for _, p := range picked {
		bySource[review.SourceOf(p)]++
	}
	names := make([]string, 0, len(bySource))
	for n := range bySource {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(stdout, "wrote %s: %d pairs of suite %s (seed %d", o.Out, len(picked), s.Name, o.Seed)
	for _, n := range names {
		fmt.Fprintf(stdout, "; %s %d", n, bySource[n])
	}
	fmt.Fprintf(stdout, "), %d KB\n", buf.Len()/1024)
	return nil
}

// reviewAgreeOptions are the resolved flags of "suite review agree".
type reviewAgreeOptions struct {
	Files  []string
	Suite  string
	JSON   bool
	Binary bool
}

func newReviewAgreeCmd() *cobra.Command {
	var o reviewAgreeOptions
	cmd := &cobra.Command{
		Use:   "agree FILE...",
		Short: "Validity and agreement between reviewers from verdict files",
		Long: `Read verdict JSONL files (from the review page's Export) and report, overall,
per source and per sub-category:

  validity   the share of pairs a strict majority of their raters judged
             valid, with a Wilson 95 % interval, and each rater's own share;
  agreement  Cohen's kappa when exactly two raters judged the group,
             Fleiss' kappa over the pairs with the most common number of
             ratings (at least two), and Krippendorff's alpha (nominal) over
             every pair with two ratings or more, missing ratings allowed.

Every number comes with the counts it was computed from. A later verdict of
the same rater on the same pair replaces an earlier one (files are read in the
order given). With --suite, sources and sub-categories come from the suite and
a verdict on a pair it does not hold is an error; without it they come from
the verdict lines. --binary measures agreement on valid vs not valid.`,
		Example: suiteReviewExamples,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Files = args
			return reviewAgree(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Suite, "suite", "", `the suite reviewed ("builtin" or a folder): sources and sub-categories from it`)
	f.BoolVar(&o.JSON, "json", false, "print JSON")
	f.BoolVar(&o.Binary, "binary", false, "measure agreement on valid vs not valid instead of the three verdicts")
	return cmd
}

func reviewAgree(ctx context.Context, stdout io.Writer, o reviewAgreeOptions) error {
	vs, err := review.ReadVerdicts(o.Files)
	if err != nil {
		return err
	}
	var s *eh.Suite
	if o.Suite != "" {
		if s, err = loadSuite(ctx, o.Suite); err != nil {
			return err
		}
	}
	a, err := review.Agree(vs, review.AgreeOptions{Suite: s, Binary: o.Binary})
	if err != nil {
		return err
	}
	if o.JSON {
		return printJSON(stdout, a)
	}
	return a.WriteText(stdout)
}
