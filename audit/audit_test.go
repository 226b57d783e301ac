package audit

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

var (
	emotions = []string{"angry", "sad", "afraid", "surprised", "disgusted", "happy", "proud", "ashamed", "guilty", "relieved", "grateful", "jealous"}
	people   = []string{"the writer", "the reviewer", "Maya", "the speaker", "Tom", "the customer", "the manager", "Priya"}
	topics   = []string{"the delay", "the refund", "the party", "the exam", "the meal", "the trip", "the news", "the gift", "the call", "the move"}
	frames   = []string{"Is %s %s about %s?", "Does %s seem %s about %s?", "Would a reader call %s %s about %s?", "Is %s feeling %s regarding %s?"}
)

// randomQuestion draws a question from a generator whose output carries no
// information about the role it will be given.
func randomQuestion(rng *rand.Rand, neg bool) string {
	f := frames[rng.IntN(len(frames))]
	e := emotions[rng.IntN(len(emotions))]
	if neg {
		e = "not " + e
	}
	return fmt.Sprintf(f, people[rng.IntN(len(people))], e, topics[rng.IntN(len(topics))])
}

func pair(id, ctx, basic, halluc string, sc eh.SubCategory) eh.Pair {
	return eh.Pair{ID: id, Dimension: eh.Perception, SubCategory: sc, Modality: eh.Text,
		Context: eh.Context{Text: ctx},
		Basic:   eh.Question{Text: basic, Gold: eh.Yes}, Hallucinated: eh.Question{Text: halluc, Gold: eh.No}}
}

// synthetic builds n pairs. mode "not": the hallucinated question is the basic
// one with "not" added (a blatant leak); "balanced": both questions are drawn
// independently from the same generator.
func synthetic(n int, mode string, seed uint64) *eh.Suite {
	rng := rand.New(rand.NewPCG(seed, 7))
	s := &eh.Suite{Name: mode}
	subs := []eh.SubCategory{eh.Category, eh.Intensity, eh.ReasoningResult, eh.ReasoningCue}
	for i := 0; i < n; i++ {
		ctx := fmt.Sprintf("passage %d", i)
		var b, h string
		switch mode {
		case "not":
			b = randomQuestion(rng, false)
			h = strings.Replace(b, " "+strings.Fields(b)[len(strings.Fields(b))-3], " not "+strings.Fields(b)[len(strings.Fields(b))-3], 1)
		case "balanced":
			b = randomQuestion(rng, false)
			for h = randomQuestion(rng, false); h == b; h = randomQuestion(rng, false) {
			}
		}
		s.Pairs = append(s.Pairs, pair(fmt.Sprintf("p%d", i), ctx, b, h, subs[i%len(subs)]))
	}
	return s
}

func TestArtifactAccuracy(t *testing.T) {
	tests := []struct {
		name   string
		suite  *eh.Suite
		lo, hi float64
	}{
		{"hallucinated all contain not", synthetic(300, "not", 1), 0.95, 1.0},
		{"roles independent of wording", synthetic(400, "balanced", 2), 0.38, 0.62},
		{"roles independent, other seed", synthetic(400, "balanced", 3), 0.38, 0.62},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Run(tc.suite, Options{Seed: 5})
			if r.ArtifactAccuracy < tc.lo || r.ArtifactAccuracy > tc.hi {
				t.Errorf("artifact accuracy %.3f, want in [%.2f, %.2f]", r.ArtifactAccuracy, tc.lo, tc.hi)
			}
			if r.ArtifactCI95[0] > r.ArtifactAccuracy || r.ArtifactCI95[1] < r.ArtifactAccuracy {
				t.Errorf("CI %v does not contain the estimate %.3f", r.ArtifactCI95, r.ArtifactAccuracy)
			}
			if r.ArtifactNullMean < 0.3 || r.ArtifactNullMean > 0.6 {
				t.Errorf("permutation baseline %.3f is not near chance", r.ArtifactNullMean)
			}
			if len(r.PerSubCategory) != 4 {
				t.Errorf("got %d sub-categories, want 4", len(r.PerSubCategory))
			}
		})
	}
}

func TestLeakTokensAndSwapTerms(t *testing.T) {
	r := Run(synthetic(200, "not", 4), Options{})
	if len(r.TopHallucinatedTokens) == 0 || r.TopHallucinatedTokens[0].Token != "not" {
		t.Errorf("top hallucinated tokens %v, want \"not\" first", r.TopHallucinatedTokens)
	}
	if len(r.SwapTerms) == 0 || r.SwapTerms[0] != (SwapTerm{Term: "not", Basic: 0, Hallucinated: 200}) {
		t.Errorf("swap terms %v, want not 0/200 first", r.SwapTerms)
	}
	if r.LengthDiffMean != 1 || r.LengthAbsDiffMean != 1 {
		t.Errorf("length diff %.2f / %.2f, want 1 / 1 (one word added)", r.LengthDiffMean, r.LengthAbsDiffMean)
	}
	for _, sc := range r.PerSubCategory {
		if sc.ArtifactAccuracy < 0.9 {
			t.Errorf("%s: artifact accuracy %.3f, want the leak visible in every sub-category", sc.SubCategory, sc.ArtifactAccuracy)
		}
	}
}

