package report

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/score"
	"github.com/sebdah/goldie/v2"
)

// biasLike is a bias chart as the report draws it, over the given points.
func biasLike(pts []point) scatter {
	return scatter{title: "bias", w: 1000, h: 460, pts: pts, ideal: &[2]float64{0, 0.5},
		x: axis{min: -0.56, max: 0.56}, y: axis{min: -0.04, max: 1.04}}
}

// Labels never cover one another or another point's marker, and stay in the
// plot area; points that find no room are numbered and listed in the legend.
func TestScatterLabelsKeepApart(t *testing.T) {
	crowd := func(n int, x, y, spread float64) []point {
		var out []point
		for i := range n {
			out = append(out, point{label: fmt.Sprintf("model-%02d-with-a-long-name", i), x: x + spread*float64(i%4), y: y + spread*float64(i/4), color: i})
		}
		return out
	}
	cases := []struct {
		name     string
		pts      []point
		numbered bool // some points must fall back to numbers
	}{
		// The baselines: always-yes, always-no and a random answerer right on the ideal.
		{"baselines", []point{{label: "always-yes", x: 0.5, y: 1}, {label: "always-no", x: -0.5, y: 0}, {label: "random", x: 0.01, y: 0.5}}, false},
		// Three models within a hundredth of each other: all named, apart.
		{"close trio", []point{{label: "gpt-4o", x: 0.07, y: 0.69}, {label: "gpt-4o-mini", x: 0.075, y: 0.70}, {label: "qwen2.5-vl-7b", x: 0.08, y: 0.69}}, false},
		// Twenty models on one spot: most can only be numbered.
		{"twenty on a spot", crowd(20, 0.1, 0.6, 0.001), true},
		// Japanese and Chinese model names, sized 1 em a glyph: named, apart,
		// and a long one by the right edge kept inside the plot.
		{"cjk names", []point{{label: "通义千问-VL-72B", x: 0.07, y: 0.69}, {label: "日本語モデル-7B", x: 0.075, y: 0.70}, {label: "ハルシネーション抑制モデル-大規模版-第二世代", x: 0.45, y: 0.3}}, false},
		// Long names near the right edge go to the left of their markers.
		{"right edge", []point{{label: "deepseek-r1-distill-qwen-14b-a-very-long-model-name", x: 0.5, y: 0.3}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := biasLike(c.pts)
			labels, numbered := ch.layout()
			if len(labels) != len(c.pts)+1 {
				t.Fatalf("%d labels for %d points and the ideal", len(labels), len(c.pts))
			}
			if (len(numbered) > 0) != c.numbered {
				t.Errorf("numbered %d points", len(numbered))
			}
			area := box{padL, padT, ch.w - padR, ch.h - padB}
			var markers []box
			for _, pt := range c.pts {
				x, y, r := ch.px(pt.x), ch.py(pt.y), radius(pt)
				markers = append(markers, box{x - r + 0.5, y - r + 0.5, x + r - 0.5, y + r - 0.5})
			}
			// Only a number that found no free position may overlap or stray.
			for i, a := range labels {
				if !a.box.inside(area) && !isNumber(a.text) {
					t.Errorf("label %q at %v leaves the plot area", a.text, a.box)
				}
				for j, b := range labels[i+1:] {
					if a.box.overlaps(b.box) && !isNumber(a.text) && !isNumber(b.text) {
						t.Errorf("labels %q and %q overlap (%d, %d)", a.text, b.text, i, i+1+j)
					}
				}
				if isNumber(a.text) {
					continue
				}
				for k, m := range markers {
					if a.box.overlaps(m) {
						t.Errorf("label %q covers a marker", a.text)
					}
					// No other marker is nearer to a name than its own, but for
					// one overlapping it (the same spot), or when a leader line
					// ties the name to its point.
					mx, my, r := ch.px(c.pts[k].x), ch.py(c.pts[k].y), radius(c.pts[k])
					if math.Hypot(mx-a.from[0], my-a.from[1]) < r || a.lead {
						continue
					}
					if own := a.box.dist(a.from[0], a.from[1]); a.box.dist(mx, my)-r < own-radius(c.pts[0])-1 {
						t.Errorf("label %q is nearer to %q than to its own point", a.text, c.pts[k].label)
					}
				}
			}
			// "ideal" sits by its cross, nowhere near always-yes at (+0.5, 1).
			id := labels[0]
			if id.text != "ideal" || math.Abs(id.from[0]-ch.px(0)) > 0.01 {
				t.Fatalf("first label %+v is not the ideal's", id)
			}
			yes := box{ch.px(0.5) - 30, ch.py(1) - 30, ch.px(0.5) + 30, ch.py(1) + 30}
			if id.box.overlaps(yes) {
				t.Errorf("ideal label at %v sits where always-yes plots", id.box)
			}
			html := ch.html()
			for i, pt := range numbered {
				if !strings.Contains(html, fmt.Sprintf(`</span>%s</li>`, pt.label)) {
					t.Errorf("legend lacks number %d, %s", i+1, pt.label)
				}
			}
		})
	}
}

