// Package score turns records into the benchmark's metrics, per view. It never
// calls a model: anything recorded can be re-scored.
//
// Use an Accumulator: Add every record, then Close to get Scores. Records for the
// same run, pair and role may appear more than once (a resumed run appends the
// retried question); the last one wins.
package score

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	eh "github.com/emohallucer/emohallucer"
)

// Views every summary has, in report order; modality, sub-category and
// language (lang:en, lang:ja, lang:zh) views follow for each value present in
// the records.
const (
	ViewAll        = "all"
	ViewNoAudio    = "noaudio"
	ViewKnowledge  = "knowledge"
	ViewPerception = "perception"
)

// BootstrapSeed and BootstrapSamples fix the confidence intervals so that
// re-scoring the same records gives byte-identical summaries.
const (
	BootstrapSeed    = 20250516
	BootstrapSamples = 2000
)

// View holds the counts and metrics of one view of one run. Accuracies are in
// percent; PctDiff is a fraction in [-1, 1]; FPRatio is in [0, 1], nil when no
// answer was wrong.
type View struct {
	Pairs               int        `json:"pairs"`
	Questions           int        `json:"questions"`
	NotEvaluated        int        `json:"not_evaluated"`
	Errors              int        `json:"errors"`
	BasicCorrect        int        `json:"basic_correct"`
	HallucinatedCorrect int        `json:"hallucinated_correct"`
	PairCorrect         int        `json:"pair_correct"`
	AnsweredYes         int        `json:"answered_yes"`
	GoldYes             int        `json:"gold_yes"`
	Unparsed            int        `json:"unparsed"`
	Wrong               int        `json:"wrong"`
	WrongYes            int        `json:"wrong_yes"`
	BasicAcc            float64    `json:"basic_acc"`
	HallucinatedAcc     float64    `json:"hallucinated_acc"`
	OverallAcc          float64    `json:"overall_acc"`
	OverallCI95         [2]float64 `json:"overall_ci95"`
	PctDiff             float64    `json:"pct_diff"`
	FPRatio             *float64   `json:"fp_ratio"`
	// Describe holds the metrics of open-ended descriptions (run --task
	// describe); nil when the view has none.
	Describe *Describe `json:"describe,omitempty"`
}

// Run describes the run the scores belong to, derived from its records alone.
type Run struct {
	ID       string `json:"id"`
	Suite    string `json:"suite"`
	Model    string `json:"model"`
	Strategy string `json:"strategy"`
	Rule     string `json:"rule"`
	Records  int    `json:"records"`
	Calls    int    `json:"calls"`
	// CachedCalls were answered from the response cache without a request.
	CachedCalls      int     `json:"cached_calls"`
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	CostUSD          float64 `json:"cost_usd"`
	// MeanLatencyMS is the mean wall time per answered question (all its calls).
	MeanLatencyMS float64 `json:"mean_latency_ms"`
	// CallsPerQuestion and TokensPerQuestion (prompt + completion) are the cost
	// of the strategy per answered question.
	CallsPerQuestion  float64 `json:"calls_per_question"`
	TokensPerQuestion float64 `json:"tokens_per_question"`
	Started           string  `json:"started,omitempty"`
}

// Scores are the finished metrics of one run: the summary.json contract.
type Scores struct {
	Run   Run              `json:"run"`
	Views map[string]*View `json:"views"`
	// Crosslingual compares the languages of a run on the facts asked in
	// several of them; nil when no fact was.
	Crosslingual *Crosslingual `json:"crosslingual,omitempty"`
	// Order lists the view names in report order.
	Order []string `json:"-"`
	// Confusion and IntensityConfusion: see confusion.go.
	Confusion          Confusion `json:"confusion,omitempty"`
	IntensityConfusion Confusion `json:"confusion_intensity,omitempty"`
}

// outcome of one pair in a run, for views, bootstraps and paired comparisons.
type pairOutcome struct {
	basic, hall *slimRec
}

