package h1

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// newTransport returns a Transport whose idle connections are closed at test end.
func newTransport(t testing.TB) *Transport {
	tr := &Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

func idleLen(tr *Transport) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, l := range tr.idle {
		n += len(l.conns)
	}
	return n
}

// roundTrip sends req and reads the whole body.
func roundTrip(t *testing.T, tr *Transport, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip(%s %s): %v", req.Method, req.URL, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading body of %s %s: %v", req.Method, req.URL, err)
	}
	return resp, string(b)
}

func newRequest(t testing.TB, ctx context.Context, method, u string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// unknownLength hides the concrete reader type so http.NewRequest cannot learn the
// length or set GetBody: the request goes out chunked.
type unknownLength struct{ io.Reader }

// echoHandler reports what it received in X-* headers and echoes the body.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h := w.Header()
	h.Set("X-Method", r.Method)
	h.Set("X-Content-Length", strconv.FormatInt(r.ContentLength, 10))
	h.Set("X-Transfer-Encoding", strings.Join(r.TransferEncoding, ","))
	h.Set("X-User-Agent", r.UserAgent())
	h.Set("X-Custom", r.Header.Get("X-Custom"))
	w.Write(body)
}

func testMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", echoHandler)
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "part1")
		w.(http.Flusher).Flush() // forces chunked framing
		io.WriteString(w, "part2")
	})
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func TestAgainstHTTPTestServer(t *testing.T) {
	srv := httptest.NewServer(testMux())
	defer srv.Close()
	tr := newTransport(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 5<<20/16) // 5 MB
	mid := big[:200<<10]                                      // buffered single write, via the shared pool

	tests := []struct {
		name       string
		method     string
		path       string
		body       func() io.Reader
		header     http.Header
		wantStatus int
		wantBody   string
		wantCL     string // X-Content-Length seen by the server
		wantTE     string // X-Transfer-Encoding seen by the server
		wantRespTE []string
		wantRespCL int64
	}{
		{name: "GET", method: "GET", path: "/echo", wantStatus: 200, wantCL: "0", wantRespCL: 0},
		{name: "POST known length", method: "POST", path: "/echo",
			body:       func() io.Reader { return strings.NewReader("hello") },
			wantStatus: 200, wantBody: "hello", wantCL: "5", wantRespCL: 5},
		{name: "POST no body", method: "POST", path: "/echo", wantStatus: 200, wantCL: "0"},
		{name: "POST unknown length", method: "POST", path: "/echo",
			body:       func() io.Reader { return unknownLength{strings.NewReader("streamed body")} },
			wantStatus: 200, wantBody: "streamed body", wantCL: "-1", wantTE: "chunked", wantRespCL: 13},
		{name: "POST unknown length empty", method: "POST", path: "/echo",
			body:       func() io.Reader { return unknownLength{strings.NewReader("")} },
			wantStatus: 200, wantCL: "-1", wantTE: "chunked"},
		{name: "headers and user agent", method: "GET", path: "/echo",
			header:     http.Header{"X-Custom": {"v1"}, "User-Agent": {"emohallucer-test"}, "Connection": {"keep-alive"}},
			wantStatus: 200, wantCL: "0"},
		{name: "chunked response", method: "GET", path: "/chunked",
			wantStatus: 200, wantBody: "part1part2", wantRespTE: []string{"chunked"}, wantRespCL: -1},
		{name: "204", method: "GET", path: "/nocontent", wantStatus: 204},
		{name: "HEAD", method: "HEAD", path: "/echo", wantStatus: 200},
		{name: "POST 200KB", method: "POST", path: "/echo",
			body:       func() io.Reader { return bytes.NewReader(mid) },
			wantStatus: 200, wantBody: string(mid), wantCL: strconv.Itoa(len(mid)), wantRespTE: []string{"chunked"}, wantRespCL: -1},
		{name: "POST 5MB known length", method: "POST", path: "/echo",
			body:       func() io.Reader { return bytes.NewReader(big) },
			wantStatus: 200, wantBody: string(big), wantCL: strconv.Itoa(len(big)), wantRespTE: []string{"chunked"}, wantRespCL: -1},
		{name: "POST 5MB unknown length", method: "POST", path: "/echo",
			body:       func() io.Reader { return unknownLength{bytes.NewReader(big)} },
			wantStatus: 200, wantBody: string(big), wantCL: "-1", wantTE: "chunked", wantRespTE: []string{"chunked"}, wantRespCL: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != nil {
				body = tt.body()
			}
			req := newRequest(t, context.Background(), tt.method, srv.URL+tt.path, body)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, got := roundTrip(t, tr, req)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d (%q), want %d", resp.StatusCode, resp.Status, tt.wantStatus)
			}
			if want := strconv.Itoa(tt.wantStatus) + " " + http.StatusText(tt.wantStatus); resp.Status != want {
				t.Errorf("Status = %q, want %q", resp.Status, want)
			}
			if got != tt.wantBody {
				t.Errorf("body = %.40q (len %d), want %.40q (len %d)", got, len(got), tt.wantBody, len(tt.wantBody))
			}
			if resp.Proto != "HTTP/1.1" || resp.ProtoMajor != 1 || resp.ProtoMinor != 1 || resp.Close || resp.Request != req {
				t.Errorf("Proto %q %d.%d Close %v Request ok %v", resp.Proto, resp.ProtoMajor, resp.ProtoMinor, resp.Close, resp.Request == req)
			}
			if tt.method == "HEAD" || tt.wantStatus == 204 {
				return
			}
			if resp.ContentLength != tt.wantRespCL {
				t.Errorf("ContentLength = %d, want %d", resp.ContentLength, tt.wantRespCL)
			}
			if strings.Join(resp.TransferEncoding, ",") != strings.Join(tt.wantRespTE, ",") {
				t.Errorf("TransferEncoding = %q, want %q", resp.TransferEncoding, tt.wantRespTE)
			}
			if tt.path != "/echo" {
				return
			}
			h := resp.Header
			if h.Get("X-Method") != tt.method || h.Get("X-Content-Length") != tt.wantCL || h.Get("X-Transfer-Encoding") != tt.wantTE {
				t.Errorf("server saw method %q CL %q TE %q, want %q %q %q", h.Get("X-Method"),
					h.Get("X-Content-Length"), h.Get("X-Transfer-Encoding"), tt.method, tt.wantCL, tt.wantTE)
			}
			if ua, want := h.Get("X-User-Agent"), tt.header.Get("User-Agent"); ua != want {
				t.Errorf("server saw User-Agent %q, want %q (none unless the caller sets one)", ua, want)
			}
			if c, want := h.Get("X-Custom"), tt.header.Get("X-Custom"); c != want {
				t.Errorf("server saw X-Custom %q, want %q", c, want)
			}
		})
	}
}

