// Package limit is a Model decorator that paces calls to one endpoint: an
// adaptive bound on the requests in flight, and requests-per-minute and
// tokens-per-minute budgets.
//
// The concurrency bound follows AIMD, the rule TCP uses for its congestion
// window: every success raises the bound by 1/bound (about one slot per round of
// requests), and a sign of overload — a 429, a timeout, or latency climbing well
// above its running baseline — halves it, at most once per cool-down so that a
// burst of 429s from one overloaded moment counts once. The bound never leaves
// [MinConcurrency, Concurrency]. Halving fast and recovering slowly lets a run
// find the rate an API actually sustains instead of being throttled for its
// whole length.
//
// In the decorator stack limit sits directly around the provider, so every
// attempt of the retry decorator is paced and measured on its own.
package limit

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	eh "github.com/emohallucer/emohallucer"
)

// Defaults for Config's zero fields.
const (
	DefaultConcurrency   = 8
	DefaultLatencyFactor = 2.5
	DefaultCooldown      = time.Second
	// minLatencySamples is how many successes the latency baseline needs before
	// it is trusted.
	minLatencySamples = 20
)

// Config describes the pace one endpoint accepts.
type Config struct {
	// Concurrency is the most requests in flight; the model's
	// Capabilities.MaxConcurrency caps it. Default 8.
	Concurrency int
	// MinConcurrency is the floor adaptive backoff stops at; default 1.
	MinConcurrency int
	// Fixed turns adaptation off: the bound stays at Concurrency.
	Fixed bool
	// RPM and TPM are requests and tokens (prompt + completion) per minute; 0 means
	// no limit. Tokens are estimated before a call from its text and media and
	// corrected with the usage the API reports.
	RPM, TPM float64
	// LatencyFactor: a short-term latency this many times the long-term baseline
	// counts as overload. Default 2.5; negative disables the latency signal.
	LatencyFactor float64
	// Cooldown is the least time between two decreases; default 1 s.
	Cooldown time.Duration
	// Now is the clock (tests replace it).
	Now func() time.Time
}

// Model paces calls to the model it wraps.
type Model struct {
	next eh.Model
	cfg  Config
	sem  *Adaptive
	rpm  *rate.Limiter
	tpm  *rate.Limiter
}

var _ eh.Model = (*Model)(nil)

// New wraps next.
func New(next eh.Model, cfg Config) *Model {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if mc := next.Capabilities().MaxConcurrency; mc > 0 && mc < cfg.Concurrency {
		cfg.Concurrency = mc
	}
	if cfg.MinConcurrency <= 0 {
		cfg.MinConcurrency = 1
	}
	cfg.MinConcurrency = min(cfg.MinConcurrency, cfg.Concurrency)
	if cfg.LatencyFactor == 0 {
		cfg.LatencyFactor = DefaultLatencyFactor
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = DefaultCooldown
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Model{next: next, cfg: cfg, sem: NewAdaptive(cfg)}
	if cfg.RPM > 0 {
		m.rpm = rate.NewLimiter(rate.Limit(cfg.RPM/60), int(math.Max(1, math.Ceil(cfg.RPM/60))))
	}
	if cfg.TPM > 0 {
		// Ten seconds' worth of tokens as burst: large enough for any single
		// request, small enough that a run does not open with a minute's budget.
		m.tpm = rate.NewLimiter(rate.Limit(cfg.TPM/60), int(math.Max(1, math.Ceil(cfg.TPM/6))))
	}
	return m
}

// Name implements emohallucer.Model.
func (m *Model) Name() string { return m.next.Name() }

// Capabilities implements emohallucer.Model, reporting the configured bound.
func (m *Model) Capabilities() eh.Capabilities {
	c := m.next.Capabilities()
	c.MaxConcurrency = m.cfg.Concurrency
	return c
}

// Limiter returns the adaptive concurrency bound, for progress displays.
func (m *Model) Limiter() *Adaptive { return m.sem }

// Generate implements emohallucer.Model.
func (m *Model) Generate(ctx context.Context, req *eh.Request) (*eh.Response, error) {
	if err := m.sem.Acquire(ctx); err != nil {
		return nil, err
	}
	defer m.sem.Release()
	if m.rpm != nil {
		if err := m.rpm.Wait(ctx); err != nil {
			return nil, err
		}
	}
	est := 0
	if m.tpm != nil {
		est = min(EstimateTokens(req), m.tpm.Burst())
		if err := m.tpm.WaitN(ctx, est); err != nil {
			return nil, err
		}
	}
	start := m.cfg.Now()
	resp, err := m.next.Generate(ctx, req)
	lat := m.cfg.Now().Sub(start)
	switch {
	case err == nil:
		m.sem.Success(lat)
		if m.tpm != nil {
			// The estimate was low on purpose; what the API counted beyond it
			// becomes debt that delays later calls.
			if extra := resp.Usage.PromptTokens + resp.Usage.CompletionTokens - est; extra > 0 {
				m.tpm.ReserveN(m.cfg.Now(), min(extra, m.tpm.Burst()))
			}
		}
	case overload(ctx, err):
		m.sem.Overload()
	}
	return resp, err
}

// overload reports whether err says the endpoint is taking too much: throttling,
// or an attempt that ran out of time (its own deadline, not the caller's
// cancellation).
func overload(ctx context.Context, err error) bool {
	if eh.ErrorCode(err) == eh.ERATELIMIT {
		return true
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return false
	}
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &t) && t.Timeout()
}

