package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/store/sqlite"
)

// TestConcurrentSavesAreAllCommitted saves from many goroutines at once, which
// is how a run at high concurrency uses the cache: saves that arrive together
// share a commit, and each must be readable — also from a second handle on the
// file — once SaveResponse has returned.
func TestConcurrentSavesAreAllCommitted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.SaveResponse(ctx, fmt.Sprintf("key-%03d", i), &eh.Response{Text: fmt.Sprintf("answer %d", i)})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("save: %v", err)
		}
	}
	other, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for i := range n {
		r, ok, err := other.LookupResponse(ctx, fmt.Sprintf("key-%03d", i))
		if err != nil || !ok || r.Text != fmt.Sprintf("answer %d", i) {
			t.Fatalf("key-%03d: got %+v, %v, %v", i, r, ok, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}