// slimRec is what scoring keeps of a record: its outcome and counts, with the
// fields every record of a run shares in one recMeta. It has the names of
// Record's fields, so the code reads the same; at about 120 bytes instead of a
// Record's 400 (and its transcript), a million records fit in ~150 MB.
type slimRec struct {
	*recMeta
	Started            time.Time
	Calls, CachedCalls int
	Usage              eh.Usage
	CostUSD, LatencyMS float64
	Status             eh.Status
	Answer             eh.Answer
}

// recMeta holds the fields that identify the run and the views of a record.
type recMeta struct {
	Run, Suite, Model, Strategy, Rule string
	Role                              eh.Role
	Gold                              eh.Gold
	Dimension                         eh.Dimension
	SubCategory                       eh.SubCategory
	Modality                          eh.Modality
	Lang                              eh.Lang
	Tags                              []string
	Source                            string // the pair's dataset
}

// Correct reports whether the answer matches the gold answer, as Record.Correct.
func (r *slimRec) Correct() bool { return r.Status == eh.StatusAnswered && r.Answer.Matches(r.Gold) }

// Accumulator collects the records of one run.
type Accumulator struct {
	runID string
	recs  map[string]*pairOutcome
	order []string
	err   error
	metas map[string]*recMeta
	// original maps a rendering's pair id to the pair it renders, for the
	// cross-lingual comparison; a map beside the records rather than a field
	// of recMeta, which is shared by many pairs.
	original map[string]string
	// descs holds the describe records, by pair id.
	descs map[string]*descOutcome
}

// NewAccumulator returns an empty accumulator.
func NewAccumulator() *Accumulator {
	return &Accumulator{recs: map[string]*pairOutcome{}, metas: map[string]*recMeta{}, original: map[string]string{}, descs: map[string]*descOutcome{}}
}

// slim keeps what scoring needs of r, sharing the metadata of equal records.
func (a *Accumulator) slim(r *eh.Record) *slimRec {
	key := strings.Join(append([]string{r.Run, r.Suite, r.Model, r.Strategy, r.Rule, string(r.Role), string(r.Gold),
		string(r.Dimension), string(r.SubCategory), string(r.Modality), string(r.Lang), r.Source}, r.Tags...), "\x00")
	m, ok := a.metas[key]
	if !ok {
		m = &recMeta{Run: r.Run, Suite: r.Suite, Model: r.Model, Strategy: r.Strategy, Rule: r.Rule, Role: r.Role, Gold: r.Gold,
			Dimension: r.Dimension, SubCategory: r.SubCategory, Modality: r.Modality, Lang: r.Lang, Tags: r.Tags, Source: r.Source}
		a.metas[key] = m
	}
	status, answer := r.Status, r.Answer
	switch status { // shared constants instead of a copy per record
	case eh.StatusAnswered:
		status = eh.StatusAnswered
	case eh.StatusNotEvaluated:
		status = eh.StatusNotEvaluated
	case eh.StatusError:
		status = eh.StatusError
	}
	switch answer {
	case eh.AnswerYes:
		answer = eh.AnswerYes
	case eh.AnswerNo:
		answer = eh.AnswerNo
	case eh.AnswerUnparsed:
		answer = eh.AnswerUnparsed
	}
	return &slimRec{recMeta: m, Started: r.Started, Calls: r.Calls, CachedCalls: r.CachedCalls, Usage: r.Usage,
		CostUSD: r.CostUSD, LatencyMS: r.LatencyMS, Status: status, Answer: answer}
}

// Add adds a record. Records of a second run id are refused: scores are per run.
func (a *Accumulator) Add(r *eh.Record) error {
	if a.runID == "" {
		a.runID = r.Run
	} else if r.Run != a.runID {
		return eh.Errorf(eh.EINVALID, "records of two runs (%s and %s) in one score; score them separately or use `emohallucer compare`", a.runID, r.Run)
	}
	if r.Role == eh.Describe {
		d, err := a.describeOutcome(r)
		if err != nil {
			return err
		}
		a.descs[r.Pair] = d // kept out of order, which lists yes/no pairs
		return nil
	}
	po, ok := a.recs[r.Pair]
	if !ok {
		po = &pairOutcome{}
		a.recs[r.Pair] = po
		a.order = append(a.order, r.Pair)
	}
	if r.TranslationOf != "" {
		a.original[r.Pair] = r.TranslationOf
	}
	if r.Role == eh.Basic {
		po.basic = a.slim(r)
	} else {
		po.hall = a.slim(r)
	}
	return nil
}

