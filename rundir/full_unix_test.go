//go:build unix

package rundir

import (
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestWriteFull: on a full disk run.json is not written, the error is EIO
// naming the file, and no temporary file is left. The file-size limit makes
// the write fail half way, as ENOSPC would.
func TestWriteFull(t *testing.T) {
	tmp := t.TempDir()
	// A full disk: the file-size limit makes the write fail half way, as
	// ENOSPC would.
	dir := filepath.Join(tmp, "full")
	os.MkdirAll(dir, 0o755)
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skip(err)
	}
	// Writes past the limit fail with EFBIG instead of raising SIGXFSZ.
	signal.Ignore(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 64, Max: old.Max}); err != nil {
		t.Skip(err)
	}
	err := WriteInfo(dir, &Info{Run: strings.Repeat("r", 500)})
	syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
	if eh.ErrorCode(err) != eh.EIO || !strings.Contains(err.Error(), filepath.Join(dir, InfoFile)) {
		t.Fatalf("error %v (code %s), want EIO naming run.json", err, eh.ErrorCode(err))
	}
	leftovers(t, dir)
}
