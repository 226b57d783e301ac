package runner

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// strataPairs makes pairs in strata of the given sizes, stratum by stratum
// (so --limit would take the first stratum only).
func strataPairs(sizes map[string]int) []eh.Pair {
	var keys []string
	for k := range sizes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []eh.Pair
	for _, k := range keys {
		for i := range sizes[k] {
			mod, sub := eh.Modality(k[:5]), eh.SubCategory(k[6:])
			out = append(out, eh.Pair{ID: fmt.Sprintf("%s-%03d", k, i), Modality: mod, SubCategory: sub})
		}
	}
	return out
}

func countStrata(pairs []eh.Pair) map[string]int {
	out := map[string]int{}
	for _, p := range pairs {
		out[string(p.Modality)+"/"+string(p.SubCategory)]++
	}
	return out
}

func TestSampleDraw(t *testing.T) {
	tests := []struct {
		name  string
		sizes map[string]int
		n     int
		want  map[string]int
	}{
		{"proportional shares", map[string]int{"image/category": 60, "audio/category": 30, "text_/theory": 10}, 10,
			map[string]int{"image/category": 6, "audio/category": 3, "text_/theory": 1}},
		{"a small stratum still gets one", map[string]int{"image/category": 97, "audio/intensity": 2, "text_/theory": 1}, 5,
			map[string]int{"image/category": 3, "audio/intensity": 1, "text_/theory": 1}},
		{"remainders go to the largest fractions", map[string]int{"image/category": 50, "audio/category": 30, "text_/theory": 20}, 7,
			map[string]int{"image/category": 4, "audio/category": 2, "text_/theory": 1}},
		{"fewer slots than strata: the largest strata first", map[string]int{"image/category": 5, "audio/category": 4, "text_/theory": 3}, 2,
			map[string]int{"image/category": 1, "audio/category": 1}},
		{"N at least the suite: everything", map[string]int{"image/category": 3, "audio/category": 2}, 9,
			map[string]int{"image/category": 3, "audio/category": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pairs := strataPairs(tt.sizes)
			got := Sample{N: tt.n, Seed: 1}.Draw(pairs)
			if c := countStrata(got); fmt.Sprint(c) != fmt.Sprint(tt.want) {
				t.Fatalf("strata %v, want %v", c, tt.want)
			}
			// Suite order is kept, and the same seed draws the same pairs.
			// (strataPairs' ids sort in suite order)
			if !slices.IsSortedFunc(got, func(a, b eh.Pair) int { return strings.Compare(a.ID, b.ID) }) {
				t.Error("sample not in suite order")
			}
			if again := (Sample{N: tt.n, Seed: 1}).Draw(pairs); !slices.EqualFunc(got, again, func(a, b eh.Pair) bool { return a.ID == b.ID }) {
				t.Error("same seed, different sample")
			}
		})
	}
	// Another seed draws other pairs from the same strata.
	pairs := strataPairs(map[string]int{"image/category": 100, "audio/category": 100})
	a, b := Sample{N: 10, Seed: 1}.Draw(pairs), Sample{N: 10, Seed: 2}.Draw(pairs)
	if slices.EqualFunc(a, b, func(x, y eh.Pair) bool { return x.ID == y.ID }) {
		t.Error("seeds 1 and 2 drew the same sample")
	}
}
