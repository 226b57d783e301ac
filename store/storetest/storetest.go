// Package storetest is the conformance suite every emohallucer.Store runs: the
// SQLite store now, a PostgreSQL store later. A store package calls Run from its
// own test with a function that opens a fresh, empty store (and, for Reopen
// checks, the same store again):
//
//	func TestConformance(t *testing.T) {
//		dir := t.TempDir()
//		storetest.Run(t, func(t *testing.T, name string) emohallucer.Store {
//			s, err := sqlite.Open(ctx, filepath.Join(dir, name+".db"))
//			…
//		})
//	}
//
// Opening the same name twice must give the same data: that is how the suite
// checks durability across a close.
package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// Opener opens the store called name; opening the same name again after Close
// must see what was saved.
type Opener func(t *testing.T, name string) eh.Store

// RecordStore is the optional part of a store that keeps run records.
type RecordStore interface {
	SaveRecord(ctx context.Context, r *eh.Record) error
	Records(ctx context.Context, run string, fn func(*eh.Record) error) error
}

// Run runs every check against stores from open.
func Run(t *testing.T, open Opener) {
	t.Run("LookupMissing", func(t *testing.T) { testLookupMissing(t, open) })
	t.Run("SaveLookup", func(t *testing.T) { testSaveLookup(t, open) })
	t.Run("SaveReplaces", func(t *testing.T) { testSaveReplaces(t, open) })
	t.Run("Reopen", func(t *testing.T) { testReopen(t, open) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open) })
	t.Run("ErrEmptyKey", func(t *testing.T) { testEmptyKey(t, open) })
	t.Run("Records", func(t *testing.T) { testRecords(t, open) })
}

func prob(p float64) *float64 { return &p }

// sample is a response using every field that must survive a round trip,
// including text that is not plain ASCII.
func sample(i int) *eh.Response {
	return &eh.Response{
		Text:         fmt.Sprintf("Yes — l'émotion №%d 😀 <b>&</b>\n", i),
		Usage:        eh.Usage{PromptTokens: 100 + i, CompletionTokens: 3},
		YesProb:      prob(0.25 + float64(i%2)/2),
		FinishReason: "stop",
		LatencyMS:    12.5,
	}
}

func testLookupMissing(t *testing.T, open Opener) {
	s := open(t, "missing")
	defer s.Close()
	r, ok, err := s.LookupResponse(context.Background(), "absent")
	if err != nil || ok || r != nil {
		t.Fatalf("LookupResponse(absent) = %v, %v, %v; want nil, false, nil", r, ok, err)
	}
}

func testSaveLookup(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, "savelookup")
	defer s.Close()
	for i := range 3 {
		if err := s.SaveResponse(ctx, fmt.Sprintf("k%d", i), sample(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		got, ok, err := s.LookupResponse(ctx, fmt.Sprintf("k%d", i))
		if err != nil || !ok {
			t.Fatalf("k%d: ok=%v err=%v", i, ok, err)
		}
		if !reflect.DeepEqual(got, sample(i)) {
			t.Errorf("k%d: got %+v, want %+v", i, got, sample(i))
		}
		if got.Cached {
			t.Errorf("k%d: the store must not set Cached; the cache decorator does", i)
		}
	}
}

func testSaveReplaces(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, "replace")
	defer s.Close()
	if err := s.SaveResponse(ctx, "k", sample(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveResponse(ctx, "k", sample(2)); err != nil {
		t.Fatalf("saving a key again must replace, not fail: %v", err)
	}
	got, _, err := s.LookupResponse(ctx, "k")
	if err != nil || !reflect.DeepEqual(got, sample(2)) {
		t.Fatalf("got %+v, %v; want the second save", got, err)
	}
}

func testReopen(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, "reopen")
	if err := s.SaveResponse(ctx, "durable", sample(7)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, "reopen")
	defer s.Close()
	got, ok, err := s.LookupResponse(ctx, "durable")
	if err != nil || !ok || !reflect.DeepEqual(got, sample(7)) {
		t.Fatalf("after reopen: %+v, %v, %v", got, ok, err)
	}
}

func testConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, "concurrent")
	defer s.Close()
	const workers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("w%d-%d", w, i)
				if err := s.SaveResponse(ctx, key, sample(i)); err != nil {
					errs <- err
					return
				}
				if _, ok, err := s.LookupResponse(ctx, key); err != nil || !ok {
					errs <- fmt.Errorf("%s: read back ok=%v err=%v", key, ok, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w := range workers {
		for i := range each {
			if _, ok, err := s.LookupResponse(ctx, fmt.Sprintf("w%d-%d", w, i)); err != nil || !ok {
				t.Fatalf("w%d-%d lost: ok=%v err=%v", w, i, ok, err)
			}
		}
	}
}

func testEmptyKey(t *testing.T, open Opener) {
	s := open(t, "emptykey")
	defer s.Close()
	err := s.SaveResponse(context.Background(), "", sample(1))
	if got := eh.ErrorCode(err); got != eh.EINVALID {
		t.Fatalf("SaveResponse with an empty key: code %q (%v), want %q", got, err, eh.EINVALID)
	}
}

func testRecords(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, "records")
	defer s.Close()
	rs, ok := s.(RecordStore)
	if !ok {
		t.Skip("store keeps no records")
	}
	p := &eh.Pair{ID: "p1", Dimension: eh.Knowledge, SubCategory: eh.Theory, Modality: eh.Text,
		Basic: eh.Question{Text: "b?", Gold: eh.Yes}, Hallucinated: eh.Question{Text: "h?", Gold: eh.No}}
	mk := func(run string, role eh.Role, a eh.Answer) *eh.Record {
		r := eh.NewRecord(run, "builtin", "m", "direct", p, role)
		r.Status, r.Answer = eh.StatusAnswered, a
		return r
	}
	for _, r := range []*eh.Record{
		mk("run-a", eh.Hallucinated, eh.AnswerYes),
		mk("run-a", eh.Basic, eh.AnswerNo),
		mk("run-b", eh.Basic, eh.AnswerYes),
		// Saved again: replaces the first hallucinated record of run-a.
		mk("run-a", eh.Hallucinated, eh.AnswerNo),
	} {
		if err := rs.SaveRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err := rs.Records(ctx, "run-a", func(r *eh.Record) error {
		got = append(got, r.Key()+"="+string(r.Answer))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"p1/basic=no", "p1/hallucinated=no"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("records of run-a: %v, want %v", got, want)
	}
	bad := mk("run-a", eh.Basic, eh.AnswerYes)
	bad.Run = ""
	if err := rs.SaveRecord(ctx, bad); eh.ErrorCode(err) != eh.EINVALID {
		t.Fatalf("SaveRecord of an invalid record: %v, want code %q", err, eh.EINVALID)
	}
}
