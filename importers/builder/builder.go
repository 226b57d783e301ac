// Package builder runs dataset importers and writes a suite folder: suite.jsonl,
// the media the pairs reference under media/<dataset>/, and manifest.json, which
// records the sources, the seed, counts, and every item left out with its
// reason. The same sources and seed give byte-identical folders.
package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/emohallucer/emohallucer/interop/external"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/cremad"
	csvimp "github.com/emohallucer/emohallucer/importers/csv"
	"github.com/emohallucer/emohallucer/importers/ferplus"
	"github.com/emohallucer/emohallucer/importers/goemotions"
	"github.com/emohallucer/emohallucer/importers/meld"
	"github.com/emohallucer/emohallucer/importers/ravdess"
	"github.com/emohallucer/emohallucer/importers/soul"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/importers/twitter1517"
	"github.com/emohallucer/emohallucer/media"
	"github.com/emohallucer/emohallucer/review"
	"github.com/emohallucer/emohallucer/suite"
)

// ManifestName is the build manifest's file name inside the suite folder.
const ManifestName = "manifest.json"

// Format identifies the manifest layout.
const Format = "emohallucer-build/1"

// Registry returns every importer by name. It is written out by hand: adding a
// dataset means adding a line here, and nothing registers itself.
func Registry() map[string]importers.Importer {
	m := map[string]importers.Importer{
		ravdess.Name:     ravdess.Importer{},
		cremad.Name:      cremad.Importer{},
		ferplus.Name:     ferplus.Importer{},
		soul.Name:        soul.Importer{},
		goemotions.Name:  goemotions.Importer{},
		meld.Name:        meld.Importer{},
		twitter1517.Name: twitter1517.Importer{},
		csvimp.Name:      csvimp.Importer{},
	}
	// Other benchmarks (HallusionBench, POPE, VideoHallucer) and our own exports
	// read back (vlmevalkit, lmms-eval, hf-jsonl).
	for name, im := range external.Importers() {
		m[name] = im
	}
	return m
}

// Names returns the registered importer names, sorted.
func Names() []string {
	var out []string
	for n := range Registry() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Source is one --from NAME=PATH.
type Source struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

// ParseSource parses "name=path".
func ParseSource(spec string) (Source, error) {
	name, p, ok := strings.Cut(spec, "=")
	name = strings.ToLower(strings.TrimSpace(name))
	if !ok || name == "" || strings.TrimSpace(p) == "" {
		return Source{}, &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("--from %q: want NAME=PATH", spec), Hint: "importers: " + strings.Join(Names(), ", ")}
	}
	if _, known := Registry()[name]; !known {
		return Source{}, &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("--from %q: unknown importer %q", spec, name), Hint: "importers: " + strings.Join(Names(), ", ")}
	}
	p = strings.TrimSpace(p)
	// The shell does not expand ~ after "name=", so do it here.
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	// Options after the path (",media=DIR", ",ratings=FILE") are the
	// importer's to read; cleaning them with the path would let a "../" in an
	// option eat the path's last element.
	dir, opts, _ := strings.Cut(p, ",")
	if opts != "" {
		opts = "," + opts
	}
	return Source{Name: name, Path: filepath.Clean(dir) + opts}, nil
}

// Config is one build.
type Config struct {
	Out         string
	Sources     []Source
	Seed        int64
	MaxPerLabel int
	// Tools locate ffmpeg/ffprobe; nil means media.Find().
	Tools *media.Tools
	// Log receives progress; nil discards it.
	Log *slog.Logger
	// Importers overrides the registry (tests); nil means Registry().
	Importers map[string]importers.Importer
	// Exclude names verdict files of a human review (review.ReadVerdicts):
	// pairs a strict majority of their raters did not judge valid are left
	// out and listed in the manifest.
	Exclude []string
}

// Manifest is manifest.json. It holds no timestamps or output paths, so two
// builds of the same sources with the same seed write the same bytes.
type Manifest struct {
	Format      string           `json:"format"`
	Seed        int64            `json:"seed"`
	MaxPerLabel int              `json:"max_per_label"`
	FFmpeg      string           `json:"ffmpeg,omitempty"`
	Sources     []SourceReport   `json:"sources"`
	Totals      Totals           `json:"totals"`
	Dropped     []DroppedItem    `json:"dropped"`
	Skipped     map[string]int   `json:"skipped"`
	Swaps       []SwapTableEntry `json:"swap_table"`
	// Distant is the table the media importers draw wrong labels from.
	Distant []SwapTableEntry `json:"distant_table"`
	// Excluded are the pairs left out by --exclude, with their verdicts.
	Excluded []review.Excluded `json:"excluded,omitempty"`
}

