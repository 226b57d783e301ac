package score

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// pairRecs returns the two records of one knowledge pair in lang rendering of
// (empty: an original), solved when right is true (yes/no) and failed on the
// hallucinated question otherwise (yes/yes).
func pairRecs(run, id string, lang eh.Lang, of string, right bool) []*eh.Record {
	h := eh.AnswerYes
	if right {
		h = eh.AnswerNo
	}
	b, hr := rec(run, id, eh.Basic, eh.Text, eh.Theory, eh.AnswerYes), rec(run, id, eh.Hallucinated, eh.Text, eh.Theory, h)
	for _, r := range []*eh.Record{b, hr} {
		r.Lang, r.TranslationOf = lang, of
	}
	return []*eh.Record{b, hr}
}

// crossRecs is a run in three languages, worked by hand:
//
//	fact  en  ja  zh
//	f1    R   R   R    same in all
//	f2    R   W   R
//	f3    W   W   -    same (wrong in both)
//	f4    R   -   W
//	f5    R   -   -    one language: not a cross-lingual fact
//	f7    R   E   -    ja errored: only English scored
//	n1    -   R   R    a native Japanese pair and its Chinese rendering
//
// Facts in ≥ 2 languages: f1 f2 f3 f4 n1 = 5, the same in all: f1 f3 n1 = 3.
// en–ja: f1 RR, f2 RW, f3 WW → 3 facts, 2 same, 1 right in en only.
// en–zh: f1 RR, f2 RR, f4 RW → 3 facts, 2 same, 1 right in en only.
// ja–zh: f1 RR, f2 WR, n1 RR → 3 facts, 2 same, 1 right in zh only.
func crossRecs(runEN, runOther string) (en, other []*eh.Record) {
	type p struct {
		id   string
		lang eh.Lang
		of   string
		ok   bool
	}
	for _, x := range []p{{"f1", "", "", true}, {"f2", "", "", true}, {"f3", "en", "", false}, {"f4", "", "", true}, {"f5", "", "", true}, {"f7", "", "", true}} {
		en = append(en, pairRecs(runEN, x.id, x.lang, x.of, x.ok)...)
	}
	for _, x := range []p{
		{"f1.ja", eh.Japanese, "f1", true}, {"f1.zh", eh.Chinese, "f1", true},
		{"f2.ja", eh.Japanese, "f2", false}, {"f2.zh", eh.Chinese, "f2", true},
		{"f3.ja", eh.Japanese, "f3", false}, {"f4.zh", eh.Chinese, "f4", false},
		{"n1", eh.Japanese, "", true}, {"n1.zh", eh.Chinese, "n1", true},
	} {
		other = append(other, pairRecs(runOther, x.id, x.lang, x.of, x.ok)...)
	}
	errored := pairRecs(runOther, "f7.ja", eh.Japanese, "f7", true)
	errored[1].Status, errored[1].Answer = eh.StatusError, ""
	return en, append(other, errored...)
}

