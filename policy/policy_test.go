package policy

import (
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestParseRegister checks the strict decoding and the checks of a register,
// each error naming the line of the use case.
func TestParseRegister(t *testing.T) {
	const ok = "usecases:\n  - name: support\n    view: tag:usecase:support\n    max_error: 0.05\n    review_cost_usd: 0.4\n    volume_per_month: 1000\n"
	tests := []struct {
		name, body, want string
	}{
		// A valid register with a tag view (added by the csv importer).
		{"valid", ok, ""},
		// A typo is an unknown key, with its line.
		{"unknown key", strings.Replace(ok, "max_error", "max_eror", 1), `line 4: unknown key "max_eror"`},
		// A view no package produces.
		{"bad view", strings.Replace(ok, "tag:usecase:support", "colour:red", 1), `line 2: use case 1: support: unknown view "colour:red"`},
		// An error rate above 1 (a percentage written by mistake).
		{"max_error above 1", strings.Replace(ok, "0.05", "5", 1), "max_error must be a fraction in [0, 1], not 5"},
		// No volume: monthly costs would be meaningless.
		{"no volume", strings.Replace(ok, "    volume_per_month: 1000\n", "", 1), "line 2: use case 1: volume_per_month is required"},
		// No limit: it would read as 0 (no error tolerated).
		{"no max_error", strings.Replace(ok, "    max_error: 0.05\n", "", 1), "max_error is required"},
		// A zero volume is written but meaningless.
		{"zero volume", strings.Replace(ok, "volume_per_month: 1000", "volume_per_month: 0", 1), "volume_per_month must be positive"},
		// Two use cases of the same name.
		{"duplicate", ok + strings.Replace(ok, "usecases:\n", "", 1), `line 7: use case "support" is already defined at line 2`},
		// An empty file.
		{"empty", "", "empty register"},
		// Other helpers' view families are accepted before runs carry them.
		{"lang view", strings.Replace(ok, "tag:usecase:support", "lang:en", 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ucs, err := ParseRegister([]byte(tt.body), "usecases.yaml")
			if tt.want == "" {
				if err != nil || len(ucs) == 0 {
					t.Fatalf("%v", err)
				}
				return
			}
			if err == nil || eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "usecases.yaml") {
				t.Errorf("error %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

// TestUpperBound95: the bound is above the observed rate, shrinks with more
// answers, is deterministic, and is not 0 when no answer was wrong.
func TestUpperBound95(t *testing.T) {
	tests := []struct {
		name     string
		wrong, n int
		lo, hi   float64
	}{
		// 3 right answers prove little: exact bound 1 − 0.05^(1/3).
		{"three right", 0, 3, 0.63, 0.64},
		// 1000 right answers: about 0.3 %.
		{"thousand right", 0, 1000, 0.0029, 0.0031},
		// 5 of 100 wrong: the bootstrap's upper end, above 5 %.
		{"5 of 100", 5, 100, 0.08, 0.11},
		// 50 of 1000 wrong: tighter.
		{"50 of 1000", 50, 1000, 0.06, 0.07},
		// Nothing automated: nothing is known.
		{"none", 0, 0, 1, 1},
	}
	for _, tt := range tests {
		got := UpperBound95(tt.wrong, tt.n)
		if got < tt.lo || got > tt.hi || got != UpperBound95(tt.wrong, tt.n) {
			t.Errorf("%s: %g, want in [%g, %g]", tt.name, got, tt.lo, tt.hi)
		}
	}
}

// TestMatches: score's views, and tag views over the record's tags.
func TestMatches(t *testing.T) {
	r := &eh.Record{Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text, Tags: []string{"usecase:support", "lang:en"}}
	tests := []struct {
		view string
		want bool
	}{
		{"perception", true},      // score's own view
		{"modality:audio", false}, // score's own view, not this record
		{"tag:usecase:support", true},
		{"tag:usecase:hr", false},
		{"lang:en", true}, // a tag of the view's own name
		{"lang:ja", false},
		{"colour:red", false}, // no such family
	}
	for _, tt := range tests {
		if got := Matches(tt.view, r); got != tt.want {
			t.Errorf("Matches(%q) = %v, want %v", tt.view, got, tt.want)
		}
	}
}

// TestExampleRegister: the register the README walks through parses.
func TestExampleRegister(t *testing.T) {
	ucs, err := ReadRegister("../examples/usecases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(ucs) != 2 || ucs[0].Name != "support-chat" || ucs[1].View != "modality:audio" || ucs[1].ErrorCostUSD == nil {
		t.Errorf("example register %+v", ucs)
	}
}

// TestBestPoint picks the largest automated share whose upper bound is within
// the limit, not the point estimate: 150 right answers at confidence 0.9 and
// 50 at 0.6 of which half are wrong.
func TestBestPoint(t *testing.T) {
	var qs []*eh.Record
	for i := range 200 {
		conf, ans := 0.9, eh.AnswerYes
		if i >= 150 {
			conf = 0.6
			if i%2 == 0 {
				ans = eh.AnswerNo
			}
		}
		qs = append(qs, &eh.Record{Status: eh.StatusAnswered, Gold: eh.Yes, Answer: ans, Confidence: &conf})
	}
	tests := []struct {
		name      string
		maxError  float64
		ok        bool
		threshold float64
	}{
		// Upper bound of 0 wrong in 150 is 1.98 %: within 5 %.
		{"5 %", 0.05, true, 0.9},
		// Within 1 % the point estimate (0 %) would pass; the bound does not.
		{"1 %", 0.01, false, 0},
		// 25 wrong of 200 (12.5 %) with its bound fits a 20 % limit.
		{"20 %", 0.20, true, 0.6},
	}
	for _, tt := range tests {
		p, ok := bestPoint(qs, tt.maxError)
		if ok != tt.ok || (ok && p.threshold != tt.threshold) {
			t.Errorf("%s: ok %v threshold %g (upper %g), want %v %g", tt.name, ok, p.threshold, p.upper95, tt.ok, tt.threshold)
		}
	}
}
