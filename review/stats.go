package review

import (
	"math"
	"sort"
)

// z95 is the standard normal quantile for a two-sided 95 % interval.
const z95 = 1.959963984540054

// Wilson returns the Wilson score 95 % interval of k successes in n trials
// (Wilson 1927). Unlike the normal approximation it stays inside [0, 1] and is
// sound for the small samples a human review gives. n = 0 gives [0, 1].
func Wilson(k, n int) [2]float64 {
	if n <= 0 {
		return [2]float64{0, 1}
	}
	p := float64(k) / float64(n)
	nf := float64(n)
	z2 := z95 * z95
	centre := (p + z2/(2*nf)) / (1 + z2/nf)
	half := z95 / (1 + z2/nf) * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return [2]float64{math.Max(0, centre-half), math.Min(1, centre+half)}
}

// CohenKappa is Cohen's (1960) kappa of two raters who labelled the same items:
// a[i] and b[i] are their labels of item i. It returns NaN when it is
// undefined: no items, or chance agreement of 1 (both raters used one and the
// same label throughout).
func CohenKappa(a, b []string) float64 {
	n := len(a)
	if n == 0 || n != len(b) {
		return math.NaN()
	}
	agree := 0
	ma, mb := map[string]int{}, map[string]int{}
	for i := range a {
		if a[i] == b[i] {
			agree++
		}
		ma[a[i]]++
		mb[b[i]]++
	}
	po := float64(agree) / float64(n)
	pe := 0.0
	for c, k := range ma {
		pe += float64(k) * float64(mb[c]) / float64(n*n)
	}
	if pe == 1 {
		return math.NaN()
	}
	return (po - pe) / (1 - pe)
}

// FleissKappa is Fleiss' (1971) kappa for items rated by the same number of
// raters each: counts[i][j] is how many raters put item i in category j. It
// returns NaN when it is undefined: no items, rows of unequal or fewer than two
// ratings, or chance agreement of 1.
func FleissKappa(counts [][]int) float64 {
	if len(counts) == 0 {
		return math.NaN()
	}
	m := 0
	for _, c := range counts[0] {
		m += c
	}
	if m < 2 {
		return math.NaN()
	}
	k := len(counts[0])
	totals := make([]float64, k)
	sumP := 0.0
	for _, row := range counts {
		if len(row) != k {
			return math.NaN()
		}
		r, sq := 0, 0
		for j, c := range row {
			r += c
			sq += c * c
			totals[j] += float64(c)
		}
		if r != m {
			return math.NaN()
		}
		sumP += float64(sq-m) / float64(m*(m-1))
	}
	n := float64(len(counts))
	pbar := sumP / n
	pe := 0.0
	for _, t := range totals {
		p := t / (n * float64(m))
		pe += p * p
	}
	if pe == 1 {
		return math.NaN()
	}
	return (pbar - pe) / (1 - pe)
}

// KrippendorffAlpha is Krippendorff's alpha for nominal data (Krippendorff 2011,
// "Computing Krippendorff's Alpha-Reliability"): units[u] holds the values the
// raters gave unit u, missing ratings simply absent. Units with fewer than two
// values cannot be paired and are left out, as the method prescribes. It
// returns NaN when fewer than two pairable values remain or the expected
// disagreement is zero (one value throughout).
func KrippendorffAlpha(units [][]string) float64 {
	// The coincidence matrix: o[c][k] = Σ_u (number of c–k pairs in u)/(m_u − 1).
	o := map[string]map[string]float64{}
	for _, vals := range units {
		mu := len(vals)
		if mu < 2 {
			continue
		}
		cnt := map[string]int{}
		for _, v := range vals {
			cnt[v]++
		}
		for c, nc := range cnt {
			if o[c] == nil {
				o[c] = map[string]float64{}
			}
			for k, nk := range cnt {
				pairs := nc * nk
				if c == k {
					pairs = nc * (nc - 1)
				}
				o[c][k] += float64(pairs) / float64(mu-1)
			}
		}
	}
	nc := map[string]float64{}
	n := 0.0
	for c, row := range o {
		for _, v := range row {
			nc[c] += v
			n += v
		}
	}
	if n < 2 {
		return math.NaN()
	}
	// Nominal metric: every mismatch counts 1.
	observed := 0.0
	for c, row := range o {
		for k, v := range row {
			if c != k {
				observed += v
			}
		}
	}
	labels := make([]string, 0, len(nc))
	for c := range nc {
		labels = append(labels, c)
	}
	sort.Strings(labels)
	expected := 0.0
	for _, c := range labels {
		for _, k := range labels {
			if c != k {
				expected += nc[c] * nc[k]
			}
		}
	}
	if expected == 0 {
		return math.NaN()
	}
	return 1 - (n-1)*observed/expected
}
