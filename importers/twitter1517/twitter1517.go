// Package twitter1517 imports the Twitter-2015 and Twitter-2017 target-oriented
// multimodal sentiment data (Yu & Jiang, IJCAI 2019): tweets, one target entity
// each, the target's sentiment (0 negative, 1 neutral, 2 positive) and the id of
// the tweet's image.
//
// A pair asks for the sentiment toward the target: the annotated one against
// the opposite polarity, balanced so that each polarity is used as often in
// hallucinated questions as in basic ones. The labels are noisy (flat
// headlines labelled positive, sad news labelled negative toward its subject,
// most disagreements on the neutral boundary), so only rows whose tweet states
// its polarity in evaluative words are used; Rules lists every rule. When the tweet's image file is
// present the pair is an image pair with the tweet as its text; otherwise it is
// a text pair. Images are looked for in images/ next to the TSV file and in
// <src>/<name>_images/ (the layout of the released IJCAI2019_data archive).
package twitter1517

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/media"
)

// Name is the importer's name on the command line.
const Name = "twitter1517"

// Importer imports Twitter-15/17.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

const header = "index\t#1 Label\t#2 ImageID\t#3 String\t#3 String"

var polarity = map[string]swap.Label{"0": swap.Negative, "1": swap.NeutralSentiment, "2": swap.Positive}

type row struct {
	key, dataset, split, index string
	tweet, target, image       string
	imagePath                  string
	label                      swap.Label
	media                      eh.Media
}

// MinWords is the shortest tweet used, not counting handles, links and "RT".
const MinWords = 6

// Rules are the selection rules, as recorded in the build manifest.
var Rules = []string{
	"Neutral rows are never used, as gold or as the wrong answer: the neutral boundary is where annotators disagree, in both directions; pairs ask positive against negative.",
	fmt.Sprintf("Tweets shorter than %d words (without handles, links and RT) are skipped.", MinWords),
	"A row is used only when the tweet states its labelled polarity in an evaluative word from a fixed lexicon (\"congratulations\", \"so proud\", \"love\" for positive; \"liar\", \"corrupt\", \"disgrace\" for negative), unnegated, not inside a question and not after a conditional (would, if): a flat headline (\"X signs for Y\") is skipped.",
	"A negative row is used only when a negative word stands within three words of the target, in the same sentence, and the target is not the object of a preposition (\"lied about the FBI\"): blame is often aimed at someone other than the annotated target.",
	"A tweet that also carries an unnegated evaluative word of the other polarity is dropped and listed.",
	"A tweet reporting death, violence, disaster or accident (RIP, killed, crash, drought…) is dropped and listed: sad news about a target is not a negative sentiment toward it, nor do kind words in it make a clean positive.",
	"A row is skipped when another target of the same tweet was labelled with another polarity (neutral included): its evaluative words may be about that target.",
	"A tweet that contains the words positive or negative is skipped: the pair could be solved by word matching.",
}

// cues are the evaluative words that state a polarity toward someone.
var cues = map[swap.Label]swap.Lexicon{
	swap.Positive: swap.NewLexicon(`love, loved, loving, i love, great, awesome, amazing, best, congrats, congratulations, happy birthday, beautiful,
		proud, so proud, thank you, thanks, excited, wonderful, brilliant, fantastic, cute, good luck, favorite, favourite, glad, enjoy, enjoyed,
		nice, incredible, legend, hero, respect, appreciation, way to go, well done, perfect, stunning, gorgeous, can't wait, so good, excellent,
		fabulous, inspiring, inspiration, adorable, awesome, ❤, 💕, 💙, 😍, 👏, 🙌`),
	swap.Negative: swap.NewLexicon(`liar, liars, lied, lies, lying, corrupt, corruption, racist, racism, sexist, idiot, idiots, stupid, moron, disgrace, disgraceful,
		shame on, shameful, pathetic, hypocrite, hypocrisy, fraud, crook, criminal, incompetent, clown, loser, losers, hate, sucks, terrible,
		awful, horrible, ridiculous, embarrassing, disgusting, boo, fail, epic fail, idiotic, worst, dumb, scum, evil, traitor, 😡, 🤬, 👎`),
}

// wordCount counts the words of a tweet's own text: handles, links, "RT" and
// bare punctuation do not count.
func wordCount(tweet string) int {
	n := 0
	for _, f := range strings.Fields(tweet) {
		if f == "RT" || strings.HasPrefix(f, "@") || strings.HasPrefix(f, "http") || strings.Trim(f, ".,:;!?#@-'\"") == "" {
			continue
		}
		n++
	}
	return n
}

