package h1

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
)

const (
	// max1xx bounds informational responses skipped before the final one, so a
	// server cannot keep the client in the head-reading loop forever.
	max1xx = 8
	// maxTrailerBytes bounds the (discarded) trailer section of a chunked body.
	maxTrailerBytes = 64 << 10
	// internMax bounds the per-connection header name/value caches; when one fills
	// up it is cleared, which flushes values that change per response (Date,
	// Content-Length) while the stable ones are re-learned on the next response.
	internMax = 64
	// internValueMax: only short header values are worth interning.
	internValueMax = 64
)

var (
	errHeaderTooLarge = errors.New("h1: response header too large")
	errReadOnClosed   = errors.New("http: read on closed response body")
	errWouldBlock     = errors.New("h1: framing not buffered yet") // internal
)

// statusText["200"] etc.: "200 OK" style Status strings for the registered codes,
// so common status lines do not allocate.
var statusText = func() (t [600]string) {
	for code := 100; code < 600; code++ {
		if s := http.StatusText(code); s != "" {
			t[code] = strconv.Itoa(code) + " " + s
		}
	}
	return t
}()

// readResponse reads the response head for req from c and attaches the body. gotByte
// reports whether any response byte arrived; until then a failure may be a stale
// keep-alive connection. On error the caller finishes c; on success the body owns c
// (or c was already returned to the pool because the response has no body).
func (t *Transport) readResponse(ctx context.Context, c *conn, req *http.Request, stop func() bool, closeConn bool) (resp *http.Response, gotByte bool, err error) {
	if _, err := c.br.Peek(1); err != nil {
		return nil, false, err
	}
	budget := t.MaxResponseHeaderBytes
	if budget <= 0 {
		budget = defaultMaxHeaderBytes
	}
	for n1xx := 0; ; n1xx++ {
		line, err := c.readLine(&budget)
		if err != nil {
			return nil, true, err
		}
		minor, code, status, err := parseStatusLine(line)
		if err != nil {
			return nil, true, err
		}
		if code < 200 {
			// 100 Continue, 103 Early Hints, ...: skip to the final response.
			if code == http.StatusSwitchingProtocols {
				return nil, true, errors.New("h1: 101 Switching Protocols is not supported")
			}
			if n1xx >= max1xx {
				return nil, true, errors.New("h1: too many 1xx informational responses")
			}
			if err := c.readHeader(nil, &budget); err != nil {
				return nil, true, err
			}
			continue
		}
		// One allocation for the response and its body reader.
		rb := new(respBody)
		resp = &rb.resp
		h := make(http.Header, 8)
		if err := c.readHeader(h, &budget); err != nil {
			return nil, true, err
		}
		resp.Status = status
		resp.StatusCode = code
		resp.Proto = "HTTP/1.1"
		if minor == 0 {
			resp.Proto = "HTTP/1.0"
		}
		resp.ProtoMajor, resp.ProtoMinor = 1, minor
		resp.Header = h
		resp.Request = req
		if err := t.attachBody(ctx, c, rb, req, stop, minor, closeConn); err != nil {
			return nil, true, err
		}
		return resp, true, nil
	}
}

// attachBody works out the response's framing and keep-alive and sets resp.Body.
func (t *Transport) attachBody(ctx context.Context, c *conn, rb *respBody, req *http.Request, stop func() bool, minor int, closeConn bool) error {
	resp := &rb.resp
	h := resp.Header
	keepAlive := !closeConn
	if minor == 1 {
		keepAlive = keepAlive && !hasToken(h["Connection"], "close")
	} else {
		keepAlive = keepAlive && hasToken(h["Connection"], "keep-alive")
	}
	chunked := false
	if te, ok := h["Transfer-Encoding"]; ok {
		if len(te) != 1 || !strings.EqualFold(strings.TrimSpace(te[0]), "chunked") {
			return fmt.Errorf("h1: unsupported Transfer-Encoding %q", te)
		}
		chunked = true
		// RFC 9112 §6.3: Transfer-Encoding overrides Content-Length.
		delete(h, "Content-Length")
		resp.TransferEncoding = []string{"chunked"}
	}
	length := int64(-1)
	if cl, ok := h["Content-Length"]; ok {
		var err error
		if length, err = parseContentLength(cl); err != nil {
			return err
		}
	}
	resp.ContentLength = length
	b := &rb.body
	switch {
	case req.Method == http.MethodHead || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified:
		// No body whatever the headers say; HEAD keeps the advertised length.
		if req.Method != http.MethodHead {
			resp.ContentLength = 0
		}
		resp.Body = http.NoBody
		t.finish(c, stop, keepAlive)
	case chunked:
		b.mode = modeChunked
		b.cstate = chunkSizeLine
	case length == 0:
		resp.Body = http.NoBody
		t.finish(c, stop, keepAlive)
	case length > 0:
		b.mode = modeLength
		b.n = length
	default:
		// No framing: the body runs until the server closes the connection.
		b.mode = modeEOF
		keepAlive = false
	}
	resp.Close = !keepAlive
	if resp.Body == nil {
		b.t, b.c, b.ctx, b.stop, b.keepAlive = t, c, ctx, stop, keepAlive
		b.trailerBudget = maxTrailerBytes
		resp.Body = b
	}
	return nil
}

