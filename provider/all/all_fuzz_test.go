package all_test

import (
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
	"github.com/emohallucer/emohallucer/provider/all"
	"github.com/emohallucer/emohallucer/provider/prep"
)

// specSeeds are model specs as users type them on the command line, and the
// slips they make.
var specSeeds = []string{
	"openai:gpt-4o", "openai:qwen2.5-7b@http://localhost:8000/v1", "ollama:qwen2.5:7b",
	"ollama:llava:7b@http://127.0.0.1:11434/v1", "anthropic:claude-sonnet-4-5", "gemini:gemini-2.5-flash",
	"gemini:gemini-x@https://generativelanguage.googleapis.com", "baseline:always-yes", "baseline:random?seed=1",
	"openai:m@127.0.0.1:8000/v1", "openai:m@http://user:pass@host/v1", "openai:org/model@v2@https://h/v1",
	"openai:", ":m", "gpt-4o", "", "nosuch:model", "openai:@http://h", "baseline:random?seed=x", "baseline:random?%zz",
	"openai:m@http://", "openai:m@https://[::1", "openai:m@http://h:99999/v1", "anthropic:m@ftp://h", "openai:m\x00@http://h",
}

// fuzzKeys are the API keys the fuzz test puts in the environment; no error
// may carry them.
var fuzzKeys = map[string]string{
	"OPENAI_API_KEY": "sk-fuzz-openai-secret", "ANTHROPIC_API_KEY": "sk-fuzz-anthropic-secret",
	"GEMINI_API_KEY": "fuzz-gemini-secret", "OPENAI_BASE_URL": "", "OLLAMA_HOST": "",
}

// FuzzNew checks spec parsing: a spec splits into parts that join back to it,
// with a base URL only when the part after '@' is an http(s) URL; building a
// model from it fails only with a coded error that carries no API key, and a
// model built from a spec with a base URL sends its requests there.
func FuzzNew(f *testing.F) {
	for k, v := range fuzzKeys {
		f.Setenv(k, v)
	}
	for _, s := range specSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		defer fuzzcheck.Watch(spec)()
		provider, model, baseURL, err := prep.SplitSpec(spec)
		if err != nil {
			if emohallucer.ErrorCode(err) != emohallucer.EINVALID || !strings.Contains(err.Error(), "model spec") {
				t.Fatalf("SplitSpec(%q): %v, want an EINVALID error naming the spec", spec, err)
			}
		} else {
			joined := provider + ":" + model
			if baseURL != "" {
				joined += "@" + baseURL
			}
			if joined != spec || provider == "" || model == "" || strings.Contains(provider, ":") {
				t.Fatalf("SplitSpec(%q) = %q, %q, %q", spec, provider, model, baseURL)
			}
			if baseURL != "" && !strings.HasPrefix(baseURL, "http://") && !strings.HasPrefix(baseURL, "https://") {
				t.Fatalf("SplitSpec(%q): base URL %q is not http(s)", spec, baseURL)
			}
		}
		m, err := all.New(spec)
		if err != nil {
			if emohallucer.ErrorCode(err) == emohallucer.EINTERNAL {
				t.Fatalf("New(%q): uncoded error %v", spec, err)
			}
			for _, k := range fuzzKeys {
				if k != "" && strings.Contains(err.Error(), k) {
					t.Fatalf("New(%q): error carries an API key: %v", spec, err)
				}
			}
			return
		}
		if provider == "baseline" {
			return // no endpoint
		}
		if m.Name() == "" {
			t.Fatalf("New(%q): model without a name", spec)
		}
		// The identity names the endpoint, with any credentials in it redacted.
		if id := m.Capabilities().Identity; baseURL != "" && !strings.Contains(id, emohallucer.Redact(strings.TrimRight(baseURL, "/"))) {
			t.Fatalf("New(%q): identity %q does not name the spec's base URL %q", spec, id, baseURL)
		}
	})
}