func isNumber(s string) bool { return regexp.MustCompile(`^[0-9]+$`).MatchString(s) }

// The y title shrinks to fit the plot's height rather than running off it.
func TestScatterYTitleFits(t *testing.T) {
	c := biasLike(nil)
	c.y.title = strings.Repeat("FP Ratio (share of wrong answers that said yes) ", 3)
	m := regexp.MustCompile(`rotate\(-90\)" text-anchor="middle" font-size="([0-9.]+)"`).FindStringSubmatch(c.html())
	if m == nil {
		t.Fatal("no y title")
	}
	var size float64
	fmt.Sscan(m[1], &size)
	if w := textWidth(c.y.title, size); size > 9 && w > c.h-padT-padB {
		t.Errorf("y title %.0f wide at %gpx in a %g-high plot", w, size, c.h-padT-padB)
	}
}

func TestTicks(t *testing.T) {
	label := func(ts []tick) string {
		var out []string
		for _, t := range ts {
			out = append(out, t.label)
		}
		return strings.Join(out, " ")
	}
	month := func(s string) float64 {
		m, ok := monthOf(s)
		if !ok {
			t.Fatalf("monthOf(%q) failed", s)
		}
		return m
	}
	cases := []struct {
		name string
		got  []tick
		want string
	}{
		// Two and a half years: every six months, labelled year-month.
		{"months over years", monthTicks(month("2023-01"), month("2025-06")), "2023-01 2023-07 2024-01 2024-07 2025-01"},
		// Five months: every month.
		{"months within a year", monthTicks(month("2024-03-10"), month("2024-07-20")), "2024-04 2024-05 2024-06 2024-07"},
		// A decade: every two (even) years.
		{"a decade", monthTicks(month("2015-01"), month("2025-01")), "2016-01 2018-01 2020-01 2022-01 2024-01"},
		// Accuracy: quarters, no "-0".
		{"accuracy", linearTicks(0, 100, 4, func(v float64) string { return fmt.Sprint(v) }), "0 25 50 75 100"},
		// Pct. Diff: symmetric quarters through an exact 0.
		{"pct diff", linearTicks(-0.5, 0.5, 4, func(v float64) string { return fmt.Sprint(v) }), "-0.5 -0.25 0 0.25 0.5"},
		// Parameters over five decades: powers of ten.
		{"log", logTicks(0.5, 1400), "1 10 100 1000"},
		// Parameters within one decade: 1, 2, 5 steps.
		{"log narrow", logTicks(3.5, 70), "5 10 20 50"},
	}
	for _, c := range cases {
		if got := label(c.got); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// A day within its month is a fraction of it.
	if d, m := month("2024-05-16"), month("2024-05"); d <= m || d >= m+1 {
		t.Errorf("2024-05-16 → %g, 2024-05 → %g", d, m)
	}
	if _, ok := monthOf("May 2024"); ok {
		t.Error("monthOf accepted a free-form date")
	}
}

// Every heatmap cell shows its number of pairs; cells on fewer than fewPairs
// pairs are hatched; a colour scale explains the colours; names are escaped.
func TestHeatmapCells(t *testing.T) {
	rows := []string{"big", "small", `<b>"x"&`}
	cells := [][]heatCell{
		{{acc: 70, pairs: 515}, {acc: 50, pairs: fewPairs}},
		{{acc: 44.4, pairs: fewPairs - 1}, {acc: math.NaN(), notEvaluated: true}},
		{{acc: 10, pairs: 100}, {acc: math.NaN()}},
	}
	svg := heatmapSVG("hm", rows, []string{"text", "audio"}, cells, English)
	for _, want := range []string{"n=515", fmt.Sprintf("n=%d", fewPairs), fmt.Sprintf("n=%d", fewPairs-1), ">n/e<", ">—<",
		`<linearGradient id="hm-scale">`, `<pattern id="hm-few"`, "chance = 25", "&lt;b&gt;&#34;x&#34;&amp;"} {
		if !strings.Contains(svg, want) {
			t.Errorf("heatmap lacks %q", want)
		}
	}
	if strings.Contains(svg, `<b>"x"`) {
		t.Error("row name not escaped")
	}
	// Two hatch overlays: the cell on fewPairs-1 pairs and the legend swatch.
	if n := strings.Count(svg, `fill="url(#hm-few)"`); n != 2 {
		t.Errorf("%d hatched rectangles, want 2 (one cell, one legend swatch)", n)
	}
	if !strings.Contains(svg, fmt.Sprintf("44.4%% overall on %d pairs (fewer than %d pairs", fewPairs-1, fewPairs)) {
		t.Error("the few-pair cell's tooltip does not say why it is hatched")
	}
}

// The leaderboard has an errors column: pairs not scored because a request
// failed.
func TestLeaderboardErrors(t *testing.T) {
	runs := fixtureRuns()
	for _, r := range runs[0].Records[:3] {
		r.Status, r.Answer, r.Error = eh.StatusError, "", "HTTP 503"
	}
	acc := score.NewAccumulator()
	for _, r := range runs[0].Records {
		acc.Add(r)
	}
	runs[0].Scores = acc.Close()
	lv := leaderboard(runs, "all", English)
	var errs []string
	for _, r := range lv.Rows {
		errs = append(errs, r.Label+"="+r.Errors)
	}
	// Records 0–2 are the two questions of the first pair and one of the second.
	if !slices.Contains(errs, "openai:m=2") || !slices.Contains(errs, "openai:m [pep-mek]=0") {
		t.Errorf("errors per run: %v", errs)
	}
	var b bytes.Buffer
	if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `>errors</th>`) {
		t.Error("no errors column in the HTML leaderboard")
	}
}

