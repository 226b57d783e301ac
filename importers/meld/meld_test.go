package meld_test

import (
	"context"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/importers/meld"
)

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "meld")
	env, dir := importerstest.Env(t, 1)
	res, err := meld.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	if len(res.Pairs) < 14 {
		t.Errorf("%d pairs, want at least 14", len(res.Pairs))
	}
	if len(res.Rules) == 0 {
		t.Error("no rules stated")
	}
	words := []string{"angry", "disgusted", "fearful", "happy", "sad", "surprised", "neutral"}
	if bad := importerstest.WordBalance(res.Pairs, words, 0); len(bad) > 0 {
		t.Errorf("emotion words used unequally (basic, hallucinated): %v", bad)
	}
	var sawWindow bool
	for _, p := range res.Pairs {
		lines := strings.Split(p.Context.Text, "\n")
		if len(lines) > meld.Window+1 {
			t.Errorf("%s: %d context lines, want at most %d", p.ID, len(lines), meld.Window+1)
		}
		sawWindow = sawWindow || len(lines) == meld.Window+1
		speaker, _, _ := strings.Cut(lines[len(lines)-1], ": ")
		if !strings.HasPrefix(p.Basic.Text, "In the last line, does "+speaker+" sound ") {
			t.Errorf("%s: question %q is not about the last line's speaker %s", p.ID, p.Basic.Text, speaker)
		}
	}
	if !sawWindow {
		t.Error("no pair has a full window of preceding turns")
	}
	// dia0_utt1 is Monica's one-word "What?": too short to judge from text.
	for _, p := range res.Pairs {
		if p.ID == "meld-dev-dia0-utt1-category" {
			t.Errorf("one-word utterance used: %+v", p)
		}
	}
}