// Merge adds the records b holds, as if each had been added to a after a's own:
// for a question in both, b's record wins. b must not be used afterwards.
func (a *Accumulator) Merge(b *Accumulator) error {
	if b.runID == "" {
		return nil
	}
	if a.runID == "" {
		// Nothing to merge into (a fresh run): take b's maps rather than
		// copying them, which at 100k questions would hold a second map
		// while the summary is computed.
		*a = *b
		return nil
	}
	if b.runID != a.runID {
		return eh.Errorf(eh.EINVALID, "records of two runs (%s and %s) in one score; score them separately or use `emohallucer compare`", a.runID, b.runID)
	}
	for id, orig := range b.original {
		a.original[id] = orig
	}
	for id, d := range b.descs {
		a.descs[id] = d
	}
	for _, id := range b.order {
		src := b.recs[id]
		po, ok := a.recs[id]
		if !ok {
			a.recs[id] = src
			a.order = append(a.order, id)
			continue
		}
		if src.basic != nil {
			po.basic = src.basic
		}
		if src.hall != nil {
			po.hall = src.hall
		}
	}
	return nil
}

// Recorded returns the status and modality of the last record added for the
// question (pair, role); ok is false when none was. A resumed run asks it
// which questions are finished, instead of keeping a second set of keys.
func (a *Accumulator) Recorded(pair string, role eh.Role) (status eh.Status, modality eh.Modality, ok bool) {
	if role == eh.Describe {
		if d, found := a.descs[pair]; found {
			return d.rec.Status, d.rec.Modality, true
		}
		return "", "", false
	}
	po, found := a.recs[pair]
	if !found {
		return "", "", false
	}
	r := po.basic
	if role != eh.Basic {
		r = po.hall
	}
	if r == nil {
		return "", "", false
	}
	return r.Status, r.Modality, true
}

// Close computes the scores.
func (a *Accumulator) Close() *Scores {
	pairs := append([]string(nil), a.order...)
	sort.Strings(pairs) // the bootstrap must not depend on record order
	s := &Scores{Views: map[string]*View{}}
	run := &s.Run
	var latency float64
	var latencyN int
	members := map[string][]*pairOutcome{}
	count := func(r *slimRec) {
		if run.ID == "" {
			run.ID, run.Suite, run.Model, run.Strategy = r.Run, r.Suite, r.Model, r.Strategy
		}
		if run.Rule == "" && r.Rule != "" {
			run.Rule = r.Rule
		}
		if !r.Started.IsZero() {
			st := r.Started.UTC().Format("2006-01-02T15:04:05Z")
			if run.Started == "" || st < run.Started {
				run.Started = st
			}
		}
		run.Records++
		run.Calls += r.Calls
		run.CachedCalls += r.CachedCalls
		run.PromptTokens += r.Usage.PromptTokens
		run.CompletionTokens += r.Usage.CompletionTokens
		run.CostUSD += r.CostUSD
		if r.Status == eh.StatusAnswered {
			latency += r.LatencyMS
			latencyN++
		}
	}
	for _, id := range pairs {
		po := a.recs[id]
		for _, r := range []*slimRec{po.basic, po.hall} {
			if r != nil {
				count(r)
			}
		}
		for _, v := range viewsOf(po) {
			members[v] = append(members[v], po)
		}
	}
	descs := describeIDs(a.descs)
	for _, id := range descs {
		count(a.descs[id].rec)
	}
	if latencyN > 0 {
		n := float64(latencyN)
		run.MeanLatencyMS = Round(latency/n, 3)
		run.CallsPerQuestion = Round(float64(run.Calls)/n, 4)
		run.TokensPerQuestion = Round(float64(run.PromptTokens+run.CompletionTokens)/n, 2)
	}
	run.CostUSD = Round(run.CostUSD, 6)
	dropSingleLang(members)
	dropWideTagViews(members)
	for name, m := range members {
		s.Views[name] = computeView(name, m)
	}
	describeViews(s, a.descs, descs)
	s.Confusion, s.IntensityConfusion = confusions(a.recs, pairs)
	s.Order = OrderViews(s.Views)
	s.Crosslingual = a.crosslingual(pairs)
	return s
}

