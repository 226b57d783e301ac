package openai

import (
	"encoding/json"
	"fmt"

	"github.com/emohallucer/emohallucer/provider/prep"
)

// chatRequest is the body of POST /chat/completions: the fields Generate sends.
// Optional fields are pointers or omitted when zero, so that servers apply their
// own defaults for what a request does not set.
type chatRequest struct {
	Model               string        `json:"model"`
	Messages            []chatMessage `json:"messages"`
	Temperature         *float64      `json:"temperature,omitempty"`
	TopP                *float64      `json:"top_p,omitempty"`
	Seed                *int64        `json:"seed,omitempty"`
	MaxTokens           int           `json:"max_tokens,omitempty"`
	MaxCompletionTokens int           `json:"max_completion_tokens,omitempty"`
	Logprobs            bool          `json:"logprobs,omitempty"`
	TopLogprobs         int           `json:"top_logprobs,omitempty"`
}

// chatMessage's Content is a string (system and assistant turns) or a list of
// contentPart (user turns, which may carry media).
type chatMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

// contentPart is one part of a user turn: text, image_url (images and video
// frames as data: URIs), input_audio (base64 with its format) or vLLM's
// video_url.
type contentPart struct {
	Type string `json:"type"`
	// Text is a pointer so that an empty text part still sends "text":"".
	Text       *string     `json:"text,omitempty"`
	ImageURL   *urlRef     `json:"image_url,omitempty"`
	InputAudio *inputAudio `json:"input_audio,omitempty"`
	VideoURL   *urlRef     `json:"video_url,omitempty"`
}

type urlRef struct {
	URL string `json:"url"`
}

type inputAudio struct {
	Data   string `json:"data"`
	Format string `json:"format"`
}

func textPart(s string) contentPart { return contentPart{Type: "text", Text: &s} }

func imagePart(b prep.Blob) contentPart {
	return contentPart{Type: "image_url", ImageURL: &urlRef{URL: b.DataURI()}}
}

func audioPart(b prep.Blob) contentPart {
	return contentPart{Type: "input_audio", InputAudio: &inputAudio{Data: b.Base64(), Format: b.Format}}
}

// mergeExtra sets the config's extra_body fields at the top level of a request
// body, replacing a field of the same name (a vendor parameter may override
// ours, as the config asked). Keys come out sorted, so the same request is the
// same bytes.
func mergeExtra(body []byte, extra map[string]any) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("merge extra_body: %w", err)
	}
	for k, v := range extra {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("extra_body %s: %w", k, err)
		}
		m[k] = raw
	}
	return json.Marshal(m)
}
