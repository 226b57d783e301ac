package rundir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	eh "github.com/emohallucer/emohallucer"
)

// Lock is a run's hold on its folder: two runs writing into one folder would
// interleave their records and pay for every question twice. A whole run
// holds the folder's lock file exclusively. A shard (--shard K/N) holds it
// shared, so that the shards of one run can write side by side, and its own
// slice's lock file exclusively, so that the same shard cannot run twice.
// The locks are flock(2) locks: the kernel drops them when the process ends,
// however it ends, so a killed run never leaves its folder locked.
type Lock struct {
	files []*os.File
}

// lockMode is how a lock file is held: shared by the shards of one run, or
// exclusively.
type lockMode int

const (
	shared lockMode = iota
	exclusive
)

// pollLock is how often a run waiting for a lock (--wait-lock) tries again.
const pollLock = 200 * time.Millisecond

// Acquire locks dir (created if needed) for a run; shard is "" for a whole
// run, or "K/N". When the folder is held, Acquire fails at once with an EBUSY
// error naming the holder's process id, or with wait, tries again until it
// gets the lock or ctx is cancelled.
func Acquire(ctx context.Context, dir, shard string, wait bool) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, ioError("create folder", dir, err)
	}
	l := &Lock{}
	folderMode := exclusive
	if shard != "" {
		folderMode = shared
	}
	if err := l.take(ctx, dir, LockFile, folderMode, wait, "run folder "+dir); err != nil {
		return nil, err
	}
	if shard != "" {
		name := LockFile + "-shard-" + strings.ReplaceAll(shard, "/", "-of-")
		if err := l.take(ctx, dir, name, exclusive, wait, fmt.Sprintf("shard %s in %s", shard, dir)); err != nil {
			l.Release()
			return nil, err
		}
	}
	return l, nil
}

func (l *Lock) take(ctx context.Context, dir, name string, mode lockMode, wait bool, what string) error {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return ioError("lock", path, err)
	}
	for {
		held, err := tryLock(f, mode)
		if err != nil {
			f.Close()
			return ioError("lock", path, err)
		}
		if !held {
			break
		}
		if !wait {
			f.Close()
			return &eh.Error{Code: eh.EBUSY, Message: fmt.Sprintf("%s is in use by another run (%s)", what, holder(path)),
				Hint: "wait for it to finish, choose another --out folder, or pass --wait-lock to wait for it"}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return &eh.Error{Code: eh.ECANCELED, Message: fmt.Sprintf("interrupted while waiting for %s (%s)", what, holder(path))}
		case <-time.After(pollLock):
		}
	}
	// The holder's pid, for the message of a run that finds the folder locked.
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	l.files = append(l.files, f)
	return nil
}

// holder names the process that wrote its id into a lock file.
func holder(path string) string {
	b, err := os.ReadFile(path)
	if pid := strings.TrimSpace(string(b)); err == nil && pid != "" {
		return "process " + pid
	}
	return "process unknown"
}

// Release gives the folder back. The lock files stay: removing one while
// another run waits on it would let two runs in.
func (l *Lock) Release() {
	for i := len(l.files) - 1; i >= 0; i-- {
		unlock(l.files[i])
		l.files[i].Close()
	}
	l.files = nil
}
