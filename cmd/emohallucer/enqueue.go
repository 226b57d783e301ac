package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/scale"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/store/postgres"
	"github.com/emohallucer/emohallucer/strategy"
)

// This file is the PostgreSQL side of run, score and report: --store
// postgres://… keeps responses and records in a database that many machines
// share, --enqueue hands the questions to workers (worker.go) instead of
// answering them here, and score/report read runs back from the database.

// storeEnv is the variable --store falls back to, so that a fleet of workers
// and the commands that feed them can share one setting.
const storeEnv = "EMOHALLUCER_STORE"

// storeFromEnv returns the --store value, or $EMOHALLUCER_STORE when the flag
// was not given.
func storeFromEnv(flag string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(storeEnv)
}

// openPostgres opens the shared store named by a postgres:// URL.
func openPostgres(ctx context.Context, url string) (*postgres.DB, error) {
	if !postgres.IsURL(url) {
		return nil, usagef("--store wants a postgres://user@host:port/database URL, not %q", postgres.Redact(url))
	}
	return postgres.Open(ctx, url)
}

// strategyOptionsFor are the strategy options of one model's run; runOne and
// runDefFor must agree on them, or a queued run would answer differently from
// a local one with the same id.
func strategyOptionsFor(o runOptions, dec *decoding, caps eh.Capabilities) strategy.Options {
	return strategy.Options{Rule: o.Rule, Temperature: dec.Temperature, Seed: dec.Seed, MaxTokens: dec.MaxTokens,
		Logprobs: caps.Logprobs, Samples: o.Samples, SampleTemperature: &o.SampleTemperature}
}

// runDefFor is the definition of the run one model makes of a suite: the same
// run id, strategy and options as a local run (runOne) with the same flags, so
// a run sharded over machines, queued for workers or run locally is one run.
func runDefFor(o runOptions, s *eh.Suite, ms modelSetup) (*postgres.RunDef, error) {
	caps := ms.model.Capabilities()
	dec := ms.eng.Decoding
	if dec == nil {
		dec = &decoding{}
	}
	sopts := strategyOptionsFor(o, dec, caps)
	strat, err := strategy.New(*ms.eng.Strategy, sopts)
	if err != nil {
		return nil, err
	}
	raw, err := scale.StrategyOptions(sopts)
	if err != nil {
		return nil, err
	}
	dir := s.Dir
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	def := &postgres.RunDef{
		ID: runIDFor(s.Name, ms.model, strat.Name(), o.Rule, dec, o), Suite: s.Name, SuiteDir: dir,
		Model: ms.spec, Strategy: strat.Name(), Options: raw,
	}
	if ms.eng.MaxCost != nil {
		def.MaxCostUSD = *ms.eng.MaxCost
	}
	return def, nil
}

// enqueueRuns queues every question of the suite for every model as a job for
// workers, and says how to follow the runs. Questions already answered in the
// store are not queued, and neither are those already waiting: enqueueing the
// same command twice adds nothing.
func enqueueRuns(ctx context.Context, o runOptions, s *eh.Suite, setups []modelSetup, db *postgres.DB, stdout io.Writer) error {
	var ids []string
	for _, ms := range setups {
		def, err := runDefFor(o, s, ms)
		if err != nil {
			return fmt.Errorf("%s: %w", ms.spec, err)
		}
		res, err := scale.Enqueue(ctx, db, def, s.Pairs, ms.model.Capabilities())
		if err != nil {
			return fmt.Errorf("%s: %w", ms.spec, err)
		}
		fmt.Fprintf(stdout, "%s: run %s: %d question(s) enqueued, %d already queued, %d already recorded\n",
			ms.spec, def.ID, res.Enqueued, res.Duplicate, res.Recorded)
		ids = append(ids, def.ID)
	}
	store := db.String()
	fmt.Fprintf(stdout, `
Answer them with one or more workers (any machine that reaches the database):
  emohallucer worker --store '%s' [--config models.yaml]
Then score and report from the database:
  emohallucer score --store '%s' --run %s
  emohallucer report --store '%s'
`, store, store, ids[0], store)
	return nil
}

// pgRecords keeps the records of a run answered in this process in the shared
// store (run --store postgres://… without --enqueue, e.g. one shard of a run
// split with --shard K/N over a Kubernetes Indexed Job). It is the engine's
// Done and Sink.
type pgRecords struct {
	db     *postgres.DB
	caps   eh.Capabilities
	states map[string]postgres.State
}

