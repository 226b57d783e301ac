package videohallucer

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/interop"
	"github.com/emohallucer/emohallucer/interop/interoptest"
)

type qa struct {
	Video    string  `json:"video"`
	Question string  `json:"question"`
	Answer   string  `json:"answer"`
	Predict  *string `json:"predict,omitempty"`
}

type pairJSON struct {
	Basic  qa     `json:"basic"`
	Halluc qa     `json:"hallucination"`
	Type   string `json:"type"`
}

func mk(video, bq, hq, ba, ha string, bp, hp *string) pairJSON {
	return pairJSON{Basic: qa{video, bq, ba, bp}, Halluc: qa{video, hq, ha, hp}, Type: "subject"}
}

func s(x string) *string { return &x }

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// objRel are four object-relation pairs with predictions chosen so that the
// rules and the bias script's quirk give different numbers (worked out in
// TestScoreHandBuilt).
func objRel(withPredict bool) []pairJSON {
	p := func(x string) *string {
		if !withPredict {
			return nil
		}
		return s(x)
	}
	return []pairJSON{
		mk("v0.mp4", "Is there a baby in the video?", "Is there a doll in the video?", "yes", "no", p("Yes."), p("No.")),
		mk("v1.mp4", "Is there a chair in the video?", "Is there a ladder in the video?", "yes", "no", p("Yes, there is a chair."), p("Yes, there is a ladder.")),
		mk("v2.mp4", "Is there a sink in the video?", "Is there a bathtub in the video?", "yes", "no", p("No"), p("There is no bathtub in the video.")),
		mk("v3.mp4", "Is there a cat in the video?", "Is there a fox in the video?", "yes", "no", p("Yes"), p("I cannot tell.")),
	}
}

// factDet is one fact-detection pair: both gold answers are no.
func factDet(withPredict bool) []pairJSON {
	var bp, hp *string
	if withPredict {
		bp, hp = s("No."), s("Yes.")
	}
	return []pairJSON{mk("c0.mp4", "Does the summary contain any non-factual knowledge?", "Does the summary contain all the necessary factual knowledge?", "no", "no", bp, hp)}
}

func setup(t *testing.T) (questions, results string) {
	dir := t.TempDir()
	questions = filepath.Join(dir, "videohallucer_datasets")
	writeJSON(t, filepath.Join(questions, "object_relation", "object_relation.json"), objRel(false))
	writeJSON(t, filepath.Join(questions, "fact_detect", "fact_detect.json"), factDet(false))
	// A neighbour in the released dataset that is not a type of its own.
	writeJSON(t, filepath.Join(questions, "fact_detect", "fact_detect_yn.json"), []int{1})
	results = filepath.Join(dir, "results")
	writeJSON(t, filepath.Join(results, "obj_rel_MyModel.json"), objRel(true))
	writeJSON(t, filepath.Join(results, "factdet_MyModel.json"), factDet(true))
	return questions, results
}

func load(t *testing.T, questions, results string) []Pair {
	t.Helper()
	rs, err := Load(results, true)
	if err != nil {
		t.Fatal(err)
	}
	var qs []Pair
	if questions != "" {
		if qs, err = Load(questions, false); err != nil {
			t.Fatal(err)
		}
	}
	joined, err := Join(qs, rs)
	if err != nil {
		t.Fatal(err)
	}
	return joined
}

func get(t *testing.T, rep *interop.Report, section, name string) *interop.Metric {
	t.Helper()
	m := rep.Section(section).Metric(name)
	if m == nil {
		t.Fatalf("no %s in %s", name, section)
	}
	return m
}

