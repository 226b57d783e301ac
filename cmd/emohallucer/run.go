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
	"sync"
	"sync/atomic"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/engine"
	"github.com/emohallucer/emohallucer/provider/all"
	"github.com/emohallucer/emohallucer/provider/cache"
	"github.com/emohallucer/emohallucer/provider/limit"
	"github.com/emohallucer/emohallucer/provider/prep"
	"github.com/emohallucer/emohallucer/provider/retry"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/review"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/store/postgres"
	"github.com/emohallucer/emohallucer/store/responselog"
	"github.com/emohallucer/emohallucer/store/sqlite"
	"github.com/emohallucer/emohallucer/strategy"
	"github.com/emohallucer/emohallucer/suite"
	"github.com/emohallucer/emohallucer/ui/progress"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// defaultModels are evaluated when run is given no model: the tool then works on
// a fresh machine with no API key and shows what the metrics mean.
var defaultModels = []string{"baseline:always-yes", "baseline:always-no", "baseline:random?seed=1"}

// runOptions are the resolved flags of the run command.
type runOptions struct {
	Suite  string
	Models []string
	Config string
	// Only selects models of the config by name.
	Only        []string
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
	// Samples and SampleTemperature configure self-consistency.
	Samples           int
	SampleTemperature float64
	// Cache is the response cache file; NoCache turns the cache off.
	Cache   string
	NoCache bool
	// Timeout bounds each attempt (0: the provider's own timeout).
	Timeout time.Duration
	Retries int
	RPM     float64
	TPM     float64
	// NoAdaptive keeps concurrency fixed instead of backing off on overload.
	NoAdaptive bool
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
	// changed names the flags the user set, which override a config file.
	changed map[string]bool
	// stop is closed on the first Ctrl-C: requests waiting to be retried give
	// up (nil: never).
	stop <-chan struct{}
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

Model specs:
` + all.Help() + `
Examples:
  emohallucer run
  emohallucer run --model openai:gpt-4o-mini --max-cost 2
  emohallucer run --model openai:Qwen/Qwen2.5-VL-7B-Instruct@http://localhost:8000/v1 --concurrency 32
  emohallucer run --config examples/models.yaml --subset noaudio
  emohallucer run --suite ./mysuite --model ollama:gemma3:4b --limit 20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("temperature") {
				o.Temperature = &temp
			}
			if cmd.Flags().Changed("seed") {
				o.Seed = &seed
			}
			o.changed = map[string]bool{}
			cmd.Flags().Visit(func(f *pflag.Flag) { o.changed[f.Name] = true })
			return runModels(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Suite, "suite", builtin.Name, `suite folder, or "builtin"`)
	f.StringArrayVar(&o.Models, "model", nil, "model spec (repeatable); default: the three baselines")
	f.StringVar(&o.Config, "config", "", "YAML file describing models (see examples/models.yaml); flags set explicitly override it")
	f.StringSliceVar(&o.Only, "only", nil, "evaluate only these models of --config, by name (comma-separated or repeated)")
	f.StringVar(&o.Out, "out", "", "run folder (with several models: one sub-folder each; default runs/<model>)")
	f.StringVar(&o.Strategy, "strategy", "direct", "prompting strategy: "+strings.Join(strategy.Names(), ", "))
	f.StringVar(&o.Rule, "rule", "yesno-v1", "answer extraction rule")
	f.IntVar(&o.Concurrency, "concurrency", 8, "most requests in flight per model (adaptive backoff may lower it)")
	f.IntVar(&o.Limit, "limit", 0, "evaluate only the first N pairs (smoke tests)")
	f.StringVar(&o.Subset, "subset", "", "evaluate only the pairs of a view (knowledge, noaudio, modality:audio, subcategory:intensity, …)")
	f.StringVar(&o.Shard, "shard", "", "evaluate shard K of N (K/N, 1-based), split by pair id")
	f.Float64Var(&temp, "temperature", 0, "sampling temperature (default: the model's)")
	f.Int64Var(&seed, "seed", 0, "sampling seed, for APIs that take one")
	f.IntVar(&o.MaxTokens, "max-tokens", 0, "maximum tokens per answer (default: the model's)")
	f.IntVar(&o.Samples, "samples", 5, "self-consistency: samples per question")
	f.Float64Var(&o.SampleTemperature, "sample-temperature", 0.7, "self-consistency: temperature of the samples")
	f.Float64Var(&o.MaxCostUSD, "max-cost", 0, "stop scheduling new questions once a model's run has cost this many USD (needs prices in --config)")
	f.StringVar(&o.View, "view", score.ViewAll, "view of the table printed at the end")
	f.StringVar(&o.Cache, "cache", "", "response cache file (default $EMOHALLUCER_CACHE, else "+defaultCacheHint+")")
	f.BoolVar(&o.NoCache, "no-cache", false, "neither read nor write the response cache")
	f.DurationVar(&o.Timeout, "timeout", 0, "time limit of one request attempt (default: the provider's, 120s)")
	f.IntVar(&o.Retries, "retries", retry.DefaultAttempts-1, "retries of a failed request (429, 5xx, timeouts, dropped connections)")
	f.Float64Var(&o.RPM, "rpm", 0, "requests per minute per model (0: no limit)")
	f.Float64Var(&o.TPM, "tpm", 0, "tokens per minute per model (0: no limit)")
	f.BoolVar(&o.NoAdaptive, "no-adaptive", false, "keep concurrency fixed instead of backing off on 429s and rising latency")
	f.IntVar(&o.Parallel, "parallel", 4, "models evaluated at the same time")
	f.StringVar(&o.Progress, "progress", "auto", "progress bars: auto (on a terminal), always or never")
	f.StringVar(&o.Store, "store", "", "shared store postgres://user@host:port/db: responses and records in PostgreSQL, for shards and workers (default $"+storeEnv+")")
	f.StringArrayVar(&o.Exclude, "exclude", nil, "verdict file of a human review (repeatable): leave out pairs a strict majority of their raters did not judge valid")
	f.BoolVar(&o.Enqueue, "enqueue", false, "queue every question for `emohallucer worker` processes instead of answering here (needs --store)")
	return cmd
}

