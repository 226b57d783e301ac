package importers

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/suite"
)

// Constructed long sequences: clips of one actor, each with a gold emotion
// from its importer's agreement rule, joined into one recording of at least
// MinSequenceSeconds, about which temporal questions are asked (order,
// change, change count, presence). They are sequences of acted clips, not
// natural long video; real long videos come in through the csv importer.
const (
	// MinSequenceSeconds is the shortest sequence made; shorter ones are dropped.
	MinSequenceSeconds = 10
	// TargetSequenceSeconds is the length aimed at when the clip count is auto.
	TargetSequenceSeconds = 30
)

// Sequence kinds. Every emotion that follows another in a sequence is far
// from it (swap.Distant), so each change is one a listener hears.
const (
	// SeqSwitch is A…A B…B: one change, A first.
	SeqSwitch = "switch"
	// SeqReturn is A…A B…B A…A: two changes.
	SeqReturn = "return"
	// SeqSteady is A…A: no change.
	SeqSteady = "steady"
)

// SeqClip is one clip a sequence may use.
type SeqClip struct {
	ID      string // the dataset's id (file stem)
	Path    string // the source file
	Emotion swap.Label
	Seconds float64
}

// SeqPlan is one sequence to build: its kind, its emotions in order, one per
// segment, and its clips in order.
type SeqPlan struct {
	Kind     string
	Segments []swap.Label
	Clips    []SeqClip
}

// Sequence is a built sequence as listed in manifest.json.
type Sequence struct {
	Media    string   `json:"media"`
	Kind     string   `json:"kind"`
	Seconds  float64  `json:"seconds"`
	Clips    []string `json:"clips"`    // source files, in order
	Emotions []string `json:"emotions"` // each clip's gold emotion, in order
}

// ParseSequenceClips reads the long-video= or long-audio= option (key) of
// importer name's source options (from SplitSource): -1 when it is not given
// (no long sequences), 0 for "auto" (enough clips for about
// TargetSequenceSeconds), or a clip count of at least 2.
func ParseSequenceClips(name, key string, opts map[string]string) (int, error) {
	v, ok := opts[key]
	if !ok {
		return -1, nil
	}
	if v == "auto" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 || n > 200 {
		return 0, eh.Errorf(eh.EINVALID, "%s: source option %s=%s: want auto or a clip count from 2 to 200", name, key, v)
	}
	return n, nil
}

// PlanSequences plans the sequences of one actor from clips whose gold holds
// alone: for every pair of the actor's emotions that are far apart, a switch
// sequence in an order drawn with r and a return sequence starting with the
// other emotion, and a steady sequence of every emotion. n is the number of
// clips per sequence (0: enough for TargetSequenceSeconds); each segment
// cycles through its emotion's clips in an order drawn with r, repeating
// them when the actor has fewer.
func PlanSequences(clips []SeqClip, n int, r *swap.Rand) []SeqPlan {
	by := map[swap.Label][]SeqClip{}
	var labels []swap.Label
	var total float64
	for _, c := range clips {
		if by[c.Emotion] == nil {
			labels = append(labels, c.Emotion)
		}
		by[c.Emotion] = append(by[c.Emotion], c)
		total += c.Seconds
	}
	if len(clips) == 0 {
		return nil
	}
	slices.Sort(labels)
	for _, l := range labels {
		cs := by[l]
		r.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
	}
	if n == 0 {
		n = max(2, int(math.Ceil(TargetSequenceSeconds/(total/float64(len(clips))))))
	}
	build := func(kind string, segs ...swap.Label) SeqPlan {
		p := SeqPlan{Kind: kind, Segments: segs}
		per := max(1, (n+len(segs)-1)/len(segs))
		if len(segs) == 1 {
			per = n
		}
		used := map[swap.Label]int{}
		for _, l := range segs {
			for range per {
				p.Clips = append(p.Clips, by[l][used[l]%len(by[l])])
				used[l]++
			}
		}
		return p
	}
	var out []SeqPlan
	for i, a := range labels {
		for _, b := range labels[i+1:] {
			if !swap.IsDistant(a, b) {
				continue
			}
			if r.IntN(2) == 1 {
				a, b = b, a
			}
			out = append(out, build(SeqSwitch, a, b), build(SeqReturn, b, a, b))
		}
	}
	for _, l := range labels {
		out = append(out, build(SeqSteady, l))
	}
	return out
}

// Seconds is the plan's length.
func (p SeqPlan) Seconds() float64 {
	var s float64
	for _, c := range p.Clips {
		s += c.Seconds
	}
	return s
}

