package interop

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

func TestParseSource(t *testing.T) {
	tests := []struct {
		in      string
		want    Source
		wantErr bool
	}{
		// A bare path.
		{in: "pope=data/pope", want: Source{Name: "pope", Path: "data/pope", Options: map[string]string{}}},
		// Media root and split.
		{in: "pope=data/pope,media=/coco/val2014,split=adversarial", want: Source{Name: "pope", Path: "data/pope", Options: map[string]string{"media": "/coco/val2014", "split": "adversarial"}}},
		// images= and videos= are spellings of media=.
		{in: "hallusionbench=hb.json,images=/hb", want: Source{Name: "hallusionbench", Path: "hb.json", Options: map[string]string{"media": "/hb"}}},
		// A misspelt option is refused, not ignored.
		{in: "pope=x,medai=/y", wantErr: true},
		// No path.
		{in: "pope=", wantErr: true},
		// No name.
		{in: "data/pope", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseSource(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseSource(%q): want error", tt.in)
			} else if eh.ErrorCode(err) != eh.EINVALID {
				t.Errorf("ParseSource(%q): code %s, want %s", tt.in, eh.ErrorCode(err), eh.EINVALID)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseSource(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestPairTally(t *testing.T) {
	y, n, u := eh.AnswerYes, eh.AnswerNo, eh.AnswerUnparsed
	var tl PairTally
	// Four pairs worked by hand:
	tl.Add(y, n) // both right
	tl.Add(y, y) // hallucinated wrong, said yes
	tl.Add(n, n) // basic wrong, said no
	tl.Add(u, u) // both unparsed: wrong, not yes
	want := map[string][2]int{
		"basic accuracy":          {2, 4},
		"hallucinated accuracy":   {2, 4},
		"overall (pair) accuracy": {1, 4},
		// yes answers: 3 (pairs 1, 2, 2) minus gold yes 4 = −1, over 8 questions.
		"Pct. Diff": {-1, 8},
		// wrong: basic of pairs 3 and 4, hallucinated of pairs 2 and 4 = 4; said yes: 1.
		"FP Ratio": {1, 4},
		"unparsed": {2, 8},
	}
	ms := tl.Metrics()
	if len(ms) != len(want) {
		t.Fatalf("got %d metrics, want %d", len(ms), len(want))
	}
	for _, m := range ms {
		w := want[m.Name]
		if m.Num != w[0] || m.Den != w[1] {
			t.Errorf("%s = %d/%d, want %d/%d", m.Name, m.Num, m.Den, w[0], w[1])
		}
	}
}

func TestRatioUndefined(t *testing.T) {
	m := Ratio("FP Ratio", 0, 0, false, "")
	if m.Value != nil || FormatValue(m) != "n/a" {
		t.Fatalf("0/0: value %v, shown %q; want nil and n/a", m.Value, FormatValue(m))
	}
	if got := FormatValue(Ratio("acc", 1, 3, true, "")); got != "33.33%" {
		t.Errorf("1/3 as percent = %q", got)
	}
	if got := FormatValue(Count("n", 254, "")); got != "254" {
		t.Errorf("count = %q", got)
	}
}

func TestReadItems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, content string
		n             int
		errHas        string
	}{
		{"array.json", `[{"a":1},{"a":2}]`, 2, ""},
		{"lines.jsonl", "{\"a\":1}\n\n{\"a\":2}\n", 2, ""},
		// A byte-order mark starts neither an array nor the first line.
		{"bom.jsonl", "\xef\xbb\xbf{\"a\":1}\r\n{\"a\":2}\r\n", 2, ""},
		{"bom.json", "\xef\xbb\xbf[{\"a\":1}]", 1, ""},
		// A bad line is named by its number.
		{"bad.jsonl", "{\"a\":1}\n{\"a\":\n", 0, "bad.jsonl:2"},
		// A bad array is named by the line of the error.
		{"badarray.json", "[\n{\"a\":1},\n{\"a\" 2}\n]", 0, "line 3"},
		{"empty.json", " \n", 0, "empty file"},
	}
	for _, tt := range tests {
		items, err := ReadItems(write(tt.name, tt.content))
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("%s: error %v, want one mentioning %q", tt.name, err, tt.errHas)
			}
			continue
		}
		if err != nil || len(items) != tt.n {
			t.Errorf("%s: %d items, %v; want %d", tt.name, len(items), err, tt.n)
		}
	}
	if _, err := ReadItems(filepath.Join(dir, "missing.json")); eh.ErrorCode(err) != eh.ENOTFOUND {
		t.Errorf("missing file: code %s, want %s", eh.ErrorCode(err), eh.ENOTFOUND)
	}
}

func TestExtractor(t *testing.T) {
	if _, err := Extractor(RuleReference, nil); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("reference rule without a parser: %v", err)
	}
	if _, err := Extractor("nope", nil); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("unknown rule: %v", err)
	}
	fw, err := Extractor("first-word", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fw("  Yes, it is."); got != eh.AnswerYes {
		t.Errorf("first-word(Yes, …) = %s", got)
	}
	if got := fw("The answer is yes."); got != eh.AnswerUnparsed {
		t.Errorf("first-word(The answer is yes) = %s, want unparsed", got)
	}
}
