// Package mock implements the root interfaces with function fields, for tests
// that need a Model, Store or Strategy behaving in one particular way. A nil
// field panics when called: the test did not expect that call.
package mock

import (
	"context"

	eh "github.com/emohallucer/emohallucer"
)

// Model is an emohallucer.Model made of functions.
type Model struct {
	NameFn         func() string
	CapabilitiesFn func() eh.Capabilities
	GenerateFn     func(ctx context.Context, req *eh.Request) (*eh.Response, error)
}

var _ eh.Model = (*Model)(nil)

// Name implements emohallucer.Model.
func (m *Model) Name() string { return m.NameFn() }

// Capabilities implements emohallucer.Model.
func (m *Model) Capabilities() eh.Capabilities { return m.CapabilitiesFn() }

// Generate implements emohallucer.Model.
func (m *Model) Generate(ctx context.Context, req *eh.Request) (*eh.Response, error) {
	return m.GenerateFn(ctx, req)
}

// Store is an emohallucer.Store made of functions.
type Store struct {
	LookupResponseFn func(ctx context.Context, key string) (*eh.Response, bool, error)
	SaveResponseFn   func(ctx context.Context, key string, resp *eh.Response) error
	CloseFn          func() error
}

var _ eh.Store = (*Store)(nil)

// LookupResponse implements emohallucer.Store.
func (s *Store) LookupResponse(ctx context.Context, key string) (*eh.Response, bool, error) {
	return s.LookupResponseFn(ctx, key)
}

// SaveResponse implements emohallucer.Store.
func (s *Store) SaveResponse(ctx context.Context, key string, resp *eh.Response) error {
	return s.SaveResponseFn(ctx, key, resp)
}

// Close implements emohallucer.Store.
func (s *Store) Close() error { return s.CloseFn() }

// Strategy is an emohallucer.Strategy made of functions.
type Strategy struct {
	NameFn   func() string
	AnswerFn func(ctx context.Context, m eh.Model, it *eh.Item) (*eh.Outcome, error)
}

var _ eh.Strategy = (*Strategy)(nil)

// Name implements emohallucer.Strategy.
func (s *Strategy) Name() string { return s.NameFn() }

// Answer implements emohallucer.Strategy.
func (s *Strategy) Answer(ctx context.Context, m eh.Model, it *eh.Item) (*eh.Outcome, error) {
	return s.AnswerFn(ctx, m, it)
}