// TestSequentialReuse checks that sequential requests share one connection.
func TestSequentialReuse(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(testMux())
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	tr := newTransport(t)
	for i := range 200 {
		var req *http.Request
		switch i % 4 {
		case 0:
			req = newRequest(t, context.Background(), "GET", srv.URL+"/echo", nil)
		case 1:
			req = newRequest(t, context.Background(), "POST", srv.URL+"/echo", strings.NewReader("body"+strconv.Itoa(i)))
		case 2:
			req = newRequest(t, context.Background(), "GET", srv.URL+"/chunked", nil)
		case 3:
			req = newRequest(t, context.Background(), "GET", srv.URL+"/nocontent", nil)
		}
		roundTrip(t, tr, req)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("server saw %d connections for 200 sequential requests, want 1", n)
	}
}

func TestConcurrent(t *testing.T) {
	srv := httptest.NewServer(testMux())
	defer srv.Close()
	tr := newTransport(t)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			want := strings.Repeat("x", i) + strconv.Itoa(i)
			for range 5 {
				req, _ := http.NewRequest("POST", srv.URL+"/echo", strings.NewReader(want))
				resp, err := tr.RoundTrip(req)
				if err != nil {
					t.Errorf("request %d: %v", i, err)
					return
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(got) != want {
					t.Errorf("request %d: body %q, %v; want %q", i, got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := idleLen(tr); n == 0 || n > 64 {
		t.Errorf("%d idle connections after 64 concurrent clients, want 1..64", n)
	}
}

// rawServer is a loopback listener whose connections are handled by a script.
type rawServer struct {
	ln      net.Listener
	url     string
	accepts atomic.Int32
	done    chan struct{} // closed at cleanup: stalled handlers return
	wg      sync.WaitGroup
}

func newRawServer(t *testing.T, handle func(s *rawServer, c net.Conn, br *bufio.Reader)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln, url: "http://" + ln.Addr().String(), done: make(chan struct{})}
	var mu sync.Mutex
	var conns []net.Conn
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepts.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			s.wg.Go(func() {
				defer c.Close()
				handle(s, c, bufio.NewReader(c))
			})
		}
	})
	t.Cleanup(func() {
		close(s.done)
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// readRequest reads one request (head and body) from br.
func readRequest(br *bufio.Reader) (*http.Request, []byte, error) {
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(req.Body)
	return req, body, err
}

// TestScriptedResponses covers framing, versions and malformed replies from a raw
// server that answers every request with the same bytes.
func TestScriptedResponses(t *testing.T) {
	tests := []struct {
		name       string
		response   string
		closeAfter bool   // server closes the connection after responding
		wantErr    string // RoundTrip error substring
		wantStatus string
		wantProto  string
		wantBody   string
		wantClose  bool // resp.Close
		wantReuse  bool // a second request uses the same connection
		bodyErr    error
	}{
		{name: "content-length keep-alive", response: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
			wantStatus: "200 OK", wantProto: "HTTP/1.1", wantBody: "hello", wantReuse: true},
		{name: "read until close", response: "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello world", closeAfter: true,
			wantStatus: "200 OK", wantProto: "HTTP/1.1", wantBody: "hello world", wantClose: true},
		{name: "connection close with length", response: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello",
			wantStatus: "200 OK", wantProto: "HTTP/1.1", wantBody: "hello", wantClose: true},
		{name: "HTTP/1.0 with length", response: "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello",
			wantStatus: "200 OK", wantProto: "HTTP/1.0", wantBody: "hello", wantClose: true},
		{name: "HTTP/1.0 keep-alive", response: "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 5\r\n\r\nhello",
			wantStatus: "200 OK", wantProto: "HTTP/1.0", wantBody: "hello", wantReuse: true},
		{name: "HTTP/1.0 until close", response: "HTTP/1.0 200 OK\r\n\r\nhello", closeAfter: true,
			wantStatus: "200 OK", wantProto: "HTTP/1.0", wantBody: "hello", wantClose: true},
		{name: "1xx skipped", response: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" +
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
			wantStatus: "200 OK", wantProto: "HTTP/1.1", wantBody: "hello", wantReuse: true},
		{name: "chunked with extension and trailer", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nX-Trailer: v\r\n\r\n",
			wantStatus: "200 OK", wantProto: "HTTP/1.1", wantBody: "hello", wantReuse: true},
		{name: "status without reason", response: "HTTP/1.1 299\r\nContent-Length: 2\r\n\r\nok",
			wantStatus: "299", wantProto: "HTTP/1.1", wantBody: "ok", wantReuse: true},
		{name: "unregistered status 600-999", response: "HTTP/1.1 799 Odd\r\nContent-Length: 2\r\n\r\nok",
			wantStatus: "799 Odd", wantProto: "HTTP/1.1", wantBody: "ok", wantReuse: true},
		{name: "custom reason", response: "HTTP/1.1 200 Fine\r\ncontent-length: 2\r\n\r\nok",
			wantStatus: "200 Fine", wantProto: "HTTP/1.1", wantBody: "ok", wantReuse: true},
		{name: "bare LF line endings", response: "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
			wantStatus: "200 OK", wantProto: "HTTP/1.1", wantBody: "ok", wantReuse: true},
		{name: "long header line", response: "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("a", 10000) + "\r\nContent-Length: 2\r\n\r\nok",
			wantStatus: "200 OK", wantProto: "HTTP/1.1", wantBody: "ok", wantReuse: true},
		{name: "extra bytes after body poison the conn", response: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE",
			wantStatus: "200 OK", wantProto: "HTTP/1.1", wantBody: "ok"},

		{name: "malformed status line", response: "HTTP/1.1 2x0 OK\r\n\r\n", wantErr: "malformed status code"},
		{name: "garbage status line", response: "hello there\r\n\r\n", wantErr: "malformed status line"},
		{name: "HTTP/2 status line", response: "HTTP/2.0 200 OK\r\n\r\n", wantErr: "unsupported protocol"},
		{name: "header too large", response: "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("p", 1000)+"\r\n", 1100) + "\r\n",
			wantErr: "header too large"},
		{name: "header without colon", response: "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", wantErr: "malformed response header"},
		{name: "obs-fold", response: "HTTP/1.1 200 OK\r\nX-A: 1\r\n  2\r\n\r\n", wantErr: "line folding"},
		{name: "conflicting content-length", response: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", wantErr: "Content-Length"},
		{name: "unsupported transfer-encoding", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", wantErr: "Transfer-Encoding"},
		{name: "101", response: "HTTP/1.1 101 Switching Protocols\r\n\r\n", wantErr: "101"},
		{name: "closed before response", response: "", closeAfter: true, wantErr: "EOF"},
		{name: "truncated head", response: "HTTP/1.1 200 OK\r\nContent-Le", closeAfter: true, wantErr: "unexpected EOF"},

		{name: "truncated content-length body", response: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", closeAfter: true,
			wantStatus: "200 OK", wantProto: "HTTP/1.1", bodyErr: io.ErrUnexpectedEOF},
		{name: "truncated chunked body", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", closeAfter: true,
			wantStatus: "200 OK", wantProto: "HTTP/1.1", bodyErr: io.ErrUnexpectedEOF},
		{name: "bad chunk size", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", closeAfter: true,
			wantStatus: "200 OK", wantProto: "HTTP/1.1", bodyErr: errors.New("malformed chunk size")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newRawServer(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
				for {
					if _, _, err := readRequest(br); err != nil {
						return
					}
					if _, err := io.WriteString(c, tt.response); err != nil || tt.closeAfter {
						return
					}
				}
			})
			tr := newTransport(t)
			resp, err := tr.RoundTrip(newRequest(t, context.Background(), "GET", srv.url+"/", nil))
			if tt.wantErr != "" {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("RoundTrip succeeded with status %q, want error containing %q", resp.Status, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("RoundTrip error %q, want it to contain %q", err, tt.wantErr)
				}
				if n := idleLen(tr); n != 0 {
					t.Errorf("%d idle connections after a failed exchange, want 0", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			if resp.Status != tt.wantStatus || resp.Proto != tt.wantProto {
				t.Errorf("Status %q Proto %q, want %q %q", resp.Status, resp.Proto, tt.wantStatus, tt.wantProto)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if tt.bodyErr != nil {
				if err == nil || (!errors.Is(err, tt.bodyErr) && !strings.Contains(err.Error(), tt.bodyErr.Error())) {
					t.Errorf("body read error = %v, want %v", err, tt.bodyErr)
				}
				if n := idleLen(tr); n != 0 {
					t.Errorf("%d idle connections after a failed body, want 0", n)
				}
				return
			}
			if err != nil || string(body) != tt.wantBody {
				t.Fatalf("body = %q, %v; want %q", body, err, tt.wantBody)
			}
			if resp.Close != tt.wantClose {
				t.Errorf("resp.Close = %v, want %v", resp.Close, tt.wantClose)
			}
			// A second request must reuse the connection exactly when keep-alive holds.
			roundTrip(t, tr, newRequest(t, context.Background(), "GET", srv.url+"/again", nil))
			wantAccepts := int32(2)
			if tt.wantReuse {
				wantAccepts = 1
			}
			if n := srv.accepts.Load(); n != wantAccepts {
				t.Errorf("server accepted %d connections for two requests, want %d", n, wantAccepts)
			}
		})
	}
}

func TestIdleTimeoutExpires(t *testing.T) {
	srv := httptest.NewServer(testMux())
	defer srv.Close()
	tr := newTransport(t)
	roundTrip(t, tr, newRequest(t, context.Background(), "GET", srv.URL+"/echo", nil))
	// Age the parked connection instead of waiting for it.
	tr.mu.Lock()
	for _, l := range tr.idle {
		for _, c := range l.conns {
			c.idleAt = c.idleAt.Add(-2 * defaultIdleTimeout)
		}
	}
	tr.mu.Unlock()
	if c := tr.getIdle(hostPort(mustParse(t, srv.URL))); c != nil {
		t.Error("getIdle returned an expired connection")
	}
	if n := idleLen(tr); n != 0 {
		t.Errorf("%d idle connections after expiry, want 0", n)
	}
}

func TestRequestErrors(t *testing.T) {
	tests := []struct {
		name    string
		req     func() *http.Request
		wantErr string
	}{
		{name: "https", req: func() *http.Request { return newRequest(t, context.Background(), "GET", "https://example.com/", nil) },
			wantErr: "unsupported protocol scheme"},
		{name: "no host", req: func() *http.Request { return &http.Request{Method: "GET", URL: &url.URL{Scheme: "http", Path: "/"}} },
			wantErr: "no Host"},
		{name: "header injection", req: func() *http.Request {
			r := newRequest(t, context.Background(), "GET", "http://127.0.0.1:1/", nil)
			r.Header.Set("X-Evil", "a\r\nInjected: yes")
			return r
		}, wantErr: "invalid header field value"},
		{name: "bad method", req: func() *http.Request {
			r := newRequest(t, context.Background(), "GET", "http://127.0.0.1:1/", nil)
			r.Method = "GET /x"
			return r
		}, wantErr: "invalid method"},
	}
	srv := httptest.NewServer(testMux())
	defer srv.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req()
			if req.URL.Host == "127.0.0.1:1" {
				req.URL.Host = strings.TrimPrefix(srv.URL, "http://") // reachable, so the failure is ours
			}
			_, err := newTransport(t).RoundTrip(req)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	t.Run("body length mismatch", func(t *testing.T) {
		for _, cl := range []int64{3, 10} {
			req := newRequest(t, context.Background(), "POST", srv.URL+"/echo", strings.NewReader("hello"))
			req.ContentLength = cl
			if _, err := newTransport(t).RoundTrip(req); err == nil || !strings.Contains(err.Error(), "ContentLength") {
				t.Errorf("ContentLength=%d for a 5-byte body: error = %v, want a ContentLength error", cl, err)
			}
		}
	})
}

func TestEligible(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"http://localhost:8000/v1/chat/completions", true},
		{"http://127.0.0.1:11434/api/chat", true},
		{"https://localhost:8000/", false},
		{"ftp://localhost/", false},
		{"http:///nohost", false},
	}
	for _, tt := range tests {
		if got := Eligible(mustParse(t, tt.url)); got != tt.want {
			t.Errorf("Eligible(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
	if Eligible(nil) {
		t.Error("Eligible(nil) = true")
	}
}

func TestIsStale(t *testing.T) {
	for _, err := range []error{io.EOF, syscall.ECONNRESET, &net.OpError{Op: "write", Err: syscall.EPIPE}} {
		if !isStale(err) {
			t.Errorf("isStale(%v) = false", err)
		}
	}
	if isStale(context.Canceled) {
		t.Error("isStale(context.Canceled) = true")
	}
}

func mustParse(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// BenchmarkRoundTrip compares h1 with net/http's Transport against a loopback server
// at 64 requests in flight: a small JSON POST and a small JSON reply, as the harness
// sends to local model servers. cpu-ns/op is process CPU (client and server) per
// request, from getrusage.
func BenchmarkRoundTrip(b *testing.B) {
	reply := []byte(`{"id":"x","choices":[{"message":{"role":"assistant","content":"yes"}}]}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(reply)
	}))
	defer srv.Close()
	u := mustParse(b, srv.URL+"/v1/chat/completions")
	payload := bytes.Repeat([]byte("a"), 200)
	hdr := http.Header{"Content-Type": {"application/json"}}

	for _, bc := range []struct {
		name string
		rt   http.RoundTripper
	}{
		{"h1", &Transport{}},
		{"net-http", &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			defer bc.rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
			b.ReportAllocs()
			b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
			cpu0 := cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := &http.Request{Method: "POST", URL: u, Host: u.Host, Header: hdr,
						Body: io.NopCloser(bytes.NewReader(payload)), ContentLength: int64(len(payload))}
					resp, err := bc.rt.RoundTrip(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
