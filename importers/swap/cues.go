package swap

import (
	"strings"
	"unicode"
)

// Text sources label a whole passage with one emotion or polarity, and the
// label is often driven by a single keyword that the passage itself undercuts
// ("I sense no awful taste here" labelled disgust, "disgusting aoe … XD" that is
// praise). The helpers below let the text importers ask what a careful reader
// asks: does the passage state the labelled emotion in so many words, is that
// statement negated, and does it also carry words of the other valence?

// Break and Question are the tokens Tokens puts where a sentence ends:
// Question after a question mark, Break after . ! … or a line break. Neither a
// phrase cue nor a negation reaches across them.
const (
	Break    = "."
	Question = "?"
)

// IsBreak reports whether t ends a sentence.
func IsBreak(t string) bool { return t == Break || t == Question }

// Tokens returns the lower-case words of s: runs of letters, digits and
// in-word apostrophes (typographic ones folded to '), plus each emoji or
// emoticon symbol as a token of its own, so that "😂" and ":(" can be cues,
// and Break where a sentence ends.
func Tokens(s string) []string {
	s = strings.NewReplacer("’", "'", "‘", "'", ":-)", " :) ", ":-(", " :( ", ":)", " :) ", ":(", " :( ", ":D", " :d ").Replace(s)
	var out []string
	var b strings.Builder
	flush := func() {
		if w := strings.Trim(b.String(), "'"); w != "" {
			out = append(out, strings.ToLower(w))
		}
		b.Reset()
	}
	brk := func(kind string) {
		flush()
		switch {
		case len(out) == 0:
		case !IsBreak(out[len(out)-1]):
			out = append(out, kind)
		case kind == Question:
			// "What?!" and "really!?" are questions.
			out[len(out)-1] = Question
		}
	}
	for _, line := range strings.Split(s, "\n") {
		for _, f := range strings.Fields(line) {
			tokenize(f, &b, &out, flush, brk)
		}
		brk(Break)
	}
	// A final Question stays: it marks the last sentence as a question.
	if len(out) > 0 && out[len(out)-1] == Break {
		out = out[:len(out)-1]
	}
	return out
}

// tokenize adds the tokens of one whitespace-separated field.
func tokenize(f string, b *strings.Builder, out *[]string, flush func(), brk func(string)) {
	if f == ":)" || f == ":(" || f == ":d" {
		flush()
		*out = append(*out, f)
		return
	}
	for _, r := range f {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || (r == '\'' && b.Len() > 0):
			b.WriteRune(r)
		case r >= 0x1F300 || (r >= 0x2600 && r <= 0x27BF):
			// Pictographs and dingbats (emoji, ❤): one token each.
			flush()
			*out = append(*out, string(r))
		case r == '?':
			brk(Question)
		case r == '.' || r == '!' || r == '…':
			brk(Break)
		default:
			flush()
		}
	}
	flush()
}

// Words counts the tokens that are words (not Break).
func Words(toks []string) int {
	n := 0
	for _, t := range toks {
		if !IsBreak(t) {
			n++
		}
	}
	return n
}

// Lexicon is a set of cue words and phrases. A cue is one or more
// space-separated tokens; a token ending in * matches any word with that
// prefix ("disgust*" matches "disgusting").
type Lexicon struct {
	cues [][]string
}

// NewLexicon returns the lexicon of the cues in list, separated by commas
// ("hate, shut up, fed up").
func NewLexicon(list string) Lexicon {
	var l Lexicon
	for _, c := range strings.Split(list, ",") {
		if f := strings.Fields(strings.ToLower(c)); len(f) > 0 {
			l.cues = append(l.cues, f)
		}
	}
	return l
}

// Join returns the lexicon holding the cues of every ls.
func Join(ls ...Lexicon) Lexicon {
	var out Lexicon
	for _, l := range ls {
		out.cues = append(out.cues, l.cues...)
	}
	return out
}

// Match is one occurrence of a cue in a token list.
type Match struct {
	// Cue is the cue as written in the lexicon.
	Cue string
	// At is the index of the cue's first token.
	At int
	// Negated says a negation precedes the cue closely ("not happy", "no
	// awful taste", "never been this sad" is not negated: see Negated).
	Negated bool
}

// Find returns every occurrence of a cue of l in toks, in text order.
func (l Lexicon) Find(toks []string) []Match {
	var out []Match
	for i := range toks {
		for _, c := range l.cues {
			// "I hate to say it" is a set phrase, not hatred.
			if end := i + len(c); end < len(toks) && c[len(c)-1] == "hate" && toks[end] == "to" {
				continue
			}
			if matchAt(toks, i, c) {
				out = append(out, Match{Cue: strings.Join(c, " "), At: i, Negated: Negated(toks, i)})
			}
		}
	}
	return out
}

