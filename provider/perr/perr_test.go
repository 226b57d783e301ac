package perr

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emohallucer/emohallucer"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"Seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{"FractionalSeconds", http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond},
		{"HTTPDate", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{"Milliseconds", http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"1"}}, 250 * time.Millisecond},
		{"Absent", http.Header{}, 0},
		{"DateInPast", http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0},
		{"Negative", http.Header{"Retry-After": {"-3"}}, 0},
		{"Garbage", http.Header{"Retry-After": {"soon"}}, 0},
		// Past the longest Duration: the longest wait (capped by retry), not a negative one.
		{"Huge", http.Header{"Retry-After": {"1e300"}}, math.MaxInt64},
		{"HugeMilliseconds", http.Header{"Retry-After-Ms": {"Inf"}}, math.MaxInt64},
		{"NaN", http.Header{"Retry-After": {"NaN"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseRetryAfter(tt.h, now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHTTPErrorCodes(t *testing.T) {
	tests := []struct {
		status    int
		code      string
		temporary bool
	}{
		{400, emohallucer.EPROVIDER, false},
		{401, emohallucer.EAUTH, false},
		{403, emohallucer.EAUTH, false},
		{404, emohallucer.EPROVIDER, false},
		{408, emohallucer.EINTERNAL, true},
		{413, emohallucer.EPROVIDER, false},
		{422, emohallucer.EPROVIDER, false},
		{429, emohallucer.ERATELIMIT, true},
		{500, emohallucer.EINTERNAL, true},
		{502, emohallucer.EINTERNAL, true},
		{529, emohallucer.EINTERNAL, true},
	}
	for _, tt := range tests {
		e := &HTTPError{Model: "m", Item: "i", Status: tt.status, RetryAfter: time.Second}
		err := e.Wrap()
		if got := emohallucer.ErrorCode(err); got != tt.code {
			t.Errorf("%d: code %q, want %q", tt.status, got, tt.code)
		}
		if e.Temporary() != tt.temporary || IsPermanent(err) == tt.temporary {
			t.Errorf("%d: temporary %v, permanent %v", tt.status, e.Temporary(), IsPermanent(err))
		}
		if RetryAfter(err) != time.Second {
			t.Errorf("%d: RetryAfter not readable through the wrapper", tt.status)
		}
	}
}

func TestCleanAndRedact(t *testing.T) {
	s := Clean("bad \xff\xfe bytes\x00 and "+strings.Repeat("é", 600), MaxMessage)
	if !utf8.ValidString(s) || len(s) > MaxMessage || strings.ContainsRune(s, 0) || !strings.HasSuffix(s, "…") {
		t.Errorf("Clean = %q (%d bytes)", s, len(s))
	}
	if got := Redact("key sk-123456 leaked, sk-123456 again", "sk-123456", ""); strings.Contains(got, "sk-123456") {
		t.Errorf("Redact = %q", got)
	}
}

func TestServerMessage(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"error":{"message":"m1","type":"invalid_request_error"}}`, "invalid_request_error: m1"},
		{`{"error":{"code":429,"message":"m2","status":"RESOURCE_EXHAUSTED"}}`, "RESOURCE_EXHAUSTED: m2"},
		{`{"type":"error","error":{"type":"overloaded_error","message":"m3"}}`, "overloaded_error: m3"},
		{`{"error":"model not found"}`, "model not found"},
		{`{"message":"m5"}`, "m5"},
		{`<html>Bad Gateway</html>`, "<html>Bad Gateway</html>"},
	}
	for _, tt := range tests {
		if got := ServerMessage([]byte(tt.body)); got != tt.want {
			t.Errorf("ServerMessage(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

// Errors built by any path (literals too) never show a password in a URL.
func TestErrorsRedactURLs(t *testing.T) {
	cause := fmt.Errorf(`Post "http://user:pw1234@host/v1": connection refused`)
	for _, err := range []error{
		&TransientError{Model: "openai:m", Op: "request failed", Err: cause},
		NewTransient("openai:m", "i", "request failed", cause),
		&HTTPError{Model: "openai:m@http://user:pw1234@host/v1", Status: 500, Body: "echo http://user:pw1234@host"},
	} {
		if s := err.Error(); strings.Contains(s, "pw1234") || strings.Contains(s, "user:") {
			t.Errorf("%T: %s", err, s)
		}
	}
}
