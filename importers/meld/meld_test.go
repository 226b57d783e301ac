package meld_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/importers/meld"
	"github.com/emohallucer/emohallucer/importers/swap"
)

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "meld")
	env, dir := importerstest.Env(t, 1)
	res, err := meld.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	if len(res.Pairs) < 10 {
		t.Errorf("%d pairs, want at least 10", len(res.Pairs))
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

// TestCheck pins the text rules on real Friends lines (dev split).
func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		line      string
		label     swap.Label
		why       string // "" when the line makes a text pair
		needsClip bool
	}{
		// The line says it.
		{"I’m gonna miss you so much!", swap.Sadness, "", false},
		{"Ohh, Monica, I am so excited for you.", swap.Happiness, "", false},
		// Banter: "shut up" and "I love you" need the voice.
		{"I, umm, shut up!", swap.Anger, "does not state", true},
		{"Yeah, I love you. Okay, bye! Hi!", swap.Happiness, "does not state", true},
		// A set phrase and self-blame are not anger.
		{"I may have to, I hate to do it, but I’m the star!", swap.Anger, "does not state", true},
		{"Y'know none of my other student thought I was stupid.", swap.Anger, "speaker themself", true},
		// Two words are too few.
		{"Oh God", swap.Fear, "shorter than", false},
		// Mixed: praise in a line labelled anger is dropped.
		{"Oh that's just great, thanks a lot.", swap.Anger, "other valence", false},
	} {
		why, drop, needsClip := meld.Check(tt.line, tt.line, tt.label)
		if (tt.why == "") != (why == "") || !strings.Contains(why, tt.why) || needsClip != tt.needsClip || drop != strings.Contains(why, "other valence") {
			t.Errorf("Check(%q, %s) = %q, %v, %v; want %q, clip %v", tt.line, tt.label, why, drop, needsClip, tt.why, tt.needsClip)
		}
	}
}

// TestMedia gives the clips of the first six dialogues (one real
// ffmpeg-made MP4, linked under each name, in MELD.Raw's dev_splits_complete
// layout): lines whose emotion needs the face or the voice become short-video
// pairs with their clip, the text pairs stay, and a clip that does not decode
// stops the import with its path.
func TestMedia(t *testing.T) {
	importerstest.RequireFFmpeg(t)
	src := importerstest.DataDir(t, "meld")
	clips := filepath.Join(t.TempDir(), "MELD.Raw")
	dev := filepath.Join(clips, "dev_splits_complete")
	if err := os.MkdirAll(dev, 0o755); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(clips, "one.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-f", "lavfi", "-i", "sine=frequency=440",
		"-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-y", one).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	for d := 0; d < 6; d++ {
		for u := 0; u < 30; u++ {
			if err := os.Link(one, filepath.Join(dev, fmt.Sprintf("dia%d_utt%d.mp4", d, u))); err != nil {
				t.Fatal(err)
			}
		}
	}
	env, dir := importerstest.Env(t, 1)
	res, err := meld.Importer{}.Import(context.Background(), src+",media="+clips, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, -1)
	mods := map[eh.Modality]int{}
	for _, p := range res.Pairs {
		mods[p.Modality]++
		if p.Modality != eh.ShortVideo {
			continue
		}
		if len(p.Context.Media) != 1 || !strings.HasPrefix(p.Context.Media[0].Path, "media/meld/dev/dia") || p.Context.Media[0].Kind != eh.ShortVideo {
			t.Errorf("%s: media %+v", p.ID, p.Context.Media)
		}
		if !strings.HasPrefix(p.Basic.Text, "In the clip, which shows the last line, does ") {
			t.Errorf("%s: question %q", p.ID, p.Basic.Text)
		}
		var d, u int
		if _, err := fmt.Sscanf(p.Source.ID, "dev:dia%d_utt%d", &d, &u); err != nil || d >= 6 {
			t.Errorf("%s: video pair for %s, which has no clip", p.ID, p.Source.ID)
		}
	}
	if mods[eh.ShortVideo] == 0 || mods[eh.Text] == 0 {
		t.Errorf("pairs by modality %v, want both short-video and text", mods)
	}
	if res.Skipped["needs the face or voice, and its clip is not in media=DIR"] == 0 {
		t.Errorf("skipped %v: lines of dialogues without clips should be counted", res.Skipped)
	}

	// A damaged clip is an error naming it.
	bad := filepath.Join(dev, "dia0_utt0.mp4")
	os.Remove(bad)
	if err := os.WriteFile(bad, []byte("not a video"), 0o644); err != nil {
		t.Fatal(err)
	}
	env, _ = importerstest.Env(t, 1)
	if _, err := (meld.Importer{}).Import(context.Background(), src+",media="+clips, env); err == nil || !strings.Contains(err.Error(), "dia0_utt0.mp4") {
		t.Errorf("damaged clip: err %v, want one naming dia0_utt0.mp4", err)
	}

	// A media root that is not a folder, and an unknown option.
	for _, spec := range []string{src + ",media=" + filepath.Join(clips, "nope"), src + ",split=dev"} {
		env, _ = importerstest.Env(t, 1)
		if _, err := (meld.Importer{}).Import(context.Background(), spec, env); err == nil {
			t.Errorf("%s: no error", spec)
		}
	}
}
