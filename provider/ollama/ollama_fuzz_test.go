package ollama_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
	"github.com/emohallucer/emohallucer/internal/fuzzcheck/fuzzreply"
	"github.com/emohallucer/emohallucer/provider/ollama"
	"github.com/emohallucer/emohallucer/provider/prep"
)

// ollamaSeeds are what an Ollama server answers on /api/show and on
// /v1/chat/completions, its errors, and broken replies. The fuzz server gives
// the same body on both endpoints.
var ollamaSeeds = []string{
	`{"license":"...","modelfile":"FROM llava","parameters":"stop \"USER:\"","template":"{{ .Prompt }}","details":{"format":"gguf","family":"llama","families":["llama","clip"],"parameter_size":"7B","quantization_level":"Q4_0"},"model_info":{"general.architecture":"llama"},"capabilities":["completion","vision"],"modified_at":"2025-05-01T10:00:00Z"}`,
	`{"details":{"family":"qwen2"},"capabilities":["completion","tools","insert"]}`,
	`{"capabilities":["completion","audio"]}`, `{"capabilities":null}`, `{"capabilities":[]}`, `{"modelfile":"old server"}`,
	`{"id":"chatcmpl-123","object":"chat.completion","created":1733000000,"model":"llava:7b","system_fingerprint":"fp_ollama","choices":[{"index":0,"message":{"role":"assistant","content":"Yes."},"finish_reason":"stop"}],"usage":{"prompt_tokens":601,"completion_tokens":2,"total_tokens":603}}`,
	`{"choices":[{"index":0,"message":{"role":"assistant","content":"","reasoning":"thinking..."},"finish_reason":"length"}],"usage":{"prompt_tokens":10,"completion_tokens":64}}`,
	`{"choices":[{"message":{"content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}`,
	`{"error":"model \"llava:7b\" not found, try pulling it first"}`,
	`{"error":{"message":"model is required","type":"invalid_request_error"}}`,
	`{"capabilities":["completion","\u001b[31mvision\u001b[0m"]}`, `{"capabilities":["` + strings.Repeat("x", 3000) + `"]}`,
	`{"capabilities":[1]}`, `{"choices":[]}`, `{}`, `null`, ``, `{"capabilities":["vision"]} trailing`, "<html>502</html>",
}

// FuzzReplies asks a loopback server answering with the fuzz input for the
// model's capabilities and for an answer. CheckMedia warns exactly when the
// listed capabilities lack vision, fails only with an error naming the model
// and /api/show, and its warning is bounded and printable (the capabilities
// are the server's words); Generate gives encoding/json's text, finish reason
// and usage, or a classified error.
func FuzzReplies(f *testing.F) {
	srv := fuzzreply.NewReplies(f)
	for _, s := range ollamaSeeds {
		f.Add([]byte(s), uint8(0))
	}
	f.Add([]byte(ollamaSeeds[9]), uint8(7))
	f.Fuzz(func(t *testing.T, body []byte, pick uint8) {
		defer fuzzcheck.Watch(body)()
		status := srv.Set(pick, body)
		c, err := ollama.New(ollama.ConfigFromSpec("llava:7b", srv.URL+"/v1"))
		if err != nil {
			t.Fatal(err)
		}
		checkMedia(t, c, status, body)

		var want struct {
			Choices []struct {
				Message struct {
					Content, Refusal *string
				}
				FinishReason string `json:"finish_reason"`
			}
			Usage struct {
				PromptTokens     int64 `json:"prompt_tokens"`
				CompletionTokens int64 `json:"completion_tokens"`
			}
		}
		valid := status/100 == 2 && json.Unmarshal(body, &want) == nil && len(want.Choices) > 0
		resp := fuzzreply.Generate(t, c, srv, body, pick)
		if (resp != nil) != valid {
			t.Fatalf("HTTP %d %.300q: response %+v, but encoding/json reads a reply: %v", status, body, resp, valid)
		}
		if resp == nil {
			return
		}
		ch := want.Choices[0]
		text := ""
		if ch.Message.Content != nil {
			text = *ch.Message.Content
		}
		if text == "" && ch.Message.Refusal != nil {
			text = *ch.Message.Refusal
		}
		if resp.Text != prep.BoundText(text) || resp.FinishReason != ch.FinishReason ||
			resp.Usage.PromptTokens != int(want.Usage.PromptTokens) || resp.Usage.CompletionTokens != int(want.Usage.CompletionTokens) {
			t.Fatalf("%.300q: got %q %q %+v", body, resp.Text, resp.FinishReason, resp.Usage)
		}
	})
}

func checkMedia(t *testing.T, c *ollama.Client, status int, body []byte) {
	t.Helper()
	w, err := c.CheckMedia(context.Background(), emohallucer.Image)
	var show struct{ Capabilities []string }
	derr := json.NewDecoder(io.LimitReader(bytes.NewReader(body), 1<<20)).Decode(&show)
	switch {
	case status != 200:
		if w != nil || err != nil {
			t.Fatalf("HTTP %d: warning %v, error %v; want neither (the server cannot tell)", status, w, err)
		}
	case derr != nil:
		if err == nil || !strings.Contains(err.Error(), "/api/show") || !strings.Contains(err.Error(), "ollama:llava:7b") {
			t.Fatalf("%.300q: error %v, want one naming the model and /api/show", body, err)
		}
	case err != nil:
		t.Fatalf("%.300q: error %v for a reply encoding/json reads", body, err)
	case show.Capabilities == nil:
		if w != nil {
			t.Fatalf("%.300q: warning %v from a server that lists no capabilities", body, w)
		}
	case slices.Contains(show.Capabilities, "vision") != (w == nil):
		t.Fatalf("%.300q: capabilities %q, warning %v", body, show.Capabilities, w)
	case w != nil:
		msg := w.String()
		if len(msg) > 2000 || !utf8.ValidString(msg) || strings.ContainsFunc(msg, func(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }) {
			t.Fatalf("%.300q: warning of %d bytes with control characters or invalid UTF-8: %.300q", body, len(msg), msg)
		}
	}
}
