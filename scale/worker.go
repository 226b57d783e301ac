package scale

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/engine"
	"github.com/emohallucer/emohallucer/store/postgres"
	"github.com/emohallucer/emohallucer/suite"
)

// Defaults of Config's zero fields.
const (
	DefaultConcurrency = 8
	// DefaultJobTimeout bounds one question, all its strategy steps and retries
	// included. A job that runs longer is cancelled and retried.
	DefaultJobTimeout = 10 * time.Minute
	// DefaultRescueAfter is how long a job may stay "running" before River
	// hands it to another worker: a worker killed mid-job (OOM, SIGKILL, a lost
	// node) delays its questions by about this much. It must exceed the job
	// timeout, or a slow but live job would be run twice. River's own default is
	// an hour; minutes suit jobs of one question.
	DefaultRescueAfter = DefaultJobTimeout + 5*time.Minute
	// pollEvery is how often ExitWhenDone looks at the queue.
	pollEvery = 2 * time.Second
)

// Model is a run's model as a worker uses it.
type Model struct {
	// Model carries the decorators of a local run (cache over the shared store,
	// retry, limit). It is shared by every job that names the same spec, so its
	// concurrency and rate limits hold for the whole process.
	eh.Model
	// CostOf prices the usage of calls not served from the cache; nil: free.
	CostOf func(eh.Usage) float64
}

// Config configures a Worker.
type Config struct {
	DB *postgres.DB
	// NewModel builds the model of a spec, with its decorators. It is called
	// once per spec per process.
	NewModel func(ctx context.Context, spec string) (*Model, error)
	// MediaRoot is the folder media paths of pairs are resolved against; empty:
	// the suite folder recorded at enqueue time.
	MediaRoot string
	// Concurrency is how many questions the worker answers at once (default 8).
	Concurrency int
	// JobTimeout bounds one question (default DefaultJobTimeout); RescueAfter is
	// how long a job may run before it is given to another worker (default
	// DefaultRescueAfter; it must exceed JobTimeout).
	JobTimeout, RescueAfter time.Duration
	// ExitWhenDone makes Run return once the queue holds no unfinished job,
	// which suits a Kubernetes Job or a batch script; otherwise Run serves until
	// its context is cancelled.
	ExitWhenDone bool
	// Logger receives the queue's warnings and one line per failed job.
	Logger *slog.Logger
	// OnRecord, when set, sees every record the worker saved.
	OnRecord func(*eh.Record)
	// Now is the clock of records (tests replace it).
	Now func() time.Time
}

// Stats count what a worker did. Fields are updated atomically.
type Stats struct {
	// Answered, NotEvaluated and Errors count saved records by status.
	Answered, NotEvaluated, Errors atomic.Int64
	// Skipped counts jobs whose question was already done when they started
	// (a redelivery after the record was saved).
	Skipped atomic.Int64
}

// Worker answers queued questions.
type Worker struct {
	cfg    Config
	client *river.Client[pgx.Tx]
	stats  Stats

	mu     sync.Mutex
	models map[string]*Model
	runs   map[string]*runState
	// digests remembers media files whose digest was checked (path → digest).
	digests sync.Map
}

// runState is what a worker keeps of a run while it answers its questions.
type runState struct {
	def   *postgres.RunDef
	model *Model
	strat eh.Strategy
}

