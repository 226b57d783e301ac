package retry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/perr"
	"github.com/emohallucer/emohallucer/provider/retry"
)

// scripted fails with the errors of its script, in order, then answers.
type scripted struct {
	mu     sync.Mutex
	script []error
	calls  int
	block  bool // wait for the context instead of answering
}

func (s *scripted) Name() string                  { return "test:m" }
func (s *scripted) Capabilities() eh.Capabilities { return eh.Capabilities{Identity: "test:m"} }
func (s *scripted) Generate(ctx context.Context, _ *eh.Request) (*eh.Response, error) {
	s.mu.Lock()
	i := s.calls
	s.calls++
	s.mu.Unlock()
	if s.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if i < len(s.script) && s.script[i] != nil {
		return nil, s.script[i]
	}
	return &eh.Response{Text: "Yes"}, nil
}

func httpErr(status int, ra time.Duration) error {
	return (&perr.HTTPError{Model: "test:m", Status: status, RetryAfter: ra}).Wrap()
}

func TestRetry(t *testing.T) {
	transient := perr.NewTransient("test:m", "", "connection closed", io.ErrUnexpectedEOF)
	tests := []struct {
		name     string
		script   []error
		attempts int
		wantErr  string // error code; "" for success
		calls    int
		// minWaits are lower bounds of each wait (Retry-After must be honoured).
		minWaits []time.Duration
	}{
		// Happy: transient failures are retried until an answer comes.
		{name: "OK", calls: 1},
		{name: "OK429RetryAfter", script: []error{httpErr(429, 2*time.Second)}, calls: 2, minWaits: []time.Duration{2 * time.Second}},
		{name: "OK500Then503", script: []error{httpErr(500, 0), httpErr(503, 0)}, calls: 3, minWaits: []time.Duration{0, 0}},
		{name: "OKDroppedConnection", script: []error{transient}, calls: 2, minWaits: []time.Duration{0}},
		// Sad: permanent errors are returned at once.
		{name: "ErrAuth401", script: []error{httpErr(401, 0)}, wantErr: eh.EAUTH, calls: 1},
		{name: "ErrForbidden403", script: []error{httpErr(403, 0)}, wantErr: eh.EAUTH, calls: 1},
		{name: "ErrBadRequest400", script: []error{httpErr(400, 0)}, wantErr: eh.EPROVIDER, calls: 1},
		// Sad: attempts run out; the last error keeps its code.
		{name: "ErrExhausted", script: []error{httpErr(429, 0), httpErr(429, 0), httpErr(429, 0)}, attempts: 3, wantErr: eh.ERATELIMIT, calls: 3, minWaits: []time.Duration{0, 0}},
		// Sad: a server asking to wait longer than MaxRetryAfter is not waited for.
		{name: "ErrRetryAfterTooLong", script: []error{httpErr(429, time.Hour)}, wantErr: eh.ERATELIMIT, calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &scripted{script: tt.script}
			var waits []time.Duration
			var seen []retry.Attempt
			r := retry.New(m, retry.Config{
				Attempts: tt.attempts,
				Sleep:    func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
				Jitter:   func() float64 { return 0.5 },
				OnAttempt: func(a retry.Attempt) {
					seen = append(seen, a)
				},
			})
			resp, err := r.Generate(context.Background(), &eh.Request{Item: "pair p basic"})
			if got := eh.ErrorCode(err); got != tt.wantErr {
				t.Fatalf("error code %q (%v), want %q", got, err, tt.wantErr)
			}
			if err == nil && resp.Text != "Yes" {
				t.Fatalf("response %+v", resp)
			}
			if m.calls != tt.calls {
				t.Fatalf("%d calls, want %d", m.calls, tt.calls)
			}
			// Every call is accounted for, in the stats and the callback.
			st := r.Stats()
			if st.Attempts.Load() != int64(tt.calls) || len(seen) != tt.calls {
				t.Fatalf("stats count %d attempts and the callback %d; the model saw %d", st.Attempts.Load(), len(seen), tt.calls)
			}
			if st.Retries.Load() != int64(len(waits)) {
				t.Fatalf("%d retries counted, %d waits", st.Retries.Load(), len(waits))
			}
			if !seen[len(seen)-1].Final {
				t.Fatal("last attempt not marked final")
			}
			if len(waits) != len(tt.minWaits) {
				t.Fatalf("waits %v, want %d of them", waits, len(tt.minWaits))
			}
			for i, w := range waits {
				if w < tt.minWaits[i] {
					t.Errorf("wait %d = %s, shorter than %s", i, w, tt.minWaits[i])
				}
			}
		})
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	var script []error
	for range 7 {
		script = append(script, httpErr(500, 0))
	}
	var waits []time.Duration
	r := retry.New(&scripted{script: script}, retry.Config{
		Base: 100 * time.Millisecond, MaxWait: time.Second,
		Sleep:  func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
		Jitter: func() float64 { return 0.999 },
	})
	if _, err := r.Generate(context.Background(), &eh.Request{}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] < waits[i-1] {
			t.Fatalf("waits shrink: %v", waits)
		}
	}
	if last := waits[len(waits)-1]; last > time.Second || last < 900*time.Millisecond {
		t.Fatalf("last wait %s, want just under the 1 s cap (%v)", last, waits)
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	m := &scripted{block: true}
	attempts := 0
	r := retry.New(m, retry.Config{
		Attempts: 2, Timeout: 10 * time.Millisecond,
		Sleep:     func(context.Context, time.Duration) error { return nil },
		OnAttempt: func(retry.Attempt) { attempts++ },
	})
	_, err := r.Generate(context.Background(), &eh.Request{})
	if err == nil || m.calls != 2 || attempts != 2 {
		t.Fatalf("err %v after %d calls (%d reported); want a timeout after 2", err, m.calls, attempts)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("an attempt's own timeout must not look like the caller's deadline: %v", err)
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	m := &scripted{script: []error{httpErr(500, 0), httpErr(500, 0)}}
	r := retry.New(m, retry.Config{Sleep: func(ctx context.Context, _ time.Duration) error {
		cancel()
		return ctx.Err()
	}})
	_, err := r.Generate(ctx, &eh.Request{})
	if err == nil || m.calls != 1 {
		t.Fatalf("err %v after %d calls; want to give up after the first", err, m.calls)
	}
	if r.Stats().Failed.Load() != 1 {
		t.Fatalf("failed = %d, want 1", r.Stats().Failed.Load())
	}
}

func ExampleNew() {
	m := retry.New(&scripted{script: []error{httpErr(429, 0)}}, retry.Config{
		Sleep: func(context.Context, time.Duration) error { return nil },
		OnAttempt: func(a retry.Attempt) {
			fmt.Printf("attempt %d final=%v err=%v\n", a.N, a.Final, a.Err != nil)
		},
	})
	m.Generate(context.Background(), &eh.Request{})
	// Output:
	// attempt 1 final=false err=true
	// attempt 2 final=true err=false
}

func TestStopEndsRetrying(t *testing.T) {
	stop := make(chan struct{})
	m := &scripted{script: []error{httpErr(429, time.Minute), httpErr(500, 0)}}
	r := retry.New(m, retry.Config{Stop: stop, Sleep: func(ctx context.Context, _ time.Duration) error {
		close(stop) // the user presses Ctrl-C while the request waits
		<-ctx.Done()
		return ctx.Err()
	}})
	_, err := r.Generate(context.Background(), &eh.Request{})
	if err == nil || m.calls != 1 || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("err %v after %d calls; want to stop waiting after the first", err, m.calls)
	}
	// Once stopped, a failure is not retried at all.
	m2 := &scripted{script: []error{httpErr(500, 0)}}
	r2 := retry.New(m2, retry.Config{Stop: stop})
	if _, err := r2.Generate(context.Background(), &eh.Request{}); err == nil || m2.calls != 1 {
		t.Fatalf("err %v after %d calls; want no retry after the stop", err, m2.calls)
	}
}

