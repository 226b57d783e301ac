package responselog_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/store/responselog"
	"github.com/emohallucer/emohallucer/store/storetest"
)

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	storetest.Run(t, func(t *testing.T, name string) eh.Store {
		l, err := responselog.Open(context.Background(), filepath.Join(dir, name+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}

func open(t *testing.T, path string) *responselog.Log {
	t.Helper()
	l, err := responselog.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func resp(text string) *eh.Response {
	return &eh.Response{Text: text, FinishReason: "stop", Usage: eh.Usage{PromptTokens: 10, CompletionTokens: 1}}
}

func mustSave(t *testing.T, l *responselog.Log, key string, r *eh.Response) {
	t.Helper()
	if err := l.SaveResponse(context.Background(), key, r); err != nil {
		t.Fatal(err)
	}
}

// lookup returns the text cached under key, or "" on a miss.
func lookup(t *testing.T, l *responselog.Log, key string) string {
	t.Helper()
	r, ok, err := l.LookupResponse(context.Background(), key)
	if err != nil {
		t.Fatalf("lookup %q: %v", key, err)
	}
	if !ok {
		return ""
	}
	return r.Text
}

func appendRaw(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// A crash mid-write leaves a line without its end. The lines before it are
// served, the torn one is not, and the next save is not glued to it.
func TestTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	l := open(t, path)
	mustSave(t, l, "a", resp("Yes."))
	l.Close()
	appendRaw(t, path, `{"key":"b","at":"2026-11-29T00:00:00Z","response":{"text":"No`)

	l = open(t, path)
	if got := lookup(t, l, "a"); got != "Yes." {
		t.Fatalf("a = %q, want Yes.", got)
	}
	if got := lookup(t, l, "b"); got != "" {
		t.Fatalf("torn b served as %q", got)
	}
	mustSave(t, l, "c", resp("No."))
	l.Close()

	l = open(t, path)
	for key, want := range map[string]string{"a": "Yes.", "b": "", "c": "No."} {
		if got := lookup(t, l, key); got != want {
			t.Errorf("after reopen %s = %q, want %q", key, got, want)
		}
	}
}

// Lines that are not ours (garbage, a key with bad JSON after it, lines glued
// by a torn write) are misses, never errors and never wrong answers.
func TestCorruptLinesAreMisses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	appendRaw(t, path, strings.Join([]string{
		`not json at all`,
		``,
		`{"key":"broken","at":"x","response":{"text":`,
		`{"key":"glu{"key":"ed","at":"x","response":{"text":"Yes."}}`,
		`{"key":"good","at":"x","response":{"text":"Yes."}}`,
		`{"key":"noresp","at":"x"}`,
	}, "\n")+"\n")
	l := open(t, path)
	for key, want := range map[string]string{"broken": "", "glu": "", "ed": "", "good": "Yes.", "noresp": ""} {
		if got := lookup(t, l, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	// Saving a key again makes it good.
	mustSave(t, l, "broken", resp("Fixed."))
	if got := lookup(t, l, "broken"); got != "Fixed." {
		t.Errorf("broken after save = %q", got)
	}
}

// Two processes share the default cache: each finds what the other saved,
// even after both appended to the file.
func TestSharedBetweenProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	a, b := open(t, path), open(t, path)
	mustSave(t, a, "from-a", resp("A1"))
	if got := lookup(t, b, "from-a"); got != "A1" {
		t.Fatalf("b sees from-a = %q", got)
	}
	mustSave(t, b, "from-b", resp("B1"))
	mustSave(t, a, "from-a-2", resp("A2"))
	mustSave(t, b, "from-b-2", resp("B2"))
	for _, l := range []*responselog.Log{a, b} {
		for key, want := range map[string]string{"from-a": "A1", "from-b": "B1", "from-a-2": "A2", "from-b-2": "B2"} {
			if got := lookup(t, l, key); got != want {
				t.Errorf("%s = %q, want %q", key, got, want)
			}
		}
	}
	// A replacement is seen by every reader that indexes the file afterwards.
	// (A reader that already holds the key keeps serving its earlier line:
	// both are answers to the same request.)
	mustSave(t, a, "from-b", resp("B1 replaced by A"))
	c := open(t, path)
	if got := lookup(t, c, "from-b"); got != "B1 replaced by A" {
		t.Errorf("a new reader sees %q, want the latest line", got)
	}
}

// Keys the index cannot read in place (quotes, backslashes, characters JSON
// escapes) and lines longer than the reader's buffer survive a reopen.
func TestUnusualKeysAndLongLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	l := open(t, path)
	keys := []string{`quote"d`, `back\slash`, "<html>&", "émotion ☺", "tab\there"}
	for i, k := range keys {
		mustSave(t, l, k, resp(strings.Repeat("x", i+1)))
	}
	long := strings.Repeat("long answer ", 300_000) // 3.6 MB, over the 1 MB buffer
	mustSave(t, l, "long", resp(long))
	mustSave(t, l, "after-long", resp("ok"))
	l.Close()

	l = open(t, path)
	for i, k := range keys {
		if got := lookup(t, l, k); got != strings.Repeat("x", i+1) {
			t.Errorf("key %q = %q", k, got)
		}
	}
	if got := lookup(t, l, "long"); got != long {
		t.Errorf("long line: got %d bytes, want %d", len(got), len(long))
	}
	if got := lookup(t, l, "after-long"); got != "ok" {
		t.Errorf("line after the long one = %q", got)
	}
	if n := l.Len(); n != len(keys)+2 {
		t.Errorf("Len = %d, want %d", n, len(keys)+2)
	}
}

// Every field of a response round-trips, and each lookup returns its own copy.
func TestLookupReturnsACopy(t *testing.T) {
	l := open(t, filepath.Join(t.TempDir(), "c.jsonl"))
	p := 0.75
	want := &eh.Response{Text: "Yes", YesProb: &p, FinishReason: "stop", LatencyMS: 3.5, Usage: eh.Usage{PromptTokens: 7, CompletionTokens: 2}}
	mustSave(t, l, "k", want)
	r1, _, _ := l.LookupResponse(context.Background(), "k")
	r1.Cached, r1.Text = true, "changed"
	r2, _, _ := l.LookupResponse(context.Background(), "k")
	if !reflect.DeepEqual(r2, want) {
		t.Fatalf("second lookup %+v, want %+v", r2, want)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := responselog.Open(context.Background(), ""); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("empty path: %v", err)
	}
	dir := t.TempDir()
	if _, err := responselog.Open(context.Background(), dir); err == nil {
		t.Errorf("a folder as the cache file: no error")
	}
}
