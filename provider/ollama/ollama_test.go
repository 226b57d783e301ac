package ollama_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/internal/fakeapi/providertest"
	"github.com/emohallucer/emohallucer/provider/ollama"
	"github.com/emohallucer/emohallucer/provider/prep"
)

func TestBaseURL(t *testing.T) {
	tests := []struct{ host, want string }{
		{"", "http://127.0.0.1:11434/v1"},
		{"0.0.0.0", "http://127.0.0.1:11434/v1"},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/v1"},
		{"gpu-box:11434", "http://gpu-box:11434/v1"},
		{"https://ollama.example.org", "https://ollama.example.org:443/v1"},
		{"http://[::1]:11434/", "http://[::1]:11434/v1"},
	}
	for _, tt := range tests {
		if got := ollama.BaseURL(tt.host); got != tt.want {
			t.Errorf("BaseURL(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

// TestTextOnlyModelDropsImages plays a text-only model behind Ollama that
// swallows images, and checks that the passive detector notices.
func TestTextOnlyModelDropsImages(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{DropKinds: []string{"image"}})
	defer srv.Close()
	t.Setenv("OLLAMA_HOST", strings.TrimPrefix(srv.URL, "http://"))
	t.Setenv("OPENAI_API_KEY", "sk-must-not-be-sent")
	c, err := ollama.New(ollama.ConfigFromSpec("llava:7b", ""))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "ollama:llava:7b" || c.Capabilities().Accepts(emohallucer.Image) || c.Capabilities().Logprobs {
		t.Errorf("name %q caps %+v", c.Name(), c.Capabilities())
	}
	var d prep.DropDetector
	question := "Is the person in the picture angry? Answer yes or no."
	resp, err := c.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{emohallucer.UserText(question)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Last().Header.Get("Authorization"); strings.Contains(got, "sk-must-not-be-sent") {
		t.Errorf("OpenAI key sent to Ollama")
	}
	d.Observe(c.Name(), &emohallucer.Request{Messages: []emohallucer.Message{emohallucer.UserText(question)}}, resp)
	img := providertest.MediaFile(t, emohallucer.Image, "x.png", "image/png", fakeapi.PNG(32, 32))
	var warned []*prep.DropWarning
	for i := 0; i < 3; i++ {
		req := &emohallucer.Request{Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{{Media: img}, {Text: question}}}}}
		resp, err := c.Generate(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if w := d.Observe(c.Name(), req, resp); w != nil {
			warned = append(warned, w)
		}
	}
	if len(warned) != 1 || warned[0].Modality != emohallucer.Image || warned[0].Exact {
		t.Fatalf("warnings = %v, want exactly one about images", warned)
	}
	t.Log(warned[0])
}

func TestCheckMedia(t *testing.T) {
	shows := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/show" {
			http.NotFound(w, r)
			return
		}
		shows++
		var body struct{ Model string }
		json.NewDecoder(r.Body).Decode(&body)
		caps := `["completion"]`
		if body.Model == "llava" {
			caps = `["completion","vision"]`
		}
		w.Write([]byte(`{"capabilities":` + caps + `}`))
	}))
	defer srv.Close()
	t.Setenv("OLLAMA_HOST", srv.URL)
	text, err := ollama.New(ollama.ConfigFromSpec("tiny", ""))
	if err != nil {
		t.Fatal(err)
	}
	w, err := text.CheckMedia(context.Background(), emohallucer.Image)
	if err != nil || w == nil || !strings.Contains(w.String(), "seems to ignore image input") || !strings.Contains(w.String(), `without "vision"`) {
		t.Fatalf("text-only model: %v, %v", w, err)
	}
	if w, _ := text.CheckMedia(context.Background(), emohallucer.Text); w != nil {
		t.Fatal("text needs no capability")
	}
	text.CheckMedia(context.Background(), emohallucer.Audio)
	if shows != 1 {
		t.Fatalf("asked /api/show %d times, want once", shows)
	}
	vision, _ := ollama.New(ollama.ConfigFromSpec("llava", ""))
	if w, err := vision.CheckMedia(context.Background(), emohallucer.Image); w != nil || err != nil {
		t.Fatalf("vision model warned: %v %v", w, err)
	}
	if w, _ := vision.CheckMedia(context.Background(), emohallucer.Audio); w == nil {
		t.Fatal("no warning for audio on a model without the audio capability")
	}
}
