// Package suite reads, writes and validates suite folders: a suite.jsonl file with
// one pair per line, and the media files it references by relative path and
// SHA-256 digest.
package suite

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	eh "github.com/emohallucer/emohallucer"
)

// FileName is the name of the pair file inside a suite folder.
const FileName = "suite.jsonl"

// maxLine bounds one suite line; a pair with a long review context fits easily.
const maxLine = 4 << 20

// Problem is one thing wrong with a suite, located by file and line.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Pair    string `json:"pair,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Message)
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
}

// Problems is a list of problems; as an error it says how many there are and
// shows the first few.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "suite has %d problem(s)", len(ps))
	for i, p := range ps {
		if i == 5 {
			fmt.Fprintf(&b, "\n  … and %d more (run `emohallucer suite validate`)", len(ps)-5)
			break
		}
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// Unwrap makes Problems an EINVALID error for emohallucer.ErrorCode: a suite
// with problems is invalid input.
func (ps Problems) Unwrap() error { return &eh.Error{Code: eh.EINVALID, Message: ps.Error()} }

// Options control how much checking Read does.
type Options struct {
	// SkipMedia skips reading media files to check existence and digests.
	SkipMedia bool
}

// Read loads the suite in dir and checks every line. It returns the suite and,
// when anything is wrong, a Problems error listing every problem found (the suite
// then holds only the lines that parsed). It is ReadContext without a way to stop.
func Read(dir string, opt Options) (*eh.Suite, error) {
	return ReadContext(context.Background(), dir, opt)
}

// ReadContext is Read that stops, returning an ECANCELED error, when ctx is
// done: a signal ends `suite validate` on a large suite or a slow disk.
func ReadContext(ctx context.Context, dir string, opt Options) (*eh.Suite, error) {
	name := filepath.Join(dir, FileName)
	f, err := openRegular(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("no suite at %s (expected a folder holding %s)", dir, FileName),
				Hint: "use --suite builtin, or build one with `emohallucer build`"}
		}
		return nil, fmt.Errorf("open suite: %w", err)
	}
	defer f.Close()
	s, lines, probs := decode(ctx, f, name)
	if err := ctx.Err(); err != nil {
		return nil, &eh.Error{Code: eh.ECANCELED, Message: "suite " + name + ": reading stopped", Err: err}
	}
	s.Name = filepath.Base(filepath.Clean(dir))
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	s.Dir = abs
	if !opt.SkipMedia {
		probs = append(probs, checkMedia(ctx, s, lines, name)...)
		if err := ctx.Err(); err != nil {
			return nil, &eh.Error{Code: eh.ECANCELED, Message: "suite " + name + ": media check stopped", Err: err}
		}
	}
	if len(probs) > 0 {
		return s, Problems(probs)
	}
	return s, nil
}

// Decode parses suite JSONL from r, naming the file as name in problems. It keeps
// going after errors so that one pass reports every problem.
func Decode(r io.Reader, name string) (*eh.Suite, []Problem) {
	s, _, probs := decode(context.Background(), r, name)
	return s, probs
}

