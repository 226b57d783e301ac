// Package soul imports the review-comprehension task of SOUL (Deng et al.,
// EMNLP 2023; MIT): reviews with statements labelled true, false or not-given.
//
// A pair is a true and a false statement about the same review, both about
// emotion, sentiment or attitude (a keyword rule, below), chosen by the rules
// in Rules; the review is the context and the sub-category is category. The
// basic question asks whether the true statement holds, the hallucinated one
// whether the false statement does. Statements labelled not-given are not
// used: they are neither entailed nor contradicted.
package soul

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/audit"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
)

// Name is the importer's name on the command line.
const Name = "soul"

// Importer imports SOUL.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

// Affective matches statements about emotion, sentiment or attitude: feeling
// words, evaluative verbs (like, recommend, complain), opinion verbs (think,
// find) and evaluative adjectives. Statements of plain fact ("free wifi was
// available") do not match and are skipped.
var Affective = regexp.MustCompile(`(?i)\b(feel|feels|felt|feeling|emotion\w*|mood|sentiment|attitude|opinion|impression|` +
	`like|likes|liked|dislike\w*|love\w*|hate\w*|enjoy\w*|prefer\w*|recommend\w*|prais\w+|complain\w*|criticiz\w+|compliment\w*|` +
	`appreciat\w+|admir\w+|regret\w*|wish\w*|hope\w*|worth|worthwhile|` +
	`think|thinks|thought|believe\w*|find|finds|found|consider\w*|` +
	`happy|unhappy|glad|pleased|satisf\w+|dissatisf\w+|unsatisf\w+|disappoint\w*|frustrat\w+|annoy\w*|angry|upset|sad|` +
	`excit\w+|impress\w*|amaz\w+|bor\w+|delight\w*|thrill\w*|disgust\w*|scar\w+|afraid|surpris\w+|` +
	`good|great|bad|best|worst|excellent|terrible|awful|horrible|wonderful|fantastic|delicious|poor|favorite|favourite|` +
	`positive\w*|negative\w*|fan|adore\w*|ecstatic|astonish\w*|laughable|pricey|expensive|costly|overpriced|cheap|perfect|pleasant|unpleasant|` +
	`friendly|friendliest|unfriendly|rude|memorable|clich\w*|funny|funniest|amus\w+|entertain\w*|interesting|enjoyable|tasty|bland|` +
	`impeccable|awesome|superb|outstanding|mediocre|decent|lousy|dreary|dull|predictable)\b`)

// Rules are the selection rules, as recorded in the build manifest.
var Rules = []string{
	"Only statements SOUL labels true (entailed) or false (contradicted) are used; not-given statements never are.",
	"A statement must be about emotion, sentiment or attitude: it uses a word of feeling, evaluation or opinion (a keyword rule); a true statement must moreover have the reviewer (user, author, writer) as its subject or say \"in the reviewer's opinion\", since a true claim about the place or the film (\"the sauce tastes very good\") is often inferred.",
	"A statement whose justification hedges (implies, indicating, which means, suggests, inferred, may, probably, seems, jokingly, sarcastic, exaggeration, not mentioned) is dropped and listed: the annotator inferred the label rather than read it.",
	"A false statement whose justification concedes part of it (did say, although, however, but, partly) is dropped and listed: it may be half true (\"The review did say it is a low budget movie, but…\").",
	"A statement with an absolute or superlative word (always, never, all, only, completely, best, worst, ever…) that the review does not use is dropped and listed: it overstates what the review says.",
	"A true statement naming a feeling (love, hate, enjoy, bored, satisfied, happy, upset, disappointed, annoyed, frustrated, excited, impressed, pleased, angry, sad) whose word family the review does not use is dropped and listed: \"loves the airport\" for \"I enjoyed this airport\", \"feels bored with the music\" for \"which I don't really mind\" are the annotator's inference.",
	"A false statement with a mild evaluation (decent, okay, fine, average, moderate) the review does not use is dropped and listed: \"tastes decent\" of \"the best in Arizona\" is an understatement a reader may call true.",
	"A statement that names the reviewer a second time as owner of something (\"the reviewer's competence\" where the review credits the butcher) is dropped and listed: it may credit the wrong party.",
	"A true statement comparing two things (\"as good as\", \"better than\") is dropped and listed unless the review compares in those words too: \"pretty close\" is not \"as good as\".",
	"A true statement calling something the reviewer's favourite is dropped and listed when the review says \"one of my favourites\".",
	"When the review also tells a companion's experience (\"my husband got the ribeye\"), a true statement about one part of the visit or work is dropped and listed: it may credit the wrong person; an overall verdict on the place is kept.",
	"A statement that gives an overall verdict on the place or work (\"the reviewer enjoyed the movie\") is dropped and listed when the review both praises and blames in plain words: the verdict is then the annotator's weighing.",
	"A statement joining two contrasting claims (but, while, although), or a false one joining two claims with and before a new clause, is dropped and listed: in a false one one half may be true, in a true one one half may be a stretch (\"really likes the film, but hates the cast\").",
	"A true statement giving a reason (because, since, due to) in words the review does not use is dropped and listed: annotators often supplied the reason themselves (\"disappointed by Jamie Foxx because they expected more from him\").",
	"A false statement whose claim repeats the review's words and whose reason does too (at least half of the reason's content words are the review's) is dropped and listed: it may be false only in how it links cause and feeling (\"doesn't like the music because everyone is yelling\", where the review blames the music for the yelling).",
	fmt.Sprintf("Statements longer than %d words are skipped.", MaxWords),
	"Each pair joins one true and one false statement about the same review; where a review has more false statements than true ones, those that share the most content words with the review are kept, and true and false are paired in order of overlap, so that word matching cannot tell them apart.",
}

