// Package providertest is the conformance suite every provider package runs
// against the fake API: request basics, error mapping (codes, Retry-After,
// permanence), odd bodies, key redaction and one-request-per-attempt. A provider
// test calls Run with a function that builds its client for a base URL.
package providertest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decoding what providers send
	_ "image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/provider/perr"
	"github.com/emohallucer/emohallucer/provider/prep"
	"github.com/emohallucer/emohallucer/provider/transport"
)

// Key is the API key the suite puts in the environment; it must never show up in
// an error.
const Key = "test-key-0123456789-SECRET"

// Setup describes the provider under test.
type Setup struct {
	// Name is the model name the client reports (and errors start with).
	Name string
	// KeyEnv is the environment variable the provider reads its key from.
	KeyEnv string
	// BaseURL returns the base URL to give the client for a fake server.
	BaseURL func(srv *fakeapi.Server) string
	// New builds the client for a base URL, with the given request timeout (0 for
	// the default). The suite has set KeyEnv to Key.
	New func(t *testing.T, baseURL string, timeout time.Duration) emohallucer.Model
	// Temperature reports whether the provider sends Request.Temperature.
	Temperature bool
}

func (s Setup) client(t *testing.T, srv *fakeapi.Server, timeout time.Duration) emohallucer.Model {
	t.Helper()
	t.Setenv(s.KeyEnv, Key)
	return s.New(t, s.BaseURL(srv), timeout)
}

// MediaFile writes data to a temporary file and returns it as a MediaFile.
func MediaFile(t testing.TB, kind emohallucer.Modality, name, mime string, data []byte) *emohallucer.MediaFile {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return &emohallucer.MediaFile{Kind: kind, MIME: mime, SHA256: hex.EncodeToString(sum[:]), Path: p}
}

func ask(text string) *emohallucer.Request {
	return &emohallucer.Request{Messages: []emohallucer.Message{emohallucer.UserText(text)}, Item: "pair k-9 basic"}
}

// Run runs the whole suite.
func Run(t *testing.T, s Setup) {
	t.Run("Basics", func(t *testing.T) { testBasics(t, s) })
	t.Run("Image", func(t *testing.T) { testImage(t, s) })
	t.Run("Errors", func(t *testing.T) { testErrors(t, s) })
	t.Run("OddBodies", func(t *testing.T) { testOddBodies(t, s) })
	t.Run("KeyNeverInErrors", func(t *testing.T) { testKeyRedacted(t, s) })
	t.Run("EveryAttemptReachesServer", func(t *testing.T) { testAttempts(t, s) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, s) })
}

// testConcurrent calls Generate from many goroutines at once (run it with -race)
// with the same image, which exercises the shared media cache.
func testConcurrent(t *testing.T, s Setup) {
	srv := fakeapi.New(fakeapi.Config{Answer: func(r *fakeapi.Request) string { return "Yes " + r.LastText() }})
	defer srv.Close()
	m := s.client(t, srv, 0)
	img := MediaFile(t, emohallucer.Image, "c.png", "image/png", fakeapi.PNG(300, 1100))
	withImage := m.Capabilities().Accepts(emohallucer.Image)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				q := fmt.Sprintf("q%d-%d", g, i)
				parts := []emohallucer.Part{{Text: q}}
				if withImage {
					parts = append(parts, emohallucer.Part{Media: img})
				}
				resp, err := m.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{{Role: "user", Parts: parts}}})
				if err != nil {
					errs <- err
					return
				}
				if resp.Text != "Yes "+q {
					errs <- fmt.Errorf("answer %q to %q", resp.Text, q)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if srv.Received() != 64 {
		t.Errorf("received %d, want 64", srv.Received())
	}
}

func testBasics(t *testing.T, s Setup) {
	srv := fakeapi.New(fakeapi.Config{Answer: func(r *fakeapi.Request) string { return "No, it is not." }})
	defer srv.Close()
	m := s.client(t, srv, 0)
	if m.Name() != s.Name {
		t.Errorf("Name = %q, want %q", m.Name(), s.Name)
	}
	if id := m.Capabilities().Identity; id == "" || strings.Contains(id, Key) {
		t.Errorf("Identity = %q", id)
	}
	temp := 0.25
	req := &emohallucer.Request{
		System:      "Answer yes or no.",
		Messages:    []emohallucer.Message{emohallucer.UserText("Is joy an emotion?")},
		Temperature: &temp, MaxTokens: 12,
	}
	resp, err := m.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "No, it is not." || resp.FinishReason == "" || resp.Usage.PromptTokens <= 0 || resp.Usage.CompletionTokens <= 0 || resp.LatencyMS < 0 {
		t.Errorf("response = %+v", resp)
	}
	got := srv.Last()
	if got == nil || !strings.HasSuffix(s.Name, ":"+got.Model) && !strings.Contains(s.Name, got.Model) {
		t.Fatalf("request model = %v", got)
	}
	if got.System != "Answer yes or no." || got.LastText() != "Is joy an emotion?" || got.MaxTokens != 12 {
		t.Errorf("request system %q text %q max tokens %d", got.System, got.LastText(), got.MaxTokens)
	}
	if s.Temperature && (got.Temperature == nil || *got.Temperature != temp) {
		t.Errorf("temperature = %v, want %v", got.Temperature, temp)
	}
	if got.Logprobs {
		t.Errorf("log-probabilities asked for although the request did not")
	}
}

