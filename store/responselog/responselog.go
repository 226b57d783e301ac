// Package responselog is the default response cache: one append-only file of
// JSON lines, indexed in memory.
//
// Each saved response is one line,
//
//	{"key":"<content address>","at":"<RFC 3339 time>","response":{…}}
//
// written with a single write(2) on a file opened O_APPEND. A later line for the
// same key replaces an earlier one. Opening the file reads it once to build a map
// from (a hash of) each key to where its latest line is; after that a lookup is a
// map access plus one pread, and a save is one write. That is what makes the
// cache cheap enough not to matter at thousands of questions per second: the
// SQLite store it replaces as the default spent about a quarter of the harness's
// CPU on a b-tree lookup that must miss and a committed insert per question (see
// docs/PERFORMANCE.md). store/sqlite remains the cache for --cache FILE.db.
//
// Durability: SaveResponse returns once its line is in the kernel, so a crash of
// the process (kill -9, a panic) loses nothing saved; like records.jsonl, the
// file is not fsynced, so power loss can lose the last lines. Nothing is ever
// lost in a way that gives a wrong answer: a cached response is only served for
// a line that parses and carries exactly the key asked for.
//
// Several processes may share one file (the default cache in the user's cache
// folder is shared by every run on the machine). Appends with O_APPEND do not
// interleave; a lookup that misses first indexes whatever other processes have
// appended since, so work one process finishes is found by the others. A line
// torn by a crash (a partial write at power loss or a full disk) is skipped when
// indexing, and the next write starts on a fresh line so that it is not glued to
// the torn one; the file is never truncated, because another process may be
// appending. (A line another process is writing at that very moment looks torn
// too, so a shared file can hold a few empty lines: 7 in 11,185 with three runs
// writing at once. Readers skip them.)
package responselog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	eh "github.com/emohallucer/emohallucer"
)

// maxLine bounds one line: larger lines are skipped when indexing (a corrupt
// file must not make the reader allocate without limit). Responses are bounded
// by the providers to far less (prep.BoundText).
const maxLine = 16 << 20

// keyPrefix starts every line this package writes; indexing reads the key right
// after it without decoding the line.
var keyPrefix = []byte(`{"key":"`)

// Log is a response cache in one append-only file. It is safe for concurrent
// use by many goroutines and, through the file, by many processes.
type Log struct {
	path string
	f    *os.File
	seed maphash.Seed
	// Now stamps saved lines; tests replace it.
	Now func() time.Time

	mu sync.Mutex // guards the fields below and orders this process's appends
	// index maps the hash of a key to its latest line. Keys are hashed to keep
	// the index small (a 64-character key would triple it); a lookup reads the
	// line and compares the full key, so a collision is a miss, never a wrong
	// answer.
	index map[uint64]span
	// scanned is how far the file has been indexed: every complete line
	// before it is in the index.
	scanned int64
	// torn is true when the file, as last seen, does not end with a newline:
	// the next write starts with one.
	torn bool
}

// span is where one line is in the file, without its newline.
type span struct {
	off int64
	n   int32
}

// line is the JSON of one line. Key comes first: indexing depends on it.
type line struct {
	Key      string       `json:"key"`
	At       string       `json:"at"`
	Response *eh.Response `json:"response"`
}

var _ eh.Store = (*Log)(nil)

