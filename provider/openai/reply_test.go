package openai

import (
	"encoding/json"
	"reflect"
	"testing"
)

// replySeeds are replies as servers send them, and the odd shapes the
// decoder must treat as encoding/json does.
var replySeeds = []string{
	`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Yes."},"finish_reason":"stop","logprobs":{"content":[{"token":"Yes","logprob":-0.05,"bytes":[89,101,115],"top_logprobs":[{"token":"Yes","logprob":-0.05,"bytes":null},{"token":"No","logprob":-3.0,"bytes":null}]}]}}],"usage":{"prompt_tokens":120,"completion_tokens":2,"total_tokens":122}}`,
	`{"choices":[{"message":{"content":null,"refusal":"I can't help with that."},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":5,"completion_tokens":7}}`,
	`{"choices":[{"message":{"content":"Ja \u00e9motion \ud83d\ude00 \"q\" \\ \/"},"finish_reason":"length"},{"message":{"content":"second"}}]}`,
	`{"choices":[]}`, `{}`, `null`, ` {"choices":null,"usage":null} `,
	`{"CHOICES":[{"Message":{"CONTENT":"folded"}}],"Usage":{"Prompt_Tokens":3}}`,
	`{"choices":[{"message":{"content":"a"}}],"choices":[{"finish_reason":"b"}]}`,
	`{"choices":[{"logprobs":{"content":[{"token":"x","top_logprobs":[{"token":"y","logprob":1e-3}]}]}}]}`,
	`{"choices":[{"logprobs":{"content":[]}}]}`,
	"{\"choices\":[{\"message\":{\"content\":\"bad \xff utf8\"}}]}",
	`{"usage":{"prompt_tokens":1.5}}`, `{"usage":{"prompt_tokens":"12"}}`, `{"choices":{}}`,
	`{"choices":[{"message":{"content":5}}]}`, `{"choices":[1]}`, `[]`, `"x"`, `{"a":[1,2,{"b":null}],"c":true,"d":-0.5e+10}`,
	`{"choices":[{"message":{"content":"x"}}]} trailing`, `{"a":01}`, `{"a":1.}`, `{"a":"ctl` + "\x01" + `"}`, `{"a" 1}`, `{,}`, `{"a":[1,]}`,
	`{"usage":{"prompt_tokens":99999999999999999999}}`, `{"choices":[{"logprobs":{"content":[{"top_logprobs":[{"logprob":1e999}]}]}}]}`,
}

// viaStdlib decodes with encoding/json.
func viaStdlib(data []byte) (*chatReply, error) {
	var r chatReply
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func checkSame(t *testing.T, data []byte) {
	t.Helper()
	want, werr := viaStdlib(data)
	got, gerr := decodeReply(data)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("%q: encoding/json error %v, decodeReply error %v", data, werr, gerr)
	}
	if werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n decodeReply %+v\n encoding/json %+v", data, got, want)
	}
}

func TestDecodeReplyMatchesEncodingJSON(t *testing.T) {
	for _, s := range replySeeds {
		checkSame(t, []byte(s))
	}
}

func FuzzDecodeReply(f *testing.F) {
	for _, s := range replySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkSame(t, data) })
}

func BenchmarkDecodeReply(b *testing.B) {
	data := []byte(replySeeds[0])
	b.Run("decodeReply", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeReply(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r chatReply
			if err := json.Unmarshal(data, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
