package h1

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestStaleIdleConnection: the server closes each connection after one response, so
// the pooled connection is dead when the next request takes it. The dead connection
// is seen before anything is written on it, and every request, even one whose body
// cannot be replayed, goes out once on a fresh connection.
func TestStaleIdleConnection(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		body    func() io.Reader
		getBody bool
	}{
		{name: "GET", method: "GET"},
		{name: "POST with GetBody", method: "POST", body: func() io.Reader { return strings.NewReader("payload") }, getBody: true},
		{name: "POST with unknown length", method: "POST", body: func() io.Reader { return unknownLength{strings.NewReader("payload")} }},
		{name: "POST without GetBody", method: "POST", body: func() io.Reader { return strings.NewReader("payload") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			closed := make(chan struct{}, 4)
			var mu sync.Mutex
			var bodies []string
			srv := newRawServer(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
				_, body, err := readRequest(br)
				if err != nil {
					return
				}
				mu.Lock()
				bodies = append(bodies, string(body))
				mu.Unlock()
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				c.Close()
				closed <- struct{}{}
			})
			tr := newTransport(t)
			roundTrip(t, tr, newRequest(t, context.Background(), "GET", srv.url+"/first", nil))
			<-closed // the pooled connection is now closed by the server
			if n := idleLen(tr); n != 1 {
				t.Fatalf("%d idle connections, want 1", n)
			}
			var body io.Reader
			if tt.body != nil {
				body = tt.body()
			}
			req := newRequest(t, context.Background(), tt.method, srv.url+"/second", body)
			if !tt.getBody {
				req.GetBody = nil
			}
			_, got := roundTrip(t, tr, req)
			if got != "ok" {
				t.Errorf("body %q, want ok", got)
			}
			if n := srv.accepts.Load(); n != 2 {
				t.Errorf("server accepted %d connections, want 2", n)
			}
			mu.Lock()
			defer mu.Unlock()
			want := []string{"", ""}
			if tt.body != nil {
				want[1] = "payload"
			}
			if !slices.Equal(bodies, want) {
				t.Errorf("server received bodies %q, want %q: each request exactly once", bodies, want)
			}
		})
	}
}

// TestDropAfterRequest: the connection was alive when taken, the server read the
// request and then closed without answering. It may have acted on the request, so
// only a request that is harmless to repeat is sent again, as net/http does.
func TestDropAfterRequest(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		key        bool // Idempotency-Key header
		wantCopies int
		wantErr    bool
	}{
		{name: "GET is sent again", method: "GET", wantCopies: 2},
		{name: "POST is not", method: "POST", wantCopies: 1, wantErr: true},
		{name: "POST with an idempotency key is", method: "POST", key: true, wantCopies: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var second atomic.Int32
			srv := newRawServer(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
				for {
					req, _, err := readRequest(br)
					if err != nil {
						return
					}
					if req.URL.Path == "/second" && second.Add(1) == 1 {
						c.Close() // read, then dropped without a reply
						return
					}
					io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			})
			tr := newTransport(t)
			roundTrip(t, tr, newRequest(t, context.Background(), "GET", srv.url+"/first", nil))
			var body io.Reader
			if tt.method == "POST" {
				body = strings.NewReader("payload")
			}
			req := newRequest(t, context.Background(), tt.method, srv.url+"/second", body)
			if tt.key {
				req.Header.Set("Idempotency-Key", "k-1")
			}
			resp, err := tr.RoundTrip(req)
			if tt.wantErr {
				if err == nil {
					resp.Body.Close()
					t.Fatal("RoundTrip succeeded; want the dropped connection's error")
				}
				if !isStale(err) {
					t.Errorf("error %v does not look like a closed connection", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(b) != "ok" {
					t.Errorf("body %q", b)
				}
			}
			if n := int(second.Load()); n != tt.wantCopies {
				t.Errorf("server received /second %d times, want %d", n, tt.wantCopies)
			}
		})
	}
}

// stallServer reads one request, optionally writes a partial response, then holds the
// connection open until the test ends, reporting on got once the request is in.
func stallServer(t *testing.T, partial string) (*rawServer, chan struct{}) {
	got := make(chan struct{}, 1)
	srv := newRawServer(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		if _, _, err := readRequest(br); err != nil {
			return
		}
		io.WriteString(c, partial)
		got <- struct{}{}
		<-s.done
	})
	return srv, got
}

