package gemini_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/internal/fakeapi/providertest"
	"github.com/emohallucer/emohallucer/provider/gemini"
)

func newClient(t *testing.T, baseURL string, mod func(*gemini.Config)) *gemini.Client {
	t.Helper()
	cfg := gemini.ConfigFromSpec("gemini-test", baseURL)
	if mod != nil {
		mod(&cfg)
	}
	c, err := gemini.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Setup{
		Name:        "gemini:gemini-test",
		KeyEnv:      "GEMINI_API_KEY",
		BaseURL:     func(s *fakeapi.Server) string { return s.URL },
		Temperature: true,
		New: func(t *testing.T, baseURL string, timeout time.Duration) emohallucer.Model {
			return newClient(t, baseURL, func(c *gemini.Config) { c.Timeout = timeout })
		},
	})
}

func TestRequestShape(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{YesProb: func(*fakeapi.Request) float64 { return 0.7 }})
	defer srv.Close()
	t.Setenv("GEMINI_API_KEY", providertest.Key)
	yes := true
	c := newClient(t, srv.URL, func(c *gemini.Config) { c.Logprobs = &yes })
	for _, m := range emohallucer.Modalities {
		if !c.Capabilities().Accepts(m) {
			t.Errorf("default modalities lack %s", m)
		}
	}
	wav := providertest.MediaFile(t, emohallucer.Audio, "v.wav", "audio/wav", fakeapi.WAV(0.2))
	seed := int64(1) << 40
	resp, err := c.Generate(context.Background(), &emohallucer.Request{
		Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{{Media: wav}, {Text: "Does the speaker sound angry?"}}}},
		Seed:     &seed, Logprobs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.YesProb == nil || math.Abs(*resp.YesProb-0.7) > 1e-4 || resp.FinishReason != "STOP" {
		t.Errorf("resp = %+v (YesProb %v)", resp, resp.YesProb)
	}
	got := srv.Last()
	if got.Model != "gemini-test" || !strings.Contains(got.Path, "/v1beta/models/gemini-test:generateContent") {
		t.Errorf("path %q model %q", got.Path, got.Model)
	}
	if got.Header.Get("X-Goog-Api-Key") != providertest.Key {
		t.Errorf("key header not sent")
	}
	if a := got.Media("audio"); len(a) != 1 || a[0].MIME != "audio/wav" || len(a[0].Data) != len(fakeapi.WAV(0.2)) {
		t.Errorf("audio parts %+v", len(a))
	}
	if !got.Logprobs || got.TopLogprobs == 0 || got.Seed == nil {
		t.Errorf("logprobs %v/%d seed %v", got.Logprobs, got.TopLogprobs, got.Seed)
	}
}

func TestParseConfig(t *testing.T) {
	var node yaml.Node
	if err := yaml.Unmarshal([]byte("provider: gemini\nmodel: gemini-2.5-flash\nthinking_budget: 0\nlogprobs: true\napi_key_env: MY_GEMINI\n"), &node); err != nil {
		t.Fatal(err)
	}
	cfg, err := gemini.ParseConfig(&node)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ThinkingBudget == nil || *cfg.ThinkingBudget != 0 || cfg.Logprobs == nil || !*cfg.Logprobs {
		t.Errorf("cfg = %+v", cfg)
	}
	t.Setenv("MY_GEMINI", "")
	t.Setenv("GEMINI_API_KEY", "other")
	if _, err := gemini.New(cfg); emohallucer.ErrorCode(err) != emohallucer.EAUTH || !strings.Contains(err.Error(), "MY_GEMINI") {
		t.Errorf("configured key variable unset: %v", err)
	}
}
