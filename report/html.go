package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/score"
	"gonum.org/v1/plot/plotter"
)

// Meta is what reports know of a model beyond its scores, from the run's
// run.json: size, release month, open or closed weights, reasoning.
type Meta struct {
	ParamsB   float64 `json:"params_b,omitempty"`
	Released  string  `json:"released,omitempty"` // YYYY-MM or YYYY-MM-DD
	Open      *bool   `json:"open,omitempty"`
	Reasoning string  `json:"reasoning,omitempty"`
}

// HTMLOptions configure the HTML report.
type HTMLOptions struct {
	Title string
	// TargetError is the highest acceptable error rate of automated answers for
	// the recommended review threshold.
	TargetError float64
	// Suite, when known, supplies context, media and explanations to the error
	// browser for every run; records alone give the prompts and answers.
	Suite *eh.Suite
	// Suites supply them by the suite name the runs' records carry, for runs
	// of several suites; Suite, when set, takes precedence.
	Suites map[string]*eh.Suite
	// MaxTranscriptBytes bounds the strategy steps (prompts and responses)
	// embedded in the error browser (default 4 MiB); every failed pair is
	// shown, and beyond the budget its steps are left out.
	MaxTranscriptBytes int64
	// MaxEmbedBytes bounds the media embedded as data URIs (default 16 MiB);
	// beyond it media are linked by path.
	MaxEmbedBytes int64
	// Generated is shown in the footer; zero hides it (golden tests).
	Generated time.Time
	// Sections are added after the human-review section, in order
	// (PolicySection, HistorySection).
	Sections []Section
	// Lang is the language of the page's text (default English).
	Lang Lang
}

// maxShown bounds any model text shown in the report: model output is untrusted
// and may be huge.
const maxShown = 4000

// HTML writes one self-contained HTML file: inline CSS and SVG, media as data
// URIs, no external request. Every value from records or suites is escaped by
// html/template.
func HTML(w io.Writer, runs []Run, opt HTMLOptions) error {
	if opt.MaxTranscriptBytes == 0 {
		opt.MaxTranscriptBytes = 4 << 20
	}
	if opt.MaxEmbedBytes == 0 {
		opt.MaxEmbedBytes = 16 << 20
	}
	if opt.Lang == "" {
		opt.Lang = English
	}
	if opt.Title == "" {
		opt.Title = t(opt.Lang, "title")
	}
	d, err := buildPage(runs, opt)
	if err != nil {
		return err
	}
	return pageIn(opt.Lang).Execute(w, d)
}

type page struct {
	// Lang is the page's lang attribute (zh-Hans for Chinese).
	Lang        string
	Title       string
	Generated   string
	Runs        []runInfo
	Views       []leaderView
	BiasSVG     template.HTML
	HeatModSVG  template.HTML
	Confusions  []confusionBlock
	HeatSubSVG  template.HTML
	DateSVG     template.HTML
	SizeSVG     template.HTML
	NoMeta      bool
	Comparisons []comparisonBlock
	Risk        []riskBlock
	RiskNote    string
	Target      float64
	Errors      *errorData
	ErrorNote   string
	// Describe is the open-ended descriptions' section (nil: no run has
	// descriptions).
	Describe  *describeSection
	ViewNames []string
	// MultiSuite is set when the runs come from several suites: tables then
	// name each run's suite.
	MultiSuite bool
	Sections   []Section
}

type runInfo struct {
	Label, Dir, ID, Suite, Strategy, Rule string
	Records, Calls, Cached                int
	Cost                                  float64
	Meta                                  string
}

type leaderView struct {
	Name string
	Rows []leaderRow
}

type leaderRow struct {
	Label, Suite, Size, Weights                              string
	PctDiff, FP, Basic, Hall, Overall, CI, Unparsed, NotEval string
	Errors                                                   string
	Bar                                                      float64 // width of the overall bar in px
	Evaluated                                                bool
}

type comparisonBlock struct {
	Model, Suite, Base, Other string
	Rows                      []score.Comparison
	Cost                      string
}

type riskBlock struct {
	Label string
	SVG   template.HTML
	Rows  []riskRow
}

