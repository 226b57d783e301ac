package importers

import (
	"context"
	"fmt"
	"math"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/media"
)

// Thresholds of the measured audio cues: a difference smaller than these
// is not asked about, because a listener could hesitate. 6 LU is about one
// and a half times as loud to the ear (loudness doubles every 10 LU); 4
// semitones (a major third) in the median pitch is a rise anyone hears.
const (
	LoudnessLU     = 6.0
	PitchSemitones = 4.0
	// MinVoicedFrames is how many voiced 10 ms frames a recording needs for
	// its median pitch to be trusted.
	MinVoicedFrames = 20
)

// SignalCueOption is the source option that turns measured audio cues on
// (`--from ravdess=DIR,cues=signal`).
const SignalCueOption = "cues"

// SignalCuesOn reports whether the source options of importer name (from
// SplitSource) turn measured cues on, refusing a value other than signal.
func SignalCuesOn(name string, opts map[string]string) (bool, error) {
	v, ok := opts[SignalCueOption]
	if ok && v != "signal" {
		return false, eh.Errorf(eh.EINVALID, "%s: source option %s=%s: the only value is signal", name, SignalCueOption, v)
	}
	return ok, nil
}

// Signal is what was measured of a recording.
type Signal struct {
	LUFS  float64 // integrated loudness, EBU R 128
	Pitch media.Pitch
}

// MeasureSignal measures a recording's loudness and pitch with ffmpeg.
func MeasureSignal(ctx context.Context, t *media.Tools, path string) (Signal, error) {
	l, err := t.Loudness(ctx, path)
	if err != nil {
		return Signal{}, err
	}
	p, err := t.MeasurePitch(ctx, path)
	if err != nil && eh.ErrorCode(err) != eh.EINVALID {
		return Signal{}, err
	}
	return Signal{LUFS: l, Pitch: p}, nil // no voiced frames: pitch is not asked
}

// CueClip is a recording a measured cue pair shows: its media, its name for
// explanations and what was measured.
type CueClip struct {
	Name   string
	Media  eh.Media
	Signal Signal
}

// SignalCues returns the reasoning-cue pairs comparing target with ref, a
// neutral take of the same person, whose gold is measured rather than
// assumed from the acted label: whether the voice is louder (integrated
// loudness differs by at least LoudnessLU) and whether it is higher
// (median pitch differs by at least PitchSemitones, both with at least
// MinVoicedFrames voiced frames). Each pair shows the two recordings in an
// order drawn with r (Compare); the basic question names the right one, the
// hallucinated one the reverse, and the explanation carries the measured
// values. base carries the id prefix, modality, source and tags.
func SignalCues(base eh.Pair, ref, target CueClip, who string, r *swap.Rand) []eh.Pair {
	var out []eh.Pair
	cue := func(kind, word string, less, more CueClip, why string) {
		p := base
		p.ID = base.ID + "-" + kind
		p.Dimension, p.SubCategory = eh.Perception, eh.ReasoningCue
		p.Tags = append(append([]string(nil), base.Tags...), "cue:"+kind, "measured")
		p.Explanation = why
		out = append(out, Compare(p, less.Media, more.Media, r, func(a, b string) string {
			return Capitalize(fmt.Sprintf("Is %s's voice %s in the %s recording than in the %s?", who, word, a, b))
		}))
	}
	if d, ok := louder(ref.Signal, target.Signal); ok {
		less, more := ref, target
		if d < 0 {
			less, more = target, ref
		}
		cue("loudness", "louder", less, more, fmt.Sprintf("Measured integrated loudness (EBU R 128, ffmpeg ebur128): %s %.1f LUFS, %s (neutral) %.1f LUFS; %s is %.1f LU louder (asked only from %.0f LU).",
			target.Name, target.Signal.LUFS, ref.Name, ref.Signal.LUFS, more.Name, math.Abs(d), LoudnessLU))
	}
	if st, ok := higher(ref.Signal, target.Signal); ok {
		pt, pr := target.Signal.Pitch, ref.Signal.Pitch
		less, more := ref, target
		if st < 0 {
			less, more = target, ref
		}
		cue("pitch", "higher-pitched", less, more, fmt.Sprintf("Measured median pitch (autocorrelation, %d and %d voiced frames): %s %.0f Hz, %s (neutral) %.0f Hz; %s is %.1f semitones higher (asked only from %.0f).",
			pt.Voiced, pr.Voiced, target.Name, pt.Median, ref.Name, pr.Median, more.Name, math.Abs(st), PitchSemitones))
	}
	return out
}

