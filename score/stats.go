package score

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// BootstrapProportion returns the percentile 95 % bootstrap interval of k/n when
// n items (pairs) are resampled with replacement. Resampling n items each solved
// or not and counting the solved ones is exactly a Binomial(n, k/n) draw, so each
// resample costs O(1) instead of O(n); the interval is the same bootstrap, only
// cheaper, which keeps scoring a million records fast.
func BootstrapProportion(k, n int, seed uint64) (lo, hi float64) {
	if n == 0 {
		return 0, 0
	}
	p := float64(k) / float64(n)
	if k == 0 || k == n {
		return p, p
	}
	b := distuv.Binomial{N: float64(n), P: p, Src: rand.NewPCG(seed, 0x5eed)}
	draws := make([]float64, BootstrapSamples)
	for i := range draws {
		draws[i] = b.Rand() / float64(n)
	}
	return percentileInterval(draws)
}

func percentileInterval(draws []float64) (lo, hi float64) {
	sort.Float64s(draws)
	at := func(q float64) float64 {
		i := int(math.Floor(q * float64(len(draws)-1)))
		return draws[i]
	}
	return at(0.025), at(0.975)
}

// McNemar compares two runs on the same pairs from the discordant counts: b pairs
// solved only by the first run, c only by the second. It returns the two-sided p
// value: exact (binomial) when b+c < 25, else the χ² test with continuity
// correction, as usual for paired proportions.
func McNemar(b, c int) float64 {
	n := b + c
	if n == 0 {
		return 1
	}
	if n < 25 {
		k := min(b, c)
		// P(X ≤ k) for X ~ Binomial(n, 1/2), doubled and capped at 1.
		var cum float64
		for i := 0; i <= k; i++ {
			cum += math.Exp(logChoose(n, i) - float64(n)*math.Ln2)
		}
		return math.Min(1, 2*cum)
	}
	d := math.Abs(float64(b-c)) - 1
	chi := d * d / float64(n)
	return distuv.ChiSquared{K: 1}.Survival(chi)
}

func logChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// PairedBootstrapDelta returns the 95 % percentile interval of the difference in
// pair accuracy (second minus first, as a fraction) when pairs are resampled with
// replacement, from the four cells of the paired table: both solved, only the
// first, only the second, neither. A multinomial draw over the cells is the same
// resampling as drawing pairs one by one.
func PairedBootstrapDelta(both, onlyA, onlyB, neither int, seed uint64) (lo, hi float64) {
	n := both + onlyA + onlyB + neither
	if n == 0 {
		return 0, 0
	}
	src := rand.NewPCG(seed, 0xde17a)
	draws := make([]float64, BootstrapSamples)
	pA := float64(onlyA) / float64(n)
	pB := float64(onlyB) / float64(n)
	for i := range draws {
		// Sequential binomials draw a multinomial; only the two discordant cells
		// change the difference.
		a := binomial(n, pA, src)
		rest := n - a
		var bb int
		if rest > 0 && pA < 1 {
			bb = binomial(rest, math.Min(1, pB/(1-pA)), src)
		}
		draws[i] = float64(bb-a) / float64(n)
	}
	return percentileInterval(draws)
}

func binomial(n int, p float64, src rand.Source) int {
	if p <= 0 || n == 0 {
		return 0
	}
	if p >= 1 {
		return n
	}
	return int(distuv.Binomial{N: float64(n), P: p, Src: src}.Rand())
}
