package runner

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/engine"
	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/store/postgres"
	"github.com/emohallucer/emohallucer/suite"
)

// model is one model's run into its folder.
type model struct {
	cfg   *Config
	suite *eh.Suite
	items []eh.Item
	setup stack.Setup
	cache stack.Store
	log   io.Writer
	shard suite.Shard
	dir   string
	// digest is the suite's SHA-256 (rundir.Provenance.SuiteSHA256).
	digest string
}

// recordSink is where a run's records go, and what tells which questions an
// earlier attempt (or another shard) finished.
type recordSink interface {
	engine.Sink
	Done(key string) bool
	Close() error
	// Scores scores the whole run, earlier attempts included, once the sink
	// is closed.
	Scores(ctx context.Context) (*score.Scores, error)
}

// run evaluates the model into its folder, resuming what earlier attempts
// recorded, and writes summary.json and run.json.
func (m *model) run(ctx context.Context) ModelResult {
	out := ModelResult{Name: m.setup.Name, Dir: m.dir}
	eng := m.setup.Engine
	caps := m.setup.Model.Capabilities()
	def, err := Define(m.suite.Name, m.setup, m.cfg.Settings)
	if err != nil {
		out.Err = err
		return out
	}
	if err := m.withJudge(ctx, def); err != nil {
		out.Err = err
		return out
	}
	// Held until the run's files are written: a second run into the folder
	// would interleave its records with ours and pay for every question twice.
	lock, err := rundir.Acquire(ctx, m.dir, m.shard.String(), m.cfg.WaitLock)
	if err != nil {
		out.Err = err
		return out
	}
	defer lock.Release()
	var sink recordSink
	if m.cfg.Store != nil {
		var sd *postgres.RunDef
		if sd, err = storeDef(m.suite, m.setup.Name, eng.MaxCost, def); err == nil {
			sink, err = openStoreRecords(ctx, m.cfg.Store, sd, m.suite.Pairs, caps)
		}
	} else {
		sink, err = openFileRecords(m.dir, def.ID, caps)
	}
	if err != nil {
		out.Err = err
		return out
	}
	pending := 0
	for i := range m.items {
		if !sink.Done(m.items[i].Pair.ID + "/" + string(m.items[i].Role)) {
			pending++
		}
		if mod := m.items[i].Pair.Modality; !caps.Accepts(mod) {
			if out.NotEvaluated == nil {
				out.NotEvaluated = map[eh.Modality]int{}
			}
			out.NotEvaluated[mod]++
		}
	}
	// The observer is made after the stack (it shows the limiter's state)
	// and the stack counts retries on it: obs is set before any request.
	var obs ModelObserver = nopObserver{}
	opts := eng.Options()
	opts.Timeout, opts.Stop, opts.Cache, opts.Log = m.cfg.Timeout, ctx.Done(), m.cache, m.log
	opts.OnRetry = func() { obs.Retry() }
	w := stack.Wrap(m.setup.Model, opts)
	if m.cfg.Observer != nil {
		obs = m.cfg.Observer.Start(m.setup.Model.Name(), pending, w.LimitState)
	}
	maxCost := 0.0
	if eng.MaxCost != nil {
		maxCost = *eng.MaxCost
	}
	if maxCost > 0 && eng.Price == nil && !caps.Deterministic {
		fmt.Fprintf(m.log, "warning: %s has no price (set price in a --config file), so --max-cost cannot stop it\n", m.setup.Model.Name())
	}
	info := m.newInfo(def, caps)
	if err := rundir.WriteInfo(m.dir, info); err != nil {
		obs.Stop()
		sink.Close()
		out.Err = err
		return out
	}
	res, err := engine.Run(ctx, engine.Plan{
		Run: def.ID, Suite: m.suite.Name, Model: w, Strategy: def.Strategy, Items: m.items,
		Concurrency: opts.Concurrency, Done: sink.Done, MaxCostUSD: maxCost,
		CostOf: eng.Price.Cost, OnRecord: obs.Record,
	}, sink)
	obs.Stop()
	if cerr := sink.Close(); err == nil {
		err = cerr
	}
	if m.cfg.Store == nil {
		err = rundir.IOError("write", filepath.Join(m.dir, record.FileName), err)
	}
	out.Engine = res
	finish(info, res, w)
	if werr := rundir.WriteInfo(m.dir, info); err == nil {
		err = werr
	}
	if err != nil {
		out.Err = err
		return out
	}
	reqs := ""
	if w.Calls() {
		reqs = fmt.Sprintf("; %s; $%.4f", info.Requests.Describe(), res.CostUSD)
	}
	out.Line = eh.Redact(fmt.Sprintf("%s: %d answered, %d not evaluated, %d errors, %d already recorded, %d not started%s — %s in %s",
		m.setup.Model.Name(), res.Answered, res.NotEvaluated, res.Errors, res.Skipped, res.Unstarted, reqs,
		m.dir, info.Finished.Sub(info.Started).Round(time.Millisecond)))
	if out.Scores, out.Err = sink.Scores(ctx); out.Err == nil {
		out.Err = rundir.WriteSummary(m.dir, out.Scores)
	}
	return out
}

