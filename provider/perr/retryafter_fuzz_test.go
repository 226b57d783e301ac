package perr

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
)

// FuzzParseRetryAfter checks the wait read from a 429's headers: never
// negative; exactly the seconds of a plain delay-seconds value, the
// milliseconds of retry-after-ms and the distance to an HTTP date; and a huge
// value a long wait (the retry decorator caps it), never a short or negative
// one.
func FuzzParseRetryAfter(f *testing.F) {
	// Values servers send: OpenAI (retry-after-ms and seconds), Anthropic and
	// vLLM (seconds), proxies (HTTP dates), and the broken ones.
	for _, s := range []struct {
		ra, ms string
		date   int64
	}{
		{"7", "", 0}, {"0.5", "", 0}, {"1", "250", 0}, {"", "", 90}, {"", "", -60}, {"-3", "", 0}, {"soon", "", 0},
		{"20", "19872.5", 0}, {"1e300", "", 0}, {"Inf", "", 0}, {"NaN", "", 0}, {"", "1e30", 0}, {"9223372036", "", 0},
		{"0x1p4", "", 0}, {" 30 ", "", 0}, {"", "", 1 << 40}, {"Fri, 31 Dec 9999 23:59:59 GMT", "", 0},
	} {
		f.Add(s.ra, s.ms, s.date)
	}
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, ra, ms string, date int64) {
		defer fuzzcheck.Watch(ra + "|" + ms)()
		h := http.Header{}
		if date != 0 {
			ra = now.Add(time.Duration(date) * time.Second).Format(http.TimeFormat)
		}
		if ra != "" {
			h.Set("Retry-After", ra)
		}
		if ms != "" {
			h.Set("Retry-After-Ms", ms)
		}
		got := ParseRetryAfter(h, now)
		if got < 0 {
			t.Fatalf("Retry-After %q, -Ms %q: negative wait %v", ra, ms, got)
		}
		want, known := expectedWait(h, now)
		if !known {
			return
		}
		if d := got - want; d < -1 || d > 1 {
			t.Fatalf("Retry-After %q, -Ms %q: wait %v, want %v", ra, ms, got, want)
		}
	})
}

// expectedWait is the wait the headers ask for, computed independently of
// ParseRetryAfter; known is false for values it does not judge.
func expectedWait(h http.Header, now time.Time) (d time.Duration, known bool) {
	// A number: seconds or milliseconds, saturating at the longest duration.
	number := func(v string, unit float64) (time.Duration, bool) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) {
			return 0, false
		}
		if f <= 0 {
			return 0, true
		}
		if ns := f * unit; ns < math.MaxInt64 {
			return time.Duration(ns), true
		}
		return math.MaxInt64, true
	}
	if v := h.Get("Retry-After-Ms"); strings.TrimSpace(v) != "" {
		if d, ok := number(v, float64(time.Millisecond)); ok && d > 0 {
			return d, true
		}
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return 0, false // ignored; Retry-After decides, judged below only when plain
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, h.Get("Retry-After-Ms") == ""
	}
	if d, ok := number(v, float64(time.Second)); ok {
		return d, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
