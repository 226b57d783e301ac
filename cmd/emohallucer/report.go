package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/score"
	"github.com/spf13/cobra"
)

type reportOptions struct {
	View string
	MD   string
}

func newReportCmd() *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report RUN_DIR...",
		Short: "Print the paper-style table of one or more runs, and write reports",
		Long: `Print the table (Pct. Diff, FP Ratio, Basic, Hallucinated, Overall with its
95% CI; one row per run) for a view, and optionally write a Markdown report of
every view. A folder holding run folders (such as runs/) stands for all of them.

  emohallucer report runs/
  emohallucer report runs/a runs/b --view modality:audio
  emohallucer report runs/ --md report.md`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return reportCommand(cmd.OutOrStdout(), args, o)
		},
	}
	cmd.Flags().StringVar(&o.View, "view", score.ViewAll, "view of the printed table: all, noaudio, knowledge, perception, modality:X, subcategory:X")
	cmd.Flags().StringVar(&o.MD, "md", "", "write a Markdown report of every view to this file")
	return cmd
}

func reportCommand(stdout io.Writer, args []string, o reportOptions) error {
	if !score.ValidView(o.View) {
		return usagef("unknown view %q", o.View)
	}
	runs, err := loadRuns(args)
	if err != nil {
		return err
	}
	if err := report.Text(stdout, runs, o.View); err != nil {
		return err
	}
	if o.MD != "" {
		if err := writeFile(o.MD, func(w io.Writer) error { return report.Markdown(w, runs) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", o.MD)
	}
	return nil
}

// loadRuns reads the scores of every run folder named, expanding folders that
// hold run folders. summary.json is used when present, else records are scored.
func loadRuns(args []string) ([]report.Run, error) {
	var dirs []string
	for _, a := range args {
		found, err := runDirsUnder(a)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("no run under %s (a run folder holds %s)", a, record.FileName)}
		}
		dirs = append(dirs, found...)
	}
	var runs []report.Run
	for _, d := range dirs {
		sc, err := readSummary(d)
		if err != nil {
			return nil, err
		}
		runs = append(runs, report.Run{Dir: d, Scores: sc})
	}
	return runs, nil
}

func runDirsUnder(p string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(p, record.FileName)); err == nil {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("no such run folder: %s", p)}
		}
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(p, e.Name(), record.FileName)); err == nil {
				out = append(out, filepath.Join(p, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func readSummary(dir string) (*score.Scores, error) {
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if errors.Is(err, fs.ErrNotExist) {
		acc := score.NewAccumulator()
		if err := record.ReadPaths([]string{dir}, nil, acc.Add); err != nil {
			return nil, err
		}
		return acc.Close(), nil
	}
	if err != nil {
		return nil, err
	}
	var sc score.Scores
	if err := json.Unmarshal(b, &sc); err != nil {
		return nil, eh.Errorf(eh.EINVALID, "%s/summary.json: %v", dir, err)
	}
	sc.Order = score.OrderViews(sc.Views)
	return &sc, nil
}

// writeFile creates path and lets fn fill it, reporting write and close errors.
func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
