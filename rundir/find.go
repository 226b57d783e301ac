package rundir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/record"
)

// Find returns the run folders at p: p itself when it holds a records file,
// else the sub-folders of p that do, sorted. A path that does not exist is
// ENOTFOUND; one holding no run is an empty list.
func Find(p string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(p, record.FileName)); err == nil {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("no such run folder: %s", p)}
		}
		return nil, ioError("read", p, err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(p, e.Name(), record.FileName)); err == nil {
				out = append(out, filepath.Join(p, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Slug makes a model spec or name usable as a folder name (credentials in a
// URL are dropped first).
func Slug(spec string) string {
	spec = strings.ReplaceAll(eh.Redact(spec), "[REDACTED]@", "")
	return strings.Trim(unsafeChars.ReplaceAllString(spec, "-"), "-")
}

// Name is the folder of one model's run: runs/<slug> without --out, out itself
// for a single model, out/<slug> for each of several.
func Name(out, spec string, models int) string {
	switch {
	case out == "":
		return filepath.Join("runs", Slug(spec))
	case models > 1:
		return filepath.Join(out, Slug(spec))
	}
	return out
}