type riskRow struct {
	View                             string
	Questions, WithConfidence        int
	Threshold, Coverage, Risk, Human string
}

func buildPage(runs []Run, opt HTMLOptions) (*page, error) {
	l := opt.Lang
	d := &page{Lang: l.htmlTag(), Title: opt.Title, Target: opt.TargetError, MultiSuite: MultiSuite(runs), Sections: opt.Sections}
	if !opt.Generated.IsZero() {
		d.Generated = l.date(opt.Generated)
	}
	for i := range runs {
		r := &runs[i]
		s := r.Scores.Run
		d.Runs = append(d.Runs, runInfo{Label: r.Label(), Dir: r.Dir, ID: s.ID, Suite: s.Suite, Strategy: s.Strategy, Rule: s.Rule,
			Records: s.Records, Calls: s.Calls, Cached: s.CachedCalls, Cost: s.CostUSD, Meta: metaString(r.Meta, l)})
	}
	d.ViewNames = Views(runs)
	for _, v := range d.ViewNames {
		d.Views = append(d.Views, leaderboard(runs, v, l))
	}
	var err error
	d.BiasSVG = biasChart(runs, l)
	d.HeatModSVG, d.HeatSubSVG = heatmaps(runs, l)
	d.Confusions = confusions(runs, l)
	d.DateSVG, d.SizeSVG, d.NoMeta = metaCharts(runs, l)
	if d.Comparisons, err = comparisons(runs, l); err != nil {
		return nil, err
	}
	if d.Risk, d.RiskNote, err = riskBlocks(runs, opt.TargetError, l); err != nil {
		return nil, err
	}
	d.Errors, d.ErrorNote = errorBrowser(runs, d.ViewNames, opt)
	d.Describe = describeBlock(runs, describeViews(d.ViewNames), l)
	return d, nil
}

func metaString(m *Meta, l Lang) string {
	if m == nil {
		return ""
	}
	var parts []string
	if m.ParamsB > 0 {
		parts = append(parts, t(l, "meta.params", m.ParamsB))
	}
	if m.Open != nil {
		parts = append(parts, t(l, map[bool]string{true: "meta.open", false: "meta.closed"}[*m.Open]))
	}
	if m.Reasoning != "" {
		parts = append(parts, t(l, "meta.reasoning", m.Reasoning))
	}
	if m.Released != "" {
		parts = append(parts, t(l, "meta.released", m.Released))
	}
	return strings.Join(parts, t(l, "list.sep"))
}

func leaderboard(runs []Run, view string, l Lang) leaderView {
	lv := leaderView{Name: view}
	idx := make([]int, len(runs))
	for i := range idx {
		idx[i] = i
	}
	overall := func(i int) float64 {
		if v := runs[i].Scores.Views[view]; v != nil && v.Pairs > 0 {
			return v.OverallAcc
		}
		return -1
	}
	sort.SliceStable(idx, func(a, b int) bool { return overall(idx[a]) > overall(idx[b]) })
	for _, i := range idx {
		r := &runs[i]
		cells := row(r, view, l)
		lr := leaderRow{Label: cells[0], Suite: r.Scores.Run.Suite, PctDiff: cells[1], FP: cells[2], Basic: cells[3], Hall: cells[4], Overall: cells[5], Unparsed: cells[6], NotEval: cells[7], Errors: cells[8]}
		if v := r.Scores.Views[view]; v != nil && v.Pairs > 0 {
			lr.Evaluated = true
			lr.Overall = fmt.Sprintf("%.2f", v.OverallAcc)
			lr.CI = fmt.Sprintf("[%.1f, %.1f]", v.OverallCI95[0], v.OverallCI95[1])
			lr.Bar = 0.6 * v.OverallAcc // px: 60 at 100%, narrow enough for the table to fit at 1000 px
		}
		if r.Meta != nil {
			if r.Meta.ParamsB > 0 {
				lr.Size = fmt.Sprintf("%gB", r.Meta.ParamsB)
			}
			if r.Meta.Open != nil {
				lr.Weights = t(l, map[bool]string{true: "cell.open", false: "cell.closed"}[*r.Meta.Open])
			}
		}
		lv.Rows = append(lv.Rows, lr)
	}
	return lv
}