// decode is Decode that also returns the line each pair id was first read
// from (bad lines' ids too, so every kept pair's) and stops early when ctx is
// done.
func decode(ctx context.Context, r io.Reader, name string) (*eh.Suite, map[string]int, []Problem) {
	s := &eh.Suite{}
	var probs []Problem
	seen := map[string]int{}
	// Keyed by a digest of context and question rather than their text: with
	// the text, a suite of 50k passages held each of them twice more while
	// loading (45 MB of keys, most of the peak memory of a 100k-question run).
	questions := map[[sha256.Size]byte]int{}
	// Labels most pairs repeat (dimension, gold answers, source dataset, …)
	// are kept once: at 50k pairs that is 350k small strings fewer for the
	// heap to hold and the collector to mark for the whole run.
	shared := map[string]string{}
	intern := func(s string) string {
		if v, ok := shared[s]; ok {
			return v
		}
		if len(shared) < maxInterned {
			shared[s] = s
		}
		return s
	}
	lr := newLineReader(r, maxLine)
	line, nonBlank := 0, 0
	for ctx.Err() == nil {
		rawLine, tooLong, err := lr.next()
		if err != nil {
			if err != io.EOF {
				probs = append(probs, Problem{File: name, Line: line + 1, Message: "read: " + err.Error()})
			}
			break
		}
		line++
		if tooLong {
			nonBlank++
			probs = append(probs, Problem{File: name, Line: line, Message: fmt.Sprintf("line longer than %d bytes (skipped)", maxLine)})
			continue
		}
		raw := bytes.TrimSpace(rawLine)
		if len(raw) == 0 {
			continue
		}
		nonBlank++
		if !utf8.Valid(raw) {
			probs = append(probs, Problem{File: name, Line: line, Message: fmt.Sprintf("invalid UTF-8 at byte %d of the line (the file must be UTF-8)", invalidAt(raw))})
			continue
		}
		var p eh.Pair
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			probs = append(probs, Problem{File: name, Line: line, Message: "malformed JSON: " + err.Error()})
			continue
		}
		if rest := bytes.TrimSpace(raw[dec.InputOffset():]); len(rest) > 0 {
			probs = append(probs, Problem{File: name, Line: line, Pair: p.ID, Message: fmt.Sprintf("text after the JSON object: %q (one pair per line)", cut(rest, 40))})
			continue
		}
		bad := false
		for _, msg := range p.Problems() {
			probs = append(probs, Problem{File: name, Line: line, Pair: p.ID, Message: msg})
			bad = true
		}
		if p.ID != "" {
			if first, dup := seen[p.ID]; dup {
				probs = append(probs, Problem{File: name, Line: line, Pair: p.ID, Message: fmt.Sprintf("duplicate pair id %q (first on line %d)", p.ID, first)})
				bad = true
			} else {
				seen[p.ID] = line
			}
		}
		// The same question text with the same context twice would be one item
		// counted twice; with different contexts it is legitimate, and so it is
		// in different splits of a benchmark (POPE's splits share questions and
		// are scored as separate views).
		for _, q := range []eh.Question{p.Basic, p.Hallucinated} {
			k := sha256.Sum256([]byte(p.Context.Text + "\x00" + mediaKey(p.Context.Media) + "\x00" + splitKey(p.Tags) + "\x00" + strings.ToLower(strings.TrimSpace(q.Text))))
			if first, dup := questions[k]; dup && first != line {
				probs = append(probs, Problem{File: name, Line: line, Pair: p.ID, Message: fmt.Sprintf("question %q repeats line %d with the same context", q.Text, first)})
			}
			questions[k] = line
		}
		if !bad {
			p.Dimension, p.SubCategory, p.Modality = eh.Dimension(intern(string(p.Dimension))), eh.SubCategory(intern(string(p.SubCategory))), eh.Modality(intern(string(p.Modality)))
			p.Basic.Gold, p.Hallucinated.Gold = eh.Gold(intern(string(p.Basic.Gold))), eh.Gold(intern(string(p.Hallucinated.Gold)))
			p.Corruption, p.Source.Citation, p.Source.Dataset = intern(p.Corruption), intern(p.Source.Citation), intern(p.Source.Dataset)
			for i, t := range p.Tags {
				p.Tags[i] = intern(t)
			}
			s.Pairs = append(s.Pairs, p)
		}
	}
	if nonBlank == 0 && ctx.Err() == nil {
		probs = append(probs, Problem{File: name, Message: "no pairs: the file is empty or holds only blank lines"})
	}
	if ctx.Err() == nil { // an interrupted read lacks the originals of later lines
		probs = append(probs, checkTranslations(s.Pairs, seen, name)...)
	}
	return s, seen, probs
}

// invalidAt returns the offset of the first byte of b that is not valid UTF-8.
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// cut returns at most n bytes of b, marking a cut with "…".
func cut(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return strings.ToValidUTF8(string(b[:n]), "") + "…"
}

// maxInterned bounds the strings Decode shares: labels repeat, so a suite
// with more distinct ones than this (say, a citation per pair) gains nothing
// from keeping them all in a map.
const maxInterned = 4096

func splitKey(tags []string) string {
	var b strings.Builder
	for _, t := range tags {
		if strings.HasPrefix(t, "split:") {
			b.WriteString(t)
		}
	}
	return b.String()
}

func mediaKey(ms []eh.Media) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.SHA256)
	}
	return b.String()
}

// checkMedia verifies that every media file exists inside the suite folder (also
// after resolving symbolic links), is a regular file and has the recorded
// digest. lines maps pair ids to their suite lines. It stops when ctx is done.
func checkMedia(ctx context.Context, s *eh.Suite, lines map[string]int, name string) []Problem {
	var probs []Problem
	digests := map[string]string{} // a file shared by several pairs is hashed once
	for _, p := range s.Pairs {
		for _, m := range p.Context.Media {
			if ctx.Err() != nil {
				return probs
			}
			got, ok := digests[m.Path]
			if !ok {
				full, err := Resolve(s.Dir, m.Path)
				if err == nil {
					got, err = fileSHA256(ctx, full)
				}
				if err != nil {
					probs = append(probs, Problem{File: name, Line: lines[p.ID], Pair: p.ID, Message: fmt.Sprintf("pair %s: media %s: %v", p.ID, m.Path, err)})
					digests[m.Path] = ""
					continue
				}
				digests[m.Path] = got
			}
			if got != "" && got != m.SHA256 {
				probs = append(probs, Problem{File: name, Line: lines[p.ID], Pair: p.ID, Message: fmt.Sprintf("pair %s: media %s: digest mismatch (suite says %s…, file is %s…)", p.ID, m.Path, m.SHA256[:12], got[:12])})
			}
		}
	}
	return probs
}

