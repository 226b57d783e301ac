package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// decodeReply decodes a chat-completions reply into chatReply, as
// json.Unmarshal(data, &reply) does — the same values and an error for the
// same inputs (FuzzDecodeReply checks both against each other) — without
// reflection: encoding/json's decoding of the reply, with its ten top
// log-probabilities per token, was about a tenth of the harness's CPU at
// thousands of requests per second.
func decodeReply(data []byte) (*chatReply, error) {
	d := replyDecoder{b: data}
	var r chatReply
	d.ws()
	if !d.literal("null") {
		if err := d.reply(&r); err != nil {
			return nil, err
		}
	}
	d.ws()
	if d.i != len(d.b) {
		return nil, d.errorf("data after the reply")
	}
	if d.err != nil {
		return nil, d.err
	}
	return &r, nil
}

func (d *replyDecoder) reply(r *chatReply) error {
	if d.peek() != '{' {
		return d.errorf("want an object")
	}
	return d.fields(func(key []byte) error {
		switch {
		case fold(key, "choices"):
			return decodeSlice(d, &r.Choices, "choices", d.choice)
		case fold(key, "usage"):
			return d.usage(r)
		}
		return d.skip(0)
	})
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

type replyDecoder struct {
	b []byte
	i int
	// err is the first value of the wrong type: like encoding/json, decoding
	// goes on (the input may still be malformed, which wins) and reports it at
	// the end.
	err error
}

func (d *replyDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("reply at byte %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *replyDecoder) typeErr(what string) {
	if d.err == nil {
		d.err = d.errorf("%s has the wrong type", what)
	}
}

func fold(key []byte, name string) bool { return bytes.EqualFold(key, []byte(name)) }

func (d *replyDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (d *replyDecoder) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// literal consumes word (null, true, false) if it comes next.
func (d *replyDecoder) literal(word string) bool {
	if bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		d.i += len(word)
		return true
	}
	return false
}

// fields calls fn with each key of the object that comes next, after
// consuming the key and its colon; fn consumes the value.
func (d *replyDecoder) fields(fn func(key []byte) error) error {
	for first := true; ; first = false {
		more, err := d.step('{', '}', first)
		if err != nil || !more {
			return err
		}
		if d.peek() != '"' {
			return d.errorf("want a key")
		}
		key, err := d.rawString()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.errorf("want a colon")
		}
		d.i++
		d.ws()
		if err := fn(key); err != nil {
			return err
		}
	}
}

// elems calls fn for each element of the array that comes next; fn consumes
// the element.
func (d *replyDecoder) elems(fn func() error) error {
	for first := true; ; first = false {
		more, err := d.step('[', ']', first)
		if err != nil || !more {
			return err
		}
		d.ws()
		if err := fn(); err != nil {
			return err
		}
	}
}

// step consumes the opening bracket (first) or the comma after a member, and
// reports whether another member follows; at the closing bracket it consumes
// it and reports false.
func (d *replyDecoder) step(open, close byte, first bool) (bool, error) {
	if first {
		if d.peek() != open {
			return false, d.errorf("want %q", open)
		}
		d.i++
		if d.peek() == close {
			d.i++
			return false, nil
		}
		return true, nil
	}
	switch d.peek() {
	case ',':
		d.i++
		return true, nil
	case close:
		d.i++
		return false, nil
	}
	return false, d.errorf("want a comma or %q", close)
}

// rawString consumes a string and returns its key bytes for matching: the
// text between the quotes when it is plain (no allocation), else the decoded
// text.
func (d *replyDecoder) rawString() ([]byte, error) {
	body, plain, err := d.scanString()
	if err != nil || plain {
		return body, err
	}
	s, err := d.unquote(body)
	return []byte(s), err
}

// str consumes a string value. Valid UTF-8 without escapes is copied as is;
// anything else goes through encoding/json, so escapes, surrogate pairs and
// invalid UTF-8 come out exactly as it gives them.
func (d *replyDecoder) str() (string, error) {
	body, plain, err := d.scanString()
	if err != nil || plain {
		return string(body), err
	}
	return d.unquote(body)
}

// scanString consumes a string and returns the text between its quotes, and
// whether that text is the value itself: no escapes, valid UTF-8.
func (d *replyDecoder) scanString() (body []byte, plain bool, err error) {
	start := d.i
	d.i++ // the opening quote
	escaped := false
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			body := d.b[start+1 : d.i-1]
			return body, !escaped && utf8.Valid(body), nil
		case c == '\\':
			// Checked here too, not only when the text is decoded: a string
			// that is skipped must still be valid JSON.
			n := escapeLen(d.b[d.i:])
			if n == 0 {
				return nil, false, d.errorf("bad escape in a string")
			}
			escaped = true
			d.i += n
		case c < 0x20:
			return nil, false, d.errorf("control character in a string")
		default:
			d.i++
		}
	}
	return nil, false, d.errorf("unterminated string")
}

