package ferplus_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/ferplus"
	"github.com/emohallucer/emohallucer/importers/importerstest"
)

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "faces/ferplus")
	env, dir := importerstest.Env(t, 3)
	res, err := ferplus.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 3)
	count := map[eh.SubCategory]int{}
	cueUse := map[string][2]int{}
	for _, p := range res.Pairs {
		count[p.SubCategory]++
		if p.Modality != eh.Image {
			t.Errorf("%s: modality %s", p.ID, p.Modality)
		}
		if p.SubCategory == eh.ReasoningCue {
			for i, q := range []string{p.Basic.Text, p.Hallucinated.Text} {
				c := cueUse[q[len("Does the face in the image show "):]]
				c[i]++
				cueUse[q[len("Does the face in the image show "):]] = c
			}
		}
	}
	if count[eh.Category] != 126 || count[eh.ReasoningCue] != 126 || len(res.Dropped) != 0 {
		t.Errorf("pairs %v, dropped %v; want 126 category and 126 reasoning-cue, none dropped", count, res.Dropped)
	}
	words := []string{"angry", "disgusted", "fearful", "happy", "sad", "surprised", "neutral"}
	if bad := importerstest.WordBalance(res.Pairs, words, 0); len(bad) > 0 {
		t.Errorf("emotion words used unequally (basic, hallucinated): %v", bad)
	}
	for cue, c := range cueUse {
		if c[0] != c[1] {
			t.Errorf("cue %q: %d basic, %d hallucinated uses", cue, c[0], c[1])
		}
	}
}

// TestFERPlusLayout reads the FER+ repository layout (label.csv without a
// header beside the images) and applies the 7-of-10 majority rule.
func TestFERPlusLayout(t *testing.T) {
	src := importerstest.DataDir(t, "faces/ferplus")
	tmp := filepath.Join(t.TempDir(), "FER2013Test")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile := func(from, to string, cut bool) {
		b, err := os.ReadFile(filepath.Join(src, from))
		if err != nil {
			t.Fatal(err)
		}
		if cut {
			b = b[:len(b)/2]
		}
		if err := os.WriteFile(filepath.Join(tmp, to), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("images/anger/fer0032285.png", "fer0000001.png", false)
	copyFile("images/disgust/fer0003772.png", "fer0000002.png", false)
	copyFile("images/anger/fer0032434.png", "fer0000003.png", false)
	copyFile("images/happiness/fer0032227.png", "fer0000004.png", true)
	copyFile("images/sadness/fer0032363.png", "fer0000005.png", false)
	// votes: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF
	label := strings.Join([]string{
		`fer0000001.png,"(0, 0, 48, 48)",0,0,0,0,8,2,0,0,0,0`,  // anger 8/10
		`fer0000002.png,"(0, 0, 48, 48)",1,0,0,0,0,9,0,0,0,0`,  // disgust 9/10
		`fer0000003.png,"(0, 0, 48, 48)",0,0,0,0,6,4,0,0,0,0`,  // anger 6/10: below the majority
		`fer0000004.png,"(0, 0, 48, 48)",0,10,0,0,0,0,0,0,0,0`, // happiness, but the image is cut
		`fer0000005.png,"(0, 0, 48, 48)",0,0,0,0,0,0,0,0,0,10`, // not a face
	}, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(tmp, "label.csv"), []byte(label), 0o644); err != nil {
		t.Fatal(err)
	}
	env, dir := importerstest.Env(t, 1)
	res, err := ferplus.Importer{}.Import(context.Background(), filepath.Dir(tmp), env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 3)
	got := map[string]string{}
	for _, p := range res.Pairs {
		if p.SubCategory == eh.Category {
			got[p.Source.ID] = p.Basic.Text
		}
	}
	want := map[string]string{"fer0000001": "Does the person in the image look angry?", "fer0000002": "Does the person in the image look disgusted?"}
	if len(got) != len(want) || got["fer0000001"] != want["fer0000001"] || got["fer0000002"] != want["fer0000002"] {
		t.Errorf("category questions %v, want %v", got, want)
	}
	if len(res.Dropped) != 1 || !strings.HasSuffix(res.Dropped[0].Path, "fer0000004.png") {
		t.Errorf("dropped %+v, want the cut image", res.Dropped)
	}
	if res.Skipped["below the 7-vote majority"] != 1 || res.Skipped["majority says not a face"] != 1 {
		t.Errorf("skipped %v", res.Skipped)
	}
}
