//go:build !unix

package h1

import "net"

// canPeek: without a non-blocking peek, idle connections cannot be checked
// before use, so Eligible sends callers to net/http on this system.
const canPeek = false

func closedByPeer(net.Conn) bool { return false }
