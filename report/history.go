package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/emohallucer/emohallucer/score"
)

// The messages of the history section (HTML). The text and JSON outputs of
// report --history stay English.
func init() {
	addMessages(map[string]Msg{
		"hist.title": {En: "Monitoring over time", Ja: "経時モニタリング", Zh: "随时间监测"},
		"hist.note": {En: "Runs of the same model name (and strategy) by start date. Rings mark a significant change of overall accuracy from the previous run (McNemar p < %g on the pairs both scored).",
			Ja: "同じモデル名（と戦略）の実行を開始日順に並べています。丸印は、直前の実行からペア正答率が有意に変化した実行です（両方で採点したペアでの McNemar 検定 p < %g）。",
			Zh: "同一模型名称（及策略）的运行按开始日期排列。圆圈标出成对准确率较上一次运行有显著变化的运行（基于两次都计分的问题对，McNemar 检验 p < %g）。"},
		"hist.single":    {En: "One run: nothing to follow yet.", Ja: "実行は 1 件のみで、まだ推移はありません。", Zh: "仅有一次运行，尚无变化可追踪。"},
		"hist.no_change": {En: "No significant change between consecutive runs.", Ja: "連続する実行の間に有意な変化はありません。", Zh: "相邻两次运行之间没有显著变化。"},
		"hist.date":      {En: "date", Ja: "日付", Zh: "日期"},
		"hist.from":      {En: "from", Ja: "変化前の実行", Zh: "变化前的运行"},
		"hist.to":        {En: "to", Ja: "変化後の実行", Zh: "变化后的运行"},
		"hist.before":    {En: "before", Ja: "変化前", Zh: "变化前"},
		"hist.after":     {En: "after", Ja: "変化後", Zh: "变化后"},
		"hist.overall":   {En: "Overall accuracy: %s", Ja: "ペア正答率：%s", Zh: "成对准确率：%s"},
		"hist.pct_diff":  {En: "Pct. Diff: %s", Ja: "Pct. Diff：%s", Zh: "Pct. Diff：%s"},
		"hist.fp_ratio":  {En: "FP Ratio: %s", Ja: "FP Ratio：%s", Zh: "FP Ratio：%s"},
		"hist.x":         {En: "run start", Ja: "実行開始日", Zh: "运行开始日期"},
		"hist.y_overall": {En: "overall (%)", Ja: "ペア正答率（%）", Zh: "成对准确率（%）"},
		"hist.y_pct":     {En: "Pct. Diff (ideal 0)", Ja: "Pct. Diff（理想値 0）", Zh: "Pct. Diff（理想值 0）"},
		"hist.y_fp":      {En: "FP Ratio (ideal 0.5)", Ja: "FP Ratio（理想値 0.5）", Zh: "FP Ratio（理想值 0.5）"},
	})
}

// HistoryAlpha is the significance level at which a change of overall
// accuracy between consecutive runs of a model is marked.
const HistoryAlpha = 0.05

// History follows each model (and strategy) over its runs, by start date: the
// monitoring view of a model that keeps changing behind the same name.
type History struct {
	Alpha  float64        `json:"alpha"`
	Models []ModelHistory `json:"models"`
}

// ModelHistory is the runs of one model name (and strategy) in date order.
type ModelHistory struct {
	Model    string       `json:"model"`
	Strategy string       `json:"strategy"`
	Runs     []HistoryRun `json:"runs"`
	Changes  []Change     `json:"significant_changes"`
}

// HistoryRun is one run's metrics per view.
type HistoryRun struct {
	Run string `json:"run"`
	// Dir is the run folder (empty for a store's runs): reruns of one
	// configuration share their run id, not their folder.
	Dir     string                    `json:"dir,omitempty"`
	Suite   string                    `json:"suite"`
	Started string                    `json:"started"`
	Views   map[string]HistoryMetrics `json:"views"`
}

// HistoryMetrics are the monitored metrics of one view of one run.
type HistoryMetrics struct {
	Pairs   int      `json:"pairs"`
	Overall float64  `json:"overall_acc"`
	PctDiff float64  `json:"pct_diff"`
	FPRatio *float64 `json:"fp_ratio"`
}

