// Package ravdess imports the Ryerson Audio-Visual Database of Emotional Speech
// and Song (Livingstone & Russo 2018, CC BY-NC-SA 4.0): every acted label is in
// the file name (MM-VV-EE-II-SS-RR-AA), so any folder tree holding RAVDESS files
// under their original names works, audio-only .wav or audio-visual .mp4.
//
// The file name gives the emotion the actor was asked to portray, not what
// listeners hear. With the published perceptual ratings
// (--from ravdess=DIR,ratings=FILE, see ReadRatings) a recording is used only
// when more than half of its raters chose the acted category, and a wrong
// label only when at most one rater in ten chose it. Without them the importer
// keeps to recordings listeners identify best (neutral, calm and strong
// intensity) and to wrong labels far from the acted one (swap.Distant: never
// calm against neutral).
//
// Besides one category pair per usable recording, two recordings of the same
// actor make comparison pairs: which of the two expresses emotion more
// strongly (intensity) and which sounds angrier, sadder… (category). RAVDESS
// defines its two intensity levels relative to the actor's other take, so
// intensity is never asked of one clip heard alone. The spoken sentences are
// neutral ("Kids are talking by the door"), so the questions name no sentence
// and carry nothing but the emotion word: the answer must come from the voice
// or face.
package ravdess

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/media"
)

// Name is the importer's name on the command line.
const Name = "ravdess"

// Importer imports RAVDESS.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

var fileRE = regexp.MustCompile(`^(0[123])-(0[12])-(0[1-8])-(0[12])-(0[12])-(0[12])-([0-9]{2})\.(wav|mp4)$`)

var emotions = map[string]swap.Label{
	"01": swap.Neutral, "02": swap.Calm, "03": swap.Happiness, "04": swap.Sadness,
	"05": swap.Anger, "06": swap.Fear, "07": swap.Disgust, "08": swap.Surprise,
}

var levels = map[string]string{"01": "normal", "02": "strong"}

