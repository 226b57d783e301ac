package ravdess_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/importers/ravdess"
	"github.com/emohallucer/emohallucer/importers/swap"
)

// actorsDir copies the recordings of the given actors of the shared sample
// into a temporary folder (the importer walks regular files only, not
// links), so a test builds their sequences only.
func actorsDir(t *testing.T, actors ...string) string {
	t.Helper()
	src := filepath.Join(importerstest.DataDir(t, "ravdess"), "speech")
	dir := t.TempDir()
	files, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, a := range actors {
			if strings.HasSuffix(f.Name(), "-"+a+".wav") {
				b, err := os.ReadFile(filepath.Join(src, f.Name()))
				if err == nil {
					err = os.WriteFile(filepath.Join(dir, f.Name()), b, 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return dir
}

// TestLongAudio builds long recordings of actors 01 and 02 with real ffmpeg,
// twice with one seed, and checks the sequences and their pairs.
func TestLongAudio(t *testing.T) {
	importerstest.RequireFFmpeg(t)
	src := actorsDir(t, "01", "02")
	env, dir := importerstest.Env(t, 7)
	build := func(env *importers.Env, dir string) *importers.Result {
		res, err := ravdess.Importer{}.Import(context.Background(), src+",long-audio=4", env)
		if err != nil {
			t.Fatal(err)
		}
		importerstest.CheckPairs(t, dir, res.Pairs, 0)
		return res
	}
	res := build(env, dir)
	again := build(importerstest.Env(t, 7))
	digests := func(r *importers.Result) []string {
		var out []string
		for _, p := range r.Pairs {
			if slices.Contains(p.Tags, "long") {
				out = append(out, p.ID+" "+p.Context.Media[0].SHA256)
			}
		}
		return out
	}
	if d := digests(res); len(d) == 0 || !slices.Equal(d, digests(again)) {
		t.Errorf("long recordings differ between two builds with one seed (or none): %v", d)
	}
	if len(res.Sequences) == 0 {
		t.Fatal("no sequences")
	}
	for _, s := range res.Sequences {
		if s.Seconds < importers.MinSequenceSeconds || len(s.Clips) < 4 || len(s.Clips) != len(s.Emotions) {
			t.Errorf("sequence %+v", s)
		}
		for i, e := range s.Emotions {
			// Without ratings only neutral, calm and strong portrayals are used alone.
			base := filepath.Base(s.Clips[i])
			if e != string(swap.Neutral) && e != string(swap.Calm) && !strings.HasPrefix(base[9:], "02") {
				t.Errorf("%s: clip %s is a normal-intensity portrayal", s.Media, base)
			}
		}
		info, err := env.Tools.Probe(context.Background(), filepath.Join(dir, filepath.FromSlash(s.Media)))
		if err != nil {
			t.Fatal(err)
		}
		if info.Format != "wav" || info.Audio != "pcm_s16le" || info.Duration < importers.MinSequenceSeconds {
			t.Errorf("%s: %+v", s.Media, info)
		}
	}
	for _, p := range res.Pairs {
		if slices.Contains(p.Tags, "long") && (p.Modality != eh.Audio || !strings.Contains(p.Basic.Text, "recording")) {
			t.Errorf("%s: %s %q", p.ID, p.Modality, p.Basic.Text)
		}
	}
}

// TestMeasuredCues checks RAVDESS's measured cue pairs: every one compares
// with a neutral take of the same actor and states its measured values, and
// actor 01's strongly surprised statement (9 LU louder than the neutral
// one) is among them.
func TestMeasuredCues(t *testing.T) {
	importerstest.RequireFFmpeg(t)
	src := importerstest.DataDir(t, "ravdess")
	env, dir := importerstest.Env(t, 7)
	res, err := ravdess.Importer{}.Import(context.Background(), src+",cues=signal", env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	var ids []string
	for _, p := range res.Pairs {
		if p.SubCategory != eh.ReasoningCue {
			continue
		}
		ids = append(ids, p.ID)
		ref, _, _ := strings.Cut(p.Source.ID, "+")
		if ref[6:8] != "01" || !slices.Contains(p.Tags, "measured") {
			t.Errorf("%s: reference %s is not a neutral take", p.ID, ref)
		}
		if !strings.Contains(p.Explanation, "LUFS") && !strings.Contains(p.Explanation, "Hz") {
			t.Errorf("%s: no measured values in %q", p.ID, p.Explanation)
		}
	}
	if !slices.Contains(ids, "ravdess-03-01-01-01-01-01-01-vs-03-01-08-02-02-01-01-loudness") {
		t.Errorf("actor 01's surprised take is not compared for loudness: %v", ids)
	}
}
