package strategy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// scripted answers by template step and records every request it gets.
type scripted struct {
	mu     sync.Mutex
	reqs   []*eh.Request
	answer func(req *eh.Request) (string, error)
}

func (s *scripted) Name() string                  { return "scripted" }
func (s *scripted) Capabilities() eh.Capabilities { return eh.Capabilities{Modalities: eh.Modalities} }
func (s *scripted) Generate(_ context.Context, req *eh.Request) (*eh.Response, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	text, err := s.answer(req)
	if err != nil {
		return nil, err
	}
	return &eh.Response{Text: text, Usage: eh.Usage{PromptTokens: 10, CompletionTokens: 2}}, nil
}

// byStep answers by the template's step name ("mek.v1" of "pep-mek:mek.v1").
func byStep(answers map[string]string) func(*eh.Request) (string, error) {
	return func(req *eh.Request) (string, error) {
		_, step, _ := strings.Cut(req.Template, ":")
		a, ok := answers[step]
		if !ok {
			return "", fmt.Errorf("unexpected step %s", req.Template)
		}
		return a, nil
	}
}

func imageItem() *eh.Item {
	p := &eh.Pair{ID: "img-1", Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Image,
		Context:      eh.Context{Media: []eh.Media{{Path: "a.png", Kind: eh.Image}}},
		Basic:        eh.Question{Text: "Does the person look happy?", Gold: eh.Yes},
		Hallucinated: eh.Question{Text: "Does the person look surprised?", Gold: eh.No}}
	return &eh.Item{Pair: p, Role: eh.Basic, Media: []eh.MediaFile{{Kind: eh.Image, MIME: "image/png", SHA256: strings.Repeat("a", 64)}}}
}

func knowledgeItem() *eh.Item {
	p := &eh.Pair{ID: "k-1", Dimension: eh.Knowledge, SubCategory: eh.Theory, Modality: eh.Text,
		Basic:        eh.Question{Text: "Does the James–Lange theory put bodily change first?", Gold: eh.Yes},
		Hallucinated: eh.Question{Text: "Does the James–Lange theory put feeling first?", Gold: eh.No}}
	return &eh.Item{Pair: p, Role: eh.Hallucinated}
}

func stepsOf(reqs []*eh.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Template)
	}
	return out
}

