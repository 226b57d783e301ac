package audit

import (
	"math"
	"math/rand/v2"
	"sort"

	eh "github.com/emohallucer/emohallucer"
)

// The question-only artifact test asks: can a model that never sees the context
// tell basic from hallucinated questions? If it can, a model under test can too,
// and its score partly measures the wording of the suite instead of emotion
// perception. The classifier is multinomial naive Bayes over unigrams and bigrams
// with add-one smoothing, cross-validated with folds split by pair so that the
// two questions of a pair, which share most of their words, are never split
// between training and test.

// alpha is the additive smoothing of the naive Bayes word probabilities.
const alpha = 1.0

// encoded is the suite as feature-id bags, question 2i is pair i's basic question
// and 2i+1 its hallucinated one.
type encoded struct {
	vocab []string
	bags  [][]int // feature ids with repetition
}

func encode(s *eh.Suite) encoded {
	ids := map[string]int{}
	var e encoded
	for _, p := range s.Pairs {
		for _, r := range []eh.Role{eh.Basic, eh.Hallucinated} {
			fs := features(tokens(p.Question(r).Text))
			bag := make([]int, len(fs))
			for i, f := range fs {
				id, ok := ids[f]
				if !ok {
					id = len(e.vocab)
					ids[f] = id
					e.vocab = append(e.vocab, f)
				}
				bag[i] = id
			}
			e.bags = append(e.bags, bag)
		}
	}
	return e
}

// nbModel holds per-class feature counts; class 0 is basic, 1 hallucinated.
type nbModel struct {
	count [2][]float64
	total [2]float64
	docs  [2]float64
}

func newModel(v int) *nbModel {
	return &nbModel{count: [2][]float64{make([]float64, v), make([]float64, v)}}
}

// add adds (sign +1) or removes (sign −1) one question of class c.
func (m *nbModel) add(bag []int, c int, sign float64) {
	for _, f := range bag {
		m.count[c][f] += sign
	}
	m.total[c] += sign * float64(len(bag))
	m.docs[c] += sign
}

// vocabSize counts the features seen in the model's training questions; features
// only in test questions are ignored when scoring, as a deployed model would.
func (m *nbModel) vocabSize() float64 {
	n := 0
	for f := range m.count[0] {
		if m.count[0][f] > 0 || m.count[1][f] > 0 {
			n++
		}
	}
	return float64(n)
}

// score returns log P(basic | q) − log P(hallucinated | q) up to a constant:
// positive means the question looks basic.
func (m *nbModel) score(bag []int, v float64) float64 {
	s := math.Log(m.docs[0]+1) - math.Log(m.docs[1]+1)
	d0, d1 := m.total[0]+alpha*v, m.total[1]+alpha*v
	for _, f := range bag {
		c0, c1 := m.count[0][f], m.count[1][f]
		if c0 == 0 && c1 == 0 {
			continue
		}
		s += math.Log((c0+alpha)/d0) - math.Log((c1+alpha)/d1)
	}
	return s
}

// cvResult is the outcome of one cross-validation run.
type cvResult struct {
	// credit[i] is 0, 0.5 or 1 for question i: right, tie, wrong is 1, 0.5, 0.
	credit []float64
	// pairRank[i] is 1 when pair i's basic question scored above its
	// hallucinated one, 0.5 on a tie, else 0.
	pairRank []float64
}

// crossValidate runs k-fold cross-validation by pair. flip[i], when true, swaps
// the labels of pair i (used for the permutation baseline).
func crossValidate(e encoded, k int, rng *rand.Rand, flip []bool) cvResult {
	nPairs := len(e.bags) / 2
	order := rng.Perm(nPairs)
	fold := make([]int, nPairs)
	for pos, i := range order {
		fold[i] = pos % k
	}
	label := func(q int) int {
		c := q % 2
		if flip != nil && flip[q/2] {
			c = 1 - c
		}
		return c
	}
	full := newModel(len(e.vocab))
	for q, bag := range e.bags {
		full.add(bag, label(q), 1)
	}
	res := cvResult{credit: make([]float64, len(e.bags)), pairRank: make([]float64, nPairs)}
	for f := 0; f < k; f++ {
		// Train on everything outside fold f by removing the fold from the full
		// counts: O(size of the fold) instead of O(size of the suite) per fold.
		for i := 0; i < nPairs; i++ {
			if fold[i] == f {
				full.add(e.bags[2*i], label(2*i), -1)
				full.add(e.bags[2*i+1], label(2*i+1), -1)
			}
		}
		v := full.vocabSize()
		for i := 0; i < nPairs; i++ {
			if fold[i] != f {
				continue
			}
			var s [2]float64
			for j := 0; j < 2; j++ {
				q := 2*i + j
				s[j] = full.score(e.bags[q], v)
				switch want := label(q); {
				case s[j] == 0:
					res.credit[q] = 0.5
				case (s[j] > 0) == (want == 0):
					res.credit[q] = 1
				}
			}
			// The pair view: is the question labelled basic the more basic-looking
			// of the two?
			hi, lo := s[0], s[1]
			if label(2*i) == 1 {
				hi, lo = lo, hi
			}
			switch {
			case hi > lo:
				res.pairRank[i] = 1
			case hi == lo:
				res.pairRank[i] = 0.5
			}
		}
		for i := 0; i < nPairs; i++ {
			if fold[i] == f {
				full.add(e.bags[2*i], label(2*i), 1)
				full.add(e.bags[2*i+1], label(2*i+1), 1)
			}
		}
	}
	return res
}

