package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Result is one measured row. Every field that does not apply stays zero.
type Result struct {
	What        string  `json:"what"`
	Tool        string  `json:"tool"`
	Latency     string  `json:"latency,omitempty"`
	Concurrency int     `json:"concurrency,omitempty"`
	Questions   int     `json:"questions"`
	Requests    int64   `json:"requests"`
	MaxInflight int64   `json:"max_inflight,omitempty"`
	Conns       int64   `json:"tcp_conns,omitempty"`
	WallS       float64 `json:"wall_s"`
	WindowS     float64 `json:"window_s,omitempty"`
	// RPS is questions per second over the server's busy window; WallRPS over
	// the child's whole life (start-up, suite load, scoring included).
	RPS      float64 `json:"rps,omitempty"`
	WallRPS  float64 `json:"wall_rps,omitempty"`
	IdealRPS float64 `json:"ideal_rps,omitempty"`
	OfIdeal  float64 `json:"of_ideal,omitempty"`
	CPUS     float64 `json:"cpu_s"`
	CPUPerQ  float64 `json:"cpu_us_per_question,omitempty"`
	// ServerCPUPerQ is the bench process's own CPU (almost all of it the
	// loopback server) per question during the child's run.
	ServerCPUPerQ float64 `json:"server_cpu_us_per_question,omitempty"`
	// ServedMS is the server's mean time from a request's arrival to its reply
	// written: the configured latency plus the server's own lateness.
	ServedMS float64 `json:"served_latency_ms,omitempty"`
	MaxRSSMB float64 `json:"max_rss_mb"`
	Load     string  `json:"load1"`
	Cores    int     `json:"cores"`
	Note     string  `json:"note,omitempty"`
	Time     string  `json:"time"`
	// Binary is the emohallucer binary measured (an -overlay build has its own).
	Binary string `json:"binary,omitempty"`

	serverCPU time.Duration
}

// bench holds what every measurement shares.
type bench struct {
	bin     string // the emohallucer binary
	out     string // scratch folder (bench/out)
	timeout time.Duration
	log     io.Writer
	// jsonl collects every row, appended across invocations (best effort: a
	// failed write loses a row of the record, never a measurement on screen).
	jsonl *os.File
	// runFlags are added to every run command line (and noted in the rows).
	runFlags []string
	// server is the loopback server implementation (Server.Impl).
	server string
	// cacheName is the response cache file of each run: responses.jsonl (the
	// default store) or a NAME.db to measure the SQLite store.
	cacheName string
}

func (b *bench) record(r Result) {
	if len(b.runFlags) > 0 && r.Tool == "emohallucer" && !strings.HasPrefix(r.What, "score") {
		r.Note = strings.TrimPrefix(r.Note+"; run "+strings.Join(b.runFlags, " "), "; ")
	}
	r.Cores = runtime.NumCPU()
	r.Time = time.Now().Format(time.RFC3339)
	if r.Tool == "emohallucer" {
		r.Binary = b.bin
	}
	if b.jsonl != nil {
		line, _ := json.Marshal(r)
		b.jsonl.Write(append(line, '\n'))
	}
	fmt.Fprintln(b.log, r.row())
}

const tableHeader = `| what | tool | latency | conc | questions | wall s | req/s (server window) | ideal req/s | of ideal | CPU s | CPU µs/question | server CPU µs/request | peak RSS MB | load1 | note |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |`

func (r Result) row() string {
	f := func(v float64, prec int) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'f', prec, 64)
	}
	conc := ""
	if r.Concurrency > 0 {
		conc = strconv.Itoa(r.Concurrency)
	}
	ideal := ""
	if r.OfIdeal > 0 {
		ideal = fmt.Sprintf("%.1f %%", 100*r.OfIdeal)
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
		r.What, r.Tool, r.Latency, conc, r.Questions, f(r.WallS, 2), f(r.RPS, 0), f(r.IdealRPS, 0), ideal,
		f(r.CPUS, 2), f(r.CPUPerQ, 0), f(r.ServerCPUPerQ, 0), f(r.MaxRSSMB, 1), r.Load, r.Note)
}

