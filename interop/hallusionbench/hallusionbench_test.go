package hallusionbench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/interop"
	"github.com/emohallucer/emohallucer/interop/interoptest"
	"github.com/emohallucer/emohallucer/suite"
)

// TestRealQuestionFile checks the released question file: counts per category
// and sub-category, gold answers, and how many questions pair by figure.
func TestRealQuestionFile(t *testing.T) {
	qs, err := LoadQuestions(interoptest.Data(t, "hallusionbench/HallusionBench.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 1129 {
		t.Fatalf("%d questions, want 1129", len(qs))
	}
	want := map[string]int{
		"VS chart": 206, "VD video": 170, "VS table": 155, "VD illusion": 144, "VD math": 108,
		"VS map": 96, "VD ocr": 89, "VS ocr": 81, "VD figure": 80,
	}
	got := map[string]int{}
	gold := map[eh.Gold]int{}
	noImage := 0
	for _, q := range qs {
		got[q.Category+" "+q.Subcategory]++
		gold[q.Gold]++
		if q.Filename == "" {
			noImage++
			if q.Category != "VS" || !q.Original() {
				t.Errorf("%s: no image but not a VS figure-0 question", q.Pos)
			}
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d questions, want %d", k, got[k], n)
		}
	}
	if gold[eh.Yes] != 484 || gold[eh.No] != 645 {
		t.Errorf("gold yes/no = %d/%d, want 484/645", gold[eh.Yes], gold[eh.No])
	}
	if noImage != 178 {
		t.Errorf("%d questions without an image, want 178", noImage)
	}
	pairs, unpaired := Pairs(qs)
	if len(pairs) != 401 || len(unpaired) != 327 {
		t.Errorf("%d pairs and %d unpaired questions, want 401 and 327", len(pairs), len(unpaired))
	}
	ids := map[string]bool{}
	for _, p := range pairs {
		if p.Yes.Gold != eh.Yes || p.No.Gold != eh.No || p.Yes.FigureKey() != p.No.FigureKey() {
			t.Fatalf("bad pair %s", p.ID())
		}
		if ids[p.ID()] {
			t.Fatalf("duplicate pair id %s", p.ID())
		}
		ids[p.ID()] = true
	}
}

// TestSample scores the sample predictions of the reference repository with
// both extraction rules. Every prediction must find its question. The expected
// numbers were cross-checked against an independent Python re-implementation
// of the reference's get_eval_all, get_eval_fig, get_eval_pair_* and
// yes_ratio_stats fed with the same per-question correctness codes.
func TestSample(t *testing.T) {
	qs, err := LoadQuestions(interoptest.Data(t, "hallusionbench/HallusionBench.json"))
	if err != nil {
		t.Fatal(err)
	}
	preds, err := LoadPredictions(interoptest.Data(t, "hallusionbench/HallusionBench_result_sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(preds) != 254 {
		t.Fatalf("%d predictions, want 254", len(preds))
	}
	byKey := map[string]bool{}
	for _, q := range qs {
		byKey[q.Key()] = true
	}
	for _, p := range preds {
		if !byKey[p.Key] {
			t.Errorf("%s: prediction %s finds no question", p.Pos, p.Key)
		}
	}
	tests := []struct {
		rule string
		want map[string][2]int // overall section
	}{
		{"yesno-v1", map[string][2]int{
			"aAcc (question accuracy)": {155, 254}, "fAcc (figure accuracy)": {14, 69},
			"qAcc (question-pair accuracy)": {40, 117}, "easy aAcc": {90, 117}, "hard aAcc": {48, 117},
			"Pct. Diff": {39, 254}, "FP Ratio": {69, 99},
		}},
		{"first-word", map[string][2]int{
			"aAcc (question accuracy)": {152, 254}, "fAcc (figure accuracy)": {13, 69},
			"qAcc (question-pair accuracy)": {38, 117}, "easy aAcc": {89, 117}, "hard aAcc": {46, 117},
			"Pct. Diff": {38, 254}, "FP Ratio": {70, 102},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			rep, err := Score(qs, preds, tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			checkSection(t, rep, SectionOverall, tt.want)
			// VD and VS split the overall question count.
			vd := rep.Section(SectionVD).Metric("aAcc (question accuracy)")
			vs := rep.Section(SectionVS).Metric("aAcc (question accuracy)")
			if vd.Den+vs.Den != 254 || vd.Num+vs.Num != tt.want["aAcc (question accuracy)"][0] {
				t.Errorf("VD %d/%d + VS %d/%d do not add up to overall", vd.Num, vd.Den, vs.Num, vs.Den)
			}
			var b strings.Builder
			if err := rep.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), "155/254") && tt.rule == "yesno-v1" {
				t.Errorf("text report lacks numerator/denominator:\n%s", b.String())
			}
		})
	}
	if _, err := Score(qs, preds, interop.RuleReference); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("rule reference: %v, want EINVALID (HallusionBench judges with GPT-4)", err)
	}
}