func TestDuplicates(t *testing.T) {
	long := "Does the reviewer say that the waiter brought the soup cold and then argued about the bill for ten whole minutes before leaving"
	tests := []struct {
		name      string
		pairs     []eh.Pair
		dups      int
		near      int
		goldYesNo [2]int
	}{
		{"clean", []eh.Pair{
			pair("a", "c1", "Is the writer angry?", "Is the writer afraid?", eh.Category),
			pair("b", "c1", "Is the writer very angry?", "Is the writer slightly angry?", eh.Intensity),
		}, 0, 0, [2]int{2, 2}},
		{"same question, same context, other case and punctuation", []eh.Pair{
			pair("a", "c1", "Is the writer angry?", "Is the writer afraid?", eh.Category),
			pair("b", "c1", "is the writer  ANGRY", "Is the writer calm?", eh.Category),
		}, 1, 0, [2]int{2, 2}},
		{"same question, different context is legitimate", []eh.Pair{
			pair("a", "c1", "Is the writer angry?", "Is the writer afraid?", eh.Category),
			pair("b", "c2", "Is the writer angry?", "Is the writer afraid?", eh.Category),
		}, 0, 0, [2]int{2, 2}},
		{"three copies across roles", []eh.Pair{
			pair("a", "", "Is fear an emotion?", "Is fear a mood?", eh.Definition),
			pair("b", "", "Is fear a mood?", "Is fear a trait?", eh.Definition),
			pair("c", "", "Is fear a trait?", "Is fear a mood?", eh.Definition),
		}, 3, 0, [2]int{3, 3}},
		{"one word added to a long question", []eh.Pair{
			pair("a", "c1", long+"?", "Is the reviewer happy?", eh.ReasoningCue),
			pair("b", "c1", "Is the reviewer angry?", long+" again?", eh.ReasoningCue),
		}, 0, 1, [2]int{2, 2}},
		{"near copy about another context is not counted", []eh.Pair{
			pair("a", "c1", long+"?", "Is the reviewer happy?", eh.ReasoningCue),
			pair("b", "c2", "Is the reviewer angry?", long+" again?", eh.ReasoningCue),
		}, 0, 0, [2]int{2, 2}},
		{"inside one pair is not a near-duplicate", []eh.Pair{
			pair("a", "c1", long+"?", long+" again?", eh.ReasoningCue),
		}, 0, 0, [2]int{1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Run(&eh.Suite{Pairs: tc.pairs}, Options{})
			if r.Duplicates != tc.dups || r.NearDuplicates != tc.near {
				t.Errorf("duplicates %d, near %d; want %d, %d\n%+v\n%+v", r.Duplicates, r.NearDuplicates, tc.dups, tc.near, r.DuplicateList, r.NearDuplicateList)
			}
			if r.GoldYes != tc.goldYesNo[0] || r.GoldNo != tc.goldYesNo[1] {
				t.Errorf("gold %d/%d, want %v", r.GoldYes, r.GoldNo, tc.goldYesNo)
			}
			if tc.dups > 0 && len(r.DuplicateList) == 0 {
				t.Error("duplicates counted but not listed")
			}
		})
	}
}

// TestNearDuplicatesAtScale checks that LSH finds planted near-duplicates in a
// large suite with shared (empty) context, where blocking by context alone would
// not help.
func TestNearDuplicatesAtScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	words := strings.Fields("anger fear joy sadness disgust surprise pride shame guilt relief envy awe calm hope grief contempt love trust anticipation boredom")
	s := &eh.Suite{}
	mk := func() string {
		w := make([]string, 24)
		for i := range w {
			w[i] = words[rng.IntN(len(words))] + fmt.Sprint(rng.IntN(50))
		}
		return strings.Join(w, " ") + "?"
	}
	planted := 0
	for i := 0; i < 5000; i++ {
		b, h := mk(), mk()
		if i%500 == 499 {
			b = s.Pairs[i-1].Basic.Text[:len(s.Pairs[i-1].Basic.Text)-1] + " indeed?"
			planted++
		}
		s.Pairs = append(s.Pairs, pair(fmt.Sprintf("p%d", i), "", b, h, eh.Definition))
	}
	r := Run(s, Options{Permutations: -1, MaxListed: -1})
	if r.NearDuplicates != planted || r.Duplicates != 0 {
		t.Errorf("found %d near-duplicates and %d duplicates, want %d and 0", r.NearDuplicates, r.Duplicates, planted)
	}
}

func TestDeterministic(t *testing.T) {
	s := synthetic(150, "balanced", 11)
	a, b := Run(s, Options{Seed: 42}), Run(s, Options{Seed: 42})
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs with the same seed differ")
	}
}

func TestSmallSuite(t *testing.T) {
	r := Run(&eh.Suite{Pairs: []eh.Pair{pair("a", "c", "Is she sad?", "Is she glad?", eh.Category)}}, Options{})
	if r.Folds != 0 || len(r.Notes) == 0 {
		t.Errorf("a one-pair suite should skip the artifact test with a note, got folds %d notes %v", r.Folds, r.Notes)
	}
	var sb strings.Builder
	if err := r.WriteText(&sb); err != nil || !strings.Contains(sb.String(), "gold yes / no") {
		t.Errorf("text report: %v\n%s", err, sb.String())
	}
}

func TestTokens(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Isn’t the writer ANGRY?", "isn't the writer angry"},
		{"'Quoted' words, and -- dashes", "quoted words and dashes"},
		{"Café au lait (2x)", "café au lait 2x"},
	}
	for _, tc := range tests {
		if got := normalise(tc.in); got != tc.want {
			t.Errorf("normalise(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// BenchmarkRun10k audits a 10,000-pair suite, the size suites reach; run with
// go test -bench Run10k ./audit/.
func BenchmarkRun10k(b *testing.B) {
	s := synthetic(10000, "balanced", 21)
	for i := range s.Pairs {
		s.Pairs[i].Context.Text = "" // one shared context: the worst case for near-duplicate search
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Run(s, Options{})
	}
}