func matchAt(toks []string, i int, cue []string) bool {
	if i+len(cue) > len(toks) {
		return false
	}
	for k, w := range cue {
		t := toks[i+k]
		if p, ok := strings.CutSuffix(w, "*"); ok {
			if !strings.HasPrefix(t, p) {
				return false
			}
		} else if t != w {
			return false
		}
	}
	return true
}

// negators turn the cue after them around ("not", "no", "never", "without",
// and every "n't" contraction).
var negators = map[string]bool{"not": true, "no": true, "never": true, "without": true, "nothing": true, "hardly": true, "nor": true, "neither": true, "cannot": true}

// Negated reports whether the word at toks[i] is negated: a negator among the
// three words before it in the same sentence ("not played. I'm scared" is not
// negated), or a retraction right after it ("I like him, not so much"). "Never" followed by a comparison ("never been this
// sad") intensifies rather than negates, and counts as not negated.
func Negated(toks []string, i int) bool {
	for k := i - 1; k >= max(0, i-3) && !IsBreak(toks[k]); k-- {
		w := toks[k]
		if w == "never" && k+2 < len(toks) && (toks[k+2] == "this" || toks[k+2] == "so" || toks[k+2] == "more") {
			continue
		}
		if negators[w] || strings.HasSuffix(w, "n't") {
			return true
		}
	}
	// A retraction right after: "I like him, not so much", "love it… not".
	for k := i + 1; k < min(len(toks), i+5) && !IsBreak(toks[k]); k++ {
		if toks[k] == "not" && (k+1 == len(toks) || IsBreak(toks[k+1]) || toks[k+1] == "so" || toks[k+1] == "really") {
			return true
		}
	}
	return false
}

// conditionals make what follows them imagined rather than felt.
var conditionals = map[string]bool{"would": true, "i'd": true, "you'd": true, "could": true, "might": true, "if": true, "wouldn't": true, "unless": true,
	"until": true, "before": true}

// hypothetical reports whether a conditional precedes toks[i] in its
// sentence ("If I start shoving food into my face as I enjoy…").
func hypothetical(toks []string, i int) bool {
	// An imperative at the start of the sentence bids the reader feel it
	// ("Be glad you didn't wipe a database"), which the writer does not voice.
	if start := sentenceStart(toks, i); i-start == 1 && toks[start] == "be" {
		return true
	}
	for k := i - 1; k >= 0 && !IsBreak(toks[k]); k-- {
		if conditionals[toks[k]] {
			return true
		}
	}
	return false
}

// sentenceStart is the index of the first token of toks[i]'s sentence.
func sentenceStart(toks []string, i int) int {
	for i > 0 && !IsBreak(toks[i-1]) {
		i--
	}
	return i
}

// Plain returns the matches that are not negated.
func Plain(ms []Match) []Match {
	var out []Match
	for _, m := range ms {
		if !m.Negated {
			out = append(out, m)
		}
	}
	return out
}

// Valence is the sign of an emotion or polarity: 1 for happiness and positive,
// -1 for anger, contempt, disgust, fear, sadness and negative, 0 for the rest
// (neutral, calm, surprise — which can go either way).
func Valence(l Label) int {
	switch l {
	case Happiness, Positive:
		return 1
	case Anger, Contempt, Disgust, Fear, Sadness, Negative:
		return -1
	}
	return 0
}

// OtherValence returns the labels of the opposite valence to l (none for a
// label of no valence). It is a Neighbors function for Assign: with noisy text
// labels a neighbouring emotion (anger for disgust, neutral for mild praise) may
// be as right as the gold one, so the wrong label must be one a reader would
// reject outright.
func OtherValence(l Label) []Label {
	v := Valence(l)
	if v == 0 {
		return nil
	}
	var out []Label
	for _, c := range []Label{Anger, Contempt, Disgust, Fear, Happiness, Sadness, Positive, Negative} {
		// Emotions pair with emotions and polarities with polarities.
		if Valence(c) == -v && isPolarity(c) == isPolarity(l) {
			out = append(out, c)
		}
	}
	return out
}

func isPolarity(l Label) bool { return l == Positive || l == Negative || l == NeutralSentiment }

// labelWords are the forms of each label's question word ("angry") that a
// word matcher folds together with it (see Mentions).
var labelWords = map[Label][]string{
	Anger:            {"angry", "angrier", "angriest", "angrily", "anger", "angered", "angers"},
	Disgust:          {"disgust", "disgusted", "disgusting", "disgustingly", "disgusts"},
	Fear:             {"fear", "fears", "feared", "fearful", "fearfully", "fearing", "afraid"},
	Happiness:        {"happy", "happier", "happiest", "happily", "happiness"},
	Sadness:          {"sad", "sadder", "saddest", "sadly", "sadness"},
	Surprise:         {"surprise", "surprised", "surprises", "surprising", "surprisingly"},
	Neutral:          {"neutral", "neutrally"},
	Positive:         {"positive", "positively"},
	NeutralSentiment: {"neutral", "neutrally"},
	Negative:         {"negative", "negatively"},
}

