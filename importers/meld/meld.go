// Package meld imports the text of MELD (Poria et al., ACL 2019; GPL-3.0):
// utterances from Friends dialogues, each labelled with one of seven emotions
// and a sentiment, in the released *_sent_emo.csv files.
//
// The context of a pair is a window of preceding turns of the same dialogue
// ending with the utterance asked about, so that the emotion can be read in
// conversation. MELD publishes no per-annotator votes, so high agreement is
// approximated by two rules: the separately annotated sentiment must fit the
// emotion (joy positive; anger, disgust, fear, sadness negative; neutral
// neutral; surprise either way), and the utterance must have at least
// MinWords words (one-word lines such as "What?" were labelled from the video,
// not from their text).
package meld

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
)

// Name is the importer's name on the command line.
const Name = "meld"

// Window is how many preceding turns the context shows.
const Window = 3

// MinWords is the shortest utterance asked about.
const MinWords = 3

// Importer imports MELD.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

type utterance struct {
	key, split    string
	dialogue, utt int
	speaker, text string
	emotion       swap.Label
	sentiment     string
	line          int
	context       string
}

var fits = map[swap.Label]map[string]bool{
	swap.Happiness: {"positive": true},
	swap.Anger:     {"negative": true}, swap.Disgust: {"negative": true}, swap.Fear: {"negative": true}, swap.Sadness: {"negative": true},
	swap.Neutral:  {"neutral": true},
	swap.Surprise: {"positive": true, "negative": true},
}

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	if err := importers.RequireDir(Name, src); err != nil {
		return nil, err
	}
	files, err := importers.Walk(src, func(rel string) bool { return strings.HasSuffix(rel, "_sent_emo.csv") })
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("meld: no *_sent_emo.csv files below %s", src)}
	}
	res := &importers.Result{}
	var used []*utterance
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := filepath.Join(src, filepath.FromSlash(rel))
		split := strings.TrimSuffix(path.Base(rel), "_sent_emo.csv")
		rows, err := importers.ReadTable(name, ',')
		if err != nil {
			return nil, fmt.Errorf("meld: %w", err)
		}
		res.FilesRead++
		dialogues := map[int][]*utterance{}
		seen := map[string]bool{}
		for _, r := range rows {
			res.Items++
			u := &utterance{split: split, speaker: r.Get("Speaker"), text: strings.Join(strings.Fields(r.Get("Utterance")), " "), sentiment: strings.ToLower(r.Get("Sentiment")), line: r.Line}
			item := fmt.Sprintf("%s:%d", split, r.Line)
			var e1, e2 error
			u.dialogue, e1 = strconv.Atoi(r.Get("Dialogue_ID"))
			u.utt, e2 = strconv.Atoi(r.Get("Utterance_ID"))
			if e1 != nil || e2 != nil {
				res.Drop(item, name, "line %d: Dialogue_ID or Utterance_ID is not a number", r.Line)
				continue
			}
			u.key = fmt.Sprintf("%s-dia%d-utt%d", split, u.dialogue, u.utt)
			if seen[u.key] {
				res.Drop(item, name, "line %d: dialogue %d utterance %d repeats", r.Line, u.dialogue, u.utt)
				continue
			}
			seen[u.key] = true
			l, ok := swap.Normalize(r.Get("Emotion"))
			if !ok {
				res.Drop(item, name, "line %d: unknown emotion %q", r.Line, r.Get("Emotion"))
				continue
			}
			u.emotion = l
			dialogues[u.dialogue] = append(dialogues[u.dialogue], u)
		}
		ids := make([]int, 0, len(dialogues))
		for id := range dialogues {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		for _, id := range ids {
			turns := dialogues[id]
			sort.Slice(turns, func(i, j int) bool { return turns[i].utt < turns[j].utt })
			for i, u := range turns {
				switch {
				case !fits[u.emotion][u.sentiment]:
					res.Skip("sentiment does not fit the emotion")
				case len(strings.Fields(u.text)) < MinWords:
					res.Skip(fmt.Sprintf("utterance shorter than %d words", MinWords))
				case u.speaker == "" || u.text == "":
					res.Drop(fmt.Sprintf("%s:%d", split, u.line), name, "line %d: empty speaker or utterance", u.line)
				default:
					var b strings.Builder
					for _, t := range turns[max(0, i-Window) : i+1] {
						fmt.Fprintf(&b, "%s: %s\n", t.speaker, t.text)
					}
					u.context = strings.TrimSuffix(b.String(), "\n")
					used = append(used, u)
				}
			}
		}
	}
	items := make([]swap.Item, len(used))
	for i, u := range used {
		items[i] = swap.Item{Key: u.key, Gold: u.emotion}
	}
	asg, err := swap.Assign(items, env.Rand("meld category"), swap.AssignOptions{Trim: true, MaxPerLabel: env.MaxPerLabel})
	if err != nil {
		return nil, err
	}
	for _, u := range used {
		wrong, ok := asg.Wrong[u.key]
		if !ok {
			res.Skip(asg.Dropped[u.key])
			continue
		}
		q := func(l swap.Label) string {
			return fmt.Sprintf("In the last line, does %s sound %s?", u.speaker, swap.Adj(l))
		}
		res.Pairs = append(res.Pairs, eh.Pair{
			ID: "meld-" + u.key + "-category", Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text,
			Context:      eh.Context{Text: u.context},
			Basic:        eh.Question{Text: q(u.emotion), Gold: eh.Yes},
			Hallucinated: eh.Question{Text: q(wrong), Gold: eh.No},
			Explanation:  fmt.Sprintf("MELD annotators labelled this line %s (sentiment %s), not %s.", u.emotion, u.sentiment, wrong),
			Corruption:   "swap",
			Source:       eh.Source{Dataset: Name, ID: fmt.Sprintf("%s:dia%d_utt%d", u.split, u.dialogue, u.utt)},
			Tags:         []string{"split:" + u.split, "emotion:" + string(u.emotion)},
		})
	}
	return res, nil
}
