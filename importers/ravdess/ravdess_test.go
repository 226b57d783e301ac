package ravdess_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/importers/ravdess"
	"github.com/emohallucer/emohallucer/importers/swap"
)

// stronger returns the media path of the recording a two-recording pair says
// has more of what it asks about: the second of the pair's source ids.
func stronger(t *testing.T, p eh.Pair) (pos string) {
	t.Helper()
	_, b, ok := strings.Cut(p.Source.ID, "+")
	if !ok || len(p.Context.Media) != 2 {
		t.Fatalf("%s: want two recordings and a source id a+b, got %q and %d media", p.ID, p.Source.ID, len(p.Context.Media))
	}
	if strings.HasSuffix(p.Context.Media[0].Path, "/"+b+".wav") {
		return "first"
	}
	return "second"
}

// adjectives returns the emotion words of a one-recording pair's questions.
func adjectives(p eh.Pair) (gold, wrong swap.Label) {
	word := func(q string) swap.Label {
		f := strings.Fields(strings.TrimSuffix(q, "?"))
		l, _ := swap.Normalize(f[len(f)-1])
		return l
	}
	return word(p.Basic.Text), word(p.Hallucinated.Text)
}

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "ravdess")
	env, dir := importerstest.Env(t, 7)
	res, err := ravdess.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	count := map[string]int{}
	for _, p := range res.Pairs {
		count[fmt.Sprintf("%s/%d", p.SubCategory, len(p.Context.Media))]++
		if p.Modality != eh.Audio {
			t.Errorf("%s: modality %s, want audio", p.ID, p.Modality)
		}
		// The spoken sentences are neutral: the questions must not name them.
		for _, q := range []string{p.Basic.Text, p.Hallucinated.Text} {
			for _, w := range []string{"kids", "dogs", "door", "sentence", "statement"} {
				if strings.Contains(strings.ToLower(q), w) {
					t.Errorf("%s: question %q mentions %q", p.ID, q, w)
				}
			}
		}
		if len(p.Context.Media) == 1 {
			// One recording: without ratings only neutral, calm and strong
			// portrayals, and a wrong label far from the gold one.
			gold, wrong := adjectives(p)
			if !slices.Contains(p.Tags, "intensity:strong") && gold != swap.Neutral && gold != swap.Calm {
				t.Errorf("%s: a normal-intensity %s portrayal asked about alone", p.ID, gold)
			}
			if !swap.IsDistant(gold, wrong) {
				t.Errorf("%s: %s asked against %s, which listeners confuse with it", p.ID, gold, wrong)
			}
			if p.SubCategory != eh.Category {
				t.Errorf("%s: one recording in a %s pair", p.ID, p.SubCategory)
			}
			continue
		}
		// Two recordings: the basic question names the stronger one, the
		// hallucinated one the other.
		pos := stronger(t, p)
		other := map[string]string{"first": "second", "second": "first"}[pos]
		if !strings.Contains(p.Basic.Text, " the "+pos+" recording than in the "+other+"?") ||
			!strings.Contains(p.Hallucinated.Text, " the "+other+" recording than in the "+pos+"?") {
			t.Errorf("%s: stronger recording is the %s, questions %q / %q", p.ID, pos, p.Basic.Text, p.Hallucinated.Text)
		}
	}
	// 60 one-recording pairs: 12 neutral, 12 calm and 36 strong portrayals.
	// Comparisons within each actor's four recordings (see the rules).
	want := map[string]int{"category/1": 60, "category/2": 57, "intensity/2": 26}
	if !maps.Equal(count, want) || len(res.Dropped) != 0 {
		t.Errorf("got %v pairs and %d dropped, want %v, none dropped: %v", count, len(res.Dropped), want, res.Dropped)
	}
	// 17 normal-intensity takes are in no pair and are not placed.
	if n, _ := env.Out.Files(); n != 79 || res.Skipped["recording in no pair (no far label for it alone, no clear comparison with the actor's other takes)"] != 17 {
		t.Errorf("%d media files placed, skipped %v; want 79 and 17 recordings in no pair", n, res.Skipped)
	}
	if n := res.Skipped["no ratings given: a normal-intensity portrayal is used only in comparisons (listeners often hear another category)"]; n != 36 {
		t.Errorf("skipped %v, want the 36 normal-intensity portrayals", res.Skipped)
	}
	if len(res.Rules) < 4 || !strings.Contains(strings.Join(res.Rules, " "), "ratings=FILE") {
		t.Errorf("rules %q: want the rules including the residual risk without ratings", res.Rules)
	}
	var found bool
	for _, p := range res.Pairs {
		if p.ID == "ravdess-03-01-05-02-01-01-15-category" {
			found = true
			if p.Basic.Text != "Does the speaker sound angry?" || p.Source.ID != "03-01-05-02-01-01-15" {
				t.Errorf("pair %s: %+v", p.ID, p)
			}
		}
	}
	if !found {
		t.Error("no pair ravdess-03-01-05-02-01-01-15-category")
	}
}

