//go:build !unix

package prep

// Elsewhere there are no FIFOs to block on and os.Root (used when the suite
// folder is known) keeps paths inside it; the regular-file check and the digest
// still apply.
const (
	oNonblock = 0
	oNofollow = 0
)