func biasChart(runs []Run, l Lang) template.HTML {
	var pts []point
	for i := range runs {
		v := runs[i].Scores.Views[score.ViewAll]
		if v == nil || v.Pairs == 0 || v.FPRatio == nil {
			continue
		}
		pts = append(pts, point{label: runs[i].Label(), x: v.PctDiff, y: *v.FPRatio, color: i,
			tip: t(l, "bias.tip", runs[i].Label(), v.PctDiff, *v.FPRatio)})
	}
	if len(pts) == 0 {
		return ""
	}
	signed := func(v float64) string {
		if v == 0 {
			return "0"
		}
		return fmt.Sprintf("%+.2g", v)
	}
	c := scatter{lang: l, title: t(l, "bias.chart"), w: 940, h: 460, pts: pts, ideal: &[2]float64{0, 0.5},
		x: axis{title: t(l, "bias.x"), min: -0.56, max: 0.56, ticks: linearTicks(-0.5, 0.5, 4, signed)},
		y: axis{title: t(l, "bias.y"), min: -0.04, max: 1.04, ticks: linearTicks(0, 1, 4, func(v float64) string { return fmt.Sprintf("%g", v) })}}
	return template.HTML(c.html())
}

func heatmaps(runs []Run, l Lang) (template.HTML, template.HTML) {
	build := func(id string, cols []string, prefix string) template.HTML {
		var present []string
		for _, c := range cols {
			for _, r := range runs {
				if _, ok := r.Scores.Views[prefix+c]; ok {
					present = append(present, c)
					break
				}
			}
		}
		if len(present) == 0 {
			return ""
		}
		var rows []string
		var cells [][]heatCell
		for _, r := range runs {
			rows = append(rows, r.Label())
			line := make([]heatCell, len(present))
			for j, c := range present {
				line[j] = heatCell{acc: math.NaN()}
				if v := r.Scores.Views[prefix+c]; v != nil && v.Pairs > 0 {
					line[j] = heatCell{acc: v.OverallAcc, pairs: v.Pairs}
				} else if v != nil {
					line[j].notEvaluated = v.NotEvaluated > 0
				}
			}
			cells = append(cells, line)
		}
		return template.HTML(heatmapSVG(id, rows, present, cells, l))
	}
	var mods, subs []string
	for _, m := range eh.Modalities {
		mods = append(mods, string(m))
	}
	for _, s := range eh.SubCategories {
		subs = append(subs, string(s))
	}
	return build("heat-mod", mods, "modality:"), build("heat-sub", subs, "subcategory:")
}

// metaCharts plots overall accuracy against release date and size, with the
// best-so-far frontier, for runs whose model metadata is known.
func metaCharts(runs []Run, l Lang) (date, size template.HTML, none bool) {
	var byDate, bySize []point
	for i := range runs {
		m := runs[i].Meta
		v := runs[i].Scores.Views[score.ViewAll]
		if m == nil || v == nil || v.Pairs == 0 {
			continue
		}
		bubble := 4.0
		if m.ParamsB > 0 {
			bubble = 3 + 5*math.Log10(1+m.ParamsB)
		}
		tip := t(l, "trend.tip", runs[i].Label(), v.OverallAcc)
		if s := metaString(m, l); s != "" {
			tip += "; " + s
		}
		pt := point{label: runs[i].Label(), y: v.OverallAcc, size: bubble, shape: shapeOf(m.Open), color: i, tip: tip}
		if t, ok := monthOf(m.Released); ok {
			pt.x = t
			byDate = append(byDate, pt)
		}
		if m.ParamsB > 0 {
			pt.x = m.ParamsB
			bySize = append(bySize, pt)
		}
	}
	if len(byDate) == 0 && len(bySize) == 0 {
		return "", "", true
	}
	accuracy := axis{title: t(l, "trend.acc"), min: -4, max: 104, ticks: linearTicks(0, 100, 4, func(v float64) string { return fmt.Sprint(v) })}
	if len(byDate) > 0 {
		lo, hi := rangeOf(byDate, func(p point) float64 { return p.x })
		pad := math.Max(hi-lo, 6) * 0.08
		c := scatter{lang: l, title: t(l, "trend.by_date"), w: 640, h: 420, pts: byDate, frontier: frontierOf(byDate), y: accuracy,
			x: axis{title: t(l, "trend.release"), min: lo - pad, max: hi + pad, ticks: monthTicks(lo-pad, hi+pad)}}
		date = template.HTML(c.html())
	}
	if len(bySize) > 0 {
		lo, hi := rangeOf(bySize, func(p point) float64 { return p.x })
		lo, hi = lo/2, hi*2
		c := scatter{lang: l, title: t(l, "trend.by_size"), w: 640, h: 420, pts: bySize, frontier: frontierOf(bySize), y: accuracy,
			x: axis{title: t(l, "trend.params"), min: lo, max: hi, log: true, ticks: logTicks(lo, hi)}}
		size = template.HTML(c.html())
	}
	return date, size, false
}

