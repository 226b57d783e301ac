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

// Appender appends records to a run's records file. Records are encoded into a
// buffer that Flush writes in one write: the engine flushes whenever no other
// finished question is waiting, so at a few questions per second each record
// is written as it finishes, and at thousands per second a write carries many.
// A crash or kill -9 loses at most the records not yet flushed, which, like the
// requests in flight, a rerun asks again; a torn last line left by such a crash
// is cut off when the file is opened again.
type Appender struct {
	f   *os.File
	buf bytes.Buffer
	enc *json.Encoder
}

// flushAt is the buffer size at which Put writes without waiting for Flush.
const flushAt = 256 << 10

// OpenAppend opens (creating it and its folder if needed) a records file for
// appending, after repairing a torn last line.
func OpenAppend(path string) (*Appender, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	// O_APPEND: every Flush lands at the end of the file as one write of
	// whole lines, even if another process appended since.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
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
	a := &Appender{f: f}
	a.enc = json.NewEncoder(&a.buf)
	a.enc.SetEscapeHTML(false)
	return a, nil
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

// Put adds one record to the buffer. It is not safe for concurrent use; the
// engine calls its sink from one goroutine.
func (a *Appender) Put(r *eh.Record) error {
	if err := a.enc.Encode(r); err != nil {
		return err
	}
	if a.buf.Len() >= flushAt {
		return a.Flush()
	}
	return nil
}

// Flush writes the buffered records, whole lines only, in one write.
func (a *Appender) Flush() error {
	if a.buf.Len() == 0 {
		return nil
	}
	_, err := a.f.Write(a.buf.Bytes())
	a.buf.Reset()
	return err
}

// Close writes what is buffered, flushes the file to stable storage and closes
// it.
func (a *Appender) Close() error {
	if err := a.Flush(); err != nil {
		a.f.Close()
		return err
	}
	serr := a.f.Sync()
	if err := a.f.Close(); err != nil {
		return err
	}
	return serr
}

// Existing reads a run's records file, if any, and returns the last record of
// every question by key ("pair/role"). A missing file gives an empty map.
func Existing(path string) (map[string]*eh.Record, error) { return existing(path, false) }

// EachExisting calls fn with every record of a run's records file, in file
// order, without their transcripts (Record.Steps, most of a record): what a
// resumed run needs to skip finished questions and score earlier answers,
// without holding 100k records in memory at once. A later record of the same
// question replaces an earlier one. A missing file has no records.
func EachExisting(path string, fn func(*eh.Record) error) error { return eachExisting(path, true, fn) }

func existing(path string, slim bool) (map[string]*eh.Record, error) {
	out := map[string]*eh.Record{}
	err := eachExisting(path, slim, func(r *eh.Record) error {
		out[r.Key()] = r
		return nil
	})
	return out, err
}

func eachExisting(path string, slim bool, fn func(*eh.Record) error) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	// An unterminated last line is what a kill -9 leaves behind; OpenAppend cuts
	// it off, so it is not an error here.
	keep, _, err := completeLength(f)
	if err != nil {
		return err
	}
	// The strings every record of a run repeats are kept once.
	strs := map[string]string{}
	in := func(s string) string {
		if v, ok := strs[s]; ok {
			return v
		}
		strs[s] = s
		return s
	}
	return Reader{Slim: slim}.Decode(io.NewSectionReader(f, 0, keep), path, func(r *eh.Record) error {
		if slim {
			r.Run, r.Suite, r.Model, r.Strategy, r.Rule = in(r.Run), in(r.Suite), in(r.Model), in(r.Strategy), in(r.Rule)
			r.Dimension, r.SubCategory, r.Modality = eh.Dimension(in(string(r.Dimension))), eh.SubCategory(in(string(r.SubCategory))), eh.Modality(in(string(r.Modality)))
			r.Role, r.Gold, r.Status, r.Answer = eh.Role(in(string(r.Role))), eh.Gold(in(string(r.Gold))), eh.Status(in(string(r.Status))), eh.Answer(in(string(r.Answer)))
		}
		return fn(r)
	})
}
