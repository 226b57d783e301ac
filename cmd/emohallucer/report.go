package main

import (
	"context"
	"fmt"
	"io"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/suite"
	"github.com/spf13/cobra"
)

type reportOptions struct {
	View        string
	MD          string
	HTML        string
	CSV         string
	JSON        string
	Suite       string
	TargetError float64
	// Lang is the language of the Markdown and HTML reports.
	Lang string
	// Store and Runs report runs kept in a PostgreSQL store.
	Store string
	Runs  []string
	// UseCases adds the use-case decisions to the HTML report; History
	// follows each model over its runs (text, --json, --html).
	UseCases string
	History  bool
}

func newReportCmd() *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report RUN_DIR...",
		Short: "Print the paper-style table of one or more runs, and write reports",
		Long: `Print the table (Pct. Diff, FP Ratio, Basic, Hallucinated, Overall with its
95% CI; one row per run) for a view, and optionally write a Markdown report of
every view. A folder holding run folders (such as runs/) stands for all of them,
at any depth (runs/builtin/direct, runs/b7/pep-mek). When the runs come from
several suites, the tables name each run's suite.

The HTML report is one self-contained file (no network needed to open it): the
leaderboard of every view, a yes/no-bias chart, heatmaps by modality and
sub-category, accuracy against release date and size (from model metadata),
strategy comparisons, where a human must review (risk–coverage), and an error
browser with the model's answers, every strategy step, and — with --suite — the
context, media and the explanation of the gold answer.

  emohallucer report runs/
  emohallucer report runs/a runs/b --view modality:audio
  emohallucer report runs/ --html report.html --suite builtin
  emohallucer report runs/ --md report.md --csv report.csv --json report.json
  emohallucer report runs/ --html report.ja.html --md report.ja.md --lang ja
  emohallucer report --store postgres://eh@db/eh --html report.html

With --usecases FILE the HTML report gets a section of use-case decisions
(as emohallucer policy). With --history the runs of each model name (and
strategy) are followed over their start dates: overall accuracy, Pct. Diff and
FP Ratio of the view, and the significant changes between consecutive runs
(McNemar p < 0.05 on the pairs both scored) on every view; --json FILE then
writes this history (for dashboards) and --html adds its charts.

  emohallucer report runs/gpt-4o-* --history --json history.json --html report.html`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case o.Store != "" && len(args) > 0:
				return usagef("report --store reads runs from the database; give run ids with --run, not folders")
			case o.Store == "" && len(args) == 0:
				return usagef("report needs run folders, or --store postgres://…")
			case o.UseCases != "" && o.HTML == "":
				return usagef("report --usecases adds a section to the --html report; for a table, use emohallucer policy --usecases")
			}
			return reportCommand(cmd.Context(), cmd.OutOrStdout(), args, o)
		},
	}
	cmd.Flags().StringVar(&o.View, "view", score.ViewAll, "view of the printed table: all, noaudio, knowledge, perception, modality:X, subcategory:X")
	cmd.Flags().StringVar(&o.MD, "md", "", "write a Markdown report of every view to this file")
	cmd.Flags().StringVar(&o.HTML, "html", "", "write a self-contained HTML report to this file")
	cmd.Flags().StringVar(&o.CSV, "csv", "", "write the leaderboard of every view as CSV to this file")
	cmd.Flags().StringVar(&o.JSON, "json", "", "write scores, comparisons and risk–coverage curves as JSON to this file")
	cmd.Flags().StringVar(&o.Suite, "suite", "", `suite the runs used ("builtin" or a folder), for contexts, media and explanations in the HTML error browser (default: each run's own suite, builtin or the folder its run.json names)`)
	cmd.Flags().StringVar(&o.Store, "store", "", "report runs kept in this PostgreSQL store (postgres://…) instead of run folders")
	cmd.Flags().StringArrayVar(&o.Runs, "run", nil, "with --store: a run id to report (repeatable; default every run with records)")
	cmd.Flags().StringVar(&o.UseCases, "usecases", "", "use-case register (YAML): add the use-case decisions to the HTML report")
	cmd.Flags().BoolVar(&o.History, "history", false, "follow each model over its runs by start date, marking significant changes; --json then writes the history")
	cmd.Flags().StringVar(&o.Lang, "lang", "en", "language of the Markdown and HTML reports: en, ja (Japanese) or zh (Simplified Chinese); names, views and model output are never translated")
	cmd.Flags().Float64Var(&o.TargetError, "target-error", 0.05, "highest acceptable error rate of automated answers, for the recommended review threshold")
	return cmd
}

