// Package gemini is the emohallucer Model for Google's Gemini API
// (generateContent). It is the only package that imports google.golang.org/genai.
//
// Gemini takes every modality of the benchmark: images, audio and video go as
// inline data (video up to max_inline_bytes, 20 MB by default; larger files need
// video: frames). With logprobs enabled in the config, the first answer token's
// log-probabilities give Response.YesProb.
package gemini

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"google.golang.org/genai"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/strictyaml"
	"github.com/emohallucer/emohallucer/provider/perr"
	"github.com/emohallucer/emohallucer/provider/prep"
	"github.com/emohallucer/emohallucer/provider/transport"
)

// DefaultBaseURL is the Gemini API endpoint.
const DefaultBaseURL = "https://generativelanguage.googleapis.com"

// topLogprobs is how many alternatives are asked per token (the API allows up to
// 20); Yes and No are the two that matter.
const topLogprobs = 5

// audioFormats Gemini takes inline as they are; others are converted to WAV.
var audioFormats = []string{"wav", "mp3", "aiff", "aac", "ogg", "flac"}

// Config configures one Gemini model.
type Config struct {
	prep.Settings `yaml:",inline"`
	// APIVersion is the path version; default v1beta.
	APIVersion string `yaml:"api_version"`
	// ThinkingBudget caps reasoning tokens of thinking models (0 turns thinking off
	// where the model allows it); nil leaves the model's default.
	ThinkingBudget *int32 `yaml:"thinking_budget"`
}

// Client is a Model speaking generateContent.
type Client struct {
	cfg     Config
	models  *genai.Models
	prep    *prep.Preparer
	caps    emohallucer.Capabilities
	video   string
	secrets []string
}

var _ emohallucer.Model = (*Client)(nil)

// ParseConfig reads a model's YAML section. Keys "provider" and "type" are left to
// the caller.
func ParseConfig(node *yaml.Node) (Config, error) {
	var c Config
	err := strictyaml.Decode(node, &c, "gemini model", "provider", "type")
	return c, err
}

// ConfigFromSpec builds the Config of "MODEL[@BASE_URL]".
func ConfigFromSpec(model, baseURL string) Config {
	return Config{Settings: prep.Settings{Model: model, BaseURL: baseURL}}
}

// New checks the config, reads GEMINI_API_KEY or GOOGLE_API_KEY (or the
// configured variable) and returns a client. No request is made.
func New(cfg Config) (*Client, error) {
	if err := cfg.Fill("gemini", emohallucer.Modalities); err != nil {
		return nil, err
	}
	if _, err := cfg.Endpoint(DefaultBaseURL); err != nil {
		return nil, err
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = "v1beta"
	}
	key, err := cfg.Key(true, "", "GEMINI_API_KEY", "GOOGLE_API_KEY")
	if err != nil {
		return nil, err
	}
	header, secrets, err := cfg.HTTPHeader()
	if err != nil {
		return nil, err
	}
	secrets = append(secrets, key)
	one := int32(1)
	gc, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		APIKey:     key,
		Backend:    genai.BackendGeminiAPI,
		HTTPClient: transport.NewHTTPClient(cfg.MaxConcurrency, header, 0),
		HTTPOptions: genai.HTTPOptions{
			BaseURL:    strings.TrimRight(cfg.BaseURL, "/") + "/",
			APIVersion: cfg.APIVersion,
			ExtraBody:  cfg.ExtraBody,
			// One attempt: our retry decorator counts and paces every attempt.
			RetryOptions: &genai.HTTPRetryOptions{Attempts: &one},
		},
	})
	if err != nil {
		return nil, emohallucer.Errorf(emohallucer.EINVALID, "%s: %s", cfg.Name, perr.Redact(err.Error(), secrets...))
	}
	logprobs := false
	if cfg.Logprobs != nil {
		logprobs = *cfg.Logprobs
	}
	c := &Client{
		cfg:     cfg,
		models:  gc.Models,
		prep:    &prep.Preparer{MaxImageSide: cfg.MaxImageSide, MaxBytes: cfg.MaxInlineBytes},
		video:   cfg.VideoMode(true),
		secrets: secrets,
	}
	id := cfg.Identity("gemini", cfg.BaseURL+"/"+cfg.APIVersion, c.video)
	if cfg.ThinkingBudget != nil {
		// The thinking budget changes answers, so it belongs in the cache key.
		id += fmt.Sprintf(";thinking=%d", *cfg.ThinkingBudget)
	}
	c.caps = cfg.Capabilities(id, logprobs)
	return c, nil
}