// viewsOf names every view a pair belongs to.
func viewsOf(po *pairOutcome) []string {
	r := po.basic
	if r == nil {
		r = po.hall
	}
	return metaViews(r.recMeta)
}

// metaViews names every view of a record (or pair) with metadata r.
func metaViews(r *recMeta) []string {
	vs := []string{ViewAll}
	if !r.Modality.HasAudio() {
		vs = append(vs, ViewNoAudio)
	}
	if r.Dimension == eh.Knowledge {
		vs = append(vs, ViewKnowledge)
	} else {
		vs = append(vs, ViewPerception)
	}
	vs = append(vs, "modality:"+string(r.Modality), "subcategory:"+string(r.SubCategory), "lang:"+string(r.Lang.OrEnglish()))
	for _, t := range r.Tags {
		// Benchmark splits (POPE's random/popular/adversarial…) are views too.
		if strings.HasPrefix(t, "split:") {
			vs = append(vs, t)
		}
	}
	return append(vs, labelViews(r)...)
}

// ViewMatches reports whether a record belongs to the named view; used to run or
// report a subset (--subset VIEW).
func ViewMatches(view string, r *eh.Record) bool {
	return slices.Contains(metaViews(viewMeta(r)), view)
}

// viewMeta is the part of a record's metadata that decides its views.
func viewMeta(r *eh.Record) *recMeta {
	return &recMeta{Dimension: r.Dimension, SubCategory: r.SubCategory, Modality: r.Modality, Lang: r.Lang, Tags: r.Tags, Source: r.Source}
}

// ViewsOfPairs lists the views that hold at least one of the pairs, in report
// order, as a summary of a run over them would list them: a language view only
// when the pairs are in several languages, no tag key with more than
// MaxTagValues values (any view ViewMatches accepts can still be selected).
func ViewsOfPairs(pairs []eh.Pair) []string {
	members := map[string]*View{}
	for i := range pairs {
		for _, v := range metaViews(metaOfPair(&pairs[i])) {
			members[v] = nil
		}
	}
	dropSingleLang(members)
	dropWideTagViews(members)
	return OrderViews(members)
}

// PairInView reports whether the pair belongs to the view (see ViewMatches).
func PairInView(view string, p *eh.Pair) bool {
	return slices.Contains(metaViews(metaOfPair(p)), view)
}

// metaOfPair is the metadata a record of the pair would carry.
func metaOfPair(p *eh.Pair) *recMeta { return viewMeta(eh.NewRecord("", "", "", "", p, eh.Basic)) }

// ValidView reports whether name is a view name this package can produce.
func ValidView(name string) bool {
	switch name {
	case ViewAll, ViewNoAudio, ViewKnowledge, ViewPerception:
		return true
	}
	if m, ok := strings.CutPrefix(name, "modality:"); ok {
		return eh.Modality(m).Valid()
	}
	if sc, ok := strings.CutPrefix(name, "subcategory:"); ok {
		return eh.SubCategory(sc).Valid()
	}
	if l, ok := strings.CutPrefix(name, "lang:"); ok {
		return eh.Lang(l).Valid()
	}
	return strings.HasPrefix(name, "split:") || validLabelView(name)
}

