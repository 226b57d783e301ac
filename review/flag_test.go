package review

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/record"
)

// writeRun writes a run folder whose records answer pairs[i] with
// answers[i] ("yn": basic yes, hallucinated no; "u" unparsed, "-" no record,
// "e" an error record), through the real record encoder.
func writeRun(t *testing.T, dir, model string, pairs []eh.Pair, answers []string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := record.NewEncoder(&buf)
	for i, a := range answers {
		for j, role := range []eh.Role{eh.Basic, eh.Hallucinated} {
			c := a[j]
			if c == '-' {
				continue
			}
			r := eh.NewRecord("run-"+model, "builtin", model, "direct", &pairs[i], role)
			r.Rule = "yesno-v1"
			switch c {
			case 'y':
				r.Status, r.Answer, r.Raw = eh.StatusAnswered, eh.AnswerYes, "Yes."
			case 'n':
				r.Status, r.Answer, r.Raw = eh.StatusAnswered, eh.AnswerNo, "No."
			case 'u':
				r.Status, r.Answer, r.Raw = eh.StatusAnswered, eh.AnswerUnparsed, "I cannot tell."
			case 'e':
				r.Status, r.Error = eh.StatusError, "HTTP 500"
			}
			if err := enc.Encode(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, record.FileName), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestFlagRuns(t *testing.T) {
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	pairs := s.Pairs[:6]
	root := t.TempDir()
	// Columns are pairs 0–5; each cell is a run's basic and hallucinated answer.
	runs := []string{
		writeRun(t, filepath.Join(root, "a"), "a", pairs, []string{"nn", "yy", "yn", "nn", "uu", "nu"}),
		writeRun(t, filepath.Join(root, "b"), "b", pairs, []string{"ny", "yn", "yn", "yn", "uu", "u-"}),
		writeRun(t, filepath.Join(root, "c"), "c", pairs, []string{"nn", "yy", "ny", "ee", "yn", "uu"}),
	}
	f, err := FlagRuns(runs, FlagOptions{MinRuns: 2, Suite: s})
	if err != nil {
		t.Fatal(err)
	}
	// pair 0: 3/3 contradict (all reject the basic; b also accepts the
	//         hallucinated) — first;
	// pair 1: 2/3 (a and c accept the hallucinated) — second;
	// pair 2: 1/3 (only c) — not a majority;
	// pair 3: 1/2 (c's error record is no opinion) — a tie is no majority;
	// pair 4: 0/1 (unparsed is no disagreement; one run below --min-runs);
	// pair 5: 1/1 (a rejects the basic; b and c unparsed) — below --min-runs.
	if len(f.Flagged) != 2 || f.Pairs != 6 {
		t.Fatalf("flagged %+v of %d", f.Flagged, f.Pairs)
	}
	top := f.Flagged[0]
	if top.Pair != pairs[0].ID || top.Contradicting != 3 || top.Runs != 3 || top.Share != 1 || top.RejectBasic != 3 || top.AcceptHallucinated != 1 {
		t.Errorf("first %+v", top)
	}
	if top.Basic != pairs[0].Basic.Text || top.Source != "knowledge" || len(top.Answers) != 3 || top.Answers[1].Hallucinated != eh.AnswerYes {
		t.Errorf("first's texts and answers: %+v", top)
	}
	if second := f.Flagged[1]; second.Pair != pairs[1].ID || second.Contradicting != 2 || second.Runs != 3 {
		t.Errorf("second %+v", second)
	}
	// With one run required, pair 5 (1/1) joins pair 0 at share 1, ranked
	// after it by the number of runs.
	f1, err := FlagRuns(runs, FlagOptions{MinRuns: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(f1.Flagged) != 3 || f1.Flagged[1].Pair != pairs[5].ID || f1.Flagged[1].Basic != "" {
		t.Errorf("min-runs 1: %+v", f1.Flagged)
	}
	// The list reads back as "suite review sample --pairs" takes it.
	list := filepath.Join(root, "flagged.txt")
	if err := f.WritePairList(list); err != nil {
		t.Fatal(err)
	}
	ids, err := ReadPairList(list)
	if err != nil || strings.Join(ids, ",") != pairs[0].ID+","+pairs[1].ID {
		t.Errorf("pair list %v %v", ids, err)
	}
	var buf bytes.Buffer
	if err := f.WriteText(&buf); err != nil || !strings.Contains(buf.String(), "3/3 runs contradict (1.00)") || !strings.Contains(buf.String(), pairs[0].Hallucinated.Text) {
		t.Errorf("text %v:\n%s", err, buf.String())
	}
	if _, err := FlagRuns(runs, FlagOptions{}); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("min-runs 0: %v", err)
	}
	if _, err := FlagRuns([]string{filepath.Join(root, "none")}, FlagOptions{MinRuns: 1}); eh.ErrorCode(err) != eh.ENOTFOUND {
		t.Errorf("missing run: %v", err)
	}
}
