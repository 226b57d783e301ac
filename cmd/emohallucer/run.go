package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/engine"
	"github.com/emohallucer/emohallucer/provider/baseline"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/strategy"
	"github.com/emohallucer/emohallucer/suite"
	"github.com/spf13/cobra"
)

// defaultModels are evaluated when run is given no model: the tool then works on
// a fresh machine with no API key and shows what the metrics mean.
var defaultModels = []string{"baseline:always-yes", "baseline:always-no", "baseline:random?seed=1"}

// runOptions are the resolved flags of the run command.
type runOptions struct {
	Suite       string
	Models      []string
	Out         string
	Strategy    string
	Rule        string
	Concurrency int
	Limit       int
	Subset      string
	Shard       string
	Temperature *float64
	Seed        *int64
	MaxTokens   int
	MaxCostUSD  float64
	View        string
}

func newRunCmd() *cobra.Command {
	var (
		o    runOptions
		temp float64
		seed int64
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Evaluate models on a suite and write records and a summary",
		Long: `Evaluate one or more models on a suite. Each run writes, in its folder,
records.jsonl (one record per question, appended as answers arrive) and
summary.json (the scores, recomputable with "emohallucer score").

With no --model, the three baselines (always-yes, always-no, random) are run on
the builtin suite, which needs no API key. Running the same command again
resumes: questions already recorded are not asked again.

Model specs:
  baseline:always-yes | baseline:always-no | baseline:random?seed=N

Examples:
  emohallucer run
  emohallucer run --model baseline:random?seed=7 --out runs/random7
  emohallucer run --suite ./mysuite --model baseline:always-yes --limit 20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("temperature") {
				o.Temperature = &temp
			}
			if cmd.Flags().Changed("seed") {
				o.Seed = &seed
			}
			return runModels(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Suite, "suite", builtin.Name, `suite folder, or "builtin"`)
	f.StringArrayVar(&o.Models, "model", nil, "model spec (repeatable); default: the three baselines")
	f.StringVar(&o.Out, "out", "", "run folder (with several models: one sub-folder each; default runs/<model>)")
	f.StringVar(&o.Strategy, "strategy", "direct", "prompting strategy: "+strings.Join(strategy.Names(), ", "))
	f.StringVar(&o.Rule, "rule", "yesno-v1", "answer extraction rule")
	f.IntVar(&o.Concurrency, "concurrency", 8, "questions in flight per model")
	f.IntVar(&o.Limit, "limit", 0, "evaluate only the first N pairs (smoke tests)")
	f.StringVar(&o.Subset, "subset", "", "evaluate only the pairs of a view (knowledge, modality:audio, subcategory:intensity, …)")
	f.StringVar(&o.Shard, "shard", "", "evaluate shard K of N (K/N, 1-based), split by pair id")
	f.Float64Var(&temp, "temperature", 0, "sampling temperature (default: the model's)")
	f.Int64Var(&seed, "seed", 0, "sampling seed, for APIs that take one")
	f.IntVar(&o.MaxTokens, "max-tokens", 0, "maximum tokens per answer (default: the model's)")
	f.Float64Var(&o.MaxCostUSD, "max-cost", 0, "stop scheduling new questions once a model's run has cost this many USD")
	f.StringVar(&o.View, "view", score.ViewAll, "view of the table printed at the end")
	return cmd
}

// runModels evaluates every model and prints the table.
func runModels(ctx context.Context, o runOptions, stdout, stderr io.Writer) error {
	if !score.ValidView(o.View) {
		return usagef("unknown view %q", o.View)
	}
	models := o.Models
	if len(models) == 0 {
		models = defaultModels
	}
	s, err := loadSuite(o.Suite)
	if err != nil {
		return err
	}
	pairs, err := selectPairs(s.Pairs, o)
	if err != nil {
		return err
	}
	s.Pairs = pairs
	items, err := suite.Items(s)
	if err != nil {
		return err
	}
	strat, err := strategy.New(o.Strategy, strategy.Options{Rule: o.Rule, Temperature: o.Temperature, Seed: o.Seed, MaxTokens: o.MaxTokens})
	if err != nil {
		return err
	}
	var runs []report.Run
	var incomplete []string
	for _, spec := range models {
		m, err := newModel(spec)
		if err != nil {
			return err
		}
		dir := runDir(o.Out, spec, len(models))
		sc, res, err := runOne(ctx, o, s, items, m, strat, dir, stderr)
		if err != nil {
			return err
		}
		runs = append(runs, report.Run{Dir: dir, Scores: sc})
		if res.StopReason != nil {
			if eh.ErrorCode(res.StopReason) == eh.ECANCELED {
				fmt.Fprintln(stderr, "run interrupted; the same command resumes it")
				return res.StopReason
			}
			incomplete = append(incomplete, fmt.Sprintf("%s: %v", spec, res.StopReason))
		} else if res.Errors > 0 {
			incomplete = append(incomplete, fmt.Sprintf("%s: %d question(s) failed; rerun the same command to retry them", spec, res.Errors))
		}
	}
	fmt.Fprintln(stdout)
	if err := report.Text(stdout, runs, o.View); err != nil {
		return err
	}
	if len(o.Models) == 0 {
		fmt.Fprint(stdout, `
These are baselines: always-yes shows pure yes-bias (Pct. Diff +0.5, FP Ratio 1),
random guessing scores about 25 overall. To evaluate a real model:
  OPENAI_API_KEY=… emohallucer run --model openai:gpt-4o-mini
  emohallucer run --model openai:qwen2.5-vl@http://localhost:8000/v1    (vLLM, llama.cpp, LiteLLM)
  emohallucer run --model ollama:llama3.2
See README.md for Gemini, Anthropic and config files.
`)
	}
	if len(incomplete) > 0 {
		return &exitError{exitIncomplete, fmt.Errorf("incomplete:\n  %s", strings.Join(incomplete, "\n  "))}
	}
	return nil
}

// newModel builds a model from its spec.
func newModel(spec string) (eh.Model, error) {
	if name, ok := strings.CutPrefix(spec, "baseline:"); ok {
		return baseline.New(name)
	}
	return nil, eh.Errorf(eh.EINVALID, "unknown model spec %q (try baseline:always-yes, baseline:always-no, baseline:random?seed=N)", spec)
}

// runOne evaluates one model into dir, resuming what an earlier attempt recorded,
// and writes summary.json from the records file.
func runOne(ctx context.Context, o runOptions, s *eh.Suite, items []eh.Item, m eh.Model, strat eh.Strategy, dir string, stderr io.Writer) (*score.Scores, engine.Result, error) {
	runID := runIDFor(s.Name, m, strat.Name(), o)
	recPath := filepath.Join(dir, record.FileName)
	existing, err := record.Existing(recPath)
	if err != nil {
		return nil, engine.Result{}, err
	}
	for _, r := range existing {
		if r.Run != runID {
			return nil, engine.Result{}, &eh.Error{Code: eh.EINVALID,
				Message: fmt.Sprintf("%s holds records of run %s (model %s, strategy %s), not of this run (%s)", dir, r.Run, r.Model, r.Strategy, runID),
				Hint:    "choose another --out folder for a different model, strategy or settings"}
		}
		break
	}
	caps := m.Capabilities()
	done := func(key string) bool {
		r, ok := existing[key]
		if !ok {
			return false
		}
		// A question skipped for its modality is asked once the model takes it.
		return r.Status == eh.StatusAnswered || (r.Status == eh.StatusNotEvaluated && !caps.Accepts(r.Modality))
	}
	app, err := record.OpenAppend(recPath)
	if err != nil {
		return nil, engine.Result{}, err
	}
	start := time.Now()
	res, err := engine.Run(ctx, engine.Plan{
		Run: runID, Suite: s.Name, Model: m, Strategy: strat, Items: items,
		Concurrency: o.Concurrency, Done: done, MaxCostUSD: o.MaxCostUSD,
	}, app)
	if cerr := app.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, res, err
	}
	fmt.Fprintf(stderr, "%s: %d answered, %d not evaluated, %d errors, %d already recorded, %d not started — %s in %s\n",
		m.Name(), res.Answered, res.NotEvaluated, res.Errors, res.Skipped, res.Unstarted, dir, time.Since(start).Round(time.Millisecond))
	sc, err := scoreDir(dir)
	return sc, res, err
}

// runIDFor derives the run id from everything that determines the answers, so
// the same command always continues the same run.
func runIDFor(suiteName string, m eh.Model, strat string, o runOptions) string {
	key, _ := json.Marshal(struct {
		Suite, Identity, Strategy, Rule string
		Temperature                     *float64
		Seed                            *int64
		MaxTokens                       int
	}{suiteName, m.Capabilities().Identity, strat, o.Rule, o.Temperature, o.Seed, o.MaxTokens})
	sum := sha256.Sum256(key)
	return slug(m.Name()) + "-" + strat + "-" + hex.EncodeToString(sum[:4])
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// slug makes a model spec usable as a folder name.
func slug(spec string) string {
	return strings.Trim(unsafeChars.ReplaceAllString(spec, "-"), "-")
}

func runDir(out, spec string, models int) string {
	switch {
	case out == "":
		return filepath.Join("runs", slug(spec))
	case models > 1:
		return filepath.Join(out, slug(spec))
	}
	return out
}

// selectPairs applies --subset, --shard and --limit, in that order.
func selectPairs(pairs []eh.Pair, o runOptions) ([]eh.Pair, error) {
	if o.Subset != "" {
		if !score.ValidView(o.Subset) {
			return nil, usagef("unknown view %q for --subset", o.Subset)
		}
		var kept []eh.Pair
		for i := range pairs {
			if score.ViewMatches(o.Subset, eh.NewRecord("", "", "", "", &pairs[i], eh.Basic)) {
				kept = append(kept, pairs[i])
			}
		}
		pairs = kept
	}
	if o.Shard != "" {
		k, n, err := parseShard(o.Shard)
		if err != nil {
			return nil, err
		}
		var kept []eh.Pair
		for _, p := range pairs {
			h := fnv.New64a()
			h.Write([]byte(p.ID))
			if int(h.Sum64()%uint64(n)) == k-1 {
				kept = append(kept, p)
			}
		}
		pairs = kept
	}
	if o.Limit > 0 && o.Limit < len(pairs) {
		pairs = pairs[:o.Limit]
	}
	if len(pairs) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "no pairs left to evaluate after --subset/--shard/--limit")
	}
	return pairs, nil
}

func parseShard(s string) (k, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return 0, 0, usagef("--shard wants K/N with 1 ≤ K ≤ N, not %q", s)
	}
	return k, n, nil
}

// scoreDir recomputes and writes dir/summary.json from dir/records.jsonl; run and
// score share it, which is what makes their summaries byte-identical.
func scoreDir(dir string) (*score.Scores, error) {
	acc := score.NewAccumulator()
	if err := record.ReadPaths([]string{dir}, nil, acc.Add); err != nil {
		return nil, err
	}
	sc := acc.Close()
	f, err := os.Create(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, err
	}
	if err := score.WriteJSON(f, sc); err != nil {
		f.Close()
		return nil, err
	}
	return sc, f.Close()
}