// TestScoreHandBuilt works the numbers out by hand. Extracted answers:
//
//	pair         basic predict            yesno-v1 / reference   halluc predict              yesno-v1 / reference
//	obj_rel 0    Yes.                     yes / yes              No.                         no / no
//	obj_rel 1    Yes, there is a chair.   yes / unparsed         Yes, there is a ladder.     yes / unparsed
//	obj_rel 2    No                       no / no                There is no bathtub …       no / unparsed
//	obj_rel 3    Yes                      yes / yes              I cannot tell.              unparsed / unparsed
//	factdet 0    No. (gold no)            no / no                Yes. (gold no)              yes / yes
func TestScoreHandBuilt(t *testing.T) {
	questions, results := setup(t)
	for _, qfile := range []string{questions, ""} { // with the question files, and from the results alone
		pairs := load(t, qfile, results)
		if len(pairs) != 5 {
			t.Fatalf("%d pairs, want 5", len(pairs))
		}
		tests := []struct {
			rule                      string
			basic, halluc, both       [2]int // obj_rel
			meanB, meanH, meanO       float64
			pooledB, pooledH, pooledO [2]int
		}{
			{"yesno-v1", [2]int{3, 4}, [2]int{2, 4}, [2]int{1, 4}, (0.75 + 1) / 2, (0.5 + 0) / 2, (0.25 + 0) / 2, [2]int{4, 5}, [2]int{2, 5}, [2]int{1, 5}},
			{"reference", [2]int{2, 4}, [2]int{1, 4}, [2]int{1, 4}, (0.5 + 1) / 2, (0.25 + 0) / 2, (0.25 + 0) / 2, [2]int{3, 5}, [2]int{1, 5}, [2]int{1, 5}},
		}
		for _, tt := range tests {
			rep, err := Score(pairs, tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			for name, w := range map[string][2]int{"basic accuracy": tt.basic, "hallucinated accuracy": tt.halluc, "overall accuracy": tt.both} {
				m := get(t, rep, SectionPrefix+"obj_rel", name)
				if [2]int{m.Num, m.Den} != w {
					t.Errorf("%s obj_rel %s = %d/%d, want %d/%d", tt.rule, name, m.Num, m.Den, w[0], w[1])
				}
			}
			for name, w := range map[string]float64{"basic accuracy (mean over types)": tt.meanB, "hallucinated accuracy (mean over types)": tt.meanH, "overall accuracy (mean over types)": tt.meanO} {
				if m := get(t, rep, SectionAll, name); m.Value == nil || math.Abs(*m.Value-w) > 1e-12 {
					t.Errorf("%s %s = %v, want %v", tt.rule, name, m.Value, w)
				}
			}
			for name, w := range map[string][2]int{"basic accuracy (pooled)": tt.pooledB, "hallucinated accuracy (pooled)": tt.pooledH, "overall accuracy (pooled)": tt.pooledO} {
				if m := get(t, rep, SectionAll, name); [2]int{m.Num, m.Den} != w {
					t.Errorf("%s %s = %d/%d, want %d/%d", tt.rule, name, m.Num, m.Den, w[0], w[1])
				}
			}
			// The bias script works on raw text, whatever the rule. Over the four
			// yes/no pairs: n_yes 5 (pairs 0, 1, 3 basic; pair 1 and pair 3
			// hallucinated, counted through the basic prediction), n_no 3, errors
			// 3, false positives 2 — pair 3's "I cannot tell." is a false
			// positive only because its basic prediction says yes.
			for name, w := range map[string][2]int{"yes difference percentage": {1, 8}, "no difference percentage": {-1, 8}, "false positive ratio": {2, 3}, "pairs left out": {1, 0}} {
				if m := get(t, rep, SectionBias, name); [2]int{m.Num, m.Den} != w {
					t.Errorf("%s bias %s = %d/%d, want %d/%d", tt.rule, name, m.Num, m.Den, w[0], w[1])
				}
			}
		}
		// Our own bias under yesno-v1, from each question's answer: yes answers
		// 4 (0b, 1b, 1h, 3b) − gold yes 4; wrong 3 (1h yes, 2b no, 3h unparsed).
		rep, err := Score(pairs, "yesno-v1")
		if err != nil {
			t.Fatal(err)
		}
		for name, w := range map[string][2]int{"Pct. Diff": {0, 8}, "FP Ratio": {1, 3}, "unparsed": {1, 8}, "overall (pair) accuracy": {1, 4}} {
			if m := get(t, rep, OursPrefix+"obj_rel", name); [2]int{m.Num, m.Den} != w {
				t.Errorf("ours %s = %d/%d, want %d/%d", name, m.Num, m.Den, w[0], w[1])
			}
		}
	}
}

func TestTypeOf(t *testing.T) {
	tests := []struct {
		name    string
		results bool
		want    string
	}{
		{"object_relation.json", false, "obj_rel"},
		{"external_nonfactual.json", false, "nonfact"},
		{"fact_detect_yn.json", false, ""},
		{"obj_rel_VideoLLaVA.json", true, "obj_rel"},
		{"nonfact_Gemini-1.5-pro.json", true, "nonfact"},
		{"fact_Gemini-1.5-pro.json", true, "fact"},
		{"factdet_LLaVA.json", true, "factdet"},
		{"semantic_detail.json", true, "semantic"},
		{"notes.json", true, ""},
	}
	for _, tt := range tests {
		if got := typeOf(tt.name, tt.results); got != tt.want {
			t.Errorf("typeOf(%q, %v) = %q, want %q", tt.name, tt.results, got, tt.want)
		}
	}
}

func TestReferenceParser(t *testing.T) {
	tests := []struct {
		in   string
		want eh.Answer
	}{
		{"Yes.", eh.AnswerYes},
		{" no ", eh.AnswerNo},
		{"NO. The video shows a cat.", eh.AnswerNo},
		{"Yes, there is.", eh.AnswerUnparsed},
		{"There is no cat.", eh.AnswerUnparsed},
	}
	for _, tt := range tests {
		if got := ReferenceParser(tt.in); got != tt.want {
			t.Errorf("ReferenceParser(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestJoinErrors(t *testing.T) {
	questions, _ := setup(t)
	qs, err := Load(questions, false)
	if err != nil {
		t.Fatal(err)
	}
	other := objRel(true)
	other[2].Basic.Question = "Is there a kettle in the video?"
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "obj_rel_M.json"), other)
	rs, err := Load(filepath.Join(dir, "obj_rel_M.json"), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Join(qs, rs); eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), "other questions") {
		t.Errorf("mismatched question: %v", err)
	}
	writeJSON(t, filepath.Join(dir, "temporal_M.json"), objRel(true))
	rs, err = Load(filepath.Join(dir, "temporal_M.json"), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Join(qs, rs); eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), "match no question") {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := Load(questions, true); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("question files loaded as results: %v, want EINVALID (no predict)", err)
	}
}

