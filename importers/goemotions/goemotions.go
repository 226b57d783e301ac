// Package goemotions imports GoEmotions (Demszky et al., ACL 2020; Apache-2.0):
// Reddit comments labelled with 27 emotions or neutral, in the released TSV
// files (text, comma-separated label ids, comment id) with emotions.txt naming
// the ids.
//
// Only high-agreement items are used: the released files keep a label only
// when at least two raters chose it, and we further keep only comments with a
// single label, and only labels that are themselves a basic emotion word
// (anger, disgust, fear, joy, sadness, surprise, neutral), so that "does the
// writer sound angry?" has a clear answer. Labels are then trimmed per class so
// that every emotion word is used as often in hallucinated questions as in
// basic ones.
package goemotions

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
)

// Name is the importer's name on the command line.
const Name = "goemotions"

// Importer imports GoEmotions.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

// basic are the GoEmotions labels that name a basic emotion.
var basic = map[string]swap.Label{"anger": swap.Anger, "disgust": swap.Disgust, "fear": swap.Fear, "joy": swap.Happiness,
	"sadness": swap.Sadness, "surprise": swap.Surprise, "neutral": swap.Neutral}

type comment struct {
	key, split, id, text string
	label                swap.Label
	word                 string // the GoEmotions label
}

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	if err := importers.RequireDir(Name, src); err != nil {
		return nil, err
	}
	res := &importers.Result{}
	names, err := readNames(filepath.Join(src, "emotions.txt"))
	if err != nil {
		return nil, err
	}
	res.FilesRead++
	files, err := importers.Walk(src, func(rel string) bool { return strings.HasSuffix(rel, ".tsv") })
	if err != nil {
		return nil, err
	}
	var comments []*comment
	byKey := map[string]*comment{}
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := filepath.Join(src, filepath.FromSlash(rel))
		split := strings.TrimSuffix(path.Base(rel), ".tsv")
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		res.FilesRead++
		// Rows with a double quote in the text are CSV-quoted; the others are
		// plain, so the reader must accept both.
		r := csv.NewReader(bufio.NewReader(f))
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = '\t', true, -1
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			line, _ := r.FieldPos(0)
			if err != nil {
				f.Close()
				return nil, eh.Errorf(eh.EINVALID, "goemotions: %s: %v", name, err)
			}
			res.Items++
			item := fmt.Sprintf("%s:%d", split, line)
			if len(rec) != 3 {
				res.Drop(item, name, "line %d: %d fields, want text, labels, id", line, len(rec))
				continue
			}
			ids := strings.Split(rec[1], ",")
			if len(ids) != 1 {
				res.Skip("more than one label")
				continue
			}
			k, err := strconv.Atoi(strings.TrimSpace(ids[0]))
			if err != nil || k < 0 || k >= len(names) {
				res.Drop(item, name, "line %d: label id %q is not in emotions.txt", line, ids[0])
				continue
			}
			l, ok := basic[names[k]]
			if !ok {
				res.Skip("label is not a basic emotion word")
				continue
			}
			c := &comment{key: split + "-" + rec[2], split: split, id: rec[2], text: strings.TrimSpace(rec[0]), label: l, word: names[k]}
			if _, dup := byKey[c.key]; dup {
				res.Drop(item, name, "line %d: comment id %s repeats", line, rec[2])
				continue
			}
			if c.text == "" {
				res.Drop(item, name, "line %d: empty text", line)
				continue
			}
			byKey[c.key] = c
			comments = append(comments, c)
		}
		f.Close()
	}
	if len(files) == 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("goemotions: no .tsv files below %s", src)}
	}
	items := make([]swap.Item, len(comments))
	for i, c := range comments {
		items[i] = swap.Item{Key: c.key, Gold: c.label}
	}
	asg, err := swap.Assign(items, env.Rand("goemotions category"), swap.AssignOptions{Trim: true, MaxPerLabel: env.MaxPerLabel})
	if err != nil {
		return nil, err
	}
	for _, c := range comments {
		wrong, ok := asg.Wrong[c.key]
		if !ok {
			res.Skip(asg.Dropped[c.key])
			continue
		}
		q := func(l swap.Label) string { return fmt.Sprintf("Does the writer of the comment sound %s?", swap.Adj(l)) }
		res.Pairs = append(res.Pairs, eh.Pair{
			ID: fmt.Sprintf("goemotions-%s-category", c.key), Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text,
			Context:      eh.Context{Text: c.text},
			Basic:        eh.Question{Text: q(c.label), Gold: eh.Yes},
			Hallucinated: eh.Question{Text: q(wrong), Gold: eh.No},
			Explanation:  fmt.Sprintf("GoEmotions raters agreed on the single label %s for this comment; %s was not chosen.", c.word, wrong),
			Corruption:   "swap",
			Source:       eh.Source{Dataset: Name, ID: c.split + ":" + c.id},
			Tags:         []string{"split:" + c.split, "emotion:" + string(c.label)},
		})
	}
	return res, nil
}

func readNames(name string) ([]string, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("goemotions: %v", err), Hint: "emotions.txt (the 28 label names in id order) must sit next to the .tsv files"}
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) != 28 {
		return nil, eh.Errorf(eh.EINVALID, "goemotions: %s lists %d labels, want 28", name, len(out))
	}
	return out, nil
}