func (m *model) newInfo(def *Definition, caps eh.Capabilities) *rundir.Info {
	e := m.setup.Engine
	o := e.Options()
	info := &rundir.Info{
		Run: def.ID, Model: m.setup.Model.Name(), Identity: caps.Identity,
		Suite: m.suite.Name, SuiteDir: m.suite.Dir, Questions: m.suite.QuestionCount(), Strategy: def.Strategy.Name(),
		Rule: m.cfg.Settings.Rule, Decoding: def.Decoding,
		Modalities: caps.Modalities, Concurrency: o.Concurrency, Adaptive: o.Adaptive,
		RPM: o.RPM, TPM: o.TPM, Price: e.Price, Metadata: e.Metadata,
		Provenance: rundir.NewProvenance(m.digest),
		Started:    time.Now().UTC(),
	}
	if e.MaxCost != nil {
		info.MaxCostUSD = *e.MaxCost
	}
	if *def.Decoding == (rundir.Decoding{}) {
		info.Decoding = nil
	}
	return info
}

// finish completes run.json with the attempt's results and request counts.
func finish(info *rundir.Info, res engine.Result, w *stack.Model) {
	info.Finished = time.Now().UTC()
	info.Result = &rundir.Result{Answered: res.Answered, NotEvaluated: res.NotEvaluated, Errors: res.Errors,
		Skipped: res.Skipped, Unstarted: res.Unstarted, CostUSD: res.CostUSD}
	if res.StopReason != nil {
		info.Result.StopReason = eh.Redact(res.StopReason.Error())
	}
	c := w.Counts()
	info.Requests = rundir.Requests{Attempts: c.Attempts, Retries: c.Retries, RateLimited: c.RateLimited, Failed: c.Failed,
		CacheHits: c.CacheHits, CacheMisses: c.CacheMisses, Concurrency: c.Concurrency, Backoffs: c.Backoffs}
}

// fileRecords keeps a local run's records in its folder's records.jsonl. Only
// what scoring needs of the records of earlier attempts is kept, read one at a
// time (100k whole records are ~100 MB of heap): their running score, which
// also tells which questions are finished. The run's own records score into a
// second accumulator, so that the first, which the engine's dispatcher asks
// while the sink writes, only ever holds earlier attempts; merged, they give
// the summary without a second read of records.jsonl.
type fileRecords struct {
	*record.Appender
	caps         eh.Capabilities
	before, mine *score.Accumulator
}

func openFileRecords(dir, runID string, caps eh.Capabilities) (*fileRecords, error) {
	before, err := readEarlier(dir, runID)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, record.FileName)
	r := &fileRecords{caps: caps, before: before, mine: score.NewAccumulator()}
	if r.Appender, err = record.OpenAppend(path); err != nil {
		return nil, rundir.IOError("open", path, err)
	}
	return r, nil
}

// readEarlier scores the records earlier attempts of run runID left in dir
// (none when it has no records file), refusing records of another run.
func readEarlier(dir, runID string) (*score.Accumulator, error) {
	path := filepath.Join(dir, record.FileName)
	acc := score.NewAccumulator()
	err := record.EachExisting(path, func(rec *eh.Record) error {
		if rec.Run != runID {
			return &eh.Error{Code: eh.EINVALID,
				Message: fmt.Sprintf("%s holds records of run %s (model %s, strategy %s), not of this run (%s)", dir, rec.Run, rec.Model, rec.Strategy, runID),
				Hint:    "choose another --out folder for a different model, strategy or settings"}
		}
		return acc.Add(rec)
	})
	if err != nil {
		return nil, rundir.IOError("read", path, err)
	}
	return acc, nil
}

// finished tells by the engine's rule whether acc records the question key
// ("pair/role") as needing no new answer.
func finished(acc *score.Accumulator, key string, caps eh.Capabilities) bool {
	i := strings.LastIndexByte(key, '/')
	status, mod, ok := acc.Recorded(key[:i], eh.Role(key[i+1:]))
	return ok && engine.Finished(status, mod, caps)
}

// Done implements engine.Plan's Done by the engine's rule.
func (r *fileRecords) Done(key string) bool { return finished(r.before, key, r.caps) }

// Put appends a record and scores it.
func (r *fileRecords) Put(rec *eh.Record) error {
	if err := r.Appender.Put(rec); err != nil {
		return err
	}
	return r.mine.Add(rec)
}

// Scores merges the earlier attempts' scores with this one's.
func (r *fileRecords) Scores(context.Context) (*score.Scores, error) {
	if err := r.before.Merge(r.mine); err != nil {
		return nil, err
	}
	return r.before.Close(), nil
}

type nopObserver struct{}

func (nopObserver) Record(*eh.Record) {}
func (nopObserver) Retry()            {}
func (nopObserver) Stop()             {}
