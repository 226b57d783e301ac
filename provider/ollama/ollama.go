// Package ollama is the emohallucer Model for a local Ollama server. It talks to
// Ollama's OpenAI-compatible endpoint (OLLAMA_HOST, default
// http://127.0.0.1:11434, path /v1) through package openai, so that the OpenAI
// SDK stays in one package and Ollama gets the same error mapping, media handling
// and modality-drop detection.
//
// Ollama models take text unless the config lists more modalities: a text-only
// model behind Ollama silently ignores images, which is exactly what
// prep.DropDetector catches.
package ollama

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/strictyaml"
	"github.com/emohallucer/emohallucer/provider/openai"
	"github.com/emohallucer/emohallucer/provider/prep"
)

// DefaultHost is where Ollama listens unless OLLAMA_HOST says otherwise.
const DefaultHost = "http://127.0.0.1:11434"

// Config configures one Ollama model. Its fields are openai.Config's; base_url,
// when set, replaces OLLAMA_HOST and must include the /v1 path.
type Config struct {
	openai.Config `yaml:",inline"`
}

// Client is an Ollama model.
type Client struct {
	*openai.Client
	model string
	// api is the server's native API root (the base URL without /v1).
	api  string
	http *http.Client

	mu   sync.Mutex
	caps []string // from /api/show, fetched once
	err  error
	done bool
}

var (
	_ emohallucer.Model = (*Client)(nil)
	_ prep.MediaChecker = (*Client)(nil)
)

// ParseConfig reads a model's YAML section.
func ParseConfig(node *yaml.Node) (Config, error) {
	var c Config
	err := strictyaml.Decode(node, &c, "ollama model", "provider", "type")
	return c, err
}

// ConfigFromSpec builds the Config of "MODEL[@BASE_URL]" (Ollama tags such as
// "qwen2.5:7b" keep their colon).
func ConfigFromSpec(model, baseURL string) Config {
	var c Config
	c.Model, c.BaseURL = model, baseURL
	return c
}

// New returns a client for the model on the configured or environment's server.
// Ollama needs no key; one is sent only when api_key_env names a variable (for a
// proxy in front of Ollama).
func New(cfg Config) (*Client, error) {
	oc := cfg.Config
	oc.Provider = "ollama"
	oc.KeyOptional = true
	if oc.BaseURL == "" {
		oc.BaseURL = BaseURL(os.Getenv("OLLAMA_HOST"))
	}
	if len(oc.Modalities) == 0 {
		oc.Modalities = []emohallucer.Modality{emohallucer.Text}
	}
	c, err := openai.New(oc)
	if err != nil {
		return nil, err
	}
	return &Client{Client: c, model: oc.Model, api: strings.TrimSuffix(strings.TrimRight(oc.BaseURL, "/"), "/v1"),
		http: &http.Client{Timeout: 30 * time.Second}}, nil
}

// capabilityOf names the Ollama capability a modality needs.
var capabilityOf = map[emohallucer.Modality]string{
	emohallucer.Image:      "vision",
	emohallucer.ShortVideo: "vision",
	emohallucer.LongVideo:  "vision",
	emohallucer.Audio:      "audio",
}

// CheckMedia implements prep.MediaChecker with Ollama's /api/show, asked once.
// Ollama accepts images for a text-only model and silently replaces them with a
// placeholder, so this is the reliable way to know. A server too old to list
// capabilities gives no warning.
func (c *Client) CheckMedia(ctx context.Context, kind emohallucer.Modality) (*prep.DropWarning, error) {
	need, ok := capabilityOf[kind]
	if !ok {
		return nil, nil
	}
	caps, err := c.capabilities(ctx)
	if err != nil || caps == nil {
		return nil, err
	}
	for _, have := range caps {
		if have == need {
			return nil, nil
		}
	}
	return &prep.DropWarning{Model: c.Name(), Modality: kind, Exact: true,
		Reason: fmt.Sprintf("the Ollama server lists its capabilities as [%s], without %q, and drops such input without an error", showCaps(caps), need)}, nil
}

// showCaps lists capabilities for a warning. They are the server's words, so
// they are quoted (a terminal escape in one was printed as is) and bounded (a
// server could list a megabyte of them); found by FuzzReplies.
func showCaps(caps []string) string {
	const most, longest = 8, 40
	shown := make([]string, 0, most+1)
	for i, c := range caps {
		if i == most {
			shown = append(shown, fmt.Sprintf("… %d more", len(caps)-most))
			break
		}
		if len(c) > longest {
			c = c[:longest] + "…"
		}
		shown = append(shown, strconv.Quote(c))
	}
	return strings.Join(shown, ", ")
}

func (c *Client) capabilities(ctx context.Context) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return c.caps, c.err
	}
	body, _ := json.Marshal(map[string]string{"model": c.model})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api+"/api/show", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: ask the server for the model's capabilities: %w", c.Name(), err)
	}
	defer resp.Body.Close()
	var show struct {
		Capabilities []string `json:"capabilities"`
	}
	if resp.StatusCode != http.StatusOK {
		c.done = true // a server without /api/show (a proxy) cannot tell
		return nil, nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&show); err != nil {
		c.done, c.err = true, fmt.Errorf("%s: /api/show: %w", c.Name(), err)
		return nil, c.err
	}
	c.done, c.caps = true, show.Capabilities
	return c.caps, nil
}

// BaseURL turns an OLLAMA_HOST value ("", "0.0.0.0", "host:port",
// "https://host") into the OpenAI-compatible base URL.
func BaseURL(host string) string {
	host = strings.TrimSpace(host)
	if host == "" {
		return DefaultHost + "/v1"
	}
	if !strings.Contains(host, "://") {
		host = "http://" + host
	}
	u, err := url.Parse(host)
	if err != nil || u.Host == "" {
		return DefaultHost + "/v1"
	}
	h, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		h, port = u.Host, "11434"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	// The server binds 0.0.0.0; clients reach it on loopback.
	if h == "0.0.0.0" || h == "::" || h == "" {
		h = "127.0.0.1"
	}
	u.Host = net.JoinHostPort(h, port)
	u.Path = strings.TrimRight(u.Path, "/") + "/v1"
	return u.String()
}
