package suite

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// lineReader reads lines of at most max bytes. A longer line is reported (and
// skipped to its end) rather than ending the read, as bufio.Scanner would, so
// that one pass still reports every problem of the file.
type lineReader struct {
	r   *bufio.Reader
	max int
	buf []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without its newline, or tooLong when it exceeded
// max bytes (its content then dropped). At the end of the input it returns
// io.EOF; a last line without a newline is still returned first.
func (l *lineReader) next() (line []byte, tooLong bool, err error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.r.ReadSlice('\n')
		if !tooLong {
			if len(l.buf)+len(chunk) > l.max+1 { // +1: the newline itself
				tooLong, l.buf = true, l.buf[:0]
			} else {
				l.buf = append(l.buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			if len(l.buf) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			return l.buf, tooLong, nil
		case err != nil:
			return nil, false, err
		}
		if tooLong {
			return nil, true, nil
		}
		return l.buf[:len(l.buf)-1], false, nil
	}
}

// openRegular opens path for reading after checking, without opening it, that
// it is a regular file: opening a FIFO would block until a writer comes.
func openRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, typeName(st.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	// Checked again on the open file: the path may have been swapped.
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return f, nil
}

func typeName(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// FileSHA256 returns the lower-case hex SHA-256 of a regular file.
func FileSHA256(path string) (string, error) {
	return fileSHA256(context.Background(), path)
}

// fileSHA256 is FileSHA256 that stops when ctx is done.
func fileSHA256(ctx context.Context, path string) (string, error) {
	f, err := openRegular(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader fails reads once ctx is done, so that hashing a large file stops.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
