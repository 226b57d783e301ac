package prep

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/emohallucer/emohallucer"
)

// A media file is checked when the suite is read, but it is sent later, and the
// file on disk may have changed in between (swapped for a symbolic link to a
// file outside the suite, or for a FIFO). So every read made to build a request
// goes through openMedia and verify: opened through the suite folder so that no
// path component can lead outside it, never blocking on a FIFO or device,
// required to be a regular file, and the bytes actually read hashed against the
// suite's digest. A mismatch is an EINVALID error for the question; nothing is
// sent.

// openMedia opens mf for reading. With mf.Dir set, the file is opened through an
// os.Root of the suite folder, which refuses any path (symbolic links included)
// that leads outside it, and a final component that is now a symbolic link is
// refused (suite.Items resolves links, so the path it gave is the real file).
// Without Dir the final component must not be a symbolic link. It never blocks on
// a FIFO (O_NONBLOCK) and returns only regular files.
func openMedia(mf *emohallucer.MediaFile) (*os.File, error) {
	const flags = os.O_RDONLY | oNonblock
	var f *os.File
	if mf.Dir == "" {
		var err error
		if f, err = os.OpenFile(mf.Path, flags|oNofollow, 0); err != nil {
			return nil, mediaError(mf, "%v", err)
		}
	} else {
		rel, err := filepath.Rel(mf.Dir, mf.Path)
		if err != nil || !filepath.IsLocal(rel) {
			return nil, mediaError(mf, "path lies outside the suite folder (refused)")
		}
		root, err := os.OpenRoot(mf.Dir)
		if err != nil {
			return nil, mediaError(mf, "suite folder: %v", err)
		}
		defer root.Close()
		if st, err := root.Lstat(rel); err == nil && st.Mode()&os.ModeSymlink != 0 {
			return nil, mediaError(mf, "is a symbolic link now, not the file the suite was checked with (refused)")
		}
		if f, err = root.OpenFile(rel, flags, 0); err != nil {
			return nil, mediaError(mf, "%v (refused)", err)
		}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, mediaError(mf, "%v", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, mediaError(mf, "is not a regular file (%s); refused", st.Mode().Type())
	}
	return f, nil
}

// readMedia returns the bytes of mf, at most limit of them (more is an
// error), after checking them against mf.SHA256.
func readMedia(mf *emohallucer.MediaFile, limit int64) ([]byte, error) {
	f, err := openMedia(mf)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, mediaError(mf, "%v", err)
	}
	if int64(len(b)) > limit {
		return nil, mediaError(mf, "file is more than the %d bytes this model takes", limit)
	}
	sum := sha256.Sum256(b)
	if err := verify(mf, sum[:]); err != nil {
		return nil, err
	}
	return b, nil
}

// copyMedia copies mf into dir, checking its digest on the way, and returns the
// copy's path: ffmpeg then reads exactly the bytes that were checked, not a
// path that may change under it.
func copyMedia(mf *emohallucer.MediaFile, dir string) (string, error) {
	f, err := openMedia(mf)
	if err != nil {
		return "", err
	}
	defer f.Close()
	name := filepath.Join(dir, "media"+filepath.Ext(mf.Path))
	out, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), f)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", mediaError(mf, "copy for ffmpeg: %v", err)
	}
	if err := verify(mf, h.Sum(nil)); err != nil {
		return "", err
	}
	return name, nil
}

// verify compares a digest of the bytes read with the suite's.
func verify(mf *emohallucer.MediaFile, sum []byte) error {
	if mf.SHA256 == "" {
		return nil
	}
	if got := hex.EncodeToString(sum); got != mf.SHA256 {
		return mediaError(mf, "changed since the suite was checked: digest %.12s…, suite says %.12s… (not sent)", got, mf.SHA256)
	}
	return nil
}

// withCopy runs fn on a digest-checked copy of mf in a temporary folder that is
// removed afterwards.
func withCopy(mf *emohallucer.MediaFile, fn func(path string) error) error {
	dir, err := os.MkdirTemp("", "emohallucer-media-")
	if err != nil {
		return fmt.Errorf("temporary folder for media: %w", err)
	}
	defer os.RemoveAll(dir)
	path, err := copyMedia(mf, dir)
	if err != nil {
		return err
	}
	return fn(path)
}
