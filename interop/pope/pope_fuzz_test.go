package pope

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
	"github.com/emohallucer/emohallucer/interop"
	"github.com/emohallucer/emohallucer/interop/interoptest"
)

// FuzzLoadPredictions reads prediction files. Any input either fails with an
// EINVALID error naming the file, or gives one prediction per item, each with
// the text, question id and split of the item its position names (read
// independently); written back as JSON Lines the predictions read the same;
// and the same file with a byte-order mark or CRLF line ends reads the same.
func FuzzLoadPredictions(f *testing.F) {
	// Real lines of POPE's question file (the answers files of LLaVA and
	// lmms-eval have the same shape with the model's text), then typical
	// answer files and broken ones.
	sc := bufio.NewScanner(strings.NewReader(readData(f, "pope/coco_pope_random.json")))
	for i := 0; i < 3 && sc.Scan(); i++ {
		f.Add([]byte(sc.Text() + "\n"))
	}
	for _, s := range []string{
		`{"question_id": 1, "prompt": "Is there a snowboard in the image?", "text": "Yes, there is a snowboard.", "answer_id": "abc", "model_id": "llava-v1.5-7b", "metadata": {}}` + "\n" +
			`{"question_id": 2, "prompt": "Is there a car in the image?", "text": "No", "answer_id": "def", "model_id": "llava-v1.5-7b", "metadata": {}}` + "\n",
		`[{"question_id": "3", "answer": "no", "category": "adversarial"}, {"question_id": 4.0, "answer": "yes", "split": "random"}]`,
		"\xef\xbb\xbf" + `{"question_id": 5, "answer": "Yes."}` + "\r\n\r\n" + `{"question_id": 6, "answer": "No."}` + "\r\n",
		`{"answer": 5, "text": "fallback"}`, `{"question_id": null, "answer": "x"}`, `{"question_id": "1e3", "answer": "x"}`,
		`{"question_id": 99999999999999999999, "answer": "x"}`, `{"answer": "x"} {"answer": "y"}`, `[1, 2]`, `[]`, "", "\n\n",
		`{"answer": "x"`, `{"Answer": "case"}`, `{"answer": "x", "answer": "y"}`,
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzcheck.Watch(data)()
		path := filepath.Join(dir, "answers.jsonl")
		preds, err := fuzzcheck.Read(t, path, data, LoadPredictions)
		if err != nil {
			fuzzcheck.InputError(t, data, path, err)
			return
		}
		if trimmed := bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(data), []byte("\xef\xbb\xbf"))); trimmed[0] != '[' {
			if n := nonBlankLines(data); n != len(preds) {
				t.Fatalf("%.300q: %d predictions from %d non-blank lines", data, len(preds), n)
			}
		}
		for _, p := range preds {
			raw, ok := fuzzcheck.ItemAt(data, path, p.Pos)
			if !ok {
				t.Fatalf("%.300q: position %s names no item", data, p.Pos)
			}
			if want := expected(t, raw); !reflect.DeepEqual(strip(p), want) {
				t.Fatalf("%.300q: %s read as %+v, the item says %+v", data, p.Pos, strip(p), want)
			}
		}
		var out bytes.Buffer
		for _, p := range preds {
			obj := map[string]any{"answer": p.Text}
			if p.QuestionID != nil {
				obj["question_id"] = *p.QuestionID
			}
			if p.Split != "" {
				obj["split"] = p.Split
			}
			b, _ := json.Marshal(obj)
			out.Write(append(b, '\n'))
		}
		again, err := fuzzcheck.Read(t, path, out.Bytes(), LoadPredictions)
		if err != nil || !reflect.DeepEqual(strips(again), strips(preds)) {
			t.Fatalf("%.300q: written back as %q, read %+v, %v", data, out.Bytes(), strips(again), err)
		}
		fuzzcheck.SameVariants(t, path, data, preds, LoadPredictions)
	})
}

func readData(f *testing.F, rel string) string {
	b, err := os.ReadFile(interoptest.Data(f, rel))
	if err != nil {
		f.Fatal(err)
	}
	return string(b)
}

func nonBlankLines(data []byte) int {
	n := 0
	for _, ln := range bytes.Split(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), []byte("\n")) {
		if len(bytes.TrimSpace(ln)) > 0 {
			n++
		}
	}
	return n
}

// strip drops the position, which a rewrite changes.
func strip(p Prediction) Prediction { p.Pos = ""; return p }

func strips(ps []Prediction) []Prediction {
	out := make([]Prediction, len(ps))
	for i, p := range ps {
		out[i] = strip(p)
	}
	return out
}

// expected is the prediction an item holds: the first string among the
// answer keys, question_id as an integer, and split or category.
func expected(t *testing.T, raw []byte) Prediction {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatalf("an accepted item is not an object: %q", raw)
	}
	firstString := func(keys ...string) string {
		for _, k := range keys {
			var s string
			if v, ok := obj[k]; ok && json.Unmarshal(v, &s) == nil {
				return s
			}
		}
		return ""
	}
	p := Prediction{Text: firstString(answerKeys...), Split: firstString("split", "category")}
	if v, ok := obj["question_id"]; ok {
		var id interop.Str
		if err := json.Unmarshal(v, &id); err != nil {
			t.Fatalf("accepted question_id %s", v)
		}
		n, err := strconv.Atoi(strings.TrimSpace(id.S))
		if err != nil {
			t.Fatalf("accepted question_id %s", v)
		}
		p.QuestionID = &n
	}
	return p
}
