package media

import (
	"context"
	"math"
	"testing"
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
