package review

import (
	"bufio"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// SourceOf names where a pair comes from, the unit validity is broken down by:
// the dataset of imported pairs, "knowledge" for cited knowledge pairs.
func SourceOf(p *eh.Pair) string {
	switch {
	case p.Source.Dataset != "":
		return p.Source.Dataset
	case p.Dimension == eh.Knowledge:
		return "knowledge"
	}
	return "unknown"
}

// stratum is the pairs of one source and sub-category.
type stratum struct {
	source string
	pairs  []*eh.Pair
	quota  int
}

// Sample draws n pairs with the seed, stratified by source and sub-category:
// when n allows, every stratum gives at least one pair, else every source
// does (its largest stratum), and the rest is shared out in proportion to the
// strata's sizes. The same pairs and seed give the same sample, in a shuffled
// order so that a reviewer does not judge one source in a row. Pairs listed in
// first come first, in their order, and count towards n; the sample fills up
// from the other pairs.
func Sample(pairs []eh.Pair, n int, seed uint64, first []string) ([]*eh.Pair, error) {
	if n <= 0 {
		return nil, eh.Errorf(eh.EINVALID, "--n must be positive")
	}
	byID := make(map[string]*eh.Pair, len(pairs))
	for i := range pairs {
		byID[pairs[i].ID] = &pairs[i]
	}
	var out []*eh.Pair
	taken := map[string]bool{}
	for _, id := range first {
		p, ok := byID[id]
		if !ok {
			return nil, eh.Errorf(eh.EINVALID, "pair %s of the --pairs list is not in the suite", id)
		}
		if !taken[id] && len(out) < n {
			out = append(out, p)
			taken[id] = true
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	strata := stratify(pairs, taken)
	for _, st := range strata {
		rng.Shuffle(len(st.pairs), func(i, j int) { st.pairs[i], st.pairs[j] = st.pairs[j], st.pairs[i] })
	}
	allocate(strata, n-len(out), rng)
	var drawn []*eh.Pair
	for _, st := range strata {
		drawn = append(drawn, st.pairs[:st.quota]...)
	}
	rng.Shuffle(len(drawn), func(i, j int) { drawn[i], drawn[j] = drawn[j], drawn[i] })
	return append(out, drawn...), nil
}

// stratify groups the pairs not taken by source and sub-category, in a fixed
// order.
func stratify(pairs []eh.Pair, taken map[string]bool) []*stratum {
	idx := map[[2]string]*stratum{}
	var out []*stratum
	for i := range pairs {
		p := &pairs[i]
		if taken[p.ID] {
			continue
		}
		k := [2]string{SourceOf(p), string(p.SubCategory)}
		st := idx[k]
		if st == nil {
			st = &stratum{source: k[0]}
			idx[k] = st
			out = append(out, st)
		}
		st.pairs = append(st.pairs, p)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.source != b.source {
			return a.source < b.source
		}
		return a.pairs[0].SubCategory < b.pairs[0].SubCategory
	})
	return out
}

// allocate sets the strata's quotas to sum to n (or to every pair when there
// are fewer): first the floor that makes every stratum, or every source,
// appear, then one pair at a time to the stratum furthest below its
// proportional share.
func allocate(strata []*stratum, n int, rng *rand.Rand) {
	total := 0
	for _, st := range strata {
		total += len(st.pairs)
	}
	if n >= total {
		for _, st := range strata {
			st.quota = len(st.pairs)
		}
		return
	}
	if n <= 0 {
		return
	}
	left := n
	if n >= len(strata) {
		for _, st := range strata {
			st.quota = 1
		}
		left -= len(strata)
	} else {
		// One pair from the largest stratum of each source; when even the
		// sources outnumber n, from n sources drawn with the seed.
		largest := map[string]*stratum{}
		var sources []string
		for _, st := range strata {
			if cur, ok := largest[st.source]; !ok {
				sources = append(sources, st.source)
				largest[st.source] = st
			} else if len(st.pairs) > len(cur.pairs) {
				largest[st.source] = st
			}
		}
		rng.Shuffle(len(sources), func(i, j int) { sources[i], sources[j] = sources[j], sources[i] })
		for _, src := range sources[:min(n, len(sources))] {
			largest[src].quota = 1
			left--
		}
	}
	for ; left > 0; left-- {
		var best *stratum
		bestGap := 0.0
		for _, st := range strata {
			if st.quota >= len(st.pairs) {
				continue
			}
			gap := float64(n)*float64(len(st.pairs))/float64(total) - float64(st.quota)
			if best == nil || gap > bestGap {
				best, bestGap = st, gap
			}
		}
		best.quota++
	}
}

// ReadPairList reads a list of pair ids, one per line; blank lines and lines
// starting with # are skipped. "suite flag --out" writes such lists.
func ReadPairList(name string) ([]string, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, eh.Errorf(eh.ENOTFOUND, "pair list %s does not exist", name)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l != "" && !strings.HasPrefix(l, "#") {
			ids = append(ids, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, eh.Errorf(eh.EINVALID, "pair list %s: %v", name, err)
	}
	return ids, nil
}
