// Package audit checks a suite for construction flaws that would make its scores
// mean less than they seem: unbalanced gold answers, repeated or nearly repeated
// questions, hallucinated questions systematically longer or shorter than basic
// ones, and wording artifacts — words that give away which question of a pair is
// the hallucinated one without looking at the input.
//
// The artifact test is the important one. Every pair's hallucinated question
// changes one element of its basic question; if authors tend to put, say, "very"
// or "not" or "fear" in hallucinated questions, a model can score well by
// answering no whenever it sees them. A cross-validated question-only classifier
// measures how far that gets: about 0.5 accuracy means the wording leaks nothing,
// 1.0 means the roles can be read off the questions alone.
package audit

import (
	"math/rand/v2"
	"sort"

	eh "github.com/emohallucer/emohallucer"
)

// Options tune an audit. The zero value gives the defaults.
type Options struct {
	// Seed makes fold assignment, the bootstrap and the permutation baseline
	// reproducible (default 1).
	Seed int64
	// Folds is the number of cross-validation folds (default 10; fewer when the
	// suite has fewer pairs).
	Folds int
	// NearThreshold is the word-shingle Jaccard index at or above which two
	// questions about the same context are near-duplicates (default 0.9).
	NearThreshold float64
	// TopTokens is how many indicative tokens to list per role (default 15).
	TopTokens int
	// MinTokenCount is how often a token must occur to be listed (default 3).
	MinTokenCount int
	// Bootstrap is the number of bootstrap resamples for intervals (default 1000).
	Bootstrap int
	// Permutations is how many label-permuted cross-validation runs make the
	// chance baseline (default 10; negative disables it).
	Permutations int
	// MaxListed bounds the duplicate and near-duplicate lists (counts are always
	// complete; default 50, negative means no bound).
	MaxListed int
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Folds <= 0 {
		o.Folds = 10
	}
	if o.NearThreshold <= 0 {
		o.NearThreshold = 0.9
	}
	if o.TopTokens <= 0 {
		o.TopTokens = 15
	}
	if o.MinTokenCount <= 0 {
		o.MinTokenCount = 3
	}
	if o.Bootstrap <= 0 {
		o.Bootstrap = 1000
	}
	if o.Permutations == 0 {
		o.Permutations = 10
	}
	if o.MaxListed == 0 {
		o.MaxListed = 50
	}
	return o
}

// Report is the result of an audit. Numbers are plain (accuracies in 0..1,
// lengths in words).
type Report struct {
	Suite     string `json:"suite"`
	Pairs     int    `json:"pairs"`
	Questions int    `json:"questions"`
	GoldYes   int    `json:"gold_yes"`
	GoldNo    int    `json:"gold_no"`

	// Duplicates counts questions whose normalised text repeats an earlier
	// question about the same context; DuplicateList shows the groups.
	Duplicates    int              `json:"duplicates"`
	DuplicateList []DuplicateGroup `json:"duplicate_list"`
	// NearDuplicates counts question pairs from different pairs, same context,
	// with word-shingle Jaccard ≥ NearThreshold (exact copies excluded).
	NearDuplicates    int             `json:"near_duplicates"`
	NearDuplicateList []NearDuplicate `json:"near_duplicate_list"`
	NearThreshold     float64         `json:"near_threshold"`
	// ListsComplete is false when the lists above were cut at Options.MaxListed.
	ListsComplete bool `json:"lists_complete"`

	// LengthDiffMean is the mean of (hallucinated − basic) question length in
	// words; LengthAbsDiffMean the mean of its absolute value.
	LengthDiffMean    float64 `json:"length_diff_mean"`
	LengthAbsDiffMean float64 `json:"length_abs_diff_mean"`
	BasicLengthMean   float64 `json:"basic_length_mean"`

	// ArtifactAccuracy is the cross-validated accuracy of the question-only
	// classifier over all questions (ties count half); ArtifactCI95 its 95 %
	// bootstrap interval over pairs.
	ArtifactAccuracy float64    `json:"artifact_accuracy"`
	ArtifactCI95     [2]float64 `json:"artifact_ci95"`
	// ArtifactPairAccuracy is how often the classifier scores a pair's basic
	// question as more basic-looking than its hallucinated one — the leak a
	// model could exploit by comparing, if it saw both.
	ArtifactPairAccuracy float64 `json:"artifact_pair_accuracy"`
	// ArtifactNullMean and ArtifactNullP95 summarise the same cross-validation
	// with the roles swapped at random inside pairs: what accuracy looks like
	// when the wording carries no role information. Cross-validation on
	// balanced data tends to land a little below 0.5, so compare against these.
	ArtifactNullMean float64 `json:"artifact_null_mean"`
	ArtifactNullP95  float64 `json:"artifact_null_p95"`
	Folds            int     `json:"folds"`
	Seed             int64   `json:"seed"`

	TopBasicTokens        []TokenWeight `json:"top_basic_tokens"`
	TopHallucinatedTokens []TokenWeight `json:"top_hallucinated_tokens"`
	// SwapTerms are the words that differ inside pairs, with how often each was
	// on the basic side and on the hallucinated side, most unbalanced first.
	// A term always on one side is a give-away.
	SwapTerms []SwapTerm `json:"swap_terms"`

	PerSubCategory []SubCategoryAudit `json:"per_subcategory"`

	// OverlapBaselineAccuracy is the pair accuracy of the context-overlap rule
	// (say yes to the question sharing more content words with the passage)
	// over the OverlapPairs pairs with a text context; chance is 0.25.
	// OverlapTies counts the pairs the rule could not decide.
	// OverlapBySubCategory maps each sub-category to its accuracy and
	// OverlapPerSubCategory gives the same with the pair and tie counts each
	// figure rests on, in report order. All are zero or empty when no pair has
	// text.
	OverlapBaselineAccuracy float64                    `json:"overlap_baseline_accuracy"`
	OverlapPairs            int                        `json:"overlap_pairs"`
	OverlapTies             int                        `json:"overlap_ties"`
	OverlapBySubCategory    map[eh.SubCategory]float64 `json:"overlap_by_subcategory"`
	OverlapPerSubCategory   []OverlapSubCategory       `json:"overlap_per_subcategory"`

	// ByLang repeats the artifact test and the overlap baseline for the
	// pairs of each language on their own (see LangAudit).
	ByLang map[eh.Lang]*LangAudit `json:"by_lang"`

	Notes []string `json:"notes,omitempty"`
}

