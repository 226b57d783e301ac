package score

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// rec builds a record of one question with the given extracted answer.
func rec(run, pair string, role eh.Role, mod eh.Modality, sub eh.SubCategory, ans eh.Answer) *eh.Record {
	p := &eh.Pair{ID: pair, Dimension: sub.Dimension(), SubCategory: sub, Modality: mod}
	p.Basic.Gold, p.Hallucinated.Gold = eh.Yes, eh.No
	r := eh.NewRecord(run, "s", "m", "direct", p, role)
	r.Status = eh.StatusAnswered
	r.Answer = ans
	r.Calls = 1
	return r
}

func scoreOf(t *testing.T, recs ...*eh.Record) *Scores {
	t.Helper()
	acc := NewAccumulator()
	for _, r := range recs {
		if err := acc.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	return acc.Close()
}

// TestMetricsByHand checks every formula of SPEC §2 on four pairs computed by hand.
func TestMetricsByHand(t *testing.T) {
	const Y, N, U = eh.AnswerYes, eh.AnswerNo, eh.AnswerUnparsed
	s := scoreOf(t,
		// p1 solved: yes/no
		rec("r", "p1", eh.Basic, eh.Text, eh.Theory, Y), rec("r", "p1", eh.Hallucinated, eh.Text, eh.Theory, N),
		// p2 yes-bias: yes/yes (hallucinated wrong, said yes)
		rec("r", "p2", eh.Basic, eh.Image, eh.Category, Y), rec("r", "p2", eh.Hallucinated, eh.Image, eh.Category, Y),
		// p3 no-bias: no/no (basic wrong, said no)
		rec("r", "p3", eh.Basic, eh.Audio, eh.Intensity, N), rec("r", "p3", eh.Hallucinated, eh.Audio, eh.Intensity, N),
		// p4 unparsed basic: wrong, not a yes
		rec("r", "p4", eh.Basic, eh.Text, eh.Category, U), rec("r", "p4", eh.Hallucinated, eh.Text, eh.Category, N),
	)
	v := s.Views[ViewAll]
	// basic right: p1, p2 → 2/4; hallucinated right: p1, p3, p4 → 3/4; pairs: p1 → 1/4
	// answered yes: p1b, p2b, p2h = 3; gold yes 4; questions 8 → pct diff −1/8
	// wrong: p2h(yes), p3b(no), p4b(unparsed) = 3; wrong yes 1 → fp 1/3
	check := []struct {
		name      string
		got, want float64
	}{
		{"pairs", float64(v.Pairs), 4}, {"questions", float64(v.Questions), 8},
		{"basic_acc", v.BasicAcc, 50}, {"hallucinated_acc", v.HallucinatedAcc, 75}, {"overall_acc", v.OverallAcc, 25},
		{"answered_yes", float64(v.AnsweredYes), 3}, {"gold_yes", float64(v.GoldYes), 4},
		{"pct_diff", v.PctDiff, -0.125}, {"wrong", float64(v.Wrong), 3}, {"wrong_yes", float64(v.WrongYes), 1},
		{"fp_ratio", *v.FPRatio, 0.333333}, {"unparsed", float64(v.Unparsed), 1},
	}
	for _, c := range check {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Views: noaudio drops p3; knowledge has p1 only.
	if got := s.Views[ViewNoAudio].Pairs; got != 3 {
		t.Errorf("noaudio pairs = %d, want 3", got)
	}
	if k := s.Views[ViewKnowledge]; k.Pairs != 1 || k.OverallAcc != 100 || k.FPRatio != nil {
		t.Errorf("knowledge view = %+v (fp_ratio must be null with no wrong answer)", k)
	}
	if got := s.Views["modality:text"].Pairs; got != 2 {
		t.Errorf("modality:text pairs = %d", got)
	}
	if got := s.Views["subcategory:category"].Pairs; got != 2 {
		t.Errorf("subcategory:category pairs = %d", got)
	}
	wantOrder := []string{"all", "noaudio", "knowledge", "perception", "modality:text", "modality:image", "modality:audio", "subcategory:theory", "subcategory:category", "subcategory:intensity"}
	if fmt.Sprint(s.Order) != fmt.Sprint(wantOrder) {
		t.Errorf("order = %v", s.Order)
	}
}

func TestNotEvaluatedAndErrorsAreNotWrong(t *testing.T) {
	a := rec("r", "p1", eh.Basic, eh.Audio, eh.Category, "")
	b := rec("r", "p1", eh.Hallucinated, eh.Audio, eh.Category, "")
	a.Status, b.Status = eh.StatusNotEvaluated, eh.StatusNotEvaluated
	c := rec("r", "p2", eh.Basic, eh.Text, eh.Category, eh.AnswerYes)
	d := rec("r", "p2", eh.Hallucinated, eh.Text, eh.Category, "")
	d.Status = eh.StatusError
	e := rec("r", "p3", eh.Basic, eh.Text, eh.Category, eh.AnswerYes)
	f := rec("r", "p3", eh.Hallucinated, eh.Text, eh.Category, eh.AnswerNo)
	v := scoreOf(t, a, b, c, d, e, f).Views[ViewAll]
	if v.Pairs != 1 || v.NotEvaluated != 2 || v.Errors != 1 || v.Wrong != 0 || v.OverallAcc != 100 {
		t.Fatalf("got %+v", v)
	}
}

func TestLastRecordWins(t *testing.T) {
	first := rec("r", "p1", eh.Basic, eh.Text, eh.Category, "")
	first.Status = eh.StatusError
	v := scoreOf(t, first, rec("r", "p1", eh.Hallucinated, eh.Text, eh.Category, eh.AnswerNo),
		rec("r", "p1", eh.Basic, eh.Text, eh.Category, eh.AnswerYes)).Views[ViewAll]
	if v.Pairs != 1 || v.PairCorrect != 1 || v.Errors != 0 {
		t.Fatalf("retried record did not replace the failed one: %+v", v)
	}
}

func TestTwoRunsRefused(t *testing.T) {
	acc := NewAccumulator()
	acc.Add(rec("r1", "p", eh.Basic, eh.Text, eh.Category, eh.AnswerYes))
	if err := acc.Add(rec("r2", "p", eh.Basic, eh.Text, eh.Category, eh.AnswerYes)); eh.ErrorCode(err) != eh.EINVALID {
		t.Fatalf("got %v", err)
	}
}

func TestBootstrapProportion(t *testing.T) {
	lo, hi := BootstrapProportion(25, 100, 1)
	lo2, hi2 := BootstrapProportion(25, 100, 1)
	if lo != lo2 || hi != hi2 {
		t.Fatal("bootstrap is not deterministic for a fixed seed")
	}
	// The normal approximation gives 0.25 ± 1.96·√(0.25·0.75/100) ≈ [0.165, 0.335].
	if math.Abs(lo-0.165) > 0.03 || math.Abs(hi-0.335) > 0.03 {
		t.Fatalf("interval [%v, %v] far from [0.165, 0.335]", lo, hi)
	}
	if lo, hi := BootstrapProportion(0, 10, 1); lo != 0 || hi != 0 {
		t.Fatalf("all-wrong interval = [%v, %v]", lo, hi)
	}
}

func TestMcNemar(t *testing.T) {
	tests := []struct {
		b, c int
		want float64
	}{
		{0, 0, 1},
		{5, 5, 1},
		// Exact: 2·P(X ≤ 1), X ~ Bin(10, ½) = 2·11/1024.
		{1, 9, 22.0 / 1024},
		{0, 6, 2.0 / 64},
		// χ² with continuity correction: (|30−10|−1)²/40 = 9.025 → p ≈ 0.002663.
		{30, 10, 0.002663},
	}
	for _, tt := range tests {
		if got := McNemar(tt.b, tt.c); math.Abs(got-tt.want) > 1e-5 {
			t.Errorf("McNemar(%d, %d) = %v, want %v", tt.b, tt.c, got, tt.want)
		}
	}
}

func TestCompare(t *testing.T) {
	const Y, N = eh.AnswerYes, eh.AnswerNo
	a, b := NewAccumulator(), NewAccumulator()
	for i := range 40 {
		id := fmt.Sprintf("p%02d", i)
		// Run A solves the first 10 pairs, run B the first 30.
		ansA, ansB := Y, Y
		if i < 10 {
			ansA = N
		}
		if i < 30 {
			ansB = N
		}
		a.Add(rec("a", id, eh.Basic, eh.Text, eh.Category, Y))
		a.Add(rec("a", id, eh.Hallucinated, eh.Text, eh.Category, ansA))
		rb := rec("b", id, eh.Hallucinated, eh.Text, eh.Category, ansB)
		rb.Calls = 4
		b.Add(rec("b", id, eh.Basic, eh.Text, eh.Category, Y))
		b.Add(rb)
	}
	cmps := Compare(a, b)
	all := cmps[0]
	if all.View != ViewAll || all.Pairs != 40 || all.OnlyA != 0 || all.OnlyB != 20 || all.DeltaOverall != 50 {
		t.Fatalf("got %+v", all)
	}
	if all.DeltaCI95[0] <= 0 || all.DeltaCI95[1] > 75 || all.McNemarP > 1e-4 {
		t.Fatalf("CI %v or p %v implausible", all.DeltaCI95, all.McNemarP)
	}
	if all.CostRatio == nil || *all.CostRatio != 2.5 { // (1+4)/(1+1) calls per pair
		t.Fatalf("cost ratio %v", all.CostRatio)
	}
}

func TestRiskCoverage(t *testing.T) {
	conf := func(c float64) *float64 { return &c }
	mk := func(pair string, ans eh.Answer, c *float64) *eh.Record {
		r := rec("r", pair, eh.Basic, eh.Image, eh.Category, ans)
		r.Confidence = c
		return r
	}
	recs := []*eh.Record{
		mk("a", eh.AnswerYes, conf(0.99)), // right
		mk("b", eh.AnswerYes, conf(0.95)), // right
		mk("c", eh.AnswerNo, conf(0.90)),  // wrong
		mk("d", eh.AnswerYes, conf(0.90)), // right
		mk("e", eh.AnswerNo, conf(0.60)),  // wrong
		mk("f", eh.AnswerYes, nil),        // no confidence: always to a human
	}
	rc := RiskCoverageOf(recs, "modality:image", 0.30)
	if rc.Questions != 6 || rc.WithConfidence != 5 || len(rc.Points) != 4 {
		t.Fatalf("got %+v", rc)
	}
	// At 0.90: 4 automated, 1 wrong → risk 0.25, coverage 4/6.
	p := rc.Points[2]
	if p.Threshold != 0.9 || p.Automated != 4 || p.Wrong != 1 || p.Risk != 0.25 || p.Coverage != 0.666667 {
		t.Fatalf("point %+v", p)
	}
	if rc.Recommended == nil || rc.Recommended.Threshold != 0.9 || math.Abs(rc.HumanShare()-1.0/3) > 1e-6 {
		t.Fatalf("recommended %+v", rc.Recommended)
	}
	if none := RiskCoverageOf(recs, "modality:image", 0); none.Recommended == nil || none.Recommended.Threshold != 0.95 {
		t.Fatalf("target 0: %+v", none.Recommended)
	}
	if empty := RiskCoverageOf(recs, "modality:audio", 0.05); empty.Questions != 0 || empty.Recommended != nil || empty.HumanShare() != 1 {
		t.Fatalf("empty view: %+v", empty)
	}
}

// Merging an accumulator of later records gives the scores of adding them
// all in order (the later record of a question wins), and Recorded reports
// the last record of each question.
func TestMergeAndRecorded(t *testing.T) {
	const Y, N = eh.AnswerYes, eh.AnswerNo
	failed := rec("r", "p2", eh.Basic, eh.Text, eh.Theory, N)
	failed.Status = eh.StatusError
	earlierRecs := []*eh.Record{
		rec("r", "p1", eh.Basic, eh.Text, eh.Theory, Y), rec("r", "p1", eh.Hallucinated, eh.Text, eh.Theory, Y),
		failed,
	}
	laterRecs := []*eh.Record{
		rec("r", "p1", eh.Hallucinated, eh.Text, eh.Theory, N), // replaces the wrong answer
		rec("r", "p2", eh.Basic, eh.Text, eh.Theory, Y), rec("r", "p2", eh.Hallucinated, eh.Text, eh.Theory, N),
		rec("r", "p3", eh.Basic, eh.Image, eh.Category, Y),
	}
	earlier, later := NewAccumulator(), NewAccumulator()
	for _, r := range earlierRecs {
		if err := earlier.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if st, _, ok := earlier.Recorded("p2", eh.Basic); !ok || st != eh.StatusError {
		t.Errorf("Recorded(p2 basic) = %v %v, want error", st, ok)
	}
	if _, _, ok := earlier.Recorded("p2", eh.Hallucinated); ok {
		t.Errorf("Recorded(p2 hallucinated) found a record never added")
	}
	for _, r := range laterRecs {
		if err := later.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := earlier.Merge(later); err != nil {
		t.Fatal(err)
	}
	if st, mod, ok := earlier.Recorded("p2", eh.Basic); !ok || st != eh.StatusAnswered || mod != eh.Text {
		t.Errorf("after merge Recorded(p2 basic) = %v %v %v", st, mod, ok)
	}
	got := earlier.Close()
	want := scoreOf(t, append(earlierRecs, laterRecs...)...)
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("merged scores\n %s\nwant\n %s", gb, wb)
	}
	other := NewAccumulator()
	other.Add(rec("other-run", "p1", eh.Basic, eh.Text, eh.Theory, Y))
	if err := NewAccumulator().Merge(other); err != nil {
		t.Errorf("merge into an empty accumulator: %v", err)
	}
	if err := earlier.Merge(other); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("merging another run: %v, want EINVALID", err)
	}
}

// CompareRecords is Compare over record lists, and reports what the
// accumulator refuses instead of dropping it.
func TestCompareRecords(t *testing.T) {
	const Y, N = eh.AnswerYes, eh.AnswerNo
	a := []*eh.Record{rec("a", "p1", eh.Basic, eh.Text, eh.Category, Y), rec("a", "p1", eh.Hallucinated, eh.Text, eh.Category, N)}
	b := []*eh.Record{rec("b", "p1", eh.Basic, eh.Text, eh.Category, Y), rec("b", "p1", eh.Hallucinated, eh.Text, eh.Category, Y)}
	cmps, err := CompareRecords(a, b)
	if err != nil || len(cmps) == 0 || cmps[0].Pairs != 1 || cmps[0].OnlyA != 1 {
		t.Fatalf("CompareRecords = %+v, %v", cmps, err)
	}
	// Records of two runs on one side are an error naming the side.
	mixed := append([]*eh.Record{}, b...)
	mixed = append(mixed, rec("c", "p2", eh.Basic, eh.Text, eh.Category, Y))
	if _, err := CompareRecords(a, mixed); eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), "run B") {
		t.Fatalf("mixed runs: %v", err)
	}
}