// parseStatusLine parses "HTTP/1.x NNN reason". Status is "NNN reason" (the reason
// may be absent), as in net/http.
func parseStatusLine(line []byte) (minor, code int, status string, err error) {
	if len(line) < 12 || line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return 0, 0, "", fmt.Errorf("h1: malformed status line %q", line)
	}
	switch string(line[:8]) {
	case "HTTP/1.1":
		minor = 1
	case "HTTP/1.0":
		minor = 0
	default:
		return 0, 0, "", fmt.Errorf("h1: unsupported protocol in status line %q", line)
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return 0, 0, "", fmt.Errorf("h1: malformed status code in %q", line)
		}
		code = code*10 + int(d-'0')
	}
	if code < 100 {
		return 0, 0, "", fmt.Errorf("h1: malformed status code in %q", line)
	}
	// Codes 600-999 are well formed but have no table entry (a server's 700
	// indexed past it and panicked; found by FuzzReadResponse).
	if code < len(statusText) {
		if s := statusText[code]; s != "" && s == string(line[9:]) {
			return minor, code, s, nil
		}
	}
	return minor, code, string(line[9:]), nil
}

// readLine returns the next line without its line ending, charging it to budget. The
// slice is only valid until the next read from c.
func (c *conn) readLine(budget *int) ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// Longer than the read buffer: assemble it in the scratch buffer.
		c.line = append(c.line[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(c.line) > *budget {
				return nil, errHeaderTooLarge
			}
			line, err = c.br.ReadSlice('\n')
			c.line = append(c.line, line...)
		}
		line = c.line
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if *budget -= len(line); *budget < 0 {
		return nil, errHeaderTooLarge
	}
	return trimEOL(line), nil
}

// readHeader reads header lines up to the blank line into h (h nil: discard them).
func (c *conn) readHeader(h http.Header, budget *int) error {
	var slab []string // backing store for single-valued headers: one allocation for several
	for {
		line, err := c.readLine(budget)
		if err != nil {
			return err
		}
		if len(line) == 0 {
			return nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			return fmt.Errorf("h1: obsolete line folding in response header %q", line)
		}
		i := bytes.IndexByte(line, ':')
		if i <= 0 || !validToken(line[:i]) {
			return fmt.Errorf("h1: malformed response header line %q", line)
		}
		if h == nil {
			continue
		}
		key := c.name(line[:i])
		val := c.value(bytes.Trim(line[i+1:], " \t"))
		if vs, ok := h[key]; ok {
			h[key] = append(vs, val)
			continue
		}
		if len(slab) == cap(slab) {
			slab = make([]string, 0, 8)
		}
		slab = append(slab, val)
		h[key] = slab[len(slab)-1 : len(slab) : len(slab)]
	}
}

// name returns the canonical header key for k, from the connection's cache when it
// has been seen before (a map lookup by string(k) does not allocate).
func (c *conn) name(k []byte) string {
	if s, ok := c.names[string(k)]; ok {
		return s
	}
	s := textproto.CanonicalMIMEHeaderKey(string(k))
	if c.names == nil {
		c.names = make(map[string]string, 16)
	} else if len(c.names) >= internMax {
		clear(c.names)
	}
	c.names[string(k)] = s
	return s
}

