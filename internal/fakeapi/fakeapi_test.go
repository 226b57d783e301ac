package fakeapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func post(t *testing.T, url, body string) (int, []byte, error) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func TestWireFormats(t *testing.T) {
	srv := New(Config{Answer: func(r *Request) string { return "No: " + r.LastText() }})
	defer srv.Close()
	tests := []struct {
		name, path, body string
		api              API
		wantText         string // JSON path checked by decoding below
	}{
		{"OpenAI", "/v1/chat/completions", `{"model":"m","messages":[{"role":"system","content":"sys"},{"role":"user","content":[{"type":"text","text":"hi"}]}],"seed":3}`, OpenAI, "No: hi"},
		{"Anthropic", "/v1/messages", `{"model":"m","max_tokens":5,"system":"sys","messages":[{"role":"user","content":"hi"}]}`, Anthropic, "No: hi"},
		{"Gemini", "/v1beta/models/m:generateContent", `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"systemInstruction":{"parts":[{"text":"sys"}]}}`, Gemini, "No: hi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, err := post(t, srv.URL+tt.path, tt.body)
			if err != nil || status != 200 {
				t.Fatalf("status %d %s %v", status, body, err)
			}
			var v struct {
				Choices []struct {
					Message struct{ Content string }
				}
				Content    []struct{ Text string }
				Candidates []struct {
					Content struct{ Parts []struct{ Text string } }
				}
			}
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			var text string
			switch tt.api {
			case OpenAI:
				text = v.Choices[0].Message.Content
			case Anthropic:
				text = v.Content[0].Text
			case Gemini:
				text = v.Candidates[0].Content.Parts[0].Text
			}
			if text != tt.wantText {
				t.Errorf("text %q", text)
			}
			last := srv.Last()
			if last.API != tt.api || last.Model != "m" || last.System != "sys" {
				t.Errorf("parsed %+v", last)
			}
		})
	}
	// A malformed request is refused like a real API would.
	if status, _, _ := post(t, srv.URL+"/v1/chat/completions", `{"messages":[]}`); status != 400 {
		t.Errorf("missing model: status %d", status)
	}
	if status, _, _ := post(t, srv.URL+"/nowhere", `{}`); status != 404 {
		t.Errorf("unknown path: status %d", status)
	}
}

// TestDeterministicFaults sends the same set of bodies concurrently to two
// servers with the same seed, in different orders, and expects the same faults
// per body.
func TestDeterministicFaults(t *testing.T) {
	rates := map[Fault]float64{FaultServerError: 0.3, FaultRateLimit: 0.2}
	run := func(reverse bool) map[string]int {
		srv := New(Config{Seed: 42, Rates: rates})
		defer srv.Close()
		out := map[string]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := 0; i < 60; i++ {
			k := i
			if reverse {
				k = 59 - i
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := fmt.Sprintf(`{"model":"m","messages":[{"role":"user","content":"q%d"}]}`, k)
				status, _, err := post(t, srv.URL+"/v1/chat/completions", body)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				out[body] = status
				mu.Unlock()
			}()
		}
		wg.Wait()
		c := srv.Counts()
		if srv.Received() != 60 || c[FaultNone]+c[FaultServerError]+c[FaultRateLimit] != 60 {
			t.Errorf("received %d, counts %v", srv.Received(), c)
		}
		if c[FaultServerError] == 0 || c[FaultRateLimit] == 0 || c[FaultNone] == 0 {
			t.Errorf("counts %v: every outcome should occur in 60 draws", c)
		}
		return out
	}
	a, b := run(false), run(true)
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s: %d then %d", k, v, b[k])
		}
	}
}

func TestScriptAndRetryAfter(t *testing.T) {
	srv := New(Config{Script: []Fault{FaultRateLimit, FaultServerError}, RetryAfter: "3"})
	defer srv.Close()
	body := `{"model":"m","messages":[{"role":"user","content":"q"}]}`
	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("first: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for _, want := range []int{500, 200, 200} {
		if status, _, _ := post(t, srv.URL+"/v1/chat/completions", body); status != want {
			t.Errorf("status %d, want %d", status, want)
		}
	}
	if srv.Served(FaultRateLimit) != 1 || srv.Served(FaultServerError) != 1 || srv.Served(FaultNone) != 2 {
		t.Errorf("counts %v", srv.Counts())
	}
}

func TestDropKindsAndTokens(t *testing.T) {
	img := "data:image/png;base64,iVBORw0KGgo="
	body := `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"` + img + `"}},{"type":"text","text":"q"}]}]}`
	usage := func(cfg Config) int {
		srv := New(cfg)
		defer srv.Close()
		_, b, err := post(t, srv.URL+"/v1/chat/completions", body)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Usage struct {
				PromptTokens int `json:"prompt_tokens"`
			}
		}
		json.Unmarshal(b, &v)
		return v.Usage.PromptTokens
	}
	with, without := usage(Config{}), usage(Config{DropKinds: []string{"image"}})
	if with-without != 85 {
		t.Errorf("image costs %d tokens, want 85", with-without)
	}
}

func TestNonUTF8AndMalformed(t *testing.T) {
	srv := New(Config{Script: []Fault{FaultNonUTF8, FaultMalformed}})
	defer srv.Close()
	body := `{"model":"m","messages":[{"role":"user","content":"q"}]}`
	_, b, _ := post(t, srv.URL+"/v1/chat/completions", body)
	if !bytes.Contains(b, []byte{0xff, 0xfe}) {
		t.Errorf("non-UTF-8 bytes missing from %q", b)
	}
	_, b, _ = post(t, srv.URL+"/v1/chat/completions", body)
	if json.Valid(b) {
		t.Errorf("malformed body is valid JSON: %s", b)
	}
}