// MaxWords is the longest statement used.
const MaxWords = 30

// subject matches a statement about the reviewer: the reviewer as its
// subject, or "in the reviewer's opinion".
var subject = regexp.MustCompile(`(?i)^(according to the review, )?(the )?(reviewer|user|author|writer)\b|\b(reviewer|user|author|writer)'s opinion\b`)

// hedge matches justifications that infer the label rather than read it.
var hedge = regexp.MustCompile(`(?i)\b(impl(y|ies|ied|ying)|infer\w*|indicat\w*|suggest\w*|which means|meaning|may|might|probabl\w*|likely|seem\w*|jok\w*|sarcas\w*|exaggerat\w*|overstat\w*|unclear|ambiguous|not (explicitly )?(mention|state|say)\w*|(doesn't|does not|didn't|did not|never) (explicitly )?(mention|state|say)\w*|no mention)\b`)

// concession matches a justification that grants part of a false statement
// ("The review did say it is a low budget movie, but…").
var concession = regexp.MustCompile(`(?i)\b(did|does|do) (say|mention|state|describe)\b|\balthough\b|\bhowever\b|\bwhile\b|\bbut\b|\bpartially\b|\bpartly\b`)

// absolute are words that overstate unless the review uses them too.
var absolute = map[string]bool{"always": true, "never": true, "every": true, "everything": true, "everyone": true, "all": true, "only": true,
	"completely": true, "totally": true, "absolutely": true, "entirely": true, "extremely": true, "perfect": true, "perfectly": true, "best": true,
	"worst": true, "ever": true, "nothing": true, "none": true, "most": true, "least": true}

// feelingFamily maps words of feeling to their family: a true statement that
// the reviewer "loves" what the review only "enjoyed", is "bored" by music
// the review "doesn't really mind", or "enjoyed the place" where the review
// grants a nice atmosphere but not the food, names a feeling the review does
// not, and a careful annotator hesitates (all found in review). Evaluations
// (great, good) and intensifiers (really, very) are left alone: the review
// may state a verdict in other words.
var feelingFamily = func() map[string]string {
	m := map[string]string{}
	for family, words := range map[string]string{
		"love":       "love loves loved loving",
		"adore":      "adore adores adored",
		"hate":       "hate hates hated",
		"enjoy":      "enjoy enjoys enjoyed enjoying enjoyable enjoyment",
		"bore":       "bored boring bores boredom",
		"satisfy":    "satisfied satisfying satisfaction unsatisfied dissatisfied",
		"happy":      "happy unhappy happily happiness",
		"upset":      "upset upsetting",
		"disappoint": "disappointed disappointing disappointment disappoints",
		"annoy":      "annoyed annoying annoys annoyance",
		"frustrate":  "frustrated frustrating frustration",
		"excite":     "excited exciting excitement",
		"impress":    "impressed impressive impresses",
		"please":     "pleased pleasing displeased",
		"angry":      "angry anger angered",
		"sad":        "sad sadness saddened",
	} {
		for _, w := range strings.Fields(words) {
			m[w] = family
		}
	}
	return m
}()

// mild are evaluations that understate: "tastes decent" of "the best green
// chili pork in Arizona" is false to SOUL's annotators only as an
// understatement, and a careful reader may call it true.
var mild = regexp.MustCompile(`(?i)\b(decent|okay|ok|alright|fine|average|moderate|mediocre|so-so|not bad)\b`)

