// Package pope reads POPE (Li et al., EMNLP 2023) label files and prediction
// files, scores predictions with POPE's own metrics, and builds suite pairs.
//
// # Questions
//
// A label file is JSON Lines with question_id, image, text (the question) and
// label ("yes"/"no"); its split is the last word of the file name
// (coco_pope_adversarial.json → adversarial). The COCO files hold 3,000
// questions each over 500 images, three yes and three no questions per image.
// question_id restarts at 1 in every file, so a question is identified by
// (split, question_id); our id is pope-<split>-<question_id> (with the dataset
// prefix, e.g. pope-aokvqa-random-12, for non-COCO files).
//
// # Mapping to our pairs
//
// Within one split and one image, the k-th yes question (in file order) is
// paired with the k-th no question: a question about an object that is there
// and one about an object that is not. On the COCO files this pairs every
// question (4,500 pairs). Pair ids keep both original ids
// (pope-adversarial-1-2). The closest sub-category of ours is reasoning-cue (an
// object that is not there is an invented cue); the tag task:object-existence
// says what POPE really measures. The split is a tag (split:adversarial), and
// split tags are views, so one suite can hold all three COCO splits — which
// share their yes questions — and be scored per split; ",split=NAME" keeps one.
// Scoring external predictions takes all splits at once.
package pope

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/interop"
)

// Name is the format name used by --from and --format.
const Name = "pope"

// Citation names the benchmark in pair sources.
const Citation = "Li et al., Evaluating Object Hallucination in Large Vision-Language Models (POPE), EMNLP 2023"

// Question is one POPE question.
type Question struct {
	Dataset    string // "coco", "aokvqa", "gqa": the file name's first word
	Split      string // random, popular, adversarial
	QuestionID int
	Image      string
	Text       string
	Label      eh.Gold
	Pos        string
}

// ID is our id of the question.
func (q *Question) ID() string {
	if q.Dataset == "" || q.Dataset == "coco" {
		return fmt.Sprintf("pope-%s-%d", q.Split, q.QuestionID)
	}
	return fmt.Sprintf("pope-%s-%s-%d", q.Dataset, q.Split, q.QuestionID)
}

// SplitKey names the question's split including its dataset when not COCO.
func (q *Question) SplitKey() string {
	if q.Dataset == "" || q.Dataset == "coco" {
		return q.Split
	}
	return q.Dataset + "-" + q.Split
}

// splitOf derives dataset and split from a label file name:
// coco_pope_adversarial.json → (coco, adversarial).
func splitOf(path string) (dataset, split string) {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	parts := strings.Split(base, "_")
	split = parts[len(parts)-1]
	if len(parts) > 1 {
		dataset = parts[0]
	}
	if dataset == "pope" {
		dataset = ""
	}
	return dataset, split
}

// Files returns the label files at path: the file itself, or the *.json and
// *.jsonl files of a folder (sorted by name).
func Files(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: not found", path)}
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var files []string
	for _, pat := range []string{"*.json", "*.jsonl"} {
		m, _ := filepath.Glob(filepath.Join(path, pat))
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: no POPE label files (*.json) in the folder", path)}
	}
	return files, nil
}

// Load reads POPE label files (a file or a folder of them). With split set, it
// keeps only that split.
func Load(path, split string) ([]Question, error) {
	files, err := Files(path)
	if err != nil {
		return nil, err
	}
	var qs []Question
	seen := map[string]string{}
	for _, f := range files {
		ds, sp := splitOf(f)
		if split != "" && sp != split {
			continue
		}
		items, err := interop.ReadItems(f)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			var r struct {
				QuestionID *int   `json:"question_id"`
				Image      string `json:"image"`
				Text       string `json:"text"`
				Label      string `json:"label"`
			}
			if err := json.Unmarshal(it.Raw, &r); err != nil {
				return nil, eh.Errorf(eh.EINVALID, "%s: %v", it.Pos, err)
			}
			q := Question{Dataset: ds, Split: sp, Image: r.Image, Text: r.Text, Pos: it.Pos}
			switch {
			case r.QuestionID == nil:
				return nil, eh.Errorf(eh.EINVALID, "%s: missing question_id", it.Pos)
			case strings.TrimSpace(r.Text) == "":
				return nil, eh.Errorf(eh.EINVALID, "%s: empty question text", it.Pos)
			case r.Image == "":
				return nil, eh.Errorf(eh.EINVALID, "%s: missing image", it.Pos)
			}
			q.QuestionID = *r.QuestionID
			switch strings.ToLower(strings.TrimSpace(r.Label)) {
			case "yes":
				q.Label = eh.Yes
			case "no":
				q.Label = eh.No
			default:
				return nil, eh.Errorf(eh.EINVALID, "%s: label %q is neither yes nor no", it.Pos, r.Label)
			}
			if first, dup := seen[q.ID()]; dup {
				return nil, eh.Errorf(eh.EINVALID, "%s: question %s repeats %s", it.Pos, q.ID(), first)
			}
			seen[q.ID()] = it.Pos
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		if split != "" {
			return nil, eh.Errorf(eh.EINVALID, "%s: no questions of split %q", path, split)
		}
		return nil, eh.Errorf(eh.EINVALID, "%s: no questions", path)
	}
	return qs, nil
}

