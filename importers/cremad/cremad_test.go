package cremad_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/cremad"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/media"
)

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "cremad")
	importerstest.RequireFFmpeg(t)
	env, dir := importerstest.Env(t, 1)
	res, err := cremad.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	count := map[eh.Modality]int{}
	for _, p := range res.Pairs {
		count[p.Modality]++
		if p.Modality == eh.ShortVideo && !strings.HasSuffix(p.Context.Media[0].Path, ".mp4") {
			t.Errorf("%s: video %s was not converted to MP4", p.ID, p.Context.Media[0].Path)
		}
	}
	// Audio: SAD perceived neutral → 5 of 6. Video: audio-visual 5 (SAD), face
	// 3 (DIS seen as anger, FEA as disgust, SAD as neutral), voice 4 (HAP and SAD
	// heard as neutral).
	if count[eh.Audio] != 5 || count[eh.ShortVideo] != 12 {
		t.Errorf("pairs by modality %v, want audio 5, short-video 12", count)
	}
	if len(res.Dropped) != 7 {
		t.Errorf("dropped %d, want 7: %+v", len(res.Dropped), res.Dropped)
	}
	for _, d := range res.Dropped {
		if !strings.Contains(d.Reason, "perceived") || d.Path == "" {
			t.Errorf("drop %+v: want a perceived-label reason and a path", d)
		}
	}
	info, err := media.Find().Probe(context.Background(), filepath.Join(dir, "media", "cremad", "1001_DFA_ANG_XX.mp4"))
	if err != nil || info.Video != "h264" || info.Audio != "aac" {
		t.Errorf("converted clip: %+v, %v", info, err)
	}
}

// TestIntensity uses the perceived votes of sentence IEO, the only sentence
// CREMA-D codes for intensity, with copies of a staged clip under those names:
// HI and LO where the voice raters agree with the acted emotion give pairs.
func TestIntensity(t *testing.T) {
	src := importerstest.DataDir(t, "cremad")
	tmp := t.TempDir()
	table, err := os.ReadFile(filepath.Join(src, "summaryTable.csv"))
	if err != nil {
		t.Fatal(err)
	}
	clip, err := os.ReadFile(filepath.Join(src, "audio_mp3", "1002_DFA_HAP_XX.mp3"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"summaryTable.csv": table}
	// summaryTable voice votes: 1001_IEO_HAP_HI H (agrees), 1001_IEO_HAP_LO N
	// (disagrees), 1001_IEO_HAP_MD N, 1001_IEO_ANG_HI D (disagrees),
	// 1002_IEO_SAD_LO S (agrees).
	for _, n := range []string{"1001_IEO_HAP_HI", "1001_IEO_HAP_LO", "1001_IEO_HAP_MD", "1001_IEO_ANG_HI", "1002_IEO_SAD_LO"} {
		files[n+".mp3"] = clip
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(tmp, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env, dir := importerstest.Env(t, 1)
	res, err := cremad.Importer{}.Import(context.Background(), tmp, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	var got []string
	for _, p := range res.Pairs {
		if p.SubCategory == eh.Intensity {
			got = append(got, p.ID+": "+p.Basic.Text+" / "+p.Hallucinated.Text)
		}
	}
	want := []string{
		"cremad-1001_IEO_HAP_HI-audio-intensity: Does the speaker express happiness with high intensity? / Does the speaker express happiness with low intensity?",
		"cremad-1002_IEO_SAD_LO-audio-intensity: Does the speaker express sadness with low intensity? / Does the speaker express sadness with high intensity?",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("intensity pairs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestErrors(t *testing.T) {
	src := importerstest.DataDir(t, "cremad")
	// Without the summary table there are no perceived labels.
	tmp := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(src, "audio_mp3", "1002_DFA_ANG_XX.mp3"))
	os.WriteFile(filepath.Join(tmp, "1002_DFA_ANG_XX.mp3"), b, 0o644)
	env, _ := importerstest.Env(t, 1)
	_, err := cremad.Importer{}.Import(context.Background(), tmp, env)
	if eh.ErrorCode(err) != eh.ENOTFOUND || !strings.Contains(eh.ErrorHint(err), "summaryTable.csv") {
		t.Errorf("no summary table: %v", err)
	}
	// Video without ffmpeg fails the import with the install hint rather than
	// dropping every clip.
	env.Tools = &media.Tools{}
	_, err = cremad.Importer{}.Import(context.Background(), src, env)
	if eh.ErrorCode(err) != eh.ENOTFOUND || !strings.Contains(eh.ErrorHint(err), "ffmpeg") {
		t.Errorf("no ffmpeg: %v", err)
	}
}
