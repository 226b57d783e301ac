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
	// CostRatio is B's cost over A's (USD when priced, else calls); nil when A cost nothing.
	CostRatio *float64 `json:"cost_ratio"`
	CallsA    int      `json:"calls_a"`
	CallsB    int      `json:"calls_b"`
	CostA     float64  `json:"cost_usd_a"`
	CostB     float64  `json:"cost_usd_b"`
}

// Compare pairs up two accumulated runs by pair id and compares them on every
// view both have.
func Compare(a, b *Accumulator) []Comparison {
	type cell struct{ both, onlyA, onlyB, neither int }
	cells := map[string]*cell{}
	callsA, callsB := map[string]int{}, map[string]int{}
	costA, costB := map[string]float64{}, map[string]float64{}
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
			c := cells[v]
			if c == nil {
				c = &cell{}
				cells[v] = c
			}
			switch {
			case sa && sb:
				c.both++
			case sa:
				c.onlyA++
			case sb:
				c.onlyB++
			default:
				c.neither++
			}
			callsA[v] += pa.basic.Calls + pa.hall.Calls
			callsB[v] += pb.basic.Calls + pb.hall.Calls
			costA[v] += pa.basic.CostUSD + pa.hall.CostUSD
			costB[v] += pb.basic.CostUSD + pb.hall.CostUSD
		}
	}
	dropSingleLang(cells)
	views := map[string]*View{}
	for v := range cells {
		views[v] = nil
	}
	var out []Comparison
	for _, v := range OrderViews(views) {
		c := cells[v]
		n := c.both + c.onlyA + c.onlyB + c.neither
		cmp := Comparison{View: v, Pairs: n, OnlyA: c.onlyA, OnlyB: c.onlyB,
			OverallA: round(100*float64(c.both+c.onlyA)/float64(n), 4),
			OverallB: round(100*float64(c.both+c.onlyB)/float64(n), 4),
			McNemarP: McNemar(c.onlyA, c.onlyB), // unrounded: small p values matter
			CallsA:   callsA[v], CallsB: callsB[v], CostA: round(costA[v], 6), CostB: round(costB[v], 6)}
		cmp.DeltaOverall = round(cmp.OverallB-cmp.OverallA, 4)
		lo, hi := PairedBootstrapDelta(c.both, c.onlyA, c.onlyB, c.neither, seedFor("compare:"+v))
		cmp.DeltaCI95 = [2]float64{round(100*lo, 4), round(100*hi, 4)}
		// Priced runs compare dollars; unpriced ones (local servers) compare calls.
		switch {
		case costA[v] > 0:
			r := round(costB[v]/costA[v], 4)
			cmp.CostRatio = &r
		case callsA[v] > 0:
			r := round(float64(callsB[v])/float64(callsA[v]), 4)
			cmp.CostRatio = &r
		}
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
