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
// else every folder below p, at any depth, that does, sorted (runs/builtin/
// direct and runs/b7/pep-mek alike). A run folder's own sub-folders are not
// searched, nor are hidden folders or symbolic links (which could loop). A
// path that does not exist is ENOTFOUND; one holding no run is an empty list.
func Find(p string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(p, record.FileName)); err == nil {
		return []string{p}, nil
	}
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("no such run folder: %s", p)}
	}
	var out []string
	err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return ioError("read", path, err)
		}
		if !d.IsDir() || path == p {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(path, record.FileName)); err == nil {
			out = append(out, path)
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// FindAll returns the run folders under every path, in order (Find): a path
// holding no run is ENOTFOUND, since a report of nothing is a mistaken path.
func FindAll(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		found, err := Find(p)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, eh.Errorf(eh.ENOTFOUND, "no run under %s (a run folder holds %s)", p, record.FileName)
		}
		out = append(out, found...)
	}
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
