// Package hallusionbench reads HallusionBench (Guan et al., CVPR 2024) question
// and prediction files, scores predictions with the benchmark's own metrics, and
// builds suite pairs from its questions.
//
// # Questions
//
// HallusionBench.json is a JSON array; a question is identified by (category,
// subcategory, set_id, figure_id, question_id), gt_answer is "1" (yes) or "0"
// (no), and filename is the image path relative to the image folder ("./VD/…",
// null when the question has no image: visual_input "0").
//
// # Mapping to our pairs
//
// Our pairs ask a yes question and a no question about the same input. In
// HallusionBench the natural group — the same question over the figures of a set
// — changes the input, not the question, so it cannot be a pair of ours. What
// does fit is two questions about the same figure (category, subcategory, set,
// figure) with opposite gold answers: within each figure the k-th yes question
// (by question_id) is paired with the k-th no question. On the released file
// that pairs 802 of 1,129 questions (401 pairs over 403 figures); the rest have
// no partner of the opposite answer on their figure and stay out of the suite.
// Scoring of external predictions never depends on this pairing: it uses every
// question, exactly as the reference code does.
package hallusionbench

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/interop"
)

// Name is the format name used by --from and --format.
const Name = "hallusionbench"

// Citation names the benchmark in pair sources.
const Citation = "Guan et al., HallusionBench, CVPR 2024"

// Question is one HallusionBench question.
type Question struct {
	Category    string // VD (visual dependent) or VS (visual supplement)
	Subcategory string
	VisualInput string // "0" none, "1" original, "2" edited
	SetID       string
	FigureID    string
	SampleNote  string
	QuestionID  string
	Text        string
	Details     string // gt_answer_details
	Gold        eh.Gold
	Filename    string // image path relative to the image folder; "" when none
	Pos         string
}

// Key is the reference code's per-question key: category_subcategory_set_figure_question.
func (q *Question) Key() string {
	return strings.Join([]string{q.Category, q.Subcategory, q.SetID, q.FigureID, q.QuestionID}, "_")
}

// FigureKey groups the questions about one figure (fAcc).
func (q *Question) FigureKey() string {
	return strings.Join([]string{q.Category, q.Subcategory, q.SetID, q.FigureID}, "_")
}

// PairKey groups the same question over the figures of a set (qAcc).
func (q *Question) PairKey() string {
	return strings.Join([]string{q.Category, q.Subcategory, q.SetID, q.QuestionID}, "_")
}

// ID is our id of the question, keeping the original key.
func (q *Question) ID() string {
	return "hallusionbench-" + strings.Join([]string{q.Category, q.Subcategory, q.SetID, q.FigureID, q.QuestionID}, "-")
}

// Original says whether the question is about the original context (figure 0:
// the original image for VD, no image at all for VS); the reference calls those
// questions easy and the others hard.
func (q *Question) Original() bool { return q.FigureID == "0" }

// record is the JSON layout shared by the question and prediction files.
type record struct {
	Category        interop.Str `json:"category"`
	Subcategory     interop.Str `json:"subcategory"`
	VisualInput     interop.Str `json:"visual_input"`
	SetID           interop.Str `json:"set_id"`
	FigureID        interop.Str `json:"figure_id"`
	SampleNote      interop.Str `json:"sample_note"`
	QuestionID      interop.Str `json:"question_id"`
	Question        interop.Str `json:"question"`
	GTAnswerDetails interop.Str `json:"gt_answer_details"`
	GTAnswer        interop.Str `json:"gt_answer"`
	Filename        interop.Str `json:"filename"`
}

func (r *record) question(pos string, needGold bool) (Question, error) {
	q := Question{
		Category: strings.TrimSpace(r.Category.S), Subcategory: strings.TrimSpace(r.Subcategory.S),
		VisualInput: strings.TrimSpace(r.VisualInput.S), SetID: strings.TrimSpace(r.SetID.S),
		FigureID: strings.TrimSpace(r.FigureID.S), SampleNote: r.SampleNote.S,
		QuestionID: strings.TrimSpace(r.QuestionID.S), Text: r.Question.S, Details: r.GTAnswerDetails.S,
		Filename: r.Filename.S, Pos: pos,
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"category", q.Category}, {"subcategory", q.Subcategory}, {"set_id", q.SetID}, {"figure_id", q.FigureID}, {"question_id", q.QuestionID}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return q, eh.Errorf(eh.EINVALID, "%s: missing %s", pos, strings.Join(missing, ", "))
	}
	if q.Category != "VD" && q.Category != "VS" {
		return q, eh.Errorf(eh.EINVALID, "%s: category %q is neither VD nor VS", pos, q.Category)
	}
	if needGold {
		switch strings.TrimSpace(r.GTAnswer.S) {
		case "1":
			q.Gold = eh.Yes
		case "0":
			q.Gold = eh.No
		default:
			return q, eh.Errorf(eh.EINVALID, "%s: gt_answer %q is neither \"1\" (yes) nor \"0\" (no)", pos, r.GTAnswer.S)
		}
		if strings.TrimSpace(q.Text) == "" {
			return q, eh.Errorf(eh.EINVALID, "%s: empty question", pos)
		}
	}
	return q, nil
}