// runHarness runs `emohallucer run` on the suite against srv, the way a user
// would, and returns the child's usage and what the server saw. Callers check
// the records and the request count.
func (b *bench) runHarness(ctx context.Context, srv *Server, suite string, conc int, outDir, cacheHome string) (Usage, Stats, error) {
	// The response cache lives in a folder of this measurement (both by flag and
	// by the home folder the default would use): a throughput run must not be
	// served by an earlier run's cache, and a cached rerun must use its own.
	args := []string{"run", "--suite", suite, "--model", "openai:bench@" + srv.URL(),
		"--concurrency", strconv.Itoa(conc), "--out", outDir, "--cache", filepath.Join(cacheHome, b.cacheName)}
	args = append(args, b.runFlags...)
	env := []string{"HOME=" + cacheHome, "XDG_CACHE_HOME=" + filepath.Join(cacheHome, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(cacheHome, ".local/share"), "OPENAI_API_KEY=bench"}
	u, st, err := b.runAgainst(ctx, srv, env, b.bin, args...)
	if err == nil {
		err = exitErr("emohallucer run", u)
	}
	return u, st, err
}

// runAgainst runs a child against srv and returns its usage and what the
// server saw meanwhile, with this process's CPU over that time (the server's).
// The caller judges the exit code.
func (b *bench) runAgainst(ctx context.Context, srv *Server, env []string, name string, args ...string) (Usage, Stats, error) {
	srv.Reset()
	before := selfCPU()
	u, err := runChild(ctx, b.timeout, env, name, args...)
	st := srv.Stats()
	st.CPU = selfCPU() - before
	return u, st, err
}

// pointResult is the row of one child's run against the server: what it
// did, the rates against the ideal of conc requests in flight at lat's mean,
// and what the server saw.
func pointResult(what, tool string, lat Latency, conc, questions int, u Usage, st Stats, load string) Result {
	r := Result{What: what, Tool: tool, Latency: lat.String(), Concurrency: conc, Questions: questions,
		Requests: st.Requests, MaxInflight: st.MaxInflight, Conns: st.Conns, WallS: u.Wall.Seconds(), WindowS: st.Window.Seconds(),
		IdealRPS: float64(conc) / lat.Mean().Seconds(), CPUS: u.CPU.Seconds(), MaxRSSMB: mb(u.MaxRSS), Load: load, serverCPU: st.CPU,
		ServedMS: float64(st.Served.Microseconds()) / 1000}
	r.fill()
	return r
}

// countRecords counts the answered records in a run folder, so that a
// measurement that finished quickly because questions failed is caught.
func countRecords(dir string) (answered, other int, err error) {
	f, err := os.Open(filepath.Join(dir, "records.jsonl"))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if bytes.Contains(sc.Bytes(), []byte(`"status":"answered"`)) {
			answered++
		} else if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			other++
		}
	}
	return answered, other, sc.Err()
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// throughput measures one (latency, concurrency) point on a fresh run folder.
func (b *bench) throughput(ctx context.Context, lat Latency, conc int, dur time.Duration) error {
	srv := &Server{Latency: lat, Seed: 1, Impl: b.server}
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		return err
	}
	defer srv.Close()
	ideal := float64(conc) / lat.Mean().Seconds()
	// Enough questions to keep the client busy for dur at the ideal rate, and at
	// least a few rounds of the concurrency so that the tail does not dominate.
	q := max(int(ideal*dur.Seconds()), 4*conc, 20)
	pairs := (q + 1) / 2
	dir, err := b.suiteDir(ctx, pairs)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("tp-%s-c%d", lat.A, conc)
	outDir := filepath.Join(b.out, "runs", name)
	home := filepath.Join(b.out, "home", name)
	os.RemoveAll(outDir)
	os.RemoveAll(home)
	load := loadAvg()
	u, st, err := b.runHarness(ctx, srv, dir, conc, outDir, home)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	answered, other, err := countRecords(outDir)
	if err != nil {
		return err
	}
	r := pointResult("throughput", "emohallucer", lat, conc, 2*pairs, u, st, load)
	r.Note = fmt.Sprintf("max in flight %d; %d TCP conns; wall %.0f req/s; server's mean latency as served %.2f ms", st.MaxInflight, st.Conns, r.WallRPS, r.ServedMS)
	if answered != 2*pairs || other > 0 || st.Requests != int64(2*pairs) {
		r.Note += fmt.Sprintf("; CHECK: %d answered, %d other records, %d requests", answered, other, st.Requests)
	}
	b.record(r)
	return b.bareClient(ctx, srv, lat, conc, 2*pairs)
}

