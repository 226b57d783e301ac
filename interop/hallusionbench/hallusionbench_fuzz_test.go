package hallusionbench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
	"github.com/emohallucer/emohallucer/interop/interoptest"
)

// keyFields are the fields of a question's key, in key order.
var keyFields = []string{"category", "subcategory", "set_id", "figure_id", "question_id"}

// FuzzLoadPredictions reads prediction files. Any input either fails with an
// EINVALID error naming the file, or gives one prediction per item with the
// key and model text of the item its position names (read independently);
// the predictions written back as a JSON array read the same; and the file
// with a byte-order mark or CRLF line ends reads the same.
func FuzzLoadPredictions(f *testing.F) {
	// Items of the reference's sample result file as an array and as JSON
	// Lines (not the whole 130 kB file: the fuzzer minimizes every new input
	// it derives from a seed, which for that size stalls the run), then other
	// tools' shapes and broken ones.
	sample, err := os.ReadFile(interoptest.Data(f, "hallusionbench/HallusionBench_result_sample.json"))
	if err != nil {
		f.Fatal(err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(sample, &items); err != nil {
		f.Fatal(err)
	}
	few, _ := json.Marshal(items[:3])
	f.Add(few)
	f.Add(bytes.Join([][]byte{items[3], items[4], {}}, []byte("\n")))
	for _, s := range []string{
		`{"category": "VS", "subcategory": "chart", "visual_input": "0", "set_id": 3, "figure_id": 0, "question_id": 1, "question": "Is China the largest?", "response": "Yes."}`,
		`[{"category": " VD ", "subcategory": "math", "set_id": "0", "figure_id": "1", "question_id": "0", "model_prediction": null, "answer": "No"}]`,
		`[{"category": "XX", "subcategory": "a", "set_id": "0", "figure_id": "0", "question_id": "0", "model_prediction": "x"}]`,
		`[{"category": "VD", "subcategory": "a", "set_id": true, "figure_id": 1.5e3, "question_id": "0", "model_prediction": "x"}]`,
		`[{"category": "VD", "subcategory": "a", "set_id": {}, "figure_id": "0", "question_id": "0", "model_prediction": "x"}]`,
		`[{"category": "VD", "subcategory": "a", "set_id": "0", "figure_id": "0", "question_id": "0"}]`,
		`[{"Category": "VD", "subcategory": "a", "set_id": "0", "figure_id": "0", "question_id": "0", "text": "case"}]`,
		`[]`, `[1]`, "", `{"category": "VD"`, `[{"category": "VD", "set_id": 1e999}]`,
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzcheck.Watch(data)()
		path := filepath.Join(dir, "result.json")
		preds, err := fuzzcheck.Read(t, path, data, LoadPredictions)
		if err != nil {
			fuzzcheck.InputError(t, data, path, err)
			return
		}
		var back []map[string]string
		for _, p := range preds {
			raw, ok := fuzzcheck.ItemAt(data, path, p.Pos)
			if !ok {
				t.Fatalf("%.300q: position %s names no item", data, p.Pos)
			}
			fields, text, ok := expected(raw)
			if !ok {
				continue // keys that differ from the reference's only in case
			}
			var key []string
			for _, k := range keyFields {
				key = append(key, strings.TrimSpace(fields[k]))
			}
			if p.Key != strings.Join(key, "_") || p.Text != text {
				t.Fatalf("%.300q: %s read as %q %q, the item says %q %q", data, p.Pos, p.Key, p.Text, strings.Join(key, "_"), text)
			}
			fields["model_prediction"] = text
			back = append(back, fields)
		}
		if len(preds) > 0 && len(back) == len(preds) {
			b, _ := json.Marshal(back)
			again, err := fuzzcheck.Read(t, path, b, LoadPredictions)
			if err != nil || len(again) != len(preds) {
				t.Fatalf("%.300q: written back as %q: %d predictions, %v", data, b, len(again), err)
			}
			for i := range again {
				if again[i].Key != preds[i].Key || again[i].Text != preds[i].Text {
					t.Fatalf("%.300q: written back, prediction %d reads %+v, was %+v", data, i, again[i], preds[i])
				}
			}
		}
		fuzzcheck.SameVariants(t, path, data, preds, LoadPredictions)
	})
}

// expected reads an item by exact key: the key fields as text (a string's
// value, a number's or boolean's literal, "" for null), and the first string
// among the answer keys. ok is false when a key matches a field only when case
// is ignored, as encoding/json matches it.
func expected(raw []byte) (fields map[string]string, text string, ok bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil, "", false
	}
	for k := range obj {
		for _, f := range append(keyFields, answerKeys...) {
			if k != f && strings.EqualFold(k, f) {
				return nil, "", false
			}
		}
	}
	fields = map[string]string{}
	for _, k := range keyFields {
		v := bytes.TrimSpace(obj[k])
		var s string
		switch {
		case len(v) == 0 || string(v) == "null":
		case json.Unmarshal(v, &s) == nil:
			fields[k] = s
		default:
			fields[k] = string(v)
		}
	}
	for _, k := range answerKeys {
		if json.Unmarshal(obj[k], &text) == nil {
			return fields, text, true
		}
	}
	return fields, "", true
}
