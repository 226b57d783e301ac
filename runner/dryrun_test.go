package runner

import (
	"context"
	"testing"

	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/provider/stack"
)

// TestDryRunCallsPerStrategy: a dry run counts every call a strategy would
// make, multi-step and sampled ones included, and calls nothing (refusing
// fails every request it gets).
func TestDryRunCallsPerStrategy(t *testing.T) {
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		strategy string
		calls    int // per question
	}{
		{"direct", 1},
		{"cot", 1},
		// evidence, predict, explain, final
		{"pep-mek", 4},
		// evidence, predict
		{"mek-only", 2},
		// three wordings
		{"majority-vote", 3},
		// --samples 5
		{"self-consistency", 5},
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			strat, conc := tt.strategy, 1
			cfg := Config{Suite: s, Limit: 3, Out: t.TempDir(), NoCache: true,
				Models:   []stack.Setup{{Name: "test:refusing", Model: refusing{}, Engine: stack.Engine{Strategy: &strat, Concurrency: &conc}}},
				Settings: Settings{Rule: "yesno-v2", Samples: 5, SampleTemperature: 0.7}}
			dry, err := DryRun(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			d := dry[0]
			if d.Selected != 6 || d.Ask != 6 || d.Calls != 6*tt.calls || d.Usage.CompletionTokens != 6*tt.calls*DryRunAnswerTokens || d.Usage.PromptTokens == 0 {
				t.Fatalf("%+v, want 6 questions asked in %d calls", d, 6*tt.calls)
			}
		})
	}
}

func TestTextTokens(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		// four ASCII characters a token, rounded up
		{"Is it?", 2},
		{"abcd", 1},
		// other characters one each
		{"はい", 2},
		{"Q: 怒っていますか", 1 + 7},
	}
	for _, tt := range tests {
		if got := textTokens(tt.text); got != tt.want {
			t.Errorf("textTokens(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}