// Mentions reports whether toks contain the word a question about l uses, in
// any of its forms ("sadly" for sad). A pair whose passage names the gold
// emotion in the question's own word can be solved by word matching alone
// (SPEC §1), so text importers leave such items out.
func Mentions(toks []string, l Label) bool {
	for _, t := range toks {
		for _, w := range labelWords[l] {
			if t == w {
				return true
			}
		}
	}
	return false
}

// EmotionCues are words and phrases that state an emotion outright, mostly in
// the writer's or speaker's own voice, for the emotions whose valence is clear.
// An item labelled with one of these emotions is kept by the text importers
// only when the passage carries one of its cues, unnegated: the label then rests
// on what the text says, not on its topic. The lists leave out words that often
// mean something else: "sorry" (an apology), "awful" and "horrible" (plain
// dislike, labelled disgust by keyword), bare "fucking" (an intensifier in
// praise as often as in anger), "the hell" (banter), "nightmare" (of traffic),
// "enjoy", "worried" and "hate" without a first person ("I think you'll enjoy
// it", "you should be worried", "he gets paid to hate them"), and evaluations
// that are not feelings ("amazing", "excellent value", "it even more stupid").
var EmotionCues = map[Label]Lexicon{
	Happiness: NewLexicon(`glad, so happy, joy, joyful, i enjoy, i enjoyed, i really enjoy, i really enjoyed, i'm enjoying, im enjoying, i am enjoying,
		thoroughly enjoying, i love, i loved, i just love, love it, love this, loved it, i like, i liked, i really like, yay, yaay, woohoo, hooray,
		excited, thrilled, delighted, blessed, congrats, congratulations, can't wait, cant wait, best day, so much fun, had fun, having fun, was fun,
		was really fun, was so much fun, 😊, 😁, 😀, 😃, 😄, 🥰, 😍`),
	Anger: NewLexicon(`i hate, i fucking hate, i really hate, i just hate, pissed, furious, infuriating, infuriated, outrageous, idiot, idiots,
		moron, morons, fuck you, fuck off, fuck this, fuck that, fuck them, fuck him, fuck her, screw you, shut up, sick of, fed up, bullshit,
		mad at, sick and tired, pisses me off, piss me off, drives me crazy, up your ass, grow up, go to hell, piss off, get fucked, eat shit,
		what the fuck is wrong, screw them, screw this, 😡, 🤬, 😠`),
	Sadness: NewLexicon(`i miss, i really miss, miss you, miss him, miss her, miss them, miss those, miss being, crying, cried, i cry, tears, heartbroken,
		depressed, devastated, lonely, grief, grieving, sorry for your loss, feel bad for, i feel bad, broke my heart, breaks my heart, heartbreaking,
		i'm disappointed, im disappointed, i was disappointed, so disappointed, i'm gonna miss, depressing, heart broke, 😭, 😢, 😞, 😔`),
	Fear: NewLexicon(`i'm scared, im scared, i am scared, i was scared, i get scared, i got scared, so scared, scares me, scared me, scare me, terrified,
		terrifies me, frightened, frightens me, i'm worried, im worried, i am worried, i was worried, worries me, i worry, i'm nervous, im nervous,
		i am nervous, makes me nervous, i'm anxious, gives me anxiety, creeps me out, freaks me out, freaked out, paranoid, so scary, this is scary,
		that's scary, terrifying, 😨, 😱, 😰`),
	Disgust: NewLexicon(`gross, ew, eww, ewww, yuck, yuk, vile, repulsive, revolting, nasty, sickening, makes me sick, make me sick, puke, vomit,
		disgusting, i'm disgusted, im disgusted, i am disgusted, i was disgusted, utterly disgusted, so disgusted, 🤢, 🤮`),
}

// Polar are broader word lists of each valence, used the other way round: a
// passage labelled with an emotion of one valence that also carries an
// unnegated word of the other ("too bad" in a joyful comment, "confidence" in
// a fearful one, "great" in a disgusted one) is mixed, and a reader could
// answer either way. They hold every cue of EmotionCues and more.
var Polar = map[int]Lexicon{
	1: Join(EmotionCues[Happiness], NewLexicon(`good, great, nice, best, love, loved, lovely, beautiful, perfect, fun, funny, enjoy, enjoyed, glad, happy,
		thanks, thank you, congrats, confidence, confident, proud, favorite, favourite, top, win, won, brilliant, incredible, cute, cool, hope,
		hopefully, :), :d, ❤, 💕, 👍, 😂, 🤣`)),
	-1: Join(EmotionCues[Anger], EmotionCues[Sadness], EmotionCues[Fear], EmotionCues[Disgust], NewLexicon(`hate, hated, can't stand, cant stand, yikes, bad, too bad, worst, stupid, hypocrite, hypocrites, liar, liars, ridiculous, pathetic, weird, creepy, terrible, awful, horrible, sucks, sucked, annoying, annoyed, angry, sad, sadly, unfortunately, afraid,
		scary, worried, damn, fuck, fucking, shit, wtf, mistake, mistakes, disappointed, disappointing, upset, :(, 💔`)),
}

