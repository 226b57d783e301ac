package rundir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	eh "github.com/emohallucer/emohallucer"
)

// ioError is the coded error of a file-system operation on a path the user
// chose (the run folder, a report file, the cache): it names the path and the
// cause, and says what to do about the common causes.
func ioError(op, path string, err error) error {
	var hint string
	switch {
	case errors.Is(err, syscall.ENOSPC):
		hint = "free some space (or choose another path) and run the same command again; a run resumes where it stopped"
	case errors.Is(err, syscall.EROFS), errors.Is(err, fs.ErrPermission):
		hint = "choose a folder you can write to"
	case errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.ENOTDIR):
		hint = "a folder stands where a file should be (or the other way round); choose another path"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is in the message already
	}
	return &eh.Error{Code: eh.EIO, Message: fmt.Sprintf("%s %s", op, path), Hint: hint, Err: err}
}

// IOError returns err as a coded EIO error about path (op is what was being
// done: "write", "open") with a hint for the common causes, or nil for nil.
// Errors that already carry an *emohallucer.Error are returned as they are.
func IOError(op, path string, err error) error {
	if err == nil {
		return nil
	}
	var coded *eh.Error
	if errors.As(err, &coded) {
		return err
	}
	return ioError(op, path, err)
}

// writeAtomic writes dir/name through a temporary file in dir renamed over
// it, creating dir. On any failure the temporary file is removed.
func writeAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ioError("create folder", dir, err)
	}
	path := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return ioError("write", path, err)
	}
	tmp := f.Name()
	// CreateTemp makes the file private; run files are as readable as any.
	err = f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return ioError("write", path, err)
	}
	return nil
}

// WriteFile creates the file at path (a report the user named) and lets fn
// fill it. It is written in place rather than renamed over, because path may
// be a device or a pipe; a regular file left half-written by a failure is
// removed. Failures are EIO errors naming path.
func WriteFile(path string, fn func(io.Writer) error) error {
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, err := os.Create(path)
	if err != nil {
		return ioError("write", path, err)
	}
	// Renderers that buffer may not return a failed write; the first one is
	// kept here, so a full disk is never a silent half-written report.
	ew := &errWriter{w: f}
	err = fn(ew)
	if err == nil {
		err = ew.err
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if st, serr := os.Stat(path); created && serr == nil && st.Mode().IsRegular() {
			os.Remove(path)
		}
		return IOError("write", path, err)
	}
	return nil
}

// errWriter remembers the first failed write and fails every later one.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = &fs.PathError{Op: "write", Path: "", Err: err}
		if pe, ok := err.(*fs.PathError); ok {
			e.err = pe
		}
	}
	return n, err
}
