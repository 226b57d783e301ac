package anthropic_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/internal/fakeapi/providertest"
	"github.com/emohallucer/emohallucer/provider/anthropic"
)

func setup() providertest.Setup {
	return providertest.Setup{
		Name:        "anthropic:claude-test",
		KeyEnv:      "ANTHROPIC_API_KEY",
		BaseURL:     func(s *fakeapi.Server) string { return s.URL },
		Temperature: true,
		New: func(t *testing.T, baseURL string, timeout time.Duration) emohallucer.Model {
			cfg := anthropic.ConfigFromSpec("claude-test", baseURL)
			cfg.Timeout = timeout
			c, err := anthropic.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
	}
}

func TestConformance(t *testing.T) { providertest.Run(t, setup()) }

func TestRequestShape(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{})
	defer srv.Close()
	t.Setenv("ANTHROPIC_API_KEY", providertest.Key)
	c, err := anthropic.New(anthropic.ConfigFromSpec("claude-test", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if c.Capabilities().Logprobs || c.Capabilities().Accepts(emohallucer.Audio) {
		t.Errorf("caps = %+v", c.Capabilities())
	}
	resp, err := c.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{
		emohallucer.UserText("first"), {Role: "assistant", Parts: []emohallucer.Part{{Text: "Yes"}}}, emohallucer.UserText("sure?"),
	}, Logprobs: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.YesProb != nil || resp.FinishReason != "end_turn" {
		t.Errorf("resp = %+v", resp)
	}
	got := srv.Last()
	if got.MaxTokens != anthropic.DefaultMaxTokens || len(got.Messages) != 3 || got.Messages[1].Role != "assistant" {
		t.Errorf("max_tokens %d, messages %+v", got.MaxTokens, got.Messages)
	}
	// SDK v2.15 sends the key as a bearer token.
	if got.Header.Get("Authorization") != "Bearer "+providertest.Key || got.Header.Get("Anthropic-Version") == "" {
		t.Errorf("headers: key %q version %q", got.Header.Get("Authorization"), got.Header.Get("Anthropic-Version"))
	}
	// Audio cannot be sent and never reaches the API.
	wav := providertest.MediaFile(t, emohallucer.Audio, "a.wav", "audio/wav", fakeapi.WAV(0.1))
	before := srv.Received()
	_, err = c.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{{Media: wav}}}}})
	if emohallucer.ErrorCode(err) != emohallucer.EINVALID || srv.Received() != before {
		t.Errorf("audio: err %v", err)
	}
}

func TestNew(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	_, err := anthropic.New(anthropic.ConfigFromSpec("claude-x", ""))
	if emohallucer.ErrorCode(err) != emohallucer.EAUTH || !strings.Contains(err.Error(), "ANTHROPIC_API_KEY") {
		t.Errorf("no key: %v", err)
	}
	t.Setenv("ANTHROPIC_API_KEY", "k")
	var node yaml.Node
	yaml.Unmarshal([]byte("model: claude-x\nmodalities: [text, audio]\n"), &node)
	cfg, err := anthropic.ParseConfig(&node)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anthropic.New(cfg); emohallucer.ErrorCode(err) != emohallucer.EINVALID {
		t.Errorf("audio modality accepted: %v", err)
	}
	yaml.Unmarshal([]byte("model: claude-x\nvideo: frames\nframes: 4\n"), &node)
	cfg, err = anthropic.ParseConfig(&node)
	if err != nil {
		t.Fatal(err)
	}
	c, err := anthropic.New(cfg)
	if err != nil || !c.Capabilities().Accepts(emohallucer.LongVideo) || !strings.Contains(c.Capabilities().Identity, "frames/4") {
		t.Errorf("frames config: %v %+v", err, c)
	}
}
