package anthropic_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
	"github.com/emohallucer/emohallucer/internal/fuzzcheck/fuzzreply"
	"github.com/emohallucer/emohallucer/provider/anthropic"
	"github.com/emohallucer/emohallucer/provider/prep"
)

// messageSeeds are Messages API replies as the API sends them (text, tool use,
// thinking, refusals, cache usage, errors), and broken ones.
var messageSeeds = []string{
	`{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Yes."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1520,"output_tokens":2}}`,
	`{"id":"msg_2","type":"message","role":"assistant","content":[{"type":"thinking","thinking":"The face shows...","signature":"abc"},{"type":"text","text":"No"},{"type":"text","text":", not angry."}],"stop_reason":"max_tokens","usage":{"input_tokens":10,"output_tokens":64,"cache_read_input_tokens":900,"cache_creation_input_tokens":30}}`,
	`{"id":"msg_3","type":"message","role":"assistant","content":[],"stop_reason":"refusal","usage":{"input_tokens":12,"output_tokens":0}}`,
	`{"id":"msg_4","type":"message","content":[{"type":"tool_use","id":"t","name":"n","input":{}},{"type":"text","text":"Ja \u00e9motion \ud83d\ude00"}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}}`,
	`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
	`{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key sk-fuzz-anthropic-secret"}}`,
	`{"content":[{"type":"text","text":5}]}`, `{"content":{}}`, `{"usage":{"input_tokens":"12"}}`, `{"content":[{"type":"text","text":"bad \xff"}]}`,
	`{}`, `null`, `[]`, ``, `{"content":[{"type":"text","text":"x"}]} trailing`, `{"content":[{"type":"text"`, "<html>502 Bad Gateway</html>",
	`{"usage":{"input_tokens":9223372036854775807,"cache_read_input_tokens":9223372036854775807}}`,
}

const secret = "sk-fuzz-anthropic-secret"

// expected reads the part of a Messages reply Generate uses with encoding/json,
// by exact key (encoding/json matches struct fields case-insensitively, the
// SDK does not); ok is false when a field has another type than the API's or
// the reply is ambiguous (fuzzcheck.Object).
func expected(body []byte) (text, stop string, prompt, completion int, ok bool) {
	v, ok := fuzzcheck.Object(body, "content", "type", "text", "stop_reason", "usage",
		"input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
	if !ok {
		return "", "", 0, 0, false
	}
	var b strings.Builder
	blocks, ok := fuzzcheck.Field[[]any](v, "content")
	for _, x := range blocks {
		blk, isObj := x.(map[string]any)
		typ, ok1 := fuzzcheck.Field[string](blk, "type")
		t, ok2 := fuzzcheck.Field[string](blk, "text")
		ok = ok && isObj && ok1 && ok2
		if typ == "text" {
			b.WriteString(t)
		}
	}
	stop, ok3 := fuzzcheck.Field[string](v, "stop_reason")
	usage, ok4 := fuzzcheck.Field[map[string]any](v, "usage")
	var n [4]int64
	for i, k := range []string{"input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "output_tokens"} {
		num, ok5 := fuzzcheck.Field[json.Number](usage, k)
		var err error
		if num != "" {
			n[i], err = num.Int64()
		}
		ok = ok && ok5 && err == nil
	}
	return b.String(), stop, int(n[0] + n[1] + n[2]), int(n[3]), ok && ok3 && ok4
}

// FuzzGenerateReply sends one question to a loopback server answering with
// the fuzz input, through the SDK and Generate: any reply gives a response
// with bounded, valid text or a classified error free of the key; a reply that
// encoding/json reads gives the same text, usage and stop reason.
func FuzzGenerateReply(f *testing.F) {
	f.Setenv("ANTHROPIC_API_KEY", secret)
	srv := fuzzreply.NewReplies(f)
	c, err := anthropic.New(anthropic.ConfigFromSpec("claude-fuzz", srv.URL))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range messageSeeds {
		f.Add([]byte(s), uint8(0))
	}
	f.Add([]byte(messageSeeds[4]), uint8(12))
	f.Add([]byte(messageSeeds[5]), uint8(6))
	f.Fuzz(func(t *testing.T, body []byte, pick uint8) {
		defer fuzzcheck.Watch(body)()
		resp := fuzzreply.Generate(t, c, srv, body, pick, secret)
		if resp == nil {
			return
		}
		text, stop, prompt, completion, ok := expected(body)
		if !ok {
			return // not the API's shape: the SDK may read it its own way
		}
		if resp.Text != prep.BoundText(text) || resp.FinishReason != stop ||
			resp.Usage.PromptTokens != prompt || resp.Usage.CompletionTokens != completion {
			t.Fatalf("%q:\n got  %q %q %+v\n want %q %q prompt %d completion %d", body, resp.Text, resp.FinishReason, resp.Usage,
				prep.BoundText(text), stop, prompt, completion)
		}
	})
}