// SourceReport is what one source contributed.
type SourceReport struct {
	Name          string         `json:"name"`
	Path          string         `json:"path"`
	FilesRead     int            `json:"files_read"`
	Items         int            `json:"items"`
	Pairs         int            `json:"pairs"`
	Dropped       int            `json:"dropped"`
	Skipped       map[string]int `json:"skipped"`
	BySubCategory map[string]int `json:"by_subcategory"`
	ByModality    map[string]int `json:"by_modality"`
	// Rules are the importer's selection rules for valid pairs, as it states them.
	Rules []string `json:"rules,omitempty"`
	// Sequences are the constructed long sequences, each with its clips.
	Sequences []importers.Sequence `json:"sequences,omitempty"`
}

// Totals counts the whole suite.
type Totals struct {
	Pairs         int            `json:"pairs"`
	Questions     int            `json:"questions"`
	MediaFiles    int            `json:"media_files"`
	MediaBytes    int64          `json:"media_bytes"`
	ByModality    map[string]int `json:"by_modality"`
	BySubCategory map[string]int `json:"by_subcategory"`
}

// DroppedItem is an item left out, with its source.
type DroppedItem struct {
	Source string `json:"source"`
	importers.Dropped
}

// SwapTableEntry records the confusable table the build used.
type SwapTableEntry struct {
	A   string `json:"a"`
	B   string `json:"b"`
	Why string `json:"why"`
}

// Build runs the importers of cfg.Sources and writes the suite folder cfg.Out.
// It builds in a temporary folder next to Out and moves it into place only when
// everything succeeded, so a failed build never leaves half a suite. An
// existing Out is replaced only if it is empty or an earlier build (it holds a
// manifest.json).
func Build(ctx context.Context, cfg Config) (*Manifest, error) {
	if cfg.Out == "" {
		return nil, eh.Errorf(eh.EINVALID, "build: --out is required")
	}
	if len(cfg.Sources) == 0 {
		return nil, &eh.Error{Code: eh.EINVALID, Message: "build: no sources (give --from NAME=PATH)", Hint: "importers: " + strings.Join(Names(), ", ")}
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tools := cfg.Tools
	if tools == nil {
		tools = media.Find()
	}
	reg := cfg.Importers
	if reg == nil {
		reg = Registry()
	}
	out, err := filepath.Abs(cfg.Out)
	if err != nil {
		return nil, err
	}
	// Verdict files are read before any importing, so a bad one fails at once.
	var verdicts *review.Verdicts
	if len(cfg.Exclude) > 0 {
		if verdicts, err = review.ReadVerdicts(cfg.Exclude); err != nil {
			return nil, fmt.Errorf("build: --exclude: %w", err)
		}
	}
	if err := checkReplaceable(out); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".building-")
	if err != nil {
		return nil, err
	}
	// MkdirTemp makes the folder private; a suite folder is ordinary data.
	if err := os.Chmod(staging, 0o755); err != nil {
		os.RemoveAll(staging)
		return nil, err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(staging)
		}
	}()

	// Sources run in a fixed order so that the flag order does not matter.
	sources := append([]Source(nil), cfg.Sources...)
	sort.Slice(sources, func(i, j int) bool {
		if sources[i].Name != sources[j].Name {
			return sources[i].Name < sources[j].Name
		}
		return sources[i].Path < sources[j].Path
	})
	m := &Manifest{Format: Format, Seed: cfg.Seed, MaxPerLabel: cfg.MaxPerLabel, Skipped: map[string]int{}, Dropped: []DroppedItem{}}
	for _, e := range swap.Table {
		m.Swaps = append(m.Swaps, SwapTableEntry{A: string(e.A), B: string(e.B), Why: e.Why})
	}
	for _, e := range swap.Distant {
		m.Distant = append(m.Distant, SwapTableEntry{A: string(e.A), B: string(e.B), Why: e.Why})
	}
	env := &importers.Env{Seed: cfg.Seed, MaxPerLabel: cfg.MaxPerLabel, Out: importers.NewOutput(staging, tools), Tools: tools, Log: log}
	var pairs []eh.Pair
	ids := map[string]string{}
	for i, src := range sources {
		if i > 0 && src == sources[i-1] {
			return nil, eh.Errorf(eh.EINVALID, "build: source %s=%s is given twice", src.Name, src.Path)
		}
		imp, ok := reg[src.Name]
		if !ok {
			return nil, &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("build: unknown importer %q", src.Name), Hint: "importers: " + strings.Join(Names(), ", ")}
		}
		log.Info("importing", "source", src.Name, "path", src.Path)
		res, err := imp.Import(ctx, src.Path, env)
		if err != nil {
			if ctx.Err() != nil {
				return nil, &eh.Error{Code: eh.ECANCELED, Message: "build interrupted", Err: ctx.Err()}
			}
			return nil, fmt.Errorf("build: import %s from %s: %w", src.Name, src.Path, err)
		}
		rep := SourceReport{Name: src.Name, Path: src.Path, FilesRead: res.FilesRead, Items: res.Items, Pairs: len(res.Pairs),
			Dropped: len(res.Dropped), Skipped: map[string]int{}, BySubCategory: map[string]int{}, ByModality: map[string]int{}, Rules: res.Rules, Sequences: res.Sequences}
		for _, p := range res.Pairs {
			if err := p.Validate(); err != nil {
				return nil, fmt.Errorf("build: importer %s made an invalid pair (a bug): %w", src.Name, err)
			}
			if other, dup := ids[p.ID]; dup {
				return nil, eh.Errorf(eh.EINVALID, "build: pair id %s comes from both %s and %s=%s; give each dataset once", p.ID, other, src.Name, src.Path)
			}
			ids[p.ID] = src.Name + "=" + src.Path
			rep.BySubCategory[string(p.SubCategory)]++
			rep.ByModality[string(p.Modality)]++
		}
		for reason, n := range res.Skipped {
			rep.Skipped[reason] += n
			m.Skipped[src.Name+": "+reason] += n
		}
		for _, d := range res.Dropped {
			m.Dropped = append(m.Dropped, DroppedItem{Source: src.Name, Dropped: d})
			log.Warn("dropped", "source", src.Name, "item", d.Item, "path", d.Path, "reason", d.Reason)
		}
		log.Info("imported", "source", src.Name, "pairs", len(res.Pairs), "dropped", len(res.Dropped), "files_read", res.FilesRead)
		m.Sources = append(m.Sources, rep)
		pairs = append(pairs, res.Pairs...)
	}
	if len(pairs) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "build: the sources gave no pairs (see the dropped items above)")
	}
	suite.SortPairs(pairs)
	if verdicts != nil {
		if pairs, m.Excluded = verdicts.Exclude(pairs); len(pairs) == 0 {
			return nil, eh.Errorf(eh.EINVALID, "build: --exclude left no pairs")
		}
	}
	if err := suite.Write(staging, pairs); err != nil {
		return nil, fmt.Errorf("build: write suite: %w", err)
	}
	st := suite.Count(&eh.Suite{Pairs: pairs})
	files, size := env.Out.Files()
	if len(m.Excluded) > 0 {
		if files, size, err = removeUnreferenced(staging, pairs); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}
	m.Totals = Totals{Pairs: st.Pairs, Questions: 2 * st.Pairs, MediaFiles: files, MediaBytes: size, ByModality: st.ByModality, BySubCategory: st.BySubCategory}
	if files > 0 && tools.Require("") == nil {
		if v, err := tools.Version(ctx); err == nil {
			m.FFmpeg = v
		}
	}
	if err := writeManifest(filepath.Join(staging, ManifestName), m); err != nil {
		return nil, err
	}
	// Read the folder back exactly as a user's run would: every line valid,
	// every digest matching the bytes on disk.
	if _, err := suite.Read(staging, suite.Options{}); err != nil {
		return nil, fmt.Errorf("build: the written suite does not validate (a bug): %w", err)
	}
	if err := os.RemoveAll(out); err != nil {
		return nil, err
	}
	if err := os.Rename(staging, out); err != nil {
		return nil, fmt.Errorf("build: move the suite into place: %w", err)
	}
	done = true
	return m, nil
}