// Check applies the text rules (Rules) to one row: tweet, and its label. It
// returns "" when the row may be used; otherwise the reason, and whether the
// row is to be dropped and listed (the text contradicts its label) rather than
// skipped.
func Check(tweet, target string, l swap.Label) (why string, drop bool) {
	if l == swap.NeutralSentiment {
		return "neutral (borders on both polarities)", false
	}
	if wordCount(tweet) < MinWords {
		return fmt.Sprintf("shorter than %d words", MinWords), false
	}
	toks := swap.Tokens(tweet)
	if swap.Mentions(toks, swap.Positive) || swap.Mentions(toks, swap.Negative) {
		return "says positive or negative (answerable by word matching)", false
	}
	if ms := swap.Misfortune.Find(toks); len(ms) > 0 {
		return fmt.Sprintf("it reports harm (%q): sad news is not a sentiment toward its subject", ms[0].Cue), true
	}
	other := swap.Positive
	if l == swap.Positive {
		other = swap.Negative
	}
	if ms := swap.Plain(cues[other].Find(toks)); len(ms) > 0 {
		return fmt.Sprintf("it also says %q, a word of the other polarity", ms[0].Cue), true
	}
	found := cues[l].Find(toks)
	if len(swap.Stated(toks, found)) == 0 {
		return "no evaluative word of the labelled polarity outside a question (a flat headline)", false
	}
	if l == swap.Negative && !aimedAt(toks, swap.Tokens(target), found) {
		return "no negative word next to the target (blame may be aimed at someone else)", false
	}
	return "", false
}

// prepositions before a target make it the object of what is said ("lied
// about the FBI"), not the one blamed.
var prepositions = map[string]bool{"about": true, "against": true, "to": true, "for": true, "with": true, "from": true, "at": true, "by": true, "on": true, "of": true}

