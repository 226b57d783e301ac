// Package all knows every provider by name. It is the only package besides the
// command line that imports provider packages: the map below is written by hand
// (no init() registration), so a provider that is not listed here does not exist,
// visibly.
package all

import (
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/strictyaml"
	"github.com/emohallucer/emohallucer/provider/anthropic"
	"github.com/emohallucer/emohallucer/provider/baseline"
	"github.com/emohallucer/emohallucer/provider/gemini"
	"github.com/emohallucer/emohallucer/provider/ollama"
	"github.com/emohallucer/emohallucer/provider/openai"
	"github.com/emohallucer/emohallucer/provider/prep"
)

// Factory builds one provider's models from a spec or from a YAML section.
type Factory struct {
	// Help is a one-line description for usage messages.
	Help string
	// FromSpec builds a model from the part of a spec after "provider:"
	// (MODEL[@BASE_URL]), already split.
	FromSpec func(model, baseURL string) (emohallucer.Model, error)
	// FromConfig builds a model from its YAML section.
	FromConfig func(node *yaml.Node) (emohallucer.Model, error)
}

var factories = map[string]Factory{
	"baseline": {
		Help: "reference answerers that need no API: baseline:always-yes, baseline:always-no, baseline:random?seed=N",
		FromSpec: func(model, _ string) (emohallucer.Model, error) {
			return baseline.New(model)
		},
		FromConfig: func(node *yaml.Node) (emohallucer.Model, error) {
			var cfg struct {
				Model string `yaml:"model"`
				Name  string `yaml:"name"`
			}
			if err := strictyaml.Decode(node, &cfg, "baseline", "provider"); err != nil {
				return nil, err
			}
			m, err := baseline.New(cfg.Model)
			if err != nil || cfg.Name == "" {
				return m, err
			}
			return m.Renamed(cfg.Name), nil
		},
	},
	"openai": {
		Help: "OpenAI or any OpenAI-compatible server (vLLM, llama.cpp, LiteLLM): openai:MODEL[@BASE_URL]; key OPENAI_API_KEY, base URL OPENAI_BASE_URL",
		FromSpec: func(model, baseURL string) (emohallucer.Model, error) {
			return openai.New(openai.ConfigFromSpec(model, baseURL))
		},
		FromConfig: func(node *yaml.Node) (emohallucer.Model, error) {
			cfg, err := openai.ParseConfig(node)
			if err != nil {
				return nil, err
			}
			return openai.New(cfg)
		},
	},
	"anthropic": {
		Help: "Anthropic Messages API: anthropic:MODEL; key ANTHROPIC_API_KEY",
		FromSpec: func(model, baseURL string) (emohallucer.Model, error) {
			return anthropic.New(anthropic.ConfigFromSpec(model, baseURL))
		},
		FromConfig: func(node *yaml.Node) (emohallucer.Model, error) {
			cfg, err := anthropic.ParseConfig(node)
			if err != nil {
				return nil, err
			}
			return anthropic.New(cfg)
		},
	},
	"gemini": {
		Help: "Google Gemini API: gemini:MODEL; key GEMINI_API_KEY or GOOGLE_API_KEY",
		FromSpec: func(model, baseURL string) (emohallucer.Model, error) {
			return gemini.New(gemini.ConfigFromSpec(model, baseURL))
		},
		FromConfig: func(node *yaml.Node) (emohallucer.Model, error) {
			cfg, err := gemini.ParseConfig(node)
			if err != nil {
				return nil, err
			}
			return gemini.New(cfg)
		},
	},
	"ollama": {
		Help: "a local Ollama server through its OpenAI-compatible /v1: ollama:MODEL; host OLLAMA_HOST (default 127.0.0.1:11434)",
		FromSpec: func(model, baseURL string) (emohallucer.Model, error) {
			return ollama.New(ollama.ConfigFromSpec(model, baseURL))
		},
		FromConfig: func(node *yaml.Node) (emohallucer.Model, error) {
			cfg, err := ollama.ParseConfig(node)
			if err != nil {
				return nil, err
			}
			return ollama.New(cfg)
		},
	},
}

// Names returns the known provider names, sorted.
func Names() []string {
	out := make([]string, 0, len(factories))
	for n := range factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Help returns one line per provider describing its spec, for usage messages.
func Help() string {
	var b strings.Builder
	for _, n := range Names() {
		b.WriteString("  " + n + ": " + factories[n].Help + "\n")
	}
	return b.String()
}

func lookup(provider string) (Factory, error) {
	f, ok := factories[provider]
	if !ok {
		return Factory{}, &emohallucer.Error{Code: emohallucer.EINVALID,
			Message: "unknown provider " + quote(provider) + " (known: " + strings.Join(Names(), ", ") + ")",
			Hint:    "a model spec looks like openai:gpt-4o, gemini:gemini-2.5-flash, anthropic:claude-sonnet-4-5 or ollama:qwen2.5:7b"}
	}
	return f, nil
}

func quote(s string) string { return `"` + s + `"` }

// New builds a model from a spec "provider:MODEL[@BASE_URL]", taking keys and
// endpoints from the environment.
func New(spec string) (emohallucer.Model, error) {
	provider, model, baseURL, err := prep.SplitSpec(spec)
	if err != nil {
		return nil, err
	}
	f, err := lookup(provider)
	if err != nil {
		return nil, err
	}
	return f.FromSpec(model, baseURL)
}

// FromConfig builds a model of the named provider from its YAML section (a
// mapping; a "provider" key in it, if any, is ignored here). Unknown keys are
// EINVALID errors naming their line.
func FromConfig(provider string, node *yaml.Node) (emohallucer.Model, error) {
	f, err := lookup(provider)
	if err != nil {
		return nil, err
	}
	return f.FromConfig(node)
}

// FromYAML builds a model from a YAML mapping that names its provider in a
// "provider" key, as in a models.yaml list entry.
func FromYAML(node *yaml.Node) (emohallucer.Model, error) {
	n := node
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		line := 0
		if n != nil {
			line = n.Line
		}
		return nil, emohallucer.Errorf(emohallucer.EINVALID, "line %d: a model entry must be a mapping with a provider key", line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "provider" {
			return FromConfig(n.Content[i+1].Value, n)
		}
	}
	return nil, emohallucer.Errorf(emohallucer.EINVALID, "line %d: model entry without a provider key (known: %s)", n.Line, strings.Join(Names(), ", "))
}