// removeUnreferenced deletes the media files under dir/media that no pair
// references (those only excluded pairs used) and counts the rest.
func removeUnreferenced(dir string, pairs []eh.Pair) (files int, size int64, err error) {
	used := map[string]bool{}
	for _, p := range pairs {
		for _, md := range p.Context.Media {
			used[path.Clean(md.Path)] = true
		}
	}
	err = filepath.WalkDir(filepath.Join(dir, "media"), func(full string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, full)
		if err != nil {
			return err
		}
		if !used[filepath.ToSlash(rel)] {
			return os.Remove(full)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += info.Size()
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	return files, size, err
}

// checkReplaceable refuses to overwrite a folder that is not an earlier build.
func checkReplaceable(out string) error {
	st, err := os.Stat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return eh.Errorf(eh.EINVALID, "build: --out %s exists and is not a folder", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, ManifestName)); err == nil {
		return nil
	}
	return &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("build: --out %s is not empty and holds no %s; refusing to replace it", out, ManifestName), Hint: "choose a new folder, or remove this one"}
}

func writeManifest(name string, m *Manifest) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("build: encode manifest: %w", err)
	}
	return os.WriteFile(name, buf.Bytes(), 0o644)
}

// ReadManifest reads the manifest of a built suite folder.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, eh.Errorf(eh.EINVALID, "%s: %v", filepath.Join(dir, ManifestName), err)
	}
	return &m, nil
}
