package audit

import (
	"fmt"

	eh "github.com/emohallucer/emohallucer"
)

// LangAudit is the artifact test and the context-overlap baseline of the pairs
// of one language alone. Wording leaks are language-specific (a Japanese
// hallucinated question may lean on a particle, a Chinese one on 不), so the
// classifier is trained and tested on that language's questions only; CJK text
// is tokenised into character bigrams (see tokens) and matched against its
// passage with the stop characters of cjkStopChars.
type LangAudit struct {
	Pairs int `json:"pairs"`
	// Folds is 0 when the language has too few pairs for the artifact test.
	Folds                   int                  `json:"folds"`
	ArtifactAccuracy        float64              `json:"artifact_accuracy"`
	ArtifactCI95            [2]float64           `json:"artifact_ci95"`
	ArtifactPairAccuracy    float64              `json:"artifact_pair_accuracy"`
	OverlapBaselineAccuracy float64              `json:"overlap_baseline_accuracy"`
	OverlapPairs            int                  `json:"overlap_pairs"`
	OverlapTies             int                  `json:"overlap_ties"`
	OverlapPerSubCategory   []OverlapSubCategory `json:"overlap_per_subcategory"`
}

// byLang audits each language of s on its own. A suite in one language gets
// the suite-wide figures of r under that language rather than a second,
// identical computation.
func byLang(s *eh.Suite, r *Report, opt Options) map[eh.Lang]*LangAudit {
	subs := map[eh.Lang]*eh.Suite{}
	for _, p := range s.Pairs {
		l := p.Language()
		if subs[l] == nil {
			subs[l] = &eh.Suite{Name: s.Name, Dir: s.Dir}
		}
		subs[l].Pairs = append(subs[l].Pairs, p)
	}
	out := make(map[eh.Lang]*LangAudit, len(subs))
	if len(subs) == 1 {
		for l := range subs {
			out[l] = &LangAudit{Pairs: r.Pairs, Folds: r.Folds, ArtifactAccuracy: r.ArtifactAccuracy, ArtifactCI95: r.ArtifactCI95,
				ArtifactPairAccuracy: r.ArtifactPairAccuracy, OverlapBaselineAccuracy: r.OverlapBaselineAccuracy,
				OverlapPairs: r.OverlapPairs, OverlapTies: r.OverlapTies, OverlapPerSubCategory: nonNil(r.OverlapPerSubCategory)}
		}
		return out
	}
	for l, sub := range subs {
		la := &LangAudit{Pairs: len(sub.Pairs)}
		ov := OverlapBaseline(sub)
		la.OverlapBaselineAccuracy, la.OverlapPairs, la.OverlapTies = ov.Accuracy, ov.Pairs, ov.Ties
		la.OverlapPerSubCategory = nonNil(ov.BySubCategory)
		if len(sub.Pairs) >= 2 {
			la.Folds = min(opt.Folds, len(sub.Pairs))
			art := artifactOf(encode(sub), la.Folds, opt)
			la.ArtifactAccuracy, la.ArtifactPairAccuracy, la.ArtifactCI95 = art.accuracy, art.pairAccuracy, art.ci
		}
		out[l] = la
	}
	return out
}

// LangFailures lists, in language order, where a language of a multilingual
// suite misses a target on its own: artifact accuracy above
// ArtifactThreshold, or the overlap baseline above its targets. A suite in one
// language has none here; the suite-wide checks cover it.
func (r *Report) LangFailures() []string {
	if len(r.ByLang) < 2 {
		return nil
	}
	var out []string
	for _, l := range eh.Langs {
		la := r.ByLang[l]
		if la == nil {
			continue
		}
		if la.Folds > 0 && la.ArtifactAccuracy > ArtifactThreshold {
			out = append(out, fmt.Sprintf("%s: question-only artifact accuracy %.3f > %.2f over %d pairs", l, la.ArtifactAccuracy, ArtifactThreshold, la.Pairs))
		}
		out = append(out, overlapFailures(string(l)+": ", la.OverlapBaselineAccuracy, la.OverlapPairs, la.OverlapPerSubCategory)...)
	}
	return out
}
