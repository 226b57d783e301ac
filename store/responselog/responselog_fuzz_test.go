package responselog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
	"github.com/emohallucer/emohallucer/store/responselog"
)

// Keys as the cache decorator makes them (SHA-256 hex of the request and the
// model's identity).
const (
	key0 = "4f1c2b8e9d0a7c6b5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29"
	key1 = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e"
	key2 = "b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1"
)

var (
	resp0 = &eh.Response{Text: "Yes.", Usage: eh.Usage{PromptTokens: 1520, CompletionTokens: 2}, FinishReason: "stop", LatencyMS: 412.5}
	resp1 = &eh.Response{Text: "No, the speaker sounds calm.", Usage: eh.Usage{PromptTokens: 88, CompletionTokens: 7}, FinishReason: "length"}
	resp2 = &eh.Response{Text: "yes", Usage: eh.Usage{PromptTokens: 1, CompletionTokens: 1}}
)

// cacheSeeds follow two lines the cache wrote itself: what other processes,
// crashes and full disks leave after them.
var cacheSeeds = []string{
	`{"key":"` + key2 + `","at":"2026-12-04T10:00:00.123Z","response":{"text":"No.","usage":{"prompt_tokens":5,"completion_tokens":1},"finish_reason":"stop","latency_ms":12.5}}` + "\n",
	`{"key":"` + key0 + `","at":"2026-12-04T10:00:01Z","response":{"text":"replaced","usage":{"prompt_tokens":1,"completion_tokens":1}}}` + "\n",
	`{"key":"` + key0 + `","at":"2026-12-04T10:00:01Z","respo`, // torn by a crash
	`{"key":"` + key0 + `","at":"2026-12-04T10:00:01Z","response":{"text":"torn"` + "\n",
	`{"key":"` + key0 + `","key":"` + key1 + `","response":{"text":"two keys"}}` + "\n",
	`{"at":"x","key":"` + key1 + `","response":{"text":"key not first"}}` + "\n",
	`{"key":"` + key0[:10] + `\u0030","response":{"text":"escaped key"}}` + "\n",
	`{"KEY":"` + key1 + `","response":{"text":"upper"}}` + "\n",
	"\n\n\n", "\x00\x00\x00\x00\n", "garbage\n", `{"key":"` + key0 + `","response":null}` + "\n",
	`{"key":"` + key0 + `","response":{"usage":{"prompt_tokens":1e999}}}` + "\n",
	`{"key":"` + key1 + `","response":{"text":"crlf"}}` + "\r\n",
}

// FuzzLookup appends the fuzz input to a cache file holding two saved
// responses and reopens it. A lookup hits only with the response of a complete
// line that carries exactly the key asked for; the saved lines stay found when
// the input does not name their keys; and a response saved after a torn tail
// is found, by this process and after a reopen.
func FuzzLookup(f *testing.F) {
	for _, s := range cacheSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzcheck.Watch(data)()
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "responses.jsonl")
		l := open(t, path)
		l.Now = func() time.Time { return time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC) }
		for k, r := range map[string]*eh.Response{key0: resp0, key1: resp1} {
			if err := l.SaveResponse(ctx, k, r); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		saved := st.Size()
		fh, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fh.Write(data); err != nil {
			t.Fatal(err)
		}
		fh.Close()

		l = open(t, path)
		defer l.Close()
		file, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		check := func(l *responselog.Log, file []byte) {
			t.Helper()
			for _, k := range append([]string{key0, key1, key2}, keysIn(file)...) {
				got, ok, err := l.LookupResponse(ctx, k)
				if err != nil {
					t.Fatalf("lookup %.12s: %v", k, err)
				}
				if ok && !servedBy(file, k, got) {
					t.Fatalf("%q: lookup %q served %+v, which no complete line with that key holds", data, k, got)
				}
				if want := map[string]*eh.Response{key0: resp0, key1: resp1}[k]; want != nil && !names(file[saved:], k) &&
					(!ok || asJSON(t, got) != asJSON(t, want)) {
					t.Fatalf("%q: saved response for %.12s lost: %v %+v", data, k, ok, got)
				}
			}
		}
		check(l, file)
		if err := l.SaveResponse(ctx, key2, resp2); err != nil {
			t.Fatal(err)
		}
		for _, reopen := range []bool{false, true} {
			if reopen {
				l.Close()
				l = open(t, path)
			}
			got, ok, err := l.LookupResponse(ctx, key2)
			if err != nil || !ok || asJSON(t, got) != asJSON(t, resp2) {
				t.Fatalf("%q: response saved after the input not found (reopened %v): %v %v %+v", data, reopen, err, ok, got)
			}
		}
		file, _ = os.ReadFile(path)
		check(l, file)
	})
}

// cacheLine is a line as encoding/json reads it.
type cacheLine struct {
	Key      string       `json:"key"`
	Response *eh.Response `json:"response"`
}

// lines returns the complete (newline-terminated) lines of file.
func lines(file []byte) [][]byte {
	all := bytes.Split(file, []byte("\n"))
	return all[:len(all)-1]
}

// keysIn returns the keys of the lines of file that decode.
func keysIn(file []byte) []string {
	var out []string
	for _, ln := range lines(file) {
		var c cacheLine
		if json.Unmarshal(ln, &c) == nil && c.Key != "" {
			out = append(out, c.Key)
		}
	}
	return out
}

// names reports whether a complete line of file may stand for key: it decodes
// with that key, or starts as the lines the cache writes do, with the key.
func names(file []byte, key string) bool {
	for _, ln := range lines(file) {
		var c cacheLine
		if bytes.HasPrefix(ln, []byte(`{"key":"`+key+`"`)) || json.Unmarshal(ln, &c) == nil && c.Key == key {
			return true
		}
	}
	return false
}

// servedBy reports whether a complete line of file decodes with exactly key
// and the response r.
func servedBy(file []byte, key string, r *eh.Response) bool {
	want, _ := json.Marshal(r)
	for _, ln := range lines(file) {
		var c cacheLine
		if json.Unmarshal(ln, &c) == nil && c.Key == key && c.Response != nil {
			if got, _ := json.Marshal(c.Response); bytes.Equal(got, want) {
				return true
			}
		}
	}
	return false
}

func asJSON(t *testing.T, r *eh.Response) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
