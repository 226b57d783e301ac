// Package interoptest holds helpers for the tests of the interop packages:
// tiny real PNG files, an import environment writing into a folder, and the
// location of the shared labelled data.
package interoptest

import (
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/suite"
)

// PNG writes a small PNG at path whose pixels depend on seed, so that two
// images with different seeds have different digests.
func PNG(t testing.TB, path string, seed int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := 0; x < 8; x++ {
		for y := 0; y < 8; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 30), uint8(y * 30), 0, 255})
		}
	}
	// The seed, byte by byte, in the first row: distinct seeds, distinct bytes.
	for i := 0; i < 4; i++ {
		img.Set(i, 0, color.RGBA{uint8(seed >> (8 * i)), 0, 0, 255})
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// Env returns an import environment that places media under suiteDir.
func Env(suiteDir string) *importers.Env {
	return &importers.Env{Seed: 1, Out: importers.NewOutput(suiteDir, nil), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// WriteAndRead writes pairs as a suite in dir and reads it back with every
// check on (media existence, digests, duplicates), failing the test on any
// problem.
func WriteAndRead(t testing.TB, dir string, pairs []eh.Pair) *eh.Suite {
	t.Helper()
	if err := suite.Write(dir, pairs); err != nil {
		t.Fatal(err)
	}
	s, err := suite.Read(dir, suite.Options{})
	if err != nil {
		t.Fatalf("suite written from imported pairs does not read back: %v", err)
	}
	return s
}

// Data returns the path of a file in the shared labelled data (../shared/data
// from the repository), skipping the test when it is missing.
func Data(t testing.TB, rel string) string {
	t.Helper()
	for _, root := range []string{"../../../shared/data", "../../shared/data", "../../../../shared/data"} {
		p := filepath.Join(root, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("shared data %s not found next to the repository (../shared/data); skipping", rel)
	return ""
}