// Name returns the model's name ("gemini:gemini-2.5-flash" unless configured).
func (c *Client) Name() string { return c.cfg.Name }

// Capabilities returns what the config declares.
func (c *Client) Capabilities() emohallucer.Capabilities { return c.caps }

// Generate sends one generateContent request. Safe for concurrent use.
func (c *Client) Generate(ctx context.Context, req *emohallucer.Request) (*emohallucer.Response, error) {
	contents, gcfg, err := c.build(ctx, req)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	cctx, capture := transport.WithCapture(cctx)
	start := time.Now()
	res, err := c.generateContent(cctx, contents, gcfg)
	latency := time.Since(start)
	if err := transport.Classify(ctx, c.cfg.Name, req.Item, capture, err, c.secrets...); err != nil {
		return nil, err
	}
	if res == nil {
		return nil, perr.NewTransient(c.cfg.Name, req.Item, "malformed response", fmt.Errorf("empty reply"))
	}
	out := &emohallucer.Response{LatencyMS: float64(latency.Microseconds()) / 1000}
	if u := res.UsageMetadata; u != nil {
		out.Usage = emohallucer.Usage{PromptTokens: int(u.PromptTokenCount), CompletionTokens: int(u.CandidatesTokenCount + u.ThoughtsTokenCount)}
	}
	if len(res.Candidates) == 0 || res.Candidates[0] == nil {
		// A blocked prompt is an answer of sorts: nothing to extract, recorded
		// with the reason rather than retried forever.
		out.FinishReason = "no_candidates"
		if res.PromptFeedback != nil && res.PromptFeedback.BlockReason != "" {
			out.FinishReason = "blocked:" + string(res.PromptFeedback.BlockReason)
		}
		return out, nil
	}
	cand := res.Candidates[0]
	var text strings.Builder
	if cand.Content != nil {
		for _, p := range cand.Content.Parts {
			if p != nil && !p.Thought {
				text.WriteString(p.Text)
			}
		}
	}
	out.Text = prep.BoundText(perr.Redact(text.String(), c.secrets...))
	out.FinishReason = string(cand.FinishReason)
	if req.Logprobs && c.caps.Logprobs && cand.LogprobsResult != nil {
		out.YesProb = prep.YesProb(tokenPositions(cand.LogprobsResult))
	}
	return out, nil
}

// generateContent calls the SDK, turning a panic while it converts the reply
// into an error: genai v1.77 panics on a null in "candidates" (found by
// FuzzGenerateReply), and a server's reply must not crash the run.
func (c *Client) generateContent(ctx context.Context, contents []*genai.Content, gcfg *genai.GenerateContentConfig) (res *genai.GenerateContentResponse, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("the SDK could not read the reply: %v", r)
		}
	}()
	return c.models.GenerateContent(ctx, c.cfg.Model, contents, gcfg)
}

func tokenPositions(lr *genai.LogprobsResult) []prep.TokenPos {
	out := make([]prep.TokenPos, 0, len(lr.TopCandidates))
	for i, top := range lr.TopCandidates {
		var pos prep.TokenPos
		if i < len(lr.ChosenCandidates) && lr.ChosenCandidates[i] != nil {
			pos.Token = lr.ChosenCandidates[i].Token
		}
		if top != nil {
			for _, cnd := range top.Candidates {
				if cnd != nil {
					pos.Top = append(pos.Top, prep.TokenAlt{Token: cnd.Token, Logprob: float64(cnd.LogProbability)})
				}
			}
		}
		out = append(out, pos)
	}
	return out
}

