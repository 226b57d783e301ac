package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The raw implementation serves HTTP/1.1 straight on TCP: one goroutine per
// connection, a bufio reader and reused buffers, each response written in one
// syscall. It exists because net/http costs 40-75 µs of CPU per request, which
// at ten thousand requests a second takes half a core or more from the client
// being measured; this one costs 25-45 µs, most of it the kernel's loopback TCP
// and the runtime's wake-ups, which no server avoids. It does the few things
// an OpenAI-compatible client needs (keep-alive, Content-Length and chunked
// bodies, Expect: 100-continue, Connection: close, HTTP/1.0) and refuses the
// rest.

// rawState is the raw implementation's bookkeeping of its connections.
type rawState struct {
	mu     sync.Mutex
	open   map[net.Conn]struct{}
	closed bool
	// done is closed by Close: it ends the delays that a read cannot end
	// (see rawConn.wait).
	done chan struct{}
}

const (
	// maxHead caps the request line and headers together (net/http's default
	// is 1 MB; a chat client sends well under 1 KB).
	maxHead = 64 << 10
	// maxChunkLine caps one chunk-size line of a chunked body.
	maxChunkLine = 4 << 10
	// keepBody is the largest body buffer a connection keeps between requests:
	// one huge request should not pin its memory for the connection's life.
	keepBody = 1 << 20
)

var errHeadTooLarge = errors.New("request head too large")

// The constant bodies, as bytes once rather than converted per response.
var (
	modelsJSON  = []byte(modelsBody)
	badChatJSON = []byte(badChat)
)

func (s *Server) startRaw() {
	s.raw.open = map[net.Conn]struct{}{}
	s.raw.done = make(chan struct{})
	go s.acceptRaw(s.lis)
}

func (s *Server) acceptRaw(lis net.Listener) {
	for {
		c, err := lis.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait for connections to
			// close rather than spin.
			time.Sleep(5 * time.Millisecond)
			continue
		}
		s.raw.mu.Lock()
		if s.raw.closed {
			s.raw.mu.Unlock()
			c.Close()
			return
		}
		s.raw.open[c] = struct{}{}
		s.raw.mu.Unlock()
		s.conns.Add(1)
		go s.serveRaw(c)
	}
}

// closeRaw closes the listener and every open connection: each connection's
// goroutine then fails its read, write or wait and ends.
func (s *Server) closeRaw() error {
	s.raw.mu.Lock()
	defer s.raw.mu.Unlock()
	if s.raw.closed {
		return nil
	}
	s.raw.closed = true
	close(s.raw.done)
	err := s.lis.Close()
	for c := range s.raw.open {
		c.Close()
	}
	return err
}

// rawConn is one connection's state; its buffers are reused request after
// request.
type rawConn struct {
	s    *Server
	c    net.Conn
	br   *bufio.Reader
	long []byte // a head line longer than br's buffer, assembled
	body []byte // the request body
	out  []byte // the reply body
	w    []byte // the whole response
	// linger asks for a graceful close after a response that ends the
	// connection (see serveRaw).
	linger bool
}

// rawReq is what the server needs of a request's head.
type rawReq struct {
	route     int
	allow     string // the methods of a known path, for a 405
	head      bool   // a HEAD request: the headers without the body
	http10    bool
	keepAlive bool
	length    int64 // Content-Length, -1 when absent
	chunked   bool
	cont      bool // Expect: 100-continue
}

const (
	routeNotFound = iota
	routeChat
	routeModels
	routeMethod // a known path with the wrong method
)

func (s *Server) serveRaw(c net.Conn) {
	rc := &rawConn{s: s, c: c, br: bufio.NewReaderSize(c, 4<<10)}
	defer func() {
		if rc.linger {
			// Closing a socket with unread input makes the kernel send a reset,
			// which may destroy the response before the client reads it (RFC
			// 9112 §9.6). Shut down our side and drain the client's for a
			// moment first, as net/http does; Close still ends this at once.
			if tc, ok := c.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			c.SetReadDeadline(time.Now().Add(time.Second))
			io.Copy(io.Discard, io.LimitReader(c, 1<<20))
		}
		c.Close()
		s.raw.mu.Lock()
		delete(s.raw.open, c)
		s.raw.mu.Unlock()
	}()
	for rc.serveOne() {
	}
}