const defaultCacheHint = "~/.cache/emohallucer/responses.jsonl"

// defaultCachePath is where the response cache lives unless --cache says
// otherwise: in the user's cache folder, shared by every run of every project,
// because its keys are content addresses that never collide across runs.
func defaultCachePath() string {
	if p := os.Getenv("EMOHALLUCER_CACHE"); p != "" {
		return p
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "emohallucer", "responses.jsonl")
	}
	return filepath.Join("runs", "responses.jsonl")
}

// openCache opens the response cache at path: an SQLite database when the file
// is one or its name says so (FILE.db, .sqlite, .sqlite3), else an append-only
// log of JSON lines (store/responselog), the default because it costs a map
// access per lookup and one write per answer.
func openCache(ctx context.Context, path string) (eh.Store, error) {
	if isSQLite(path) {
		return sqlite.Open(ctx, path)
	}
	return responselog.Open(ctx, path)
}

// isSQLite tells whether path is, or by its name is meant to be, an SQLite
// database.
func isSQLite(path string) bool {
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		head := make([]byte, 16)
		if n, _ := io.ReadFull(f, head); n > 0 {
			return string(head[:n]) == "SQLite format 3\x00"
		}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".db", ".sqlite", ".sqlite3":
		return true
	}
	return false
}

// modelSetup is one model to evaluate with its resolved engine settings.
type modelSetup struct {
	// spec names the run folder: the spec as given, or the model's name.
	spec  string
	model eh.Model
	eng   engineConfig
}

