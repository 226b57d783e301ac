package main

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a loopback OpenAI-compatible chat-completions endpoint whose answers
// are deterministic (a hash of the request's last message picks yes or no) and
// whose delay follows a configurable distribution. It counts what it served so
// that a measurement can check the client really sent every request and read
// the concurrency the client really reached.
type Server struct {
	Latency Latency
	// Seed makes the delay sequence repeatable.
	Seed uint64
	// Impl picks the implementation: "raw" (the default: HTTP/1.1 straight on
	// TCP, about 35-45% less CPU per request, see rawhttp.go) or "nethttp"
	// (the standard library's server, kept to compare against).
	Impl string

	lis net.Listener
	srv *http.Server // nethttp
	raw rawState     // raw

	requests    atomic.Int64
	conns       atomic.Int64
	bad         atomic.Int64
	inflight    atomic.Int64
	maxInflight atomic.Int64
	// first request arrival and last response, in UnixNano since the last Reset.
	first atomic.Int64
	last  atomic.Int64
	// served sums, over answered requests, the time from arrival to the reply
	// written: the latency the server really gave, its own wake-up delays
	// included.
	served  atomic.Int64
	nserved atomic.Int64
}

// Stats is what the server saw since its last Reset.
type Stats struct {
	Requests int64
	// Conns counts TCP connections the client opened: a client that reuses its
	// connections opens about as many as its concurrency.
	Conns       int64
	Bad         int64
	MaxInflight int64
	// Window is from the first request's arrival to the last response: the
	// time the client kept the server busy, without its own start-up and exit.
	Window time.Duration
	// CPU is filled by the caller: this process's CPU time over the run.
	CPU time.Duration
	// Served is the mean time from a request's arrival to its reply written.
	// Above the configured latency, it is the server's own lateness (its
	// goroutine woken late on a busy machine), which no client can make up.
	Served time.Duration
}

// Start listens on addr (use 127.0.0.1:0 for a free port) and serves in the
// background until ctx ends or Close is called.
func (s *Server) Start(ctx context.Context, addr string) error {
	if s.Impl != "" && s.Impl != "raw" && s.Impl != "nethttp" {
		return fmt.Errorf("bench server: unknown implementation %q (want raw or nethttp)", s.Impl)
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("bench server: %w", err)
	}
	s.lis = lis
	if s.Impl == "nethttp" {
		s.startNetHTTP()
	} else {
		s.startRaw()
	}
	go func() {
		<-ctx.Done()
		s.Close()
	}()
	return nil
}

func (s *Server) startNetHTTP() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, modelsBody)
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.conns.Add(1)
			}
		}}
	go s.srv.Serve(s.lis)
}

// URL is the base URL clients use ("http://127.0.0.1:PORT/v1").
func (s *Server) URL() string { return "http://" + s.lis.Addr().String() + "/v1" }

// Close stops the server at once: it closes the listener and every open
// connection, which ends the requests in flight.
func (s *Server) Close() error {
	if s.srv != nil {
		return s.srv.Close()
	}
	if s.lis != nil {
		return s.closeRaw()
	}
	return nil
}

// Reset zeroes the counters before a measurement.
func (s *Server) Reset() {
	s.requests.Store(0)
	s.conns.Store(0)
	s.bad.Store(0)
	s.maxInflight.Store(0)
	s.first.Store(0)
	s.last.Store(0)
	s.served.Store(0)
	s.nserved.Store(0)
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	st := Stats{Requests: s.requests.Load(), Conns: s.conns.Load(), Bad: s.bad.Load(), MaxInflight: s.maxInflight.Load()}
	if f, l := s.first.Load(), s.last.Load(); f > 0 && l > f {
		st.Window = time.Duration(l - f)
	}
	if n := s.nserved.Load(); n > 0 {
		st.Served = time.Duration(s.served.Load() / n)
	}
	return st
}

// bufPool recycles request and response buffers: the server shares the
// machine's cores with the client it measures, so it should cost little.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxBody caps a request body (both implementations): far above any real
// chat request, low enough that a runaway client cannot exhaust memory.
const maxBody = 64 << 20

