// Package ferplus imports FER-2013 face crops with FER+ labels (Barsoum et al.
// 2016): ten crowd votes per face over neutral, happiness, surprise, sadness,
// anger, disgust, fear, contempt, unknown and not-a-face.
//
// A face is used when one emotion has at least 7 of its votes and no other ties
// it. Its category pair names that emotion against one far from it
// (swap.Distant) that at most one annotator chose.
//
// Its reasoning-cue pair asks about a facial cue (after Ekman & Friesen's
// Facial Action Coding System) of the majority emotion against a cue that
// cannot be on the same face: a smile against a mouth turned down or
// stretched in crying, a dropped jaw against relaxed lips. Sad faces in
// FER-2013 are often wailing children whose open, stretched mouth is no
// textbook frown, so the sad cue names both (found in review: "lip corners
// pulled down" was debatable on a crying face). Cue contrasts that faces share are never
// asked (disgust lowers the brows as anger does, sad brows resemble fearful
// ones, fear widens the eyes as surprise does), so fear and disgust faces get
// no cue pair. At 48×48 a hand or a tight crop can hide a cue; a cue pair is
// made only when all annotators agreed, the sign that the face's defining
// region was in view.
//
// A face is left out altogether when any annotator answered unknown or not a
// face (an occluded mouth, a playful pose), and when it is the same
// photograph as a face already kept (see neardup.go).
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

// MaxWrongVotes is how many annotators may have chosen the wrong label of a
// category pair.
const MaxWrongVotes = 1

// Facial cues, written to be of similar length so the phrase length gives
// nothing away; the Facial Action Coding System action units are noted.
const (
	cueSmile   = "lip corners pulled up into a smile"          // AU12
	cueDown    = "a mouth turned down or stretched in crying"  // AU15, or AU20 with the jaw dropped
	cueOpen    = "a dropped jaw with the mouth hanging open"   // AU26/27
	cueRelaxed = "relaxed brows and a relaxed, untensed mouth" // no action units
	cueLowered = "brows lowered and drawn tightly together"    // AU4
)

// Cue is the cue contrast asked of faces of one emotion: the cue the emotion
// shows, and one that cannot be on the same face.
type Cue struct{ Shown, Absent string }

// Cues holds the contrasts. Each cue phrase is shown by one emotion and absent
// from another, so every phrase is as common in basic as in hallucinated
// questions.
var Cues = map[swap.Label]Cue{
	swap.Happiness: {cueSmile, cueDown},      // a smile is neither a frown nor a cry
	swap.Sadness:   {cueDown, cueSmile},      // a frown or a cry is no smile
	swap.Neutral:   {cueRelaxed, cueOpen},    // a relaxed face has a closed jaw
	swap.Surprise:  {cueOpen, cueLowered},    // surprise raises the brows
	swap.Anger:     {cueLowered, cueRelaxed}, // an angry face is tense
}

// AllowedShare is the share of a face's votes another label needs to be
// allowed in its description: a claim of it is not a hallucination (run
// --task describe). With the 7-of-10 majority, that is a label 3 of the 10
// annotators chose.
const AllowedShare = 0.3

// allowed are the allowed:<label> tags of the labels other than the
// majority with at least AllowedShare of the votes, in label order.
func (f *face) allowed() []string {
	var out []string
	for _, v := range voteOrder {
		l, ok := swap.Normalize(v)
		if ok && l != f.label && f.total > 0 && float64(f.all[l]) >= AllowedShare*float64(f.total) {
			out = append(out, "allowed:"+string(l))
		}
	}
	return out
}

