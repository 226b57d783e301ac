package emohallucer

import "context"

// Store keeps model responses by content-addressed key, so that a rerun sends no
// request twice. Stores that also keep records (store/sqlite, store/postgres) add
// SaveRecord and Records; the packages that need them declare that interface
// (store/storetest.RecordStore).
//
// All methods are safe for concurrent use. SaveResponse is idempotent: saving the
// same key again replaces the earlier value, because delivery of work may be
// at-least-once.
type Store interface {
	// LookupResponse returns the cached response for key; ok is false if none.
	LookupResponse(ctx context.Context, key string) (resp *Response, ok bool, err error)
	SaveResponse(ctx context.Context, key string, resp *Response) error
	Close() error
}
