package media

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestTrackPitchSynthetic checks the tracker on tones whose pitch is known.
func TestTrackPitchSynthetic(t *testing.T) {
	tone := func(hz ...float64) []float64 {
		var x []float64
		for _, f := range hz { // half a second of each, with two harmonics like a voice
			for i := 0; i < pitchRate/2; i++ {
				s := float64(i) / pitchRate
				x = append(x, 0.5*math.Sin(2*math.Pi*f*s)+0.3*math.Sin(4*math.Pi*f*s)+0.1*math.Sin(6*math.Pi*f*s))
			}
		}
		return x
	}
	for _, c := range []struct {
		name      string
		x         []float64
		median    float64
		semitones float64
	}{
		{"a steady 120 Hz voice: no range", tone(120, 120), 120, 0},
		{"220 Hz, not the octave below", tone(220), 220, 0},
		{"an octave leap 150 → 300 Hz: 12 semitones", tone(150, 300), 150, 12},
	} {
		p := TrackPitch(c.x, pitchRate)
		if p.Voiced == 0 || math.Abs(p.Median-c.median) > c.median*0.03 || math.Abs(p.Semitones-c.semitones) > 0.6 {
			t.Errorf("%s: got %+v", c.name, p)
		}
	}
	if p := TrackPitch(make([]float64, pitchRate), pitchRate); p.Voiced != 0 {
		t.Errorf("silence: %d voiced frames", p.Voiced)
	}
}

// TestMeasureRealClips measures RAVDESS actor 01's neutral and strongly
// surprised statements with real ffmpeg: the surprised take is louder and
// its voice is higher.
func TestMeasureRealClips(t *testing.T) {
	tools := tools(t)
	ctx := context.Background()
	neutral, surprised := data(t, "ravdess/speech/03-01-01-01-01-01-01.wav"), data(t, "ravdess/speech/03-01-08-02-02-01-01.wav")
	ln, err := tools.Loudness(ctx, neutral)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := tools.Loudness(ctx, surprised)
	if err != nil {
		t.Fatal(err)
	}
	pn, err := tools.MeasurePitch(ctx, neutral)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := tools.MeasurePitch(ctx, surprised)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("neutral %.1f LUFS %+v; surprised %.1f LUFS %+v", ln, pn, ls, ps)
	if ln > -10 || ln < -70 || ls <= ln {
		t.Errorf("loudness neutral %.1f, surprised %.1f LUFS: want plausible values, surprised louder", ln, ls)
	}
	if pn.Median < 75 || pn.Median > 250 || ps.Median < 1.2*pn.Median {
		t.Errorf("pitch neutral %+v, surprised %+v: want a male register and a higher surprised voice", pn, ps)
	}
}

// TestConcat joins real clips of different formats with real ffmpeg: the
// result has the uniform format, lasts as long as its parts, and the same
// inputs give the same bytes.
func TestConcat(t *testing.T) {
	tl := tools(t)
	ctx := context.Background()
	flv, mp3 := data(t, "cremad/video/1001_DFA_ANG_XX.flv"), data(t, "cremad/audio_mp3/1002_DFA_NEU_XX.mp3")
	wav := data(t, "ravdess/speech/03-01-01-01-01-01-01.wav")
	for _, c := range []struct {
		name   string
		ins    []string
		video  bool
		format string
		codecs [2]string // video, audio
	}{
		{"audio from WAV and MP3, a clip repeated", []string{wav, mp3, wav}, false, "wav", [2]string{"", "pcm_s16le"}},
		{"video from FLV, twice", []string{flv, flv}, true, "mov,mp4,m4a,3gp,3g2,mj2", [2]string{"h264", "aac"}},
	} {
		dir := t.TempDir()
		var want float64
		for _, in := range c.ins {
			info, err := tl.Probe(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			want += info.Duration
		}
		var sums []string
		for i := range 2 {
			out := filepath.Join(dir, fmt.Sprintf("out%d.%s", i, map[bool]string{true: "mp4", false: "wav"}[c.video]))
			if err := tl.Concat(ctx, c.ins, out, c.video); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			info, err := tl.Probe(ctx, out)
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != c.format || info.Video != c.codecs[0] || info.Audio != c.codecs[1] || math.Abs(info.Duration-want) > 0.3 ||
				(c.video && (info.Width != SequenceWidth || info.Height != SequenceHeight)) {
				t.Errorf("%s: %+v, want %.2f s", c.name, info, want)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			sums = append(sums, fmt.Sprintf("%x", sha256.Sum256(b)))
		}
		if sums[0] != sums[1] {
			t.Errorf("%s: two runs gave different bytes", c.name)
		}
	}
	if err := tl.Concat(ctx, []string{wav}, filepath.Join(t.TempDir(), "x.wav"), false); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("one clip: %v, want EINVALID", err)
	}
}
