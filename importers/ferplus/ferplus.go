// Package ferplus imports FER-2013 face crops with FER+ labels (Barsoum et al.
// 2016): ten crowd votes per face over neutral, happiness, surprise, sadness,
// anger, disgust, fear, contempt, unknown and not-a-face.
//
// A face is used when one emotion has at least 7 of its votes and no other ties
// it. Each face gives a category pair (the majority emotion vs a confusable one)
// and a reasoning-cue pair: the prototypical facial cues of the majority
// emotion (after Ekman & Friesen's Facial Action Coding System) against the cues
// of a confusable emotion — a face the raters agree is angry is asked whether it
// shows a lowered, drawn-together brow, and whether it shows a wrinkled nose and
// raised upper lip.
//
// Two layouts are read: this project's labels.csv (a header row, file paths and
// votes_<emotion> columns) and the FER+ repository's FER2013*/label.csv files
// (no header: image, face box, then the ten vote counts) next to their PNGs.
package ferplus

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/media"
)

// Name is the importer's name on the command line.
const Name = "ferplus"

// MinVotes is the majority a face needs (of 10 votes) to be used.
const MinVotes = 7

// Importer imports FER+.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

// voteOrder is the FER+ column order.
var voteOrder = []string{"neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt", "unknown", "NF"}

// Cues are the prototypical facial cues of each emotion, written to be of
// similar length so the phrase length gives nothing away. Action units (AU) of
// the Facial Action Coding System are noted for reference.
var Cues = map[swap.Label]string{
	swap.Happiness: "raised cheeks and lip corners pulled up into a smile",     // AU6+12
	swap.Sadness:   "inner brow corners raised and lip corners pulled down",    // AU1+4+15
	swap.Surprise:  "raised eyebrows, wide-open eyes and a dropped jaw",        // AU1+2+5+26
	swap.Fear:      "raised, drawn-together brows and lips stretched sideways", // AU1+2+4+5+20
	swap.Anger:     "a lowered, drawn-together brow and tightly pressed lips",  // AU4+5+7+23
	swap.Disgust:   "a wrinkled nose and an upper lip raised in a sneer",       // AU9+10
	swap.Neutral:   "relaxed brows and a closed mouth with relaxed lips",       // no action units
	swap.Contempt:  "one lip corner tightened and raised on one side only",     // unilateral AU12+14
}

type face struct {
	id, full, base string
	label          swap.Label
	votes, total   int
	all            map[swap.Label]int
	usage          string
	sha            string
	media          eh.Media
}

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	if err := importers.RequireDir(Name, src); err != nil {
		return nil, err
	}
	res := &importers.Result{}
	var faces []*face
	if _, err := os.Stat(filepath.Join(src, "labels.csv")); err == nil {
		fs, err := readLabels(src, res)
		if err != nil {
			return nil, err
		}
		faces = fs
	} else {
		fs, err := readFERPlus(src, res)
		if err != nil {
			return nil, err
		}
		faces = fs
	}
	if res.Items == 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("ferplus: no labels.csv, and no FER+ label.csv files, below %s", src)}
	}
	var kept []*face
	seen := map[string]string{}
	for _, f := range faces {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if first, dup := seen[f.base]; dup {
			res.Drop(f.id, f.full, "duplicate of %s", first)
			continue
		}
		seen[f.base] = f.full
		res.FilesRead++
		if err := env.Tools.Verify(ctx, f.full); err != nil {
			if !media.IsCorrupt(err) && !os.IsNotExist(err) {
				return nil, err
			}
			res.Drop(f.id, f.full, "%v", err)
			continue
		}
		m, err := env.Out.Copy(f.full, "ferplus/"+f.base, eh.Image, f.sha)
		if err != nil {
			if eh.ErrorCode(err) == eh.EINVALID {
				res.Drop(f.id, f.full, "%v", err)
				continue
			}
			return nil, err
		}
		f.media = m
		kept = append(kept, f)
	}

	items := make([]swap.Item, len(kept))
	for i, f := range kept {
		items[i] = swap.Item{Key: f.id, Gold: f.label}
	}
	cat, err := swap.Assign(items, env.Rand("ferplus category"), swap.AssignOptions{MaxPerLabel: env.MaxPerLabel})
	if err != nil {
		return nil, err
	}
	var chosen []swap.Item
	for _, it := range items {
		if _, ok := cat.Wrong[it.Key]; ok {
			chosen = append(chosen, it)
		} else {
			res.Skip(cat.Dropped[it.Key])
		}
	}
	cue, err := swap.Assign(chosen, env.Rand("ferplus cue"), swap.AssignOptions{})
	if err != nil {
		return nil, err
	}
	for _, f := range kept {
		if w, ok := cat.Wrong[f.id]; ok {
			res.Pairs = append(res.Pairs, f.category(w))
		}
		if w, ok := cue.Wrong[f.id]; ok {
			res.Pairs = append(res.Pairs, f.cuePair(w))
		}
	}
	return res, nil
}

// choose applies the majority rule to one face's votes (in voteOrder) and
// returns the label, or a reason for leaving the face out.
func choose(votes []int) (swap.Label, int, int, string) {
	total, best, bestN, tie := 0, -1, -1, false
	for i, n := range votes {
		total += n
		if n > bestN {
			best, bestN, tie = i, n, false
		} else if n == bestN {
			tie = true
		}
	}
	switch {
	case total == 0:
		return "", 0, 0, "no votes"
	case tie:
		return "", bestN, total, "tied vote"
	case voteOrder[best] == "unknown" || voteOrder[best] == "NF":
		return "", bestN, total, "majority says " + map[string]string{"unknown": "unknown emotion", "NF": "not a face"}[voteOrder[best]]
	case bestN < MinVotes:
		return "", bestN, total, fmt.Sprintf("below the %d-vote majority", MinVotes)
	}
	l, _ := swap.Normalize(voteOrder[best])
	return l, bestN, total, ""
}

