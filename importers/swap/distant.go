package swap

import "slices"

// Distant is the table of emotion pairs that neither listeners nor viewers
// commonly confuse: a clip or face whose gold is one of them is clearly not
// the other. The media importers (RAVDESS, CREMA-D, FER+) draw the wrong label
// of a category pair from this table rather than from Table, because their
// gold comes from acted or crowd labels: a neighbouring wrong label (calm for
// neutral, surprise for fear) would leave the hallucinated answer debatable.
// The comment says why each pair is far apart, so the table can be argued with.
//
// Left out on purpose, after the confusions reported for RAVDESS (Livingstone &
// Russo 2018: calm and neutral are its most confused pair), CREMA-D and FER+:
// calm/neutral/sadness among themselves, fear with surprise and sadness, anger
// with disgust and fear, happiness with surprise and neutral, disgust with
// neutral, calm and sadness.
var Distant = []Edge{
	{Neutral, Anger, "no arousal vs high arousal: a flat voice and relaxed face against a loud voice and lowered brows"},
	{Neutral, Fear, "no arousal vs high arousal: a relaxed face and steady voice against wide eyes and a tense, high voice"},
	{Neutral, Surprise, "no arousal vs high arousal: a closed relaxed mouth against a dropped jaw and raised brows"},
	{Calm, Anger, "low arousal vs high arousal: slow soft speech against loud harsh speech"},
	{Calm, Fear, "low arousal vs high arousal: slow steady speech against tense high-pitched speech"},
	{Calm, Surprise, "low arousal vs high arousal: slow even speech against sudden rising pitch"},
	{Sadness, Anger, "low vs high arousal: a soft falling voice against a loud one; raised inner brows and lowered lip corners against pressed lips"},
	{Sadness, Surprise, "low vs high arousal: lowered lip corners against a dropped jaw and raised brows"},
	{Sadness, Happiness, "opposite valence: lip corners pulled down against a smile, a falling voice against a bright one"},
	{Disgust, Happiness, "opposite valence: a raised upper lip and wrinkled nose against a smile"},
	{Disgust, Surprise, "lowered brows and a wrinkled nose against raised brows and a dropped jaw"},
}

// DistantOf returns the labels Distant pairs with l, sorted.
func DistantOf(l Label) []Label { return neighbors(Distant, l) }

// IsDistant reports whether a and b are a pair of Distant.
func IsDistant(a, b Label) bool { return slices.Contains(DistantOf(a), b) }

// comparatives holds the comparative adjective of each emotion a comparison
// question can ask about ("Does the speaker sound angrier in …").
var comparatives = map[Label]string{
	Anger: "angrier", Sadness: "sadder", Happiness: "happier", Fear: "more fearful",
	Disgust: "more disgusted", Surprise: "more surprised", Calm: "calmer", Contempt: "more contemptuous",
}

// Comparative returns the comparative adjective of l ("angrier"), and false
// for a label that has none (neutral: "more neutral" is not something a
// listener hears).
func Comparative(l Label) (string, bool) {
	c, ok := comparatives[l]
	return c, ok
}
