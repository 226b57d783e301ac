package review

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"

	eh "github.com/emohallucer/emohallucer"
)

// Agreement is what "suite review agree" reports: validity and agreement
// between raters over all pairs, per source and per sub-category.
type Agreement struct {
	Raters   []string `json:"raters"`
	Verdicts int      `json:"verdicts"`
	// Replaced counts verdicts replaced by a later one of the same rater.
	Replaced int `json:"replaced"`
	// Binary is true when agreement was measured on valid vs not valid
	// rather than on the three verdicts.
	Binary        bool    `json:"binary"`
	All           Group   `json:"all"`
	BySource      []Group `json:"by_source"`
	BySubCategory []Group `json:"by_subcategory"`
}

// Group is validity and agreement over one set of pairs. Every statistic
// comes with the counts it was computed from; a statistic that is undefined
// for the group (too few raters or pairs, one label throughout) is null.
type Group struct {
	Name     string `json:"name"`
	Pairs    int    `json:"pairs"`
	Verdicts Counts `json:"verdicts"`
	// Sound counts pairs a strict majority of their raters judged valid
	// (Counts.Sound), Validity is Sound/Pairs with its Wilson 95 % interval.
	Sound        int        `json:"sound"`
	Validity     *float64   `json:"validity"`
	ValidityCI95 [2]float64 `json:"validity_ci95"`
	// Raters is each rater's own share of valid verdicts.
	Raters []RaterValidity `json:"raters"`
	// CohenKappa is computed when the group has exactly two raters, over the
	// CohenPairs pairs both judged.
	CohenKappa *float64 `json:"cohen_kappa"`
	CohenPairs int      `json:"cohen_pairs"`
	// FleissKappa needs the same number of ratings per pair: it uses the
	// FleissPairs pairs that have FleissRaters verdicts, the most common
	// count of at least two (the larger count on a tie).
	FleissKappa  *float64 `json:"fleiss_kappa"`
	FleissPairs  int      `json:"fleiss_pairs"`
	FleissRaters int      `json:"fleiss_raters"`
	// KrippendorffAlpha (nominal) uses every pair with at least two verdicts,
	// whatever their number: AlphaPairs pairs, AlphaValues verdicts.
	KrippendorffAlpha *float64 `json:"krippendorff_alpha"`
	AlphaPairs        int      `json:"alpha_pairs"`
	AlphaValues       int      `json:"alpha_values"`
}

// RaterValidity is one rater's share of valid verdicts in a group.
type RaterValidity struct {
	Rater    string     `json:"rater"`
	Judged   int        `json:"judged"`
	Valid    int        `json:"valid"`
	Validity float64    `json:"validity"`
	CI95     [2]float64 `json:"validity_ci95"`
}

// AgreeOptions control Agree.
type AgreeOptions struct {
	// Suite, when set, gives each pair's source and sub-category, and a
	// verdict on a pair it does not hold is an error. Without it they come
	// from the verdict lines (the review page writes them).
	Suite *eh.Suite
	// Binary measures agreement on valid vs not valid (ambiguous and wrong
	// merged), the question that decides whether a pair stays.
	Binary bool
}

type pairInfo struct{ source, sub string }

// Agree computes validity and agreement from verdicts.
func Agree(vs *Verdicts, o AgreeOptions) (*Agreement, error) {
	info := map[string]pairInfo{}
	if o.Suite != nil {
		for i := range o.Suite.Pairs {
			p := &o.Suite.Pairs[i]
			info[p.ID] = pairInfo{SourceOf(p), string(p.SubCategory)}
		}
	}
	var unknown []string
	byPair := map[string][]Line{}
	var order []string
	for _, l := range vs.Lines {
		if o.Suite != nil {
			if _, ok := info[l.Pair]; !ok {
				unknown = append(unknown, l.Pair)
				continue
			}
		} else if _, ok := info[l.Pair]; !ok {
			info[l.Pair] = pairInfo{orUnknown(l.Source), orUnknown(l.SubCategory)}
		}
		if byPair[l.Pair] == nil {
			order = append(order, l.Pair)
		}
		byPair[l.Pair] = append(byPair[l.Pair], l)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, eh.Errorf(eh.EINVALID, "%d verdict(s) name pairs that suite %s does not hold, e.g. %s", len(unknown), o.Suite.Name, unknown[0])
	}
	sort.Strings(order)
	a := &Agreement{Raters: vs.Raters(), Verdicts: len(vs.Lines), Replaced: vs.Replaced, Binary: o.Binary}
	groups := map[string][]string{}
	for _, id := range order {
		groups["source:"+info[id].source] = append(groups["source:"+info[id].source], id)
		groups["subcategory:"+info[id].sub] = append(groups["subcategory:"+info[id].sub], id)
	}
	a.All = group("all", order, byPair, o.Binary)
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g := group(n, groups[n], byPair, o.Binary)
		if strings.HasPrefix(n, "source:") {
			a.BySource = append(a.BySource, g)
		} else {
			a.BySubCategory = append(a.BySubCategory, g)
		}
	}
	return a, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// label is the category agreement is measured on.
func label(v Verdict, binary bool) string {
	if binary && v != Valid {
		return "not-valid"
	}
	return string(v)
}

