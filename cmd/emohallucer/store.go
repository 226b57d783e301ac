package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/runner"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/store/postgres"
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

// enqueueRuns queues the run's questions for workers, and says how to follow
// the runs.
func enqueueRuns(ctx context.Context, cfg runner.Config, stdout io.Writer) error {
	done, err := runner.Enqueue(ctx, cfg)
	for _, e := range done {
		fmt.Fprintf(stdout, "%s: run %s: %d question(s) enqueued, %d already queued, %d already recorded\n",
			eh.Redact(e.Name), e.Run, e.Enqueued, e.Duplicate, e.Recorded)
	}
	if err != nil {
		return err
	}
	store := cfg.Store.String()
	fmt.Fprintf(stdout, `
Answer them with one or more workers (any machine that reaches the database):
  emohallucer worker --store '%s' [--config models.yaml]
Then score and report from the database:
  emohallucer score --store '%s' --run %s
  emohallucer report --store '%s'
`, store, store, done[0].Run, store)
	return nil
}

// scoreStoreCommand is score's --store mode: it prints the summary JSON of
// every run named (from the records of all its shards and workers; with
// several runs, one document after the other) and applies --fail-under.
func scoreStoreCommand(ctx context.Context, stdout io.Writer, url string, runs []string, view string, failUnder float64) error {
	if !score.ValidView(view) {
		return usagef("unknown view %q", view)
	}
	if len(runs) == 0 {
		return usagef("score --store needs --run ID (list runs with: emohallucer report --store URL)")
	}
	db, err := openPostgres(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	var results []*score.Scores
	for _, id := range runs {
		sc, _, err := runner.ScoreStored(ctx, db, id, false)
		if err != nil {
			return err
		}
		if err := score.WriteJSON(stdout, sc); err != nil {
			return err
		}
		results = append(results, sc)
	}
	return checkFailUnder(results, view, failUnder)
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
		sc, recs, err := runner.ScoreStored(ctx, db, strings.TrimSpace(id), withRecords)
		if err != nil {
			return nil, err
		}
		runs = append(runs, report.Run{Dir: id, Scores: sc, Records: recs})
	}
	return runs, nil
}
