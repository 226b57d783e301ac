// Package goemotions imports GoEmotions (Demszky et al., ACL 2020; Apache-2.0):
// Reddit comments labelled with 27 emotions or neutral, in the released TSV
// files (text, comma-separated label ids, comment id) with emotions.txt naming
// the ids.
//
// A pair asks whether the comment expresses a positive or a negative feeling:
// GoEmotions' single labels are noisy (a keyword can carry the label against
// the comment, "disgusting aoe … XD" is praise), and an outside audit found that
// a reader often hesitates over the exact emotion (annoyed or angry? liking or
// happy?) but not over its valence. Labels are mapped with GoEmotions' own
// sentiment table, and only comments that state their feeling outright are used
// (Rules lists every rule). The released TSV files hold no per-rater
// annotations, only the labels at least two raters chose, so agreement cannot
// be weighed beyond that.
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
	"regexp"
	"slices"
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

// sentiment is GoEmotions' own mapping of its emotions onto a polarity
// (sentiment_dict.json in the upstream data folder). Its "ambiguous" emotions
// (surprise, realization, confusion, curiosity) and neutral are not used:
// surprise is given to "oh no", "wow" and sarcasm alike, and neutral borders on
// every mild emotion ("my sweet summer child").
var sentiment = func() map[string]swap.Label {
	m := map[string]swap.Label{}
	for l, names := range map[swap.Label]string{
		swap.Positive: "amusement excitement joy love desire optimism caring pride admiration gratitude relief approval",
		swap.Negative: "fear nervousness remorse embarrassment disappointment sadness grief disgust anger annoyance disapproval",
	} {
		for _, n := range strings.Fields(names) {
			m[n] = l
		}
	}
	return m
}()

// cues are the explicit cues of each polarity: those of its emotions, and
// for negative, the writer's own plain condemnation ("this sucks", "that's
// awful", "I can't stand"), which states a negative feeling as surely as "I'm
// angry" does. Words that also intensify praise or joke ("damn good", "shit,
// that's funny", "weird") are not among them, nor a bare "hate" ("it
// regenerates hate" may describe a game), only "I hate" and "hate it".
var cues = map[swap.Label]swap.Lexicon{
	swap.Positive: swap.EmotionCues[swap.Happiness],
	swap.Negative: swap.Join(swap.EmotionCues[swap.Anger], swap.EmotionCues[swap.Disgust], swap.EmotionCues[swap.Fear], swap.EmotionCues[swap.Sadness],
		swap.NewLexicon(`hate it, hate this, hate that, sucks, sucked, this sucks, that sucks, terrible, horrible, awful, the worst,
			pathetic, annoying, annoyed, annoys me, irritating, frustrating, frustrated, ugh, ridiculous, can't stand, cant stand, unacceptable,
			tired of, upset, unfortunately, disappointing, disappointed, what a shame, such a shame, embarrassing, cringe, cringy, 😒, 👎`)),
}

// MinWords is the shortest comment used: three-word comments ("Wtf is that")
// carry too little for a reader to confirm one emotion.
const MinWords = 5

// Rules are the selection rules, as recorded in the build manifest.
var Rules = []string{
	"Labels are mapped to a polarity with GoEmotions' own sentiment table; a comment is used only when every label raters agreed on is positive, or every one negative. Ambiguous emotions (surprise, realization, confusion, curiosity) and neutral are never used. Questions ask whether the writer expresses a positive or a negative feeling: readers hesitate over the exact emotion of a Reddit comment (annoyed or angry? liking or happy?), not over its valence.",
	fmt.Sprintf("Comments shorter than %d words are skipped.", MinWords),
	"A comment that contains the words positive or negative is skipped: the pair could be solved by word matching.",
	"The comment must state its feeling outright with an unnegated cue of an emotion of its polarity from a fixed lexicon (\"glad\", \"I love\", \"I miss\", \"I'm scared\", \"gross\", \"shut up\", or for negative the writer's plain condemnation: \"this sucks\", \"awful\", \"I can't stand\"), in a sentence that is not a question and not after a conditional (\"I would be so pissed\", \"before I get excited\"), and not set against a contrast (\"fantastic but…\", \"While I love…\"); a comment whose label rests on topic alone is skipped.",
	"A comment whose only cue is negated (\"no gross taste\", \"not scared\", \"I like him, not so much\") is dropped and listed.",
	"A comment that also carries an unnegated word of the other polarity (praise with a negative word, a complaint with a positive one) is dropped and listed.",
	"A comment with a negative label and a laughter or joke marker (lol, haha, XD, 😂) is dropped and listed: the negative word is likely in jest.",
	"A comment labelled amusement, joy, love or excitement that speaks of harm (an injury, death, prison: \"his tooth bouncing off the pavement … a tear of joy\"), or a positive comment that carries an emoji of irony (😅, 🙃, 😏, 🙄) is dropped and listed: joy at someone's harm or an ironic smile is not plainly a positive feeling.",
	"A comment with quotation marks, the sarcasm marker /s, a set phrase of sarcasm (\"I like how…\", \"I love it when…\", \"Great, glad to hear…\") or reported speech (\"You're saying…\") is dropped and listed: the words may be someone else's or meant ironically.",
	"Pairs ask positive against negative, and each polarity is used as often in hallucinated questions as in basic ones.",
}

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
	res := &importers.Result{Rules: Rules}
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
			var words []string
			for _, id := range strings.Split(rec[1], ",") {
				k, err := strconv.Atoi(strings.TrimSpace(id))
				if err != nil || k < 0 || k >= len(names) {
					words = nil
					res.Drop(item, name, "line %d: label id %q is not in emotions.txt", line, id)
					break
				}
				words = append(words, names[k])
			}
			if words == nil {
				continue
			}
			l, why := polarity(words)
			if why != "" {
				res.Skip(why)
				continue
			}
			c := &comment{key: split + "-" + rec[2], split: split, id: rec[2], text: strings.TrimSpace(rec[0]), label: l, word: strings.Join(words, "+")}
			if _, dup := byKey[c.key]; dup {
				res.Drop(item, name, "line %d: comment id %s repeats", line, rec[2])
				continue
			}
			if c.text == "" {
				res.Drop(item, name, "line %d: empty text", line)
				continue
			}
			byKey[c.key] = c
			if why, drop := Check(c.text, l, words); why != "" {
				if drop {
					res.Drop(split+":"+c.id, name, "line %d: labelled %s, but %s", line, c.word, why)
				} else {
					res.Skip(why)
				}
				continue
			}
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
	asg, err := swap.Assign(items, env.Rand("goemotions sentiment"), swap.AssignOptions{Neighbors: swap.OtherValence, Trim: true, MaxPerLabel: env.MaxPerLabel})
	if err != nil {
		return nil, err
	}
	for _, c := range comments {
		wrong, ok := asg.Wrong[c.key]
		if !ok {
			res.Skip(asg.Dropped[c.key])
			continue
		}
		q := func(l swap.Label) string {
			return fmt.Sprintf("Does the writer of the comment express a %s feeling?", swap.Adj(l))
		}
		res.Pairs = append(res.Pairs, eh.Pair{
			ID: fmt.Sprintf("goemotions-%s-category", c.key), Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text,
			Context:      eh.Context{Text: c.text},
			Basic:        eh.Question{Text: q(c.label), Gold: eh.Yes},
			Hallucinated: eh.Question{Text: q(wrong), Gold: eh.No},
			Explanation:  fmt.Sprintf("GoEmotions raters labelled this comment %s, a %s emotion, and the comment states it outright; the feeling is not %s.", c.word, swap.Adj(c.label), swap.Adj(wrong)),
			Corruption:   "swap",
			Source:       eh.Source{Dataset: Name, ID: c.split + ":" + c.id},
			Tags:         []string{"split:" + c.split, "sentiment:" + swap.Adj(c.label), "emotion:" + c.word},
		})
	}
	return res, nil
}