// resolveModels builds every model from --model specs and --config, failing
// before any run starts if one cannot be built (a missing key, a bad section).
func resolveModels(o runOptions) ([]modelSetup, error) {
	flagEng := o.engineFromFlags(false)
	setFlags := o.engineFromFlags(true)
	var out []modelSetup
	specs := o.Models
	if len(specs) == 0 && o.Config == "" {
		specs = defaultModels
	}
	for _, spec := range specs {
		m, err := newModel(spec)
		if err != nil {
			return nil, err
		}
		out = append(out, modelSetup{spec: spec, model: m, eng: flagEng})
	}
	if o.Config != "" {
		cfg, err := loadConfig(o.Config)
		if err != nil {
			return nil, err
		}
		only := map[string]bool{}
		for _, n := range o.Only {
			only[n] = true
		}
		for _, mc := range cfg.Models {
			if len(only) > 0 && !only[mc.Name] {
				continue
			}
			delete(only, mc.Name)
			var m eh.Model
			if mc.Spec != "" {
				m, err = newModel(mc.Spec)
			} else {
				m, err = all.FromConfig(mc.Provider, mc.Section)
			}
			if err != nil {
				e := &eh.Error{Code: eh.ErrorCode(err), Message: fmt.Sprintf("config %s, model at line %d", o.Config, mc.Line), Err: err}
				if e.Code == eh.EINVALID {
					e.Hint = "keys read by the engine rather than the provider: " + strings.Join(sortedKeys(engineKeys), ", ")
				}
				return nil, e
			}
			eng := setFlags.merge(mc.Engine).merge(cfg.Defaults).merge(flagEng)
			eng.Decoding = mergeDecoding(setFlags.Decoding, mc.Engine.Decoding, cfg.Defaults.Decoding)
			out = append(out, modelSetup{spec: m.Name(), model: m, eng: eng})
		}
		for n := range only {
			var names []string
			for _, mc := range cfg.Models {
				names = append(names, mc.Name)
			}
			return nil, usagef("--only %s: no such model in %s (models: %s)", n, o.Config, strings.Join(names, ", "))
		}
	} else if len(o.Only) > 0 {
		return nil, usagef("--only selects models of a --config file")
	}
	seen := map[string]bool{}
	for _, s := range out {
		if seen[s.spec] {
			return nil, usagef("model %q is listed twice; give one a different name", s.spec)
		}
		seen[s.spec] = true
	}
	return out, nil
}

// engineFromFlags returns the engine settings the flags give; with onlySet, only
// those the user set explicitly (which override a config file).
func (o runOptions) engineFromFlags(onlySet bool) engineConfig {
	var e engineConfig
	set := func(name string) bool { return !onlySet || o.changed[name] }
	if set("concurrency") {
		e.Concurrency = &o.Concurrency
	}
	if set("rpm") {
		e.RPM = &o.RPM
	}
	if set("tpm") {
		e.TPM = &o.TPM
	}
	if set("no-adaptive") {
		a := !o.NoAdaptive
		e.Adaptive = &a
	}
	if set("retries") {
		e.Retries = &o.Retries
	}
	if set("max-cost") {
		e.MaxCost = &o.MaxCostUSD
	}
	if set("strategy") {
		e.Strategy = &o.Strategy
	}
	d := decoding{}
	if set("temperature") {
		d.Temperature = o.Temperature
	}
	if set("seed") {
		d.Seed = o.Seed
	}
	if set("max-tokens") {
		d.MaxTokens = o.MaxTokens
	}
	if d != (decoding{}) {
		e.Decoding = &d
	}
	return e
}

// mergeDecoding takes each decoding parameter from the first layer that sets it.
func mergeDecoding(layers ...*decoding) *decoding {
	var d decoding
	for _, l := range layers {
		if l == nil {
			continue
		}
		if d.Temperature == nil {
			d.Temperature = l.Temperature
		}
		if d.Seed == nil {
			d.Seed = l.Seed
		}
		if d.MaxTokens == 0 {
			d.MaxTokens = l.MaxTokens
		}
	}
	return &d
}

