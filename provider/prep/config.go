// Package prep holds what every provider package shares without depending on any
// SDK: the common part of a provider's YAML configuration, preparation of media
// files for an API (image downscaling, audio conversion, video frames), response
// text bounding, yes-probability from token log-probabilities, and the detector of
// servers that silently drop image or audio parts.
package prep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/emohallucer/emohallucer"
)

// Video modes: how a model is given a video.
const (
	// VideoNone: the model is not given videos (they are not evaluated).
	VideoNone = "none"
	// VideoNative: the video file itself is sent (Gemini inline data, vLLM video_url).
	VideoNative = "native"
	// VideoFrames: N evenly spaced frames as images, plus the audio track when the
	// model takes audio. Only when the user asks for it: it changes the task.
	VideoFrames = "frames"
)

// Defaults shared by providers.
const (
	DefaultMaxImageSide = 1024
	DefaultFrames       = 8
	DefaultTimeout      = 120 * time.Second
	// MaxResponseText bounds Response.Text; a yes/no answer with reasoning fits
	// easily, a runaway generation does not fill the records.
	MaxResponseText = 64 << 10
)

// Settings is the part of a model's configuration every provider understands.
// Provider Configs embed it inline, so in YAML its fields sit next to the
// provider's own.
type Settings struct {
	// Name is how runs and reports call the model; default "provider:model".
	Name string `yaml:"name"`
	// Model is the API's model id ("gpt-4o", "gemini-2.5-flash").
	Model string `yaml:"model"`
	// BaseURL overrides the API endpoint (OpenAI-compatible servers, tests).
	BaseURL string `yaml:"base_url"`
	// APIKeyEnv names the environment variable holding the API key. The key itself
	// never appears in a config file.
	APIKeyEnv string `yaml:"api_key_env"`
	// Modalities the model accepts; empty means the provider's default.
	Modalities []emohallucer.Modality `yaml:"modalities"`
	// MaxConcurrency bounds requests in flight (Capabilities.MaxConcurrency).
	MaxConcurrency int `yaml:"max_concurrency"`
	// Timeout bounds one request; default DefaultTimeout.
	Timeout time.Duration `yaml:"timeout"`
	// MaxImageSide is the longest side images are downscaled to; default 1024.
	MaxImageSide int `yaml:"max_image_side"`
	// Video is none, native or frames (see the Video constants).
	Video string `yaml:"video"`
	// Frames is the number of frames sent per video in frames mode; default 8.
	Frames int `yaml:"frames"`
	// Logprobs tells whether the endpoint returns token log-probabilities; nil
	// means the provider's default.
	Logprobs *bool `yaml:"logprobs"`
	// Headers are added to every request. HeaderEnv maps a header name to the
	// environment variable holding its value, for secrets.
	Headers   map[string]string `yaml:"headers"`
	HeaderEnv map[string]string `yaml:"header_env"`
	// ExtraBody fields are merged into every request body (vendor parameters such
	// as vLLM's chat_template_kwargs).
	ExtraBody map[string]any `yaml:"extra_body"`
	// MaxInlineBytes bounds media sent inline in a request; default 20 MB.
	MaxInlineBytes int64 `yaml:"max_inline_bytes"`
}

// DefaultMaxInlineBytes is the inline request size most APIs accept.
const DefaultMaxInlineBytes = 20 << 20