// escapeLen returns the length of the escape sequence b starts with (b[0] is
// the backslash), 0 when it is not one JSON allows.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(b) < 6 {
			return 0
		}
		for _, h := range b[2:6] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return 0
			}
		}
		return 6
	}
	return 0
}

// unquote decodes the text between a string's quotes with encoding/json.
func (d *replyDecoder) unquote(body []byte) (string, error) {
	var s string
	q := d.b[d.i-len(body)-2 : d.i]
	if err := json.Unmarshal(q, &s); err != nil {
		return "", d.errorf("bad string: %v", err)
	}
	return s, nil
}

// number consumes a number and returns its text, checked against JSON's
// grammar.
func (d *replyDecoder) number() ([]byte, error) {
	start := d.i
	b := d.b
	i := d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return nil, d.errorf("bad number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return nil, d.errorf("bad number")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return nil, d.errorf("bad number")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	d.i = i
	return b[start:i], nil
}

// skip consumes any value.
func (d *replyDecoder) skip(depth int) error {
	if depth > maxDepth {
		return d.errorf("nested too deeply")
	}
	switch c := d.peek(); {
	case c == '{':
		return d.fields(func([]byte) error { return d.skip(depth + 1) })
	case c == '[':
		return d.elems(func() error { return d.skip(depth + 1) })
	case c == '"':
		_, _, err := d.scanString()
		return err
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.number()
		return err
	case d.literal("true"), d.literal("false"), d.literal("null"):
		return nil
	}
	return d.errorf("want a value")
}

// stringField decodes a string field: null leaves it, another type is a type
// error (the value is still consumed).
func (d *replyDecoder) stringField(dst *string, what string) error {
	switch d.peek() {
	case '"':
		s, err := d.str()
		*dst = s
		return err
	case 'n':
		if d.literal("null") {
			return nil
		}
	}
	d.typeErr(what)
	return d.skip(1)
}

func (d *replyDecoder) intField(dst *int64, what string) error {
	tok, ok, err := d.numberToken(what)
	if !ok {
		return err
	}
	// Parsed here rather than through a parse function, which would make the
	// string conversion allocate.
	n, perr := strconv.ParseInt(string(tok), 10, 64)
	if perr != nil {
		d.typeErr(what)
		return nil
	}
	*dst = n
	return nil
}

func (d *replyDecoder) floatField(dst *float64, what string) error {
	tok, ok, err := d.numberToken(what)
	if !ok {
		return err
	}
	f, perr := strconv.ParseFloat(string(tok), 64)
	if perr != nil {
		d.typeErr(what)
		return nil
	}
	*dst = f
	return nil
}

// numberToken consumes a number field's value and returns its text; ok is
// false when there is nothing to parse: null (the field is left as it is), or
// another type (a type error, as in encoding/json, with the value skipped). A
// number the caller cannot parse (out of range, a fraction for an integer) is
// also a type error.
func (d *replyDecoder) numberToken(what string) (tok []byte, ok bool, err error) {
	switch c := d.peek(); {
	case c == '-' || c >= '0' && c <= '9':
		tok, err := d.number()
		return tok, err == nil, err
	case c == 'n':
		if d.literal("null") {
			return nil, false, nil
		}
	}
	d.typeErr(what)
	return nil, false, d.skip(1)
}

// What the next value is, for a field of object or array type.
const (
	isOpen  = iota // it starts with the wanted bracket: decode it
	isNull         // null, consumed: the field becomes nil
	isOther        // another type: a type error is recorded and the value skipped
)

func (d *replyDecoder) kind(open byte, what string) (int, error) {
	c := d.peek()
	if c == open {
		return isOpen, nil
	}
	if c == 'n' && d.literal("null") {
		return isNull, nil
	}
	d.typeErr(what)
	return isOther, d.skip(1)
}

// decodeSlice decodes the array that comes next into *dst with elem, as
// encoding/json decodes into a slice: null makes it nil, [] empty, and each
// element is decoded into what the slice already holds at that index (left by
// an earlier key of the same name) rather than a zeroed one, so that the two
// decoders agree on every input.
func decodeSlice[T any](d *replyDecoder, dst *[]T, what string, elem func(*T) error) error {
	switch k, err := d.kind('[', what); {
	case err != nil || k == isOther:
		return err
	case k == isNull:
		*dst = nil
		return nil
	}
	s := (*dst)[:0]
	err := d.elems(func() error {
		if len(s) < cap(s) {
			s = s[:len(s)+1]
		} else {
			var zero T
			s = append(s, zero)
		}
		return elem(&s[len(s)-1])
	})
	if s == nil {
		s = []T{}
	}
	*dst = s
	return err
}

// object decodes the object (or null) that comes next with field for each key.
func (d *replyDecoder) object(what string, field func(key []byte) error) error {
	switch k, err := d.kind('{', what); {
	case err != nil || k != isOpen:
		return err
	}
	return d.fields(field)
}

func (d *replyDecoder) choice(c *choice) error {
	return d.object("choice", func(key []byte) error {
		switch {
		case fold(key, "message"):
			return d.object("message", func(key []byte) error {
				switch {
				case fold(key, "content"):
					return d.stringField(&c.Message.Content, "content")
				case fold(key, "refusal"):
					return d.stringField(&c.Message.Refusal, "refusal")
				}
				return d.skip(1)
			})
		case fold(key, "finish_reason"):
			return d.stringField(&c.FinishReason, "finish_reason")
		case fold(key, "logprobs"):
			return d.logprobs(c)
		}
		return d.skip(1)
	})
}

func (d *replyDecoder) logprobs(c *choice) error {
	switch k, err := d.kind('{', "logprobs"); {
	case err != nil || k == isOther:
		return err
	case k == isNull:
		c.Logprobs = nil
		return nil
	}
	if c.Logprobs == nil {
		c.Logprobs = &choiceLogprobs{}
	}
	lp := c.Logprobs
	return d.fields(func(key []byte) error {
		if fold(key, "content") {
			return decodeSlice(d, &lp.Content, "logprobs.content", d.token)
		}
		return d.skip(1)
	})
}

func (d *replyDecoder) token(t *replyToken) error {
	return d.object("token", func(key []byte) error {
		switch {
		case fold(key, "token"):
			return d.stringField(&t.Token, "token")
		case fold(key, "top_logprobs"):
			return decodeSlice(d, &t.TopLogprobs, "top_logprobs", d.alternative)
		}
		return d.skip(1)
	})
}

func (d *replyDecoder) alternative(a *topLogprob) error {
	return d.object("top_logprob", func(key []byte) error {
		switch {
		case fold(key, "token"):
			return d.stringField(&a.Token, "token")
		case fold(key, "logprob"):
			return d.floatField(&a.Logprob, "logprob")
		}
		return d.skip(1)
	})
}

func (d *replyDecoder) usage(r *chatReply) error {
	return d.object("usage", func(key []byte) error {
		switch {
		case fold(key, "prompt_tokens"):
			return d.intField(&r.Usage.PromptTokens, "prompt_tokens")
		case fold(key, "completion_tokens"):
			return d.intField(&r.Usage.CompletionTokens, "completion_tokens")
		}
		return d.skip(1)
	})
}
