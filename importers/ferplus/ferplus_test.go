package ferplus_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/ferplus"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/importers/swap"
)

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "faces/ferplus")
	env, dir := importerstest.Env(t, 7)
	res, err := ferplus.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 3)
	count := map[eh.SubCategory]int{}
	cueUse := map[string][2]int{}
	const prefix = "Does the face in the image show "
	for _, p := range res.Pairs {
		count[p.SubCategory]++
		if p.Modality != eh.Image {
			t.Errorf("%s: modality %s", p.ID, p.Modality)
		}
		gold, _ := swap.Normalize(strings.TrimPrefix(p.Tags[0], "emotion:"))
		switch p.SubCategory {
		case eh.ReasoningCue:
			for i, q := range []string{p.Basic.Text, p.Hallucinated.Text} {
				c := cueUse[q[len(prefix):]]
				c[i]++
				cueUse[q[len(prefix):]] = c
			}
			// Only faces all ten annotators agreed on, and never fear or
			// disgust, whose cues other emotions share.
			if !slices.Contains(p.Tags, "votes:10/10") || gold == swap.Fear || gold == swap.Disgust {
				t.Errorf("%s: cue pair on a %s face with tags %v", p.ID, gold, p.Tags)
			}
			want := ferplus.Cues[gold]
			if p.Basic.Text != prefix+want.Shown+"?" || p.Hallucinated.Text != prefix+want.Absent+"?" {
				t.Errorf("%s: cues %q / %q, want %+v", p.ID, p.Basic.Text, p.Hallucinated.Text, want)
			}
		case eh.Category:
			f := strings.Fields(strings.TrimSuffix(p.Hallucinated.Text, "?"))
			wrong, _ := swap.Normalize(f[len(f)-1])
			if !swap.IsDistant(gold, wrong) {
				t.Errorf("%s: %s face asked against %s, which viewers confuse with it", p.ID, gold, wrong)
			}
		}
	}
	// Every face gives a category pair (no wrong label drawn had a vote); the
	// 5 classes with cue contrasts give 88 cue pairs: 90 faces, less 2 angry
	// faces with 9 of 10 votes.
	if count[eh.Category] != 126 || count[eh.ReasoningCue] != 88 || len(res.Dropped) != 0 {
		t.Errorf("pairs %v, dropped %v; want 126 category and 88 reasoning-cue, none dropped", count, res.Dropped)
	}
	if res.Skipped["no cue pair: not all annotators agreed, so the cue may be hidden or unclear"] != 2 {
		t.Errorf("skipped %v", res.Skipped)
	}
	// 18 faces per class, but 2 angry faces have no cue pair: the two anger
	// cues are off by 2.
	for cue, c := range cueUse {
		if c[0]-c[1] > 2 || c[1]-c[0] > 2 {
			t.Errorf("cue %q: %d basic, %d hallucinated uses", cue, c[0], c[1])
		}
	}
	if len(res.Rules) != 4 {
		t.Errorf("rules %q", res.Rules)
	}
}

// TestCueContrasts checks that each cue phrase is shown by one emotion and
// absent from another, so that no phrase marks a role.
func TestCueContrasts(t *testing.T) {
	shown, absent := map[string]int{}, map[string]int{}
	for l, c := range ferplus.Cues {
		if c.Shown == c.Absent {
			t.Errorf("%s: the same cue on both sides", l)
		}
		shown[c.Shown]++
		absent[c.Absent]++
	}
	if !maps.Equal(shown, absent) {
		t.Errorf("cues shown %v, absent %v: want each phrase once on each side", shown, absent)
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
	copyFile("images/neutral/fer0032232.png", "fer0000002.png", false)
	copyFile("images/anger/fer0032434.png", "fer0000003.png", false)
	copyFile("images/happiness/fer0032227.png", "fer0000004.png", true)
	copyFile("images/sadness/fer0032363.png", "fer0000005.png", false)
	// votes: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF
	label := strings.Join([]string{
		`fer0000001.png,"(0, 0, 48, 48)",0,0,0,0,8,2,0,0,0,0`,  // anger 8/10, 2 for disgust
		`fer0000002.png,"(0, 0, 48, 48)",8,0,0,0,2,0,0,0,0,0`,  // neutral 8/10, but 2 for anger, its only far label here
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
	want := map[string]string{"fer0000001": "Does the person in the image look angry?"}
	if !maps.Equal(got, want) {
		t.Errorf("category questions %v, want %v", got, want)
	}
	if len(res.Dropped) != 1 || !strings.HasSuffix(res.Dropped[0].Path, "fer0000004.png") {
		t.Errorf("dropped %+v, want the cut image", res.Dropped)
	}
	// A face in no pair is not placed in the suite.
	if _, err := os.Stat(filepath.Join(dir, "media", "ferplus", "fer0000002.png")); err == nil {
		t.Error("the neutral face, in no pair, was placed in the suite")
	}
	if res.Skipped["below the 7-vote majority"] != 1 || res.Skipped["majority says not a face"] != 1 ||
		res.Skipped["category pair: the wrong label drawn has more than 1 vote"] != 1 {
		t.Errorf("skipped %v", res.Skipped)
	}
}
