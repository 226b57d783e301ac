package builtin

import (
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestSuiteLoads checks that every embedded fact and passage parses, expands into
// valid pairs, and that gold answers are balanced by construction.
func TestSuiteLoads(t *testing.T) {
	s, err := Suite()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pairs) == 0 {
		t.Fatal("builtin suite is empty")
	}
	for _, p := range s.Pairs {
		if p.Dimension == eh.Knowledge && (p.Source.Citation == "" || p.Explanation == "") {
			t.Errorf("knowledge pair %s lacks a citation or an explanation", p.ID)
		}
		if p.Explanation == "" {
			t.Errorf("pair %s lacks an explanation", p.ID)
		}
	}
}
