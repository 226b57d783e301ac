package emohallucer

import "context"

// Store keeps what must survive a crash: model responses by content-addressed key
// (so a rerun sends no request twice) and the records of runs.
//
// All methods are safe for concurrent use. SaveResponse and SaveRecord are
// idempotent: saving the same key (or the same run, pair and role) again replaces
// the earlier value, because delivery of work may be at-least-once.
type Store interface {
	// LookupResponse returns the cached response for key; ok is false if none.
	LookupResponse(ctx context.Context, key string) (resp *Response, ok bool, err error)
	SaveResponse(ctx context.Context, key string, resp *Response) error
	Close() error
}
