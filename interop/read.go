package interop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// Item is one JSON value read from a JSON array or a JSON Lines file, with its
// position for error messages ("file.json:12" for a line, "file.json[3]" for the
// fourth array element).
type Item struct {
	Pos string
	Raw json.RawMessage
}

// maxJSONLine bounds one JSON Lines record.
const maxJSONLine = 16 << 20

// ReadItems reads a file holding either a JSON array of objects or JSON Lines
// (one object per line, blank lines ignored); the first non-blank byte decides.
func ReadItems(path string) ([]Item, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: file not found", path)}
		}
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	// A byte-order mark (Windows tools write one) is not part of the first
	// line either: JSON Lines with one were refused (found by
	// FuzzLoadPredictions).
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "%s: empty file", path)
	}
	if trimmed[0] == '[' {
		var raws []json.RawMessage
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, eh.Errorf(eh.EINVALID, "%s: %s", path, describeJSONError(trimmed, err))
		}
		items := make([]Item, len(raws))
		for i, r := range raws {
			items[i] = Item{Pos: fmt.Sprintf("%s[%d]", path, i), Raw: r}
		}
		return items, nil
	}
	var items []Item
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxJSONLine)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if !json.Valid(b) {
			var v any
			err := json.Unmarshal(b, &v)
			return nil, eh.Errorf(eh.EINVALID, "%s:%d: malformed JSON: %v", path, line, err)
		}
		items = append(items, Item{Pos: fmt.Sprintf("%s:%d", path, line), Raw: append(json.RawMessage(nil), b...)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", path, line+1, err)
	}
	return items, nil
}

// describeJSONError turns a syntax error's byte offset into a line number.
func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("line %d: malformed JSON: %v", line, err)
	}
	return "malformed JSON: " + err.Error()
}

// Str is a JSON field that benchmarks write as a string, a number or null
// ("set_id": "0" in one file, 0 in another).
type Str struct {
	S     string
	Valid bool // false for null or absent
}

// UnmarshalJSON accepts a string, a number, a boolean or null.
func (s *Str) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = Str{}
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Str{S: v, Valid: true}
	case bytes.Equal(b, []byte("true")), bytes.Equal(b, []byte("false")):
		*s = Str{S: string(b), Valid: true}
	default:
		if _, err := strconv.ParseFloat(string(b), 64); err != nil {
			return fmt.Errorf("want a string or a number, got %s", b)
		}
		*s = Str{S: string(b), Valid: true}
	}
	return nil
}

// MarshalJSON writes the string, or null.
func (s Str) MarshalJSON() ([]byte, error) {
	if !s.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(s.S)
}

// FirstText returns the first field of obj, among keys, that holds a string,
// with its key; it is how prediction files of different tools name their answer
// ("answer", "text", "prediction", …).
func FirstText(obj map[string]json.RawMessage, keys ...string) (text, key string, ok bool) {
	for _, k := range keys {
		raw, present := obj[k]
		if !present {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, k, true
		}
	}
	return "", "", false
}

// Limit lists at most n strings, saying how many more there are.
func Limit(xs []string, n int) string {
	if len(xs) <= n {
		return strings.Join(xs, "; ")
	}
	return fmt.Sprintf("%s; … and %d more", strings.Join(xs[:n], "; "), len(xs)-n)
}