func TestImport(t *testing.T) {
	questions, _ := setup(t)
	// A repeat of pair 0 (the temporal set has such repeats) is skipped.
	withDup := append(objRel(false), objRel(false)[0])
	writeJSON(t, filepath.Join(questions, "object_relation", "object_relation.json"), withDup)
	videos := filepath.Join(questions, "object_relation", "videos")
	for i, v := range []string{"v0.mp4", "v1.mp4", "v2.mp4", "v3.mp4"} {
		interoptest.PNG(t, filepath.Join(videos, v), i+1) // stand-in bytes; nothing decodes them here
	}
	out := t.TempDir()
	res, err := Importer{}.Import(context.Background(), questions, interoptest.Env(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 4 {
		t.Fatalf("%d pairs, want 4 (fact detection and the repeat skipped); skipped %v, dropped %v", len(res.Pairs), res.Skipped, res.Dropped)
	}
	if res.Skipped["gold answers are not yes (basic) and no (hallucinated)"] != 1 {
		t.Errorf("skipped %v", res.Skipped)
	}
	p := res.Pairs[0]
	if p.ID != "videohallucer-obj_rel-0" || p.Modality != eh.ShortVideo || p.Context.Media[0].Path != "media/videohallucer/obj_rel/v0.mp4" {
		t.Errorf("first pair %+v", p)
	}
	interoptest.WriteAndRead(t, out, res.Pairs)

	// Without the videos next to the files and without a media root: a clear error.
	empty := t.TempDir()
	writeJSON(t, filepath.Join(empty, "object_relation.json"), objRel(false))
	_, err = Importer{}.Import(context.Background(), filepath.Join(empty, "object_relation.json"), interoptest.Env(t.TempDir()))
	if eh.ErrorCode(err) != eh.ENOTFOUND {
		t.Errorf("no videos: %v, want ENOTFOUND", err)
	}
}
