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
	"net/url"
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
	for h := range s.Headers {
		if CredentialHeader(h) {
			return &emohallucer.Error{Code: emohallucer.EINVALID,
				Message: fmt.Sprintf("%s: header %q carries a credential and may not be written in the config", s.Name, h),
				Hint:    fmt.Sprintf("put the value in an environment variable and name it under header_env (header_env: {%s: MY_VARIABLE})", h)}
		}
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

// CredentialHeader tells whether a header name suggests a credential
// (Authorization, Proxy-Authorization, X-Api-Key, Cookie, anything with key,
// token, secret or auth in its name). Such headers come from the environment
// (header_env), never from the config file.
func CredentialHeader(name string) bool {
	n := strings.ToLower(name)
	if n == "cookie" {
		return true
	}
	for _, w := range []string{"key", "token", "secret", "auth", "password", "passwd"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// HTTPHeader returns Headers plus HeaderEnv resolved from the environment, and
// every configured header value so that it can be redacted from errors and
// stored responses (a server may echo a request's headers).
func (s *Settings) HTTPHeader() (http.Header, []string, error) {
	h := http.Header{}
	var secrets []string
	for k, v := range s.Headers {
		h.Set(k, v)
		secrets = append(secrets, v)
	}
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
// at the first "@" followed by http:// or https://. Any other "@" is refused: a
// spec such as "openai:m@127.0.0.1:8000/v1" would otherwise go to the
// provider's default endpoint as model "m@127.0.0.1:8000/v1", with the user's
// key and prompts.
func SplitSpec(spec string) (provider, model, baseURL string, err error) {
	provider, rest, ok := strings.Cut(spec, ":")
	if !ok || provider == "" || rest == "" {
		return "", "", "", emohallucer.Errorf(emohallucer.EINVALID, "model spec %q: want provider:model (for example openai:gpt-4o)", emohallucer.Redact(spec))
	}
	model = rest
	for i := 0; i < len(rest); i++ {
		if rest[i] == '@' && (strings.HasPrefix(rest[i+1:], "http://") || strings.HasPrefix(rest[i+1:], "https://")) {
			model, baseURL = rest[:i], rest[i+1:]
			break
		}
	}
	if model == "" {
		return "", "", "", emohallucer.Errorf(emohallucer.EINVALID, "model spec %q: empty model name", redactSpec(spec))
	}
	if baseURL == "" && strings.Contains(model, "@") {
		// No "@http(s)://": what follows the "@" was meant as an address.
		m, raw, _ := strings.Cut(model, "@")
		hint := "after the \"@\" give an absolute http(s) URL"
		if fix := fixURL(raw); fix != "" {
			hint = "give the scheme: " + provider + ":" + m + "@" + emohallucer.Redact(fix)
		}
		return "", "", "", &emohallucer.Error{Code: emohallucer.EINVALID, Message: fmt.Sprintf("model spec %q", redactSpec(spec)), Err: notHTTPURL(raw), Hint: hint}
	}
	if baseURL != "" {
		if _, err := CheckBaseURL(baseURL); err != nil {
			return "", "", "", &emohallucer.Error{Code: emohallucer.EINVALID, Message: fmt.Sprintf("model spec %q", redactSpec(spec)), Err: err}
		}
	}
	return provider, model, baseURL, nil
}

// redactSpec hides credentials in a spec's base URL even when it lacks the
// scheme emohallucer.Redact looks for.
func redactSpec(spec string) string {
	head, url, ok := strings.Cut(spec, "@")
	if !ok {
		return spec
	}
	return head + "@" + emohallucer.Redact(schemeless(url))
}

// schemeless returns raw with "http://" added when it has no scheme, so that
// emohallucer.Redact finds its credentials; raw itself otherwise.
func schemeless(raw string) string {
	if strings.Contains(raw, "://") {
		return raw
	}
	return strings.TrimPrefix(emohallucer.Redact("http://"+raw), "http://")
}

// fixURL suggests the base URL the user probably meant ("http://" + what they
// wrote when it has no scheme), "" when there is no obvious fix.
func fixURL(raw string) string {
	if raw == "" || strings.Contains(raw, "://") {
		return ""
	}
	u, err := url.Parse("http://" + raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return "http://" + raw
}

// CheckBaseURL parses raw and requires an absolute http or https URL with a
// host. Its error quotes raw without credentials.
func CheckBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, notHTTPURL(raw)
	}
	return u, nil
}

// notHTTPURL is the error of a base URL that is not an absolute http(s) URL,
// quoting raw without credentials.
func notHTTPURL(raw string) error {
	return emohallucer.Errorf(emohallucer.EINVALID, "base URL %q is not an absolute http(s) URL", schemeless(raw))
}

// Endpoint sets BaseURL to def when it is empty and checks it (CheckBaseURL).
// A bad base_url is EINVALID, with the fix as hint when the scheme is missing.
func (s *Settings) Endpoint(def string) (*url.URL, error) {
	if s.BaseURL == "" {
		s.BaseURL = def
	}
	u, err := CheckBaseURL(s.BaseURL)
	if err != nil {
		e := &emohallucer.Error{Code: emohallucer.EINVALID, Message: s.Name + ": base_url", Err: err}
		if fix := fixURL(s.BaseURL); fix != "" {
			e.Hint = "base_url: " + emohallucer.Redact(fix)
		}
		return nil, e
	}
	return u, nil
}

// Key returns the API key from the environment variable named by APIKeyEnv,
// or else from the first of fallbacks that is set. When no variable is set and
// required is true, it is an EAUTH error naming the variable the user should set
// (api_key_env when configured, else the fallbacks), with "export VAR=…" and
// more as hint.
func (s *Settings) Key(required bool, more string, fallbacks ...string) (string, error) {
	names := fallbacks
	if s.APIKeyEnv != "" {
		names = []string{s.APIKeyEnv}
	}
	for _, n := range names {
		if v := strings.TrimSpace(os.Getenv(n)); v != "" {
			return v, nil
		}
	}
	if !required {
		return "", nil
	}
	if len(names) == 0 {
		return "", emohallucer.Errorf(emohallucer.EAUTH, "%s: no API key: set api_key_env to the environment variable holding it", s.Name)
	}
	env := names[0]
	if len(names) > 1 {
		env += " (or " + strings.Join(names[1:], ", ") + ")"
	}
	hint := "export " + names[0] + "=…"
	if more != "" {
		hint += " " + more
	}
	return "", &emohallucer.Error{Code: emohallucer.EAUTH, Message: fmt.Sprintf("%s: no API key: environment variable %s is not set", s.Name, env), Hint: hint}
}

// Identity joins provider, model, endpoint and every setting that changes what
// the model is shown (image size, video mode, extra body fields) into
// Capabilities.Identity, which the response cache keys on. It never includes a key,
// a header value or credentials written into the base URL.
func (s *Settings) Identity(provider, baseURL string, videoMode string) string {
	// Credentials in the URL are no part of what the model is shown, and the
	// identity is stored (cache keys, run.json).
	id := fmt.Sprintf("%s:%s@%s;img=%d", provider, s.Model, emohallucer.Redact(strings.TrimRight(baseURL, "/")), s.MaxImageSide)
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
