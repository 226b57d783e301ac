// Package fakeapi runs a loopback HTTP server that speaks the wire formats of the
// three model APIs emohallucer talks to — OpenAI chat completions, Anthropic
// Messages and Gemini generateContent — with scripted answers, token usage,
// optional log-probabilities, latency, and fault injection (429 with Retry-After,
// 5xx, slow replies, dropped connections, malformed, huge and non-UTF-8 bodies).
//
// It counts every request received and every reply served per fault, so tests of
// the engine, the retry decorator and the CLI can prove that every attempt is
// accounted for. Fault choice is deterministic for a given Seed: it depends on the
// request body and on how many times that body was seen, not on arrival order, so
// concurrent runs inject the same faults into the same requests.
//
// Use:
//
//	srv := fakeapi.New(fakeapi.Config{Answer: func(r *fakeapi.Request) string { return "No" }})
//	defer srv.Close()
//	// openai:gpt-4o@<srv.OpenAIBaseURL()>, anthropic base URL srv.URL, gemini base URL srv.URL
package fakeapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"
)

// API names a wire format.
type API string

// Wire formats served.
const (
	OpenAI    API = "openai"
	Anthropic API = "anthropic"
	Gemini    API = "gemini"
)

// Fault is what the server does instead of (or on top of) answering normally.
type Fault string

// Faults. FaultNone is a normal answer.
const (
	FaultNone         Fault = "ok"
	FaultRateLimit    Fault = "429"       // 429 with Retry-After
	FaultServerError  Fault = "500"       // 500 with an API error body
	FaultUnavailable  Fault = "503"       // 503 with an API error body
	FaultBadRequest   Fault = "400"       // 400: a permanent refusal
	FaultUnauthorized Fault = "401"       // 401: bad credentials
	FaultForbidden    Fault = "403"       // 403
	FaultSlow         Fault = "slow"      // waits SlowDelay (or until the client gives up), then answers
	FaultDrop         Fault = "drop"      // reads the request, then closes the connection without a reply
	FaultMalformed    Fault = "malformed" // 200 with truncated JSON
	FaultHuge         Fault = "huge"      // 200 with an answer text of HugeBytes
	FaultNonUTF8      Fault = "non-utf8"  // 200 whose answer text holds invalid UTF-8 bytes
)

// Faults lists every fault in a fixed order (the order Rates are drawn in).
var Faults = []Fault{FaultNone, FaultRateLimit, FaultServerError, FaultUnavailable, FaultBadRequest,
	FaultUnauthorized, FaultForbidden, FaultSlow, FaultDrop, FaultMalformed, FaultHuge, FaultNonUTF8}

// Media is an image, audio or video part of a request, decoded.
type Media struct {
	Kind   string // "image", "audio", "video" or "file"
	MIME   string
	Format string // input_audio format ("wav", "mp3")
	Data   []byte
	// URL is the original URL when the part was given by URL (data: URIs are decoded
	// into Data and kept here too).
	URL string
}

// Message is one decoded message of a request.
type Message struct {
	Role  string
	Text  string // text parts joined by "\n"
	Media []Media
}

// Request is a request as the server understood it, whatever its wire format.
type Request struct {
	API      API
	Path     string
	Model    string
	System   string
	Messages []Message
	// Decoding parameters as sent; nil when absent.
	Temperature *float64
	TopP        *float64
	Seed        *int64
	MaxTokens   int
	Logprobs    bool
	TopLogprobs int
	Header      http.Header
	// Body is the raw JSON body, for checks of fields not decoded here.
	Body []byte
}

// LastText returns the text of the last message.
func (r *Request) LastText() string {
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[len(r.Messages)-1].Text
}

// Media returns every media part of the request of the given kind ("" for all).
func (r *Request) Media(kind string) []Media {
	var out []Media
	for _, m := range r.Messages {
		for _, p := range m.Media {
			if kind == "" || p.Kind == kind {
				out = append(out, p)
			}
		}
	}
	return out
}

