package review

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
)

// verdictsOf builds verdicts on pairs: marks[r][i] is rater r's verdict on
// pairs[i] (v, a, w, or "." for none).
func verdictsOf(pairs []string, marks map[string]string) *Verdicts {
	vs := &Verdicts{}
	for _, r := range []string{"ana", "ben", "cy"} {
		for i, m := range marks[r] {
			if v := map[rune]Verdict{'v': Valid, 'a': Ambiguous, 'w': Wrong}[m]; v != "" {
				vs.add(Line{Pair: pairs[i], Verdict: v, Rater: r})
			}
		}
	}
	return vs
}

func nearp(x *float64, want float64) bool { return x != nil && near(*x, want, 1e-5) }

// TestAgree computes validity and agreement on builtin pairs judged by hand:
// the expected numbers are worked out in the comments.
func TestAgree(t *testing.T) {
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	// Two knowledge pairs and two text pairs.
	var ids []string
	for _, want := range []string{"knowledge", "knowledge", "emohallucer-text", "emohallucer-text"} {
		for i := range s.Pairs {
			if SourceOf(&s.Pairs[i]) == want && !strings.Contains(strings.Join(ids, " "), s.Pairs[i].ID) {
				ids = append(ids, s.Pairs[i].ID)
				break
			}
		}
	}
	t.Run("two raters", func(t *testing.T) {
		// ana: v v w a; ben: v w w a.
		a, err := Agree(verdictsOf(ids, map[string]string{"ana": "vvwa", "ben": "vwwa"}), AgreeOptions{Suite: s})
		if err != nil {
			t.Fatal(err)
		}
		g := a.All
		// Sound pairs: only the first (the second is a tie): 1/4.
		if g.Pairs != 4 || g.Sound != 1 || !nearp(g.Validity, 0.25) || g.Verdicts != (Counts{Valid: 3, Ambiguous: 2, Wrong: 3}) {
			t.Errorf("validity: %+v", g)
		}
		// Cohen: po = 3/4; marginals ana v2 a1 w1, ben v1 a1 w2;
		// pe = (2·1 + 1·1 + 1·2)/16 = 5/16; κ = (12/16 − 5/16)/(11/16) = 7/11.
		if !nearp(g.CohenKappa, 7.0/11) || g.CohenPairs != 4 {
			t.Errorf("cohen %v over %d", g.CohenKappa, g.CohenPairs)
		}
		// Fleiss (m = 2): P̄ = (1 + 0 + 1 + 1)/4 = 0.75; p = (3/8, 2/8, 3/8),
		// P̄e = 22/64; κ = (48/64 − 22/64)/(42/64) = 26/42.
		if !nearp(g.FleissKappa, 26.0/42) || g.FleissPairs != 4 || g.FleissRaters != 2 {
			t.Errorf("fleiss %v over %d×%d", g.FleissKappa, g.FleissPairs, g.FleissRaters)
		}
		// Krippendorff: coincidences v-v 2, v-w 1+1, w-w 2, a-a 2; n_v = 3,
		// n_w = 3, n_a = 2, n = 8; D_o ∝ 2, D_e ∝ 2(9 + 6 + 6) = 42;
		// α = 1 − (n − 1)·2/42 = 2/3.
		if !nearp(g.KrippendorffAlpha, 2.0/3) || g.AlphaPairs != 4 || g.AlphaValues != 8 {
			t.Errorf("alpha %v over %d, %d", g.KrippendorffAlpha, g.AlphaPairs, g.AlphaValues)
		}
		if len(g.Raters) != 2 || g.Raters[0].Valid != 2 || g.Raters[1].Valid != 1 {
			t.Errorf("per rater %+v", g.Raters)
		}
		// Per source: knowledge pairs (v,v) and (v,w): 1 sound of 2.
		if len(a.BySource) != 2 || a.BySource[1].Name != "source:knowledge" || a.BySource[1].Sound != 1 || a.BySource[1].Pairs != 2 {
			t.Errorf("by source %+v", a.BySource)
		}
		if len(a.BySubCategory) == 0 {
			t.Error("no sub-category groups")
		}
	})
	t.Run("three raters with a missing rating", func(t *testing.T) {
		// cy skips the last pair: Cohen needs exactly two raters (null);
		// Fleiss uses the three pairs with three ratings; alpha all four.
		a, err := Agree(verdictsOf(ids, map[string]string{"ana": "vvwa", "ben": "vwwa", "cy": "vvw."}), AgreeOptions{Suite: s})
		if err != nil {
			t.Fatal(err)
		}
		g := a.All
		if g.CohenKappa != nil || g.FleissPairs != 3 || g.FleissRaters != 3 || g.AlphaPairs != 4 || g.AlphaValues != 11 {
			t.Errorf("%+v", g)
		}
		// Sound: (v,v,v) and (v,w,v): 2 of 4.
		if g.Sound != 2 {
			t.Errorf("sound %d", g.Sound)
		}
	})
	t.Run("binary", func(t *testing.T) {
		// Valid vs not: ana v v n n, ben v n n n: po = 3/4, pe = (2·1 + 2·3)/16
		// = 1/2, κ = 1/2.
		a, err := Agree(verdictsOf(ids, map[string]string{"ana": "vvwa", "ben": "vwwa"}), AgreeOptions{Suite: s, Binary: true})
		if err != nil {
			t.Fatal(err)
		}
		if !nearp(a.All.CohenKappa, 0.5) || !a.Binary {
			t.Errorf("binary cohen %v", a.All.CohenKappa)
		}
	})
	t.Run("unknown pair", func(t *testing.T) {
		_, err := Agree(verdictsOf([]string{"nope"}, map[string]string{"ana": "v"}), AgreeOptions{Suite: s})
		if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), "nope") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("without suite", func(t *testing.T) {
		vs := &Verdicts{}
		vs.add(Line{Pair: "x1", Verdict: Valid, Rater: "ana", Source: "meld", SubCategory: "category"})
		vs.add(Line{Pair: "x2", Verdict: Wrong, Rater: "ana"})
		a, err := Agree(vs, AgreeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, g := range append(a.BySource, a.BySubCategory...) {
			names = append(names, g.Name)
		}
		if got := strings.Join(names, " "); got != "source:meld source:unknown subcategory:category subcategory:unknown" {
			t.Errorf("groups %s", got)
		}
		var buf bytes.Buffer
		if err := a.WriteText(&buf); err != nil || !strings.Contains(buf.String(), "1/2 = 0.500") {
			t.Errorf("text: %v\n%s", err, buf.String())
		}
		// JSON keys the issue names, null where undefined (one rater).
		b, _ := json.Marshal(a)
		for _, k := range []string{`"cohen_kappa":null`, `"fleiss_kappa":null`, `"krippendorff_alpha":null`, `"validity_ci95":[`} {
			if !strings.Contains(string(b), k) {
				t.Errorf("JSON lacks %s", k)
			}
		}
	})
}
