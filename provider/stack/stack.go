// Package stack builds a model's decorator stack, and resolves the models of a
// run from specs and config files (FromConfig). It is the one place that knows
// the order of the decorators, so run and worker cannot drift apart.
//
// The stack, outermost first:
//
//  1. cache (provider/cache): a stored answer costs no request, no slot and no
//     retry;
//  2. log-probability watch, for models configured with logprobs: warns when
//     the server returns none; it sees only real answers;
//  3. drop watch (provider/prep): warns when the server ignores media; it sees
//     only real answers;
//  4. retry (provider/retry): waits out a backoff without holding a slot;
//  5. limit (provider/limit): paces and measures each attempt;
//  6. the provider.
//
// Deterministic models (baselines) are used bare: they need neither pacing nor
// caching.
package stack

import (
	"context"
	"fmt"
	"io"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/cache"
	"github.com/emohallucer/emohallucer/provider/limit"
	"github.com/emohallucer/emohallucer/provider/prep"
	"github.com/emohallucer/emohallucer/provider/retry"
)

// DefaultRetries is how often a failed request is retried by default.
const DefaultRetries = retry.DefaultAttempts - 1

// Store is a response cache (responselog, SQLite or PostgreSQL).
type Store = cache.Store

// Options configure Wrap.
type Options struct {
	// Concurrency, RPM, TPM and Adaptive configure the limiter; Retries the
	// retry decorator (Engine.Options fills them from a resolved model).
	Concurrency int
	RPM, TPM    float64
	Adaptive    bool
	Retries     int
	// Timeout bounds each attempt (0: the provider's own).
	Timeout time.Duration
	// Stop, when closed, ends retrying (the first Ctrl-C; nil: never).
	Stop <-chan struct{}
	// Cache is the response cache; nil: none.
	Cache Store
	// Log receives warnings; it must be safe for concurrent use (nil: dropped).
	Log io.Writer
	// OnRetry, when set, is told of every attempt that will be tried again
	// (a progress display counts them). It must be safe for concurrent use.
	OnRetry func()
}

// Model is a model with its decorators, and handles on their counters (nil
// for a decorator the stack does not hold).
type Model struct {
	eh.Model
	Retry   *retry.Model
	Cache   *cache.Model
	Limiter *limit.Adaptive
}

// Wrap stacks the decorators around m in the order the package comment gives.
func Wrap(m eh.Model, o Options) *Model {
	if m.Capabilities().Deterministic {
		return &Model{Model: m}
	}
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	w := &Model{}
	lm := limit.New(m, limit.Config{Concurrency: o.Concurrency, RPM: o.RPM, TPM: o.TPM, Fixed: !o.Adaptive})
	w.Limiter = lm.Limiter()
	w.Retry = retry.New(lm, retry.Config{
		Attempts: o.Retries + 1,
		Timeout:  o.Timeout,
		Stop:     o.Stop,
		OnAttempt: func(a retry.Attempt) {
			if !a.Final && o.OnRetry != nil {
				o.OnRetry()
			}
		},
	})
	checker, _ := m.(prep.MediaChecker)
	var next eh.Model = prep.NewDropWatch(w.Retry, checker, log)
	if m.Capabilities().Logprobs {
		next = &logprobWatch{Model: next, log: log}
	}
	if o.Cache != nil {
		w.Cache = cache.New(next, o.Cache)
		w.Cache.OnSaveError = func(key string, err error) {
			fmt.Fprintf(log, "warning: %s: answer not saved in the response cache (a rerun will ask again): %v\n", m.Name(), err)
		}
		next = w.Cache
	}
	w.Model = next
	return w
}

// Counts are the request figures of a wrapped model so far.
type Counts struct {
	Attempts, Retries, RateLimited, Failed int64
	CacheHits, CacheMisses                 int64
	// Concurrency is the adaptive bound now, and Backoffs how often it was
	// lowered.
	Concurrency, Backoffs int
}

// Counts reads the decorators' counters.
func (w *Model) Counts() Counts {
	var c Counts
	if w.Retry != nil {
		st := w.Retry.Stats()
		c.Attempts, c.Retries, c.RateLimited, c.Failed = st.Attempts.Load(), st.Retries.Load(), st.RateLimited.Load(), st.Failed.Load()
	}
	if w.Cache != nil {
		c.CacheHits, c.CacheMisses = w.Cache.Stats().Hits.Load(), w.Cache.Stats().Misses.Load()
	}
	if w.Limiter != nil {
		st := w.Limiter.State()
		c.Concurrency, c.Backoffs = st.Limit, st.Decreases
	}
	return c
}

// Calls reports whether the model makes real calls (and so has request counts
// worth printing): it is not a deterministic baseline.
func (w *Model) Calls() bool { return w.Retry != nil }

// LimitState describes the limiter's current bound, for progress displays
// ("conc 3/8"); "" without a limiter.
func (w *Model) LimitState() string {
	if w.Limiter == nil {
		return ""
	}
	st := w.Limiter.State()
	return fmt.Sprintf("conc %d/%d", st.InFlight, st.Limit)
}

// Lookup finds the stored answer to req sent to a model of the given
// identity, under the key the cache decorator uses, without calling
// anything (a dry run).
func Lookup(ctx context.Context, store Store, identity string, req *eh.Request) (*eh.Response, bool, error) {
	key, err := cache.Key(identity, req)
	if err != nil {
		return nil, false, err
	}
	resp, ok, err := store.LookupResponse(ctx, key)
	if err != nil {
		return nil, false, &eh.Error{Code: eh.EINTERNAL, Message: "response cache lookup", Err: err}
	}
	return resp, ok, nil
}
