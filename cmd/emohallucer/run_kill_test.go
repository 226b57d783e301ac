package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
)

// completions counts the answers a fake server completed, per prompt text.
type completions struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *completions) answer(r *fakeapi.Request) string {
	c.mu.Lock()
	c.n[r.LastText()]++
	c.mu.Unlock()
	return answerByHash(r)
}

func (c *completions) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.n))
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

// countLines returns the number of complete lines of a file (0 if missing).
func countLines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("\n"))
}

// TestRunKillResume builds the real binary, kills it with SIGKILL in the middle
// of a run, and reruns it: every question ends with exactly one answered record,
// no question recorded before the kill is asked again, and a final rerun sends
// no request and reproduces summary.json.
func TestRunKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	tmp := t.TempDir()
	bin := buildBinary(t)
	seen := &completions{n: map[string]int{}}
	srv := fakeapi.New(fakeapi.Config{Latency: 50 * time.Millisecond, Answer: seen.answer})
	defer srv.Close()

	const pairs = 300
	dir := filepath.Join(tmp, "run")
	recs := filepath.Join(dir, "records.jsonl")
	args := []string{"run", "--model", "openai:m@" + srv.OpenAIBaseURL(), "--out", dir,
		"--cache", filepath.Join(tmp, "responses.jsonl"), "--limit", "300", "--concurrency", "8", "--progress", "never"}
	command := func() *exec.Cmd {
		c := exec.Command(bin, args...)
		// A private HOME: nothing of the user's is read or written.
		c.Env = append(os.Environ(), "HOME="+tmp, "XDG_CACHE_HOME="+filepath.Join(tmp, "xdg"))
		return c
	}

	// First attempt: killed once a third of the questions are recorded.
	first := command()
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for countLines(recs) < 2*pairs/3 {
		if time.Now().After(deadline) {
			first.Process.Kill()
			t.Fatalf("no progress: %d records; stderr: %s", countLines(recs), firstErr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	// Let requests that were in flight at the kill reach the server, so that
	// they are counted before the snapshot rather than during the rerun.
	time.Sleep(200 * time.Millisecond)
	atKill := seen.snapshot()
	recorded := recordedQuestions(t, recs)
	if len(recorded) == 0 || len(recorded) >= 2*pairs {
		t.Fatalf("%d questions recorded at the kill; want some but not all", len(recorded))
	}

	// Second attempt: resumes.
	if out, err := command().CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	checkAllAnswered(t, dir, 2*pairs)
	after := seen.snapshot()
	matched := map[string]bool{}
	for text, n := range after {
		for key, q := range recorded {
			if !strings.Contains(text, q) {
				continue
			}
			matched[key] = true
			if n != atKill[text] {
				t.Fatalf("question %q was recorded before the kill but asked again (%d → %d)", q, atKill[text], n)
			}
		}
	}
	// Guard against a vacuous pass: every recorded question was found in a prompt.
	if len(matched) != len(recorded) {
		t.Fatalf("only %d of %d recorded questions found in the prompts the server saw", len(matched), len(recorded))
	}
	summary, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}

	// Third attempt: nothing left to do.
	before := srv.Received()
	if out, err := command().CombinedOutput(); err != nil {
		t.Fatalf("final rerun: %v\n%s", err, out)
	}
	if n := srv.Received() - before; n != 0 {
		t.Fatalf("final rerun sent %d requests, want 0", n)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if !bytes.Equal(summary, again) {
		t.Fatal("final rerun changed summary.json")
	}
	t.Logf("killed after %d of %d questions; the server completed %d requests in all", len(recorded), 2*pairs, srv.Served(fakeapi.FaultNone))
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// buildBinary builds the command once per test process.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "emohallucer-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "emohallucer")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestRunInterruptSaves sends the real binary SIGINT mid-run: it stops
// scheduling, lets the requests in flight finish, records every answer the
// server completed, and exits 130.
func TestRunInterruptSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv := fakeapi.New(fakeapi.Config{Latency: 300 * time.Millisecond})
	defer srv.Close()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "run")
	c := exec.Command(bin, "run", "--model", "openai:m@"+srv.OpenAIBaseURL(), "--out", dir,
		"--cache", filepath.Join(tmp, "responses.jsonl"), "--concurrency", "8", "--progress", "never")
	c.Env = append(os.Environ(), "HOME="+tmp)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	for countLines(filepath.Join(dir, "records.jsonl")) < 16 {
		time.Sleep(20 * time.Millisecond)
	}
	c.Process.Signal(os.Interrupt)
	err := c.Wait()
	code := c.ProcessState.ExitCode()
	if code != exitInterrupted {
		t.Fatalf("exit %d (%v), want %d: %s", code, err, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "resumes") {
		t.Fatalf("no resume hint: %s", stderr.String())
	}
	recs := recordsByKey(t, dir)
	if int64(len(recs)) != srv.Served(fakeapi.FaultNone) {
		t.Fatalf("%d records for %d answers the server completed: in-flight answers were lost", len(recs), srv.Served(fakeapi.FaultNone))
	}
	for k, rs := range recs {
		if len(rs) != 1 || rs[0].Status != eh.StatusAnswered {
			t.Fatalf("%s: %d records, first %s", k, len(rs), rs[0].Status)
		}
	}
}

// recordedQuestions returns the text of every question with a complete record
// line in path (a torn last line does not count), by record key.
func recordedQuestions(t *testing.T, path string) map[string]string {
	t.Helper()
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	text := map[string]string{}
	for i := range s.Pairs {
		p := &s.Pairs[i]
		for _, r := range []eh.Role{eh.Basic, eh.Hallucinated} {
			text[p.ID+"/"+string(r)] = p.Question(r).Text
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Only newline-terminated lines are records; the rest is what the kill tore.
	b = b[:bytes.LastIndexByte(b, '\n')+1]
	out := map[string]string{}
	for _, line := range bytes.Split(b, []byte("\n")) {
		var r struct{ Pair, Role string }
		if json.Unmarshal(line, &r) != nil || r.Pair == "" {
			continue
		}
		out[r.Pair+"/"+r.Role] = text[r.Pair+"/"+r.Role]
	}
	return out
}
