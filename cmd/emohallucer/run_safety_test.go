package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/rundir"
)

// TestRunFolderLocked: a run into a folder another run holds exits 3 at once,
// naming the holder's process, and writes nothing; with --wait-lock it waits
// and then runs. (Two runs once both wrote into records.jsonl, interleaving
// partial lines.)
func TestRunFolderLocked(t *testing.T) {
	dir := t.TempDir()
	held, err := rundir.Acquire(context.Background(), dir, "", false)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "--model", "baseline:always-yes", "--out", dir, "--limit", "3", "--progress", "never"}
	code, _, stderr := runCLI(t, args...)
	if code != exitInvalid || !strings.Contains(stderr, fmt.Sprint("process ", os.Getpid())) || !strings.Contains(stderr, "--wait-lock") {
		t.Fatalf("exit %d, want %d naming process %d and --wait-lock: %s", code, exitInvalid, os.Getpid(), stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "records.jsonl")); err == nil {
		t.Fatal("the locked-out run wrote records")
	}
	done := make(chan int, 1)
	go func() {
		code, _, _ := runCLI(t, append(args, "--wait-lock")...)
		done <- code
	}()
	held.Release()
	if code := <-done; code != 0 {
		t.Fatalf("--wait-lock: exit %d", code)
	}
	checkAllAnswered(t, dir, 6)
}

// TestIOErrorsOnUserPaths: a path the user gave that cannot be written is a
// user-facing error with the path and the cause and exit code 6 — never "a
// bug" — and leaves no temporary file.
func TestIOErrorsOnUserPaths(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	recordsDir := filepath.Join(tmp, "records-is-dir")
	os.MkdirAll(filepath.Join(recordsDir, "records.jsonl"), 0o755)
	full := filepath.Join(tmp, "full")
	os.MkdirAll(full, 0o755)
	if err := os.Symlink("/dev/full", filepath.Join(full, "records.jsonl")); err != nil {
		t.Fatal(err)
	}
	run := func(out string) []string {
		return []string{"run", "--model", "baseline:always-no", "--out", out, "--limit", "2", "--progress", "never"}
	}
	tests := []struct {
		name string
		args []string
		want string // the path the message must name
	}{
		// The run folder would be inside a file.
		{"ErrOutUnderFile", run(filepath.Join(file, "run")), filepath.Join(file, "run")},
		// A folder stands where records.jsonl should be.
		{"ErrRecordsIsFolder", run(recordsDir), filepath.Join(recordsDir, "records.jsonl")},
		// The disk is full when records are written (/dev/full).
		{"ErrDiskFull", run(full), filepath.Join(full, "records.jsonl")},
		// The report file cannot be written: a full device, a missing folder.
		{"ErrReportFull", []string{"report", "--md", "/dev/full", filepath.Join("testdata", "none")}, ""},
		// The response cache is a folder.
		{"ErrCacheIsFolder", []string{"run", "--model", "openai:m@http://127.0.0.1:9/v1", "--cache", tmp, "--out", filepath.Join(tmp, "c"), "--limit", "1", "--progress", "never"}, tmp},
	}
	// The report test needs a run to report on.
	runDir := filepath.Join(tmp, "ok")
	if code, _, stderr := runCLI(t, run(runDir)...); code != 0 {
		t.Fatalf("setup run: exit %d: %s", code, stderr)
	}
	tests[3].args[3] = runDir
	tests[3].want = "/dev/full"
	tests = append(tests, struct {
		name string
		args []string
		want string
	}{"ErrReportNoFolder", []string{"report", "--html", filepath.Join(tmp, "no", "such", "r.html"), runDir}, filepath.Join(tmp, "no", "such", "r.html")})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitIO || strings.Contains(stderr, "bug") || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, want %d with %s named and no \"bug\":\n%s", code, exitIO, tt.want, stderr)
			}
		})
	}
	filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".tmp") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

