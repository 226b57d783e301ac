// Package interop speaks the formats of other yes/no hallucination benchmarks
// (HallusionBench, POPE, VideoHallucer) and of other evaluation harnesses
// (VLMEvalKit, lmms-eval, Hugging Face datasets).
//
// Its sub-packages import a benchmark's question file into flat questions (for
// scoring another tool's predictions) and into our suite pairs (for running), and
// compute the benchmark's own metrics exactly as its reference evaluation code
// does, next to ours. This package holds what they share: metrics with
// numerators and denominators, reports, our pair tally, answer extraction with
// the benchmark's own parser as an extra rule, JSON/JSONL reading with positions,
// and media copying into a suite folder.
package interop

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
)

// RuleReference selects the benchmark's own answer parser, where its reference
// code has one (POPE: "no"/"not" in the first sentence; VideoHallucer: the first
// sentence equals the answer). HallusionBench has none: it asks GPT-4 to judge.
const RuleReference = "reference"

// Rules lists the extraction rules external scoring accepts.
var Rules = append(append([]string{}, extract.Rules...), RuleReference)

// Parser is a benchmark's own mapping from raw text to an answer, used for
// RuleReference.
type Parser func(text string) eh.Answer

// Extractor returns the function that turns raw text into an answer under rule.
// ref may be nil when the benchmark has no parser of its own.
func Extractor(rule string, ref Parser) (Parser, error) {
	if rule == RuleReference {
		if ref == nil {
			return nil, eh.Errorf(eh.EINVALID, "this benchmark has no answer parser of its own; use --rule %s", strings.Join(extract.Rules, " or "))
		}
		return ref, nil
	}
	if _, ok := extract.Extract(rule, ""); !ok {
		return nil, eh.Errorf(eh.EINVALID, "unknown extraction rule %q (want one of %s)", rule, strings.Join(Rules, ", "))
	}
	return func(text string) eh.Answer {
		a, _ := extract.Extract(rule, text)
		return a
	}, nil
}

