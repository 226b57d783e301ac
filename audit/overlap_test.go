package audit

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

func TestStem(t *testing.T) {
	tests := []struct {
		words []string // all must fold to one key
	}{
		{[]string{"smile", "smiled", "smiles", "smiling"}},         // regular verb with a silent e
		{[]string{"cry", "cried", "cries", "crying"}},              // y → i
		{[]string{"stop", "stopped", "stopping", "stops"}},         // doubled consonant
		{[]string{"happy", "happily", "happiness"}},                // derivations
		{[]string{"angry", "anger", "angrily"}},                    // emotion word family
		{[]string{"proud", "pride"}},                               // adjective and noun differ
		{[]string{"box", "boxes"}},                                 // -es plural
		{[]string{"went", "go", "goes"}},                           // irregular past
		{[]string{"barista's", "barista", "baristas"}},             // possessive and plural
		{[]string{"disappointed", "disappointment", "disappoint"}}, // family
	}
	for _, tc := range tests {
		want := stem(tc.words[0])
		for _, w := range tc.words[1:] {
			if got := stem(w); got != want {
				t.Errorf("stem(%q) = %q, stem(%q) = %q; want one key", tc.words[0], want, w, got)
			}
		}
	}
	// Words that must stay apart: a matcher that merged them would credit
	// overlaps that are not there.
	for _, p := range [][2]string{{"glass", "glad"}, {"bus", "but"}, {"care", "car"}, {"hope", "hop"}} {
		if stem(p[0]) == stem(p[1]) {
			t.Errorf("stem(%q) = stem(%q) = %q; want them apart", p[0], p[1], stem(p[0]))
		}
	}
}

func TestOverlapCredit(t *testing.T) {
	const ctx = "Waited forty minutes for a flat white that arrived cold. When I mentioned it, the barista rolled her eyes and said \"that's how we make it\"."
	tests := []struct {
		name         string
		basic, hallu string
		want         float64
	}{
		// The hallucinated cue is vocabulary the passage lacks: word matching solves it.
		{"absent vocabulary is solvable", "Does the reviewer mention the barista rolling her eyes?", "Does the reviewer mention the barista apologising to them?", 1},
		// The wrong person with the passage's own words: the hallucinated question
		// overlaps more ("waited", "forty", "minutes"), so the rule gets both wrong.
		{"wrong person outscores the truth", "Did the coffee come cold?", "Did the barista wait forty minutes?", 0},
		// Both questions reuse the same passage words, only the order differs: a tie.
		{"wrong order ties", "Did the reviewer mention the cold coffee before the barista rolled her eyes?", "Did the barista roll her eyes before the reviewer mentioned the cold coffee?", tieCredit},
		// Both questions share the frame and nothing else with the passage.
		{"emotion words neither passage uses tie", "Does the reviewer express anger?", "Does the reviewer express fear?", tieCredit},
		// A negated mention overlaps as much as the true one: the rule cannot see "not".
		{"negated mention ties", "Did the barista roll her eyes?", "Did the barista not roll her eyes?", tieCredit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := OverlapCredit(ctx, tc.basic, tc.hallu); got != tc.want {
				t.Errorf("credit %.2f, want %.2f (overlaps basic %d, hallucinated %d)", got, tc.want, Overlap(ctx, tc.basic), Overlap(ctx, tc.hallu))
			}
		})
	}
}

func TestOverlapBaseline(t *testing.T) {
	const ctx = "Maya smiled at the letter and then cried in the kitchen."
	s := &eh.Suite{Pairs: []eh.Pair{
		// solved by matching: 1
		pair("a", ctx, "Did Maya smile at the letter?", "Did Maya frown at the parcel?", eh.ReasoningCue),
		// tie: 0.25
		pair("b", ctx, "Is Maya moved?", "Is Maya bored?", eh.ReasoningCue),
		// the hallucinated question overlaps more: 0
		pair("c", ctx, "Is Maya moved?", "Did Maya cry in the kitchen after a smile at the letter?", eh.ReasoningResult),
		// no text context: not measured
		{ID: "k", Dimension: eh.Knowledge, SubCategory: eh.Definition, Modality: eh.Text,
			Basic: eh.Question{Text: "Is fear an emotion?", Gold: eh.Yes}, Hallucinated: eh.Question{Text: "Is fear a mood?", Gold: eh.No}},
	}}
	res := OverlapBaseline(s)
	if res.Pairs != 3 || res.Ties != 1 {
		t.Fatalf("measured %d pairs with %d ties, want 3 and 1", res.Pairs, res.Ties)
	}
	if want := round((1+0.25+0)/3.0, 4); res.Accuracy != want {
		t.Errorf("accuracy %.4f, want %.4f", res.Accuracy, want)
	}
	want := []OverlapSubCategory{
		{SubCategory: eh.ReasoningResult, Pairs: 1, Ties: 0, Accuracy: 0},
		{SubCategory: eh.ReasoningCue, Pairs: 2, Ties: 1, Accuracy: 0.625},
	}
	if len(res.BySubCategory) != len(want) {
		t.Fatalf("by sub-category %+v, want %+v", res.BySubCategory, want)
	}
	for i := range want {
		if res.BySubCategory[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, res.BySubCategory[i], want[i])
		}
	}

	// The report carries the same numbers and flags the sub-category above
	// its target (reasoning-cue 0.625 > 0.45) and the total (0.417 > 0.40).
	r := Run(s, Options{Permutations: -1})
	if r.OverlapBaselineAccuracy != res.Accuracy || r.OverlapBySubCategory[eh.ReasoningCue] != 0.625 || r.OverlapPairs != 3 {
		t.Errorf("report overlap %.4f %v over %d pairs", r.OverlapBaselineAccuracy, r.OverlapBySubCategory, r.OverlapPairs)
	}
	fails := r.OverlapFailures()
	if len(fails) != 2 || !strings.Contains(fails[0], "0.417 > 0.40") || !strings.Contains(fails[1], "reasoning-cue 0.625") {
		t.Errorf("failures %q, want the total and reasoning-cue", fails)
	}
	var sb strings.Builder
	if err := r.WriteText(&sb); err != nil || !strings.Contains(sb.String(), "context-overlap baseline") {
		t.Errorf("text report lacks the overlap section: %v\n%s", err, sb.String())
	}

	// A suite without text contexts has nothing to measure and never fails.
	k := &eh.Suite{Pairs: s.Pairs[3:]}
	if r := Run(k, Options{}); r.OverlapPairs != 0 || len(r.OverlapFailures()) != 0 || r.OverlapBySubCategory == nil {
		t.Errorf("knowledge-only suite: %d pairs measured, failures %v, map %v", r.OverlapPairs, r.OverlapFailures(), r.OverlapBySubCategory)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestWriteTextGolden pins the table format of the report, overlap section
// included, on a small suite whose numbers are fixed by the seed.
func TestWriteTextGolden(t *testing.T) {
	s := synthetic(40, "balanced", 8)
	for i := range s.Pairs {
		// Every fourth pair becomes solvable by word matching: its passage
		// repeats the basic question's words.
		if i%4 == 0 {
			s.Pairs[i].Context.Text = "Passage: " + s.Pairs[i].Basic.Text
		}
	}
	r := Run(s, Options{Seed: 3, Bootstrap: 200, Permutations: 4})
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	const path = "testdata/report.golden"
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./audit -run Golden -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("report differs from %s (rerun with -update if the change is intended):\n%s", path, b.String())
	}
}
