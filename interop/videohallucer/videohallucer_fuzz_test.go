package videohallucer

import (
	"encoding/json"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
	"github.com/emohallucer/emohallucer/interop"
)

// resultSeeds are result files as VideoHallucer's evaluation writes them
// ({qa_type}_{model}.json: the pair file with "predict" added), and broken
// ones.
var resultSeeds = []string{
	`[{"basic": {"video": "obj_rel/videos/0001.mp4", "question": "Is the man holding a cup?", "answer": "yes", "predict": "Yes, he is holding a cup."}, "hallucination": {"video": "obj_rel/videos/0001.mp4", "question": "Is the man holding a phone?", "answer": "no", "predict": "No."}, "type": "subject"},
 {"basic": {"video": "obj_rel/videos/0002.mp4", "question": "Does the dog run left?", "answer": "Yes", "predict": "yes"}, "hallucination": {"video": "obj_rel/videos/0002.mp4", "question": "Does the dog run right?", "answer": "No", "predict": "Yes"}, "type": "relation"}]`,
	`{"basic": {"video": "a.mp4", "question": "q?", "answer": "no", "predict": ""}, "hallucination": {"video": "a.mp4", "question": "r?", "answer": "no", "predict": "no"}, "type": "fact_detect"}` + "\n",
	`[{"basic": {"video": "a.mp4", "question": "q?", "answer": "yes"}, "hallucination": {"video": "a.mp4", "question": "r?", "answer": "no", "predict": "no"}}]`,
	`[{"basic": {"question": " ", "answer": "yes", "predict": "x"}, "hallucination": {"question": "r?", "answer": "no", "predict": "no"}}]`,
	`[{"basic": {"question": "q", "answer": "maybe", "predict": "x"}, "hallucination": {"question": "r?", "answer": "no", "predict": "no"}}]`,
	`[{"basic": null, "hallucination": {}}]`, `[{"basic": {"question": 5}}]`, `[]`, `[1]`, "", `{"basic": {`,
	`[{"Basic": {"question": "q", "answer": "yes", "predict": "y"}, "hallucination": {"question": "r", "answer": "no", "predict": "n"}}]`,
}

// FuzzLoadResults reads a result file. Any input either fails with an
// EINVALID error naming the file, or gives one pair per item, numbered in
// order, with the questions, answers and predictions of the item its position
// names (read independently) and the type the file name gives; the pairs
// written back read the same; the file with a byte-order mark or CRLF line
// ends reads the same; and the pairs score into a report that encodes.
func FuzzLoadResults(f *testing.F) {
	for _, s := range resultSeeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzcheck.Watch(data)()
		path := filepath.Join(dir, "obj_rel_videollava.json")
		pairs, err := fuzzcheck.Read(t, path, data, loadFile)
		if err != nil {
			fuzzcheck.InputError(t, data, path, err)
			return
		}
		back := make([]item, 0, len(pairs))
		for i, p := range pairs {
			raw, ok := fuzzcheck.ItemAt(data, path, p.Pos)
			if !ok || p.Index != i || p.Type != "obj_rel" || p.File != path {
				t.Fatalf("%.300q: pair %d: %+v", data, i, p)
			}
			if want, ok := expected(raw); ok && (!reflect.DeepEqual(p.Basic, want.Basic) || !reflect.DeepEqual(p.Halluc, want.Halluc) || p.SubType != want.Type) {
				t.Fatalf("%.300q: %s read as %+v, the item says %+v", data, p.Pos, p, want)
			}
			for _, q := range []QA{p.Basic, p.Halluc} {
				if a := strings.ToLower(strings.TrimSpace(q.Answer)); strings.TrimSpace(q.Question) == "" || a != "yes" && a != "no" || q.Predict == nil {
					t.Fatalf("%.300q: %s accepted with question %q, answer %q, predict %v", data, p.Pos, q.Question, q.Answer, q.Predict)
				}
			}
			back = append(back, item{p.Basic, p.Halluc, p.SubType})
		}
		if len(pairs) > 0 {
			b, _ := json.Marshal(back)
			again, err := fuzzcheck.Read(t, path, b, loadFile)
			if err != nil || len(again) != len(pairs) {
				t.Fatalf("%.300q: written back: %d pairs, %v", data, len(again), err)
			}
			for i := range again {
				again[i].Pos = pairs[i].Pos
			}
			if !reflect.DeepEqual(again, pairs) {
				t.Fatalf("%.300q: written back, the pairs read differently", data)
			}
			rep, err := Score(pairs, interop.RuleReference)
			if err != nil {
				t.Fatalf("%.300q: score: %v", data, err)
			}
			if err := rep.WriteJSON(io.Discard); err != nil {
				t.Fatalf("%.300q: report does not encode: %v", data, err)
			}
		}
		fuzzcheck.SameVariants(t, path, data, pairs, loadFile)
	})
}

// loadFile reads a result file.
func loadFile(path string) ([]Pair, error) { return Load(path, true) }

// item is a pair as its file holds it, read by exact key.
type item struct {
	Basic  QA     `json:"basic"`
	Halluc QA     `json:"hallucination"`
	Type   string `json:"type"`
}

// expected reads an item by exact key; ok is false when a key matches the
// reference's only when case is ignored, as encoding/json matches it.
func expected(raw []byte) (it item, ok bool) {
	qa := func(raw json.RawMessage) (QA, bool) {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return QA{}, false
		}
		var q QA
		fields := map[string]*string{"video": &q.Video, "question": &q.Question, "answer": &q.Answer}
		for k, v := range obj {
			if dst, known := fields[k]; known {
				json.Unmarshal(v, dst)
			} else if k == "predict" {
				q.Predict = new(string)
				json.Unmarshal(v, q.Predict)
				if string(v) == "null" {
					q.Predict = nil
				}
			} else if strings.EqualFold(k, "video") || strings.EqualFold(k, "question") || strings.EqualFold(k, "answer") || strings.EqualFold(k, "predict") {
				return QA{}, false
			}
		}
		return q, true
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return it, false
	}
	for k := range obj {
		for _, f := range []string{"basic", "hallucination", "type"} {
			if k != f && strings.EqualFold(k, f) {
				return it, false
			}
		}
	}
	b, ok1 := qa(obj["basic"])
	h, ok2 := qa(obj["hallucination"])
	json.Unmarshal(obj["type"], &it.Type)
	it.Basic, it.Halluc = b, h
	return it, ok1 && ok2
}
