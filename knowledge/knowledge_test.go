package knowledge

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/audit"
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
		// A variant asking its own basic question cannot borrow the fact's explanation.
		{"own basic without own explanation", "- id: a\n  subcategory: theory\n  question: q\n  explanation: e\n  citation: c\n  variants: [{corruption: swap, question: r}, {corruption: swap, basic: b, question: s}]\n", "own explanation"},
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
    - {corruption: reversal, basic: "Is A the case?", question: "Is not-A the case?", explanation: "A, not its negation, is the case."}
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

// explanationProblems lists the pairs whose explanation does not explain that
// pair: the explanation is what users read as why the gold answers hold, so it
// must be the pair's own. Two rules, on top of the parse rule that a variant
// with its own basic question carries its own explanation:
//
//   - no two pairs share an explanation: a copy from a sibling variant or
//     another fact explains a different pair;
//   - an explanation names what its hallucinated question changed: it contains
//     at least one content word (stop words dropped, inflections folded, as the
//     audit's overlap baseline does) that is in one of the pair's questions and
//     not the other. When both questions use the same words (a reversal of
//     order) there is no such word and the rule does not apply.
func explanationProblems(facts []Fact) []string {
	var out []string
	owner := map[string]string{}
	for _, f := range facts {
		for i, v := range f.Variants {
			id := fmt.Sprintf("%s variant %d", f.ID, i+1)
			basic, expl := f.Question, f.Explanation
			if v.Basic != "" {
				basic = v.Basic
			}
			if v.Explanation != "" {
				expl = v.Explanation
			}
			key := strings.Join(strings.Fields(strings.ToLower(expl)), " ")
			if prev, ok := owner[key]; ok {
				out = append(out, fmt.Sprintf("%s: same explanation as %s", id, prev))
			} else {
				owner[key] = id
			}
			b, h, e := audit.ContentStems(basic), audit.ContentStems(v.Question), audit.ContentStems(expl)
			var changed []string
			named := false
			for _, pair := range [][2]map[string]bool{{b, h}, {h, b}} {
				for w := range pair[0] {
					if !pair[1][w] {
						changed = append(changed, w)
						named = named || e[w]
					}
				}
			}
			if len(changed) > 0 && !named {
				sort.Strings(changed)
				out = append(out, fmt.Sprintf("%s: explanation names none of the changed words %v: %q", id, changed, expl))
			}
		}
	}
	return out
}

func TestExplanationProblems(t *testing.T) {
	fact := func(expl string, vs ...Variant) Fact {
		return Fact{ID: "f", SubCategory: "finding", Question: "Did X find that anger rose?", Explanation: expl, Citation: "X (2000).", Variants: vs}
	}
	tests := []struct {
		name  string
		facts []Fact
		want  []string // substrings, one per problem, in order
	}{
		// Both explanations name the element their hallucinated question changed.
		{"own explanations naming the change", []Fact{fact("Anger rose; it did not fall.",
			Variant{Corruption: "reversal", Question: "Did X find that anger fell?"},
			Variant{Corruption: "swap", Basic: "Did X find that fear fell?", Question: "Did X find that joy fell?", Explanation: "Fear fell, not joy."})}, nil},
		// The sibling copied the fact's explanation word for word.
		{"explanation copied from a sibling", []Fact{fact("Anger rose; it did not fall.",
			Variant{Corruption: "reversal", Question: "Did X find that anger fell?"},
			Variant{Corruption: "swap", Basic: "Did X find that fear fell?", Question: "Did X find that joy fell?", Explanation: "Anger rose;  it did NOT fall."})},
			[]string{"variant 2: same explanation as f variant 1", "variant 2: explanation names none"}},
		// True but beside the point: it never says what was swapped.
		{"explanation silent on the change", []Fact{fact("The study was large and careful.",
			Variant{Corruption: "reversal", Question: "Did X find that anger fell?"})},
			[]string{"variant 1: explanation names none of the changed words [fall rose]"}},
		// A pure reordering changes no word, so only the copy rule applies.
		{"reordering has no changed word", []Fact{{ID: "g", SubCategory: "theory", Question: "Does fear come before anger?", Explanation: "Order as stated.", Citation: "Y.",
			Variants: []Variant{{Corruption: "reversal", Question: "Does anger come before fear?"}}}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := explanationProblems(tc.facts)
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d matching %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// TestExplanationsOwnTheirPair holds the embedded knowledge base to the rules
// of explanationProblems.
func TestExplanationsOwnTheirPair(t *testing.T) {
	facts, err := Facts()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range explanationProblems(facts) {
		t.Error(p)
	}
}
