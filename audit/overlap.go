package audit

import (
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// The context-overlap baseline asks whether a pair can be solved by word
// matching alone: say yes to the question that shares more content words with
// the passage and no to the other. If the basic question repeats the passage's
// words while the hallucinated one brings in vocabulary the passage never uses,
// this rule solves the pair without understanding anything, and a model can too.
// A sound pair makes the hallucinated question as close to the passage as the
// basic one (the wrong person, the wrong object, the wrong order, a negated
// mention), so the rule is left guessing.
//
// The matcher is deliberately strong — stop words dropped, inflections folded —
// because a weak matcher would miss overlaps a model sees and flatter the suite.

// OverlapThreshold is the pair accuracy of the context-overlap baseline above
// which a suite is said to be solvable by word matching; OverlapSubThreshold is
// the same bound for each sub-category. Chance is 0.25.
const (
	OverlapThreshold    = 0.40
	OverlapSubThreshold = 0.45
)

// tieCredit is what a tied pair earns: the rule cannot decide and guesses each
// answer at random, which solves the pair one time in four.
const tieCredit = 0.25

// stopWords are the English function words ignored by the overlap matcher: the
// usual list of articles, pronouns, auxiliaries, prepositions, conjunctions and
// a few discourse words, plus the verbs and nouns that frame questions about a
// passage ("say", "mention", "text", "writer"). They carry no content a passage
// and a question could share by meaning; leaving them in would let "does the
// writer say" match every passage. Negations are stop words too: the baseline
// matches words, not meaning, so "not angry" overlaps "angry" as a word matcher
// would have it.
var stopWords = func() map[string]bool {
	list := `a about above after again against all am an and any are aren't as at
be because been before being below between both but by can can't cannot could
couldn't did didn't do does doesn't doing don't down during each few for from
further had hadn't has hasn't have haven't having he he'd he'll he's her here
here's hers herself him himself his how how's i i'd i'll i'm i've if in into is
isn't it it's its itself let's me more most mustn't my myself no nor not of off
on once only or other ought our ours ourselves out over own same shan't she
she'd she'll she's should shouldn't so some such than that that's the their
theirs them themselves then there there's these they they'd they'll they're
they've this those through to too under until up very was wasn't we we'd we'll
we're we've were weren't what what's when when's where where's which while who
who's whom why why's will with won't would wouldn't you you'd you'll you're
you've your yours yourself yourselves also just even still yet ever never since though although unless upon within
without onto toward towards across along around behind beside besides beyond
near past via per whether either neither every another among may might must
shall ago now
really quite rather much many one ones something anything nothing someone
anyone thing things get got gets s t ll ve re d m
say says said saying mention mentions mentioned mentioning describe describes
described text passage post message review reviewer writer author speaker
suggest suggests express expresses`
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}()

// wordFamilies maps irregular forms to the word whose stem they share in
// meaning: past tenses the suffix stripper cannot undo ("went", "felt") and the
// emotion words whose adjective and noun differ in spelling ("angry"/"anger",
// "proud"/"pride"). Without them the matcher would miss exactly the overlaps an
// emotion question most often has with its passage.
var wordFamilies = func() map[string]string {
	pairs := `angry anger angrily anger furious fury proud pride proudly pride
ashamed shame anxious anxiety anxiously anxiety grateful gratitude gratefully gratitude
thankful thanks relieved relief afraid fear scared scare frightened fright
terrified terror horrified horror jealous jealousy envious envy lonely loneliness
embarrassed embarrass embarrassing embarrass embarrassment embarrass
disappointed disappoint disappointing disappoint disappointment disappoint
surprised surprise surprising surprise excited excite exciting excite excitement excite
annoyed annoy annoying annoy annoyance annoy frustrated frustrate frustrating frustrate frustration frustrate
nervous nerves nervously nerves sad sadness sadly sadness happy happiness happily happiness
glad gladness joyful joy joyous joy delighted delight delightful delight
disgusted disgust disgusting disgust guilty guilt calm calmness
went go gone go goes go felt feel left leave told tell bought buy thought think
came come gave give given give took take taken take made make saw see seen see
brought bring ran run wrote write written write lost lose won win met meet kept keep
sent send spent spend broke break broken break forgot forget forgotten forget chose choose
chosen choose began begin begun begin knew know known know found find heard hear
held hold stood stand sat sit slept sleep wore wear worn wear threw throw thrown throw
fell fall fallen fall hid hide hidden hide caught catch taught teach sold sell paid pay
built build lent lend meant mean hung hang shook shake shaken shake woke wake spoke speak
spoken speak drove drive driven drive ate eat eaten eat drank drink drunk drink sang sing
sung sing swam swim understood understand children child men man women woman people person
teeth tooth feet foot mice mouse better good best good worse bad worst bad
dying die died die lying lie lied lie tying tie tied tie used use agreed agree`
	f := strings.Fields(pairs)
	m := make(map[string]string, len(f)/2)
	for i := 0; i+1 < len(f); i += 2 {
		m[f[i]] = f[i+1]
	}
	return m
}()

// stem folds common English inflections and derivations to one key so that
// "smiled", "smiles", "smiling" and "smile" match, as do "cried"/"cries"/"cry"
// and "happily"/"happiness"/"happy". It follows the first and last steps of
// Porter's stemmer (suffix stripped, doubled consonant undone, silent e
// restored after a short stem and dropped after a long one) with a few
// derivational suffixes added, so "care" and "car" or "hope" and "hop" stay
// apart while "arrived" and "arrive" meet.
func stem(w string) string {
	w = strings.TrimSuffix(w, "'s")
	w = strings.TrimSuffix(w, "s'")
	if f, ok := wordFamilies[w]; ok {
		w = f
	}
	for _, suf := range []string{"fulness", "iness", "ness", "fully", "ful", "ments", "ment", "ingly", "edly", "ings", "ing", "ies", "ied", "ily", "ers", "er", "est", "ed", "ly", "es", "s"} {
		if len(w) <= len(suf)+1 || !strings.HasSuffix(w, suf) {
			continue
		}
		base := w[:len(w)-len(suf)]
		switch suf {
		case "ies", "ied", "ily", "iness":
			base += "i"
		case "s":
			// Keep "glass", "bus", "crisis", "focus": no plural there.
			if strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is") {
				base = w
			}
		case "es":
			// "boxes", "wishes", "watches" drop "es"; "smiles", "hopes" only "s".
			if !(strings.HasSuffix(base, "x") || strings.HasSuffix(base, "sh") || strings.HasSuffix(base, "ch") || strings.HasSuffix(base, "ss") || strings.HasSuffix(base, "z")) {
				base = w[:len(w)-1]
			}
		}
		// Porter's condition: what remains must contain a vowel ("sing" is not
		// "s" + "ing").
		if len(base) < 2 || !hasVowel(base) {
			continue
		}
		if step1b[suf] && !strings.HasSuffix(base, "e") && !strings.HasSuffix(base, "i") {
			// Porter step 1b: "hopp" → "hop", "hop" (from "hoped") → "hope".
			if n := len(base); n > 2 && base[n-1] == base[n-2] && consonant(base, n-1) && !strings.ContainsRune("lsz", rune(base[n-1])) {
				base = base[:n-1]
			} else if measure(base) == 1 && cvc(base) {
				base += "e"
			}
		}
		w = base
		break
	}
	// A final y after a consonant is spelled i before a suffix: key both as i.
	if n := len(w); n > 2 && w[n-1] == 'y' && consonant(w, n-2) {
		w = w[:n-1] + "i"
	}
	// Porter step 5: the silent e goes after a long stem ("arrive" → "arriv",
	// as "arrived" gives) and stays after a short one ("care" is not "car");
	// a double l goes after a long stem ("cancell" → "cancel").
	if n := len(w); n > 3 && w[n-1] == 'e' {
		if b := w[:n-1]; measure(b) > 1 || measure(b) == 1 && !cvc(b) {
			w = b
		}
	}
	if n := len(w); n > 3 && strings.HasSuffix(w, "ll") && measure(w) > 1 {
		w = w[:n-1]
	}
	return w
}

