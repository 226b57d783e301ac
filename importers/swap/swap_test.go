package swap

import (
	"fmt"
	"reflect"
	"testing"
)

func items(counts map[Label]int) []Item {
	var out []Item
	for l, n := range counts {
		for i := 0; i < n; i++ {
			out = append(out, Item{Key: fmt.Sprintf("%s-%03d", l, i), Gold: l})
		}
	}
	return out
}

// balance returns, per label, kept gold uses minus wrong uses.
func balance(its []Item, a Assignment) map[Label]int {
	gold := map[string]Label{}
	for _, it := range its {
		gold[it.Key] = it.Gold
	}
	out := map[Label]int{}
	for k, w := range a.Wrong {
		out[gold[k]]++
		out[w]--
	}
	return out
}

func TestAssign(t *testing.T) {
	tests := []struct {
		name   string
		counts map[Label]int
		opt    AssignOptions
		kept   int // pairs that must be made
		exact  bool
	}{
		// FER+ shape: seven emotions, 18 faces each — an odd cycle must still balance.
		{"fer", map[Label]int{Anger: 18, Disgust: 18, Fear: 18, Happiness: 18, Sadness: 18, Surprise: 18, Neutral: 18}, AssignOptions{}, 126, true},
		// RAVDESS shape: eight emotions, 12 clips each.
		{"ravdess", map[Label]int{Anger: 12, Disgust: 12, Fear: 12, Happiness: 12, Sadness: 12, Surprise: 12, Neutral: 12, Calm: 12}, AssignOptions{}, 96, true},
		// Skewed text corpus: trimming keeps exactly balanced labels.
		{"trim", map[Label]int{Neutral: 400, Happiness: 50, Sadness: 30, Anger: 20, Disgust: 5}, AssignOptions{Trim: true}, 170, true},
		// Sentiments: neutral can only be balanced by positive + negative.
		{"sentiment", map[Label]int{Positive: 300, NeutralSentiment: 670, Negative: 149}, AssignOptions{Trim: true}, 898, true},
		// Without trimming every item is kept even when balance is impossible.
		{"keep all", map[Label]int{Anger: 5, Disgust: 1}, AssignOptions{}, 6, false},
		// Limit per label applies before balancing.
		{"limit", map[Label]int{Fear: 30, Surprise: 30}, AssignOptions{MaxPerLabel: 10}, 20, true},
		// A label with no confusable label present cannot be swapped.
		{"isolated", map[Label]int{Anger: 3, Calm: 2}, AssignOptions{}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			its := items(tt.counts)
			a, err := Assign(its, New(1, tt.name), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Wrong) != tt.kept {
				t.Errorf("kept %d items, want %d (dropped: %d)", len(a.Wrong), tt.kept, len(a.Dropped))
			}
			if len(a.Wrong)+len(a.Dropped) != len(its) {
				t.Errorf("%d kept + %d dropped != %d items", len(a.Wrong), len(a.Dropped), len(its))
			}
			for k, w := range a.Wrong {
				gold := Label("")
				for _, it := range its {
					if it.Key == k {
						gold = it.Gold
					}
				}
				if !contains(Confusables(gold), w) {
					t.Errorf("%s: %s swapped to %s, which the table does not pair with it", k, gold, w)
				}
			}
			if tt.exact {
				for l, d := range balance(its, a) {
					if d != 0 {
						t.Errorf("label %s: used %+d more often as gold than as wrong answer", l, d)
					}
				}
			}
		})
	}
}

func TestAssignSpreadsWrongLabels(t *testing.T) {
	its := items(map[Label]int{Anger: 12, Disgust: 12, Fear: 12, Happiness: 12, Sadness: 12, Surprise: 12, Neutral: 12, Calm: 12})
	a, err := Assign(its, New(1, "spread"), AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	used := map[Label]map[Label]bool{}
	for _, it := range its {
		if used[it.Gold] == nil {
			used[it.Gold] = map[Label]bool{}
		}
		used[it.Gold][a.Wrong[it.Key]] = true
	}
	for l, ws := range used {
		if len(ws) < 2 {
			t.Errorf("every %s item got the same wrong label %v; the flow should spread over its confusables", l, ws)
		}
	}
}

func TestAssignDeterministic(t *testing.T) {
	its := items(map[Label]int{Anger: 9, Disgust: 9, Fear: 9, Surprise: 9, Happiness: 9})
	reversed := append([]Item(nil), its...)
	for i, j := 0, len(reversed)-1; i < j; i, j = i+1, j-1 {
		reversed[i], reversed[j] = reversed[j], reversed[i]
	}
	a1, _ := Assign(its, New(5, "x"), AssignOptions{})
	a2, _ := Assign(reversed, New(5, "x"), AssignOptions{})
	if !reflect.DeepEqual(a1, a2) {
		t.Error("the same items in another order gave another assignment")
	}
	a3, _ := Assign(its, New(6, "x"), AssignOptions{})
	if reflect.DeepEqual(a1.Wrong, a3.Wrong) {
		t.Error("seeds 5 and 6 gave the same assignment; the seed should matter")
	}
}

func TestAssignDuplicateKey(t *testing.T) {
	_, err := Assign([]Item{{"a", Fear}, {"a", Surprise}}, New(1, ""), AssignOptions{})
	if err == nil {
		t.Fatal("want an error for a repeated key")
	}
}

// TestRandStable pins the generator's output: a change here changes every
// suite built with a given seed, which must not happen silently.
func TestRandStable(t *testing.T) {
	r := New(1, "pin")
	var got []int
	for i := 0; i < 8; i++ {
		got = append(got, r.IntN(100))
	}
	if !reflect.DeepEqual(got, pinned) {
		t.Errorf("generator output changed: got %v, want %v", got, pinned)
	}
}

var pinned = []int{21, 50, 26, 10, 44, 43, 21, 44}

func TestTable(t *testing.T) {
	for _, e := range Table {
		if !Known(e.A) || !Known(e.B) {
			t.Errorf("edge %s–%s uses a label without word forms", e.A, e.B)
		}
		if e.A == e.B {
			t.Errorf("edge %s–%s is a loop", e.A, e.B)
		}
		if !contains(Confusables(e.A), e.B) || !contains(Confusables(e.B), e.A) {
			t.Errorf("edge %s–%s is not symmetric in Confusables", e.A, e.B)
		}
	}
	for in, want := range map[string]Label{"Angry": Anger, "ANG": Anger, "joy": Happiness, "fearful": Fear, "Surprised": Surprise, "neutral": Neutral} {
		if got, ok := Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := Normalize("positive"); ok {
		t.Error("Normalize accepted a sentiment")
	}
	if got, ok := Sentiment("Neutral"); !ok || got != NeutralSentiment {
		t.Errorf("Sentiment(Neutral) = %q, %v", got, ok)
	}
}

func contains(ls []Label, l Label) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}
