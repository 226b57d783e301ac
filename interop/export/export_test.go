package export

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/interop/interoptest"
	"github.com/emohallucer/emohallucer/suite"
)

// testSuite writes a small suite with image pairs (two sharing an image, one
// with a text context and a MIME type), a text pair and a video pair, and reads
// it back with every check on.
func testSuite(t *testing.T) *eh.Suite {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mini")
	interoptest.PNG(t, filepath.Join(dir, "media/test/a.png"), 1)
	interoptest.PNG(t, filepath.Join(dir, "media/test/b.png"), 2)
	interoptest.PNG(t, filepath.Join(dir, "media/test/clip.mp4"), 3) // stand-in bytes
	digest := func(rel string) string {
		s, err := suite.FileSHA256(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	img := func(rel string) eh.Media { return eh.Media{Path: rel, SHA256: digest(rel), Kind: eh.Image} }
	pairs := []eh.Pair{
		{ID: "img-1", Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Image,
			Context:      eh.Context{Media: []eh.Media{img("media/test/a.png")}},
			Basic:        eh.Question{Text: "Does the person look happy?", Gold: eh.Yes},
			Hallucinated: eh.Question{Text: "Does the person look \"angry\"?\tReally?", Gold: eh.No},
			Explanation:  "labelled happy", Corruption: "swap", Source: eh.Source{Dataset: "FER+", ID: "123"},
			Tags: []string{"split:test", "agree:9/10"}},
		{ID: "img-2", Dimension: eh.Perception, SubCategory: eh.Intensity, Modality: eh.Image,
			Context:      eh.Context{Media: []eh.Media{img("media/test/a.png")}},
			Basic:        eh.Question{Text: "Is the smile slight?", Gold: eh.Yes},
			Hallucinated: eh.Question{Text: "Is the smile very broad?", Gold: eh.No},
			Explanation:  "intensity", Corruption: "distortion", Source: eh.Source{Dataset: "FER+", ID: "123"}},
		{ID: "know-1", Dimension: eh.Knowledge, SubCategory: eh.Definition, Modality: eh.Text,
			Basic:        eh.Question{Text: "Is a mood longer-lasting than an emotion?", Gold: eh.Yes},
			Hallucinated: eh.Question{Text: "Is an emotion longer-lasting than a mood?", Gold: eh.No},
			Explanation:  "moods last longer", Corruption: "reversal", Source: eh.Source{Citation: "Shiota & Kalat"}},
		{ID: "img-3", Dimension: eh.Perception, SubCategory: eh.ReasoningCue, Modality: eh.Image,
			Context: eh.Context{Text: "A caption.\nSecond line.", Media: []eh.Media{{Path: "media/test/b.png", SHA256: digest("media/test/b.png"), Kind: eh.Image, MIME: "image/png"}}},
			Basic:   eh.Question{Text: "Is someone smiling?", Gold: eh.Yes}, Hallucinated: eh.Question{Text: "Is someone crying?", Gold: eh.No},
			Explanation: "smile", Corruption: "fabrication", Source: eh.Source{Dataset: "Twitter-15", ID: "9"}},
		{ID: "vid-1", Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.ShortVideo,
			Context: eh.Context{Media: []eh.Media{{Path: "media/test/clip.mp4", SHA256: digest("media/test/clip.mp4"), Kind: eh.ShortVideo}}},
			Basic:   eh.Question{Text: "Does the speaker sound sad?", Gold: eh.Yes}, Hallucinated: eh.Question{Text: "Does the speaker sound joyful?", Gold: eh.No},
			Explanation: "sad", Corruption: "swap", Source: eh.Source{Dataset: "CREMA-D", ID: "1001_DFA_SAD_XX"}},
	}
	return interoptest.WriteAndRead(t, dir, pairs)
}

func TestRoundTrip(t *testing.T) {
	s := testSuite(t)
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "export")
			if format == VLMEvalKit {
				out += ".tsv"
			}
			sum, err := Export(context.Background(), format, s, out)
			if err != nil {
				t.Fatal(err)
			}
			want := s.Pairs
			if format == VLMEvalKit {
				// Image pairs only; the text and video pairs are counted as skipped.
				want = []eh.Pair{s.Pairs[0], s.Pairs[1], s.Pairs[3]}
				if sum.Skipped[skipNotImage] != 2 || sum.Rows != 6 || sum.Media != 2 {
					t.Errorf("summary %+v", sum)
				}
			} else if sum.Rows != 10 || sum.Media != 3 {
				t.Errorf("summary %+v", sum)
			}
			back := filepath.Join(t.TempDir(), "back")
			res, err := Importer{format}.Import(context.Background(), out, interoptest.Env(back))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Pairs, want) {
				t.Errorf("round trip changed the pairs:\n got %+v\nwant %+v", res.Pairs, want)
			}
			interoptest.WriteAndRead(t, back, res.Pairs)
		})
	}
}

