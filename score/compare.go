package score

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	eh "github.com/emohallucer/emohallucer"
)

// Comparison is the paired comparison of two runs on one view, over the pairs
// both runs scored.
type Comparison struct {
	View  string `json:"view"`
	Pairs int    `json:"pairs"`
	// OnlyA and OnlyB count the discordant pairs: solved by one run only.
	OnlyA int `json:"only_a"`
	OnlyB int `json:"only_b"`
	// OverallA and OverallB are pair accuracies (percent) on the shared pairs.
	OverallA float64 `json:"overall_a"`
	OverallB float64 `json:"overall_b"`
	// DeltaOverall is OverallB − OverallA in percentage points, with its paired
	// bootstrap 95 % interval.
	DeltaOverall float64    `json:"delta_overall"`
	DeltaCI95    [2]float64 `json:"delta_ci95"`
	McNemarP     float64    `json:"mcnemar_p"`
	// CostRatio is B's cost over A's on the shared questions, measured as
	// CostBasis says; nil when A cost nothing.
	CostRatio *float64 `json:"cost_ratio"`
	// CostBasis is what CostRatio divides: "usd" when both runs were priced and
	// neither answered a shared question from the cache (a cache hit costs
	// nothing, so dollars would measure the cache, not the strategy), else
	// "tokens" when the provider reported usage, else "calls".
	CostBasis string `json:"cost_basis,omitempty"`
	// Questions is the number of questions the counts below cover: both
	// questions of every shared pair, so that A and B are measured on the same
	// questions even when one run covered only a subset of the other.
	Questions int `json:"questions"`
	// CallsA and CallsB count every model call of the strategy, including the
	// ones answered from the response cache (CachedA, CachedB); calls sent
	// to the provider are Calls − Cached.
	CallsA  int     `json:"calls_a"`
	CallsB  int     `json:"calls_b"`
	CachedA int     `json:"cache_hits_a"`
	CachedB int     `json:"cache_hits_b"`
	TokensA int     `json:"tokens_a"`
	TokensB int     `json:"tokens_b"`
	CostA   float64 `json:"cost_usd_a"`
	CostB   float64 `json:"cost_usd_b"`
	// LatencyA and LatencyB are mean milliseconds per question.
	LatencyA float64 `json:"latency_ms_a"`
	LatencyB float64 `json:"latency_ms_b"`
}

// pairedTable is the 2×2 table of a paired comparison of A and B (two runs,
// or two languages of a run): how many pairs both solved, only A, only B,
// neither.
type pairedTable struct{ both, onlyA, onlyB, neither int }

// add counts one pair, solved by A or not and by B or not.
func (t *pairedTable) add(a, b bool) {
	switch {
	case a && b:
		t.both++
	case a:
		t.onlyA++
	case b:
		t.onlyB++
	default:
		t.neither++
	}
}

func (t pairedTable) n() int { return t.both + t.onlyA + t.onlyB + t.neither }

// overall returns the pair accuracies (percent) of A and B.
func (t pairedTable) overall() (a, b float64) {
	n := float64(t.n())
	return Round(100*float64(t.both+t.onlyA)/n, 4), Round(100*float64(t.both+t.onlyB)/n, 4)
}

// deltaCI95 is the paired bootstrap 95 % interval of B − A in percentage
// points (PairedBootstrapDelta).
func (t pairedTable) deltaCI95(seed uint64) [2]float64 {
	lo, hi := PairedBootstrapDelta(t.both, t.onlyA, t.onlyB, t.neither, seed)
	return [2]float64{Round(100*lo, 4), Round(100*hi, 4)}
}

// usageSum is what the questions of one side cost.
type usageSum struct {
	calls, cached, tokens int
	cost, latency         float64
}

func (u *usageSum) add(rs ...*slimRec) {
	for _, r := range rs {
		u.calls += r.Calls
		u.cached += r.CachedCalls
		u.tokens += r.Usage.PromptTokens + r.Usage.CompletionTokens
		u.cost += r.CostUSD
		u.latency += r.LatencyMS
	}
}

// perQuestion divides x by the n questions; n = 0 gives 0.
func perQuestion(x float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return x / float64(n)
}

