package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/extract"
	"github.com/emohallucer/emohallucer/provider/all"
	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/review"
	"github.com/emohallucer/emohallucer/runner"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/strategy"
	"github.com/emohallucer/emohallucer/ui/progress"
)

// runOptions are the resolved flags of the run command.
type runOptions struct {
	engineFlags
	Suite  string
	Models []string
	Config string
	// Only selects models of the config by name.
	Only  []string
	Out   string
	Rule  string
	Limit int
	// Sample draws a stratified random sample of N pairs, seeded by
	// SampleSeed (default: --seed when given, else 1).
	Sample     int
	SampleSeed int64
	Subset     string
	Shard      string
	View       string
	// Task is "questions" (the yes/no pairs) or "describe" (open-ended
	// descriptions of the perception pairs' inputs).
	Task string
	// Judge is the model spec of the describe task's judge ("": none).
	Judge string
	// Samples and SampleTemperature configure self-consistency.
	Samples           int
	SampleTemperature float64
	// Cache is the response cache file; NoCache turns the cache off.
	Cache   string
	NoCache bool
	// Timeout bounds each attempt (0: the provider's own timeout).
	Timeout time.Duration
	// Parallel is how many models run at the same time.
	Parallel int
	// Progress is auto (bars on a terminal), always or never.
	Progress string
	// Store is a postgres:// URL: responses and records go to that shared
	// database instead of the cache file and records.jsonl.
	Store string
	// Enqueue queues the questions for workers instead of answering them.
	Enqueue bool
	// Exclude are verdict files of a human review (suite review).
	Exclude []string
	// WaitLock waits for a run folder another run holds instead of failing.
	WaitLock bool
	// DryRun says what the run would do and cost, and does nothing.
	DryRun bool
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
records.jsonl (one record per question, appended as answers arrive),
summary.json (the scores, recomputable with "emohallucer score") and run.json
(the model, its settings and metadata, request counts and cost; never a key).

With no --model or --config, the three baselines (always-yes, always-no,
random) are run on the builtin suite, which needs no API key.

Resuming: running the same command again asks only the questions not yet
recorded. Every answer is also kept in a content-addressed response cache
(--cache), keyed by model identity and endpoint, prompt template version,
decoding parameters, strategy step and media digests, so even a question whose
record was lost to a crash is answered without a new request.

Models run in parallel (--parallel), each with its own concurrency bound that
halves on 429s and rising latency and recovers slowly, optional requests- and
tokens-per-minute limits, and retries with exponential backoff that honour
Retry-After. A 401/403 stops that model's run at once. The first Ctrl-C stops
scheduling, lets the requests in flight finish and saves; a second quits.

A --config entry may also set the model's prompts: system_prompt, template (a
Go text/template file) and few_shot examples (README "Prompts"); they enter the
run id and the cache key. --dry-run shows what a run would ask and cost first.

