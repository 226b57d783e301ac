package importers

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/swap"
)

// TestPlanSequences checks which sequences an actor's clips allow and how
// many clips each gets.
func TestPlanSequences(t *testing.T) {
	clip := func(l swap.Label, id string) SeqClip {
		return SeqClip{ID: id, Path: id + ".wav", Emotion: l, Seconds: 2}
	}
	for _, c := range []struct {
		name  string
		clips []SeqClip
		n     int
		want  []string // kind:segments, per plan
	}{
		{"far-apart pair: switch, return, two steady", []SeqClip{clip(swap.Neutral, "n"), clip(swap.Anger, "a")}, 4,
			[]string{"switch:2", "return:3", "steady:1", "steady:1"}},
		{"neutral and sadness are confused: steady only", []SeqClip{clip(swap.Neutral, "n"), clip(swap.Sadness, "s")}, 4,
			[]string{"steady:1", "steady:1"}},
		{"auto: about 30 s of 2 s clips is 15", []SeqClip{clip(swap.Happiness, "h")}, 0,
			[]string{"steady:1"}},
	} {
		plans := PlanSequences(c.clips, c.n, swap.New(7, c.name))
		var got []string
		for _, p := range plans {
			got = append(got, fmt.Sprintf("%s:%d", p.Kind, len(p.Segments)))
			per := len(p.Clips) / len(p.Segments)
			want := c.n
			if want == 0 {
				want = 15
			}
			if len(p.Segments) > 1 {
				want = (want + len(p.Segments) - 1) / len(p.Segments)
			}
			if per != want || len(p.Clips)%len(p.Segments) != 0 {
				t.Errorf("%s: %s has %d clips for %d segments, want %d each", c.name, p.Name(), len(p.Clips), len(p.Segments), want)
			}
			for i, cl := range p.Clips { // each segment holds clips of its emotion only
				if seg := p.Segments[i/per]; cl.Emotion != seg {
					t.Errorf("%s: %s clip %d is %s in a %s segment", c.name, p.Name(), i, cl.Emotion, seg)
				}
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: plans %v, want %v", c.name, got, c.want)
		}
	}
}

// TestSequencePairsBalance checks that every temporal wording is as often in
// basic as in hallucinated questions over a switch, a return and a steady
// sequence of the same emotions, so the wording alone does not give the
// answer.
func TestSequencePairsBalance(t *testing.T) {
	clips := []SeqClip{{ID: "n", Emotion: swap.Neutral, Seconds: 3}, {ID: "a", Emotion: swap.Anger, Seconds: 3}}
	var basic, hall []string
	for _, p := range PlanSequences(clips, 4, swap.New(1, "x")) {
		for _, q := range SequencePairs(p, eh.Pair{ID: "x", Modality: eh.Audio}, SeqSubject{Who: "the speaker", Verb: "sound", Unit: "recording"}, swap.New(1, "y")) {
			basic = append(basic, q.Basic.Text)
			hall = append(hall, q.Hallucinated.Text)
		}
	}
	for _, phrase := range []string{"change during", "the same throughout", "exactly once", "exactly twice"} {
		b, h := countIn(basic, phrase), countIn(hall, phrase)
		if b != h {
			t.Errorf("%q: %d basic, %d hallucinated", phrase, b, h)
		}
	}
}

func countIn(qs []string, phrase string) int {
	n := 0
	for _, q := range qs {
		if strings.Contains(q, phrase) {
			n++
		}
	}
	return n
}
