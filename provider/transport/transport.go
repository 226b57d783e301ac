// Package transport is the HTTP layer every provider shares: a RoundTripper that
// adds configured headers, bounds reply bodies and records each reply's status in
// the request's Capture, the lean HTTP/1.1 routing for local servers, and
// Classify, which turns an SDK's outcome and the Capture into the errors of
// package perr.
package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/h1"
	"github.com/emohallucer/emohallucer/provider/perr"
)

// DefaultMaxBody bounds a reply body when Transport.MaxBody is 0. A yes/no answer
// is a few hundred bytes; anything near this is a misbehaving server.
const DefaultMaxBody = 16 << 20

// errorBodyLimit is how much of a non-2xx body is kept for the error message and
// handed back to the SDK.
const errorBodyLimit = 64 << 10

// ErrBodyTooLarge is returned by a reply body that exceeds Transport.MaxBody.
var ErrBodyTooLarge = errors.New("response body too large")

// Capture records, for one request, what the server answered at the HTTP level.
// SDKs each wrap HTTP failures differently; reading the status and headers here
// gives every provider the same error mapping.
type Capture struct {
	mu       sync.Mutex
	status   int
	header   http.Header
	body     []byte
	tooLarge bool
}

func (c *Capture) set(status int, h http.Header, body []byte) {
	c.mu.Lock()
	c.status, c.header, c.body = status, h, body
	c.mu.Unlock()
}

// Status returns the last HTTP status seen, 0 when no reply arrived.
func (c *Capture) Status() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

type captureKey struct{}

// WithCapture returns a context whose requests through a Transport are recorded in
// the returned Capture.
func WithCapture(ctx context.Context) (context.Context, *Capture) {
	c := &Capture{}
	return context.WithValue(ctx, captureKey{}, c), c
}

// Transport adds fixed headers to every request, records replies in the request's
// Capture, and bounds reply bodies.
type Transport struct {
	Base    http.RoundTripper
	Header  http.Header
	MaxBody int64
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if len(t.Header) > 0 {
		req = req.Clone(req.Context())
		for k, vs := range t.Header {
			req.Header.Del(k)
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		if unreachable(err) {
			err = &perr.UnreachableError{URL: emohallucer.Redact(req.URL.Scheme + "://" + req.URL.Host), Err: err}
		}
		return resp, err
	}
	c, _ := req.Context().Value(captureKey{}).(*Capture)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		if c != nil {
			c.set(resp.StatusCode, resp.Header.Clone(), body)
		}
		return resp, nil
	}
	if c != nil {
		// Only an error's headers are read (Retry-After); copying them for every
		// success cost measurable CPU at thousands of requests per second.
		c.set(resp.StatusCode, nil, nil)
	}
	max := t.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	resp.Body = &limitedBody{rc: resp.Body, left: max, c: c}
	return resp, nil
}

// unreachable tells whether a round trip failed before any server answered:
// connection refused, no such host, no route. A timeout is not among them: a
// slow server is still a server.
func unreachable(err error) bool {
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.As(err, &dns) && !dns.IsTimeout
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
	c    *Capture
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Probe for one more byte: a body of exactly the limit is fine.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			if b.c != nil {
				b.c.mu.Lock()
				b.c.tooLarge = true
				b.c.mu.Unlock()
			}
			return 0, ErrBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// NewHTTPClient returns a client over NewTransport. Timeouts come from the
// request context, not from the client.
func NewHTTPClient(conns int, header http.Header, maxBody int64) *http.Client {
	return &http.Client{Transport: NewTransport(conns, header, maxBody)}
}

// NewTransport returns a Transport that adds header to every request and sends
// plain-http requests that no proxy applies to (local model servers) through
// the lean HTTP/1.1 client of package h1, everything else through net/http,
// which keeps at least conns (and at least 4096) idle connections per host so
// that a run at concurrency N reuses N connections instead of opening new ones.
// Setting EMOHALLUCER_HTTP=nethttp sends everything through net/http.
func NewTransport(conns int, header http.Header, maxBody int64) *Transport {
	std := http.DefaultTransport.(*http.Transport).Clone()
	// The engine, not the provider, picks the concurrency (up to thousands), and
	// every request beyond the idle pool would close its connection after use:
	// at --concurrency 256 and a 64-connection pool, 3,229 connections for 64,000
	// requests (see docs/PERFORMANCE.md). Idle connections only exist up to the
	// concurrency a run reaches, so a large bound costs nothing.
	if conns < 4096 {
		conns = 4096
	}
	std.MaxIdleConnsPerHost = conns
	std.MaxIdleConns = 0 // no total cap: one host per client
	std.ResponseHeaderTimeout = 0
	var base http.RoundTripper = std
	if os.Getenv("EMOHALLUCER_HTTP") != "nethttp" {
		base = &router{lean: &h1.Transport{MaxIdlePerHost: conns}, std: std}
	}
	return &Transport{Base: base, Header: header, MaxBody: maxBody}
}

// router sends each request through h1 when h1 can carry it, else net/http.
// net/http's client costs about three times h1's CPU per request (its
// per-connection goroutines and hand-offs), which at thousands of requests per
// second to a local server was the largest cost of a run (docs/PERFORMANCE.md).
type router struct {
	lean *h1.Transport
	std  *http.Transport
	// eligible caches h1.Eligible by scheme and host: whether a proxy applies
	// depends on nothing else, and resolving it per request costs.
	eligible sync.Map
}

func (r *router) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" {
		key := req.URL.Host
		ok, found := r.eligible.Load(key)
		if !found {
			ok = h1.Eligible(req.URL)
			r.eligible.Store(key, ok)
		}
		if ok.(bool) {
			return r.lean.RoundTrip(req)
		}
	}
	return r.std.RoundTrip(req)
}

// Classify turns the outcome of one SDK call into an error for the Model contract.
// parent is the caller's context (its cancellation is not the server's fault),
// c the call's Capture, err what the SDK returned; secrets are removed from every
// message. It returns nil when err is nil and the reply was usable.
func Classify(parent context.Context, model, item string, c *Capture, err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	if cerr := parent.Err(); cerr != nil {
		// The caller gave up; not the server's fault and not worth a retry.
		// errors.Is(err, context.Canceled) still holds.
		return &emohallucer.Error{Code: emohallucer.ECANCELED, Message: fmt.Sprintf("%s (%s)", model, item), Err: cerr}
	}
	c.mu.Lock()
	status, header, body, tooLarge := c.status, c.header, c.body, c.tooLarge
	c.mu.Unlock()
	if status != 0 && (status < 200 || status > 299) {
		h := &perr.HTTPError{
			Model: model, Item: item, Status: status,
			RetryAfter: perr.ParseRetryAfter(header, time.Now()),
			Body:       perr.Redact(perr.Clean(perr.ServerMessage(body), perr.MaxMessage), secrets...),
		}
		return h.Wrap()
	}
	op := "request failed"
	var ne net.Error
	switch {
	case tooLarge || errors.Is(err, ErrBodyTooLarge):
		op = "response body too large"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		op = "timeout"
	case status != 0:
		op = "malformed response"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		op = "connection closed"
	case errors.As(err, new(*perr.UnreachableError)):
		op = "server unreachable"
	}
	return perr.NewTransient(model, item, op, err, secrets...)
}
