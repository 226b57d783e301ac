package score

import (
	"sort"
	"strings"

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
	// Judge compares the judge's verdicts with the lexicon's (run --judge);
	// nil when no claim was judged.
	Judge *JudgeAgreement `json:"judge,omitempty"`
}

// JudgeAgreement tallies, over the claims a judge model answered yes
// (supported) or no, its verdict against the gold rule's, with Cohen's
// kappa (nil when chance agreement is total, e.g. both always agree on one
// verdict).
type JudgeAgreement struct {
	Claims int `json:"claims"`
	// BothSupported: the lexicon's gold rule and the judge find the claim
	// supported; BothHallucinated: neither; JudgeOnlySupported: the judge
	// accepts what the gold rule calls hallucinated; LexiconOnlySupported:
	// the reverse.
	BothSupported        int `json:"both_supported"`
	BothHallucinated     int `json:"both_hallucinated"`
	JudgeOnlySupported   int `json:"judge_only_supported"`
	LexiconOnlySupported int `json:"lexicon_only_supported"`
	// Unparsed judge answers are left out of the tally.
	Unparsed int      `json:"unparsed"`
	Kappa    *float64 `json:"kappa"`
}

// add tallies one judged claim.
func (j *JudgeAgreement) add(lexicon bool, judge eh.Answer) {
	switch {
	case judge == eh.AnswerUnparsed:
		j.Unparsed++
		return
	case lexicon && judge == eh.AnswerYes:
		j.BothSupported++
	case !lexicon && judge == eh.AnswerNo:
		j.BothHallucinated++
	case lexicon:
		j.LexiconOnlySupported++
	default:
		j.JudgeOnlySupported++
	}
	j.Claims++
}

// merge adds o's tally.
func (j *JudgeAgreement) merge(o *JudgeAgreement) {
	j.Claims += o.Claims
	j.BothSupported += o.BothSupported
	j.BothHallucinated += o.BothHallucinated
	j.JudgeOnlySupported += o.JudgeOnlySupported
	j.LexiconOnlySupported += o.LexiconOnlySupported
	j.Unparsed += o.Unparsed
}

// kappa is Cohen's kappa of the two raters' supported/hallucinated verdicts.
func (j *JudgeAgreement) kappa() *float64 {
	n := float64(j.Claims)
	if n == 0 {
		return nil
	}
	po := float64(j.BothSupported+j.BothHallucinated) / n
	lexYes := float64(j.BothSupported + j.LexiconOnlySupported)
	judgeYes := float64(j.BothSupported + j.JudgeOnlySupported)
	pe := (lexYes*judgeYes + (n-lexYes)*(n-judgeYes)) / (n * n)
	if pe == 1 {
		return nil
	}
	k := Round((po-pe)/(1-pe), 6)
	return &k
}

// descOutcome is what scoring keeps of a describe record.
type descOutcome struct {
	rec                    *slimRec
	mentions, hallucinated int
	covers                 bool
	judge                  *JudgeAgreement // nil: no claim judged
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
	verdicts := map[string]eh.Answer{}
	for _, st := range r.Steps {
		if label, ok := strings.CutPrefix(st.Name, "judge:"); ok && st.Error == "" {
			verdicts[label] = st.Answer
		}
	}
	for _, c := range claims {
		d.mentions++
		supported := extract.Supported(c.Label, r.Labels, r.Allowed)
		if !supported {
			d.hallucinated++
		}
		if v, ok := verdicts[c.Label]; ok {
			if d.judge == nil {
				d.judge = &JudgeAgreement{}
			}
			d.judge.add(supported, v)
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
			for _, name := range metaViews(d.rec.recMeta) {
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
			if d.judge != nil {
				if b.Judge == nil {
					b.Judge = &JudgeAgreement{}
				}
				b.Judge.merge(d.judge)
			}
		}
		if b.Judge != nil {
			b.Judge.Kappa = b.Judge.kappa()
		}
		if b.EmotionMentions > 0 {
			b.EmoCHAIRi = Round(float64(b.HallucinatedMentions)/float64(b.EmotionMentions), 6)
		}
		b.EmoCHAIRs = Round(float64(b.Hallucinating)/float64(b.Responses), 6)
		b.Coverage = Round(float64(b.Covering)/float64(b.Responses), 6)
		if s.Views[name] == nil {
			s.Views[name] = &View{}
		}
		s.Views[name].Describe = b
	}
}
