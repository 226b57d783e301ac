package stack

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/strategy"
)

// Registry builds providers: the command passes provider/all's functions, so
// that this package, and the runner that uses it, compile without any
// provider's SDK.
type Registry struct {
	// New builds a model from its spec ("provider:model[@base-url]").
	New func(spec string) (eh.Model, error)
	// FromSection builds a model from a config entry's provider section.
	FromSection func(provider string, section *yaml.Node) (eh.Model, error)
}

// DefaultModels are evaluated when a run names no model: the tool then works
// on a fresh machine with no API key and shows what the metrics mean.
var DefaultModels = []string{"baseline:always-yes", "baseline:always-no", "baseline:random?seed=1"}

// DefaultMaxConcurrency caps a model's concurrency unless the user raises
// the cap (--concurrency-cap): every unit costs a goroutine, a buffer slot and
// a connection, so a typo of a few zeros would otherwise take gigabytes.
const DefaultMaxConcurrency = 4096

// Setup is one model to evaluate with its resolved engine settings.
type Setup struct {
	// Name names the run folder: the spec as given, or the config entry's name.
	Name   string
	Model  eh.Model
	Engine Engine
	// Prompt is the config's system prompt, template and few-shot examples
	// (nil: none).
	Prompt *strategy.Prompt
}

// Selection says which models to build and with which engine settings.
type Selection struct {
	// Specs are model specs ("provider:model[@base-url]").
	Specs []string
	// Config is a models file ("-": standard input); Only selects its models
	// by name (empty: all).
	Config string
	Only   []string
	// Registry builds the providers.
	Registry Registry
	// MaxConcurrency caps the concurrency a config may set (0:
	// DefaultMaxConcurrency).
	MaxConcurrency int
	// Modalities, when set, replace every model's declared modalities
	// (--modalities; ParseModalities).
	Modalities []eh.Modality
	// Flags are the engine settings of the command line, every field set
	// (defaults included); Set holds only those the user set explicitly,
	// which beat a config file's.
	Flags, Set Engine
}

// FromConfig builds every model of sel, failing before any run starts if one
// cannot be built (a missing key, a bad section). With neither specs nor a
// config, the DefaultModels are built. Precedence of engine settings: a flag
// the user set, then the model's entry, then the config's defaults, then the
// flags' default values.
func FromConfig(sel Selection) ([]Setup, error) {
	var out []Setup
	specs := sel.Specs
	if len(specs) == 0 && sel.Config == "" {
		specs = DefaultModels
	}
	for _, spec := range specs {
		m, err := sel.Registry.New(spec)
		if err != nil {
			return nil, asUsage(err)
		}
		out = append(out, Setup{Name: spec, Model: m, Engine: sel.Flags})
	}
	if sel.Config != "" {
		cfg, err := LoadConfig(sel.Config)
		if err != nil {
			return nil, err
		}
		// Every name of --only must name a model, checked before any is
		// built: a typo must not quietly drop a model (or run the others).
		var names []string
		known := map[string]bool{}
		for _, mc := range cfg.Models {
			names = append(names, mc.Name)
			known[mc.Name] = true
		}
		only := map[string]bool{}
		for _, n := range sel.Only {
			if !known[n] {
				return nil, eh.Errorf(eh.EUSAGE, "--only %s: no such model in %s (models: %s)", n, sel.Config, strings.Join(names, ", "))
			}
			only[n] = true
		}
		for _, mc := range cfg.Models {
			if len(only) > 0 && !only[mc.Name] {
				continue
			}
			where := fmt.Sprintf("config %s, model at line %d", sel.Config, mc.Line)
			var m eh.Model
			if mc.Spec != "" {
				m, err = sel.Registry.New(mc.Spec)
			} else {
				m, err = sel.Registry.FromSection(mc.Provider, mc.Section)
			}
			if err != nil {
				e := &eh.Error{Code: eh.ErrorCode(err), Message: where, Err: err}
				if e.Code == eh.EINVALID {
					e.Hint = "keys read by the engine rather than the provider: " + strings.Join(sortedKeys(EngineKeys), ", ")
				}
				return nil, e
			}
			eng := sel.Set.Merge(mc.Engine).Merge(cfg.Defaults).Merge(sel.Flags)
			eng.Decoding = mergeDecoding(sel.Set.Decoding, mc.Engine.Decoding, cfg.Defaults.Decoding)
			if limit := cmp.Or(sel.MaxConcurrency, DefaultMaxConcurrency); eng.Concurrency != nil && *eng.Concurrency > limit {
				return nil, &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("%s: concurrency %d is above the cap of %d", where, *eng.Concurrency, limit),
					Hint: "raise the cap with --concurrency-cap if the server really takes that many requests at once"}
			}
			p, err := promptOf(eng, filepath.Dir(sel.Config), where)
			if err != nil {
				return nil, err
			}
			out = append(out, Setup{Name: m.Name(), Model: m, Engine: eng, Prompt: p})
		}
	} else if len(sel.Only) > 0 {
		return nil, eh.Errorf(eh.EUSAGE, "--only selects models of a --config file")
	}
	if sel.Modalities != nil {
		for i := range out {
			out[i].Model = withModalities(out[i].Model, sel.Modalities)
		}
	}
	seen := map[string]bool{}
	for _, s := range out {
		if seen[s.Name] {
			return nil, eh.Errorf(eh.EUSAGE, "model %q is listed twice; give one a different name", s.Name)
		}
		seen[s.Name] = true
	}
	return out, nil
}

