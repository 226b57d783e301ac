package runner

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/media"
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

// TestMediaTokens: a WAV file costs its length at the audio rate, audio of
// another format the assumed length, reported as assumed; an image the
// fixed figure; video at least 8 frames' worth.
func TestMediaTokens(t *testing.T) {
	wav := filepath.Join("..", "..", "shared", "data", "ravdess", "speech", "03-01-03-01-02-01-16.wav")
	mp3 := filepath.Join("..", "..", "shared", "data", "cremad", "audio_mp3", "1002_DFA_ANG_XX.mp3")
	for _, f := range []string{wav, mp3} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("../shared/data is absent (%v); this test reads a RAVDESS WAV and a CREMA-D MP3", err)
		}
	}
	info, err := media.ReadWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    eh.MediaFile
		tokens  int
		assumed bool
	}{
		{"wav: its length", eh.MediaFile{Kind: eh.Audio, Path: wav, SHA256: "w"}, int(math.Ceil(info.Duration * DryRunAudioPerSecond)), false},
		{"mp3: assumed length", eh.MediaFile{Kind: eh.Audio, Path: mp3, SHA256: "m"}, DryRunAssumedSeconds * DryRunAudioPerSecond, true},
		{"image: fixed", eh.MediaFile{Kind: eh.Image, Path: "x.png", SHA256: "i"}, DryRunImageTokens, false},
		{"video: assumed length at the video rate", eh.MediaFile{Kind: eh.ShortVideo, Path: "x.mp4", SHA256: "v"}, DryRunAssumedSeconds * DryRunVideoPerSecond, true},
	}
	est := &estimator{seconds: map[string]float64{}}
	for _, tt := range tests {
		req := &eh.Request{Messages: []eh.Message{{Role: "user", Parts: []eh.Part{{Media: &tt.file}}}}}
		got, assumed := est.prompt(req)
		if got != tt.tokens || (len(assumed) == 1) != tt.assumed {
			t.Errorf("%s: %d tokens (assumed %v), want %d (assumed %v)", tt.name, got, assumed, tt.tokens, tt.assumed)
		}
	}
}
