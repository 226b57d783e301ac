package pope

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/interop"
)

// ReferenceParser is the answer parser of POPE's evaluate.py: keep the text
// before the first '.', drop commas, split on single spaces, and answer no when
// one of the words is exactly "No", "no" or "not"; everything else is yes. It
// never leaves an answer unparsed.
func ReferenceParser(text string) eh.Answer {
	if i := strings.Index(text, "."); i >= 0 {
		text = text[:i]
	}
	text = strings.ReplaceAll(text, ",", "")
	for _, w := range strings.Split(text, " ") {
		if w == "No" || w == "not" || w == "no" {
			return eh.AnswerNo
		}
	}
	return eh.AnswerYes
}

// Prediction is one answer of another tool to a POPE question.
type Prediction struct {
	Split      string // "" when the file does not say
	QuestionID *int   // nil when the file does not say (then lines are matched in order)
	Text       string
	Pos        string
}

// answerKeys are the fields prediction files put the model's text in. POPE's
// evaluate.py reads "answer"; LLaVA's answer files use "text" (and a label file
// also has "text", the question, which is why "answer" is tried first).
var answerKeys = []string{"answer", "prediction", "model_prediction", "response", "output", "pred", "text"}

// LoadPredictions reads a JSON Lines (or JSON array) prediction file: objects
// with the model's text (see answerKeys), and optionally question_id and the
// split ("split", or "category" as lmms-eval names it).
func LoadPredictions(path string) ([]Prediction, error) {
	items, err := interop.ReadItems(path)
	if err != nil {
		return nil, err
	}
	preds := make([]Prediction, 0, len(items))
	for _, it := range items {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(it.Raw, &obj); err != nil {
			return nil, eh.Errorf(eh.EINVALID, "%s: want a JSON object: %v", it.Pos, err)
		}
		text, _, ok := interop.FirstText(obj, answerKeys...)
		if !ok {
			return nil, eh.Errorf(eh.EINVALID, "%s: no model output (want a string in one of %s)", it.Pos, strings.Join(answerKeys, ", "))
		}
		p := Prediction{Text: text, Pos: it.Pos}
		if raw, ok := obj["question_id"]; ok {
			var id interop.Str
			if err := json.Unmarshal(raw, &id); err != nil || !id.Valid {
				return nil, eh.Errorf(eh.EINVALID, "%s: question_id: want a number", it.Pos)
			}
			n, err := strconv.Atoi(strings.TrimSpace(id.S))
			if err != nil {
				return nil, eh.Errorf(eh.EINVALID, "%s: question_id %q is not an integer", it.Pos, id.S)
			}
			p.QuestionID = &n
		}
		if s, _, ok := interop.FirstText(obj, "split", "category"); ok {
			p.Split = s
		}
		preds = append(preds, p)
	}
	if len(preds) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "%s: no predictions", path)
	}
	return preds, nil
}

// join matches predictions to questions: by (split, question_id) when every
// prediction has a question_id, else line by line as POPE's evaluate.py does
// (which needs one split and as many predictions as questions).
func join(qs []Question, preds []Prediction) ([]*Question, error) {
	splits := map[string]bool{}
	for i := range qs {
		splits[qs[i].SplitKey()] = true
	}
	withID := 0
	for _, p := range preds {
		if p.QuestionID != nil {
			withID++
		}
	}
	out := make([]*Question, len(preds))
	switch withID {
	case 0:
		if len(splits) != 1 {
			return nil, eh.Errorf(eh.EINVALID, "the predictions carry no question_id, so they can only be matched line by line against one split, but the questions hold %d splits", len(splits))
		}
		if len(preds) != len(qs) {
			return nil, eh.Errorf(eh.EINVALID, "the predictions carry no question_id and are matched line by line: %d predictions for %d questions", len(preds), len(qs))
		}
		for i := range preds {
			out[i] = &qs[i]
		}
		return out, nil
	case len(preds):
	default:
		return nil, eh.Errorf(eh.EINVALID, "%d of %d predictions carry a question_id; give it in every line or in none", withID, len(preds))
	}
	only := ""
	if len(splits) == 1 {
		for s := range splits {
			only = s
		}
	}
	idx := map[string]*Question{}
	for i := range qs {
		idx[qs[i].SplitKey()+"/"+strconv.Itoa(qs[i].QuestionID)] = &qs[i]
	}
	var unknown, dups []string
	seen := map[string]string{}
	for i, p := range preds {
		split := p.Split
		if split == "" {
			if only == "" {
				return nil, eh.Errorf(eh.EINVALID, "%s: the questions hold several splits, so every prediction must name its split (field \"split\" or \"category\")", p.Pos)
			}
			split = only
		}
		k := split + "/" + strconv.Itoa(*p.QuestionID)
		q, ok := idx[k]
		if !ok {
			unknown = append(unknown, fmt.Sprintf("%s (split %s, question_id %d)", p.Pos, split, *p.QuestionID))
			continue
		}
		if first, dup := seen[k]; dup {
			dups = append(dups, p.Pos+" repeats "+first)
			continue
		}
		seen[k] = p.Pos
		out[i] = q
	}
	if len(unknown) > 0 {
		return nil, eh.Errorf(eh.EINVALID, "%d prediction(s) match no question: %s", len(unknown), interop.Limit(unknown, 5))
	}
	if len(dups) > 0 {
		return nil, eh.Errorf(eh.EINVALID, "%d question(s) predicted twice: %s", len(dups), interop.Limit(dups, 5))
	}
	return out, nil
}