// louder is how much louder target is than ref, in LU, and whether the
// difference is large enough to ask about (LoudnessLU).
func louder(ref, target Signal) (float64, bool) {
	d := target.LUFS - ref.LUFS
	return d, math.Abs(d) >= LoudnessLU
}

// higher is how much higher target's median pitch is than ref's, in
// semitones, and whether both have enough voiced frames and the difference is
// large enough to ask about (PitchSemitones).
func higher(ref, target Signal) (float64, bool) {
	if target.Pitch.Voiced < MinVoicedFrames || ref.Pitch.Voiced < MinVoicedFrames {
		return 0, false
	}
	st := 12 * math.Log2(target.Pitch.Median/ref.Pitch.Median)
	return st, math.Abs(st) >= PitchSemitones
}

// SignalCueRules states the rules of measured cues, for the manifest.
func SignalCueRules() []string {
	return []string{fmt.Sprintf("Measured cues compare a recording with a neutral take of the same person: louder only where the integrated loudness (EBU R 128) differs by at least %.0f LU, higher-pitched only where the median pitch differs by at least %.0f semitones (each recording with at least %d voiced frames); the measured values are in each pair's explanation, and the order of the two recordings is drawn with the seed.", LoudnessLU, PitchSemitones, MinVoicedFrames)}
}

// CueJob is a measured-cue comparison to make: a recording against a neutral
// take of the same person, with what was measured of both.
type CueJob[T any] struct {
	Ref, Target       T
	RefSig, TargetSig Signal
}

// CueTake describes one recording to PlanSignalCues.
type CueTake struct {
	Group   string // who and how: the same person, channel and view
	Neutral bool   // a neutral take, the reference
	Path    string // the file to measure
	Match   string // a neutral take with the same Match (statement) is preferred
}

// PlanSignalCues measures every recording of a group that has a neutral take,
// and that neutral take, and returns the comparisons whose measured
// difference is large enough for a question (louder or higher, as SignalCues
// asks).
func PlanSignalCues[T comparable](ctx context.Context, t *media.Tools, items []T, take func(T) CueTake) ([]CueJob[T], error) {
	sig := map[T]Signal{}
	measure := func(it T) (Signal, error) {
		if s, ok := sig[it]; ok {
			return s, nil
		}
		s, err := MeasureSignal(ctx, t, take(it).Path)
		sig[it] = s
		return s, err
	}
	neutrals := map[string][]T{}
	for _, it := range items {
		if tk := take(it); tk.Neutral {
			neutrals[tk.Group] = append(neutrals[tk.Group], it)
		}
	}
	var out []CueJob[T]
	for _, it := range items {
		tk := take(it)
		refs := neutrals[tk.Group]
		if tk.Neutral || len(refs) == 0 {
			continue
		}
		ref := refs[0]
		for _, n := range refs {
			if take(n).Match == tk.Match {
				ref = n
				break
			}
		}
		rs, err := measure(ref)
		if err != nil {
			return nil, err
		}
		ts, err := measure(it)
		if err != nil {
			return nil, err
		}
		_, loud := louder(rs, ts)
		_, high := higher(rs, ts)
		if loud || high {
			out = append(out, CueJob[T]{Ref: ref, Target: it, RefSig: rs, TargetSig: ts})
		}
	}
	return out, nil
}
