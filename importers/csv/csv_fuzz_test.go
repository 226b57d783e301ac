package csv_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	csvimp "github.com/emohallucer/emohallucer/importers/csv"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
)

// labelSeeds are label files as users write them (the tables of TestCSV and
// TestJSONL, spreadsheet exports), and broken ones.
var labelSeeds = []struct {
	data  string
	jsonl bool
}{
	{"id,modality,media,label,intensity,cue,text\n" +
		"a1,audio,audio/a1.wav,angry,strong,a raised loud voice,\n" +
		"f1,image,img/f1.png,fear,,widened eyes,\n" +
		"f2,image,img/f2.png,surprise,,an open mouth,\n" +
		"t1,text,,frustrated,,,Third time the bus has not come.\n" +
		"t2,text,,bored,,,Another meeting about meetings.\n" +
		"bad1,image,img/missing.png,fear,,,\n" +
		"bad2,smell,x.png,fear,,,\n", false},
	{"\ufeffModality,Label,Text,Subject\r\ntext,Positive,\"Loved it, \"\"best\"\" day\never\",the reviewer\r\ntext,negative,Meh.,\r\n", false},
	{"modality,label,text\ntext,joy,a\ntext,joy,b\ntext,sadness,c\n", false},
	{"modality,label,media\nimage,fear,../img/f1.png\nimage,happy,/etc/passwd\nshort-video,fear,img/f2.png\n", false},
	{"modality,label,text\ntext,joy\n", false}, {"", false}, {"modality,label,text\n\"unterminated,joy,x\n", false},
	{"Label,label,modality,text\nangry,calm,text,x\ntext,happy,text,y\n", false},
	{`{"id": "x", "modality": "image", "media": "img/f1.png", "label": "Fearful"}` + "\n" +
		`{"id": "y", "modality": "image", "media": "img/f2.png", "label": "surprised", "subject": "the child"}` + "\n", true},
	{`{"modality":"text","label":"angry","text":"Why is it late again?","intensity":"high","cue":"a repeated complaint"}` + "\n\n" +
		`{"modality":"text","label":"calm","text":"It is fine.","intensity":"low","cue":"an even tone"}` + "\n", true},
	{`{"modality":"text","label":5,"text":null,"id":1.5}` + "\n", true},
	{`{"Label":"angry","label":"calm","modality":"text","text":"x"}` + "\n" + `{"modality":"text","label":"happy","text":"y"}` + "\n", true},
	{"{oops\n", true}, {"[1,2]\n", true}, {`{"modality":"text","label":"joy","text":"x"} {"a":1}` + "\n", true},
}

// FuzzImport imports a label file next to real media. Any input either fails
// with a coded error naming the file, or gives valid pairs with unique ids and
// correct media digests, drops that name their line, the same result when
// imported again, and — for a CSV table — the same pairs as the same rows
// written as JSON Lines at the same line numbers.
func FuzzImport(f *testing.F) {
	dir := setup(f)
	for _, s := range labelSeeds {
		f.Add([]byte(s.data), s.jsonl)
	}
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		defer fuzzcheck.Watch(data)()
		name := filepath.Join(dir, "labels.csv")
		if jsonl {
			name = filepath.Join(dir, "labels.jsonl")
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		res, out, err := importFile(t, name)
		if err != nil {
			if eh.ErrorCode(err) == eh.EINTERNAL || !strings.Contains(err.Error(), name) {
				t.Fatalf("%.300q: error %v, want a coded one naming %s", data, err, name)
			}
			return
		}
		importerstest.CheckPairs(t, out, res.Pairs, -1)
		for _, d := range res.Dropped {
			if !strings.Contains(d.Reason, "line ") {
				t.Fatalf("%.300q: drop of %s names no line: %s", data, d.Item, d.Reason)
			}
		}
		again, _, err := importFile(t, name)
		if err != nil || !reflect.DeepEqual(again.Pairs, res.Pairs) || !reflect.DeepEqual(again.Dropped, res.Dropped) {
			t.Fatalf("%.300q: a second import differs (%v)", data, err)
		}
		if jsonl {
			return
		}
		asJSONL, ok := toJSONL(t, name)
		if !ok {
			return
		}
		jname := filepath.Join(dir, "labels.jsonl")
		if err := os.WriteFile(jname, asJSONL, 0o644); err != nil {
			t.Fatal(err)
		}
		viaJSONL, _, err := importFile(t, jname)
		if err != nil || !reflect.DeepEqual(viaJSONL.Pairs, res.Pairs) {
			t.Fatalf("%.300q: the same rows as JSON Lines give other pairs (%v):\n%q", data, err, asJSONL)
		}
	})
}

func importFile(t *testing.T, name string) (*importers.Result, string, error) {
	env, out := importerstest.Env(t, 1)
	res, err := csvimp.Importer{}.Import(context.Background(), name, env)
	return res, out, err
}

// toJSONL writes the rows of a CSV table as JSON Lines, each object on its
// row's line; ok is false when two columns differ only in case (the table is
// ambiguous, and the JSON object would be too).
func toJSONL(t *testing.T, name string) ([]byte, bool) {
	rows, err := importers.ReadTable(name, ',')
	if err != nil {
		t.Fatalf("ReadTable after a successful import: %v", err)
	}
	var b strings.Builder
	line := 0
	for _, r := range rows {
		obj := map[string]string{}
		for k, v := range r.Fields {
			if _, dup := obj[strings.ToLower(k)]; dup {
				return nil, false
			}
			obj[strings.ToLower(k)] = v
		}
		for ; line < r.Line-1; line++ {
			b.WriteString("\n")
		}
		js, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(js)
		b.WriteString("\n")
		line++
	}
	return []byte(b.String()), true
}
