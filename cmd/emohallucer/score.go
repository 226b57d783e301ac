package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/strategy"
	"github.com/spf13/cobra"
)

type scoreOptions struct {
	View      string
	FailUnder float64
	// External predictions (--format): another benchmark's files.
	Format      string
	Predictions string
	Questions   string
	Rule        string
	JSON        bool
	// Store and Runs score runs kept in a PostgreSQL store.
	Store string
	Runs  []string
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
  emohallucer score runs/gpt4o --view knowledge --fail-under 60   # exit 4 if below
  emohallucer score runs/gpt4o --rule yesno-v1     # answers re-read under another rule
  emohallucer score --store postgres://eh@db/eh --run <run id> > summary.json

Predictions of other tools on other yes/no benchmarks are scored with the
benchmark's own metrics, computed as its reference code does, next to ours:

  emohallucer score --format hallusionbench --predictions HallusionBench_result_sample.json --questions HallusionBench.json
  emohallucer score --format pope --predictions answers.jsonl --questions coco_pope_adversarial.json --rule first-word`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Format != "" {
				if len(args) > 0 || o.Predictions == "" || o.Questions == "" {
					return usagef("--format takes --predictions FILE and --questions FILE, and no run folders")
				}
				return scoreExternal(cmd.OutOrStdout(), o.Format, o.Predictions, o.Questions, o.Rule, o.JSON)
			}
			if o.Rule != "" {
				if _, ok := extract.Extract(o.Rule, ""); !ok {
					return usagef("unknown extraction rule %q (known: %s)", o.Rule, strings.Join(extract.Rules, ", "))
				}
			}
			if o.Store != "" || len(o.Runs) > 0 {
				if o.Rule != "" {
					return usagef("score --rule re-reads records files and run folders; runs in a --store are scored under their own rule")
				}
				if len(args) > 0 {
					return usagef("score --store --run ID takes no run folders")
				}
				return scoreStoreCommand(cmd.Context(), cmd.OutOrStdout(), storeFromEnv(o.Store), o.Runs, o.View, o.FailUnder)
			}
			if len(args) == 0 {
				return usagef("score needs a run folder, a records file or - (standard input)")
			}
			return scoreCommand(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, o)
		},
	}
	cmd.Flags().StringVar(&o.View, "view", score.ViewAll, "view checked by --fail-under")
	cmd.Flags().Float64Var(&o.FailUnder, "fail-under", 0, "exit 4 when the view's overall accuracy (percent) is below this")
	cmd.Flags().StringVar(&o.Format, "format", "", "score another benchmark's predictions: hallusionbench, pope or videohallucer")
	cmd.Flags().StringVar(&o.Predictions, "predictions", "", "with --format: the prediction file")
	cmd.Flags().StringVar(&o.Questions, "questions", "", "with --format: the benchmark's question file")
	cmd.Flags().StringVar(&o.Rule, "rule", "", "re-score run records under this extraction rule ("+strings.Join(extract.Rules, ", ")+"), re-reading each answer from its raw text, and print the summary; with --format: the rule for the predictions (or reference: the benchmark's own parser)")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "with --format: print JSON")
	cmd.Flags().StringVar(&o.Store, "store", "", "score runs kept in this PostgreSQL store (postgres://…; default $"+storeEnv+" when --run is given)")
	cmd.Flags().StringArrayVar(&o.Runs, "run", nil, "with --store: the run id to score (repeatable); prints its summary.json")
	return cmd
}

func scoreCommand(stdin io.Reader, stdout, stderr io.Writer, args []string, o scoreOptions) error {
	if !score.ValidView(o.View) {
		return &eh.Error{Code: eh.EUSAGE, Message: fmt.Sprintf("unknown view %q", o.View), Hint: viewForms}
	}
	// A torn last line (a crash mid-write) is reported and left out, as a
	// resumed run cuts it off; any other bad line is an error.
	warn := func(err error) { fmt.Fprintln(stderr, "warning:", eh.Redact(err.Error())) }
	if o.Rule != "" {
		return rescoreUnderRule(stdin, stdout, args, o, warn)
	}
	var results []*score.Scores
	var files []string
	for _, a := range args {
		if st, err := os.Stat(a); err == nil && st.IsDir() {
			sc, err := rundir.Rescore(a, warn)
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
		acc, err := rundir.Accumulate(files, stdin, warn)
		if err != nil {
			return err
		}
		sc := acc.Close()
		if err := score.WriteJSON(stdout, sc); err != nil {
			return err
		}
		results = append(results, sc)
	}
	return checkFailUnder(results, o.View, o.FailUnder)
}

// rescoreUnderRule scores each argument (a run folder, a records file or
// "-") with every answer re-read under o.Rule from the text its record holds
// (strategy.Reextract). It prints the summary as JSON, its run.rule naming
// the rule, and says on stdout's first line which rule scored and which the
// records hold; summary.json is left as the run wrote it, since it is the
// summary of the run's own rule.
func rescoreUnderRule(stdin io.Reader, stdout io.Writer, args []string, o scoreOptions, warn func(error)) error {
	var results []*score.Scores
	for _, a := range args {
		acc := score.NewAccumulator()
		recorded := map[string]bool{}
		err := record.Reader{Warn: warn}.ReadPaths([]string{a}, stdin, func(r *eh.Record) error {
			if r.Rule != "" {
				recorded[r.Rule] = true
			}
			if err := strategy.Reextract(r, o.Rule); err != nil {
				return err
			}
			r.Steps = nil // scoring never reads transcripts
			return acc.Add(r)
		})
		if err != nil {
			return fmt.Errorf("%s: %w", a, err)
		}
		sc := acc.Close()
		var rules []string
		for r := range recorded {
			rules = append(rules, r)
		}
		sort.Strings(rules)
		fmt.Fprintf(stdout, "%s: scored under rule %s (records hold %s; summary.json unchanged): %s\n", a, o.Rule, strings.Join(rules, ", "), describe(sc.Views[o.View]))
		if err := score.WriteJSON(stdout, sc); err != nil {
			return err
		}
		results = append(results, sc)
	}
	return checkFailUnder(results, o.View, o.FailUnder)
}

// checkFailUnder is the one --fail-under rule, for run folders, files and the
// store alike: every run's view must have scored pairs and an overall
// accuracy of at least failUnder percent (0: no check).
func checkFailUnder(results []*score.Scores, view string, failUnder float64) error {
	if failUnder <= 0 {
		return nil
	}
	for _, sc := range results {
		v := sc.Views[view]
		if v == nil || v.Pairs == 0 || v.OverallAcc < failUnder {
			return eh.Errorf(eh.ETHRESHOLD, "run %s: view %s overall accuracy %s is below --fail-under %.2f", sc.Run.ID, view, describe(v), failUnder)
		}
	}
	return nil
}

// viewForms lists the views a records file may hold, for errors where no
// suite is at hand.
const viewForms = "views are all, noaudio, knowledge, perception, modality:<text|image|audio|short-video|long-video>, subcategory:<theory|definition|finding|category|intensity|reasoning-result|reasoning-cue> and split:<x> for tagged pairs"

func describe(v *score.View) string {
	if v == nil || v.Pairs == 0 {
		return "no scored pairs"
	}
	return fmt.Sprintf("overall %.2f%% of %d pairs", v.OverallAcc, v.Pairs)
}
