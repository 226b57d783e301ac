// Package csv imports users' own labelled data from a CSV file (with a header
// row) or a JSONL file (one object per line) with these columns or keys:
//
//	modality   text, image, audio, short-video or long-video (required)
//	media      the media file, relative to the CSV/JSONL file's folder
//	           (required unless modality is text)
//	label      the gold emotion or sentiment, e.g. angry, fear, positive (required)
//	text       context text: the passage for text items, optional otherwise
//	intensity  optional: low/high, mild/strong or normal/strong — adds an intensity pair
//	cue        optional: a cue present in the input ("a furrowed brow") — adds a
//	           reasoning-cue pair against the cue of an item with a confusable label
//	subject    optional: who the questions are about ("the customer"); defaults
//	           by modality ("the person in the image", "the speaker", …)
//	id         optional: the item's id (default: its line number)
//	usecase    optional: the use case the item stands for ("support"); its
//	           pairs get the tag usecase:<value>, so that a use-case register
//	           can measure on the view tag:usecase:<value>
//
// Column names and keys are read without regard to case; two that differ only
// in case ("Label" and "label") are an error naming the line, and so is text
// that is not valid UTF-8.
//
// Every row gives a category pair: the label against a confusable one from the
// swap table (labels outside the table are swapped with the other labels of the
// file and used verbatim, so write them as adjectives: "frustrated"). Video
// other than MP4/WebM is converted to MP4.
package csv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"unicode/utf8"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/media"
)

// Name is the importer's name on the command line.
const Name = "csv"

// Importer imports generic CSV/JSONL label files.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

var opposite = map[string]string{"low": "high", "high": "low", "mild": "strong", "weak": "strong", "normal": "strong", "strong": "mild"}

type item struct {
	key, id   string
	line      int
	modality  eh.Modality
	mediaPath string // as written
	full      string
	label     swap.Label
	text      string
	intensity string
	cue       string
	subject   string
	usecase   string
	media     eh.Media
}

