package extract

import (
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

const (
	Y = eh.AnswerYes
	N = eh.AnswerNo
	U = eh.AnswerUnparsed
)

func TestYesNo(t *testing.T) {
	tests := []struct {
		in   string
		want eh.Answer
	}{
		// Plain answers with punctuation, case and markdown.
		{"Yes", Y},
		{"No", N},
		{"yes", Y},
		{"no", N},
		{"YES", Y},
		{"NO.", N},
		{"Yes.", Y},
		{"No.", N},
		{"Yes!", Y},
		{"**Yes**", Y},
		{"**No**", N},
		{"*no*", N},
		{"`yes`", Y},
		{"\"Yes\"", Y},
		{"'no'", N},
		{"  \n\tYes", Y},
		{"\n\nNo\n", N},
		{"- Yes", Y},
		{"(No)", N},
		{"Yes\n", Y},
		// An answer followed by a justification.
		{"Yes, the reviewer clearly expresses anger.", Y},
		{"No, it is not.", N},
		{"No, the person does not appear to be smiling.", N},
		{"Yes. The speaker's voice rises and the words are sharp.", Y},
		{"No — the text never mentions an apology.", N},
		{"Yes; the tone is joyful throughout.", Y},
		{"no, there's no sign of fear", N},
		{"Yes, although the anger is mild.", Y},
		{"No. Although she is upset, it is sadness, not anger.", N},
		{"Yes it does", Y},
		{"No it doesn't", N},
		{"No, not at all.", N},
		{"Yes, definitely.", Y},
		{"No doubt, yes: the face shows happiness.", Y},
		// Reasoning blocks are ignored; only what follows counts.
		{"<think>The brows are lowered... maybe anger? No wait.</think>Yes", Y},
		{"<think>yes yes yes</think>\nNo.", N},
		{"<think>\nLet me consider. The reviewer says no.\n</think>\n\n**Yes**", Y},
		{"<thinking>hmm</thinking> No", N},
		{"<think>The speaker sounds calm, so the answer should be no", U},
		{"<think></think>yes", Y},
		{"<reasoning>cue check</reasoning>No, the cue is absent.", N},
		// Stated final answers win over earlier words.
		{"Let me think step by step. The face shows raised cheeks. Answer: yes", Y},
		{"The voice is loud, but no words of anger. Final answer: No", N},
		{"Reasoning: there is no smile. Final Answer: **No**", N},
		{"After considering the cues, the answer is yes.", Y},
		{"Step 1: read the text. Step 2: no fear words. Therefore the answer is no.", N},
		{"Answer: Yes", Y},
		{"answer - no", N},
		{"Conclusion: yes", Y},
		{"The final answer is (No).", N},
		{"I would answer yes.", Y},
		// JSON answers.
		{`{"answer":"no"}`, N},
		{`{"answer": "yes"}`, Y},
		{`{"answer": "Yes."}`, Y},
		{`{"answer": true}`, Y},
		{`{"answer": false}`, N},
		{"```json\n{\"answer\": \"no\"}\n```", N},
		{`{"label": "yes", "confidence": 0.8}`, Y},
		{`{"answer": "maybe"}`, U},
		{`{"reasoning": "no smile", "answer": "no"}`, N},
		// Refusals and hedges are unparsed.
		{"I cannot tell from the image.", U},
		{"I can't determine the emotion from this audio.", U},
		{"It is impossible to tell.", U},
		{"Maybe.", U},
		{"Possibly, but it's hard to say.", U},
		{"I'm not sure.", U},
		{"The emotion is unclear.", U},
		{"There is not enough information to answer.", U},
		{"As an AI, I cannot judge people's emotions.", U},
		{"I am unable to determine that.", U},
		{"I don't know.", U},
		{"Sorry, I can't help with that.", U},
		// Both or neither.
		{"Yes and no.", U},
		{"yes or no", U},
		{"Yes and no — she is angry but also relieved.", U},
		{"", U},
		{"   ", U},
		{"The person looks happy.", U},
		{"Sad.", U},
		{"It depends on the context.", U},
		{"Some would say yes, others would say no.", U},
		// A single standalone yes or no anywhere decides.
		{"The correct response is yes.", Y},
		{"I think no.", N},
		{"Based on the tone, yes.", Y},
		{"Honestly, no.", N},
		{"Nope.", U},
		{"Yeah.", U},
		{"Yesterday she was sad.", U},
		{"Nobody in the clip is smiling.", U},
		// Invalid UTF-8 does not break extraction.
		{"Yes\xff\xfe", Y},
		{"\xffNo", N},
	}
	for _, tt := range tests {
		if got := YesNo(tt.in); got != tt.want {
			t.Errorf("YesNo(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if len(tests) < 80 {
		t.Fatalf("only %d cases; the rule's contract promises at least 80", len(tests))
	}
}

func TestFirstWord(t *testing.T) {
	tests := []struct {
		in   string
		want eh.Answer
	}{
		{"Yes", Y},
		{"  no, it is not", N},
		{"**Yes**", Y},
		{"Answer: yes", U},
		{"Yesterday", U},
		{"", U},
		{"123 yes", Y},
		{"<think>x</think> yes", U},
	}
	for _, tt := range tests {
		got, ok := Extract(FirstWord, tt.in)
		if !ok || got != tt.want {
			t.Errorf("first-word(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if _, ok := Extract("nonsense", "yes"); ok {
		t.Error("unknown rule accepted")
	}
}

func TestYesNoHugeInput(t *testing.T) {
	huge := "Yes. " + strings.Repeat("blah ", 1<<20)
	if got := YesNo(huge); got != Y {
		t.Fatalf("got %s", got)
	}
}

func FuzzYesNo(f *testing.F) {
	for _, s := range []string{"Yes", "<think>no</think>yes", `{"answer":"no"}`, "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		switch YesNo(s) {
		case Y, N, U:
		default:
			t.Fatal("answer outside the tri-state")
		}
	})
}
