// Package retry is a Model decorator that tries a failed call again with capped
// exponential backoff and full jitter, honouring the server's Retry-After.
//
// What is retried follows the Model contract: errors coded EAUTH, EPROVIDER,
// EINVALID, ENOTFOUND or ECANCELED are permanent and returned at once (a 401 must
// stop a run, not be hammered); everything else — ERATELIMIT, 5xx, timeouts,
// dropped connections, malformed replies — is transient. Every attempt is counted
// in Stats and reported to OnAttempt, so a run can account for each request it
// sent.
//
// A server that was never reached is different: when every attempt of a model's
// first requests fails because the connection is refused or the host does not
// resolve (errors with an Unreachable() string method, as provider/perr's), the
// model is stopped after Config.Unreachable attempts with an error that names
// the address and the fix, and every later call fails at once. Once the server
// has answered anything, unreachable errors are retried as usual (a restart
// mid-run).
//
// In the decorator stack retry sits inside the cache and outside the limiter, so
// that a call waiting out its backoff holds no concurrency slot.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	eh "github.com/emohallucer/emohallucer"
)

// Defaults for Config's zero fields.
const (
	DefaultAttempts = 8
	DefaultBase     = 500 * time.Millisecond
	DefaultMaxWait  = 30 * time.Second
	// DefaultMaxRetryAfter is the longest Retry-After honoured; a server asking for
	// more is treated as refusing for now and the call fails.
	DefaultMaxRetryAfter = 5 * time.Minute
	// DefaultUnreachable is the attempts of one request, all unreachable, after
	// which a model whose server never answered is stopped: with the default
	// backoff about a second and a half.
	DefaultUnreachable = 3
)

// Config tunes the retry loop.
type Config struct {
	// Attempts is the most calls made for one request, the first included.
	Attempts int
	// Base is the backoff before the first retry; it doubles with each retry up to
	// MaxWait. The actual wait is drawn uniformly from [0, backoff] (full jitter),
	// so that many workers throttled together do not retry together.
	Base, MaxWait time.Duration
	// MaxRetryAfter bounds the server-requested wait that is honoured.
	MaxRetryAfter time.Duration
	// Unreachable is the attempts of one request after which a model whose
	// server has never answered, and could not be reached on any of them, is
	// stopped (StopsModel); default DefaultUnreachable.
	Unreachable int
	// Timeout bounds each attempt; 0 leaves it to the provider. An attempt that
	// times out is retried.
	Timeout time.Duration
	// OnAttempt, when set, sees every finished attempt. It is called from the
	// calling goroutine and must be safe for concurrent use.
	OnAttempt func(Attempt)
	// Stop, when closed, ends retrying: a request that failed is not tried
	// again and a wait for a retry is cut short. The command closes it on the
	// first Ctrl-C, so that requests in flight finish but none waiting out a
	// backoff (or a long Retry-After) holds up the exit; a rerun asks again.
	Stop <-chan struct{}
	// Sleep waits for d or until ctx is done (tests replace it).
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1) (tests replace it).
	Jitter func() float64
}

// Attempt describes one finished call.
type Attempt struct {
	Model, Item string
	// N is 1 for the first attempt of a request.
	N       int
	Latency time.Duration
	Err     error
	// Wait is the pause before the next attempt; 0 when there is none.
	Wait time.Duration
	// Final is true when no further attempt follows (success, permanent error,
	// attempts exhausted, or the caller gave up).
	Final bool
}

// Stats count attempts. All fields are updated atomically.
type Stats struct {
	Attempts    atomic.Int64 // calls made to the wrapped model
	Retries     atomic.Int64 // attempts that were followed by another
	RateLimited atomic.Int64 // attempts that failed with ERATELIMIT
	Failed      atomic.Int64 // requests that failed after their last attempt
}

// Model retries calls to the model it wraps.
type Model struct {
	next  eh.Model
	cfg   Config
	stats Stats
	// reached is set once the server answered anything (an HTTP error too).
	reached atomic.Bool
	// down, once set, is the error every call returns: the server was never
	// reached.
	down atomic.Pointer[eh.Error]
}

var _ eh.Model = (*Model)(nil)

