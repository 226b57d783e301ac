package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"text/tabwriter"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/builder"
	"github.com/emohallucer/emohallucer/review"
	"github.com/spf13/cobra"
)

const buildExamples = `  # build a suite from the datasets you have (any subset of importers)
  emohallucer build --out ./my-suite \
    --from ravdess=~/data/RAVDESS --from cremad=~/data/CREMA-D \
    --from ferplus=~/data/FERPlus --from soul=~/data/SOUL --seed 1

  # your own labelled media (see README: csv importer)
  emohallucer build --out ./custom --from csv=./labels.csv

  # check it, then run a model on it
  emohallucer suite validate ./my-suite
  emohallucer suite audit --suite ./my-suite
  emohallucer run --suite ./my-suite --model openai:gpt-4o-mini`

// buildOptions are the resolved flags of "build".
type buildOptions struct {
	Out         string
	From        []string
	Seed        int64
	MaxPerLabel int
	Quiet       bool
	// Exclude are verdict files of a human review (suite review).
	Exclude []string
}

func newBuildCmd() *cobra.Command {
	var o buildOptions
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build a perception suite from labelled datasets",
		Long: `Build a suite folder (suite.jsonl, media/ and manifest.json) from labelled datasets.
Each --from NAME=PATH runs one importer: ` + strings.Join(builder.Names(), ", ") + `.
Wrong answers are drawn from a table of confusable labels with the seed, balanced so
that every label appears as often in hallucinated questions as in basic ones. Items
that cannot be used (corrupt or truncated media, acted and perceived labels that
disagree) are skipped and listed in manifest.json with their path and reason. The
same sources and seed give a byte-identical folder. CREMA-D video is converted to
MP4 with ffmpeg, which must be installed for it.`,
		Example: buildExamples,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return build(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "", "suite folder to write (replaced if it holds an earlier build)")
	f.StringArrayVar(&o.From, "from", nil, "NAME=PATH of a dataset to import (repeatable); names: "+strings.Join(builder.Names(), ", "))
	f.Int64Var(&o.Seed, "seed", 1, "seed for the wrong-answer choices and sampling")
	f.IntVar(&o.MaxPerLabel, "max-per-label", 0, "use at most this many items per gold label and dataset (0: all)")
	f.BoolVar(&o.Quiet, "quiet", false, "print no progress or dropped-item lines on stderr")
	f.StringArrayVar(&o.Exclude, "exclude", nil, "verdict file of a human review (repeatable): leave out pairs a strict majority of their raters did not judge valid")
	return cmd
}

// build resolves the sources, runs the build and prints a summary to stdout.
func build(ctx context.Context, o buildOptions, stdout, stderr io.Writer) error {
	if o.Out == "" {
		return eh.Errorf(eh.EINVALID, "build: --out is required")
	}
	if o.MaxPerLabel < 0 {
		return eh.Errorf(eh.EINVALID, "build: --max-per-label must not be negative")
	}
	var sources []builder.Source
	for _, spec := range o.From {
		s, err := builder.ParseSource(spec)
		if err != nil {
			return err
		}
		sources = append(sources, s)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if o.Quiet {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := builder.Build(ctx, builder.Config{Out: o.Out, Sources: sources, Seed: o.Seed, MaxPerLabel: o.MaxPerLabel, Log: log, Exclude: o.Exclude})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "source\tpairs\tdropped\tskipped\tfiles read")
	for _, s := range m.Sources {
		skipped := 0
		for _, n := range s.Skipped {
			skipped += n
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", s.Name, s.Pairs, s.Dropped, skipped, s.FilesRead)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(o.Exclude) > 0 {
		fmt.Fprintln(stdout, review.ExcludedNote(o.Exclude, m.Excluded))
	}
	var mods []string
	for k, n := range m.Totals.ByModality {
		mods = append(mods, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(mods)
	fmt.Fprintf(stdout, "wrote %s: %d pairs (%s), %d media files; dropped items and reasons in %s\n",
		o.Out, m.Totals.Pairs, strings.Join(mods, ", "), m.Totals.MediaFiles, builder.ManifestName)
	return nil
}
