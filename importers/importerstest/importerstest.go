// Package importerstest holds helpers shared by the importers' tests: locating
// the shared data folder (skipping with a clear message when it is absent), an
// import environment writing into a temporary folder, and checks every
// importer's output must pass.
package importerstest

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/media"
	"github.com/emohallucer/emohallucer/suite"
)

// DataDir returns the absolute path of ../shared/data/<sub> relative to the
// repository. It skips the test when the shared data folder is absent (a user's
// checkout) and fails it when the folder is there but <sub> is not.
func DataDir(t testing.TB, sub string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	// this file is <repo>/importers/importerstest/importerstest.go
	repo := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	root := filepath.Join(filepath.Dir(repo), "shared", "data")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("shared data folder %s is absent (%v); these tests read the real labelled datasets kept outside the repository", root, err)
	}
	dir := filepath.Join(root, filepath.FromSlash(sub))
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the shared data folder is there but %v", err)
	}
	return dir
}

// Env returns an import environment that writes media below a temporary
// suite folder, which it also returns.
func Env(t testing.TB, seed int64) (*importers.Env, string) {
	t.Helper()
	dir := t.TempDir()
	tools := media.Find()
	return &importers.Env{Seed: seed, Out: importers.NewOutput(dir, tools), Tools: tools, Log: slog.New(slog.DiscardHandler)}, dir
}

// RequireFFmpeg skips the test when ffmpeg or ffprobe is missing.
func RequireFFmpeg(t testing.TB) {
	t.Helper()
	if err := media.Find().Require("this test"); err != nil {
		t.Skipf("%v; %s", err, media.InstallHint)
	}
}

// CheckPairs fails the test for any invalid pair, repeated id, media file
// that is not in dir with its digest, or pair whose two questions differ in
// more than the swapped words (checked as: same number of words ± maxExtra).
func CheckPairs(t testing.TB, dir string, pairs []eh.Pair, maxExtra int) {
	t.Helper()
	ids := map[string]bool{}
	for _, p := range pairs {
		if err := p.Validate(); err != nil {
			t.Errorf("invalid pair: %v", err)
		}
		if ids[p.ID] {
			t.Errorf("pair id %s repeats", p.ID)
		}
		ids[p.ID] = true
		for _, m := range p.Context.Media {
			sum, err := suite.FileSHA256(filepath.Join(dir, filepath.FromSlash(m.Path)))
			if err != nil {
				t.Errorf("pair %s: media %s: %v", p.ID, m.Path, err)
			} else if sum != m.SHA256 {
				t.Errorf("pair %s: media %s: digest mismatch", p.ID, m.Path)
			}
		}
		if maxExtra >= 0 {
			b, h := len(strings.Fields(p.Basic.Text)), len(strings.Fields(p.Hallucinated.Text))
			if b-h > maxExtra || h-b > maxExtra {
				t.Errorf("pair %s: questions differ in length by %d words: %q vs %q", p.ID, b-h, p.Basic.Text, p.Hallucinated.Text)
			}
		}
	}
}

// WordBalance counts, for each word of the vocabulary, how often it occurs in
// basic and in hallucinated questions, and returns the words whose counts differ
// by more than slack.
func WordBalance(pairs []eh.Pair, vocab []string, slack int) map[string][2]int {
	count := map[string][2]int{}
	for _, p := range pairs {
		for i, q := range []string{p.Basic.Text, p.Hallucinated.Text} {
			for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return r == ' ' || r == '?' || r == ',' }) {
				c := count[w]
				c[i]++
				count[w] = c
			}
		}
	}
	bad := map[string][2]int{}
	for _, w := range vocab {
		c := count[w]
		if c[0]-c[1] > slack || c[1]-c[0] > slack {
			bad[w] = c
		}
	}
	return bad
}