// aimedAt reports whether one of the matches stands within three words of the
// target in the same sentence and the target is not the object of a
// preposition: blame in a tweet is often about someone other than the
// annotated target ("Senator Schumer lied about the FBI and Donald Trump" is
// labelled negative toward all three).
func aimedAt(toks, target []string, ms []swap.Match) bool {
	for i := 0; i+len(target) <= len(toks); i++ {
		if !slices.Equal(toks[i:i+len(target)], target) {
			continue
		}
		if k := i - 1 - boolInt(i > 0 && toks[i-1] == "the"); k >= 0 && prepositions[toks[k]] {
			continue
		}
		for _, m := range ms {
			lo, hi := min(m.At, i), max(m.At, i)
			near := m.At < i && i-m.At <= 3 || m.At >= i+len(target) && m.At-(i+len(target)-1) <= 3
			if near && !m.Negated && !slices.ContainsFunc(toks[lo:hi], swap.IsBreak) {
				return true
			}
		}
	}
	return false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	if err := importers.RequireDir(Name, src); err != nil {
		return nil, err
	}
	files, err := importers.Walk(src, func(rel string) bool { return strings.HasSuffix(rel, ".tsv") })
	if err != nil {
		return nil, err
	}
	res := &importers.Result{Rules: Rules}
	var rows []*row
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := filepath.Join(src, filepath.FromSlash(rel))
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if strings.TrimRight(lines[0], "\r") != header {
			continue // not a Twitter-15/17 file
		}
		res.FilesRead++
		dataset := path.Base(path.Dir(rel))
		if dataset == "twitter" || dataset == "." { // TomBERT names the 2017 folder "twitter"
			dataset = "twitter2017"
		}
		split := strings.TrimSuffix(path.Base(rel), ".tsv")
		imageDirs := []string{filepath.Join(filepath.Dir(name), "images"), filepath.Join(src, dataset+"_images")}
		seen := map[string]string{}
		for i, line := range lines[1:] {
			ln := i + 2
			line = strings.TrimRight(line, "\r")
			if line == "" {
				continue
			}
			res.Items++
			// No quoting in these files: split on tabs only (a CSV reader would
			// choke on the bare quotes in some tweets).
			f := strings.Split(line, "\t")
			item := fmt.Sprintf("%s/%s:%d", dataset, split, ln)
			if len(f) != 5 {
				res.Drop(item, name, "line %d: %d fields, want 5", ln, len(f))
				continue
			}
			l, ok := polarity[strings.TrimSpace(f[1])]
			if !ok {
				res.Drop(item, name, "line %d: label %q is not 0, 1 or 2", ln, f[1])
				continue
			}
			target := strings.TrimSpace(f[4])
			if !strings.Contains(f[3], "$T$") || target == "" {
				res.Drop(item, name, "line %d: no $T$ placeholder or no target", ln)
				continue
			}
			r := &row{dataset: dataset, split: split, index: strings.TrimSpace(f[0]), image: strings.TrimSpace(f[2]),
				tweet: strings.TrimSpace(strings.ReplaceAll(f[3], "$T$", target)), target: target, label: l}
			r.key = fmt.Sprintf("%s-%s-%s", dataset, split, r.index)
			dupKey := words(r.tweet) + "\x00" + words(target)
			if first, dup := seen[dupKey]; dup {
				res.Drop(item, name, "line %d: same tweet and target (ignoring case and punctuation) as %s", ln, first)
				continue
			}
			seen[dupKey] = item
			for _, dir := range imageDirs {
				p := filepath.Join(dir, r.image)
				if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
					r.imagePath = p
					break
				}
			}
			rows = append(rows, r)
		}
	}
	if res.FilesRead == 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("twitter1517: no TSV files with the header %q below %s", header, src)}
	}
	// A tweet with several targets appears once per target; the tweet text
	// (placeholder filled in) is the same in each.
	polarities := map[string]map[swap.Label]bool{} // tweet words → labels of its targets
	for _, r := range rows {
		k := words(r.tweet)
		if polarities[k] == nil {
			polarities[k] = map[swap.Label]bool{}
		}
		polarities[k][r.label] = true
	}
	var kept []*row
	for _, r := range rows {
		why, drop := Check(r.tweet, r.target, r.label)
		switch {
		case why == "" && len(polarities[words(r.tweet)]) > 1:
			res.Skip("the tweet's targets differ in polarity")
			continue
		case drop:
			res.Drop(r.key, "", "labelled %s toward %q, but %s", swap.Adj(r.label), r.target, why)
			continue
		case why != "":
			res.Skip(why)
			continue
		}
		if r.imagePath != "" {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			res.FilesRead++
			if err := env.Tools.Verify(ctx, r.imagePath); err != nil {
				if !media.IsCorrupt(err) {
					return nil, err
				}
				res.Drop(r.key, r.imagePath, "%v", err)
				continue
			}
			m, err := env.Out.Copy(r.imagePath, r.dataset+"/"+r.image, eh.Image, "")
			if err != nil {
				return nil, err
			}
			r.media = m
		}
		kept = append(kept, r)
	}
	items := make([]swap.Item, len(kept))
	for i, r := range kept {
		items[i] = swap.Item{Key: r.key, Gold: r.label}
	}
	asg, err := swap.Assign(items, env.Rand("twitter1517 sentiment"), swap.AssignOptions{Neighbors: swap.OtherValence, Trim: true, MaxPerLabel: env.MaxPerLabel})
	if err != nil {
		return nil, err
	}
	for _, r := range kept {
		wrong, ok := asg.Wrong[r.key]
		if !ok {
			res.Skip(asg.Dropped[r.key])
			continue
		}
		res.Pairs = append(res.Pairs, r.pair(wrong))
	}
	return res, nil
}

// words reduces s to its lower-case words, so that "# Anna" and "Anna" compare equal.
func words(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}

func (r *row) pair(wrong swap.Label) eh.Pair {
	q := func(l swap.Label) string {
		return fmt.Sprintf("Is the sentiment of the tweet toward \"%s\" %s?", r.target, swap.Adj(l))
	}
	p := eh.Pair{
		ID: r.key + "-category", Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text,
		Context:      eh.Context{Text: r.tweet},
		Basic:        eh.Question{Text: q(r.label), Gold: eh.Yes},
		Hallucinated: eh.Question{Text: q(wrong), Gold: eh.No},
		Explanation:  fmt.Sprintf("Annotators labelled the sentiment toward \"%s\" %s, and the tweet says so in evaluative words; it is not %s.", r.target, swap.Adj(r.label), swap.Adj(wrong)),
		Corruption:   "swap",
		Source:       eh.Source{Dataset: r.dataset, ID: r.split + ":" + r.index},
		Tags:         []string{"split:" + r.split, "image:" + r.image, "sentiment:" + swap.Adj(r.label)},
	}
	if r.media.Path != "" {
		p.Modality = eh.Image
		p.Context.Media = []eh.Media{r.media}
	}
	return p
}
