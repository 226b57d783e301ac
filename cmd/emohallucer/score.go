package main

import (
	"fmt"
	"io"
	"os"

	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/score"
	"github.com/spf13/cobra"
)

type scoreOptions struct {
	View      string
	FailUnder float64
}

func newScoreCmd() *cobra.Command {
	var o scoreOptions
	cmd := &cobra.Command{
		Use:   "score [RUN_DIR | RECORDS_FILE | -]...",
		Short: "Recompute scores from records, without calling any model",
		Long: `Recompute scores from records alone. For a run folder, summary.json is
rewritten from records.jsonl (byte-identical to what run wrote, for the same
records). Files and "-" (standard input) are read as one run and the summary is
printed as JSON.

  emohallucer score runs/gpt4o
  cat runs/gpt4o/records.jsonl | emohallucer score -
  emohallucer score runs/gpt4o --view knowledge --fail-under 60   # exit 4 if below`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return scoreCommand(cmd.InOrStdin(), cmd.OutOrStdout(), args, o)
		},
	}
	cmd.Flags().StringVar(&o.View, "view", score.ViewAll, "view checked by --fail-under")
	cmd.Flags().Float64Var(&o.FailUnder, "fail-under", 0, "exit 4 when the view's overall accuracy (percent) is below this")
	return cmd
}

func scoreCommand(stdin io.Reader, stdout io.Writer, args []string, o scoreOptions) error {
	if !score.ValidView(o.View) {
		return usagef("unknown view %q", o.View)
	}
	var results []*score.Scores
	var files []string
	for _, a := range args {
		if st, err := os.Stat(a); err == nil && st.IsDir() {
			sc, err := scoreDir(a)
			if err != nil {
				return err
			}
			v := sc.Views[o.View]
			fmt.Fprintf(stdout, "%s: wrote summary.json (%s)\n", a, describe(v))
			results = append(results, sc)
			continue
		}
		files = append(files, a)
	}
	if len(files) > 0 {
		acc := score.NewAccumulator()
		if err := record.ReadPaths(files, stdin, acc.Add); err != nil {
			return err
		}
		sc := acc.Close()
		if err := score.WriteJSON(stdout, sc); err != nil {
			return err
		}
		results = append(results, sc)
	}
	if o.FailUnder > 0 {
		for _, sc := range results {
			v := sc.Views[o.View]
			if v == nil || v.Pairs == 0 || v.OverallAcc < o.FailUnder {
				return &exitError{exitThreshold, fmt.Errorf("run %s: view %s overall accuracy %s is below --fail-under %.2f", sc.Run.ID, o.View, describe(v), o.FailUnder)}
			}
		}
	}
	return nil
}

func describe(v *score.View) string {
	if v == nil || v.Pairs == 0 {
		return "no scored pairs"
	}
	return fmt.Sprintf("overall %.2f%% of %d pairs", v.OverallAcc, v.Pairs)
}
