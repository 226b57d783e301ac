package report

import (
	"bytes"
	"fmt"
	"html"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// palette gives runs stable, distinguishable colours (Okabe–Ito, safe for
// colour-blind readers).
var palette = []color.RGBA{
	{0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{86, 180, 233, 255}, {213, 94, 0, 255}, {240, 228, 66, 255}, {0, 0, 0, 255},
}

func colorOf(i int) color.RGBA { return palette[i%len(palette)] }

// svgOf renders a plot as an inline SVG element (no XML prolog, so it can sit in
// HTML), w×h in centimetres.
func svgOf(p *plot.Plot, w, h vg.Length) (string, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return s, nil
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	return p
}

// point is one run's position on a scatter chart.
type point struct {
	label string
	x, y  float64
	size  float64 // marker radius in px; 0 for the default
	shape shape
	color int
	tip   string // the marker's tooltip; the label when empty
}

// shape is a scatter marker's shape.
type shape int

const (
	circle   shape = iota // the default; open weights on the size and date charts
	square                // closed weights
	triangle              // weights unknown
)

// shapeOf is the marker of a model by whether its weights are open.
func shapeOf(open *bool) shape {
	switch {
	case open == nil:
		return triangle
	case *open:
		return circle
	}
	return square
}

// axis is one axis of a scatter chart: its range, scale and ticks.
type axis struct {
	title    string
	min, max float64
	log      bool
	ticks    []tick
}

type tick struct {
	v     float64
	label string
}

// pos maps v to [0, 1] along the axis, clamped so that a point out of range
// still shows at the edge.
func (a axis) pos(v float64) float64 {
	f := (v - a.min) / (a.max - a.min)
	if a.log {
		f = (math.Log10(v) - math.Log10(a.min)) / (math.Log10(a.max) - math.Log10(a.min))
	}
	return math.Max(0, math.Min(1, f))
}

// linearTicks puts ticks at a round step (1, 2, 2.5 or 5 × 10^k) giving at
// most n+1 ticks between lo and hi.
func linearTicks(lo, hi float64, n int, format func(float64) string) []tick {
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []tick
	for i := math.Ceil(lo/step - 1e-9); i*step <= hi+1e-9*step; i++ {
		v := i * step
		if v == 0 {
			v = 0 // not -0
		}
		out = append(out, tick{v, format(v)})
	}
	return out
}

// logTicks puts ticks at the powers of ten between lo and hi, and at 2 and 5
// times them when fewer than three powers fit.
func logTicks(lo, hi float64) []tick {
	var out []tick
	mults := []float64{1}
	if math.Floor(math.Log10(hi))-math.Ceil(math.Log10(lo)) < 2 {
		mults = []float64{1, 2, 5}
	}
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range mults {
			if v := m * math.Pow(10, e); v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				out = append(out, tick{v, strconv.FormatFloat(v, 'f', -1, 64)})
			}
		}
	}
	return out
}

// monthTicks puts ticks on month boundaries, labelled year-month, at a step of
// 1, 2, 3, 6, 12 or more months giving at most 8 ticks. Values are months since
// year 0 (see monthOf).
func monthTicks(lo, hi float64) []tick {
	step := 12
	for _, s := range []int{1, 2, 3, 6, 12, 24, 60, 120} {
		if (hi-lo)/float64(s) <= 7 {
			step = s
			break
		}
	}
	var out []tick
	for m := int(math.Ceil(lo)); float64(m) <= hi; m++ {
		if m%step == 0 {
			out = append(out, tick{float64(m), fmt.Sprintf("%04d-%02d", m/12, m%12+1)})
		}
	}
	return out
}

// monthOf turns "2024-05", "2024-05-13" or "2024" into months since year 0,
// with the day as a fraction of its month.
func monthOf(s string) (float64, bool) {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			days := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
			return float64(t.Year()*12+int(t.Month())-1) + float64(t.Day()-1)/float64(days), true
		}
	}
	return 0, false
}

// scatter is a chart of labelled points. It is drawn by hand rather than with
// gonum/plot so that it scales to its card (a viewBox at 100% width), its labels
// keep off each other and off the markers, and its legend is HTML that no plot
// area can clip.
type scatter struct {
	lang     Lang
	title    string
	w, h     float64 // viewBox size; the SVG scales to its container's width
	x, y     axis
	pts      []point
	ideal    *[2]float64 // marked with a red cross labelled "ideal"
	frontier plotter.XYs // a dashed step line (best so far)
}