func checkSection(t *testing.T, rep *interop.Report, name string, want map[string][2]int) {
	t.Helper()
	s := rep.Section(name)
	if s == nil {
		t.Fatalf("no section %q", name)
	}
	for k, w := range want {
		m := s.Metric(k)
		if m == nil {
			t.Errorf("%s: no metric %q", name, k)
			continue
		}
		if m.Num != w[0] || m.Den != w[1] {
			t.Errorf("%s: %s = %d/%d, want %d/%d", name, k, m.Num, m.Den, w[0], w[1])
		}
	}
}

// handQuestions is a small question file whose metrics are worked out by hand
// in TestScoreHandBuilt.
const handQuestions = `[
 {"category":"VD","subcategory":"illusion","visual_input":"1","set_id":"0","figure_id":"0","question_id":"0","question":"Is A longer than B?","gt_answer_details":"A is longer","gt_answer":"1","filename":"./VD/illusion/0_0.png"},
 {"category":"VD","subcategory":"illusion","visual_input":"1","set_id":"0","figure_id":"0","question_id":"1","question":"Is B longer than A?","gt_answer_details":"A is longer","gt_answer":"0","filename":"./VD/illusion/0_0.png"},
 {"category":"VD","subcategory":"illusion","visual_input":"2","set_id":"0","figure_id":"1","question_id":"0","question":"Is A longer than B?","gt_answer_details":"B is longer","gt_answer":"0","filename":"./VD/illusion/0_1.png"},
 {"category":"VD","subcategory":"illusion","visual_input":"2","set_id":"0","figure_id":"1","question_id":"1","question":"Is B longer than A?","gt_answer_details":"B is longer","gt_answer":"1","filename":"./VD/illusion/0_1.png"},
 {"category":"VS","subcategory":"chart","visual_input":"0","set_id":"0","figure_id":"0","question_id":"0","question":"Was X the largest exporter in 2018?","gt_answer_details":"yes","gt_answer":"1","filename":null},
 {"category":"VS","subcategory":"chart","visual_input":"2","set_id":"0","figure_id":"1","question_id":"0","question":"According to the chart, was X the largest exporter in 2018?","gt_answer_details":"no, Y was","gt_answer":"0","filename":"./VS/chart/0_1.png"}
]`