// serveOne reads one request and answers it; it reports whether the
// connection stays open for another.
func (rc *rawConn) serveOne() bool {
	s := rc.s
	var req rawReq
	status, err := rc.readHead(&req)
	if err != nil {
		return false // the client closed the connection or broke it mid-head
	}
	var n int64
	var arrived time.Time
	if req.route == routeChat {
		n, arrived = s.arrive()
		defer s.inflight.Add(-1)
	}
	if status == 0 {
		status, err = rc.readBody(&req)
	}
	if err != nil || status != 0 {
		if req.route == routeChat {
			s.bad.Add(1)
		}
		if err == nil {
			// The framing is broken or refused: answer, then close, since
			// where the next request would start is unknown.
			req.keepAlive = false
			rc.respond(status, errorJSON(status), &req)
		}
		return false
	}
	if cap(rc.body) > keepBody {
		defer func() { rc.body = nil }()
	}
	switch req.route {
	case routeChat:
		out, wait, ok := s.reply(rc.out[:0], rc.body, true, n, arrived)
		rc.out = out
		if !ok {
			return rc.respond(http.StatusBadRequest, badChatJSON, &req)
		}
		if wait > 0 && !rc.wait(wait) {
			return false
		}
		more := rc.respond(http.StatusOK, out, &req)
		if more || rc.linger {
			s.sent(arrived) // written, whether or not the connection stays open
		}
		return more
	case routeModels:
		return rc.respond(http.StatusOK, modelsJSON, &req)
	case routeMethod:
		return rc.respond(http.StatusMethodNotAllowed, errorJSON(http.StatusMethodNotAllowed), &req)
	}
	return rc.respond(http.StatusNotFound, errorJSON(http.StatusNotFound), &req)
}

// errorJSON is an OpenAI-style error body for a status. Errors are rare, so
// it is built when needed.
func errorJSON(status int) []byte {
	return []byte(`{"error":{"message":"` + http.StatusText(status) + `","type":"invalid_request_error"}}`)
}

// respond writes the status line, headers and body in one write. It reports
// whether the connection stays open.
func (rc *rawConn) respond(status int, body []byte, req *rawReq) bool {
	w := append(rc.w[:0], "HTTP/1.1 "...)
	w = strconv.AppendInt(w, int64(status), 10)
	w = append(w, ' ')
	w = append(w, http.StatusText(status)...)
	w = append(w, "\r\nContent-Type: application/json\r\nContent-Length: "...)
	w = strconv.AppendInt(w, int64(len(body)), 10)
	if status == http.StatusMethodNotAllowed {
		w = append(w, "\r\nAllow: "...)
		w = append(w, req.allow...)
	}
	switch {
	case !req.keepAlive:
		w = append(w, "\r\nConnection: close"...)
	case req.http10:
		w = append(w, "\r\nConnection: keep-alive"...)
	}
	w = append(w, "\r\n\r\n"...)
	if !req.head {
		w = append(w, body...)
	}
	rc.w = w
	if _, err := rc.c.Write(w); err != nil {
		return false
	}
	if !req.keepAlive {
		rc.linger = true
		return false
	}
	return true
}

// wait holds the reply for d. While the client has sent nothing more, it
// waits in a read with a deadline: the read ends at once when the client or
// Close closes the connection (the cancellation net/http gets from its
// background read, without a second goroutine or a channel), and at the
// deadline otherwise. A client that pipelines its next request ends the read
// early; the rest of the delay is then a timer that Close interrupts. It
// reports whether to go on and answer.
func (rc *rawConn) wait(d time.Duration) bool {
	until := time.Now().Add(d)
	if rc.br.Buffered() == 0 {
		rc.c.SetReadDeadline(until)
		_, err := rc.br.Peek(1)
		rc.c.SetReadDeadline(time.Time{})
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return false
		}
	}
	if d := time.Until(until); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-rc.s.raw.done:
			t.Stop()
			return false
		}
	}
	return true
}

