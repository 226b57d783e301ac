package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestExampleConfigs builds every model of the example configs, so that they
// stay valid as providers and the engine change.
func TestExampleConfigs(t *testing.T) {
	for _, env := range []string{"OPENAI_API_KEY", "GEMINI_API_KEY", "DASHSCOPE_API_KEY", "DEEPSEEK_API_KEY"} {
		t.Setenv(env, "test-key-not-real")
	}
	tests := []struct {
		file   string
		models int
	}{
		{"models.yaml", 64},
		{"local.yaml", 3},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("..", "..", "examples", tt.file)
			setups, err := resolveModels(runOptions{Config: path, changed: map[string]bool{}})
			if err != nil {
				t.Fatal(err)
			}
			if len(setups) != tt.models {
				t.Fatalf("%d models, want %d", len(setups), tt.models)
			}
			for _, s := range setups {
				if s.model.Capabilities().Deterministic {
					continue
				}
				m := s.eng.Metadata
				if m == nil || m.Released == "" || m.Reasoning == "" || m.Open == nil || m.Family == "" {
					t.Errorf("%s: incomplete metadata %+v", s.spec, m)
				}
				if s.eng.Concurrency == nil || *s.eng.Concurrency < 1 || s.eng.Strategy == nil {
					t.Errorf("%s: engine settings not resolved: %+v", s.spec, s.eng)
				}
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		// want is a fragment of the message, usually the line of the mistake.
		want string
	}{
		{"ErrUnknownTopKey", "modles: []\n", `line 1: unknown key "modles"`},
		{"ErrNoModels", "models: []\n", "no models"},
		{"ErrEmptyFile", "", "empty file"},
		{"ErrUnknownEngineKey", "models:\n  - spec: baseline:always-yes\n    price: {inptu: 1}\n", `line 3: unknown key "inptu"`},
		{"ErrUnknownMetadataKey", "models:\n  - spec: baseline:always-yes\n    metadata:\n      size: 7\n", `line 4: unknown key "size"`},
		{"ErrUnknownProviderKey", "models:\n  - provider: openai\n    model: m\n    base_url: http://127.0.0.1:1/v1\n    temprature: 0\n", `line 5`},
		{"ErrSpecAndProvider", "models:\n  - spec: openai:m\n    provider: openai\n", "not both"},
		{"ErrNeitherSpecNorProvider", "models:\n  - concurrency: 2\n", "want spec"},
		{"ErrUnknownProvider", "models:\n  - provider: acme\n    model: m\n", `unknown provider "acme"`},
		{"ErrBadReleased", "models:\n  - spec: baseline:always-yes\n    metadata: {released: May 2024}\n", "YYYY-MM"},
		{"ErrBadReasoning", "models:\n  - spec: baseline:always-yes\n    metadata: {reasoning: maybe}\n", "yes, no or hybrid"},
		{"ErrZeroConcurrency", "models:\n  - spec: baseline:always-yes\n    concurrency: 0\n", "concurrency must be at least 1"},
		{"ErrNegativePrice", "models:\n  - spec: baseline:always-yes\n    price: {input: -1}\n", "prices must not be negative"},
		{"ErrDefaultsSpec", "defaults: {spec: openai:m}\nmodels:\n  - spec: baseline:always-yes\n", "defaults cannot name a spec"},
		{"ErrNaNTemperature", "models:\n  - spec: baseline:always-yes\n    decoding: {temperature: .nan}\n", "line 2: numbers must be finite"},
		{"ErrInfPrice", "defaults:\n  price: {input: .inf}\nmodels:\n  - spec: baseline:always-yes\n", "line 1): numbers must be finite"},
		{"ErrInvalidUTF8", "models:\n  - spec: \"x:y\xff\"\n", "line 2: yaml: invalid leading UTF-8 octet"},
		{"ErrWrongType", "models:\n  - spec: baseline:always-yes\n    concurrency: many\n", "cannot unmarshal"},
		{"ErrDuplicate", "models:\n  - spec: baseline:always-yes\n  - spec: baseline:always-yes\n", "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "models.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := resolveModels(runOptions{Config: path, changed: map[string]bool{}})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
			if code := eh.ErrorCode(err); code != eh.EINVALID && !isUsage(err) {
				t.Fatalf("error code %q, want %q or a usage error: %v", code, eh.EINVALID, err)
			}
		})
	}
}