// bareClient runs the same number of requests at the same concurrency with the
// bare client (bareclient.go) as a child process: the ceiling of the point.
func (b *bench) bareClient(ctx context.Context, srv *Server, lat Latency, conc, n int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	load := loadAvg()
	u, st, err := b.runAgainst(ctx, srv, nil, self, "bare-client", "-url", srv.URL(), "-c", strconv.Itoa(conc), "-n", strconv.Itoa(n))
	if err == nil {
		err = exitErr("bare-client", u)
	}
	if err != nil {
		return fmt.Errorf("bare client at %s c=%d: %w", lat, conc, err)
	}
	r := pointResult("throughput", "bare HTTP client", lat, conc, n, u, st, load)
	r.Note = fmt.Sprintf("ceiling: requests only, same HTTP stack; max in flight %d; %d TCP conns; server's mean latency as served %.2f ms", st.MaxInflight, st.Conns, r.ServedMS)
	if st.Requests != int64(n) {
		r.Note += fmt.Sprintf("; CHECK: %d requests", st.Requests)
	}
	b.record(r)
	return nil
}

// fill derives rates from the raw numbers.
func (r *Result) fill() {
	if r.WindowS > 0 {
		r.RPS = float64(r.Questions) / r.WindowS
	}
	if r.WallS > 0 {
		r.WallRPS = float64(r.Questions) / r.WallS
	}
	if r.IdealRPS > 0 {
		r.OfIdeal = r.RPS / r.IdealRPS
	}
	if r.Questions > 0 {
		r.CPUPerQ = r.CPUS * 1e6 / float64(r.Questions)
	}
	if r.Requests > 0 && r.serverCPU > 0 {
		r.ServerCPUPerQ = r.serverCPU.Seconds() * 1e6 / float64(r.Requests)
	}
}

