package goemotions_test

import (
	"context"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/importers/goemotions"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/importers/swap"
)

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "goemotions")
	env, dir := importerstest.Env(t, 1)
	res, err := goemotions.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	if len(res.Pairs) < 100 {
		t.Errorf("%d pairs, want at least 100", len(res.Pairs))
	}
	words := []string{"angry", "disgusted", "fearful", "happy", "sad", "surprised", "neutral"}
	if bad := importerstest.WordBalance(res.Pairs, words, 0); len(bad) > 0 {
		t.Errorf("emotion words used unequally (basic, hallucinated): %v", bad)
	}
	if len(res.Rules) == 0 {
		t.Error("no rules stated")
	}
	for _, p := range res.Pairs {
		// Happy is asked only against a negative emotion and back.
		if strings.HasSuffix(p.Basic.Text, "happy?") == strings.HasSuffix(p.Hallucinated.Text, "happy?") {
			t.Errorf("%s: %q against %q is not a change of valence", p.ID, p.Basic.Text, p.Hallucinated.Text)
		}
		// Rows with quotes are CSV-quoted in the TSV, inner quotes doubled: a
		// text read without unquoting would still hold the doubled quotes.
		if strings.Contains(p.Context.Text, `""`) {
			t.Errorf("%s: context still wrapped in CSV quotes: %s", p.ID, p.Context.Text)
		}
	}
	dropped := map[string]string{}
	for _, d := range res.Dropped {
		dropped[d.Item] = d.Reason
	}
	// Real dev-split comments whose text contradicts their label.
	for _, tt := range []struct{ item, reason string }{
		// Labelled disgust, but calls something "perfect".
		{"dev:eczmsz3", `also says "perfect"`},
		// Labelled disgust, with a laughter marker: the word is in jest.
		{"dev:edj0v4a", "laughter or joke marker"},
		// Labelled anger, but the words are quoted.
		{"dev:eebcfza", "quotation marks"},
		// Labelled joy, but also says "too bad".
		{"dev:eelb72t", `also says "too bad"`},
	} {
		if !strings.Contains(dropped[tt.item], tt.reason) {
			t.Errorf("%s: dropped with %q, want a reason containing %q", tt.item, dropped[tt.item], tt.reason)
		}
	}
	for _, p := range res.Pairs {
		if _, ok := dropped[p.Source.ID]; ok {
			t.Errorf("%s: dropped and used", p.ID)
		}
	}
}

// TestCheck pins the text rules on short examples, among them the ones an
// outside audit found labelled wrongly.
func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		text  string
		label swap.Label
		why   string // "" when the comment is used
		drop  bool
	}{
		// A plain statement of the labelled emotion is used.
		{"I miss those days so much.", swap.Sadness, "", false},
		{"I'm so glad you made it home safe!", swap.Happiness, "", false},
		// Three words are too few.
		{"Wtf is that", swap.Anger, "shorter than", false},
		// Praise with a negative word, in jest.
		{"gross aoe but it works so well XD", swap.Disgust, "laughter", true},
		// The only cue is negated.
		{"I sense no gross taste here at all.", swap.Disgust, "is negated", true},
		// The question's own word is in the text.
		{"I am really sad about this news today.", swap.Sadness, "question's emotion word", false},
		// Anger voiced in a question only.
		{"Are you pissed at me for saying that?", swap.Anger, "only in a question", false},
		// Imagined anger is not voiced anger.
		{"I hear horror stories of late orders. I would be so pissed.", swap.Anger, "hypothetical", false},
		// Self-deprecation is not anger.
		{"alright yeah guess i am stupid after all", swap.Anger, "writer themself", false},
		// Sarcasm tag.
		{"Oh I just love waiting in line for hours /s", swap.Happiness, "sarcasm", true},
		// Set phrases of sarcasm.
		{"I like how nobody else is doing anything to stop him", swap.Happiness, "sarcasm", true},
		{"Great, glad to hear most socialists are hypocrites", swap.Happiness, "sarcasm", true},
		// Praise taken back by a contrast.
		{"I really enjoy it but I only pointed out the last time", swap.Happiness, "contrast", false},
		// An evaluation is not a feeling.
		{"It's amazing how polar opposite he is from Thibs", swap.Happiness, "no explicit cue", false},
		// No cue: the label rests on topic.
		{"My sweet summer child, you will learn soon.", swap.Sadness, "no explicit cue", false},
	} {
		why, drop := goemotions.Check(tt.text, tt.label)
		if (tt.why == "") != (why == "") || !strings.Contains(why, tt.why) || drop != tt.drop {
			t.Errorf("Check(%q, %s) = %q, %v; want %q, %v", tt.text, tt.label, why, drop, tt.why, tt.drop)
		}
	}
}
