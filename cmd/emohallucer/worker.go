package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/runner"
	"github.com/emohallucer/emohallucer/scale"
	"github.com/emohallucer/emohallucer/store/postgres"
)

// workerOptions are the resolved flags of the worker command.
type workerOptions struct {
	// Engine settings for models the config does not describe, as run takes
	// them; Concurrency is also how many questions the worker answers at once.
	engineFlags
	Store        string
	Config       string
	MediaRoot    string
	JobTimeout   time.Duration
	RescueAfter  time.Duration
	ExitWhenDone bool
	Timeout      time.Duration
}

func newWorkerCmd() *cobra.Command {
	var o workerOptions
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Answer questions queued in a shared PostgreSQL store by run --enqueue",
		Long: `Answer the questions that "emohallucer run --store postgres://… --enqueue"
queued, together with any number of other workers on any machines that reach
the database. Each question is one job of a River queue in that database; its
record is written to the same database, keyed by run, pair and role, so a
question delivered twice still has exactly one record, and every model
response is cached there by content, so a retried question re-sends only the
calls that were never answered.

A worker answers --concurrency questions at once, with the same engine,
strategies, retries and rate limits as run. Models are built from the spec the
run was enqueued with; give the same --config as the enqueuing command when it
used one (models are matched by name), and each worker its own API keys in the
environment. Media files are read from the suite folder recorded at enqueue
time, or from --media-root.

The first SIGINT/SIGTERM stops taking jobs and finishes the ones in flight;
a worker killed outright leaves its jobs to others after --rescue-after.

  emohallucer run --store postgres://eh@db/eh --enqueue --model openai:gpt-4o-mini
  emohallucer worker --store postgres://eh@db/eh --concurrency 16
  emohallucer worker --store postgres://eh@db/eh --config models.yaml --exit-when-done
  emohallucer score --store postgres://eh@db/eh --run <run id>`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.visit(cmd)
			return workerCommand(cmd.Context(), o, cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Store, "store", "", "PostgreSQL URL of the shared store and queue (default $"+storeEnv+")")
	f.StringVar(&o.Config, "config", "", "YAML file describing models (as for run); models of queued runs are matched by name")
	f.IntVar(&o.Concurrency, "concurrency", scale.DefaultConcurrency, "questions answered at once by this worker (and requests in flight per model)")
	f.StringVar(&o.MediaRoot, "media-root", "", "folder holding the suite's media on this machine (default: the folder recorded at enqueue)")
	f.DurationVar(&o.JobTimeout, "job-timeout", scale.DefaultJobTimeout, "longest time one question (all its steps and retries) may take before it is cancelled and retried")
	f.DurationVar(&o.RescueAfter, "rescue-after", scale.DefaultRescueAfter, "how long a question may stay running before another worker takes it over (covers killed workers; must exceed --job-timeout)")
	f.BoolVar(&o.ExitWhenDone, "exit-when-done", false, "exit once no queued question is waiting or running (for Kubernetes Jobs and batch scripts)")
	f.DurationVar(&o.Timeout, "timeout", 0, "time limit of one request attempt (default: the provider's, 120s)")
	f.IntVar(&o.Retries, "retries", stack.DefaultRetries, "retries of a failed request (429, 5xx, timeouts, dropped connections)")
	f.Float64Var(&o.RPM, "rpm", 0, "requests per minute per model in this worker (0: no limit)")
	f.Float64Var(&o.TPM, "tpm", 0, "tokens per minute per model in this worker (0: no limit)")
	f.BoolVar(&o.NoAdaptive, "no-adaptive", false, "keep concurrency fixed instead of backing off on 429s and rising latency")
	o.capFlag(f)
	return cmd
}

// workerCommand runs a worker until ctx is cancelled (or the queue is empty
// with --exit-when-done), logging to stderr.
func workerCommand(ctx context.Context, o workerOptions, stderr io.Writer) error {
	url := storeFromEnv(o.Store)
	if url == "" {
		return usagef("worker needs --store postgres://… (or $%s)", storeEnv)
	}
	if err := o.check(); err != nil {
		return err
	}
	if o.Timeout < 0 {
		return usagef("--timeout must not be negative")
	}
	if o.JobTimeout <= 0 || o.RescueAfter <= o.JobTimeout {
		return usagef("--rescue-after (%s) must exceed --job-timeout (%s), or live jobs would be run twice", o.RescueAfter, o.JobTimeout)
	}
	db, err := openPostgres(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	logw := runner.SyncWriter(stderr)
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	models := &workerModels{o: o, db: db, logw: logw, stop: ctx.Done()}
	w, err := scale.New(scale.Config{
		DB: db, NewModel: models.build, MediaRoot: o.MediaRoot, Concurrency: o.Concurrency,
		JobTimeout: o.JobTimeout, RescueAfter: o.RescueAfter, ExitWhenDone: o.ExitWhenDone, Logger: log,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(logw, "worker %d: answering queued questions from %s (concurrency %d); Ctrl-C stops after the questions in flight\n",
		os.Getpid(), db, o.Concurrency)
	start := time.Now()
	err = w.Run(ctx)
	st := w.Stats()
	fmt.Fprintf(logw, "worker %d: %d answered, %d not evaluated, %d errors, %d already recorded — %s\n", os.Getpid(),
		st.Answered.Load(), st.NotEvaluated.Load(), st.Errors.Load(), st.Skipped.Load(), time.Since(start).Round(time.Millisecond))
	return err
}

// workerModels builds the models of queued runs the way run does: from
// --config when it names the spec, else from the spec itself with the flags'
// engine settings, wrapped in the same stack, with the shared store as
// response cache.
type workerModels struct {
	o    workerOptions
	db   *postgres.DB
	logw io.Writer
	// stop is closed on the first SIGINT/SIGTERM: requests waiting to be
	// retried give up, so the worker stops soon; River retries their
	// questions later, on this worker or another.
	stop <-chan struct{}

	once sync.Once
	cfg  *stack.File
	err  error
}

func (wm *workerModels) build(ctx context.Context, spec string) (*scale.Model, error) {
	sel := wm.o.selection([]string{spec}, "", nil)
	if wm.o.Config != "" {
		wm.once.Do(func() { wm.cfg, wm.err = stack.LoadConfig(wm.o.Config) })
		if wm.err != nil {
			return nil, wm.err
		}
		for _, mc := range wm.cfg.Models {
			if mc.Name == spec {
				sel.Specs, sel.Config, sel.Only = nil, wm.o.Config, []string{spec}
				break
			}
		}
	}
	setups, err := stack.FromConfig(sel)
	if err != nil {
		return nil, err
	}
	ms := setups[0]
	opts := ms.Engine.Options()
	opts.Timeout, opts.Stop, opts.Cache, opts.Log = wm.o.Timeout, wm.stop, wm.db, wm.logw
	return &scale.Model{Model: stack.Wrap(ms.Model, opts), CostOf: ms.Engine.Price.Cost}, nil
}
