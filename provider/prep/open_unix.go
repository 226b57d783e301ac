//go:build unix

package prep

import "syscall"

// Open flags of openMedia: never block on a FIFO or device, never follow a
// symbolic link in the final component.
const (
	oNonblock = syscall.O_NONBLOCK
	oNofollow = syscall.O_NOFOLLOW
)
