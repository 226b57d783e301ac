// Package h1 is a lean HTTP/1.1 client transport for plain http:// endpoints.
//
// net/http's Transport spends most of its per-request CPU outside the wire: two
// goroutines per connection (readLoop, writeLoop) and the channel hand-offs between
// them and the caller, header cloning, gzip negotiation and proxy resolution. Against
// local model servers (vLLM, Ollama, llama.cpp) at thousands of requests per second
// that overhead is the harness's largest cost. Transport does the whole exchange on
// the calling goroutine instead: take an idle connection (or dial), write the request
// with one write call, parse the response head from a per-connection bufio.Reader,
// and hand back a body that returns the connection to the pool when it reaches EOF.
//
// It deliberately does less than net/http. Callers keep net/http for everything
// Eligible rejects (https, proxied URLs). Not supported, by design:
//   - proxies, TLS, HTTP/2, protocol upgrades (101 is an error);
//   - transparent gzip: no Accept-Encoding is added, bodies are returned as sent;
//   - request trailers; response trailers are read and discarded;
//   - obsolete line folding in response headers (an error);
//   - Expect: 100-continue waiting: the header is sent as given but the body follows at
//     once (the server's 100 Continue is skipped like any 1xx);
//   - full duplex: the request is written completely before the response is read, so
//     a server that answers early and resets the connection yields the write error, and
//     one that streams a reply while still reading a large request body can stall until
//     the context ends;
//   - IDNA: non-ASCII host names are dialled as given.
package h1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"
)

const (
	defaultMaxIdlePerHost = 4096
	defaultDialTimeout    = 10 * time.Second
	defaultIdleTimeout    = 90 * time.Second
	defaultMaxHeaderBytes = 1 << 20

	// readBufSize matches net/http's per-connection read buffer.
	readBufSize = 4 << 10
)

// aLongTimeAgo is a deadline in the past: setting it makes blocked I/O return at once.
var aLongTimeAgo = time.Unix(1, 0)

// Transport is an http.RoundTripper for plain http:// URLs speaking HTTP/1.1 with
// keep-alive. The zero value is ready to use; it is safe for concurrent use and starts
// no goroutines of its own (context.AfterFunc runs a tiny one only when a request's
// context ends while the request is in flight).
// A Transport must not be copied after first use.
type Transport struct {
	// MaxIdlePerHost bounds idle connections kept per host:port (default 4096;
	// negative keeps none, so every connection is closed after its response).
	MaxIdlePerHost int
	// DialTimeout bounds connection set-up (default 10s).
	DialTimeout time.Duration
	// IdleTimeout: idle connections older than this are closed, not reused
	// (default 90s; negative never expires them). Expiry is checked lazily when the
	// pool is touched; no timer or goroutine runs.
	IdleTimeout time.Duration
	// MaxResponseHeaderBytes bounds the bytes of a response head, status lines and
	// headers of any 1xx responses included (default 1 MB).
	MaxResponseHeaderBytes int

	mu   sync.Mutex
	idle map[string]*idleList // keyed by host:port
}

// idleList is a LIFO stack of idle connections: the most recently used connection is
// the one most likely to still be open and warm, and the oldest sit at the bottom
// where expiry can trim them.
type idleList struct {
	conns []*conn
}

// conn is one TCP connection and the buffers reused by every exchange on it. It is
// owned by exactly one request at a time; the pool's mutex hands it over.
type conn struct {
	nc        net.Conn
	br        *bufio.Reader
	wbuf      []byte // request head (and small bodies) are built here
	key       string
	interrupt func() // sets a past deadline; run by context.AfterFunc on cancel
	idleAt    time.Time
	reused    bool // taken from the idle pool, so it may have gone stale
	deadline  bool // a deadline is set on nc and must be cleared before reuse

	line   []byte            // scratch for header lines longer than br's buffer
	names  map[string]string // received header name -> canonical key, to avoid allocating
	values map[string]string // short header values seen before (Content-Type, Server, ...)
}

// Eligible reports whether u can be sent through Transport: its scheme is http and
// http.ProxyFromEnvironment would send it directly. (ProxyFromEnvironment reads the
// environment once per process, so this answer does not change at run time.)
func Eligible(u *url.URL) bool {
	if !canPeek || u == nil || u.Scheme != "http" || u.Host == "" {
		return false
	}
	p, err := http.ProxyFromEnvironment(&http.Request{URL: u})
	return err == nil && p == nil
}