func (c *Client) build(ctx context.Context, req *emohallucer.Request) ([]*genai.Content, *genai.GenerateContentConfig, error) {
	gcfg := &genai.GenerateContentConfig{}
	if req.System != "" {
		gcfg.SystemInstruction = genai.NewContentFromText(req.System, genai.RoleUser)
	}
	if req.Temperature != nil {
		t := float32(*req.Temperature)
		gcfg.Temperature = &t
	}
	if req.TopP != nil {
		p := float32(*req.TopP)
		gcfg.TopP = &p
	}
	if req.Seed != nil {
		// The API's seed is 32-bit; fold larger seeds deterministically.
		s := int32(*req.Seed % math.MaxInt32)
		gcfg.Seed = &s
	}
	if req.MaxTokens > 0 {
		gcfg.MaxOutputTokens = int32(req.MaxTokens)
	}
	if req.Logprobs && c.caps.Logprobs {
		n := int32(topLogprobs)
		gcfg.ResponseLogprobs = true
		gcfg.Logprobs = &n
	}
	if c.cfg.ThinkingBudget != nil {
		gcfg.ThinkingConfig = &genai.ThinkingConfig{ThinkingBudget: c.cfg.ThinkingBudget}
	}
	wrap := func(err error) error { return fmt.Errorf("%s (%s): %w", c.cfg.Name, req.Item, err) }
	var contents []*genai.Content
	for _, m := range req.Messages {
		var parts []*genai.Part
		for _, part := range m.Parts {
			if part.Media == nil {
				if part.Text != "" {
					parts = append(parts, genai.NewPartFromText(part.Text))
				}
				continue
			}
			mf := part.Media
			switch mf.Kind {
			case emohallucer.Image:
				b, err := c.prep.Image(mf)
				if err != nil {
					return nil, nil, wrap(err)
				}
				parts = append(parts, genai.NewPartFromBytes(b.Data, b.MIME))
			case emohallucer.Audio:
				b, err := c.prep.Audio(ctx, mf, audioFormats...)
				if err != nil {
					return nil, nil, wrap(err)
				}
				parts = append(parts, genai.NewPartFromBytes(b.Data, b.MIME))
			case emohallucer.ShortVideo, emohallucer.LongVideo:
				switch c.video {
				case prep.VideoNative:
					b, err := c.prep.Raw(mf)
					if err != nil {
						return nil, nil, wrap(err)
					}
					parts = append(parts, genai.NewPartFromBytes(b.Data, b.MIME))
				case prep.VideoFrames:
					frames, audio, err := c.prep.Frames(ctx, mf, c.cfg.Frames, c.caps.Accepts(emohallucer.Audio))
					if err != nil {
						return nil, nil, wrap(err)
					}
					for _, f := range frames {
						parts = append(parts, genai.NewPartFromBytes(f.Data, f.MIME))
					}
					if audio != nil {
						parts = append(parts, genai.NewPartFromBytes(audio.Data, audio.MIME))
					}
				default:
					return nil, nil, emohallucer.Errorf(emohallucer.EINVALID, "%s (%s): this model is not configured for video", c.cfg.Name, req.Item)
				}
			default:
				return nil, nil, emohallucer.Errorf(emohallucer.EINVALID, "%s (%s): unknown media kind %q", c.cfg.Name, req.Item, mf.Kind)
			}
		}
		if len(parts) == 0 {
			parts = append(parts, genai.NewPartFromText("."))
		}
		role := genai.Role(genai.RoleUser)
		switch m.Role {
		case "assistant":
			role = genai.RoleModel
		case "user", "":
		default:
			return nil, nil, emohallucer.Errorf(emohallucer.EINVALID, "%s (%s): unknown message role %q", c.cfg.Name, req.Item, m.Role)
		}
		contents = append(contents, genai.NewContentFromParts(parts, role))
	}
	return contents, gcfg, nil
}