// The charts of the fixture runs, as SVG: a format, so golden.
func TestChartsGolden(t *testing.T) {
	runs := fixtureRuns()
	closed := false
	runs[2].Meta = &Meta{Released: "2025-02-14", Open: &closed}
	g := goldie.New(t, goldie.WithFixtureDir("testdata"), goldie.WithNameSuffix(""))
	mod, sub := heatmaps(runs, English)
	date, size, none := metaCharts(runs, English)
	if none {
		t.Fatal("fixture runs have metadata")
	}
	for _, c := range []struct {
		name, svg string
	}{
		{"TestCharts.bias.html", string(biasChart(runs, English))},
		{"TestCharts.heat-modality.svg", string(mod)},
		{"TestCharts.heat-subcategory.svg", string(sub)},
		{"TestCharts.date.html", string(date)},
		{"TestCharts.size.html", string(size)},
	} {
		if c.svg == "" {
			t.Fatalf("%s is empty", c.name)
		}
		g.Assert(t, c.name, []byte(c.svg+"\n"))
	}
	if !strings.Contains(string(date), ">2024-07<") || strings.Contains(string(date), ">2024.5") {
		t.Error("release-date ticks are not year-month")
	}
}

// Model names and metadata come from users and configs: every chart shows them
// as text, never as markup.
func TestChartsEscapeNames(t *testing.T) {
	runs := fixtureRuns()
	evil := `"><img src=x onerror=alert(1)>`
	runs[0].Scores.Run.Model = evil
	runs[0].Meta.Reasoning = `<script>alert(2)</script>`
	// A second run under the same name.
	runs[1].Scores.Run.Model, runs[1].Scores.Run.Strategy = evil, "direct"
	mod, sub := heatmaps(runs, English)
	date, size, _ := metaCharts(runs, English)
	for name, out := range map[string]string{"bias": string(biasChart(runs, English)), "modality": string(mod), "subcategory": string(sub), "date": string(date), "size": string(size)} {
		if strings.Contains(out, "<img") || strings.Contains(out, "<script") {
			t.Errorf("%s chart: a name or metadata reached it as markup", name)
		}
		if !strings.Contains(out, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("%s chart does not show the escaped name", name)
		}
	}
	if !strings.Contains(string(date), "&lt;script&gt;alert(2)&lt;/script&gt;") {
		t.Error("date chart tooltip lacks the escaped metadata")
	}
}
