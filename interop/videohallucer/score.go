package videohallucer

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/interop"
)

// ReferenceParser is the answer check of the reference's cal_score
// (evaluations/evaluation_utils.py): the prediction's text before the first
// '.', trimmed and lower-cased, must equal the answer. So "Yes." is yes,
// "Yes, there is a dog." is yes, "There is a dog, yes." is neither.
func ReferenceParser(text string) eh.Answer {
	if i := strings.Index(text, "."); i >= 0 {
		text = text[:i]
	}
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "yes":
		return eh.AnswerYes
	case "no":
		return eh.AnswerNo
	}
	return eh.AnswerUnparsed
}

// Join attaches the predictions of results (pairs loaded with predictions) to
// questions, matching by type and position, and checks that both files hold
// the same questions there. With questions nil the results are used as they
// are (result files repeat the questions and answers).
func Join(questions, results []Pair) ([]Pair, error) {
	if questions == nil {
		return results, nil
	}
	byKey := map[string]*Pair{}
	for i := range questions {
		byKey[questions[i].ID()] = &questions[i]
	}
	out := make([]Pair, 0, len(results))
	var unknown, differ []string
	for _, r := range results {
		q, ok := byKey[r.ID()]
		if !ok {
			unknown = append(unknown, r.Pos+" ("+r.ID()+")")
			continue
		}
		if strings.TrimSpace(q.Basic.Question) != strings.TrimSpace(r.Basic.Question) || strings.TrimSpace(q.Halluc.Question) != strings.TrimSpace(r.Halluc.Question) {
			differ = append(differ, r.Pos+" vs "+q.Pos)
			continue
		}
		p := *q
		p.Basic.Predict, p.Halluc.Predict = r.Basic.Predict, r.Halluc.Predict
		out = append(out, p)
	}
	if len(unknown) > 0 {
		return nil, eh.Errorf(eh.EINVALID, "%d result pair(s) match no question pair (type from the file name, position in the file): %s", len(unknown), interop.Limit(unknown, 5))
	}
	if len(differ) > 0 {
		return nil, eh.Errorf(eh.EINVALID, "%d result pair(s) ask other questions than the question file at the same position: %s", len(differ), interop.Limit(differ, 5))
	}
	return out, nil
}

// Section names.
const (
	SectionPrefix = "VideoHallucer · "
	SectionAll    = "VideoHallucer · all types"
	SectionBias   = "VideoHallucer yes/no bias (evaluation_bias.py as published)"
	OursPrefix    = "emohallucer pairs · "
)

type acc struct{ n, basic, halluc, both int }