func testImage(t *testing.T, s Setup) {
	srv := fakeapi.New(fakeapi.Config{})
	defer srv.Close()
	m := s.client(t, srv, 0)
	if !m.Capabilities().Accepts(emohallucer.Image) {
		t.Skip("model takes no images")
	}
	img := MediaFile(t, emohallucer.Image, "face.png", "image/png", fakeapi.PNG(300, 1200))
	req := &emohallucer.Request{Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{{Media: img}, {Text: "Is the person smiling?"}}}}}
	if _, err := m.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	imgs := srv.Last().Media("image")
	if len(imgs) != 1 {
		t.Fatalf("%d images sent", len(imgs))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(imgs[0].Data))
	if err != nil || cfg.Height != prep.DefaultMaxImageSide || cfg.Width != 256 {
		t.Errorf("image sent as %dx%d (%v), want 256x1024", cfg.Width, cfg.Height, err)
	}
	if imgs[0].MIME != "image/png" {
		t.Errorf("MIME = %q", imgs[0].MIME)
	}
	// A file that is not an image is a permanent error and never reaches the API.
	bad := MediaFile(t, emohallucer.Image, "bad.png", "image/png", []byte("not a png"))
	before := srv.Received()
	_, err = m.Generate(context.Background(), &emohallucer.Request{Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{{Media: bad}}}}})
	if emohallucer.ErrorCode(err) != emohallucer.EINVALID || srv.Received() != before {
		t.Errorf("broken image: err %v, requests %d", err, srv.Received()-before)
	}
}

func testErrors(t *testing.T, s Setup) {
	tests := []struct {
		name       string
		fault      fakeapi.Fault
		retryAfter string
		code       string
		temporary  bool
		wait       time.Duration
		contains   string
	}{
		// Permanent refusals.
		{name: "ErrBadRequest", fault: fakeapi.FaultBadRequest, code: emohallucer.EPROVIDER, contains: "HTTP 400"},
		{name: "ErrUnauthorized", fault: fakeapi.FaultUnauthorized, code: emohallucer.EAUTH, contains: "HTTP 401"},
		{name: "ErrForbidden", fault: fakeapi.FaultForbidden, code: emohallucer.EAUTH, contains: "HTTP 403"},
		// Throttling: Retry-After in seconds, as an HTTP date, or absent.
		{name: "ErrRateLimitSeconds", fault: fakeapi.FaultRateLimit, retryAfter: "2", code: emohallucer.ERATELIMIT, temporary: true, wait: 2 * time.Second, contains: "HTTP 429"},
		{name: "ErrRateLimitDate", fault: fakeapi.FaultRateLimit, retryAfter: time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), code: emohallucer.ERATELIMIT, temporary: true, wait: 59 * time.Minute},
		{name: "ErrRateLimitNoHeader", fault: fakeapi.FaultRateLimit, retryAfter: "-", code: emohallucer.ERATELIMIT, temporary: true},
		// Transient failures are plain errors.
		{name: "ErrServer", fault: fakeapi.FaultServerError, code: emohallucer.EINTERNAL, temporary: true, contains: "HTTP 500"},
		{name: "ErrUnavailable", fault: fakeapi.FaultUnavailable, code: emohallucer.EINTERNAL, temporary: true, contains: "HTTP 503"},
		{name: "ErrMalformed", fault: fakeapi.FaultMalformed, code: emohallucer.EINTERNAL, temporary: true},
		{name: "ErrDropped", fault: fakeapi.FaultDrop, code: emohallucer.EINTERNAL, temporary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeapi.New(fakeapi.Config{Script: []fakeapi.Fault{tt.fault}, RetryAfter: tt.retryAfter})
			defer srv.Close()
			_, err := s.client(t, srv, 0).Generate(context.Background(), ask("q"))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			t.Log(msg)
			if got := emohallucer.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q, want %q", got, tt.code)
			}
			var tmp interface{ Temporary() bool }
			if !errors.As(err, &tmp) || tmp.Temporary() != tt.temporary {
				t.Errorf("Temporary() does not say %v", tt.temporary)
			}
			if perr.IsPermanent(err) == tt.temporary {
				t.Errorf("IsPermanent = %v", perr.IsPermanent(err))
			}
			if w := perr.RetryAfter(err); tt.wait == 0 && w != 0 || tt.wait != 0 && (w < tt.wait || w > tt.wait+2*time.Minute) {
				t.Errorf("RetryAfter = %v, want about %v", w, tt.wait)
			}
			for _, want := range []string{s.Name, "pair k-9 basic", tt.contains} {
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q", want)
				}
			}
			if strings.Contains(msg, Key) || !utf8.ValidString(msg) || len(msg) > 1000 {
				t.Errorf("bad error text")
			}
			if srv.Received() != 1 {
				t.Errorf("server received %d requests, want 1 (SDK retries must be off)", srv.Received())
			}
		})
	}
}

