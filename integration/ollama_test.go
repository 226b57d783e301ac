//go:build unix

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/suite"
	"github.com/emohallucer/emohallucer/testservers/ollama/gguf"
)

// OllamaVersion is the Ollama release the fixture is built from.
const OllamaVersion = "0.17.4"

// tinyModel is the name the fixture registers its GGUF under.
const tinyModel = "ehtiny"

// modelfile registers the tiny model. Its template renders every message as
// "<|role|>\ncontent\n", so prompt token counts are the bytes of the rendered
// conversation (the vocabulary is byte-level); temperature 0 and a yes/no
// response format (sent by each request) make the answers deterministic.
const modelfile = `FROM ./tiny.gguf
TEMPLATE """{{- range .Messages }}<|{{ .Role }}|>
{{ .Content }}
{{ end }}<|assistant|>
"""
PARAMETER temperature 0
PARAMETER num_ctx 2048
PARAMETER num_predict 24
`

// yesNoFormat constrains the tiny model's output to the JSON strings "yes" and
// "no" (Ollama turns the schema into a llama.cpp grammar).
const yesNoFormat = `    extra_body:
      response_format:
        type: json_schema
        json_schema:
          name: yesno
          schema: {type: string, enum: ["yes", "no"]}
`

// ollamaFixture is one Ollama server with the tiny model loaded, behind a proxy
// that counts the chat requests reaching it.
type ollamaFixture struct {
	proxy *httptest.Server
	chats atomic.Int64
	srv   *server
}

var (
	ollamaOnce sync.Once
	ollamaFix  *ollamaFixture
	ollamaErr  error
	ollamaBin  string
)

// findOllama returns the prebuilt Ollama binary, or "" with the reason.
func findOllama() (string, string) {
	bin := os.Getenv("EMOHALLUCER_OLLAMA")
	if bin == "" {
		bin = filepath.Join(ciCache(), "ollama-v"+OllamaVersion, "bin", "ollama")
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Sprintf("no Ollama binary at %s (set EMOHALLUCER_OLLAMA to use another)", bin)
	}
	out, _ := exec.Command(bin, "--version").CombinedOutput()
	if !strings.Contains(string(out), OllamaVersion) {
		return "", fmt.Sprintf("%s is not Ollama %s: %q", bin, OllamaVersion, strings.TrimSpace(string(out)))
	}
	return bin, ""
}

// ollama returns the shared fixture, starting it on first use: one server and
// one model load per test binary.
func ollama(t *testing.T) *ollamaFixture {
	t.Helper()
	bin, why := findOllama()
	if bin == "" {
		unavailable(t, "%s", why)
	}
	ollamaOnce.Do(func() {
		ollamaBin = bin
		ollamaFix, ollamaErr = startOllama(bin)
	})
	if ollamaErr != nil {
		t.Fatalf("starting Ollama: %v", ollamaErr)
	}
	return ollamaFix
}

func startOllama(bin string) (*ollamaFixture, error) {
	dir := filepath.Join(tmpRoot, "ollama")
	if err := os.MkdirAll(filepath.Join(dir, "home"), 0o755); err != nil {
		return nil, err
	}
	m, err := gguf.Llama(gguf.LlamaParams{Name: tinyModel, Seed: 1})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "tiny.gguf"), buf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "Modelfile"), []byte(modelfile), 0o644); err != nil {
		return nil, err
	}
	l, err := netListenLoopback()
	if err != nil {
		return nil, err
	}
	host := l.Addr().String()
	l.Close()
	// A private home and model store: nothing of a developer's own Ollama is
	// read or written.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OLLAMA_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"HOME="+filepath.Join(dir, "home"),
		"OLLAMA_HOST="+host,
		"OLLAMA_MODELS="+filepath.Join(dir, "models"),
		"OLLAMA_KEEP_ALIVE=24h", // one model load for the whole test binary
		"OLLAMA_MAX_LOADED_MODELS=1",
		// One sequence at a time: batching several can change float rounding,
		// and the determinism test must compare like with like.
		"OLLAMA_NUM_PARALLEL=1",
		"OLLAMA_CONTEXT_LENGTH=2048",
		"OLLAMA_NOPRUNE=1",
	)
	srv, err := start("ollama", filepath.Join(dir, "serve.log"), dir, env, bin, "serve")
	if err != nil {
		return nil, err
	}
	base := "http://" + host
	if err := waitHTTP(srv, base+"/api/version", 2*time.Minute); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, srv.tail())
	}
	// Register the model with the real CLI and a Modelfile, as a user would.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	create := exec.CommandContext(ctx, bin, "create", tinyModel, "-f", "Modelfile")
	create.Dir, create.Env = dir, env
	if out, err := create.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ollama create: %v\n%s\n%s", err, out, srv.tail())
	}
	// Load it once; later requests find it loaded (keep-alive 24h).
	body := fmt.Sprintf(`{"model":%q,"keep_alive":"24h"}`, tinyModel)
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/generate", strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("loading the model: %v\n%s", err, srv.tail())
	}
	var load struct {
		Done  bool   `json:"done"`
		Error string `json:"error"`
	}
	err = json.NewDecoder(resp.Body).Decode(&load)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !load.Done {
		return nil, fmt.Errorf("loading the model: HTTP %d, %+v, %v\n%s", resp.StatusCode, load, err, srv.tail())
	}

	f := &ollamaFixture{srv: srv}
	target, _ := url.Parse(base)
	rp := httputil.NewSingleHostReverseProxy(target)
	f.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/chat/completions") || r.URL.Path == "/api/chat") {
			f.chats.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	atExit(f.proxy.Close)
	return f, nil
}

