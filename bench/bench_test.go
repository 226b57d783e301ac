package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/suite"
)

// These tests are quick smoke checks of the bench's own parts; the
// measurements themselves run only through `go run ./bench`.

func TestSyntheticSuiteIsValidAndDeterministic(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSuite(dir, 300, 1); err != nil {
		t.Fatal(err)
	}
	s, err := suite.Read(dir, suite.Options{})
	if err != nil {
		t.Fatalf("generated suite does not validate: %v", err)
	}
	if len(s.Pairs) != 300 {
		t.Fatalf("got %d pairs, want 300", len(s.Pairs))
	}
	st := suite.Count(s)
	if st.ByDimension["knowledge"] == 0 || st.ByDimension["perception"] == 0 {
		t.Errorf("want both dimensions, got %v", st.ByDimension)
	}
	a, b := SyntheticPairs(50, 7), SyntheticPairs(50, 7)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("same size and seed gave different suites")
	}
}

func TestGeneratedRecordsDecode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "records.jsonl")
	if err := WriteRecords(path, 20, 1); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := record.ReadPaths([]string{path}, nil, func(r *eh.Record) error {
		n++
		if r.Status != eh.StatusAnswered || len(r.Steps) != 1 || r.Steps[0].Prompt == nil {
			t.Errorf("record %s: want an answered record with its prompt, got %+v", r.Key(), r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 40 {
		t.Errorf("decoded %d records, want 40", n)
	}
}

func TestParseLatency(t *testing.T) {
	tests := []struct {
		in   string
		mean time.Duration
		bad  bool
	}{
		// a bare duration is fixed
		{in: "20ms", mean: 20 * time.Millisecond},
		{in: "fixed:200ms", mean: 200 * time.Millisecond},
		{in: "uniform:10ms-30ms", mean: 20 * time.Millisecond},
		{in: "exp:5ms", mean: 5 * time.Millisecond},
		// sigma 0 degenerates to the median
		{in: "lognormal:20ms:0", mean: 20 * time.Millisecond},
		// sad: reversed bounds, unknown kind, missing sigma
		{in: "uniform:30ms-10ms", bad: true},
		{in: "pareto:1ms", bad: true},
		{in: "lognormal:20ms", bad: true},
	}
	for _, tt := range tests {
		l, err := ParseLatency(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("ParseLatency(%q) error = %v, want error %v", tt.in, err, tt.bad)
			continue
		}
		if !tt.bad && l.Mean() != tt.mean {
			t.Errorf("ParseLatency(%q).Mean() = %s, want %s", tt.in, l.Mean(), tt.mean)
		}
	}
}

// startServer starts a zero-latency server of one implementation for a test.
func startServer(t *testing.T, impl string, lat Latency) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv := &Server{Latency: lat, Seed: 1, Impl: impl}
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

const chatBody = `{"model":"bench","messages":[{"role":"user","content":"Question: is this a test?"}],"logprobs":true}`

type chatReply struct {
	Choices []struct {
		Message  struct{ Content string } `json:"message"`
		Logprobs *struct {
			Content []struct{ Token string } `json:"content"`
		} `json:"logprobs"`
	} `json:"choices"`
	Usage struct {
		Prompt int `json:"prompt_tokens"`
	} `json:"usage"`
}

func TestServerAnswersChatCompletions(t *testing.T) {
	for _, impl := range []string{"raw", "nethttp"} {
		t.Run(impl, func(t *testing.T) {
			srv := startServer(t, impl, Latency{Kind: "fixed"})
			for i := 0; i < 2; i++ {
				resp, err := http.Post(srv.URL()+"/chat/completions", "application/json", strings.NewReader(chatBody))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var out chatReply
				if err := json.Unmarshal(b, &out); err != nil || len(out.Choices) != 1 {
					t.Fatalf("reply %s: %v", b, err)
				}
				if c := out.Choices[0].Message.Content; c != "Yes." && c != "No." {
					t.Errorf("answer %q, want Yes. or No.", c)
				}
				if lp := out.Choices[0].Logprobs; lp == nil || len(lp.Content) != 1 {
					t.Errorf("logprobs asked for, got %s", b)
				}
			}
			resp, err := http.Post(srv.URL()+"/chat/completions", "application/json", strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("empty request: status %d, want 400", resp.StatusCode)
			}
			if st := srv.Stats(); st.Requests != 3 || st.Bad != 1 {
				t.Errorf("stats %+v, want 3 requests, 1 bad", st)
			}
		})
	}
}

// createdRE matches the only field of a reply that depends on the clock.
var createdRE = regexp.MustCompile(`"created":[0-9]+`)

// TestRawServerMatchesNetHTTP sends the same requests through Go's client to
// both implementations: the replies must be the same bytes, whatever the
// body's framing.
func TestRawServerMatchesNetHTTP(t *testing.T) {
	raw := startServer(t, "raw", Latency{Kind: "fixed"})
	std := startServer(t, "nethttp", Latency{Kind: "fixed"})
	tests := []struct {
		name, method, path, body string
		// chunked hides the body's length, so that the client sends it chunked.
		chunked bool
		status  int
	}{
		{name: "content-length body", method: "POST", path: "/chat/completions", body: chatBody, status: 200},
		{name: "chunked body", method: "POST", path: "/chat/completions", body: chatBody, chunked: true, status: 200},
		{name: "no logprobs", method: "POST", path: "/chat/completions", body: `{"messages":[{"role":"user","content":"Is it?"}]}`, status: 200},
		{name: "models", method: "GET", path: "/models", status: 200},
		{name: "bad body", method: "POST", path: "/chat/completions", body: `not json`, status: 400},
		{name: "chunked bad body", method: "POST", path: "/chat/completions", body: `[]`, chunked: true, status: 400},
		{name: "unknown path", method: "GET", path: "/nope", status: 404},
		{name: "wrong method", method: "GET", path: "/chat/completions", status: 405},
	}
	get := func(srv *Server, method, path, body string, chunked bool) (int, []byte) {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
			if chunked {
				// A body of unknown length: Go's client sends it chunked.
				r = io.MultiReader(r)
			}
		}
		req, err := http.NewRequest(method, srv.URL()+path, r)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, createdRE.ReplaceAll(b, []byte(`"created":0`))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, rb := get(raw, tt.method, tt.path, tt.body, tt.chunked)
			ss, sb := get(std, tt.method, tt.path, tt.body, tt.chunked)
			if rs != tt.status || ss != tt.status {
				t.Fatalf("status raw %d, nethttp %d, want %d", rs, ss, tt.status)
			}
			// Error bodies differ (net/http's http.Error is text/plain); the
			// answers must not.
			if tt.status == 200 && !bytes.Equal(rb, sb) {
				t.Errorf("replies differ:\nraw     %s\nnethttp %s", rb, sb)
			}
		})
	}
	rst, sst := raw.Stats(), std.Stats()
	if rst.Requests != sst.Requests || rst.Bad != sst.Bad || rst.Bad != 2 {
		t.Errorf("stats differ or miss the bad bodies: raw %+v, nethttp %+v", rst, sst)
	}
}

