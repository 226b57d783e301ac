// Package postgres implements emohallucer.Store in a PostgreSQL database shared
// by many processes: the response cache, the records of runs, and the
// definitions of runs whose questions are queued for workers (package scale).
//
// It keeps the same records and cache semantics as the SQLite store (both pass
// store/storetest): saving a response key or a record of the same run, pair and
// role again replaces the earlier value, because work may be delivered more
// than once. Values are stored as JSON text (the json type, which keeps the text
// as written and, unlike jsonb, accepts the \u0000 escape that model output may
// hold), so ad-hoc SQL can still read them: record->>'answer'.
//
// Use a dedicated database (or a schema on the connection's search_path): the
// tables have plain names (responses, records, runs, run_pairs, migrations).
package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	eh "github.com/emohallucer/emohallucer"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the key of the transaction-level advisory lock that
// serializes schema migrations: many workers starting at once must not race to
// create the same tables.
const migrationLock int64 = 0x656d6f68616c6c // "emohall"

// DB is a Store in a PostgreSQL database.
type DB struct {
	pool *pgxpool.Pool
	// name is the URL without its password, for messages.
	name string
	// Now is the clock used for timestamps (tests replace it).
	Now func() time.Time
}

var _ eh.Store = (*DB)(nil)

// IsURL reports whether a --store value names a PostgreSQL database.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redact returns the URL with its password replaced, safe to print.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// Open connects to the database at url (postgres://user@host:port/db?…) and
// brings its schema up to date.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	name := Redact(rawURL)
	if !IsURL(rawURL) {
		return nil, eh.Errorf(eh.EINVALID, "postgres store: %q is not a postgres:// URL", name)
	}
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		// pgx's message may quote the URL, password included; keep only ours.
		return nil, eh.Errorf(eh.EINVALID, "postgres store %s: malformed URL", name)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres store %s: %w", name, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: "postgres store " + name + ": cannot connect", Err: err,
			Hint: "check that the server runs and the URL (host, port, user, database) is right"}
	}
	db := &DB{pool: pool, name: name, Now: time.Now}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres store %s: %w", name, err)
	}
	return db, nil
}

// Pool returns the connection pool, for the job queue that shares the database.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// String names the database without its password.
func (db *DB) String() string { return db.name }

// Close implements emohallucer.Store.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// migrate applies, in name order, every embedded migration not yet recorded in
// the migrations table. All of it runs in one transaction that first takes an
// advisory lock, so concurrent Opens apply each migration exactly once and a
// failed migration leaves nothing behind.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("lock for migrations: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
			return fmt.Errorf("create migrations table: %w", err)
		}
		for _, name := range names {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM migrations WHERE name = $1`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			body, err := fs.ReadFile(migrationFiles, name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO migrations (name, applied_at) VALUES ($1, $2)`, name, db.Now().UTC()); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
		}
		return nil
	})
}

// Migrations returns the names of the applied migrations, in order.
func (db *DB) Migrations(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT name FROM migrations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// LookupResponse implements emohallucer.Store.
func (db *DB) LookupResponse(ctx context.Context, key string) (*eh.Response, bool, error) {
	var body string
	err := db.pool.QueryRow(ctx, `SELECT response::text FROM responses WHERE key = $1`, key).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("look up response %.12s: %w", key, err)
	}
	var r eh.Response
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, false, fmt.Errorf("response %.12s in %s is corrupt: %w", key, db.name, err)
	}
	return &r, true, nil
}