// Import implements importers.Importer. src is the CSV or JSONL file.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	st, err := os.Stat(src)
	if err != nil {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("csv: %v", err)}
	}
	if st.IsDir() {
		return nil, eh.Errorf(eh.EINVALID, "csv: %s is a folder; give the CSV or JSONL file", src)
	}
	res := &importers.Result{FilesRead: 1}
	rows, err := read(src)
	if err != nil {
		return nil, err
	}
	stem := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	dir := filepath.Dir(src)
	var items []*item
	ids := map[string]int{}
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res.Items++
		it, why := parse(r, stem)
		if why != "" {
			res.Drop(it.id, src, "line %d: %s", r.Line, why)
			continue
		}
		if first, dup := ids[it.id]; dup {
			res.Drop(it.id, src, "line %d: id %s repeats line %d", r.Line, it.id, first)
			continue
		}
		ids[it.id] = r.Line
		if it.modality != eh.Text {
			if filepath.IsAbs(it.mediaPath) {
				it.full = it.mediaPath
			} else {
				it.full = filepath.Join(dir, filepath.FromSlash(it.mediaPath))
			}
			res.FilesRead++
			if err := env.Tools.Verify(ctx, it.full); err != nil {
				if !rowFileError(err) {
					return nil, err
				}
				res.Drop(it.id, it.full, "line %d: %v", r.Line, err)
				continue
			}
			if err := place(ctx, env, it, stem); err != nil {
				if eh.ErrorCode(err) == eh.ENOTFOUND || eh.ErrorCode(err) == eh.ECANCELED {
					return nil, err
				}
				res.Drop(it.id, it.full, "line %d: %v", r.Line, err)
				continue
			}
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return res, nil
	}

	// Labels outside the table are confusable with the file's other labels
	// outside it; a label left with no confusable label present falls back to
	// every other label of the file.
	present := map[swap.Label]bool{}
	for _, it := range items {
		present[it.label] = true
	}
	var all []swap.Label
	for l := range present {
		all = append(all, l)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	neighbors := func(l swap.Label) []swap.Label {
		var out []swap.Label
		if swap.Known(l) {
			for _, o := range swap.Confusables(l) {
				if present[o] {
					out = append(out, o)
				}
			}
		} else {
			for _, o := range all {
				if o != l && !swap.Known(o) {
					out = append(out, o)
				}
			}
		}
		if len(out) == 0 {
			for _, o := range all {
				if o != l {
					out = append(out, o)
				}
			}
		}
		return out
	}
	keys := make([]swap.Item, len(items))
	for i, it := range items {
		keys[i] = swap.Item{Key: it.key, Gold: it.label}
	}
	cat, err := swap.Assign(keys, env.Rand("csv "+stem+" category"), swap.AssignOptions{Neighbors: neighbors, MaxPerLabel: env.MaxPerLabel})
	if err != nil {
		return nil, err
	}
	var withCue []swap.Item
	byLabel := map[swap.Label][]*item{}
	for _, it := range items {
		wrong, ok := cat.Wrong[it.key]
		if !ok {
			res.Skip(cat.Dropped[it.key])
			continue
		}
		res.Pairs = append(res.Pairs, it.category(wrong))
		switch {
		case it.intensity == "":
		case it.label == swap.Neutral || it.label == swap.NeutralSentiment:
			res.Skip("no intensity pair for a neutral item")
		default:
			res.Pairs = append(res.Pairs, it.intensityPair())
		}
		if it.cue != "" {
			withCue = append(withCue, swap.Item{Key: it.key, Gold: it.label})
			byLabel[it.label] = append(byLabel[it.label], it)
		}
	}
	// Cue pairs: each row's cue is set against the cue of a row whose label is
	// a confusable one; rows of each label hand out their cues in a seeded
	// rotation, so every cue is used about as often wrong as right.
	cues, err := swap.Assign(withCue, env.Rand("csv "+stem+" cue"), swap.AssignOptions{Neighbors: neighbors})
	if err != nil {
		return nil, err
	}
	r := env.Rand("csv " + stem + " cue rotation")
	next := map[swap.Label]int{}
	for _, l := range all { // sorted: map order would make the draws random
		if its := byLabel[l]; len(its) > 0 {
			next[l] = r.IntN(len(its))
		}
	}
	byKey := map[string]*item{}
	for _, it := range items {
		byKey[it.key] = it
	}
	for _, k := range withCue {
		it := byKey[k.Key]
		wrong, ok := cues.Wrong[k.Key]
		if !ok {
			res.Skip("no row with a confusable label has a cue")
			continue
		}
		donors := byLabel[wrong]
		donor := donors[next[wrong]%len(donors)]
		next[wrong]++
		if strings.EqualFold(donor.cue, it.cue) {
			res.Skip("the confusable row's cue is the same as this row's")
			continue
		}
		res.Pairs = append(res.Pairs, it.cuePair(donor))
	}
	return res, nil
}

// rowFileError reports whether err is about one row's media file (missing,
// not a file, not media), so that the row is dropped with its line; other
// failures (permissions, I/O, a missing tool) stop the import. A path through
// a file ("a.wav/x") or a folder used to stop it (found by FuzzImport).
func rowFileError(err error) bool {
	return media.IsCorrupt(err) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) ||
		errors.Is(err, syscall.EISDIR)
}