// host is the proxy's host:port, what OLLAMA_HOST should say.
func (f *ollamaFixture) host() string { return strings.TrimPrefix(f.proxy.URL, "http://") }

// checkAnswered checks records that every question was answered with a parsed
// answer and a recorded usage consistent with a byte-level tokenizer (the
// prompt costs at least one token per byte of the question).
func checkAnswered(t *testing.T, recs []eh.Record, want int, questions map[string]string) {
	t.Helper()
	if len(recs) != want {
		t.Fatalf("%d records, want %d", len(recs), want)
	}
	for _, r := range recs {
		id := r.Pair + "/" + string(r.Role)
		if r.Status != eh.StatusAnswered {
			t.Errorf("%s: status %s (%s)", id, r.Status, r.Error)
			continue
		}
		if r.Answer != eh.AnswerYes && r.Answer != eh.AnswerNo {
			t.Errorf("%s: answer %q from raw %q; the yes/no format should make every answer parse", id, r.Answer, r.Raw)
		}
		if r.Usage.CompletionTokens < 1 {
			t.Errorf("%s: usage %+v records no completion tokens", id, r.Usage)
		}
		if q, ok := questions[id]; ok && r.Usage.PromptTokens < len(q) {
			t.Errorf("%s: %d prompt tokens for a %d-byte question; a byte-level vocabulary needs at least one per byte", id, r.Usage.PromptTokens, len(q))
		} else if r.Usage.PromptTokens < 1 {
			t.Errorf("%s: usage %+v records no prompt tokens", id, r.Usage)
		}
	}
}