// Section names.
const (
	SectionPrefix = "POPE · "
	OursPrefix    = "emohallucer pairs · "
	AllSplits     = "all splits (pooled)"
)

// confusion is POPE's table with yes as the positive class.
type confusion struct{ tp, fp, tn, fn, unparsed, n int }

func (c *confusion) add(a eh.Answer, gold eh.Gold) {
	c.n++
	if a == eh.AnswerUnparsed {
		c.unparsed++
	}
	// POPE's evaluate.py turns every answer that is not "no" into yes.
	predYes := a != eh.AnswerNo
	switch {
	case predYes && gold == eh.Yes:
		c.tp++
	case predYes:
		c.fp++
	case gold == eh.No:
		c.tn++
	default:
		c.fn++
	}
}

// metrics follow evaluate.py: accuracy (TP+TN)/N, precision TP/(TP+FP), recall
// TP/(TP+FN), F1 = 2·P·R/(P+R) — written as 2TP/(2TP+FP+FN), the same number
// with an integer numerator and denominator — and yes ratio = answers taken as
// yes / N.
func (c confusion) metrics() []interop.Metric {
	return []interop.Metric{
		interop.Ratio("accuracy", c.tp+c.tn, c.n, true, "(TP+TN)/N"),
		interop.Ratio("precision", c.tp, c.tp+c.fp, true, "TP/(TP+FP), yes = positive"),
		interop.Ratio("recall", c.tp, c.tp+c.fn, true, "TP/(TP+FN)"),
		interop.Ratio("F1", 2*c.tp, 2*c.tp+c.fp+c.fn, true, "2TP/(2TP+FP+FN) = 2PR/(P+R)"),
		interop.Ratio("yes ratio", c.tp+c.fp, c.n, true, "answers taken as yes / N"),
		interop.Count("TP", c.tp, ""),
		interop.Count("FP", c.fp, ""),
		interop.Count("TN", c.tn, ""),
		interop.Count("FN", c.fn, ""),
		interop.Ratio("unparsed (taken as yes)", c.unparsed, c.n, true, "evaluate.py takes every answer without a no-word as yes"),
	}
}

// Score joins predictions to questions and computes POPE's metrics per split
// (and pooled over splits when there are several), then our pair metrics over
// the image pairs whose two questions were both predicted.
func Score(qs []Question, preds []Prediction, rule string) (*interop.Report, error) {
	parse, err := interop.Extractor(rule, ReferenceParser)
	if err != nil {
		return nil, err
	}
	joined, err := join(qs, preds)
	if err != nil {
		return nil, err
	}
	rep := &interop.Report{Format: Name, Rule: rule}
	rep.Notes = append(rep.Notes,
		"POPE metrics follow evaluate.py: yes is the positive class and every answer that is not no counts as yes, unparsed ones included (shown as unparsed)",
		"our pair metrics count unparsed answers as wrong",
	)
	if preds[0].QuestionID == nil {
		rep.Notes = append(rep.Notes, "predictions carry no question_id: matched line by line, as evaluate.py does")
	}
	bySplit := map[string]*confusion{}
	pooled := &confusion{}
	answers := map[*Question]eh.Answer{}
	for i, p := range preds {
		q := joined[i]
		a := parse(p.Text)
		answers[q] = a
		c := bySplit[q.SplitKey()]
		if c == nil {
			c = &confusion{}
			bySplit[q.SplitKey()] = c
		}
		c.add(a, q.Label)
		pooled.add(a, q.Label)
	}
	splits := make([]string, 0, len(bySplit))
	for s := range bySplit {
		splits = append(splits, s)
	}
	sort.Strings(splits)
	total := map[string]int{}
	for i := range qs {
		total[qs[i].SplitKey()]++
	}
	for _, s := range splits {
		ms := append([]interop.Metric{interop.Count("questions predicted", bySplit[s].n, "of "+strconv.Itoa(total[s]))}, bySplit[s].metrics()...)
		rep.Add(SectionPrefix+s, ms...)
	}
	if len(splits) > 1 {
		rep.Add(SectionPrefix+AllSplits, pooled.metrics()...)
	}

	pairs, _ := Pairs(qs)
	tallies := map[string]*interop.PairTally{}
	all := &interop.PairTally{}
	for _, p := range pairs {
		b, okB := answers[p.Yes]
		h, okH := answers[p.No]
		if !okB || !okH {
			continue
		}
		t := tallies[p.Yes.SplitKey()]
		if t == nil {
			t = &interop.PairTally{}
			tallies[p.Yes.SplitKey()] = t
		}
		t.Add(b, h)
		all.Add(b, h)
	}
	for _, s := range splits {
		if t := tallies[s]; t != nil {
			rep.Add(OursPrefix+s, append([]interop.Metric{interop.Count("pairs with both questions predicted", t.Pairs, "")}, t.Metrics()...)...)
		}
	}
	if len(tallies) > 1 {
		rep.Add(OursPrefix+AllSplits, append([]interop.Metric{interop.Count("pairs with both questions predicted", all.Pairs, "")}, all.Metrics()...)...)
	}
	return rep, nil
}