// Config scripts the server. The zero value answers "Yes" to everything.
type Config struct {
	// Seed makes fault draws reproducible.
	Seed uint64
	// Answer returns the answer text; default "Yes".
	Answer func(*Request) string
	// YesProb returns P(yes) for the first-token log-probabilities; default 0.9 when
	// the answer starts with "yes" (any case), else 0.1.
	YesProb func(*Request) float64
	// Latency is added before every reply.
	Latency time.Duration
	// SlowDelay is how long FaultSlow waits; default 5 s.
	SlowDelay time.Duration
	// RetryAfter is the Retry-After header value of 429 replies; default "1".
	// Set it to "-" to send none.
	RetryAfter string
	// Script gives the faults of the first requests, in arrival order.
	Script []Fault
	// Rates gives each later request a fault with these probabilities (summing to
	// at most 1; the rest are answered normally).
	Rates map[Fault]float64
	// HugeBytes is the answer size of FaultHuge; default 1 MiB.
	HugeBytes int
	// DropKinds lists media kinds ("image", "audio", "video") the server silently
	// ignores: they add no prompt tokens, like a text-only model behind a lenient
	// OpenAI-compatible server.
	DropKinds []string
	// APIKey, when set, must be presented (Bearer, x-api-key or x-goog-api-key);
	// otherwise the request gets 401.
	APIKey string
	// Keep is how many recent requests Requests returns; default 256.
	Keep int
}

// Server is a running fake API. Safe for concurrent use.
type Server struct {
	*httptest.Server
	cfg Config

	mu       sync.Mutex
	received int64
	served   map[Fault]int64
	apis     map[API]int64
	seen     map[[32]byte]int
	script   int
	recent   []*Request
}

// New starts a server on a loopback port. Close it when done.
func New(cfg Config) *Server {
	if cfg.SlowDelay == 0 {
		cfg.SlowDelay = 5 * time.Second
	}
	if cfg.RetryAfter == "" {
		cfg.RetryAfter = "1"
	}
	if cfg.HugeBytes == 0 {
		cfg.HugeBytes = 1 << 20
	}
	if cfg.Keep == 0 {
		cfg.Keep = 256
	}
	s := &Server{cfg: cfg, served: map[Fault]int64{}, apis: map[API]int64{}, seen: map[[32]byte]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// OpenAIBaseURL is the base URL an OpenAI client takes ("…/v1").
func (s *Server) OpenAIBaseURL() string { return s.URL + "/v1" }

// Received returns how many requests reached the server.
func (s *Server) Received() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received
}

// Served returns how many requests were handled with fault f (FaultNone: answered
// normally).
func (s *Server) Served(f Fault) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served[f]
}

// Counts returns the number of requests handled per fault.
func (s *Server) Counts() map[Fault]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[Fault]int64, len(s.served))
	for k, v := range s.served {
		out[k] = v
	}
	return out
}

// Requests returns the most recent requests (at most Config.Keep), oldest first.
func (s *Server) Requests() []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Request(nil), s.recent...)
}

// Last returns the most recent request, nil when none arrived.
func (s *Server) Last() *Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.recent) == 0 {
		return nil
	}
	return s.recent[len(s.recent)-1]
}

// choose picks the fault for a request: the script first, then the rates drawn
// from a hash of the seed, the body and how often the body was seen.
func (s *Server) choose(body []byte) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received++
	if s.script < len(s.cfg.Script) {
		f := s.cfg.Script[s.script]
		s.script++
		return f
	}
	if len(s.cfg.Rates) == 0 {
		return FaultNone
	}
	sum := sha256.Sum256(body)
	n := s.seen[sum]
	s.seen[sum] = n + 1
	var buf [48]byte
	copy(buf[:32], sum[:])
	binary.LittleEndian.PutUint64(buf[32:], s.cfg.Seed)
	binary.LittleEndian.PutUint64(buf[40:], uint64(n))
	h := sha256.Sum256(buf[:])
	u := float64(binary.LittleEndian.Uint64(h[:8])>>11) / (1 << 53)
	acc := 0.0
	for _, f := range Faults {
		acc += s.cfg.Rates[f]
		if u < acc {
			return f
		}
	}
	return FaultNone
}