func answersOf(recs []eh.Record) map[string]eh.Answer {
	out := map[string]eh.Answer{}
	for _, r := range recs {
		out[r.Pair+"/"+string(r.Role)] = r.Answer
	}
	return out
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOllamaOpenAIProvider runs the builtin knowledge questions through the
// openai provider against Ollama's /v1: parsed answers, recorded usage, a rerun
// that sends nothing, the response cache, and deterministic answers.
func TestOllamaOpenAIProvider(t *testing.T) {
	f := ollama(t)
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "models.yaml"), fmt.Sprintf(`models:
  - provider: openai
    name: tiny-v1
    model: %s
    base_url: %s/v1
%s`, tinyModel, f.proxy.URL, yesNoFormat))
	cache := filepath.Join(dir, "cache.db")
	const pairs = 6
	args := func(out string, extra ...string) []string {
		return append([]string{"run", "--config", cfg, "--suite", "builtin", "--subset", "knowledge",
			"--limit", fmt.Sprint(pairs), "--temperature", "0", "--max-tokens", "16",
			"--out", out, "--cache", cache, "--progress", "never"}, extra...)
	}
	out1 := filepath.Join(dir, "run1")
	before := f.chats.Load()
	mustRun(t, nil, args(out1)...)
	sent := f.chats.Load() - before
	if sent != 2*pairs {
		t.Errorf("the run sent %d chat requests, want %d (one per question)", sent, 2*pairs)
	}
	recs := readRecords(t, out1)
	checkAnswered(t, recs, 2*pairs, nil)
	sum := readSummary(t, out1)
	var prompt, completion int
	for _, r := range recs {
		prompt += r.Usage.PromptTokens
		completion += r.Usage.CompletionTokens
	}
	if sum.Run.PromptTokens != prompt || sum.Run.CompletionTokens != completion || prompt == 0 {
		t.Errorf("summary usage %d/%d tokens, records %d/%d", sum.Run.PromptTokens, sum.Run.CompletionTokens, prompt, completion)
	}

	t.Run("rerun sends nothing", func(t *testing.T) {
		before := f.chats.Load()
		mustRun(t, nil, args(out1)...)
		if n := f.chats.Load() - before; n != 0 {
			t.Errorf("the rerun sent %d chat requests, want 0", n)
		}
		if n := len(readRecords(t, out1)); n != 2*pairs {
			t.Errorf("%d records after the rerun, want %d", n, 2*pairs)
		}
	})
	t.Run("a new run folder is served from the cache", func(t *testing.T) {
		before := f.chats.Load()
		out := filepath.Join(dir, "run2")
		mustRun(t, nil, args(out)...)
		if n := f.chats.Load() - before; n != 0 {
			t.Errorf("sent %d chat requests, want 0 (all cached)", n)
		}
		if got, want := answersOf(readRecords(t, out)), answersOf(recs); !equalAnswers(got, want) {
			t.Errorf("cached answers %v differ from the first run's %v", got, want)
		}
	})
	t.Run("temperature 0 with a format is deterministic", func(t *testing.T) {
		before := f.chats.Load()
		out := filepath.Join(dir, "run3")
		mustRun(t, nil, args(out, "--no-cache")...)
		if n := f.chats.Load() - before; n != 2*pairs {
			t.Errorf("sent %d chat requests without the cache, want %d", n, 2*pairs)
		}
		if got, want := answersOf(readRecords(t, out)), answersOf(recs); !equalAnswers(got, want) {
			t.Errorf("answers %v differ from the first run's %v", got, want)
		}
	})
}