// read loads rows from a CSV file with a header or from JSONL.
func read(src string) ([]importers.Row, error) {
	if ext := strings.ToLower(filepath.Ext(src)); ext == ".jsonl" || ext == ".ndjson" {
		f, err := os.Open(src)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		var rows []importers.Row
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64*1024), 4<<20)
		line := 0
		for sc.Scan() {
			line++
			raw := bytes.TrimSpace(sc.Bytes())
			if len(raw) == 0 {
				continue
			}
			if !utf8.Valid(raw) {
				return nil, eh.Errorf(eh.EINVALID, "csv: %s:%d: invalid UTF-8", src, line)
			}
			var obj map[string]any
			if err := json.Unmarshal(raw, &obj); err != nil {
				return nil, eh.Errorf(eh.EINVALID, "csv: %s:%d: %v", src, line, err)
			}
			if a, b, ok := caseTwins(obj); ok {
				return nil, eh.Errorf(eh.EINVALID, "csv: %s:%d: keys %q and %q differ only in case", src, line, a, b)
			}
			fields := map[string]string{}
			for k, v := range obj {
				switch v := v.(type) {
				case string:
					fields[strings.ToLower(k)] = v
				case nil:
				default:
					fields[strings.ToLower(k)] = fmt.Sprint(v)
				}
			}
			rows = append(rows, importers.Row{Line: line, Fields: fields})
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("csv: %s: %w", src, err)
		}
		return rows, nil
	}
	rows, err := importers.ReadTable(src, ',')
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	if len(rows) > 0 {
		if a, b, ok := caseTwins(rows[0].Fields); ok {
			return nil, eh.Errorf(eh.EINVALID, "csv: %s: header: columns %q and %q differ only in case", src, a, b)
		}
	}
	for _, r := range rows {
		for k, v := range r.Fields {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				// JSON would silently replace the bytes; refuse them in both
				// formats (found by FuzzImport).
				return nil, eh.Errorf(eh.EINVALID, "csv: %s:%d: invalid UTF-8", src, r.Line)
			}
			if lk := strings.ToLower(k); lk != k {
				delete(r.Fields, k)
				r.Fields[lk] = v
			}
		}
	}
	return rows, nil
}

// caseTwins finds two keys that differ only in case. Keys are read without
// regard to case, so either could win, and which one did changed from one
// import to the next (map order; found by FuzzImport).
func caseTwins[V any](m map[string]V) (a, b string, ok bool) {
	seen := make(map[string]string, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if other, dup := seen[strings.ToLower(k)]; dup {
			return other, k, true
		}
		seen[strings.ToLower(k)] = k
	}
	return "", "", false
}

func parse(r importers.Row, stem string) (*item, string) {
	it := &item{id: r.Get("id"), line: r.Line, mediaPath: r.Get("media"), text: r.Get("text"),
		intensity: strings.ToLower(r.Get("intensity")), cue: strings.TrimRight(r.Get("cue"), ". "), subject: r.Get("subject"),
		usecase: strings.ToLower(strings.TrimSpace(r.Get("usecase")))}
	if it.id == "" {
		it.id = fmt.Sprintf("line%d", r.Line)
	}
	it.key = stem + "-" + it.id
	m, err := eh.ParseModality(strings.ToLower(r.Get("modality")))
	if err != nil {
		return it, err.Error()
	}
	it.modality = m
	raw := r.Get("label")
	if raw == "" {
		return it, "empty label"
	}
	if l, ok := swap.Normalize(raw); ok {
		it.label = l
	} else if l, ok := swap.Sentiment(raw); ok {
		it.label = l
	} else {
		it.label = swap.Label(strings.ToLower(raw))
	}
	if m == eh.Text && it.text == "" {
		return it, "a text item needs the text column"
	}
	if m != eh.Text && it.mediaPath == "" {
		return it, "a " + string(m) + " item needs the media column"
	}
	if it.intensity != "" && opposite[it.intensity] == "" {
		return it, fmt.Sprintf("intensity %q is not one of low, high, mild, weak, normal, strong", it.intensity)
	}
	if strings.ContainsAny(it.usecase, " \t,") {
		return it, fmt.Sprintf("usecase %q must be one word (letters, digits, - or _)", it.usecase)
	}
	if it.subject == "" {
		it.subject = map[eh.Modality]string{eh.Text: "the writer of the text", eh.Image: "the person in the image", eh.Audio: "the speaker",
			eh.ShortVideo: "the person in the video", eh.LongVideo: "the person in the video"}[m]
	}
	return it, ""
}