// LoadQuestions reads a HallusionBench question file (a JSON array, or JSON
// Lines) and checks that every question has a valid key and gold answer and that
// no key repeats.
func LoadQuestions(path string) ([]Question, error) {
	items, err := interop.ReadItems(path)
	if err != nil {
		return nil, err
	}
	qs := make([]Question, 0, len(items))
	seen := map[string]string{}
	for _, it := range items {
		var r record
		if err := json.Unmarshal(it.Raw, &r); err != nil {
			return nil, eh.Errorf(eh.EINVALID, "%s: %v", it.Pos, err)
		}
		q, err := r.question(it.Pos, true)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[q.Key()]; dup {
			return nil, eh.Errorf(eh.EINVALID, "%s: question %s repeats %s", it.Pos, q.Key(), first)
		}
		seen[q.Key()] = it.Pos
		qs = append(qs, q)
	}
	if len(qs) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "%s: no questions", path)
	}
	return qs, nil
}

// Prediction is one answer of another tool to a HallusionBench question.
type Prediction struct {
	Key  string // Question.Key of the question it answers
	Text string
	Pos  string
}

// answerKeys are the fields prediction files put the model's text in;
// model_prediction is the one the reference code reads.
var answerKeys = []string{"model_prediction", "prediction", "response", "answer", "output", "text"}

// LoadPredictions reads a prediction file: objects with the five key fields and
// the model's text in model_prediction (as the reference's sample file has it).
func LoadPredictions(path string) ([]Prediction, error) {
	items, err := interop.ReadItems(path)
	if err != nil {
		return nil, err
	}
	preds := make([]Prediction, 0, len(items))
	for _, it := range items {
		var r record
		if err := json.Unmarshal(it.Raw, &r); err != nil {
			return nil, eh.Errorf(eh.EINVALID, "%s: %v", it.Pos, err)
		}
		q, err := r.question(it.Pos, false)
		if err != nil {
			return nil, err
		}
		var obj map[string]json.RawMessage
		_ = json.Unmarshal(it.Raw, &obj)
		text, _, ok := interop.FirstText(obj, answerKeys...)
		if !ok {
			return nil, eh.Errorf(eh.EINVALID, "%s: no model output (want a string in one of %s)", it.Pos, strings.Join(answerKeys, ", "))
		}
		preds = append(preds, Prediction{Key: q.Key(), Text: text, Pos: it.Pos})
	}
	return preds, nil
}

// Pair is two questions about one figure with opposite gold answers.
type Pair struct{ Yes, No *Question }

// ID is our pair id: the figure's key and both question ids.
func (p Pair) ID() string {
	return fmt.Sprintf("hallusionbench-%s-%s-%s-%s-q%s-q%s", p.Yes.Category, p.Yes.Subcategory, p.Yes.SetID, p.Yes.FigureID, p.Yes.QuestionID, p.No.QuestionID)
}

// Pairs pairs questions within each figure: the k-th yes question (by
// question_id) with the k-th no question. It returns the pairs in the order the
// figures first appear, and the questions left without a partner.
func Pairs(qs []Question) (pairs []Pair, unpaired []*Question) {
	var order []string
	byFig := map[string][]*Question{}
	for i := range qs {
		k := qs[i].FigureKey()
		if _, ok := byFig[k]; !ok {
			order = append(order, k)
		}
		byFig[k] = append(byFig[k], &qs[i])
	}
	for _, k := range order {
		group := byFig[k]
		sort.SliceStable(group, func(i, j int) bool { return idLess(group[i].QuestionID, group[j].QuestionID) })
		var yes, no []*Question
		for _, q := range group {
			if q.Gold == eh.Yes {
				yes = append(yes, q)
			} else {
				no = append(no, q)
			}
		}
		n := min(len(yes), len(no))
		for i := 0; i < n; i++ {
			pairs = append(pairs, Pair{Yes: yes[i], No: no[i]})
		}
		unpaired = append(unpaired, yes[n:]...)
		unpaired = append(unpaired, no[n:]...)
	}
	return pairs, unpaired
}

