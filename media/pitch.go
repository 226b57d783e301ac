package media

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	eh "github.com/emohallucer/emohallucer"
)

// Pitch summarises the fundamental frequency of a voice over a recording:
// the 10th, 50th and 90th percentiles of F0 over its voiced frames, and the
// range between the outer two in semitones (12·log2(P90/P10)), a measure of
// how much the voice moves that does not depend on the speaker's register.
type Pitch struct {
	Voiced    int     `json:"voiced_frames"`
	P10       float64 `json:"p10_hz"`
	Median    float64 `json:"median_hz"`
	P90       float64 `json:"p90_hz"`
	Semitones float64 `json:"range_semitones"`
}

// The pitch tracker's settings: 16 kHz mono PCM, 40 ms frames every 10 ms,
// F0 searched between 75 and 500 Hz (speech of men, women and children),
// a frame voiced when it is no more than 30 dB below the loudest frame and its
// normalised autocorrelation peak reaches 0.6.
const (
	pitchRate      = 16000
	pitchFrame     = 640
	pitchHop       = 160
	pitchMinHz     = 75
	pitchMaxHz     = 500
	pitchGateDB    = 30
	pitchVoicedMin = 0.6
)

// MeasurePitch decodes the audio of in with ffmpeg and tracks its pitch.
func (t *Tools) MeasurePitch(ctx context.Context, in string) (Pitch, error) {
	if err := t.Require("measuring the pitch of " + in); err != nil {
		return Pitch{}, err
	}
	raw, err := run(ctx, t.FFmpeg, "-nostdin", "-v", "error", "-i", in, "-map", "0:a:0", "-ac", "1", "-ar", fmt.Sprint(pitchRate), "-f", "s16le", "-")
	if err != nil {
		return Pitch{}, fmt.Errorf("decode %s for pitch: %w", in, err)
	}
	samples := make([]float64, len(raw)/2)
	for i := range samples {
		samples[i] = float64(int16(binary.LittleEndian.Uint16(raw[2*i:]))) / 32768
	}
	p := TrackPitch(samples, pitchRate)
	if p.Voiced == 0 {
		return p, eh.Errorf(eh.EINVALID, "%s: no voiced frames to measure pitch on", in)
	}
	return p, nil
}

// TrackPitch estimates F0 frame by frame with the normalised autocorrelation
// method and summarises it (see Pitch). Of the lags whose correlation is
// within 10 % of the best, the shortest is taken, which avoids the usual
// octave-down error.
func TrackPitch(x []float64, rate int) Pitch {
	minLag, maxLag := rate/pitchMaxHz, rate/pitchMinHz
	var energies []float64
	for start := 0; start+pitchFrame+maxLag <= len(x); start += pitchHop {
		var e float64
		for _, v := range x[start : start+pitchFrame] {
			e += v * v
		}
		energies = append(energies, e)
	}
	loudest := 0.0
	for _, e := range energies {
		loudest = math.Max(loudest, e)
	}
	gate := loudest * math.Pow(10, -pitchGateDB/10.0)
	var f0s []float64
	corr := make([]float64, maxLag+1)
	for k, e := range energies {
		if e == 0 || e < gate {
			continue
		}
		frame := x[k*pitchHop:]
		best := 0.0
		for lag := minLag; lag <= maxLag; lag++ {
			var num, e2 float64
			for i := 0; i < pitchFrame; i++ {
				num += frame[i] * frame[i+lag]
				e2 += frame[i+lag] * frame[i+lag]
			}
			corr[lag] = 0
			if e2 > 0 {
				corr[lag] = num / math.Sqrt(e*e2)
			}
			best = math.Max(best, corr[lag])
		}
		if best < pitchVoicedMin {
			continue
		}
		for lag := minLag; lag <= maxLag; lag++ {
			// A local peak close to the best: the shortest period that repeats.
			if corr[lag] >= 0.9*best && (lag == maxLag || corr[lag] >= corr[lag+1]) {
				f0s = append(f0s, float64(rate)/float64(lag))
				break
			}
		}
	}
	p := Pitch{Voiced: len(f0s)}
	if len(f0s) == 0 {
		return p
	}
	sort.Float64s(f0s)
	q := func(f float64) float64 { return f0s[int(f*float64(len(f0s)-1)+0.5)] }
	p.P10, p.Median, p.P90 = q(0.1), q(0.5), q(0.9)
	p.Semitones = 12 * math.Log2(p.P90/p.P10)
	return p
}