// TestCrosslingual checks the crosslingual block and the lang views of the run
// above against a golden file, and the figures worked by hand.
func TestCrosslingual(t *testing.T) {
	en, other := crossRecs("r", "r")
	s := scoreOf(t, append(en, other...)...)
	c := s.Crosslingual
	if c == nil {
		t.Fatal("no crosslingual block")
	}
	if c.Facts != 5 || c.Same != 3 || c.Consistency != 0.6 {
		t.Errorf("facts/same/consistency = %d/%d/%v, want 5/3/0.6", c.Facts, c.Same, c.Consistency)
	}
	want := []struct {
		a, b                eh.Lang
		facts, same, ra, rb int
		overallA, overallB  float64
	}{
		{eh.English, eh.Japanese, 3, 2, 1, 0, 66.6667, 33.3333}, // f2 right in en only
		{eh.English, eh.Chinese, 3, 2, 1, 0, 100, 66.6667},      // f4 right in en only
		{eh.Japanese, eh.Chinese, 3, 2, 0, 1, 66.6667, 100},     // f2 right in zh only
	}
	if len(c.Pairs) != len(want) {
		t.Fatalf("%d language pairs, want %d: %+v", len(c.Pairs), len(want), c.Pairs)
	}
	for i, w := range want {
		g := c.Pairs[i]
		if g.A != w.a || g.B != w.b || g.Facts != w.facts || g.Same != w.same || g.RightAWrongB != w.ra || g.RightBWrongA != w.rb || g.OverallA != w.overallA || g.OverallB != w.overallB {
			t.Errorf("pair %d = %+v, want %+v", i, g, w)
		}
	}
	for view, pairs := range map[string]int{"lang:en": 6, "lang:ja": 4, "lang:zh": 4} {
		if v := s.Views[view]; v == nil || v.Pairs != pairs {
			t.Errorf("view %s: %+v, want %d pairs", view, v, pairs)
		}
	}
	if got := s.Views["lang:ja"].Errors; got != 1 {
		t.Errorf("lang:ja errors = %d, want 1 (f7.ja)", got)
	}
	if i, j := slices.Index(s.Order, "subcategory:theory"), slices.Index(s.Order, "lang:en"); i < 0 || j < i || s.Order[j+1] != "lang:ja" || s.Order[j+2] != "lang:zh" {
		t.Errorf("view order %v: want lang:en, lang:ja, lang:zh after the sub-categories", s.Order)
	}

	got, err := json.MarshalIndent(map[string]any{"crosslingual": c, "lang:ja": s.Views["lang:ja"]}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "crosslingual.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantJSON, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(wantJSON) != string(got)+"\n" {
		t.Errorf("crosslingual differs from %s (run with -update to accept):\n%s", golden, got)
	}
}

// TestCrosslingualOf checks pooling: an English run and a Japanese/Chinese run
// give what one run holding both gives, and a pair in both runs is refused.
func TestCrosslingualOf(t *testing.T) {
	acc := func(recs []*eh.Record) *Accumulator {
		a := NewAccumulator()
		for _, r := range recs {
			if err := a.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		return a
	}
	en, other := crossRecs("r-en", "r-jazh")
	single := scoreOf(t, append(relabel(en, "r"), relabel(other, "r")...)...).Crosslingual
	pooled, err := CrosslingualOf(acc(en), acc(other))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pooled, single) {
		t.Errorf("pooled %+v\nsingle %+v", pooled, single)
	}
	if _, err := CrosslingualOf(acc(en), acc(relabel(en, "r-again"))); err == nil || !strings.Contains(err.Error(), "pair f1 is in two of the runs") {
		t.Errorf("a pair in two runs: got %v", err)
	}
	if c, err := CrosslingualOf(acc(en)); err != nil || c != nil {
		t.Errorf("English only: got %+v, %v; want nil", c, err)
	}
}

// relabel returns copies of recs with the run id set to run.
func relabel(recs []*eh.Record, run string) []*eh.Record {
	out := make([]*eh.Record, len(recs))
	for i, r := range recs {
		c := *r
		c.Run = run
		out[i] = &c
	}
	return out
}

// TestLangViews checks view names and membership: an empty lang is English,
// a run in one language has no lang view (it would repeat all) and no
// crosslingual block.
func TestLangViews(t *testing.T) {
	cases := []struct {
		view  string
		valid bool
	}{
		{"lang:en", true},  // English
		{"lang:ja", true},  // Japanese
		{"lang:zh", true},  // Simplified Chinese
		{"lang:fr", false}, // not a language of the benchmark
		{"lang:", false},   // empty tag
	}
	for _, c := range cases {
		if got := ValidView(c.view); got != c.valid {
			t.Errorf("ValidView(%q) = %v, want %v", c.view, got, c.valid)
		}
	}
	r := pairRecs("r", "p", "", "", true)[0]
	if !ViewMatches("lang:en", r) || ViewMatches("lang:ja", r) {
		t.Error("a record without lang must match lang:en only")
	}
	r.Lang = eh.Japanese
	if !ViewMatches("lang:ja", r) || ViewMatches("lang:en", r) {
		t.Error("a Japanese record must match lang:ja only")
	}
	en, _ := crossRecs("r", "r")
	s := scoreOf(t, en...)
	for name := range s.Views {
		if strings.HasPrefix(name, "lang:") {
			t.Errorf("one-language run has view %s", name)
		}
	}
	if s.Crosslingual != nil {
		t.Errorf("one-language run has a crosslingual block: %+v", s.Crosslingual)
	}
}
