package hallusionbench

import (
	"strconv"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/interop"
)

// Correctness codes of the reference code: its GPT judge says correct (1),
// incorrect (0) or unclear (2). We derive the code from the extracted answer:
// the gold answer is 1, the opposite answer 0, an unparsed answer 2. That keeps
// the reference's special case intact: an unclear answer to a VS question
// without a figure counts as correct (assign_correctness in utils.py: "if there
// is no visual supplement and the model does not know, count it as correct").
const (
	codeIncorrect = 0
	codeCorrect   = 1
	codeUnclear   = 2
)

// scored is one question with its prediction.
type scored struct {
	q       *Question
	answer  eh.Answer
	code    int
	correct bool
}

// Section names of the report, so that callers and tests can find them.
const (
	SectionOverall = "HallusionBench reference metrics · overall"
	SectionVD      = "HallusionBench reference metrics · VD (visual dependent)"
	SectionVS      = "HallusionBench reference metrics · VS (visual supplement)"
	SectionAnswers = "answers"
	SectionOurs    = "emohallucer pairs (yes and no question about the same figure)"
)

// Score joins predictions to questions by the five-part key and computes the
// reference metrics (aAcc, fAcc, qAcc, easy and hard accuracy, Pct. Diff, FP
// Ratio) over the predicted questions, then our pair metrics over the figure
// pairs whose two questions were both predicted. Every prediction must find its
// question; a prediction with no question, or two for one question, is an error.
func Score(qs []Question, preds []Prediction, rule string) (*interop.Report, error) {
	parse, err := interop.Extractor(rule, nil)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]*Question, len(qs))
	for i := range qs {
		byKey[qs[i].Key()] = &qs[i]
	}
	var unknown, dups []string
	seen := map[string]string{}
	var rows []scored
	answers := map[string]eh.Answer{}
	for _, p := range preds {
		q, ok := byKey[p.Key]
		if !ok {
			unknown = append(unknown, p.Pos+" ("+p.Key+")")
			continue
		}
		if first, dup := seen[p.Key]; dup {
			dups = append(dups, p.Pos+" repeats "+first)
			continue
		}
		seen[p.Key] = p.Pos
		a := parse(p.Text)
		rows = append(rows, scoreOne(q, a))
		answers[p.Key] = a
	}
	if len(unknown) > 0 {
		return nil, eh.Errorf(eh.EINVALID, "%d prediction(s) match no question of the question file: %s", len(unknown), interop.Limit(unknown, 5))
	}
	if len(dups) > 0 {
		return nil, eh.Errorf(eh.EINVALID, "%d question(s) predicted twice: %s", len(dups), interop.Limit(dups, 5))
	}
	if len(rows) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "the prediction file holds no predictions")
	}

	rep := &interop.Report{Format: Name, Rule: rule}
	rep.Notes = append(rep.Notes,
		"correctness comes from the extracted answer, not from the reference's GPT-4 judge: gold answer = correct, opposite = incorrect, unparsed = unclear",
		"as in the reference, an unclear answer to a VS question without a figure counts as correct; every other unclear answer is wrong",
		"Pct. Diff and FP Ratio follow the reference: a question counts as answered yes when (correct and gold yes) or (wrong and gold no), so an unclear answer counts as the opposite of its gold answer",
	)
	var vd, vs []scored
	for _, r := range rows {
		if r.q.Category == "VD" {
			vd = append(vd, r)
		} else {
			vs = append(vs, r)
		}
	}
	rep.Add(SectionOverall, reference(rows)...)
	rep.Add(SectionVD, reference(vd)...)
	rep.Add(SectionVS, reference(vs)...)

	var ac interop.AnswerCounts
	var codes [3]int
	unclearCredited := 0
	for _, r := range rows {
		ac.Add(r.answer)
		codes[r.code]++
		if r.code == codeUnclear && r.correct {
			unclearCredited++
		}
	}
	ans := append([]interop.Metric{interop.Count("questions predicted", len(rows), "of "+itoa(len(qs))+" in the question file")}, ac.Metrics()...)
	ans = append(ans,
		interop.Ratio("correctness 1 (correct)", codes[codeCorrect], len(rows), true, ""),
		interop.Ratio("correctness 0 (incorrect)", codes[codeIncorrect], len(rows), true, ""),
		interop.Ratio("correctness 2 (unclear)", codes[codeUnclear], len(rows), true, ""),
		interop.Ratio("unclear counted correct", unclearCredited, codes[codeUnclear], false, "VS questions without a figure"),
	)
	rep.Add(SectionAnswers, ans...)

	pairs, _ := Pairs(qs)
	var t interop.PairTally
	for _, p := range pairs {
		b, okB := answers[p.Yes.Key()]
		h, okH := answers[p.No.Key()]
		if okB && okH {
			t.Add(b, h)
		}
	}
	ours := append([]interop.Metric{interop.Count("pairs with both questions predicted", t.Pairs, "of "+itoa(len(pairs))+" figure pairs")}, t.Metrics()...)
	rep.Add(SectionOurs, ours...)
	return rep, nil
}

