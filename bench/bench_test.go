package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/suite"
)

// These tests are quick smoke checks of the bench's own parts; the
// measurements themselves run only through `go run ./bench`.

func TestSyntheticSuiteIsValidAndDeterministic(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSuite(dir, 300, 1); err != nil {
		t.Fatal(err)
	}
	s, err := suite.Read(dir, suite.Options{})
	if err != nil {
		t.Fatalf("generated suite does not validate: %v", err)
	}
	if len(s.Pairs) != 300 {
		t.Fatalf("got %d pairs, want 300", len(s.Pairs))
	}
	st := suite.Count(s)
	if st.ByDimension["knowledge"] == 0 || st.ByDimension["perception"] == 0 {
		t.Errorf("want both dimensions, got %v", st.ByDimension)
	}
	a, b := SyntheticPairs(50, 7), SyntheticPairs(50, 7)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("same size and seed gave different suites")
	}
}

func TestGeneratedRecordsDecode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "records.jsonl")
	if err := WriteRecords(path, 20, 1); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := record.ReadPaths([]string{path}, nil, func(r *eh.Record) error {
		n++
		if r.Status != eh.StatusAnswered || len(r.Steps) != 1 || r.Steps[0].Prompt == nil {
			t.Errorf("record %s: want an answered record with its prompt, got %+v", r.Key(), r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 40 {
		t.Errorf("decoded %d records, want 40", n)
	}
}

func TestParseLatency(t *testing.T) {
	tests := []struct {
		in   string
		mean time.Duration
		bad  bool
	}{
		// a bare duration is fixed
		{in: "20ms", mean: 20 * time.Millisecond},
		{in: "fixed:200ms", mean: 200 * time.Millisecond},
		{in: "uniform:10ms-30ms", mean: 20 * time.Millisecond},
		{in: "exp:5ms", mean: 5 * time.Millisecond},
		// sigma 0 degenerates to the median
		{in: "lognormal:20ms:0", mean: 20 * time.Millisecond},
		// sad: reversed bounds, unknown kind, missing sigma
		{in: "uniform:30ms-10ms", bad: true},
		{in: "pareto:1ms", bad: true},
		{in: "lognormal:20ms", bad: true},
	}
	for _, tt := range tests {
		l, err := ParseLatency(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("ParseLatency(%q) error = %v, want error %v", tt.in, err, tt.bad)
			continue
		}
		if !tt.bad && l.Mean() != tt.mean {
			t.Errorf("ParseLatency(%q).Mean() = %s, want %s", tt.in, l.Mean(), tt.mean)
		}
	}
}

func TestServerAnswersChatCompletions(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &Server{Latency: Latency{Kind: "fixed"}, Seed: 1}
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	body := `{"model":"bench","messages":[{"role":"user","content":"Question: is this a test?"}]}`
	for i := 0; i < 2; i++ {
		resp, err := http.Post(srv.URL()+"/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out struct {
			Choices []struct {
				Message struct{ Content string } `json:"message"`
			} `json:"choices"`
		}
		if err := json.Unmarshal(b, &out); err != nil || len(out.Choices) != 1 {
			t.Fatalf("reply %s: %v", b, err)
		}
		if c := out.Choices[0].Message.Content; c != "Yes." && c != "No." {
			t.Errorf("answer %q, want Yes. or No.", c)
		}
	}
	resp, err := http.Post(srv.URL()+"/chat/completions", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty request: status %d, want 400", resp.StatusCode)
	}
	if st := srv.Stats(); st.Requests != 3 || st.Bad != 1 {
		t.Errorf("stats %+v, want 3 requests, 1 bad", st)
	}
}

func TestPromptfooConfigHasOneTestPerQuestion(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSuite(dir, 5, 1); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pf.yaml")
	n, err := WritePromptfooConfig(path, dir, "http://127.0.0.1:1/v1")
	if err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Fatalf("%d tests, want 10", n)
	}
	var cfg pfConfig
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Tests) != 10 || !strings.Contains(cfg.Tests[0].Vars["prompt"], "Answer with a single word") {
		t.Errorf("config tests do not carry the direct prompt: %+v", cfg.Tests[0])
	}
	if cfg.Tests[0].Assert[0].Value != "yes" || cfg.Tests[1].Assert[0].Value != "no" {
		t.Errorf("asserts do not follow the gold answers: %+v %+v", cfg.Tests[0].Assert, cfg.Tests[1].Assert)
	}
}