// New prepares a worker; Run starts it.
func New(cfg Config) (*Worker, error) {
	if cfg.DB == nil || cfg.NewModel == nil {
		return nil, errors.New("scale.New: DB and NewModel are required")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = DefaultJobTimeout
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = max(DefaultRescueAfter, cfg.JobTimeout+5*time.Minute)
	}
	if cfg.RescueAfter <= cfg.JobTimeout {
		return nil, eh.Errorf(eh.EINVALID, "the rescue delay (%s) must exceed the job timeout (%s), or live jobs would be run twice", cfg.RescueAfter, cfg.JobTimeout)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	w := &Worker{cfg: cfg, models: map[string]*Model{}, runs: map[string]*runState{}}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely[QuestionArgs](workers, &questionWorker{w: w}); err != nil {
		return nil, err
	}
	client, err := river.NewClient(riverpgxv5.New(cfg.DB.Pool()), &river.Config{
		Queues:               map[string]river.QueueConfig{Queue: {MaxWorkers: cfg.Concurrency}},
		Workers:              workers,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		MaxAttempts:          DefaultMaxAttempts,
		Logger:               cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("queue client: %w", err)
	}
	w.client = client
	return w, nil
}

// Stats returns the worker's counters.
func (w *Worker) Stats() *Stats { return &w.stats }

// Run migrates River's tables, then answers jobs until ctx is cancelled (or,
// with ExitWhenDone, until the queue is empty). On cancellation no new job
// starts and the jobs in flight finish (each bounded by JobTimeout) before Run
// returns; a process killed instead leaves its jobs to be rescued.
func (w *Worker) Run(ctx context.Context) error {
	if err := Migrate(ctx, w.cfg.DB.Pool()); err != nil {
		return err
	}
	// The client must not stop the moment ctx is cancelled: Stop below lets
	// the jobs in flight finish first.
	if err := w.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start queue client: %w", err)
	}
	var err error
	if w.cfg.ExitWhenDone {
		err = w.waitDone(ctx)
	} else {
		<-ctx.Done()
	}
	if serr := w.client.Stop(context.WithoutCancel(ctx)); err == nil && serr != nil {
		err = fmt.Errorf("stop queue client: %w", serr)
	}
	return err
}

// waitDone returns when no job of the queue is unfinished, or ctx is done.
func (w *Worker) waitDone(ctx context.Context) error {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		n, err := Pending(ctx, w.cfg.DB.Pool())
		if err != nil && ctx.Err() == nil {
			return err
		}
		if n == 0 && err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// questionWorker adapts Worker to River's Worker interface.
type questionWorker struct {
	river.WorkerDefaults[QuestionArgs]
	w *Worker
}

// Work implements river.Worker.
func (q *questionWorker) Work(ctx context.Context, job *river.Job[QuestionArgs]) error {
	err := q.w.answer(ctx, job.Args)
	if err != nil {
		q.w.cfg.Logger.Warn("question not answered", "run", job.Args.Run, "question", job.Args.Key(),
			"attempt", job.Attempt, "max_attempts", job.MaxAttempts, "error", err)
	}
	return err
}

// permanent marks errors for which another attempt cannot help: River cancels
// the job instead of retrying it.
func permanent(err error) error { return river.JobCancel(err) }

// answer answers one question and saves its record. A nil error completes the
// job. An error makes River try again later (with backoff, at most
// DefaultMaxAttempts times), except errors wrapped by permanent, which cancel it.
func (w *Worker) answer(ctx context.Context, a QuestionArgs) error {
	db := w.cfg.DB
	rs, err := w.run(ctx, a.Run)
	if err != nil {
		if c := eh.ErrorCode(err); c == eh.ENOTFOUND || c == eh.EINVALID {
			return permanent(err)
		}
		return err
	}
	caps := rs.model.Capabilities()
	// A redelivered job whose question was answered meanwhile costs nothing.
	if r, ok, err := db.Record(ctx, a.Run, a.Pair, a.Role); err != nil {
		return err
	} else if ok && Done(postgres.State{Status: r.Status, Modality: r.Modality}, caps) {
		w.stats.Skipped.Add(1)
		return nil
	}
	// The limit is read afresh: enqueueing the run again may have raised it.
	def, err := db.Run(ctx, a.Run)
	if err != nil {
		return err
	}
	if def.MaxCostUSD > 0 {
		spent, err := db.RunCost(ctx, a.Run)
		if err != nil {
			return err
		}
		if spent >= def.MaxCostUSD {
			return permanent(eh.Errorf(eh.EBUDGET, "run %s has cost $%.4f of its $%.4f limit; enqueue it again with a higher --max-cost to continue", a.Run, spent, def.MaxCostUSD))
		}
	}
	p, err := db.Pair(ctx, a.Run, a.Pair)
	if err != nil {
		if eh.ErrorCode(err) == eh.ENOTFOUND {
			return permanent(err)
		}
		return err
	}
	it, err := w.item(rs.def, p, a.Role)
	if err != nil {
		// The media may be missing on this worker only; another may have it.
		return err
	}
	strat := &capture{Strategy: rs.strat}
	var saved *eh.Record
	res, err := engine.Run(ctx, engine.Plan{
		Run: rs.def.ID, Suite: rs.def.Suite, Model: rs.model, Strategy: strat, Items: []eh.Item{it},
		Concurrency: 1, CallContext: ctx, CostOf: rs.model.CostOf, Now: w.cfg.Now,
		OnRecord: func(r *eh.Record) {
			saved = r
			if w.cfg.OnRecord != nil {
				w.cfg.OnRecord(r)
			}
		},
	}, db)
	if err != nil {
		return err // the record could not be saved
	}
	switch {
	case res.Answered == 1:
		w.stats.Answered.Add(1)
		return nil
	case res.NotEvaluated == 1:
		w.stats.NotEvaluated.Add(1)
		return nil
	case res.Errors == 1:
		w.stats.Errors.Add(1)
		// The error record is saved either way, so scores show it until an
		// attempt succeeds.
		switch eh.ErrorCode(strat.err) {
		case eh.EPROVIDER, eh.EINVALID:
			return nil // refused for good: the record says why; a re-enqueue retries
		}
		if strat.err != nil {
			return fmt.Errorf("question %s of run %s: %w", a.Key(), a.Run, strat.err)
		}
		return errors.New(saved.Error)
	}
	// Nothing recorded: the job's context ended mid-call (job timeout or a hard
	// stop). Another attempt re-sends only what the cache does not hold.
	cause := context.Cause(ctx)
	if cause == nil {
		cause = errors.New("interrupted")
	}
	return fmt.Errorf("question %s of run %s not finished: %w", a.Key(), a.Run, cause)
}

// capture remembers the error of the one question a job's strategy answers,
// which tells a permanent refusal from a failure worth another attempt.
type capture struct {
	eh.Strategy
	err error
}

// Answer implements emohallucer.Strategy.
func (c *capture) Answer(ctx context.Context, m eh.Model, it *eh.Item) (*eh.Outcome, error) {
	o, err := c.Strategy.Answer(ctx, m, it)
	c.err = err
	return o, err
}

// run returns the state of a run, building its model and strategy on first use.
// Errors are not kept: the next job tries again.
func (w *Worker) run(ctx context.Context, id string) (*runState, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if rs, ok := w.runs[id]; ok {
		return rs, nil
	}
	def, err := w.cfg.DB.Run(ctx, id)
	if err != nil {
		return nil, err
	}
	strat, err := NewStrategy(def)
	if err != nil {
		return nil, err
	}
	m, ok := w.models[def.Model]
	if !ok {
		if m, err = w.cfg.NewModel(ctx, def.Model); err != nil {
			return nil, fmt.Errorf("run %s: model %s: %w", id, def.Model, err)
		}
		w.models[def.Model] = m
	}
	rs := &runState{def: def, model: m, strat: strat}
	w.runs[id] = rs
	return rs, nil
}

// item builds the item of one question, resolving and checking its media.
func (w *Worker) item(def *postgres.RunDef, p *eh.Pair, role eh.Role) (eh.Item, error) {
	dir := w.cfg.MediaRoot
	if dir == "" {
		dir = def.SuiteDir
	}
	if len(p.Context.Media) > 0 && dir == "" {
		return eh.Item{}, &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("run %s pair %s has media but no suite folder is known", def.ID, p.ID),
			Hint: "start the worker with --media-root pointing at the suite folder"}
	}
	items, err := suite.Items(&eh.Suite{Name: def.Suite, Dir: dir, Pairs: []eh.Pair{*p}})
	if err != nil {
		return eh.Item{}, fmt.Errorf("run %s (media root %s): %w", def.ID, dir, err)
	}
	it := items[0]
	if role == eh.Hallucinated {
		it = items[1]
	}
	// The digest, not the path, is in the cache key and the records: a file
	// that changed on this worker's disk must not be answered as the old one.
	for _, m := range it.Media {
		if d, ok := w.digests.Load(m.Path); ok && d == m.SHA256 {
			continue
		}
		got, err := suite.FileSHA256(m.Path)
		if err != nil {
			return eh.Item{}, fmt.Errorf("run %s pair %s: %w", def.ID, p.ID, err)
		}
		if got != m.SHA256 {
			return eh.Item{}, eh.Errorf(eh.EINVALID, "run %s pair %s: media %s has digest %.12s…, the suite says %.12s…", def.ID, p.ID, m.Path, got, m.SHA256)
		}
		w.digests.Store(m.Path, got)
	}
	return it, nil
}
