package cremad_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/cremad"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/importers/swap"
)

// TestLongVideo builds long videos from the six videos of actor 1001 with
// real ffmpeg (six clips each, about 12 s, to keep the test short) and checks
// that every temporal pair's gold follows from the clips listed for its
// sequence.
func TestLongVideo(t *testing.T) {
	src := importerstest.DataDir(t, "cremad")
	importerstest.RequireFFmpeg(t)
	env, dir := importerstest.Env(t, 7)
	ctx := context.Background()
	res, err := cremad.Importer{}.Import(ctx, src+",long-video=6", env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	seqs := map[string]importers.Sequence{}
	for _, s := range res.Sequences {
		seqs[s.Media] = s
		for i := 1; i < len(s.Emotions); i++ {
			if a, b := swap.Label(s.Emotions[i-1]), swap.Label(s.Emotions[i]); a != b && !swap.IsDistant(a, b) {
				t.Errorf("%s: %s follows %s, which listeners confuse", s.Media, b, a)
			}
		}
		if s.Seconds < importers.MinSequenceSeconds {
			t.Errorf("%s lasts %.1f s", s.Media, s.Seconds)
		}
		if strings.Contains(strings.Join(s.Emotions, " "), "sadness") {
			t.Errorf("%s uses the SAD video, whose audio-visual raters perceived neutral", s.Media)
		}
	}
	// Actor 1001: anger, disgust, fear, happiness and neutral agree; far pairs
	// neutral–anger, neutral–fear, disgust–happiness give a switch and a
	// return sequence each, and every emotion a steady one.
	if len(seqs) != 11 {
		t.Errorf("%d sequences, want 11", len(seqs))
	}
	kinds := map[string]int{}
	long := 0
	for _, p := range res.Pairs {
		if p.Modality != eh.LongVideo {
			continue
		}
		long++
		s, ok := seqs[p.Context.Media[0].Path]
		if !ok {
			t.Errorf("%s: media %s not listed in the sequences", p.ID, p.Context.Media[0].Path)
			continue
		}
		kind := tagOf(p, "temporal")
		kinds[kind]++
		changes := 0
		for i := 1; i < len(s.Emotions); i++ {
			if s.Emotions[i] != s.Emotions[i-1] {
				changes++
			}
		}
		switch kind {
		case "order": // the basic question names the emotions in the order they come
			first, last := swap.Adj(swap.Label(s.Emotions[0])), swap.Adj(swap.Label(s.Emotions[len(s.Emotions)-1]))
			if !strings.Contains(p.Basic.Text, first+" first and "+last+" later") || changes != 1 {
				t.Errorf("%s: %q on %v", p.ID, p.Basic.Text, s.Emotions)
			}
		case "change": // changes where it does, the same throughout where not
			if strings.Contains(p.Basic.Text, "change") != (changes > 0) {
				t.Errorf("%s: %q on %v", p.ID, p.Basic.Text, s.Emotions)
			}
		case "count":
			want := map[int]string{1: "exactly once", 2: "exactly twice"}[changes]
			if want == "" || !strings.Contains(p.Basic.Text, want) {
				t.Errorf("%s: %q on %d changes", p.ID, p.Basic.Text, changes)
			}
		case "presence": // the asked emotion never occurs and is far from all that do
			asked := swap.Label(tagOf(p, "asked"))
			for _, e := range s.Emotions {
				if !swap.IsDistant(asked, swap.Label(e)) {
					t.Errorf("%s: asks %s of a sequence with %s", p.ID, asked, e)
				}
			}
		default:
			t.Errorf("%s: temporal kind %q", p.ID, kind)
		}
	}
	if long < 20 {
		t.Errorf("%d long-video pairs, want at least 20", long)
	}
	if kinds["order"] != 3 || kinds["change"] != 11 || kinds["count"] != 6 || kinds["presence"] != 5 {
		t.Errorf("pairs by kind %v", kinds)
	}
	info, err := env.Tools.Probe(ctx, filepath.Join(dir, filepath.FromSlash(res.Sequences[0].Media)))
	if err != nil {
		t.Fatal(err)
	}
	if info.Video != "h264" || info.Audio != "aac" || info.Duration < importers.MinSequenceSeconds {
		t.Errorf("sequence %s: %+v", res.Sequences[0].Media, info)
	}
}

// TestSourceOptions checks that bad option values stop the build with a
// message naming them.
func TestSourceOptions(t *testing.T) {
	src := importerstest.DataDir(t, "cremad")
	for _, c := range []struct{ opt, want string }{
		{"long-video=1", "long-video=1"},          // a sequence needs two clips
		{"long-video=many", "long-video"},         // not a number
		{"cues=loud", "the only value is signal"}, // unknown cue kind
		{"long=6", "long"},                        // unknown key
	} {
		env, _ := importerstest.Env(t, 1)
		_, err := cremad.Importer{}.Import(context.Background(), src+","+c.opt, env)
		if err == nil || eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want EINVALID naming %q", c.opt, err, c.want)
		}
	}
}

// TestMeasuredCues checks the measured cue pairs of the CREMA-D voices: each
// compares a neutral clip with another of the same actor, and its
// explanation holds a difference above the threshold.
func TestMeasuredCues(t *testing.T) {
	src := importerstest.DataDir(t, "cremad")
	importerstest.RequireFFmpeg(t)
	env, dir := importerstest.Env(t, 7)
	res, err := cremad.Importer{}.Import(context.Background(), src+",cues=signal", env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	n := 0
	for _, p := range res.Pairs {
		if p.SubCategory != eh.ReasoningCue {
			continue
		}
		n++
		if len(p.Context.Media) != 2 || !strings.Contains(p.Source.ID, "_NEU_") || p.Modality != eh.Audio {
			t.Errorf("%s: %+v", p.ID, p)
		}
		if !strings.Contains(p.Explanation, "LU louder") && !strings.Contains(p.Explanation, "semitones higher") {
			t.Errorf("%s: explanation without measured values: %s", p.ID, p.Explanation)
		}
	}
	if n < 5 {
		t.Errorf("%d measured cue pairs, want at least 5 (actor 1002's angry voice is 22 LU louder than her neutral one)", n)
	}
}

func tagOf(p eh.Pair, key string) string {
	for _, tg := range p.Tags {
		if v, ok := strings.CutPrefix(tg, key+":"); ok {
			return v
		}
	}
	return ""
}