// cueVisible reports whether a face's cue pair can be asked: every annotator
// chose the label.
func (f *face) cueVisible() bool { return f.votes == f.total && f.total >= 10 }

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
	var prints []*fingerprint // of kept, index for index
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
		// The digest is checked now and the file placed once it is known to
		// be used: a suite holds no media its pairs do not ask about.
		if err := importers.CheckDigest(f.full, f.sha); err != nil {
			if eh.ErrorCode(err) != eh.EINVALID {
				return nil, err
			}
			res.Drop(f.id, f.full, "%v", err)
			continue
		}
		fp, err := readFingerprint(f.full)
		if err != nil {
			res.Drop(f.id, f.full, "%v", err)
			continue
		}
		if i, c := nearDuplicate(fp, prints); i >= 0 {
			res.Drop(f.id, f.full, "near-duplicate of %s (pixel correlation %.2f): the same photograph", kept[i].full, c)
			continue
		}
		kept, prints = append(kept, f), append(prints, fp)
	}

	res.Rules = []string{
		fmt.Sprintf("A face is used when at least %d of its 10 FER+ votes name one emotion and no other ties it.", MinVotes),
		fmt.Sprintf("The wrong label of a category pair is far from the majority emotion (swap.Distant: never anger against disgust, fear against surprise or sadness) and has at most %d of the face's votes.", MaxWrongVotes),
		"A reasoning-cue pair contrasts a cue of the majority emotion with one that cannot be on the same face (a smile against a mouth turned down or stretched in crying, a dropped jaw against a relaxed mouth, lowered against relaxed brows); fear and disgust share their cues with other emotions and get none.",
		"A face is left out when any annotator answered unknown emotion or not a face: a hand, an object or the crop may hide what the others read.",
		fmt.Sprintf("A face that is the same photograph as an earlier one (re-encoded or re-cropped: pixel correlation at least %.2f over shifts of up to %d pixels) is left out.", NearDuplicateCorrelation, maxShift),
		"A reasoning-cue pair is made only when all annotators (at least 10) chose the emotion: the defining region of the face was in view.",
	}
	items := make([]swap.Item, len(kept))
	for i, f := range kept {
		items[i] = swap.Item{Key: f.id, Gold: f.label}
	}
	cat, err := swap.Assign(items, env.Rand("ferplus category"), swap.AssignOptions{MaxPerLabel: env.MaxPerLabel, Neighbors: swap.DistantOf})
	if err != nil {
		return nil, err
	}
	for _, f := range kept {
		w, ok := cat.Wrong[f.id]
		if !ok {
			res.Skip(cat.Dropped[f.id])
			continue
		}
		category := f.all[w] <= MaxWrongVotes
		if !category {
			res.Skip(fmt.Sprintf("category pair: the wrong label drawn has more than %d vote", MaxWrongVotes))
		}
		_, contrast := Cues[f.label]
		cue := contrast && f.cueVisible()
		if !contrast {
			res.Skip("no cue pair: " + string(f.label) + " shares its facial cues with other emotions")
		} else if !cue {
			res.Skip("no cue pair: not all annotators agreed, so the cue may be hidden or unclear")
		}
		if !category && !cue {
			continue
		}
		if f.media, err = env.Out.Copy(f.full, "ferplus/"+f.base, eh.Image, f.sha); err != nil {
			return nil, err
		}
		if category {
			res.Pairs = append(res.Pairs, f.category(w))
		}
		if cue {
			res.Pairs = append(res.Pairs, f.cuePair())
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
	case votes[8]+votes[9] > 0:
		return "", bestN, total, "an annotator answered unknown emotion or not a face: the face may be hidden or unreadable"
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
	tags = append(tags, f.allowed()...)
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
	p.Tags = append(p.Tags, importers.AskedTag(wrong))
	p.Explanation = fmt.Sprintf("%d of %d FER+ annotators labelled this face %s and %d chose %s.", f.votes, f.total, f.label, f.all[wrong], wrong)
	return p
}

func (f *face) cuePair() eh.Pair {
	c := Cues[f.label]
	p := f.pair(eh.ReasoningCue)
	q := func(cue string) string { return fmt.Sprintf("Does the face in the image show %s?", cue) }
	p.Basic = eh.Question{Text: q(c.Shown), Gold: eh.Yes}
	p.Hallucinated = eh.Question{Text: q(c.Absent), Gold: eh.No}
	p.Corruption = "fabrication"
	p.Explanation = fmt.Sprintf("All %d FER+ annotators labelled this face %s, which shows %s; %s cannot be on the same face.", f.total, f.label, c.Shown, c.Absent)
	return p
}
