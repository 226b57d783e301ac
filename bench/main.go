// Command bench measures emohallucer as a user runs it: the real binary, as a
// child process, against a loopback OpenAI-compatible server whose latency
// follows a chosen distribution, on synthetic suites of any size. It reports
// throughput against the ideal (concurrency ÷ mean latency), the harness's CPU
// time per question and peak RSS (from the kernel's rusage of the child), the
// time of reruns, the time to score a million records, and the same run driven
// by promptfoo. It is a program, not a test: `go test ./...` never runs it.
//
//	go run ./bench                          # throughput, scale, reruns, score
//	go run ./bench throughput               # one group
//	bash bench/promptfoo/run.sh             # install promptfoo, compare
//	go run ./bench serve -latency 20ms      # the server alone
//	go run ./bench gen-suite -pairs 1000 -dir /tmp/s
//	go run ./bench gen-records -records 1000000 -path /tmp/r.jsonl
//	go run ./bench promptfoo-config -suite /tmp/s -url http://127.0.0.1:8080/v1 -o pf.yaml
//
// The loopback server runs inside this process, the harness in a child, so the
// child's CPU and RSS numbers are the harness's alone; the server still takes
// CPU from the same cores, as a real local model server (vLLM, Ollama) would.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return serveCmd(ctx, args[1:])
		case "gen-suite":
			return genSuiteCmd(args[1:])
		case "gen-records":
			return genRecordsCmd(args[1:])
		case "promptfoo-config":
			return pfConfigCmd(args[1:])
		case "bare-client":
			return bareClientCmd(ctx, args[1:])
		}
	}
	return measureCmd(ctx, args)
}

func measureCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: go run ./bench [flags] [throughput] [scale] [score] [promptfoo]

With no group, runs throughput, scale (with reruns) and score. promptfoo runs
only when named and needs -promptfoo-dir (see bench/promptfoo/run.sh).

