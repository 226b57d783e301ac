// Package importers defines what a dataset importer is and gives importers the
// shared pieces they need: a place to put media files (copied or converted, with
// digests), a record of dropped items, and small text helpers.
//
// One package per dataset lives below this one (importers/ravdess, …); the
// importers/builder package runs them and writes the suite folder. The registry
// of importers is a plain map in builder, written out by hand.
package importers

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/media"
	"github.com/emohallucer/emohallucer/suite"
)

// Importer turns one labelled dataset into suite pairs.
//
// Import reads the dataset at src (a folder, or a file for the csv importer),
// places the media its pairs reference through env.Out, and returns the pairs
// with everything it left out. An unusable item (corrupt media, disagreeing
// labels) is dropped with a reason, never an error; an error means the dataset
// as a whole could not be read (missing label table, unreadable folder) or the
// build was interrupted. Import must be deterministic for a given env.Seed.
type Importer interface {
	Name() string
	Import(ctx context.Context, src string, env *Env) (*Result, error)
}

// Env is what an importer gets from the build.
type Env struct {
	// Seed drives every random choice (swaps, trimming, pairing).
	Seed int64
	// MaxPerLabel bounds how many items per gold label an importer uses (0: all).
	MaxPerLabel int
	// Out places media files into the suite being built.
	Out *Output
	// Tools are ffmpeg and ffprobe; importers call Tools.Require before using them.
	Tools *media.Tools
	// Log receives progress lines; never nil.
	Log *slog.Logger
}

// Rand returns the seeded generator for one purpose of one importer.
func (e *Env) Rand(purpose string) *swap.Rand { return swap.New(e.Seed, purpose) }

// Dropped is one input item left out of the suite, with the reason.
type Dropped struct {
	// Item is the dataset's id for the item (file stem, row id).
	Item string `json:"item"`
	// Path is the file concerned, as reached from the source path the user gave
	// (empty for rows of a table that are dropped for their labels).
	Path   string `json:"path,omitempty"`
	Reason string `json:"reason"`
}

// Result is what an importer produced.
type Result struct {
	Pairs []eh.Pair
	// Dropped lists items left out because something is wrong with them or
	// their labels disagree: users should see each one.
	Dropped []Dropped
	// Skipped counts items left out by selection rules (low agreement, class
	// balance, limits), by reason: too many to list, and nothing is wrong
	// with them.
	Skipped map[string]int
	// FilesRead counts the input files read (label tables and media).
	FilesRead int
	// Items counts the labelled items considered.
	Items int
	// Rules states, one sentence each, the selection rules this importer
	// applied so that a careful annotator would confirm every gold answer
	// (agreement thresholds, distractor choice, what is never paired). The
	// build copies them into manifest.json next to the source.
	Rules []string
	// Sequences lists the constructed long sequences and the clips in each.
	Sequences []Sequence
}

// Drop records a dropped item.
func (r *Result) Drop(item, path, format string, args ...any) {
	r.Dropped = append(r.Dropped, Dropped{Item: item, Path: path, Reason: fmt.Sprintf(format, args...)})
}

// Skip counts an item left out by a selection rule.
func (r *Result) Skip(reason string) {
	if r.Skipped == nil {
		r.Skipped = map[string]int{}
	}
	r.Skipped[reason]++
}

// Output places media files under the suite folder's media/ directory and
// returns their suite references. Files are written once: placing the same
// relative path twice returns the first result.
type Output struct {
	root   string // the suite folder being built
	tools  *media.Tools
	placed map[string]eh.Media
	from   map[string]string // rel → source file, to catch two files claiming one name
	bytes  int64
}

// NewOutput returns an Output that writes below root/media.
func NewOutput(root string, tools *media.Tools) *Output {
	return &Output{root: root, tools: tools, placed: map[string]eh.Media{}, from: map[string]string{}}
}

// Files returns how many files were placed and their total size.
func (o *Output) Files() (int, int64) { return len(o.placed), o.bytes }

// reuse returns the earlier result for rel when src placed it, and an error
// when another file did.
func (o *Output) reuse(src, rel string) (eh.Media, bool, error) {
	m, ok := o.placed[rel]
	if !ok {
		return eh.Media{}, false, nil
	}
	if o.from[rel] != src {
		return eh.Media{}, false, eh.Errorf(eh.EINVALID, "%s and %s would both be stored as media/%s", o.from[rel], src, rel)
	}
	return m, true, nil
}

func (o *Output) target(rel string) (string, string, error) {
	ref := path.Join("media", rel)
	if err := eh.CheckMediaPath(ref); err != nil || strings.HasPrefix(path.Clean(rel), "..") {
		return "", "", fmt.Errorf("media path %q: %w", rel, err)
	}
	full := filepath.Join(o.root, filepath.FromSlash(ref))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return "", "", err
	}
	return ref, full, nil
}