// reviewerWords are the words SOUL's statements name the reviewer by.
const reviewerWords = `(reviewers?|users?|authors?|writers?)`

// possessive is the reviewer named as an owner ("the reviewer's competence"),
// except in "the reviewer's opinion".
var possessive = regexp.MustCompile(`(?i)\b` + reviewerWords + `'s? (\w+)`)

// comparison matches a comparison between two things.
var comparison = regexp.MustCompile(`(?i)\bas (good|bad|great|well|much) as\b|\b(better|worse) than\b|\bcompared\b|\bthe same as\b`)

// favourite and oneOf catch "his favourite film" said of "one of my
// favourite films".
var (
	favourite = regexp.MustCompile(`(?i)\bfavou?rite\b`)
	oneOf     = regexp.MustCompile(`(?i)\bone of (my|his|her|their|the reviewer's|the user's) favou?rite`)
)

// companion matches a review that tells someone else's experience too ("my
// husband got the ribeye").
var companion = regexp.MustCompile(`(?i)\bmy (dining )?(husband|wife|boyfriend|girlfriend|friend|friends|son|daughter|kids|mom|mother|dad|father|partner|date|sister|brother|family|gf|bf|companion|co-?worker|buddy)\b`)

// overall matches a statement that ends in a verdict on the whole place or
// work ("the reviewer enjoyed the movie", "liked this place").
var overall = regexp.MustCompile(`(?i)\b(the|this|that) (movie|film|place|restaurant|show|bar|hotel|store|shop|series|airport|book|experience)\W*$`)

// mixed reports whether a review both praises and blames in plain words,
// where an overall verdict is the reader's weighing rather than the review's.
func mixed(review string) bool {
	toks := swap.Tokens(review)
	return len(swap.Plain(swap.Polar[1].Find(toks))) > 0 && len(swap.Plain(swap.Polar[-1].Find(toks))) > 0
}

// causal introduces a reason.
var causal = regexp.MustCompile(`(?i)\b(because|since|due to|as a result|so that|thanks to)\b`)

// contrast joins two claims that pull apart.
var contrast = regexp.MustCompile(`(?i)\b(but|while|although|though|whereas)\b`)

// andClause joins two claims with "and" before a new clause ("the food was
// bland, and the service slow"). Two adjectives joined by "and" ("humble and
// friendly") are one claim.
var andClause = regexp.MustCompile(`(?i), and\b|\band (that|he|she|they|the|it|was|wasn't|is|isn't|would|wouldn't|did|didn't|had|has|have)\b`)

