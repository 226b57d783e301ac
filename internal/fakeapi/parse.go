package fakeapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// parse decodes a request body of the given API into a Request. It returns the
// Request (as far as it got) and an error for bodies a real API would refuse.
func parse(api API, r *http.Request, body []byte) (*Request, error) {
	req := &Request{API: api, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	var err error
	switch api {
	case OpenAI:
		err = parseOpenAI(req, body)
	case Anthropic:
		err = parseAnthropic(req, body)
	case Gemini:
		err = parseGemini(req, r.URL.Path, body)
	}
	return req, err
}

// decodeDataURI splits "data:MIME;base64,DATA".
func decodeDataURI(u string) (string, []byte, error) {
	rest, ok := strings.CutPrefix(u, "data:")
	if !ok {
		return "", nil, nil
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return "", nil, errors.New("data URI is not base64")
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return "", nil, fmt.Errorf("data URI: %w", err)
	}
	return strings.TrimSuffix(meta, ";base64"), b, nil
}

func parseOpenAI(req *Request, body []byte) error {
	var v struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		Temperature         *float64 `json:"temperature"`
		TopP                *float64 `json:"top_p"`
		Seed                *int64   `json:"seed"`
		MaxTokens           int      `json:"max_tokens"`
		MaxCompletionTokens int      `json:"max_completion_tokens"`
		Logprobs            bool     `json:"logprobs"`
		TopLogprobs         int      `json:"top_logprobs"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	req.Model, req.Temperature, req.TopP, req.Seed = v.Model, v.Temperature, v.TopP, v.Seed
	req.MaxTokens = max(v.MaxTokens, v.MaxCompletionTokens)
	req.Logprobs, req.TopLogprobs = v.Logprobs, v.TopLogprobs
	if v.Model == "" {
		return errors.New("missing model")
	}
	if len(v.Messages) == 0 {
		return errors.New("missing messages")
	}
	for _, m := range v.Messages {
		var s string
		if json.Unmarshal(m.Content, &s) == nil {
			if m.Role == "system" || m.Role == "developer" {
				req.System += s
				continue
			}
			req.Messages = append(req.Messages, Message{Role: m.Role, Text: s})
			continue
		}
		var parts []struct {
			Type     string `json:"type"`
			Text     string `json:"text"`
			ImageURL struct {
				URL string `json:"url"`
			} `json:"image_url"`
			VideoURL struct {
				URL string `json:"url"`
			} `json:"video_url"`
			InputAudio struct {
				Data   string `json:"data"`
				Format string `json:"format"`
			} `json:"input_audio"`
		}
		if err := json.Unmarshal(m.Content, &parts); err != nil {
			return fmt.Errorf("message content is neither a string nor parts: %w", err)
		}
		msg := Message{Role: m.Role}
		var texts []string
		for _, p := range parts {
			switch p.Type {
			case "text":
				texts = append(texts, p.Text)
			case "image_url", "video_url":
				u, kind := p.ImageURL.URL, "image"
				if p.Type == "video_url" {
					u, kind = p.VideoURL.URL, "video"
				}
				mime, data, err := decodeDataURI(u)
				if err != nil {
					return err
				}
				msg.Media = append(msg.Media, Media{Kind: kind, MIME: mime, Data: data, URL: u})
			case "input_audio":
				data, err := base64.StdEncoding.DecodeString(p.InputAudio.Data)
				if err != nil {
					return fmt.Errorf("input_audio data: %w", err)
				}
				if p.InputAudio.Format != "wav" && p.InputAudio.Format != "mp3" {
					return fmt.Errorf("input_audio format %q is not wav or mp3", p.InputAudio.Format)
				}
				msg.Media = append(msg.Media, Media{Kind: "audio", MIME: "audio/" + p.InputAudio.Format, Format: p.InputAudio.Format, Data: data})
			default:
				return fmt.Errorf("unknown content part type %q", p.Type)
			}
		}
		msg.Text = strings.Join(texts, "\n")
		if m.Role == "system" || m.Role == "developer" {
			req.System += msg.Text
			continue
		}
		req.Messages = append(req.Messages, msg)
	}
	return nil
}

func parseAnthropic(req *Request, body []byte) error {
	var v struct {
		Model       string          `json:"model"`
		MaxTokens   int             `json:"max_tokens"`
		System      json.RawMessage `json:"system"`
		Temperature *float64        `json:"temperature"`
		TopP        *float64        `json:"top_p"`
		Messages    []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	req.Model, req.MaxTokens, req.Temperature, req.TopP = v.Model, v.MaxTokens, v.Temperature, v.TopP
	if len(v.System) > 0 {
		var s string
		var blocks []struct {
			Text string `json:"text"`
		}
		if json.Unmarshal(v.System, &s) == nil {
			req.System = s
		} else if json.Unmarshal(v.System, &blocks) == nil {
			for _, b := range blocks {
				req.System += b.Text
			}
		}
	}
	switch {
	case v.Model == "":
		return errors.New("model: Field required")
	case v.MaxTokens <= 0:
		return errors.New("max_tokens: Field required")
	case len(v.Messages) == 0:
		return errors.New("messages: Field required")
	}
	for _, m := range v.Messages {
		var s string
		if json.Unmarshal(m.Content, &s) == nil {
			req.Messages = append(req.Messages, Message{Role: m.Role, Text: s})
			continue
		}
		var blocks []struct {
			Type   string `json:"type"`
			Text   string `json:"text"`
			Source struct {
				Type      string `json:"type"`
				MediaType string `json:"media_type"`
				Data      string `json:"data"`
			} `json:"source"`
		}
		if err := json.Unmarshal(m.Content, &blocks); err != nil {
			return fmt.Errorf("content: %w", err)
		}
		msg := Message{Role: m.Role}
		var texts []string
		for _, b := range blocks {
			switch b.Type {
			case "text":
				texts = append(texts, b.Text)
			case "image":
				if b.Source.Type != "base64" {
					return fmt.Errorf("image source type %q not supported here", b.Source.Type)
				}
				data, err := base64.StdEncoding.DecodeString(b.Source.Data)
				if err != nil {
					return fmt.Errorf("image data: %w", err)
				}
				msg.Media = append(msg.Media, Media{Kind: "image", MIME: b.Source.MediaType, Data: data})
			default:
				return fmt.Errorf("unknown content block type %q", b.Type)
			}
		}
		msg.Text = strings.Join(texts, "\n")
		req.Messages = append(req.Messages, msg)
	}
	return nil
}

func parseGemini(req *Request, path string, body []byte) error {
	i := strings.Index(path, "/models/")
	req.Model = strings.TrimSuffix(path[i+len("/models/"):], ":generateContent")
	type part struct {
		Text       string `json:"text"`
		InlineData *struct {
			MIMEType string `json:"mimeType"`
			Data     string `json:"data"`
		} `json:"inlineData"`
	}
	var v struct {
		Contents []struct {
			Role  string `json:"role"`
			Parts []part `json:"parts"`
		} `json:"contents"`
		SystemInstruction *struct {
			Parts []part `json:"parts"`
		} `json:"systemInstruction"`
		GenerationConfig struct {
			Temperature      *float64 `json:"temperature"`
			TopP             *float64 `json:"topP"`
			Seed             *int64   `json:"seed"`
			MaxOutputTokens  int      `json:"maxOutputTokens"`
			ResponseLogprobs bool     `json:"responseLogprobs"`
			Logprobs         int      `json:"logprobs"`
		} `json:"generationConfig"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	g := v.GenerationConfig
	req.Temperature, req.TopP, req.Seed, req.MaxTokens = g.Temperature, g.TopP, g.Seed, g.MaxOutputTokens
	req.Logprobs, req.TopLogprobs = g.ResponseLogprobs, g.Logprobs
	if v.SystemInstruction != nil {
		for _, p := range v.SystemInstruction.Parts {
			req.System += p.Text
		}
	}
	if len(v.Contents) == 0 {
		return errors.New("contents is not specified")
	}
	for _, c := range v.Contents {
		msg := Message{Role: c.Role}
		var texts []string
		for _, p := range c.Parts {
			if p.InlineData != nil {
				data, err := base64.StdEncoding.DecodeString(p.InlineData.Data)
				if err != nil {
					return fmt.Errorf("inlineData: %w", err)
				}
				kind, _, _ := strings.Cut(p.InlineData.MIMEType, "/")
				msg.Media = append(msg.Media, Media{Kind: kind, MIME: p.InlineData.MIMEType, Data: data})
				continue
			}
			texts = append(texts, p.Text)
		}
		msg.Text = strings.Join(texts, "\n")
		req.Messages = append(req.Messages, msg)
	}
	return nil
}
