package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/rundir"
)

// answerByHash answers yes or no depending on the question, so that scores are
// not trivial and the same question always gets the same answer.
func answerByHash(r *fakeapi.Request) string {
	h := fnv.New32a()
	h.Write([]byte(r.LastText()))
	if h.Sum32()%3 == 0 {
		return "No."
	}
	return "Yes, it is."
}

// runCLI runs the command line in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLIb(t, args...)
}

func runCLIb(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// readRunJSON reads dir/run.json.
func readRunJSON(t *testing.T, dir string) rundir.Info {
	t.Helper()
	return readRunJSONb(t, dir)
}

func readRunJSONb(t testing.TB, dir string) rundir.Info {
	t.Helper()
	info, err := rundir.ReadInfo(dir)
	if err != nil || info == nil {
		t.Fatalf("run.json of %s: %v", dir, err)
	}
	return *info
}

// recordsByKey reads every record of a run folder, grouped by question.
func recordsByKey(t *testing.T, dir string) map[string][]*eh.Record {
	t.Helper()
	out := map[string][]*eh.Record{}
	err := record.ReadPaths([]string{dir}, nil, func(r *eh.Record) error {
		out[r.Key()] = append(out[r.Key()], r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkAllAnswered asserts that each of want questions has exactly one
// answered record and no other record.
func checkAllAnswered(t *testing.T, dir string, want int) {
	t.Helper()
	recs := recordsByKey(t, dir)
	if len(recs) != want {
		t.Fatalf("%d questions recorded, want %d", len(recs), want)
	}
	for k, rs := range recs {
		if len(rs) != 1 || rs[0].Status != eh.StatusAnswered {
			var st []string
			for _, r := range rs {
				st = append(st, string(r.Status)+" "+r.Error)
			}
			t.Fatalf("question %s: records %v, want exactly one answered", k, st)
		}
	}
}

// TestRunFaultsNothingLost is the acceptance test of issue 5: against a server
// with 50 ms latency that answers 10 % of requests with 429 (Retry-After: 1) and
// 5 % with 500, a full builtin run at concurrency 32 answers every question,
// accounts for every attempt, and a rerun sends no request and reproduces the
// summary.
func TestRunFaultsNothingLost(t *testing.T) {
	if testing.Short() {
		t.Skip("full builtin run")
	}
	srv := fakeapi.New(fakeapi.Config{
		Seed: 5, Latency: 50 * time.Millisecond, Answer: answerByHash, RetryAfter: "1",
		Rates: map[fakeapi.Fault]float64{fakeapi.FaultRateLimit: 0.10, fakeapi.FaultServerError: 0.05},
	})
	defer srv.Close()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "run")
	args := []string{"run", "--model", "openai:m@" + srv.OpenAIBaseURL(), "--out", dir,
		"--cache", filepath.Join(tmp, "responses.jsonl"), "--concurrency", "32", "--progress", "never"}

	code, _, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	info := readRunJSON(t, dir)
	checkAllAnswered(t, dir, info.Questions)

	// Every request the server saw is an attempt the run counted, and every
	// failed attempt was retried.
	counts := srv.Counts()
	if info.Requests.Attempts != srv.Received() {
		t.Errorf("run counted %d attempts, the server received %d", info.Requests.Attempts, srv.Received())
	}
	if faults := counts[fakeapi.FaultRateLimit] + counts[fakeapi.FaultServerError]; info.Requests.Retries != faults {
		t.Errorf("run retried %d times, the server injected %d faults", info.Requests.Retries, faults)
	}
	if info.Requests.RateLimited != counts[fakeapi.FaultRateLimit] {
		t.Errorf("run saw %d 429s, the server sent %d", info.Requests.RateLimited, counts[fakeapi.FaultRateLimit])
	}
	if counts[fakeapi.FaultNone] != int64(info.Questions) {
		t.Errorf("server answered %d requests, want one per question (%d)", counts[fakeapi.FaultNone], info.Questions)
	}
	if counts[fakeapi.FaultRateLimit] == 0 || counts[fakeapi.FaultServerError] == 0 {
		t.Fatalf("no faults injected (%v): the test proves nothing", counts)
	}
	t.Logf("server: %v; run: %+v", counts, info.Requests)
	summary, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}

	// The same command again sends nothing and reproduces the summary.
	before := srv.Received()
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	if n := srv.Received() - before; n != 0 {
		t.Fatalf("rerun sent %d requests, want 0", n)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if !bytes.Equal(summary, again) {
		t.Fatal("rerun changed summary.json")
	}

	// Even with the records gone, the response cache answers everything.
	fresh := filepath.Join(tmp, "fresh")
	args[4] = fresh
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("run from cache: exit %d: %s", code, stderr)
	}
	if n := srv.Received() - before; n != 0 {
		t.Fatalf("run into a new folder sent %d requests; the cache should have answered", n)
	}
	if got := readRunJSON(t, fresh).Requests.CacheHits; got != int64(info.Questions) {
		t.Fatalf("%d cache hits, want %d", got, info.Questions)
	}
	// Its scores are the same; only the run's own figures (cached calls,
	// latency, start time) differ.
	fromCache, _ := os.ReadFile(filepath.Join(fresh, "summary.json"))
	if a, b := views(t, summary), views(t, fromCache); a != b {
		t.Fatal("a run answered from the cache scores differently")
	}
}

// TestRunFaultKinds injects each kind of transient fault into the first
// requests of a small run and checks that every question is answered and every
// attempt counted; permanent refusals are not retried.
func TestRunFaultKinds(t *testing.T) {
	const pairs = 6
	tests := []struct {
		name   string
		script []fakeapi.Fault
		// code is the exit code; 0 means every question must be answered.
		code int
		// attempts, when not 0, is how many requests the server must see.
		attempts int64
		// retries is -1 when the faults are answers that need no retry.
		retries int
		// timeout is --timeout: short where a slow reply must time out,
		// generous elsewhere so that a loaded machine causes no retry.
		timeout string
	}{
		// Transient faults: retried until answered (retries: one per fault).
		{name: "RateLimit", script: repeat(fakeapi.FaultRateLimit, 4)},
		{name: "ServerError", script: repeat(fakeapi.FaultServerError, 4)},
		{name: "Unavailable", script: repeat(fakeapi.FaultUnavailable, 4)},
		{name: "Slow", script: repeat(fakeapi.FaultSlow, 3), timeout: "300ms"},
		{name: "DroppedConnection", script: repeat(fakeapi.FaultDrop, 4)},
		{name: "MalformedJSON", script: repeat(fakeapi.FaultMalformed, 4)},
		// Usable if odd replies: answered at once, never retried.
		{name: "HugeBody", script: repeat(fakeapi.FaultHuge, 2), retries: -1},
		{name: "NonUTF8", script: repeat(fakeapi.FaultNonUTF8, 2), retries: -1},
		{name: "Mixed", script: []fakeapi.Fault{fakeapi.FaultRateLimit, fakeapi.FaultDrop, fakeapi.FaultMalformed, fakeapi.FaultServerError, fakeapi.FaultSlow}, timeout: "300ms"},
		// Permanent: a 400 fails its question without a retry.
		{name: "ErrBadRequest", script: repeat(fakeapi.FaultBadRequest, 2*pairs), code: exitIncomplete, attempts: 2 * pairs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeapi.New(fakeapi.Config{Answer: answerByHash, Script: tt.script, SlowDelay: 5 * time.Second, HugeBytes: 2 << 20, RetryAfter: "0.01"})
			defer srv.Close()
			tmp := t.TempDir()
			dir := filepath.Join(tmp, "run")
			timeout := tt.timeout
			if timeout == "" {
				timeout = "30s"
			}
			code, _, stderr := runCLI(t, "run", "--model", "openai:m@"+srv.OpenAIBaseURL(), "--out", dir,
				"--cache", filepath.Join(tmp, "c.db"), "--limit", fmt.Sprint(pairs), "--concurrency", "4",
				"--timeout", timeout, "--progress", "never")
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr)
			}
			info := readRunJSON(t, dir)
			if info.Requests.Attempts != srv.Received() {
				t.Errorf("run counted %d attempts, the server received %d (%v)", info.Requests.Attempts, srv.Received(), srv.Counts())
			}
			if tt.attempts != 0 && srv.Received() != tt.attempts {
				t.Errorf("server received %d requests, want %d", srv.Received(), tt.attempts)
			}
			if tt.code == 0 {
				checkAllAnswered(t, dir, 2*pairs)
				want := int64(len(tt.script))
				if tt.retries < 0 {
					want = 0
				}
				if got := info.Requests.Retries; got != want {
					t.Errorf("%d retries, want %d", got, want)
				}
			}
			if tt.name == "HugeBody" || tt.name == "NonUTF8" {
				// The records hold valid, bounded text.
				for k, rs := range recordsByKey(t, dir) {
					if raw := rs[0].Raw; len(raw) > 20<<10 || !utf8.ValidString(raw) || raw == "" {
						t.Fatalf("%s: record text of %d bytes, valid UTF-8 %v: %.80q", k, len(raw), utf8.ValidString(raw), raw)
					}
				}
			}
		})
	}
}

