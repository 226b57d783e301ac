// Package cache is a Model decorator that answers a request from a Store when the
// same request was answered before, and saves every new answer there first.
//
// The key is a SHA-256 over the model's Capabilities.Identity (provider, model id,
// endpoint and the settings that change what the model is shown) and the
// request's JSON, which holds the prompt template and its version, the system
// prompt, every message, the decoding parameters, the sample number and the
// SHA-256 of each media file (never its path). Anything that could change an
// answer changes the key, so a cached answer is never served for a different
// question; nothing else does, so a rerun of the same work sends no request.
//
// The answer is saved before Generate returns, that is before the engine writes
// the record: a crash between the two costs nothing, because the rerun finds the
// answer in the cache.
//
// Identical requests in flight at the same time are sent once: the others wait
// for that answer and get it as a cached one. PEP-MEK's evidence step, for
// instance, is about the input and not the question, so the two questions of a
// pair, asked concurrently, share one evidence call.
package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	eh "github.com/emohallucer/emohallucer"
)

// KeyVersion is mixed into every key; bump it when the meaning of a Request field
// changes so that old entries are no longer found.
const KeyVersion = "emohallucer-cache/v1"

// Store is the part of emohallucer.Store the cache needs.
type Store interface {
	LookupResponse(ctx context.Context, key string) (*eh.Response, bool, error)
	SaveResponse(ctx context.Context, key string, resp *eh.Response) error
}

// Stats count what the cache did. All fields are updated atomically.
type Stats struct {
	Hits, Misses, SaveErrors atomic.Int64
}

// Model answers from the store when it can and calls the model it wraps when not.
type Model struct {
	next  eh.Model
	store Store
	// OnSaveError, when set, is told when an answer could not be saved. The
	// answer is still returned: it was paid for, and the record keeps it.
	OnSaveError func(key string, err error)
	stats       Stats

	mu       sync.Mutex
	inflight map[string]*flight
}

// flight is a call in progress that identical requests wait for.
type flight struct {
	done chan struct{}
	resp *eh.Response
	err  error
}

var _ eh.Model = (*Model)(nil)

// New wraps next.
func New(next eh.Model, store Store) *Model { return &Model{next: next, store: store} }

// Name implements emohallucer.Model.
func (m *Model) Name() string { return m.next.Name() }

// Capabilities implements emohallucer.Model.
func (m *Model) Capabilities() eh.Capabilities { return m.next.Capabilities() }

// Stats returns the cache's counters.
func (m *Model) Stats() *Stats { return &m.stats }

// Key returns the cache key of req sent to a model of the given identity.
func Key(identity string, req *eh.Request) (string, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("cache key of %s: %w", req.Item, err)
	}
	h := sha256.New()
	// Length-prefixed parts: no identity and request can run together into the
	// bytes of another pair.
	fmt.Fprintf(h, "%s\n%d:%s\n%d:", KeyVersion, len(identity), identity, len(body))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Generate implements emohallucer.Model.
func (m *Model) Generate(ctx context.Context, req *eh.Request) (*eh.Response, error) {
	caps := m.next.Capabilities()
	if caps.Deterministic {
		return m.next.Generate(ctx, req)
	}
	key, err := Key(caps.Identity, req)
	if err != nil {
		return nil, err
	}
	resp, ok, err := m.store.LookupResponse(ctx, key)
	if err != nil {
		return nil, &eh.Error{Code: eh.EINTERNAL, Message: "response cache lookup", Err: err}
	}
	if ok {
		m.stats.Hits.Add(1)
		resp.Cached = true
		return resp, nil
	}
	m.mu.Lock()
	if f, ok := m.inflight[key]; ok {
		m.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err == nil {
			m.stats.Hits.Add(1)
			shared := *f.resp
			shared.Cached = true
			return &shared, nil
		}
		// The call we waited for failed; this request makes its own attempt.
		return m.call(ctx, key, req)
	}
	if m.inflight == nil {
		m.inflight = map[string]*flight{}
	}
	f := &flight{done: make(chan struct{})}
	m.inflight[key] = f
	m.mu.Unlock()
	f.resp, f.err = m.call(ctx, key, req)
	m.mu.Lock()
	delete(m.inflight, key)
	m.mu.Unlock()
	close(f.done)
	return f.resp, f.err
}

// call asks the wrapped model and saves its answer.
func (m *Model) call(ctx context.Context, key string, req *eh.Request) (*eh.Response, error) {
	m.stats.Misses.Add(1)
	resp, err := m.next.Generate(ctx, req)
	if err != nil {
		return nil, err
	}
	// Save even when the caller has just been interrupted: the answer is paid for.
	if serr := m.store.SaveResponse(context.WithoutCancel(ctx), key, resp); serr != nil {
		m.stats.SaveErrors.Add(1)
		if m.OnSaveError != nil {
			m.OnSaveError(key, serr)
		}
	}
	return resp, nil
}
