package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/score"
)

// TestConfusionHeatmap renders a run's confusion tables: every cell shows
// said_yes/asked, an empty combination is marked, and a label from a suite is
// escaped.
func TestConfusionHeatmap(t *testing.T) {
	runs := fixtureRuns()
	runs[0].Scores.Confusion = score.Confusion{
		"disgust": {"disgust": {Asked: 4, SaidYes: 3}, "happiness": {Asked: 4, SaidYes: 1}},
		"<b>x":    {"<b>x": {Asked: 2, SaidYes: 2}},
	}
	runs[0].Scores.IntensityConfusion = score.Confusion{"normal": {"normal": {Asked: 5, SaidYes: 1}, "strong": {Asked: 5, SaidYes: 4}}}
	var b bytes.Buffer
	if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	sec := out[strings.Index(out, `<section id="confusion">`):]
	sec = sec[:strings.Index(sec, "</section>")]
	for _, c := range []struct {
		want string
		why  string
	}{
		{`<h3>` + runs[0].Label() + `</h3>`, "one block per run with a table"},
		{">3/4<", "the diagonal cell: yes to the gold"},
		{">1/4<", "an invented label off the diagonal"},
		{"said yes to 4 of 5 (80%)", "the intensity table's tooltip"},
		{">–<", "a combination never asked"},
		{"&lt;b&gt;x", "a suite's label escaped"},
	} {
		if !strings.Contains(sec, c.want) {
			t.Errorf("confusion section lacks %q (%s)", c.want, c.why)
		}
	}
	if strings.Contains(sec, "<b>x") {
		t.Error("a label from the suite reached the page unescaped")
	}
	if n := strings.Count(sec, "<h3>"); n != 1 {
		t.Errorf("%d run blocks, want 1: runs without a table get none", n)
	}
}

// TestConfusionWidth: a table of one column is drawn wide enough for its
// title, which in Japanese is wider than the cells.
func TestConfusionWidth(t *testing.T) {
	c := score.Confusion{"normal": {"normal": {Asked: 5, SaidYes: 1}}}
	for _, l := range Langs {
		svg := string(confusionSVG(t_(l, "conf.intensity"), c, l))
		var w int
		if _, err := fmt.Sscanf(svg[strings.Index(svg, `width="`):], `width="%d"`, &w); err != nil {
			t.Fatal(err)
		}
		if min := textWidth(t_(l, "conf.intensity"), 12); float64(w) < min {
			t.Errorf("%s: width %d, the title takes %.0f", l, w, min)
		}
	}
}
