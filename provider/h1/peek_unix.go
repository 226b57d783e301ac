//go:build unix

package h1

import (
	"net"
	"syscall"
)

// canPeek: idle connections can be checked before use on this system.
const canPeek = true

// closedByPeer reports whether the server closed or reset nc while it sat in
// the pool, or sent bytes nobody asked for, without blocking: a peek at the
// socket's receive queue. net/http learns the same from the goroutine it keeps
// reading every idle connection; h1 has no such goroutine, and without this
// check a server with a short keep-alive timeout (uvicorn, behind vLLM, closes
// after 5 s) would have every request after a pause sent on a dead connection.
func closedByPeer(nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	dead := false
	var one [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, rerr := syscall.Recvfrom(int(fd), one[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case n > 0: // bytes before any request: the stream is out of step
			dead = true
		case rerr == nil: // n == 0: the peer's FIN
			dead = true
		case rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK || rerr == syscall.EINTR:
			dead = false
		default: // ECONNRESET and the like
			dead = true
		}
		return true // done: never wait for readiness
	})
	return dead || err != nil
}