// Change is a significant change of overall accuracy on a view between two
// consecutive runs, on the pairs both scored (McNemar p < Alpha).
type Change struct {
	View     string  `json:"view"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	FromDir  string  `json:"from_dir,omitempty"`
	ToDir    string  `json:"to_dir,omitempty"`
	Date     string  `json:"date"`
	Pairs    int     `json:"pairs"`
	Before   float64 `json:"overall_before"`
	After    float64 `json:"overall_after"`
	Delta    float64 `json:"delta"`
	McNemarP float64 `json:"mcnemar_p"`
}

// from and to name the runs of a change: their folders when known.
func (c *Change) from() string { return cmp.Or(c.FromDir, c.From) }
func (c *Change) to() string   { return cmp.Or(c.ToDir, c.To) }

// BuildHistory groups the runs by model name and strategy, orders each group
// by start date (then run id) and compares consecutive runs pair by pair. The
// runs need their Records for the comparison.
func BuildHistory(runs []Run) (*History, error) {
	groups := map[[2]string][]Run{}
	var keys [][2]string
	for _, r := range runs {
		k := [2]string{r.Scores.Run.Model, r.Scores.Run.Strategy}
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	h := &History{Alpha: HistoryAlpha, Models: []ModelHistory{}}
	for _, k := range keys {
		rs := groups[k]
		sort.SliceStable(rs, func(i, j int) bool {
			a, b := rs[i].Scores.Run, rs[j].Scores.Run
			if a.Started != b.Started {
				return a.Started < b.Started
			}
			return a.ID < b.ID
		})
		m := ModelHistory{Model: k[0], Strategy: k[1], Changes: []Change{}}
		for i, r := range rs {
			hr := HistoryRun{Run: r.Scores.Run.ID, Dir: r.Dir, Suite: r.Scores.Run.Suite, Started: r.Scores.Run.Started, Views: map[string]HistoryMetrics{}}
			for name, v := range r.Scores.Views {
				hr.Views[name] = HistoryMetrics{Pairs: v.Pairs, Overall: v.OverallAcc, PctDiff: v.PctDiff, FPRatio: v.FPRatio}
			}
			m.Runs = append(m.Runs, hr)
			if i == 0 {
				continue
			}
			prev := rs[i-1]
			cmps, err := score.CompareRecords(prev.Records, r.Records)
			if err != nil {
				return nil, fmt.Errorf("history of %s: %w", k[0], err)
			}
			for _, c := range cmps {
				if c.McNemarP < HistoryAlpha {
					m.Changes = append(m.Changes, Change{View: c.View, From: prev.Scores.Run.ID, To: hr.Run, FromDir: prev.Dir, ToDir: r.Dir, Date: hr.Started, Pairs: c.Pairs,
						Before: c.OverallA, After: c.OverallB, Delta: c.DeltaOverall, McNemarP: c.McNemarP})
				}
			}
		}
		h.Models = append(h.Models, m)
	}
	return h, nil
}

// label names the group in tables, as Run.Label names its runs.
func (m *ModelHistory) label() string { return modelLabel(m.Model, m.Strategy) }

// HistoryText prints, per model, overall accuracy, Pct. Diff and FP Ratio of
// the view over the runs, then the significant changes on every view.
func HistoryText(w io.Writer, h *History, view string) error {
	for _, m := range h.Models {
		fmt.Fprintf(w, "%s: %d run(s), view %s\n", m.label(), len(m.Runs), view)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  started\trun\tpairs\tOverall\tPct. Diff\tFP Ratio\tfolder")
		for _, r := range m.Runs {
			v, ok := r.Views[view]
			if !ok {
				fmt.Fprintf(tw, "  %s\t%s\t0\t—\t—\t—\t%s\n", orDash(r.Started), r.Run, r.Dir)
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%.2f\t%+.4f\t%s\t%s\n", orDash(r.Started), r.Run, v.Pairs, v.Overall, v.PctDiff, fpString(v.FPRatio), r.Dir)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(m.Changes) == 0 {
			fmt.Fprintf(w, "  no significant change between consecutive runs (McNemar p < %g)\n\n", h.Alpha)
			continue
		}
		fmt.Fprintf(w, "  significant changes (McNemar p < %g on the pairs both runs scored):\n", h.Alpha)
		for _, c := range m.Changes {
			fmt.Fprintf(w, "    %s %s: %.2f → %.2f (%+.2f points, p %.3g, %d pairs) from %s to %s\n", orDash(c.Date), c.View, c.Before, c.After, c.Delta, c.McNemarP, c.Pairs, c.from(), c.to())
		}
		fmt.Fprintln(w)
	}
	return nil
}

// HistoryJSON writes the history for dashboards.
func HistoryJSON(w io.Writer, h *History) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(h)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func fpString(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.4f", *f)
}

// historyViews are the views charted: every view of the model's runs, in
// report order, at most maxViews of them so that the lines stay readable.
func historyViews(m *ModelHistory, maxViews int) []string {
	all := map[string]*score.View{}
	for _, r := range m.Runs {
		for name := range r.Views {
			all[name] = nil
		}
	}
	names := score.OrderViews(all)
	if len(names) > maxViews {
		names = names[:maxViews]
	}
	return names
}

// historyChart draws one metric of every charted view over the start dates;
// rings mark the runs whose overall accuracy changed significantly.
func historyChart(m *ModelHistory, title, xlabel, ylabel string, metric func(HistoryMetrics) (float64, bool), marks bool) (string, error) {
	p := newPlot(title, xlabel, ylabel)
	p.X.Tick.Marker = plot.TimeTicks{Format: "2006-01-02"}
	p.Legend.Top, p.Legend.Left = false, true
	at := func(r HistoryRun) (float64, bool) {
		t, err := time.Parse(time.RFC3339, r.Started)
		return float64(t.Unix()), err == nil
	}
	views := historyViews(m, 8)
	for i, view := range views {
		var xy plotter.XYs
		for _, r := range m.Runs {
			x, ok := at(r)
			v, has := r.Views[view]
			if !ok || !has {
				continue
			}
			if y, ok := metric(v); ok {
				xy = append(xy, plotter.XY{X: x, Y: y})
			}
		}
		if len(xy) == 0 {
			continue
		}
		if err := addLine(p, xy, i, view, 2); err != nil {
			return "", err
		}
		if !marks {
			continue
		}
		for _, c := range m.Changes {
			if c.View != view {
				continue
			}
			for _, r := range m.Runs {
				x, ok := at(r)
				if r.Run != c.To || r.Dir != c.ToDir || !ok {
					continue
				}
				s, err := plotter.NewScatter(plotter.XYs{{X: x, Y: c.After}})
				if err != nil {
					return "", err
				}
				s.GlyphStyle = draw.GlyphStyle{Shape: draw.RingGlyph{}, Radius: vg.Points(6), Color: colorOf(i)}
				p.Add(s)
			}
		}
	}
	return svgOf(p, 16*vg.Centimeter, 9*vg.Centimeter)
}

var historyTmpl = template.Must(template.New("history").Funcs(template.FuncMap{
	"T":    tIn(English),
	"dash": orDash,
}).Parse(`
<p class="muted">{{T "hist.note" .Alpha}}</p>
{{range .Models}}
<h3>{{.Label}}</h3>
{{if .Single}}<p class="muted">{{T "hist.single"}}</p>{{end}}
<div class="charts">{{range .SVGs}}<div>{{.}}</div>{{end}}</div>
{{if .Changes}}<div class="scroll"><table><tr><th>{{T "hist.date"}}</th><th>{{T "col.view"}}</th><th>{{T "hist.from"}}</th><th>{{T "hist.to"}}</th><th>{{T "col.pairs"}}</th><th>{{T "hist.before"}}</th><th>{{T "hist.after"}}</th><th>Δ</th><th>{{T "cmp.mcnemar"}}</th></tr>
{{range .Changes}}<tr><td>{{dash .Date}}</td><td>{{.View}}</td><td>{{.FromDir}} {{.From}}</td><td>{{.ToDir}} {{.To}}</td><td>{{.Pairs}}</td><td>{{printf "%.2f" .Before}}</td><td>{{printf "%.2f" .After}}</td><td>{{printf "%+.2f" .Delta}}</td><td>{{printf "%.3g" .McNemarP}}</td></tr>
{{end}}</table></div>{{else}}<p class="muted">{{T "hist.no_change"}}</p>{{end}}
{{end}}`))

// HistorySection renders the history as a section of the HTML report in
// language l.
func HistorySection(h *History, l Lang) (Section, error) {
	type block struct {
		Label   string
		Single  bool
		SVGs    []template.HTML
		Changes []Change
	}
	data := struct {
		Alpha  float64
		Models []block
	}{Alpha: h.Alpha}
	for i := range h.Models {
		m := &h.Models[i]
		b := block{Label: m.label(), Single: len(m.Runs) < 2, Changes: m.Changes}
		charts := []struct {
			title, y string
			f        func(HistoryMetrics) (float64, bool)
			marks    bool
		}{
			{t(l, "hist.overall", b.Label), t(l, "hist.y_overall"), func(v HistoryMetrics) (float64, bool) { return v.Overall, v.Pairs > 0 }, true},
			{t(l, "hist.pct_diff", b.Label), t(l, "hist.y_pct"), func(v HistoryMetrics) (float64, bool) { return v.PctDiff, v.Pairs > 0 }, false},
			{t(l, "hist.fp_ratio", b.Label), t(l, "hist.y_fp"), func(v HistoryMetrics) (float64, bool) {
				if v.FPRatio == nil {
					return 0, false
				}
				return *v.FPRatio, true
			}, false},
		}
		for _, c := range charts {
			svg, err := historyChart(m, c.title, t(l, "hist.x"), c.y, c.f, c.marks)
			if err != nil {
				return Section{}, err
			}
			b.SVGs = append(b.SVGs, template.HTML(svg))
		}
		data.Models = append(data.Models, b)
	}
	var buf bytes.Buffer
	if err := speaking(historyTmpl, l).Execute(&buf, data); err != nil {
		return Section{}, err
	}
	return Section{ID: "history", Title: t(l, "hist.title"), Body: template.HTML(buf.String())}, nil
}
