package swap

import (
	"hash/fnv"
	"sort"
)

// Rand is a small seeded generator (SplitMix64). It is written out here rather
// than taken from math/rand so that a suite built with a given seed stays
// byte-identical across Go releases: the standard library does not promise that
// its shuffles and bounded draws keep their exact sequence.
type Rand struct{ state uint64 }

// New returns a generator for the build seed and a purpose key ("ravdess
// category"), so that different choices in one build draw independent streams
// and adding an importer does not change another's choices.
func New(seed int64, key string) *Rand {
	h := fnv.New64a()
	h.Write([]byte(key))
	return &Rand{state: uint64(seed)*0x9e3779b97f4a7c15 ^ h.Sum64()}
}

// Uint64 returns the next 64 random bits.
func (r *Rand) Uint64() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// IntN returns a uniform integer in [0, n); n must be positive. Rejection
// sampling removes the modulo bias.
func (r *Rand) IntN(n int) int {
	if n <= 0 {
		panic("swap: IntN with n <= 0")
	}
	bound := uint64(n)
	limit := ^uint64(0) - (^uint64(0) % bound)
	for {
		v := r.Uint64()
		if v < limit {
			return int(v % bound)
		}
	}
}

// Shuffle permutes n elements with Fisher–Yates, calling swap(i, j).
func (r *Rand) Shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, r.IntN(i+1))
	}
}

// ShuffledKeys returns keys sorted and then shuffled: the result depends only
// on the set of keys and the generator, never on the order they arrived in.
func (r *Rand) ShuffledKeys(keys []string) []string {
	out := append([]string(nil), keys...)
	sort.Strings(out)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