// RoundTrip sends req and reads the response head. The caller must close the
// response body; reading it to EOF (or closing it after all of it was read) returns
// the connection to the pool.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body := req.Body
	if body == http.NoBody {
		body = nil
	}
	u := req.URL
	var err error
	switch {
	case u == nil:
		err = errors.New("h1: nil Request.URL")
	case u.Scheme != "http":
		err = fmt.Errorf("h1: unsupported protocol scheme %q (h1 speaks plain http only)", u.Scheme)
	case u.Host == "":
		err = errors.New("h1: no Host in request URL")
	}
	ctx := req.Context()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		closeBody(body)
		return nil, err
	}
	// Like net/http, a ContentLength of 0 with a non-nil body means "unknown".
	bodyLen := int64(0)
	if body != nil {
		bodyLen = req.ContentLength
		if bodyLen <= 0 {
			bodyLen = -1
		}
	}
	closeConn := req.Close || hasToken(req.Header["Connection"], "close")
	key := hostPort(u)

	for attempt := 0; ; attempt++ {
		// A retry always dials: the idle conns next to a stale one are likely stale too
		// (the server restarted or timed them all out together).
		c, err := t.getConn(ctx, key, attempt > 0)
		if err != nil {
			closeBody(body)
			return nil, wrapErr(ctx, err)
		}
		resp, retry, err := t.exchange(ctx, c, req, body, bodyLen, closeConn)
		// The body has been read into the request (or the attempt failed): close it
		// as the RoundTripper contract requires.
		closeBody(body)
		if err == nil {
			return resp, nil
		}
		if !retry || attempt > 0 || (body != nil && req.GetBody == nil) {
			return nil, err
		}
		if body != nil {
			nb, gerr := req.GetBody()
			if gerr != nil {
				return nil, fmt.Errorf("h1: replaying request body after %v: %w", err, gerr)
			}
			body = nb
		}
	}
}

// exchange writes req on c and reads the response head. retry reports that the
// failure looks like a keep-alive connection the server had already closed and that
// no response byte was read, so the request may be sent again on a fresh connection.
func (t *Transport) exchange(ctx context.Context, c *conn, req *http.Request, body io.Reader, bodyLen int64, closeConn bool) (resp *http.Response, retry bool, err error) {
	if dl, ok := ctx.Deadline(); ok {
		if err := c.nc.SetDeadline(dl); err != nil {
			t.finish(c, nil, false)
			return nil, false, err
		}
		c.deadline = true
	}
	// Cancellation without a deadline is turned into an immediate deadline, which
	// unblocks whatever read or write is in progress on this goroutine.
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, c.interrupt)
	}
	onWire, err := c.writeRequest(req, body, bodyLen, closeConn)
	written := err == nil
	if err == nil {
		var gotByte bool
		resp, gotByte, err = t.readResponse(ctx, c, req, stop, closeConn)
		if err == nil {
			return resp, false, nil
		}
		onWire = !gotByte
	}
	t.finish(c, stop, false)
	// As in net/http, a request the server may have received and acted on (it
	// was written, then the connection died) is sent again only when repeating
	// it is harmless; a model call is not (it may be billed), and the caller's
	// retry policy decides and counts it.
	retry = onWire && c.reused && ctx.Err() == nil && isStale(err) && (!written || replayable(req))
	return nil, retry, wrapErr(ctx, err)
}

// finish ends an exchange on c: it disarms the context callback and either parks c in
// the idle pool (reuse) or closes it. A connection whose callback already fired has a
// past deadline and is never reused.
func (t *Transport) finish(c *conn, stop func() bool, reuse bool) {
	if stop != nil && !stop() {
		reuse = false
	}
	if reuse && c.deadline {
		if c.nc.SetDeadline(time.Time{}) != nil {
			reuse = false
		}
		c.deadline = false
	}
	if cap(c.line) > 64<<10 {
		c.line = nil
	}
	// Bytes left in the read buffer after a complete response mean the server sent
	// more than it framed; the stream can no longer be trusted.
	if reuse && c.br.Buffered() == 0 && t.putIdle(c) {
		return
	}
	c.nc.Close()
}

// getConn pops the freshest idle connection for key or dials a new one.
func (t *Transport) getConn(ctx context.Context, key string, fresh bool) (*conn, error) {
	if !fresh {
		for {
			c := t.getIdle(key)
			if c == nil {
				break
			}
			if !closedByPeer(c.nc) {
				return c, nil
			}
			c.nc.Close()
		}
	}
	d := net.Dialer{Timeout: t.DialTimeout}
	if d.Timeout == 0 {
		d.Timeout = defaultDialTimeout
	}
	nc, err := d.DialContext(ctx, "tcp", key)
	if err != nil {
		return nil, err
	}
	c := &conn{nc: nc, br: bufio.NewReaderSize(nc, readBufSize), key: key}
	c.interrupt = func() { nc.SetDeadline(aLongTimeAgo) }
	return c, nil
}