// views returns the scores part of a summary.json, re-encoded.
func views(t *testing.T, summary []byte) string {
	t.Helper()
	var v struct{ Views json.RawMessage }
	if err := json.Unmarshal(summary, &v); err != nil || len(v.Views) < 100 {
		t.Fatalf("summary without views: %v", err)
	}
	return string(v.Views)
}

func repeat(f fakeapi.Fault, n int) []fakeapi.Fault {
	out := make([]fakeapi.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// TestRunAuthErrorStops checks that rejected credentials stop a model's run at
// once, with a clear message and the incomplete exit code, after no more
// requests than were already in flight.
func TestRunAuthErrorStops(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{APIKey: "right-key", Latency: 10 * time.Millisecond})
	defer srv.Close()
	t.Setenv("WRONG_KEY_ENV", "wrong-key")
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "models.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`models:
  - provider: openai
    model: m
    base_url: %s
    api_key_env: WRONG_KEY_ENV
    concurrency: 4
`, srv.OpenAIBaseURL())), 0o644)
	code, _, stderr := runCLI(t, "run", "--config", cfg, "--out", filepath.Join(tmp, "run"),
		"--cache", filepath.Join(tmp, "c.db"), "--progress", "never")
	if code != exitIncomplete {
		t.Fatalf("exit %d, want %d: %s", code, exitIncomplete, stderr)
	}
	if !strings.Contains(stderr, "credentials rejected") {
		t.Fatalf("no clear message: %s", stderr)
	}
	if n := srv.Received(); n > 4 {
		t.Fatalf("server received %d requests after a 401; want at most the 4 in flight", n)
	}
	if strings.Contains(stderr, "wrong-key") {
		t.Fatal("the API key appears in the output")
	}
	b, _ := os.ReadFile(filepath.Join(tmp, "run", "run.json"))
	if strings.Contains(string(b), "wrong-key") {
		t.Fatal("the API key appears in run.json")
	}
}

// TestRunMaxCost checks that --max-cost stops scheduling once reached, and that
// the cost is accounted in run.json and the summary's records.
func TestRunMaxCost(t *testing.T) {
	srv := fakeapi.New(fakeapi.Config{Latency: 5 * time.Millisecond})
	defer srv.Close()
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "models.yaml")
	// Prices are absurd so that a few questions reach the limit.
	os.WriteFile(cfg, []byte(fmt.Sprintf(`models:
  - spec: openai:m@%s
    concurrency: 2
    price: {input: 100000, output: 100000}
    max_cost: 10
`, srv.OpenAIBaseURL())), 0o644)
	dir := filepath.Join(tmp, "run")
	code, _, stderr := runCLI(t, "run", "--config", cfg, "--out", dir, "--cache", filepath.Join(tmp, "c.db"), "--progress", "never", "--limit", "50")
	if code != exitIncomplete || !strings.Contains(stderr, "cost limit") {
		t.Fatalf("exit %d, want %d with a cost-limit message: %s", code, exitIncomplete, stderr)
	}
	info := readRunJSON(t, dir)
	if info.Result.CostUSD < 10 || info.Result.Unstarted == 0 {
		t.Fatalf("result %+v: want cost ≥ 10 and questions left unstarted", info.Result)
	}
	// Overshoot is bounded by the questions in flight (2), each well under $10.
	if info.Result.Answered > 40 {
		t.Fatalf("%d answered: the limit did not stop scheduling", info.Result.Answered)
	}
	var total float64
	for _, rs := range recordsByKey(t, dir) {
		total += rs[0].CostUSD
	}
	if d := total - info.Result.CostUSD; d > 1e-9 || d < -1e-9 {
		t.Fatalf("records cost %.6f, run.json %.6f", total, info.Result.CostUSD)
	}
}