// runModels evaluates every model and prints the table.
func runModels(ctx context.Context, o runOptions, stdout, stderr io.Writer) error {
	if !score.ValidView(o.View) {
		return usagef("unknown view %q", o.View)
	}
	if o.changed == nil {
		o.changed = map[string]bool{}
	}
	o.stop = ctx.Done()
	if o.Parallel < 1 {
		o.Parallel = 1
	}
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
	setups, err := resolveModels(o)
	if err != nil {
		return err
	}
	s, err := loadSuite(o.Suite)
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
	if pairs, err = selectPairs(pairs, o); err != nil {
		return err
	}
	s.Pairs = pairs
	items, err := suite.Items(s)
	if err != nil {
		return err
	}
	var pg *postgres.DB
	if url := storeFromEnv(o.Store); url != "" {
		if pg, err = openPostgres(ctx, url); err != nil {
			return err
		}
		defer pg.Close()
	} else if o.Enqueue {
		return usagef("--enqueue needs --store postgres://… (or $%s)", storeEnv)
	}
	if o.Enqueue {
		return enqueueRuns(ctx, o, s, setups, pg, stdout)
	}
	var store cache.Store
	if pg != nil {
		if !o.NoCache {
			store = pg
		}
	} else if needsCache(setups) && !o.NoCache {
		path := o.Cache
		if path == "" {
			path = defaultCachePath()
		}
		db, err := openCache(ctx, path)
		if err != nil {
			return &eh.Error{Code: eh.EINVALID, Message: "response cache", Hint: "choose another file with --cache, or run with --no-cache", Err: err}
		}
		defer db.Close()
		store = db
	}

	prog := progress.New(ctx, stderr, draw)
	logw := &lockedWriter{w: stderr}
	if draw {
		logw.w = prog
	}
	results := make([]modelResult, len(setups))
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	for i := range setups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				results[i] = modelResult{err: &eh.Error{Code: eh.ECANCELED, Message: "interrupted before " + setups[i].spec + " started"}}
				return
			}
			dir := runDir(o.Out, setups[i].spec, len(setups))
			results[i] = runOne(ctx, o, s, items, setups[i], store, pg, dir, prog, logw)
		}()
	}
	wg.Wait()
	prog.Wait()

	var runs []report.Run
	var incomplete []string
	var interrupted, firstErr error
	for i, r := range results {
		if r.line != "" {
			fmt.Fprintln(stderr, r.line)
		}
		spec := setups[i].spec
		if r.err != nil {
			if eh.ErrorCode(r.err) == eh.ECANCELED {
				interrupted = r.err
			} else if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", spec, r.err)
			}
			continue
		}
		runs = append(runs, report.Run{Dir: r.dir, Scores: r.scores})
		switch {
		case r.res.StopReason != nil && eh.ErrorCode(r.res.StopReason) == eh.ECANCELED:
			interrupted = r.res.StopReason
		case r.res.StopReason != nil:
			incomplete = append(incomplete, fmt.Sprintf("%s: %v", spec, r.res.StopReason))
		case r.res.Errors > 0:
			incomplete = append(incomplete, fmt.Sprintf("%s: %d question(s) failed; rerun the same command to retry them", spec, r.res.Errors))
		}
	}
	if firstErr != nil {
		return firstErr
	}
	if interrupted != nil {
		fmt.Fprintln(stderr, "run interrupted; the same command resumes it")
		return interrupted
	}
	fmt.Fprintln(stdout)
	if err := report.Text(stdout, runs, o.View); err != nil {
		return err
	}
	if len(o.Models) == 0 && o.Config == "" {
		fmt.Fprint(stdout, `
These are baselines: always-yes shows pure yes-bias (Pct. Diff +0.5, FP Ratio 1),
random guessing scores about 25 overall. To evaluate a real model:
  OPENAI_API_KEY=… emohallucer run --model openai:gpt-4o-mini
  emohallucer run --model openai:qwen2.5-vl@http://localhost:8000/v1    (vLLM, llama.cpp, LiteLLM)
  emohallucer run --model ollama:llama3.2
  emohallucer run --config examples/models.yaml
See README.md for Gemini, Anthropic and config files.
`)
	}
	if len(incomplete) > 0 {
		return &exitError{exitIncomplete, fmt.Errorf("incomplete:\n  %s", strings.Join(incomplete, "\n  "))}
	}
	return nil
}

func needsCache(setups []modelSetup) bool {
	for _, s := range setups {
		if !s.model.Capabilities().Deterministic {
			return true
		}
	}
	return false
}

// newModel builds a model from its spec ("provider:model[@base-url]").
func newModel(spec string) (eh.Model, error) { return all.New(spec) }

// wrapped is a model with its decorators, and handles on their counters.
type wrapped struct {
	eh.Model
	retry   *retry.Model
	limit   *limit.Model
	cache   *cache.Model
	limiter *limit.Adaptive
}