// Resolve returns the absolute path of a media file of the suite in dir, refusing
// paths that escape the folder, including through symbolic links.
func Resolve(dir, rel string) (string, error) {
	if err := eh.CheckMediaPath(rel); err != nil {
		return "", err
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	full, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", &eh.Error{Code: eh.ENOTFOUND, Message: "file not found"}
		}
		return "", err
	}
	if r, err := filepath.Rel(root, full); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", eh.Errorf(eh.EINVALID, "media path %q leads outside the suite folder (refused)", rel)
	}
	return full, nil
}

// Encode writes pairs as suite JSONL, one pair per line, in the given order.
func Encode(w io.Writer, pairs []eh.Pair) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range pairs {
		if err := enc.Encode(&pairs[i]); err != nil {
			return fmt.Errorf("encode pair %s: %w", pairs[i].ID, err)
		}
	}
	return bw.Flush()
}

// Write writes s.Pairs to dir/suite.jsonl, creating dir. Media files are the
// caller's to place.
func Write(dir string, pairs []eh.Pair) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, FileName))
	if err != nil {
		return err
	}
	if err := Encode(f, pairs); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Stats counts pairs by dimension, sub-category, modality and language;
// NativeByLang counts the pairs of each language that render no other pair.
type Stats struct {
	Pairs         int            `json:"pairs"`
	ByDimension   map[string]int `json:"by_dimension"`
	BySubCategory map[string]int `json:"by_subcategory"`
	ByModality    map[string]int `json:"by_modality"`
	ByLang        map[string]int `json:"by_lang"`
	NativeByLang  map[string]int `json:"native_by_lang"`
}

// Count returns the stats of a suite.
func Count(s *eh.Suite) Stats {
	st := Stats{Pairs: len(s.Pairs), ByDimension: map[string]int{}, BySubCategory: map[string]int{}, ByModality: map[string]int{},
		ByLang: map[string]int{}, NativeByLang: map[string]int{}}
	for _, p := range s.Pairs {
		st.ByDimension[string(p.Dimension)]++
		st.BySubCategory[string(p.SubCategory)]++
		st.ByModality[string(p.Modality)]++
		l := string(p.Language())
		st.ByLang[l]++
		if p.TranslationOf == "" {
			st.NativeByLang[l]++
		}
	}
	return st
}

// Items expands a suite into the questions to ask, basic before hallucinated for
// each pair, with media resolved on disk.
func Items(s *eh.Suite) ([]eh.Item, error) {
	items := make([]eh.Item, 0, 2*len(s.Pairs))
	// Resolve returns paths under the folder with its links resolved; providers
	// open them through that folder at send time (MediaFile.Dir).
	root := ""
	if s.Dir != "" {
		var err error
		if root, err = filepath.EvalSymlinks(s.Dir); err != nil {
			return nil, fmt.Errorf("suite %s: %w", s.Name, err)
		}
	}
	for i := range s.Pairs {
		p := &s.Pairs[i]
		var media []eh.MediaFile
		for _, m := range p.Context.Media {
			full, err := Resolve(s.Dir, m.Path)
			if err != nil {
				return nil, fmt.Errorf("suite %s pair %s: media %s: %w", s.Name, p.ID, m.Path, err)
			}
			mime := m.MIME
			if mime == "" {
				mime = MIMEOf(m.Path)
			}
			media = append(media, eh.MediaFile{Kind: m.Kind, MIME: mime, SHA256: m.SHA256, Path: full, Dir: root})
		}
		items = append(items, eh.Item{Pair: p, Role: eh.Basic, Media: media}, eh.Item{Pair: p, Role: eh.Hallucinated, Media: media})
	}
	return items, nil
}

// MIMEOf guesses a media type from a file extension.
func MIMEOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	case ".wav":
		return "audio/wav"
	case ".mp3":
		return "audio/mpeg"
	case ".flac":
		return "audio/flac"
	case ".ogg":
		return "audio/ogg"
	case ".mp4":
		return "video/mp4"
	case ".webm":
		return "video/webm"
	case ".flv":
		return "video/x-flv"
	case ".mov":
		return "video/quicktime"
	}
	return "application/octet-stream"
}

// SortPairs orders pairs by id, the canonical order of built suites.
func SortPairs(pairs []eh.Pair) {
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].ID < pairs[j].ID })
}
