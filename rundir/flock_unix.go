//go:build unix

package rundir

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes f's flock in mode without blocking; held reports that another
// process holds a conflicting one.
func tryLock(f *os.File, mode lockMode) (held bool, err error) {
	how := syscall.LOCK_SH
	if mode == exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	return false, err
}

func unlock(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