// Margins around a scatter's plot area, in viewBox units.
const padL, padR, padT, padB = 58.0, 14.0, 30.0, 50.0

// labelH is the height a label takes (12 px text with its gaps).
const labelH = 14.0

// textWidth estimates the width of sans-serif text at the given font size: no
// font metrics are at hand, so it errs wide: 0.62 em a Latin character, 1 em a
// wide one (kana, Han, full-width forms), which CJK fonts draw square.
func textWidth(s string, size float64) float64 {
	ems := 0.0
	for _, r := range s {
		if wide(r) {
			ems++
		} else {
			ems += 0.62
		}
	}
	return size * ems
}

// wide says whether r is drawn about 1 em wide: the East Asian wide and
// full-width blocks (CJK punctuation, kana, Han, Hangul, full-width forms).
func wide(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115F, // Hangul Jamo
		r >= 0x2E80 && r <= 0x303E,                             // CJK radicals, punctuation
		r >= 0x3041 && r <= 0x33FF,                             // kana, CJK symbols
		r >= 0x3400 && r <= 0x4DBF,                             // Han extension A
		r >= 0x4E00 && r <= 0x9FFF,                             // Han
		r >= 0xA960 && r <= 0xA97F, r >= 0xAC00 && r <= 0xD7A3, // Hangul
		r >= 0xF900 && r <= 0xFAFF,                             // Han compatibility
		r >= 0xFE30 && r <= 0xFE4F,                             // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6, // full-width forms
		r >= 0x20000 && r <= 0x3FFFD: // Han extensions B–
		return true
	}
	return false
}

// box is a rectangle of the chart taken by a marker or a label.
type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

func (a box) inside(b box) bool { return a.x0 >= b.x0 && a.x1 <= b.x1 && a.y0 >= b.y0 && a.y1 <= b.y1 }

// placer finds room for labels: around their marker, nearest first, never over
// another marker or label, never outside the plot area, and, unless a leader
// line ties it to its point, never nearer to another marker than to its own
// (where it would seem to name the wrong point).
type placer struct {
	area    box
	taken   []box
	markers [][3]float64 // x, y, radius
}

// dist is the distance from (x, y) to the nearest point of b.
func (b box) dist(x, y float64) float64 {
	return math.Hypot(math.Max(0, math.Max(b.x0-x, x-b.x1)), math.Max(0, math.Max(b.y0-y, y-b.y1)))
}

// nearestIsOwn says whether no other marker's edge is nearer to b than the
// edge of the marker of radius r at (x, y). Markers overlapping that one are
// on the same spot: no label can be nearer to one than to the other.
func (p *placer) nearestIsOwn(b box, x, y, r float64) bool {
	own := b.dist(x, y) - r
	for _, m := range p.markers {
		if math.Hypot(m[0]-x, m[1]-y) < math.Max(r, m[2]) {
			continue
		}
		if b.dist(m[0], m[1])-m[2] < own-1 {
			return false
		}
	}
	return true
}

// place returns the box for a label w wide beside a marker of radius r at
// (x, y), the text anchor that keeps the text against the marker's side of the
// box (widths are estimates), and whether it sits far enough to need a leader
// line; ok is false when none of the positions in the given number of rings
// around the marker is free.
func (p *placer) place(x, y, r, w float64, rings int) (b box, anchor string, lead, ok bool) {
	for ring := range rings {
		d := r + 3 + 14*float64(ring)
		diag := d * 0.75
		for _, c := range []struct {
			b      box
			anchor string
		}{
			{box{x + d, y - labelH/2, x + d + w, y + labelH/2}, "start"},        // right
			{box{x - d - w, y - labelH/2, x - d, y + labelH/2}, "end"},          // left
			{box{x + diag, y - diag - labelH, x + diag + w, y - diag}, "start"}, // above right
			{box{x + diag, y + diag, x + diag + w, y + diag + labelH}, "start"}, // below right
			{box{x - diag - w, y - diag - labelH, x - diag, y - diag}, "end"},   // above left
			{box{x - diag - w, y + diag, x - diag, y + diag + labelH}, "end"},   // below left
			{box{x - w/2, y - d - labelH, x + w/2, y - d}, "middle"},            // above
			{box{x - w/2, y + d, x + w/2, y + d + labelH}, "middle"},            // below
		} {
			// Beyond the first ring a leader line ties the label to its point.
			if !c.b.inside(p.area) || slices.ContainsFunc(p.taken, c.b.overlaps) || ring == 0 && !p.nearestIsOwn(c.b, x, y, r) {
				continue
			}
			p.taken = append(p.taken, c.b)
			return c.b, c.anchor, ring > 0, true
		}
	}
	return box{}, "", false, false
}

