package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/strategy"
)

// Settings are what, besides the model and its decoding parameters, decides a
// run's answers.
type Settings struct {
	// Rule is the answer extraction rule.
	Rule string
	// Samples and SampleTemperature configure self-consistency.
	Samples           int
	SampleTemperature float64
	// Sample is the stratified sample of pairs (--sample); it enters the run
	// id, so a sample's run never mixes with a full run or another sample.
	Sample Sample
	// Task is TaskQuestions (the yes/no pairs) or TaskDescribe; it enters the
	// run id, so descriptions never share a run folder with answers.
	Task string
	// Judge is the identity of the describe task's judge model ("": none);
	// it enters the run id, so judged and unjudged runs never mix.
	Judge string
}

// MaxSamples caps self-consistency's samples per question: each is a model
// call, and a typo of a few zeros would otherwise never finish.
const MaxSamples = 64

// Check refuses settings no run can use (EUSAGE, naming the flag).
func (st Settings) Check() error {
	switch {
	case st.Samples < 1 || st.Samples > MaxSamples:
		return eh.Errorf(eh.EUSAGE, "--samples must be between 1 and %d, not %d", MaxSamples, st.Samples)
	case st.Task != TaskQuestions && st.Task != TaskDescribe:
		return eh.Errorf(eh.EUSAGE, "--task must be questions or describe, not %q", st.Task)
	case st.Judge != "" && st.Task != TaskDescribe:
		return eh.Errorf(eh.EUSAGE, "--judge judges descriptions: it needs --task describe")
	case !(st.SampleTemperature >= 0 && st.SampleTemperature <= stack.MaxTemperature):
		return eh.Errorf(eh.EUSAGE, "--sample-temperature must be a number in [0, %d], not %g", stack.MaxTemperature, st.SampleTemperature)
	}
	return nil
}

// Definition is the run one model makes of a suite: its id, strategy and
// options. Local runs, shards and queued runs all get theirs from Define, so
// the same command is the same run wherever it is answered.
type Definition struct {
	ID       string
	Strategy eh.Strategy
	Options  strategy.Options
	Decoding *rundir.Decoding
}

// Define resolves the run of model m over the suite named suiteName.
func Define(suiteName string, m stack.Setup, st Settings) (*Definition, error) {
	if err := st.Check(); err != nil {
		return nil, err
	}
	caps := m.Model.Capabilities()
	dec := m.Engine.Decoding
	if dec == nil {
		dec = &rundir.Decoding{}
	}
	name := "direct"
	if m.Engine.Strategy != nil {
		name = *m.Engine.Strategy
	}
	opts := strategy.Options{Rule: st.Rule, Temperature: dec.Temperature, Seed: dec.Seed, MaxTokens: dec.MaxTokens,
		Logprobs: caps.Logprobs, Samples: st.Samples, SampleTemperature: &st.SampleTemperature, Prompt: m.Prompt}
	var strat eh.Strategy
	var err error
	if st.Task == TaskDescribe {
		strat, err = strategy.NewDescriber(name, opts)
	} else {
		strat, err = strategy.New(name, opts)
	}
	if err != nil {
		return nil, err
	}
	return &Definition{ID: runID(suiteName, m.Model, strat.Name(), dec, st, m.Prompt.Digest()), Strategy: strat, Options: opts, Decoding: dec}, nil
}

// runID derives the run id from everything that determines the answers, so
// the same command always continues the same run.
func runID(suiteName string, m eh.Model, strat string, d *rundir.Decoding, st Settings, prompt string) string {
	// Sampling settings matter only to self-consistency; leaving them out
	// otherwise keeps every other run's id unchanged.
	var sampling *[2]float64
	if strat == "self-consistency" {
		sampling = &[2]float64{float64(st.Samples), st.SampleTemperature}
	}
	key, _ := json.Marshal(struct {
		Suite, Identity, Strategy, Rule string
		Temperature                     *float64
		Seed                            *int64
		MaxTokens                       int
		Sampling                        *[2]float64 `json:",omitempty"`
		Sample                          string      `json:",omitempty"`
		Prompt                          string      `json:",omitempty"`
		Task                            string      `json:",omitempty"`
		Judge                           string      `json:",omitempty"`
	}{suiteName, m.Capabilities().Identity, strat, st.Rule, d.Temperature, d.Seed, d.MaxTokens, sampling, st.Sample.String(), prompt, st.Task, st.Judge})
	sum := sha256.Sum256(key)
	return rundir.Slug(m.Name()) + "-" + strat + "-" + hex.EncodeToString(sum[:4])
}
