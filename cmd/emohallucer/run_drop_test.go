package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/suite"
)

// imageSuite writes a suite of text pairs followed by image pairs.
func imageSuite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	png := fakeapi.PNG(64, 64)
	if err := os.WriteFile(filepath.Join(dir, "face.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(png)
	var pairs []eh.Pair
	for i := range 3 {
		pairs = append(pairs, eh.Pair{ID: fmt.Sprintf("a-text-%d", i), Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text,
			Context:      eh.Context{Text: "I waited an hour and nobody came."},
			Basic:        eh.Question{Text: fmt.Sprintf("Is the writer disappointed (%d)?", i), Gold: eh.Yes},
			Hallucinated: eh.Question{Text: fmt.Sprintf("Is the writer delighted (%d)?", i), Gold: eh.No},
			Explanation:  "waiting in vain", Corruption: "swap", Source: eh.Source{Dataset: "test", ID: fmt.Sprint(i)}})
	}
	for i := range 3 {
		pairs = append(pairs, eh.Pair{ID: fmt.Sprintf("b-image-%d", i), Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Image,
			Context:      eh.Context{Media: []eh.Media{{Path: "face.png", SHA256: hex.EncodeToString(sum[:]), Kind: eh.Image}}},
			Basic:        eh.Question{Text: fmt.Sprintf("Does the person in the image look happy (%d)?", i), Gold: eh.Yes},
			Hallucinated: eh.Question{Text: fmt.Sprintf("Does the person in the image look angry (%d)?", i), Gold: eh.No},
			Explanation:  "a smile", Corruption: "swap", Source: eh.Source{Dataset: "test", ID: fmt.Sprint(i)}})
	}
	if err := suite.Write(dir, pairs); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRunWarnsOnDroppedImages: a server that silently ignores images makes the
// run warn once; one that counts them does not.
func TestRunWarnsOnDroppedImages(t *testing.T) {
	suiteDir := imageSuite(t)
	for _, drop := range []bool{true, false} {
		t.Run(fmt.Sprintf("drop=%v", drop), func(t *testing.T) {
			cfg := fakeapi.Config{}
			if drop {
				cfg.DropKinds = []string{"image"}
			}
			srv := fakeapi.New(cfg)
			defer srv.Close()
			tmp := t.TempDir()
			models := filepath.Join(tmp, "models.yaml")
			os.WriteFile(models, []byte(fmt.Sprintf("models:\n  - provider: openai\n    model: m\n    base_url: %s\n    modalities: [text, image]\n    concurrency: 1\n", srv.OpenAIBaseURL())), 0o644)
			code, _, stderr := runCLI(t, "run", "--suite", suiteDir, "--config", models, "--out", filepath.Join(tmp, "run"),
				"--no-cache", "--progress", "never")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			warned := strings.Count(stderr, "seems to ignore image input")
			if drop && warned != 1 {
				t.Fatalf("%d warnings, want exactly 1:\n%s", warned, stderr)
			}
			if !drop && warned != 0 {
				t.Fatalf("warned although the server counted the images:\n%s", stderr)
			}
		})
	}
}