// handPredictions: right, right, wrong (yes to a gold no), unclear on a VD
// question (wrong), unclear on a VS question without a figure (counted right
// by the reference), right.
const handPredictions = `[
 {"category":"VD","subcategory":"illusion","set_id":"0","figure_id":"0","question_id":"0","model_prediction":"Yes."},
 {"category":"VD","subcategory":"illusion","set_id":"0","figure_id":"0","question_id":"1","model_prediction":"No, B is shorter."},
 {"category":"VD","subcategory":"illusion","set_id":"0","figure_id":"1","question_id":"0","model_prediction":"Yes"},
 {"category":"VD","subcategory":"illusion","set_id":"0","figure_id":"1","question_id":"1","model_prediction":"I cannot tell from the image."},
 {"category":"VS","subcategory":"chart","set_id":0,"figure_id":0,"question_id":0,"model_prediction":"Maybe."},
 {"category":"VS","subcategory":"chart","set_id":"0","figure_id":"1","question_id":"0","model_prediction":"No."}
]`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScoreHandBuilt(t *testing.T) {
	dir := t.TempDir()
	qs, err := LoadQuestions(writeFile(t, dir, "q.json", handQuestions))
	if err != nil {
		t.Fatal(err)
	}
	preds, err := LoadPredictions(writeFile(t, dir, "p.json", handPredictions))
	if err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"yesno-v1", "first-word"} {
		rep, err := Score(qs, preds, rule)
		if err != nil {
			t.Fatal(err)
		}
		// correct flags: 1 1 0 0 1 1.
		checkSection(t, rep, SectionOverall, map[string][2]int{
			"aAcc (question accuracy)": {4, 6},
			// figures VD/0/0 all right, VD/0/1 none right, VS/0/1 right; VS figure 0 left out.
			"fAcc (figure accuracy)": {2, 3}, "figures wrong": {1, 3}, "figures inconsistent": {0, 3},
			// question groups: VD q0 (fig0 right, fig1 wrong), VD q1 (right, wrong), VS q0 (right, right).
			"qAcc (question-pair accuracy)": {1, 3}, "easy aAcc": {3, 3}, "hard aAcc": {1, 3},
			// inferred yes: VD/0/0/q0, VD/0/1/q0 (wrong, gold no), VS/0/0/q0 = 3; gold yes = 3.
			"Pct. Diff": {0, 6},
			// wrong: VD/0/1/q0 (gold no), VD/0/1/q1 (gold yes).
			"FP Ratio": {1, 2},
		})
		checkSection(t, rep, SectionAnswers, map[string][2]int{"unclear counted correct": {1, 2}, "correctness 2 (unclear)": {2, 6}})
		// Our pairs: figure VD/0/0 (yes, no: both right), VD/0/1 (unparsed, yes: both wrong).
		checkSection(t, rep, SectionOurs, map[string][2]int{
			"basic accuracy": {1, 2}, "hallucinated accuracy": {1, 2}, "overall (pair) accuracy": {1, 2},
			"Pct. Diff": {0, 4}, "FP Ratio": {1, 2}, "unparsed": {1, 4},
		})
	}
}

func TestScoreJoinErrors(t *testing.T) {
	dir := t.TempDir()
	qs, err := LoadQuestions(writeFile(t, dir, "q.json", handQuestions))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, preds, errHas string }{
		{"ErrUnknownQuestion", `[{"category":"VD","subcategory":"illusion","set_id":"9","figure_id":"0","question_id":"0","model_prediction":"yes"}]`, "match no question"},
		{"ErrTwice", `[{"category":"VD","subcategory":"illusion","set_id":"0","figure_id":"0","question_id":"0","model_prediction":"yes"},{"category":"VD","subcategory":"illusion","set_id":"0","figure_id":"0","question_id":"0","model_prediction":"no"}]`, "predicted twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			preds, err := LoadPredictions(writeFile(t, dir, tt.name+".json", tt.preds))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Score(qs, preds, "yesno-v1")
			if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("error %v, want EINVALID mentioning %q", err, tt.errHas)
			}
		})
	}
	if _, err := LoadPredictions(writeFile(t, dir, "noout.json", `[{"category":"VD","subcategory":"x","set_id":"0","figure_id":"0","question_id":"0"}]`)); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("prediction without model output: %v", err)
	}
}

