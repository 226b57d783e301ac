package score

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	eh "github.com/emohallucer/emohallucer"
)

// A fact, for the cross-lingual comparison, is an original pair together with
// its renderings in other languages (pairs whose translation_of names it). A
// model that solves a fact in English but not in Japanese knows it only in
// English; consistency measures how often that does not happen.

// Crosslingual is the cross-lingual consistency of a run: how often a fact gets
// the same pair correctness in every language it was scored in, overall and per
// language pair.
type Crosslingual struct {
	// Facts counts the facts scored in at least two languages; Same counts
	// those solved in all of their languages or in none; Consistency is
	// Same/Facts.
	Facts       int     `json:"facts"`
	Same        int     `json:"same"`
	Consistency float64 `json:"consistency"`
	// Pairs compares each two languages on the facts scored in both, in
	// language order (en–ja, en–zh, ja–zh); pairs without shared facts are left
	// out.
	Pairs []LangComparison `json:"pairs"`
}

// LangComparison compares languages A and B on the facts scored in both.
type LangComparison struct {
	A     eh.Lang `json:"a"`
	B     eh.Lang `json:"b"`
	Facts int     `json:"facts"`
	// Same counts the facts solved in both languages or in neither;
	// Consistency is Same/Facts.
	Same        int     `json:"same"`
	Consistency float64 `json:"consistency"`
	// RightAWrongB counts the facts solved in A but not in B, RightBWrongA the
	// reverse: the discordant cells of McNemar's test.
	RightAWrongB int `json:"right_a_wrong_b"`
	RightBWrongA int `json:"right_b_wrong_a"`
	// OverallA and OverallB are the pair accuracies (percent) of the two
	// languages on these facts; DeltaOverall is OverallB − OverallA in
	// percentage points with its paired bootstrap 95 % interval.
	OverallA     float64    `json:"overall_a"`
	OverallB     float64    `json:"overall_b"`
	DeltaOverall float64    `json:"delta_overall"`
	DeltaCI95    [2]float64 `json:"delta_ci95"`
	McNemarP     float64    `json:"mcnemar_p"`
}

// factOutcomes maps each fact to whether its pair was solved in each language
// the fact was scored in (both questions answered).
type factOutcomes map[string]map[eh.Lang]bool

// add records the outcomes of the given pairs of a, keyed by fact.
func (f factOutcomes) add(a *Accumulator, pairs []string) {
	for _, id := range pairs {
		po := a.recs[id]
		if !scored(po) {
			continue
		}
		fact := id
		if orig, ok := a.original[id]; ok {
			fact = orig
		}
		m := f[fact]
		if m == nil {
			m = map[eh.Lang]bool{}
			f[fact] = m
		}
		m[po.basic.Lang.OrEnglish()] = po.basic.Correct() && po.hall.Correct()
	}
}

// crosslingual computes the run's Crosslingual from the sorted pair ids; nil
// when no fact was scored in two languages.
func (a *Accumulator) crosslingual(pairs []string) *Crosslingual {
	f := factOutcomes{}
	f.add(a, pairs)
	return f.compare()
}

// CrosslingualOf pools the pairs of one or more accumulated runs and compares
// their languages on the facts scored in several of them: one run holding
// every language, or, say, an English run and a Japanese run of the same model.
// A pair present in two of the runs is an EINVALID error. The result is nil
// when no fact was scored in two languages.
func CrosslingualOf(accs ...*Accumulator) (*Crosslingual, error) {
	f := factOutcomes{}
	seen := map[string]bool{}
	for _, a := range accs {
		ids := append([]string(nil), a.order...)
		sort.Strings(ids)
		for _, id := range ids {
			if seen[id] {
				return nil, eh.Errorf(eh.EINVALID, "pair %s is in two of the runs compared; compare languages within one run, or pool runs that asked different pairs", id)
			}
			seen[id] = true
		}
		f.add(a, ids)
	}
	return f.compare(), nil
}

func (f factOutcomes) compare() *Crosslingual {
	facts := make([]string, 0, len(f))
	for id, m := range f {
		if len(m) > 1 {
			facts = append(facts, id)
		}
	}
	if len(facts) == 0 {
		return nil
	}
	sort.Strings(facts)
	c := &Crosslingual{Facts: len(facts), Pairs: []LangComparison{}}
	for _, id := range facts {
		if allSame(f[id]) {
			c.Same++
		}
	}
	c.Consistency = Round(float64(c.Same)/float64(c.Facts), 4)
	for i, la := range eh.Langs {
		for _, lb := range eh.Langs[i+1:] {
			var t pairedTable
			for _, id := range facts {
				ra, okA := f[id][la]
				rb, okB := f[id][lb]
				if okA && okB {
					t.add(ra, rb)
				}
			}
			n := t.n()
			if n == 0 {
				continue
			}
			lc := LangComparison{A: la, B: lb, Facts: n, Same: t.both + t.neither,
				Consistency:  Round(float64(t.both+t.neither)/float64(n), 4),
				RightAWrongB: t.onlyA, RightBWrongA: t.onlyB,
				DeltaOverall: Round(100*float64(t.onlyB-t.onlyA)/float64(n), 4),
				DeltaCI95:    t.deltaCI95(seedFor("crosslingual:" + string(la) + "-" + string(lb))),
				McNemarP:     McNemar(t.onlyA, t.onlyB)}
			lc.OverallA, lc.OverallB = t.overall()
			c.Pairs = append(c.Pairs, lc)
		}
	}
	return c
}

func allSame(m map[eh.Lang]bool) bool {
	first, set := false, false
	for _, v := range m {
		if !set {
			first, set = v, true
		} else if v != first {
			return false
		}
	}
	return true
}

// dropSingleLang removes the language view of a run in one language: it would
// repeat the all view in every summary, report and comparison of the suites
// that have only English. A run in several languages keeps every lang: view.
func dropSingleLang[T any](members map[string]T) {
	var langs []string
	for name := range members {
		if strings.HasPrefix(name, "lang:") {
			langs = append(langs, name)
		}
	}
	if len(langs) == 1 {
		delete(members, langs[0])
	}
}

// WriteCrosslingual writes c as indented JSON or as a table, one row per
// language pair: facts shared, accuracies, the paired difference B − A with
// its interval, the discordant counts, McNemar's p and the consistency.
func WriteCrosslingual(w io.Writer, c *Crosslingual, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	fmt.Fprintf(w, "%d facts in several languages, %d with the same pair correctness in all (consistency %.3f)\n", c.Facts, c.Same, c.Consistency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "A–B\tfacts\tA overall\tB overall\tΔ (B−A) [95% CI]\tright A only/right B only\tMcNemar p\tconsistency")
	for _, p := range c.Pairs {
		fmt.Fprintf(tw, "%s–%s\t%d\t%.2f\t%.2f\t%+.2f [%+.1f, %+.1f]\t%d/%d\t%.4g\t%.3f\n", p.A, p.B, p.Facts, p.OverallA, p.OverallB,
			p.DeltaOverall, p.DeltaCI95[0], p.DeltaCI95[1], p.RightAWrongB, p.RightBWrongA, p.McNemarP, p.Consistency)
	}
	return tw.Flush()
}