// Check applies the statement rules (Rules) to one true or false statement
// about review. It returns "" when the statement may be used; otherwise the
// reason, and whether it is to be dropped and listed (its label is doubtful)
// rather than skipped (it is not about the reviewer's attitude).
func Check(review, statement, justification, label string) (why string, drop bool) {
	switch {
	case !Affective.MatchString(statement):
		return "statement not about emotion, sentiment or attitude", false
	case len(strings.Fields(statement)) > MaxWords:
		return fmt.Sprintf("statement longer than %d words", MaxWords), false
	case label == "true" && !subject.MatchString(statement):
		return "true statement not about the reviewer (a claim about the place or film needs inference)", false
	}
	if m := hedge.FindString(justification); m != "" {
		return fmt.Sprintf("its justification hedges (%q): the label was inferred", m), true
	}
	if m := concession.FindString(justification); label == "false" && m != "" {
		return fmt.Sprintf("its justification concedes part of it (%q): the statement may be half true", m), true
	}
	if label == "true" && comparison.MatchString(statement) && !comparison.MatchString(review) {
		return "it is a true statement comparing in words the review does not use (\"as good as\" for \"pretty close\")", true
	}
	if label == "true" && favourite.MatchString(statement) && !oneOf.MatchString(statement) && oneOf.MatchString(review) {
		return "it calls the film or place the reviewer's favourite where the review says \"one of my favourites\"", true
	}
	if label == "true" && companion.MatchString(review) && !overall.MatchString(statement) {
		return "the review also tells a companion's experience, and a true statement about one part of it may credit the wrong person", true
	}
	if overall.MatchString(statement) && mixed(review) {
		return "an overall verdict (\"enjoyed the movie\") on a review that praises and blames", true
	}
	inReview := map[string]bool{}
	for _, w := range swap.Tokens(review) {
		inReview[w] = true
	}
	reviewFamilies := map[string]bool{}
	for w := range inReview {
		if f, ok := feelingFamily[w]; ok {
			reviewFamilies[f] = true
		}
	}
	for _, w := range swap.Tokens(statement) {
		if absolute[w] && !inReview[w] {
			return fmt.Sprintf("it says %q, which the review does not: it overstates", w), true
		}
		if f, ok := feelingFamily[w]; ok && label == "true" && !reviewFamilies[f] {
			return fmt.Sprintf("it says %q, a feeling the review does not name: the annotator inferred it", w), true
		}
	}
	if m := mild.FindString(statement); label == "false" && m != "" && !inReview[strings.ToLower(m)] {
		return fmt.Sprintf("it is a false statement saying %q: an understatement a reader may call true", m), true
	}
	for _, m := range possessive.FindAllStringSubmatch(statement, -1) {
		if !strings.EqualFold(m[2], "opinion") {
			return fmt.Sprintf("it speaks of %q: the statement may credit the wrong party", m[0]), true
		}
	}
	if contrast.MatchString(statement) || label == "false" && andClause.MatchString(statement) {
		return "it joins two claims (in a false statement one may be true, in a true one one may be a stretch)", true
	}
	if loc := causal.FindStringIndex(statement); loc != nil {
		reason := statement[loc[1]:]
		if loc[0] == 0 {
			// "Because the flavour changes, the reviewer…": the reason ends at
			// the comma.
			reason, _, _ = strings.Cut(reason, ",")
		}
		stems := audit.ContentStems(reason)
		review := audit.ContentStems(review)
		var missing []string
		for w := range stems {
			if !review[w] {
				missing = append(missing, w)
			}
		}
		switch {
		case label == "true" && len(missing) > 0:
			// Sorted, so that the reason in the manifest is the same in every build.
			sort.Strings(missing)
			return fmt.Sprintf("it is a true statement giving a reason in words the review does not use (%s)", strings.Join(missing, ", ")), true
		case label == "false" && 2*len(missing) <= len(stems) && echoes(review, statement[:loc[0]]):
			return "it is a false statement whose claim and reason both repeat the review: it may be false only in how it links cause and feeling (\"doesn't like the music because everyone is yelling\" where the review blames the music for the yelling)", true
		}
	}
	return "", false
}

// echoes reports whether every content word of a statement's clause, other
// than the reviewer it names, is in the review's stems: the clause repeats
// what the review says.
func echoes(review map[string]bool, clause string) bool {
	for w := range audit.ContentStems(subjectWords.ReplaceAllString(clause, " ")) {
		if !review[w] {
			return false
		}
	}
	return true
}

// subjectWords name the reviewer.
var subjectWords = regexp.MustCompile(`(?i)\b` + reviewerWords + `\b`)