// TestConfigPrecedence: a flag the user set beats the model entry, which beats
// the config's defaults, which beat the flags' default values.
func TestConfigPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "models.yaml")
	os.WriteFile(path, []byte(`defaults:
  concurrency: 3
  rpm: 60
  decoding: {temperature: 0.5, max_tokens: 10}
models:
  - spec: baseline:always-yes
    rpm: 120
    decoding: {seed: 7}
  - spec: baseline:always-no
`), 0o644)
	o := runOptions{Config: path, Concurrency: 8, Retries: 7, Strategy: "direct", MaxTokens: 99,
		changed: map[string]bool{"max-tokens": true}}
	setups, err := resolveModels(o)
	if err != nil {
		t.Fatal(err)
	}
	yes, no := setups[0].eng, setups[1].eng
	switch {
	case *yes.Concurrency != 3 || *no.Concurrency != 3:
		t.Errorf("concurrency %d/%d, want the defaults' 3", *yes.Concurrency, *no.Concurrency)
	case *yes.RPM != 120 || *no.RPM != 60:
		t.Errorf("rpm %v/%v, want the entry's 120 and the defaults' 60", *yes.RPM, *no.RPM)
	case *yes.Retries != 7:
		t.Errorf("retries %d, want the flag default 7", *yes.Retries)
	case yes.Decoding.Seed == nil || *yes.Decoding.Seed != 7 || *yes.Decoding.Temperature != 0.5:
		t.Errorf("decoding %+v: want seed 7 from the entry and temperature 0.5 from the defaults", yes.Decoding)
	case yes.Decoding.MaxTokens != 99 || no.Decoding.MaxTokens != 99:
		t.Errorf("max tokens %d/%d, want the explicit flag's 99", yes.Decoding.MaxTokens, no.Decoding.MaxTokens)
	}
}

func TestOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "models.yaml")
	os.WriteFile(path, []byte("models:\n  - spec: baseline:always-yes\n  - spec: baseline:always-no\n"), 0o644)
	setups, err := resolveModels(runOptions{Config: path, Only: []string{"baseline:always-no"}, changed: map[string]bool{}})
	if err != nil || len(setups) != 1 || setups[0].spec != "baseline:always-no" {
		t.Fatalf("--only: %v, %v", setups, err)
	}
	if _, err := resolveModels(runOptions{Config: path, Only: []string{"gpt-9"}, changed: map[string]bool{}}); err == nil || !strings.Contains(err.Error(), "no such model") {
		t.Fatalf("--only with an unknown name: %v", err)
	}
}

// TestRunJSONMetadata checks that run.json carries the model's metadata and
// settings next to its records.
func TestRunJSONMetadata(t *testing.T) {
	tmp := t.TempDir()
	path := filepath.Join(tmp, "models.yaml")
	os.WriteFile(path, []byte(`models:
  - spec: baseline:random?seed=3
    price: {input: 1.5, output: 6}
    metadata: {family: Random, params_b: 0.001, open: true, reasoning: "no", released: 2026-01-02, extra: {color: blue}}
`), 0o644)
	dir := filepath.Join(tmp, "run")
	if code, _, stderr := runCLI(t, "run", "--config", path, "--out", dir, "--limit", "3", "--progress", "never"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	info := readRunJSON(t, dir)
	m := info.Metadata
	if m == nil || m.Family != "Random" || m.ParamsB != 0.001 || m.Released != "2026-01-02" || m.Extra["color"] != "blue" {
		t.Fatalf("metadata %+v", m)
	}
	if info.Price == nil || info.Price.Output != 6 || info.Questions != 6 || info.Result == nil || info.Result.Answered != 6 {
		t.Fatalf("run.json %+v", info)
	}
}
