// Package anthropic is the emohallucer Model for Anthropic's Messages API. It is
// the only package that imports the Anthropic SDK.
//
// Claude takes text and images (base64 blocks); it takes no audio, so audio
// questions are not evaluated, and video only as sampled frames when the config
// asks for them (video: frames). The API returns no token log-probabilities, so
// Response.YesProb is never set, and it has no seed parameter.
package anthropic

import (
	"context"
	"fmt"
	"strings"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/strictyaml"
	"github.com/emohallucer/emohallucer/provider/perr"
	"github.com/emohallucer/emohallucer/provider/prep"
	"github.com/emohallucer/emohallucer/provider/transport"
)

// DefaultBaseURL is Anthropic's endpoint.
const DefaultBaseURL = "https://api.anthropic.com"

// DefaultMaxTokens is sent when a Request sets none: the API requires the field.
const DefaultMaxTokens = 1024

// Config configures one Claude model.
type Config struct {
	prep.Settings `yaml:",inline"`
	// DefaultMaxTokens is max_tokens when the request sets none; default 1024.
	DefaultMaxTokens int `yaml:"default_max_tokens"`
}

// Client is a Model speaking the Messages API.
type Client struct {
	cfg     Config
	msgs    sdk.MessageService
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
	err := strictyaml.Decode(node, &c, "anthropic model", "provider", "type")
	return c, err
}

// ConfigFromSpec builds the Config of "MODEL[@BASE_URL]".
func ConfigFromSpec(model, baseURL string) Config {
	return Config{Settings: prep.Settings{Model: model, BaseURL: baseURL}}
}

// New checks the config, reads ANTHROPIC_API_KEY (or the configured variable)
// and returns a client. No request is made.
func New(cfg Config) (*Client, error) {
	if err := cfg.Fill("anthropic", []emohallucer.Modality{emohallucer.Text, emohallucer.Image}); err != nil {
		return nil, err
	}
	for _, m := range cfg.Modalities {
		if m == emohallucer.Audio {
			return nil, emohallucer.Errorf(emohallucer.EINVALID, "%s: the Messages API takes no audio; remove audio from modalities", cfg.Name)
		}
	}
	if cfg.Video == prep.VideoNative {
		return nil, emohallucer.Errorf(emohallucer.EINVALID, "%s: the Messages API takes no video files; use video: frames", cfg.Name)
	}
	if cfg.DefaultMaxTokens == 0 {
		cfg.DefaultMaxTokens = DefaultMaxTokens
	}
	if _, err := cfg.Endpoint(DefaultBaseURL); err != nil {
		return nil, err
	}
	key, err := cfg.Key(true, "", "ANTHROPIC_API_KEY")
	if err != nil {
		return nil, err
	}
	header, secrets, err := cfg.HTTPHeader()
	if err != nil {
		return nil, err
	}
	secrets = append(secrets, key)
	opts := []option.RequestOption{
		// Ignore ANTHROPIC_BASE_URL, profiles and config files: the config says
		// where requests go, and the identity records it.
		option.WithoutEnvironmentDefaults(),
		option.WithBaseURL(cfg.BaseURL),
		option.WithAPIKey(key),
		option.WithHTTPClient(transport.NewHTTPClient(cfg.MaxConcurrency, header, 0)),
		// Our retry decorator counts and paces every attempt.
		option.WithMaxRetries(0),
	}
	for k, v := range cfg.ExtraBody {
		opts = append(opts, option.WithJSONSet(k, v))
	}
	c := &Client{
		cfg:     cfg,
		msgs:    sdk.NewClient(opts...).Messages,
		prep:    &prep.Preparer{MaxImageSide: cfg.MaxImageSide, MaxBytes: min(cfg.MaxInlineBytes, 5<<20)},
		video:   cfg.VideoMode(false),
		secrets: secrets,
	}
	// The default max_tokens can cut answers short, so it belongs in the cache key.
	id := cfg.Identity("anthropic", cfg.BaseURL, c.video) + fmt.Sprintf(";max=%d", cfg.DefaultMaxTokens)
	c.caps = cfg.Capabilities(id, false)
	return c, nil
}

// Name returns the model's name ("anthropic:claude-…" unless configured).
func (c *Client) Name() string { return c.cfg.Name }