func (s *Server) count(f Fault, req *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.served[f]++
	if req != nil {
		s.apis[req.API]++
		s.recent = append(s.recent, req)
		if len(s.recent) > s.cfg.Keep {
			s.recent = s.recent[len(s.recent)-s.cfg.Keep:]
		}
	}
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 256<<20))
	if err != nil {
		http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
		return
	}
	var api API
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chat/completions"):
		api = OpenAI
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages"):
		api = Anthropic
	case r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/models/") && strings.HasSuffix(r.URL.Path, ":generateContent"):
		api = Gemini
	default:
		s.mu.Lock()
		s.received++
		s.mu.Unlock()
		s.count(FaultBadRequest, nil)
		http.Error(w, `{"error":{"message":"fakeapi: no route for `+r.Method+" "+r.URL.Path+`"}}`, http.StatusNotFound)
		return
	}
	fault := s.choose(body)
	req, perr := parse(api, r, body)
	if perr != nil && fault == FaultNone {
		s.count(FaultBadRequest, req)
		writeError(w, api, http.StatusBadRequest, "invalid_request_error", "fakeapi: "+perr.Error(), "")
		return
	}
	if s.cfg.APIKey != "" && !hasKey(r, s.cfg.APIKey) && fault == FaultNone {
		fault = FaultUnauthorized
	}
	if s.cfg.Latency > 0 {
		select {
		case <-time.After(s.cfg.Latency):
		case <-r.Context().Done():
		}
	}
	s.count(fault, req)
	switch fault {
	case FaultRateLimit:
		if s.cfg.RetryAfter != "-" {
			w.Header().Set("Retry-After", s.cfg.RetryAfter)
		}
		writeError(w, api, http.StatusTooManyRequests, "rate_limit_error", "Rate limit reached for requests; please slow down.", "RESOURCE_EXHAUSTED")
	case FaultServerError:
		writeError(w, api, http.StatusInternalServerError, "server_error", "The server had an error while processing your request.", "INTERNAL")
	case FaultUnavailable:
		writeError(w, api, http.StatusServiceUnavailable, "overloaded_error", "The engine is currently overloaded.", "UNAVAILABLE")
	case FaultBadRequest:
		writeError(w, api, http.StatusBadRequest, "invalid_request_error", "Invalid value for 'messages'.", "INVALID_ARGUMENT")
	case FaultUnauthorized:
		writeError(w, api, http.StatusUnauthorized, "authentication_error", "Incorrect API key provided.", "UNAUTHENTICATED")
	case FaultForbidden:
		writeError(w, api, http.StatusForbidden, "permission_error", "Your key may not use this model.", "PERMISSION_DENIED")
	case FaultDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"Ye`)
	case FaultSlow:
		select {
		case <-time.After(s.cfg.SlowDelay):
		case <-r.Context().Done():
			return
		}
		s.answer(w, req, "")
	case FaultHuge:
		s.answer(w, req, strings.Repeat("yes ", s.cfg.HugeBytes/4+1)[:s.cfg.HugeBytes])
	case FaultNonUTF8:
		s.answer(w, req, "Yes \xff\xfe\xc3 that is right")
	default:
		s.answer(w, req, "")
	}
}

func hasKey(r *http.Request, key string) bool {
	return r.Header.Get("Authorization") == "Bearer "+key || r.Header.Get("X-Api-Key") == key ||
		r.Header.Get("X-Goog-Api-Key") == key || r.URL.Query().Get("key") == key
}

// writeError writes an error body in the API's own shape.
func writeError(w http.ResponseWriter, api API, status int, typ, msg, gstatus string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	var v any
	switch api {
	case Anthropic:
		v = map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}}
	case Gemini:
		v = map[string]any{"error": map[string]any{"code": status, "message": msg, "status": gstatus}}
	default:
		v = map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}}
	}
	json.NewEncoder(w).Encode(v)
}

