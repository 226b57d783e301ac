package report

import (
	"fmt"
	"html"
	"html/template"
	"sort"
	"strings"

	"github.com/emohallucer/emohallucer/score"
)

// confusionBlock is one run's confusion heatmaps: gold label × asked label,
// the share of questions answered yes.
type confusionBlock struct {
	Label               string
	Category, Intensity template.HTML
}

// confusions returns the heatmaps of every run whose summary has a confusion
// table (summary.json keys confusion and confusion_intensity).
func confusions(runs []Run) []confusionBlock {
	var out []confusionBlock
	for i := range runs {
		s := runs[i].Scores
		if len(s.Confusion) == 0 && len(s.IntensityConfusion) == 0 {
			continue
		}
		out = append(out, confusionBlock{Label: runs[i].Label(),
			Category:  confusionSVG("Emotion: gold (rows) × asked (columns)", s.Confusion),
			Intensity: confusionSVG("Intensity: gold (rows) × asked (columns)", s.IntensityConfusion)})
	}
	return out
}

// confusionSVG draws a table as a heatmap of the share answered yes, each
// cell labelled said_yes/asked. The diagonal should be bright (the gold
// confirmed) and the rest dark; a bright cell off it is an invented label.
// Labels come from suites and are escaped.
func confusionSVG(title string, c score.Confusion) template.HTML {
	if len(c) == 0 {
		return ""
	}
	var rows []string
	colSet := map[string]bool{}
	for gold, row := range c {
		rows = append(rows, gold)
		for asked := range row {
			colSet[asked] = true
		}
	}
	cols := make([]string, 0, len(colSet))
	for a := range colSet {
		cols = append(cols, a)
	}
	sort.Strings(rows)
	sort.Strings(cols)
	const cw, ch, top, left = 78, 26, 96, 110
	w, h := left+cw*len(cols)+10, top+ch*len(rows)+34
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12" role="img">`, w, h, w, h)
	fmt.Fprintf(&b, `<text x="4" y="16" font-weight="bold">%s</text>`, html.EscapeString(title))
	for j, col := range cols {
		x := left + cw*j + cw/2 - 20
		fmt.Fprintf(&b, `<text x="%d" y="%d" transform="rotate(-30 %d %d)">%s</text>`, x, top-8, x, top-8, html.EscapeString(ellipsis(col, 14)))
	}
	for i, gold := range rows {
		y := top + ch*i
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+ch/2+4, html.EscapeString(ellipsis(gold, 14)))
		for j, asked := range cols {
			x := left + cw*j
			fill, fg, label, tip := "#eeeeee", "#666", "–", "not asked"
			if cell := c[gold][asked]; cell != nil && cell.Asked > 0 {
				pct := 100 * float64(cell.SaidYes) / float64(cell.Asked)
				fill, fg = heat(pct), "#000"
				if pct < 35 {
					fg = "#fff"
				}
				label = fmt.Sprintf("%d/%d", cell.SaidYes, cell.Asked)
				tip = fmt.Sprintf("said yes to %d of %d (%.0f%%)", cell.SaidYes, cell.Asked, pct)
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"><title>gold %s, asked %s: %s</title></rect>`,
				x, y, cw, ch, fill, html.EscapeString(gold), html.EscapeString(asked), tip)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%s</text>`, x+cw/2, y+ch/2+4, fg, label)
		}
	}
	fmt.Fprintf(&b, `<text x="4" y="%d" fill="#555">said yes / asked; diagonal: the gold itself (yes is right), elsewhere: a wrong label (yes is a hallucination)</text>`, h-10)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