// Capabilities returns what the config declares; Logprobs is always false.
func (c *Client) Capabilities() emohallucer.Capabilities { return c.caps }

// Generate sends one Messages request. Safe for concurrent use.
func (c *Client) Generate(ctx context.Context, req *emohallucer.Request) (*emohallucer.Response, error) {
	params, err := c.build(ctx, req)
	if err != nil {
		return nil, err
	}
	var opts []option.RequestOption
	// The SDK's parameters no longer carry temperature and top_p (newer models
	// refuse them); older models and compatible servers still take them.
	if req.Temperature != nil {
		opts = append(opts, option.WithJSONSet("temperature", *req.Temperature))
	}
	if req.TopP != nil {
		opts = append(opts, option.WithJSONSet("top_p", *req.TopP))
	}
	cctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	cctx, capture := transport.WithCapture(cctx)
	start := time.Now()
	res, err := c.msgs.New(cctx, params, opts...)
	latency := time.Since(start)
	if err := transport.Classify(ctx, c.cfg.Name, req.Item, capture, err, c.secrets...); err != nil {
		return nil, err
	}
	if res == nil {
		return nil, perr.NewTransient(c.cfg.Name, req.Item, "malformed response", fmt.Errorf("empty reply"))
	}
	var text strings.Builder
	for _, b := range res.Content {
		if b.Type == "text" {
			text.WriteString(b.Text)
		}
	}
	return &emohallucer.Response{
		Text: prep.BoundText(perr.Redact(text.String(), c.secrets...)),
		Usage: emohallucer.Usage{
			PromptTokens:     int(res.Usage.InputTokens + res.Usage.CacheReadInputTokens + res.Usage.CacheCreationInputTokens),
			CompletionTokens: int(res.Usage.OutputTokens),
		},
		FinishReason: string(res.StopReason),
		LatencyMS:    float64(latency.Microseconds()) / 1000,
	}, nil
}

func (c *Client) build(ctx context.Context, req *emohallucer.Request) (sdk.MessageNewParams, error) {
	p := sdk.MessageNewParams{Model: c.cfg.Model, MaxTokens: int64(c.cfg.DefaultMaxTokens)}
	if req.MaxTokens > 0 {
		p.MaxTokens = int64(req.MaxTokens)
	}
	if req.System != "" {
		p.System = []sdk.TextBlockParam{{Text: req.System}}
	}
	wrap := func(err error) error { return fmt.Errorf("%s (%s): %w", c.cfg.Name, req.Item, err) }
	for _, m := range req.Messages {
		var blocks []sdk.ContentBlockParamUnion
		for _, part := range m.Parts {
			if part.Media == nil {
				if part.Text != "" {
					blocks = append(blocks, sdk.NewTextBlock(part.Text))
				}
				continue
			}
			mf := part.Media
			switch {
			case mf.Kind == emohallucer.Image:
				b, err := c.prep.Image(mf)
				if err != nil {
					return p, wrap(err)
				}
				blocks = append(blocks, sdk.NewImageBlockBase64(b.MIME, b.Base64()))
			case (mf.Kind == emohallucer.ShortVideo || mf.Kind == emohallucer.LongVideo) && c.video == prep.VideoFrames:
				frames, _, err := c.prep.Frames(ctx, mf, c.cfg.Frames, false)
				if err != nil {
					return p, wrap(err)
				}
				for _, f := range frames {
					blocks = append(blocks, sdk.NewImageBlockBase64(f.MIME, f.Base64()))
				}
			default:
				return p, emohallucer.Errorf(emohallucer.EINVALID, "%s (%s): the Messages API cannot take %s input", c.cfg.Name, req.Item, mf.Kind)
			}
		}
		if len(blocks) == 0 {
			blocks = append(blocks, sdk.NewTextBlock("."))
		}
		switch m.Role {
		case "assistant":
			p.Messages = append(p.Messages, sdk.NewAssistantMessage(blocks...))
		case "user", "":
			p.Messages = append(p.Messages, sdk.NewUserMessage(blocks...))
		default:
			return p, emohallucer.Errorf(emohallucer.EINVALID, "%s (%s): unknown message role %q", c.cfg.Name, req.Item, m.Role)
		}
	}
	return p, nil
}