// readHead reads the request line and headers into req. A status other than
// 0 refuses the request; an error means the connection is gone.
func (rc *rawConn) readHead(req *rawReq) (status int, err error) {
	budget := maxHead
	var line []byte
	// RFC 9112 §2.2: a server should ignore empty lines before a request.
	for i := 0; ; i++ {
		if line, err = rc.line(&budget); err != nil {
			return headErr(err)
		}
		if len(line) > 0 {
			break
		}
		if i == 4 {
			return http.StatusBadRequest, nil
		}
	}
	method, rest, ok1 := bytes.Cut(line, []byte(" "))
	target, proto, ok2 := bytes.Cut(rest, []byte(" "))
	if !ok1 || !ok2 || len(method) == 0 || len(target) == 0 {
		return http.StatusBadRequest, nil
	}
	switch string(proto) {
	case "HTTP/1.1":
	case "HTTP/1.0":
		req.http10 = true
	default:
		if bytes.HasPrefix(proto, []byte("HTTP/")) {
			return http.StatusHTTPVersionNotSupported, nil
		}
		return http.StatusBadRequest, nil
	}
	path, _, _ := bytes.Cut(target, []byte("?"))
	req.head = string(method) == "HEAD"
	switch string(path) {
	case "/v1/chat/completions":
		req.route, req.allow = routeChat, "POST"
		if string(method) != "POST" {
			req.route = routeMethod
		}
	case "/v1/models":
		req.route, req.allow = routeModels, "GET, HEAD"
		if string(method) != "GET" && !req.head {
			req.route = routeMethod
		}
	}

	req.length = -1
	closeTok, keepTok := false, false
	for {
		if line, err = rc.line(&budget); err != nil {
			return headErr(err)
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		// No name, whitespace before the colon, or an obsolete folded line:
		// all refused by RFC 9112 §5.
		if !ok || len(name) == 0 || name[0] == ' ' || name[0] == '\t' ||
			name[len(name)-1] == ' ' || name[len(name)-1] == '\t' {
			return http.StatusBadRequest, nil
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseLength(value)
			if !ok || (req.length >= 0 && req.length != n) {
				return http.StatusBadRequest, nil
			}
			req.length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if req.chunked {
				return http.StatusBadRequest, nil
			}
			// Only chunked alone: a compressed body is not worth decoding here.
			if !bytes.EqualFold(value, []byte("chunked")) {
				return http.StatusNotImplemented, nil
			}
			req.chunked = true
		case bytes.EqualFold(name, []byte("Connection")):
			closeTok = closeTok || hasToken(value, "close")
			keepTok = keepTok || hasToken(value, "keep-alive")
		case bytes.EqualFold(name, []byte("Expect")):
			if !bytes.EqualFold(value, []byte("100-continue")) {
				return http.StatusExpectationFailed, nil
			}
			req.cont = !req.http10
		}
	}
	req.keepAlive = !closeTok && (!req.http10 || keepTok)
	// Both framings at once is how requests get smuggled (RFC 9112 §6.1);
	// HTTP/1.0 has no chunked coding.
	if req.chunked && (req.length >= 0 || req.http10) {
		return http.StatusBadRequest, nil
	}
	if req.length > maxBody {
		return http.StatusRequestEntityTooLarge, nil
	}
	return 0, nil
}

func headErr(err error) (int, error) {
	if err == errHeadTooLarge {
		return http.StatusRequestHeaderFieldsTooLarge, nil
	}
	return 0, err
}

// line reads one line without its CRLF (or bare LF), charging it to budget.
// The line is valid until the next read.
func (rc *rawConn) line(budget *int) ([]byte, error) {
	line, err := rc.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		rc.long = append(rc.long[:0], line...)
		for err == bufio.ErrBufferFull && len(rc.long) <= *budget {
			line, err = rc.br.ReadSlice('\n')
			rc.long = append(rc.long, line...)
		}
		line = rc.long
	}
	if *budget -= len(line); *budget < 0 {
		return nil, errHeadTooLarge
	}
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, nil
}

// readBody reads the request body into rc.body. A status other than 0
// refuses the request; an error means the connection is gone.
func (rc *rawConn) readBody(req *rawReq) (status int, err error) {
	rc.body = rc.body[:0]
	if !req.chunked && req.length <= 0 {
		return 0, nil
	}
	if req.cont {
		if _, err := io.WriteString(rc.c, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
			return 0, err
		}
	}
	if !req.chunked {
		n := int(req.length)
		rc.body = slices.Grow(rc.body, n)[:n]
		_, err := io.ReadFull(rc.br, rc.body)
		return 0, err
	}
	for {
		budget := maxChunkLine
		line, err := rc.line(&budget)
		if err == errHeadTooLarge {
			return http.StatusBadRequest, nil
		} else if err != nil {
			return 0, err
		}
		size, ok := parseChunkSize(line)
		if !ok {
			return http.StatusBadRequest, nil
		}
		if size == 0 {
			break
		}
		if int64(len(rc.body))+size > maxBody {
			return http.StatusRequestEntityTooLarge, nil
		}
		old := len(rc.body)
		rc.body = slices.Grow(rc.body, int(size))[:old+int(size)]
		if _, err := io.ReadFull(rc.br, rc.body[old:]); err != nil {
			return 0, err
		}
		budget = maxChunkLine
		if line, err = rc.line(&budget); err != nil {
			return headErr(err)
		} else if len(line) != 0 {
			return http.StatusBadRequest, nil // the chunk is longer than its size
		}
	}
	// Trailer fields, up to an empty line; they are ignored.
	budget := maxHead
	for {
		line, err := rc.line(&budget)
		if err == errHeadTooLarge {
			return http.StatusBadRequest, nil
		} else if err != nil {
			return 0, err
		}
		if len(line) == 0 {
			return 0, nil
		}
	}
}

// parseLength reads a Content-Length: decimal digits only. Values beyond
// maxBody are capped (to maxBody+1) so that they cannot overflow.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = min(n*10+int64(c-'0'), maxBody+1)
	}
	return n, true
}

// parseChunkSize reads a chunk-size line: hex digits, then optional
// extensions after ';' (ignored). Sizes beyond maxBody are capped.
func parseChunkSize(line []byte) (int64, bool) {
	var n int64
	i := 0
digits:
	for ; i < len(line); i++ {
		c := line[i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			break digits
		}
		n = min(n*16+int64(d), maxBody+1)
	}
	if i == 0 {
		return 0, false
	}
	r := bytes.TrimLeft(line[i:], " \t")
	return n, len(r) == 0 || r[0] == ';'
}

// hasToken reports whether a comma-separated header value holds tok, case
// insensitively.
func hasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		var f []byte
		f, v, _ = bytes.Cut(v, []byte(","))
		if bytes.EqualFold(bytes.TrimSpace(f), []byte(tok)) {
			return true
		}
	}
	return false
}