// sarcasmTag is Reddit's "/s" (not the "/s" of "r/stlouis").
var sarcasmTag = regexp.MustCompile(`(^|\s)/s\b`)

// polarity returns the polarity all of a comment's labels map to, or why the
// comment is not used.
func polarity(words []string) (swap.Label, string) {
	var l swap.Label
	for _, w := range words {
		c, ok := sentiment[w]
		switch {
		case !ok:
			return "", "a label is ambiguous (surprise, realization, confusion, curiosity) or neutral"
		case l != "" && c != l:
			return "", "labels of both polarities"
		}
		l = c
	}
	return l, ""
}

// pleasure are the positive emotions that, felt at someone's harm, are
// schadenfreude or mockery. Gratitude, caring or admiration beside harm ("thank
// you, she beat cancer") are sincere.
var pleasure = map[string]bool{"amusement": true, "joy": true, "love": true, "excitement": true}

// Check applies the text rules (Rules) to a comment labelled with polarity l
// (swap.Positive or swap.Negative) from the GoEmotions emotions given. It
// returns "" when the comment may be used; otherwise the reason, and whether
// the item is to be dropped and listed (the text contradicts its label) rather
// than skipped (it merely does not show the label clearly enough).
func Check(text string, l swap.Label, emotions []string) (why string, drop bool) {
	toks := swap.Tokens(text)
	if swap.Words(toks) < MinWords {
		return fmt.Sprintf("shorter than %d words", MinWords), false
	}
	if swap.Mentions(toks, swap.Positive) || swap.Mentions(toks, swap.Negative) {
		return "says positive or negative (answerable by word matching)", false
	}
	if strings.ContainsAny(text, "\"“”") || sarcasmTag.MatchString(text) || swap.Sarcastic(toks) {
		return "it has quotation marks or a sarcasm marker (the words may be someone else's or ironic)", true
	}
	if l == swap.Positive && swap.Ironic(toks) {
		return "it carries an emoji of irony (😅, 🙃, 😏, 🙄…): the positive words may be meant otherwise", true
	}
	if ms := swap.Misfortune.Find(toks); len(ms) > 0 && slices.ContainsFunc(emotions, func(e string) bool { return pleasure[e] }) {
		return fmt.Sprintf("it speaks of harm (%q): joy at it is mockery or schadenfreude, not plainly a positive feeling", ms[0].Cue), true
	}
	if l == swap.Negative && swap.Laughs(toks) {
		return "it carries a laughter or joke marker (the negative word is likely in jest)", true
	}
	if ms := swap.Plain(swap.Polar[-swap.Valence(l)].Find(toks)); len(ms) > 0 {
		return fmt.Sprintf("it also says %q, a word of the other polarity", ms[0].Cue), true
	}
	found := cues[l].Find(toks)
	stated := swap.Stated(toks, found)
	if len(stated) == 0 {
		if len(swap.Plain(found)) > 0 {
			return "its cue is only in a question or a hypothetical", false
		}
		if len(found) > 0 {
			return fmt.Sprintf("its only cue, %q, is negated", found[0].Cue), true
		}
		return "no explicit cue of its feeling (the label may rest on topic or tone)", false
	}
	for _, m := range stated {
		if !swap.Contrasted(toks, m) {
			return "", false
		}
	}
	return "its cues are set against a contrast (but, while, though)", false
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
