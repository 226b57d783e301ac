package openai_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/internal/fakeapi/providertest"
	"github.com/emohallucer/emohallucer/provider/openai"
	"github.com/emohallucer/emohallucer/provider/prep"
)

const testKey = "sk-test-0123456789-SECRET"

func newClient(t *testing.T, srv *fakeapi.Server, mod func(*openai.Config)) *openai.Client {
	t.Helper()
	t.Setenv("OPENAI_API_KEY", testKey)
	cfg := openai.ConfigFromSpec("gpt-test", srv.OpenAIBaseURL())
	if mod != nil {
		mod(&cfg)
	}
	c, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mediaFile(t *testing.T, kind emohallucer.Modality, name, mime string, data []byte) *emohallucer.MediaFile {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return &emohallucer.MediaFile{Kind: kind, MIME: mime, SHA256: hex.EncodeToString(sum[:]), Path: p}
}

func f64(v float64) *float64 { return &v }
func i64(v int64) *int64     { return &v }

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Setup{
		Name:        "openai:gpt-test",
		KeyEnv:      "OPENAI_API_KEY",
		BaseURL:     func(s *fakeapi.Server) string { return s.OpenAIBaseURL() },
		Temperature: true,
		New: func(t *testing.T, baseURL string, timeout time.Duration) emohallucer.Model {
			cfg := openai.ConfigFromSpec("gpt-test", baseURL)
			cfg.Timeout = timeout
			c, err := openai.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
	})
}

func TestGenerateRequestShape(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{Answer: func(r *fakeapi.Request) string { return "No, it is not." }})
	defer srv.Close()
	c := newClient(t, srv, nil)
	img := mediaFile(t, emohallucer.Image, "face.png", "image/png", fakeapi.PNG(1200, 600))
	wav := mediaFile(t, emohallucer.Audio, "voice.wav", "audio/wav", fakeapi.WAV(0.5))
	req := &emohallucer.Request{
		System: "Answer yes or no.",
		Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{
			{Text: "Look at this."}, {Media: img}, {Media: wav}, {Text: "Is the person happy?"},
		}}},
		Temperature: f64(0.5), TopP: f64(0.9), Seed: i64(7), MaxTokens: 16,
		Item: "pair p-1 basic",
	}
	resp, err := c.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "No, it is not." || resp.FinishReason != "stop" {
		t.Errorf("response = %+v", resp)
	}
	if resp.Usage.PromptTokens <= 85 || resp.Usage.CompletionTokens <= 0 {
		t.Errorf("usage = %+v, want prompt tokens counting the image", resp.Usage)
	}
	if resp.YesProb != nil {
		t.Errorf("YesProb set without Logprobs in the request")
	}
	got := srv.Last()
	if got.Model != "gpt-test" || got.System != "Answer yes or no." {
		t.Errorf("model/system = %q/%q", got.Model, got.System)
	}
	if got.Temperature == nil || *got.Temperature != 0.5 || got.TopP == nil || *got.TopP != 0.9 ||
		got.Seed == nil || *got.Seed != 7 || got.MaxTokens != 16 {
		t.Errorf("decoding params = %v %v %v %d", got.Temperature, got.TopP, got.Seed, got.MaxTokens)
	}
	if got.Logprobs {
		t.Errorf("logprobs asked for although the request did not")
	}
	if got.LastText() != "Look at this.\nIs the person happy?" {
		t.Errorf("text = %q", got.LastText())
	}
	if h := got.Header.Get("Authorization"); h != "Bearer "+testKey {
		t.Errorf("Authorization = %q", h)
	}
	imgs := got.Media("image")
	if len(imgs) != 1 || !strings.HasPrefix(imgs[0].URL, "data:image/png;base64,") {
		t.Fatalf("images = %d, url prefix %q", len(imgs), imgs[0].URL[:min(40, len(imgs[0].URL))])
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(imgs[0].Data))
	if err != nil || cfg.Width != 1024 || cfg.Height != 512 {
		t.Errorf("image sent as %dx%d (%v), want downscaled to 1024x512", cfg.Width, cfg.Height, err)
	}
	aud := got.Media("audio")
	if len(aud) != 1 || aud[0].Format != "wav" || !bytes.Equal(aud[0].Data, fakeapi.WAV(0.5)) {
		t.Errorf("audio = %d parts, format %q", len(aud), aud[0].Format)
	}
}

