package stack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
)

// configSeeds are models files as users write them, and the mistakes they make.
var configSeeds = []string{
	"models:\n  - spec: baseline:always-yes\n",
	"defaults:\n  concurrency: 8\n  strategy: direct\n  decoding: {temperature: 0, max_tokens: 64}\nmodels:\n  - spec: openai:qwen2.5-7b@http://localhost:8000/v1\n    concurrency: 16\n    price: {input: 2.5, output: 10}\n",
	"models:\n  - provider: openai\n    name: llava-1.5-7b\n    model: llava-hf/llava-1.5-7b-hf\n    base_url: http://localhost:8000/v1\n    modalities: [text, image]\n    video: frames\n    metadata: {family: \"LLaVA\", params_b: 7, open: true, reasoning: \"no\", released: \"2023-04\", extra: {a: [1, 2]}}\n",
	"models:\n  - provider: ollama\n    model: gemma3:4b\n    concurrency: 2\n    max_concurrency: 1\n  - type: gemini\n    model: gemini-2.5-flash\n    rpm: 60\n    tpm: 1e6\n    adaptive: true\n    retries: 3\n    max_cost: 1.5\n",
	"defaults: &d {concurrency: 4}\nmodels:\n  - provider: openai\n    model: m\n    decoding: {seed: 7}\n    <<: *d\n",
	"models:\n  - spec: a:b\n    decoding: {temperature: .nan}\n",
	"models:\n  - spec: a:b\n    rpm: .inf\n",
	"modles: []\n", "models: []\n", "", "---\n", "models: x\n", "- a\n- b\n",
	"models:\n  - spec: baseline:always-yes\n    price: {inptu: 1}\n",
	"models:\n  - spec: openai:m\n    provider: openai\n",
	"models:\n  - concurrency: 2\n",
	"models:\n  - spec: x:y\n    concurrency: 0\n",
	"models:\n  - spec: x:y\n    metadata: {released: May 2024, reasoning: maybe}\n",
	"defaults: {spec: openai:m}\nmodels:\n  - spec: baseline:always-yes\n",
	"models:\n  - spec: x:y\n    concurrency: many\n",
	"models:\n\t- spec: x:y\n", "models:\n  - spec: \"x:y\xff\"\n", "a: &a [*a]\n",
	"models:\n  - [spec, x]\n  - ? [k]\n    : v\n",
}

// FuzzParseConfig checks that a models file either parses into entries that
// satisfy the engine's checks and survive a re-encode unchanged, or fails with
// an error that points at a line (or says the whole file is unusable).
func FuzzParseConfig(f *testing.F) {
	for _, s := range configSeeds {
		f.Add([]byte(s))
	}
	for _, name := range []string{"models.yaml", "local.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzcheck.Watch(string(data))()
		cfg, err := parseConfig(data)
		if err != nil {
			msg := err.Error()
			if !strings.Contains(msg, "line ") && msg != "empty file" && !strings.HasPrefix(msg, "no models") {
				t.Fatalf("%.300q: error names no line: %v", data, err)
			}
			return
		}
		checkParsed(t, data, cfg)
		if hasAlias(cfg) {
			return // aliases in a provider section may point outside it
		}
		again, err := parseConfig(encodeConfig(t, cfg))
		if err != nil {
			t.Fatalf("%.300q: re-encoded config does not parse: %v\n%s", data, err, encodeConfig(t, cfg))
		}
		if asJSON(t, again.Defaults) != asJSON(t, cfg.Defaults) || len(again.Models) != len(cfg.Models) {
			t.Fatalf("%.300q: defaults or model count changed on re-encode: %+v vs %+v", data, cfg, again)
		}
		for i, m := range cfg.Models {
			a := again.Models[i]
			if a.Name != m.Name || a.Spec != m.Spec || a.Provider != m.Provider || asJSON(t, a.Engine) != asJSON(t, m.Engine) ||
				!reflect.DeepEqual(keys(a.Section), keys(m.Section)) {
				t.Fatalf("%.300q: model %d changed on re-encode:\n %s\n %s", data, i, asJSON(t, m.Engine), asJSON(t, a.Engine))
			}
		}
	})
}

// checkParsed checks the invariants of an accepted config.
func checkParsed(t *testing.T, data []byte, cfg *File) {
	t.Helper()
	if len(cfg.Models) == 0 || cfg.Defaults.Spec != "" {
		t.Fatalf("%q: accepted without models or with a default spec: %+v", data, cfg)
	}
	for _, e := range append([]Engine{cfg.Defaults}, engines(cfg)...) {
		if err := e.Check("again"); err != nil {
			t.Fatalf("%q: accepted engine settings fail their own check: %v", data, err)
		}
	}
	for _, m := range cfg.Models {
		if m.Line < 1 || m.Name == "" || (m.Spec == "") == (m.Provider == "") && m.Spec != "" {
			t.Fatalf("%q: bad model entry %+v", data, m)
		}
		if m.Spec == "" && (m.Provider == "" || m.Section == nil || m.Section.Kind != yaml.MappingNode) {
			t.Fatalf("%q: provider entry without provider or section: %+v", data, m)
		}
	}
}

func engines(cfg *File) []Engine {
	out := make([]Engine, len(cfg.Models))
	for i, m := range cfg.Models {
		out[i] = m.Engine
	}
	return out
}

func hasAlias(cfg *File) bool {
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		if n == nil {
			return false
		}
		if n.Kind == yaml.AliasNode {
			return true
		}
		for _, c := range n.Content {
			if walk(c) {
				return true
			}
		}
		return false
	}
	for _, m := range cfg.Models {
		if walk(m.Section) {
			return true
		}
	}
	return false
}

// encodeConfig writes cfg back as a models file: each entry's engine settings
// followed by its provider section.
func encodeConfig(t *testing.T, cfg *File) []byte {
	t.Helper()
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	var defaults yaml.Node
	if err := defaults.Encode(cfg.Defaults); err != nil {
		t.Fatal(err)
	}
	models := &yaml.Node{Kind: yaml.SequenceNode}
	for _, m := range cfg.Models {
		var entry yaml.Node
		if err := entry.Encode(m.Engine); err != nil {
			t.Fatal(err)
		}
		entry.Content = append(entry.Content, m.Section.Content...)
		models.Content = append(models.Content, &entry)
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str("defaults"), &defaults, str("models"), models}}
	out, err := yaml.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// asJSON compares engine settings without telling a nil map from an empty
// one, which YAML does not distinguish either.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// keys lists a provider section's keys: which keys go to the provider is
// parseConfig's business, how YAML re-encodes their values is not.
func keys(n *yaml.Node) []string {
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out
}