func TestImport(t *testing.T) {
	dir := t.TempDir()
	qfile := writeFile(t, dir, "q.json", handQuestions)
	media := filepath.Join(dir, "images")
	interoptest.PNG(t, filepath.Join(media, "VD/illusion/0_0.png"), 1)
	interoptest.PNG(t, filepath.Join(media, "VD/illusion/0_1.png"), 2)
	interoptest.PNG(t, filepath.Join(media, "VS/chart/0_1.png"), 3)

	t.Run("OK", func(t *testing.T) {
		out := filepath.Join(dir, "suite")
		res, err := Importer{}.Import(context.Background(), qfile+",media="+media, interoptest.Env(out))
		if err != nil {
			t.Fatal(err)
		}
		// Two figure pairs; the two VS questions are on different figures.
		if len(res.Pairs) != 2 || res.Skipped["no question with the opposite answer about the same figure"] != 2 {
			t.Fatalf("%d pairs, skipped %v; want 2 pairs and 2 skipped", len(res.Pairs), res.Skipped)
		}
		p := res.Pairs[0]
		if p.ID != "hallusionbench-VD-illusion-0-0-q0-q1" || p.Modality != eh.Image || p.Basic.Gold != eh.Yes || p.Basic.Text != "Is A longer than B?" {
			t.Errorf("first pair %+v", p)
		}
		if len(p.Context.Media) != 1 || p.Context.Media[0].Path != "media/hallusionbench/VD/illusion/0_0.png" {
			t.Fatalf("media %+v", p.Context.Media)
		}
		sum, _ := suite.FileSHA256(filepath.Join(media, "VD/illusion/0_0.png"))
		if p.Context.Media[0].SHA256 != sum {
			t.Errorf("digest %s, want the source file's %s", p.Context.Media[0].SHA256, sum)
		}
		// The second figure pairs question 1 (yes) with question 0 (no).
		if res.Pairs[1].ID != "hallusionbench-VD-illusion-0-1-q1-q0" {
			t.Errorf("second pair id %s", res.Pairs[1].ID)
		}
		wantTags := []string{"category:VD", "subcategory:illusion", "set:VD-illusion-0", "difficulty:hard"}
		for _, tag := range wantTags {
			if !contains(res.Pairs[1].Tags, tag) {
				t.Errorf("tags %v lack %s", res.Pairs[1].Tags, tag)
			}
		}
		interoptest.WriteAndRead(t, out, res.Pairs)
	})
	t.Run("ErrNoMediaRoot", func(t *testing.T) {
		_, err := Importer{}.Import(context.Background(), qfile, interoptest.Env(filepath.Join(dir, "s2")))
		if eh.ErrorCode(err) != eh.ENOTFOUND || eh.ErrorHint(err) == "" {
			t.Errorf("error %v (hint %q), want ENOTFOUND with a hint", err, eh.ErrorHint(err))
		}
	})
	t.Run("DropMissingImage", func(t *testing.T) {
		partial := filepath.Join(dir, "partial")
		interoptest.PNG(t, filepath.Join(partial, "VD/illusion/0_0.png"), 1)
		res, err := Importer{}.Import(context.Background(), qfile+",media="+partial, interoptest.Env(filepath.Join(dir, "s3")))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Pairs) != 1 || len(res.Dropped) != 1 || res.Dropped[0].Path != "./VD/illusion/0_1.png" {
			t.Errorf("pairs %d, dropped %+v", len(res.Pairs), res.Dropped)
		}
	})
}

// TestImportRealNeedsImages: the real question file imports without images
// only for scoring; building a suite from it fails clearly.
func TestImportRealNeedsImages(t *testing.T) {
	path := interoptest.Data(t, "hallusionbench/HallusionBench.json")
	_, err := Importer{}.Import(context.Background(), path, interoptest.Env(t.TempDir()))
	if eh.ErrorCode(err) != eh.ENOTFOUND || !strings.Contains(eh.ErrorHint(err), "score --format hallusionbench") {
		t.Errorf("error %v, hint %q", err, eh.ErrorHint(err))
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
