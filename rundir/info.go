// Package rundir is the run folder as a versioned on-disk format: records.jsonl
// (the record package's format), run.json (Info: what a run evaluated and how,
// versioned by its schema number as records are), summary.json (the scores),
// the lock that keeps two runs out of one folder, how run folders are named
// and how they are found under a path.
//
// Every error about a path of the folder is a coded error: EIO when the file
// system refused (a full disk, a read-only folder, a directory where a file
// should be), EINVALID when a file holds something unreadable, EBUSY when
// another run holds the folder.
package rundir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	eh "github.com/emohallucer/emohallucer"
)

// Names of the files of a run folder.
const (
	InfoFile    = "run.json"
	SummaryFile = "summary.json"
	// LockFile is held (flock) by the run writing into the folder.
	LockFile = ".lock"
)

// InfoSchema is the schema version of run.json that this version writes.
// ReadInfo accepts every version up to it (run.json files written before the
// field existed have none and read as version 1, their layout).
const InfoSchema = 1

// Info is run.json: what a run evaluated and how, for reports (metadata such
// as size and release date) and for accounting (requests, retries, cost). It
// never holds an API key or header value: Identity is redacted.
type Info struct {
	Schema   int    `json:"schema"`
	Run      string `json:"run"`
	Model    string `json:"model"`
	Identity string `json:"identity"`
	Suite    string `json:"suite"`
	// SuiteDir is the suite folder (empty for builtin), so that reports can show
	// the contexts and media of failed pairs without being told where it is.
	SuiteDir    string        `json:"suite_dir,omitempty"`
	Questions   int           `json:"questions"`
	Strategy    string        `json:"strategy"`
	Rule        string        `json:"rule"`
	Decoding    *Decoding     `json:"decoding,omitempty"`
	Modalities  []eh.Modality `json:"modalities"`
	Concurrency int           `json:"concurrency"`
	Adaptive    bool          `json:"adaptive"`
	RPM         float64       `json:"rpm,omitempty"`
	TPM         float64       `json:"tpm,omitempty"`
	Price       *Price        `json:"price,omitempty"`
	MaxCostUSD  float64       `json:"max_cost_usd,omitempty"`
	Metadata    *Metadata     `json:"metadata,omitempty"`
	// Provenance is the binary, platform and suite digest of the run's
	// latest attempt (absent in run.json files written before it existed).
	Provenance *Provenance `json:"provenance,omitempty"`
	Started    time.Time   `json:"started"`
	Finished   time.Time   `json:"finished,omitzero"`
	Result     *Result     `json:"result,omitempty"`
	Requests   Requests    `json:"requests"`
}

// Result is the engine's count of one attempt of the run (one invocation).
type Result struct {
	Answered     int     `json:"answered"`
	NotEvaluated int     `json:"not_evaluated"`
	Errors       int     `json:"errors"`
	Skipped      int     `json:"already_recorded"`
	Unstarted    int     `json:"not_started"`
	CostUSD      float64 `json:"cost_usd"`
	StopReason   string  `json:"stop_reason,omitempty"`
}

// Requests account for every request of one invocation: Attempts are calls
// that reached the provider, of which Retries were followed by another
// attempt; CacheHits were answered without any call.
type Requests struct {
	Attempts    int64 `json:"attempts"`
	Retries     int64 `json:"retries"`
	RateLimited int64 `json:"rate_limited"`
	Failed      int64 `json:"failed"`
	CacheHits   int64 `json:"cache_hits"`
	CacheMisses int64 `json:"cache_misses"`
	// Concurrency is the adaptive bound at the end, and Backoffs how often it
	// was lowered.
	Concurrency int `json:"concurrency_final,omitempty"`
	Backoffs    int `json:"backoffs,omitempty"`
}

// Describe is the requests part of a run's final console line.
func (r Requests) Describe() string {
	return fmt.Sprintf("%d requests (%d retried, %d rate-limited), %d from cache", r.Attempts, r.Retries, r.RateLimited, r.CacheHits)
}

// Decoding holds the parameters sent with every request; nil means the
// model's default. Config files and run.json share it.
type Decoding struct {
	Temperature *float64 `yaml:"temperature" json:"temperature,omitempty"`
	Seed        *int64   `yaml:"seed" json:"seed,omitempty"`
	MaxTokens   int      `yaml:"max_tokens" json:"max_tokens,omitempty"`
}

// Price is what a model costs, in USD per million tokens.
type Price struct {
	Input  float64 `yaml:"input" json:"input_per_mtok"`
	Output float64 `yaml:"output" json:"output_per_mtok"`
}

// Cost prices a usage; a nil Price costs nothing.
func (p *Price) Cost(u eh.Usage) float64 {
	if p == nil {
		return 0
	}
	return (float64(u.PromptTokens)*p.Input + float64(u.CompletionTokens)*p.Output) / 1e6
}

// Metadata describes a model for reports (plots of score against size or
// release date, open against closed). It never affects answers.
type Metadata struct {
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

// ReadInfo reads dir/run.json; a folder without one gives nil and no error.
// A run.json of a newer schema than this version knows is refused rather than
// half read.
func ReadInfo(dir string) (*Info, error) {
	path := filepath.Join(dir, InfoFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, ioError("read", path, err)
	}
	var info Info
	if err := json.Unmarshal(b, &info); err != nil {
		return nil, eh.Errorf(eh.EINVALID, "%s: %v", path, err)
	}
	switch {
	case info.Schema == 0:
		info.Schema = 1
	case info.Schema > InfoSchema:
		return nil, &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("%s: schema %d is newer than this version reads (%d)", path, info.Schema, InfoSchema),
			Hint: "upgrade emohallucer to read this run"}
	}
	return &info, nil
}

// WriteInfo writes dir/run.json, creating dir, through a temporary file: a
// crash or a full disk leaves the old file or the new one, never half of one,
// and no temporary file.
func WriteInfo(dir string, info *Info) error {
	info.Schema = InfoSchema
	info.Identity = eh.Redact(info.Identity)
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(dir, InfoFile, append(b, '\n'))
}