// SelfBlame is self-deprecation ("I'm stupid", "they thought I was stupid"),
// which carries anger words without anger.
var SelfBlame = NewLexicon(`i am stupid, i'm stupid, im stupid, i was stupid, i am an idiot, i'm an idiot, im an idiot, i'm such an idiot,
	i feel stupid, i felt stupid, i am a moron, i'm a moron, i'm so stupid, i was so stupid`)

// sarcasm are set phrases that usually mean their opposite ("I like how
// nobody else is doing anything", "Great, glad to hear…") or report someone
// else's words ("You're saying it's depressing…").
var sarcasm = NewLexicon(`i like how, i love how, love how, gotta love, you gotta love, oh great, great glad, yeah right, thanks a lot,
	you're saying, you are saying, so you're saying, you said, i love it when, i love when`)

// Sarcastic reports whether toks carry a set phrase of sarcasm.
func Sarcastic(toks []string) bool { return len(sarcasm.Find(toks)) > 0 }

// Contrasted reports whether the match's sentence sets it against something
// else: a "but" after it ("That's absolutely fantastic but I was only pointing
// out…") or a "while", "though" or "although" anywhere in it ("While I love the
// brutality of Odyssey, my favourites were…"). The other clause often takes
// back or outweighs what the cue said.
func Contrasted(toks []string, m Match) bool {
	start, end := m.At, m.At
	for start > 0 && !IsBreak(toks[start-1]) {
		start--
	}
	for end < len(toks) && !IsBreak(toks[end]) {
		end++
	}
	for k := start; k < end; k++ {
		switch toks[k] {
		case "while", "though", "although", "whilst":
			return true
		case "but":
			if k > m.At {
				return true
			}
		}
	}
	return false
}

// Misfortune are words of harm: news of it (which Twitter annotators
// labelled negative toward the victim) and, in a comment labelled positive,
// joy at someone's harm (schadenfreude, mockery: "his tooth bouncing off the
// pavement … brings a tear of joy", "a prison cell. So cute"), where a reader
// cannot say whether the feeling is positive or negative.
var Misfortune = NewLexicon(`rip, died, dies, dead, death, deaths, killed, kills, killing, murder, murdered, victim, victims, mourn, mourning,
	tribute, condolences, funeral, investigated, investigation, sued, accused, alleged, allegedly, charged, passed away, shot, shooting, injured, injury, crash, attack, attacks, attacked, bomb, bombing, tragic,
	tragedy, memorial, genocide, war, violence, abuse, assault, legal battle, lawsuit, drought, storm, flood, fire, earthquake, hurricane, cancer, sick, hospital, arrested, missing,
	prison, jail, pavement, bleeding, broke his, broke her, broken bone, hurt himself, hurt herself, got hurt, falls, fell`)

// irony are emoji that undercut the words they follow: a nervous or
// upside-down smile, a smirk, rolled eyes, a clown, a skull.
var irony = NewLexicon(`😅, 🙃, 😏, 🙄, 😬, 🤡, 💀, 😒`)

// Ironic reports whether toks carry an emoji of irony.
func Ironic(toks []string) bool { return len(irony.Find(toks)) > 0 }

// laughter marks a passage as joking, which undercuts a negative label
// ("disgusting aoe … XD").
var laughter = NewLexicon(`lol, lmao, lmfao, rofl, haha, hahaha, hahahaha, hehe, xd, jk, funny, hilarious, hilarity, joking, kidding, 😂, 🤣, 😆, 😜, 😝`)

// Laughs reports whether toks carry a laughter or joke marker.
func Laughs(toks []string) bool { return len(laughter.Find(toks)) > 0 }

// Stated returns the matches ms (found in toks) that are not negated, lie in
// a sentence that is not a question and are not hypothetical: "Pissed at you
// for not letting them live in bliss?" asks about anger and "I would be so
// pissed" imagines it, rather than voicing it.
func Stated(toks []string, ms []Match) []Match {
	var out []Match
	for _, m := range Plain(ms) {
		end := m.At
		for end < len(toks) && !IsBreak(toks[end]) {
			end++
		}
		if (end == len(toks) || toks[end] != Question) && !hypothetical(toks, m.At) {
			out = append(out, m)
		}
	}
	return out
}