Model specs:
` + all.Help() + `
Examples:
  emohallucer run
  emohallucer run --model openai:gpt-4o-mini --max-cost 2
  emohallucer run --model openai:Qwen/Qwen2.5-VL-7B-Instruct@http://localhost:8000/v1 --concurrency 32
  emohallucer run --config examples/models.yaml --subset noaudio
  emohallucer run --suite ./mysuite --model ollama:gemma3:4b --limit 20
  emohallucer run --suite ./mysuite --model openai:gpt-4o-mini --sample 100 --seed 1
  emohallucer run --config examples/models.yaml --dry-run       # what it would ask and cost`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.visit(cmd)
			if o.changed["temperature"] {
				o.Temperature = &temp
			}
			if o.changed["seed"] {
				o.Seed = &seed
				if !o.changed["sample-seed"] {
					o.SampleSeed = seed
				}
			}
			return runModels(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Suite, "suite", builtin.Name, `suite folder (or its suite.jsonl), or "builtin"`)
	f.StringArrayVar(&o.Models, "model", nil, "model spec (repeatable); default: the three baselines")
	f.StringVar(&o.Config, "config", "", "YAML file describing models (see examples/models.yaml); flags set explicitly override it")
	f.StringSliceVar(&o.Only, "only", nil, "evaluate only these models of --config, by name (comma-separated or repeated)")
	f.StringVar(&o.Out, "out", "", "run folder (with several models: one sub-folder each; default runs/<model>)")
	f.StringVar(&o.Strategy, "strategy", "direct", "prompting strategy: "+strings.Join(strategy.Names(), ", "))
	f.StringVar(&o.Task, "task", "questions", "questions (the yes/no pairs) or describe (ask once per input of the perception pairs for a free description of the emotions shown; README \"Open-ended descriptions\")")
	f.StringVar(&o.Judge, "judge", "", "with --task describe: model spec that judges each claimed emotion against the input and its gold (pinned rubric judge-claim.v1; README \"Open-ended descriptions\")")
	f.StringVar(&o.Rule, "rule", extract.Default, "answer extraction rule: "+strings.Join(extract.Rules, ", "))
	f.IntVar(&o.Concurrency, "concurrency", 8, "most requests in flight per model (adaptive backoff may lower it)")
	f.IntVar(&o.Limit, "limit", 0, "evaluate only the first N pairs in the suite's order (smoke tests; on a mixed suite often one source: see --sample)")
	f.IntVar(&o.Sample, "sample", 0, "evaluate a random sample of N pairs, stratified by modality and sub-category (proportional, each at least one pair while N allows); recorded in the run id")
	f.Int64Var(&o.SampleSeed, "sample-seed", 1, "seed of --sample; unset, --seed is used when given")
	f.StringVar(&o.Subset, "subset", "", "evaluate only the pairs of a view (knowledge, noaudio, modality:audio, subcategory:intensity, …)")
	f.StringVar(&o.Shard, "shard", "", "evaluate shard K of N (K/N, 1-based), split by pair id")
	f.Float64Var(&temp, "temperature", 0, "sampling temperature (default: the model's)")
	f.Int64Var(&seed, "seed", 0, "sampling seed, for APIs that take one")
	f.IntVar(&o.MaxTokens, "max-tokens", 0, "maximum tokens per answer (default: the model's)")
	f.IntVar(&o.Samples, "samples", 5, "self-consistency: samples per question")
	f.Float64Var(&o.SampleTemperature, "sample-temperature", 0.7, "self-consistency: temperature of the samples")
	f.Float64Var(&o.MaxCostUSD, "max-cost", 0, "stop scheduling new questions once a model's run has cost this many USD (needs prices in --config)")
	f.StringVar(&o.View, "view", score.ViewAll, "view of the table printed at the end")
	f.StringVar(&o.Cache, "cache", "", "response cache file (default $EMOHALLUCER_CACHE, else "+runner.DefaultCacheHint+")")
	f.BoolVar(&o.NoCache, "no-cache", false, "neither read nor write the response cache")
	f.DurationVar(&o.Timeout, "timeout", 0, "time limit of one request attempt (default: the provider's, 120s)")
	f.IntVar(&o.Retries, "retries", stack.DefaultRetries, "retries of a failed request (429, 5xx, timeouts, dropped connections)")
	f.Float64Var(&o.RPM, "rpm", 0, "requests per minute per model (0: no limit)")
	f.Float64Var(&o.TPM, "tpm", 0, "tokens per minute per model (0: no limit)")
	f.BoolVar(&o.NoAdaptive, "no-adaptive", false, "keep concurrency fixed instead of backing off on 429s and rising latency")
	f.IntVar(&o.Parallel, "parallel", 4, "models evaluated at the same time")
	f.StringVar(&o.Progress, "progress", "auto", "progress bars: auto (on a terminal), always or never")
	f.StringVar(&o.Store, "store", "", "shared store postgres://user@host:port/db: responses and records in PostgreSQL, for shards and workers (default $"+storeEnv+")")
	f.StringArrayVar(&o.Exclude, "exclude", nil, "verdict file of a human review (repeatable): leave out pairs a strict majority of their raters did not judge valid")
	f.BoolVar(&o.Enqueue, "enqueue", false, "queue every question for `emohallucer worker` processes instead of answering here (needs --store)")
	o.capFlag(f)
	f.BoolVar(&o.DryRun, "dry-run", false, "send and write nothing: print per model the questions that would be asked, not evaluated, already recorded or answered from the cache, and the estimated tokens and cost")
	f.BoolVar(&o.WaitLock, "wait-lock", false, "when another run holds the run folder (or shard), wait for it instead of exiting 3")
	return cmd
}

