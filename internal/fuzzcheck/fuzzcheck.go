// Package fuzzcheck holds what the fuzz tests share: a watchdog that turns an
// input that hangs a parser into a kept crasher, a loopback server replying
// with the fuzz input, and the checks every provider error must pass.
//
// Go's fuzzer has no per-input time limit: an input that makes the code under
// test loop forever stalls the run at "execs: N (0/sec)" and is never written
// to testdata. Watch makes such an input crash the worker instead, so the
// fuzzer saves it like any other failure.
package fuzzcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/perr"
)

// Limit is how long one input may take while fuzzing. It is a hang detector,
// not a performance check: every target handles an input in well under a
// millisecond, and the limit leaves room for a machine loaded many times over.
const Limit = 20 * time.Second

// Watch arms the watchdog for one input and returns the function that disarms
// it (defer it). It arms only while fuzzing (-test.fuzz set), so plain test
// runs, which replay the kept inputs, make no timed assertion.
func Watch(input any) (stop func()) {
	if f := flag.Lookup("test.fuzz"); f == nil || f.Value.String() == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(Limit):
			// A panic in another goroutine kills the worker; the fuzzer
			// then keeps the input that was running.
			panic(fmt.Sprintf("fuzzcheck: input still running after %v: %.500q", Limit, fmt.Sprint(input)))
		}
	}()
	return func() { close(done) }
}

// Replies is a loopback HTTP server that answers every request with the
// status and body the current fuzz input chose, for fuzzing the reply decoders
// of providers through their real clients.
type Replies struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	body   []byte
}

// Statuses are the statuses a fuzz input picks from: mostly success, and the
// errors model APIs send.
var Statuses = []int{200, 200, 200, 200, 201, 400, 401, 404, 408, 413, 429, 500, 503, 529}

// NewReplies starts a Replies server, closed when tb ends.
func NewReplies(tb testing.TB) *Replies {
	r := &Replies{status: 200}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		status, body := r.status, r.body
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}))
	tb.Cleanup(r.Close)
	return r
}

// Set makes the server answer with Statuses[pick % len] and body.
func (r *Replies) Set(pick uint8, body []byte) (status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.body = Statuses[int(pick)%len(Statuses)], body
	return r.status
}

// ProviderError fails t unless err is what the Model contract allows a
// provider to return for any reply: a coded *emohallucer.Error or one of
// perr's transient errors, with a bounded, printable message that carries no
// secret.
func ProviderError(t testing.TB, err error, secrets ...string) {
	t.Helper()
	var te *perr.TransientError
	var he *perr.HTTPError
	if !errors.As(err, &te) && !errors.As(err, &he) && emohallucer.ErrorCode(err) == emohallucer.EINTERNAL {
		t.Fatalf("unclassified error %T: %v", err, err)
	}
	msg := err.Error()
	if len(msg) > 4*perr.MaxMessage {
		t.Fatalf("error message of %d bytes: %.300q…", len(msg), msg)
	}
	if !utf8.ValidString(msg) || strings.ContainsFunc(msg, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }) {
		t.Fatalf("error message with invalid UTF-8 or control characters: %q", msg)
	}
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Fatalf("error message carries a secret: %q", msg)
		}
	}
}

// Field returns obj[key] as a T: the zero T and true when the key is absent or
// null, false when it holds another type. Reply oracles use it to read decoded
// JSON by exact key.
func Field[T any](obj map[string]any, key string) (T, bool) {
	var zero T
	v, present := obj[key]
	if !present || v == nil {
		return zero, true
	}
	t, ok := v.(T)
	return t, ok
}

// ItemAt returns the JSON value a prediction reader's position names in the
// file's data, read independently of interop.ReadItems: "path[i]" is the i-th
// element of a JSON array, "path:n" the n-th line (trimmed). ok is false when
// the position names nothing in data.
func ItemAt(data []byte, path, pos string) (raw []byte, ok bool) {
	rest, found := strings.CutPrefix(pos, path)
	if !found {
		return nil, false
	}
	var n int
	switch {
	case strings.HasPrefix(rest, "[") && strings.HasSuffix(rest, "]"):
		if _, err := fmt.Sscanf(rest, "[%d]", &n); err != nil {
			return nil, false
		}
		var items []json.RawMessage
		body := bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(data), []byte("\xef\xbb\xbf")))
		if json.Unmarshal(body, &items) != nil || n < 0 || n >= len(items) {
			return nil, false
		}
		return items[n], true
	case strings.HasPrefix(rest, ":"):
		if _, err := fmt.Sscanf(rest, ":%d", &n); err != nil {
			return nil, false
		}
		lines := bytes.Split(data, []byte("\n"))
		if n < 1 || n > len(lines) {
			return nil, false
		}
		return bytes.TrimSpace(bytes.TrimPrefix(lines[n-1], []byte("\xef\xbb\xbf"))), true
	}
	return nil, false
}
