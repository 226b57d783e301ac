package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emohallucer/emohallucer/internal/fakeapi"
)

// BenchmarkRunThroughput measures requests per second of a full builtin run
// against a loopback OpenAI-compatible server with 50 ms latency and no faults,
// without the cache, and reports it as a fraction of the ideal
// concurrency ÷ latency. It is a measurement, not a test:
//
//	go test -run '^$' -bench RunThroughput -benchtime 1x ./cmd/emohallucer
func BenchmarkRunThroughput(b *testing.B) {
	const latency = 50 * time.Millisecond
	for _, conc := range []int{8, 32, 64} {
		for _, viaConfig := range []bool{false, true} {
			b.Run(fmt.Sprintf("concurrency=%d/config=%v", conc, viaConfig), func(b *testing.B) {
				srv := fakeapi.New(fakeapi.Config{Latency: latency, Answer: answerByHash})
				defer srv.Close()
				for i := range b.N {
					tmp := b.TempDir()
					before := srv.Received()
					start := time.Now()
					var stderr string
					var code int
					out := filepath.Join(tmp, fmt.Sprint(i))
					args := []string{"run", "--model", "openai:m@" + srv.OpenAIBaseURL()}
					if viaConfig {
						cfg := filepath.Join(tmp, "models.yaml")
						os.WriteFile(cfg, []byte(fmt.Sprintf("models:\n  - provider: openai\n    model: m\n    base_url: %s\n", srv.OpenAIBaseURL())), 0o644)
						args = []string{"run", "--config", cfg}
					}
					code, _, stderr = runCLIb(b, append(args, "--out", out, "--no-cache", "--concurrency", fmt.Sprint(conc), "--progress", "never")...)
					if code != 0 {
						b.Fatalf("exit %d: %s", code, stderr)
					}
					el := time.Since(start)
					n := srv.Received() - before
					rate := float64(n) / el.Seconds()
					ideal := float64(conc) / latency.Seconds()
					b.ReportMetric(rate, "req/s")
					b.ReportMetric(rate/ideal, "of-ideal")
					info := readRunJSONb(b, out)
					// The latency each question saw, server delay and client included:
					// on a loaded machine timers fire late, and this shows by how much.
					var sum struct {
						Run struct {
							MeanLatencyMS float64 `json:"mean_latency_ms"`
						}
					}
					sb, _ := os.ReadFile(filepath.Join(out, "summary.json"))
					json.Unmarshal(sb, &sum)
					b.ReportMetric(sum.Run.MeanLatencyMS, "ms/question")
					b.Logf("concurrency %d: %d requests in %s = %.1f req/s, %.3f of the ideal %.0f; engine phase %s; mean latency per question %.1f ms; adaptive bound %d after %d backoffs",
						conc, n, el.Round(time.Millisecond), rate, rate/ideal, ideal, info.Finished.Sub(info.Started).Round(time.Millisecond), sum.Run.MeanLatencyMS, info.Requests.Concurrency, info.Requests.Backoffs)
				}
			})
		}
	}
}