func reportCommand(ctx context.Context, stdout io.Writer, args []string, o reportOptions) error {
	if !score.ValidView(o.View) {
		return usagef("unknown view %q", o.View)
	}
	if o.TargetError < 0 || o.TargetError >= 1 {
		return usagef("--target-error must be in [0, 1), not %g", o.TargetError)
	}
	lang, err := report.ParseLang(o.Lang)
	if err != nil {
		return usagef("--lang: %v", err)
	}
	var runs []report.Run
	if o.Store != "" {
		runs, err = loadStoreRuns(ctx, o.Store, o.Runs, o.HTML != "" || o.JSON != "" || o.History)
	} else {
		runs, err = loadRuns(args)
	}
	if err != nil {
		return err
	}
	if !o.History {
		if err := report.Text(stdout, runs, o.View); err != nil {
			return err
		}
	}
	if (o.HTML != "" || o.JSON != "" || o.History) && o.Store == "" {
		// The error browser, comparisons and risk curves need the records.
		for i := range runs {
			if err := record.ReadPaths([]string{runs[i].Dir}, nil, func(r *eh.Record) error {
				runs[i].Records = append(runs[i].Records, r)
				return nil
			}); err != nil {
				return err
			}
		}
	}
	var history *report.History
	if o.History {
		if history, err = historyOf(runs); err != nil {
			return err
		}
		if err := report.HistoryText(stdout, history, o.View); err != nil {
			return err
		}
	}
	outputs := []struct {
		path   string
		render func(io.Writer) error
	}{
		{o.MD, func(w io.Writer) error { return report.MarkdownIn(w, runs, lang) }},
		{o.CSV, func(w io.Writer) error { return report.CSV(w, runs) }},
		{o.JSON, func(w io.Writer) error {
			if history != nil {
				return report.HistoryJSON(w, history)
			}
			return report.JSON(w, runs, o.TargetError)
		}},
		{o.HTML, func(w io.Writer) error {
			one, byName, err := suitesForReport(ctx, o.Suite, runs)
			if err != nil {
				return err
			}
			sections, err := reportSections(o, runs, history, lang)
			if err != nil {
				return err
			}
			return report.HTML(w, runs, report.HTMLOptions{TargetError: o.TargetError, Suite: one, Suites: byName, Generated: time.Now(), Sections: sections, Lang: lang})
		}},
	}
	for _, out := range outputs {
		if out.path == "" {
			continue
		}
		if err := rundir.WriteFile(out.path, out.render); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", out.path)
	}
	return nil
}

// suitesForReport loads the suites for the error browser: the one named by
// --suite for every run, else each suite the runs used (builtin, or the folder
// a run's run.json names, if it is still there), by the suite name their
// records carry.
func suitesForReport(ctx context.Context, spec string, runs []report.Run) (*eh.Suite, map[string]*eh.Suite, error) {
	if spec != "" {
		s, err := loadSuite(ctx, spec)
		return s, nil, err
	}
	out := map[string]*eh.Suite{}
	for _, r := range runs {
		name := r.Scores.Run.Suite
		if _, done := out[name]; done {
			continue
		}
		out[name] = nil
		if name == builtin.Name {
			s, err := builtin.Suite()
			if err != nil {
				return nil, nil, err
			}
			out[name] = s
			continue
		}
		dir := suiteDirOf(r.Dir)
		if dir == "" {
			continue
		}
		// The media are only shown, never sent: a folder changed since the run
		// is still worth showing, so only a missing one is skipped.
		if s, err := suite.Read(dir, suite.Options{SkipMedia: true}); err == nil {
			out[name] = s
		}
	}
	return nil, out, nil
}

// suiteForReport is the one suite of the runs for commands that take one:
// --suite, else the suite every run used (suitesForReport), else none.
func suiteForReport(ctx context.Context, spec string, runs []report.Run) (*eh.Suite, error) {
	one, byName, err := suitesForReport(ctx, spec, runs)
	if one != nil || err != nil || len(byName) != 1 {
		return one, err
	}
	return byName[runs[0].Scores.Run.Suite], nil
}

// suiteDirOf is the suite folder a run recorded in its run.json ("" when
// unknown).
func suiteDirOf(runDir string) string {
	info, err := rundir.ReadInfo(runDir)
	if err != nil || info == nil {
		return ""
	}
	return info.SuiteDir
}

// loadRuns reads the scores of every run folder named, expanding folders that
// hold run folders. summary.json is used when present, else records are scored.
func loadRuns(args []string) ([]report.Run, error) {
	dirs, err := rundir.FindAll(args)
	if err != nil {
		return nil, err
	}
	var runs []report.Run
	for _, d := range dirs {
		sc, err := rundir.ReadSummary(d)
		if err != nil {
			return nil, err
		}
		info, err := rundir.ReadInfo(d)
		if err != nil {
			return nil, err
		}
		runs = append(runs, report.Run{Dir: d, Scores: sc, Meta: metaOf(info)})
	}
	return runs, nil
}

// metaOf is the part of a run's metadata that reports plot.
func metaOf(info *rundir.Info) *report.Meta {
	if info == nil || info.Metadata == nil {
		return nil
	}
	m := info.Metadata
	return &report.Meta{ParamsB: m.ParamsB, Released: m.Released, Open: m.Open, Reasoning: m.Reasoning}
}