// placed is a label with its position.
type placed struct {
	text   string
	box    box
	anchor string
	lead   bool
	from   [2]float64 // the marker a leader line starts at
	fill   string
}

// px and py map data to viewBox coordinates.
func (c scatter) px(v float64) float64 { return padL + c.x.pos(v)*(c.w-padL-padR) }
func (c scatter) py(v float64) float64 { return padT + (1-c.y.pos(v))*(c.h-padT-padB) }

// radius is a point's marker radius in viewBox units.
func radius(pt point) float64 {
	if pt.size > 0 {
		return pt.size
	}
	return 5
}

// layout places the labels: "ideal" first, then each point's name where it
// fits, else a number that the legend under the chart explains (numbered
// lists those points in order); a number that finds no room either still
// goes right of its marker.
func (c scatter) layout() (labels []placed, numbered []point) {
	px, py := c.px, c.py
	pl := &placer{area: box{padL + 1, padT + 1, c.w - padR - 1, c.h - padB - 1}}
	for _, pt := range c.pts {
		x, y, r := px(pt.x), py(pt.y), radius(pt)
		pl.taken = append(pl.taken, box{x - r, y - r, x + r, y + r})
		pl.markers = append(pl.markers, [3]float64{x, y, r})
	}
	if c.ideal != nil {
		x, y := px(c.ideal[0]), py(c.ideal[1])
		pl.taken = append(pl.taken, box{x - 7, y - 7, x + 7, y + 7})
		pl.markers = append(pl.markers, [3]float64{x, y, 7})
		ideal := t(c.lang, "chart.ideal")
		if b, anchor, lead, ok := pl.place(x, y, 7, textWidth(ideal, 12), 3); ok {
			labels = append(labels, placed{ideal, b, anchor, lead, [2]float64{x, y}, "#c80000"})
		}
	}
	for _, pt := range c.pts {
		x, y, r := px(pt.x), py(pt.y), radius(pt)
		text := ellipsis(pt.label, 32)
		b, anchor, lead, ok := pl.place(x, y, r, textWidth(text, 12), 3)
		if !ok {
			numbered = append(numbered, pt)
			text = strconv.Itoa(len(numbered))
			// A number is small: it may go further out, on a leader line.
			if b, anchor, lead, ok = pl.place(x, y, r, textWidth(text, 12), 5); !ok {
				b, anchor = box{x + r + 2, y - labelH/2, x + r + 2 + textWidth(text, 12), y + labelH/2}, "start"
			}
		}
		labels = append(labels, placed{text, b, anchor, lead, [2]float64{x, y}, "#111"})
	}
	return labels, numbered
}