func (t *Transport) idleTimeout() time.Duration {
	if t.IdleTimeout == 0 {
		return defaultIdleTimeout
	}
	return t.IdleTimeout
}

func (t *Transport) getIdle(key string) *conn {
	ttl := t.idleTimeout()
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.idle[key]
	if l == nil || len(l.conns) == 0 {
		return nil
	}
	n := len(l.conns) - 1
	c := l.conns[n]
	l.conns[n] = nil
	l.conns = l.conns[:n]
	if ttl > 0 && time.Since(c.idleAt) > ttl {
		// c is the most recently parked connection; everything below it is older
		// still, so the whole stack has expired. Closing is rare and quick enough to
		// do under the lock.
		c.nc.Close()
		for i, o := range l.conns {
			o.nc.Close()
			l.conns[i] = nil
		}
		l.conns = l.conns[:0]
		return nil
	}
	c.reused = true
	return c
}

// replayable reports whether sending req twice is harmless, by net/http's rule:
// an idempotent method, or an idempotency key the server deduplicates by.
func replayable(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return req.Header.Get("Idempotency-Key") != "" || req.Header.Get("X-Idempotency-Key") != ""
}

// putIdle parks c; it reports false when the pool is full or disabled, and the caller
// then closes c.
func (t *Transport) putIdle(c *conn) bool {
	limit := t.MaxIdlePerHost
	if limit == 0 {
		limit = defaultMaxIdlePerHost
	}
	if limit < 0 {
		return false
	}
	// Keep the per-connection write buffer only while it is small; big request
	// buffers come from a shared pool instead of pinning memory per connection.
	if cap(c.wbuf) > keepWbufCap {
		c.wbuf = nil
	}
	ttl := t.idleTimeout()
	now := time.Now()
	c.idleAt = now
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.idle == nil {
		t.idle = make(map[string]*idleList)
	}
	l := t.idle[c.key]
	if l == nil {
		l = &idleList{}
		t.idle[c.key] = l
	}
	if ttl > 0 {
		// Trim expired connections from the bottom (oldest end) of the stack.
		n := 0
		for n < len(l.conns) && now.Sub(l.conns[n].idleAt) > ttl {
			l.conns[n].nc.Close()
			n++
		}
		if n > 0 {
			m := copy(l.conns, l.conns[n:])
			clear(l.conns[m:])
			l.conns = l.conns[:m]
		}
	}
	if len(l.conns) >= limit {
		return false
	}
	l.conns = append(l.conns, c)
	return true
}

// CloseIdleConnections closes every idle connection. Connections in use are not
// affected and return to the (now empty) pool when their exchange ends.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, l := range idle {
		for _, c := range l.conns {
			c.nc.Close()
		}
	}
}

// hostPort returns u's dial address with the default port filled in. When the URL
// already carries a port (the usual case for local servers) it is returned as is,
// without allocating.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

func closeBody(b io.ReadCloser) {
	if b != nil {
		b.Close()
	}
}

// isStale reports whether err is what a write to, or first read from, a keep-alive
// connection the server has closed while idle looks like.
func isStale(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED)
}

// ctxError is an I/O failure caused by the request's context ending. It matches
// both the context error and the underlying I/O error with errors.Is/As, and is a
// net.Error whose Timeout reports whether the context's deadline passed (a
// cancellation is not a timeout).
type ctxError struct {
	ctx error
	err error
}

func (e *ctxError) Error() string   { return "h1: " + e.ctx.Error() + " (" + e.err.Error() + ")" }
func (e *ctxError) Unwrap() []error { return []error{e.ctx, e.err} }
func (e *ctxError) Timeout() bool   { return errors.Is(e.ctx, context.DeadlineExceeded) }
func (e *ctxError) Temporary() bool { return e.Timeout() }

// wrapErr attributes err to ctx when the context has ended, or when err is the
// connection deadline (copied from ctx) firing a moment before ctx notices itself.
func wrapErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var ce *ctxError
	if errors.As(err, &ce) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		return &ctxError{ctx: cerr, err: err}
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return &ctxError{ctx: context.DeadlineExceeded, err: err}
		}
	}
	return err
}
