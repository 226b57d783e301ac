package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSuitePaths: a suite is taken as its folder, its suite.jsonl or builtin,
// and suite stats and audit take it as an argument like suite validate.
func TestSuitePaths(t *testing.T) {
	dir := imageSuite(t)
	file := filepath.Join(dir, "suite.jsonl")
	tests := []struct {
		args []string
		code int
		want string // in stdout, or stderr when the exit is not 0
	}{
		// validate, stats and audit on the file name the folder's suite
		{[]string{"suite", "validate", file}, 0, "6 pairs, no problems"},
		{[]string{"suite", "stats", file}, 0, "6 pairs (12 questions)"},
		{[]string{"suite", "stats", dir}, 0, "6 pairs (12 questions)"},
		// --suite keeps working, with the file too
		{[]string{"suite", "stats", "--suite", file}, 0, "6 pairs (12 questions)"},
		{[]string{"suite", "audit", file, "--folds", "2"}, 0, "6 / 12"},
		{[]string{"suite", "audit", "--suite", file, "--folds", "2"}, 0, "6 / 12"},
		// the argument and a different --suite: refused, not one silently winning
		{[]string{"suite", "stats", dir, "--suite", "builtin"}, exitUsage, "give the suite once"},
		// run takes the file as the folder (the run names the folder's suite)
		{[]string{"run", "--suite", file, "--model", "baseline:always-yes", "--out", filepath.Join(t.TempDir(), "r"), "--progress", "never"}, 0, "baseline:always-yes"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args...)
		got := stdout
		if tt.code != 0 {
			got = stderr
		}
		if code != tt.code || !strings.Contains(got, tt.want) {
			t.Errorf("%v: exit %d (want %d), want %q in:\n%s%s", tt.args, code, tt.code, tt.want, stdout, stderr)
		}
	}
}