// step1b are the suffixes after which Porter's step 1b repairs the stem.
var step1b = map[string]bool{"ed": true, "edly": true, "ing": true, "ings": true, "ingly": true, "er": true, "ers": true, "est": true}

// hasVowel reports whether w contains a vowel in Porter's sense.
func hasVowel(w string) bool {
	for i := range len(w) {
		if !consonant(w, i) {
			return true
		}
	}
	return false
}

// consonant reports whether w[i] is a consonant in Porter's sense: not a
// vowel, and y only when it follows a vowel or starts the word.
func consonant(w string, i int) bool {
	switch w[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !consonant(w, i-1)
	}
	return true
}

// measure is Porter's m: the number of vowel-consonant sequences in w.
func measure(w string) int {
	m, prevVowel := 0, false
	for i := range len(w) {
		c := consonant(w, i)
		if c && prevVowel {
			m++
		}
		prevVowel = !c
	}
	return m
}

// cvc reports whether w ends consonant-vowel-consonant with the last consonant
// not w, x or y: the shape of a short stem that lost a silent e ("hop" from
// "hoped").
func cvc(w string) bool {
	n := len(w)
	return n >= 3 && consonant(w, n-3) && !consonant(w, n-2) && consonant(w, n-1) && !strings.ContainsRune("wxy", rune(w[n-1]))
}