// SubCategoryAudit is the artifact and length audit of one sub-category. The
// classifier is the suite-wide one; only its held-out predictions are split.
type SubCategoryAudit struct {
	SubCategory      eh.SubCategory `json:"subcategory"`
	Pairs            int            `json:"pairs"`
	ArtifactAccuracy float64        `json:"artifact_accuracy"`
	ArtifactCI95     [2]float64     `json:"artifact_ci95"`
	LengthDiffMean   float64        `json:"length_diff_mean"`
}

// SwapTerm is a word that differs between the two questions of some pairs.
type SwapTerm struct {
	Term         string `json:"term"`
	Basic        int    `json:"in_basic"`
	Hallucinated int    `json:"in_hallucinated"`
}

// Run audits s. It never fails: a suite too small for a statistic gets a note
// instead of a number.
func Run(s *eh.Suite, opt Options) (r Report) {
	opt = opt.withDefaults()
	r = Report{Suite: s.Name, Pairs: len(s.Pairs), Questions: s.QuestionCount(), NearThreshold: opt.NearThreshold, Seed: opt.Seed, ListsComplete: true}
	// Lists are never null in JSON, so consumers can index them without checks.
	defer func() {
		r.DuplicateList = nonNil(r.DuplicateList)
		r.NearDuplicateList = nonNil(r.NearDuplicateList)
		r.TopBasicTokens = nonNil(r.TopBasicTokens)
		r.TopHallucinatedTokens = nonNil(r.TopHallucinatedTokens)
		r.SwapTerms = nonNil(r.SwapTerms)
		r.PerSubCategory = nonNil(r.PerSubCategory)
		r.OverlapPerSubCategory = nonNil(r.OverlapPerSubCategory)
	}()
	for _, p := range s.Pairs {
		for _, q := range []eh.Question{p.Basic, p.Hallucinated} {
			switch q.Gold {
			case eh.Yes:
				r.GoldYes++
			case eh.No:
				r.GoldNo++
			}
		}
	}

	qs := collectQuestions(s)
	groups, count, rep := exactDuplicates(qs)
	near := nearDuplicates(qs, rep, opt.NearThreshold, opt.Seed)
	r.Duplicates, r.NearDuplicates = count, len(near)
	r.DuplicateList, r.NearDuplicateList = groups, near
	if opt.MaxListed > 0 {
		if len(groups) > opt.MaxListed {
			r.DuplicateList, r.ListsComplete = groups[:opt.MaxListed], false
		}
		if len(near) > opt.MaxListed {
			r.NearDuplicateList, r.ListsComplete = near[:opt.MaxListed], false
		}
	}

	lengthStats(s, &r)
	ov := OverlapBaseline(s)
	r.OverlapBaselineAccuracy, r.OverlapPairs, r.OverlapTies = ov.Accuracy, ov.Pairs, ov.Ties
	r.OverlapPerSubCategory = ov.BySubCategory
	r.OverlapBySubCategory = make(map[eh.SubCategory]float64, len(ov.BySubCategory))
	for _, sc := range ov.BySubCategory {
		r.OverlapBySubCategory[sc.SubCategory] = sc.Accuracy
	}
	r.SwapTerms = swapTerms(s, opt.TopTokens)
	defer func() { r.ByLang = byLang(s, &r, opt) }()
	if len(s.Pairs) < 2 {
		r.Notes = append(r.Notes, "artifact test skipped: it needs at least 2 pairs")
		return r
	}
	r.Folds = min(opt.Folds, len(s.Pairs))
	e := encode(s)
	art := artifactOf(e, r.Folds, opt)
	perPair, boot := art.perPair, art.boot
	r.ArtifactAccuracy, r.ArtifactPairAccuracy, r.ArtifactCI95 = art.accuracy, art.pairAccuracy, art.ci
	r.TopBasicTokens, r.TopHallucinatedTokens = topTokens(e, opt.TopTokens, opt.MinTokenCount)

	if opt.Permutations > 0 {
		perm := rand.New(rand.NewPCG(uint64(opt.Seed), 3))
		nulls := make([]float64, opt.Permutations)
		flip := make([]bool, len(s.Pairs))
		for k := range nulls {
			for i := range flip {
				flip[i] = perm.IntN(2) == 1
			}
			res := crossValidate(e, r.Folds, rand.New(rand.NewPCG(uint64(opt.Seed), uint64(10+k))), flip)
			t := 0.0
			for _, c := range res.credit {
				t += c
			}
			nulls[k] = t / float64(len(res.credit))
		}
		sort.Float64s(nulls)
		m := 0.0
		for _, v := range nulls {
			m += v
		}
		r.ArtifactNullMean = round(m/float64(len(nulls)), 4)
		r.ArtifactNullP95 = round(nulls[min(len(nulls)-1, int(0.95*float64(len(nulls))))], 4)
	}

	bySub := map[eh.SubCategory][]int{}
	for i, p := range s.Pairs {
		bySub[p.SubCategory] = append(bySub[p.SubCategory], i)
	}
	for _, sc := range orderedSubCategories(bySub) {
		idx := bySub[sc]
		vals := make([]float64, len(idx))
		t, ld := 0.0, 0.0
		for j, i := range idx {
			vals[j] = perPair[i]
			t += perPair[i]
			p := s.Pairs[i]
			ld += float64(len(tokens(p.Hallucinated.Text)) - len(tokens(p.Basic.Text)))
		}
		r.PerSubCategory = append(r.PerSubCategory, SubCategoryAudit{
			SubCategory: sc, Pairs: len(idx),
			ArtifactAccuracy: round(t/float64(len(idx)), 4),
			ArtifactCI95:     bootstrapCI(vals, boot, opt.Bootstrap),
			LengthDiffMean:   round(ld/float64(len(idx)), 3),
		})
	}
	return r
}

