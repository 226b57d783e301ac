// Package openai is the emohallucer Model for OpenAI's chat-completions API and
// every server that speaks it: vLLM, the llama.cpp server, Ollama's /v1, LiteLLM.
//
// It speaks the wire format itself (wire.go) over net/http rather than through
// the openai-go SDK: the SDK's reflective encoding and request pipeline cost
// about as much CPU per request as everything else the harness does, which at
// thousands of requests per second made the harness the bottleneck (see
// docs/PERFORMANCE.md). Only the few fields we send and read are modelled.
//
// Images go as data: URIs, audio as input_audio (wav or mp3; other formats are
// converted), video natively as vLLM's video_url when the config says the server
// takes it, or as sampled frames plus the audio track when the config asks for
// frames. Token log-probabilities of the first answer token give
// Response.YesProb.
package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/strictyaml"
	"github.com/emohallucer/emohallucer/provider/perr"
	"github.com/emohallucer/emohallucer/provider/prep"
	"github.com/emohallucer/emohallucer/provider/transport"
)

// DefaultBaseURL is OpenAI's own endpoint.
const DefaultBaseURL = "https://api.openai.com/v1"

// topLogprobs is how many alternatives are asked for the answer token: enough to
// see both "Yes" and "No" in their common spellings.
const topLogprobs = 10

// Config configures one model behind an OpenAI-compatible endpoint.
type Config struct {
	prep.Settings `yaml:",inline"`
	// AudioFormats the server takes as input_audio; default wav and mp3 (what
	// OpenAI documents). Other audio is converted to WAV.
	AudioFormats []string `yaml:"audio_formats"`
	// MaxTokensField is the request field for Request.MaxTokens: "max_tokens" or
	// "max_completion_tokens". Default: max_completion_tokens for api.openai.com
	// (newer OpenAI models refuse max_tokens), max_tokens elsewhere (older
	// compatible servers ignore the new name).
	MaxTokensField string `yaml:"max_tokens_field"`
	// Provider is the name in specs and identities; "openai" unless a wrapping
	// package (ollama) sets it.
	Provider string `yaml:"-"`
	// KeyOptional lets the client run without an API key (local servers). Set for
	// any base URL other than OpenAI's own.
	KeyOptional bool `yaml:"-"`
}

// Client is a Model speaking chat completions.
type Client struct {
	cfg Config
	// rt carries requests without an http.Client around it: the client's
	// header copying and redirect bookkeeping cost CPU and a chat completion
	// never redirects.
	rt http.RoundTripper
	// endpoint is the chat-completions URL; auth the Authorization header
	// value, empty for a local server without a key.
	endpoint, auth string
	prep           *prep.Preparer
	caps           emohallucer.Capabilities
	video          string
	secrets        []string
}

var _ emohallucer.Model = (*Client)(nil)

// ParseConfig reads a model's YAML section. Keys "provider" and "type" are left to
// the caller.
func ParseConfig(node *yaml.Node) (Config, error) {
	var c Config
	err := strictyaml.Decode(node, &c, "openai model", "provider", "type")
	return c, err
}

// ConfigFromSpec builds the Config of "MODEL[@BASE_URL]" (the part of a spec
// after "openai:"). Without a base URL it uses OPENAI_BASE_URL, else OpenAI's own.
func ConfigFromSpec(model, baseURL string) Config {
	if baseURL == "" {
		baseURL = os.Getenv("OPENAI_BASE_URL")
	}
	return Config{Settings: prep.Settings{Model: model, BaseURL: baseURL}}
}

