package review

import (
	"math"
	"testing"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// TestWilson checks the interval against values worked by hand from Wilson's
// formula (centre (p + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·√(p(1−p)/n + z²/4n²)).
func TestWilson(t *testing.T) {
	tests := []struct {
		k, n   int
		lo, hi float64
	}{
		// No successes: the lower end is 0, the upper (z²/n)/(1+z²/n) = 0.2775.
		{0, 10, 0, 0.27753},
		// Half: symmetric around 0.5.
		{5, 10, 0.23659, 0.76341},
		// The first rater, 41 of 70 pairs valid.
		{41, 70, 0.46881, 0.69370},
		// All successes mirror the first row.
		{10, 10, 0.72247, 1},
		// No trials: no information.
		{0, 0, 0, 1},
	}
	for _, tt := range tests {
		ci := Wilson(tt.k, tt.n)
		if !near(ci[0], tt.lo, 5e-5) || !near(ci[1], tt.hi, 5e-5) {
			t.Errorf("Wilson(%d, %d) = %v, want [%.5f, %.5f]", tt.k, tt.n, ci, tt.lo, tt.hi)
		}
	}
}

// expand turns a 2×2 table of two raters' yes/no into label lists.
func expand(yy, yn, ny, nn int) (a, b []string) {
	add := func(n int, x, y string) {
		for range n {
			a, b = append(a, x), append(b, y)
		}
	}
	add(yy, "yes", "yes")
	add(yn, "yes", "no")
	add(ny, "no", "yes")
	add(nn, "no", "no")
	return a, b
}

func TestCohenKappa(t *testing.T) {
	wa, wb := expand(20, 5, 10, 15)
	tests := []struct {
		name string
		a, b []string
		want float64
	}{
		// Wikipedia "Cohen's kappa", worked example: 50 grant proposals, both
		// yes 20, A yes B no 5, A no B yes 10, both no 15: po = 0.7,
		// pe = 0.5·0.6 + 0.5·0.4 = 0.5, κ = 0.4.
		{"wikipedia 2x2", wa, wb, 0.4},
		// Perfect agreement on two labels gives 1.
		{"perfect", []string{"valid", "wrong", "valid"}, []string{"valid", "wrong", "valid"}, 1},
		// Systematic disagreement on a balanced 2x2: po = 0, pe = 0.5, κ = −1.
		{"opposite", []string{"valid", "wrong"}, []string{"wrong", "valid"}, -1},
		// Three categories, worked by hand: po = 4/6; marginals A (v3,a2,w1)
		// B (v2,a2,w2), pe = (6+4+2)/36 = 1/3; κ = (2/3 − 1/3)/(2/3) = 0.5.
		{"three labels", []string{"valid", "valid", "valid", "ambiguous", "ambiguous", "wrong"},
			[]string{"valid", "valid", "ambiguous", "ambiguous", "wrong", "wrong"}, 0.5},
	}
	for _, tt := range tests {
		if got := CohenKappa(tt.a, tt.b); !near(got, tt.want, 1e-9) {
			t.Errorf("%s: κ = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Undefined: one label throughout (pe = 1), and no items.
	if k := CohenKappa([]string{"valid", "valid"}, []string{"valid", "valid"}); !math.IsNaN(k) {
		t.Errorf("one label: κ = %v, want NaN", k)
	}
	if k := CohenKappa(nil, nil); !math.IsNaN(k) {
		t.Errorf("no items: κ = %v, want NaN", k)
	}
}

func TestFleissKappa(t *testing.T) {
	tests := []struct {
		name   string
		counts [][]int
		want   float64
		tol    float64
	}{
		// Wikipedia "Fleiss' kappa", worked example: 10 subjects, 14 raters,
		// 5 categories. P̄ = 0.378, P̄e = 0.213, κ = 0.210 (recomputed exactly:
		// P̄ = 0.3780220, P̄e = 0.2127551, κ = 0.2099307).
		{"wikipedia", [][]int{{0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0}, {2, 2, 8, 1, 1},
			{7, 7, 0, 0, 0}, {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2}, {6, 5, 2, 1, 0}, {0, 2, 2, 3, 7}}, 0.2099307, 1e-6},
		// With two raters per item Fleiss' kappa is Scott's pi; for the
		// Wikipedia Cohen table (20 yes-yes, 15 no-no, 15 split) worked by
		// hand: P̄ = 35/50 = 0.7, p_yes = (40+15)/100 = 0.55, P̄e = 0.505,
		// κ = 0.195/0.495 = 0.393939.
		{"two raters", append(append(rows(20, []int{2, 0}), rows(15, []int{0, 2})...), rows(15, []int{1, 1})...), 0.3939394, 1e-6},
		// Unanimous items in two categories: complete agreement.
		{"unanimous", [][]int{{3, 0, 0}, {0, 3, 0}}, 1, 1e-12},
	}
	for _, tt := range tests {
		if got := FleissKappa(tt.counts); !near(got, tt.want, tt.tol) {
			t.Errorf("%s: κ = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Undefined: rows of different sizes, one rater per item.
	for name, c := range map[string][][]int{"unequal rows": {{2, 0}, {1, 2}}, "one rater": {{1, 0}, {0, 1}}, "none": nil} {
		if k := FleissKappa(c); !math.IsNaN(k) {
			t.Errorf("%s: κ = %v, want NaN", name, k)
		}
	}
}

func rows(n int, row []int) [][]int {
	var out [][]int
	for range n {
		out = append(out, row)
	}
	return out
}

func TestKrippendorffAlpha(t *testing.T) {
	// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
	// section C: 4 observers, 12 units, nominal values 1–5 with missing data
	// ("." below); the paper gives α = 0.743 (the ordinal 0.815, interval
	// 0.849, ratio 0.797 are other metrics). Rows are observers A–D:
	//   A: 1 2 3 3 2 1 4 1 2 . . .
	//   B: 1 2 3 3 2 2 4 1 2 5 . 3
	//   C: . 3 3 3 2 3 4 2 2 5 1 .
	//   D: 1 2 3 3 2 4 4 1 2 5 1 .
	// Unit 12 has one value and cannot be paired.
	section := [][]string{
		{"1", "1", "1"}, {"2", "2", "3", "2"}, {"3", "3", "3", "3"}, {"3", "3", "3", "3"}, {"2", "2", "2", "2"},
		{"1", "2", "3", "4"}, {"4", "4", "4", "4"}, {"1", "1", "2", "1"}, {"2", "2", "2", "2"}, {"5", "5", "5"},
		{"1", "1"}, {"3"},
	}
	// Section A of the same paper: two observers, ten units, binary values;
	// α = 0.095.
	//   A: 0 1 0 0 0 0 0 0 1 0
	//   B: 1 1 1 0 0 1 0 0 0 0
	binary := [][]string{{"0", "1"}, {"1", "1"}, {"0", "1"}, {"0", "0"}, {"0", "0"}, {"0", "1"}, {"0", "0"}, {"0", "0"}, {"1", "0"}, {"0", "0"}}
	tests := []struct {
		name  string
		units [][]string
		want  float64
	}{
		{"Krippendorff 2011 C, nominal, missing data", section, 0.743},
		{"Krippendorff 2011 A, binary", binary, 0.095},
		// Perfect agreement with some missing ratings.
		{"perfect", [][]string{{"valid", "valid"}, {"wrong", "wrong", "wrong"}, {"ambiguous"}}, 1},
	}
	for _, tt := range tests {
		if got := KrippendorffAlpha(tt.units); !near(got, tt.want, 5e-4) {
			t.Errorf("%s: α = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Undefined: one value throughout, nothing pairable.
	for name, u := range map[string][][]string{"one value": {{"valid", "valid"}, {"valid", "valid"}}, "unpairable": {{"valid"}, {"wrong"}}} {
		if a := KrippendorffAlpha(u); !math.IsNaN(a) {
			t.Errorf("%s: α = %v, want NaN", name, a)
		}
	}
}