// ContentStems returns the set of content-word stems of s: lower-case word
// tokens, stop words dropped, each folded by the suffix stripper. Japanese and
// Chinese text, which has no spaces to find words by, gives character bigrams
// instead (see cjkContent).
func ContentStems(s string) map[string]bool {
	out := map[string]bool{}
	scan(s, func(w string) {
		// A possessive is its word: "someone's" is as empty as "someone".
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "s'")
		if stopWords[w] {
			return
		}
		st := stem(w)
		if stopWords[st] {
			return
		}
		out[st] = true
	}, func(run []rune) {
		for _, g := range cjkContent(run) {
			out[g] = true
		}
	})
	return out
}

// cjkStopChars are the Japanese and Chinese characters the overlap matcher
// drops, as stopWords are dropped in English: Japanese particles, copulas and
// the kana of inflection and politeness (の は が を に で と も か ね よ, です,
// ます, ない, ません, ている, られる, だった…), and Chinese function
// characters (的 了 是 在 吗 呢 吧, pronouns, 把 被 得 地 着 过, 不 没 否…).
// A run of CJK text is cut at them and what remains are the content segments.
// Negations are among them, as in English: the baseline matches words, not
// meaning, so 不安 and 安 share their content, as "not angry" does "angry".
const cjkStopChars = "のはがをにへでとやかねよなただすまてしいるれらうんっせずぬょゃゅぁぃぅぇぉ" +
	"的了是在吗呢吧啊么嘛不没有和与及也都就很这那个我你他她它们对把被会要得地着过还又否之而或但并所其于以为让给"

// cjkStopGrams are the two-character words that frame a question about a
// passage rather than say anything the passage could share, like "say",
// "writer" and "review" in stopWords: ja 書き手, 投稿者, 筆者, 本文, 文章, 述べ,
// 言及, これ/それ; zh 评论, 作者, 文中, 提到, 表示, 表达, 帖子, 留言, 这段.
var cjkStopGrams = func() map[string]bool {
	m := map[string]bool{}
	for _, g := range strings.Fields(`書き き手 書い 投稿 稿者 筆者 本文 文章 文中 述べ 言っ 言及 記述 表現 示し 示唆 評者
レビ ビュ ュー これ それ あれ どの この その あの
评论 论者 作者 提到 表示 表达 帖子 留言 消息 这段 文字 写道 认为 说明`) {
		m[g] = true
	}
	return m
}()