// New checks the config, reads the API key from the environment and returns a
// client. No request is made.
func New(cfg Config) (*Client, error) {
	if cfg.Provider == "" {
		cfg.Provider = "openai"
	}
	if err := cfg.Fill(cfg.Provider, []emohallucer.Modality{emohallucer.Text, emohallucer.Image}); err != nil {
		return nil, err
	}
	u, err := cfg.Endpoint(DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	official := u.Host == "api.openai.com"
	if len(cfg.AudioFormats) == 0 {
		cfg.AudioFormats = []string{"wav", "mp3"}
	}
	switch cfg.MaxTokensField {
	case "":
		cfg.MaxTokensField = "max_tokens"
		if official {
			cfg.MaxTokensField = "max_completion_tokens"
		}
	case "max_tokens", "max_completion_tokens":
	default:
		return nil, emohallucer.Errorf(emohallucer.EINVALID, "%s: max_tokens_field must be max_tokens or max_completion_tokens", cfg.Name)
	}
	// OPENAI_API_KEY is OpenAI's; a wrapping provider (ollama) reads only the
	// variable its config names.
	keyEnv := []string{"OPENAI_API_KEY"}
	if cfg.Provider != "openai" {
		keyEnv = nil
	}
	key, err := cfg.Key(official && !cfg.KeyOptional, "(for another OpenAI-compatible server give its base URL: openai:MODEL@http://host:port/v1)", keyEnv...)
	if err != nil {
		return nil, err
	}
	header, secrets, err := cfg.HTTPHeader()
	if err != nil {
		return nil, err
	}
	if key != "" {
		secrets = append(secrets, key)
	}
	auth := ""
	if key != "" {
		auth = "Bearer " + key
	}
	logprobs := true
	if cfg.Logprobs != nil {
		logprobs = *cfg.Logprobs
	} else if cfg.Provider == "ollama" {
		logprobs = false
	}
	c := &Client{
		cfg:      cfg,
		rt:       transport.NewTransport(cfg.MaxConcurrency, header, 0),
		endpoint: strings.TrimSuffix(cfg.BaseURL, "/") + "/chat/completions",
		auth:     auth,
		prep:     &prep.Preparer{MaxImageSide: cfg.MaxImageSide, MaxBytes: cfg.MaxInlineBytes},
		video:    cfg.VideoMode(false),
		secrets:  secrets,
	}
	c.caps = cfg.Capabilities(cfg.Identity(cfg.Provider, cfg.BaseURL, c.video), logprobs)
	return c, nil
}

// Name returns the model's name ("openai:gpt-4o" unless configured).
func (c *Client) Name() string { return c.cfg.Name }

// Capabilities returns what the config declares.
func (c *Client) Capabilities() emohallucer.Capabilities { return c.caps }

// Generate sends one chat completion. It is safe for concurrent use and has no
// side effects besides the call itself.
func (c *Client) Generate(ctx context.Context, req *emohallucer.Request) (*emohallucer.Response, error) {
	body, err := c.build(ctx, req)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	cctx, capture := transport.WithCapture(cctx)
	start := time.Now()
	res, err := c.post(cctx, body)
	latency := time.Since(start)
	if err := transport.Classify(ctx, c.cfg.Name, req.Item, capture, err, c.secrets...); err != nil {
		return nil, err
	}
	if len(res.Choices) == 0 {
		return nil, perr.NewTransient(c.cfg.Name, req.Item, "malformed response", fmt.Errorf("no choices in the reply"))
	}
	ch := res.Choices[0]
	text := ch.Message.Content
	if text == "" && ch.Message.Refusal != "" {
		text = ch.Message.Refusal
	}
	out := &emohallucer.Response{
		Text: prep.BoundText(perr.Redact(text, c.secrets...)),
		Usage: emohallucer.Usage{
			PromptTokens:     int(res.Usage.PromptTokens),
			CompletionTokens: int(res.Usage.CompletionTokens),
		},
		FinishReason: ch.FinishReason,
		LatencyMS:    float64(latency.Microseconds()) / 1000,
	}
	if req.Logprobs && c.caps.Logprobs && ch.Logprobs != nil {
		out.YesProb = prep.YesProb(tokenPositions(ch.Logprobs.Content))
	}
	return out, nil
}

// post sends one request body and decodes the reply. A status other than 2xx is
// an error whose details transport.Classify reads from the request's Capture.
func (c *Client) post(ctx context.Context, body []byte) (*chatReply, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header["Content-Type"] = []string{"application/json"}
	hreq.Header["Accept"] = []string{"application/json"}
	if c.auth != "" {
		hreq.Header["Authorization"] = []string{c.auth}
	}
	resp, err := c.rt.RoundTrip(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var raw []byte
	if n := resp.ContentLength; n > 0 && n <= transport.DefaultMaxBody {
		raw = make([]byte, n)
		_, err = io.ReadFull(resp.Body, raw)
	} else {
		raw, err = io.ReadAll(resp.Body)
	}
	if err != nil {
		return nil, err
	}
	res, err := decodeReply(raw)
	if err != nil {
		return nil, fmt.Errorf("decode reply: %w", err)
	}
	return res, nil
}

// chatReply is the part of a chat-completions reply Generate reads
// (decodeReply decodes it).
type chatReply struct {
	Choices []choice `json:"choices"`
	Usage   struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
	} `json:"usage"`
}

type choice struct {
	Message struct {
		Content string `json:"content"`
		Refusal string `json:"refusal"`
	} `json:"message"`
	FinishReason string          `json:"finish_reason"`
	Logprobs     *choiceLogprobs `json:"logprobs"`
}

type choiceLogprobs struct {
	Content []replyToken `json:"content"`
}

type replyToken struct {
	Token       string       `json:"token"`
	TopLogprobs []topLogprob `json:"top_logprobs"`
}

type topLogprob struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
}

