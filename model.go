package emohallucer

import "context"

// Model is anything that answers a Request: a provider client, a baseline, or a
// decorator around another Model (cache, retry, limit, logger).
//
// Generate must be safe to call from many goroutines at once, and calling it again
// with the same Request must be harmless (retries rely on that). It returns an
// *Error with code EAUTH for rejected credentials, EPROVIDER for a request the API
// refuses for good, ERATELIMIT for throttling and a plain error for transient
// failures. An error with a RetryAfterDuration() time.Duration method carries the
// server's Retry-After (see provider/perr).
type Model interface {
	// Name is the model spec as the user wrote it, e.g. "openai:gpt-4o".
	Name() string
	Capabilities() Capabilities
	Generate(ctx context.Context, req *Request) (*Response, error)
}

// Capabilities describe what a model accepts and how it may be driven. They are a
// struct rather than methods so that new abilities do not grow the interface.
type Capabilities struct {
	// Identity is what the response cache keys on besides the request: provider,
	// model id and endpoint. Two models with equal identity answer alike.
	Identity string
	// Modalities the model accepts. Questions of other modalities are not evaluated.
	Modalities []Modality
	// MaxConcurrency bounds the requests in flight; 0 means the engine's default.
	MaxConcurrency int
	// Logprobs reports whether Response.YesProb can be filled.
	Logprobs bool
	// Deterministic models (baselines) need no cache.
	Deterministic bool
}

// Accepts reports whether the model takes inputs of modality m.
func (c Capabilities) Accepts(m Modality) bool {
	for _, k := range c.Modalities {
		if k == m {
			return true
		}
	}
	return false
}

// Request is one call to a model. Everything in it except Item is part of the
// response-cache key.
type Request struct {
	// Template names the prompt template and step that produced the messages, with
	// its version ("direct/v1", "pep-mek/v1:explain"); a changed template never
	// reuses old answers.
	Template string    `json:"template"`
	System   string    `json:"system,omitempty"`
	Messages []Message `json:"messages"`
	// Decoding parameters; nil means the model's default.
	Temperature *float64 `json:"temperature,omitempty"`
	TopP        *float64 `json:"top_p,omitempty"`
	Seed        *int64   `json:"seed,omitempty"`
	MaxTokens   int      `json:"max_tokens,omitempty"`
	// Logprobs asks for the log-probabilities of the first answer token, from which
	// the provider fills Response.YesProb.
	Logprobs bool `json:"logprobs,omitempty"`
	// Sample distinguishes repeated samples of the same prompt (self-consistency),
	// so that k samples are k cache entries rather than one.
	Sample int `json:"sample,omitempty"`
	// Item names the suite item for error messages and logs ("pair k-001 basic");
	// it is not part of the cache key.
	Item string `json:"-"`
}

// Message is one turn of a conversation.
type Message struct {
	Role  string `json:"role"` // "user" or "assistant"
	Parts []Part `json:"parts"`
}

// Part is a piece of a message: text, or a media file.
type Part struct {
	Text  string     `json:"text,omitempty"`
	Media *MediaFile `json:"media,omitempty"`
}

// MediaFile is a media file ready to send: its resolved location on disk and its
// digest. The digest, not the path, enters the cache key.
type MediaFile struct {
	Kind   Modality `json:"kind"`
	MIME   string   `json:"mime"`
	SHA256 string   `json:"sha256"`
	// Path is the file's absolute path after it was checked to lie in the suite.
	Path string `json:"-"`
	// Dir is the suite folder Path lies in. A file may change after the suite
	// was checked, so providers open Path through Dir at send time, refusing
	// anything that leads outside it or is not a regular file, and check the
	// bytes against SHA256.
	Dir string `json:"-"`
}

// UserText returns a user message holding text alone.
func UserText(text string) Message {
	return Message{Role: "user", Parts: []Part{{Text: text}}}
}

// Response is a model's answer to a Request.
type Response struct {
	Text  string `json:"text"`
	Usage Usage  `json:"usage"`
	// YesProb is P(yes)/(P(yes)+P(no)) from the first answer token's
	// log-probabilities, when the request asked for them and the API returned them.
	YesProb *float64 `json:"yes_prob,omitempty"`
	// FinishReason as the API reported it ("stop", "length", …).
	FinishReason string `json:"finish_reason,omitempty"`
	// LatencyMS is the wall time of the call that produced the response.
	LatencyMS float64 `json:"latency_ms,omitempty"`
	// Cached is set by the cache decorator when no model was called.
	Cached bool `json:"-"`
}

// Usage counts tokens as the API reported them.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// Add returns the sum of two usages.
func (u Usage) Add(v Usage) Usage {
	return Usage{u.PromptTokens + v.PromptTokens, u.CompletionTokens + v.CompletionTokens}
}