// place copies (or converts) the item's media into the suite.
func place(ctx context.Context, env *importers.Env, it *item, stem string) error {
	rel := path.Clean(filepath.ToSlash(it.mediaPath))
	if filepath.IsAbs(it.mediaPath) || rel == ".." || strings.HasPrefix(rel, "../") {
		rel = path.Base(rel)
	}
	rel = "csv-" + stem + "/" + rel
	ext := strings.ToLower(path.Ext(rel))
	if k := media.Kind(it.full); k != "" && kindMismatch(k, it.modality) {
		return eh.Errorf(eh.EINVALID, "modality %s does not fit the file type of %s", it.modality, it.mediaPath)
	}
	var err error
	switch {
	case it.modality == eh.Image || it.modality == eh.Audio:
		it.media, err = env.Out.Copy(it.full, rel, it.modality, "")
	case ext == ".mp4" || ext == ".webm":
		it.media, err = env.Out.Copy(it.full, rel, it.modality, "")
	default:
		it.media, err = env.Out.ConvertMP4(ctx, it.full, strings.TrimSuffix(rel, path.Ext(rel))+".mp4", it.modality)
	}
	return err
}

func kindMismatch(file, declared eh.Modality) bool {
	if file == eh.ShortVideo {
		return declared != eh.ShortVideo && declared != eh.LongVideo
	}
	return file != declared
}

func (it *item) verb() string {
	switch it.modality {
	case eh.Image:
		return "look"
	case eh.ShortVideo, eh.LongVideo:
		return "seem"
	}
	return "sound"
}

func (it *item) pair(sub eh.SubCategory) eh.Pair {
	p := eh.Pair{
		ID: fmt.Sprintf("csv-%s-%s", it.key, sub), Dimension: eh.Perception, SubCategory: sub, Modality: it.modality,
		Context: eh.Context{Text: it.text},
		Source:  eh.Source{Dataset: "csv", ID: it.key},
		Tags:    []string{fmt.Sprintf("line:%d", it.line), "label:" + string(it.label)},
	}
	if it.usecase != "" {
		p.Tags = append(p.Tags, "usecase:"+it.usecase)
	}
	if it.media.Path != "" {
		p.Context.Media = []eh.Media{it.media}
	}
	return p
}

func (it *item) category(wrong swap.Label) eh.Pair {
	p := it.pair(eh.Category)
	q := func(l swap.Label) string {
		return importers.Capitalize(fmt.Sprintf("Does %s %s %s?", it.subject, it.verb(), swap.Adj(l)))
	}
	p.Basic = eh.Question{Text: q(it.label), Gold: eh.Yes}
	p.Hallucinated = eh.Question{Text: q(wrong), Gold: eh.No}
	p.Corruption = "swap"
	p.Tags = append(p.Tags, "emotion:"+string(it.label), importers.AskedTag(wrong))
	p.Explanation = fmt.Sprintf("Labelled %s (line %d), not %s.", it.label, it.line, wrong)
	return p
}

func (it *item) intensityPair() eh.Pair {
	p := it.pair(eh.Intensity)
	wrong := opposite[it.intensity]
	q := func(level string) string {
		return importers.Capitalize(fmt.Sprintf("Does %s express %s with %s intensity?", it.subject, swap.Noun(it.label), level))
	}
	p.Basic = eh.Question{Text: q(it.intensity), Gold: eh.Yes}
	p.Hallucinated = eh.Question{Text: q(wrong), Gold: eh.No}
	p.Corruption = "distortion"
	p.Tags = append(p.Tags, "intensity:"+it.intensity, "asked:"+wrong)
	p.Explanation = fmt.Sprintf("Labelled %s at %s intensity (line %d), not %s.", it.label, it.intensity, it.line, wrong)
	return p
}

func (it *item) cuePair(donor *item) eh.Pair {
	p := it.pair(eh.ReasoningCue)
	q := func(cue string) string {
		switch it.modality {
		case eh.Text:
			return fmt.Sprintf("Does the text mention %s?", cue)
		case eh.Audio:
			return fmt.Sprintf("Can %s be heard in the recording?", cue)
		case eh.Image:
			return fmt.Sprintf("Does the image show %s?", cue)
		}
		return fmt.Sprintf("Does the video show %s?", cue)
	}
	p.Basic = eh.Question{Text: q(it.cue), Gold: eh.Yes}
	p.Hallucinated = eh.Question{Text: q(donor.cue), Gold: eh.No}
	p.Corruption = "fabrication"
	p.Explanation = fmt.Sprintf("Line %d records the cue %q for this %s item; %q is the cue of line %d (%s).", it.line, it.cue, it.label, donor.cue, donor.line, donor.label)
	return p
}