// Score computes, per hallucination type, the reference's basic, hallucinated
// and overall accuracy (cal_score), their mean over types (evaluation.py's
// "all"), the yes/no bias of evaluation_bias.py as published, and our pair
// metrics.
func Score(pairs []Pair, rule string) (*interop.Report, error) {
	parse, err := interop.Extractor(rule, ReferenceParser)
	if err != nil {
		return nil, err
	}
	if len(pairs) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "no predictions")
	}
	rep := &interop.Report{Format: Name, Rule: rule}
	rep.Notes = append(rep.Notes,
		"accuracy follows cal_score: a question is right when its extracted answer equals the gold answer; unparsed answers are wrong",
		"\"all types\" is the mean of the per-type accuracies, as evaluation.py computes it; the pooled ratio is shown next to it",
		"the bias section reproduces evaluation_bias.py on the raw text, including its quirk: a wrong hallucinated answer counts as a false positive when the BASIC prediction contains \"yes\"; our Pct. Diff and FP Ratio use each question's own extracted answer",
	)
	byType := map[string]*acc{}
	tallies := map[string]*interop.PairTally{}
	var order []string
	pooled := &acc{}
	all := &interop.PairTally{}
	nonStandard := 0
	for _, p := range pairs {
		if p.Basic.Predict == nil || p.Halluc.Predict == nil {
			return nil, eh.Errorf(eh.EINVALID, "%s: pair %s has no prediction", p.Pos, p.ID())
		}
		a := byType[p.Type]
		if a == nil {
			a = &acc{}
			byType[p.Type] = a
			tallies[p.Type] = &interop.PairTally{}
			order = append(order, p.Type)
		}
		ba, ha := parse(*p.Basic.Predict), parse(*p.Halluc.Predict)
		b := string(ba) == strings.ToLower(strings.TrimSpace(p.Basic.Answer))
		h := string(ha) == strings.ToLower(strings.TrimSpace(p.Halluc.Answer))
		for _, x := range []*acc{a, pooled} {
			x.n++
			if b {
				x.basic++
			}
			if h {
				x.halluc++
			}
			if b && h {
				x.both++
			}
		}
		if p.Standard() {
			tallies[p.Type].Add(ba, ha)
			all.Add(ba, ha)
		} else {
			nonStandard++
		}
	}
	sort.Strings(order)
	var meanB, meanH, meanO float64
	for _, t := range order {
		a := byType[t]
		rep.Add(SectionPrefix+t,
			interop.Ratio("basic accuracy", a.basic, a.n, true, "basic questions right"),
			interop.Ratio("hallucinated accuracy", a.halluc, a.n, true, "hallucinated questions right"),
			interop.Ratio("overall accuracy", a.both, a.n, true, "both questions of the pair right"),
		)
		meanB += float64(a.basic) / float64(a.n)
		meanH += float64(a.halluc) / float64(a.n)
		meanO += float64(a.both) / float64(a.n)
	}
	k := float64(len(order))
	rep.Add(SectionAll,
		mean("basic accuracy (mean over types)", meanB/k, len(order)),
		mean("hallucinated accuracy (mean over types)", meanH/k, len(order)),
		mean("overall accuracy (mean over types)", meanO/k, len(order)),
		interop.Ratio("basic accuracy (pooled)", pooled.basic, pooled.n, true, ""),
		interop.Ratio("hallucinated accuracy (pooled)", pooled.halluc, pooled.n, true, ""),
		interop.Ratio("overall accuracy (pooled)", pooled.both, pooled.n, true, ""),
	)
	bias, excluded := referenceBias(pairs)
	ms := bias.metrics()
	if excluded > 0 {
		ms = append(ms, interop.Count("pairs left out", excluded, "gold answers not yes/no, which the script asserts"))
	}
	rep.Add(SectionBias, ms...)
	for _, t := range order {
		if tl := tallies[t]; tl.Pairs > 0 {
			rep.Add(OursPrefix+t, tl.Metrics()...)
		}
	}
	if len(order) > 1 && all.Pairs > 0 {
		rep.Add(OursPrefix+"all types", all.Metrics()...)
	}
	if nonStandard > 0 {
		rep.Notes = append(rep.Notes, strconv.Itoa(nonStandard)+" pair(s) whose gold answers are not yes/no (fact detection) are in the reference accuracies but not in our pair metrics")
	}
	return rep, nil
}

func mean(name string, v float64, n int) interop.Metric {
	return interop.Metric{Name: name, Value: &v, Percent: true, Note: "mean of " + strconv.Itoa(n) + " per-type ratios"}
}

var (
	yesWord = regexp.MustCompile(`(?i)\byes\b`)
	noWord  = regexp.MustCompile(`(?i)\bno\b`)
)

// bias holds evaluation_bias.py's counters.
type bias struct{ gtYes, gtNo, nYes, nNo, n, fp int }

// referenceBias reproduces evaluation_bias.py over the pairs with gold yes/no:
// a basic question counts yes when its prediction contains the word yes,
// otherwise it is an error (n) and counts no when the HALLUCINATED prediction
// contains the word no; a hallucinated question counts no when its prediction
// contains no, otherwise it is an error and counts yes — and a false positive —
// when the BASIC prediction contains yes. The last check looks at the wrong
// question (the script's quirk); we keep it so the numbers match the paper's.
func referenceBias(pairs []Pair) (b bias, excluded int) {
	for _, p := range pairs {
		if !p.Standard() {
			excluded++
			continue
		}
		bp, hp := *p.Basic.Predict, *p.Halluc.Predict
		b.gtYes++
		if yesWord.MatchString(bp) {
			b.nYes++
		} else {
			if noWord.MatchString(hp) {
				b.nNo++
			}
			b.n++
		}
		b.gtNo++
		if noWord.MatchString(hp) {
			b.nNo++
		} else {
			if yesWord.MatchString(bp) {
				b.nYes++
				b.fp++
			}
			b.n++
		}
	}
	return b, excluded
}

// metrics: yes difference percentage (n_yes − gt_yes)/(2·gt_yes), no
// difference percentage (n_no − gt_no)/(2·gt_no), false positive ratio fp/n.
func (b bias) metrics() []interop.Metric {
	return []interop.Metric{
		interop.Ratio("yes difference percentage", b.nYes-b.gtYes, 2*b.gtYes, false, "(n_yes − gt_yes) / (2·gt_yes)"),
		interop.Ratio("no difference percentage", b.nNo-b.gtNo, 2*b.gtNo, false, "(n_no − gt_no) / (2·gt_no)"),
		interop.Ratio("false positive ratio", b.fp, b.n, false, "fp / errors"),
	}
}