// scale measures a fresh run of q questions, then a rerun of the same command
// (every question already recorded: resume does nothing), then the same run into
// a new folder with the first run's response cache (every call a cache hit).
func (b *bench) scale(ctx context.Context, lat Latency, conc, q int, reruns bool) error {
	srv := &Server{Latency: lat, Seed: 1, Impl: b.server}
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		return err
	}
	defer srv.Close()
	pairs := q / 2
	dir, err := b.suiteDir(ctx, pairs)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("scale-%d", q)
	outDir := filepath.Join(b.out, "runs", name)
	home := filepath.Join(b.out, "home", name)
	os.RemoveAll(outDir)
	os.RemoveAll(home)
	load := loadAvg()
	u, st, err := b.runHarness(ctx, srv, dir, conc, outDir, home)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	answered, other, err := countRecords(outDir)
	if err != nil {
		return err
	}
	r := pointResult(fmt.Sprintf("fresh run, %dk questions", q/1000), "emohallucer", lat, conc, q, u, st, load)
	r.Note = fmt.Sprintf("max in flight %d; %d TCP conns; %.0f req/s; server's mean latency as served %.2f ms", st.MaxInflight, st.Conns, r.RPS, r.ServedMS)
	if answered != q || other > 0 || st.Requests != int64(q) {
		r.Note += fmt.Sprintf("; CHECK: %d answered, %d other records, %d requests", answered, other, st.Requests)
	}
	b.record(r)
	if !reruns {
		return nil
	}

	load = loadAvg()
	u, st, err = b.runHarness(ctx, srv, dir, conc, outDir, home)
	if err != nil {
		return fmt.Errorf("%s rerun: %w", name, err)
	}
	r = Result{What: fmt.Sprintf("rerun, same folder, %dk questions", q/1000), Tool: "emohallucer", Concurrency: conc, Questions: q,
		Requests: st.Requests, WallS: u.Wall.Seconds(), CPUS: u.CPU.Seconds(), MaxRSSMB: mb(u.MaxRSS), Load: load,
		Note: fmt.Sprintf("%d requests reached the server", st.Requests)}
	r.fill()
	b.record(r)

	cachedOut := filepath.Join(b.out, "runs", name+"-cached")
	os.RemoveAll(cachedOut)
	load = loadAvg()
	u, st, err = b.runHarness(ctx, srv, dir, conc, cachedOut, home)
	if err != nil {
		return fmt.Errorf("%s cached rerun: %w", name, err)
	}
	answered, other, err = countRecords(cachedOut)
	if err != nil {
		return err
	}
	r = Result{What: fmt.Sprintf("rerun, new folder, warm cache, %dk questions", q/1000), Tool: "emohallucer", Concurrency: conc, Questions: q,
		Requests: st.Requests, WallS: u.Wall.Seconds(), CPUS: u.CPU.Seconds(), MaxRSSMB: mb(u.MaxRSS), Load: load,
		Note: fmt.Sprintf("%d requests reached the server; %d answered records", st.Requests, answered)}
	if answered != q || other > 0 {
		r.Note += fmt.Sprintf("; CHECK: %d other records", other)
	}
	r.fill()
	b.record(r)
	return nil
}

// scoreRecords times `emohallucer score` over n records, as a file and as a run
// folder.
func (b *bench) scoreRecords(ctx context.Context, n int) error {
	dir := filepath.Join(b.out, "records", fmt.Sprintf("r%d", n))
	path := filepath.Join(dir, "records.jsonl")
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(b.log, "writing %d records to %s …\n", n, path)
		if err := b.generate(ctx, "gen-records", "-records", strconv.Itoa(n), "-path", path); err != nil {
			return err
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	for _, form := range []struct{ what, arg string }{{"score, records file", path}, {"score, run folder", dir}} {
		load := loadAvg()
		u, err := runChild(ctx, b.timeout, nil, b.bin, "score", form.arg)
		if err == nil {
			err = exitErr("emohallucer score "+form.arg, u)
		}
		if err != nil {
			return err
		}
		r := Result{What: fmt.Sprintf("%s, %dk records", form.what, n/1000), Tool: "emohallucer", Questions: n,
			WallS: u.Wall.Seconds(), CPUS: u.CPU.Seconds(), MaxRSSMB: mb(u.MaxRSS), Load: load,
			Note: fmt.Sprintf("%.0f MB of JSONL", mb(st.Size()))}
		r.fill()
		b.record(r)
	}
	return nil
}

// buildBinary builds the emohallucer command into out, the way a user would.
func buildBinary(ctx context.Context, repo, out, overlay string) (string, error) {
	bin := filepath.Join(out, "emohallucer")
	args := []string{"build", "-o", bin}
	if overlay != "" {
		abs, err := filepath.Abs(overlay)
		if err != nil {
			return "", err
		}
		bin += "-overlay"
		args = []string{"build", "-overlay", abs, "-o", bin}
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./cmd/emohallucer")...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/emohallucer: %w\n%s", err, stderr.String())
	}
	return bin, nil
}

// repoRoot finds the module root from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("bench: run from inside the emohallucer repository (no go.mod found)")
		}
	}
}
