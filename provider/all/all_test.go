package all_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/provider/all"
)

func TestNew(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{})
	defer srv.Close()
	t.Setenv("OPENAI_API_KEY", "k1")
	t.Setenv("ANTHROPIC_API_KEY", "k2")
	t.Setenv("GEMINI_API_KEY", "k3")
	t.Setenv("OPENAI_BASE_URL", "")
	tests := []struct {
		spec, name, code string
	}{
		// Every provider by spec, against the fake where a base URL can be given.
		{"openai:gpt-x@" + srv.OpenAIBaseURL(), "openai:gpt-x", ""},
		{"openai:gpt-4o", "openai:gpt-4o", ""},
		{"anthropic:claude-x@" + srv.URL, "anthropic:claude-x", ""},
		{"gemini:gemini-x@" + srv.URL, "gemini:gemini-x", ""},
		{"ollama:qwen2.5:7b@" + srv.OpenAIBaseURL(), "ollama:qwen2.5:7b", ""},
		// Bad specs.
		{"nosuch:model", "", emohallucer.EINVALID},
		{"gpt-4o", "", emohallucer.EINVALID},
		{"openai:", "", emohallucer.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			m, err := all.New(tt.spec)
			if got := emohallucer.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q, want %q (%v)", got, tt.code, err)
			}
			if err != nil {
				return
			}
			if m.Name() != tt.name {
				t.Errorf("name = %q", m.Name())
			}
			if strings.Contains(tt.spec, "@") {
				if _, err := m.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{emohallucer.UserText("q")}}); err != nil {
					t.Errorf("generate: %v", err)
				}
			}
		})
	}
	_, err := all.New("nosuch:model")
	for _, n := range []string{"openai", "anthropic", "gemini", "ollama"} {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("unknown-provider error %q does not list %s", err, n)
		}
	}
}

func TestFromConfig(t *testing.T) {
	t.Setenv("GEMINI_API_KEY", "k")
	var doc yaml.Node
	src := "models:\n  - provider: gemini\n    model: gemini-2.5-flash\n    max_concurrency: 4\n  - provider: ollama\n    model: llama3\n    modls: [text]\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	items := doc.Content[0].Content[1].Content
	m, err := all.FromConfig("gemini", items[0])
	if err != nil {
		t.Fatal(err)
	}
	if m.Capabilities().MaxConcurrency != 4 || m.Name() != "gemini:gemini-2.5-flash" {
		t.Errorf("model %s caps %+v", m.Name(), m.Capabilities())
	}
	_, err = all.FromConfig("ollama", items[1])
	if emohallucer.ErrorCode(err) != emohallucer.EINVALID || !strings.Contains(err.Error(), "line 7") {
		t.Errorf("typo: %v", err)
	}
	if _, err := all.FromConfig("nosuch", items[0]); emohallucer.ErrorCode(err) != emohallucer.EINVALID {
		t.Errorf("unknown provider: %v", err)
	}
}

// TestExampleModelsYAML keeps the example configuration in testdata valid.
func TestExampleModelsYAML(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "k")
	t.Setenv("ANTHROPIC_API_KEY", "k")
	t.Setenv("GEMINI_API_KEY", "k")
	src, err := os.ReadFile("testdata/models.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Models []yaml.Node `yaml:"models"`
	}
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	want := []string{"openai:gpt-4.1", "qwen2.5-omni-7b", "gemini:gemini-2.5-flash", "anthropic:claude-sonnet-4-5", "ollama:qwen2.5:7b"}
	if len(doc.Models) != len(want) {
		t.Fatalf("%d models", len(doc.Models))
	}
	for i := range doc.Models {
		m, err := all.FromYAML(&doc.Models[i])
		if err != nil {
			t.Fatalf("entry %d: %v", i+1, err)
		}
		if m.Name() != want[i] {
			t.Errorf("entry %d: name %q, want %q", i+1, m.Name(), want[i])
		}
		t.Logf("%-28s %v", m.Name(), m.Capabilities())
	}
	var bad yaml.Node
	yaml.Unmarshal([]byte("model: x\n"), &bad)
	if _, err := all.FromYAML(&bad); emohallucer.ErrorCode(err) != emohallucer.EINVALID {
		t.Errorf("entry without provider: %v", err)
	}
}

func TestBaselineThroughRegistry(t *testing.T) {
	m, err := all.New("baseline:random?seed=3")
	if err != nil || m.Name() != "baseline:random?seed=3" {
		t.Fatalf("%v %v", m, err)
	}
	if _, err := all.New("baseline:sometimes"); err == nil {
		t.Fatal("unknown baseline accepted")
	}
}

// Every provider reports a refused connection as an unreachable server, with
// the address, through its SDK's wrapping, on both HTTP clients: the retry
// decorator stops a model on it.
func TestUnreachableServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there now: connections are refused
	t.Setenv("OPENAI_API_KEY", "k1")
	t.Setenv("ANTHROPIC_API_KEY", "k2")
	t.Setenv("GEMINI_API_KEY", "k3")
	for _, client := range []string{"", "nethttp"} {
		t.Setenv("EMOHALLUCER_HTTP", client)
		for _, spec := range []string{"openai:m@" + base + "/v1", "anthropic:m@" + base, "gemini:m@" + base, "ollama:m@" + base + "/v1"} {
			m, err := all.New(spec)
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.Generate(context.Background(), &emohallucer.Request{Item: "i", Messages: []emohallucer.Message{emohallucer.UserText("q")}})
			var u interface{ Unreachable() string }
			if !errors.As(err, &u) || u.Unreachable() != base || !strings.Contains(err.Error(), "server unreachable") {
				t.Errorf("%s (client %q): %v", spec, client, err)
			}
		}
	}
}