func computeView(name string, members []*pairOutcome) *View {
	v := &View{}
	correct := make([]bool, 0, len(members))
	for _, po := range members {
		b, h := po.basic, po.hall
		switch {
		case b == nil || h == nil:
			// Half a pair (an interrupted run): neither scored nor hidden.
			v.Errors++
			continue
		case b.Status == eh.StatusNotEvaluated || h.Status == eh.StatusNotEvaluated:
			v.NotEvaluated += 2
			continue
		case b.Status == eh.StatusError || h.Status == eh.StatusError:
			v.Errors++
			continue
		}
		v.Pairs++
		v.Questions += 2
		v.GoldYes++ // one basic question per pair, gold yes by construction
		bc, hc := b.Correct(), h.Correct()
		for _, r := range []*slimRec{b, h} {
			switch r.Answer {
			case eh.AnswerYes:
				v.AnsweredYes++
			case eh.AnswerUnparsed:
				v.Unparsed++
			}
			if !r.Correct() {
				v.Wrong++
				if r.Answer == eh.AnswerYes {
					v.WrongYes++
				}
			}
		}
		if bc {
			v.BasicCorrect++
		}
		if hc {
			v.HallucinatedCorrect++
		}
		if bc && hc {
			v.PairCorrect++
		}
		correct = append(correct, bc && hc)
	}
	if v.Pairs > 0 {
		n := float64(v.Pairs)
		v.BasicAcc = Round(100*float64(v.BasicCorrect)/n, 4)
		v.HallucinatedAcc = Round(100*float64(v.HallucinatedCorrect)/n, 4)
		v.OverallAcc = Round(100*float64(v.PairCorrect)/n, 4)
		v.PctDiff = Round(float64(v.AnsweredYes-v.GoldYes)/float64(v.Questions), 6)
		lo, hi := BootstrapProportion(v.PairCorrect, v.Pairs, seedFor(name))
		v.OverallCI95 = [2]float64{Round(100*lo, 4), Round(100*hi, 4)}
	}
	if v.Wrong > 0 {
		f := Round(float64(v.WrongYes)/float64(v.Wrong), 6)
		v.FPRatio = &f
	}
	return v
}

// seedFor gives every view its own bootstrap stream, fixed by its name.
func seedFor(view string) uint64 {
	h := uint64(BootstrapSeed)
	for i := 0; i < len(view); i++ {
		h = h*1099511628211 ^ uint64(view[i])
	}
	return h
}

// OrderViews sorts view names in report order: all, noaudio, knowledge,
// perception, then modalities, sub-categories and languages in vocabulary
// order, then the rest.
func OrderViews(views map[string]*View) []string {
	rank := func(name string) (int, int) {
		switch name {
		case ViewAll:
			return 0, 0
		case ViewNoAudio:
			return 1, 0
		case ViewKnowledge:
			return 2, 0
		case ViewPerception:
			return 3, 0
		}
		if m, ok := strings.CutPrefix(name, "modality:"); ok {
			return 4, index(eh.Modalities, eh.Modality(m))
		}
		if sc, ok := strings.CutPrefix(name, "subcategory:"); ok {
			return 5, index(eh.SubCategories, eh.SubCategory(sc))
		}
		if l, ok := strings.CutPrefix(name, "lang:"); ok {
			return 6, index(eh.Langs, eh.Lang(l))
		}
		if r, ok := labelViewRank(name); ok {
			return r, 0
		}
		return 10, 0
	}
	names := make([]string, 0, len(views))
	for n := range views {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a1, a2 := rank(names[i])
		b1, b2 := rank(names[j])
		if a1 != b1 {
			return a1 < b1
		}
		if a2 != b2 {
			return a2 < b2
		}
		return names[i] < names[j]
	})
	return names
}

func index[T comparable](list []T, x T) int {
	for i, v := range list {
		if v == x {
			return i
		}
	}
	return len(list)
}

// Round rounds x to places decimals, as every figure of a summary is, and
// never returns -0 (which would print as "-0").
func Round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	r := math.Round(x*p) / p
	if r == 0 {
		return 0 // never print -0
	}
	return r
}

// String gives a one-line account of a view, for logs.
func (v *View) String() string {
	return fmt.Sprintf("pairs=%d overall=%.2f basic=%.2f hallucinated=%.2f", v.Pairs, v.OverallAcc, v.BasicAcc, v.HallucinatedAcc)
}