func group(name string, ids []string, byPair map[string][]Line, binary bool) Group {
	g := Group{Name: name, Pairs: len(ids)}
	perRater := map[string]*RaterValidity{}
	byRater := map[string]map[string]string{}
	var units [][]string
	for _, id := range ids {
		var c Counts
		var unit []string
		for _, l := range byPair[id] {
			c.add(l.Verdict)
			g.Verdicts.add(l.Verdict)
			r := perRater[l.Rater]
			if r == nil {
				r = &RaterValidity{Rater: l.Rater}
				perRater[l.Rater] = r
				byRater[l.Rater] = map[string]string{}
			}
			r.Judged++
			if l.Verdict == Valid {
				r.Valid++
			}
			byRater[l.Rater][id] = label(l.Verdict, binary)
			unit = append(unit, label(l.Verdict, binary))
		}
		if c.Sound() {
			g.Sound++
		}
		units = append(units, unit)
	}
	if g.Pairs > 0 {
		v := float64(g.Sound) / float64(g.Pairs)
		g.Validity = &v
	}
	g.ValidityCI95 = Wilson(g.Sound, g.Pairs)
	raters := make([]string, 0, len(perRater))
	for r := range perRater {
		raters = append(raters, r)
	}
	sort.Strings(raters)
	for _, r := range raters {
		rv := perRater[r]
		rv.Validity = float64(rv.Valid) / float64(rv.Judged)
		rv.CI95 = Wilson(rv.Valid, rv.Judged)
		g.Raters = append(g.Raters, *rv)
	}
	if len(raters) == 2 {
		var x, y []string
		for _, id := range ids {
			a, okA := byRater[raters[0]][id]
			b, okB := byRater[raters[1]][id]
			if okA && okB {
				x, y = append(x, a), append(y, b)
			}
		}
		g.CohenPairs = len(x)
		g.CohenKappa = finite(CohenKappa(x, y))
	}
	g.FleissRaters, g.FleissPairs, g.FleissKappa = fleissOf(units, binary)
	var pairable [][]string
	for _, u := range units {
		if len(u) >= 2 {
			pairable = append(pairable, u)
			g.AlphaValues += len(u)
		}
	}
	g.AlphaPairs = len(pairable)
	g.KrippendorffAlpha = finite(KrippendorffAlpha(pairable))
	return g
}

// fleissOf applies Fleiss' kappa to the units with the most common number of
// ratings (at least two).
func fleissOf(units [][]string, binary bool) (m, n int, k *float64) {
	freq := map[int]int{}
	for _, u := range units {
		if len(u) >= 2 {
			freq[len(u)]++
		}
	}
	for size, f := range freq {
		if f > freq[m] || f == freq[m] && size > m {
			m = size
		}
	}
	if m == 0 {
		return 0, 0, nil
	}
	cats := []string{string(Valid), string(Ambiguous), string(Wrong)}
	if binary {
		cats = []string{string(Valid), "not-valid"}
	}
	var counts [][]int
	for _, u := range units {
		if len(u) != m {
			continue
		}
		row := make([]int, len(cats))
		for _, v := range u {
			for j, c := range cats {
				if v == c {
					row[j]++
				}
			}
		}
		counts = append(counts, row)
	}
	return m, len(counts), finite(FleissKappa(counts))
}

func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// WriteText writes the agreement as tables.
func (a *Agreement) WriteText(w io.Writer) error {
	on := "valid / ambiguous / wrong"
	if a.Binary {
		on = "valid vs not valid"
	}
	fmt.Fprintf(w, "%d verdicts by %d rater(s) (%s) on %d pairs; %d replaced by a later verdict of the same rater; agreement on %s\n",
		a.Verdicts, len(a.Raters), strings.Join(a.Raters, ", "), a.All.Pairs, a.Replaced, on)
	fmt.Fprintln(w, "validity: share of pairs a strict majority of their raters judged valid, with a Wilson 95 % interval")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "group\tpairs\tvalid/amb/wrong\tvalidity [95% CI]\tCohen κ (pairs)\tFleiss κ (pairs×raters)\tKrippendorff α (pairs, values)")
	rows := append([]Group{a.All}, a.BySource...)
	rows = append(rows, a.BySubCategory...)
	for _, g := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d/%d/%d\t%s\t%s\t%s\t%s\n", g.Name, g.Pairs, g.Verdicts.Valid, g.Verdicts.Ambiguous, g.Verdicts.Wrong,
			share(g.Sound, g.Pairs, g.ValidityCI95), stat(g.CohenKappa, fmt.Sprint(g.CohenPairs)),
			stat(g.FleissKappa, fmt.Sprintf("%d×%d", g.FleissPairs, g.FleissRaters)), stat(g.KrippendorffAlpha, fmt.Sprintf("%d, %d", g.AlphaPairs, g.AlphaValues)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "each rater's own share of valid verdicts:")
	for _, r := range a.All.Raters {
		fmt.Fprintf(w, "  %s: %s\n", r.Rater, share(r.Valid, r.Judged, r.CI95))
	}
	return nil
}

func share(k, n int, ci [2]float64) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%d/%d = %.3f [%.3f, %.3f]", k, n, float64(k)/float64(n), ci[0], ci[1])
}

func stat(x *float64, counts string) string {
	if x == nil {
		return "— (" + counts + ")"
	}
	return fmt.Sprintf("%.3f (%s)", *x, counts)
}