var cjkStopSet = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range cjkStopChars {
		m[r] = true
	}
	return m
}()

// cjkContent returns the content units of a run of CJK characters: the run is
// cut at stop characters, and each remaining segment gives its character
// bigrams (framing bigrams dropped), or itself when it is a single character
// (怒 of 怒って, 哭 of 哭了).
func cjkContent(run []rune) []string {
	var out []string
	start := 0
	for i := 0; i <= len(run); i++ {
		if i < len(run) && !cjkStopSet[run[i]] {
			continue
		}
		if i > start {
			for _, g := range charGrams(run[start:i]) {
				if !cjkStopGrams[g] {
					out = append(out, g)
				}
			}
		}
		start = i + 1
	}
	return out
}

// Overlap counts the distinct content-word stems of question that also occur in
// context.
func Overlap(context, question string) int {
	return overlapWith(ContentStems(context), question)
}

func overlapWith(ctx map[string]bool, question string) int {
	n := 0
	for st := range ContentStems(question) {
		if ctx[st] {
			n++
		}
	}
	return n
}

// OverlapCredit is the pair accuracy the context-overlap rule earns on one pair:
// 1 when the basic question overlaps the context strictly more than the
// hallucinated one (the rule answers both right), 0 when strictly less (both
// wrong), and 0.25 on a tie, where the rule guesses as chance does.
func OverlapCredit(context, basic, hallucinated string) float64 {
	ctx := ContentStems(context)
	b, h := overlapWith(ctx, basic), overlapWith(ctx, hallucinated)
	switch {
	case b > h:
		return 1
	case b < h:
		return 0
	}
	return tieCredit
}

// OverlapResult is the context-overlap baseline over the pairs of a suite that
// have a text context.
type OverlapResult struct {
	// Pairs is how many pairs had a text context and were measured.
	Pairs int `json:"pairs"`
	// Accuracy is the rule's mean pair accuracy over them (0 when none).
	Accuracy float64 `json:"accuracy"`
	// Ties is how many measured pairs the rule could not decide.
	Ties          int                  `json:"ties"`
	BySubCategory []OverlapSubCategory `json:"by_subcategory"`
}

// OverlapSubCategory is the baseline restricted to one sub-category.
type OverlapSubCategory struct {
	SubCategory eh.SubCategory `json:"subcategory"`
	Pairs       int            `json:"pairs"`
	Ties        int            `json:"ties"`
	Accuracy    float64        `json:"accuracy"`
}

type accum struct {
	n, ties int
	sum     float64
}

// OverlapBaseline runs the context-overlap rule on every pair of s whose context
// has text. Pairs without text (knowledge items, media-only pairs) are skipped.
func OverlapBaseline(s *eh.Suite) OverlapResult {
	var res OverlapResult
	byKey := map[eh.SubCategory]*accum{}
	total := accum{}
	for _, p := range s.Pairs {
		ctx := strings.TrimSpace(p.Context.Text)
		if ctx == "" {
			continue
		}
		c := OverlapCredit(ctx, p.Basic.Text, p.Hallucinated.Text)
		a := byKey[p.SubCategory]
		if a == nil {
			a = &accum{}
			byKey[p.SubCategory] = a
		}
		for _, x := range []*accum{a, &total} {
			x.n++
			x.sum += c
			if c == tieCredit {
				x.ties++
			}
		}
	}
	res.Pairs, res.Ties = total.n, total.ties
	if total.n > 0 {
		res.Accuracy = round(total.sum/float64(total.n), 4)
	}
	for _, sc := range orderedSubCategories(byKey) {
		a := byKey[sc]
		res.BySubCategory = append(res.BySubCategory, OverlapSubCategory{
			SubCategory: sc, Pairs: a.n, Ties: a.ties, Accuracy: round(a.sum/float64(a.n), 4),
		})
	}
	return res
}
