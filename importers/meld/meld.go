// Package meld imports MELD (Poria et al., ACL 2019; GPL-3.0): utterances
// from Friends dialogues, each labelled with one of seven emotions and a
// sentiment, in the released *_sent_emo.csv files, and, when the user has them,
// the clips the labels were made from.
//
// MELD's annotators watched the clips, so a label is gold for a text-only pair
// only when the line says it in words. The context of a text pair is a window of
// preceding turns of the same dialogue ending with the line asked about; a line
// is used only when it states its emotion with an explicit cue, unnegated, with
// no word of the other valence, and its separately annotated sentiment fits the
// emotion (Rules lists every rule). With `--from meld=PATH,media=DIR` the lines
// whose emotion needs the face or the voice become short-video pairs with their
// clip (dia{D}_utt{U}.mp4 below DIR).
package meld

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/interop"
	"github.com/emohallucer/emohallucer/media"
)

// Name is the importer's name on the command line.
const Name = "meld"

// Window is how many preceding turns the context shows.
const Window = 3

// MinWords is the shortest utterance asked about: one- and two-word lines
// ("What?", "Oh God") were labelled from the clip, not from their words.
const MinWords = 3

// Rules are the selection rules, as recorded in the build manifest.
var Rules = []string{
	"Only the emotions joy (asked as happy), anger, disgust, fear and sadness are gold; surprise (valence open) and neutral (borders on every mild emotion) are never used, as gold or as the wrong answer.",
	"The separately annotated sentiment must fit the emotion (joy positive; anger, disgust, fear, sadness negative).",
	fmt.Sprintf("Lines shorter than %d words are skipped.", MinWords),
	"A line whose context (it and the preceding turns shown) contains the question's own emotion word in any form is skipped: the pair could be solved by word matching.",
	"A line that carries an unnegated word of the other valence is dropped and listed (sarcasm and mixed lines: the label came from the face and voice).",
	"A text-only pair is made only when the line itself states its emotion with an unnegated cue from a fixed lexicon (\"I hate\", \"shut up\", \"I'm scared\", \"I miss\", \"ew\", \"glad\"), outside a question and not after a conditional (would, if); anger words aimed at the speaker themself (\"I was stupid\"), set phrases (\"I hate to say it\") and banter (\"shut up\", \"I love you\") do not count; a line whose emotion needs the face or the voice is skipped.",
	"With media=DIR, a line whose emotion needs the face or the voice becomes a short-video pair with its clip; without the clip it is skipped.",
	"The hallucinated question always names an emotion of the other valence (happy against angry, disgusted, fearful or sad, and back), and every emotion word is used as often in hallucinated questions as in basic ones.",
}

// spoken adds the spoken forms of emotion cues that Friends lines use and the
// written lexicon lacks.
var spoken = map[swap.Label]swap.Lexicon{
	swap.Happiness: swap.NewLexicon(`that's great, this is great, it's great, so great, i'm so glad, thank you so much, oh yay, gorgeous, so romantic, magical`),
	swap.Anger:     swap.NewLexicon(`how could you, damn it, dammit, damnit, sick freak, you idiot, you jerk, what the hell is wrong, shut up, i'm so mad, i'm mad`),
	swap.Sadness:   swap.NewLexicon(`i'm so sorry, i'm gonna miss, gonna miss, i miss, it's over, i'm sad, so sad, break up with me`),
	swap.Fear:      swap.NewLexicon(`oh no, i'm scared, i'm so scared, i'm nervous, i'm terrified, help me`),
	swap.Disgust:   swap.NewLexicon(`ew, eww, ugh, that's disgusting, that's gross, gross`),
}

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
	clip          string // the verified clip file, for a short-video pair
}

var fits = map[swap.Label]map[string]bool{
	swap.Happiness: {"positive": true},
	swap.Anger:     {"negative": true}, swap.Disgust: {"negative": true}, swap.Fear: {"negative": true}, swap.Sadness: {"negative": true},
}

