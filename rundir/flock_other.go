//go:build !unix

package rundir

import "os"

// tryLock locks nothing where flock(2) does not exist: runs there must not
// share a folder.
func tryLock(*os.File, lockMode) (bool, error) { return false, nil }

func unlock(*os.File) {}