// check refuses flag values no run can use.
func (o *runOptions) check() error {
	if err := o.engineFlags.check(); err != nil {
		return err
	}
	switch {
	case o.Timeout < 0:
		return usagef("--timeout must not be negative")
	case o.Parallel < 1:
		return usagef("--parallel must be at least 1")
	case o.Limit < 0:
		return usagef("--limit must not be negative")
	}
	return o.settings().Check()
}

// settings are the run settings the flags give.
func (o *runOptions) settings() runner.Settings {
	task := o.Task
	if task == "questions" {
		task = runner.TaskQuestions
	}
	return runner.Settings{Rule: o.Rule, Samples: o.Samples, SampleTemperature: o.SampleTemperature,
		Sample: runner.Sample{N: o.Sample, Seed: o.SampleSeed}, Task: task}
}

// runModels evaluates every model and prints the table.
func runModels(ctx context.Context, o runOptions, stdout, stderr io.Writer) error {
	draw := false
	switch o.Progress {
	case "auto":
		draw = progress.IsTerminal(stderr)
	case "always":
		draw = true
	case "never":
	default:
		return usagef("--progress wants auto, always or never, not %q", o.Progress)
	}
	if err := o.check(); err != nil {
		return err
	}
	setups, err := stack.FromConfig(o.selection(o.Models, o.Config, o.Only))
	if err != nil {
		return err
	}
	judge, err := o.judge()
	if err != nil {
		return err
	}
	s, err := loadSuite(ctx, o.Suite)
	if err != nil {
		return err
	}
	pairs, excluded, err := review.Exclude(o.Exclude, s.Pairs)
	if err != nil {
		return err
	}
	if len(o.Exclude) > 0 {
		fmt.Fprintln(stderr, review.ExcludedNote(o.Exclude, excluded))
	}
	s.Pairs = pairs
	if err := runner.CheckView("--view", o.View, s.Pairs); err != nil {
		return err
	}
	cfg := runner.Config{
		Suite: s, Subset: o.Subset, Shard: o.Shard, Limit: o.Limit, Models: setups,
		Settings: o.settings(), Judge: judge,
		Out: o.Out, Parallel: o.Parallel, Timeout: o.Timeout, CachePath: o.Cache, NoCache: o.NoCache,
		WaitLock: o.WaitLock,
	}
	if judge != nil {
		cfg.Settings.Judge = judge.Model.Capabilities().Identity
	}
	if o.DryRun {
		if o.Store != "" || o.Enqueue {
			return usagef("--dry-run looks at run folders and the cache file, not at a --store or a queue")
		}
		dry, err := runner.DryRun(ctx, cfg)
		if err != nil {
			return err
		}
		printDryRun(stdout, dry)
		return nil
	}
	if url := storeFromEnv(o.Store); url != "" {
		if cfg.Store, err = openPostgres(ctx, url); err != nil {
			return err
		}
		defer cfg.Store.Close()
	} else if o.Enqueue {
		return usagef("--enqueue needs --store postgres://… (or $%s)", storeEnv)
	}
	if cfg.Store != nil && cfg.Settings.Task == runner.TaskDescribe {
		return usagef("--task describe writes run folders; it does not take --store or --enqueue yet")
	}
	if o.Enqueue {
		return enqueueRuns(ctx, cfg, stdout)
	}
	prog := progress.New(ctx, stderr, draw)
	cfg.Log, cfg.Observer = stderr, bars{prog}
	if draw {
		cfg.Log = prog
	}
	res, err := runner.Run(ctx, cfg)
	prog.Wait()
	for _, m := range res.Models {
		if m.Line != "" {
			fmt.Fprintln(stderr, m.Line)
		}
	}
	switch eh.ErrorCode(err) {
	case "", eh.EINCOMPLETE:
	case eh.ECANCELED:
		fmt.Fprintln(stderr, "run interrupted; the same command resumes it")
		return err
	default:
		return err
	}
	var runs []report.Run
	for _, m := range res.Runs() {
		runs = append(runs, report.Run{Dir: m.Dir, Scores: m.Scores})
	}
	fmt.Fprintln(stdout)
	if err := report.Text(stdout, runs, o.View); err != nil {
		return err
	}
	if len(o.Models) == 0 && o.Config == "" {
		fmt.Fprint(stdout, baselineHint)
	}
	notEvaluatedNote(stderr, res.Models)
	return err
}