// Open opens or creates the cache file at path (and its folder) and indexes it.
func Open(ctx context.Context, path string) (*Log, error) {
	if path == "" {
		return nil, eh.Errorf(eh.EINVALID, "response cache: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("response cache %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("response cache %s: %w", path, err)
	}
	l := &Log{path: path, f: f, seed: maphash.MakeSeed(), Now: time.Now, index: map[uint64]span{}}
	if err := l.catchUp(ctx); err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

// Path is the file's path.
func (l *Log) Path() string { return l.path }

// Len is how many distinct keys (by hash) are indexed.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.index)
}

func (l *Log) hash(key string) uint64 { return maphash.String(l.seed, key) }

// LookupResponse returns the latest response saved under key. A line that does
// not parse is a miss: the rerun's request replaces it.
func (l *Log) LookupResponse(ctx context.Context, key string) (*eh.Response, bool, error) {
	h := l.hash(key)
	l.mu.Lock()
	sp, ok := l.index[h]
	if !ok {
		// Another process may have answered it since we last looked.
		if err := l.catchUp(ctx); err != nil {
			l.mu.Unlock()
			return nil, false, err
		}
		sp, ok = l.index[h]
	}
	l.mu.Unlock()
	if !ok {
		return nil, false, nil
	}
	buf := make([]byte, sp.n)
	if _, err := l.f.ReadAt(buf, sp.off); err != nil {
		return nil, false, fmt.Errorf("response cache %s: read %.12s at %d: %w", l.path, key, sp.off, err)
	}
	var ln line
	if err := json.Unmarshal(buf, &ln); err != nil || ln.Key != key || ln.Response == nil {
		return nil, false, nil
	}
	return ln.Response, true, nil
}

// SaveResponse appends resp under key. It returns once the line is written.
func (l *Log) SaveResponse(ctx context.Context, key string, resp *eh.Response) error {
	if key == "" || resp == nil {
		return eh.Errorf(eh.EINVALID, "save response: empty key or response")
	}
	body, err := json.Marshal(line{Key: key, At: l.Now().UTC().Format(time.RFC3339Nano), Response: resp})
	if err != nil {
		return fmt.Errorf("save response %.12s: %w", key, err)
	}
	if len(body) >= maxLine {
		return fmt.Errorf("save response %.12s: %d bytes is more than the cache takes in one line", key, len(body))
	}
	if !bytes.HasPrefix(body, keyPrefix) {
		// encoding/json writes fields in struct order; this guards the index's
		// assumption against a change in the line type.
		return fmt.Errorf("save response %.12s: internal error: line does not start with the key", key)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lead := 0
	out := body
	if l.torn {
		out = append([]byte{'\n'}, body...)
		lead = 1
	}
	out = append(out, '\n')
	if _, err := l.f.Write(out); err != nil {
		// A partial write leaves a torn line; the next write must not join it.
		l.torn = true
		return fmt.Errorf("save response %.12s to %s: %w", key, l.path, err)
	}
	l.torn = false
	// With O_APPEND our line went to the end of the file wherever other
	// processes had written; the file offset tells where.
	end, err := l.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("save response %.12s to %s: %w", key, l.path, err)
	}
	start := end - int64(len(out)) + int64(lead)
	l.index[l.hash(key)] = span{off: start, n: int32(len(body))}
	if start-int64(lead) == l.scanned {
		// Nothing from another process between what we had indexed and our line.
		l.scanned = end
	}
	return nil
}

// catchUp indexes the lines appended since the last scan. The caller holds mu
// (or, in Open, owns l alone).
func (l *Log) catchUp(ctx context.Context) error {
	fi, err := l.f.Stat()
	if err != nil {
		return fmt.Errorf("response cache %s: %w", l.path, err)
	}
	if fi.Size() <= l.scanned {
		return nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(l.f, l.scanned, fi.Size()-l.scanned), 1<<20)
	var (
		off     = l.scanned // where the current line starts
		pos     = l.scanned // how far the reader has read
		long    []byte      // a line longer than the reader's buffer, being assembled
		tooLong bool        // the current line is over maxLine: skipped
	)
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		chunk, err := r.ReadSlice('\n')
		pos += int64(len(chunk))
		if errors.Is(err, bufio.ErrBufferFull) {
			if !tooLong && len(long)+len(chunk) <= maxLine {
				long = append(long, chunk...)
			} else {
				tooLong, long = true, nil
			}
			continue
		}
		if err == io.EOF {
			// A tail without a newline: torn by a crash, or being written by
			// another process right now. It is indexed once it is complete.
			l.torn = pos > off
			break
		}
		if err != nil {
			return fmt.Errorf("response cache %s: %w", l.path, err)
		}
		text := chunk
		if long != nil {
			text, long = append(long, chunk...), nil
		}
		if body := text[:len(text)-1]; !tooLong {
			if key, ok := lineKey(body); ok {
				l.index[l.hash(key)] = span{off: off, n: int32(len(body))}
			}
		}
		off, tooLong, l.torn = pos, false, false
	}
	l.scanned = off
	return nil
}

// lineKey returns the key of a line, reading it in place when it is plain (as
// every key this package writes is) and decoding the line otherwise.
func lineKey(body []byte) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	if bytes.HasPrefix(body, keyPrefix) {
		rest := body[len(keyPrefix):]
		if end := bytes.IndexByte(rest, '"'); end > 0 && bytes.IndexByte(rest[:end], '\\') < 0 {
			return string(rest[:end]), true
		}
	}
	var ln struct {
		Key string `json:"key"`
	}
	if json.Unmarshal(body, &ln) != nil || ln.Key == "" {
		return "", false
	}
	return ln.Key, true
}

// Close closes the file. Every saved line is already written.
func (l *Log) Close() error { return l.f.Close() }
