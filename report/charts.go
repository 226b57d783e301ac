package report

import (
	"bytes"
	"fmt"
	"html"
	"image/color"
	"math"
	"sort"
	"strings"

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
	size  float64 // bubble radius in points; 0 for the default
	open  *bool   // marker shape: circle open weights, square closed, triangle unknown
	color int
}

// scatterSVG draws labelled points, with an optional marked ideal point and an
// optional frontier line through (fx, fy).
func scatterSVG(title, xl, yl string, pts []point, ideal *[2]float64, frontier plotter.XYs, xmin, xmax, ymin, ymax float64, opts ...func(*plot.Plot)) (string, error) {
	p := newPlot(title, xl, yl)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax
	for _, o := range opts {
		o(p)
	}
	if len(frontier) > 1 {
		l, err := plotter.NewLine(frontier)
		if err != nil {
			return "", err
		}
		l.Color = color.RGBA{120, 120, 120, 255}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("best so far", l)
	}
	if ideal != nil {
		s, err := plotter.NewScatter(plotter.XYs{{X: ideal[0], Y: ideal[1]}})
		if err != nil {
			return "", err
		}
		s.GlyphStyle = draw.GlyphStyle{Shape: draw.CrossGlyph{}, Radius: vg.Points(7), Color: color.RGBA{200, 0, 0, 255}}
		p.Add(s)
		p.Legend.Add("ideal", s)
	}
	for _, pt := range pts {
		s, err := plotter.NewScatter(plotter.XYs{{X: pt.x, Y: pt.y}})
		if err != nil {
			return "", err
		}
		r := vg.Points(5)
		if pt.size > 0 {
			r = vg.Points(pt.size)
		}
		var shape draw.GlyphDrawer = draw.TriangleGlyph{}
		if pt.open != nil {
			if *pt.open {
				shape = draw.CircleGlyph{}
			} else {
				shape = draw.BoxGlyph{}
			}
		}
		s.GlyphStyle = draw.GlyphStyle{Shape: shape, Radius: r, Color: colorOf(pt.color)}
		p.Add(s)
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: pt.x, Y: pt.y}}, Labels: []string{" " + pt.label}})
		if err != nil {
			return "", err
		}
		lb.Offset = vg.Point{X: r, Y: 0}
		p.Add(lb)
	}
	return svgOf(p, 16*vg.Centimeter, 11*vg.Centimeter)
}

// logX puts the x axis on a log scale with ticks at powers of ten.
func logX(p *plot.Plot) {
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
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
		l, sc, err := plotter.NewLinePoints(s.xy)
		if err != nil {
			return "", err
		}
		l.Color = colorOf(i)
		l.Width = vg.Points(1.5)
		sc.GlyphStyle = draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: vg.Points(1.5), Color: colorOf(i)}
		p.Add(l, sc)
		p.Legend.Add(s.name, l)
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

// heatmapSVG draws a rows × columns grid of accuracies (0–100), with the value in
// each cell; NaN cells are "not evaluated". It is drawn by hand rather than with
// plotter.HeatMap so that every cell carries its number and a tooltip.
func heatmapSVG(rows, cols []string, vals [][]float64) string {
	const cw, ch, top = 92, 26, 86
	// The label column fits the longest row label (about 7 px a character).
	longest := 0
	for _, r := range rows {
		longest = max(longest, len([]rune(ellipsis(r, 40))))
	}
	left := min(300, max(120, 7*longest+16))
	w := left + cw*len(cols) + 10
	h := top + ch*len(rows) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12" role="img">`, w, h, w, h)
	for j, c := range cols {
		x := left + cw*j + cw/2
		fmt.Fprintf(&b, `<text x="%d" y="%d" transform="rotate(-30 %d %d)" text-anchor="start">%s</text>`, x-20, top-8, x-20, top-8, html.EscapeString(c))
	}
	for i, r := range rows {
		y := top + ch*i
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+ch/2+4, html.EscapeString(ellipsis(r, 40)))
		for j := range cols {
			x := left + cw*j
			v := vals[i][j]
			fill, label, fg := "#eeeeee", "n/e", "#666"
			if !math.IsNaN(v) {
				fill, fg = heat(v), "#000"
				if v < 35 {
					fg = "#fff"
				}
				label = fmt.Sprintf("%.1f", v)
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"><title>%s × %s: %s</title></rect>`, x, y, cw, ch, fill, html.EscapeString(rows[i]), html.EscapeString(cols[j]), label)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%s</text>`, x+cw/2, y+ch/2+4, fg, label)
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#555">overall accuracy (%%); n/e = not evaluated; chance = 25</text>`, left, h-8)
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

func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
