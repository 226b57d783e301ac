package prep

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/internal/strictyaml"
)

func TestScaleImage(t *testing.T) {
	var jpg bytes.Buffer
	src := image.NewRGBA(image.Rect(0, 0, 3000, 2000))
	for i := range src.Pix {
		src.Pix[i] = uint8(i)
	}
	src.Set(0, 0, color.White)
	jpeg.Encode(&jpg, src, nil)
	tests := []struct {
		name      string
		raw       []byte
		max       int
		w, h      int
		mime      string
		unchanged bool
	}{
		// Small JPEG and PNG pass through byte for byte.
		{"SmallPNG", fakeapi.PNG(100, 50), 1024, 100, 50, "image/png", true},
		// Large ones are downscaled, keeping the aspect ratio and the format family.
		{"WidePNG", fakeapi.PNG(2000, 500), 1024, 1024, 256, "image/png", false},
		{"LargeJPEG", jpg.Bytes(), 512, 512, 341, "image/jpeg", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ScaleImage(tt.raw, tt.max)
			if err != nil {
				t.Fatal(err)
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(b.Data))
			if err != nil || cfg.Width != tt.w || cfg.Height != tt.h || b.MIME != tt.mime {
				t.Errorf("got %dx%d %s (%v)", cfg.Width, cfg.Height, b.MIME, err)
			}
			if bytes.Equal(b.Data, tt.raw) != tt.unchanged {
				t.Errorf("unchanged = %v, want %v", !tt.unchanged, tt.unchanged)
			}
			if !strings.HasPrefix(b.DataURI(), "data:"+tt.mime+";base64,") {
				t.Errorf("data URI prefix %q", b.DataURI()[:30])
			}
		})
	}
	if _, err := ScaleImage([]byte("GIF89a but not really"), 100); err == nil {
		t.Error("ErrNotImage: no error")
	}
}

