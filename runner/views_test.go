package runner

import (
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
)

// TestCheckView: every family of views the score package produces can be
// selected, not only the fixed ones (a --subset lang:ja on the builtin suite
// was refused once because the check listed views by hand).
func TestCheckView(t *testing.T) {
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		view string
		code string // "" when the view is accepted
	}{
		// Fixed views.
		{"all", ""},
		{"subcategory:reasoning-cue", ""},
		// Language, source and tag views.
		{"lang:en", ""},
		{"lang:ja", ""},
		{"lang:zh", ""},
		{"source:emohallucer-text", ""},
		{"tag:kind:review", ""},
		// A real view this suite has no pairs in leaves nothing to run.
		{"modality:audio", eh.EINVALID},
		// A misspelt view is a usage error.
		{"lang:fr", eh.EUSAGE},
		{"modalty:text", eh.EUSAGE},
	}
	for _, tt := range tests {
		err := CheckView("--subset", tt.view, s.Pairs)
		if got := eh.ErrorCode(err); (err == nil) != (tt.code == "") || err != nil && got != tt.code {
			t.Errorf("CheckView(%q) = %v (code %q), want code %q", tt.view, err, got, tt.code)
		}
	}
}