// wrapModel stacks the decorators around a provider, outermost first: cache
// (a stored answer costs no request, no slot and no retry), drop detection
// (sees only real answers), retry (waits without holding a slot), limit (paces
// and measures each attempt), the provider. Deterministic models (baselines)
// are used bare: they need neither pacing nor caching.
func wrapModel(m eh.Model, eng engineConfig, o runOptions, store cache.Store, bar *progress.Bar, logw io.Writer) *wrapped {
	if m.Capabilities().Deterministic {
		return &wrapped{Model: m}
	}
	w := &wrapped{}
	w.limit = limit.New(m, limit.Config{
		Concurrency: *eng.Concurrency, RPM: *eng.RPM, TPM: *eng.TPM, Fixed: !*eng.Adaptive,
	})
	w.limiter = w.limit.Limiter()
	w.retry = retry.New(w.limit, retry.Config{
		Attempts: *eng.Retries + 1,
		Timeout:  o.Timeout,
		Stop:     o.stop,
		OnAttempt: func(a retry.Attempt) {
			if !a.Final {
				bar.Retry()
			}
		},
	})
	checker, _ := m.(prep.MediaChecker)
	var next eh.Model = &dropWatch{Model: w.retry, checker: checker, log: logw}
	if store != nil {
		w.cache = cache.New(next, store)
		w.cache.OnSaveError = func(key string, err error) {
			fmt.Fprintf(logw, "warning: %s: answer not saved in the response cache (a rerun will ask again): %v\n", m.Name(), err)
		}
		next = w.cache
	}
	w.Model = next
	return w
}

// dropWatch warns, once per modality, when the server ignored the media it was
// sent: as the server itself reports it where it can (prep.MediaChecker, asked
// before the first request with such media), else as the model's token usage
// shows it (prep.DropDetector).
type dropWatch struct {
	eh.Model
	checker prep.MediaChecker // nil when the server cannot tell
	det     prep.DropDetector
	log     io.Writer
	asked   sync.Map // modality → struct{}: the checker was asked
	warned  sync.Map // modality → struct{}: a warning was printed
}

// Generate implements emohallucer.Model.
func (d *dropWatch) Generate(ctx context.Context, req *eh.Request) (*eh.Response, error) {
	if kind, n := prep.MediaOf(req); n > 0 && d.checker != nil {
		if _, seen := d.asked.LoadOrStore(kind, struct{}{}); !seen {
			w, err := d.checker.CheckMedia(ctx, kind)
			if err != nil {
				fmt.Fprintf(d.log, "warning: %s: could not ask the server whether the model takes %s input: %v\n", d.Name(), kind, err)
			}
			d.warn(w)
		}
	}
	resp, err := d.Model.Generate(ctx, req)
	if err == nil {
		d.warn(d.det.Observe(d.Name(), req, resp))
	}
	return resp, err
}

func (d *dropWatch) warn(w *prep.DropWarning) {
	if w == nil {
		return
	}
	if _, done := d.warned.LoadOrStore(w.Modality, struct{}{}); !done {
		fmt.Fprintln(d.log, "warning:", w.String())
	}
}

// modelResult is what one model's run produced.
type modelResult struct {
	dir    string
	scores *score.Scores
	res    engine.Result
	line   string // the final line printed for the model
	err    error
}