func tokenPositions(lp []replyToken) []prep.TokenPos {
	out := make([]prep.TokenPos, 0, len(lp))
	for _, t := range lp {
		pos := prep.TokenPos{Token: t.Token}
		for _, a := range t.TopLogprobs {
			pos.Top = append(pos.Top, prep.TokenAlt{Token: a.Token, Logprob: a.Logprob})
		}
		out = append(out, pos)
	}
	return out
}

// build maps a Request onto a chat-completions body, preparing its media.
// Media that cannot be prepared is an EINVALID error: retrying cannot help.
func (c *Client) build(ctx context.Context, req *emohallucer.Request) ([]byte, error) {
	p := chatRequest{Model: c.cfg.Model, Temperature: req.Temperature, TopP: req.TopP, Seed: req.Seed}
	if req.System != "" {
		p.Messages = append(p.Messages, chatMessage{Role: "system", Content: req.System})
	}
	for _, m := range req.Messages {
		switch m.Role {
		case "assistant":
			var b strings.Builder
			for _, part := range m.Parts {
				b.WriteString(part.Text)
			}
			p.Messages = append(p.Messages, chatMessage{Role: "assistant", Content: b.String()})
		case "user", "":
			parts, err := c.userParts(ctx, req, m.Parts)
			if err != nil {
				return nil, err
			}
			p.Messages = append(p.Messages, chatMessage{Role: "user", Content: parts})
		default:
			return nil, emohallucer.Errorf(emohallucer.EINVALID, "%s (%s): unknown message role %q", c.cfg.Name, req.Item, m.Role)
		}
	}
	if req.MaxTokens > 0 {
		if c.cfg.MaxTokensField == "max_completion_tokens" {
			p.MaxCompletionTokens = req.MaxTokens
		} else {
			p.MaxTokens = req.MaxTokens
		}
	}
	if req.Logprobs && c.caps.Logprobs {
		p.Logprobs, p.TopLogprobs = true, topLogprobs
	}
	body, err := json.Marshal(&p)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): encode request: %w", c.cfg.Name, req.Item, err)
	}
	if len(c.cfg.ExtraBody) > 0 {
		return mergeExtra(body, c.cfg.ExtraBody)
	}
	return body, nil
}

func (c *Client) userParts(ctx context.Context, req *emohallucer.Request, parts []emohallucer.Part) ([]contentPart, error) {
	out := make([]contentPart, 0, len(parts))
	wrap := func(err error) error {
		return fmt.Errorf("%s (%s): %w", c.cfg.Name, req.Item, err)
	}
	for _, part := range parts {
		if part.Media == nil {
			out = append(out, textPart(part.Text))
			continue
		}
		mf := part.Media
		switch mf.Kind {
		case emohallucer.Image:
			b, err := c.prep.Image(mf)
			if err != nil {
				return nil, wrap(err)
			}
			out = append(out, imagePart(b))
		case emohallucer.Audio:
			b, err := c.prep.Audio(ctx, mf, c.cfg.AudioFormats...)
			if err != nil {
				return nil, wrap(err)
			}
			out = append(out, audioPart(b))
		case emohallucer.ShortVideo, emohallucer.LongVideo:
			switch c.video {
			case prep.VideoNative:
				b, err := c.prep.Raw(mf)
				if err != nil {
					return nil, wrap(err)
				}
				// OpenAI has no video part; vLLM takes {"type":"video_url"}.
				out = append(out, contentPart{Type: "video_url", VideoURL: &urlRef{URL: b.DataURI()}})
			case prep.VideoFrames:
				withAudio := c.caps.Accepts(emohallucer.Audio)
				frames, audio, err := c.prep.Frames(ctx, mf, c.cfg.Frames, withAudio)
				if err != nil {
					return nil, wrap(err)
				}
				for _, f := range frames {
					out = append(out, imagePart(f))
				}
				if audio != nil {
					out = append(out, audioPart(*audio))
				}
			default:
				return nil, emohallucer.Errorf(emohallucer.EINVALID, "%s (%s): this model is not configured for video (set video: native or video: frames)", c.cfg.Name, req.Item)
			}
		default:
			return nil, emohallucer.Errorf(emohallucer.EINVALID, "%s (%s): unknown media kind %q", c.cfg.Name, req.Item, mf.Kind)
		}
	}
	return out, nil
}
