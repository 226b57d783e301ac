package limit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/limit"
	"github.com/emohallucer/emohallucer/provider/perr"
)

// clock is a manual clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time           { return c.t }
func (c *clock) add(d time.Duration)      { c.t = c.t.Add(d) }
func newClock() *clock                    { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }
func state(a *limit.Adaptive) limit.State { return a.State() }

func TestAIMD(t *testing.T) {
	c := newClock()
	a := limit.NewAdaptive(limit.Config{Concurrency: 32, MinConcurrency: 2, Cooldown: time.Second, LatencyFactor: 2.5, Now: c.now})
	if got := state(a).Limit; got != 32 {
		t.Fatalf("start at %d, want 32", got)
	}
	a.Overload()
	if got := state(a).Limit; got != 16 {
		t.Fatalf("after a 429: %d, want 16", got)
	}
	// A burst of 429s from the same moment counts once.
	a.Overload()
	a.Overload()
	if got := state(a).Limit; got != 16 {
		t.Fatalf("within the cool-down: %d, want 16", got)
	}
	// Recovery is slow: about one slot per limit successes.
	for range 15 {
		a.Success(50 * time.Millisecond)
	}
	if got := state(a).Limit; got != 16 {
		t.Fatalf("after 15 successes at 16: %d, want still 16", got)
	}
	a.Success(50 * time.Millisecond)
	a.Success(50 * time.Millisecond)
	if got := state(a).Limit; got != 17 {
		t.Fatalf("after 17 successes at 16: %d, want 17", got)
	}
	// Never below the floor.
	for range 10 {
		c.add(2 * time.Second)
		a.Overload()
	}
	if got := state(a).Limit; got != 2 {
		t.Fatalf("floor: %d, want 2", got)
	}
	// Never above the ceiling.
	for range 5000 {
		a.Success(50 * time.Millisecond)
	}
	if got := state(a).Limit; got != 32 {
		t.Fatalf("ceiling: %d, want 32", got)
	}
}

func TestLatencyRiseBacksOff(t *testing.T) {
	c := newClock()
	a := limit.NewAdaptive(limit.Config{Concurrency: 20, Cooldown: time.Second, LatencyFactor: 2.5, Now: c.now})
	for range 100 {
		a.Success(100 * time.Millisecond)
	}
	if got := state(a).Limit; got != 20 {
		t.Fatalf("steady latency changed the limit to %d", got)
	}
	for range 20 {
		a.Success(time.Second)
	}
	if st := state(a); st.Limit >= 20 || st.Decreases == 0 {
		t.Fatalf("latency ×10 did not back off: %+v", st)
	}
}

func TestFixedDoesNotAdapt(t *testing.T) {
	a := limit.NewAdaptive(limit.Config{Concurrency: 4, Fixed: true})
	a.Overload()
	if got := state(a).Limit; got != 4 {
		t.Fatalf("fixed limit moved to %d", got)
	}
}

// gate counts calls in flight and answers or fails as told.
type gate struct {
	inflight, peak atomic.Int64
	release        chan struct{}
	err            error
}

func (g *gate) Name() string                  { return "test:m" }
func (g *gate) Capabilities() eh.Capabilities { return eh.Capabilities{Identity: "test:m"} }
func (g *gate) Generate(ctx context.Context, _ *eh.Request) (*eh.Response, error) {
	n := g.inflight.Add(1)
	defer g.inflight.Add(-1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if g.release != nil {
		<-g.release
	}
	if g.err != nil {
		return nil, g.err
	}
	return &eh.Response{Text: "Yes", Usage: eh.Usage{PromptTokens: 10}}, nil
}

func TestBoundsInFlight(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	m := limit.New(g, limit.Config{Concurrency: 3, Fixed: true})
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); m.Generate(context.Background(), &eh.Request{}) }()
	}
	// Wait until the bound is reached, then let everything through.
	for m.Limiter().State().InFlight < 3 {
		time.Sleep(time.Millisecond)
	}
	close(g.release)
	wg.Wait()
	if p := g.peak.Load(); p != 3 {
		t.Fatalf("peak in flight %d, want 3", p)
	}
	if st := m.Limiter().State(); st.InFlight != 0 || st.Waiting != 0 {
		t.Fatalf("slots leaked: %+v", st)
	}
}

func TestRateLimitErrorHalves(t *testing.T) {
	g := &gate{err: (&perr.HTTPError{Model: "test:m", Status: 429}).Wrap()}
	m := limit.New(g, limit.Config{Concurrency: 8})
	if _, err := m.Generate(context.Background(), &eh.Request{}); eh.ErrorCode(err) != eh.ERATELIMIT {
		t.Fatalf("error %v passed through changed", err)
	}
	if got := m.Limiter().State().Limit; got != 4 {
		t.Fatalf("limit after a 429: %d, want 4", got)
	}
}

func TestAcquireHonoursContext(t *testing.T) {
	a := limit.NewAdaptive(limit.Config{Concurrency: 1})
	if err := a.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Acquire(ctx); err == nil {
		t.Fatal("Acquire on a full semaphore with a cancelled context succeeded")
	}
	a.Release()
	if st := a.State(); st.InFlight != 0 || st.Waiting != 0 {
		t.Fatalf("state after release: %+v", st)
	}
}

func TestCapsCapConcurrency(t *testing.T) {
	m := limit.New(&capped{}, limit.Config{Concurrency: 32})
	if got := m.Capabilities().MaxConcurrency; got != 4 {
		t.Fatalf("MaxConcurrency %d, want the model's 4", got)
	}
}

type capped struct{ gate }

func (*capped) Capabilities() eh.Capabilities { return eh.Capabilities{MaxConcurrency: 4} }

func TestEstimateTokens(t *testing.T) {
	req := &eh.Request{System: "12345678", Messages: []eh.Message{{Parts: []eh.Part{{Text: "abcdefgh"}, {Media: &eh.MediaFile{Kind: eh.Image}}}}}}
	if got := limit.EstimateTokens(req); got != 2+2+85 {
		t.Fatalf("estimate %d, want 89", got)
	}
}