func equalAnswers(a, b map[string]eh.Answer) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// testPNG is a small grey gradient: a real image that the text-only model
// cannot see.
func testPNG(t *testing.T, path string, shade uint8) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			img.SetGray(x, y, color.Gray{Y: uint8(x*2) + shade})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dropSuite writes a suite of three text pairs followed by three image pairs.
// The image questions are longer than the text ones, so the drop detector has
// text-only requests to compare them with.
func dropSuite(t *testing.T, dir string) (map[string]string, int) {
	t.Helper()
	var pairs []eh.Pair
	questions := map[string]string{}
	add := func(p eh.Pair) {
		if err := p.Validate(); err != nil {
			t.Fatalf("test suite pair %s: %v", p.ID, err)
		}
		pairs = append(pairs, p)
		questions[p.ID+"/"+string(eh.Basic)] = p.Basic.Text
		questions[p.ID+"/"+string(eh.Hallucinated)] = p.Hallucinated.Text
	}
	texts := []struct{ text, yes, no string }{
		{"The parcel arrived two weeks late and the box was crushed.", "Is the writer annoyed?", "Is the writer delighted?"},
		{"Best concert of my life, I am still smiling.", "Is the writer happy?", "Is the writer sad?"},
		{"I keep checking the locks; every sound at night scares me.", "Is the writer afraid?", "Is the writer bored?"},
	}
	for i, x := range texts {
		add(eh.Pair{ID: fmt.Sprintf("text-%d", i), Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text,
			Context: eh.Context{Text: x.text}, Basic: eh.Question{Text: x.yes, Gold: eh.Yes},
			Hallucinated: eh.Question{Text: x.no, Gold: eh.No}, Explanation: "written for this test",
			Corruption: "swap", Source: eh.Source{Dataset: "integration-test", ID: fmt.Sprint(i)}})
	}
	for i := 0; i < 3; i++ {
		rel := fmt.Sprintf("media/img-%d.png", i)
		testPNG(t, filepath.Join(dir, rel), uint8(30*i))
		sum, err := suite.FileSHA256(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		add(eh.Pair{ID: fmt.Sprintf("image-%d", i), Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Image,
			Context:      eh.Context{Media: []eh.Media{{Path: rel, SHA256: sum, Kind: eh.Image}}},
			Basic:        eh.Question{Text: "Does the grey gradient in this picture look calm and neutral rather than excited?", Gold: eh.Yes},
			Hallucinated: eh.Question{Text: "Does the grey gradient in this picture look furious and ready to explode with anger?", Gold: eh.No},
			Explanation:  "written for this test", Corruption: "swap", Source: eh.Source{Dataset: "integration-test", ID: rel}})
	}
	if err := suite.Write(dir, pairs); err != nil {
		t.Fatal(err)
	}
	return questions, len(pairs)
}

// dropWarning matches emohallucer's warning that a model ignores image input.
var dropWarning = regexp.MustCompile(`(?im)^warning:.*\bignor\w*\b.*\bimage`)

// TestOllamaProviderImageDrop runs the ollama provider (OLLAMA_HOST) on text and
// image questions. The tiny model is text-only and Ollama silently ignores the
// images; the config claims the model takes images, so they are sent, and
// emohallucer must warn that the image input was dropped.
func TestOllamaProviderImageDrop(t *testing.T) {
	f := ollama(t)
	dir := t.TempDir()
	suiteDir := filepath.Join(dir, "suite")
	questions, n := dropSuite(t, suiteDir)
	cfg := writeFile(t, filepath.Join(dir, "models.yaml"), fmt.Sprintf(`models:
  - provider: ollama
    name: tiny-ollama
    model: %s
    modalities: [text, image]
%s`, tinyModel, yesNoFormat))
	env := []string{"OLLAMA_HOST=" + f.host()}
	out := filepath.Join(dir, "run")
	args := []string{"run", "--config", cfg, "--suite", suiteDir, "--temperature", "0", "--max-tokens", "16",
		// One at a time, in suite order: the text questions are answered before
		// the image questions the detector compares them with.
		"--concurrency", "1", "--out", out, "--cache", filepath.Join(dir, "cache.db"), "--progress", "never"}
	before := f.chats.Load()
	r := mustRun(t, env, args...)
	if sent := f.chats.Load() - before; sent != int64(2*n) {
		t.Errorf("sent %d chat requests, want %d", sent, 2*n)
	}
	recs := readRecords(t, out)
	checkAnswered(t, recs, 2*n, questions)
	// Ollama keeps only an "[img-0]" tag of each image in a text-only model's
	// prompt (5 tokens in common BPE vocabularies, 7+ in this byte-level one);
	// the images themselves are dropped without an error.
	if !dropWarning.MatchString(r.stderr) {
		t.Errorf("no modality-drop warning about images on stderr:\n%s", r.stderr)
	}

	t.Run("rerun sends nothing", func(t *testing.T) {
		before := f.chats.Load()
		mustRun(t, env, args...)
		if n := f.chats.Load() - before; n != 0 {
			t.Errorf("the rerun sent %d chat requests, want 0", n)
		}
	})
}

// TestOllamaSpec uses the ollama:MODEL spec with OLLAMA_HOST and no config: the
// model is text-only, so image questions are not evaluated and not sent, and
// the text answers (unconstrained, from random weights) are recorded with usage.
func TestOllamaSpec(t *testing.T) {
	f := ollama(t)
	dir := t.TempDir()
	suiteDir := filepath.Join(dir, "suite")
	_, n := dropSuite(t, suiteDir)
	out := filepath.Join(dir, "run")
	before := f.chats.Load()
	mustRun(t, []string{"OLLAMA_HOST=" + f.host()}, "run", "--model", "ollama:"+tinyModel, "--suite", suiteDir,
		"--temperature", "0", "--max-tokens", "8", "--out", out, "--no-cache", "--progress", "never")
	recs := readRecords(t, out)
	if len(recs) != 2*n {
		t.Fatalf("%d records, want %d", len(recs), 2*n)
	}
	var answered int
	for _, r := range recs {
		switch r.Modality {
		case eh.Image:
			if r.Status != eh.StatusNotEvaluated {
				t.Errorf("%s/%s: status %s; a text-only model's image questions are not evaluated", r.Pair, r.Role, r.Status)
			}
		default:
			if r.Status != eh.StatusAnswered || r.Usage.PromptTokens == 0 {
				t.Errorf("%s/%s: status %s, usage %+v (%s)", r.Pair, r.Role, r.Status, r.Usage, r.Error)
			}
			answered++
		}
	}
	if sent := f.chats.Load() - before; sent != int64(answered) {
		t.Errorf("sent %d chat requests for %d text questions", sent, answered)
	}
}
