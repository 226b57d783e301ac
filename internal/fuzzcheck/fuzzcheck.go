// Package fuzzcheck holds what the fuzz tests share: a watchdog that turns an
// input that hangs a parser into a kept crasher, and the helpers their oracles
// use to read JSON and benchmark files independently of the code under test.
// (Fuzzing providers through a loopback server is in fuzzreply.)
//
// Go's fuzzer has no per-input time limit: an input that makes the code under
// test loop forever stalls the run at "execs: N (0/sec)" and is never written
// to testdata. Watch makes such an input crash the worker instead, so the
// fuzzer saves it like any other failure.
package fuzzcheck

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emohallucer/emohallucer"
)

// Limit is how long one input may take while fuzzing. It is a hang detector,
// not a performance check: every target handles an input in well under a
// millisecond, and the limit leaves room for a machine loaded many times over.
const Limit = 20 * time.Second

// Watch arms the watchdog for one input and returns the function that disarms
// it (defer it). It arms only while fuzzing (-test.fuzz set), so plain test
// runs, which replay the kept inputs, make no timed assertion.
func Watch(input any) (stop func()) {
	if f := flag.Lookup("test.fuzz"); f == nil || f.Value.String() == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(Limit):
			// A panic in another goroutine kills the worker; the fuzzer
			// then keeps the input that was running.
			panic(fmt.Sprintf("fuzzcheck: input still running after %v: %.500q", Limit, fmt.Sprint(input)))
		}
	}()
	return func() { close(done) }
}

// Field returns obj[key] as a T: the zero T and true when the key is absent or
// null, false when it holds another type. Reply oracles use it to read decoded
// JSON by exact key.
func Field[T any](obj map[string]any, key string) (T, bool) {
	var zero T
	v, present := obj[key]
	if !present || v == nil {
		return zero, true
	}
	t, ok := v.(T)
	return t, ok
}

// ItemAt returns the JSON value a prediction reader's position names in the
// file's data, read independently of interop.ReadItems: "path[i]" is the i-th
// element of a JSON array, "path:n" the n-th line (trimmed). ok is false when
// the position names nothing in data.
func ItemAt(data []byte, path, pos string) (raw []byte, ok bool) {
	rest, found := strings.CutPrefix(pos, path)
	if !found {
		return nil, false
	}
	var n int
	switch {
	case strings.HasPrefix(rest, "[") && strings.HasSuffix(rest, "]"):
		if _, err := fmt.Sscanf(rest, "[%d]", &n); err != nil {
			return nil, false
		}
		var items []json.RawMessage
		body := bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(data), []byte("\xef\xbb\xbf")))
		if json.Unmarshal(body, &items) != nil || n < 0 || n >= len(items) {
			return nil, false
		}
		return items[n], true
	case strings.HasPrefix(rest, ":"):
		if _, err := fmt.Sscanf(rest, ":%d", &n); err != nil {
			return nil, false
		}
		lines := bytes.Split(data, []byte("\n"))
		if n < 1 || n > len(lines) {
			return nil, false
		}
		return bytes.TrimSpace(bytes.TrimPrefix(lines[n-1], []byte("\xef\xbb\xbf"))), true
	}
	return nil, false
}

// Object decodes a reply that is one JSON object and nothing after it, with
// numbers as json.Number, for oracles that read it by exact key. ok is false
// when the reply is ambiguous, so that SDKs may fairly read it another way: a
// key repeats in its object (exactly or ignoring case: one decoder keeps the
// first, another the last) or matches one of the API's names only when case
// is ignored.
func Object(body []byte, names ...string) (map[string]any, bool) {
	var v map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if d.Decode(&v) != nil || d.InputOffset() != int64(len(bytes.TrimRight(body, " \t\r\n"))) || ambiguous(body, names) {
		return nil, false
	}
	return v, true
}

// ambiguous reports whether valid JSON has a repeated key or a key that is one
// of names only when case is ignored.
func ambiguous(body []byte, names []string) bool {
	type frame struct {
		obj, key bool // an object; the next token is a key
		seen     map[string]bool
	}
	var stack []*frame
	d := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.key {
			if k, isKey := tok.(string); isKey {
				low := strings.ToLower(k)
				if top.seen[low] {
					return true
				}
				top.seen[low] = true
				for _, n := range names {
					if k != n && strings.EqualFold(k, n) {
						return true
					}
				}
				top.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			if top != nil && top.obj {
				top.key = true
			}
			stack = append(stack, &frame{obj: true, key: true, seen: map[string]bool{}})
			continue
		case json.Delim('['):
			if top != nil && top.obj {
				top.key = true
			}
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && top.obj {
			top.key = true // a value: a key comes next
		}
	}
}

// Variants are data with a UTF-8 byte-order mark and with CRLF line ends:
// readers of benchmark files must read them as data.
func Variants(data []byte) [][]byte {
	bom := []byte("\xef\xbb\xbf")
	return [][]byte{append(bom, bytes.TrimPrefix(data, bom)...), bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))}
}

// InputError fails t unless err, from reading the benchmark file at path
// holding data, is EINVALID and names the file and the line or array element
// at fault ("f.jsonl:12", "f.json[3]", "f.json: line 4"), or says what is
// wrong with the file as a whole (empty, nothing in it).
func InputError(t testing.TB, data []byte, path string, err error) {
	t.Helper()
	where := regexp.MustCompile(regexp.QuoteMeta(path) + `(:\d|\[\d|: line \d|: empty file|: no \w+$)`)
	if emohallucer.ErrorCode(err) != emohallucer.EINVALID || !where.MatchString(err.Error()) {
		t.Fatalf("%.300q: error %v, want EINVALID naming the file and the line or element", data, err)
	}
}

// Read writes data to the file at path and reads it back with read.
func Read[T any](t testing.TB, path string, data []byte, read func(string) (T, error)) (T, error) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return read(path)
}

// SameVariants fails t unless every variant of data (Variants), read from the
// file at path, gives want.
func SameVariants[T any](t testing.TB, path string, data []byte, want T, read func(string) (T, error)) {
	t.Helper()
	for _, v := range Variants(data) {
		got, err := Read(t, path, v, read)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%.300q: with a byte-order mark or CRLF line ends: %v", data, err)
		}
	}
}