// Copy copies src to media/rel and returns its reference. When want is not
// empty it is the SHA-256 the dataset's own manifest gives for the file; a
// different digest means the file was damaged or replaced, and Copy returns an
// EINVALID error and leaves nothing behind.
func (o *Output) Copy(src, rel string, kind eh.Modality, want string) (eh.Media, error) {
	if m, ok, err := o.reuse(src, rel); ok || err != nil {
		return m, err
	}
	ref, full, err := o.target(rel)
	if err != nil {
		return eh.Media{}, err
	}
	in, err := os.Open(src)
	if err != nil {
		return eh.Media{}, err
	}
	defer in.Close()
	out, err := os.Create(full)
	if err != nil {
		return eh.Media{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(full)
		return eh.Media{}, fmt.Errorf("copy %s: %w", src, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if want != "" && !strings.EqualFold(want, sum) {
		os.Remove(full)
		return eh.Media{}, &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("%s: sha256 %s… differs from the dataset manifest's %s… (damaged or replaced file)", src, sum[:12], strings.ToLower(want)[:min(12, len(want))])}
	}
	m := eh.Media{Path: ref, SHA256: sum, Kind: kind}
	o.placed[rel], o.from[rel] = m, src
	o.bytes += n
	return m, nil
}

// ConvertMP4 transcodes src to an H.264/AAC MP4 at media/rel and returns its
// reference (kind short-video unless given).
func (o *Output) ConvertMP4(ctx context.Context, src, rel string, kind eh.Modality) (eh.Media, error) {
	return o.transcode(ctx, src, rel, kind, o.tools.ConvertMP4)
}

// ExtractAudio writes the audio track of the video src as a WAV file at
// media/rel and returns its reference (kind audio): questions about a voice
// alone then get the voice alone, as the raters who judged it did.
func (o *Output) ExtractAudio(ctx context.Context, src, rel string) (eh.Media, error) {
	return o.transcode(ctx, src, rel, eh.Audio, o.tools.ExtractAudio)
}

func (o *Output) transcode(ctx context.Context, src, rel string, kind eh.Modality, convert func(ctx context.Context, in, out string) error) (eh.Media, error) {
	if m, ok, err := o.reuse(src, rel); ok || err != nil {
		return m, err
	}
	ref, full, err := o.target(rel)
	if err != nil {
		return eh.Media{}, err
	}
	if err := convert(ctx, src, full); err != nil {
		return eh.Media{}, err
	}
	sum, err := suite.FileSHA256(full)
	if err != nil {
		return eh.Media{}, err
	}
	st, err := os.Stat(full)
	if err != nil {
		return eh.Media{}, err
	}
	m := eh.Media{Path: ref, SHA256: sum, Kind: kind}
	o.placed[rel], o.from[rel] = m, src
	o.bytes += st.Size()
	return m, nil
}

// CheckDigest compares a source file with the SHA-256 its dataset's manifest
// gives (no check when want is empty), for files that are converted rather
// than copied.
func CheckDigest(src, want string) error {
	if want == "" {
		return nil
	}
	sum, err := suite.FileSHA256(src)
	if err != nil {
		return err
	}
	if !strings.EqualFold(sum, want) {
		return &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("%s: sha256 %s… differs from the dataset manifest's %s… (damaged or replaced file)", src, sum[:12], strings.ToLower(want)[:min(12, len(want))])}
	}
	return nil
}

// Walk returns the regular files below root whose names satisfy keep, as
// slash-separated paths relative to root, sorted. Hidden folders are skipped.
func Walk(root string, keep func(rel string) bool) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if keep(rel) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	sort.Strings(out)
	return out, nil
}

// RequireDir returns an ENOTFOUND error unless dir is an existing folder.
func RequireDir(name, dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: source %s not found", name, dir), Err: err}
	}
	if !st.IsDir() {
		return eh.Errorf(eh.EINVALID, "%s: source %s is not a folder", name, dir)
	}
	return nil
}

// Capitalize upper-cases the first letter of s.
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Row is one record of a table file, by column name, with its line number.
type Row struct {
	Line   int
	Fields map[string]string
}

// Get returns the trimmed value of a column ("" when absent).
func (r Row) Get(col string) string { return strings.TrimSpace(r.Fields[col]) }

// ReadTable reads a delimited file with a header row into rows keyed by the
// header names (trimmed, a UTF-8 byte-order mark removed). Errors name the file
// and line.
func ReadTable(name string, comma rune) ([]Row, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return nil, eh.Errorf(eh.EINVALID, "%s: read header: %v", name, err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
	}
	var rows []Row
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, eh.Errorf(eh.EINVALID, "%s: %v", name, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			return nil, eh.Errorf(eh.EINVALID, "%s:%d: %d fields, the header has %d", name, line, len(rec), len(header))
		}
		row := Row{Line: line, Fields: make(map[string]string, len(header))}
		for i, h := range header {
			row.Fields[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// AskedTag is the tag a category pair carries for the label its hallucinated
// question names (asked:<label>); with the gold label's emotion:<label> tag it
// places the pair in the score's confusion table (gold × asked). A pair about
// one clip's intensity carries asked:<level> next to intensity:<level>.
func AskedTag(l swap.Label) string { return "asked:" + string(l) }