// New wraps next.
func New(next eh.Model, cfg Config) *Model {
	if cfg.Attempts <= 0 {
		cfg.Attempts = DefaultAttempts
	}
	if cfg.Base <= 0 {
		cfg.Base = DefaultBase
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.Unreachable <= 0 {
		cfg.Unreachable = DefaultUnreachable
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	return &Model{next: next, cfg: cfg}
}

// Name implements emohallucer.Model.
func (m *Model) Name() string { return m.next.Name() }

// Capabilities implements emohallucer.Model.
func (m *Model) Capabilities() eh.Capabilities { return m.next.Capabilities() }

// Stats returns the model's counters.
func (m *Model) Stats() *Stats { return &m.stats }

// Generate implements emohallucer.Model.
func (m *Model) Generate(ctx context.Context, req *eh.Request) (*eh.Response, error) {
	for n := 1; ; n++ {
		if down := m.down.Load(); down != nil {
			m.stats.Failed.Add(1)
			return nil, down
		}
		resp, err, lat := m.attempt(ctx, req)
		m.stats.Attempts.Add(1)
		if down := m.unreachable(err, n); down != nil {
			err = down
		}
		a := Attempt{Model: m.next.Name(), Item: req.Item, N: n, Latency: lat, Err: err}
		if err == nil {
			a.Final = true
			m.report(a)
			return resp, nil
		}
		if eh.ErrorCode(err) == eh.ERATELIMIT {
			m.stats.RateLimited.Add(1)
		}
		wait, retry := m.decide(ctx, err, n)
		if !retry {
			a.Final = true
			m.stats.Failed.Add(1)
			m.report(a)
			if n > 1 {
				err = fmt.Errorf("after %d attempts: %w", n, err)
			}
			return nil, err
		}
		a.Wait = wait
		m.stats.Retries.Add(1)
		m.report(a)
		if serr := m.wait(ctx, wait); serr != nil {
			m.stats.Failed.Add(1)
			return nil, fmt.Errorf("gave up waiting to retry (%v) after %d attempts: %w", serr, n, err)
		}
	}
}

// unreachable notes whether the n-th attempt reached the server. When it did
// not, the server never answered before, and this request has made
// Config.Unreachable attempts, it marks the model down and returns the error
// that stops it; nil otherwise.
func (m *Model) unreachable(err error, n int) *eh.Error {
	var u interface{ Unreachable() string }
	switch {
	case err != nil && errors.As(err, &u):
	case err != nil && (errors.Is(err, context.Canceled) || eh.ErrorCode(err) == eh.EINVALID):
		// Nothing was sent (a bad media file) or nothing came back: this says
		// nothing about the server.
		return nil
	default:
		m.reached.Store(true)
		return nil
	}
	if m.reached.Load() || n < m.cfg.Unreachable {
		return nil
	}
	down := &eh.Error{Code: eh.EPROVIDER,
		Message: fmt.Sprintf("model %s: stopping this model's run: no attempt reached its server (%d tries); is the server running at %s? check the address (--model PROVIDER:MODEL@URL, or base_url in the config)", m.next.Name(), n, u.Unreachable()),
		Err:     &stopModel{err}}
	if m.down.CompareAndSwap(nil, down) {
		return down
	}
	return m.down.Load()
}

// stopModel marks an error after which the engine sends the model no more
// questions (its StopsModel method).
type stopModel struct{ err error }

func (e *stopModel) Error() string    { return e.err.Error() }
func (e *stopModel) Unwrap() error    { return e.err }
func (e *stopModel) StopsModel() bool { return true }

// wait sleeps before a retry, cut short by Stop.
func (m *Model) wait(ctx context.Context, d time.Duration) error {
	if m.cfg.Stop == nil {
		return m.cfg.Sleep(ctx, d)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-m.cfg.Stop:
			cancel()
		case <-sctx.Done():
		}
	}()
	if err := m.cfg.Sleep(sctx, d); err != nil {
		if ctx.Err() == nil {
			return errStopped
		}
		return err
	}
	return nil
}

// errStopped says the run stopped while a request waited to be retried.
var errStopped = errors.New("the run was stopped")

func (m *Model) stopped() bool {
	select {
	case <-m.cfg.Stop:
		return true
	default:
		return false
	}
}

func (m *Model) report(a Attempt) {
	if m.cfg.OnAttempt != nil {
		m.cfg.OnAttempt(a)
	}
}

// attempt makes one call under the per-attempt timeout. A timeout of the attempt
// (not of the caller) is turned into a transient error.
func (m *Model) attempt(ctx context.Context, req *eh.Request) (*eh.Response, error, time.Duration) {
	actx := ctx
	if m.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, m.cfg.Timeout)
		defer cancel()
	}
	start := time.Now()
	resp, err := m.next.Generate(actx, req)
	lat := time.Since(start)
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		err = &timeoutError{after: m.cfg.Timeout, err: err}
	}
	return resp, err, lat
}

// decide says whether to try again after the n-th attempt failed with err, and
// how long to wait first.
func (m *Model) decide(ctx context.Context, err error, n int) (time.Duration, bool) {
	if ctx.Err() != nil || Permanent(err) || n >= m.cfg.Attempts || m.stopped() {
		return 0, false
	}
	backoff := m.cfg.Base << min(n-1, 30)
	if backoff <= 0 || backoff > m.cfg.MaxWait {
		backoff = m.cfg.MaxWait
	}
	wait := time.Duration(m.cfg.Jitter() * float64(backoff))
	if ra := RetryAfter(err); ra > 0 {
		if ra > m.cfg.MaxRetryAfter {
			return 0, false
		}
		// The server knows best when it can take the request again; a little
		// jitter on top keeps the retries of many workers apart.
		wait = ra + time.Duration(m.cfg.Jitter()*float64(min(ra/10, time.Second)))
	}
	return wait, true
}

// Permanent reports whether err must not be retried: it says the request or the
// credentials are wrong, or that the caller cancelled.
func Permanent(err error) bool {
	switch eh.ErrorCode(err) {
	case eh.EAUTH, eh.EPROVIDER, eh.EINVALID, eh.ENOTFOUND, eh.ECANCELED, eh.EBUDGET:
		return true
	}
	return errors.Is(err, context.Canceled)
}

// RetryAfter returns the wait the error asks for (a server's Retry-After), 0 when
// none. Errors carry it through a RetryAfterDuration method, as provider/perr's do.
func RetryAfter(err error) time.Duration {
	var ra interface{ RetryAfterDuration() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfterDuration()
	}
	return 0
}

// timeoutError is an attempt that ran out of its own time. It has no Unwrap on
// purpose: the cause is usually context.DeadlineExceeded, which callers must not
// mistake for their own context ending.
type timeoutError struct {
	after time.Duration
	err   error
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no answer within %s: %v", e.after, e.err)
}

// Temporary reports that trying again may succeed.
func (e *timeoutError) Temporary() bool { return true }

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