func TestRawServerKeepsConnectionsAlive(t *testing.T) {
	// A delay makes each request wait in a read with a deadline: the
	// connection must stay usable after the deadline passes.
	srv := startServer(t, "raw", Latency{Kind: "fixed", A: time.Millisecond})
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	const n = 50
	for i := 0; i < n; i++ {
		resp, err := client.Post(srv.URL()+"/chat/completions", "application/json", strings.NewReader(chatBody))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if st := srv.Stats(); st.Conns != 1 || st.Requests != n || st.MaxInflight != 1 || st.Window <= 0 {
		t.Errorf("stats %+v, want %d requests over 1 connection, 1 in flight", st, n)
	}
}

func TestRawServerRefusesOversizedHead(t *testing.T) {
	srv := startServer(t, "raw", Latency{Kind: "fixed"})
	req, _ := http.NewRequest("POST", srv.URL()+"/chat/completions", strings.NewReader(chatBody))
	req.Header.Set("X-Big", strings.Repeat("x", 100<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !resp.Close {
		t.Errorf("status %d (close %v), want 431 and the connection closed", resp.StatusCode, resp.Close)
	}
}

// rawExchange writes in to a fresh connection to srv and reads responses
// until the server closes the connection.
func rawExchange(t *testing.T, srv *Server, in string) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(srv.URL(), "/v1"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, in); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []*http.Response
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return out
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("after %d responses: %v", len(out), err)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		out = append(out, resp)
	}
}

// TestRawServerFraming drives the raw server with hand-written requests: each
// exchange ends with a request the server must close the connection after, so
// rawExchange's read to EOF also checks that the close is honoured.
func TestRawServerFraming(t *testing.T) {
	// With a delay, a pipelined request arrives while the one before waits.
	srv := startServer(t, "raw", Latency{Kind: "fixed", A: time.Millisecond})
	cl := strconv.Itoa(len(chatBody))
	chunked := "post /v1/chat/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: Chunked\r\n\r\n" +
		"a;ext=1\r\n" + chatBody[:10] + "\r\n" + strconv.FormatInt(int64(len(chatBody)-10), 16) + "\r\n" + chatBody[10:] + "\r\n" +
		"0\r\nX-Trailer: t\r\n\r\n"
	tests := []struct {
		name   string
		in     string
		status []int
	}{
		{name: "pipelined, then Connection: close",
			in: "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + cl + "\r\n\r\n" + chatBody +
				"\r\nGET /v1/models?x=1 HTTP/1.1\r\nHost: x\r\n\r\n" + // a stray CRLF between requests is allowed
				"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nconnection: Close\r\ncontent-length: " + cl + "\r\n\r\n" + chatBody,
			status: []int{200, 200, 200}},
		{name: "HTTP/1.0 closes by default",
			in: "GET /v1/models HTTP/1.0\r\n\r\n", status: []int{200}},
		{name: "HTTP/1.0 keep-alive",
			in: "GET /v1/models HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /v1/models HTTP/1.0\r\n\r\n", status: []int{200, 200}},
		{name: "method is case-sensitive, chunk framing is not",
			in: chunked + "GET /v1/nope HTTP/1.1\r\nConnection: close\r\n\r\n", status: []int{405, 404}},
		{name: "chunked with extensions and trailers",
			in: strings.Replace(chunked, "post", "POST", 1) + "GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n", status: []int{200, 200}},
		{name: "chunk longer than its size",
			in: "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}x\r\n0\r\n\r\n", status: []int{400}},
		{name: "both framings",
			in: "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n", status: []int{400}},
		{name: "body over the cap",
			in: "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", status: []int{413}},
		{name: "unsupported coding",
			in: "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: []int{501}},
		{name: "malformed request line",
			in: "HELLO\r\n\r\n", status: []int{400}},
		{name: "HTTP/2 over plain HTTP/1 framing",
			in: "GET /v1/models HTTP/2.0\r\n\r\n", status: []int{505}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resps := rawExchange(t, srv, tt.in)
			var got []int
			for _, r := range resps {
				got = append(got, r.StatusCode)
				if r.ContentLength < 0 || r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("response without Content-Length or JSON type: %+v", r.Header)
				}
			}
			if !slices.Equal(got, tt.status) {
				t.Fatalf("statuses %v, want %v", got, tt.status)
			}
			for _, r := range resps {
				if r.StatusCode == 200 {
					b, _ := io.ReadAll(r.Body)
					if !json.Valid(b) {
						t.Errorf("reply is not JSON: %s", b)
					}
				}
			}
			if last := resps[len(resps)-1]; !last.Close {
				t.Errorf("the last response does not say Connection: close")
			}
		})
	}
}

