// Package scale spreads the questions of runs over many worker processes that
// share one PostgreSQL database: the job queue is River
// (github.com/riverqueue/river) and the results go to the PostgreSQL store.
//
// A job is one question of one run: (run, pair, role). The run's definition
// (model spec, strategy and its options) and its pairs are saved in the store
// when the run is enqueued, so a worker needs no suite folder (only the media
// files of media pairs). A worker answers a job with the same engine, strategy
// and model decorators (cache, retry, limit) as a local run; every step's
// response is cached in the shared store under its content key, so a job that
// is delivered again re-sends only the steps that were never answered.
//
// Delivery is at-least-once: a worker killed mid-job leaves the job "running"
// until River's rescuer hands it to another worker (Config.RescueAfter). The
// record is keyed by (run, pair, role) and saved with an upsert, so every
// question ends with exactly one record however often it was delivered, and a
// job whose question is already answered finishes without calling the model.
//
// Jobs are unique by (run, pair, role) while they wait or run: enqueueing the
// same run twice adds nothing, and questions already answered are not enqueued
// at all. Questions that ended in an error can be enqueued again.
package scale

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/engine"
	"github.com/emohallucer/emohallucer/store/postgres"
	"github.com/emohallucer/emohallucer/strategy"
)

// Queue is the River queue emohallucer's jobs go to.
const Queue = "emohallucer"

// QuestionKind is the River job kind of QuestionArgs.
const QuestionKind = "emohallucer_question"

// DefaultMaxAttempts bounds how often River tries a job whose question failed
// transiently (rate limits, 5xx, timeouts after the retry decorator gave up, a
// killed worker). Each attempt re-sends only uncached steps.
const DefaultMaxAttempts = 5

// QuestionArgs is the job of answering one question of a queued run.
type QuestionArgs struct {
	Run  string  `json:"run"`
	Pair string  `json:"pair"`
	Role eh.Role `json:"role"`
}

// Kind implements river.JobArgs.
func (QuestionArgs) Kind() string { return QuestionKind }

// uniqueStates are the job states in which a second job for the same question
// is refused. Completed, cancelled and discarded jobs are left out so that a
// question that ended in an error can be enqueued again; an answered one is
// never enqueued again because Enqueue skips it.
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

// InsertOpts implements river.JobArgsWithInsertOpts.
func (QuestionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       Queue,
		MaxAttempts: DefaultMaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: uniqueStates},
	}
}

// Key is the question's key within its run, as records use it ("pair/role").
func (a QuestionArgs) Key() string { return a.Pair + "/" + string(a.Role) }

// riverMigrationLock serializes River's own migrations, which take no lock of
// their own: workers of a fresh deployment start at the same moment.
const riverMigrationLock int64 = 0x656d6f7269766572 // "emoriver"

// Migrate brings River's tables in the database up to date. It is safe to call
// from many processes at once.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, riverMigrationLock); err != nil {
		return fmt.Errorf("river migrations: lock: %w", err)
	}
	// Unlock with a context that outlives a cancelled ctx: a session lock left
	// behind would hang every later migration on this pooled connection's peers.
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, riverMigrationLock)
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// StrategyOptions encodes strategy options for a run definition.
func StrategyOptions(o strategy.Options) (json.RawMessage, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("strategy options: %w", err)
	}
	return b, nil
}

// NewStrategy builds the strategy of a run definition.
func NewStrategy(def *postgres.RunDef) (eh.Strategy, error) {
	var o strategy.Options
	if len(def.Options) > 0 {
		if err := json.Unmarshal(def.Options, &o); err != nil {
			return nil, eh.Errorf(eh.EINVALID, "run %s: strategy options: %v", def.ID, err)
		}
	}
	return strategy.New(def.Strategy, o)
}

// Done reports whether a recorded question needs no new answer, by the
// engine's rule (engine.Finished), which local runs resume by too.
func Done(st postgres.State, caps eh.Capabilities) bool {
	return engine.Finished(st.Status, st.Modality, caps)
}

// EnqueueResult counts what Enqueue did.
type EnqueueResult struct {
	Questions int // questions of the pairs given
	Recorded  int // already answered (or not evaluable): not enqueued
	Enqueued  int // new jobs
	Duplicate int // already waiting or running: not enqueued again
}

// insertBatch bounds the jobs inserted per statement.
const insertBatch = 1000

// Enqueue saves the run's definition and pairs in the store and adds a job for
// every question of the pairs that is not done yet (see Done, with the
// capabilities of the run's model). Running it again adds nothing new.
func Enqueue(ctx context.Context, db *postgres.DB, def *postgres.RunDef, pairs []eh.Pair, caps eh.Capabilities) (EnqueueResult, error) {
	var res EnqueueResult
	if err := Migrate(ctx, db.Pool()); err != nil {
		return res, err
	}
	if err := db.SaveRun(ctx, def, pairs); err != nil {
		return res, err
	}
	states, err := db.States(ctx, def.ID)
	if err != nil {
		return res, err
	}
	// An insert-only client: it starts no producer and never leads.
	client, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{})
	if err != nil {
		return res, fmt.Errorf("queue client: %w", err)
	}
	var batch []river.InsertManyParams
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		out, err := client.InsertMany(ctx, batch)
		if err != nil {
			return fmt.Errorf("enqueue run %s: %w", def.ID, err)
		}
		for _, r := range out {
			if r.UniqueSkippedAsDuplicate {
				res.Duplicate++
			} else {
				res.Enqueued++
			}
		}
		batch = batch[:0]
		return nil
	}
	for i := range pairs {
		for _, role := range []eh.Role{eh.Basic, eh.Hallucinated} {
			res.Questions++
			a := QuestionArgs{Run: def.ID, Pair: pairs[i].ID, Role: role}
			if st, ok := states[a.Key()]; ok && Done(st, caps) {
				res.Recorded++
				continue
			}
			batch = append(batch, river.InsertManyParams{Args: a})
			if len(batch) == insertBatch {
				if err := flush(); err != nil {
					return res, err
				}
			}
		}
	}
	return res, flush()
}

// Pending counts the jobs of the queue that are not finished: waiting,
// scheduled, retrying or running. Zero means every enqueued question was dealt
// with.
func Pending(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var n int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE queue = $1 AND state IN ('available', 'pending', 'running', 'retryable', 'scheduled')`, Queue).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending jobs: %w", err)
	}
	return n, nil
}
