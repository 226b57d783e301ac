package score

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
)

// describeRec is an answered description of an input with the given tags.
func describeRec(id string, lang eh.Lang, raw string, tags ...string) *eh.Record {
	p := &eh.Pair{ID: id, Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Image, Lang: lang,
		Source: eh.Source{Dataset: "ferplus"}, Tags: tags}
	r := eh.NewRecord("run-1", "s", "m", "direct", p, eh.Describe)
	r.Status, r.Raw, r.Rule, r.Calls = eh.StatusAnswered, raw, extract.EmoClaimsV1, 1
	return r
}

// TestDescribeGolden scores descriptions in three languages into the
// describe blocks of summary.json (testdata/describe.golden.json).
func TestDescribeGolden(t *testing.T) {
	recs := []*eh.Record{
		// gold named, nothing else: covered, no hallucination
		describeRec("d1", eh.English, "The woman looks furious.", "emotion:anger"),
		// gold named and a second, unsupported label: one hallucinated mention
		describeRec("d2", eh.English, "He is sad and a little anxious.", "emotion:sadness"),
		// a label the annotators allowed: not hallucinated
		describeRec("d3", eh.English, "She seems surprised, maybe afraid.", "emotion:surprise", "allowed:fear"),
		// negated mention only: no claims, not covered
		describeRec("d4", eh.English, "There is no sign of anger.", "emotion:happiness"),
		// Japanese: gold and a hallucinated label
		describeRec("d5", eh.Japanese, "怒っていて、少し悲しそうに見える。", "emotion:anger"),
		// Chinese: negated hallucination is no claim; gold named
		describeRec("d6", eh.Chinese, "她没有生气，只是很开心。", "emotion:happiness"),
		// sentiment gold: an emotion of its valence covers it
		describeRec("d7", eh.English, "The writer is angry.", "sentiment:negative"),
	}
	// judge verdicts: d1's anger supported (agrees); d2's sadness supported
	// (agrees) and fear supported (the judge accepts a hallucination); d3's
	// surprise unparsed.
	judged := map[string]map[string]eh.Answer{"d1": {"anger": eh.AnswerYes}, "d2": {"sadness": eh.AnswerYes, "fear": eh.AnswerYes},
		"d3": {"surprise": eh.AnswerUnparsed}}
	for _, r := range recs {
		for label, a := range judged[r.Pair] {
			r.Steps = append(r.Steps, eh.Step{Name: "judge:" + label, Answer: a})
		}
	}
	failed := describeRec("d8", eh.English, "", "emotion:anger")
	failed.Status, failed.Raw, failed.Error = eh.StatusError, "", "timeout"
	recs = append(recs, failed)
	acc := NewAccumulator()
	for _, r := range recs {
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := acc.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if st, _, ok := acc.Recorded("d8", eh.Describe); !ok || st != eh.StatusError {
		t.Errorf("Recorded(d8, describe) = %v, %v", st, ok)
	}
	s := acc.Close()
	if s.Run.Records != len(recs) {
		t.Errorf("run records = %d, want %d", s.Run.Records, len(recs))
	}
	blocks := map[string]*Describe{}
	for name, v := range s.Views {
		if v.Describe == nil {
			t.Errorf("view %s has no describe block", name)
		}
		blocks[name] = v.Describe
	}
	got, err := json.MarshalIndent(blocks, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const path = "testdata/describe.golden.json"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./score -run DescribeGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("describe blocks differ from %s:\n%s", path, got)
	}
	all := s.Views[ViewAll].Describe
	// 7 answered; mentions: d1 1, d2 2, d3 2, d5 2, d6 1, d7 1 = 9; hallucinated: d2 fear, d5 sadness.
	if all.Responses != 7 || all.EmotionMentions != 9 || all.HallucinatedMentions != 2 || all.Hallucinating != 2 || all.Covering != 6 {
		t.Errorf("all: %+v", all)
	}
}

// TestDescribeUnknownRule refuses a description scored by an unknown rule.
func TestDescribeUnknownRule(t *testing.T) {
	r := describeRec("d1", eh.English, "angry", "emotion:anger")
	r.Rule = "emoclaims-v0"
	if err := NewAccumulator().Add(r); err == nil {
		t.Error("unknown claim rule accepted")
	}
}

// TestKappa is the table of Cohen's kappa of judge and lexicon.
func TestKappa(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	cases := []struct {
		j    JudgeAgreement
		want *float64
	}{
		{JudgeAgreement{Claims: 50, BothSupported: 20, LexiconOnlySupported: 5, JudgeOnlySupported: 10, BothHallucinated: 15}, f(0.4)}, // po .7, pe .5
		{JudgeAgreement{Claims: 20, BothSupported: 10, BothHallucinated: 10}, f(1)},                                                    // perfect agreement
		{JudgeAgreement{Claims: 4, BothSupported: 4}, nil},                                                                             // chance agreement is total
		{JudgeAgreement{Claims: 2, LexiconOnlySupported: 1, JudgeOnlySupported: 1}, f(-1)},                                             // total disagreement
		{JudgeAgreement{}, nil}, // no claims
	}
	for _, c := range cases {
		got := c.j.kappa()
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("%+v: kappa %v, want %v", c.j, got, c.want)
		}
	}
}