func testOddBodies(t *testing.T, s Setup) {
	t.Run("OKNonUTF8", func(t *testing.T) {
		srv := fakeapi.New(fakeapi.Config{Script: []fakeapi.Fault{fakeapi.FaultNonUTF8}})
		defer srv.Close()
		resp, err := s.client(t, srv, 0).Generate(context.Background(), ask("q"))
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(resp.Text) || !strings.HasPrefix(resp.Text, "Yes") {
			t.Errorf("text = %q", resp.Text)
		}
	})
	t.Run("OKHugeTextBounded", func(t *testing.T) {
		srv := fakeapi.New(fakeapi.Config{Script: []fakeapi.Fault{fakeapi.FaultHuge}, HugeBytes: 1 << 20})
		defer srv.Close()
		resp, err := s.client(t, srv, 0).Generate(context.Background(), ask("q"))
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Text) > prep.MaxResponseText || !strings.HasPrefix(resp.Text, "yes yes") || !utf8.ValidString(resp.Text) {
			t.Errorf("text of %d bytes, want at most %d", len(resp.Text), prep.MaxResponseText)
		}
	})
	t.Run("ErrBodyTooLarge", func(t *testing.T) {
		srv := fakeapi.New(fakeapi.Config{Script: []fakeapi.Fault{fakeapi.FaultHuge}, HugeBytes: transport.DefaultMaxBody + 1024})
		defer srv.Close()
		_, err := s.client(t, srv, 0).Generate(context.Background(), ask("q"))
		if err == nil || perr.IsPermanent(err) || !strings.Contains(err.Error(), "too large") {
			t.Errorf("err = %v, want a transient too-large error", err)
		}
	})
	t.Run("ErrTimeout", func(t *testing.T) {
		srv := fakeapi.New(fakeapi.Config{Script: []fakeapi.Fault{fakeapi.FaultSlow}, SlowDelay: time.Minute})
		defer srv.Close()
		_, err := s.client(t, srv, 50*time.Millisecond).Generate(context.Background(), ask("q"))
		if err == nil || perr.IsPermanent(err) || !strings.Contains(err.Error(), "timeout") {
			t.Errorf("err = %v, want a transient timeout", err)
		}
	})
	t.Run("ErrCanceled", func(t *testing.T) {
		srv := fakeapi.New(fakeapi.Config{})
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := s.client(t, srv, 0).Generate(ctx, ask("q"))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

// testKeyRedacted runs against a server that echoes every request header back in
// its error body, as some proxies do.
func testKeyRedacted(t *testing.T, s Setup) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		for k, vs := range r.Header {
			b.WriteString(k + "=" + strings.Join(vs, ",") + " ")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"message":"bad credentials ` + strings.ReplaceAll(b.String(), `"`, `'`) + `"}}`))
	}))
	defer srv.Close()
	t.Setenv(s.KeyEnv, Key)
	m := s.New(t, s.BaseURL(&fakeapi.Server{Server: srv}), 0)
	_, err := m.Generate(context.Background(), ask("q"))
	if emohallucer.ErrorCode(err) != emohallucer.EAUTH {
		t.Fatalf("code = %q (%v)", emohallucer.ErrorCode(err), err)
	}
	if strings.Contains(err.Error(), Key) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("error text %q", err.Error())
	}
}

// testAttempts checks that the SDK does not retry on its own: every Generate is
// exactly one request, whatever the fault.
func testAttempts(t *testing.T, s Setup) {
	srv := fakeapi.New(fakeapi.Config{Seed: 3, Rates: map[fakeapi.Fault]float64{
		fakeapi.FaultServerError: 0.3, fakeapi.FaultRateLimit: 0.2, fakeapi.FaultDrop: 0.1,
	}})
	defer srv.Close()
	m := s.client(t, srv, 0)
	var failed int64
	const n = 40
	for i := 0; i < n; i++ {
		if _, err := m.Generate(context.Background(), ask(strings.Repeat("q", i+1))); err != nil {
			failed++
		}
	}
	c := srv.Counts()
	if srv.Received() != n {
		t.Errorf("received %d, want %d", srv.Received(), n)
	}
	if got := c[fakeapi.FaultServerError] + c[fakeapi.FaultRateLimit] + c[fakeapi.FaultDrop]; got != failed || failed == 0 || c[fakeapi.FaultNone] != n-failed {
		t.Errorf("faults served %d, errors seen %d, counts %v", got, failed, c)
	}
}
