package importers_test

import (
	"maps"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
)

func TestSplitSource(t *testing.T) {
	tests := []struct {
		in, path string
		opts     map[string]string
		err      string
	}{
		{"/data/ravdess", "/data/ravdess", map[string]string{}, ""},                                   // no options
		{"/data/ravdess,ratings=/r.csv", "/data/ravdess", map[string]string{"ratings": "/r.csv"}, ""}, // one option
		{"/d, Ratings = /r.csv", "/d", map[string]string{"ratings": "/r.csv"}, ""},                    // spaces and case in the key
		{"/d,rating=/r.csv", "", nil, `source option "rating=/r.csv"`},                                // misspelt: refused, not ignored
		{"/d,ratings=", "", nil, "want key=value"},                                                    // empty value
		{"/d,ratings=/a,ratings=/b", "", nil, "given twice"},                                          // repeated
	}
	for _, tt := range tests {
		path, opts, err := importers.SplitSource("ravdess", tt.in, "ratings")
		if tt.err != "" {
			if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("SplitSource(%q): %v, want EINVALID with %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || path != tt.path || !maps.Equal(opts, tt.opts) {
			t.Errorf("SplitSource(%q) = %q, %v, %v; want %q, %v", tt.in, path, opts, err, tt.path, tt.opts)
		}
	}
}

// TestCompare checks that the basic question always names the position of
// the recording with more, and that both orders occur.
func TestCompare(t *testing.T) {
	less := eh.Media{Path: "media/x/less.wav", Kind: eh.Audio}
	more := eh.Media{Path: "media/x/more.wav", Kind: eh.Audio}
	q := importers.MoreQuestion("the speaker", "sound", "angrier", "recording")
	r := swap.New(1, "test")
	seen := map[string]int{}
	for range 20 {
		p := importers.Compare(eh.Pair{}, less, more, r, q)
		pos := map[string]string{more.Path: "first"}[p.Context.Media[0].Path]
		if pos == "" {
			pos = "second"
		}
		other := map[string]string{"first": "second", "second": "first"}[pos]
		want := "Does the speaker sound angrier in the " + pos + " recording than in the " + other + "?"
		if p.Basic.Text != want || p.Basic.Gold != eh.Yes || p.Hallucinated.Gold != eh.No ||
			p.Hallucinated.Text != "Does the speaker sound angrier in the "+other+" recording than in the "+pos+"?" {
			t.Fatalf("media %v: %+v / %+v, want basic %q", p.Context.Media, p.Basic, p.Hallucinated, want)
		}
		seen[pos]++
	}
	if seen["first"] == 0 || seen["second"] == 0 {
		t.Errorf("orders %v: want both", seen)
	}
}

func TestComparisonRules(t *testing.T) {
	tests := []struct {
		a, b           importers.Take
		stronger, more bool
	}{
		{importers.Take{Emotion: swap.Neutral}, importers.Take{Emotion: swap.Fear}, true, true},                             // high arousal against neutral
		{importers.Take{Emotion: swap.Neutral}, importers.Take{Emotion: swap.Calm, Strong: true}, false, false},             // never calm against neutral
		{importers.Take{Emotion: swap.Neutral}, importers.Take{Emotion: swap.Disgust}, false, false},                        // a mild disgusted take can sound neutral
		{importers.Take{Emotion: swap.Calm}, importers.Take{Emotion: swap.Disgust, Strong: true}, false, false},             // both subdued
		{importers.Take{Emotion: swap.Anger, Strong: true}, importers.Take{Emotion: swap.Calm}, false, true},                // calmer, not stronger
		{importers.Take{Emotion: swap.Fear, Strong: true}, importers.Take{Emotion: swap.Anger, Strong: true}, false, false}, // two emotions, close
	}
	for _, tt := range tests {
		if got := importers.ClearlyStronger(tt.a, tt.b); got != tt.stronger {
			t.Errorf("ClearlyStronger(%+v, %+v) = %v", tt.a, tt.b, got)
		}
		if got := importers.ClearlyMore(tt.a, tt.b); got != tt.more {
			t.Errorf("ClearlyMore(%+v, %+v) = %v", tt.a, tt.b, got)
		}
	}
}

// TestClearlyStronger pins which takes of different emotions are compared for
// intensity.
func TestClearlyStronger(t *testing.T) {
	take := func(l swap.Label, strong bool) importers.Take { return importers.Take{Emotion: l, Strong: strong} }
	for _, tt := range []struct {
		a, b importers.Take
		want bool
	}{
		{take(swap.Neutral, false), take(swap.Anger, false), true},     // anger stands out even at normal intensity
		{take(swap.Neutral, false), take(swap.Surprise, true), true},   // strong surprise does
		{take(swap.Neutral, false), take(swap.Surprise, false), false}, // normal surprise may be a mild lift of pitch
		{take(swap.Calm, false), take(swap.Sadness, true), false},      // sadness can sound as subdued as calm
		{take(swap.Fear, true), take(swap.Anger, true), false},         // two portrayals are never ranked
	} {
		if got := importers.ClearlyStronger(tt.a, tt.b); got != tt.want {
			t.Errorf("ClearlyStronger(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