// runOne evaluates one model into dir, resuming what an earlier attempt recorded,
// and writes summary.json and run.json.
func runOne(ctx context.Context, o runOptions, s *eh.Suite, items []eh.Item, ms modelSetup, cstore cache.Store, pg *postgres.DB, dir string, prog *progress.Progress, logw io.Writer) modelResult {
	out := modelResult{dir: dir}
	eng := ms.eng
	caps := ms.model.Capabilities()
	dec := eng.Decoding
	if dec == nil {
		dec = &decoding{}
	}
	strat, err := strategy.New(*eng.Strategy, strategyOptionsFor(o, dec, caps))
	if err != nil {
		out.err = err
		return out
	}
	runID := runIDFor(s.Name, ms.model, strat.Name(), o.Rule, dec, o)
	var (
		done      func(key string) bool
		sink      engine.Sink
		closeSink = func() error { return nil }
		// acc scores the records of earlier attempts of a local run, fresh
		// the run's own as they are written; merged, they give the summary
		// without a second read of records.jsonl.
		acc   *score.Accumulator
		fresh = score.NewAccumulator()
	)
	if pg != nil {
		// Records of every shard and attempt of the run meet in the database.
		def, err := runDefFor(o, s, ms)
		if err == nil {
			var recs *pgRecords
			if recs, err = openPGRecords(ctx, pg, def, s.Pairs, caps); err == nil {
				done, sink = recs.Done, recs
			}
		}
		if err != nil {
			out.err = err
			return out
		}
	} else {
		// Keep only what scoring needs of every record, reading the records
		// one at a time: the records themselves would stay in memory for the
		// whole run (100k of them are ~100 MB of heap). The running score also
		// tells which questions are finished: its last record was answered,
		// or skipped for a modality the model still does not take (a question
		// skipped for its modality is asked once the model takes it). A later
		// record of a question replaces an earlier one, here as in scoring.
		acc = score.NewAccumulator()
		err := record.EachExisting(filepath.Join(dir, record.FileName), func(r *eh.Record) error {
			if r.Run != runID {
				return &eh.Error{Code: eh.EINVALID,
					Message: fmt.Sprintf("%s holds records of run %s (model %s, strategy %s), not of this run (%s)", dir, r.Run, r.Model, r.Strategy, runID),
					Hint:    "choose another --out folder for a different model, strategy or settings"}
			}
			return acc.Add(r)
		})
		if err != nil {
			out.err = err
			return out
		}
		// The run's own records go to a second accumulator (fresh, below), so
		// that acc, which the engine asks from its dispatcher while the sink
		// writes, only ever holds earlier attempts.
		done = func(key string) bool {
			i := strings.LastIndexByte(key, '/')
			status, mod, ok := acc.Recorded(key[:i], eh.Role(key[i+1:]))
			return ok && (status == eh.StatusAnswered || status == eh.StatusNotEvaluated && !caps.Accepts(mod))
		}
	}
	pending := 0
	for i := range items {
		if !done(items[i].Pair.ID + "/" + string(items[i].Role)) {
			pending++
		}
	}
	// The bar is drawn from its own goroutine and needs the limiter, which
	// is made after the bar (its retry callback counts on the bar).
	var lim atomic.Pointer[limit.Adaptive]
	bar := prog.Add(ms.model.Name(), pending, func() string {
		l := lim.Load()
		if l == nil {
			return ""
		}
		st := l.State()
		return fmt.Sprintf("conc %d/%d", st.InFlight, st.Limit)
	})
	w := wrapModel(ms.model, eng, o, cstore, bar, logw)
	if *eng.MaxCost > 0 && eng.Price == nil && !caps.Deterministic {
		fmt.Fprintf(logw, "warning: %s has no price (set price in a --config file), so --max-cost cannot stop it\n", ms.model.Name())
	}
	if w.limiter != nil {
		lim.Store(w.limiter)
	}
	info := newRunInfo(runID, s, ms, strat.Name(), o, dec, caps)
	if err := writeRunInfo(dir, info); err != nil {
		bar.Stop()
		out.err = err
		return out
	}
	if pg == nil {
		app, err := record.OpenAppend(filepath.Join(dir, record.FileName))
		if err != nil {
			bar.Stop()
			out.err = err
			return out
		}
		sink, closeSink = scoringSink{app, fresh}, app.Close
	}
	res, err := engine.Run(ctx, engine.Plan{
		Run: runID, Suite: s.Name, Model: w, Strategy: strat, Items: items,
		Concurrency: *eng.Concurrency, Done: done, MaxCostUSD: *eng.MaxCost,
		CostOf:   eng.Price.cost,
		OnRecord: bar.Record,
	}, sink)
	bar.Stop()
	if cerr := closeSink(); err == nil {
		err = cerr
	}
	out.res = res
	info.finish(res, w)
	if werr := writeRunInfo(dir, info); err == nil {
		err = werr
	}
	if err != nil {
		out.err = err
		return out
	}
	reqs := ""
	if w.retry != nil {
		reqs = fmt.Sprintf("; %s; $%.4f", info.Requests.describe(), res.CostUSD)
	}
	out.line = fmt.Sprintf("%s: %d answered, %d not evaluated, %d errors, %d already recorded, %d not started%s — %s in %s",
		ms.model.Name(), res.Answered, res.NotEvaluated, res.Errors, res.Skipped, res.Unstarted, reqs,
		dir, info.Finished.Sub(info.Started).Round(time.Millisecond))
	if pg != nil {
		out.scores, out.err = scoreStoreToDir(ctx, pg, runID, dir)
	} else if out.err = acc.Merge(fresh); out.err == nil {
		out.scores, out.err = writeSummary(dir, acc)
	}
	return out
}