// artifactResult is the outcome of the question-only classifier on a suite.
type artifactResult struct {
	// perPair is each pair's mean credit over its two questions.
	perPair                []float64
	accuracy, pairAccuracy float64
	ci                     [2]float64
	// boot is the bootstrap stream after the interval was drawn; the
	// sub-category intervals continue it.
	boot *rand.Rand
}

// artifactOf cross-validates the question-only classifier on the encoded
// suite e with the given number of folds (at least 2 pairs are needed).
func artifactOf(e encoded, folds int, opt Options) artifactResult {
	cv := crossValidate(e, folds, rand.New(rand.NewPCG(uint64(opt.Seed), 1)), nil)
	n := len(e.bags) / 2
	res := artifactResult{perPair: make([]float64, n), boot: rand.New(rand.NewPCG(uint64(opt.Seed), 2))}
	sum, rank := 0.0, 0.0
	for i := range res.perPair {
		res.perPair[i] = (cv.credit[2*i] + cv.credit[2*i+1]) / 2
		sum += res.perPair[i]
		rank += cv.pairRank[i]
	}
	res.accuracy = round(sum/float64(n), 4)
	res.pairAccuracy = round(rank/float64(n), 4)
	res.ci = bootstrapCI(res.perPair, res.boot, opt.Bootstrap)
	return res
}

// bootstrapCI returns the 2.5 and 97.5 percentiles of the mean of per-pair
// values (each already the mean over the pair's questions) resampled over pairs.
// Pairs, not questions, are the unit because a pair's two questions share words
// and their classifier outcomes are correlated.
func bootstrapCI(perPair []float64, rng *rand.Rand, n int) [2]float64 {
	if len(perPair) == 0 {
		return [2]float64{}
	}
	means := make([]float64, n)
	for b := range means {
		sum := 0.0
		for range perPair {
			sum += perPair[rng.IntN(len(perPair))]
		}
		means[b] = sum / float64(len(perPair))
	}
	sort.Float64s(means)
	lo := means[int(math.Floor(0.025*float64(n-1)))]
	hi := means[int(math.Ceil(0.975*float64(n-1)))]
	return [2]float64{round(lo, 4), round(hi, 4)}
}

// TokenWeight is one feature and how strongly it points to a role.
type TokenWeight struct {
	Token string `json:"token"`
	// LogRatio is log P(token | basic) − log P(token | hallucinated) under the
	// smoothed model trained on the whole suite; positive points to basic.
	LogRatio     float64 `json:"log_ratio"`
	Basic        int     `json:"in_basic"`
	Hallucinated int     `json:"in_hallucinated"`
}

// topTokens returns the n features most indicative of each role, among features
// seen at least minCount times (rarer ones are noise, not a pattern an author
// can fix).
func topTokens(e encoded, n, minCount int) (basic, halluc []TokenWeight) {
	m := newModel(len(e.vocab))
	for q, bag := range e.bags {
		m.add(bag, q%2, 1)
	}
	v := m.vocabSize()
	d0, d1 := m.total[0]+alpha*v, m.total[1]+alpha*v
	var all []TokenWeight
	for f, tok := range e.vocab {
		c0, c1 := m.count[0][f], m.count[1][f]
		if c0+c1 < float64(minCount) {
			continue
		}
		lr := math.Log((c0+alpha)/d0) - math.Log((c1+alpha)/d1)
		all = append(all, TokenWeight{Token: tok, LogRatio: round(lr, 3), Basic: int(c0), Hallucinated: int(c1)})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].LogRatio != all[j].LogRatio {
			return all[i].LogRatio > all[j].LogRatio
		}
		return all[i].Token < all[j].Token
	})
	for i := 0; i < len(all) && i < n && all[i].LogRatio > 0; i++ {
		basic = append(basic, all[i])
	}
	for i := len(all) - 1; i >= 0 && len(halluc) < n && all[i].LogRatio < 0; i-- {
		halluc = append(halluc, all[i])
	}
	return basic, halluc
}