// A model whose server was never reached stops after Config.Unreachable
// attempts, with the address and the fix in the error, and later calls fail at
// once without a request; a server that answered before is retried as usual.
func TestUnreachableStopsModel(t *testing.T) {
	refused := perr.NewTransient("test:m", "i", "server unreachable",
		&perr.UnreachableError{URL: "http://127.0.0.1:9", Err: errors.New("connect: connection refused")})
	never := func() []error {
		var s []error
		for range 20 {
			s = append(s, refused)
		}
		return s
	}
	noSleep := func(context.Context, time.Duration) error { return nil }

	// A question refused before sending (a bad media file) says nothing
	// about the server.
	m := &scripted{script: append([]error{eh.Errorf(eh.EINVALID, "media a.png: changed")}, never()...)}
	r := retry.New(m, retry.Config{Sleep: noSleep, Jitter: func() float64 { return 0 }})
	r.Generate(context.Background(), &eh.Request{Item: "q0"})
	_, err := r.Generate(context.Background(), &eh.Request{Item: "q1"})
	var sm interface{ StopsModel() bool }
	if !errors.As(err, &sm) || !sm.StopsModel() || eh.ErrorCode(err) != eh.EPROVIDER {
		t.Fatalf("error %v does not stop the model", err)
	}
	for _, want := range []string{"is the server running at http://127.0.0.1:9?", "connection refused", "--model PROVIDER:MODEL@URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if m.calls != 1+retry.DefaultUnreachable {
		t.Errorf("%d calls before stopping, want %d", m.calls, 1+retry.DefaultUnreachable)
	}
	if _, err2 := r.Generate(context.Background(), &eh.Request{Item: "q2"}); !errors.As(err2, &sm) || m.calls != 1+retry.DefaultUnreachable {
		t.Errorf("second call: %v after %d calls; want the stop error and no request", err2, m.calls)
	}

	// The server answered once (an HTTP error counts): refusals later are a
	// restart, retried up to Attempts.
	m = &scripted{script: append([]error{httpErr(400, 0)}, never()...)}
	r = retry.New(m, retry.Config{Attempts: 5, Sleep: noSleep, Jitter: func() float64 { return 0 }})
	r.Generate(context.Background(), &eh.Request{Item: "q1"})
	_, err = r.Generate(context.Background(), &eh.Request{Item: "q2"})
	if errors.As(err, &sm) || m.calls != 1+5 {
		t.Errorf("after a reply: %v, %d calls; want all 5 attempts and no stop", err, m.calls)
	}
}