// scoringSink appends records to the run's file and adds them to the run's
// scores. Flush comes from the Appender.
type scoringSink struct {
	*record.Appender
	acc *score.Accumulator
}

func (s scoringSink) Put(r *eh.Record) error {
	if err := s.Appender.Put(r); err != nil {
		return err
	}
	return s.acc.Add(r)
}

// runInfo is run.json: what a run evaluated and how, for reports (metadata such
// as size and release date) and for accounting (requests, retries, cost). It
// never holds an API key or header value.
type runInfo struct {
	Schema   int    `json:"schema"`
	Run      string `json:"run"`
	Model    string `json:"model"`
	Identity string `json:"identity"`
	Suite    string `json:"suite"`
	// SuiteDir is the suite folder (empty for builtin), so that reports can show
	// the contexts and media of failed pairs without being told where it is.
	SuiteDir    string        `json:"suite_dir,omitempty"`
	Questions   int           `json:"questions"`
	Strategy    string        `json:"strategy"`
	Rule        string        `json:"rule"`
	Decoding    *decoding     `json:"decoding,omitempty"`
	Modalities  []eh.Modality `json:"modalities"`
	Concurrency int           `json:"concurrency"`
	Adaptive    bool          `json:"adaptive"`
	RPM         float64       `json:"rpm,omitempty"`
	TPM         float64       `json:"tpm,omitempty"`
	Price       *price        `json:"price,omitempty"`
	MaxCostUSD  float64       `json:"max_cost_usd,omitempty"`
	Metadata    *metadata     `json:"metadata,omitempty"`
	Started     time.Time     `json:"started"`
	Finished    time.Time     `json:"finished,omitzero"`
	Result      *runResult    `json:"result,omitempty"`
	Requests    requestCounts `json:"requests"`
}

// runResult is the engine's count of one attempt of the run (this invocation).
type runResult struct {
	Answered     int     `json:"answered"`
	NotEvaluated int     `json:"not_evaluated"`
	Errors       int     `json:"errors"`
	Skipped      int     `json:"already_recorded"`
	Unstarted    int     `json:"not_started"`
	CostUSD      float64 `json:"cost_usd"`
	StopReason   string  `json:"stop_reason,omitempty"`
}

// requestCounts account for every request of this invocation: Attempts are
// calls that reached the provider, of which Retries were followed by another
// attempt; CacheHits were answered without any call.
type requestCounts struct {
	Attempts    int64 `json:"attempts"`
	Retries     int64 `json:"retries"`
	RateLimited int64 `json:"rate_limited"`
	Failed      int64 `json:"failed"`
	CacheHits   int64 `json:"cache_hits"`
	CacheMisses int64 `json:"cache_misses"`
	// Concurrency is the adaptive bound at the end, and Backoffs how often it
	// was lowered.
	Concurrency int `json:"concurrency_final,omitempty"`
	Backoffs    int `json:"backoffs,omitempty"`
}

func (r requestCounts) describe() string {
	return fmt.Sprintf("%d requests (%d retried, %d rate-limited), %d from cache", r.Attempts, r.Retries, r.RateLimited, r.CacheHits)
}

