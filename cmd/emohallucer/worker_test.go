package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/scale"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/store/postgres"
	"github.com/emohallucer/emohallucer/store/postgres/pgtest"
	"github.com/emohallucer/emohallucer/suite"
)

// TestWorkersSurviveKill is issue 8's acceptance test. Two worker processes
// share a queue in PostgreSQL and answer a loopback fake model; one is killed
// with SIGKILL while it has requests in flight. Every question ends with
// exactly one answered record, the questions the killed worker held are
// answered by the other after River rescues them, the duplicate model calls
// are no more than the killed worker's in-flight limit, and the scores equal
// those of a local run of the same suite and model.
func TestWorkersSurviveKill(t *testing.T) {
	url := pgtest.NewDatabase(t)
	if testing.Short() {
		t.Skip("builds the binary and runs worker processes")
	}
	const (
		pairs     = 20
		questions = 2 * pairs
		inFlight  = 3 // the killed worker's concurrency
	)
	bin := buildBinary(t)
	tmp := t.TempDir()
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	counter := newQuestionCounter(s.Pairs[:pairs], inFlight)
	srv := fakeapi.New(fakeapi.Config{Latency: 50 * time.Millisecond, Answer: counter.answer})
	defer srv.Close()
	defer func() {
		select {
		case <-counter.release:
		default:
			close(counter.release)
		}
	}()
	spec := "openai:fake-model@" + srv.OpenAIBaseURL()
	command := func(args ...string) *exec.Cmd {
		c := exec.Command(bin, args...)
		c.Env = append(os.Environ(), "HOME="+tmp, "XDG_CACHE_HOME="+filepath.Join(tmp, "xdg"), storeEnv+"=")
		return c
	}

	out, err := command("run", "--store", url, "--enqueue", "--model", spec, "--limit", "20").CombinedOutput()
	if err != nil {
		t.Fatalf("enqueue: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("40 question(s) enqueued")) {
		t.Fatalf("enqueue output:\n%s", out)
	}
	runs := storeRuns(t, url)
	if len(runs) != 1 {
		t.Fatalf("runs in the store: %v", runs)
	}
	run := runs[0]

	// Short rescue delays so that the test takes seconds, not the minutes of
	// the defaults.
	workerArgs := []string{"worker", "--store", url, "--job-timeout", "3s", "--rescue-after", "5s"}
	var logA, logB bytes.Buffer
	a := command(append(workerArgs, "--concurrency", "3")...)
	a.Stderr = &logA
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer a.Process.Kill()
	// A holds its first three questions in flight: the server does not answer.
	waitFor(t, "worker A to have 3 requests in flight", time.Minute, func() bool { return counter.heldNow() == inFlight })

	b := command(append(workerArgs, "--concurrency", "4", "--exit-when-done")...)
	b.Stderr = &logB
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	defer b.Process.Kill()
	waitFor(t, "worker B to answer some questions", time.Minute, func() bool { return counter.total() >= inFlight+10 })

	if err := a.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.Wait()
	close(counter.release) // the held requests now answer a dead connection

	done := make(chan error, 1)
	go func() { done <- b.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("worker B: %v\n%s", err, logB.String())
		}
	case <-time.After(3 * time.Minute):
		t.Fatalf("worker B did not finish; its log:\n%s\nworker A's log:\n%s", logB.String(), logA.String())
	}

	recs := storeRecords(t, url, run)
	if len(recs) != questions {
		t.Errorf("%d questions recorded, want %d", len(recs), questions)
	}
	for key, rs := range recs {
		if len(rs) != 1 || rs[0].Status != eh.StatusAnswered {
			t.Errorf("%s: %d record(s), first %s (%s); want one answered record", key, len(rs), rs[0].Status, rs[0].Error)
		}
	}
	calls := counter.counts()
	dups := 0
	for _, p := range s.Pairs[:pairs] {
		for _, role := range []string{"basic", "hallucinated"} {
			n := calls[p.ID+"/"+role]
			if n < 1 {
				t.Errorf("%s/%s was never asked", p.ID, role)
			}
			dups += max(n-1, 0)
		}
	}
	if calls["?"] > 0 {
		t.Errorf("%d requests asked no question of the suite", calls["?"])
	}
	if dups > inFlight {
		t.Errorf("%d duplicate model calls; at most the killed worker's %d in flight may be repeated", dups, inFlight)
	}
	t.Logf("model calls: %d for %d questions (%d repeated after the kill)", counter.total(), questions, dups)

	// The scores of the shared store equal those of a local run of the same
	// suite and model.
	summary, err := command("score", "--store", url, "--run", run).Output()
	if err != nil {
		t.Fatalf("score --store: %v", err)
	}
	local := filepath.Join(tmp, "local")
	if out, err := command("run", "--model", spec, "--limit", "20", "--out", local, "--no-cache", "--progress", "never").CombinedOutput(); err != nil {
		t.Fatalf("local run: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(local, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := viewsOf(t, summary)
	if !reflect.DeepEqual(got, viewsOf(t, want)) {
		t.Errorf("scores differ:\nstore %s\nlocal %s", got[score.ViewAll], viewsOf(t, want)[score.ViewAll])
	}
}

var enqueuedRE = regexp.MustCompile(`(\d+) question\(s\) enqueued, (\d+) already queued, (\d+) already recorded`)

// TestShardsShareTheStore runs a suite as two shards into one PostgreSQL store,
// as a Kubernetes Indexed Job or a Slurm array would, and checks that they
// make one run whose scores equal a local run's; that a rerun of a shard asks
// nothing (its responses are cached in the store); and that enqueueing the
// finished run adds nothing.
func TestShardsShareTheStore(t *testing.T) {
	url := pgtest.NewDatabase(t)
	tmp := t.TempDir()
	t.Setenv(storeEnv, "")
	t.Setenv("HOME", tmp)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(tmp, "xdg"))
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	suiteDir := filepath.Join(tmp, "mini")
	if err := suite.Write(suiteDir, s.Pairs[:30]); err != nil {
		t.Fatal(err)
	}
	srv := fakeapi.New(fakeapi.Config{Answer: answerByHash})
	defer srv.Close()
	spec := "openai:fake-model@" + srv.OpenAIBaseURL()
	shard := func(k string, extra ...string) []string {
		return append([]string{"run", "--suite", suiteDir, "--model", spec, "--store", url, "--shard", k,
			"--out", filepath.Join(tmp, "shard"+k[:1]), "--progress", "never"}, extra...)
	}
	for _, k := range []string{"1/2", "2/2"} {
		if code, _, stderr := runCLI(t, shard(k)...); code != exitOK {
			t.Fatalf("shard %s: exit %d\n%s", k, code, stderr)
		}
	}
	if n := srv.Received(); n != 60 {
		t.Errorf("the shards sent %d requests, want 60", n)
	}
	runs := storeRuns(t, url)
	if len(runs) != 1 {
		t.Fatalf("runs in the store: %v; the shards must make one run", runs)
	}
	if recs := storeRecords(t, url, runs[0]); len(recs) != 60 {
		t.Errorf("%d questions recorded, want 60", len(recs))
	}

	// Rerunning a shard with its records gone answers from the store's cache.
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(context.Background(), `DELETE FROM records`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, k := range []string{"1/2", "2/2"} {
		if code, _, stderr := runCLI(t, shard(k)...); code != exitOK {
			t.Fatalf("rerun of shard %s: exit %d\n%s", k, code, stderr)
		}
	}
	if n := srv.Received(); n != 60 {
		t.Errorf("reruns sent %d request(s); the store caches every response", n-60)
	}

	// Enqueueing what the shards answered adds no job.
	code, stdout, stderr := runCLI(t, shard("1/2", "--enqueue")...)
	if code != exitOK {
		t.Fatalf("enqueue: exit %d\n%s", code, stderr)
	}
	if m := enqueuedRE.FindStringSubmatch(stdout); m == nil || m[1] != "0" || m[2] != "0" || m[3] == "0" {
		t.Errorf("enqueue of a recorded shard: %q", stdout)
	}

	code, summary, stderr := runCLI(t, "score", "--store", url, "--run", runs[0])
	if code != exitOK {
		t.Fatalf("score --store: exit %d\n%s", code, stderr)
	}
	local := filepath.Join(tmp, "local")
	if code, _, stderr := runCLI(t, "run", "--suite", suiteDir, "--model", spec, "--out", local, "--no-cache", "--progress", "never"); code != exitOK {
		t.Fatalf("local run: exit %d\n%s", code, stderr)
	}
	want, err := os.ReadFile(filepath.Join(local, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := viewsOf(t, []byte(summary)), viewsOf(t, want); !reflect.DeepEqual(got, want) || len(got) == 0 {
		t.Errorf("scores differ:\nstore %s\nlocal %s", got[score.ViewAll], want[score.ViewAll])
	}
	// report reads the same runs from the store.
	code, table, stderr := runCLI(t, "report", "--store", url)
	if code != exitOK || !strings.Contains(table, "fake-model") {
		t.Errorf("report --store: exit %d\n%s\n%s", code, table, stderr)
	}
}

func TestEnqueueTwice(t *testing.T) {
	url := pgtest.NewDatabase(t)
	t.Setenv(storeEnv, "")
	t.Setenv("HOME", t.TempDir())
	args := []string{"run", "--store", url, "--enqueue", "--model", "baseline:random?seed=3", "--limit", "10"}
	for i, want := range [][]string{{"20", "0", "0"}, {"0", "20", "0"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != exitOK {
			t.Fatalf("enqueue %d: exit %d\n%s", i+1, code, stderr)
		}
		m := enqueuedRE.FindStringSubmatch(stdout)
		if m == nil || !reflect.DeepEqual(m[1:], want) {
			t.Errorf("enqueue %d: %q; want enqueued, queued, recorded = %v", i+1, stdout, want)
		}
	}
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := scale.Pending(context.Background(), db.Pool()); err != nil || n != 20 {
		t.Errorf("pending jobs: %d, %v; want 20", n, err)
	}
}

func TestStoreUsageErrors(t *testing.T) {
	t.Setenv(storeEnv, "")
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		// Queueing needs a shared store.
		{"ErrEnqueueWithoutStore", []string{"run", "--enqueue", "--limit", "1"}, exitUsage},
		// A worker needs one too.
		{"ErrWorkerWithoutStore", []string{"worker"}, exitUsage},
		// --store takes PostgreSQL URLs only.
		{"ErrNotPostgres", []string{"worker", "--store", "runs/cache.db"}, exitUsage},
		// score --store needs the run.
		{"ErrScoreWithoutRun", []string{"score", "--store", "postgres://nobody@127.0.0.1:1/x"}, exitUsage},
		// The rescue delay must exceed the job timeout.
		{"ErrRescueBeforeTimeout", []string{"worker", "--store", "postgres://nobody@127.0.0.1:1/x", "--job-timeout", "1m", "--rescue-after", "30s"}, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, stderr)
			}
		})
	}
}