// Name is a short file-name-safe name of the plan: kind and segments.
func (p SeqPlan) Name() string {
	parts := []string{p.Kind}
	for _, l := range p.Segments {
		parts = append(parts, string(l))
	}
	return strings.Join(parts, "-")
}

// Concat joins the plan's clips into media/rel (an MP4 with video, else a
// WAV) and returns its reference and the manifest entry.
func (o *Output) Concat(ctx context.Context, p SeqPlan, rel string, kind eh.Modality, video bool) (eh.Media, Sequence, error) {
	var srcs []string
	seq := Sequence{Kind: p.Kind, Seconds: math.Round(p.Seconds()*100) / 100}
	for _, c := range p.Clips {
		srcs = append(srcs, c.Path)
		seq.Emotions = append(seq.Emotions, string(c.Emotion))
	}
	seq.Clips = srcs
	key := strings.Join(srcs, "\n")
	if m, ok, err := o.reuse(key, rel); ok || err != nil {
		seq.Media = m.Path
		return m, seq, err
	}
	ref, full, err := o.target(rel)
	if err != nil {
		return eh.Media{}, seq, err
	}
	if err := o.tools.Concat(ctx, srcs, full, video); err != nil {
		return eh.Media{}, seq, err
	}
	sum, err := suite.FileSHA256(full)
	if err != nil {
		return eh.Media{}, seq, err
	}
	st, err := os.Stat(full)
	if err != nil {
		return eh.Media{}, seq, err
	}
	m := eh.Media{Path: ref, SHA256: sum, Kind: kind}
	o.placed[rel], o.from[rel] = m, key
	o.bytes += st.Size()
	seq.Media = ref
	return m, seq, nil
}

// SeqSubject is how the temporal questions name who is in a sequence.
type SeqSubject struct {
	Who  string // "the man in the video", "the speaker"
	Verb string // "seem", "sound"
	Unit string // "video", "recording"
}

// SequencePairs returns the temporal pairs whose gold follows from the plan
// (base carries the id prefix, modality, media, source and tags; its
// explanation is the clip list, to which the rule of each pair is added):
//
//   - order (switch): "does … seem A first and B later?", the hallucinated
//     question naming the reverse order;
//   - change (all kinds): "does the emotion of … change during the video?"
//     against "does … seem the same throughout the whole video?", yes where the
//     sequence changes and no where it is steady;
//   - count (switch, return): "does the emotion … change exactly once?"
//     against "exactly twice", each the basic question where it is true;
//   - presence (steady): "does … ever seem A?" against an emotion far from A,
//     drawn with r. Sequences with two emotions get no presence pair: no
//     emotion is far (swap.Distant) from both ends of a far-apart pair.
func SequencePairs(p SeqPlan, base eh.Pair, s SeqSubject, r *swap.Rand) []eh.Pair {
	mk := func(kind, basic, hall, why string, tags ...string) eh.Pair {
		q := base
		q.ID = base.ID + "-" + kind
		q.Dimension, q.SubCategory = eh.Perception, eh.Category
		q.Basic = eh.Question{Text: Capitalize(basic), Gold: eh.Yes}
		q.Hallucinated = eh.Question{Text: Capitalize(hall), Gold: eh.No}
		q.Corruption = "swap"
		q.Explanation = base.Explanation + " " + why
		q.Tags = append(append(slices.Clone(base.Tags), "temporal:"+kind, "sequence:"+p.Kind), tags...)
		return q
	}
	changes := fmt.Sprintf("Does the emotion of %s change during the %s?", s.Who, s.Unit)
	same := fmt.Sprintf("Does %s %s the same throughout the whole %s?", s.Who, s.Verb, s.Unit)
	times := func(w string) string {
		return fmt.Sprintf("Does the emotion of %s change exactly %s during the %s?", s.Who, w, s.Unit)
	}
	var emo []string
	for _, l := range p.Segments {
		emo = append(emo, string(l))
	}
	emoTag := "emotions:" + strings.Join(emo, "+")
	var out []eh.Pair
	switch p.Kind {
	case SeqSwitch:
		a, b := p.Segments[0], p.Segments[1]
		order := func(x, y swap.Label) string {
			return fmt.Sprintf("In the %s, does %s %s %s first and %s later?", s.Unit, s.Who, s.Verb, swap.Adj(x), swap.Adj(y))
		}
		out = append(out,
			mk("order", order(a, b), order(b, a), fmt.Sprintf("The %s clips come first, then the %s ones; %s and %s are far apart (swap.Distant).", a, b, a, b), emoTag),
			mk("change", changes, same, fmt.Sprintf("The emotion changes once, from %s to %s.", a, b), emoTag),
			mk("count", times("once"), times("twice"), fmt.Sprintf("One change, from %s to %s.", a, b), emoTag))
	case SeqReturn:
		a, b := p.Segments[0], p.Segments[1]
		out = append(out,
			mk("change", changes, same, fmt.Sprintf("The emotion changes from %s to %s and back.", a, b), emoTag),
			mk("count", times("twice"), times("once"), fmt.Sprintf("Two changes: %s to %s, then back to %s.", a, b, a), emoTag))
	case SeqSteady:
		a := p.Segments[0]
		out = append(out, mk("change", same, changes, fmt.Sprintf("Every clip is %s.", a), "emotion:"+string(a)))
		if far := swap.DistantOf(a); len(far) > 0 {
			x := far[r.IntN(len(far))]
			ever := func(l swap.Label) string {
				return fmt.Sprintf("Does %s ever %s %s in the %s?", s.Who, s.Verb, swap.Adj(l), s.Unit)
			}
			out = append(out, mk("presence", ever(a), ever(x), fmt.Sprintf("Every clip is %s; %s is far from it (swap.Distant) and never occurs.", a, x),
				"emotion:"+string(a), AskedTag(x)))
		}
	}
	return out
}

