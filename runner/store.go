package runner

import (
	"context"
	"fmt"
	"path/filepath"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/scale"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/store/postgres"
)

// This file is the PostgreSQL side of a run: with Config.Store, records of
// every shard and attempt of a run meet in the database; Enqueue hands the
// questions to workers instead of answering them; ScoreStored reads a run
// back.

// storeDef is the definition of a model's run as the store keeps it.
func storeDef(s *eh.Suite, name string, maxCost *float64, def *Definition) (*postgres.RunDef, error) {
	raw, err := scale.StrategyOptions(def.Options)
	if err != nil {
		return nil, err
	}
	dir := s.Dir
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	d := &postgres.RunDef{ID: def.ID, Suite: s.Name, SuiteDir: dir, Model: name, Strategy: def.Strategy.Name(), Options: raw}
	if maxCost != nil {
		d.MaxCostUSD = *maxCost
	}
	return d, nil
}

// storeRecords keeps the records of a run answered in this process in the
// shared store (run --store without --enqueue, e.g. one shard of a run split
// with --shard K/N over a Kubernetes Indexed Job).
type storeRecords struct {
	db     *postgres.DB
	run    string
	caps   eh.Capabilities
	states map[string]postgres.State
}

// openStoreRecords saves the run's definition and pairs, so that workers,
// score and report know the run, and reads what earlier attempts or other
// shards of the run recorded.
func openStoreRecords(ctx context.Context, db *postgres.DB, def *postgres.RunDef, pairs []eh.Pair, caps eh.Capabilities) (*storeRecords, error) {
	if err := db.SaveRun(ctx, def, pairs); err != nil {
		return nil, err
	}
	states, err := db.States(ctx, def.ID)
	if err != nil {
		return nil, err
	}
	return &storeRecords{db: db, run: def.ID, caps: caps, states: states}, nil
}

// Done reports whether a question needs no new answer, by the rule workers use.
func (r *storeRecords) Done(key string) bool {
	st, ok := r.states[key]
	return ok && scale.Done(st, r.caps)
}

// Put implements engine.Sink: the record replaces any earlier one of the same
// question.
func (r *storeRecords) Put(rec *eh.Record) error {
	return r.db.SaveRecord(context.Background(), rec)
}

// Close implements recordSink; the store stays open.
func (r *storeRecords) Close() error { return nil }

// Scores scores the whole run: every shard and worker recorded so far.
func (r *storeRecords) Scores(ctx context.Context) (*score.Scores, error) {
	sc, _, err := ScoreStored(ctx, r.db, r.run, false)
	return sc, err
}

// ScoreStored scores a run from the records in the store, every shard and
// worker included. The scores are the ones a records file of the same records
// gives, so summary.json is byte-identical. With keep, the records are
// returned too (the HTML and JSON reports need them).
func ScoreStored(ctx context.Context, db *postgres.DB, run string, keep bool) (*score.Scores, []*eh.Record, error) {
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

// Enqueued is what Enqueue did for one model.
type Enqueued struct {
	Name string
	Run  string
	scale.EnqueueResult
}

// Enqueue queues every question of cfg's selected pairs for every model as a
// job for workers (cfg.Store is required). Questions already answered in the
// store are not queued, and neither are those already waiting: enqueueing the
// same command twice adds nothing.
func Enqueue(ctx context.Context, cfg Config) ([]Enqueued, error) {
	if cfg.Store == nil {
		return nil, eh.Errorf(eh.EUSAGE, "enqueueing needs a shared store (--store postgres://…)")
	}
	s, err := selectPairs(cfg)
	if err != nil {
		return nil, err
	}
	var out []Enqueued
	for _, m := range cfg.Models {
		def, err := Define(s.Name, m, cfg.Settings)
		if err != nil {
			return out, fmt.Errorf("%s: %w", m.Name, err)
		}
		sd, err := storeDef(s, m.Name, m.Engine.MaxCost, def)
		if err != nil {
			return out, fmt.Errorf("%s: %w", m.Name, err)
		}
		res, err := scale.Enqueue(ctx, cfg.Store, sd, s.Pairs, m.Model.Capabilities())
		if err != nil {
			return out, fmt.Errorf("%s: %w", m.Name, err)
		}
		out = append(out, Enqueued{Name: m.Name, Run: def.ID, EnqueueResult: res})
	}
	return out, nil
}