func TestRoundTripBuiltin(t *testing.T) {
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := Export(context.Background(), HFJSONL, s, out); err != nil {
		t.Fatal(err)
	}
	res, err := Importer{HFJSONL}.Import(context.Background(), out, interoptest.Env(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Pairs, s.Pairs) {
		t.Errorf("builtin suite changed in the round trip (%d pairs back of %d)", len(res.Pairs), len(s.Pairs))
	}
}

func TestVLMEvalKitColumns(t *testing.T) {
	s := testSuite(t)
	out := filepath.Join(t.TempDir(), "x.tsv")
	if _, err := Export(context.Background(), VLMEvalKit, s, out); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0][:6], ","); got != "index,image,question,answer,category,l2-category" {
		t.Errorf("first columns %s", got)
	}
	// Row 1 (the hallucinated question of img-1) refers to row 0's image, and
	// so does img-2, which shows the same image; img-3 has its own.
	if recs[2][1] != "0" || recs[3][1] != "0" || len(recs[5][1]) <= 64 {
		t.Errorf("image references: %q %q, img-3 image length %d", recs[2][1], recs[3][1], len(recs[5][1]))
	}
	if recs[1][3] != "Yes" || recs[2][3] != "No" || recs[1][4] != "category" || recs[1][5] != "image" {
		t.Errorf("answer/category/l2-category: %q", recs[1][3:6])
	}
	// The prompt carries the context; raw_question the question alone.
	if recs[5][2] != "A caption.\nSecond line.\n\nIs someone smiling?" {
		t.Errorf("prompt %q", recs[5][2])
	}
}

func TestLMMSEvalTask(t *testing.T) {
	s := testSuite(t)
	out := t.TempDir()
	sum, err := Export(context.Background(), LMMSEval, s, out)
	if err != nil {
		t.Fatal(err)
	}
	yml, err := os.ReadFile(filepath.Join(out, "emohallucer_mini.yaml"))
	if err != nil {
		t.Fatalf("no task YAML (wrote %v): %v", sum.Files, err)
	}
	data, _ := filepath.Abs(filepath.Join(out, "emohallucer_mini.jsonl"))
	for _, want := range []string{"task: emohallucer_mini", "test: " + data, "doc_to_visual: !function utils.doc_to_visual",
		"doc_to_text: !function utils.doc_to_text", "doc_to_target: answer", "process_results: !function utils.process_results",
		"aggregation: !function utils.pair_accuracy"} {
		if !strings.Contains(string(yml), want) {
			t.Errorf("task YAML lacks %q:\n%s", want, yml)
		}
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed; utils.py not exercised")
	}
	// Exercise the prompt and scoring helpers on real rows (images need PIL,
	// which lmms-eval brings; they are not loaded here).
	script := `
import json, sys
sys.path.insert(0, sys.argv[1])
import utils
rows = [json.loads(l) for l in open(sys.argv[2])]
kw = {"pre_prompt": "", "post_prompt": " Answer yes or no."}
assert utils.doc_to_text(rows[6], kw) == "A caption.\nSecond line.\n\nIs someone smiling? Answer yes or no.", utils.doc_to_text(rows[6], kw)
res = [utils.process_results(r, [a]) for r, a in zip(rows[:4], ["Yes, she is.", "**No**", "no", "maybe"])]
assert [r["accuracy"] for r in res] == [1.0, 1.0, 0.0, 0.0], res
assert [r["unparsed"] for r in res] == [0.0, 0.0, 0.0, 1.0], res
assert utils.pair_accuracy([r["pair_accuracy"] for r in res]) == 0.5
print("ok")
`
	cmd := exec.Command(py, "-c", script, out, filepath.Join(out, "emohallucer_mini.jsonl"))
	if b, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(b)) != "ok" {
		t.Errorf("utils.py: %v\n%s", err, b)
	}
}

func TestImportErrors(t *testing.T) {
	s := testSuite(t)
	out := t.TempDir()
	if _, err := Export(context.Background(), HFJSONL, s, out); err != nil {
		t.Fatal(err)
	}
	// A damaged media file is refused by its digest.
	if err := os.WriteFile(filepath.Join(out, "media/test/a.png"), []byte("not the image"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := (Importer{HFJSONL}).Import(context.Background(), out, interoptest.Env(t.TempDir())); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("damaged media: %v, want EINVALID", err)
	}
	// A pair missing one of its rows is refused.
	lines, _ := os.ReadFile(filepath.Join(out, "data.jsonl"))
	first := strings.SplitN(string(lines), "\n", 2)[0]
	one := t.TempDir()
	if err := os.WriteFile(filepath.Join(one, "data.jsonl"), []byte(first+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := (Importer{HFJSONL}).Import(context.Background(), one, interoptest.Env(t.TempDir())); eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), "only one of its two rows") {
		t.Errorf("half a pair: %v", err)
	}
	if _, err := Export(context.Background(), "csv", s, t.TempDir()); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("unknown format: %v", err)
	}
}