// TestFlagLimits: values no run can use are usage errors (exit 2) before
// anything is sent or stored; config values get the same checks (exit 3).
func TestFlagLimits(t *testing.T) {
	tmp := t.TempDir()
	config := func(entry string) string {
		p := filepath.Join(tmp, fmt.Sprintf("c%d.yaml", len(entry)))
		os.WriteFile(p, []byte("models:\n  - spec: baseline:always-yes\n    "+entry+"\n"), 0o644)
		return p
	}
	tests := []struct {
		args []string
		code int
	}{
		// Unbounded values are capped.
		{[]string{"--concurrency", "1000000000"}, exitUsage},
		{[]string{"--samples", "1000000000", "--strategy", "self-consistency"}, exitUsage},
		{[]string{"--samples", "0"}, exitUsage},
		{[]string{"--concurrency", "0"}, exitUsage},
		// Flags get the config keys' checks.
		{[]string{"--max-tokens", "-1"}, exitUsage},
		{[]string{"--rpm", "-1"}, exitUsage},
		{[]string{"--tpm", "-5"}, exitUsage},
		{[]string{"--retries", "-1"}, exitUsage},
		{[]string{"--max-cost", "-1"}, exitUsage},
		{[]string{"--timeout", "-1s"}, exitUsage},
		{[]string{"--temperature", "2.5"}, exitUsage},
		{[]string{"--temperature", "-0.1"}, exitUsage},
		{[]string{"--temperature", "NaN"}, exitUsage},
		{[]string{"--sample-temperature", "9"}, exitUsage},
		{[]string{"--parallel", "0"}, exitUsage},
		// The cap can be raised on purpose.
		{[]string{"--concurrency", "5000", "--concurrency-cap", "8192"}, 0},
		{[]string{"--temperature", "2"}, 0},
		// A malformed --model spec is a mistake in the command line: a base
		// URL without its scheme (never sent to the provider's default host),
		// an unknown provider.
		{[]string{"--model", "openai:m@127.0.0.1:8000/v1"}, exitUsage},
		{[]string{"--model", "nosuch:m"}, exitUsage},
		// A config is held to the same rules (exit 3: invalid input).
		{[]string{"--config", config("decoding: {temperature: 2.5}")}, exitInvalid},
		{[]string{"--config", config("decoding: {temperature: .nan}")}, exitInvalid},
		{[]string{"--config", config("concurrency: 100000")}, exitInvalid},
	}
	for i, tt := range tests {
		args := append([]string{"run", "--model", "baseline:always-no", "--limit", "1", "--progress", "never", "--out", filepath.Join(tmp, fmt.Sprint(i))}, tt.args...)
		if tt.args[0] == "--config" {
			args = append([]string{"run", "--limit", "1", "--progress", "never", "--out", filepath.Join(tmp, fmt.Sprint(i))}, tt.args...)
		}
		if code, _, stderr := runCLI(t, args...); code != tt.code {
			t.Errorf("%v: exit %d, want %d: %s", tt.args, code, tt.code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "worker", "--store", "postgres://x@127.0.0.1:1/x", "--concurrency", "1000000"); code != exitUsage {
		t.Errorf("worker --concurrency 1000000: exit %d: %s", code, stderr)
	}
}

// TestFailureCauses: when questions fail, the end-of-run message says why,
// with a count per distinct cause, and a password in the model's URL is never
// printed.
func TestFailureCauses(t *testing.T) {
	// Every request is refused for good (HTTP 400).
	srv := fakeapi.New(fakeapi.Config{Script: repeat(fakeapi.FaultBadRequest, 6)})
	defer srv.Close()
	base := strings.Replace(srv.OpenAIBaseURL(), "http://", "http://user:hunter2@", 1)
	tmp := t.TempDir()
	code, stdout, stderr := runCLI(t, "run", "--model", "openai:m@"+base, "--out", filepath.Join(tmp, "run"),
		"--no-cache", "--limit", "3", "--progress", "never", "--retries", "0")
	if code != exitIncomplete {
		t.Fatalf("exit %d, want %d: %s", code, exitIncomplete, stderr)
	}
	if !strings.Contains(stderr, "6 question(s) failed") || !strings.Contains(stderr, "6 × ") || !strings.Contains(stderr, "400") {
		t.Fatalf("no count per cause in:\n%s", stderr)
	}
	if strings.Contains(stdout+stderr, "hunter2") {
		t.Fatalf("the URL's password was printed:\n%s%s", stdout, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(tmp, "run", "run.json"))
	if strings.Contains(string(b), "hunter2") {
		t.Fatal("the URL's password is in run.json")
	}
}
