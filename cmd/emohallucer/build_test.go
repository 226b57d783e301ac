package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/suite"
)

// buildTestData returns ../shared/data, skipping when it is absent.
func buildTestData(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../../shared/data")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared data folder %s is absent (%v); the build tests import its datasets", dir, err)
	}
	return dir
}

// TestBuildCommand builds from the text datasets (no ffmpeg needed) through the
// plain build function and checks the summary and the folder.
func TestBuildCommand(t *testing.T) {
	data := buildTestData(t)
	out := filepath.Join(t.TempDir(), "suite")
	var stdout, stderr bytes.Buffer
	err := build(context.Background(), buildOptions{Out: out, Seed: 1, Quiet: true, From: []string{
		"soul=" + filepath.Join(data, "soul"), "meld=" + filepath.Join(data, "meld"), "goemotions=" + filepath.Join(data, "goemotions"),
		"twitter1517=" + filepath.Join(data, "twitter1517"),
	}}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if stderr.Len() != 0 {
		t.Errorf("--quiet wrote to stderr: %s", stderr.String())
	}
	for _, want := range []string{"goemotions", "meld", "soul", "wrote " + out, "manifest.json"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout.String())
		}
	}
	s, err := suite.Read(out, suite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st := suite.Count(s); st.ByModality["text"] < 300 {
		t.Errorf("text pairs %d, want at least 300", st.ByModality["text"])
	}
}

func TestBuildCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		o    buildOptions
		want string
	}{
		{"no out", buildOptions{From: []string{"soul=/x"}}, "--out is required"},
		{"bad from", buildOptions{Out: "x", From: []string{"soul"}}, "want NAME=PATH"},
		{"unknown importer", buildOptions{Out: "x", From: []string{"iemocap=/x"}}, "unknown importer"},
		{"no sources", buildOptions{Out: "x"}, "no sources"},
		{"negative limit", buildOptions{Out: "x", MaxPerLabel: -1}, "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := build(context.Background(), tt.o, &out, &errOut)
			if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("build = %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}
