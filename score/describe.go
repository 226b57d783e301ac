package score

import (
	"sort"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
)

// Describe holds the open-ended description metrics of a view (run --task
// describe; README "Open-ended descriptions"): the emotion equivalent of
// CHAIR. Rates are fractions in [0, 1]; all are 0 without responses.
type Describe struct {
	// Responses are the answered descriptions; not-evaluated and failed
	// ones are not counted.
	Responses int `json:"responses"`
	// EmotionMentions are the claims of the claim rule (one per label and
	// description), HallucinatedMentions those the input's gold does not
	// support (extract.Supported).
	EmotionMentions      int `json:"emotion_mentions"`
	HallucinatedMentions int `json:"hallucinated_mentions"`
	// Hallucinating counts the responses with at least one hallucinated
	// mention, Covering those naming a gold label.
	Hallucinating int `json:"hallucinating_responses"`
	Covering      int `json:"covering_responses"`
	// EmoCHAIRi = hallucinated mentions / mentions; EmoCHAIRs = responses
	// with a hallucinated mention / responses; Coverage = responses naming
	// a gold label / responses.
	EmoCHAIRi float64 `json:"emochair_i"`
	EmoCHAIRs float64 `json:"emochair_s"`
	Coverage  float64 `json:"coverage"`
}

// descOutcome is what scoring keeps of a describe record.
type descOutcome struct {
	rec                    *slimRec
	mentions, hallucinated int
	covers                 bool
}

// describeOutcome scores one describe record by its claim rule.
func (a *Accumulator) describeOutcome(r *eh.Record) (*descOutcome, error) {
	d := &descOutcome{rec: a.slim(r)}
	if r.Status != eh.StatusAnswered {
		return d, nil
	}
	claims, ok := extract.ClaimsBy(r.Rule, r.Raw)
	if !ok {
		return nil, eh.Errorf(eh.EINVALID, "record %s/%s: unknown claim rule %q (known: %v)", r.Pair, r.Role, r.Rule, extract.ClaimRules)
	}
	for _, c := range claims {
		d.mentions++
		if !extract.Supported(c.Label, r.Labels, r.Allowed) {
			d.hallucinated++
		}
		for _, g := range r.Labels {
			if g == c.Label || extract.Supported(c.Label, []string{g}, nil) && isSentimentLabel(g) {
				d.covers = true
			}
		}
	}
	return d, nil
}

// isSentimentLabel: a sentiment gold is covered by an emotion of its
// valence, an emotion gold only by its own label.
func isSentimentLabel(l string) bool { return l == "positive" || l == "negative" }

// describeIDs are the described pairs' ids, sorted.
func describeIDs(descs map[string]*descOutcome) []string {
	ids := make([]string, 0, len(descs))
	for id := range descs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// describeViews adds the describe block of every view the descriptions
// belong to, adding views that have no yes/no pairs; views are dropped by
// the yes/no views' rules (one language; tags of too many values).
func describeViews(s *Scores, descs map[string]*descOutcome, ids []string) {
	members := map[string][]*descOutcome{}
	for _, id := range ids {
		if d := descs[id]; d.rec.Status == eh.StatusAnswered {
			for _, name := range viewsOf(&pairOutcome{basic: d.rec}) {
				members[name] = append(members[name], d)
			}
		}
	}
	dropSingleLang(members)
	dropWideTagViews(members)
	for name, ds := range members {
		b := &Describe{Responses: len(ds)}
		for _, d := range ds {
			b.EmotionMentions += d.mentions
			b.HallucinatedMentions += d.hallucinated
			if d.hallucinated > 0 {
				b.Hallucinating++
			}
			if d.covers {
				b.Covering++
			}
		}
		if b.EmotionMentions > 0 {
			b.EmoCHAIRi = round(float64(b.HallucinatedMentions)/float64(b.EmotionMentions), 6)
		}
		b.EmoCHAIRs = round(float64(b.Hallucinating)/float64(b.Responses), 6)
		b.Coverage = round(float64(b.Covering)/float64(b.Responses), 6)
		if s.Views[name] == nil {
			s.Views[name] = &View{}
		}
		s.Views[name].Describe = b
	}
}
