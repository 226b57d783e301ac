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
	if bad := importerstest.WordBalance(res.Pairs, []string{"positive", "negative"}, 0); len(bad) > 0 {
		t.Errorf("polarities used unequally (basic, hallucinated): %v", bad)
	}
	if len(res.Rules) == 0 {
		t.Error("no rules stated")
	}
	for _, p := range res.Pairs {
		// Positive is asked only against negative and back.
		if strings.Contains(p.Basic.Text, "positive") == strings.Contains(p.Hallucinated.Text, "positive") {
			t.Errorf("%s: %q against %q is not a change of polarity", p.ID, p.Basic.Text, p.Hallucinated.Text)
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
		// Labelled amusement: "his tooth bouncing off the pavement … brings a
		// tear of joy to my eye 😅", joy at an injury.
		{"dev:eer61np", "emoji of irony"},
		// Labelled love: "I love converts. They willingly throw away their
		// freedom for a prison cell. So cute", mockery.
		{"dev:ef68pka", `speaks of harm ("prison")`},
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
		text     string
		label    swap.Label
		why      string // "" when the comment is used
		drop     bool
		emotions []string
	}{
		// A plain statement of the labelled feeling is used.
		{"I miss those days so much.", swap.Negative, "", false, nil},
		{"I'm so glad you made it home safe!", swap.Positive, "", false, nil},
		// The writer's plain condemnation states a negative feeling; negated,
		// it does not.
		{"This update sucks, I can't stand the new menu.", swap.Negative, "", false, nil},
		{"Honestly the ending was not terrible at all.", swap.Negative, "is negated", true, nil},
		// Bidding the reader feel it is not the writer's feeling.
		{"Ah, the coder life. Be glad you didn't wipe a database.", swap.Positive, "hypothetical", false, nil},
		// Three words are too few.
		{"Wtf is that", swap.Negative, "shorter than", false, nil},
		// Praise with a negative word, in jest.
		{"gross aoe but it works so well XD", swap.Negative, "laughter", true, nil},
		// The only cue is negated, before or right after.
		{"I sense no gross taste here at all.", swap.Negative, "is negated", true, nil},
		{"I like [NAME], not so much", swap.Positive, "is negated", true, nil},
		// The question's own word is in the text.
		{"This is such a negative thread today.", swap.Negative, "says positive or negative", false, nil},
		// Anger voiced in a question, imagined, or put off.
		{"Are you pissed at me for saying that?", swap.Negative, "only in a question", false, nil},
		{"I hear horror stories of late orders. I would be so pissed.", swap.Negative, "hypothetical", false, nil},
		{"I'll wait until he enforces this before I get excited.", swap.Positive, "hypothetical", false, nil},
		// Sarcasm: the tag, set phrases, reported speech.
		{"Oh I just love waiting in line for hours /s", swap.Positive, "sarcasm", true, nil},
		{"I like how nobody else is doing anything to stop him", swap.Positive, "sarcasm", true, nil},
		{"I love it when people barge into my house and demand things", swap.Positive, "sarcasm", true, nil},
		{"Great, glad to hear most socialists are hypocrites", swap.Positive, "sarcasm", true, nil},
		{"You're saying it's depressing to see someone eat", swap.Negative, "sarcasm", true, nil},
		// Joy at harm, or a smile undercut by an ironic emoji.
		{"He fell off the stage and I laughed so hard, made my day", swap.Positive, "speaks of harm", true, []string{"amusement"}},
		{"So glad my mom is cancer free after two years", swap.Positive, "", false, []string{"gratitude"}},
		{"Love getting stuck in traffic for two hours 🙃", swap.Positive, "emoji of irony", true, nil},
		// Praise taken back or outweighed by a contrast.
		{"I really enjoy it but I only pointed out the last time", swap.Positive, "contrast", false, nil},
		{"While I love the brutality of Odyssey, my favourites were from Black Flag.", swap.Positive, "contrast", false, nil},
		// An evaluation is not a feeling.
		{"It's amazing how polar opposite he is from Thibs", swap.Positive, "no explicit cue", false, nil},
		// No cue: the label rests on topic.
		{"My sweet summer child, you will learn soon.", swap.Negative, "no explicit cue", false, nil},
	} {
		why, drop := goemotions.Check(tt.text, tt.label, tt.emotions)
		if (tt.why == "") != (why == "") || !strings.Contains(why, tt.why) || drop != tt.drop {
			t.Errorf("Check(%q, %s) = %q, %v; want %q, %v", tt.text, tt.label, why, drop, tt.why, tt.drop)
		}
	}
}
