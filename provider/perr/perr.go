// Package perr turns what happens on the wire between a provider and its API into
// errors the rest of emohallucer can act on: an *emohallucer.Error with the right
// code for failures that must not be retried (EAUTH, EPROVIDER), ERATELIMIT for
// throttling with the server's Retry-After, and plain transient errors for 5xx,
// timeouts, dropped connections and malformed replies.
//
// It sits below every provider package and imports only the root package and the
// standard library, so the retry decorator can read these errors without importing
// any SDK.
//
// The retry decorator reads an error like this:
//
//	code := emohallucer.ErrorCode(err)      // EAUTH, EPROVIDER: permanent
//	var ra interface{ RetryAfterDuration() time.Duration }
//	if errors.As(err, &ra) { wait = max(wait, ra.RetryAfterDuration()) }
//	var t interface{ Temporary() bool }
//	retry := errors.As(err, &t) && t.Temporary()
package perr

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emohallucer/emohallucer"
)

// MaxMessage bounds how much of a server's words an error message quotes.
const MaxMessage = 500

// HTTPError is a reply from a model API with a status other than 2xx.
type HTTPError struct {
	// Model is the model spec ("openai:gpt-4o"); Item the suite item being asked.
	Model, Item string
	Status      int
	// RetryAfter is the server's Retry-After (or retry-after-ms), 0 when absent.
	RetryAfter time.Duration
	// Body is what the server said: its error message when the body was JSON with
	// one, else the body itself, cut to MaxMessage bytes of valid UTF-8.
	Body string
}

// Error says which model, which item, the status and what the server said.
func (e *HTTPError) Error() string {
	var b strings.Builder
	b.WriteString(e.Model)
	if e.Item != "" {
		b.WriteString(" (" + e.Item + ")")
	}
	fmt.Fprintf(&b, ": HTTP %d", e.Status)
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	if e.RetryAfter > 0 {
		d := e.RetryAfter
		if d > time.Second {
			d = d.Round(time.Second)
		}
		fmt.Fprintf(&b, " (retry after %s)", d)
	}
	if e.Body != "" {
		b.WriteString(": " + e.Body)
	}
	return emohallucer.Redact(b.String())
}

// Temporary reports whether trying again later may succeed: 408, 429 and 5xx.
func (e *HTTPError) Temporary() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// RetryAfterDuration is the wait the server asked for, 0 when it asked none.
func (e *HTTPError) RetryAfterDuration() time.Duration { return e.RetryAfter }

// Code is the emohallucer error code of the status: EAUTH for 401/403, ERATELIMIT
// for 429, EPROVIDER for other 4xx except 408, and "" for transient failures.
func (e *HTTPError) Code() string {
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return emohallucer.EAUTH
	case e.Status == http.StatusTooManyRequests:
		return emohallucer.ERATELIMIT
	case e.Status >= 400 && e.Status < 500 && e.Status != http.StatusRequestTimeout:
		return emohallucer.EPROVIDER
	}
	return ""
}

// Wrap returns e inside an *emohallucer.Error carrying its code, or e itself for a
// transient failure (the Model contract: plain errors are transient).
func (e *HTTPError) Wrap() error {
	code := e.Code()
	if code == "" {
		return e
	}
	out := &emohallucer.Error{Code: code, Err: e}
	switch code {
	case emohallucer.EAUTH:
		out.Hint = "check the API key environment variable named in the model's config"
	case emohallucer.EPROVIDER:
		out.Hint = "the API refused this request; check the model name and its parameters"
	}
	return out
}

// TransientError is a failure with no HTTP status, or a 2xx reply that could not be
// used: a timeout, a dropped connection, a malformed or oversized body.
type TransientError struct {
	Model, Item string
	// Op says what went wrong in a few words ("malformed response", "timeout").
	Op  string
	Err error
	// detail is Err's message, cleaned and with secrets removed.
	detail string
}

// Error says which model, which item, and what went wrong.
func (e *TransientError) Error() string {
	s := e.Model
	if e.Item != "" {
		s += " (" + e.Item + ")"
	}
	s += ": " + e.Op
	switch {
	case e.detail != "":
		s += ": " + e.detail
	case e.Err != nil:
		s += ": " + Clean(e.Err.Error(), MaxMessage)
	}
	return emohallucer.Redact(s)
}

