package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	eh "github.com/emohallucer/emohallucer"
)

// Appender appends records to a run's records file. Each record is one write, so
// a crash or kill -9 loses at most the record being written, never a finished
// one; a torn last line left by such a crash is cut off when the file is opened
// again.
type Appender struct {
	f   *os.File
	buf bytes.Buffer
}

// OpenAppend opens (creating it and its folder if needed) a records file for
// appending, after repairing a torn last line.
func OpenAppend(path string) (*Appender, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := cutTornTail(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("repair %s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	return &Appender{f: f}, nil
}

// cutTornTail truncates the file after its last newline.
func cutTornTail(f *os.File) error {
	keep, size, err := completeLength(f)
	if err != nil || keep == size {
		return err
	}
	return f.Truncate(keep)
}

// completeLength returns how many bytes of f end with its last newline (the
// complete lines) and the file's size.
func completeLength(f *os.File) (keep, size int64, err error) {
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	size = st.Size()
	const chunk = 64 * 1024
	buf := make([]byte, chunk)
	for end := size; end > 0; {
		start := max(0, end-chunk)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return start + int64(i) + 1, size, nil
		}
		end = start
	}
	return 0, size, nil
}

// Put appends one record in a single write. It is not safe for concurrent use;
// the engine calls its sink from one goroutine.
func (a *Appender) Put(r *eh.Record) error {
	a.buf.Reset()
	enc := json.NewEncoder(&a.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := a.f.Write(a.buf.Bytes())
	return err
}

// Close flushes the file to stable storage and closes it.
func (a *Appender) Close() error {
	serr := a.f.Sync()
	if err := a.f.Close(); err != nil {
		return err
	}
	return serr
}

// Existing reads a run's records file, if any, and returns the last record of
// every question by key ("pair/role"). A missing file gives an empty map.
func Existing(path string) (map[string]*eh.Record, error) {
	out := map[string]*eh.Record{}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// An unterminated last line is what a kill -9 leaves behind; OpenAppend cuts
	// it off, so it is not an error here.
	keep, _, err := completeLength(f)
	if err != nil {
		return nil, err
	}
	err = Decode(io.NewSectionReader(f, 0, keep), path, func(r *eh.Record) error {
		out[r.Key()] = r
		return nil
	})
	return out, err
}
