package stack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/all"
	"github.com/emohallucer/emohallucer/rundir"
)

// registry is the real one, as the command passes it.
var registry = Registry{New: all.New, FromSection: all.FromConfig}

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
			// The command's flag defaults fill what the config leaves out.
			conc, strat := 8, "direct"
			setups, err := FromConfig(Selection{Registry: registry, Config: path, Flags: Engine{Concurrency: &conc, Strategy: &strat}})
			if err != nil {
				t.Fatal(err)
			}
			if len(setups) != tt.models {
				t.Fatalf("%d models, want %d", len(setups), tt.models)
			}
			for _, s := range setups {
				if s.Model.Capabilities().Deterministic {
					continue
				}
				m := s.Engine.Metadata
				if m == nil || m.Released == "" || m.Reasoning == "" || m.Open == nil || m.Family == "" {
					t.Errorf("%s: incomplete metadata %+v", s.Name, m)
				}
				if s.Engine.Concurrency == nil || *s.Engine.Concurrency < 1 || s.Engine.Strategy == nil {
					t.Errorf("%s: engine settings not resolved: %+v", s.Name, s.Engine)
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
			_, err := FromConfig(Selection{Registry: registry, Config: path})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
			if code := eh.ErrorCode(err); code != eh.EINVALID && code != eh.EUSAGE {
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
	// The flags: --max-tokens 99 given, the rest at their defaults.
	conc, retries, strat := 8, 7, "direct"
	explicit := Engine{Decoding: &rundir.Decoding{MaxTokens: 99}}
	flags := explicit
	flags.Concurrency, flags.Retries, flags.Strategy = &conc, &retries, &strat
	setups, err := FromConfig(Selection{Registry: registry, Config: path, Flags: flags, Set: explicit})
	if err != nil {
		t.Fatal(err)
	}
	yes, no := setups[0].Engine, setups[1].Engine
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

// TestOnly: --only runs exactly the models it names, however they are placed
// in the config (it once ran every model after the first one named), and an
// unknown name is a usage error listing the config's models.
func TestOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "models.yaml")
	os.WriteFile(path, []byte("models:\n  - spec: baseline:always-yes\n  - spec: baseline:always-no\n  - spec: baseline:random?seed=1\n  - spec: baseline:random?seed=2\n"), 0o644)
	tests := []struct {
		only []string
		want string // the models built, in config order
	}{
		// The last model alone.
		{[]string{"baseline:random?seed=2"}, "baseline:random?seed=2"},
		// The first: none of those after it.
		{[]string{"baseline:always-yes"}, "baseline:always-yes"},
		// Two, named out of order: the config's order, nothing in between.
		{[]string{"baseline:random?seed=1", "baseline:always-yes"}, "baseline:always-yes baseline:random?seed=1"},
		// No --only: all of them.
		{nil, "baseline:always-yes baseline:always-no baseline:random?seed=1 baseline:random?seed=2"},
	}
	for _, tt := range tests {
		setups, err := FromConfig(Selection{Registry: registry, Config: path, Only: tt.only})
		if err != nil {
			t.Fatalf("--only %v: %v", tt.only, err)
		}
		var got []string
		for _, s := range setups {
			got = append(got, s.Name)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("--only %v built %v, want %s", tt.only, got, tt.want)
		}
	}
	_, err := FromConfig(Selection{Registry: registry, Config: path, Only: []string{"baseline:always-yes", "gpt-9"}})
	if err == nil || eh.ErrorCode(err) != eh.EUSAGE || !strings.Contains(err.Error(), "no such model") || !strings.Contains(err.Error(), "baseline:always-no") {
		t.Fatalf("--only with an unknown name: %v (code %s), want a usage error listing the models", err, eh.ErrorCode(err))
	}
}
