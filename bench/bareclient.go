package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/emohallucer/emohallucer/provider/h1"
)

// bareClientCmd is the ceiling each throughput point is compared with: a
// client that does nothing but send chat-completion requests and read the
// replies, over the HTTP stack emohallucer uses for local servers (package
// h1), as its own process. What it reaches is what the machine, the server and
// HTTP allow at that point; what emohallucer loses on top of it is the cost of
// everything a harness does (prompts, cache, records, scoring, progress).
func bareClientCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bare-client", flag.ContinueOnError)
	base := fs.String("url", "", "base URL of the server (http://127.0.0.1:PORT/v1)")
	conc := fs.Int("c", 8, "requests in flight")
	n := fs.Int("n", 1000, "requests to send")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*base + "/chat/completions")
	if err != nil || *n < 1 || *conc < 1 {
		return fmt.Errorf("bare-client: give -url, -c ≥ 1 and -n ≥ 1")
	}
	tr := &h1.Transport{}
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var body []byte
			for {
				i := next.Add(1)
				if i > int64(*n) || ctx.Err() != nil {
					return
				}
				body = bareRequest(body[:0], i)
				if err := bareCall(ctx, tr, u, body); err != nil {
					failed.Add(1)
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("bare-client: %d of %d requests failed, first: %w", f, *n, firstErr)
	}
	return nil
}

// bareRequest is a request the size of a direct-strategy question about a
// passage (about 700 bytes), numbered so that answers vary like real ones.
func bareRequest(dst []byte, i int64) []byte {
	dst = append(dst, `{"model":"bench","messages":[{"role":"system","content":"You answer questions about emotions with yes or no."},{"role":"user","content":[{"type":"text","text":"Passage: Entry `...)
	dst = strconv.AppendInt(dst, i, 10)
	dst = append(dst, `. Yesterday Chen found an old friend's note. Chen kept thinking about it while finishing the marathon, and said that it felt like pride, though the day had started with worry about the weather and the long drive to the start line, where the crowd was already loud.\n\nQuestion: Does the passage express pride? Answer yes or no."}]}],"temperature":0,"max_tokens":8,"logprobs":true,"top_logprobs":10}`...)
	return dst
}

func bareCall(ctx context.Context, tr *h1.Transport, u *url.URL, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header["Content-Type"] = []string{"application/json"}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}