func scoreOne(q *Question, a eh.Answer) scored {
	code := codeIncorrect
	switch {
	case a == eh.AnswerUnparsed:
		code = codeUnclear
	case a.Matches(q.Gold):
		code = codeCorrect
	}
	correct := code == codeCorrect
	if q.Category == "VS" && q.Original() {
		correct = code == codeCorrect || code == codeUnclear
	}
	return scored{q: q, answer: a, code: code, correct: correct}
}

// group counts, per key, how many questions there are and how many are correct.
type group struct{ n, correct int }

func groupBy(rows []scored, key func(*Question) string, keep func(*Question) bool) (order []string, groups map[string]*group) {
	groups = map[string]*group{}
	for _, r := range rows {
		if !keep(r.q) {
			continue
		}
		k := key(r.q)
		g, ok := groups[k]
		if !ok {
			g = &group{}
			groups[k] = g
			order = append(order, k)
		}
		g.n++
		if r.correct {
			g.correct++
		}
	}
	return order, groups
}

func allCorrect(order []string, groups map[string]*group) (right, wrong, inconsistent int) {
	for _, k := range order {
		g := groups[k]
		switch {
		case g.correct == g.n:
			right++
		case g.correct == 0:
			wrong++
		default:
			inconsistent++
		}
	}
	return
}

// reference computes the metrics of the reference evaluation (utils.py and
// evaluation.py of tianyi-lab/HallusionBench) over rows:
//
//   - aAcc: correct questions / questions (get_eval_all).
//   - fAcc: figures whose questions are all correct / figures, grouping by
//     category, subcategory, set and figure and leaving out VS questions of
//     figure 0, which have no figure (get_eval_fig).
//   - qAcc: question groups all correct / groups, grouping the same question
//     over the figures of its set (get_eval_pair_all; total is the number of
//     groups).
//   - easy aAcc: the same grouping restricted to figure 0 (get_eval_pair_easy);
//     every such group holds one question, so it is plain accuracy.
//   - hard aAcc: the same grouping restricted to the other figures
//     (get_eval_pair_hard); a group is right only if all its figures are.
//   - Pct. Diff = (inferred yes answers − gold yes) / questions and FP Ratio =
//     wrong questions with gold no / wrong questions (yes_ratio_stats), where an
//     answer is inferred to be yes when correct with gold yes or wrong with
//     gold no.
func reference(rows []scored) []interop.Metric {
	all := func(*Question) bool { return true }
	correct := 0
	goldYes, inferredYes, wrong, wrongGoldNo := 0, 0, 0, 0
	for _, r := range rows {
		if r.correct {
			correct++
		}
		if r.q.Gold == eh.Yes {
			goldYes++
		}
		if r.correct == (r.q.Gold == eh.Yes) {
			inferredYes++
		}
		if !r.correct {
			wrong++
			if r.q.Gold == eh.No {
				wrongGoldNo++
			}
		}
	}
	fo, fg := groupBy(rows, (*Question).FigureKey, func(q *Question) bool { return !(q.Category == "VS" && q.Original()) })
	fRight, fWrong, fIncons := allCorrect(fo, fg)
	qo, qg := groupBy(rows, (*Question).PairKey, all)
	qRight, _, _ := allCorrect(qo, qg)
	eo, eg := groupBy(rows, (*Question).PairKey, (*Question).Original)
	eRight, _, _ := allCorrect(eo, eg)
	ho, hg := groupBy(rows, (*Question).PairKey, func(q *Question) bool { return !q.Original() })
	hRight, _, _ := allCorrect(ho, hg)
	return []interop.Metric{
		interop.Ratio("aAcc (question accuracy)", correct, len(rows), true, "questions"),
		interop.Ratio("fAcc (figure accuracy)", fRight, len(fo), true, "figures with every question right"),
		interop.Ratio("qAcc (question-pair accuracy)", qRight, len(qo), true, "same question right on every figure of its set"),
		interop.Ratio("easy aAcc", eRight, len(eo), true, "figure 0: original image (VD) or no image (VS)"),
		interop.Ratio("hard aAcc", hRight, len(ho), true, "edited figures, grouped by question; "+itoa(countQuestions(hg))+" questions"),
		interop.Ratio("Pct. Diff", inferredYes-goldYes, len(rows), false, "(inferred yes − gold yes) / questions"),
		interop.Ratio("FP Ratio", wrongGoldNo, wrong, false, "wrong answers to gold-no questions / wrong answers"),
		interop.Ratio("figures inconsistent", fIncons, len(fo), true, "consistency test: some questions right"),
		interop.Ratio("figures wrong", fWrong, len(fo), true, "consistency test: no question right"),
	}
}

func countQuestions(gs map[string]*group) int {
	n := 0
	for _, g := range gs {
		n += g.n
	}
	return n
}

func itoa(n int) string {
	return strconv.Itoa(n)
}
