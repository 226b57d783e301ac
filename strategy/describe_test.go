package strategy

import (
	"context"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
)

// describeItem is the describe item of imageItem's input, gold happiness.
func describeItem() *eh.Item {
	it := imageItem()
	p := *it.Pair
	p.Tags = []string{"emotion:happiness", "allowed:surprise"}
	return &eh.Item{Pair: &p, Role: eh.Describe, Media: it.Media}
}

// TestDescriber checks the steps of direct and pep-mek descriptions, the
// evidence carried into the describe prompt, the judge's steps, and the
// strategies refused.
func TestDescriber(t *testing.T) {
	cases := []struct {
		strategy string
		judge    bool
		steps    string // step names in order
	}{
		{"direct", false, "describe"},                                     // one call
		{"pep-mek", false, "evidence,describe"},                           // MEK evidence first
		{"direct", true, "describe,judge:happiness,judge:fear"},           // one judge call per claim, in claim order
		{"pep-mek", true, "evidence,describe,judge:happiness,judge:fear"}, // evidence, then the judge
	}
	for _, c := range cases {
		m := &scripted{answer: byStep(map[string]string{"mek.v1": "5. happiness, strong", "describe-emotions.v1": "She is delighted, maybe a bit afraid."})}
		d, err := NewDescriber(c.strategy, Options{Rule: extract.Default})
		if err != nil {
			t.Fatal(err)
		}
		var s eh.Strategy = d
		judge := &scripted{answer: func(req *eh.Request) (string, error) { return "Yes", nil }}
		if c.judge {
			s = d.WithJudge(judge)
		}
		out, err := s.Answer(context.Background(), m, describeItem())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, st := range out.Steps {
			names = append(names, st.Name)
		}
		if got := strings.Join(names, ","); got != c.steps {
			t.Errorf("%s judge=%v: steps %s, want %s", c.strategy, c.judge, got, c.steps)
		}
		if out.Raw != "She is delighted, maybe a bit afraid." || out.Rule != extract.EmoClaimsV1 || out.Answer != "" {
			t.Errorf("%s: outcome %+v", c.strategy, out)
		}
		last := m.reqs[len(m.reqs)-1].Messages[0].Parts
		text := last[len(last)-1].Text
		if strings.Contains(text, "5. happiness, strong") != (c.strategy == "pep-mek") {
			t.Errorf("%s: describe prompt and evidence:\n%s", c.strategy, text)
		}
		if c.judge {
			j := judge.reqs[0].Messages[0].Parts
			if jt := j[len(j)-1].Text; !strings.Contains(jt, `claims the emotion "happiness"`) || !strings.Contains(jt, "happiness (also given by many annotators: surprise)") || len(j) != 2 {
				t.Errorf("judge prompt (with the image first):\n%s", jt)
			}
			if *judge.reqs[0].Temperature != 0 {
				t.Error("the judge is not asked at temperature 0")
			}
		}
	}
	for _, name := range []string{"cot", "self-consistency", "majority-vote", "mek-only"} {
		if _, err := NewDescriber(name, Options{}); err == nil {
			t.Errorf("%s describes", name)
		}
	}
	if _, err := NewDescriber("direct", Options{Prompt: &Prompt{Template: "{{.Question}}"}}); err == nil {
		t.Error("a user question template accepted for descriptions")
	}
}