type statement struct {
	text, label string
	line        int
}

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	if err := importers.RequireDir(Name, src); err != nil {
		return nil, err
	}
	files, err := importers.Walk(src, func(rel string) bool { return strings.HasSuffix(rel, ".csv") })
	if err != nil {
		return nil, err
	}
	res := &importers.Result{Rules: Rules}
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := filepath.Join(src, filepath.FromSlash(rel))
		rows, err := importers.ReadTable(name, ',')
		if err != nil {
			return nil, fmt.Errorf("soul: %w", err)
		}
		if len(rows) > 0 && (rows[0].Fields["rid"] == "" || rows[0].Fields["statement"] == "") {
			continue // not a SOUL table
		}
		res.FilesRead++
		split := strings.TrimSuffix(path.Base(rel), ".csv")
		reviews := map[string]string{}
		stmts := map[string][]statement{}
		for _, r := range rows {
			res.Items++
			rid, text, st, label := r.Get("rid"), r.Get("review_text"), r.Get("statement"), strings.ToLower(r.Get("label"))
			if rid == "" || text == "" || st == "" {
				res.Drop(fmt.Sprintf("%s:%d", split, r.Line), name, "line %d: missing rid, review_text or statement", r.Line)
				continue
			}
			if prev, ok := reviews[rid]; ok && prev != text {
				res.Drop(fmt.Sprintf("%s:%d", split, r.Line), name, "line %d: review %s has a different text than on an earlier line", r.Line, rid)
				continue
			}
			reviews[rid] = text
			if label != "true" && label != "false" {
				res.Skip("label " + label + " (only true and false statements make pairs)")
				continue
			}
			why, drop := Check(text, st, r.Get("justification"), label)
			switch {
			case drop:
				res.Drop(fmt.Sprintf("%s:%d", split, r.Line), name, "line %d: %s statement %q: %s", r.Line, label, st, why)
			case why != "":
				res.Skip(why)
			default:
				stmts[rid] = append(stmts[rid], statement{st, label, r.Line})
			}
		}
		var pairs []eh.Pair
		rids := make([]string, 0, len(stmts))
		for rid := range stmts {
			rids = append(rids, rid)
		}
		sort.Strings(rids)
		for _, rid := range rids {
			var trues, falses []statement
			for _, s := range stmts[rid] {
				if s.label == "true" {
					trues = append(trues, s)
				} else {
					falses = append(falses, s)
				}
			}
			r := env.Rand("soul " + split + " " + rid)
			shuffle := func(ss []statement) {
				r.Shuffle(len(ss), func(i, j int) { ss[i], ss[j] = ss[j], ss[i] })
			}
			shuffle(trues)
			shuffle(falses)
			// True statements tend to repeat the review's words and false ones
			// to bring in new ones, so a pair of each drawn at random could be
			// solved by word matching (SPEC §1): the audit's context-overlap
			// baseline measures exactly this. Keep the false statements that
			// share the most content words with the review (a negated or
			// misattributed mention rather than new vocabulary), and pair true
			// and false in order of overlap. The stable sort keeps the seeded
			// order among equals.
			ov := func(st statement) int { return audit.Overlap(reviews[rid], st.text) }
			n := min(len(trues), len(falses))
			trues = trues[:n]
			sort.SliceStable(trues, func(i, j int) bool { return ov(trues[i]) > ov(trues[j]) })
			sort.SliceStable(falses, func(i, j int) bool { return ov(falses[i]) > ov(falses[j]) })
			for i := n; i < len(trues); i++ {
				res.Skip("no false statement left to pair with")
			}
			for i := n; i < len(falses); i++ {
				res.Skip("no true statement left to pair with")
			}
			for i := 0; i < n; i++ {
				pairs = append(pairs, pair(split, rid, i+1, reviews[rid], trues[i], falses[i]))
			}
		}
		// Each pair uses one true and one false statement, so the limit per
		// label is a limit on the pairs of the file.
		if env.MaxPerLabel > 0 && len(pairs) > env.MaxPerLabel {
			r := env.Rand("soul " + split + " limit")
			r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
			for range pairs[env.MaxPerLabel:] {
				res.Skip(fmt.Sprintf("over the limit of %d items per label", env.MaxPerLabel))
			}
			pairs = pairs[:env.MaxPerLabel]
		}
		res.Pairs = append(res.Pairs, pairs...)
	}
	if res.FilesRead == 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("soul: no SOUL CSV (columns rid, review_text, statement, label) below %s", src)}
	}
	return res, nil
}

func pair(split, rid string, n int, review string, t, f statement) eh.Pair {
	// Always category: the false statement is another claim about the
	// review, not the true one's cues with a wrong conclusion drawn from them
	// (SPEC's reasoning-result), even when both give a reason ("because").
	sub := eh.Category
	return eh.Pair{
		ID: fmt.Sprintf("soul-%s-%s-%d", split, rid, n), Dimension: eh.Perception, SubCategory: sub, Modality: eh.Text,
		Context:      eh.Context{Text: review},
		Basic:        eh.Question{Text: Question(t.text), Gold: eh.Yes},
		Hallucinated: eh.Question{Text: Question(f.text), Gold: eh.No},
		Explanation:  fmt.Sprintf("SOUL annotators judged the first statement entailed by the review and the second contradicted by it (%s lines %d and %d).", split, t.line, f.line),
		Corruption:   "contradiction",
		Source:       eh.Source{Dataset: Name, ID: fmt.Sprintf("%s:%s", split, rid)},
		Tags:         []string{"split:" + split, "review:" + strings.SplitN(rid, "-", 2)[0]},
	}
}

// sentenceStart are first words that are not names and may be lower-cased
// inside the question.
var sentenceStart = map[string]bool{"The": true, "There": true, "This": true, "These": true, "That": true, "Those": true,
	"It": true, "A": true, "An": true, "He": true, "She": true, "They": true, "Their": true, "His": true, "Her": true, "Both": true, "One": true, "Some": true, "Most": true, "All": true}

// Question turns a statement into a yes/no question about the review.
func Question(statement string) string {
	s := strings.TrimSpace(statement)
	s = strings.TrimRight(s, ".!? ")
	if first, _, _ := strings.Cut(s, " "); sentenceStart[first] {
		s = strings.ToLower(s[:1]) + s[1:]
	}
	return "According to the review, is it true that " + s + "?"
}
