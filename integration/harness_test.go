//go:build unix

package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/record"
)

// Paths and state shared by the tests of this binary.
var (
	repoRoot string // the repository, found from this package's folder
	ehBin    string // the emohallucer binary under test; see binary
	tmpRoot  string // removed when the tests end

	procsMu   sync.Mutex
	procs     []*server // stopped when the tests end
	exitFuncs []func()  // run when the tests end, before the servers stop
)

// atExit registers f to run when the tests end.
func atExit(f func()) {
	procsMu.Lock()
	defer procsMu.Unlock()
	exitFuncs = append(exitFuncs, f)
}

func netListenLoopback() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	repoRoot = filepath.Dir(wd)
	tmpRoot, err = os.MkdirTemp("", "eh-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	defer os.RemoveAll(tmpRoot)
	defer stopAll()
	return m.Run()
}

var (
	trackOnce sync.Once
	trackErr  error
)

// trackSources opens every file of the repository, once. The go command caches
// a passing test result keyed by the test binary and by the files the tests
// opened (it logs opens only while tests run, not in TestMain); the binary
// under test and the Node server are built from files this package does not
// import, so without this a change to them could be answered with a stale
// cached "ok".
func trackSources(t testing.TB) {
	t.Helper()
	trackOnce.Do(func() { trackErr = openAll(repoRoot) })
	if trackErr != nil {
		t.Fatal(trackErr)
	}
}

func openAll(root string) error {
	return filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "runs":
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		return f.Close()
	})
}

var (
	buildOnce sync.Once
	buildErr  error
)

// binary returns the emohallucer binary under test: $EMOHALLUCER_BIN, else one
// built on first use (once per test binary, and not at all when every test
// skips; with a warm build cache it is a link step).
func binary(t testing.TB) string {
	t.Helper()
	trackSources(t)
	buildOnce.Do(func() {
		if ehBin = os.Getenv("EMOHALLUCER_BIN"); ehBin != "" {
			return
		}
		ehBin = filepath.Join(tmpRoot, "emohallucer")
		cmd := exec.Command("go", "build", "-o", ehBin, "./cmd/emohallucer")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/emohallucer: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return ehBin
}

// inCI reports whether the environment variable CI says this is a CI run, where
// a missing prerequisite is a failure rather than a reason to skip.
func inCI() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv("CI")))
	return v != "" && v != "0" && v != "false" && v != "no"
}

// unavailable skips the test on a developer machine and fails it in CI.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...) + " — run .ci/integration.sh to build the integration-test servers"
	if inCI() {
		t.Fatal("CI is set, so this is an error: " + msg)
	}
	t.Skip(msg)
}

// ciCache is the folder .ci/integration.sh fills.
func ciCache() string {
	if d := os.Getenv("EMOHALLUCER_CI_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "emohallucer-ci")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "emohallucer-ci")
}

// fileSHA256 returns the hex SHA-256 of a file.
func fileSHA256(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// server is a process started by the tests, in its own process group so that
// its children (Ollama's model runners) stop with it.
type server struct {
	name string
	cmd  *exec.Cmd
	log  string // file holding its output
	done chan struct{}
}

// start launches a server process with output to logPath.
func start(name, logPath, dir string, env []string, bin string, args ...string) (*server, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		lf.Close()
		close(s.done)
	}()
	procsMu.Lock()
	procs = append(procs, s)
	procsMu.Unlock()
	return s, nil
}

// exited reports whether the process has ended.
func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// tail returns the end of the server's log, for failure messages.
func (s *server) tail() string {
	data, _ := os.ReadFile(s.log)
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return fmt.Sprintf("--- %s log (%s) ---\n%s", s.name, s.log, data)
}

// stop ends the process group: SIGTERM, then SIGKILL after a grace period.
func (s *server) stop() {
	if s.exited() {
		return
	}
	pgid := s.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.done
	}
}

func stopAll() {
	procsMu.Lock()
	defer procsMu.Unlock()
	for _, f := range exitFuncs {
		f()
	}
	exitFuncs = nil
	for _, s := range procs {
		s.stop()
	}
	procs = nil
}

// waitHTTP polls url until it answers 200, the process exits, or the timeout.
func waitHTTP(s *server, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if s.exited() {
			return fmt.Errorf("%s exited before answering %s", s.name, url)
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer %s within %s", s.name, url, timeout)
}

// ehResult is what one emohallucer invocation produced.
type ehResult struct {
	code           int
	stdout, stderr string
}

// runEH runs the binary under test with extra environment variables. A fresh
// response cache per test keeps runs independent of the user's cache.
func runEH(t testing.TB, env []string, args ...string) ehResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("emohallucer %s: %v", strings.Join(args, " "), err)
	}
	t.Logf("emohallucer %s → exit %d\nstderr:\n%s", strings.Join(args, " "), code, errb.String())
	return ehResult{code, out.String(), errb.String()}
}

// mustRun runs emohallucer and fails the test unless it exits 0.
func mustRun(t testing.TB, env []string, args ...string) ehResult {
	t.Helper()
	r := runEH(t, env, args...)
	if r.code != 0 {
		t.Fatalf("emohallucer %s exited %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// readRecords reads a run folder's records.
func readRecords(t testing.TB, dir string) []eh.Record {
	t.Helper()
	var out []eh.Record
	if err := record.ReadPaths([]string{dir}, nil, func(r *eh.Record) error {
		out = append(out, *r)
		return nil
	}); err != nil {
		t.Fatalf("reading the records of %s: %v", dir, err)
	}
	return out
}

// summaryView is the part of summary.json the tests check.
type summaryView struct {
	Pairs               int      `json:"pairs"`
	Questions           int      `json:"questions"`
	NotEvaluated        int      `json:"not_evaluated"`
	Errors              int      `json:"errors"`
	BasicCorrect        int      `json:"basic_correct"`
	HallucinatedCorrect int      `json:"hallucinated_correct"`
	PairCorrect         int      `json:"pair_correct"`
	AnsweredYes         int      `json:"answered_yes"`
	Unparsed            int      `json:"unparsed"`
	Wrong               int      `json:"wrong"`
	WrongYes            int      `json:"wrong_yes"`
	BasicAcc            float64  `json:"basic_acc"`
	HallucinatedAcc     float64  `json:"hallucinated_acc"`
	OverallAcc          float64  `json:"overall_acc"`
	PctDiff             float64  `json:"pct_diff"`
	FPRatio             *float64 `json:"fp_ratio"`
}

type summary struct {
	Run struct {
		Records          int `json:"records"`
		Calls            int `json:"calls"`
		CachedCalls      int `json:"cached_calls"`
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"run"`
	Views map[string]summaryView `json:"views"`
}

func readSummary(t testing.TB, dir string) summary {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s/summary.json: %v", dir, err)
	}
	return s
}