// openPGRecords saves the run's definition and pairs, so that workers, score
// and report know the run, and reads what earlier attempts or other shards of
// the run recorded.
func openPGRecords(ctx context.Context, db *postgres.DB, def *postgres.RunDef, pairs []eh.Pair, caps eh.Capabilities) (*pgRecords, error) {
	if err := db.SaveRun(ctx, def, pairs); err != nil {
		return nil, err
	}
	states, err := db.States(ctx, def.ID)
	if err != nil {
		return nil, err
	}
	return &pgRecords{db: db, caps: caps, states: states}, nil
}

// Done reports whether a question needs no new answer, by the rule workers use.
func (r *pgRecords) Done(key string) bool {
	st, ok := r.states[key]
	return ok && scale.Done(st, r.caps)
}

// Put implements engine.Sink: the record replaces any earlier one of the same
// question.
func (r *pgRecords) Put(rec *eh.Record) error { return r.db.SaveRecord(context.Background(), rec) }

// scoreStoreRun scores a run from the records in the store, every shard and
// worker included. The scores are the ones a records file of the same records
// gives, so summary.json is byte-identical. With keep, the records are
// returned too (the HTML and JSON reports need them).
func scoreStoreRun(ctx context.Context, db *postgres.DB, run string, keep bool) (*score.Scores, []*eh.Record, error) {
	acc := score.NewAccumulator()
	n := 0
	var recs []*eh.Record
	err := db.Records(ctx, run, func(r *eh.Record) error {
		n++
		if keep {
			recs = append(recs, r)
		}
		return acc.Add(r)
	})
	if err != nil {
		return nil, nil, err
	}
	if n == 0 {
		return nil, nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("no records of run %s in %s", run, db),
			Hint: "list the runs with: emohallucer report --store URL"}
	}
	return acc.Close(), recs, nil
}

// scoreStoreToDir scores a run from the store and writes dir/summary.json,
// as scoreDir does for a records file; run --store uses it so that its folder
// holds the summary of the whole run (every shard recorded so far).
func scoreStoreToDir(ctx context.Context, db *postgres.DB, run, dir string) (*score.Scores, error) {
	sc, _, err := scoreStoreRun(ctx, db, run, false)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return sc, writeFile(filepath.Join(dir, "summary.json"), func(w io.Writer) error { return score.WriteJSON(w, sc) })
}

// scoreStore is `score --store URL --run ID…`: it prints each run's summary
// JSON (with several runs, one document after the other) and returns the
// scores for --fail-under.
func scoreStore(ctx context.Context, url string, runs []string, stdout io.Writer) ([]*score.Scores, error) {
	if len(runs) == 0 {
		return nil, usagef("score --store needs --run ID (list runs with: emohallucer report --store URL)")
	}
	db, err := openPostgres(ctx, url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var out []*score.Scores
	for _, id := range runs {
		sc, _, err := scoreStoreRun(ctx, db, id, false)
		if err != nil {
			return nil, err
		}
		if err := score.WriteJSON(stdout, sc); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// scoreStoreCommand is score's --store mode: it prints the summary of every
// run named (from the records of all its shards and workers) and applies
// --fail-under to view like the file mode does.
func scoreStoreCommand(ctx context.Context, stdout io.Writer, url string, runs []string, view string, failUnder float64) error {
	if !score.ValidView(view) {
		return usagef("unknown view %q", view)
	}
	results, err := scoreStore(ctx, url, runs, stdout)
	if err != nil {
		return err
	}
	if failUnder > 0 {
		for _, sc := range results {
			v := sc.Views[view]
			if v == nil || v.Pairs == 0 || v.OverallAcc < failUnder {
				return &exitError{exitThreshold, fmt.Errorf("run %s: view %s overall accuracy %s is below --fail-under %.2f", sc.Run.ID, view, describe(v), failUnder)}
			}
		}
	}
	return nil
}

// loadStoreRuns is `report --store URL [--run ID…]`: the scores of the named
// runs, or of every run with records, for the renderers, with their records
// when withRecords is set. A run's Dir is its id.
func loadStoreRuns(ctx context.Context, url string, ids []string, withRecords bool) ([]report.Run, error) {
	db, err := openPostgres(ctx, url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if len(ids) == 0 {
		if ids, err = db.RecordedRuns(ctx); err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("no runs with records in %s", db)}
		}
	}
	var runs []report.Run
	for _, id := range ids {
		sc, recs, err := scoreStoreRun(ctx, db, strings.TrimSpace(id), withRecords)
		if err != nil {
			return nil, err
		}
		runs = append(runs, report.Run{Dir: id, Scores: sc, Records: recs})
	}
	return runs, nil
}