// Check applies the text rules (Rules) to a line with the given context (the
// line and the turns before it). It returns "" when the line makes a text-only
// pair. Otherwise it returns the reason, whether the line is to be dropped and
// listed (its words contradict the label), and whether the emotion may still be
// read from the clip (the line merely does not say it).
func Check(line, context string, l swap.Label) (why string, drop, needsClip bool) {
	toks := swap.Tokens(line)
	if swap.Words(toks) < MinWords {
		return fmt.Sprintf("shorter than %d words", MinWords), false, false
	}
	if swap.Mentions(swap.Tokens(context), l) {
		return "the context names the question's emotion word (answerable by word matching)", false, false
	}
	if ms := swap.Plain(swap.Polar[-swap.Valence(l)].Find(toks)); len(ms) > 0 {
		return fmt.Sprintf("the line also says %q, a word of the other valence", ms[0].Cue), true, false
	}
	if l == swap.Anger && len(swap.SelfBlame.Find(toks)) > 0 {
		return "the anger words are aimed at the speaker themself (\"thought I was stupid\")", false, true
	}
	if !statesEmotion(toks, l) {
		return "the line does not state its emotion in words (it needs the face or the voice)", false, true
	}
	return "", false, false
}

// banter are cues that in spoken lines do not state the emotion: "shut up"
// is as often "no way!" as anger, and "I love you" is affection said in
// goodbyes and quarrels alike.
var banter = map[string]bool{"shut up": true, "i love you": true}

// statesEmotion reports whether a line's tokens state an emotion of l with a
// cue that is not banter.
func statesEmotion(toks []string, l swap.Label) bool {
	for _, m := range swap.Stated(toks, swap.Join(swap.EmotionCues[l], spoken[l]).Find(toks)) {
		phrase := m.Cue
		if m.Cue == "i love" && m.At+2 < len(toks) && toks[m.At+2] == "you" {
			phrase = "i love you"
		}
		if !banter[phrase] {
			return true
		}
	}
	return false
}

