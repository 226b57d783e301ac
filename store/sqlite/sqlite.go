// Package sqlite implements emohallucer.Store in a single SQLite file, with the
// pure-Go modernc.org/sqlite driver (no cgo, so the binary stays static).
//
// The file holds the response cache and, for tools that want them in one place,
// run records. Several processes may share one file: WAL lets readers proceed
// while one writer commits, and busy_timeout makes a second writer wait instead of
// failing. A save returns only once it is committed (responses saved at the same
// moment share one transaction), so a crash or kill -9 loses only the saves in
// progress.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	eh "github.com/emohallucer/emohallucer"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is a Store in one SQLite file.
type DB struct {
	db           *sql.DB
	w            *sql.DB
	lookup, save *sql.Stmt
	saves        chan saveReq
	writerDone   chan struct{}
	path         string
	// Now is the clock used for timestamps (tests replace it).
	Now func() time.Time
}

var _ eh.Store = (*DB)(nil)

// Open opens (creating it and its folder if needed) the database at path and
// brings its schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, eh.Errorf(eh.EINVALID, "sqlite store: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	q := url.Values{}
	// WAL: readers never block the writer and a crash never corrupts the file.
	// synchronous=NORMAL in WAL mode loses nothing when the process dies (only a
	// power cut can drop the last commits), at a fraction of FULL's fsyncs.
	// busy_timeout: a concurrent writer (another run sharing the cache) waits up
	// to 10 s rather than failing with SQLITE_BUSY. _txlock=immediate takes the
	// write lock at BEGIN, so two transactions never deadlock upgrading a read lock.
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	// database/sql keeps 2 idle connections by default: at concurrency 256 every
	// other call would open a new SQLite connection (parse the schema, run the
	// pragmas) and close it. Keep a small fixed pool instead.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	s := &DB{db: db, path: path, Now: time.Now}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	// One writer connection: SQLite takes one writer at a time anyway, and
	// queueing in Go avoids the busy handler's sleeps.
	w, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	s.w = w
	s.lookup, err = db.PrepareContext(ctx, `SELECT response FROM responses WHERE key = ?`)
	if err == nil {
		s.save, err = w.PrepareContext(ctx, `INSERT INTO responses (key, response, created_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET response = excluded.response, created_at = excluded.created_at`)
	}
	if err != nil {
		w.Close()
		db.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
	s.saves = make(chan saveReq, 1024)
	s.writerDone = make(chan struct{})
	go s.writer()
	return s, nil
}

// saveReq is one response waiting for the writer's next commit.
type saveReq struct {
	key, body, stamp string
	done             chan error
}

// writer commits queued saves in batches: every save that arrived while the
// previous commit ran goes into the next transaction, so under load one commit
// (one WAL append) serves many responses, and SaveResponse still returns only
// once its response is committed.
func (s *DB) writer() {
	defer close(s.writerDone)
	batch := make([]saveReq, 0, 512)
	for first := range s.saves {
		batch = append(batch[:0], first)
	more:
		for len(batch) < cap(batch) {
			select {
			case r, ok := <-s.saves:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		if err := s.commit(batch); err == nil || len(batch) == 1 {
			for _, r := range batch {
				r.done <- err
			}
			continue
		}
		// One bad save must not fail the others: commit them one by one.
		for _, r := range batch {
			r.done <- s.commit([]saveReq{r})
		}
	}
}

func (s *DB) commit(batch []saveReq) error {
	ctx := context.Background()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st := tx.StmtContext(ctx, s.save)
	for _, r := range batch {
		if _, err := st.ExecContext(ctx, r.key, r.body, r.stamp); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Path returns the database file's path.
func (s *DB) Path() string { return s.path }

// migrate applies, in name order, every embedded migration not yet recorded in
// the migrations table, each in its own transaction with its record.
func (s *DB) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.migrateFile(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (s *DB) migrateFile(ctx context.Context, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(migrationFiles, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, name, s.stamp()); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *DB) stamp() string { return s.Now().UTC().Format(time.RFC3339Nano) }

// Migrations returns the names of the applied migrations, in order.
func (s *DB) Migrations(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM migrations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// LookupResponse implements emohallucer.Store.
func (s *DB) LookupResponse(ctx context.Context, key string) (*eh.Response, bool, error) {
	var body string
	err := s.lookup.QueryRowContext(ctx, key).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("look up response %.12s: %w", key, err)
	}
	var r eh.Response
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, false, fmt.Errorf("response %.12s in %s is corrupt: %w", key, s.path, err)
	}
	return &r, true, nil
}

// SaveResponse implements emohallucer.Store. It returns once the response is
// committed, in a transaction shared with the saves that arrived meanwhile.
func (s *DB) SaveResponse(ctx context.Context, key string, resp *eh.Response) error {
	if key == "" || resp == nil {
		return eh.Errorf(eh.EINVALID, "save response: empty key or response")
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	s.saves <- saveReq{key: key, body: string(body), stamp: s.stamp(), done: done}
	err = <-done
	if err != nil {
		return fmt.Errorf("save response %.12s: %w", key, err)
	}
	return nil
}

// SaveRecord stores a record, replacing an earlier one for the same run, pair
// and role.
func (s *DB) SaveRecord(ctx context.Context, r *eh.Record) error {
	if err := r.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO records (run, pair, role, record, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (run, pair, role) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`,
		r.Run, r.Pair, string(r.Role), string(body), s.stamp())
	if err != nil {
		return fmt.Errorf("save record %s: %w", r, err)
	}
	return nil
}

// Records calls fn for every record of run, ordered by pair and role, stopping
// at fn's first error.
func (s *DB) Records(ctx context.Context, run string, fn func(*eh.Record) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT record FROM records WHERE run = ? ORDER BY pair, role`, run)
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
			return fmt.Errorf("record of run %s in %s is corrupt: %w", run, s.path, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Close implements emohallucer.Store.
func (s *DB) Close() error {
	close(s.saves)
	<-s.writerDone
	s.w.Close()
	return s.db.Close()
}
