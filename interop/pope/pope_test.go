package pope

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/interop"
	"github.com/emohallucer/emohallucer/interop/interoptest"
)

// TestRealFiles: the three COCO files import as 9,000 questions, 1,500 yes
// and 1,500 no each, over 500 images per split, and pair completely.
func TestRealFiles(t *testing.T) {
	dir := filepath.Dir(interoptest.Data(t, "pope/coco_pope_random.json"))
	qs, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 9000 {
		t.Fatalf("%d questions, want 9000", len(qs))
	}
	type count struct{ yes, no int }
	per := map[string]*count{}
	images := map[string]map[string]bool{}
	for _, q := range qs {
		c := per[q.Split]
		if c == nil {
			c = &count{}
			per[q.Split] = c
			images[q.Split] = map[string]bool{}
		}
		if q.Label == eh.Yes {
			c.yes++
		} else {
			c.no++
		}
		images[q.Split][q.Image] = true
	}
	for _, s := range []string{"random", "popular", "adversarial"} {
		if per[s] == nil || per[s].yes != 1500 || per[s].no != 1500 || len(images[s]) != 500 {
			t.Errorf("split %s: %+v over %d images, want 1500 yes / 1500 no over 500", s, per[s], len(images[s]))
		}
	}
	pairs, unpaired := Pairs(qs)
	if len(pairs) != 4500 || len(unpaired) != 0 {
		t.Errorf("%d pairs, %d unpaired; want 4500, 0", len(pairs), len(unpaired))
	}
	for _, p := range pairs {
		if p.Yes.Image != p.No.Image || p.Yes.Split != p.No.Split || p.Yes.Label != eh.Yes || p.No.Label != eh.No {
			t.Fatalf("bad pair %s", p.ID())
		}
	}
	one, err := Load(dir, "adversarial")
	if err != nil || len(one) != 3000 || one[0].ID() != "pope-adversarial-1" {
		t.Errorf("split adversarial: %d questions, first %s, %v", len(one), one[0].ID(), err)
	}
}

