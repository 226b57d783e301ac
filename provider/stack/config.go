package stack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/strictyaml"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/strategy"
)

// File is a models file: engine defaults and a list of models.
//
//	defaults:          # optional, for every model that does not set them
//	  concurrency: 8
//	models:
//	  - provider: openai          # provider section: read by the provider
//	    model: gpt-4o
//	    concurrency: 16           # engine fields: read here
//	    price: {input: 2.5, output: 10}
//	    metadata: {released: 2024-05, open: false}
//	  - spec: openai:qwen2.5-7b@http://localhost:8000/v1
//
// Every model entry is split in two: the keys of Engine are read here and
// the rest is handed to the provider's ParseConfig, which refuses keys it does
// not know. Either way a typo is an error with its line number.
type File struct {
	Defaults Engine
	Models   []Entry
}

// Entry is one model entry of a config file.
type Entry struct {
	Line int
	// Name is the model's name as runs will call it: the section's name, else
	// provider:model, else the spec.
	Name string
	// Spec is "provider:model[@base-url]", or "" when Provider and Section
	// describe the model.
	Spec     string
	Provider string
	// Section is the entry without the engine's keys, for the provider.
	Section *yaml.Node
	Engine  Engine
}

// Engine holds the settings of a model the engine, the decorators and the
// reports use; every provider understands them the same way. Pointer fields are
// nil when not set, so that defaults and flags can fill them.
type Engine struct {
	Spec        string           `yaml:"spec"`
	Concurrency *int             `yaml:"concurrency"`
	RPM         *float64         `yaml:"rpm"`
	TPM         *float64         `yaml:"tpm"`
	Adaptive    *bool            `yaml:"adaptive"`
	Retries     *int             `yaml:"retries"`
	Price       *rundir.Price    `yaml:"price"`
	MaxCost     *float64         `yaml:"max_cost"`
	Strategy    *string          `yaml:"strategy"`
	Decoding    *rundir.Decoding `yaml:"decoding"`
	Metadata    *rundir.Metadata `yaml:"metadata"`
	// SystemPrompt, Template (a Go text/template file, relative to the
	// config file) and FewShot put the model's prompts under the user's
	// control (strategy.Prompt); they enter the run id and the cache key.
	SystemPrompt *string            `yaml:"system_prompt"`
	Template     *string            `yaml:"template"`
	FewShot      []strategy.Example `yaml:"few_shot,omitempty"`
}

var releasedRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$`)

// MaxTemperature is the highest sampling temperature accepted; every API
// this tool speaks takes [0, 2].
const MaxTemperature = 2

// valueRules are the checks of an engine section's values, shared by config
// keys and the flags that set the same settings, so neither can take a value
// the other refuses. Each names its config key and its flag.
var valueRules = []struct {
	key, flag string
	bad       func(e *Engine) bool
	want      string
}{
	{"concurrency", "--concurrency", func(e *Engine) bool { return e.Concurrency != nil && *e.Concurrency < 1 }, "must be at least 1"},
	{"rpm", "--rpm", func(e *Engine) bool { return negative(e.RPM) }, "must not be negative"},
	{"tpm", "--tpm", func(e *Engine) bool { return negative(e.TPM) }, "must not be negative"},
	{"retries", "--retries", func(e *Engine) bool { return e.Retries != nil && *e.Retries < 0 }, "must not be negative"},
	{"max_cost", "--max-cost", func(e *Engine) bool { return negative(e.MaxCost) }, "must not be negative"},
	{"price", "", func(e *Engine) bool { return e.Price != nil && (!(e.Price.Input >= 0) || !(e.Price.Output >= 0)) }, "prices must not be negative"},
	{"decoding.max_tokens", "--max-tokens", func(e *Engine) bool { return e.Decoding != nil && e.Decoding.MaxTokens < 0 }, "must not be negative"},
	{"decoding.temperature", "--temperature", func(e *Engine) bool {
		t := e.Decoding
		return t != nil && t.Temperature != nil && !(*t.Temperature >= 0 && *t.Temperature <= MaxTemperature)
	}, fmt.Sprintf("must be a number in [0, %d]", MaxTemperature)},
}

// negative is true for a set value below zero or not a number.
func negative(v *float64) bool { return v != nil && !(*v >= 0) }

// Check validates the values of an engine section of a config file; where
// names it in errors (EINVALID).
func (e *Engine) Check(where string) error {
	bad := func(format string, args ...any) error {
		return eh.Errorf(eh.EINVALID, "%s: %s", where, fmt.Sprintf(format, args...))
	}
	if !e.finite() {
		return bad("numbers must be finite (not .nan or .inf)")
	}
	for _, r := range valueRules {
		if r.bad(e) {
			if r.key == "price" {
				return bad("%s", r.want)
			}
			return bad("%s %s", r.key, r.want)
		}
	}
	if m := e.Metadata; m != nil {
		switch m.Reasoning {
		case "", "yes", "no", "hybrid":
		default:
			return bad("metadata.reasoning must be yes, no or hybrid, not %q", m.Reasoning)
		}
		if m.Released != "" && !releasedRE.MatchString(m.Released) {
			return bad("metadata.released must be YYYY-MM or YYYY-MM-DD, not %q", m.Released)
		}
		if m.ParamsB < 0 || m.ActiveParamsB < 0 {
			return bad("metadata parameter counts must not be negative")
		}
	}
	return nil
}

// finite reports whether every number of e is finite: a NaN passes every
// "must not be negative" comparison, and a NaN price would make max_cost
// never trip (found by FuzzParseConfig).
func (e *Engine) finite() bool {
	ok := func(p *float64) bool { return p == nil || !math.IsNaN(*p) && !math.IsInf(*p, 0) }
	if !ok(e.RPM) || !ok(e.TPM) || !ok(e.MaxCost) {
		return false
	}
	if p := e.Price; p != nil && (!ok(&p.Input) || !ok(&p.Output)) {
		return false
	}
	if d := e.Decoding; d != nil && !ok(d.Temperature) {
		return false
	}
	if m := e.Metadata; m != nil && (!ok(&m.ParamsB) || !ok(&m.ActiveParamsB)) {
		return false
	}
	return true
}

// CheckFlags validates engine settings given as flags by the rules of config
// keys, naming the flag (EUSAGE): nothing a config would refuse is sent or
// stored because a flag said so.
func (e *Engine) CheckFlags() error {
	for _, r := range valueRules {
		if r.flag != "" && r.bad(e) {
			return eh.Errorf(eh.EUSAGE, "%s %s", r.flag, r.want)
		}
	}
	return nil
}

// Merge fills e's unset fields from d.
func (e Engine) Merge(d Engine) Engine {
	ev, dv := reflect.ValueOf(&e).Elem(), reflect.ValueOf(d)
	for i := range ev.NumField() {
		f := ev.Field(i)
		if f.IsZero() {
			f.Set(dv.Field(i))
		}
	}
	return e
}

// LoadConfig reads and checks a models file.
func LoadConfig(path string) (*File, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: "config " + path, Err: err}
	}
	cfg, err := parseConfig(data)
	if err != nil {
		return nil, &eh.Error{Code: eh.EINVALID, Message: "config " + path, Err: err}
	}
	return cfg, nil
}

// parseConfig parses the YAML of a models file.
func parseConfig(data []byte) (*File, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		if !strings.Contains(err.Error(), "line ") {
			// The YAML reader's character errors carry no position, and its
			// parser leaves out the line when it is the first one.
			return nil, fmt.Errorf("line %d: %w", max(badCharLine(data), 1), err)
		}
		return nil, err
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want a mapping with a models list", root.Line)
	}
	cfg := &File{}
	var models *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "defaults":
			if err := strictyaml.Decode(v, &cfg.Defaults, "defaults"); err != nil {
				return nil, err
			}
			if cfg.Defaults.Spec != "" {
				return nil, fmt.Errorf("line %d: defaults cannot name a spec", k.Line)
			}
			if err := cfg.Defaults.Check(fmt.Sprintf("defaults (line %d)", k.Line)); err != nil {
				return nil, err
			}
		case "models":
			models = v
		default:
			return nil, fmt.Errorf("line %d: unknown key %q (want defaults or models)", k.Line, k.Value)
		}
	}
	if models == nil || models.Kind != yaml.SequenceNode || len(models.Content) == 0 {
		return nil, errors.New("no models: want a non-empty list under models")
	}
	for _, n := range models.Content {
		mc, err := parseModel(n)
		if err != nil {
			return nil, err
		}
		cfg.Models = append(cfg.Models, mc)
	}
	return cfg, nil
}

// badCharLine returns the line of the first byte YAML refuses (invalid UTF-8 or
// a control character), 0 when there is none.
func badCharLine(data []byte) int {
	line := 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n <= 1, r < 0x20 && r != '\t' && r != '\n' && r != '\r',
			r >= 0x7f && r < 0xa0 && r != 0x85, r >= 0xd800 && r < 0xe000, r == 0xfffe || r == 0xffff:
			return line
		case r == '\n':
			line++
		}
		i += n
	}
	return 0
}

// EngineKeys are the keys of a model entry read by the engine, not the provider.
var EngineKeys = strictyaml.Keys(reflect.TypeOf(Engine{}))

// parseModel splits one model entry into its engine and provider parts.
func parseModel(n *yaml.Node) (Entry, error) {
	mc := Entry{Line: n.Line}
	where := fmt.Sprintf("model at line %d", n.Line)
	if n.Kind != yaml.MappingNode {
		return mc, fmt.Errorf("%s: want a mapping of settings", where)
	}
	eng := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line}
	prov := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, ok := EngineKeys[k.Value]; ok {
			eng.Content = append(eng.Content, k, v)
			continue
		}
		if k.Value == "provider" || k.Value == "type" {
			mc.Provider = v.Value
		}
		prov.Content = append(prov.Content, k, v)
	}
	if err := strictyaml.Decode(eng, &mc.Engine, where); err != nil {
		return mc, err
	}
	if err := mc.Engine.Check(where); err != nil {
		return mc, err
	}
	mc.Spec = mc.Engine.Spec
	mc.Name = mc.Spec
	if mc.Spec == "" {
		mc.Name = scalar(prov, "name")
		if mc.Name == "" {
			mc.Name = mc.Provider + ":" + scalar(prov, "model")
		}
	}
	switch {
	case mc.Spec != "" && len(prov.Content) > 0:
		return mc, fmt.Errorf("%s: give either spec or provider settings (%s), not both", where, prov.Content[0].Value)
	case mc.Spec == "" && mc.Provider == "":
		return mc, fmt.Errorf("%s: want spec (provider:model) or provider", where)
	}
	// A provider sizes its connection pool from max_concurrency; give it the
	// engine's concurrency unless the entry says otherwise.
	if mc.Spec == "" && mc.Engine.Concurrency != nil && !hasKey(prov, "max_concurrency") {
		prov.Content = append(prov.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "max_concurrency"},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(*mc.Engine.Concurrency)})
	}
	mc.Section = prov
	return mc, nil
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// scalar returns the value of a scalar key of a mapping, "" when absent.
func scalar(n *yaml.Node, key string) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

func sortedKeys(m map[string][]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