// Pair is a yes and a no question about the same image in the same split.
type Pair struct{ Yes, No *Question }

// ID keeps both original question ids.
func (p Pair) ID() string { return fmt.Sprintf("%s-%d", p.Yes.ID(), p.No.QuestionID) }

// Pairs pairs the k-th yes question of each (split, image) with its k-th no
// question, in file order. It returns the questions left without a partner
// (none on the COCO files).
func Pairs(qs []Question) (pairs []Pair, unpaired []*Question) {
	type key struct{ split, image string }
	var order []key
	seen := map[key]bool{}
	yes, no := map[key][]*Question{}, map[key][]*Question{}
	for i := range qs {
		q := &qs[i]
		k := key{q.SplitKey(), q.Image}
		if !seen[k] {
			seen[k] = true
			order = append(order, k)
		}
		if q.Label == eh.Yes {
			yes[k] = append(yes[k], q)
		} else {
			no[k] = append(no[k], q)
		}
	}
	for _, k := range order {
		y, n := yes[k], no[k]
		m := min(len(y), len(n))
		for i := 0; i < m; i++ {
			pairs = append(pairs, Pair{Yes: y[i], No: n[i]})
		}
		unpaired = append(unpaired, y[m:]...)
		unpaired = append(unpaired, n[m:]...)
	}
	return pairs, unpaired
}

// Importer builds suite pairs from POPE label files; it implements
// importers.Importer so that `emohallucer build --from pope=DIR,media=IMAGES`
// works.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

// Import implements importers.Importer. src is a label file or a folder of them,
// optionally followed by ",media=DIR" (the folder holding the images, COCO
// val2014 for the COCO files) and ",split=NAME" (keep one split). Images are
// copied to media/pope/<file name>.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	s, err := interop.ParsePath(src)
	if err != nil {
		return nil, err
	}
	qs, err := Load(s.Path, s.Options["split"])
	if err != nil {
		return nil, err
	}
	return BuildPairs(ctx, qs, s.MediaRoot(), env)
}

// Splits lists the splits of qs, sorted.
func Splits(qs []Question) []string {
	seen := map[string]bool{}
	var out []string
	for i := range qs {
		if k := qs[i].SplitKey(); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// BuildPairs turns loaded questions into suite pairs (see Importer.Import).
func BuildPairs(ctx context.Context, qs []Question, mediaRoot string, env *importers.Env) (*importers.Result, error) {
	pairs, unpaired := Pairs(qs)
	res := &importers.Result{Items: len(qs)}
	for _, q := range unpaired {
		res.Drop(q.ID(), "", "no question with the opposite label about the same image in split %s", q.SplitKey())
	}
	if err := interop.RequireMediaRoot(Name, mediaRoot, "images (COCO val2014 for the COCO files)"); err != nil {
		return nil, err
	}
	files := map[string]bool{}
	perSplit := map[string]int{}
	for _, p := range pairs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if env.MaxPerLabel > 0 && perSplit[p.Yes.SplitKey()] >= env.MaxPerLabel {
			res.Skip("beyond --max-per-label")
			continue
		}
		m, err := interop.Place(env.Out, mediaRoot, "pope", p.Yes.Image, eh.Image)
		if err != nil {
			if interop.IsMissing(err) {
				res.Drop(p.ID(), p.Yes.Image, "image not found under the media root %s", mediaRoot)
				continue
			}
			return nil, fmt.Errorf("%s: %w", p.Yes.Pos, err)
		}
		files[m.Path] = true
		perSplit[p.Yes.SplitKey()]++
		res.Pairs = append(res.Pairs, eh.Pair{
			ID:           p.ID(),
			Dimension:    eh.Perception,
			SubCategory:  eh.ReasoningCue,
			Modality:     eh.Image,
			Context:      eh.Context{Media: []eh.Media{m}},
			Basic:        eh.Question{Text: p.Yes.Text, Gold: eh.Yes},
			Hallucinated: eh.Question{Text: p.No.Text, Gold: eh.No},
			Explanation:  "POPE labels: the object of the basic question is annotated in the image; the object of the hallucinated question is not",
			Corruption:   "fabrication",
			Source:       eh.Source{Citation: Citation, Dataset: "POPE " + datasetName(p.Yes) + " " + p.Yes.Split, ID: strconv.Itoa(p.Yes.QuestionID) + "+" + strconv.Itoa(p.No.QuestionID)},
			Tags: []string{"benchmark:pope", "split:" + p.Yes.SplitKey(), "task:object-existence",
				"image:" + p.Yes.Image, "question:" + p.Yes.ID(), "question:" + p.No.ID()},
		})
	}
	res.FilesRead = len(files)
	if len(res.Pairs) == 0 && len(pairs) > 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: none of the images was found under %s", Name, mediaRoot),
			Hint: "the media=DIR option must name the folder holding the files the label files name (COCO_val2014_….jpg)"}
	}
	return res, nil
}

func datasetName(q *Question) string {
	if q.Dataset == "" {
		return "coco"
	}
	return q.Dataset
}
