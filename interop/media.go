package interop

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/suite"
)

// Source is what a user names with `--from NAME=PATH[,key=value…]`: the
// benchmark's question file (or folder) and options such as the media root.
type Source struct {
	Name string
	Path string
	// Options from the comma-separated key=value list after the path:
	//   media=DIR   folder the benchmark's images or videos are found under
	//   split=NAME  (POPE) import only this split
	Options map[string]string
}

// Known option keys; anything else is refused so that a typo is not ignored.
var sourceOptions = map[string]bool{"media": true, "images": true, "videos": true, "split": true}

// ParseSource parses "NAME=PATH[,key=value…]". A PATH containing a comma cannot
// be written this way; give it through a symbolic link.
func ParseSource(s string) (Source, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok || name == "" || rest == "" {
		return Source{}, eh.Errorf(eh.EINVALID, "--from %q: want NAME=PATH[,media=DIR]", s)
	}
	src, err := ParsePath(rest)
	src.Name = name
	return src, err
}

// ParsePath parses "PATH[,key=value…]" (the part after NAME=).
func ParsePath(s string) (Source, error) {
	parts := strings.Split(s, ",")
	src := Source{Path: parts[0], Options: map[string]string{}}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !sourceOptions[k] {
			return src, eh.Errorf(eh.EINVALID, "source option %q: want one of media=DIR, split=NAME", p)
		}
		if k == "images" || k == "videos" {
			k = "media"
		}
		src.Options[k] = v
	}
	if src.Path == "" {
		return src, eh.Errorf(eh.EINVALID, "empty source path")
	}
	return src, nil
}

// MediaRoot returns the media root option.
func (s Source) MediaRoot() string { return s.Options["media"] }

// NeedMediaRoot returns the error an import gives when no media root was given.
func NeedMediaRoot(name, what string) error {
	return &eh.Error{Code: eh.ENOTFOUND,
		Message: fmt.Sprintf("%s: a suite needs the benchmark's %s, and no media root was given", name, what),
		Hint:    fmt.Sprintf("pass --from '%s=PATH,media=DIR' with DIR holding the %s; to score another tool's predictions without media use `emohallucer score --format %s --predictions FILE --questions FILE`", name, what, name)}
}

// RequireMediaRoot checks the media root option: given, and a folder.
func RequireMediaRoot(name, root, what string) error {
	if root == "" {
		return NeedMediaRoot(name, what)
	}
	st, err := os.Stat(root)
	if err != nil || !st.IsDir() {
		return &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: media root %s is not a folder", name, root),
			Hint: fmt.Sprintf("the media=DIR option must name the folder holding the benchmark's %s", what)}
	}
	return nil
}

// Place copies root/rel into the suite being built as media/<prefix>/<rel>. rel
// is the benchmark's own relative file name ("./VD/ocr/1_0.png"); one that is
// absolute or climbs out of root is refused.
func Place(out *importers.Output, root, prefix, rel string, kind eh.Modality) (eh.Media, error) {
	clean := path.Clean(strings.TrimPrefix(filepath.ToSlash(rel), "./"))
	if err := eh.CheckMediaPath(clean); err != nil {
		return eh.Media{}, err
	}
	return out.Copy(filepath.Join(root, filepath.FromSlash(clean)), path.Join(prefix, clean), kind, "")
}

// IsMissing reports whether err says a file does not exist.
func IsMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || eh.ErrorCode(err) == eh.ENOTFOUND
}

// copyFile copies src to dst (creating folders) and returns the SHA-256 of the
// bytes written. An existing dst with the same content is left alone.
func copyFile(src, dst string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil {
		return "", err
	} else if st.IsDir() {
		return "", fmt.Errorf("%s is a folder, not a file", src)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".copy-*")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), in); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if old, err := suite.FileSHA256(dst); err == nil && old == sum {
		os.Remove(tmp.Name())
		return sum, nil
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return sum, nil
}

// CopyFile copies src to dst and returns the SHA-256 of its content; exporters
// and importers of exported suites use it.
func CopyFile(src, dst string) (string, error) { return copyFile(src, dst) }
