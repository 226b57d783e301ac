package strategy

import (
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

func TestReextract(t *testing.T) {
	p := 0.9
	steps := func(texts ...string) []eh.Step {
		var out []eh.Step
		for _, s := range texts {
			out = append(out, eh.Step{Name: "sample", Response: s})
		}
		return out
	}
	tests := []struct {
		name     string
		rec      eh.Record
		rule     string
		want     eh.Answer
		wantConf float64 // 0: nil
		wantErr  string  // error code, "" for none
	}{
		// Japanese is read by yesno-v2 but not by yesno-v1.
		{"direct, v2 reads Japanese", eh.Record{Strategy: "direct", Status: eh.StatusAnswered, Raw: "はい。", Answer: eh.AnswerUnparsed, Rule: "yesno-v1"}, "yesno-v2", eh.AnswerYes, 0, ""},
		{"direct, v1 does not", eh.Record{Strategy: "direct", Status: eh.StatusAnswered, Raw: "はい。", Answer: eh.AnswerYes, Rule: "yesno-v2"}, "yesno-v1", eh.AnswerUnparsed, 0, ""},
		// the final step's P(yes) becomes confidence in the new answer
		{"pep: final step's text and P(yes)", eh.Record{Strategy: "pep-mek", Status: eh.StatusAnswered, Raw: "Answer: no",
			Steps: []eh.Step{{Name: "predict", Response: "Yes"}, {Name: "final", Response: "Answer: no", YesProb: &p}}}, "yesno-v1", eh.AnswerNo, 0.1, ""},
		// a vote is taken again over every sample
		{"majority vote re-tallied", eh.Record{Strategy: "majority-vote", Status: eh.StatusAnswered, Raw: "Yes",
			Steps: steps("いいえ", "No.", "Yes")}, "yesno-v2", eh.AnswerNo, 2.0 / 3, ""},
		{"the same vote under v1", eh.Record{Strategy: "majority-vote", Status: eh.StatusAnswered, Raw: "No.",
			Steps: steps("いいえ", "No.", "Yes")}, "yesno-v1", eh.AnswerUnparsed, 0, ""},
		// not answered: nothing to read, left alone
		{"error record untouched", eh.Record{Strategy: "direct", Status: eh.StatusError}, "yesno-v1", "", 0, ""},
		// refused rather than silently kept
		{"no raw text", eh.Record{Strategy: "direct", Status: eh.StatusAnswered, Answer: eh.AnswerYes}, "yesno-v1", "", 0, eh.EINVALID},
		{"vote without transcript", eh.Record{Strategy: "self-consistency", Status: eh.StatusAnswered, Raw: "yes", Answer: eh.AnswerYes}, "yesno-v1", "", 0, eh.EINVALID},
		{"unknown rule", eh.Record{Strategy: "direct", Status: eh.StatusAnswered, Raw: "yes"}, "yesno-v9", "", 0, eh.EUSAGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.rec
			err := Reextract(&rec, tt.rule)
			if tt.wantErr != "" {
				if eh.ErrorCode(err) != tt.wantErr {
					t.Fatalf("error %v, want code %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.Answer != tt.want {
				t.Errorf("answer %q, want %q", rec.Answer, tt.want)
			}
			if rec.Status == eh.StatusAnswered && rec.Rule != tt.rule {
				t.Errorf("rule %q, want %q", rec.Rule, tt.rule)
			}
			switch {
			case tt.wantConf == 0 && rec.Confidence != nil:
				t.Errorf("confidence %v, want none", *rec.Confidence)
			case tt.wantConf != 0 && (rec.Confidence == nil || *rec.Confidence-tt.wantConf > 1e-9 || tt.wantConf-*rec.Confidence > 1e-9):
				t.Errorf("confidence %v, want %v", rec.Confidence, tt.wantConf)
			}
		})
	}
	// Every voting strategy exists, so none is re-read from one sample.
	for name := range voting {
		if _, ok := factories[name]; !ok {
			t.Errorf("voting names unknown strategy %q", name)
		}
	}
}
