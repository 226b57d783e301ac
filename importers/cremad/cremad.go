// Package cremad imports CREMA-D (Cao et al. 2014, ODbL 1.0 / DbCL 1.0): clips
// named AAAA_SSS_EEE_LL.ext, audio-only (.wav, .mp3) and audio-visual (.flv,
// .mp4), with the crowd's perceived-emotion votes in summaryTable.csv.
//
// A clip is asked about only where the acted emotion (from the file name) and
// the perceived one (the raters' majority) agree; the rest are dropped and
// listed with both labels. An audio-visual clip is asked about three ways, each
// against the vote of raters who had that view: the person overall
// (audio-visual vote), their face (face-only vote) and their voice (voice-only
// vote), the voice through the clip's audio track alone. The wrong label of a
// category pair comes from swap.Distant, because the table gives only the
// winning vote. Intensity is asked as a comparison of two clips of the same
// actor and view (importers.Compare), never of one clip. FLV is converted to
// MP4 (H.264/AAC) at build time because model APIs do not take FLV.
package cremad

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/media"
)

// Name is the importer's name on the command line.
const Name = "cremad"

// Importer imports CREMA-D.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

var fileRE = regexp.MustCompile(`^([0-9]{4})_([A-Z]{3})_(ANG|DIS|FEA|HAP|NEU|SAD)_(LO|MD|HI|XX)\.(flv|mp4|wav|mp3)$`)

var acted = map[string]swap.Label{"ANG": swap.Anger, "DIS": swap.Disgust, "FEA": swap.Fear, "HAP": swap.Happiness, "NEU": swap.Neutral, "SAD": swap.Sadness}

var voteLetter = map[string]swap.Label{"A": swap.Anger, "D": swap.Disgust, "F": swap.Fear, "H": swap.Happiness, "N": swap.Neutral, "S": swap.Sadness}

// votes is one summaryTable.csv row.
type votes struct{ voice, voiceLevel, face, faceLevel, multi, multiLevel string }

// view is one way of asking about a clip and the vote that judges it.
type view struct {
	name        string // "", "multimodal", "face", "voice"
	vote, level string
	who, verb   string
	unit        string // what one file is called: recording, video
	raters      string // who voted, for explanations
}

