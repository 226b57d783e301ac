package review

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
)

// writeFile writes lines to a file in dir and returns its path.
func writeFile(t *testing.T, dir, name string, lines ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadVerdictsErrors(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string
	}{
		// Not JSON at all.
		{"malformed", `{"pair": "a",`, "f.jsonl:2: not a verdict line"},
		// A verdict outside the three.
		{"unknown verdict", `{"pair":"a","verdict":"maybe","rater":"x"}`, `f.jsonl:2: pair a: verdict "maybe" is not valid, ambiguous or wrong`},
		// Every verdict names its rater, or agreement cannot be measured.
		{"no rater", `{"pair":"a","verdict":"valid"}`, `f.jsonl:2: pair a: missing "rater"`},
		// And its pair.
		{"no pair", `{"verdict":"valid","rater":"x"}`, `f.jsonl:2: missing "pair"`},
		// A misspelt field is an error, not a silently dropped verdict.
		{"unknown field", `{"pair":"a","verdicts":"valid","rater":"x"}`, `f.jsonl:2: not a verdict line: json: unknown field "verdicts"`},
		// Two values on one line.
		{"two values", `{"pair":"a","verdict":"valid","rater":"x"} {}`, "f.jsonl:2: more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeFile(t, t.TempDir(), "f.jsonl", `{"pair":"ok","verdict":"valid","rater":"x"}`, tt.line)
			_, err := ReadVerdicts([]string{f})
			if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
	if _, err := ReadVerdicts([]string{filepath.Join(t.TempDir(), "none.jsonl")}); eh.ErrorCode(err) != eh.ENOTFOUND {
		t.Errorf("missing file: %v, want ENOTFOUND", err)
	}
}

// TestReadVerdictsLastWins: a later verdict of the same rater on the same pair
// replaces the earlier, across files in the order given; other raters' are kept.
func TestReadVerdictsLastWins(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.jsonl", `{"pair":"p1","verdict":"valid","rater":"ana"}`, ``, `{"pair":"p2","verdict":"wrong","rater":"ana"}`)
	b := writeFile(t, dir, "b.jsonl", `{"pair":"p1","verdict":"ambiguous","rater":"ana","note":"on second thought"}`, `{"pair":"p1","verdict":"valid","rater":"ben"}`)
	vs, err := ReadVerdicts([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if vs.Replaced != 1 || len(vs.Lines) != 3 {
		t.Fatalf("replaced %d, lines %d: %+v", vs.Replaced, len(vs.Lines), vs.Lines)
	}
	if c := vs.ByPair()["p1"]; c != (Counts{Valid: 1, Ambiguous: 1}) {
		t.Errorf("p1 counts %+v", c)
	}
	if got := strings.Join(vs.Raters(), ","); got != "ana,ben" {
		t.Errorf("raters %s", got)
	}
}

func TestCountsSound(t *testing.T) {
	tests := []struct {
		c    Counts
		want bool
	}{
		{Counts{Valid: 1}, true},                          // one rater, valid
		{Counts{Ambiguous: 1}, false},                     // one rater, ambiguous
		{Counts{Valid: 1, Wrong: 1}, false},               // a tie counts against the pair
		{Counts{Valid: 2, Ambiguous: 1}, true},            // two of three valid
		{Counts{Valid: 2, Wrong: 1, Ambiguous: 1}, false}, // half valid is no majority
		{Counts{Valid: 3, Wrong: 2}, true},                // three of five
	}
	for _, tt := range tests {
		if got := tt.c.Sound(); got != tt.want {
			t.Errorf("%+v: sound %v, want %v", tt.c, got, tt.want)
		}
	}
}

// TestExclude drops the pairs without a strict valid majority from the
// builtin suite, keeps the unreviewed ones and their order, and ignores
// verdicts on pairs of other suites.
func TestExclude(t *testing.T) {
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	p0, p1, p2 := s.Pairs[0].ID, s.Pairs[1].ID, s.Pairs[2].ID
	dir := t.TempDir()
	f := writeFile(t, dir, "v.jsonl",
		`{"pair":"`+p0+`","verdict":"wrong","rater":"ana"}`,
		`{"pair":"`+p0+`","verdict":"wrong","rater":"ben"}`,
		`{"pair":"`+p1+`","verdict":"valid","rater":"ana"}`,
		`{"pair":"`+p1+`","verdict":"ambiguous","rater":"ben"}`,
		`{"pair":"`+p2+`","verdict":"valid","rater":"ana"}`,
		`{"pair":"not-in-builtin","verdict":"wrong","rater":"ana"}`)
	kept, excl, err := Exclude([]string{f}, s.Pairs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Excluded{{p0, Counts{Wrong: 2}}, {p1, Counts{Valid: 1, Ambiguous: 1}}}
	if len(excl) != 2 || excl[0] != want[0] || excl[1] != want[1] {
		t.Errorf("excluded %+v, want %+v", excl, want)
	}
	if len(kept) != len(s.Pairs)-2 || kept[0].ID != p2 {
		t.Errorf("kept %d pairs starting %s", len(kept), kept[0].ID)
	}
	if note := ExcludedNote([]string{f}, excl); !strings.Contains(note, "excluded 2 pair(s)") || !strings.Contains(note, "1 valid, 1 ambiguous, 2 wrong") {
		t.Errorf("note %q", note)
	}
	if same, none, err := Exclude(nil, s.Pairs); err != nil || len(same) != len(s.Pairs) || none != nil {
		t.Errorf("no files changed the pairs: %d %v %v", len(same), none, err)
	}
}