// TestRules pins the comparison rules on made-up recordings of one actor.
func TestRules(t *testing.T) {
	tests := []struct {
		a, b       string // emotion:intensity:statement
		more, ints bool   // b is angrier/sadder… than a; b expresses emotion more strongly
	}{
		{"neutral:normal:1", "anger:normal:2", true, true},       // high arousal stands out from neutral even at normal intensity
		{"neutral:normal:1", "happiness:normal:1", false, false}, // a mild happy take can sound neutral
		{"neutral:normal:1", "sadness:strong:1", false, true},    // strong sadness is stronger, but sad and neutral are confusable
		{"calm:strong:1", "neutral:normal:1", false, false},      // calm and neutral are never compared
		{"calm:normal:1", "sadness:strong:1", false, false},      // both quiet
		{"calm:normal:1", "surprise:strong:2", true, true},       //
		{"surprise:normal:1", "calm:strong:1", true, false},      // calmer: yes; more emotion: no
		{"anger:normal:1", "anger:strong:1", false, true},        // RAVDESS's own contrast: same emotion and statement
		{"anger:normal:1", "anger:strong:2", false, false},       // … but another statement
		{"fear:strong:1", "sadness:strong:1", false, false},      // two emotions: neither is "stronger"
		{"sadness:normal:1", "anger:strong:2", true, false},      // far apart, the angry one strong
		{"disgust:strong:1", "happiness:normal:1", false, false}, // the named one is neither strong nor set against a quiet take
	}
	clip := func(s string) ravdess.Take {
		f := strings.Split(s, ":")
		st, _ := strconv.Atoi(f[2])
		return ravdess.Take{Emotion: swap.Label(f[0]), Intensity: f[1], Statement: st}
	}
	for _, tt := range tests {
		a, b := clip(tt.a), clip(tt.b)
		if got := ravdess.More(a, b); got != tt.more {
			t.Errorf("More(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.more)
		}
		if got := ravdess.Stronger(a, b); got != tt.ints {
			t.Errorf("Stronger(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.ints)
		}
	}
}

// TestRatings imports six real recordings with the ratings fixture (see
// testdata/README.md): recordings listeners did not mostly hear as acted are
// dropped with both labels, and a wrong label with more than one vote is not
// asked.
func TestRatings(t *testing.T) {
	src := importerstest.DataDir(t, "ravdess")
	tmp := t.TempDir()
	for _, n := range []string{"03-01-05-02-01-01-15", "03-01-02-02-02-01-15", "03-01-03-01-01-01-15", "03-01-04-01-01-01-15", "03-01-06-02-01-01-02", "03-01-01-01-02-01-02"} {
		b, err := os.ReadFile(filepath.Join(src, "speech", n+".wav"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, n+".wav"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fixture, _ := filepath.Abs(filepath.Join("testdata", "ratings-fixture.csv"))
	env, dir := importerstest.Env(t, 7)
	res, err := ravdess.Importer{}.Import(context.Background(), tmp+",ratings="+fixture, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	var ids []string
	for _, p := range res.Pairs {
		ids = append(ids, p.ID)
		if len(p.Context.Media) == 1 && !strings.Contains(p.Explanation, "raters in the RAVDESS validation chose") {
			t.Errorf("%s: explanation %q does not give the ratings", p.ID, p.Explanation)
		}
	}
	want := []string{
		"ravdess-03-01-02-02-02-01-15-category",
		"ravdess-03-01-05-02-01-01-15-category",
		"ravdess-03-01-02-02-02-01-15-vs-03-01-05-02-01-01-15-intensity",
		"ravdess-03-01-02-02-02-01-15-vs-03-01-05-02-01-01-15-category-anger",
		"ravdess-03-01-05-02-01-01-15-vs-03-01-02-02-02-01-15-category-calm",
	}
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("pairs\n%s\nwant\n%s", strings.Join(ids, "\n"), strings.Join(want, "\n"))
	}
	drops := map[string]string{}
	for _, d := range res.Dropped {
		drops[d.Item] = d.Reason
	}
	if !strings.Contains(drops["03-01-04-01-01-01-15"], "acted sadness, but 6 of 10 raters perceived neutral") ||
		!strings.Contains(drops["03-01-06-02-01-01-02"], "no category has a majority") || len(drops) != 2 {
		t.Errorf("dropped %v", drops)
	}
	if res.Skipped["category pair: more than one rater in ten chose the wrong label drawn for it"] != 1 {
		t.Errorf("skipped %v: want the neutral recording whose only far label has 2 votes", res.Skipped)
	}
	// Raters who found the calm take more intense than the angry one veto the
	// intensity comparison; the category comparisons stay.
	text, _ := os.ReadFile(fixture)
	lines := strings.Split(string(text), "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "03-01-02-02-02-01-15"): // calm: rated 5
			lines[i] = strings.TrimSuffix(l, ",2") + ",5"
		case strings.HasPrefix(l, "03-01-05-02-01-01-15"): // angry: rated 1
			lines[i] = strings.TrimSuffix(l, ",5") + ",1"
		}
	}
	os.WriteFile(filepath.Join(tmp, "swapped.csv"), []byte(strings.Join(lines, "\n")), 0o644)
	env, _ = importerstest.Env(t, 7)
	res, err = ravdess.Importer{}.Import(context.Background(), tmp+",ratings="+filepath.Join(tmp, "swapped.csv"), env)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Pairs {
		if p.SubCategory == eh.Intensity {
			t.Errorf("%s: intensity comparison against the raters' intensity", p.ID)
		}
	}
	if len(res.Pairs) != len(want)-1 {
		t.Errorf("%d pairs with the swapped intensity ratings, want %d", len(res.Pairs), len(want)-1)
	}
	// A recording missing from the ratings file is dropped, not guessed.
	b, _ := os.ReadFile(filepath.Join(src, "speech", "03-01-08-02-02-01-01.wav"))
	os.WriteFile(filepath.Join(tmp, "03-01-08-02-02-01-01.wav"), b, 0o644)
	env, _ = importerstest.Env(t, 7)
	res, err = ravdess.Importer{}.Import(context.Background(), tmp+",ratings="+fixture, env)
	if err != nil {
		t.Fatal(err)
	}
	if d := res.Dropped[len(res.Dropped)-1]; len(res.Dropped) != 3 || d.Item != "03-01-08-02-02-01-01" || !strings.Contains(d.Reason, "no ratings") {
		t.Errorf("dropped %+v, want the recording without ratings last", res.Dropped)
	}
}

// TestReadRatings reads both layouts and refuses malformed files with the
// file and line.
func TestReadRatings(t *testing.T) {
	rated, err := ravdess.ReadRatings(filepath.Join("testdata", "ratings-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	counts, err := ravdess.ReadRatings(filepath.Join("testdata", "ratings-counts-fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		r         *ravdess.Ratings
		majority  swap.Label // "" for none
		votes     int        // for the majority, or for fear when none
		intensity float64
	}{
		{rated["03-01-05-02-01-01-15"], swap.Anger, 9, 5},    // 9 of 10 angry
		{rated["03-01-06-02-01-01-02"], "", 5, 4},            // 5 fearful, 5 surprised, given as codes 6 and 8
		{counts["03-01-05-02-01-01-15"], swap.Anger, 9, 4.6}, // the count layout, with a path around the identifier
		{counts["03-01-04-01-01-01-15"], swap.Neutral, 6, 1.9},
	} {
		if tt.r == nil {
			t.Fatal("recording missing from the ratings")
		}
		got, ok := tt.r.Majority()
		in, _ := tt.r.Intensity()
		l := tt.majority
		if l == "" {
			l = swap.Fear
		}
		if got != tt.majority || ok != (tt.majority != "") || tt.r.Votes[l] != tt.votes || tt.r.Total != 10 || in != tt.intensity {
			t.Errorf("ratings %+v: majority %q %v, intensity %v; want %q with %d votes, intensity %v", tt.r, got, ok, in, tt.majority, tt.votes, tt.intensity)
		}
	}
	bad := []struct{ name, text, want string }{
		{"no file column", "Rater,Response\nR1,angry\n", "no file column"},
		{"no response", "Filename,Rater\n03-01-05-02-01-01-15,R1\n", "neither a response column"},
		{"no identifier", "Filename,Response\nclip7.wav,angry\n", ":2: \"clip7.wav\" holds no RAVDESS identifier"},
		{"unknown answer", "Filename,Response\n03-01-05-02-01-01-15,bored\n", ":2: response \"bored\""},
		{"intensity off the scale", "Filename,Response,Intensity rating\n03-01-05-02-01-01-15,angry,7\n", ":2: intensity \"7\""},
		{"count not a number", "File,neutral,calm,happy,sad,angry,fearful,disgust,surprised\n03-01-05-02-01-01-15,0,0,0,0,x,0,0,0\n", "angry count \"x\""},
	}
	for _, tt := range bad {
		name := filepath.Join(t.TempDir(), "r.csv")
		os.WriteFile(name, []byte(tt.text), 0o644)
		_, err := ravdess.ReadRatings(name)
		if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want EINVALID naming %s and %q", tt.name, err, name, tt.want)
		}
	}
	env, _ := importerstest.Env(t, 1)
	if _, err := (ravdess.Importer{}).Import(context.Background(), "x,rating=y", env); eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), "ratings") {
		t.Errorf("misspelt option: %v", err)
	}
}

// TestCorruptAndDamaged copies a few clips, cuts one short and flips a byte in
// another (same size, so only the manifest digest can tell), and expects both
// dropped with their paths while the rest import.
func TestCorruptAndDamaged(t *testing.T) {
	src := importerstest.DataDir(t, "ravdess")
	tmp := t.TempDir()
	names := []string{"03-01-05-02-01-01-15.wav", "03-01-07-02-01-01-02.wav", "03-01-08-01-02-01-02.wav", "03-01-06-02-01-01-02.wav"}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(src, "speech", n))
		if err != nil {
			t.Fatal(err)
		}
		switch n {
		case names[0]:
			b = b[:len(b)/3]
		case names[1]:
			b[len(b)-100] ^= 0xff
		}
		if err := os.WriteFile(filepath.Join(tmp, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest, err := os.ReadFile(filepath.Join(src, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "manifest.csv"), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	env, dir := importerstest.Env(t, 1)
	res, err := ravdess.Importer{}.Import(context.Background(), tmp, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	want := map[string]string{
		filepath.Join(tmp, names[0]): "header declares",
		filepath.Join(tmp, names[1]): "differs from the dataset manifest",
	}
	for _, d := range res.Dropped {
		if w, ok := want[d.Path]; ok && strings.Contains(d.Reason, w) {
			delete(want, d.Path)
		}
	}
	if len(want) > 0 {
		t.Errorf("not dropped as expected: %v (dropped: %+v)", want, res.Dropped)
	}
	if len(res.Dropped) != 2 {
		t.Errorf("dropped %d, want 2: %+v", len(res.Dropped), res.Dropped)
	}
	if _, err := os.Stat(filepath.Join(dir, "media", "ravdess", names[1])); err == nil {
		t.Error("the damaged file was left in the suite folder")
	}
}

func TestNoFiles(t *testing.T) {
	env, _ := importerstest.Env(t, 1)
	_, err := ravdess.Importer{}.Import(context.Background(), t.TempDir(), env)
	if eh.ErrorCode(err) != eh.ENOTFOUND {
		t.Errorf("empty folder: %v, want ENOTFOUND", err)
	}
	_, err = ravdess.Importer{}.Import(context.Background(), filepath.Join(t.TempDir(), "nope"), env)
	if eh.ErrorCode(err) != eh.ENOTFOUND {
		t.Errorf("missing folder: %v, want ENOTFOUND", err)
	}
}