// clipDirs are the folders below media=DIR where a split's clips are looked
// for: the layout of MELD.Raw (dev_splits_complete, train_splits,
// output_repeated_splits_test) and a plain folder per split or for all.
func clipDirs(root, split string) []string {
	return []string{filepath.Join(root, split+"_splits_complete"), filepath.Join(root, split+"_splits"),
		filepath.Join(root, "output_repeated_splits_"+split), filepath.Join(root, split), root}
}

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	opt, err := interop.ParsePath(src)
	if err != nil {
		return nil, fmt.Errorf("meld: %w", err)
	}
	if len(opt.Options) > 0 && opt.MediaRoot() == "" {
		return nil, eh.Errorf(eh.EINVALID, "meld: the only source option is media=DIR (the folder of MELD's clips)")
	}
	src, clips := opt.Path, opt.MediaRoot()
	if err := importers.RequireDir(Name, src); err != nil {
		return nil, err
	}
	if clips != "" {
		if err := interop.RequireMediaRoot(Name, clips, "clips (dia{D}_utt{U}.mp4)"); err != nil {
			return nil, err
		}
		if err := env.Tools.Require("meld media=DIR"); err != nil {
			return nil, err
		}
	}
	files, err := importers.Walk(src, func(rel string) bool { return strings.HasSuffix(rel, "_sent_emo.csv") })
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("meld: no *_sent_emo.csv files below %s", src)}
	}
	res := &importers.Result{Rules: Rules}
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
				item := fmt.Sprintf("%s:%d", split, u.line)
				switch {
				case u.speaker == "" || u.text == "":
					res.Drop(item, name, "line %d: empty speaker or utterance", u.line)
					continue
				case fits[u.emotion] == nil:
					res.Skip("emotion is surprise or neutral")
					continue
				case !fits[u.emotion][u.sentiment]:
					res.Skip("sentiment does not fit the emotion")
					continue
				}
				var b strings.Builder
				for _, t := range turns[max(0, i-Window) : i+1] {
					fmt.Fprintf(&b, "%s: %s\n", t.speaker, t.text)
				}
				u.context = strings.TrimSuffix(b.String(), "\n")
				why, drop, needsClip := Check(u.text, u.context, u.emotion)
				switch {
				case why == "":
				case drop:
					res.Drop(item, name, "line %d: labelled %s, but %s", u.line, u.emotion, why)
					continue
				case needsClip && clips != "":
					if u.clip, err = clip(ctx, env, clips, u); err != nil {
						return nil, err
					}
					if u.clip == "" {
						res.Skip("needs the face or voice, and its clip is not in media=DIR")
						continue
					}
					res.FilesRead++
				default:
					res.Skip(why)
					continue
				}
				used = append(used, u)
			}
		}
	}
	items := make([]swap.Item, len(used))
	for i, u := range used {
		items[i] = swap.Item{Key: u.key, Gold: u.emotion}
	}
	asg, err := swap.Assign(items, env.Rand("meld category"), swap.AssignOptions{Neighbors: swap.OtherValence, Trim: true, MaxPerLabel: env.MaxPerLabel})
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
		qv := func(l swap.Label) string {
			return fmt.Sprintf("In the clip, which shows the last line, does %s look or sound %s?", u.speaker, swap.Adj(l))
		}
		p := eh.Pair{
			ID: "meld-" + u.key + "-category", Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text,
			Context:      eh.Context{Text: u.context},
			Basic:        eh.Question{Text: q(u.emotion), Gold: eh.Yes},
			Hallucinated: eh.Question{Text: q(wrong), Gold: eh.No},
			Explanation:  fmt.Sprintf("MELD annotators labelled this line %s (sentiment %s), and the line says so in words; %s, of the other valence, does not fit it.", swap.Noun(u.emotion), u.sentiment, swap.Noun(wrong)),
			Corruption:   "swap",
			Source:       eh.Source{Dataset: Name, ID: fmt.Sprintf("%s:dia%d_utt%d", u.split, u.dialogue, u.utt)},
			Tags:         []string{"split:" + u.split, "emotion:" + string(u.emotion)},
		}
		if u.clip != "" {
			// The last line is the clip: its face and voice carry the emotion.
			// It is placed in the suite only now that a pair asks about it.
			m, err := env.Out.Copy(u.clip, path.Join(Name, u.split, filepath.Base(u.clip)), eh.ShortVideo, "")
			if err != nil {
				return nil, err
			}
			p.ID = "meld-" + u.key + "-video-category"
			p.Modality = eh.ShortVideo
			p.Context.Media = []eh.Media{m}
			p.Basic.Text, p.Hallucinated.Text = qv(u.emotion), qv(wrong)
			p.Explanation = fmt.Sprintf("MELD annotators, watching this clip, labelled the last line %s (sentiment %s); %s, of the other valence, does not fit it.", swap.Noun(u.emotion), u.sentiment, swap.Noun(wrong))
		}
		res.Pairs = append(res.Pairs, p)
	}
	return res, nil
}

// clip finds and verifies the clip of u; "" means there is none. A clip that
// does not decode is an error the user must see, not a gap. It is placed in
// the suite later, once a pair asks about it.
func clip(ctx context.Context, env *importers.Env, root string, u *utterance) (string, error) {
	base := fmt.Sprintf("dia%d_utt%d.mp4", u.dialogue, u.utt)
	for _, dir := range clipDirs(root, u.split) {
		p := filepath.Join(dir, base)
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		if err := env.Tools.Verify(ctx, p); err != nil {
			if media.IsCorrupt(err) {
				return "", fmt.Errorf("meld: clip %s: %w", p, err)
			}
			return "", err
		}
		return p, nil
	}
	return "", nil
}
