package policy

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/score"
)

// NoConfidences is the reason given when a run has no confidence to set a
// threshold on, with the remedy.
const NoConfidences = "no confidences: set logprobs: true or use --strategy self-consistency"

// Run is one finished run as the evaluation needs it.
type Run struct {
	Dir      string
	ID       string
	Model    string
	Strategy string
	Suite    string
	// Started is when the run began (run.json, else its first record).
	Started time.Time
	// Priced tells whether the run had prices: an unpriced run's model cost
	// counts as 0.
	Priced  bool
	Records []*eh.Record
}

// NewRun describes a run from its records alone (a run kept in a store):
// its start is its first record's, and it counts as priced when a record
// cost something.
func NewRun(dir string, recs []*eh.Record) (*Run, error) {
	if len(recs) == 0 {
		return nil, eh.Errorf(eh.ENOTFOUND, "run %s has no records", dir)
	}
	r := &Run{Dir: dir, Records: recs}
	first := recs[0]
	r.ID, r.Model, r.Strategy, r.Suite = first.Run, first.Model, first.Strategy, first.Suite
	for _, rec := range recs {
		if !rec.Started.IsZero() && (r.Started.IsZero() || rec.Started.Before(r.Started)) {
			r.Started = rec.Started
		}
		if rec.CostUSD > 0 {
			r.Priced = true
		}
	}
	return r, nil
}

// LoadRun reads a run folder: its records, and run.json for its prices, start
// and suite.
func LoadRun(dir string) (*Run, error) {
	var recs []*eh.Record
	if err := record.ReadPaths([]string{dir}, nil, func(rec *eh.Record) error {
		recs = append(recs, rec)
		return nil
	}); err != nil {
		return nil, err
	}
	r, err := NewRun(dir, recs)
	if err != nil {
		return nil, err
	}
	info, err := rundir.ReadInfo(dir)
	if err != nil {
		return nil, err
	}
	r.UseInfo(info)
	return r, nil
}

// UseInfo takes prices, start and suite from run.json (nil: nothing to take).
func (r *Run) UseInfo(info *rundir.Info) {
	if info == nil {
		return
	}
	if info.Price != nil {
		r.Priced = true
	}
	if !info.Started.IsZero() {
		r.Started = info.Started
	}
	if info.Suite != "" {
		r.Suite = info.Suite
	}
	// The digest pins the exact pairs the evidence was measured on; a suite
	// name alone ("builtin") survives edits to its pairs.
	if pv := info.Provenance; pv != nil && pv.SuiteSHA256 != "" {
		r.Suite = "sha256:" + pv.SuiteSHA256
	}
}

