package runner

import (
	"fmt"
	"math/rand/v2"
	"sort"

	eh "github.com/emohallucer/emohallucer"
)

// Sample is a stratified random sample of a suite's pairs (--sample N
// --seed S). --limit takes the first N pairs in the suite's order, which on
// a suite built from several sources is often one source alone; a sample
// keeps the suite's mix.
type Sample struct {
	N    int
	Seed int64
}

// String is the sample as the run id records it ("" for none).
func (s Sample) String() string {
	if s.N == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.N, s.Seed)
}

// stratum is one modality and sub-category.
type stratum struct {
	key   string
	pairs []int // indices into the pairs, in suite order
	take  int
	exact float64 // the proportional share, N·size/total
}

// allocate sets each stratum's take (strata largest first): with fewer
// slots than strata, one each for the largest; else the proportional share
// rounded down, raised to one for every stratum, then lowered where it is
// most above its share (never below one) until the sum fits, and the slots
// left go to the largest shortfalls.
func allocate(strata []*stratum, n, total int) {
	if n < len(strata) {
		for i, st := range strata {
			st.take = min(1, max(n-i, 0))
		}
		return
	}
	sum := 0
	for _, st := range strata {
		st.exact = float64(n) * float64(len(st.pairs)) / float64(total)
		st.take = max(int(st.exact), 1)
		sum += st.take
	}
	// most picks the stratum that may move and has the largest key(st), the
	// first (so the largest stratum) on ties.
	most := func(may func(*stratum) bool, key func(*stratum) float64) *stratum {
		var best *stratum
		for _, st := range strata {
			if may(st) && (best == nil || key(st) > key(best)) {
				best = st
			}
		}
		return best
	}
	for ; sum > n; sum-- {
		most(func(st *stratum) bool { return st.take > 1 }, func(st *stratum) float64 { return float64(st.take) - st.exact }).take--
	}
	for ; sum < n; sum++ {
		most(func(st *stratum) bool { return st.take < len(st.pairs) }, func(st *stratum) float64 { return st.exact - float64(st.take) }).take++
	}
}

// Draw returns the sample of pairs, in suite order: pairs are grouped by
// modality and sub-category, each group gets its proportional share of N,
// at least one pair while N allows (see allocate). Within a group the
// pairs are a uniform random choice by the seed (PCG), so the same suite,
// N and seed give the same sample on every machine. N at or above the number
// of pairs takes them all.
func (s Sample) Draw(pairs []eh.Pair) []eh.Pair {
	if s.N <= 0 || s.N >= len(pairs) {
		return pairs
	}
	byKey := map[string]*stratum{}
	var strata []*stratum
	for i := range pairs {
		k := string(pairs[i].Modality) + "/" + string(pairs[i].SubCategory)
		st := byKey[k]
		if st == nil {
			st = &stratum{key: k}
			byKey[k] = st
			strata = append(strata, st)
		}
		st.pairs = append(st.pairs, i)
	}
	// Largest first, by key on ties: the order of the rounding steps must not
	// depend on the suite's order of first appearance.
	sort.Slice(strata, func(i, j int) bool {
		if len(strata[i].pairs) != len(strata[j].pairs) {
			return len(strata[i].pairs) > len(strata[j].pairs)
		}
		return strata[i].key < strata[j].key
	})
	allocate(strata, s.N, len(pairs))
	rng := rand.New(rand.NewPCG(uint64(s.Seed), 0x656d6f68616c6c75)) // "emohallu"
	keep := make([]bool, len(pairs))
	for _, st := range strata {
		idx := append([]int(nil), st.pairs...)
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx[:st.take] {
			keep[i] = true
		}
	}
	out := make([]eh.Pair, 0, s.N)
	for i := range pairs {
		if keep[i] {
			out = append(out, pairs[i])
		}
	}
	return out
}