// SaveResponse implements emohallucer.Store.
func (db *DB) SaveResponse(ctx context.Context, key string, resp *eh.Response) error {
	if key == "" || resp == nil {
		return eh.Errorf(eh.EINVALID, "save response: empty key or response")
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO responses (key, response, created_at) VALUES ($1, $2::json, $3)
		ON CONFLICT (key) DO UPDATE SET response = excluded.response, created_at = excluded.created_at`,
		key, string(body), db.Now().UTC())
	if err != nil {
		return fmt.Errorf("save response %.12s: %w", key, err)
	}
	return nil
}

// SaveRecord stores a record, replacing an earlier one for the same run, pair
// and role: a question delivered twice still ends with exactly one record.
func (db *DB) SaveRecord(ctx context.Context, r *eh.Record) error {
	if err := r.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO records (run, pair, role, status, cost_usd, record, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6::json, $7)
		ON CONFLICT (run, pair, role) DO UPDATE SET status = excluded.status, cost_usd = excluded.cost_usd,
			record = excluded.record, updated_at = excluded.updated_at`,
		r.Run, r.Pair, string(r.Role), string(r.Status), r.CostUSD, string(body), db.Now().UTC())
	if err != nil {
		return fmt.Errorf("save record %s: %w", r, err)
	}
	return nil
}

// Put saves a record with a background context; it lets the store serve as the
// engine's sink.
func (db *DB) Put(r *eh.Record) error { return db.SaveRecord(context.Background(), r) }

// Records calls fn for every record of run, ordered by pair and role (byte
// order, as SQLite sorts), stopping at fn's first error. Records are streamed,
// not loaded at once.
func (db *DB) Records(ctx context.Context, run string, fn func(*eh.Record) error) error {
	rows, err := db.pool.Query(ctx, `SELECT record::text FROM records WHERE run = $1
		ORDER BY pair COLLATE "C", role COLLATE "C"`, run)
	if err != nil {
		return fmt.Errorf("records of run %s: %w", run, err)
	}
	defer rows.Close()
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return err
		}
		var r eh.Record
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return fmt.Errorf("record of run %s in %s is corrupt: %w", run, db.name, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("records of run %s: %w", run, err)
	}
	return nil
}

// Record returns the record of one question of a run; ok is false if none.
func (db *DB) Record(ctx context.Context, run, pair string, role eh.Role) (*eh.Record, bool, error) {
	var body string
	err := db.pool.QueryRow(ctx, `SELECT record::text FROM records WHERE run = $1 AND pair = $2 AND role = $3`,
		run, pair, string(role)).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("record %s %s/%s: %w", run, pair, role, err)
	}
	var r eh.Record
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, false, fmt.Errorf("record %s %s/%s in %s is corrupt: %w", run, pair, role, db.name, err)
	}
	return &r, true, nil
}

// State is what resuming needs to know of a recorded question.
type State struct {
	Status   eh.Status
	Modality eh.Modality
}

// States returns the state of every recorded question of run, by key
// ("pair/role"), without reading whole records.
func (db *DB) States(ctx context.Context, run string) (map[string]State, error) {
	rows, err := db.pool.Query(ctx, `SELECT pair, role, status, coalesce(record->>'modality', '') FROM records WHERE run = $1`, run)
	if err != nil {
		return nil, fmt.Errorf("states of run %s: %w", run, err)
	}
	defer rows.Close()
	out := map[string]State{}
	for rows.Next() {
		var pair, role, status, modality string
		if err := rows.Scan(&pair, &role, &status, &modality); err != nil {
			return nil, err
		}
		out[pair+"/"+role] = State{Status: eh.Status(status), Modality: eh.Modality(modality)}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("states of run %s: %w", run, err)
	}
	return out, nil
}

// RunCost returns what the recorded questions of run cost, in USD.
func (db *DB) RunCost(ctx context.Context, run string) (float64, error) {
	var c float64
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(sum(cost_usd), 0) FROM records WHERE run = $1`, run).Scan(&c); err != nil {
		return 0, fmt.Errorf("cost of run %s: %w", run, err)
	}
	return c, nil
}

// RecordedRuns returns the ids of every run with at least one record, sorted.
func (db *DB) RecordedRuns(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT DISTINCT run COLLATE "C" AS run FROM records ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return ids, nil
}