// Fill sets defaults for zero fields and checks the rest. provider names the
// section in messages; defaultMods are the modalities when none are configured.
func (s *Settings) Fill(provider string, defaultMods []emohallucer.Modality) error {
	if strings.TrimSpace(s.Model) == "" {
		return emohallucer.Errorf(emohallucer.EINVALID, "%s: model is required", provider)
	}
	if s.Name == "" {
		s.Name = provider + ":" + s.Model
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	if s.Timeout < 0 {
		return emohallucer.Errorf(emohallucer.EINVALID, "%s: timeout must be positive, not %s", s.Name, s.Timeout)
	}
	if s.MaxImageSide == 0 {
		s.MaxImageSide = DefaultMaxImageSide
	}
	if s.MaxImageSide < 16 {
		return emohallucer.Errorf(emohallucer.EINVALID, "%s: max_image_side %d is too small", s.Name, s.MaxImageSide)
	}
	if s.MaxConcurrency < 0 {
		return emohallucer.Errorf(emohallucer.EINVALID, "%s: max_concurrency must not be negative", s.Name)
	}
	if s.MaxInlineBytes == 0 {
		s.MaxInlineBytes = DefaultMaxInlineBytes
	}
	switch s.Video {
	case "", VideoNone, VideoNative, VideoFrames:
	default:
		return emohallucer.Errorf(emohallucer.EINVALID, "%s: video must be none, native or frames, not %q", s.Name, s.Video)
	}
	if s.Frames == 0 {
		s.Frames = DefaultFrames
	}
	if s.Frames < 1 || s.Frames > 64 {
		return emohallucer.Errorf(emohallucer.EINVALID, "%s: frames must be 1..64, not %d", s.Name, s.Frames)
	}
	if len(s.Modalities) == 0 {
		s.Modalities = append([]emohallucer.Modality(nil), defaultMods...)
		if s.Video == VideoNative || s.Video == VideoFrames {
			s.Modalities = addVideo(s.Modalities)
		}
	}
	for _, m := range s.Modalities {
		if !m.Valid() {
			return emohallucer.Errorf(emohallucer.EINVALID, "%s: unknown modality %q (want one of %v)", s.Name, m, emohallucer.Modalities)
		}
	}
	if s.Video == VideoNone {
		s.Modalities = dropVideo(s.Modalities)
	}
	for h, env := range s.HeaderEnv {
		if env == "" {
			return emohallucer.Errorf(emohallucer.EINVALID, "%s: header_env %q names no variable", s.Name, h)
		}
	}
	return nil
}

func addVideo(ms []emohallucer.Modality) []emohallucer.Modality {
	for _, v := range []emohallucer.Modality{emohallucer.ShortVideo, emohallucer.LongVideo} {
		if !(emohallucer.Capabilities{Modalities: ms}).Accepts(v) {
			ms = append(ms, v)
		}
	}
	return ms
}

func dropVideo(ms []emohallucer.Modality) []emohallucer.Modality {
	out := ms[:0:0]
	for _, m := range ms {
		if m != emohallucer.ShortVideo && m != emohallucer.LongVideo {
			out = append(out, m)
		}
	}
	return out
}

// VideoMode returns the effective video mode: what was configured, else native
// when the modalities include video and the provider sends video natively by
// default, else frames when they include video, else none.
func (s *Settings) VideoMode(nativeByDefault bool) string {
	if s.Video != "" {
		return s.Video
	}
	c := emohallucer.Capabilities{Modalities: s.Modalities}
	if !c.Accepts(emohallucer.ShortVideo) && !c.Accepts(emohallucer.LongVideo) {
		return VideoNone
	}
	if nativeByDefault {
		return VideoNative
	}
	return VideoFrames
}

// APIKey reads the key from the environment variable named by APIKeyEnv, or from
// the first of fallbacks that is set. It returns the key and the name of the
// variable it came from ("" when none is set).
func (s *Settings) APIKey(fallbacks ...string) (key, from string) {
	names := fallbacks
	if s.APIKeyEnv != "" {
		names = []string{s.APIKeyEnv}
	}
	for _, n := range names {
		if v := strings.TrimSpace(os.Getenv(n)); v != "" {
			return v, n
		}
	}
	return "", ""
}

// HTTPHeader returns Headers plus HeaderEnv resolved from the environment, and the
// secret values so that they can be redacted from errors.
func (s *Settings) HTTPHeader() (http.Header, []string, error) {
	h := http.Header{}
	for k, v := range s.Headers {
		h.Set(k, v)
	}
	var secrets []string
	for k, env := range s.HeaderEnv {
		v := os.Getenv(env)
		if v == "" {
			return nil, nil, emohallucer.Errorf(emohallucer.EINVALID, "%s: header %s: environment variable %s is not set", s.Name, k, env)
		}
		h.Set(k, v)
		secrets = append(secrets, v)
	}
	return h, secrets, nil
}

// Capabilities returns the capabilities the settings describe.
func (s *Settings) Capabilities(identity string, logprobs bool) emohallucer.Capabilities {
	return emohallucer.Capabilities{
		Identity:       identity,
		Modalities:     append([]emohallucer.Modality(nil), s.Modalities...),
		MaxConcurrency: s.MaxConcurrency,
		Logprobs:       logprobs,
	}
}

// SplitSpec splits "provider:model[@base-url]" into its parts. The model may
// itself contain colons (Ollama tags such as "qwen2.5:7b"); the base URL starts
// at the first "@" followed by a scheme.
func SplitSpec(spec string) (provider, model, baseURL string, err error) {
	provider, rest, ok := strings.Cut(spec, ":")
	if !ok || provider == "" || rest == "" {
		return "", "", "", emohallucer.Errorf(emohallucer.EINVALID, "model spec %q: want provider:model (for example openai:gpt-4o)", spec)
	}
	model = rest
	for i := 0; i < len(rest); i++ {
		if rest[i] == '@' && (strings.HasPrefix(rest[i+1:], "http://") || strings.HasPrefix(rest[i+1:], "https://")) {
			model, baseURL = rest[:i], rest[i+1:]
			break
		}
	}
	if model == "" {
		return "", "", "", emohallucer.Errorf(emohallucer.EINVALID, "model spec %q: empty model name", spec)
	}
	return provider, model, baseURL, nil
}

// Identity joins provider, model, endpoint and every setting that changes what
// the model is shown (image size, video mode, extra body fields) into
// Capabilities.Identity, which the response cache keys on. It never includes a key
// or a header value.
func (s *Settings) Identity(provider, baseURL string, videoMode string) string {
	id := fmt.Sprintf("%s:%s@%s;img=%d", provider, s.Model, strings.TrimRight(baseURL, "/"), s.MaxImageSide)
	switch videoMode {
	case VideoFrames:
		id += fmt.Sprintf(";video=frames/%d", s.Frames)
	case VideoNative:
		id += ";video=native"
	}
	if len(s.ExtraBody) > 0 {
		// encoding/json sorts map keys, so equal settings give equal digests.
		b, _ := json.Marshal(s.ExtraBody)
		sum := sha256.Sum256(b)
		id += ";extra=" + hex.EncodeToString(sum[:6])
	}
	return id
}
