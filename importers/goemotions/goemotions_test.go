package goemotions_test

import (
	"context"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/importers/goemotions"
	"github.com/emohallucer/emohallucer/importers/importerstest"
)

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "goemotions")
	env, dir := importerstest.Env(t, 1)
	res, err := goemotions.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	if len(res.Pairs) < 300 {
		t.Errorf("%d pairs, want at least 300", len(res.Pairs))
	}
	words := []string{"angry", "disgusted", "fearful", "happy", "sad", "surprised", "neutral"}
	if bad := importerstest.WordBalance(res.Pairs, words, 0); len(bad) > 0 {
		t.Errorf("emotion words used unequally (basic, hallucinated): %v", bad)
	}
	if res.Skipped["more than one label"] != 878 {
		t.Errorf("skipped %v; want the 878 multi-label rows", res.Skipped)
	}
	for _, p := range res.Pairs {
		// Rows with quotes are CSV-quoted in the TSV, inner quotes doubled: a
		// text read without unquoting would still hold the doubled quotes.
		if strings.Contains(p.Context.Text, `""`) {
			t.Errorf("%s: context still wrapped in CSV quotes: %s", p.ID, p.Context.Text)
		}
	}
	if len(res.Dropped) != 0 {
		t.Errorf("dropped %v", res.Dropped)
	}
}
