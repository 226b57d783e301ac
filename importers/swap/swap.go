// Package swap holds the table of confusable labels that importers draw
// hallucinated answers from, the word forms used in questions, and the seeded
// random choices that make a build reproducible.
//
// The hallucinated question of a category pair names a wrong label that a model
// could plausibly confuse with the gold one (fear for surprise, disgust for
// anger). Which confusable label each item gets is chosen with the build seed,
// under one constraint: across a dataset every label should appear as often in
// hallucinated questions as it appears in basic ones. A question-only classifier
// (emohallucer suite audit) then cannot tell the roles apart by the label word.
package swap

import (
	"sort"
	"strings"
)

// Label is a canonical emotion, sentiment or intensity name.
type Label string

// Emotion labels. Datasets' own spellings map onto these through Normalize.
const (
	Anger     Label = "anger"
	Disgust   Label = "disgust"
	Fear      Label = "fear"
	Happiness Label = "happiness"
	Sadness   Label = "sadness"
	Surprise  Label = "surprise"
	Neutral   Label = "neutral"
	Calm      Label = "calm"
	Contempt  Label = "contempt"
)

// Sentiment labels (target or document polarity).
const (
	Positive         Label = "positive"
	NeutralSentiment Label = "neutral-sentiment"
	Negative         Label = "negative"
)

// Edge is an undirected pair of labels that people (and models) confuse. The
// comment says why, so the table can be argued with.
type Edge struct {
	A, B Label
	Why  string
}

// Table is the confusable-swap table. It is undirected: a swap may go either
// way. Keep README's copy in step with it.
var Table = []Edge{
	{Anger, Disgust, "lowered brows, tense mouth and harsh voice in both; the most common confusion in facial and vocal studies"},
	{Fear, Surprise, "raised brows, widened eyes and an open mouth in both; pitch rises in both"},
	{Happiness, Surprise, "both high-arousal and often positive; open mouth, raised pitch"},
	{Sadness, Neutral, "low arousal and a flat face or voice in both"},
	{Calm, Neutral, "RAVDESS calm and neutral prosody differ only slightly"},
	{Happiness, Neutral, "a faint smile is easily read as neutral and back"},
	{Fear, Sadness, "negative, often with a trembling or breaking voice"},
	{Anger, Fear, "high-arousal negative states; loud, fast speech in both"},
	{Calm, Sadness, "both low arousal: slow, soft speech"},
	{Disgust, Sadness, "both negative with lowered mouth corners; faces showing disgust are often read as sad"},
	{Contempt, Disgust, "both express rejection; a raised lip corner vs a raised upper lip"},
	{Contempt, Anger, "both hostile; tightened lips"},
	{Positive, NeutralSentiment, "mild praise reads as neutral"},
	{Negative, NeutralSentiment, "mild criticism reads as neutral"},
	{Positive, Negative, "sarcasm and mixed statements flip polarity"},
}

// Confusables returns the labels the table pairs with l, sorted.
func Confusables(l Label) []Label { return neighbors(Table, l) }

// neighbors returns the labels a table of edges pairs with l, sorted.
func neighbors(table []Edge, l Label) []Label {
	var out []Label
	for _, e := range table {
		switch l {
		case e.A:
			out = append(out, e.B)
		case e.B:
			out = append(out, e.A)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// words holds the forms questions use.
var words = map[Label]struct{ adj, noun string }{
	Anger:            {"angry", "anger"},
	Disgust:          {"disgusted", "disgust"},
	Fear:             {"fearful", "fear"},
	Happiness:        {"happy", "happiness"},
	Sadness:          {"sad", "sadness"},
	Surprise:         {"surprised", "surprise"},
	Neutral:          {"neutral", "no particular emotion"},
	Calm:             {"calm", "calmness"},
	Contempt:         {"contemptuous", "contempt"},
	Positive:         {"positive", "positive sentiment"},
	NeutralSentiment: {"neutral", "neutral sentiment"},
	Negative:         {"negative", "negative sentiment"},
}

// Adj returns the adjective for l ("angry"); a label outside the table is
// returned as written.
func Adj(l Label) string {
	if w, ok := words[l]; ok {
		return w.adj
	}
	return string(l)
}

// Noun returns the noun for l ("anger"); a label outside the table is returned
// as written.
func Noun(l Label) string {
	if w, ok := words[l]; ok {
		return w.noun
	}
	return string(l)
}

// Known reports whether l is in the table.
func Known(l Label) bool { _, ok := words[l]; return ok }

// aliases maps dataset spellings onto canonical labels.
var aliases = map[string]Label{
	"anger": Anger, "angry": Anger, "ang": Anger, "a": Anger,
	"disgust": Disgust, "disgusted": Disgust, "dis": Disgust, "d": Disgust,
	"fear": Fear, "fearful": Fear, "afraid": Fear, "scared": Fear, "fea": Fear, "f": Fear,
	"happiness": Happiness, "happy": Happiness, "joy": Happiness, "joyful": Happiness, "hap": Happiness, "h": Happiness,
	"sadness": Sadness, "sad": Sadness, "s": Sadness,
	"surprise": Surprise, "surprised": Surprise, "sur": Surprise,
	"neutral": Neutral, "neu": Neutral, "n": Neutral,
	"calm":     Calm,
	"contempt": Contempt, "contemptuous": Contempt,
	"positive": Positive, "pos": Positive,
	"negative": Negative, "neg": Negative,
}

// Normalize maps a dataset's spelling of an emotion to its canonical label
// ("Angry", "ANG" and "A" all become anger). ok is false for unknown labels.
// Sentiment "neutral" is ambiguous with the emotion; callers that read
// sentiments use Sentiment instead.
func Normalize(s string) (Label, bool) {
	l, ok := aliases[strings.ToLower(strings.TrimSpace(s))]
	if !ok || l == Positive || l == Negative {
		return "", false
	}
	return l, true
}

// Sentiment maps a polarity spelling to a sentiment label.
func Sentiment(s string) (Label, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "positive", "pos":
		return Positive, true
	case "neutral", "neu":
		return NeutralSentiment, true
	case "negative", "neg":
		return Negative, true
	}
	return "", false
}