// costRatio is B over A on the basis CostBasis describes.
func costRatio(a, b usageSum) (*float64, string) {
	var num, den float64
	basis := "calls"
	switch {
	case a.cost > 0 && b.cost > 0 && a.cached == 0 && b.cached == 0:
		num, den, basis = b.cost, a.cost, "usd"
	case a.tokens > 0 && b.tokens > 0:
		num, den, basis = float64(b.tokens), float64(a.tokens), "tokens"
	default:
		num, den = float64(b.calls), float64(a.calls)
	}
	if den == 0 {
		return nil, ""
	}
	r := Round(num/den, 4)
	return &r, basis
}

// Compare pairs up two accumulated runs by pair id and compares them on every
// view both have. Accuracy, calls, tokens, cost and latency are all counted on
// the shared pairs only: a strategy run of a subset is never set against the
// whole of the direct run.
func Compare(a, b *Accumulator) []Comparison {
	// tally is what one view counts: the paired table and each side's usage.
	type tally struct {
		cells      pairedTable
		useA, useB usageSum
	}
	tallies := map[string]*tally{}
	ids := append([]string(nil), a.order...)
	sort.Strings(ids)
	for _, id := range ids {
		pa, pb := a.recs[id], b.recs[id]
		if pb == nil || !scored(pa) || !scored(pb) {
			continue
		}
		sa := pa.basic.Correct() && pa.hall.Correct()
		sb := pb.basic.Correct() && pb.hall.Correct()
		for _, v := range viewsOf(pa) {
			t := tallies[v]
			if t == nil {
				t = &tally{}
				tallies[v] = t
			}
			t.cells.add(sa, sb)
			t.useA.add(pa.basic, pa.hall)
			t.useB.add(pb.basic, pb.hall)
		}
	}
	dropSingleLang(tallies)
	dropWideTagViews(tallies)
	views := map[string]*View{}
	for v := range tallies {
		views[v] = nil
	}
	var out []Comparison
	for _, v := range OrderViews(views) {
		t := tallies[v]
		c, ua, ub := t.cells, t.useA, t.useB
		n := c.n()
		cmp := Comparison{View: v, Pairs: n, OnlyA: c.onlyA, OnlyB: c.onlyB,
			McNemarP:  McNemar(c.onlyA, c.onlyB), // unrounded: small p values matter
			DeltaCI95: c.deltaCI95(seedFor("compare:" + v)),
			Questions: 2 * n,
			CallsA:    ua.calls, CallsB: ub.calls, CachedA: ua.cached, CachedB: ub.cached,
			TokensA: ua.tokens, TokensB: ub.tokens, CostA: Round(ua.cost, 6), CostB: Round(ub.cost, 6),
			LatencyA: Round(perQuestion(ua.latency, 2*n), 3), LatencyB: Round(perQuestion(ub.latency, 2*n), 3)}
		cmp.OverallA, cmp.OverallB = c.overall()
		cmp.DeltaOverall = Round(cmp.OverallB-cmp.OverallA, 4)
		cmp.CostRatio, cmp.CostBasis = costRatio(ua, ub)
		out = append(out, cmp)
	}
	return out
}

// CompareRecords accumulates the records of two runs and compares them
// (Compare). A record the accumulator refuses (one of another run) is an error
// naming which side it came from.
func CompareRecords(a, b []*eh.Record) ([]Comparison, error) {
	accs := [2]*Accumulator{NewAccumulator(), NewAccumulator()}
	for i, recs := range [2][]*eh.Record{a, b} {
		for _, r := range recs {
			if err := accs[i].Add(r); err != nil {
				return nil, fmt.Errorf("run %c of the comparison: %w", 'A'+i, err)
			}
		}
	}
	return Compare(accs[0], accs[1]), nil
}

func scored(po *pairOutcome) bool {
	return po != nil && po.basic != nil && po.hall != nil &&
		po.basic.Status == eh.StatusAnswered && po.hall.Status == eh.StatusAnswered
}

// WriteJSON writes scores as indented JSON (the summary.json contract). Map keys
// are sorted by encoding/json, so equal scores give equal bytes.
func WriteJSON(w io.Writer, s *Scores) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}
