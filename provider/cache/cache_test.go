package cache_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/mock"
	"github.com/emohallucer/emohallucer/provider/cache"
)

type mapStore struct {
	mu      sync.Mutex
	m       map[string]*eh.Response
	saveErr error
}

func (s *mapStore) LookupResponse(_ context.Context, k string) (*eh.Response, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[k]
	if !ok {
		return nil, false, nil
	}
	c := *r
	return &c, true, nil
}

func (s *mapStore) SaveResponse(_ context.Context, k string, r *eh.Response) error {
	if s.saveErr != nil {
		return s.saveErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = r
	return nil
}

type counting struct {
	calls int
	caps  eh.Capabilities
	err   error
}

func (c *counting) Name() string                  { return "test:m" }
func (c *counting) Capabilities() eh.Capabilities { return c.caps }
func (c *counting) Generate(context.Context, *eh.Request) (*eh.Response, error) {
	c.calls++
	if c.err != nil {
		return nil, c.err
	}
	return &eh.Response{Text: "Yes", Usage: eh.Usage{PromptTokens: 7, CompletionTokens: 1}}, nil
}

func req() *eh.Request {
	return &eh.Request{Template: "direct.v1", Item: "pair p basic", Messages: []eh.Message{{Role: "user", Parts: []eh.Part{
		{Media: &eh.MediaFile{Kind: eh.Image, MIME: "image/png", SHA256: "aa", Path: "/suite/a.png"}},
		{Text: "Is the person happy?"},
	}}}}
}

func TestSecondCallIsServedFromStore(t *testing.T) {
	m := &counting{caps: eh.Capabilities{Identity: "openai:gpt@x"}}
	c := cache.New(m, &mapStore{m: map[string]*eh.Response{}})
	first, err := c.Generate(context.Background(), req())
	if err != nil || first.Cached {
		t.Fatalf("first: %+v, %v", first, err)
	}
	second, err := c.Generate(context.Background(), req())
	if err != nil || !second.Cached || second.Text != "Yes" || second.Usage != first.Usage {
		t.Fatalf("second: %+v, %v", second, err)
	}
	if m.calls != 1 || c.Stats().Hits.Load() != 1 || c.Stats().Misses.Load() != 1 {
		t.Fatalf("calls %d, hits %d, misses %d", m.calls, c.Stats().Hits.Load(), c.Stats().Misses.Load())
	}
}

func TestKey(t *testing.T) {
	base, err := cache.Key("openai:gpt@x", req())
	if err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name     string
		identity string
		edit     func(*eh.Request)
		same     bool
	}{
		// What must not change the key: the item label and the media's location.
		{name: "ItemIgnored", edit: func(r *eh.Request) { r.Item = "other" }, same: true},
		{name: "MediaPathIgnored", edit: func(r *eh.Request) { r.Messages[0].Parts[0].Media.Path = "/elsewhere/a.png" }, same: true},
		// What must change it: everything that can change the answer.
		{name: "Identity", identity: "openai:gpt@y"},
		{name: "Template", edit: func(r *eh.Request) { r.Template = "direct.v2" }},
		{name: "MediaDigest", edit: func(r *eh.Request) { r.Messages[0].Parts[0].Media.SHA256 = "bb" }},
		{name: "Text", edit: func(r *eh.Request) { r.Messages[0].Parts[1].Text += " " }},
		{name: "Temperature", edit: func(r *eh.Request) { r.Temperature = f(0) }},
		{name: "Sample", edit: func(r *eh.Request) { r.Sample = 1 }},
		{name: "System", edit: func(r *eh.Request) { r.System = "be brief" }},
		{name: "MaxTokens", edit: func(r *eh.Request) { r.MaxTokens = 4 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := req()
			if tt.edit != nil {
				tt.edit(r)
			}
			id := "openai:gpt@x"
			if tt.identity != "" {
				id = tt.identity
			}
			k, err := cache.Key(id, r)
			if err != nil {
				t.Fatal(err)
			}
			if (k == base) != tt.same {
				t.Fatalf("key equal to base = %v, want %v", k == base, tt.same)
			}
		})
	}
}

func TestErrorsAreNotCached(t *testing.T) {
	m := &counting{caps: eh.Capabilities{Identity: "x"}, err: errors.New("boom")}
	c := cache.New(m, &mapStore{m: map[string]*eh.Response{}})
	c.Generate(context.Background(), req())
	c.Generate(context.Background(), req())
	if m.calls != 2 {
		t.Fatalf("a failure was cached: %d calls", m.calls)
	}
}

func TestDeterministicBypasses(t *testing.T) {
	s := &mapStore{m: map[string]*eh.Response{}}
	m := &counting{caps: eh.Capabilities{Identity: "baseline:always-yes", Deterministic: true}}
	c := cache.New(m, s)
	c.Generate(context.Background(), req())
	if len(s.m) != 0 {
		t.Fatal("a deterministic model's answer was stored")
	}
}

func TestSaveErrorStillAnswers(t *testing.T) {
	m := &counting{caps: eh.Capabilities{Identity: "x"}}
	c := cache.New(m, &mapStore{m: map[string]*eh.Response{}, saveErr: errors.New("disk full")})
	var told error
	c.OnSaveError = func(_ string, err error) { told = err }
	resp, err := c.Generate(context.Background(), req())
	if err != nil || resp.Text != "Yes" {
		t.Fatalf("a paid answer was lost to a save error: %+v, %v", resp, err)
	}
	if told == nil || c.Stats().SaveErrors.Load() != 1 {
		t.Fatal("the save error was not reported")
	}
}

// TestConcurrentIdenticalRequestsShareOneCall: requests that are in flight at
// the same time with the same key make one model call.
func TestConcurrentIdenticalRequestsShareOneCall(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	slow := &mock.Model{NameFn: func() string { return "m" }, CapabilitiesFn: func() eh.Capabilities { return eh.Capabilities{Identity: "m"} },
		GenerateFn: func(ctx context.Context, req *eh.Request) (*eh.Response, error) {
			calls.Add(1)
			<-release
			return &eh.Response{Text: "Yes"}, nil
		}}
	c := cache.New(slow, &mapStore{m: map[string]*eh.Response{}})
	req := &eh.Request{Template: "t", Messages: []eh.Message{eh.UserText("same")}}
	var wg sync.WaitGroup
	cached := atomic.Int64{}
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Generate(context.Background(), req)
			if err != nil || resp.Text != "Yes" {
				t.Errorf("got %v, %v", resp, err)
			}
			if resp != nil && resp.Cached {
				cached.Add(1)
			}
		}()
	}
	for c.Stats().Misses.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others reach the wait
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("%d model calls for 5 identical concurrent requests, want 1", calls.Load())
	}
	if cached.Load() != 4 {
		t.Fatalf("%d answers marked cached, want 4", cached.Load())
	}
}
