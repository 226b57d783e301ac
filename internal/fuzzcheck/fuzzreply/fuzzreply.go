// Package fuzzreply fuzzes providers' reply decoding through their real
// clients: a loopback server replies with the fuzz input, and every error and
// response is checked against the Model contract. It is apart from fuzzcheck
// because it imports provider packages whose own fuzz tests use fuzzcheck.
package fuzzreply

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/perr"
	"github.com/emohallucer/emohallucer/provider/prep"
)

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

// Generate asks m one question while srv answers with body under the status
// pick chooses, and checks what any reply must give: a classified error free
// of the secrets (then it returns nil), no success for a non-2xx status, and
// valid, bounded text.
func Generate(t testing.TB, m emohallucer.Model, srv *Replies, body []byte, pick uint8, secrets ...string) *emohallucer.Response {
	t.Helper()
	status := srv.Set(pick, body)
	req := &emohallucer.Request{Item: "fuzz-1", Logprobs: true,
		Messages: []emohallucer.Message{emohallucer.UserText("Does the person sound angry? Answer yes or no.")}}
	resp, err := m.Generate(context.Background(), req)
	if err != nil {
		ProviderError(t, err, secrets...)
		return nil
	}
	if status/100 != 2 {
		t.Fatalf("HTTP %d %.300q: no error", status, body)
	}
	if !utf8.ValidString(resp.Text) || len(resp.Text) > prep.MaxResponseText {
		t.Fatalf("%.300q: text of %d bytes, valid UTF-8 %v", body, len(resp.Text), utf8.ValidString(resp.Text))
	}
	return resp
}
