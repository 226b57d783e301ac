package swap

import (
	"reflect"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // tokens joined by spaces
	}{
		// Typographic apostrophes fold; punctuation ends sentences.
		{"I’m glad. Really!", "i'm glad . really"},
		// A question keeps its final mark; "?!" is a question.
		{"What?! You came?", "what ? you came ?"},
		// Emoji and emoticons are tokens of their own.
		{"love it 😂 :)", "love it 😂 :)"},
		// Line breaks end sentences too.
		{"one\ntwo", "one . two"},
	} {
		if got := strings.Join(Tokens(tt.in), " "); got != tt.want {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCueRules(t *testing.T) {
	happy := NewLexicon("i like, glad, i hate")
	for _, tt := range []struct {
		text       string
		stated     []string // cues Stated keeps
		contrasted bool     // whether the first stated cue is contrasted
	}{
		// A plain statement.
		{"I'm glad you came.", []string{"glad"}, false},
		// Negated before, or retracted right after.
		{"I'm not glad at all.", nil, false},
		{"I like him, not so much.", nil, false},
		// A negation in the previous sentence does not reach.
		{"Not played yet. Glad it came.", []string{"glad"}, false},
		// Questions and conditionals are not statements.
		{"Are you glad now?", nil, false},
		{"If it rains I'd be glad.", nil, false},
		// "I hate to say it" is a set phrase.
		{"I hate to say it but yes.", nil, false},
		// A contrast after the cue, or a "while" anywhere in its sentence.
		{"I like it but the ending is bad.", []string{"i like"}, true},
		{"While I like it, the ending drags.", []string{"i like"}, true},
	} {
		toks := Tokens(tt.text)
		ms := Stated(toks, happy.Find(toks))
		var got []string
		for _, m := range ms {
			got = append(got, m.Cue)
		}
		if !reflect.DeepEqual(got, tt.stated) {
			t.Errorf("Stated(%q) = %v, want %v", tt.text, got, tt.stated)
			continue
		}
		if len(ms) > 0 && Contrasted(toks, ms[0]) != tt.contrasted {
			t.Errorf("Contrasted(%q) = %v, want %v", tt.text, !tt.contrasted, tt.contrasted)
		}
	}
}

func TestOtherValence(t *testing.T) {
	for l, want := range map[Label][]Label{
		Happiness: {Anger, Contempt, Disgust, Fear, Sadness},
		Sadness:   {Happiness},
		Positive:  {Negative},
		Negative:  {Positive},
		Neutral:   nil,
		Surprise:  nil,
	} {
		if got := OtherValence(l); !reflect.DeepEqual(got, want) {
			t.Errorf("OtherValence(%s) = %v, want %v", l, got, want)
		}
	}
}