// SequenceRules states the rules of constructed sequences, for the manifest.
func SequenceRules(unit string) []string {
	return []string{
		fmt.Sprintf("Long %ss are constructed: clips of one actor whose gold holds alone, joined and re-encoded with ffmpeg into sequences of at least %d s (about %d s unless a clip count is given); they are sequences of acted clips, not natural long %ss, and every sequence's clips are listed in the manifest.", unit, MinSequenceSeconds, TargetSequenceSeconds, unit),
		"A sequence has one emotion (steady), two far-apart emotions (switch: A then B) or A, B, A (return); emotions that follow each other are far apart (swap.Distant), so each change is one a listener hears.",
		"Temporal questions: the order of the two emotions (the reverse order is the hallucinated question), whether the emotion changes or stays the same, whether it changes exactly once or twice, and on steady sequences whether an emotion ever occurs against one far from it.",
	}
}

// SeqGroup is one actor (and channel or view) whose clips make sequences.
type SeqGroup struct {
	Dataset string // importer name, the start of ids and media paths
	Key     string // the group in ids and file names ("1001", "01-speech")
	Option  string // the source option, for messages ("long-video")
	Kind    eh.Modality
	Video   bool     // MP4 with video, else WAV
	Tags    []string // the group's tags; "long" is added
	Subject SeqSubject
	// About names the group and how each clip's gold holds, for
	// explanations: "CREMA-D actor 1001", "each perceived as acted by …".
	About, Held string
	Clips       []SeqClip
}

// BuildSequences plans a group's sequences (PlanSequences, clips per sequence
// n, random choices seeded by the group), joins the clips of each one long
// enough into media/<dataset>/long/, and adds the sequences and their pairs
// (SequencePairs) to res; a sequence under MinSequenceSeconds is dropped and
// listed.
func BuildSequences(ctx context.Context, env *Env, res *Result, g SeqGroup, n int) error {
	r := env.Rand(g.Dataset + " " + g.Option + " " + g.Key)
	ext := map[bool]string{true: ".mp4", false: ".wav"}[g.Video]
	for _, plan := range PlanSequences(g.Clips, n, r) {
		name := g.Key + "-" + plan.Name()
		if sec := plan.Seconds(); sec < MinSequenceSeconds {
			res.Drop(name, "", "a sequence of %d clips lasts %.1f s, under %d s: give %s=N with more clips", len(plan.Clips), sec, MinSequenceSeconds, g.Option)
			continue
		}
		m, seq, err := env.Out.Concat(ctx, plan, g.Dataset+"/long/"+name+ext, g.Kind, g.Video)
		if err != nil {
			return err
		}
		res.Sequences = append(res.Sequences, seq)
		var ids, parts []string
		for _, sc := range plan.Clips {
			ids = append(ids, sc.ID)
			parts = append(parts, fmt.Sprintf("%s (%s)", sc.ID, sc.Emotion))
		}
		base := eh.Pair{ID: g.Dataset + "-long-" + name, Modality: g.Kind, Context: eh.Context{Media: []eh.Media{m}},
			Source:      eh.Source{Dataset: g.Dataset, ID: strings.Join(ids, "+")},
			Tags:        append(slices.Clone(g.Tags), "long"),
			Explanation: fmt.Sprintf("A constructed %.0f s %s of %s: %s, %s.", plan.Seconds(), g.Subject.Unit, g.About, strings.Join(parts, ", "), g.Held)}
		res.Pairs = append(res.Pairs, SequencePairs(plan, base, g.Subject, r)...)
	}
	return nil
}