// html renders the chart and, when some points could only be numbered, a
// numbered legend under it naming them.
func (c scatter) html() string {
	pw, ph := c.w-padL-padR, c.h-padT-padB
	px, py := c.px, c.py
	labels, numbered := c.layout()

	var s strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %g %g" width="100%%" font-family="sans-serif" font-size="12" role="img" aria-label="%s">`, c.w, c.h, esc(c.title))
	fmt.Fprintf(&s, `<text x="%g" y="18" text-anchor="middle" font-size="14" font-weight="600">%s</text>`, c.w/2, esc(c.title))
	for _, t := range c.x.ticks {
		x := px(t.v)
		// A tick label at the edge is moved in rather than cut off.
		half := textWidth(t.label, 12) / 2
		lx := math.Max(half+2, math.Min(c.w-half-2, x))
		fmt.Fprintf(&s, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#e3e6eb"/><text x="%.1f" y="%g" text-anchor="middle" fill="#444">%s</text>`, x, padT, x, padT+ph, lx, padT+ph+16, esc(t.label))
	}
	for _, t := range c.y.ticks {
		y := py(t.v)
		fmt.Fprintf(&s, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#e3e6eb"/><text x="%g" y="%.1f" text-anchor="end" fill="#444">%s</text>`, padL, y, padL+pw, y, padL-6, y+4, esc(t.label))
	}
	fmt.Fprintf(&s, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#999"/>`, padL, padT, pw, ph)
	fmt.Fprintf(&s, `<text x="%g" y="%g" text-anchor="middle">%s</text>`, padL+pw/2, c.h-12, esc(c.x.title))
	// The y title is shrunk to fit the plot's height rather than clipped.
	ys := math.Max(9, math.Min(12, 12*ph/textWidth(c.y.title, 12)))
	fmt.Fprintf(&s, `<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle" font-size="%.1f">%s</text>`, padT+ph/2, ys, esc(c.y.title))
	if len(c.frontier) > 1 {
		s.WriteString(`<polyline fill="none" stroke="#777" stroke-width="1.5" stroke-dasharray="5 4" points="`)
		for _, p := range c.frontier {
			fmt.Fprintf(&s, "%.1f,%.1f ", px(p.X), py(p.Y))
		}
		fmt.Fprintf(&s, `"><title>%s</title></polyline>`, esc(t(c.lang, "chart.best")))
	}
	for _, l := range labels {
		if l.lead {
			cx, cy := math.Max(l.box.x0, math.Min(l.from[0], l.box.x1)), math.Max(l.box.y0, math.Min(l.from[1], l.box.y1))
			fmt.Fprintf(&s, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#aaa"/>`, l.from[0], l.from[1], cx, cy)
		}
	}
	// Big markers first, so that small ones stay visible on top.
	order := make([]int, len(c.pts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return radius(c.pts[order[a]]) > radius(c.pts[order[b]]) })
	for _, i := range order {
		pt := c.pts[i]
		x, y, r := px(pt.x), py(pt.y), radius(pt)
		tip := pt.tip
		if tip == "" {
			tip = pt.label
		}
		col := colorOf(pt.color)
		fmt.Fprintf(&s, `<g fill="rgb(%d,%d,%d)" fill-opacity="0.8" stroke="#222" stroke-width="0.8"><title>%s</title>%s</g>`, col.R, col.G, col.B, esc(tip), marker(pt.shape, x, y, r))
	}
	if c.ideal != nil {
		x, y := px(c.ideal[0]), py(c.ideal[1])
		fmt.Fprintf(&s, `<path d="M%.1f %.1fl12 12m0 -12l-12 12" stroke="#c80000" stroke-width="2.5"><title>%s</title></path>`, x-6, y-6, esc(t(c.lang, "chart.ideal_at", c.ideal[0], c.ideal[1])))
	}
	for _, l := range labels {
		x := map[string]float64{"start": l.box.x0, "end": l.box.x1, "middle": (l.box.x0 + l.box.x1) / 2}[l.anchor]
		// A white halo keeps a label readable over grid and frontier lines.
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" text-anchor="%s" fill="%s" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">%s</text>`, x, l.box.y1-3, l.anchor, l.fill, esc(l.text))
	}
	s.WriteString(`</svg>`)
	if len(numbered) > 0 {
		s.WriteString(`<ol class="legend">`)
		for _, pt := range numbered {
			col := colorOf(pt.color)
			fmt.Fprintf(&s, `<li><span class="swatch" style="background:rgb(%d,%d,%d)"></span>%s</li>`, col.R, col.G, col.B, esc(pt.label))
		}
		s.WriteString(`</ol>`)
	}
	return s.String()
}

// marker draws a point's shape of radius r at (x, y).
func marker(sh shape, x, y, r float64) string {
	switch sh {
	case square:
		return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, x-r*0.9, y-r*0.9, 1.8*r, 1.8*r)
	case triangle:
		return fmt.Sprintf(`<path d="M%.1f %.1fL%.1f %.1fL%.1f %.1fZ"/>`, x, y-r, x+r*0.9, y+r*0.6, x-r*0.9, y+r*0.6)
	}
	return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="%.1f"/>`, x, y, r)
}

// linesSVG draws one line per series (risk–coverage curves).
func linesSVG(title, xl, yl string, series []series, marks []point) (string, error) {
	p := newPlot(title, xl, yl)
	p.X.Min, p.X.Max, p.Y.Min = 0, 1, 0
	// Curves start high on the left and end at full coverage on the right; the
	// bottom left is where they are least likely to be.
	p.Legend.Top, p.Legend.Left = false, true
	for i, s := range series {
		if len(s.xy) == 0 {
			continue
		}
		if err := addLine(p, s.xy, i, s.name, 1.5); err != nil {
			return "", err
		}
	}
	for _, m := range marks {
		s, err := plotter.NewScatter(plotter.XYs{{X: m.x, Y: m.y}})
		if err != nil {
			return "", err
		}
		s.GlyphStyle = draw.GlyphStyle{Shape: draw.RingGlyph{}, Radius: vg.Points(6), Color: colorOf(m.color)}
		p.Add(s)
	}
	return svgOf(p, 16*vg.Centimeter, 10*vg.Centimeter)
}

type series struct {
	name string
	xy   plotter.XYs
}

// frontierOf returns the best-so-far line: for points sorted by x, the running
// maximum of y, as a step line.
func frontierOf(pts []point) plotter.XYs {
	sorted := append([]point(nil), pts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].x < sorted[j].x })
	var out plotter.XYs
	best := math.Inf(-1)
	for _, p := range sorted {
		if p.y > best {
			if len(out) > 0 {
				out = append(out, plotter.XY{X: p.x, Y: best})
			}
			best = p.y
			out = append(out, plotter.XY{X: p.x, Y: best})
		}
	}
	if len(sorted) > 0 && len(out) > 0 {
		out = append(out, plotter.XY{X: sorted[len(sorted)-1].x, Y: best})
	}
	return out
}

// fewPairs is the number of scored pairs under which a heatmap cell is hatched:
// below 30 pairs the 95% CI of an accuracy near 50% is wider than ±15 points,
// too wide for its colour to be compared with its neighbours'.
const fewPairs = 30

// heatCell is one heatmap cell: an overall accuracy (NaN when no pair was
// scored) and the number of pairs it was computed on.
type heatCell struct {
	acc   float64
	pairs int
	// notEvaluated marks a NaN cell whose questions the model does not take,
	// as against one with no such pairs in its run (or only failed ones).
	notEvaluated bool
}

// heatmapSVG draws a rows × columns grid of accuracies (0–100) with the value
// and the number of pairs in each cell, cells on fewer than fewPairs pairs
// hatched, and a colour scale under the grid. id prefixes the SVG's gradient and
// pattern ids, which must be unique in the page. It is drawn by hand rather than
// with plotter.HeatMap so that every cell carries its numbers and a tooltip.
func heatmapSVG(id string, rows, cols []string, cells [][]heatCell, l Lang) string {
	const cw, ch, top, legendH = 92, 38, 86, 64
	// The label column fits the longest row label.
	longest := 0.0
	for _, r := range rows {
		longest = max(longest, textWidth(ellipsis(r, 40), 12))
	}
	left := min(300, max(120, int(math.Ceil(longest))+16))
	w := max(left+cw*len(cols)+10, 580)
	h := top + ch*len(rows) + legendH
	esc := html.EscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12" role="img">`, w, h, w, h)
	fmt.Fprintf(&b, `<defs><linearGradient id="%s-scale">`, id)
	for k := 0; k <= 4; k++ {
		fmt.Fprintf(&b, `<stop offset="%d%%" stop-color="%s"/>`, 25*k, heat(float64(25*k)))
	}
	fmt.Fprintf(&b, `</linearGradient><pattern id="%s-few" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="7" height="7" fill="#fff" fill-opacity="0.25"/><rect width="3" height="7" fill="#fff" fill-opacity="0.6"/></pattern></defs>`, id)
	for j, c := range cols {
		x := left + cw*j + cw/2
		fmt.Fprintf(&b, `<text x="%d" y="%d" transform="rotate(-30 %d %d)" text-anchor="start">%s</text>`, x-20, top-8, x-20, top-8, esc(c))
	}
	for i, r := range rows {
		y := top + ch*i
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end"><title>%s</title>%s</text>`, left-8, y+ch/2+4, esc(r), esc(ellipsis(r, 40)))
		for j := range cols {
			x := left + cw*j
			c := cells[i][j]
			if math.IsNaN(c.acc) {
				fill, label, why := "#fafafa", "—", t(l, "heat.none")
				if c.notEvaluated {
					fill, label, why = "#eeeeee", "n/e", t(l, "heat.ne")
				}
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ddd"><title>%s</title></rect>`, x, y, cw, ch, fill, esc(t(l, "heat.cell_why", r, cols[j], why)))
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#666">%s</text>`, x+cw/2, y+ch/2+4, label)
				continue
			}
			fill, fg := heat(c.acc), heatInk(c.acc)
			few := ""
			if c.pairs < fewPairs {
				few = t(l, "heat.few", fewPairs)
			}
			fmt.Fprintf(&b, `<g><title>%s</title><rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"/>`, esc(t(l, "heat.cell", r, cols[j], c.acc, c.pairs, few)), x, y, cw, ch, fill)
			// A hatched cell's numbers get a halo of the cell's colour to stay
			// readable over the stripes.
			halo := ""
			if few != "" {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="url(#%s-few)"/>`, x, y, cw, ch, id)
				halo = fmt.Sprintf(` stroke="%s" stroke-width="3" paint-order="stroke"`, fill)
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s"%s>%.1f</text>`, x+cw/2, y+16, fg, halo, c.acc)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s" font-size="10"%s>n=%d</text></g>`, x+cw/2, y+30, fg, halo, c.pairs)
		}
	}
	// The colour scale, then swatches for "not evaluated" and "few pairs".
	ly := top + ch*len(rows) + 22
	fmt.Fprintf(&b, `<text x="10" y="%d" fill="#444">%s</text>`, ly-6, esc(t(l, "heat.scale")))
	fmt.Fprintf(&b, `<rect x="10" y="%d" width="200" height="12" fill="url(#%s-scale)"/>`, ly, id)
	for v := 0; v <= 100; v += 25 {
		x := 10 + 2*v
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#444"/><text x="%d" y="%d" text-anchor="middle" font-size="10" fill="#444">%d</text>`, x, ly+12, x, ly+16, x, ly+27, v)
	}
	fmt.Fprintf(&b, `<rect x="232" y="%d" width="18" height="12" fill="#eeeeee" stroke="#ccc"/><text x="255" y="%d" fill="#444">%s</text>`, ly, ly+10, esc(t(l, "heat.key_ne")))
	fmt.Fprintf(&b, `<rect x="232" y="%d" width="18" height="12" fill="#fafafa" stroke="#ccc"/><text x="255" y="%d" fill="#444">%s</text>`, ly+18, ly+28, esc(t(l, "heat.key_none")))
	fmt.Fprintf(&b, `<rect x="400" y="%d" width="18" height="12" fill="%s"/><rect x="400" y="%d" width="18" height="12" fill="url(#%s-few)"/><text x="423" y="%d" fill="#444">%s</text>`, ly, heat(60), ly, id, ly+10, esc(t(l, "heat.key_few", fewPairs)))
	b.WriteString(`</svg>`)
	return b.String()
}

// heat maps 0–100 to a dark-blue → yellow scale (viridis endpoints).
func heat(v float64) string {
	t := math.Max(0, math.Min(1, v/100))
	stops := [][3]float64{{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}
	pos := t * float64(len(stops)-1)
	i := int(math.Min(float64(len(stops)-2), math.Floor(pos)))
	f := pos - float64(i)
	c := func(k int) int { return int(stops[i][k] + f*(stops[i+1][k]-stops[i][k])) }
	return fmt.Sprintf("rgb(%d,%d,%d)", c(0), c(1), c(2))
}

// heatInk is the text colour that reads on heat(v): white on its dark low end.
func heatInk(v float64) string {
	if v < 35 {
		return "#fff"
	}
	return "#000"
}

func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// addLine draws xy as the i-th series of p, a line with a point at each value
// (radius in points) in the series' colour, named in the legend.
func addLine(p *plot.Plot, xy plotter.XYs, i int, name string, radius float64) error {
	l, sc, err := plotter.NewLinePoints(xy)
	if err != nil {
		return err
	}
	l.Color = colorOf(i)
	l.Width = vg.Points(1.5)
	sc.GlyphStyle = draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: vg.Points(radius), Color: colorOf(i)}
	p.Add(l, sc)
	p.Legend.Add(name, l)
	return nil
}
