package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/all"
	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/rundir"
)

// engineFlags are the flags of run and worker that set a model's engine
// settings, which a config file's entries set too.
type engineFlags struct {
	Concurrency int
	RPM, TPM    float64
	NoAdaptive  bool
	Retries     int
	MaxCostUSD  float64
	Strategy    string
	Temperature *float64
	Seed        *int64
	MaxTokens   int
	// ConcurrencyCap bounds Concurrency (and a config's concurrency).
	ConcurrencyCap int
	// Modalities replace the models' declared modalities (--modalities);
	// modalities is their parsed form, set by check when the flag is given.
	Modalities []string
	modalities []eh.Modality
	// changed names the flags the user set, which override a config file.
	changed map[string]bool
}

// visit records which flags the user set; RunE calls it first.
func (e *engineFlags) visit(cmd *cobra.Command) {
	e.changed = map[string]bool{}
	cmd.Flags().Visit(func(f *pflag.Flag) { e.changed[f.Name] = true })
}

// engine returns the engine settings the flags give; with onlySet, only those
// the user set explicitly (which override a config file).
func (e engineFlags) engine(onlySet bool) stack.Engine {
	var s stack.Engine
	set := func(name string) bool { return !onlySet || e.changed[name] }
	if set("concurrency") {
		s.Concurrency = &e.Concurrency
	}
	if set("rpm") {
		s.RPM = &e.RPM
	}
	if set("tpm") {
		s.TPM = &e.TPM
	}
	if set("no-adaptive") {
		a := !e.NoAdaptive
		s.Adaptive = &a
	}
	if set("retries") {
		s.Retries = &e.Retries
	}
	if set("max-cost") {
		s.MaxCost = &e.MaxCostUSD
	}
	if set("strategy") && e.Strategy != "" {
		s.Strategy = &e.Strategy
	}
	d := rundir.Decoding{}
	if set("temperature") {
		d.Temperature = e.Temperature
	}
	if set("seed") {
		d.Seed = e.Seed
	}
	if set("max-tokens") {
		d.MaxTokens = e.MaxTokens
	}
	if d != (rundir.Decoding{}) {
		s.Decoding = &d
	}
	return s
}

// check applies the config keys' rules to the flags, and the concurrency
// cap: a value a config would refuse is a usage error, never sent or stored.
func (e *engineFlags) check() error {
	if e.ConcurrencyCap < 1 {
		return usagef("--concurrency-cap must be at least 1")
	}
	all := e.engine(false)
	if err := all.CheckFlags(); err != nil {
		return err
	}
	if e.changed["modalities"] {
		var err error
		if e.modalities, err = stack.ParseModalities(e.Modalities); err != nil {
			return err
		}
	}
	if e.Concurrency > e.ConcurrencyCap {
		return &eh.Error{Code: eh.EUSAGE, Message: fmt.Sprintf("--concurrency %d is above the cap of %d", e.Concurrency, e.ConcurrencyCap),
			Hint: "raise the cap with --concurrency-cap if the server really takes that many requests at once"}
	}
	return nil
}

// capFlag adds --concurrency-cap and --modalities, the flags of run and
// worker that bound or change what the config says.
func (e *engineFlags) capFlag(f *pflag.FlagSet) {
	f.IntVar(&e.ConcurrencyCap, "concurrency-cap", stack.DefaultMaxConcurrency, "highest --concurrency (or config concurrency) accepted; raise it only for servers that take that many requests at once")
	f.StringSliceVar(&e.Modalities, "modalities", nil, "modalities every model takes, replacing what its provider or config declares (text is always included): image, audio, short-video, long-video; video also needs video: native|frames in a --config")
}

// selection is what stack.FromConfig builds for these flags.
func (e engineFlags) selection(specs []string, config string, only []string) stack.Selection {
	return stack.Selection{Specs: specs, Config: config, Only: only, Registry: registry, MaxConcurrency: e.ConcurrencyCap,
		Modalities: e.modalities, Flags: e.engine(false), Set: e.engine(true)}
}

// registry builds every provider this binary knows.
var registry = stack.Registry{New: all.New, FromSection: all.FromConfig}
