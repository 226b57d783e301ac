package builtin

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/knowledge"
	"github.com/emohallucer/emohallucer/suite"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// english returns the real English facts and passages the overlays refer to.
func english(t *testing.T) ([]knowledge.Fact, []Passage) {
	t.Helper()
	facts, err := knowledge.Facts()
	if err != nil {
		t.Fatal(err)
	}
	passages, err := Passages()
	if err != nil {
		t.Fatal(err)
	}
	return facts, passages
}

// TestLanguagesTestdata loads the overlays and the native passage of
// testdata/lang against the real English suite, compares the pairs with a
// golden file, and checks that they pass the suite's own validation next to
// the English pairs (translation_of resolves, same sub-category, …).
func TestLanguagesTestdata(t *testing.T) {
	facts, passages := english(t)
	pairs, covs, err := Languages(os.DirFS("testdata/lang"), facts, passages)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"pairs": pairs, "coverage": trimCoverage(covs)}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "lang.golden.json")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("pairs differ from %s (run with -update to accept):\n%s", golden, buf.String())
	}

	all := append(knowledge.Pairs(facts), TextPairs(passages)...)
	all = append(all, pairs...)
	var js bytes.Buffer
	if err := suite.Encode(&js, all); err != nil {
		t.Fatal(err)
	}
	if _, probs := suite.Decode(&js, "builtin+testdata"); len(probs) > 0 {
		t.Fatalf("renderings fail validation: %v", suite.Problems(probs))
	}
	checks := []struct {
		id, lang, of string // "" of: native
	}{
		{"k-theory-james-subtraction.ja", "ja", "k-theory-james-subtraction"},           // a fact's first variant
		{"k-theory-james-subtraction-2.ja", "ja", "k-theory-james-subtraction-2"},       // a variant with its own basic
		{"k-theory-james-coarser-emotions.ja", "ja", "k-theory-james-coarser-emotions"}, // a second fact
		{"t-rev-blender-1.zh", "zh", "t-rev-blender-1"},                                 // a passage's pairs
		{"t-rev-blender-3.zh", "zh", "t-rev-blender-3"},
		{"t-ja-test-refund-keigo-1", "ja", ""}, // native: no original
	}
	byID := map[string]eh.Pair{}
	for _, p := range pairs {
		byID[p.ID] = p
	}
	if len(pairs) != 3+3+2 {
		t.Errorf("got %d pairs, want 8", len(pairs))
	}
	for _, c := range checks {
		p, ok := byID[c.id]
		if !ok {
			t.Errorf("no pair %s", c.id)
			continue
		}
		if string(p.Lang) != c.lang || p.TranslationOf != c.of {
			t.Errorf("%s: lang %q translation_of %q, want %q %q", c.id, p.Lang, p.TranslationOf, c.lang, c.of)
		}
	}
}

// trimCoverage drops the lists of missing ids, which grow with the English
// suite and would make the golden file change with every new fact.
func trimCoverage(covs []Coverage) []Coverage {
	out := append([]Coverage(nil), covs...)
	for i := range out {
		out[i].MissingFacts, out[i].MissingPassages = nil, nil
		out[i].FactsTotal, out[i].PassagesTotal = 0, 0
	}
	return out
}

