package h1

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

const (
	// maxBufferedBody: request bodies of known length up to this size are copied
	// behind the head and sent with a single write call.
	maxBufferedBody = 1 << 20
	// keepWbufCap: a connection keeps its write buffer between requests only up to
	// this capacity; anything bigger is borrowed from bigBufs.
	keepWbufCap = 64 << 10
	// chunkSize is the largest chunk written for a body of unknown length.
	chunkSize = 32 << 10
)

// bigBufs holds *[]byte buffers for large single-write requests and chunked bodies,
// shared by all connections so that idle connections do not pin megabytes each.
var bigBufs = sync.Pool{New: func() any { return new([]byte) }}

// writeRequest sends req's head and body on c. onWire reports that err came from the
// connection (rather than from req or its body), which is what makes a retry on a
// fresh connection meaningful.
func (c *conn) writeRequest(req *http.Request, body io.Reader, bodyLen int64, closeConn bool) (onWire bool, err error) {
	b, err := appendHead(c.wbuf[:0], req, body != nil, bodyLen, closeConn)
	c.wbuf = b
	if err != nil {
		return false, err
	}
	switch {
	case body == nil:
		_, err = c.nc.Write(b)
		return err != nil, err
	case bodyLen < 0:
		return c.writeChunked(b, body)
	case bodyLen <= maxBufferedBody:
		return c.writeBuffered(b, body, int(bodyLen))
	default:
		if _, err := c.nc.Write(b); err != nil {
			return true, err
		}
		return c.copyBody(body, bodyLen)
	}
}

// appendHead appends the request line and headers, ending with the blank line.
func appendHead(b []byte, req *http.Request, hasBody bool, bodyLen int64, closeConn bool) ([]byte, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	if !validToken(method) {
		return b, fmt.Errorf("h1: invalid method %q", method)
	}
	b = append(b, method...)
	b = append(b, ' ')
	start := len(b)
	b = appendRequestURI(b, req.URL)
	if !validTarget(b[start:]) {
		return b, fmt.Errorf("h1: invalid request target %q", b[start:])
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if !validTarget(host) {
		return b, fmt.Errorf("h1: invalid Host %q", host)
	}
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\n"...)
	for k, vs := range req.Header {
		if ownedHeader(k) {
			continue
		}
		if !validToken(k) {
			return b, fmt.Errorf("h1: invalid header field name %q", k)
		}
		for _, v := range vs {
			if !validValue(v) {
				return b, fmt.Errorf("h1: invalid header field value for %q", k)
			}
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	if closeConn {
		b = append(b, "Connection: close\r\n"...)
	}
	switch {
	case bodyLen > 0:
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, bodyLen, 10)
		b = append(b, "\r\n"...)
	case hasBody:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	case method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch:
		// As net/http does: servers may insist on a length for these methods.
		b = append(b, "Content-Length: 0\r\n"...)
	}
	return append(b, "\r\n"...), nil
}

// appendRequestURI appends u.RequestURI() without building the intermediate string.
func appendRequestURI(b []byte, u *url.URL) []byte {
	if u.Opaque != "" {
		return append(b, u.RequestURI()...)
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	b = append(b, p...)
	if u.ForceQuery || u.RawQuery != "" {
		b = append(b, '?')
		b = append(b, u.RawQuery...)
	}
	return b
}

// ownedHeader reports whether the transport writes header k itself, so the caller's
// copy must be skipped (compared case-insensitively: callers may bypass Header.Set).
func ownedHeader(k string) bool {
	switch len(k) {
	case 4:
		return strings.EqualFold(k, "Host")
	case 10:
		return strings.EqualFold(k, "Connection")
	case 14:
		return strings.EqualFold(k, "Content-Length")
	case 17:
		return strings.EqualFold(k, "Transfer-Encoding")
	}
	return false
}

// writeBuffered copies the n-byte body behind the head and sends both with one write.
func (c *conn) writeBuffered(head []byte, body io.Reader, n int) (bool, error) {
	h := len(head)
	need := h + n + 1 // one spare byte to detect a body longer than declared
	var buf []byte
	if need <= keepWbufCap {
		if cap(head) < need {
			nb := make([]byte, h, need)
			copy(nb, head)
			head = nb
		}
		c.wbuf = head
		buf = head[:need]
	} else {
		p := bigBufs.Get().(*[]byte)
		defer bigBufs.Put(p)
		if cap(*p) < need {
			// Round up so a stream of slightly growing bodies does not reallocate each time.
			*p = make([]byte, (need+keepWbufCap-1)/keepWbufCap*keepWbufCap)
		}
		buf = (*p)[:need]
		copy(buf, head)
	}
	if k, err := io.ReadFull(body, buf[h:h+n]); err != nil {
		return false, fmt.Errorf("h1: request ContentLength=%d but Body gave %d bytes: %w", n, k, err)
	}
	if k, _ := io.ReadFull(body, buf[need-1:need]); k > 0 {
		return false, fmt.Errorf("h1: request Body longer than ContentLength=%d", n)
	}
	_, err := c.nc.Write(buf[:need-1])
	return err != nil, err
}

// copyBody streams a large body of known length after the head has been written.
func (c *conn) copyBody(body io.Reader, n int64) (bool, error) {
	er := &errReader{r: body}
	k, err := io.Copy(c.nc, io.LimitReader(er, n))
	if er.err != nil && er.err != io.EOF {
		return false, fmt.Errorf("h1: reading request body: %w", er.err)
	}
	if err != nil {
		return true, err
	}
	if k < n {
		return false, fmt.Errorf("h1: request ContentLength=%d but Body gave %d bytes: %w", n, k, io.ErrUnexpectedEOF)
	}
	var one [1]byte
	if m, _ := io.ReadFull(body, one[:]); m > 0 {
		return false, fmt.Errorf("h1: request Body longer than ContentLength=%d", n)
	}
	return false, nil
}

// errReader remembers the error of the wrapped reader so that copyBody can tell body
// failures from connection failures.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// writeChunked sends the head followed by the body in chunked encoding, one write per
// chunk (the head rides with the first chunk, the terminator with the last).
func (c *conn) writeChunked(head []byte, body io.Reader) (bool, error) {
	p := bigBufs.Get().(*[]byte)
	defer bigBufs.Put(p)
	if cap(*p) < chunkSize {
		*p = make([]byte, chunkSize)
	}
	scratch := (*p)[:chunkSize]
	b := head
	defer func() { c.wbuf = b[:0] }()
	for {
		k, rerr := body.Read(scratch)
		if k > 0 {
			b = strconv.AppendInt(b, int64(k), 16)
			b = append(b, "\r\n"...)
			b = append(b, scratch[:k]...)
			b = append(b, "\r\n"...)
		}
		if rerr != nil && rerr != io.EOF {
			return false, fmt.Errorf("h1: reading request body: %w", rerr)
		}
		if rerr == io.EOF {
			b = append(b, "0\r\n\r\n"...)
		}
		if len(b) > 0 {
			if _, err := c.nc.Write(b); err != nil {
				return true, err
			}
		}
		b = b[:0]
		if rerr == io.EOF {
			return false, nil
		}
	}
}

// tokenChars marks the bytes allowed in an HTTP token (RFC 9110 §5.6.2).
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func validToken[S string | []byte](s S) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}

// validValue rejects control characters other than tab, which would let a header
// value inject lines into the request.
func validValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// validTarget rejects empty strings, spaces and control characters in the request
// target and Host, which would break the request line or smuggle headers.
func validTarget[S string | []byte](s S) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}
