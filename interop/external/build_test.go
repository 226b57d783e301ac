package external_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/emohallucer/emohallucer/importers/builder"
	"github.com/emohallucer/emohallucer/interop/export"
	"github.com/emohallucer/emohallucer/interop/external"
	"github.com/emohallucer/emohallucer/interop/interoptest"
	"github.com/emohallucer/emohallucer/interop/pope"
	"github.com/emohallucer/emohallucer/suite"
)

// TestBuildAndRoundTrip runs the real builder with these importers: POPE's
// random split over stand-in images becomes a suite; the suite is exported in
// each format and built again from the export; the rebuilt suite.jsonl is
// byte-identical to the first.
func TestBuildAndRoundTrip(t *testing.T) {
	labels := interoptest.Data(t, "pope/coco_pope_random.json")
	qs, err := pope.Load(labels, "")
	if err != nil {
		t.Fatal(err)
	}
	media := t.TempDir()
	seen := map[string]bool{}
	for _, q := range qs {
		if !seen[q.Image] {
			seen[q.Image] = true
			interoptest.PNG(t, filepath.Join(media, q.Image), len(seen))
		}
	}
	root := t.TempDir()
	first := filepath.Join(root, "pope-random")
	build := func(out, name, path string) {
		t.Helper()
		src := builder.Source{Name: name, Path: path}
		if _, err := builder.Build(context.Background(), builder.Config{Out: out, Sources: []builder.Source{src}, Seed: 1, Importers: external.Importers()}); err != nil {
			t.Fatalf("build --from %s=%s: %v", name, path, err)
		}
	}
	build(first, "pope", labels+",media="+media)
	s, err := suite.Read(first, suite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pairs) != 1500 {
		t.Fatalf("%d pairs, want 1500", len(s.Pairs))
	}
	want, err := os.ReadFile(filepath.Join(first, suite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range export.Formats {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "export")
			if format == export.VLMEvalKit {
				out += ".tsv"
			}
			if _, err := export.Export(context.Background(), format, s, out); err != nil {
				t.Fatal(err)
			}
			again := filepath.Join(t.TempDir(), "again")
			build(again, format, out)
			got, err := os.ReadFile(filepath.Join(again, suite.FileName))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("suite.jsonl rebuilt from the %s export differs from the original", format)
			}
		})
	}
}
