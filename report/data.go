package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/csvcell"
	"github.com/emohallucer/emohallucer/score"
)

// CSV writes the leaderboard of every view: one row per run and view, with
// numerators and denominators.
func CSV(w io.Writer, runs []Run) error {
	cw := csv.NewWriter(w)
	// Names are user input and go to spreadsheets: no cell may run as a formula.
	write := func(row []string) {
		for i := range row {
			row[i] = csvcell.Escape(row[i])
		}
		cw.Write(row)
	}
	write([]string{"run", "model", "strategy", "view", "pairs", "questions", "not_evaluated", "errors", "basic_correct", "hallucinated_correct", "pair_correct",
		"answered_yes", "gold_yes", "unparsed", "wrong", "wrong_yes", "basic_acc", "hallucinated_acc", "overall_acc", "overall_ci95_lo", "overall_ci95_hi", "pct_diff", "fp_ratio"})
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	for _, view := range Views(runs) {
		for _, r := range runs {
			v := r.Scores.Views[view]
			if v == nil {
				continue
			}
			fp := ""
			if v.FPRatio != nil {
				fp = f(*v.FPRatio)
			}
			s := r.Scores.Run
			write([]string{s.ID, s.Model, s.Strategy, view, strconv.Itoa(v.Pairs), strconv.Itoa(v.Questions), strconv.Itoa(v.NotEvaluated), strconv.Itoa(v.Errors),
				strconv.Itoa(v.BasicCorrect), strconv.Itoa(v.HallucinatedCorrect), strconv.Itoa(v.PairCorrect), strconv.Itoa(v.AnsweredYes), strconv.Itoa(v.GoldYes),
				strconv.Itoa(v.Unparsed), strconv.Itoa(v.Wrong), strconv.Itoa(v.WrongYes), f(v.BasicAcc), f(v.HallucinatedAcc), f(v.OverallAcc),
				f(v.OverallCI95[0]), f(v.OverallCI95[1]), f(v.PctDiff), fp})
		}
	}
	cw.Flush()
	return cw.Error()
}

// Comparison is a strategy run compared with the direct run of the same model.
type Comparison struct {
	Model string             `json:"model"`
	Base  string             `json:"base"`
	Other string             `json:"other"`
	Views []score.Comparison `json:"views"`
	base  *Run
	other *Run
}

// Comparisons pairs every non-direct run having records with the direct run of
// the same model on the same suite; score compares them on the pairs both
// answered. Runs sharing no answered pair give no comparison.
func Comparisons(runs []Run) ([]Comparison, error) {
	var out []Comparison
	for i := range runs {
		a := &runs[i]
		if a.Scores.Run.Strategy != "direct" || a.Records == nil {
			continue
		}
		for j := range runs {
			b := &runs[j]
			if i == j || b.Scores.Run.Model != a.Scores.Run.Model || b.Scores.Run.Suite != a.Scores.Run.Suite || b.Scores.Run.Strategy == "direct" || b.Records == nil {
				continue
			}
			views, err := score.CompareRecords(a.Records, b.Records)
			if err != nil {
				return nil, fmt.Errorf("compare %s with %s: %w", a.Scores.Run.ID, b.Scores.Run.ID, err)
			}
			if len(views) == 0 {
				continue
			}
			out = append(out, Comparison{Model: a.Scores.Run.Model, Base: a.Scores.Run.Strategy, Other: b.Scores.Run.Strategy,
				Views: views, base: a, other: b})
		}
	}
	return out, nil
}

// CostLine says in one line what runs A and B cost per question on the
// questions a comparison covers (pass its "all" view): calls with the cache
// hits among them, tokens, dollars when priced, latency, and the cost ratio
// with its basis (usd, tokens or calls; see score.Comparison.CostBasis).
func CostLine(c score.Comparison) string { return costLine(c, English) }

// costLine is CostLine in language l.
func costLine(c score.Comparison, l Lang) string {
	n := float64(c.Questions)
	if n == 0 {
		return ""
	}
	per := func(x float64) float64 { return x / n }
	var b strings.Builder
	b.WriteString(t(l, "cost.line",
		c.Questions, per(float64(c.CallsA)), per(float64(c.CallsB)), c.CachedA, c.CachedB, c.CallsA, c.CallsB, per(float64(c.TokensA)), per(float64(c.TokensB))))
	if c.CostA > 0 || c.CostB > 0 {
		b.WriteString(t(l, "cost.usd", per(c.CostA), per(c.CostB)))
	}
	b.WriteString(t(l, "cost.latency", c.LatencyA, c.LatencyB))
	if c.CostRatio != nil {
		basis := c.CostBasis
		if _, ok := catalogue["cost.basis."+basis]; ok {
			basis = t(l, "cost.basis."+basis)
		}
		b.WriteString(t(l, "cost.ratio", *c.CostRatio, basis))
	}
	return b.String()
}

// RunRisk holds the risk–coverage curves of one run: its "all" view and each
// modality it has.
type RunRisk struct {
	Run    string               `json:"run"`
	Model  string               `json:"model"`
	Curves []score.RiskCoverage `json:"curves"`
}

// RiskCurves computes the curves of every run that has records.
func RiskCurves(runs []Run, target float64) []RunRisk {
	var out []RunRisk
	for i := range runs {
		r := &runs[i]
		if r.Records == nil {
			continue
		}
		rr := RunRisk{Run: r.Scores.Run.ID, Model: r.Label()}
		views := []string{score.ViewAll}
		for _, m := range eh.Modalities {
			if _, ok := r.Scores.Views["modality:"+string(m)]; ok {
				views = append(views, "modality:"+string(m))
			}
		}
		for _, v := range views {
			if rc := score.RiskCoverageOf(r.Records, v, target); rc.Questions > 0 {
				rr.Curves = append(rr.Curves, rc)
			}
		}
		out = append(out, rr)
	}
	return out
}

// JSON writes every run's scores and metadata, the strategy comparisons and the
// risk–coverage curves.
func JSON(w io.Writer, runs []Run, target float64) error {
	type runOut struct {
		Dir    string                 `json:"dir"`
		Run    score.Run              `json:"run"`
		Meta   *Meta                  `json:"meta,omitempty"`
		Views  map[string]*score.View `json:"views"`
		Labels string                 `json:"label"`
	}
	cmps, err := Comparisons(runs)
	if err != nil {
		return err
	}
	out := struct {
		Runs         []runOut     `json:"runs"`
		Comparisons  []Comparison `json:"comparisons"`
		RiskCoverage []RunRisk    `json:"risk_coverage"`
		TargetError  float64      `json:"target_error"`
	}{Comparisons: cmps, RiskCoverage: RiskCurves(runs, target), TargetError: target}
	for i := range runs {
		r := &runs[i]
		out.Runs = append(out.Runs, runOut{Dir: r.Dir, Run: r.Scores.Run, Meta: r.Meta, Views: r.Scores.Views, Labels: r.Label()})
	}
	if out.Comparisons == nil {
		out.Comparisons = []Comparison{}
	}
	if out.RiskCoverage == nil {
		out.RiskCoverage = []RunRisk{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("report json: %w", err)
	}
	return nil
}