func TestRawServerExpectContinue(t *testing.T) {
	srv := startServer(t, "raw", Latency{Kind: "fixed"})
	c, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(srv.URL(), "/v1"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /v1/chat/completions HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: "+strconv.Itoa(len(chatBody))+"\r\n\r\n")
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("want 100 Continue before the body, got %q, %v", line, err)
	}
	if line, _ = br.ReadString('\n'); line != "\r\n" {
		t.Fatalf("100 Continue not followed by an empty line: %q", line)
	}
	io.WriteString(c, chatBody)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d, want 200", resp.StatusCode)
	}
}

// TestServerCloseEndsDelayedRequests checks that Close does not wait for a
// request's delay: a delay of an hour would hang the test.
func TestServerCloseEndsDelayedRequests(t *testing.T) {
	for _, impl := range []string{"raw", "nethttp"} {
		t.Run(impl, func(t *testing.T) {
			srv := startServer(t, impl, Latency{Kind: "fixed", A: time.Hour})
			errc := make(chan error, 1)
			go func() {
				resp, err := http.Post(srv.URL()+"/chat/completions", "application/json", strings.NewReader(chatBody))
				if err == nil {
					resp.Body.Close()
				}
				errc <- err
			}()
			for srv.Stats().Requests == 0 {
				time.Sleep(time.Millisecond)
			}
			srv.Close()
			if err := <-errc; err == nil {
				t.Error("a request cut by Close succeeded")
			}
		})
	}
}

func TestPromptfooConfigHasOneTestPerQuestion(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSuite(dir, 5, 1); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pf.yaml")
	n, err := WritePromptfooConfig(path, dir, "http://127.0.0.1:1/v1")
	if err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Fatalf("%d tests, want 10", n)
	}
	var cfg pfConfig
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Tests) != 10 || !strings.Contains(cfg.Tests[0].Vars["prompt"], "Answer with a single word") {
		t.Errorf("config tests do not carry the direct prompt: %+v", cfg.Tests[0])
	}
	if cfg.Tests[0].Assert[0].Value != "yes" || cfg.Tests[1].Assert[0].Value != "no" {
		t.Errorf("asserts do not follow the gold answers: %+v %+v", cfg.Tests[0].Assert, cfg.Tests[1].Assert)
	}
}