func rangeOf(pts []point, f func(point) float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		lo, hi = math.Min(lo, f(p)), math.Max(hi, f(p))
	}
	return lo, hi
}

func comparisons(runs []Run, l Lang) ([]comparisonBlock, error) {
	cmps, err := Comparisons(runs)
	if err != nil {
		return nil, err
	}
	var out []comparisonBlock
	for _, c := range cmps {
		// Views[0] is "all": the costs of every shared question.
		out = append(out, comparisonBlock{Model: c.Model, Suite: c.base.Scores.Run.Suite, Base: c.Base, Other: c.Other, Rows: c.Views,
			Cost: costLine(c.Views[0], l)})
	}
	return out, nil
}

func riskBlocks(runs []Run, target float64, l Lang) ([]riskBlock, string, error) {
	var out []riskBlock
	var without []string
	names := map[string]string{}
	for i, n := range runNames(runs) {
		names[runs[i].Scores.Run.ID] = n
	}
	for _, rr := range RiskCurves(runs, target) {
		rb := riskBlock{Label: names[rr.Run]}
		var ss []series
		var marks []point
		for k, rc := range rr.Curves {
			row := riskRow{View: rc.View, Questions: rc.Questions, WithConfidence: rc.WithConfidence, Threshold: "—", Coverage: "—", Risk: "—", Human: "100%"}
			if rc.Recommended != nil {
				row.Threshold = fmt.Sprintf("%.3f", rc.Recommended.Threshold)
				row.Coverage = share(rc.Recommended.Coverage)
				row.Risk = share(rc.Recommended.Risk)
				row.Human = share(rc.HumanShare())
			}
			rb.Rows = append(rb.Rows, row)
			if rc.WithConfidence == 0 {
				continue
			}
			var xy plotter.XYs
			for _, p := range rc.Points {
				xy = append(xy, plotter.XY{X: p.Coverage, Y: p.Risk})
			}
			ss = append(ss, series{name: rc.View, xy: xy})
			if rc.Recommended != nil {
				marks = append(marks, point{x: rc.Recommended.Coverage, y: rc.Recommended.Risk, color: k})
			}
		}
		if len(ss) == 0 {
			without = append(without, rb.Label)
			continue
		}
		svg, err := linesSVG(t(l, "review.chart", rb.Label), t(l, "review.x"), t(l, "review.y"), ss, marks)
		if err != nil {
			return nil, "", err
		}
		rb.SVG = template.HTML(svg)
		out = append(out, rb)
	}
	// Runs without confidences are named once, in one line, with the remedy,
	// rather than a "no recommendation" block each.
	remedy := t(l, "review.remedy")
	note := ""
	switch {
	case len(without) > 0 && len(out) == 0:
		note = t(l, "review.no_conf_all", remedy)
	case len(without) > 0:
		note = t(l, "review.no_conf_some", len(without), strings.Join(without, t(l, "list.sep")), remedy)
	}
	return out, note, nil
}

// Section is an extra section of the HTML report (the use-case policy,
// monitoring over time), rendered by the package that knows its data.
type Section struct {
	ID, Title string
	Body      template.HTML
}
