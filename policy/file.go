package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/score"
)

// Schema is the version of policy.json this build writes; Read accepts every
// version up to it.
const Schema = 1

// File is policy.json: per use case the decision and the evidence it rests on.
type File struct {
	Schema int `json:"schema"`
	// Created is when the policy was made (UTC, RFC 3339).
	Created  string   `json:"created"`
	UseCases []Policy `json:"usecases"`
}

// Policy is the decision for one use case. With KeepHumans every case goes to
// a person and Model, Strategy and Threshold are empty.
type Policy struct {
	Name     string  `json:"name"`
	View     string  `json:"view"`
	MaxError float64 `json:"max_error"`
	// KeepHumans with its Reason, or the run to automate with.
	KeepHumans bool     `json:"keep_humans"`
	Reason     string   `json:"reason,omitempty"`
	Model      string   `json:"model,omitempty"`
	Strategy   string   `json:"strategy,omitempty"`
	Threshold  *float64 `json:"threshold,omitempty"`
	// AutomatedShare and ExpectedErrorUpper95 are what the evidence measured.
	AutomatedShare       float64  `json:"automated_share"`
	ExpectedErrorUpper95 float64  `json:"expected_error_upper95"`
	Evidence             Evidence `json:"evidence"`
}

// Evidence names what a decision was measured on.
type Evidence struct {
	// Runs are the ids of every run evaluated for the use case; Chosen is the
	// recommended one.
	Runs   []string `json:"runs"`
	Chosen string   `json:"chosen,omitempty"`
	// Suite is the suite the chosen run (or, keeping humans, the first run)
	// was on: "sha256:<digest>" when run.json records the suite's digest
	// (provenance.suite_sha256), else its name.
	Suite string `json:"suite"`
	// Date is the start date of that run (YYYY-MM-DD).
	Date string `json:"date"`
}

// Build makes the policy file of an evaluation of the runs.
func Build(ev *Evaluation, runs []*Run, now time.Time) *File {
	byID := map[string]*Run{}
	for _, r := range runs {
		byID[r.ID] = r
	}
	f := &File{Schema: Schema, Created: now.UTC().Format(time.RFC3339), UseCases: []Policy{}}
	for _, d := range ev.UseCases {
		p := Policy{Name: d.Name, View: d.UseCase.View, MaxError: d.UseCase.MaxError, KeepHumans: d.KeepHumans, Reason: d.Reason,
			Evidence: Evidence{Runs: []string{}}}
		for _, c := range d.Candidates {
			p.Evidence.Runs = append(p.Evidence.Runs, c.Run)
		}
		sort.Strings(p.Evidence.Runs)
		var basis *Run
		if rec := d.Recommendation; rec != nil {
			th := rec.Threshold
			p.Model, p.Strategy, p.Threshold = rec.Model, rec.Strategy, &th
			p.AutomatedShare, p.ExpectedErrorUpper95 = rec.AutomatedShare, rec.ExpectedErrorUpper95
			p.Evidence.Chosen = rec.Run
			basis = byID[rec.Run]
		} else if len(d.Candidates) > 0 {
			basis = byID[d.Candidates[0].Run]
		}
		if basis != nil {
			p.Evidence.Suite = basis.Suite
			if !basis.Started.IsZero() {
				p.Evidence.Date = basis.Started.UTC().Format("2006-01-02")
			}
		}
		f.UseCases = append(f.UseCases, p)
	}
	return f
}

// Write writes the policy as indented JSON.
func (f *File) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// Read reads and checks a policy.json file.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, eh.Errorf(eh.EIO, "policy: %v", err)
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, eh.Errorf(eh.EINVALID, "policy %s: %v", path, err)
	}
	switch {
	case f.Schema < 1 || f.Schema > Schema:
		return nil, eh.Errorf(eh.EINVALID, "policy %s: schema %d is not supported (this build reads 1..%d)", path, f.Schema, Schema)
	case len(f.UseCases) == 0:
		return nil, eh.Errorf(eh.EINVALID, "policy %s: no use cases", path)
	}
	for i, p := range f.UseCases {
		switch {
		case p.Name == "" || !ValidView(p.View):
			return nil, eh.Errorf(eh.EINVALID, "policy %s: use case %d: needs a name and a valid view (got %q, %q)", path, i+1, p.Name, p.View)
		case !p.KeepHumans && p.Threshold == nil:
			return nil, eh.Errorf(eh.EINVALID, "policy %s: use case %s: automated without a threshold", path, p.Name)
		case p.MaxError < 0 || p.MaxError > 1:
			return nil, eh.Errorf(eh.EINVALID, "policy %s: use case %s: max_error %g is not in [0, 1]", path, p.Name, p.MaxError)
		}
	}
	return &f, nil
}

// CheckResult is one new run checked against one use case's policy.
type CheckResult struct {
	UseCase   string  `json:"usecase"`
	Run       string  `json:"run"`
	Model     string  `json:"model"`
	Strategy  string  `json:"strategy"`
	Threshold float64 `json:"threshold"`
	Questions int     `json:"questions"`
	// Automated of the Questions have confidence at or above the threshold.
	Automated      int     `json:"automated"`
	AutomatedShare float64 `json:"automated_share"`
	Error          float64 `json:"error"`
	ErrorUpper95   float64 `json:"error_upper95"`
	MaxError       float64 `json:"max_error"`
	OK             bool    `json:"ok"`
	Why            string  `json:"why"`
}

// Check re-evaluates the runs against the policy: for every automated use
// case, every run with answers on its view is measured at the recorded
// threshold, and fails when the 95 % upper bound of its automated error
// exceeds max_error, or when it has no confidences to apply the threshold to.
// Use cases that keep humans have nothing to check. It returns the results
// and whether any failed.
func Check(f *File, runs []*Run) (results []CheckResult, failed bool) {
	for _, p := range f.UseCases {
		if p.KeepHumans {
			continue
		}
		for _, run := range runs {
			qs := questionsOf(run, p.View)
			if len(qs) == 0 {
				continue
			}
			pt := pointAt(qs, *p.Threshold)
			r := CheckResult{UseCase: p.Name, Run: run.ID, Model: run.Model, Strategy: run.Strategy, Threshold: *p.Threshold,
				Questions: len(qs), Automated: pt.automated, AutomatedShare: score.Round(pt.share, 4), Error: score.Round(pt.err, 4),
				ErrorUpper95: score.Round(pt.upper95, 4), MaxError: p.MaxError}
			withConf := 0
			for _, q := range qs {
				if q.Confidence != nil {
					withConf++
				}
			}
			switch {
			case withConf == 0:
				r.Why = NoConfidences
			case pt.automated == 0:
				r.OK, r.Why = true, "no answer reaches the threshold: every case goes to a person"
			case pt.upper95 > p.MaxError:
				r.Why = fmt.Sprintf("the 95%% upper bound of the automated error is %s (%d wrong of %d automated), above max_error %s",
					pct(pt.upper95), pt.wrong, pt.automated, pct(p.MaxError))
			default:
				r.OK, r.Why = true, fmt.Sprintf("automated error %s, upper bound %s within %s", pct(pt.err), pct(pt.upper95), pct(p.MaxError))
			}
			failed = failed || !r.OK
			results = append(results, r)
		}
	}
	return results, failed
}

// Failures names the failed checks in one message for the exit error.
func Failures(results []CheckResult) string {
	var parts []string
	for _, r := range results {
		if !r.OK {
			parts = append(parts, fmt.Sprintf("use case %s, run %s: %s", r.UseCase, r.Run, r.Why))
		}
	}
	return strings.Join(parts, "; ")
}
