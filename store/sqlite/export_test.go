package sqlite

import (
	"context"
	"time"
)

// CreatedAt returns the saved time of a response, for tests of Now.
func (s *DB) CreatedAt(ctx context.Context, key string) (time.Time, error) {
	var v string
	if err := s.db.QueryRowContext(ctx, `SELECT created_at FROM responses WHERE key = ?`, key).Scan(&v); err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339Nano, v)
}

// Exec runs a statement, for tests that plant bad data.
func (s *DB) Exec(ctx context.Context, q string) error {
	_, err := s.db.ExecContext(ctx, q)
	return err
}