Flags:
`)
		fs.PrintDefaults()
	}
	var (
		out       = fs.String("out", "", "scratch folder for suites, runs and results (default <repo>/bench/out)")
		bin       = fs.String("bin", "", "emohallucer binary to measure (default: go build ./cmd/emohallucer into -out)")
		lats      = fs.String("latency", "20ms,200ms", "server latencies of the throughput group (fixed:D, uniform:A-B, exp:D, lognormal:MEDIAN:SIGMA)")
		concs     = fs.String("concurrency", "1,8,64,256", "concurrencies of the throughput group")
		dur       = fs.Duration("duration", 5*time.Second, "how long each throughput point should keep the server busy at the ideal rate")
		sizes     = fs.String("sizes", "10000,100000", "question counts of the scale group; reruns are timed at the largest")
		scaleLat  = fs.String("scale-latency", "20ms", "server latency of the scale group")
		scaleConc = fs.Int("scale-concurrency", 256, "concurrency of the scale group")
		records   = fs.Int("records", 1_000_000, "records scored by the score group")
		pfDir     = fs.String("promptfoo-dir", "", "folder where bench/promptfoo/run.sh installed promptfoo")
		pfQ       = fs.Int("promptfoo-questions", 4000, "questions of each promptfoo comparison")
		pfPts     = fs.String("promptfoo-points", "20ms/8,20ms/64,20ms/256,200ms/256", "LATENCY/CONCURRENCY points of the promptfoo comparison")
		timeout   = fs.Duration("timeout", 10*time.Minute, "kill a child still running after this long")
		overlay   = fs.String("overlay", "", "go build -overlay file: measure the binary with files replaced (proposed fixes) without touching the tree")
		server    = fs.String("server", "raw", "loopback server implementation: raw (HTTP/1.1 on TCP, cheap) or nethttp (net/http, to compare)")
		cacheName = fs.String("cache-name", "responses.jsonl", "response cache file of each run (cache.db measures the SQLite store)")
		runFlags  = fs.String("run-flags", "", "extra flags for every emohallucer run, space-separated (e.g. \"--no-cache --no-adaptive\")")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	groups := fs.Args()
	if len(groups) == 0 {
		groups = []string{"throughput", "scale", "score"}
	}
	repo, err := repoRoot()
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(repo, "bench", "out")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "building ./cmd/emohallucer …")
		if *bin, err = buildBinary(ctx, repo, *out, *overlay); err != nil {
			return err
		}
	}
	jl, err := os.OpenFile(filepath.Join(*out, "results.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer jl.Close()
	b := &bench{bin: *bin, out: *out, timeout: *timeout, log: os.Stdout, jsonl: jl, runFlags: strings.Fields(*runFlags), server: *server, cacheName: *cacheName}
	fmt.Printf("machine: %d cores (GOMAXPROCS of the child: default), %s/%s, load %s at start; results appended to %s\n\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, loadAvg(), jl.Name())
	fmt.Println(tableHeader)

	for _, g := range groups {
		switch g {
		case "throughput":
			cs, err := ints(*concs)
			if err != nil {
				return err
			}
			for _, l := range strings.Split(*lats, ",") {
				lat, err := ParseLatency(strings.TrimSpace(l))
				if err != nil {
					return err
				}
				for _, c := range cs {
					if err := b.throughput(ctx, lat, c, *dur); err != nil {
						return err
					}
				}
			}
		case "scale":
			ns, err := ints(*sizes)
			if err != nil {
				return err
			}
			lat, err := ParseLatency(*scaleLat)
			if err != nil {
				return err
			}
			for i, n := range ns {
				if err := b.scale(ctx, lat, *scaleConc, n, i == len(ns)-1); err != nil {
					return err
				}
			}
		case "score":
			if err := b.scoreRecords(ctx, *records); err != nil {
				return err
			}
		case "promptfoo":
			if *pfDir == "" {
				return fmt.Errorf("promptfoo: give -promptfoo-dir (bench/promptfoo/run.sh installs it and passes it)")
			}
			pts, err := parsePoints(*pfPts)
			if err != nil {
				return err
			}
			if err := b.promptfoo(ctx, *pfDir, *pfQ, pts); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown group %q (throughput, scale, score, promptfoo)", g)
		}
	}
	return nil
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: want a comma-separated list of positive integers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func serveCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "loopback address to listen on")
	lat := fs.String("latency", "20ms", "latency distribution (fixed:D, uniform:A-B, exp:D, lognormal:MEDIAN:SIGMA)")
	impl := fs.String("server", "raw", "implementation: raw (HTTP/1.1 on TCP, cheap) or nethttp (net/http, to compare)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	l, err := ParseLatency(*lat)
	if err != nil {
		return err
	}
	srv := &Server{Latency: l, Seed: 1, Impl: *impl}
	if err := srv.Start(ctx, *addr); err != nil {
		return err
	}
	fmt.Printf("serving %s (latency %s, mean %s, %s server, pid %d); Ctrl-C stops\n", srv.URL(), l, l.Mean(), *impl, os.Getpid())
	<-ctx.Done()
	st := srv.Stats()
	fmt.Printf("served %d requests (%d bad), at most %d in flight\n", st.Requests, st.Bad, st.MaxInflight)
	return nil
}

func genSuiteCmd(args []string) error {
	fs := flag.NewFlagSet("gen-suite", flag.ContinueOnError)
	pairs := fs.Int("pairs", 1000, "pairs to write (2 questions each)")
	dir := fs.String("dir", "", "suite folder to write")
	seed := fs.Uint64("seed", 1, "generator seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *pairs < 1 {
		return fmt.Errorf("gen-suite: give -dir and a positive -pairs")
	}
	return WriteSuite(*dir, *pairs, *seed)
}

func genRecordsCmd(args []string) error {
	fs := flag.NewFlagSet("gen-records", flag.ContinueOnError)
	n := fs.Int("records", 1_000_000, "records to write (2 per pair)")
	path := fs.String("path", "", "records.jsonl to write")
	seed := fs.Uint64("seed", 1, "generator seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" || *n < 2 {
		return fmt.Errorf("gen-records: give -path and -records ≥ 2")
	}
	return WriteRecords(*path, *n/2, *seed)
}

func pfConfigCmd(args []string) error {
	fs := flag.NewFlagSet("promptfoo-config", flag.ContinueOnError)
	dir := fs.String("suite", "", "suite folder")
	url := fs.String("url", "", "base URL of the OpenAI-compatible server (http://127.0.0.1:PORT/v1)")
	out := fs.String("o", "promptfooconfig.yaml", "config file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *url == "" {
		return fmt.Errorf("promptfoo-config: give -suite and -url")
	}
	n, err := WritePromptfooConfig(*out, *dir, *url)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d tests\n", *out, n)
	return nil
}