func text(m eh.Message) string {
	var b strings.Builder
	for _, p := range m.Parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

func TestPEPMEKSequence(t *testing.T) {
	m := &scripted{answer: byStep(map[string]string{
		"mek.v1":     "Overall atmosphere: cheerful. One person, smiling broadly.",
		"predict.v1": "Yes",
		"explain.v1": "On reflection the smile is polite, not happy.",
		"final.v1":   "No.",
	})}
	s, err := New("pep-mek", Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Answer(context.Background(), m, imageItem())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"pep-mek:mek.v1", "pep-mek:predict.v1", "pep-mek:explain.v1", "pep-mek:final.v1"}
	if fmt.Sprint(stepsOf(m.reqs)) != fmt.Sprint(want) {
		t.Fatalf("steps %v, want %v", stepsOf(m.reqs), want)
	}
	// Step 1 names every evidence slot of SPEC §4 and carries the image.
	mek := text(m.reqs[0].Messages[0])
	for _, slot := range []string{"atmosphere", "Number of people", "facial expression", "head pose", "gaze", "posture", "gestures", "voice tone", "emotional words", "Relations and interactions", "emotion category", "intensity", "likely cause"} {
		if !strings.Contains(mek, slot) {
			t.Errorf("MEK prompt lacks slot %q", slot)
		}
	}
	if m.reqs[0].Messages[0].Parts[0].Media == nil {
		t.Error("MEK step does not carry the image")
	}
	// Step 2 sees the evidence; steps 3 and 4 continue the same conversation.
	if !strings.Contains(text(m.reqs[1].Messages[0]), "smiling broadly") {
		t.Error("predict step does not see the evidence")
	}
	explain := m.reqs[2].Messages
	if len(explain) != 3 || explain[1].Role != "assistant" || text(explain[1]) != "Yes" || !strings.Contains(text(explain[2]), "Explain your answer against the evidence") {
		t.Errorf("explain conversation wrong: %+v", explain)
	}
	final := m.reqs[3].Messages
	if len(final) != 5 || text(final[3]) != "On reflection the smile is polite, not happy." {
		t.Errorf("final conversation wrong: %+v", final)
	}
	// The scored answer is the last step's, not the first prediction's.
	if out.Answer != eh.AnswerNo || out.Raw != "No." || len(out.Steps) != 4 || out.Steps[1].Answer != eh.AnswerYes {
		t.Fatalf("outcome %+v", out)
	}
}

func TestStrategySequences(t *testing.T) {
	tests := []struct {
		name  string
		item  *eh.Item
		want  []string
		check func(t *testing.T, reqs []*eh.Request)
	}{
		{"direct", imageItem(), []string{"direct:direct.v1"}, nil},
		{"mek-only", imageItem(), []string{"mek-only:mek.v1", "mek-only:predict.v1"}, nil},
		{"pep-mk", imageItem(), []string{"pep-mk:describe.v1", "pep-mk:predict.v1", "pep-mk:explain.v1", "pep-mk:final.v1"},
			func(t *testing.T, reqs []*eh.Request) {
				if strings.Contains(text(reqs[0].Messages[0]), "facial expression") {
					t.Error("PEP-MK must use a generic description, not the emotion slots")
				}
			}},
		// Knowledge items have no input to observe: the evidence is knowledge.
		{"pep-mek", knowledgeItem(), []string{"pep-mek:mek-knowledge.v1", "pep-mek:predict.v1", "pep-mek:explain.v1", "pep-mek:final.v1"},
			func(t *testing.T, reqs []*eh.Request) {
				if !strings.Contains(text(reqs[0].Messages[0]), "put feeling first") {
					t.Error("knowledge evidence step does not name the question")
				}
			}},
		{"cot", imageItem(), []string{"cot:cot.v1"}, nil},
		{"self-consistency", imageItem(), []string{"self-consistency:cot.v1", "self-consistency:cot.v1", "self-consistency:cot.v1", "self-consistency:cot.v1", "self-consistency:cot.v1"},
			func(t *testing.T, reqs []*eh.Request) {
				for i, r := range reqs {
					if r.Sample != i || r.Temperature == nil || *r.Temperature != 0.7 {
						t.Errorf("sample %d: Sample=%d temperature=%v", i, r.Sample, r.Temperature)
					}
				}
			}},
		{"majority-vote", imageItem(), []string{"majority-vote:direct.v1", "majority-vote:para-a.v1", "majority-vote:para-b.v1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &scripted{answer: func(*eh.Request) (string, error) { return "Answer: yes", nil }}
			s, err := New(tt.name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			out, err := s.Answer(context.Background(), m, tt.item)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(stepsOf(m.reqs)) != fmt.Sprint(tt.want) {
				t.Fatalf("steps %v, want %v", stepsOf(m.reqs), tt.want)
			}
			if out.Answer != eh.AnswerYes || len(out.Steps) != len(tt.want) {
				t.Fatalf("outcome %+v", out)
			}
			if tt.check != nil {
				tt.check(t, m.reqs)
			}
		})
	}
}

func TestVoteMajorityAndConfidence(t *testing.T) {
	tests := []struct {
		answers []string
		want    eh.Answer
		conf    float64
	}{
		{[]string{"yes", "yes", "no", "yes", "no"}, eh.AnswerYes, 0.6},
		{[]string{"no", "no", "no", "no", "no"}, eh.AnswerNo, 1},
		// Unparsed samples do not vote; a tie is no answer.
		{[]string{"yes", "no", "maybe", "maybe", "maybe"}, eh.AnswerUnparsed, 0},
		{[]string{"yes", "maybe", "maybe", "maybe", "maybe"}, eh.AnswerYes, 1},
	}
	for _, tt := range tests {
		i := 0
		var mu sync.Mutex
		m := &scripted{answer: func(*eh.Request) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			i++
			return tt.answers[i-1], nil
		}}
		s, _ := New("self-consistency", Options{})
		out, err := s.Answer(context.Background(), m, imageItem())
		if err != nil {
			t.Fatal(err)
		}
		if out.Answer != tt.want {
			t.Errorf("%v: answer %s, want %s", tt.answers, out.Answer, tt.want)
		}
		if tt.want != eh.AnswerUnparsed && (out.Confidence == nil || *out.Confidence != tt.conf) {
			t.Errorf("%v: confidence %v, want %v", tt.answers, out.Confidence, tt.conf)
		}
	}
}

func TestStepErrorKeepsTranscript(t *testing.T) {
	boom := errors.New("server exploded")
	m := &scripted{answer: func(r *eh.Request) (string, error) {
		if strings.HasSuffix(r.Template, "explain.v1") {
			return "", boom
		}
		return "yes", nil
	}}
	s, _ := New("pep-mek", Options{})
	out, err := s.Answer(context.Background(), m, imageItem())
	if !errors.Is(err, boom) || len(out.Steps) != 3 || out.Steps[2].Error == "" {
		t.Fatalf("err %v, steps %+v", err, out)
	}
}

func TestLogprobConfidence(t *testing.T) {
	p := 0.8
	if c := confidenceFromYesProb(eh.AnswerNo, &p); c == nil || *c < 0.199 || *c > 0.201 {
		t.Fatalf("confidence of no with P(yes)=0.8: %v", c)
	}
	if confidenceFromYesProb(eh.AnswerUnparsed, &p) != nil {
		t.Fatal("unparsed answers have no confidence")
	}
}

func TestUnknownNames(t *testing.T) {
	if _, err := New("telepathy", Options{}); eh.ErrorCode(err) != eh.EINVALID {
		t.Fatal(err)
	}
	if _, err := New("direct", Options{Rule: "vibes"}); eh.ErrorCode(err) != eh.EINVALID {
		t.Fatal(err)
	}
	if _, err := New("self-consistency", Options{Samples: -1}); eh.ErrorCode(err) != eh.EINVALID {
		t.Fatal(err)
	}
}