// TestLanguagesErrors checks that every malformed overlay or native file is
// refused with an error naming the file and the item.
func TestLanguagesErrors(t *testing.T) {
	facts, passages := english(t)
	fact := func(body string) string {
		return "- id: james-coarser-emotions\n  question: \"問\"\n  explanation: \"説明\"\n" + body
	}
	oneVariant := "  variants:\n    - question: \"偽の問\"\n"
	blender := func(n int) string {
		s := "- id: rev-blender\n  context: \"文\"\n  pairs:\n"
		for i := 0; i < n; i++ {
			s += "    - basic: \"真\"\n      hallucinated: \"偽\"\n      explanation: \"説明\"\n"
		}
		return s
	}
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		// a fact id the English suite lacks
		{"unknown fact", map[string]string{"i18n/ja/knowledge-a.yaml": "- id: no-such-fact\n  question: \"問\"\n  explanation: \"説明\"\n" + oneVariant},
			`i18n/ja/knowledge-a.yaml entry 1: no English fact has id "no-such-fact"`},
		// fewer variants than the English fact
		{"variant count", map[string]string{"i18n/ja/knowledge-a.yaml": "- id: james-subtraction\n  question: \"問\"\n  explanation: \"説明\"\n" + oneVariant},
			"i18n/ja/knowledge-a.yaml fact james-subtraction: has 1 variants, the English fact 2"},
		// the English second variant has its own basic question; the overlay must too
		{"missing basic", map[string]string{"i18n/ja/knowledge-a.yaml": "- id: james-subtraction\n  question: \"問\"\n  explanation: \"説明\"\n  variants:\n    - question: \"偽1\"\n    - question: \"偽2\"\n      explanation: \"説明2\"\n"},
			"variant 2: has basic exactly when the English variant does (English: true)"},
		// a basic question the English variant does not have
		{"extra basic", map[string]string{"i18n/ja/knowledge-a.yaml": fact("  variants:\n    - question: \"偽\"\n      basic: \"真\"\n")},
			"variant 1: has basic exactly when the English variant does (English: false)"},
		// a fact without its explanation
		{"no explanation", map[string]string{"i18n/zh/knowledge-a.yaml": "- id: james-coarser-emotions\n  question: \"问\"\n" + oneVariant},
			"i18n/zh/knowledge-a.yaml fact james-coarser-emotions: needs question and explanation"},
		// the same fact rendered twice in one language
		{"duplicate", map[string]string{"i18n/ja/knowledge-a.yaml": fact(oneVariant), "i18n/ja/knowledge-b.yaml": fact(oneVariant)},
			`i18n/ja/knowledge-b.yaml: fact "james-coarser-emotions" is rendered again (first in i18n/ja/knowledge-a.yaml)`},
		// a misspelt key
		{"unknown field", map[string]string{"i18n/ja/knowledge-a.yaml": fact(oneVariant) + "  citaton: \"x\"\n"},
			"i18n/ja/knowledge-a.yaml"},
		// a passage id the English suite lacks
		{"unknown passage", map[string]string{"i18n/zh/text-a.yaml": strings.Replace(blender(3), "rev-blender", "rev-nothing", 1)},
			`i18n/zh/text-a.yaml entry 1: no English passage has id "rev-nothing"`},
		// fewer pairs than the English passage
		{"pair count", map[string]string{"i18n/zh/text-a.yaml": blender(2)},
			"i18n/zh/text-a.yaml passage rev-blender: has 2 pairs, the English passage 3"},
		// a folder for a language the benchmark does not have
		{"unknown language", map[string]string{"i18n/fr/text-a.yaml": blender(3)},
			"builtin folder i18n/fr: want ja or zh"},
		// English renderings make no sense
		{"english folder", map[string]string{"native/en/a.yaml": "[]\n"},
			"builtin folder native/en: want ja or zh"},
		// an overlay name that says neither knowledge nor text
		{"overlay name", map[string]string{"i18n/ja/facts.yaml": fact(oneVariant)},
			"i18n/ja/facts.yaml: an overlay's name starts with knowledge- or text-"},
		// native ids start with the language
		{"native prefix", map[string]string{"native/zh/a.yaml": "- id: leave-request\n  kind: message\n  context: \"文\"\n  pairs:\n    - subcategory: category\n      corruption: swap\n      basic: \"真吗？\"\n      hallucinated: \"假吗？\"\n      explanation: \"说明\"\n"},
			`native passage "leave-request": ids of native/zh start with "zh-"`},
		// a native pair with a knowledge sub-category
		{"native subcategory", map[string]string{"native/zh/a.yaml": "- id: zh-a\n  kind: message\n  context: \"文\"\n  pairs:\n    - subcategory: theory\n      corruption: swap\n      basic: \"真吗？\"\n      hallucinated: \"假吗？\"\n      explanation: \"说明\"\n"},
			`native/zh/a.yaml passage zh-a pair 1: subcategory "theory" is not a perception sub-category`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range c.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			_, _, err := Languages(fsys, facts, passages)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if eh.ErrorCode(err) != eh.EINVALID {
				t.Errorf("code %q, want EINVALID", eh.ErrorCode(err))
			}
		})
	}
}

// TestCoverage loads the embedded renderings and native items (the real
// content) and logs how much of the English suite each language covers; run
// with -v to see the missing ids. Missing renderings are allowed; a rendering
// that is wrong in shape fails Suite and so this test.
func TestCoverage(t *testing.T) {
	facts, passages := english(t)
	pairs, covs, err := Languages(langFiles, facts, passages)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range covs {
		t.Logf("%s: facts %d/%d, passages %d/%d, %d renderings, %d native pairs in %d passages",
			c.Lang, c.Facts, c.FactsTotal, c.Passages, c.PassagesTotal, c.Renderings, c.NativePairs, c.NativePassages)
		if len(c.MissingFacts)+len(c.MissingPassages) > 0 {
			t.Logf("%s: not rendered: facts %v; passages %v", c.Lang, firstFew(c.MissingFacts), firstFew(c.MissingPassages))
		}
	}
	s, err := Suite()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.Pairs), len(knowledge.Pairs(facts))+len(TextPairs(passages))+len(pairs); got != want {
		t.Errorf("builtin suite has %d pairs, want %d (English + other languages)", got, want)
	}
}

// firstFew keeps a log line readable when a language is far from complete.
func firstFew(ids []string) string {
	if len(ids) > 12 {
		return fmt.Sprintf("%v … and %d more", ids[:12], len(ids)-12)
	}
	return fmt.Sprint(ids)
}
