package gemini_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/internal/fuzzcheck"
	"github.com/emohallucer/emohallucer/internal/fuzzcheck/fuzzreply"
	"github.com/emohallucer/emohallucer/provider/gemini"
	"github.com/emohallucer/emohallucer/provider/prep"
)

// replySeeds are generateContent replies as the Gemini API sends them (text,
// thoughts, logprobs, a blocked prompt, safety stops, errors), and broken ones.
var replySeeds = []string{
	`{"candidates":[{"content":{"role":"model","parts":[{"text":"Yes."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":1290,"candidatesTokenCount":2,"totalTokenCount":1292},"modelVersion":"gemini-2.5-flash","responseId":"abc"}`,
	`{"candidates":[{"content":{"role":"model","parts":[{"text":"The face...","thought":true},{"text":"No"},{"text":", not angry."}]},"finishReason":"MAX_TOKENS","index":0,"logprobsResult":{"topCandidates":[{"candidates":[{"token":"No","logProbability":-0.1},{"token":"Yes","logProbability":-2.4}]}],"chosenCandidates":[{"token":"No","logProbability":-0.1}]}}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":3,"thoughtsTokenCount":120}}`,
	`{"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"HIGH"}]},"usageMetadata":{"promptTokenCount":8}}`,
	`{"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"MEDIUM"}]}]}`,
	`{"candidates":[null,{"content":{"parts":[{"text":"second"}]}}]}`, `{"candidates":[{"content":{"parts":[null,{"text":"Ja \u00e9motion \ud83d\ude00"}]}}]}`,
	`{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}`,
	`{"error":{"code":400,"message":"API key not valid. fuzz-gemini-secret","status":"INVALID_ARGUMENT"}}`,
	`{"candidates":[]}`, `{}`, `null`, `[]`, ``, `{"candidates":{}}`, `{"candidates":[{"content":{"parts":[{"text":5}]}}]}`,
	`{"usageMetadata":{"promptTokenCount":4294967296}}`, `{"candidates":[{"content":{"parts":[{"text":"bad \xff"}]}}]}`, "<html>503</html>",
}

const secret = "fuzz-gemini-secret"

// expected reads the part of a reply Generate uses with encoding/json, by exact
// key; ok is false when a field has another type than the API's or the reply
// is ambiguous (fuzzcheck.Object).
func expected(body []byte) (text, finish string, prompt, completion int, ok bool) {
	v, ok := fuzzcheck.Object(body, "candidates", "content", "parts", "thought", "text", "finishReason", "usageMetadata",
		"promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "promptFeedback", "blockReason")
	if !ok {
		return "", "", 0, 0, false
	}
	count := func(obj map[string]any, key string) int {
		n, isNum := fuzzcheck.Field[json.Number](obj, key)
		i, err := n.Int64()
		if n == "" {
			i, err = 0, nil
		}
		ok = ok && isNum && err == nil && i >= math.MinInt32 && i <= math.MaxInt32
		return int(i)
	}
	usage, ok1 := fuzzcheck.Field[map[string]any](v, "usageMetadata")
	prompt = count(usage, "promptTokenCount")
	completion = count(usage, "candidatesTokenCount") + count(usage, "thoughtsTokenCount")
	cands, ok2 := fuzzcheck.Field[[]any](v, "candidates")
	ok = ok && ok1 && ok2
	if len(cands) == 0 || cands[0] == nil {
		fb, ok3 := fuzzcheck.Field[map[string]any](v, "promptFeedback")
		reason, ok4 := fuzzcheck.Field[string](fb, "blockReason")
		finish = "no_candidates"
		if reason != "" {
			finish = "blocked:" + reason
		}
		return "", finish, prompt, completion, ok && ok3 && ok4
	}
	cand, ok3 := cands[0].(map[string]any)
	finish, ok4 := fuzzcheck.Field[string](cand, "finishReason")
	content, ok5 := fuzzcheck.Field[map[string]any](cand, "content")
	parts, ok6 := fuzzcheck.Field[[]any](content, "parts")
	ok = ok && ok3 && ok4 && ok5 && ok6
	var b strings.Builder
	for _, x := range parts {
		if x == nil {
			continue
		}
		p, isObj := x.(map[string]any)
		thought, ok7 := fuzzcheck.Field[bool](p, "thought")
		t, ok8 := fuzzcheck.Field[string](p, "text")
		ok = ok && isObj && ok7 && ok8
		if !thought {
			b.WriteString(t)
		}
	}
	return b.String(), finish, prompt, completion, ok
}

// FuzzGenerateReply sends one question to a loopback server answering with
// the fuzz input, through the genai SDK and Generate: any reply gives a
// response with bounded, valid text or a classified error free of the key; a
// reply that encoding/json reads gives the same text (thoughts left out),
// usage and finish reason, and a reply without candidates says why.
func FuzzGenerateReply(f *testing.F) {
	f.Setenv("GEMINI_API_KEY", secret)
	srv := fuzzreply.NewReplies(f)
	c, err := gemini.New(gemini.ConfigFromSpec("gemini-fuzz", srv.URL))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range replySeeds {
		f.Add([]byte(s), uint8(0))
	}
	f.Add([]byte(replySeeds[6]), uint8(10))
	f.Add([]byte(replySeeds[7]), uint8(5))
	f.Fuzz(func(t *testing.T, body []byte, pick uint8) {
		defer fuzzcheck.Watch(body)()
		resp := fuzzreply.Generate(t, c, srv, body, pick, secret)
		if resp == nil {
			return
		}
		text, finish, prompt, completion, ok := expected(body)
		if !ok {
			return // not the API's shape: the SDK may read it its own way
		}
		if resp.Text != prep.BoundText(text) || resp.FinishReason != finish ||
			resp.Usage.PromptTokens != prompt || resp.Usage.CompletionTokens != completion {
			t.Fatalf("%q:\n got  %q %q %+v\n want %q %q prompt %d completion %d", body, resp.Text, resp.FinishReason, resp.Usage,
				prep.BoundText(text), finish, prompt, completion)
		}
	})
}