func TestGenerateMaxCompletionTokens(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{})
	defer srv.Close()
	c := newClient(t, srv, func(c *openai.Config) { c.MaxTokensField = "max_completion_tokens" })
	if _, err := c.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{emohallucer.UserText("hi")}, MaxTokens: 5}); err != nil {
		t.Fatal(err)
	}
	body := string(srv.Last().Body)
	if !strings.Contains(body, `"max_completion_tokens":5`) || strings.Contains(body, `"max_tokens"`) {
		t.Errorf("body = %s", body)
	}
}

func TestGenerateYesProb(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		py     float64
	}{
		// The fake lists Yes, No, " yes" and "no" with 0.8/0.2 of each word's mass.
		{"YesLikely", "Yes", 0.8},
		{"NoLikely", "No", 0.25},
		{"Even", "Yes.", 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeapi.New(fakeapi.Config{
				Answer:  func(*fakeapi.Request) string { return tt.answer },
				YesProb: func(*fakeapi.Request) float64 { return tt.py },
			})
			defer srv.Close()
			c := newClient(t, srv, nil)
			if !c.Capabilities().Logprobs {
				t.Fatal("Capabilities.Logprobs = false")
			}
			resp, err := c.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{emohallucer.UserText("q")}, Logprobs: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := srv.Last(); !got.Logprobs || got.TopLogprobs < 2 {
				t.Errorf("request logprobs=%v top=%d", got.Logprobs, got.TopLogprobs)
			}
			if resp.YesProb == nil || math.Abs(*resp.YesProb-tt.py) > 1e-6 {
				t.Errorf("YesProb = %v, want %v", resp.YesProb, tt.py)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	tests := []struct {
		name string
		cfg  openai.Config
		code string
	}{
		// A local server needs no key.
		{"OKLocalNoKey", openai.ConfigFromSpec("llama", "http://127.0.0.1:8080/v1"), ""},
		{"ErrOpenAINoKey", openai.ConfigFromSpec("gpt-4o", "https://api.openai.com/v1"), emohallucer.EAUTH},
		{"ErrNoModel", openai.ConfigFromSpec("", "http://x/v1"), emohallucer.EINVALID},
		{"ErrBadURL", openai.ConfigFromSpec("m", "ftp://x"), emohallucer.EINVALID},
		{"ErrBadVideo", openai.Config{Settings: prep.Settings{Model: "m", BaseURL: "http://x/v1", Video: "yes"}}, emohallucer.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openai.New(tt.cfg)
			if got := emohallucer.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q, want %q (%v)", got, tt.code, err)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	src := `
provider: openai
model: Qwen/Qwen2.5-VL-7B-Instruct
base_url: http://127.0.0.1:8000/v1
api_key_env: VLLM_KEY
modalities: [text, image, short-video]
max_concurrency: 16
timeout: 45s
max_image_side: 768
video: native
extra_body:
  chat_template_kwargs: {enable_thinking: false}
`
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	cfg, err := openai.ParseConfig(&doc)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Model != "Qwen/Qwen2.5-VL-7B-Instruct" || cfg.Timeout != 45*time.Second || cfg.MaxImageSide != 768 ||
		cfg.MaxConcurrency != 16 || cfg.Video != "native" || len(cfg.Modalities) != 3 || cfg.APIKeyEnv != "VLLM_KEY" {
		t.Errorf("cfg = %+v", cfg)
	}
	c, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	caps := c.Capabilities()
	if !caps.Accepts(emohallucer.ShortVideo) || caps.Accepts(emohallucer.Audio) || caps.MaxConcurrency != 16 {
		t.Errorf("caps = %+v", caps)
	}
	if !strings.Contains(caps.Identity, "127.0.0.1:8000") || !strings.Contains(caps.Identity, "extra=") {
		t.Errorf("identity = %q", caps.Identity)
	}

	var bad yaml.Node
	yaml.Unmarshal([]byte("model: x\nbase_ulr: http://x\n"), &bad)
	_, err = openai.ParseConfig(&bad)
	if emohallucer.ErrorCode(err) != emohallucer.EINVALID || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "base_ulr") {
		t.Errorf("err = %v, want EINVALID naming line 2 and the field", err)
	}
}

func ffmpegVideo(t *testing.T) *emohallucer.MediaFile {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed")
	}
	p := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-shortest", "-c:v", "mpeg4", "-c:a", "aac", "-y", p).CombinedOutput()
	if err != nil {
		t.Fatalf("making test video: %v: %s", err, out)
	}
	data, _ := os.ReadFile(p)
	sum := sha256.Sum256(data)
	return &emohallucer.MediaFile{Kind: emohallucer.ShortVideo, MIME: "video/mp4", SHA256: hex.EncodeToString(sum[:]), Path: p}
}

func TestVideo(t *testing.T) {
	video := ffmpegVideo(t)
	t.Run("Native", func(t *testing.T) {
		srv := fakeapi.New(fakeapi.Config{})
		defer srv.Close()
		c := newClient(t, srv, func(c *openai.Config) { c.Video = prep.VideoNative })
		_, err := c.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{{Media: video}, {Text: "q"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		v := srv.Last().Media("video")
		if len(v) != 1 || !strings.HasPrefix(v[0].URL, "data:video/mp4;base64,") {
			t.Errorf("video parts = %d", len(v))
		}
	})
	t.Run("FramesWithAudio", func(t *testing.T) {
		srv := fakeapi.New(fakeapi.Config{})
		defer srv.Close()
		c := newClient(t, srv, func(c *openai.Config) {
			c.Video, c.Frames = prep.VideoFrames, 3
			c.Modalities = []emohallucer.Modality{emohallucer.Text, emohallucer.Image, emohallucer.Audio, emohallucer.ShortVideo}
		})
		_, err := c.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{{Media: video}, {Text: "q"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		got := srv.Last()
		if n := len(got.Media("image")); n != 3 {
			t.Errorf("%d frames sent, want 3", n)
		}
		if a := got.Media("audio"); len(a) != 1 || a[0].Format != "wav" {
			t.Errorf("audio parts = %d", len(a))
		}
	})
	t.Run("ErrNotConfigured", func(t *testing.T) {
		srv := fakeapi.New(fakeapi.Config{})
		defer srv.Close()
		c := newClient(t, srv, nil)
		_, err := c.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{{Media: video}}}}})
		if emohallucer.ErrorCode(err) != emohallucer.EINVALID || srv.Received() != 0 {
			t.Errorf("err = %v, received %d", err, srv.Received())
		}
	})
}

func TestDropDetection(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{DropKinds: []string{"image"}})
	defer srv.Close()
	c := newClient(t, srv, nil)
	img := mediaFile(t, emohallucer.Image, "a.png", "image/png", fakeapi.PNG(64, 64))
	req := &emohallucer.Request{Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{{Media: img}, {Text: "Is the person in the image smiling?"}}}}}
	w, err := prep.Probe(context.Background(), c, req)
	if err != nil {
		t.Fatal(err)
	}
	if w == nil || w.Modality != emohallucer.Image || !w.Exact {
		t.Fatalf("warning = %v, want one about images", w)
	}
	if !strings.Contains(w.String(), "ignore image") {
		t.Errorf("message %q", w.String())
	}
}

// BenchmarkGenerateParallel measures the client's own cost per call against a
// loopback fake with no latency: go test -bench . -benchtime 2000x ./provider/openai
func BenchmarkGenerateParallel(b *testing.B) {
	srv := fakeapi.New(fakeapi.Config{Keep: 1})
	defer srv.Close()
	b.Setenv("OPENAI_API_KEY", "k")
	c, err := openai.New(openai.ConfigFromSpec("m", srv.OpenAIBaseURL()))
	if err != nil {
		b.Fatal(err)
	}
	req := &emohallucer.Request{System: "Answer yes or no.", Messages: []emohallucer.Message{emohallucer.UserText("Is joy an emotion?")}, Logprobs: true}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Generate(context.Background(), req); err != nil {
				b.Error(err)
			}
		}
	})
}

// The body is written by this package, not an SDK: check it field by field as
// a server reads it, including vendor fields from extra_body that override ours.
func TestWireBody(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{})
	defer srv.Close()
	t.Setenv("OPENAI_API_KEY", "")
	cfg := openai.ConfigFromSpec("local-model", srv.OpenAIBaseURL()+"/") // trailing slash tolerated
	cfg.ExtraBody = map[string]any{"top_k": 20, "temperature": 0.1, "chat_template_kwargs": map[string]any{"enable_thinking": false}}
	c, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req := &emohallucer.Request{
		System: "Be brief.",
		Messages: []emohallucer.Message{
			{Role: "user", Parts: []emohallucer.Part{{Text: ""}, {Text: "Step one <&>"}}},
			{Role: "assistant", Parts: []emohallucer.Part{{Text: "Evidence: "}, {Text: "none."}}},
			{Role: "user", Parts: []emohallucer.Part{{Text: "Answer?"}}},
		},
		Temperature: f64(0.7), MaxTokens: 8, Logprobs: true,
	}
	if _, err := c.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got := srv.Last()
	if h := got.Header.Get("Authorization"); h != "" {
		t.Errorf("Authorization %q sent to a local server without a key", h)
	}
	if ct := got.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var body struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		Temperature        float64 `json:"temperature"`
		TopK               int     `json:"top_k"`
		MaxTokens          int     `json:"max_tokens"`
		Logprobs           bool    `json:"logprobs"`
		TopLogprobs        int     `json:"top_logprobs"`
		ChatTemplateKwargs struct {
			EnableThinking *bool `json:"enable_thinking"`
		} `json:"chat_template_kwargs"`
	}
	if err := json.Unmarshal(got.Body, &body); err != nil {
		t.Fatalf("body %s: %v", got.Body, err)
	}
	if body.Model != "local-model" || body.Temperature != 0.1 || body.TopK != 20 || body.MaxTokens != 8 ||
		!body.Logprobs || body.TopLogprobs != 10 || body.ChatTemplateKwargs.EnableThinking == nil || *body.ChatTemplateKwargs.EnableThinking {
		t.Errorf("body = %s", got.Body)
	}
	want := []struct{ role, content string }{
		{"system", `"Be brief."`},
		{"user", `[{"type":"text","text":""},{"type":"text","text":"Step one \u003c\u0026\u003e"}]`},
		{"assistant", `"Evidence: none."`},
		{"user", `[{"type":"text","text":"Answer?"}]`},
	}
	if len(body.Messages) != len(want) {
		t.Fatalf("%d messages, want %d: %s", len(body.Messages), len(want), got.Body)
	}
	for i, w := range want {
		if m := body.Messages[i]; m.Role != w.role || string(m.Content) != w.content {
			t.Errorf("message %d = %s %s, want %s %s", i, m.Role, m.Content, w.role, w.content)
		}
	}
}

// A server that echoes the request's headers, in its answer or in an error,
// never gets a configured header value or the key into what is stored.
func TestEchoedHeadersRedacted(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusBadRequest} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			echo := r.Header.Get("X-Org-Token") + " " + r.Header.Get("X-Org") + " " + r.Header.Get("Authorization")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			if status != http.StatusOK {
				json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": echo}})
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"content": "Yes " + echo}, "finish_reason": "stop"}}})
		}))
		t.Setenv("OPENAI_API_KEY", testKey)
		t.Setenv("ORG_TOKEN", "tok-echoed-4567")
		cfg := openai.ConfigFromSpec("m", srv.URL+"/v1")
		cfg.Headers = map[string]string{"X-Org": "acme-org-id"}
		cfg.HeaderEnv = map[string]string{"X-Org-Token": "ORG_TOKEN"}
		c, err := openai.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Generate(context.Background(), &emohallucer.Request{Item: "i", Messages: []emohallucer.Message{emohallucer.UserText("q")}})
		srv.Close()
		got := fmt.Sprint(err)
		if res != nil {
			got = res.Text
		}
		if !strings.Contains(got, "[REDACTED]") {
			t.Fatalf("status %d: nothing echoed? %q", status, got)
		}
		for _, secret := range []string{"tok-echoed-4567", "acme-org-id", testKey} {
			if strings.Contains(got, secret) {
				t.Errorf("status %d: %q stored: %q", status, secret, got)
			}
		}
	}
}