func TestReferenceParser(t *testing.T) {
	tests := []struct {
		in   string
		want eh.Answer
	}{
		{"Yes, there is a dog.", eh.AnswerYes},
		{"No", eh.AnswerNo},
		{"No.", eh.AnswerNo},
		{"no, there isn't", eh.AnswerNo},
		{"There is not a dog in the image.", eh.AnswerNo},
		// Only the first sentence counts.
		{"Yes. There is no cat.", eh.AnswerYes},
		// Words are split on single spaces and compared exactly: these are yes.
		{"NO", eh.AnswerYes},
		{"No!", eh.AnswerYes},
		{"no\nthere is none", eh.AnswerYes},
		// Anything without a no-word is yes, even a refusal.
		{"I don't know", eh.AnswerYes},
		{"", eh.AnswerYes},
	}
	for _, tt := range tests {
		if got := ReferenceParser(tt.in); got != tt.want {
			t.Errorf("ReferenceParser(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// handLabels: image A with two yes and two no questions, image B with one of
// each.
const handLabels = `{"question_id": 1, "image": "A.jpg", "text": "Is there a dog in the image?", "label": "yes"}
{"question_id": 2, "image": "A.jpg", "text": "Is there a cat in the image?", "label": "no"}
{"question_id": 3, "image": "A.jpg", "text": "Is there a ball in the image?", "label": "yes"}
{"question_id": 4, "image": "A.jpg", "text": "Is there a car in the image?", "label": "no"}
{"question_id": 5, "image": "B.jpg", "text": "Is there a tree in the image?", "label": "yes"}
{"question_id": 6, "image": "B.jpg", "text": "Is there a cat in the image?", "label": "no"}
`

var handAnswers = []string{"Yes", "Yes, there is.", "No", "No.", "I am not sure", "There is no cat"}

func handPredictions(withID bool, extra string) string {
	var b strings.Builder
	for i, a := range handAnswers {
		if withID {
			fmt.Fprintf(&b, `{"question_id": %d, %s"answer": %q}`+"\n", i+1, extra, a)
		} else {
			fmt.Fprintf(&b, `{"question": "q", "answer": %q}`+"\n", a)
		}
	}
	return b.String()
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func metric(t *testing.T, rep *interop.Report, section, name string) [2]int {
	t.Helper()
	m := rep.Section(section).Metric(name)
	if m == nil {
		t.Fatalf("no %s in %s", name, section)
	}
	return [2]int{m.Num, m.Den}
}

// TestScoreHandBuilt works POPE's metrics out by hand for the six answers
// under each rule:
//
//	answer            yesno-v1  first-word  reference (evaluate.py)
//	Yes               yes       yes         yes
//	Yes, there is.    yes       yes         yes
//	No                no        no          no
//	No.               no        no          no
//	I am not sure     unparsed  unparsed    no ("not")
//	There is no cat   no        unparsed    no
//
// with gold yes, no, yes, no, yes, no; POPE counts unparsed as yes.
func TestScoreHandBuilt(t *testing.T) {
	dir := t.TempDir()
	qs, err := Load(write(t, dir, "coco_pope_random.json", handLabels), "")
	if err != nil {
		t.Fatal(err)
	}
	preds, err := LoadPredictions(write(t, dir, "answers.jsonl", handPredictions(true, "")))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rule string
		want map[string][2]int
	}{
		// TP q1 q5, FP q2, FN q3, TN q4 q6.
		{"yesno-v1", map[string][2]int{"accuracy": {4, 6}, "precision": {2, 3}, "recall": {2, 3}, "F1": {4, 6}, "yes ratio": {3, 6}, "unparsed (taken as yes)": {1, 6}}},
		// TP q1 q5, FP q2 q6, FN q3, TN q4.
		{"first-word", map[string][2]int{"accuracy": {3, 6}, "precision": {2, 4}, "recall": {2, 3}, "F1": {4, 7}, "yes ratio": {4, 6}, "unparsed (taken as yes)": {2, 6}}},
		// TP q1, FP q2, FN q3 q5, TN q4 q6.
		{"reference", map[string][2]int{"accuracy": {3, 6}, "precision": {1, 2}, "recall": {1, 3}, "F1": {2, 5}, "yes ratio": {2, 6}, "unparsed (taken as yes)": {0, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			rep, err := Score(qs, preds, tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			for k, w := range tt.want {
				if got := metric(t, rep, SectionPrefix+"random", k); got != w {
					t.Errorf("%s = %d/%d, want %d/%d", k, got[0], got[1], w[0], w[1])
				}
			}
		})
	}
	// Our pairs under yesno-v1: (q1 yes, q2 yes), (q3 no, q4 no), (q5 unparsed, q6 no).
	rep, err := Score(qs, preds, "yesno-v1")
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string][2]int{"basic accuracy": {1, 3}, "hallucinated accuracy": {2, 3}, "overall (pair) accuracy": {0, 3},
		"Pct. Diff": {-1, 6}, "FP Ratio": {1, 3}, "unparsed": {1, 6}}
	for k, w := range ours {
		if got := metric(t, rep, OursPrefix+"random", k); got != w {
			t.Errorf("ours %s = %d/%d, want %d/%d", k, got[0], got[1], w[0], w[1])
		}
	}
}

func TestJoin(t *testing.T) {
	dir := t.TempDir()
	one, err := Load(write(t, dir, "coco_pope_random.json", handLabels), "")
	if err != nil {
		t.Fatal(err)
	}
	both := t.TempDir()
	write(t, both, "coco_pope_random.json", handLabels)
	write(t, both, "coco_pope_popular.json", handLabels)
	two, err := Load(both, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		qs     []Question
		preds  string
		errHas string
	}{
		// Line by line, as evaluate.py matches answers to labels.
		{"OKByPosition", one, handPredictions(false, ""), ""},
		// lmms-eval names the split "category".
		{"OKSplitAsCategory", two, handPredictions(true, `"category": "popular", `), ""},
		{"ErrByPositionSeveralSplits", two, handPredictions(false, ""), "against one split"},
		{"ErrNoSplit", two, handPredictions(true, ""), "must name its split"},
		{"ErrUnknownID", one, `{"question_id": 99, "answer": "yes"}`, "match no question"},
		{"ErrMixedIDs", one, `{"question_id": 1, "answer": "yes"}` + "\n" + `{"answer": "no"}`, "in every line or in none"},
		{"ErrCount", one, `{"answer": "yes"}`, "1 predictions for 6 questions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			preds, err := LoadPredictions(write(t, t.TempDir(), "p.jsonl", tt.preds))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Score(tt.qs, preds, "yesno-v1")
			if tt.errHas == "" {
				if err != nil {
					t.Fatal(err)
				}
				if rep.Sections[0].Metrics[0].Num != 6 {
					t.Errorf("%d questions predicted, want 6", rep.Sections[0].Metrics[0].Num)
				}
				return
			}
			if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("error %v, want EINVALID mentioning %q", err, tt.errHas)
			}
		})
	}
}

func TestImport(t *testing.T) {
	dir := t.TempDir()
	labels := write(t, dir, "coco_pope_random.json", handLabels)
	media := filepath.Join(dir, "val2014")
	interoptest.PNG(t, filepath.Join(media, "A.jpg"), 1) // PNG bytes under a .jpg name, as far as digests care
	interoptest.PNG(t, filepath.Join(media, "B.jpg"), 2)
	t.Run("OK", func(t *testing.T) {
		out := filepath.Join(dir, "suite")
		res, err := Importer{}.Import(context.Background(), labels+",media="+media, interoptest.Env(out))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Pairs) != 3 {
			t.Fatalf("%d pairs, want 3", len(res.Pairs))
		}
		p := res.Pairs[1]
		if p.ID != "pope-random-3-4" || p.Basic.Text != "Is there a ball in the image?" || p.Hallucinated.Text != "Is there a car in the image?" {
			t.Errorf("second pair %+v", p)
		}
		if p.Context.Media[0].Path != "media/pope/A.jpg" || p.Modality != eh.Image || p.SubCategory != eh.ReasoningCue {
			t.Errorf("second pair media/modality %+v", p)
		}
		for _, tag := range []string{"split:random", "task:object-existence", "question:pope-random-3", "question:pope-random-4"} {
			found := false
			for _, x := range p.Tags {
				found = found || x == tag
			}
			if !found {
				t.Errorf("tags %v lack %s", p.Tags, tag)
			}
		}
		interoptest.WriteAndRead(t, out, res.Pairs)
	})
	t.Run("ErrNoMedia", func(t *testing.T) {
		_, err := Importer{}.Import(context.Background(), labels, interoptest.Env(t.TempDir()))
		if eh.ErrorCode(err) != eh.ENOTFOUND || !strings.Contains(eh.ErrorHint(err), "score --format pope") {
			t.Errorf("error %v, hint %q", err, eh.ErrorHint(err))
		}
	})
	t.Run("SeveralSplitsAreViews", func(t *testing.T) {
		both := t.TempDir()
		write(t, both, "coco_pope_random.json", handLabels)
		write(t, both, "coco_pope_popular.json", handLabels)
		out := t.TempDir()
		all, err := Importer{}.Import(context.Background(), both+",media="+media, interoptest.Env(out))
		if err != nil || len(all.Pairs) != 6 {
			t.Fatalf("both splits: %v", err)
		}
		// The splits share questions; the suite keeps them apart by split tag.
		interoptest.WriteAndRead(t, out, all.Pairs)
		res, err := Importer{}.Import(context.Background(), both+",media="+media+",split=random", interoptest.Env(t.TempDir()))
		if err != nil || len(res.Pairs) != 3 {
			t.Errorf("split=random: %v", err)
		}
	})
	t.Run("ErrWrongMediaRoot", func(t *testing.T) {
		_, err := Importer{}.Import(context.Background(), labels+",media="+dir, interoptest.Env(t.TempDir()))
		if eh.ErrorCode(err) != eh.ENOTFOUND {
			t.Errorf("error %v, want ENOTFOUND", err)
		}
	})
}

// TestImportRealWithImages builds the real adversarial split over stand-in
// images named like COCO's, and reads the suite back.
func TestImportRealWithImages(t *testing.T) {
	labels := interoptest.Data(t, "pope/coco_pope_adversarial.json")
	qs, err := Load(labels, "")
	if err != nil {
		t.Fatal(err)
	}
	media := t.TempDir()
	seen := map[string]bool{}
	for _, q := range qs {
		if !seen[q.Image] {
			seen[q.Image] = true
			interoptest.PNG(t, filepath.Join(media, q.Image), len(seen))
		}
	}
	out := t.TempDir()
	res, err := Importer{}.Import(context.Background(), labels+",media="+media, interoptest.Env(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 1500 || res.FilesRead != 500 || len(res.Dropped) != 0 {
		t.Fatalf("%d pairs from %d images, dropped %d; want 1500 from 500, none", len(res.Pairs), res.FilesRead, len(res.Dropped))
	}
	s := interoptest.WriteAndRead(t, out, res.Pairs)
	if len(s.Pairs) != 1500 {
		t.Errorf("suite has %d pairs", len(s.Pairs))
	}
}
