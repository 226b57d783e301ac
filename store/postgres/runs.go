package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	eh "github.com/emohallucer/emohallucer"
)

// RunDef is the definition of a run kept in the store: everything a worker
// needs, besides the run's pairs, to answer any of its questions exactly as a
// local run would.
type RunDef struct {
	ID    string `json:"id"`
	Suite string `json:"suite"`
	// SuiteDir is the folder media paths are relative to, as the enqueuing
	// machine saw it; workers that mount it elsewhere say so with --media-root.
	SuiteDir string `json:"suite_dir,omitempty"`
	// Model is the model spec as the user wrote it; each worker resolves it with
	// its own configuration and credentials.
	Model    string `json:"model"`
	Strategy string `json:"strategy"`
	// Options are the strategy's options (strategy.Options as JSON).
	Options json.RawMessage `json:"options,omitempty"`
	// MaxCostUSD stops workers from starting more questions of the run once its
	// records cost this much (0: no limit).
	MaxCostUSD float64 `json:"max_cost_usd,omitempty"`
	// Created is when the run was first saved (read only).
	Created time.Time `json:"-"`
}

// Validate checks the fields a worker relies on.
func (d *RunDef) Validate() error {
	if d.ID == "" || d.Model == "" || d.Strategy == "" {
		return eh.Errorf(eh.EINVALID, "run definition needs an id, a model and a strategy (got %q, %q, %q)", d.ID, d.Model, d.Strategy)
	}
	return nil
}

// SaveRun stores a run's definition and its pairs in one transaction. Saving
// the same run again replaces the definition and adds or replaces pairs, so
// enqueueing a second shard of a run, or enqueueing it twice, is safe.
func (db *DB) SaveRun(ctx context.Context, def *RunDef, pairs []eh.Pair) error {
	if err := def.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(def)
	if err != nil {
		return err
	}
	ids := make([]string, len(pairs))
	bodies := make([]string, len(pairs))
	for i := range pairs {
		b, err := json.Marshal(&pairs[i])
		if err != nil {
			return fmt.Errorf("pair %s: %w", pairs[i].ID, err)
		}
		ids[i], bodies[i] = pairs[i].ID, string(b)
	}
	now := db.Now().UTC()
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO runs (id, definition, created_at, updated_at) VALUES ($1, $2::json, $3, $3)
			ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
			def.ID, string(body), now); err != nil {
			return err
		}
		// One statement for all pairs: a suite of thousands of pairs is one round trip.
		_, err := tx.Exec(ctx, `INSERT INTO run_pairs (run, pair, body)
			SELECT $1, p, b::json FROM unnest($2::text[], $3::text[]) AS t(p, b)
			ON CONFLICT (run, pair) DO UPDATE SET body = excluded.body`, def.ID, ids, bodies)
		return err
	})
	if err != nil {
		return fmt.Errorf("save run %s: %w", def.ID, err)
	}
	return nil
}

// Run returns the definition of a run; the error has code ENOTFOUND when the
// store has none.
func (db *DB) Run(ctx context.Context, id string) (*RunDef, error) {
	var body string
	var created time.Time
	err := db.pool.QueryRow(ctx, `SELECT definition::text, created_at FROM runs WHERE id = $1`, id).Scan(&body, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, eh.Errorf(eh.ENOTFOUND, "no run %s in %s", id, db.name)
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	var d RunDef
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, fmt.Errorf("run %s in %s is corrupt: %w", id, db.name, err)
	}
	d.Created = created
	return &d, nil
}

// Pair returns one pair of a run; the error has code ENOTFOUND when the run has
// no such pair.
func (db *DB) Pair(ctx context.Context, run, id string) (*eh.Pair, error) {
	var body string
	err := db.pool.QueryRow(ctx, `SELECT body::text FROM run_pairs WHERE run = $1 AND pair = $2`, run, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, eh.Errorf(eh.ENOTFOUND, "run %s has no pair %s in %s", run, id, db.name)
	}
	if err != nil {
		return nil, fmt.Errorf("run %s pair %s: %w", run, id, err)
	}
	var p eh.Pair
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return nil, fmt.Errorf("run %s pair %s in %s is corrupt: %w", run, id, db.name, err)
	}
	return &p, nil
}

// Pairs returns every pair of a run, ordered by id.
func (db *DB) Pairs(ctx context.Context, run string) ([]eh.Pair, error) {
	rows, err := db.pool.Query(ctx, `SELECT body::text FROM run_pairs WHERE run = $1 ORDER BY pair COLLATE "C"`, run)
	if err != nil {
		return nil, fmt.Errorf("pairs of run %s: %w", run, err)
	}
	bodies, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("pairs of run %s: %w", run, err)
	}
	out := make([]eh.Pair, len(bodies))
	for i, b := range bodies {
		if err := json.Unmarshal([]byte(b), &out[i]); err != nil {
			return nil, fmt.Errorf("pairs of run %s in %s: %w", run, db.name, err)
		}
	}
	return out, nil
}
