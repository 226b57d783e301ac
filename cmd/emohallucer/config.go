package main

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
)

// fileConfig is a models file: engine defaults and a list of models.
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
// Every model entry is split in two: the keys of engineConfig are read here and
// the rest is handed to the provider's ParseConfig, which refuses keys it does
// not know. Either way a typo is an error with its line number.
type fileConfig struct {
	Defaults engineConfig
	Models   []modelConfig
}

// modelConfig is one model entry of a config file.
type modelConfig struct {
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
	Engine  engineConfig
}

// engineConfig holds the settings of a model the engine, the decorators and the
// reports use; every provider understands them the same way. Pointer fields are
// nil when not set, so that defaults and flags can fill them.
type engineConfig struct {
	Spec        string    `yaml:"spec"`
	Concurrency *int      `yaml:"concurrency"`
	RPM         *float64  `yaml:"rpm"`
	TPM         *float64  `yaml:"tpm"`
	Adaptive    *bool     `yaml:"adaptive"`
	Retries     *int      `yaml:"retries"`
	Price       *price    `yaml:"price"`
	MaxCost     *float64  `yaml:"max_cost"`
	Strategy    *string   `yaml:"strategy"`
	Decoding    *decoding `yaml:"decoding"`
	Metadata    *metadata `yaml:"metadata"`
}

// price is what a model costs, in USD per million tokens.
type price struct {
	Input  float64 `yaml:"input" json:"input_per_mtok"`
	Output float64 `yaml:"output" json:"output_per_mtok"`
}

// cost prices a usage.
func (p *price) cost(u eh.Usage) float64 {
	if p == nil {
		return 0
	}
	return (float64(u.PromptTokens)*p.Input + float64(u.CompletionTokens)*p.Output) / 1e6
}

// decoding parameters sent with every request; nil means the model's default.
type decoding struct {
	Temperature *float64 `yaml:"temperature" json:"temperature,omitempty"`
	Seed        *int64   `yaml:"seed" json:"seed,omitempty"`
	MaxTokens   int      `yaml:"max_tokens" json:"max_tokens,omitempty"`
}

// metadata describes a model for reports (plots of score against size or
// release date, open against closed). It never affects answers.
type metadata struct {
	Family       string `yaml:"family" json:"family,omitempty"`
	Organization string `yaml:"organization" json:"organization,omitempty"`
	// ParamsB and ActiveParamsB are total and active (mixture-of-experts)
	// parameters in billions; 0 when unknown or undisclosed.
	ParamsB       float64 `yaml:"params_b" json:"params_b,omitempty"`
	ActiveParamsB float64 `yaml:"active_params_b" json:"active_params_b,omitempty"`
	Open          *bool   `yaml:"open" json:"open,omitempty"`
	// Reasoning is yes, no or hybrid (a switchable thinking mode).
	Reasoning string `yaml:"reasoning" json:"reasoning,omitempty"`
	// Released is the public release month or day: YYYY-MM or YYYY-MM-DD.
	Released string         `yaml:"released" json:"released,omitempty"`
	URL      string         `yaml:"url" json:"url,omitempty"`
	Notes    string         `yaml:"notes" json:"notes,omitempty"`
	Extra    map[string]any `yaml:"extra" json:"extra,omitempty"`
}

var releasedRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$`)

// check validates the values of an engine section.
func (e *engineConfig) check(where string) error {
	bad := func(format string, args ...any) error {
		return eh.Errorf(eh.EINVALID, "%s: %s", where, fmt.Sprintf(format, args...))
	}
	switch {
	case !e.finite():
		return bad("numbers must be finite (not .nan or .inf)")
	case e.Concurrency != nil && *e.Concurrency < 1:
		return bad("concurrency must be at least 1")
	case e.RPM != nil && *e.RPM < 0, e.TPM != nil && *e.TPM < 0:
		return bad("rpm and tpm must not be negative")
	case e.Retries != nil && *e.Retries < 0:
		return bad("retries must not be negative")
	case e.MaxCost != nil && *e.MaxCost < 0:
		return bad("max_cost must not be negative")
	case e.Price != nil && (e.Price.Input < 0 || e.Price.Output < 0):
		return bad("prices must not be negative")
	case e.Decoding != nil && e.Decoding.MaxTokens < 0:
		return bad("decoding.max_tokens must not be negative")
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
func (e *engineConfig) finite() bool {
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

// merge fills e's unset fields from d.
func (e engineConfig) merge(d engineConfig) engineConfig {
	ev, dv := reflect.ValueOf(&e).Elem(), reflect.ValueOf(d)
	for i := range ev.NumField() {
		f := ev.Field(i)
		if f.IsZero() {
			f.Set(dv.Field(i))
		}
	}
	return e
}

// loadConfig reads and checks a models file.
func loadConfig(path string) (*fileConfig, error) {
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
func parseConfig(data []byte) (*fileConfig, error) {
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
	cfg := &fileConfig{}
	var models *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "defaults":
			if err := decodeStrict(v, &cfg.Defaults, "defaults"); err != nil {
				return nil, err
			}
			if cfg.Defaults.Spec != "" {
				return nil, fmt.Errorf("line %d: defaults cannot name a spec", k.Line)
			}
			if err := cfg.Defaults.check(fmt.Sprintf("defaults (line %d)", k.Line)); err != nil {
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

// engineKeys are the keys of a model entry read by the engine, not the provider.
var engineKeys = yamlKeys(reflect.TypeOf(engineConfig{}))

// parseModel splits one model entry into its engine and provider parts.
func parseModel(n *yaml.Node) (modelConfig, error) {
	mc := modelConfig{Line: n.Line}
	where := fmt.Sprintf("model at line %d", n.Line)
	if n.Kind != yaml.MappingNode {
		return mc, fmt.Errorf("%s: want a mapping of settings", where)
	}
	eng := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line}
	prov := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, ok := engineKeys[k.Value]; ok {
			eng.Content = append(eng.Content, k, v)
			continue
		}
		if k.Value == "provider" || k.Value == "type" {
			mc.Provider = v.Value
		}
		prov.Content = append(prov.Content, k, v)
	}
	if err := decodeStrict(eng, &mc.Engine, where); err != nil {
		return mc, err
	}
	if err := mc.Engine.check(where); err != nil {
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

// decodeStrict decodes node into out (a pointer to a struct), refusing keys that
// match no field at any depth, with the line of the offending key.
func decodeStrict(node *yaml.Node, out any, where string) error {
	if err := checkKeys(node, reflect.TypeOf(out).Elem(), where); err != nil {
		return err
	}
	if err := node.Decode(out); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

func checkKeys(n *yaml.Node, t reflect.Type, where string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		known := yamlKeys(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			f, ok := known[k.Value]
			if !ok {
				return fmt.Errorf("%s: line %d: unknown key %q (known: %s)", where, k.Line, k.Value, strings.Join(sortedKeys(known), ", "))
			}
			if err := checkKeys(n.Content[i+1], t.FieldByIndex(f).Type, where+", "+k.Value); err != nil {
				return err
			}
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for _, c := range n.Content {
			if err := checkKeys(c, t.Elem(), where); err != nil {
				return err
			}
		}
	}
	return nil
}

// yamlFields maps a struct's YAML keys to field indexes.
type yamlFields map[string][]int

func yamlKeys(t reflect.Type) yamlFields {
	out := yamlFields{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Index
	}
	return out
}

func sortedKeys(m yamlFields) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
