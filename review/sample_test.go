package review

import (
	"fmt"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
)

// fakePairs makes n pairs per (source, sub-category) in sizes.
func fakePairs(sizes map[[2]string]int) []eh.Pair {
	var out []eh.Pair
	for k, n := range sizes {
		for i := range n {
			out = append(out, eh.Pair{ID: fmt.Sprintf("%s-%s-%d", k[0], k[1], i), Dimension: eh.Perception,
				SubCategory: eh.SubCategory(k[1]), Modality: eh.Text, Source: eh.Source{Dataset: k[0]}})
		}
	}
	return out
}

func TestSample(t *testing.T) {
	// A skewed suite: one big source, two small ones.
	skewed := fakePairs(map[[2]string]int{
		{"goemotions", "category"}: 500, {"goemotions", "intensity"}: 100,
		{"meld", "category"}: 20, {"soul", "reasoning-cue"}: 3, {"soul", "category"}: 2,
	})
	tests := []struct {
		name string
		n    int
		// wantPer is the exact count per source and sub-category, when known.
		wantPer map[string]int
	}{
		// More than the strata: each stratum at least one, then one at a time
		// to the largest gap below the share 20·size/625 (16, 3.2, 0.64,
		// 0.096, 0.064): category's gap stays largest until it holds 14
		// (gap 2 < intensity's 2.2), intensity takes one, category the last.
		{"proportional", 20, map[string]int{"goemotions/category": 15, "goemotions/intensity": 2, "meld/category": 1, "soul/category": 1, "soul/reasoning-cue": 1}},
		// Fewer than the strata but as many as the sources: one per source,
		// from its largest stratum.
		{"one per source", 3, map[string]int{"goemotions/category": 1, "meld/category": 1, "soul/reasoning-cue": 1}},
		// More than the suite: everything.
		{"all", 1000, map[string]int{"goemotions/category": 500, "goemotions/intensity": 100, "meld/category": 20, "soul/category": 2, "soul/reasoning-cue": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sample(skewed, tt.n, 7, nil)
			if err != nil {
				t.Fatal(err)
			}
			per := map[string]int{}
			seen := map[string]bool{}
			for _, p := range got {
				per[SourceOf(p)+"/"+string(p.SubCategory)]++
				if seen[p.ID] {
					t.Fatalf("pair %s drawn twice", p.ID)
				}
				seen[p.ID] = true
			}
			if fmt.Sprint(per) != fmt.Sprint(tt.wantPer) {
				t.Errorf("per stratum %v, want %v", per, tt.wantPer)
			}
			again, _ := Sample(skewed, tt.n, 7, nil)
			for i := range got {
				if got[i].ID != again[i].ID {
					t.Fatalf("the same seed gave a different sample at %d", i)
				}
			}
		})
	}
	// Two sources for one slot: the seed chooses which.
	if got, _ := Sample(skewed, 1, 7, nil); len(got) != 1 {
		t.Errorf("n=1 gave %d pairs", len(got))
	}
	if _, err := Sample(skewed, 0, 1, nil); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("n=0: %v", err)
	}
}

// TestSampleFirst: listed pairs come first in their order, then the sample
// fills up from the others; an unknown id is an error.
func TestSampleFirst(t *testing.T) {
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	first := []string{s.Pairs[10].ID, s.Pairs[3].ID, s.Pairs[10].ID}
	got, err := Sample(s.Pairs, 12, 1, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 12 || got[0].ID != first[0] || got[1].ID != first[1] {
		t.Fatalf("got %d pairs starting %s, %s", len(got), got[0].ID, got[1].ID)
	}
	sources := map[string]bool{}
	for _, p := range got[2:] {
		if p.ID == first[0] || p.ID == first[1] {
			t.Errorf("listed pair %s drawn again", p.ID)
		}
		sources[SourceOf(p)] = true
	}
	if !sources["knowledge"] || !sources["emohallucer-text"] {
		t.Errorf("sources %v: every builtin source should appear", sources)
	}
	if got, _ := Sample(s.Pairs, 1, 1, first); len(got) != 1 || got[0].ID != first[0] {
		t.Errorf("n below the list: %d pairs", len(got))
	}
	if _, err := Sample(s.Pairs, 5, 1, []string{"nope"}); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("unknown listed id: %v", err)
	}
}