func byLabel(votes []int) map[swap.Label]int {
	out := map[swap.Label]int{}
	for i, n := range votes {
		if l, ok := swap.Normalize(voteOrder[i]); ok {
			out[l] = n
		}
	}
	return out
}

// readLabels reads this project's labels.csv layout.
func readLabels(src string, res *importers.Result) ([]*face, error) {
	name := filepath.Join(src, "labels.csv")
	rows, err := importers.ReadTable(name, ',')
	if err != nil {
		return nil, fmt.Errorf("ferplus: %w", err)
	}
	res.FilesRead++
	var out []*face
	for _, r := range rows {
		file := r.Get("file")
		if file == "" {
			return nil, eh.Errorf(eh.EINVALID, "ferplus: %s:%d: no file column", name, r.Line)
		}
		votes := make([]int, len(voteOrder))
		for i, v := range voteOrder {
			n, err := strconv.Atoi(r.Get("votes_" + v))
			if err != nil {
				return nil, eh.Errorf(eh.EINVALID, "ferplus: %s:%d: votes_%s: %v", name, r.Line, v, err)
			}
			votes[i] = n
		}
		f := &face{full: filepath.Join(src, filepath.FromSlash(file)), base: path.Base(file), usage: r.Get("fer2013_usage"), sha: r.Get("sha256")}
		f.id = strings.TrimSuffix(f.base, path.Ext(f.base))
		res.Items++
		label, n, total, why := choose(votes)
		if why != "" {
			res.Skip(why)
			continue
		}
		f.label, f.votes, f.total, f.all = label, n, total, byLabel(votes)
		out = append(out, f)
	}
	return out, nil
}

// readFERPlus reads the FER+ repository layout: label.csv files without a
// header next to their images.
func readFERPlus(src string, res *importers.Result) ([]*face, error) {
	tables, err := importers.Walk(src, func(rel string) bool { return path.Base(rel) == "label.csv" })
	if err != nil {
		return nil, err
	}
	var out []*face
	for _, rel := range tables {
		name := filepath.Join(src, filepath.FromSlash(rel))
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		res.FilesRead++
		usage := path.Base(path.Dir(rel))
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			// image,"(x, y, w, h)",v1,…,v10 — the box is quoted and has commas.
			img, rest, _ := strings.Cut(line, ",")
			if j := strings.LastIndex(rest, ")"); j >= 0 {
				rest = strings.TrimPrefix(rest[j+1:], "\"")
			}
			fields := strings.Split(strings.Trim(rest, ","), ",")
			if len(fields) != len(voteOrder) {
				return nil, eh.Errorf(eh.EINVALID, "ferplus: %s:%d: want %d vote counts, found %d", name, i+1, len(voteOrder), len(fields))
			}
			votes := make([]int, len(fields))
			for k, s := range fields {
				if votes[k], err = strconv.Atoi(strings.TrimSpace(s)); err != nil {
					return nil, eh.Errorf(eh.EINVALID, "ferplus: %s:%d: vote %d: %v", name, i+1, k+1, err)
				}
			}
			f := &face{full: filepath.Join(filepath.Dir(name), img), base: img, usage: usage}
			f.id = strings.TrimSuffix(img, path.Ext(img))
			res.Items++
			label, n, total, why := choose(votes)
			if why != "" {
				res.Skip(why)
				continue
			}
			f.label, f.votes, f.total, f.all = label, n, total, byLabel(votes)
			out = append(out, f)
		}
	}
	return out, nil
}

func (f *face) pair(sub eh.SubCategory) eh.Pair {
	tags := []string{"emotion:" + string(f.label), fmt.Sprintf("votes:%d/%d", f.votes, f.total)}
	if f.usage != "" {
		tags = append(tags, "usage:"+f.usage)
	}
	return eh.Pair{
		ID: fmt.Sprintf("ferplus-%s-%s", f.id, sub), Dimension: eh.Perception, SubCategory: sub, Modality: eh.Image,
		Context: eh.Context{Media: []eh.Media{f.media}},
		Source:  eh.Source{Dataset: Name, ID: f.id},
		Tags:    tags,
	}
}

func (f *face) category(wrong swap.Label) eh.Pair {
	p := f.pair(eh.Category)
	q := func(l swap.Label) string { return fmt.Sprintf("Does the person in the image look %s?", swap.Adj(l)) }
	p.Basic = eh.Question{Text: q(f.label), Gold: eh.Yes}
	p.Hallucinated = eh.Question{Text: q(wrong), Gold: eh.No}
	p.Corruption = "swap"
	p.Explanation = fmt.Sprintf("%d of %d FER+ annotators labelled this face %s and %d chose %s.", f.votes, f.total, f.label, f.all[wrong], wrong)
	return p
}

func (f *face) cuePair(wrong swap.Label) eh.Pair {
	p := f.pair(eh.ReasoningCue)
	q := func(l swap.Label) string { return fmt.Sprintf("Does the face in the image show %s?", Cues[l]) }
	p.Basic = eh.Question{Text: q(f.label), Gold: eh.Yes}
	p.Hallucinated = eh.Question{Text: q(wrong), Gold: eh.No}
	p.Corruption = "fabrication"
	p.Explanation = fmt.Sprintf("Annotators agree the face shows %s (%d of %d votes), whose prototypical cues are %s; %s are cues of %s.", f.label, f.votes, f.total, Cues[f.label], Cues[wrong], wrong)
	return p
}