type clip struct {
	stem, rel, full   string
	modality, channel string // codes
	emotion           swap.Label
	intensity         string // normal, strong
	statement, actor  int
	female            bool
	media             eh.Media
	// single: the clip may be asked about alone (a category pair).
	single  bool
	ratings *Ratings // nil without a ratings file
}

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	src, opts, err := importers.SplitSource(Name, src, "ratings", "long-audio", importers.SignalCueOption)
	if err != nil {
		return nil, err
	}
	signal, err := importers.SignalCuesOn(Name, opts)
	if err != nil {
		return nil, err
	}
	longClips, err := importers.ParseSequenceClips(Name, "long-audio", opts) // -1: no long audio
	if err != nil {
		return nil, err
	}
	if err := importers.RequireDir(Name, src); err != nil {
		return nil, err
	}
	res := &importers.Result{}
	var ratings map[string]*Ratings
	if f := opts["ratings"]; f != "" {
		if ratings, err = ReadRatings(f); err != nil {
			return nil, err
		}
		res.FilesRead++
	}
	files, err := importers.Walk(src, func(rel string) bool { return fileRE.MatchString(path.Base(rel)) })
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("ravdess: no RAVDESS files (named like 03-01-05-02-01-01-12.wav) below %s", src)}
	}
	digests, err := readManifest(src, res)
	if err != nil {
		return nil, err
	}
	var clips []*clip
	seen := map[string]string{}
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		full := filepath.Join(src, filepath.FromSlash(rel))
		base := path.Base(rel)
		m := fileRE.FindStringSubmatch(base)
		stem := base[:len(base)-len(path.Ext(base))]
		res.Items++
		if first, dup := seen[base]; dup {
			res.Drop(stem, full, "duplicate of %s", first)
			continue
		}
		seen[base] = full
		c := &clip{stem: stem, rel: rel, full: full, modality: m[1], channel: m[2], emotion: emotions[m[3]], intensity: levels[m[4]]}
		c.statement, _ = strconv.Atoi(m[5])
		c.actor, _ = strconv.Atoi(m[7])
		c.female = c.actor%2 == 0
		if (m[1] == "03") != (m[8] == "wav") {
			res.Drop(stem, full, "modality code %s does not match the .%s extension", m[1], m[8])
			continue
		}
		if c.actor < 1 || c.actor > 24 {
			res.Drop(stem, full, "actor %d is outside 01–24", c.actor)
			continue
		}
		if c.emotion == swap.Neutral && c.intensity == "strong" {
			res.Drop(stem, full, "neutral has no strong intensity in RAVDESS")
			continue
		}
		res.FilesRead++
		if err := env.Tools.Verify(ctx, full); err != nil {
			if !media.IsCorrupt(err) {
				return nil, err
			}
			res.Drop(stem, full, "%v", err)
			continue
		}
		// The digest is checked now and the file placed later, once it is
		// known to be used: a suite holds no media its pairs do not ask about.
		if err := importers.CheckDigest(full, digests[base]); err != nil {
			if eh.ErrorCode(err) != eh.EINVALID {
				return nil, err
			}
			res.Drop(stem, full, "%v", err)
			continue
		}
		if !judge(c, ratings, res) {
			continue
		}
		clips = append(clips, c)
	}

	res.Rules = rules(ratings != nil)
	var items []swap.Item
	for _, c := range clips {
		if c.single {
			items = append(items, swap.Item{Key: c.stem, Gold: c.emotion})
		}
	}
	asg, err := swap.Assign(items, env.Rand("ravdess category"), swap.AssignOptions{MaxPerLabel: env.MaxPerLabel, Neighbors: swap.DistantOf})
	if err != nil {
		return nil, err
	}
	wrong := map[*clip]swap.Label{}
	for _, c := range clips {
		if !c.single {
			continue
		}
		w, ok := asg.Wrong[c.stem]
		switch {
		case !ok:
			res.Skip(asg.Dropped[c.stem])
		case c.ratings != nil && 10*c.ratings.Votes[w] > c.ratings.Total:
			res.Skip("category pair: more than one rater in ten chose the wrong label drawn for it")
		default:
			wrong[c] = w
		}
	}
	comps := comparisons(clips)
	used := map[*clip]bool{}
	for c := range wrong {
		used[c] = true
	}
	for _, cp := range comps {
		used[cp.a], used[cp.b] = true, true
	}
	var cues []importers.CueJob[*clip]
	if signal {
		var audio []*clip
		for _, c := range clips {
			if c.modality == "03" {
				audio = append(audio, c)
			}
		}
		cues, err = importers.PlanSignalCues(ctx, env.Tools, audio, func(c *clip) importers.CueTake {
			return importers.CueTake{Group: fmt.Sprintf("%s-%02d", c.channel, c.actor), Neutral: c.emotion == swap.Neutral, Path: c.full, Match: strconv.Itoa(c.statement)}
		})
		if err != nil {
			return nil, err
		}
		for _, j := range cues {
			used[j.Ref], used[j.Target] = true, true
		}
		res.Rules = append(res.Rules, importers.SignalCueRules()...)
	}
	for _, c := range clips {
		if !used[c] {
			res.Skip("recording in no pair (no far label for it alone, no clear comparison with the actor's other takes)")
			continue
		}
		kind := eh.Audio
		if c.modality != "03" {
			kind = eh.ShortVideo
		}
		if c.media, err = env.Out.Copy(c.full, "ravdess/"+path.Base(c.rel), kind, digests[path.Base(c.rel)]); err != nil {
			return nil, err
		}
		if w, ok := wrong[c]; ok {
			res.Pairs = append(res.Pairs, c.category(w))
		}
	}
	r := env.Rand("ravdess comparison")
	for _, cp := range comps {
		if cp.intensity {
			res.Pairs = append(res.Pairs, intensityPair(cp.a, cp.b, r))
		} else {
			res.Pairs = append(res.Pairs, comparePair(cp.a, cp.b, r))
		}
	}
	rc := env.Rand("ravdess measured cues")
	for _, j := range cues {
		who, _, _, kind := j.Target.subject()
		base := eh.Pair{ID: fmt.Sprintf("ravdess-%s-vs-%s", j.Ref.stem, j.Target.stem), Modality: kind,
			Source: eh.Source{Dataset: Name, ID: j.Ref.stem + "+" + j.Target.stem},
			Tags:   append(j.Target.tags(), "emotions:"+string(j.Ref.emotion)+"+"+string(j.Target.emotion))}
		res.Pairs = append(res.Pairs, importers.SignalCues(base,
			importers.CueClip{Name: j.Ref.stem, Media: j.Ref.media, Signal: j.RefSig},
			importers.CueClip{Name: j.Target.stem, Media: j.Target.media, Signal: j.TargetSig}, who, rc)...)
	}
	if longClips >= 0 {
		res.Rules = append(res.Rules, importers.SequenceRules("recording")...)
		res.Rules = append(res.Rules, "A long recording joins audio-only recordings of one actor and channel (speech or song) that may be asked about alone (the rule above), any of its statements.")
		if err := longAudio(ctx, env, clips, longClips, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// longAudio builds the long-audio sequences of each actor and channel from
// the audio recordings that may be asked about alone, and their temporal
// pairs (importers.SequencePairs): modality audio, tagged long.
func longAudio(ctx context.Context, env *importers.Env, clips []*clip, n int, res *importers.Result) error {
	groups := map[string][]importers.SeqClip{}
	first := map[string]*clip{}
	var keys []string
	for _, c := range clips {
		if !c.single || c.modality != "03" {
			continue
		}
		info, err := env.Tools.Probe(ctx, c.full)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("%02d-%s", c.actor, map[bool]string{true: "song", false: "speech"}[c.channel == "02"])
		if groups[key] == nil {
			keys = append(keys, key)
			first[key] = c
		}
		groups[key] = append(groups[key], importers.SeqClip{ID: c.stem, Path: c.full, Emotion: c.emotion, Seconds: info.Duration})
	}
	for _, key := range keys {
		c := first[key]
		who, verb, unit, _ := c.subject()
		err := importers.BuildSequences(ctx, env, res, importers.SeqGroup{Dataset: Name, Key: key, Option: "long-audio", Kind: eh.Audio,
			Tags: c.tags(), Subject: importers.SeqSubject{Who: who, Verb: verb, Unit: unit},
			About: fmt.Sprintf("RAVDESS actor %02d", c.actor), Held: "each a portrayal the importer asks about alone (see the rules)", Clips: groups[key]}, n)
		if err != nil {
			return err
		}
	}
	return nil
}

// rules states the selection rules, for the manifest.
func rules(rated bool) []string {
	out := []string{"Questions about one recording name the emotion the actor portrayed; the wrong label comes from the distant table (swap.Distant), so calm and neutral, or fear and surprise, are never asked against each other."}
	if rated {
		out = append(out,
			"A recording is used only when more than half of its raters in the published validation chose the acted category; recordings without ratings are dropped.",
			"A wrong label is used only when at most one rater in ten chose it for that recording.",
			"Where the ratings give intensity, two recordings are compared for intensity only when the stronger one was also rated more intense.")
	} else {
		out = append(out,
			"Without the published ratings, questions about one recording use only neutral, calm and strong-intensity portrayals, the ones listeners identify best; the residual risk is that listeners hear another category than the one acted, which only the ratings (ratings=FILE) rule out.")
	}
	return append(out,
		"Intensity is never asked of one clip alone: an intensity pair shows two recordings of the same actor and asks in which the emotion is expressed more strongly, the hallucinated question naming the reverse order.",
		"Two recordings are compared for intensity only when the stronger is clearly stronger: the same emotion and statement at strong against normal intensity, or a neutral or calm take against a strong portrayal or a high-arousal one (anger or fear at normal intensity; surprise only when strong).",
		"A category comparison asks whether the speaker sounds angrier (sadder, …) in one recording than in the other only when the two portrayals are far apart (swap.Distant) and the named one is strong, calm, or set against a neutral or calm take.",
	)
}

// judge reports whether a clip's gold is one a listener would confirm and
// marks whether it may be asked about alone (single); with ratings, a clip
// whose raters did not mostly hear the acted category is dropped with both
// labels.
func judge(c *clip, ratings map[string]*Ratings, res *importers.Result) bool {
	if ratings == nil {
		c.single = c.emotion == swap.Neutral || c.emotion == swap.Calm || c.intensity == "strong"
		if !c.single {
			res.Skip("no ratings given: a normal-intensity portrayal is used only in comparisons (listeners often hear another category)")
		}
		return true
	}
	r := ratings[c.stem]
	if r == nil || r.Total == 0 {
		res.Drop(c.stem, c.full, "no ratings for %s in the ratings file", c.stem)
		return false
	}
	got, ok := r.Majority()
	switch {
	case !ok:
		res.Drop(c.stem, c.full, "acted %s, but no category has a majority of the %d ratings (%d chose %s)", c.emotion, r.Total, r.Votes[c.emotion], c.emotion)
		return false
	case got != c.emotion:
		res.Drop(c.stem, c.full, "acted %s, but %d of %d raters perceived %s", c.emotion, r.Votes[got], r.Total, got)
		return false
	}
	c.ratings, c.single = r, true
	return true
}

// Take is what the comparison rules look at in a recording.
type Take struct {
	Emotion   swap.Label
	Intensity string // normal, strong
	Statement int
}

func (t Take) general() importers.Take {
	return importers.Take{Emotion: t.Emotion, Strong: t.Intensity == "strong"}
}

func (c *clip) take() Take { return Take{c.emotion, c.intensity, c.statement} }

// Stronger reports whether b clearly expresses emotion more strongly than a
// (two takes of the same actor, channel and modality): the same emotion and
// statement at strong against normal intensity, the contrast RAVDESS's levels
// are defined by, or importers.ClearlyStronger.
func Stronger(a, b Take) bool {
	if a.Emotion == b.Emotion {
		return a.Statement == b.Statement && a.Intensity == "normal" && b.Intensity == "strong" && !importers.Quiet(a.Emotion)
	}
	return importers.ClearlyStronger(a.general(), b.general())
}

// More reports whether b clearly comes across as more of its own emotion than
// a (importers.ClearlyMore).
func More(a, b Take) bool { return importers.ClearlyMore(a.general(), b.general()) }

// ratedStronger reports whether the raters, where the ratings give
// intensity, rated b more intense than a; without such ratings the coded
// contrast stands alone.
func ratedStronger(a, b *clip) bool {
	if a.ratings == nil || b.ratings == nil {
		return true
	}
	ia, okA := a.ratings.Intensity()
	ib, okB := b.ratings.Intensity()
	return !okA || !okB || ib > ia
}

// comparison is a two-recording pair to make: b has more than a.
type comparison struct {
	a, b      *clip
	intensity bool // else a category comparison about b's emotion
}

// comparisons lists the two-recording pairs of each actor.
func comparisons(clips []*clip) []comparison {
	var out []comparison
	key := func(c *clip) string { return fmt.Sprintf("%s-%s-%02d", c.modality, c.channel, c.actor) }
	importers.EachOrderedPair(clips, key, func(a, b *clip) {
		if Stronger(a.take(), b.take()) && ratedStronger(a, b) {
			out = append(out, comparison{a, b, true})
		}
		if More(a.take(), b.take()) {
			out = append(out, comparison{a, b, false})
		}
	})
	return out
}

// readManifest reads the optional manifest.csv (file, sha256) that the staged
// copy carries; user copies without one are checked by structure only.
func readManifest(src string, res *importers.Result) (map[string]string, error) {
	name := filepath.Join(src, "manifest.csv")
	if _, err := os.Stat(name); err != nil {
		return nil, nil
	}
	rows, err := importers.ReadTable(name, ',')
	if err != nil {
		return nil, fmt.Errorf("ravdess: %w", err)
	}
	res.FilesRead++
	out := map[string]string{}
	for _, r := range rows {
		if f, sum := r.Get("file"), r.Get("sha256"); f != "" && sum != "" {
			out[path.Base(f)] = sum
		}
	}
	return out, nil
}

// subject returns who the questions are about, the verb for how they come
// across, what one file is called and the modality.
func (c *clip) subject() (who, verb, unit string, kind eh.Modality) {
	switch c.modality {
	case "01":
		return "the person in the video", "seem", "video", eh.ShortVideo
	case "02":
		return "the person in the video", "look", "video", eh.ShortVideo
	}
	if c.channel == "02" {
		return "the singer", "sound", "recording", eh.Audio
	}
	return "the speaker", "sound", "recording", eh.Audio
}

func (c *clip) tags() []string {
	sex := "male"
	if c.female {
		sex = "female"
	}
	channel := "speech"
	if c.channel == "02" {
		channel = "song"
	}
	return []string{fmt.Sprintf("actor:%02d", c.actor), "sex:" + sex, "channel:" + channel}
}

// heard says how the gold was established, for explanations.
func (c *clip) heard() string {
	if c.ratings != nil {
		return fmt.Sprintf("%d of %d raters in the RAVDESS validation chose %s", c.ratings.Votes[c.emotion], c.ratings.Total, c.emotion)
	}
	return fmt.Sprintf("the actor was directed to portray %s at %s intensity", c.emotion, c.intensity)
}

func (c *clip) category(wrong swap.Label) eh.Pair {
	who, verb, _, kind := c.subject()
	q := func(l swap.Label) string {
		return importers.Capitalize(fmt.Sprintf("Does %s %s %s?", who, verb, swap.Adj(l)))
	}
	p := eh.Pair{
		ID: fmt.Sprintf("ravdess-%s-%s", c.stem, eh.Category), Dimension: eh.Perception, SubCategory: eh.Category, Modality: kind,
		Context:      eh.Context{Media: []eh.Media{c.media}},
		Basic:        eh.Question{Text: q(c.emotion), Gold: eh.Yes},
		Hallucinated: eh.Question{Text: q(wrong), Gold: eh.No},
		Corruption:   "swap",
		Explanation:  fmt.Sprintf("RAVDESS actor %02d: %s; %s is far from %s, not a neighbouring emotion listeners confuse with it.", c.actor, c.heard(), wrong, c.emotion),
		Source:       eh.Source{Dataset: Name, ID: c.stem},
		Tags: append(c.tags(), "emotion:"+string(c.emotion), importers.AskedTag(wrong), "intensity:"+c.intensity,
			fmt.Sprintf("statement:%d", c.statement)),
	}
	return p
}

// twoClips is the common part of a pair about recordings a and b of one actor.
func twoClips(a, b *clip, sub eh.SubCategory, suffix string) eh.Pair {
	_, _, _, kind := a.subject()
	return eh.Pair{
		ID: fmt.Sprintf("ravdess-%s-vs-%s-%s%s", a.stem, b.stem, sub, suffix), Dimension: eh.Perception, SubCategory: sub, Modality: kind,
		Source: eh.Source{Dataset: Name, ID: a.stem + "+" + b.stem},
		Tags: append(a.tags(), "emotions:"+string(a.emotion)+"+"+string(b.emotion),
			"intensity:"+a.intensity+"+"+b.intensity, fmt.Sprintf("statement:%d+%d", a.statement, b.statement)),
	}
}

// intensityPair asks in which of two recordings of the actor emotion is
// expressed more strongly; b is the stronger.
func intensityPair(a, b *clip, r *swap.Rand) eh.Pair {
	who, _, unit, _ := a.subject()
	p := twoClips(a, b, eh.Intensity, "")
	p.Explanation = fmt.Sprintf("Two takes of RAVDESS actor %02d: %s at %s intensity is a stronger expression than %s at %s intensity.", a.actor, b.emotion, b.intensity, a.emotion, a.intensity)
	return importers.Compare(p, a.media, b.media, r, importers.StrongerQuestion(who, unit))
}

// comparePair asks in which of two recordings the actor sounds more of b's
// emotion (angrier, sadder…); b is the one.
func comparePair(a, b *clip, r *swap.Rand) eh.Pair {
	who, verb, unit, _ := a.subject()
	adj, _ := swap.Comparative(b.emotion)
	p := twoClips(a, b, eh.Category, "-"+string(b.emotion))
	p.Tags = append(p.Tags, "emotion:"+string(b.emotion))
	p.Explanation = fmt.Sprintf("Two takes of RAVDESS actor %02d: %s; the other portrays %s (%s intensity), far from %s.", a.actor, b.heard(), a.emotion, a.intensity, b.emotion)
	return importers.Compare(p, a.media, b.media, r, importers.MoreQuestion(who, verb, adj, unit))
}