func TestContext(t *testing.T) {
	t.Run("cancel while waiting for the response", func(t *testing.T) {
		srv, got := stallServer(t, "")
		tr := newTransport(t)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-got; cancel() }()
		_, err := tr.RoundTrip(newRequest(t, ctx, "GET", srv.url, nil))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || ne.Timeout() {
			t.Errorf("error %v: want a net.Error that is not a timeout", err)
		}
		if n := idleLen(tr); n != 0 {
			t.Errorf("%d idle connections after cancel, want 0", n)
		}
	})
	t.Run("deadline while waiting for the response", func(t *testing.T) {
		srv, _ := stallServer(t, "")
		tr := newTransport(t)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := tr.RoundTrip(newRequest(t, ctx, "GET", srv.url, nil))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error = %v, want context.DeadlineExceeded", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("error %v: want a net.Error with Timeout() true", err)
		}
	})
	t.Run("cancel while reading the body", func(t *testing.T) {
		srv, got := stallServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello")
		tr := newTransport(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		resp, err := tr.RoundTrip(newRequest(t, ctx, "GET", srv.url, nil))
		if err != nil {
			t.Fatal(err)
		}
		<-got
		buf := make([]byte, 5)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			t.Fatal(err)
		}
		cancel()
		_, err = io.ReadAll(resp.Body)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("body error = %v, want context.Canceled", err)
		}
		resp.Body.Close()
		if n := idleLen(tr); n != 0 {
			t.Errorf("%d idle connections after cancel, want 0", n)
		}
	})
	t.Run("already canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := newTransport(t).RoundTrip(newRequest(t, ctx, "GET", "http://127.0.0.1:1/", nil))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	})
	t.Run("deadline context reused after success", func(t *testing.T) {
		srv := httptest.NewServer(testMux())
		defer srv.Close()
		tr := newTransport(t)
		for range 3 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			roundTrip(t, tr, newRequest(t, ctx, "GET", srv.URL+"/echo", nil))
			cancel() // fires no AfterFunc: the exchange already ended
		}
		if n := idleLen(tr); n != 1 {
			t.Errorf("%d idle connections, want 1", n)
		}
	})
}

// TestCloseBeforeEOF: closing an unfinished body closes the connection, which the
// server observes as EOF, unless the rest of the body is already buffered.
func TestCloseBeforeEOF(t *testing.T) {
	t.Run("unread remainder closes the connection", func(t *testing.T) {
		sawClose := make(chan error, 1)
		srv := newRawServer(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
			if _, _, err := readRequest(br); err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n0123456789")
			_, err := br.ReadByte() // blocks until the client closes
			sawClose <- err
		})
		tr := newTransport(t)
		resp, err := tr.RoundTrip(newRequest(t, context.Background(), "GET", srv.url, nil))
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 5)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if err := <-sawClose; err != io.EOF {
			t.Errorf("server read %v, want EOF from the client's close", err)
		}
		if n := idleLen(tr); n != 0 {
			t.Errorf("%d idle connections, want 0", n)
		}
		if _, err := resp.Body.Read(buf); err != errReadOnClosed {
			t.Errorf("Read after Close = %v, want %v", err, errReadOnClosed)
		}
	})
	t.Run("buffered remainder keeps the connection", func(t *testing.T) {
		for _, response := range []string{
			"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n",
		} {
			srv := newRawServer(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
				for {
					if _, _, err := readRequest(br); err != nil {
						return
					}
					io.WriteString(c, response)
				}
			})
			tr := newTransport(t)
			resp, err := tr.RoundTrip(newRequest(t, context.Background(), "GET", srv.url, nil))
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 2)
			if _, err := io.ReadFull(resp.Body, buf); err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if n := idleLen(tr); n != 1 {
				t.Errorf("%q: %d idle connections, want 1", response, n)
			}
		}
	})
	t.Run("Close interrupts a blocked Read", func(t *testing.T) {
		srv, got := stallServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
		tr := newTransport(t)
		resp, err := tr.RoundTrip(newRequest(t, context.Background(), "GET", srv.url, nil))
		if err != nil {
			t.Fatal(err)
		}
		<-got
		readDone := make(chan error)
		go func() {
			_, err := io.ReadAll(resp.Body)
			readDone <- err
		}()
		resp.Body.Close()
		if err := <-readDone; err != errReadOnClosed {
			t.Errorf("Read of a body closed underneath it = %v, want %v", err, errReadOnClosed)
		}
		if n := idleLen(tr); n != 0 {
			t.Errorf("%d idle connections, want 0", n)
		}
	})
}