// idLess orders numeric ids numerically and others as strings.
func idLess(a, b string) bool {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil {
		return x < y
	}
	return a < b
}

// Importer builds suite pairs from HallusionBench; it implements
// importers.Importer so that `emohallucer build --from
// hallusionbench=FILE,media=DIR` works.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

// Import implements importers.Importer. src is the question file, optionally
// followed by ",media=DIR" naming the image folder (the one holding VD/ and
// VS/). Questions are paired by figure (see the package comment); each figure's
// image is copied to media/hallusionbench/<its file name>. Pairs about a VS
// question without a figure have modality text and no media.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	s, err := interop.ParsePath(src)
	if err != nil {
		return nil, err
	}
	qs, err := LoadQuestions(s.Path)
	if err != nil {
		return nil, err
	}
	return BuildPairs(ctx, qs, s.MediaRoot(), env)
}

// BuildPairs turns loaded questions into suite pairs (see Importer.Import).
func BuildPairs(ctx context.Context, qs []Question, mediaRoot string, env *importers.Env) (*importers.Result, error) {
	pairs, unpaired := Pairs(qs)
	res := &importers.Result{Items: len(qs), FilesRead: 1}
	for range unpaired {
		res.Skip("no question with the opposite answer about the same figure")
	}
	for _, p := range pairs {
		if p.Yes.Filename != "" {
			if err := interop.RequireMediaRoot(Name, mediaRoot, "images (the folder holding VD/ and VS/)"); err != nil {
				return nil, err
			}
			break
		}
	}
	for _, p := range pairs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if p.Yes.Filename != p.No.Filename {
			return nil, eh.Errorf(eh.EINVALID, "%s and %s: two questions about figure %s name different images (%q, %q)", p.Yes.Pos, p.No.Pos, p.Yes.FigureKey(), p.Yes.Filename, p.No.Filename)
		}
		if env.MaxPerLabel > 0 && len(res.Pairs) >= env.MaxPerLabel {
			res.Skip("beyond --max-per-label")
			continue
		}
		pair := eh.Pair{
			ID:           p.ID(),
			Dimension:    eh.Perception,
			SubCategory:  eh.ReasoningCue,
			Modality:     eh.Text,
			Basic:        eh.Question{Text: p.Yes.Text, Gold: eh.Yes},
			Hallucinated: eh.Question{Text: p.No.Text, Gold: eh.No},
			Explanation:  oneLine(fmt.Sprintf("HallusionBench reference answers: %q (yes); %q (no)", p.Yes.Details, p.No.Details)),
			Corruption:   "benchmark-pair",
			Source:       eh.Source{Citation: Citation, Dataset: "HallusionBench", ID: p.Yes.Key() + "+" + p.No.Key()},
			Tags:         tags(p),
		}
		if p.Yes.Filename != "" {
			m, err := interop.Place(env.Out, mediaRoot, "hallusionbench", p.Yes.Filename, eh.Image)
			if err != nil {
				if interop.IsMissing(err) {
					res.Drop(p.ID(), p.Yes.Filename, "image not found under the media root %s", mediaRoot)
					continue
				}
				return nil, fmt.Errorf("%s: %w", p.Yes.Pos, err)
			}
			res.FilesRead++
			pair.Modality = eh.Image
			pair.Context.Media = []eh.Media{m}
		}
		res.Pairs = append(res.Pairs, pair)
	}
	if len(res.Pairs) == 0 && len(res.Dropped) > 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: none of the %d images was found under %s (first: %s)", Name, len(res.Dropped), mediaRoot, res.Dropped[0].Path),
			Hint: "the media=DIR option must name the folder the file names (./VD/…, ./VS/…) are relative to"}
	}
	return res, nil
}

func tags(p Pair) []string {
	q := p.Yes
	diff := "hard"
	if q.Original() {
		diff = "easy"
	}
	return []string{
		"benchmark:hallusionbench",
		"category:" + q.Category,
		"subcategory:" + q.Subcategory,
		"set:" + strings.Join([]string{q.Category, q.Subcategory, q.SetID}, "-"),
		"figure:" + strings.Join([]string{q.Category, q.Subcategory, q.SetID, q.FigureID}, "-"),
		"visual_input:" + q.VisualInput,
		"difficulty:" + diff,
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