// Unwrap returns the cause.
func (e *TransientError) Unwrap() error { return e.Err }

// Temporary is always true: trying again may succeed.
func (e *TransientError) Temporary() bool { return true }

// RetryAfterDuration is 0: the server asked for no particular wait.
func (e *TransientError) RetryAfterDuration() time.Duration { return 0 }

// UnreachableError is a request that reached no server: the connection was
// refused, the host name did not resolve, or no route leads to the host. It is
// transient for one request, but when a model's server was never reached the
// retry decorator stops the model rather than retrying every question.
type UnreachableError struct {
	// URL is the server's scheme://host[:port], without credentials.
	URL string
	Err error
}

// Error says which server could not be reached and why.
func (e *UnreachableError) Error() string {
	return emohallucer.Redact(fmt.Sprintf("cannot reach the server at %s: %v", e.URL, e.Err))
}

// Unwrap returns the network error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// Temporary is true: the server may come up.
func (e *UnreachableError) Temporary() bool { return true }

// Unreachable returns the server's URL; the retry decorator finds the error by
// this method without importing perr.
func (e *UnreachableError) Unreachable() string { return e.URL }

// IsPermanent reports whether err must not be retried: its code is EAUTH,
// EPROVIDER, EINVALID, ENOTFOUND, ECANCELED or EBUDGET.
func IsPermanent(err error) bool {
	switch emohallucer.ErrorCode(err) {
	case emohallucer.EAUTH, emohallucer.EPROVIDER, emohallucer.EINVALID, emohallucer.ENOTFOUND, emohallucer.ECANCELED, emohallucer.EBUDGET:
		return true
	}
	return false
}

// RetryAfter returns the wait an error asks for, 0 when none.
func RetryAfter(err error) time.Duration {
	var ra interface{ RetryAfterDuration() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfterDuration()
	}
	return 0
}

// ParseRetryAfter reads the Retry-After header (delay-seconds or an HTTP date) and
// OpenAI's retry-after-ms. now is the reference time for HTTP dates. Negative or
// unparseable values count as absent.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return scaled(ms, time.Millisecond)
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return scaled(s, time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// scaled is n units as a Duration: 0 for NaN or n <= 0, and the longest
// Duration for values past it (1e300 or Inf converted to a negative wait;
// found by FuzzParseRetryAfter).
func scaled(n float64, unit time.Duration) time.Duration {
	if !(n > 0) {
		return 0
	}
	if ns := n * float64(unit); ns < math.MaxInt64 {
		return time.Duration(ns)
	}
	return math.MaxInt64
}

// Clean makes s valid UTF-8 without control characters other than newline and tab,
// and cuts it to at most max bytes on a rune boundary, marking the cut with "…".
func Clean(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Redact replaces every occurrence of each non-empty secret in s. Providers pass
// their API key and configured header values so that no error text can ever
// carry them, whatever a server or an SDK echoed back. Credentials written into
// URLs are removed too (emohallucer.Redact).
func Redact(s string, secrets ...string) string {
	s = emohallucer.Redact(s)
	for _, k := range secrets {
		if len(k) >= 4 {
			s = strings.ReplaceAll(s, k, "[REDACTED]")
		}
	}
	return s
}

// NewTransient returns a *TransientError whose message is cleaned, bounded and free
// of the secrets.
func NewTransient(model, item, op string, err error, secrets ...string) *TransientError {
	t := &TransientError{Model: model, Item: item, Op: op, Err: err}
	if err != nil {
		t.detail = Redact(Clean(err.Error(), MaxMessage), secrets...)
	}
	return t
}

// ServerMessage extracts the human message from an API error body: error.message
// (OpenAI, Anthropic, Gemini), a string "error" (Ollama), or "message"; otherwise
// the body itself.
func ServerMessage(body []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &v) == nil {
		var s string
		var o struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Status  string `json:"status"`
		}
		switch {
		case len(v.Error) > 0 && json.Unmarshal(v.Error, &s) == nil && s != "":
			return s
		case len(v.Error) > 0 && json.Unmarshal(v.Error, &o) == nil && o.Message != "":
			if t := o.Type + o.Status; t != "" {
				return t + ": " + o.Message
			}
			return o.Message
		case v.Message != "":
			return v.Message
		}
	}
	return string(body)
}
