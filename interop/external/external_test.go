package external

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/interop/interoptest"
	"github.com/emohallucer/emohallucer/interop/pope"
)

// TestHallusionBenchSample: the done criterion — the sample scores under both
// rules and every metric is printed with its numerator and denominator.
func TestHallusionBenchSample(t *testing.T) {
	q := interoptest.Data(t, "hallusionbench/HallusionBench.json")
	p := interoptest.Data(t, "hallusionbench/HallusionBench_result_sample.json")
	for _, rule := range []string{"yesno-v1", "first-word"} {
		rep, err := Score("hallusionbench", p, q, rule)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := rep.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if testing.Verbose() {
			t.Log("\n" + b.String())
		}
		for _, s := range rep.Sections {
			for _, m := range s.Metrics {
				if m.Den == 0 && m.Value != nil && m.Percent {
					continue // a mean of ratios has no single fraction
				}
				if m.Den > 0 && !strings.Contains(b.String(), fmt.Sprintf("%d/%d", m.Num, m.Den)) {
					t.Errorf("%s: %s printed without %d/%d", s.Name, m.Name, m.Num, m.Den)
				}
			}
		}
		var j bytes.Buffer
		if err := rep.WriteJSON(&j); err != nil || !json.Valid(j.Bytes()) {
			t.Errorf("JSON report: %v", err)
		}
	}
}

// TestPOPEAdversarial scores a prediction file built from the real
// adversarial labels: the model answers right except on every fourth
// question_id, where it answers the opposite; every tenth answer is written
// "Yes, I think so." / "No, there is not." to exercise extraction. The
// expected confusion table is counted here from the labels.
func TestPOPEAdversarial(t *testing.T) {
	labels := interoptest.Data(t, "pope/coco_pope_adversarial.json")
	qs, err := pope.Load(labels, "")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var tp, fp, tn, fn int
	for _, q := range qs {
		say := q.Label
		if q.QuestionID%4 == 0 {
			say = map[eh.Gold]eh.Gold{eh.Yes: eh.No, eh.No: eh.Yes}[q.Label]
		}
		text := map[eh.Gold]string{eh.Yes: "yes", eh.No: "no"}[say]
		if q.QuestionID%10 == 0 {
			text = map[eh.Gold]string{eh.Yes: "Yes, I think so.", eh.No: "No, there is not."}[say]
		}
		fmt.Fprintf(&b, "{\"question_id\": %d, \"prompt\": %q, \"text\": %q}\n", q.QuestionID, q.Text, text)
		switch {
		case say == eh.Yes && q.Label == eh.Yes:
			tp++
		case say == eh.Yes:
			fp++
		case q.Label == eh.No:
			tn++
		default:
			fn++
		}
	}
	pred := filepath.Join(t.TempDir(), "answers.jsonl")
	if err := os.WriteFile(pred, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"yesno-v1", "first-word", "reference"} {
		rep, err := Score("pope", pred, labels, rule)
		if err != nil {
			t.Fatal(err)
		}
		s := rep.Section(pope.SectionPrefix + "adversarial")
		want := map[string][2]int{
			"questions predicted": {3000, 0},
			"accuracy":            {tp + tn, 3000}, "precision": {tp, tp + fp}, "recall": {tp, tp + fn},
			"F1": {2 * tp, 2*tp + fp + fn}, "yes ratio": {tp + fp, 3000}, "unparsed (taken as yes)": {0, 3000},
		}
		for k, w := range want {
			m := s.Metric(k)
			if m == nil || m.Num != w[0] || m.Den != w[1] {
				t.Errorf("%s: %s = %+v, want %d/%d", rule, k, m, w[0], w[1])
			}
		}
	}
}

func TestScoreErrors(t *testing.T) {
	tests := []struct{ name, format, pred, q, rule, errHas string }{
		{"ErrFormat", "mmbench", "p.json", "q.json", "yesno-v1", "unknown --format"},
		{"ErrNoPredictions", "pope", "", "q.json", "yesno-v1", "--predictions is required"},
		{"ErrNoQuestions", "hallusionbench", "p.json", "", "yesno-v1", "--questions is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Score(tt.format, tt.pred, tt.q, tt.rule)
			if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("error %v, want EINVALID mentioning %q", err, tt.errHas)
			}
		})
	}
	if _, err := Score("pope", "/nonexistent/p.jsonl", interoptest.Data(t, "pope/coco_pope_random.json"), "bogus"); eh.ErrorCode(err) == "" {
		t.Error("missing prediction file accepted")
	}
}

func TestImporters(t *testing.T) {
	want := []string{"hallusionbench", "hf-jsonl", "lmms-eval", "pope", "videohallucer", "vlmevalkit"}
	if got := ImporterNames(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("importers %v, want %v", got, want)
	}
	for name, im := range Importers() {
		if im.Name() != name {
			t.Errorf("importer %s names itself %s", name, im.Name())
		}
	}
}