// answer writes a successful reply. text overrides the scripted answer (huge and
// non-UTF-8 faults); it may hold invalid UTF-8, written raw into the JSON string.
func (s *Server) answer(w http.ResponseWriter, req *Request, text string) {
	if text == "" {
		text = "Yes"
		if s.cfg.Answer != nil {
			text = s.cfg.Answer(req)
		}
	}
	py := 0.1
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(text)), "yes") {
		py = 0.9
	}
	if s.cfg.YesProb != nil {
		py = s.cfg.YesProb(req)
	}
	prompt, completion := s.tokens(req), len(text)/4+1
	finish := "stop"
	if req.MaxTokens > 0 && completion > req.MaxTokens {
		finish = "length"
	}
	var body []byte
	switch req.API {
	case OpenAI:
		body = openAIReply(req, text, py, prompt, completion, finish)
	case Anthropic:
		body = anthropicReply(req, text, prompt, completion, finish)
	case Gemini:
		body = geminiReply(req, text, py, prompt, completion, finish)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// tokens counts prompt tokens: a quarter token per text byte, 3 per message, 85
// per image, 10 per second of 16 kHz 16-bit audio (at least 8), 300 per video;
// media of DropKinds count nothing.
func (s *Server) tokens(req *Request) int {
	n := len(req.System)/4 + 3
	for _, m := range req.Messages {
		n += len(m.Text)/4 + 3
		for _, p := range m.Media {
			if contains(s.cfg.DropKinds, p.Kind) {
				continue
			}
			switch p.Kind {
			case "image":
				n += 85
			case "audio":
				n += max(8, len(p.Data)/3200)
			default:
				n += 300
			}
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rawString quotes s as a JSON string but leaves invalid UTF-8 bytes raw, as a
// buggy server would (encoding/json would replace them).
func rawString(s string) []byte {
	var b bytes.Buffer
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.Bytes()
}

// firstToken splits the answer into its first word and the rest, the way a
// tokenizer would put "Yes" in its own token.
func firstToken(text string) string {
	t := strings.TrimSpace(text)
	if i := strings.IndexAny(t, " ,.!\n"); i > 0 {
		return t[:i]
	}
	return t
}

func logp(p float64) float64 {
	if p <= 0 {
		return -9999
	}
	return math.Log(p)
}

func openAIReply(req *Request, text string, py float64, prompt, completion int, finish string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"id":"chatcmpl-fake","object":"chat.completion","created":1700000000,"model":%q,"system_fingerprint":"fp_fake","choices":[{"index":0,"message":{"role":"assistant","content":`, req.Model)
	b.Write(rawString(text))
	b.WriteString(`,"refusal":null},"finish_reason":"` + finish + `","logprobs":`)
	if req.Logprobs {
		first := firstToken(text)
		top := []map[string]any{
			{"token": "Yes", "logprob": logp(py * 0.8), "bytes": []int{89, 101, 115}},
			{"token": "No", "logprob": logp((1 - py) * 0.8), "bytes": []int{78, 111}},
			{"token": " yes", "logprob": logp(py * 0.2), "bytes": []int{32, 121, 101, 115}},
			{"token": "no", "logprob": logp((1 - py) * 0.2), "bytes": []int{110, 111}},
		}
		sort.SliceStable(top, func(i, j int) bool { return top[i]["logprob"].(float64) > top[j]["logprob"].(float64) })
		if req.TopLogprobs > 0 && req.TopLogprobs < len(top) {
			top = top[:req.TopLogprobs]
		}
		chosen := -0.1
		for _, t := range top {
			if t["token"] == first {
				chosen = t["logprob"].(float64)
			}
		}
		lp, _ := json.Marshal(map[string]any{"content": []map[string]any{{"token": first, "logprob": chosen, "bytes": []byte(first), "top_logprobs": top}}, "refusal": nil})
		b.Write(lp)
	} else {
		b.WriteString("null")
	}
	fmt.Fprintf(&b, `}],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`, prompt, completion, prompt+completion)
	return b.Bytes()
}

func anthropicReply(req *Request, text string, prompt, completion int, finish string) []byte {
	stop := "end_turn"
	if finish == "length" {
		stop = "max_tokens"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"id":"msg_fake","type":"message","role":"assistant","model":%q,"content":[{"type":"text","text":`, req.Model)
	b.Write(rawString(text))
	fmt.Fprintf(&b, `}],"stop_reason":%q,"stop_sequence":null,"usage":{"input_tokens":%d,"output_tokens":%d}}`, stop, prompt, completion)
	return b.Bytes()
}

func geminiReply(req *Request, text string, py float64, prompt, completion int, finish string) []byte {
	reason := "STOP"
	if finish == "length" {
		reason = "MAX_TOKENS"
	}
	var b bytes.Buffer
	b.WriteString(`{"candidates":[{"content":{"role":"model","parts":[{"text":`)
	b.Write(rawString(text))
	fmt.Fprintf(&b, `}]},"finishReason":%q,"index":0`, reason)
	if req.Logprobs {
		first := firstToken(text)
		top := []map[string]any{
			{"token": "Yes", "logProbability": logp(py)},
			{"token": "No", "logProbability": logp(1 - py)},
		}
		if py < 0.5 {
			top[0], top[1] = top[1], top[0]
		}
		lp, _ := json.Marshal(map[string]any{
			"topCandidates":    []map[string]any{{"candidates": top}},
			"chosenCandidates": []map[string]any{{"token": first, "logProbability": top[0]["logProbability"]}},
		})
		b.WriteString(`,"logprobsResult":`)
		b.Write(lp)
	}
	fmt.Fprintf(&b, `}],"usageMetadata":{"promptTokenCount":%d,"candidatesTokenCount":%d,"totalTokenCount":%d},"modelVersion":%q}`, prompt, completion, prompt+completion, req.Model)
	return b.Bytes()
}