// value returns v as a string, shared with earlier responses on this connection when
// the same short value was seen before.
func (c *conn) value(v []byte) string {
	if len(v) > internValueMax {
		return string(v)
	}
	if s, ok := c.values[string(v)]; ok {
		return s
	}
	s := string(v)
	if c.values == nil {
		c.values = make(map[string]string, 16)
	} else if len(c.values) >= internMax {
		clear(c.values)
	}
	c.values[s] = s
	return s
}

func trimEOL(line []byte) []byte {
	line = line[:len(line)-1] // drop '\n'
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line
}

// parseContentLength accepts one or more identical decimal values; differing values
// are refused, as they are the classic request-smuggling vector.
func parseContentLength(vs []string) (int64, error) {
	var n int64 = -1
	for _, v := range vs {
		m, err := strconv.ParseUint(strings.TrimSpace(v), 10, 63)
		if err != nil || (n >= 0 && int64(m) != n) {
			return 0, fmt.Errorf("h1: bad Content-Length %q", vs)
		}
		n = int64(m)
	}
	return n, nil
}

// hasToken reports whether the comma-separated header values contain tok
// (case-insensitively), e.g. "close" in "Connection: keep-alive, close".
func hasToken(vs []string, tok string) bool {
	for _, v := range vs {
		for v != "" {
			var f string
			f, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(f), tok) {
				return true
			}
		}
	}
	return false
}

// respBody allocates a response together with its body reader.
type respBody struct {
	resp http.Response
	body body
}

const (
	modeLength  = iota + 1 // Content-Length bytes
	modeChunked            // chunked transfer coding
	modeEOF                // until the server closes
)

const (
	chunkSizeLine = iota // expecting "hex[;ext]"
	chunkData            // inside chunk data, n bytes left
	chunkCRLF            // expecting the CRLF after chunk data
	chunkTrailer         // after the last chunk: trailer lines until a blank one
	chunkDone
)

// body is a response body read straight from the connection's bufio.Reader. When it
// reaches the end of the framed body it returns the connection to the pool (or closes
// it), so callers that read to EOF never pay for a separate Close step.
type body struct {
	// rmu serializes Read and Close. smu guards c and aborted so that a Close racing a
	// blocked Read can interrupt it without touching the reader's state.
	rmu     sync.Mutex
	smu     sync.Mutex
	aborted bool

	t         *Transport
	c         *conn // nil once released
	ctx       context.Context
	stop      func() bool
	keepAlive bool

	mode          uint8
	cstate        uint8
	n             int64 // bytes left in the body (modeLength) or current chunk
	trailerBudget int

	err    error // returned by Read once released: io.EOF or the failure
	closed bool
}

func (b *body) Read(p []byte) (int, error) {
	b.rmu.Lock()
	defer b.rmu.Unlock()
	if b.closed {
		return 0, errReadOnClosed
	}
	if b.c == nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := b.read(p)
	if err != nil && err != io.EOF {
		b.smu.Lock()
		aborted := b.aborted
		b.smu.Unlock()
		if aborted {
			// The failure is the deadline Close set to interrupt this Read.
			err = errReadOnClosed
		} else {
			err = wrapErr(b.ctx, err)
		}
		b.err = err
		b.release(false)
	}
	return n, err
}