// LoadRuns reads every run under the paths (folders holding run folders stand
// for all of them).
func LoadRuns(paths []string) ([]*Run, error) {
	dirs, err := rundir.FindAll(paths)
	if err != nil {
		return nil, err
	}
	runs := make([]*Run, 0, len(dirs))
	for _, d := range dirs {
		r, err := LoadRun(d)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// Candidate is one run measured against one use case.
type Candidate struct {
	Run      string `json:"run"`
	Dir      string `json:"dir,omitempty"`
	Model    string `json:"model"`
	Strategy string `json:"strategy"`
	// Questions answered on the use case's view, and the question-level
	// accuracy (percent) on them: a decision is one question, not a pair.
	Questions      int     `json:"questions"`
	Accuracy       float64 `json:"accuracy"`
	WithConfidence int     `json:"with_confidence"`
	// Meets tells whether some threshold keeps the 95 % upper bound of the
	// automated error within the use case's limit.
	Meets bool `json:"meets"`
	// Threshold is the chosen confidence threshold (nil when none meets the
	// limit); answers at or above it are automated.
	Threshold            *float64 `json:"threshold"`
	AutomatedShare       float64  `json:"automated_share"`
	HumanShare           float64  `json:"human_share"`
	ExpectedError        float64  `json:"expected_error"`
	ExpectedErrorUpper95 float64  `json:"expected_error_upper95"`
	ExpectedWrongMonth   float64  `json:"expected_wrong_month"`
	ReviewCostMonth      float64  `json:"review_cost_month"`
	ModelCostMonth       float64  `json:"model_cost_month"`
	ErrorCostMonth       *float64 `json:"error_cost_month"`
	TotalCostMonth       float64  `json:"total_cost_month"`
	// CostPerQuestion is the run's model cost per answered question on the view.
	CostPerQuestion float64 `json:"cost_per_question"`
	// Note says why the candidate fails, or what its costs leave out.
	Note string `json:"note,omitempty"`
	// Unpriced marks a run without prices (a note says so), for reports
	// that write the note in another language.
	Unpriced bool `json:"-"`
}

// Recommendation is the run a use case should automate with.
type Recommendation struct {
	Run                  string  `json:"run"`
	Model                string  `json:"model"`
	Strategy             string  `json:"strategy"`
	Threshold            float64 `json:"threshold"`
	AutomatedShare       float64 `json:"automated_share"`
	ExpectedError        float64 `json:"expected_error"`
	ExpectedErrorUpper95 float64 `json:"expected_error_upper95"`
	ReviewCostMonth      float64 `json:"review_cost_month"`
	ModelCostMonth       float64 `json:"model_cost_month"`
}

// Decision is the evaluation of one use case.
type Decision struct {
	Name           string          `json:"name"`
	KeepHumans     bool            `json:"keep_humans"`
	Reason         string          `json:"reason"`
	Recommendation *Recommendation `json:"recommendation"`
	Candidates     []Candidate     `json:"candidates"`
	// UseCase is the register entry, kept for tables and policy.json.
	UseCase UseCase `json:"-"`
}

// Evaluation is the answer of `emohallucer policy`.
type Evaluation struct {
	UseCases []Decision `json:"usecases"`
}

// questionsOf collects the answered questions (records) of the view.
func questionsOf(run *Run, view string) []*eh.Record {
	var qs []*eh.Record
	for _, r := range run.Records {
		if r.Status == eh.StatusAnswered && Matches(view, r) {
			qs = append(qs, r)
		}
	}
	return qs
}

// UpperBound95 is the 95 % upper bound of the error rate of n automated
// answers of which wrong were wrong: the upper end of score's seeded
// percentile bootstrap (2000 resamples, seed fixed by n and wrong, so the same
// records always give the same bound). With no wrong answer every resample
// has none and the bootstrap says 0 whatever n; then the exact binomial bound
// 1 − 0.05^(1/n) is used instead, so that 3 right answers never pass for
// error-free.
func UpperBound95(wrong, n int) float64 {
	if n == 0 {
		return 1
	}
	if wrong == 0 {
		return 1 - math.Pow(0.05, 1/float64(n))
	}
	_, hi := score.BootstrapProportion(wrong, n, score.BootstrapSeed^uint64(n)<<20^uint64(wrong))
	return hi
}

// operatingPoint is the outcome of automating the answers at or above a
// threshold.
type operatingPoint struct {
	threshold           float64
	automated, wrong    int
	share, err, upper95 float64
}

// pointAt measures the threshold on the questions.
func pointAt(qs []*eh.Record, threshold float64) operatingPoint {
	p := operatingPoint{threshold: threshold}
	for _, q := range qs {
		if q.Confidence != nil && *q.Confidence >= threshold {
			p.automated++
			if !q.Correct() {
				p.wrong++
			}
		}
	}
	p.fill(len(qs))
	return p
}

func (p *operatingPoint) fill(questions int) {
	p.share = float64(p.automated) / float64(questions)
	if p.automated > 0 {
		p.err = float64(p.wrong) / float64(p.automated)
	}
	p.upper95 = UpperBound95(p.wrong, p.automated)
}

// bestPoint is the threshold with the largest automated share whose upper
// bound stays within maxError; ok is false when none does. The candidate
// thresholds are the points of score's risk–coverage curve of the questions
// (every distinct confidence), tried from the largest share down, so that the
// first that meets the limit is the answer. A point whose observed error is
// already above the limit cannot have its upper bound within it and is not
// resampled: with continuous log-probability confidences every question is a
// point, and a bootstrap for each would cost seconds on a large suite.
func bestPoint(qs []*eh.Record, maxError float64) (best operatingPoint, ok bool) {
	// The questions are the view already: "all" keeps every one of them.
	rc := score.RiskCoverageOf(qs, score.ViewAll, maxError)
	for i := len(rc.Points) - 1; i >= 0; i-- {
		rp := rc.Points[i]
		if float64(rp.Wrong) > maxError*float64(rp.Automated) {
			continue
		}
		p := operatingPoint{threshold: rp.Threshold, automated: rp.Automated, wrong: rp.Wrong}
		p.fill(len(qs))
		if p.upper95 <= maxError {
			return p, true
		}
	}
	return best, false
}

// candidate measures a run on a use case at the operating point p (ok false:
// no threshold meets the limit).
func candidate(u UseCase, run *Run, qs []*eh.Record, p operatingPoint, ok bool) Candidate {
	c := Candidate{Run: run.ID, Dir: run.Dir, Model: run.Model, Strategy: run.Strategy, Questions: len(qs), HumanShare: 1}
	var correct int
	var cost float64
	for _, q := range qs {
		if q.Correct() {
			correct++
		}
		if q.Confidence != nil {
			c.WithConfidence++
		}
		cost += q.CostUSD
	}
	c.Accuracy = score.Round(100*float64(correct)/float64(len(qs)), 2)
	c.CostPerQuestion = cost / float64(len(qs))
	v := u.VolumePerMonth
	c.ModelCostMonth = score.Round(v*c.CostPerQuestion, 2)
	var notes []string
	switch {
	case c.WithConfidence == 0:
		notes = append(notes, NoConfidences)
	case !ok:
		notes = append(notes, fmt.Sprintf("no threshold keeps the 95%% upper bound of the automated error within %s", pct(u.MaxError)))
	default:
		c.Meets = true
		th := score.Round(p.threshold, 6)
		c.Threshold = &th
		c.AutomatedShare = score.Round(p.share, 4)
		c.HumanShare = score.Round(1-p.share, 4)
		c.ExpectedError = score.Round(p.err, 4)
		c.ExpectedErrorUpper95 = score.Round(p.upper95, 4)
		c.ExpectedWrongMonth = score.Round(v*p.share*p.err, 2)
	}
	if c.WithConfidence > 0 && c.WithConfidence < len(qs) {
		notes = append(notes, fmt.Sprintf("%d of %d answers carry no confidence and always go to a person", len(qs)-c.WithConfidence, len(qs)))
	}
	if c.Unpriced = !run.Priced; c.Unpriced {
		notes = append(notes, "unpriced run: model cost counted as 0 (add price to the model config)")
	}
	c.ReviewCostMonth = score.Round(v*(1-p.share)*u.ReviewCostUSD, 2)
	if !c.Meets {
		c.ReviewCostMonth = score.Round(v*u.ReviewCostUSD, 2)
	}
	c.TotalCostMonth = c.ReviewCostMonth + c.ModelCostMonth
	if u.ErrorCostUSD != nil {
		e := score.Round(c.ExpectedWrongMonth**u.ErrorCostUSD, 2)
		c.ErrorCostMonth = &e
		c.TotalCostMonth += e
	}
	c.TotalCostMonth = score.Round(c.TotalCostMonth, 2)
	c.Note = strings.Join(notes, "; ")
	return c
}

// Evaluate measures every run with answers on each use case's view and
// recommends the cheapest run that meets the limit (total monthly cost:
// review + model + error cost when given; ties go to the larger automated
// share, then the run id), or keep_humans with the reason.
func Evaluate(usecases []UseCase, runs []*Run) *Evaluation {
	ev := &Evaluation{UseCases: []Decision{}}
	for _, u := range usecases {
		d := Decision{Name: u.Name, UseCase: u, Candidates: []Candidate{}}
		for _, run := range runs {
			qs := questionsOf(run, u.View)
			if len(qs) == 0 {
				continue
			}
			p, ok := bestPoint(qs, u.MaxError)
			d.Candidates = append(d.Candidates, candidate(u, run, qs, p, ok))
		}
		sort.SliceStable(d.Candidates, func(i, j int) bool {
			a, b := d.Candidates[i], d.Candidates[j]
			if a.Meets != b.Meets {
				return a.Meets
			}
			if a.TotalCostMonth != b.TotalCostMonth {
				return a.TotalCostMonth < b.TotalCostMonth
			}
			if a.AutomatedShare != b.AutomatedShare {
				return a.AutomatedShare > b.AutomatedShare
			}
			return a.Run < b.Run
		})
		decide(&d)
		ev.UseCases = append(ev.UseCases, d)
	}
	return ev
}

// decide sets the recommendation from the sorted candidates.
func decide(d *Decision) {
	u := d.UseCase
	if len(d.Candidates) == 0 {
		d.KeepHumans = true
		d.Reason = fmt.Sprintf("no run has answers on view %s", u.View)
		return
	}
	best := d.Candidates[0]
	if !best.Meets {
		d.KeepHumans = true
		withConf := false
		for _, c := range d.Candidates {
			withConf = withConf || c.WithConfidence > 0
		}
		if !withConf {
			d.Reason = NoConfidences
		} else {
			d.Reason = fmt.Sprintf("no run keeps the 95%% upper bound of the automated error on %s within max_error %s at any threshold", u.View, pct(u.MaxError))
		}
		return
	}
	if human := score.Round(u.VolumePerMonth*u.ReviewCostUSD, 2); best.TotalCostMonth >= human && u.ReviewCostUSD > 0 {
		d.KeepHumans = true
		d.Reason = fmt.Sprintf("the cheapest run that meets the limit (%s) costs $%.2f a month, not less than reviewing every case ($%.2f)", best.Run, best.TotalCostMonth, human)
		return
	}
	d.Reason = fmt.Sprintf("cheapest run that keeps the automated error within %s: $%.2f a month", pct(u.MaxError), best.TotalCostMonth)
	d.Recommendation = &Recommendation{Run: best.Run, Model: best.Model, Strategy: best.Strategy, Threshold: *best.Threshold,
		AutomatedShare: best.AutomatedShare, ExpectedError: best.ExpectedError, ExpectedErrorUpper95: best.ExpectedErrorUpper95,
		ReviewCostMonth: best.ReviewCostMonth, ModelCostMonth: best.ModelCostMonth}
}

func pct(f float64) string { return fmt.Sprintf("%.4g%%", 100*f) }
