package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScoreTornLastLine: a records file whose last line a crash tore is
// scored like the run that resumes it would see it — the torn line reported on
// stderr and left out — while a bad line in the middle stays an error that
// names its line.
func TestScoreTornLastLine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCLI(t, "run", "--model", "baseline:always-yes", "--limit", "5", "--out", dir, "--no-cache"); code != 0 {
		t.Fatalf("run exit %d: %s", code, stderr)
	}
	records := filepath.Join(dir, "records.jsonl")
	whole, err := os.ReadFile(records)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(whole), "\n"), "\n")
	torn := strings.Join(lines[:len(lines)-1], "") + lines[len(lines)-1][:20]
	if err := os.WriteFile(records, []byte(torn), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "score", dir)
	if code != 0 || !strings.Contains(stderr, "warning:") {
		t.Fatalf("score of a torn last line: exit %d, stderr %q; want 0 and a warning", code, stderr)
	}

	// The same damage in the middle of the file is not a crash's trace.
	middle := strings.Join(lines[:2], "") + "{garbage\n" + strings.Join(lines[2:], "")
	if err := os.WriteFile(records, []byte(middle), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "score", dir)
	if code != 3 || !strings.Contains(stderr, "line 3") {
		t.Fatalf("score of a bad middle line: exit %d, stderr %q; want 3 naming line 3", code, stderr)
	}
}