// Metric is one figure of a report. Every ratio carries its numerator and
// denominator; Value is nil when the denominator is zero. A few figures (a mean
// of per-type accuracies) are not a single ratio: they have Den == 0 and a Value.
type Metric struct {
	Name string `json:"name"`
	Num  int    `json:"num"`
	Den  int    `json:"den"`
	// Value is Num/Den as a fraction in [0,1] (or in [-1,1] for differences).
	Value *float64 `json:"value"`
	// Percent says the value is conventionally shown as a percentage.
	Percent bool   `json:"percent,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Ratio returns the metric num/den.
func Ratio(name string, num, den int, percent bool, note string) Metric {
	m := Metric{Name: name, Num: num, Den: den, Percent: percent, Note: note}
	if den != 0 {
		v := float64(num) / float64(den)
		m.Value = &v
	}
	return m
}

// Count returns a metric that is a plain count (shown without a ratio).
func Count(name string, n int, note string) Metric {
	v := float64(n)
	return Metric{Name: name, Num: n, Value: &v, Note: note}
}

// Section is a titled group of metrics.
type Section struct {
	Name    string   `json:"name"`
	Metrics []Metric `json:"metrics"`
}

// Report is the result of scoring an external prediction file.
type Report struct {
	Format      string    `json:"format"`
	Rule        string    `json:"rule"`
	Predictions string    `json:"predictions"`
	Questions   string    `json:"questions"`
	Notes       []string  `json:"notes,omitempty"`
	Sections    []Section `json:"sections"`
}

// Add appends a section.
func (r *Report) Add(name string, ms ...Metric) { r.Sections = append(r.Sections, Section{name, ms}) }

// Section returns the named section, or nil.
func (r *Report) Section(name string) *Section {
	for i := range r.Sections {
		if r.Sections[i].Name == name {
			return &r.Sections[i]
		}
	}
	return nil
}

// Metric returns the named metric of a section, or nil.
func (s *Section) Metric(name string) *Metric {
	if s == nil {
		return nil
	}
	for i := range s.Metrics {
		if s.Metrics[i].Name == name {
			return &s.Metrics[i]
		}
	}
	return nil
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the report as aligned text: every ratio with its numerator
// and denominator.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "format %s · rule %s\npredictions %s\nquestions %s\n", r.Format, r.Rule, r.Predictions, r.Questions)
	for _, n := range r.Notes {
		fmt.Fprintf(tw, "note: %s\n", n)
	}
	for _, s := range r.Sections {
		fmt.Fprintf(tw, "\n%s\n", s.Name)
		for _, m := range s.Metrics {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", m.Name, FormatValue(m), formatFraction(m), m.Note)
		}
	}
	return tw.Flush()
}

// FormatValue renders a metric's value: a percentage with two decimals, a
// fraction with four, a count as an integer, or "n/a" when undefined.
func FormatValue(m Metric) string {
	switch {
	case m.Value == nil:
		return "n/a"
	case m.Den == 0 && m.Num == int(*m.Value) && !m.Percent && *m.Value == math.Trunc(*m.Value):
		return fmt.Sprintf("%d", m.Num)
	case m.Percent:
		return fmt.Sprintf("%.2f%%", 100**m.Value)
	}
	return fmt.Sprintf("%.4f", *m.Value)
}

func formatFraction(m Metric) string {
	if m.Den == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", m.Num, m.Den)
}

// PairTally accumulates our own metrics (SPEC §2) over pairs of a basic (gold
// yes) and a hallucinated (gold no) answer. Unparsed answers are wrong and are
// not counted as yes.
type PairTally struct {
	Pairs, BasicOK, HallOK, BothOK int
	Yes, Wrong, WrongYes, Unparsed int
}

// Add counts one pair.
func (t *PairTally) Add(basic, hall eh.Answer) {
	t.Pairs++
	b, h := basic == eh.AnswerYes, hall == eh.AnswerNo
	if b {
		t.BasicOK++
	}
	if h {
		t.HallOK++
	}
	if b && h {
		t.BothOK++
	}
	for _, a := range []eh.Answer{basic, hall} {
		switch a {
		case eh.AnswerYes:
			t.Yes++
		case eh.AnswerUnparsed:
			t.Unparsed++
		}
	}
	if !b {
		t.Wrong++ // a basic question is wrong when it is no or unparsed
	}
	if !h {
		t.Wrong++
		if hall == eh.AnswerYes {
			t.WrongYes++
		}
	}
}

// Metrics returns basic, hallucinated and pair accuracy, Pct. Diff, FP Ratio and
// the unparsed count, as SPEC §2 defines them.
func (t *PairTally) Metrics() []Metric {
	q := 2 * t.Pairs
	return []Metric{
		Ratio("basic accuracy", t.BasicOK, t.Pairs, true, "basic (gold yes) questions right"),
		Ratio("hallucinated accuracy", t.HallOK, t.Pairs, true, "hallucinated (gold no) questions right"),
		Ratio("overall (pair) accuracy", t.BothOK, t.Pairs, true, "both questions of the pair right"),
		Ratio("Pct. Diff", t.Yes-t.Pairs, q, false, "(answered yes − gold yes) / questions; >0 is yes-bias"),
		Ratio("FP Ratio", t.WrongYes, t.Wrong, false, "wrong answers that said yes / wrong answers; ideal ≈ 0.5"),
		Ratio("unparsed", t.Unparsed, q, true, "counted wrong"),
	}
}

// AnswerCounts tallies extracted answers.
type AnswerCounts struct{ Yes, No, Unparsed int }

// Add counts one answer.
func (c *AnswerCounts) Add(a eh.Answer) {
	switch a {
	case eh.AnswerYes:
		c.Yes++
	case eh.AnswerNo:
		c.No++
	default:
		c.Unparsed++
	}
}

// Metrics returns the three counts as shares of all answers.
func (c AnswerCounts) Metrics() []Metric {
	n := c.Yes + c.No + c.Unparsed
	return []Metric{
		Ratio("answered yes", c.Yes, n, true, ""),
		Ratio("answered no", c.No, n, true, ""),
		Ratio("unparsed", c.Unparsed, n, true, ""),
	}
}
