package h1

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
)

// responseSeeds are response heads and bodies as vLLM (uvicorn), Ollama,
// llama.cpp and proxies send them, and the malformed ones TestScriptedResponses
// covers.
var responseSeeds = []string{
	"HTTP/1.1 200 OK\r\ndate: Fri, 04 Dec 2026 10:00:00 GMT\r\nserver: uvicorn\r\ncontent-length: 27\r\ncontent-type: application/json\r\n\r\n{\"choices\":[{\"index\":0}]}\n",
	"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nDate: Fri, 04 Dec 2026 10:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n{\"model\":\"qwen2.5:7b\",\"x\"\r\n3\r\n:1}\r\n0\r\n\r\n",
	"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
	"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nloading model",
	"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nX-Trailer: v\r\n\r\n",
	"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 5\r\n\r\nhello",
	"HTTP/1.0 200 OK\r\n\r\nhello", "HTTP/1.1 299\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
	"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", "HTTP/1.1 304 Not Modified\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n2\r\nok\r\n0\r\n\r\n",
	"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
	"HTTP/1.1 2x0 OK\r\n\r\n", "hello there\r\n\r\n", "HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
	"HTTP/1.1 200 OK\r\nX-A: 1\r\n  2\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
	"HTTP/1.1 101 Switching Protocols\r\n\r\n", "", "HTTP/1.1 200 OK\r\nContent-Le",
	"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n",
}

// scriptConn is a connection whose peer sent data and then closed.
type scriptConn struct {
	r      *bytes.Reader
	closed bool
}

func (c *scriptConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *scriptConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *scriptConn) Close() error                     { c.closed = true; return nil }
func (c *scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// h1Result is what Transport makes of a response: its head, then its body.
type h1Result struct {
	resp    *http.Response
	body    []byte
	bodyErr error
	parked  bool // the connection went back to the pool
	rest    int  // bytes of data the parked connection had not consumed
}

func readH1(t *testing.T, data []byte, req *http.Request, budget int) (*h1Result, error) {
	tr := &Transport{MaxResponseHeaderBytes: budget}
	nc := &scriptConn{r: bytes.NewReader(data)}
	c := &conn{nc: nc, br: bufio.NewReaderSize(nc, readBufSize), key: "fuzz:80", interrupt: func() {}}
	resp, _, err := tr.readResponse(context.Background(), c, req, nil, false)
	if err != nil {
		return nil, err
	}
	r := &h1Result{resp: resp}
	r.body, r.bodyErr = io.ReadAll(resp.Body)
	if err := resp.Body.Close(); err != nil {
		t.Fatalf("%q: Close: %v", data, err)
	}
	if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
		t.Fatalf("%q: Read after Close succeeded", data)
	}
	r.parked = idleLen(tr) == 1
	if r.parked {
		if nc.closed {
			t.Fatalf("%q: a closed connection went back to the pool", data)
		}
		r.rest = nc.r.Len() + c.br.Buffered()
	}
	return r, nil
}

// FuzzReadResponse checks the response parser against net/http's: whatever
// both accept must give the same status, headers, framing and body; a
// connection goes back to the pool only after exactly the framed bytes, so the
// next response on it cannot be read from the previous one's leftovers.
func FuzzReadResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s), false, false)
	}
	f.Add([]byte(responseSeeds[0]), true, false)
	f.Add([]byte(responseSeeds[1]), false, true)
	f.Fuzz(func(t *testing.T, data []byte, head, smallHeader bool) {
		defer fuzzcheck.Watch(data)()
		method, budget := http.MethodGet, 0
		if head {
			method = http.MethodHead
		}
		if smallHeader {
			budget = 64
		}
		req, err := http.NewRequest(method, "http://fuzz/v1/chat/completions", nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readH1(t, data, req, budget)
		if err != nil {
			return
		}
		if got.parked && got.rest != 0 {
			t.Fatalf("%q: connection pooled with %d unread bytes", data, got.rest)
		}
		if smallHeader {
			return // net/http has no such budget to compare with
		}
		want, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(data)), req)
		if err != nil || want.StatusCode < 200 {
			return // refused, or a 1xx net/http hands back and h1 skips
		}
		wantBody, wantErr := io.ReadAll(want.Body)
		if got.bodyErr != nil || wantErr != nil {
			return
		}
		if want.ProtoMinor == 0 && got.resp.TransferEncoding != nil {
			// net/http ignores Transfer-Encoding in an HTTP/1.0 response, which
			// RFC 9112 §6.1 calls faulty framing; h1 reads it chunked.
			return
		}
		g := got.resp
		if head && g.TransferEncoding != nil {
			// A HEAD response that says both chunked and Content-Length: the
			// length means nothing; net/http reports the header, h1 -1.
			want.ContentLength = g.ContentLength
		}
		if g.StatusCode != want.StatusCode || g.Status != want.Status || g.ProtoMinor != want.ProtoMinor ||
			g.ContentLength != want.ContentLength || g.Close != want.Close || !bytes.Equal(got.body, wantBody) {
			t.Fatalf("%q:\n h1       %d %q 1.%d len %d close %v body %q\n net/http %d %q 1.%d len %d close %v body %q", data,
				g.StatusCode, g.Status, g.ProtoMinor, g.ContentLength, g.Close, got.body,
				want.StatusCode, want.Status, want.ProtoMinor, want.ContentLength, want.Close, wantBody)
		}
		gh, wh := g.Header.Clone(), want.Header.Clone()
		for _, h := range []http.Header{gh, wh} {
			// Compared above as TransferEncoding, ContentLength and Close;
			// net/http drops or folds these headers as it reads them.
			h.Del("Transfer-Encoding")
			h.Del("Content-Length")
			h.Del("Connection")
		}
		if (len(gh) != 0 || len(wh) != 0) && !reflect.DeepEqual(gh, wh) {
			t.Fatalf("%q:\n h1 headers       %q\n net/http headers %q", data, gh, wh)
		}
	})
}
