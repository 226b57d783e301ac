package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/engine"
	"github.com/emohallucer/emohallucer/strategy"
)

// stub answers "Yes", fails with err, or waits for release, counting calls.
type stub struct {
	calls   atomic.Int64
	err     error
	mods    []eh.Modality
	release chan struct{}
	started chan struct{}
}

func (s *stub) Name() string { return "test:m" }
func (s *stub) Capabilities() eh.Capabilities {
	mods := s.mods
	if mods == nil {
		mods = eh.Modalities
	}
	return eh.Capabilities{Identity: "test:m", Modalities: mods}
}
func (s *stub) Generate(ctx context.Context, _ *eh.Request) (*eh.Response, error) {
	s.calls.Add(1)
	if s.started != nil {
		s.started <- struct{}{}
	}
	if s.release != nil {
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	return &eh.Response{Text: "Yes", Usage: eh.Usage{PromptTokens: 10, CompletionTokens: 1}}, nil
}

func items(n int, mod eh.Modality) []eh.Item {
	out := make([]eh.Item, 0, n)
	for i := range n / 2 {
		p := &eh.Pair{ID: fmt.Sprintf("p%03d", i), Dimension: eh.Perception, SubCategory: eh.Category, Modality: mod,
			Basic: eh.Question{Text: "Is it joy?", Gold: eh.Yes}, Hallucinated: eh.Question{Text: "Is it fear?", Gold: eh.No}}
		if mod == eh.Text {
			p.Dimension, p.SubCategory = eh.Knowledge, eh.Theory
		}
		out = append(out, eh.Item{Pair: p, Role: eh.Basic}, eh.Item{Pair: p, Role: eh.Hallucinated})
	}
	return out
}

// collect is a sink keeping records.
type collect struct {
	mu   sync.Mutex
	recs []*eh.Record
	err  error
}

func (c *collect) Put(r *eh.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.recs = append(c.recs, r)
	return nil
}

func plan(m eh.Model, its []eh.Item) engine.Plan {
	st, err := strategy.New("direct", strategy.Options{})
	if err != nil {
		panic(err)
	}
	return engine.Plan{Run: "r", Suite: "s", Model: m, Strategy: st, Items: its, Concurrency: 4}
}

func TestRunAnswersAndSkipsDone(t *testing.T) {
	m := &stub{}
	p := plan(m, items(20, eh.Text))
	p.Done = func(key string) bool { return key == "p000/basic" || key == "p001/hallucinated" }
	var sink collect
	res, err := engine.Run(context.Background(), p, &sink)
	if err != nil {
		t.Fatal(err)
	}
	if res.Answered != 18 || res.Skipped != 2 || res.Unstarted != 0 || res.StopReason != nil || m.calls.Load() != 18 {
		t.Fatalf("result %+v after %d calls", res, m.calls.Load())
	}
	for _, r := range sink.recs {
		if r.Status != eh.StatusAnswered || r.Answer != eh.AnswerYes || r.Calls != 1 || r.Validate() != nil {
			t.Fatalf("record %+v", r)
		}
	}
}

func TestRunNotEvaluated(t *testing.T) {
	m := &stub{mods: []eh.Modality{eh.Text}}
	var sink collect
	res, _ := engine.Run(context.Background(), plan(m, items(6, eh.Audio)), &sink)
	if res.NotEvaluated != 6 || m.calls.Load() != 0 {
		t.Fatalf("result %+v, %d calls; want 6 not evaluated and no call", res, m.calls.Load())
	}
}

func TestRunAuthErrorStopsAtOnce(t *testing.T) {
	m := &stub{err: &eh.Error{Code: eh.EAUTH, Message: "HTTP 401"}}
	var sink collect
	res, err := engine.Run(context.Background(), plan(m, items(100, eh.Text)), &sink)
	if err != nil {
		t.Fatal(err)
	}
	if eh.ErrorCode(res.StopReason) != eh.EAUTH {
		t.Fatalf("stop reason %v, want %s", res.StopReason, eh.EAUTH)
	}
	// Each of the 4 workers halts the run on its own 401 before taking more.
	if n := m.calls.Load(); n > 4 {
		t.Fatalf("%d calls after a 401; want at most the 4 in flight", n)
	}
	if res.Errors+res.Unstarted != 100 || int64(res.Errors) != m.calls.Load() {
		t.Fatalf("result %+v does not account for 100 questions and %d calls", res, m.calls.Load())
	}
}

func TestRunCostLimit(t *testing.T) {
	m := &stub{}
	p := plan(m, items(40, eh.Text))
	p.Concurrency = 1
	p.CostOf = func(u eh.Usage) float64 { return float64(u.PromptTokens) / 10 } // $1 a call
	p.MaxCostUSD = 5
	var sink collect
	res, _ := engine.Run(context.Background(), p, &sink)
	if eh.ErrorCode(res.StopReason) != eh.EBUDGET {
		t.Fatalf("stop reason %v, want %s", res.StopReason, eh.EBUDGET)
	}
	// With one question in flight the overshoot is at most one question.
	if res.Answered < 5 || res.Answered > 6 || res.CostUSD != float64(res.Answered) {
		t.Fatalf("result %+v: want 5 or 6 answered at $1 each", res)
	}
}

// TestRunInterruptFinishesInFlight: cancelling the run's context starts nothing
// new, but the calls in flight finish and are recorded.
func TestRunInterruptFinishesInFlight(t *testing.T) {
	m := &stub{release: make(chan struct{}), started: make(chan struct{}, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	var sink collect
	done := make(chan engine.Result)
	go func() {
		res, _ := engine.Run(ctx, plan(m, items(40, eh.Text)), &sink)
		done <- res
	}()
	for range 4 {
		<-m.started
	}
	cancel()
	close(m.release)
	res := <-done
	if eh.ErrorCode(res.StopReason) != eh.ECANCELED {
		t.Fatalf("stop reason %v, want %s", res.StopReason, eh.ECANCELED)
	}
	if res.Answered != int(m.calls.Load()) || res.Answered < 4 || len(sink.recs) != res.Answered {
		t.Fatalf("result %+v, %d calls, %d records: in-flight calls must finish and be saved", res, m.calls.Load(), len(sink.recs))
	}
	if res.Answered+res.Unstarted != 40 {
		t.Fatalf("result %+v does not account for 40 questions", res)
	}
}

func TestRunSinkErrorIsReturned(t *testing.T) {
	sink := &collect{err: errors.New("disk full")}
	_, err := engine.Run(context.Background(), plan(&stub{}, items(10, eh.Text)), sink)
	if err == nil {
		t.Fatal("a failing sink went unreported")
	}
}

// buffered is a Flusher sink: it records how many records each Flush saw
// unflushed, and the state when Run returned.
type buffered struct {
	pending, flushed int
	flushes          int
}

func (b *buffered) Put(*eh.Record) error { b.pending++; return nil }
func (b *buffered) Flush() error {
	b.flushed += b.pending
	b.pending = 0
	b.flushes++
	return nil
}

// A buffering sink is flushed whenever no finished question waits, so nothing
// is left in its buffer when Run returns, and batches never exceed what was
// waiting at once.
func TestRunFlushesBufferingSink(t *testing.T) {
	for _, conc := range []int{1, 16} {
		t.Run(fmt.Sprint("conc", conc), func(t *testing.T) {
			p := plan(&stub{}, items(200, eh.Text))
			p.Concurrency = conc
			b := &buffered{}
			res, err := engine.Run(context.Background(), p, b)
			if err != nil {
				t.Fatal(err)
			}
			if b.pending != 0 || b.flushed != 200 || res.Answered != 200 {
				t.Fatalf("pending %d, flushed %d, answered %d; want 0, 200, 200", b.pending, b.flushed, res.Answered)
			}
			if b.flushes < 1 || b.flushes > 200 {
				t.Fatalf("%d flushes for 200 records", b.flushes)
			}
		})
	}
}

// stopper fails with an error whose StopsModel method says the model is unusable.
type stopper struct{ error }

func (stopper) StopsModel() bool { return true }

func TestRunStopsModelError(t *testing.T) {
	m := &stub{err: &eh.Error{Code: eh.EPROVIDER, Message: "server unreachable", Err: stopper{errors.New("connection refused")}}}
	var sink collect
	res, err := engine.Run(context.Background(), plan(m, items(100, eh.Text)), &sink)
	if err != nil {
		t.Fatal(err)
	}
	if res.StopReason == nil || !strings.Contains(res.StopReason.Error(), "server unreachable") {
		t.Fatalf("stop reason %v, want the unreachable error", res.StopReason)
	}
	if n := m.calls.Load(); n > 4 {
		t.Fatalf("%d calls after the stop; want at most the 4 in flight", n)
	}
}

// failing fails every request with the message msg(req) returns.
type failing struct {
	stub
	msg func(req *eh.Request) string
}

func (f *failing) Generate(_ context.Context, req *eh.Request) (*eh.Response, error) {
	return nil, eh.Errorf(eh.EPROVIDER, "%s", f.msg(req))
}

// TestRunCausesOfFailures: failed questions are counted by cause, with the
// question's own label taken out so one failure of many questions is one
// cause, and the number of distinct causes kept is bounded.
func TestRunCausesOfFailures(t *testing.T) {
	var n atomic.Int64
	tests := []struct {
		name string
		msg  func(req *eh.Request) string
		// want is the count of the one cause expected, 0 when causes are
		// unique per request.
		want map[string]int
	}{
		// Providers name the question in their errors: still one cause.
		{"OneCause", func(req *eh.Request) string {
			return "m (" + req.Item + "): HTTP 404 model 'x' does not exist"
		}, map[string]int{"m: HTTP 404 model 'x' does not exist": 100}},
		// A request id in every message: bounded, the rest under OtherCauses.
		{"UniqueCauses", func(*eh.Request) string { return fmt.Sprint("request ", n.Add(1)) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := engine.Run(context.Background(), plan(&failing{msg: tt.msg}, items(100, eh.Text)), &collect{})
			if err != nil || res.Errors != 100 {
				t.Fatalf("result %+v, %v", res, err)
			}
			if tt.want != nil {
				if fmt.Sprint(res.Causes) != fmt.Sprint(tt.want) {
					t.Fatalf("causes %v, want %v", res.Causes, tt.want)
				}
				return
			}
			total := 0
			for _, c := range res.Causes {
				total += c
			}
			if len(res.Causes) > 33 || res.Causes[engine.OtherCauses] == 0 || total != 100 {
				t.Fatalf("%d causes (%d under %q), %d counted; want a bounded set counting all 100", len(res.Causes), res.Causes[engine.OtherCauses], engine.OtherCauses, total)
			}
		})
	}
}