// printDryRun prints what a run would do, one block per model.
func printDryRun(w io.Writer, models []runner.DryModel) {
	fmt.Fprintln(w, "dry run: nothing was sent and nothing written")
	var total float64
	priced := true
	for _, m := range models {
		n, ne, _ := byModality(m.NotEvaluated)
		detail := ""
		if len(ne) > 0 {
			detail = " (" + strings.Join(ne, ", ") + ")"
		}
		fmt.Fprintf(w, "\n%s → %s (run %s)\n", eh.Redact(m.Name), m.Dir, m.Run)
		fmt.Fprintf(w, "  %d questions: %d to ask (%d calls), %d not evaluated%s, %d already recorded, %d from the cache\n",
			m.Selected, m.Ask, m.Calls, n, detail, m.Recorded, m.Cached)
		cost := "no price in the config, so no cost"
		if m.Priced {
			cost = fmt.Sprintf("≈ $%.4f at the config's price", m.CostUSD)
			total += m.CostUSD
		} else {
			priced = false
		}
		fmt.Fprintf(w, "  estimated %d prompt + %d completion tokens, %s\n", m.Usage.PromptTokens, m.Usage.CompletionTokens, cost)
		if m.Assumed > 0 {
			fmt.Fprintf(w, "  (%d media file(s) of unknown length counted as %d s)\n", m.Assumed, runner.DryRunAssumedSeconds)
		}
	}
	if len(models) > 1 && priced {
		fmt.Fprintf(w, "\ntotal ≈ $%.4f\n", total)
	}
	fmt.Fprintf(w, "\nTokens are estimated: text at %d characters a token, %d per image, %d a second of audio, %d a second of video, %d per answer unless max_tokens is set (README \"Dry run\").\n",
		runner.DryRunCharsPerToken, runner.DryRunImageTokens, runner.DryRunAudioPerSecond, runner.DryRunVideoPerSecond, runner.DryRunAnswerTokens)
}

// notEvaluatedNote ends a run by saying which questions were not evaluated
// because a model does not take their modality, and how to send them: a
// count that only shows up in the table's not-evaluated column is easily
// taken for a failure, or missed.
func notEvaluatedNote(w io.Writer, models []runner.ModelResult) {
	for _, m := range models {
		if len(m.NotEvaluated) == 0 {
			continue
		}
		total, counts, mods := byModality(m.NotEvaluated)
		fmt.Fprintf(w, "not evaluated: %s does not take %s input, so %d question(s) were not asked (%s); they count in no accuracy.\n",
			eh.Redact(m.Name), strings.Join(mods, " or "), total, strings.Join(counts, ", "))
		fmt.Fprintf(w, "  if it does take them: add --modalities %s, or modalities: [text, %s] to its --config entry, and run the same command again\n",
			strings.Join(mods, ","), strings.Join(mods, ", "))
	}
}

// byModality reads counts by modality in eh.Modalities order, skipping
// zeros: their total, each as "3 audio", and the modalities counted.
func byModality(counts map[eh.Modality]int) (total int, listed, mods []string) {
	for _, mod := range eh.Modalities {
		if n := counts[mod]; n > 0 {
			total += n
			listed = append(listed, fmt.Sprintf("%d %s", n, mod))
			mods = append(mods, string(mod))
		}
	}
	return total, listed, mods
}

const baselineHint = `
These are baselines: always-yes shows pure yes-bias (Pct. Diff +0.5, FP Ratio 1),
random guessing scores about 25 overall. To evaluate a real model:
  OPENAI_API_KEY=… emohallucer run --model openai:gpt-4o-mini
  emohallucer run --model openai:qwen2.5-vl@http://localhost:8000/v1    (vLLM, llama.cpp, LiteLLM)
  emohallucer run --model ollama:llama3.2
  emohallucer run --config examples/models.yaml
See README.md for Gemini, Anthropic and config files.
`

// bars shows a run's progress as progress bars.
type bars struct{ p *progress.Progress }

// Start implements runner.Observer.
func (b bars) Start(model string, pending int, state func() string) runner.ModelObserver {
	return b.p.Add(model, pending, state)
}