func TestYesProb(t *testing.T) {
	lp := math.Log
	tests := []struct {
		name   string
		tokens []TokenPos
		want   float64 // -1: nil
	}{
		{"SimpleYes", []TokenPos{{Token: "Yes", Top: []TokenAlt{{"Yes", lp(0.6)}, {"No", lp(0.2)}}}}, 0.75},
		// Spellings of one word add up, case and spaces ignored.
		{"Spellings", []TokenPos{{Token: " no", Top: []TokenAlt{{" no", lp(0.4)}, {"No", lp(0.2)}, {"YES", lp(0.2)}}}}, 0.25},
		// Leading markup is skipped.
		{"AfterMarkup", []TokenPos{{Token: "**", Top: []TokenAlt{{"**", lp(0.9)}}}, {Token: "Yes", Top: []TokenAlt{{"Yes", lp(0.5)}, {"No", lp(0.5)}}}}, 0.5},
		{"OnlyYesListed", []TokenPos{{Token: "Yes", Top: []TokenAlt{{"Yes", lp(0.99)}, {"Sure", lp(0.01)}}}}, 1},
		{"NoAnswerWord", []TokenPos{{Token: "Maybe", Top: []TokenAlt{{"Maybe", 0}}}}, -1},
		{"Empty", nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := YesProb(tt.tokens)
			if tt.want < 0 {
				if got != nil {
					t.Errorf("got %v, want nil", *got)
				}
				return
			}
			if got == nil || math.Abs(*got-tt.want) > 1e-9 {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBoundText(t *testing.T) {
	if got := BoundText("fine\ttext\n"); got != "fine\ttext\n" {
		t.Errorf("changed valid text: %q", got)
	}
	got := BoundText("ok \xff " + strings.Repeat("ü", MaxResponseText))
	if !utf8.ValidString(got) || len(got) > MaxResponseText || !strings.HasPrefix(got, "ok \uFFFD ") {
		t.Errorf("bounded text of %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}

func TestSplitSpec(t *testing.T) {
	tests := []struct{ spec, p, m, u string }{
		{"openai:gpt-4o", "openai", "gpt-4o", ""},
		{"ollama:qwen2.5:7b", "ollama", "qwen2.5:7b", ""},
		{"openai:Qwen/Qwen2.5-VL-7B@http://127.0.0.1:8000/v1", "openai", "Qwen/Qwen2.5-VL-7B", "http://127.0.0.1:8000/v1"},
		{"openai:org@model@https://x/v1", "openai", "org@model", "https://x/v1"},
	}
	for _, tt := range tests {
		p, m, u, err := SplitSpec(tt.spec)
		if err != nil || p != tt.p || m != tt.m || u != tt.u {
			t.Errorf("SplitSpec(%q) = %q %q %q %v", tt.spec, p, m, u, err)
		}
	}
	for _, bad := range []string{"", "gpt-4o", ":x", "openai:", "openai:@http://x"} {
		if _, _, _, err := SplitSpec(bad); emohallucer.ErrorCode(err) != emohallucer.EINVALID {
			t.Errorf("SplitSpec(%q) err = %v", bad, err)
		}
	}
}

// A spec whose "@" part is not an absolute http(s) URL is refused, with the fix
// as hint and no credentials in the message, instead of reaching the provider's
// default endpoint with the address glued to the model name.
func TestSplitSpecBaseURL(t *testing.T) {
	tests := []struct {
		spec, msg, hint string
	}{
		// No scheme: the fix adds http://.
		{"openai:m@127.0.0.1:8000/v1", `base URL "127.0.0.1:8000/v1" is not an absolute http(s) URL`, "give the scheme: openai:m@http://127.0.0.1:8000/v1"},
		// A host name without scheme or port.
		{"ollama:qwen2.5:7b@gpu-box/v1", "is not an absolute http(s) URL", "ollama:qwen2.5:7b@http://gpu-box/v1"},
		// Another scheme has no obvious fix.
		{"openai:m@ftp://host/v1", "is not an absolute http(s) URL", `after the "@" give an absolute http(s) URL`},
		// A URL without a host.
		{"openai:m@http://", "is not an absolute http(s) URL", ""},
		// Credentials without a scheme are still hidden.
		{"openai:m@user:pw1234@10.0.0.1/v1", "[REDACTED]@10.0.0.1/v1", "openai:m@http://[REDACTED]@10.0.0.1/v1"},
	}
	for _, tt := range tests {
		_, _, _, err := SplitSpec(tt.spec)
		if emohallucer.ErrorCode(err) != emohallucer.EINVALID {
			t.Errorf("SplitSpec(%q) = %v, want EINVALID", tt.spec, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) || strings.Contains(err.Error(), "pw1234") {
			t.Errorf("SplitSpec(%q) error %q, want it to contain %q", tt.spec, err, tt.msg)
		}
		if h := emohallucer.ErrorHint(err); !strings.Contains(h, tt.hint) || strings.Contains(h, "pw1234") {
			t.Errorf("SplitSpec(%q) hint %q, want it to contain %q", tt.spec, h, tt.hint)
		}
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		base, hint string
		ok         bool
	}{
		// Empty takes the default.
		{"", "", true},
		{"http://127.0.0.1:8000/v1", "", true},
		// No scheme: refused with the fix.
		{"127.0.0.1:8000/v1", "base_url: http://127.0.0.1:8000/v1", false},
		// Credentials never shown, not even in the hint.
		{"u:pw1234@host/v1", "base_url: http://[REDACTED]@host/v1", false},
		{"file:///etc/passwd", "", false},
	}
	for _, tt := range tests {
		s := Settings{Name: "openai:m", BaseURL: tt.base}
		u, err := s.Endpoint("https://api.example.com/v1")
		if tt.ok {
			if err != nil || u == nil || s.BaseURL == "" {
				t.Errorf("Endpoint(%q) = %v, %v", tt.base, u, err)
			}
			continue
		}
		if emohallucer.ErrorCode(err) != emohallucer.EINVALID || strings.Contains(err.Error(), "pw1234") {
			t.Errorf("Endpoint(%q) err = %v", tt.base, err)
		}
		if h := emohallucer.ErrorHint(err); h != tt.hint {
			t.Errorf("Endpoint(%q) hint %q, want %q", tt.base, h, tt.hint)
		}
	}
}

// Key names the variable the user must set: the configured api_key_env, else the
// provider's own variables; the hint says the same (Gemini's once ignored a
// custom api_key_env).
func TestKey(t *testing.T) {
	t.Setenv("GEMINI_API_KEY", "")
	t.Setenv("GOOGLE_API_KEY", "")
	t.Setenv("MY_GEMINI", "")
	tests := []struct {
		env, msg, hint string
	}{
		// Defaults: every fallback named, the first exported.
		{"", "environment variable GEMINI_API_KEY (or GOOGLE_API_KEY) is not set", "export GEMINI_API_KEY=…"},
		// A custom variable replaces them in message and hint.
		{"MY_GEMINI", "environment variable MY_GEMINI is not set", "export MY_GEMINI=…"},
	}
	for _, tt := range tests {
		s := Settings{Name: "gemini:x", APIKeyEnv: tt.env}
		_, err := s.Key(true, "", "GEMINI_API_KEY", "GOOGLE_API_KEY")
		if emohallucer.ErrorCode(err) != emohallucer.EAUTH || !strings.Contains(err.Error(), tt.msg) || emohallucer.ErrorHint(err) != tt.hint {
			t.Errorf("env %q: %v (hint %q)", tt.env, err, emohallucer.ErrorHint(err))
		}
	}
	s := Settings{Name: "openai:x"}
	if k, err := s.Key(false, "", "GEMINI_API_KEY"); k != "" || err != nil {
		t.Errorf("optional key: %q %v", k, err)
	}
	t.Setenv("MY_GEMINI", "k-123")
	s = Settings{Name: "gemini:x", APIKeyEnv: "MY_GEMINI"}
	if k, err := s.Key(true, "", "GEMINI_API_KEY"); k != "k-123" || err != nil {
		t.Errorf("set key: %q %v", k, err)
	}
}

// Credentials in a config file are refused (they belong in header_env), and
// every configured header value is handed back for redaction.
func TestHeaders(t *testing.T) {
	for _, h := range []string{"Authorization", "proxy-authorization", "X-Api-Key", "Api-Key", "X-Auth-Token", "X-Client-Secret", "Cookie"} {
		s := Settings{Model: "m", Headers: map[string]string{h: "Bearer sk-123"}}
		err := s.Fill("openai", nil)
		if emohallucer.ErrorCode(err) != emohallucer.EINVALID || !strings.Contains(emohallucer.ErrorHint(err), "header_env") || strings.Contains(err.Error(), "sk-123") {
			t.Errorf("literal %s: %v", h, err)
		}
	}
	t.Setenv("ORG_TOKEN", "tok-4567")
	s := Settings{Model: "m", Headers: map[string]string{"X-Org": "acme-org"}, HeaderEnv: map[string]string{"X-Org-Token": "ORG_TOKEN"}}
	if err := s.Fill("openai", nil); err != nil {
		t.Fatal(err)
	}
	h, secrets, err := s.HTTPHeader()
	if err != nil || h.Get("X-Org") != "acme-org" || h.Get("X-Org-Token") != "tok-4567" {
		t.Fatalf("HTTPHeader = %v, %v", h, err)
	}
	if !slices.Contains(secrets, "acme-org") || !slices.Contains(secrets, "tok-4567") {
		t.Errorf("secrets %q miss a configured value", secrets)
	}
}

func TestIdentityRedactsURL(t *testing.T) {
	s := Settings{Model: "m", MaxImageSide: 1024}
	if id := s.Identity("openai", "http://user:pw1234@host/v1", VideoNone); strings.Contains(id, "pw1234") || !strings.Contains(id, "@host/v1") {
		t.Errorf("identity %q", id)
	}
}

func TestSettingsFill(t *testing.T) {
	s := Settings{Model: "m", Video: VideoFrames}
	if err := s.Fill("p", []emohallucer.Modality{emohallucer.Text, emohallucer.Image}); err != nil {
		t.Fatal(err)
	}
	c := emohallucer.Capabilities{Modalities: s.Modalities}
	if s.Name != "p:m" || !c.Accepts(emohallucer.ShortVideo) || !c.Accepts(emohallucer.LongVideo) || s.Frames != DefaultFrames || s.MaxImageSide != DefaultMaxImageSide {
		t.Errorf("filled %+v", s)
	}
	s = Settings{Model: "m", Video: VideoNone}
	s.Fill("p", emohallucer.Modalities)
	if (emohallucer.Capabilities{Modalities: s.Modalities}).Accepts(emohallucer.ShortVideo) {
		t.Errorf("video: none kept video modalities")
	}
	for _, bad := range []Settings{{}, {Model: "m", Frames: 100}, {Model: "m", Modalities: []emohallucer.Modality{"smell"}}, {Model: "m", Timeout: -1}} {
		if err := bad.Fill("p", nil); emohallucer.ErrorCode(err) != emohallucer.EINVALID {
			t.Errorf("Fill(%+v) = %v", bad, err)
		}
	}
}

// TestSettingsDecodeStrict checks that Settings, inlined in a provider Config,
// decodes through the strict decoder: its keys are known, durations parse.
func TestSettingsDecodeStrict(t *testing.T) {
	type cfg struct {
		Settings `yaml:",inline"`
		Extra    string `yaml:"extra"`
	}
	var n yaml.Node
	yaml.Unmarshal([]byte("provider: x\nmodel: m\nextra: e\ntimeout: 3s\n"), &n)
	var c cfg
	if err := strictyaml.Decode(&n, &c, "test", "provider"); err != nil || c.Model != "m" || c.Extra != "e" || c.Timeout.String() != "3s" {
		t.Errorf("decoded %+v, %v", c, err)
	}
	yaml.Unmarshal([]byte("model: m\n\nmodle: n\n"), &n)
	err := strictyaml.Decode(&n, &c, "test")
	if emohallucer.ErrorCode(err) != emohallucer.EINVALID || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), `"modle"`) {
		t.Errorf("typo: %v", err)
	}
	yaml.Unmarshal([]byte("model: m\ntimeout: soon\n"), &n)
	if err := strictyaml.Decode(&n, &c, "test"); emohallucer.ErrorCode(err) != emohallucer.EINVALID {
		t.Errorf("bad duration: %v", err)
	}
}

// countingModel answers with usage computed from the request, like a server that
// counts text at a quarter token per byte and adds mediaTokens per media part.
type countingModel struct{ mediaTokens int }

func (m countingModel) Name() string                           { return "fake:m" }
func (m countingModel) Capabilities() emohallucer.Capabilities { return emohallucer.Capabilities{} }
func (m countingModel) Generate(_ context.Context, r *emohallucer.Request) (*emohallucer.Response, error) {
	_, n := MediaOf(r)
	return &emohallucer.Response{Usage: emohallucer.Usage{PromptTokens: 10 + textBytes(r)/4 + n*m.mediaTokens}}, nil
}

func imageRequest(text string) *emohallucer.Request {
	return &emohallucer.Request{Messages: []emohallucer.Message{{Role: "user", Parts: []emohallucer.Part{
		{Media: &emohallucer.MediaFile{Kind: emohallucer.Image}}, {Text: text}}}}}
}

func TestProbe(t *testing.T) {
	req := imageRequest("Is this person happy?")
	for _, tt := range []struct {
		tokens int
		warn   bool
	}{{0, true}, {2, true}, {85, false}} {
		w, err := Probe(context.Background(), countingModel{tt.tokens}, req)
		if err != nil || (w != nil) != tt.warn {
			t.Errorf("media tokens %d: warning %v, err %v", tt.tokens, w, err)
		}
	}
	if _, err := Probe(context.Background(), errModel{}, req); err == nil {
		t.Error("error of the model not returned")
	}
}

type errModel struct{ countingModel }

func (errModel) Generate(context.Context, *emohallucer.Request) (*emohallucer.Response, error) {
	return nil, errors.New("boom")
}

func TestDropDetector(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name      string
		tokens    int
		baseline  bool
		warnAfter int // 0: never
	}{
		{"DroppedWarnsOnceAfterTwo", 0, true, 2},
		{"CountedNeverWarns", 85, true, 0},
		{"NoBaselineStaysSilent", 0, false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var d DropDetector
			m := countingModel{tt.tokens}
			if tt.baseline {
				txt := &emohallucer.Request{Messages: []emohallucer.Message{emohallucer.UserText("Is anger an emotion?")}}
				r, _ := m.Generate(ctx, txt)
				d.Observe(m.Name(), txt, r)
			}
			var warnings []int
			for i := 1; i <= 5; i++ {
				req := imageRequest("Is the person in this photo angry, yes or no?")
				r, _ := m.Generate(ctx, req)
				if w := d.Observe(m.Name(), req, r); w != nil {
					warnings = append(warnings, i)
				}
			}
			if tt.warnAfter == 0 && len(warnings) != 0 || tt.warnAfter != 0 && (len(warnings) != 1 || warnings[0] != tt.warnAfter) {
				t.Errorf("warnings at %v", warnings)
			}
		})
	}
}

// sharedData returns the first file matching pattern under ../shared/data, or
// skips the test with the reason.
func sharedData(t *testing.T, pattern string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "data", pattern))
	if len(matches) == 0 {
		t.Skipf("no %s under ../shared/data (labelled sample data not present)", pattern)
	}
	return matches[0]
}

func fileOf(t *testing.T, kind emohallucer.Modality, path string) *emohallucer.MediaFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return &emohallucer.MediaFile{Kind: kind, Path: path, SHA256: hex.EncodeToString(sum[:])}
}

func TestPrepareRealMedia(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed")
	}
	ctx := context.Background()
	p := &Preparer{MaxImageSide: 256}
	t.Run("RAVDESSWavPassesThrough", func(t *testing.T) {
		mf := fileOf(t, emohallucer.Audio, sharedData(t, "ravdess/speech/*.wav"))
		b, err := p.Audio(ctx, mf, "wav", "mp3")
		raw, _ := os.ReadFile(mf.Path)
		if err != nil || b.Format != "wav" || !bytes.Equal(b.Data, raw) {
			t.Errorf("format %q, %d bytes (%v)", b.Format, len(b.Data), err)
		}
	})
	t.Run("CREMADMp3ConvertedWhenNotAccepted", func(t *testing.T) {
		mf := fileOf(t, emohallucer.Audio, sharedData(t, "cremad/audio_mp3/*.mp3"))
		b, err := p.Audio(ctx, mf, "wav")
		if err != nil || b.Format != "wav" || string(b.Data[:4]) != "RIFF" || b.MIME != "audio/wav" {
			t.Errorf("format %q mime %q (%v)", b.Format, b.MIME, err)
		}
		b, err = p.Audio(ctx, mf, "wav", "mp3")
		if err != nil || b.Format != "mp3" {
			t.Errorf("accepted mp3 came back as %q (%v)", b.Format, err)
		}
	})
	t.Run("CREMADVideoFrames", func(t *testing.T) {
		mf := fileOf(t, emohallucer.ShortVideo, sharedData(t, "cremad/video/*.flv"))
		frames, audio, err := p.Frames(ctx, mf, 3, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(frames) != 3 || audio == nil || audio.Format != "wav" {
			t.Fatalf("%d frames, audio %v", len(frames), audio != nil)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(frames[0].Data))
		if err != nil || format != "jpeg" || max(cfg.Width, cfg.Height) > 256 {
			t.Errorf("frame %s %dx%d (%v)", format, cfg.Width, cfg.Height, err)
		}
	})
	t.Run("FERPlusFace", func(t *testing.T) {
		mf := fileOf(t, emohallucer.Image, sharedData(t, "faces/ferplus/images/*/*.png"))
		b, err := p.Image(mf)
		if err != nil || !strings.HasPrefix(b.MIME, "image/") {
			t.Errorf("mime %q (%v)", b.MIME, err)
		}
	})
}
