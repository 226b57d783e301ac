package knowledge

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

var update = flag.Bool("update", false, "rewrite docs/SOURCES.md")

func TestFacts(t *testing.T) {
	facts, err := Facts()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	counts := map[string]int{}
	for _, f := range facts {
		if ids[f.ID] {
			t.Errorf("duplicate fact id %s", f.ID)
		}
		ids[f.ID] = true
		counts[f.SubCategory] += len(f.Variants)
	}
	// The floor for a serious knowledge dimension.
	for sub, min := range map[string]int{"theory": 120, "definition": 120, "finding": 160} {
		if counts[sub] < min {
			t.Errorf("%s: %d pairs, want at least %d", sub, counts[sub], min)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown field", "- id: a\n  subcategory: theory\n  colour: red\n", "colour"},
		{"bad subcategory", "- id: a\n  subcategory: category\n  question: q\n  explanation: e\n  citation: c\n  variants: [{corruption: swap, question: r}]\n", "subcategory"},
		{"no citation", "- id: a\n  subcategory: theory\n  question: q\n  explanation: e\n  variants: [{corruption: swap, question: r}]\n", "citation"},
		{"bad corruption", "- id: a\n  subcategory: theory\n  question: q\n  explanation: e\n  citation: c\n  variants: [{corruption: vibes, question: r}]\n", "corruption"},
		{"second variant without basic", "- id: a\n  subcategory: theory\n  question: q\n  explanation: e\n  citation: c\n  variants: [{corruption: swap, question: r}, {corruption: swap, question: s}]\n", "own basic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "x.yaml")
			if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an EINVALID error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestPairsFromVariants(t *testing.T) {
	facts, err := Parse([]byte(`
- id: f
  subcategory: finding
  topic: T
  question: "Is A true?"
  explanation: "Because."
  citation: "X (2000)."
  contested: "Some disagree."
  variants:
    - {corruption: swap, question: "Is B true?"}
    - {corruption: reversal, basic: "Is A the case?", question: "Is not-A the case?"}
`), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ps := Pairs(facts)
	if len(ps) != 2 || ps[0].ID != "k-finding-f" || ps[1].ID != "k-finding-f-2" || ps[1].Basic.Text != "Is A the case?" {
		t.Fatalf("pairs %+v", ps)
	}
	if !strings.Contains(ps[0].Explanation, "Contested: Some disagree.") || ps[0].Source.Citation != "X (2000)." {
		t.Fatalf("explanation or citation lost: %+v", ps[0])
	}
}

// TestSourcesDoc keeps docs/SOURCES.md in step with the facts.
func TestSourcesDoc(t *testing.T) {
	facts, err := Facts()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteSources(&b, facts); err != nil {
		t.Fatal(err)
	}
	const path = "../docs/SOURCES.md"
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(have, b.Bytes()) {
		t.Fatalf("docs/SOURCES.md is out of date with knowledge/facts (run go test ./knowledge -update): %v", err)
	}
}