// read does one Read; it releases the connection itself when it reaches the end.
func (b *body) read(p []byte) (int, error) {
	br := b.c.br
	switch b.mode {
	case modeEOF:
		n, err := br.Read(p)
		if err == io.EOF {
			b.done()
		}
		return n, err
	case modeLength:
		if int64(len(p)) > b.n {
			p = p[:b.n]
		}
		n, err := br.Read(p)
		b.n -= int64(n)
		if b.n == 0 {
			b.done()
			return n, io.EOF
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return n, err
	}
	if err := b.advance(true); err != nil {
		return 0, err
	}
	if b.cstate == chunkDone {
		b.done()
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := br.Read(p)
	b.n -= int64(n)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return n, err
	}
	if b.n == 0 {
		// Look ahead through framing that is already buffered, so the read that
		// delivers the last data byte also reports EOF and frees the connection.
		b.cstate = chunkCRLF
		switch err := b.advance(false); {
		case err == errWouldBlock:
		case err != nil:
			return n, err
		case b.cstate == chunkDone:
			b.done()
			return n, io.EOF
		}
	}
	return n, nil
}

// advance consumes chunk framing until inside chunk data or done. Without block it
// stops with errWouldBlock instead of reading a line that is not fully buffered.
func (b *body) advance(block bool) error {
	br := b.c.br
	for b.n == 0 && b.cstate != chunkDone {
		if !block {
			buf, _ := br.Peek(br.Buffered())
			if bytes.IndexByte(buf, '\n') < 0 {
				return errWouldBlock
			}
		}
		line, err := br.ReadSlice('\n')
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			if err == bufio.ErrBufferFull {
				err = errors.New("h1: chunk framing line too long")
			}
			return err
		}
		line = trimEOL(line)
		switch b.cstate {
		case chunkCRLF:
			if len(line) != 0 {
				return errors.New("h1: malformed chunked encoding: missing CRLF after chunk data")
			}
			b.cstate = chunkSizeLine
		case chunkSizeLine:
			size, err := parseChunkSize(line)
			if err != nil {
				return err
			}
			if size == 0 {
				b.cstate = chunkTrailer
			} else {
				b.n, b.cstate = size, chunkData
			}
		case chunkTrailer:
			if b.trailerBudget -= len(line); b.trailerBudget < 0 {
				return errors.New("h1: chunked trailer too large")
			}
			if len(line) == 0 {
				b.cstate = chunkDone
			}
		}
	}
	return nil
}

// parseChunkSize parses "hex[;extensions]", ignoring extensions and blanks.
func parseChunkSize(line []byte) (int64, error) {
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	line = bytes.Trim(line, " \t")
	if len(line) == 0 || len(line) > 15 {
		return 0, fmt.Errorf("h1: malformed chunk size %q", line)
	}
	var n int64
	for _, d := range line {
		switch {
		case d >= '0' && d <= '9':
			d -= '0'
		case d >= 'a' && d <= 'f':
			d -= 'a' - 10
		case d >= 'A' && d <= 'F':
			d -= 'A' - 10
		default:
			return 0, fmt.Errorf("h1: malformed chunk size %q", line)
		}
		n = n<<4 | int64(d)
	}
	return n, nil
}

// done marks the body complete and releases the connection for reuse.
func (b *body) done() {
	b.err = io.EOF
	b.release(b.keepAlive)
}

// release hands the connection back (reuse) or closes it. Called with rmu held.
func (b *body) release(reuse bool) {
	b.smu.Lock()
	c := b.c
	b.c = nil
	if b.aborted {
		reuse = false
	}
	b.smu.Unlock()
	if c != nil {
		b.t.finish(c, b.stop, reuse)
	}
}

// Close releases the connection. If the body was not read to the end, the rest is
// skipped only when it is already buffered; otherwise the connection is closed, so
// an unread body of any size never costs more than what already arrived.
func (b *body) Close() error {
	if !b.rmu.TryLock() {
		// A Read is blocked on the network: interrupt it with a past deadline and
		// make sure its connection is not reused, then wait for it to return.
		b.smu.Lock()
		if b.c != nil {
			b.aborted = true
			b.c.nc.SetDeadline(aLongTimeAgo)
		}
		b.smu.Unlock()
		b.rmu.Lock()
	}
	defer b.rmu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if b.c == nil {
		return nil
	}
	b.release(b.skipBuffered())
	return nil
}

// skipBuffered discards the rest of the body if it is entirely in the read buffer,
// reporting whether the connection is then positioned at the next response.
func (b *body) skipBuffered() bool {
	if !b.keepAlive {
		return false
	}
	br := b.c.br
	switch b.mode {
	case modeLength:
		if b.n > int64(br.Buffered()) {
			return false
		}
		br.Discard(int(b.n))
		return true
	case modeChunked:
		for {
			if b.n > 0 {
				if b.n > int64(br.Buffered()) {
					return false
				}
				br.Discard(int(b.n))
				b.n, b.cstate = 0, chunkCRLF
			}
			if err := b.advance(false); err != nil {
				return false
			}
			if b.cstate == chunkDone {
				return true
			}
		}
	}
	return false
}
