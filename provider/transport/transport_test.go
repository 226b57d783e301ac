package transport

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"
)

// NewTransport sends plain-http requests no proxy applies to through h1 and
// the rest through net/http; EMOHALLUCER_HTTP=nethttp sends all through
// net/http. Each path is checked against a real loopback server, with the
// fixed headers added and a body of the server's bytes.
func TestNewTransportRoutes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"x_extra":%q}`, r.Header.Get("X-Extra"))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		name, env string
		lean      bool
	}{
		{"default", "", true},
		{"nethttp", "nethttp", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("EMOHALLUCER_HTTP", tt.env)
			tr := NewTransport(8, http.Header{"X-Extra": {"v"}}, 0)
			_, isRouter := tr.Base.(*router)
			if isRouter != tt.lean {
				t.Fatalf("base %T, want router %v", tr.Base, tt.lean)
			}
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != `{"x_extra":"v"}` {
				t.Errorf("body %s", body)
			}
			if r, ok := tr.Base.(*router); ok {
				if v, ok := r.eligible.Load(req.URL.Host); !ok || !v.(bool) {
					t.Errorf("loopback http not routed to h1: %v %v", v, ok)
				}
			}
		})
	}
}

// Only failures that mean no server was reached count as unreachable: a slow
// server (timeout) or a dropped connection is still a server.
func TestUnreachable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, true},
		{"no route", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, true},
		{"network down", fmt.Errorf("wrapped: %w", syscall.ENETUNREACH), true},
		{"no such host", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "nohost.invalid", IsNotFound: true}}, true},
		{"DNS timeout", &net.DNSError{Err: "i/o timeout", Name: "slow", IsTimeout: true}, false},
		{"deadline", context.DeadlineExceeded, false},
		{"closed", io.ErrUnexpectedEOF, false},
		{"reset", syscall.ECONNRESET, false},
	}
	for _, tt := range tests {
		if got := unreachable(tt.err); got != tt.want {
			t.Errorf("%s: unreachable = %v, want %v", tt.name, got, tt.want)
		}
	}
}
