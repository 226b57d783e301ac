package baseline

import (
	"context"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

func TestNew(t *testing.T) {
	tests := []struct {
		spec string
		ok   bool
	}{
		{"always-yes", true},
		{"always-no", true},
		{"random", true},
		{"random?seed=42", true},
		{"random?seed=-1", false},
		{"random?seed=x", false},
		{"random?temperature=1", false},
		{"always-yes?seed=1", false},
		{"sometimes", false},
	}
	for _, tt := range tests {
		_, err := New(tt.spec)
		if (err == nil) != tt.ok {
			t.Errorf("New(%q) = %v, want ok=%v", tt.spec, err, tt.ok)
		}
		if err != nil && eh.ErrorCode(err) != eh.EINVALID {
			t.Errorf("New(%q): code %s, want invalid", tt.spec, eh.ErrorCode(err))
		}
	}
}

// TestRandomIsAFunctionOfSeedAndRequest: the same question gets the same answer
// whatever order or concurrency it is asked in, and seeds differ.
func TestRandomIsAFunctionOfSeedAndRequest(t *testing.T) {
	a, _ := New("random?seed=1")
	b, _ := New("random?seed=2")
	differ, yes := 0, 0
	for i := range 200 {
		req := &eh.Request{Template: "t", Messages: []eh.Message{eh.UserText(string(rune('a'+i%26)) + string(rune('A'+i/26)))}}
		r1, _ := a.Generate(context.Background(), req)
		r2, _ := a.Generate(context.Background(), req)
		r3, _ := b.Generate(context.Background(), req)
		if r1.Text != r2.Text {
			t.Fatal("same seed and request, different answers")
		}
		if r1.Text != r3.Text {
			differ++
		}
		if r1.Text == "Yes" {
			yes++
		}
	}
	if differ < 60 || yes < 70 || yes > 130 {
		t.Fatalf("seeds differ on %d/200, yes %d/200: not a fair coin", differ, yes)
	}
	if r := a.Renamed("coin"); r.Name() != "coin" || r.Capabilities().Identity != a.Capabilities().Identity {
		t.Fatal("renaming changed the identity")
	}
}
