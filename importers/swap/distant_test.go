package swap

import "testing"

func TestDistant(t *testing.T) {
	seen := map[[2]Label]bool{}
	for _, e := range Distant {
		if !Known(e.A) || !Known(e.B) || e.A == e.B || e.Why == "" {
			t.Errorf("edge %s–%s: unknown label, loop or no reason", e.A, e.B)
		}
		if seen[[2]Label{e.A, e.B}] || seen[[2]Label{e.B, e.A}] {
			t.Errorf("edge %s–%s is listed twice", e.A, e.B)
		}
		seen[[2]Label{e.A, e.B}] = true
		if !IsDistant(e.A, e.B) || !IsDistant(e.B, e.A) {
			t.Errorf("edge %s–%s is not symmetric", e.A, e.B)
		}
	}
	// The confusions the validation studies report must never be distant.
	for _, c := range [][2]Label{
		{Calm, Neutral},      // RAVDESS's most confused pair
		{Calm, Sadness},      // both low arousal
		{Neutral, Sadness},   // a flat sad voice or face
		{Neutral, Happiness}, // a faint smile
		{Fear, Surprise},     // wide eyes, rising pitch
		{Fear, Sadness},      // brows, a trembling voice
		{Anger, Disgust},     // lowered brows, harsh voice
		{Anger, Fear},        // high-arousal negative
		{Happiness, Surprise},
		{Disgust, Sadness},
		{Disgust, Neutral},
	} {
		if IsDistant(c[0], c[1]) || IsDistant(c[1], c[0]) {
			t.Errorf("%s and %s are confused by listeners or viewers but listed as distant", c[0], c[1])
		}
	}
	for l, want := range map[Label]string{Anger: "angrier", Fear: "more fearful", Calm: "calmer"} {
		if got, ok := Comparative(l); !ok || got != want {
			t.Errorf("Comparative(%s) = %q, %v; want %q", l, got, ok, want)
		}
	}
	if _, ok := Comparative(Neutral); ok {
		t.Error("neutral has a comparative")
	}
}