// TestCompareCostOnSharedQuestions: calls, tokens, cost and latency are counted
// on the pairs both runs answered, so a strategy run of a subset is measured
// against the direct run on that subset, not on its whole; cache hits are
// counted apart from the calls sent, and dollars are compared only when no
// shared question was answered from the cache.
func TestCompareCostOnSharedQuestions(t *testing.T) {
	const Y, N = eh.AnswerYes, eh.AnswerNo
	// build makes A (direct, 40 pairs, the last 30 with long passages) and B
	// (4 calls per question, only the first 10 pairs); cachedB of B's calls
	// per question come from the cache.
	build := func(priced bool, cachedB int) Comparison {
		a, b := NewAccumulator(), NewAccumulator()
		for i := range 40 {
			id := fmt.Sprintf("p%02d", i)
			for _, role := range []eh.Role{eh.Basic, eh.Hallucinated} {
				ra := rec("a", id, role, eh.Text, eh.Category, map[eh.Role]eh.Answer{eh.Basic: Y, eh.Hallucinated: N}[role])
				ra.Usage = eh.Usage{PromptTokens: 90, CompletionTokens: 10}
				ra.LatencyMS = 10
				if i >= 10 {
					ra.Usage.PromptTokens = 1990 // long passages outside B's subset
				}
				if priced {
					ra.CostUSD = float64(ra.Usage.PromptTokens+ra.Usage.CompletionTokens) * 1e-6
				}
				a.Add(ra)
				if i >= 10 {
					continue
				}
				rb := rec("b", id, role, eh.Text, eh.Category, Y)
				rb.Calls, rb.CachedCalls = 4, cachedB
				rb.Usage = eh.Usage{PromptTokens: 400, CompletionTokens: 50}
				rb.LatencyMS = 40
				if priced {
					rb.CostUSD = float64(4-cachedB) / 4 * 450e-6
				}
				b.Add(rb)
			}
		}
		return Compare(a, b)[0]
	}
	tests := []struct {
		name      string
		priced    bool
		cachedB   int
		basis     string
		ratio     float64
		cachedSum int
	}{
		// Unpriced (a local server): tokens, 450/100 on the shared questions,
		// not the 450/1525 of A's whole run.
		{"tokens", false, 0, "tokens", 4.5, 0},
		// Priced and nothing cached: dollars, which here follow the tokens.
		{"usd", true, 0, "usd", 4.5, 0},
		// Priced but B half from the cache: dollars would halve the ratio, so
		// tokens are compared and the cache hits are counted apart.
		{"cache hits", true, 2, "tokens", 4.5, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := build(tt.priced, tt.cachedB)
			if c.Pairs != 10 || c.Questions != 20 {
				t.Fatalf("pairs %d, questions %d; want the 10 shared pairs", c.Pairs, c.Questions)
			}
			if c.CallsA != 20 || c.CallsB != 80 || c.CachedA != 0 || c.CachedB != tt.cachedSum {
				t.Errorf("calls %d → %d, cache hits %d → %d", c.CallsA, c.CallsB, c.CachedA, c.CachedB)
			}
			if c.TokensA != 2000 || c.TokensB != 9000 || c.LatencyA != 10 || c.LatencyB != 40 {
				t.Errorf("tokens %d → %d, latency %v → %v", c.TokensA, c.TokensB, c.LatencyA, c.LatencyB)
			}
			if c.CostBasis != tt.basis || c.CostRatio == nil || math.Abs(*c.CostRatio-tt.ratio) > 1e-9 {
				t.Errorf("cost ratio %v on %q, want %v on %q", c.CostRatio, c.CostBasis, tt.ratio, tt.basis)
			}
		})
	}
}