type clip struct {
	stem, full, ext string
	actor, sentence string
	emotion         swap.Label
	level           string // LO MD HI XX
	video           bool
	male, knownSex  bool
}

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	src, opts, err := importers.SplitSource(Name, src, "long-video", importers.SignalCueOption)
	if err != nil {
		return nil, err
	}
	signal, err := importers.SignalCuesOn(Name, opts)
	if err != nil {
		return nil, err
	}
	longClips, err := importers.ParseSequenceClips(Name, "long-video", opts) // -1: no long videos
	if err != nil {
		return nil, err
	}
	if err := importers.RequireDir(Name, src); err != nil {
		return nil, err
	}
	res := &importers.Result{}
	table, err := readSummary(src, res)
	if err != nil {
		return nil, err
	}
	sexes := readDemographics(src, res)
	digests := readManifest(src, res)
	files, err := importers.Walk(src, func(rel string) bool { return fileRE.MatchString(path.Base(rel)) })
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("cremad: no CREMA-D clips (named like 1001_DFA_ANG_XX.flv) below %s", src)}
	}

	// One audio and one video file per clip: prefer lossless WAV over MP3 and
	// ready MP4 over FLV; the other copy is listed as a duplicate.
	rank := map[string]int{"wav": 0, "mp3": 1, "mp4": 0, "flv": 1}
	chosen := map[string]*clip{}
	var order []string
	for _, rel := range files {
		base := path.Base(rel)
		m := fileRE.FindStringSubmatch(base)
		c := &clip{stem: strings.TrimSuffix(base, "."+m[5]), full: filepath.Join(src, filepath.FromSlash(rel)), ext: m[5],
			actor: m[1], sentence: m[2], emotion: acted[m[3]], level: m[4], video: m[5] == "flv" || m[5] == "mp4"}
		c.male, c.knownSex = sexes[c.actor]
		key := c.stem + map[bool]string{true: "/video", false: "/audio"}[c.video]
		res.Items++
		if prev, ok := chosen[key]; ok {
			keep, drop := prev, c
			if rank[c.ext] < rank[prev.ext] {
				keep, drop = c, prev
			}
			chosen[key] = keep
			res.Drop(drop.stem, drop.full, "duplicate of %s", keep.full)
			continue
		}
		chosen[key] = c
		order = append(order, key)
	}

	var items []*item
	for _, key := range order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := chosen[key]
		v, ok := table[c.stem]
		if !ok {
			res.Drop(c.stem, c.full, "no perceived-emotion votes for %s in summaryTable.csv", c.stem)
			continue
		}
		var agreeing []view
		for _, vw := range c.views(v) {
			got, ok := voteLetter[vw.vote]
			switch {
			case vw.name == "voice" && chosen[c.stem+"/audio"] != nil:
				res.Skip("voice of a video: the clip's own audio file is asked about instead")
			case strings.Contains(vw.vote, ":"):
				res.Drop(c.stem+vw.suffix(), c.full, "acted %s, but the %s vote is tied (%s)", c.emotion, vw.raters, vw.vote)
			case !ok:
				res.Drop(c.stem+vw.suffix(), c.full, "acted %s, but the %s vote %q is not an emotion letter", c.emotion, vw.raters, vw.vote)
			case got != c.emotion:
				res.Drop(c.stem+vw.suffix(), c.full, "acted %s, but %s perceived %s", c.emotion, vw.raters, got)
			default:
				agreeing = append(agreeing, vw)
			}
		}
		if len(agreeing) == 0 {
			continue
		}
		res.FilesRead++
		if err := env.Tools.Verify(ctx, c.full); err != nil {
			if !media.IsCorrupt(err) {
				return nil, err
			}
			res.Drop(c.stem, c.full, "%v", err)
			continue
		}
		placed, err := place(ctx, env, c, agreeing, digests)
		if err != nil {
			if eh.ErrorCode(err) == eh.ECANCELED || ctx.Err() != nil {
				return nil, err
			}
			if eh.ErrorCode(err) == eh.ENOTFOUND {
				return nil, err // ffmpeg missing: the user must fix that
			}
			res.Drop(c.stem, c.full, "%v", err)
			continue
		}
		items = append(items, placed...)
	}
	res.Rules = []string{
		"A clip is asked about only where the acted emotion (file name) and the perceived one (the majority vote of the raters who had the same view: voice only, face only, or both) agree; the rest are dropped and listed with both labels.",
		"The voice of a video is asked about through its audio track alone, as the voice-only raters heard it.",
		"The wrong label of a category pair is far from the gold one (swap.Distant: never anger against disgust, fear against sadness, neutral against sadness or happiness), because the summary table gives only the winning vote, not how many raters chose the runner-up.",
		"Intensity is never asked of one clip alone: two clips of the same actor and view are compared, low against high intensity of the same emotion and sentence (with a higher mean perceived level), or a neutral clip against an angry or fearful one.",
		"A category comparison asks whether the actor comes across as angrier (more fearful, …) in one clip than in a neutral one of the same view.",
	}

	keys := make([]swap.Item, len(items))
	for i, it := range items {
		keys[i] = swap.Item{Key: it.key(), Gold: it.c.emotion}
	}
	asg, err := swap.Assign(keys, env.Rand("cremad category"), swap.AssignOptions{MaxPerLabel: env.MaxPerLabel, Neighbors: swap.DistantOf})
	if err != nil {
		return nil, err
	}
	for i, it := range items {
		wrong, ok := asg.Wrong[keys[i].Key]
		if !ok {
			res.Skip(asg.Dropped[keys[i].Key])
			continue
		}
		res.Pairs = append(res.Pairs, it.category(wrong))
	}
	res.Pairs = append(res.Pairs, comparisons(items, env.Rand("cremad comparison"))...)
	if signal {
		if err := measuredCues(ctx, env, items, res); err != nil {
			return nil, err
		}
	}
	if longClips >= 0 {
		res.Rules = append(res.Rules, importers.SequenceRules("video")...)
		res.Rules = append(res.Rules, "A long video joins videos of one actor whose audio-visual raters perceived the acted emotion; the questions ask how the person comes across, as those raters judged.")
		if err := longVideos(ctx, env, items, longClips, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// measuredCues adds the measured loudness and pitch comparisons of each
// actor's voice (audio files and the voice of videos) against the actor's
// neutral clip (importers.SignalCues).
func measuredCues(ctx context.Context, env *importers.Env, items []*item, res *importers.Result) error {
	var voices []*item
	for _, it := range items {
		if it.m.Kind == eh.Audio {
			voices = append(voices, it)
		}
	}
	jobs, err := importers.PlanSignalCues(ctx, env.Tools, voices, func(it *item) importers.CueTake {
		return importers.CueTake{Group: it.c.actor + "/" + it.v.name, Neutral: it.c.emotion == swap.Neutral, Path: it.c.full, Match: it.c.sentence}
	})
	if err != nil {
		return err
	}
	res.Rules = append(res.Rules, importers.SignalCueRules()...)
	r := env.Rand("cremad measured cues")
	for _, j := range jobs {
		base := eh.Pair{ID: fmt.Sprintf("cremad-%s-vs-%s-audio%s", j.Ref.c.stem, j.Target.c.stem, j.Target.v.suffix()), Modality: eh.Audio,
			Source: eh.Source{Dataset: Name, ID: j.Ref.c.stem + "+" + j.Target.c.stem},
			Tags:   append(j.Target.tags(), "emotions:"+string(j.Ref.c.emotion)+"+"+string(j.Target.c.emotion))}
		res.Pairs = append(res.Pairs, importers.SignalCues(base,
			importers.CueClip{Name: j.Ref.c.stem, Media: j.Ref.m, Signal: j.RefSig},
			importers.CueClip{Name: j.Target.c.stem, Media: j.Target.m, Signal: j.TargetSig}, j.Target.v.who, r)...)
	}
	return nil
}

// longVideos builds the long-video sequences of each actor from the videos
// whose audio-visual vote agrees with the acted emotion, and their temporal
// pairs (importers.SequencePairs).
func longVideos(ctx context.Context, env *importers.Env, items []*item, n int, res *importers.Result) error {
	byActor := map[string][]importers.SeqClip{}
	who := map[string]*clip{}
	var actors []string
	for _, it := range items {
		if it.v.name != "multimodal" {
			continue
		}
		info, err := env.Tools.Probe(ctx, it.c.full)
		if err != nil {
			return err
		}
		if byActor[it.c.actor] == nil {
			actors = append(actors, it.c.actor)
			who[it.c.actor] = it.c
		}
		byActor[it.c.actor] = append(byActor[it.c.actor], importers.SeqClip{ID: it.c.stem, Path: it.c.full, Emotion: it.c.emotion, Seconds: info.Duration})
	}
	for _, actor := range actors {
		c := who[actor]
		err := importers.BuildSequences(ctx, env, res, importers.SeqGroup{Dataset: Name, Key: actor, Option: "long-video", Kind: eh.LongVideo, Video: true,
			Tags:    (&item{c: c, v: view{name: "multimodal"}}).tags(),
			Subject: importers.SeqSubject{Who: "the " + c.person(), Verb: "seem", Unit: "video"},
			About:   "CREMA-D actor " + actor, Held: "each perceived as acted by the audio-visual raters", Clips: byActor[actor]}, n)
		if err != nil {
			return err
		}
	}
	return nil
}

// item is one way of asking about a clip, with the media that way shows.
type item struct {
	c *clip
	v view
	m eh.Media
}

func (it *item) key() string { return it.c.stem + "/" + string(it.m.Kind) + it.v.suffix() }

// place puts a clip's media into the suite and returns one item per view: the
// video itself for the audio-visual and face views, its audio track for the
// voice view.
func place(ctx context.Context, env *importers.Env, c *clip, views []view, digests map[string]string) ([]*item, error) {
	var m eh.Media
	var err error
	switch c.ext {
	case "flv":
		if err = importers.CheckDigest(c.full, digests[c.stem+".flv"]); err == nil {
			m, err = env.Out.ConvertMP4(ctx, c.full, "cremad/"+c.stem+".mp4", eh.ShortVideo)
		}
	case "mp4":
		m, err = env.Out.Copy(c.full, "cremad/"+c.stem+".mp4", eh.ShortVideo, digests[c.stem+".mp4"])
	default:
		m, err = env.Out.Copy(c.full, "cremad/"+c.stem+"."+c.ext, eh.Audio, digests[c.stem+"."+c.ext])
	}
	if err != nil {
		return nil, err
	}
	var out []*item
	for _, vw := range views {
		it := &item{c: c, v: vw, m: m}
		if vw.name == "voice" {
			if it.m, err = env.Out.ExtractAudio(ctx, c.full, "cremad/"+c.stem+"-voice.wav"); err != nil {
				return nil, err
			}
		}
		out = append(out, it)
	}
	return out, nil
}

func (v view) suffix() string {
	if v.name == "" {
		return ""
	}
	return "-" + v.name
}

func (c *clip) person() string {
	switch {
	case !c.knownSex:
		return "person"
	case c.male:
		return "man"
	}
	return "woman"
}

// views lists the questions a clip supports with the votes that judge them.
// The voice view of a video is asked with the audio track alone, so its
// wording is that of an audio clip.
func (c *clip) views(v votes) []view {
	voice := view{vote: v.voice, level: v.voiceLevel, who: "the speaker", verb: "sound", unit: "recording", raters: "voice-only raters"}
	if !c.video {
		return []view{voice}
	}
	p := c.person()
	voice.name = "voice"
	return []view{
		{name: "multimodal", vote: v.multi, level: v.multiLevel, who: "the " + p + " in the video", verb: "seem", unit: "video", raters: "audio-visual raters"},
		{name: "face", vote: v.face, level: v.faceLevel, who: "the face of the " + p + " in the video", verb: "look", unit: "video", raters: "face-only raters"},
		voice,
	}
}

func (it *item) tags() []string {
	tags := []string{"actor:" + it.c.actor}
	if it.c.knownSex {
		tags = append(tags, "sex:"+map[bool]string{true: "male", false: "female"}[it.c.male])
	}
	if it.v.name != "" {
		tags = append(tags, "view:"+it.v.name)
	}
	return tags
}

func kindWord(m eh.Media) string {
	if m.Kind == eh.Audio {
		return "audio"
	}
	return "video"
}

func (it *item) category(wrong swap.Label) eh.Pair {
	c := it.c
	q := func(l swap.Label) string {
		return importers.Capitalize(fmt.Sprintf("Does %s %s %s?", it.v.who, it.v.verb, swap.Adj(l)))
	}
	return eh.Pair{
		ID:        fmt.Sprintf("cremad-%s-%s-%s%s", c.stem, kindWord(it.m), eh.Category, it.v.suffix()),
		Dimension: eh.Perception, SubCategory: eh.Category, Modality: it.m.Kind,
		Context:      eh.Context{Media: []eh.Media{it.m}},
		Basic:        eh.Question{Text: q(c.emotion), Gold: eh.Yes},
		Hallucinated: eh.Question{Text: q(wrong), Gold: eh.No},
		Corruption:   "swap",
		Explanation:  fmt.Sprintf("CREMA-D actor %s acted %s and the %s perceived %s by majority (mean intensity %s); %s is far from %s.", c.actor, c.emotion, it.v.raters, c.emotion, it.v.level, wrong, c.emotion),
		Source:       eh.Source{Dataset: Name, ID: c.stem},
		Tags:         append(it.tags(), "sentence:"+c.sentence, "emotion:"+string(c.emotion), importers.AskedTag(wrong), "intensity:"+c.level),
	}
}

func (it *item) take() importers.Take {
	return importers.Take{Emotion: it.c.emotion, Strong: it.c.level == "HI"}
}

// stronger reports whether b clearly expresses emotion more strongly than a:
// low against high intensity of the same emotion and sentence, which the raters
// also rated higher, or importers.ClearlyStronger.
func stronger(a, b *item) bool {
	if a.c.emotion != b.c.emotion {
		return importers.ClearlyStronger(a.take(), b.take())
	}
	la, errA := strconv.ParseFloat(a.v.level, 64)
	lb, errB := strconv.ParseFloat(b.v.level, 64)
	return a.c.sentence == b.c.sentence && a.c.level == "LO" && b.c.level == "HI" && errA == nil && errB == nil && lb > la
}

// comparisons makes the two-clip pairs of each actor and view.
func comparisons(items []*item, r *swap.Rand) []eh.Pair {
	var out []eh.Pair
	key := func(it *item) string { return it.c.actor + "/" + it.v.name + "/" + string(it.m.Kind) }
	importers.EachOrderedPair(items, key, func(a, b *item) {
		if stronger(a, b) {
			p := twoClips(a, b, eh.Intensity, "")
			// The raters' level of a neutral clip is how surely it is neutral,
			// not an emotion's strength: printed beside the other clip's level
			// it reads backwards.
			weaker := fmt.Sprintf("%s (intensity %s, level %s)", a.c.emotion, a.c.level, a.v.level)
			if a.c.emotion == swap.Neutral {
				weaker = "a neutral clip, which shows no emotion"
			}
			p.Explanation = fmt.Sprintf("Two clips of CREMA-D actor %s, both perceived as acted by the %s: %s (intensity %s, mean perceived level %s) is a stronger expression than %s.",
				a.c.actor, a.v.raters, b.c.emotion, b.c.level, b.v.level, weaker)
			out = append(out, importers.Compare(p, a.m, b.m, r, importers.StrongerQuestion(a.v.who, a.v.unit)))
		}
		if importers.ClearlyMore(a.take(), b.take()) {
			adj, _ := swap.Comparative(b.c.emotion)
			p := twoClips(a, b, eh.Category, "-"+string(b.c.emotion))
			p.Tags = append(p.Tags, "emotion:"+string(b.c.emotion))
			p.Explanation = fmt.Sprintf("Two clips of CREMA-D actor %s: the %s perceived %s in one, as acted, and %s in the other, far from it.", a.c.actor, a.v.raters, b.c.emotion, a.c.emotion)
			out = append(out, importers.Compare(p, a.m, b.m, r, importers.MoreQuestion(a.v.who, a.v.verb, adj, a.v.unit)))
		}
	})
	return out
}

// twoClips is the common part of a pair about items a and b of one actor and view.
func twoClips(a, b *item, sub eh.SubCategory, suffix string) eh.Pair {
	return eh.Pair{
		ID:        fmt.Sprintf("cremad-%s-vs-%s-%s-%s%s%s", a.c.stem, b.c.stem, kindWord(a.m), sub, suffix, a.v.suffix()),
		Dimension: eh.Perception, SubCategory: sub, Modality: a.m.Kind,
		Source: eh.Source{Dataset: Name, ID: a.c.stem + "+" + b.c.stem},
		Tags: append(a.tags(), "sentence:"+a.c.sentence+"+"+b.c.sentence, "emotions:"+string(a.c.emotion)+"+"+string(b.c.emotion),
			"intensity:"+a.c.level+"+"+b.c.level),
	}
}

// readSummary loads summaryTable.csv (perceived votes), which must exist.
func readSummary(src string, res *importers.Result) (map[string]votes, error) {
	var name string
	for _, cand := range []string{"summaryTable.csv", "processedResults/summaryTable.csv"} {
		if _, err := os.Stat(filepath.Join(src, cand)); err == nil {
			name = filepath.Join(src, cand)
			break
		}
	}
	if name == "" {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("cremad: no summaryTable.csv in %s or %s/processedResults", src, src),
			Hint: "it holds the perceived-emotion votes; copy processedResults/summaryTable.csv from the CREMA-D repository"}
	}
	rows, err := importers.ReadTable(name, ',')
	if err != nil {
		return nil, fmt.Errorf("cremad: %w", err)
	}
	res.FilesRead++
	out := make(map[string]votes, len(rows))
	for _, r := range rows {
		if r.Get("FileName") == "" {
			return nil, eh.Errorf(eh.EINVALID, "cremad: %s:%d: no FileName column", name, r.Line)
		}
		out[r.Get("FileName")] = votes{r.Get("VoiceVote"), r.Get("VoiceLevel"), r.Get("FaceVote"), r.Get("FaceLevel"), r.Get("MultiModalVote"), r.Get("MultiModalLevel")}
	}
	return out, nil
}

// readDemographics returns actor id → male, from the optional VideoDemographics.csv.
func readDemographics(src string, res *importers.Result) map[string]bool {
	name := filepath.Join(src, "VideoDemographics.csv")
	rows, err := importers.ReadTable(name, ',')
	if err != nil {
		return nil // optional: questions then say "person"
	}
	res.FilesRead++
	out := map[string]bool{}
	for _, r := range rows {
		switch strings.ToLower(r.Get("Sex")) {
		case "male":
			out[r.Get("ActorID")] = true
		case "female":
			out[r.Get("ActorID")] = false
		}
	}
	return out
}

// readManifest returns file name → sha256 from the optional manifest.csv.
func readManifest(src string, res *importers.Result) map[string]string {
	rows, err := importers.ReadTable(filepath.Join(src, "manifest.csv"), ',')
	if err != nil {
		return nil
	}
	res.FilesRead++
	out := map[string]string{}
	for _, r := range rows {
		if f, sum := r.Get("file"), r.Get("sha256"); f != "" && sum != "" {
			out[path.Base(f)] = sum
		}
	}
	return out
}