func newRunInfo(runID string, s *eh.Suite, ms modelSetup, strat string, o runOptions, dec *decoding, caps eh.Capabilities) *runInfo {
	e := ms.eng
	info := &runInfo{
		Schema: 1, Run: runID, Model: ms.model.Name(), Identity: redactURL(caps.Identity),
		Suite: s.Name, SuiteDir: s.Dir, Questions: s.QuestionCount(), Strategy: strat, Rule: o.Rule, Decoding: dec,
		Modalities: caps.Modalities, Concurrency: *e.Concurrency, Adaptive: *e.Adaptive,
		RPM: *e.RPM, TPM: *e.TPM, Price: e.Price, MaxCostUSD: *e.MaxCost, Metadata: e.Metadata,
		Started: time.Now().UTC(),
	}
	if *dec == (decoding{}) {
		info.Decoding = nil
	}
	return info
}

func (info *runInfo) finish(res engine.Result, w *wrapped) {
	info.Finished = time.Now().UTC()
	info.Result = &runResult{Answered: res.Answered, NotEvaluated: res.NotEvaluated, Errors: res.Errors,
		Skipped: res.Skipped, Unstarted: res.Unstarted, CostUSD: res.CostUSD}
	if res.StopReason != nil {
		info.Result.StopReason = res.StopReason.Error()
	}
	if w.retry != nil {
		st := w.retry.Stats()
		info.Requests.Attempts, info.Requests.Retries = st.Attempts.Load(), st.Retries.Load()
		info.Requests.RateLimited, info.Requests.Failed = st.RateLimited.Load(), st.Failed.Load()
	}
	if w.cache != nil {
		info.Requests.CacheHits, info.Requests.CacheMisses = w.cache.Stats().Hits.Load(), w.cache.Stats().Misses.Load()
	}
	if w.limiter != nil {
		st := w.limiter.State()
		info.Requests.Concurrency, info.Requests.Backoffs = st.Limit, st.Decreases
	}
}

// writeRunInfo writes dir/run.json through a temporary file, so a crash leaves
// the old or the new file, never half of one.
func writeRunInfo(dir string, info *runInfo) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".run.json.tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "run.json"))
}

var userinfo = regexp.MustCompile(`//[^/@\s]*@`)

// redactURL removes credentials written into a URL (https://user:pass@host).
func redactURL(s string) string { return userinfo.ReplaceAllString(s, "//") }

// runIDFor derives the run id from everything that determines the answers, so
// the same command always continues the same run.
func runIDFor(suiteName string, m eh.Model, strat, rule string, d *decoding, o runOptions) string {
	// Sampling settings matter only to self-consistency; leaving them out
	// otherwise keeps every other run's id unchanged.
	var sampling *[2]float64
	if strat == "self-consistency" {
		sampling = &[2]float64{float64(o.Samples), o.SampleTemperature}
	}
	key, _ := json.Marshal(struct {
		Suite, Identity, Strategy, Rule string
		Temperature                     *float64
		Seed                            *int64
		MaxTokens                       int
		Sampling                        *[2]float64 `json:",omitempty"`
	}{suiteName, m.Capabilities().Identity, strat, rule, d.Temperature, d.Seed, d.MaxTokens, sampling})
	sum := sha256.Sum256(key)
	return slug(m.Name()) + "-" + strat + "-" + hex.EncodeToString(sum[:4])
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// slug makes a model spec usable as a folder name.
func slug(spec string) string {
	return strings.Trim(unsafeChars.ReplaceAllString(redactURL(spec), "-"), "-")
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
	acc, err := accumulate([]string{dir}, nil)
	if err != nil {
		return nil, err
	}
	return writeSummary(dir, acc)
}

// writeSummary scores what acc holds and writes the run folder's summary.json.
func writeSummary(dir string, acc *score.Accumulator) (*score.Scores, error) {
	sc := acc.Close()
	return sc, writeFile(filepath.Join(dir, "summary.json"), func(w io.Writer) error { return score.WriteJSON(w, sc) })
}

// accumulate reads the records of paths (run folders, files, or "-" for stdin)
// into a score accumulator, without their transcripts, which scoring never reads.
func accumulate(paths []string, stdin io.Reader) (*score.Accumulator, error) {
	acc := score.NewAccumulator()
	if err := record.ReadPathsSlim(paths, stdin, acc.Add); err != nil {
		return nil, err
	}
	return acc, nil
}

// lockedWriter serialises writes of warnings from many goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