// orderedSubCategories lists the sub-categories present, known ones in report
// order, unknown ones (a malformed suite) after them alphabetically.
func orderedSubCategories[V any](m map[eh.SubCategory]V) []eh.SubCategory {
	var out, extra []eh.SubCategory
	for _, sc := range eh.SubCategories {
		if _, ok := m[sc]; ok {
			out = append(out, sc)
		}
	}
	for sc := range m {
		if !sc.Valid() {
			extra = append(extra, sc)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	return append(out, extra...)
}

func lengthStats(s *eh.Suite, r *Report) {
	if len(s.Pairs) == 0 {
		return
	}
	var d, ad, bl float64
	for _, p := range s.Pairs {
		b, h := len(tokens(p.Basic.Text)), len(tokens(p.Hallucinated.Text))
		d += float64(h - b)
		if h < b {
			ad += float64(b - h)
		} else {
			ad += float64(h - b)
		}
		bl += float64(b)
	}
	n := float64(len(s.Pairs))
	r.LengthDiffMean, r.LengthAbsDiffMean, r.BasicLengthMean = round(d/n, 3), round(ad/n, 3), round(bl/n, 2)
}

// swapTerms counts, over pairs, the words present in one question of the pair
// and not the other, and returns the n most one-sided (ties by frequency).
func swapTerms(s *eh.Suite, n int) []SwapTerm {
	counts := map[string]*SwapTerm{}
	get := func(w string) *SwapTerm {
		t, ok := counts[w]
		if !ok {
			t = &SwapTerm{Term: w}
			counts[w] = t
		}
		return t
	}
	for _, p := range s.Pairs {
		b, h := bagOf(tokens(p.Basic.Text)), bagOf(tokens(p.Hallucinated.Text))
		for w, c := range b {
			if c > h[w] {
				get(w).Basic++
			}
		}
		for w, c := range h {
			if c > b[w] {
				get(w).Hallucinated++
			}
		}
	}
	all := make([]SwapTerm, 0, len(counts))
	for _, t := range counts {
		all = append(all, *t)
	}
	imb := func(t SwapTerm) int {
		if t.Basic > t.Hallucinated {
			return t.Basic - t.Hallucinated
		}
		return t.Hallucinated - t.Basic
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if imb(a) != imb(b) {
			return imb(a) > imb(b)
		}
		if a.Basic+a.Hallucinated != b.Basic+b.Hallucinated {
			return a.Basic+a.Hallucinated > b.Basic+b.Hallucinated
		}
		return a.Term < b.Term
	})
	var out []SwapTerm
	for _, t := range all {
		if len(out) == n || imb(t) < 2 {
			break
		}
		out = append(out, t)
	}
	return out
}

func bagOf(words []string) map[string]int {
	m := make(map[string]int, len(words))
	for _, w := range words {
		m[w]++
	}
	return m
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
