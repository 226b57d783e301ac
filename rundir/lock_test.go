package rundir

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestLock: a whole run excludes every other run of the folder; shards of
// different slices share it; the same slice twice does not; the refusal names
// the holder's process. flock locks belong to an open file, so one process
// holding two Locks conflicts with itself, as two processes would.
func TestLock(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name         string
		first, again string // shards ("" for a whole run)
		ok           bool   // the second lock is granted
	}{
		// Two whole runs: the second is refused.
		{"ErrWholeTwice", "", "", false},
		// Shards of different slices write side by side.
		{"OKOtherShard", "1/2", "2/2", true},
		// The same shard twice is refused.
		{"ErrSameShard", "1/2", "1/2", false},
		// A whole run and a shard exclude each other, either way round.
		{"ErrShardThenWhole", "1/2", "", false},
		{"ErrWholeThenShard", "", "2/2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			first, err := Acquire(ctx, dir, tt.first, false)
			if err != nil {
				t.Fatal(err)
			}
			defer first.Release()
			second, err := Acquire(ctx, dir, tt.again, false)
			if tt.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				second.Release()
				return
			}
			if eh.ErrorCode(err) != eh.EBUSY || !strings.Contains(err.Error(), fmt.Sprint("process ", os.Getpid())) {
				t.Fatalf("error %v (code %s), want EBUSY naming process %d", err, eh.ErrorCode(err), os.Getpid())
			}
			// Released, the folder is free again.
			first.Release()
			second, err = Acquire(ctx, dir, tt.again, false)
			if err != nil {
				t.Fatalf("after release: %v", err)
			}
			second.Release()
		})
	}
}

// TestLockWait: with wait, Acquire returns once the holder releases, and
// gives up with ECANCELED when its context is cancelled.
func TestLockWait(t *testing.T) {
	dir := t.TempDir()
	held, err := Acquire(context.Background(), dir, "", false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Acquire(ctx, dir, "", true); eh.ErrorCode(err) != eh.ECANCELED {
		t.Fatalf("cancelled wait: %v, want ECANCELED", err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := Acquire(context.Background(), dir, "", true)
		if err == nil {
			l.Release()
		}
		got <- err
	}()
	held.Release()
	if err := <-got; err != nil {
		t.Fatalf("waiting run: %v", err)
	}
}
