package strategy

import (
	"context"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestUserPrompt: system prompt, few-shot turns and a user template reach
// the request; the built-in template renders the examples when there is no
// user template; the template's name carries the prompt's digest.
func TestUserPrompt(t *testing.T) {
	examples := []Example{{Question: "Is the sky green?", Answer: "No"}}
	tests := []struct {
		name     string
		prompt   *Prompt
		template string // request's Template
		turns    []string
	}{
		// the built-in direct template renders the example and the question
		{"few-shot, built-in template", &Prompt{System: "Be careful.", FewShot: examples}, "direct:direct.v1",
			[]string{"Question: Is the sky green?\nAnswer with a single word: yes or no.\n", "No", "Look at the image above.\nQuestion: Does the person look happy?\nAnswer with a single word: yes or no.\n"}},
		// a user template, its media fields filled for the question only
		{"user template", &Prompt{Template: "{{.Question}} [{{.Modality}} {{len .Media}} {{.MediaNoun}}]", FewShot: examples}, "",
			[]string{"Is the sky green? [image 0 ]", "No", "Does the person look happy? [image 1 image]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &scripted{answer: func(*eh.Request) (string, error) { return "Yes", nil }}
			s, err := New("direct", Options{Prompt: tt.prompt})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Answer(context.Background(), m, imageItem()); err != nil {
				t.Fatal(err)
			}
			req := m.reqs[0]
			want := tt.template
			if want == "" {
				want = "direct:user-" + tt.prompt.Digest()
			}
			if req.System != tt.prompt.System || req.Template != want || len(req.Messages) != len(tt.turns) {
				t.Fatalf("system %q, template %q, %d messages", req.System, req.Template, len(req.Messages))
			}
			for i, w := range tt.turns {
				if got := text(req.Messages[i]); got != w {
					t.Errorf("turn %d: %q, want %q", i, got, w)
				}
			}
			if n := len(req.Messages[len(req.Messages)-1].Parts); n != 2 {
				t.Errorf("the question has %d parts, want its image and text", n)
			}
		})
	}
	// Any change of the prompt changes its digest.
	a, b := &Prompt{System: "x"}, &Prompt{System: "y"}
	if a.Digest() == b.Digest() || (&Prompt{}).Digest() != "" || (*Prompt)(nil).Digest() != "" {
		t.Error("digests do not follow the prompt")
	}
	if _, err := New("cot", Options{Prompt: &Prompt{Template: "{{.Question}}"}}); err == nil || !strings.Contains(err.Error(), "direct strategy only") {
		t.Errorf("template with cot: %v", err)
	}
}
