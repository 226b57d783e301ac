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
// thousands of requests per second. Only the first choice is kept; the others
// are checked and skipped.
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
	for first := true; ; first = false {
		key, ok, err := d.field(first)
		if err != nil || !ok {
			return err
		}
		switch {
		case fold(key, "choices"):
			err = d.choices(r)
		case fold(key, "usage"):
			err = d.usage(r)
		default:
			err = d.skip(0)
		}
		if err != nil {
			return err
		}
	}
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

type replyDecoder struct {
	b []byte
	i int
	// stepErr is step's error, beside its boolean for loop conditions.
	stepErr error
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

// field steps to the next key of an object whose '{' is next (first) or
// whose last value was just consumed, and consumes the key and its colon; ok is
// false at the end of the object, which it consumes. Loops over fields this way
// rather than with callbacks, which would allocate a closure per object.
func (d *replyDecoder) field(first bool) (key []byte, ok bool, err error) {
	if !d.step('{', '}', first) {
		return nil, false, d.stepErr
	}
	if d.peek() != '"' {
		return nil, false, d.errorf("want a key")
	}
	if key, err = d.rawString(); err != nil {
		return nil, false, err
	}
	if d.peek() != ':' {
		return nil, false, d.errorf("want a colon")
	}
	d.i++
	d.ws()
	return key, true, nil
}

// elem steps to the next element of an array, as field does for objects.
func (d *replyDecoder) elem(first bool) (bool, error) {
	if !d.step('[', ']', first) {
		return false, d.stepErr
	}
	d.ws()
	return true, nil
}

// step consumes the opening bracket (first) or the comma after a value, and
// reports whether another member follows; at the closing bracket it consumes
// it and returns false with stepErr nil; on bad input false with stepErr set.
func (d *replyDecoder) step(open, close byte, first bool) bool {
	d.stepErr = nil
	if first {
		if d.peek() != open {
			d.stepErr = d.errorf("want %q", open)
			return false
		}
		d.i++
		if d.peek() == close {
			d.i++
			return false
		}
		return true
	}
	switch d.peek() {
	case ',':
		d.i++
		return true
	case close:
		d.i++
		return false
	}
	d.stepErr = d.errorf("want a comma or %q", close)
	return false
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
			escaped = true
			d.i += 2
		case c < 0x20:
			return nil, false, d.errorf("control character in a string")
		default:
			d.i++
		}
	}
	return nil, false, d.errorf("unterminated string")
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
		for first := true; ; first = false {
			_, ok, err := d.field(first)
			if err != nil || !ok {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	case c == '[':
		for first := true; ; first = false {
			ok, err := d.elem(first)
			if err != nil || !ok {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
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
	switch c := d.peek(); {
	case c == '-' || c >= '0' && c <= '9':
		tok, err := d.number()
		if err != nil {
			return err
		}
		n, perr := strconv.ParseInt(string(tok), 10, 64)
		if perr != nil {
			d.typeErr(what)
			return nil
		}
		*dst = n
		return nil
	case c == 'n':
		if d.literal("null") {
			return nil
		}
	}
	d.typeErr(what)
	return d.skip(1)
}

func (d *replyDecoder) floatField(dst *float64, what string) error {
	switch c := d.peek(); {
	case c == '-' || c >= '0' && c <= '9':
		tok, err := d.number()
		if err != nil {
			return err
		}
		f, perr := strconv.ParseFloat(string(tok), 64)
		if perr != nil {
			d.typeErr(what)
			return nil
		}
		*dst = f
		return nil
	case c == 'n':
		if d.literal("null") {
			return nil
		}
	}
	d.typeErr(what)
	return d.skip(1)
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

func (d *replyDecoder) choices(r *chatReply) error {
	switch k, err := d.kind('[', "choices"); {
	case err != nil || k == isOther:
		return err
	case k == isNull:
		r.Choices = nil
		return nil
	}
	n := 0
	for first := true; ; first = false {
		ok, err := d.elem(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if n > 0 {
			// Later choices are checked for type errors, as encoding/json
			// would, and not kept.
			var c choice
			n++
			err = d.choice(&c)
		} else {
			r.Choices = grow(r.Choices, &n)
			err = d.choice(&r.Choices[0])
		}
		if err != nil {
			return err
		}
	}
	if n == 0 {
		r.Choices = []choice{}
	}
	return nil
}

// grow makes room for element *n of a slice being decoded and counts it. Like
// encoding/json, it decodes into an element left from an earlier value of the
// same field (a repeated key) rather than a zeroed one, so that the two
// decoders agree on every input.
func grow[T any](s []T, n *int) []T {
	i := *n
	*n = i + 1
	if i == 0 {
		s = s[:0]
	}
	if i < cap(s) {
		return s[:i+1]
	}
	var zero T
	return append(s, zero)
}

func (d *replyDecoder) choice(c *choice) error {
	switch k, err := d.kind('{', "choice"); {
	case err != nil || k != isOpen:
		return err
	}
	for first := true; ; first = false {
		key, ok, err := d.field(first)
		if err != nil || !ok {
			return err
		}
		switch {
		case fold(key, "message"):
			err = d.message(c)
		case fold(key, "finish_reason"):
			err = d.stringField(&c.FinishReason, "finish_reason")
		case fold(key, "logprobs"):
			err = d.logprobs(c)
		default:
			err = d.skip(1)
		}
		if err != nil {
			return err
		}
	}
}

func (d *replyDecoder) message(c *choice) error {
	switch k, err := d.kind('{', "message"); {
	case err != nil || k != isOpen:
		return err
	}
	for first := true; ; first = false {
		key, ok, err := d.field(first)
		if err != nil || !ok {
			return err
		}
		switch {
		case fold(key, "content"):
			err = d.stringField(&c.Message.Content, "content")
		case fold(key, "refusal"):
			err = d.stringField(&c.Message.Refusal, "refusal")
		default:
			err = d.skip(1)
		}
		if err != nil {
			return err
		}
	}
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
	for first := true; ; first = false {
		key, ok, err := d.field(first)
		if err != nil || !ok {
			return err
		}
		if fold(key, "content") {
			err = d.tokens(lp)
		} else {
			err = d.skip(1)
		}
		if err != nil {
			return err
		}
	}
}

func (d *replyDecoder) tokens(lp *choiceLogprobs) error {
	switch k, err := d.kind('[', "logprobs.content"); {
	case err != nil || k == isOther:
		return err
	case k == isNull:
		lp.Content = nil
		return nil
	}
	n := 0
	for first := true; ; first = false {
		ok, err := d.elem(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		lp.Content = grow(lp.Content, &n)
		if err := d.token(&lp.Content[n-1]); err != nil {
			return err
		}
	}
	if n == 0 {
		lp.Content = []replyToken{}
	}
	return nil
}

func (d *replyDecoder) token(t *replyToken) error {
	switch k, err := d.kind('{', "token"); {
	case err != nil || k != isOpen:
		return err
	}
	for first := true; ; first = false {
		key, ok, err := d.field(first)
		if err != nil || !ok {
			return err
		}
		switch {
		case fold(key, "token"):
			err = d.stringField(&t.Token, "token")
		case fold(key, "top_logprobs"):
			err = d.topLogprobs(t)
		default:
			err = d.skip(1)
		}
		if err != nil {
			return err
		}
	}
}

func (d *replyDecoder) topLogprobs(t *replyToken) error {
	switch k, err := d.kind('[', "top_logprobs"); {
	case err != nil || k == isOther:
		return err
	case k == isNull:
		t.TopLogprobs = nil
		return nil
	}
	n := 0
	for first := true; ; first = false {
		ok, err := d.elem(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		t.TopLogprobs = grow(t.TopLogprobs, &n)
		if err := d.alternative(&t.TopLogprobs[n-1]); err != nil {
			return err
		}
	}
	if n == 0 {
		t.TopLogprobs = []topLogprob{}
	}
	return nil
}

func (d *replyDecoder) alternative(a *topLogprob) error {
	switch k, err := d.kind('{', "top_logprob"); {
	case err != nil || k != isOpen:
		return err
	}
	for first := true; ; first = false {
		key, ok, err := d.field(first)
		if err != nil || !ok {
			return err
		}
		switch {
		case fold(key, "token"):
			err = d.stringField(&a.Token, "token")
		case fold(key, "logprob"):
			err = d.floatField(&a.Logprob, "logprob")
		default:
			err = d.skip(1)
		}
		if err != nil {
			return err
		}
	}
}

func (d *replyDecoder) usage(r *chatReply) error {
	switch k, err := d.kind('{', "usage"); {
	case err != nil || k != isOpen:
		return err
	}
	for first := true; ; first = false {
		key, ok, err := d.field(first)
		if err != nil || !ok {
			return err
		}
		switch {
		case fold(key, "prompt_tokens"):
			err = d.intField(&r.Usage.PromptTokens, "prompt_tokens")
		case fold(key, "completion_tokens"):
			err = d.intField(&r.Usage.CompletionTokens, "completion_tokens")
		default:
			err = d.skip(1)
		}
		if err != nil {
			return err
		}
	}
}