// promptOf reads a resolved model's prompt settings: the template file
// (relative to dir, the config's folder) is read and checked with the
// examples for the model's strategy, every error naming where (the config
// file and the model's line).
func promptOf(eng Engine, dir, where string) (*strategy.Prompt, error) {
	p := &strategy.Prompt{FewShot: eng.FewShot}
	if eng.SystemPrompt != nil {
		p.System = *eng.SystemPrompt
	}
	if eng.Template != nil {
		path := *eng.Template
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: template %s", where, *eng.Template), Err: err}
		}
		p.Template = string(b)
	}
	if p.Empty() {
		return nil, nil
	}
	name := "direct"
	if eng.Strategy != nil {
		name = *eng.Strategy
	}
	if err := p.Check(name); err != nil {
		return nil, &eh.Error{Code: eh.EINVALID, Message: where, Err: err}
	}
	return p, nil
}

// mergeDecoding takes each decoding parameter from the first layer that sets it.
func mergeDecoding(layers ...*rundir.Decoding) *rundir.Decoding {
	var d rundir.Decoding
	for _, l := range layers {
		if l == nil {
			continue
		}
		if d.Temperature == nil {
			d.Temperature = l.Temperature
		}
		if d.Seed == nil {
			d.Seed = l.Seed
		}
		if d.MaxTokens == 0 {
			d.MaxTokens = l.MaxTokens
		}
	}
	return &d
}

// Options are the Wrap options of a resolved engine section: its limits and
// retries. The caller adds the run's timeout, stop channel, cache and log.
func (e Engine) Options() Options {
	o := Options{Adaptive: true}
	if e.Concurrency != nil {
		o.Concurrency = *e.Concurrency
	}
	if e.RPM != nil {
		o.RPM = *e.RPM
	}
	if e.TPM != nil {
		o.TPM = *e.TPM
	}
	if e.Adaptive != nil {
		o.Adaptive = *e.Adaptive
	}
	o.Retries = DefaultRetries
	if e.Retries != nil {
		o.Retries = *e.Retries
	}
	return o
}

// asUsage turns an invalid model spec into a usage error: a spec comes from the
// command line (--model), so a malformed one is a mistake in the command, exit
// 2, where the same problem in a config file is invalid input. Other failures
// (a missing key) keep their code.
func asUsage(err error) error {
	var e *eh.Error
	if !errors.As(err, &e) || e.Code != eh.EINVALID {
		return err
	}
	u := *e
	u.Code = eh.EUSAGE
	return &u
}