// EstimateTokens is a low estimate of a request's prompt tokens: a token per four
// bytes of text and the least any API we know charges per media part.
func EstimateTokens(req *eh.Request) int {
	n := len(req.System) / 4
	for _, msg := range req.Messages {
		for _, p := range msg.Parts {
			n += len(p.Text) / 4
			if p.Media != nil {
				n += 85
			}
		}
	}
	return max(n, 1)
}

// Adaptive is a semaphore whose size moves by AIMD. It is safe for concurrent
// use.
type Adaptive struct {
	mu       sync.Mutex
	cfg      Config
	limit    float64
	inflight int
	waiters  []chan struct{}
	lastDown time.Time
	// fast and slow are exponentially weighted latency averages (seconds).
	fast, slow float64
	samples    int
	decreases  int
}

// NewAdaptive returns a semaphore starting at cfg.Concurrency.
func NewAdaptive(cfg Config) *Adaptive {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = DefaultCooldown
	}
	cfg.MinConcurrency = max(1, min(cfg.MinConcurrency, cfg.Concurrency))
	return &Adaptive{cfg: cfg, limit: float64(max(cfg.Concurrency, 1))}
}

// Acquire waits for a slot or for ctx to end.
func (a *Adaptive) Acquire(ctx context.Context) error {
	a.mu.Lock()
	if a.inflight < a.size() && len(a.waiters) == 0 {
		a.inflight++
		a.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	a.waiters = append(a.waiters, ch)
	a.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		a.mu.Lock()
		for i, w := range a.waiters {
			if w == ch {
				a.waiters = append(a.waiters[:i], a.waiters[i+1:]...)
				a.mu.Unlock()
				return ctx.Err()
			}
		}
		a.mu.Unlock()
		// Granted while giving up: hand the slot on.
		a.Release()
		return ctx.Err()
	}
}

// Release frees a slot taken by Acquire.
func (a *Adaptive) Release() {
	a.mu.Lock()
	a.inflight--
	a.grant()
	a.mu.Unlock()
}

// grant hands free slots to waiters in arrival order; a.mu is held.
func (a *Adaptive) grant() {
	for len(a.waiters) > 0 && a.inflight < a.size() {
		ch := a.waiters[0]
		a.waiters = a.waiters[1:]
		a.inflight++
		close(ch)
	}
}

func (a *Adaptive) size() int { return int(a.limit) }

// Success records a call that worked and how long it took: additive increase,
// or a decrease when latency has climbed well above its baseline.
func (a *Adaptive) Success(lat time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := lat.Seconds()
	if a.samples == 0 {
		a.fast, a.slow = s, s
	} else {
		a.fast += 0.2 * (s - a.fast)
		a.slow += 0.02 * (s - a.slow)
	}
	a.samples++
	if a.cfg.Fixed {
		return
	}
	if a.cfg.LatencyFactor > 0 && a.samples >= minLatencySamples && a.fast > a.cfg.LatencyFactor*a.slow {
		if a.decrease(0.75) {
			// Start the short-term average afresh so one slow stretch causes
			// one decrease, not one per cool-down for as long as it lingers.
			a.fast = a.slow
		}
		return
	}
	a.limit = math.Min(float64(a.cfg.Concurrency), a.limit+1/a.limit)
	a.grant()
}

// Overload records a throttled or timed-out call: multiplicative decrease.
func (a *Adaptive) Overload() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.cfg.Fixed {
		a.decrease(0.5)
	}
}

// decrease scales the bound by f unless the last decrease was within the
// cool-down; a.mu is held. It reports whether it decreased.
func (a *Adaptive) decrease(f float64) bool {
	now := a.cfg.Now()
	if !a.lastDown.IsZero() && now.Sub(a.lastDown) < a.cfg.Cooldown {
		return false
	}
	a.lastDown = now
	a.limit = math.Max(float64(a.cfg.MinConcurrency), math.Floor(a.limit*f))
	a.decreases++
	return true
}

// State is a snapshot of the semaphore.
type State struct {
	Limit, InFlight, Waiting, Decreases int
}

// State returns the current bound and load.
func (a *Adaptive) State() State {
	a.mu.Lock()
	defer a.mu.Unlock()
	return State{Limit: a.size(), InFlight: a.inflight, Waiting: len(a.waiters), Decreases: a.decreases}
}