// chat answers one chat-completions request on the net/http implementation.
func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	n, arrived := s.arrive()
	defer s.inflight.Add(-1)

	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(r.Body, maxBody))
	// The reply goes after the body in the same buffer: appending to the
	// available tail never overwrites the body.
	out, wait, ok := s.reply(buf.AvailableBuffer()[:0], buf.Bytes(), err == nil, n, arrived)
	if !ok {
		http.Error(w, badChat, http.StatusBadRequest)
		return
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	if _, err := w.Write(out); err != nil {
		return
	}
	s.sent(arrived)
}

// The bodies both implementations answer with, besides the chat reply.
const (
	modelsBody = `{"object":"list","data":[{"id":"bench","object":"model","created":0,"owned_by":"bench"}]}`
	badChat    = `{"error":{"message":"bad request: want a chat-completions body with messages","type":"invalid_request_error"}}`
)

// arrive counts a chat request as arrived and in flight; the caller must
// decrement s.inflight when it is done with it. n numbers the request since
// the server started (it seeds the request's delay and names the reply).
func (s *Server) arrive() (n int64, arrived time.Time) {
	arrived = time.Now()
	s.first.CompareAndSwap(0, arrived.UnixNano())
	n = s.requests.Add(1)
	in := s.inflight.Add(1)
	for {
		m := s.maxInflight.Load()
		if in <= m || s.maxInflight.CompareAndSwap(m, in) {
			break
		}
	}
	return n, arrived
}

// sent records that a response left: the busy window ends at the last one.
func (s *Server) sent(arrived time.Time) {
	now := time.Now().UnixNano()
	s.served.Add(now - arrived.UnixNano())
	s.nserved.Add(1)
	for {
		l := s.last.Load()
		if now <= l || s.last.CompareAndSwap(l, now) {
			break
		}
	}
}

// reply checks a chat-completions body and appends the reply JSON to dst,
// returning it with how long to wait before sending it. It does not decode the
// request fully (that would cost more CPU than the client under test): it
// checks that the body is a JSON object with messages, hashes the messages to
// pick yes or no, and fills a template. read is false when reading the body
// failed; a bad body is counted and gives ok false.
func (s *Server) reply(dst, body []byte, read bool, n int64, arrived time.Time) (out []byte, wait time.Duration, ok bool) {
	msgs := bytes.Index(body, []byte(`"messages"`))
	if !read || len(body) == 0 || body[0] != '{' || msgs < 0 {
		s.bad.Add(1)
		return dst, 0, false
	}
	// The messages are hashed (not the whole body, whose other fields a client
	// may order differently): the same question always gets the same answer.
	h := fnv.New64a()
	h.Write(body[msgs:])
	yes := h.Sum64()%10 < 6 // a mild yes-bias, like many real models
	text, tok, other := "No.", "No", "Yes"
	if yes {
		text, tok, other = "Yes.", "Yes", "No"
	}
	prompt := len(body[msgs:])/4 + 4
	logprobs := bytes.Contains(body, []byte(`"logprobs":true`))

	rng := rand.New(rand.NewPCG(s.Seed, uint64(n)))
	wait = s.Latency.Sample(rng) - time.Since(arrived)

	out = append(dst, `{"id":"chatcmpl-bench-`...)
	out = strconv.AppendInt(out, n, 10)
	out = append(out, `","object":"chat.completion","created":`...)
	out = strconv.AppendInt(out, arrived.Unix(), 10)
	out = append(out, `,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"`...)
	out = append(out, text...)
	out = append(out, `"},"finish_reason":"stop","logprobs":`...)
	if logprobs {
		out = append(out, `{"content":[{"token":"`...)
		out = append(out, tok...)
		out = append(out, `","logprob":-0.05,"bytes":null,"top_logprobs":[{"token":"`...)
		out = append(out, tok...)
		out = append(out, `","logprob":-0.05,"bytes":null},{"token":"`...)
		out = append(out, other...)
		out = append(out, `","logprob":-3.0,"bytes":null}]}]}`...)
	} else {
		out = append(out, "null"...)
	}
	out = append(out, `}],"usage":{"prompt_tokens":`...)
	out = strconv.AppendInt(out, int64(prompt), 10)
	out = append(out, `,"completion_tokens":2,"total_tokens":`...)
	out = strconv.AppendInt(out, int64(prompt+2), 10)
	out = append(out, "}}"...)
	return out, wait, true
}
