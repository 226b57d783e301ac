package ravdess_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/importers/ravdess"
)

var emotionWords = []string{"neutral", "calm", "happy", "sad", "angry", "fearful", "disgusted", "surprised"}

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "ravdess")
	env, dir := importerstest.Env(t, 1)
	res, err := ravdess.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	count := map[eh.SubCategory]int{}
	for _, p := range res.Pairs {
		count[p.SubCategory]++
		if p.Modality != eh.Audio {
			t.Errorf("%s: modality %s, want audio", p.ID, p.Modality)
		}
		// The spoken sentences are neutral: the questions must not name them.
		for _, q := range []string{p.Basic.Text, p.Hallucinated.Text} {
			for _, w := range []string{"kids", "dogs", "door", "sentence", "statement"} {
				if strings.Contains(strings.ToLower(q), w) {
					t.Errorf("%s: question %q mentions %q", p.ID, q, w)
				}
			}
		}
	}
	// 96 clips; the 12 neutral clips have no intensity pair.
	if count[eh.Category] != 96 || count[eh.Intensity] != 84 || len(res.Dropped) != 0 {
		t.Errorf("got %v pairs and %d dropped, want 96 category + 84 intensity, none dropped: %v", count, len(res.Dropped), res.Dropped)
	}
	if bad := importerstest.WordBalance(res.Pairs, append(emotionWords, "strong", "normal"), 0); len(bad) > 0 {
		t.Errorf("words used unequally in basic and hallucinated questions (basic, hallucinated): %v", bad)
	}
	var found bool
	for _, p := range res.Pairs {
		if p.ID == "ravdess-03-01-05-02-01-01-15-category" {
			found = true
			if p.Basic.Text != "Does the speaker sound angry?" || p.Source.ID != "03-01-05-02-01-01-15" {
				t.Errorf("pair %s: %+v", p.ID, p)
			}
		}
	}
	if !found {
		t.Error("no pair ravdess-03-01-05-02-01-01-15-category")
	}
}

// TestCorruptAndDamaged copies a few clips, cuts one short and flips a byte in
// another (same size, so only the manifest digest can tell), and expects both
// dropped with their paths while the rest import.
func TestCorruptAndDamaged(t *testing.T) {
	src := importerstest.DataDir(t, "ravdess")
	tmp := t.TempDir()
	names := []string{"03-01-05-02-01-01-15.wav", "03-01-07-02-01-01-02.wav", "03-01-08-01-02-01-02.wav", "03-01-06-02-01-01-02.wav"}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(src, "speech", n))
		if err != nil {
			t.Fatal(err)
		}
		switch n {
		case names[0]:
			b = b[:len(b)/3]
		case names[1]:
			b[len(b)-100] ^= 0xff
		}
		if err := os.WriteFile(filepath.Join(tmp, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest, err := os.ReadFile(filepath.Join(src, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "manifest.csv"), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	env, dir := importerstest.Env(t, 1)
	res, err := ravdess.Importer{}.Import(context.Background(), tmp, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	want := map[string]string{
		filepath.Join(tmp, names[0]): "header declares",
		filepath.Join(tmp, names[1]): "differs from the dataset manifest",
	}
	for _, d := range res.Dropped {
		if w, ok := want[d.Path]; ok && strings.Contains(d.Reason, w) {
			delete(want, d.Path)
		}
	}
	if len(want) > 0 {
		t.Errorf("not dropped as expected: %v (dropped: %+v)", want, res.Dropped)
	}
	if len(res.Dropped) != 2 {
		t.Errorf("dropped %d, want 2: %+v", len(res.Dropped), res.Dropped)
	}
	if _, err := os.Stat(filepath.Join(dir, "media", "ravdess", names[1])); err == nil {
		t.Error("the damaged file was left in the suite folder")
	}
}

func TestNoFiles(t *testing.T) {
	env, _ := importerstest.Env(t, 1)
	_, err := ravdess.Importer{}.Import(context.Background(), t.TempDir(), env)
	if eh.ErrorCode(err) != eh.ENOTFOUND {
		t.Errorf("empty folder: %v, want ENOTFOUND", err)
	}
	_, err = ravdess.Importer{}.Import(context.Background(), filepath.Join(t.TempDir(), "nope"), env)
	if eh.ErrorCode(err) != eh.ENOTFOUND {
		t.Errorf("missing folder: %v, want ENOTFOUND", err)
	}
}
