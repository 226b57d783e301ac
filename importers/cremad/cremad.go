// Package cremad imports CREMA-D (Cao et al. 2014, ODbL 1.0 / DbCL 1.0): clips
// named AAAA_SSS_EEE_LL.ext, audio-only (.wav, .mp3) and audio-visual (.flv,
// .mp4), with the crowd's perceived-emotion votes in summaryTable.csv.
//
// A category pair is made only where the acted emotion (from the file name) and
// the perceived one (the raters' majority) agree; the rest are dropped and listed
// with both labels. Audio clips use the voice-only vote. An audio-visual clip is
// asked about three ways, each against the vote of raters who had that view: the
// person overall (audio-visual vote), their face (face-only vote) and their voice
// (voice-only vote). FLV is converted to MP4 (H.264/AAC) at build time because
// model APIs do not take FLV. Intensity pairs (low vs high) are made where the
// file name codes LO or HI.
package cremad

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
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

var levelWord = map[string]string{"LO": "low", "HI": "high"}

// votes is one summaryTable.csv row.
type votes struct{ voice, voiceLevel, face, faceLevel, multi, multiLevel string }

// view is one way of asking about a clip and the vote that judges it.
type view struct {
	name        string // "", "multimodal", "face", "voice"
	vote, level string
	who, verb   string
	raters      string // who voted, for explanations
}

type clip struct {
	stem, full, ext string
	actor, sentence string
	emotion         swap.Label
	level           string // LO MD HI XX
	video           bool
	male, knownSex  bool
	media           eh.Media
}

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
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

	type item struct {
		c *clip
		v view
	}
	var items []item
	var intensity []*clip
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
		var perr error
		switch c.ext {
		case "flv":
			if perr = importers.CheckDigest(c.full, digests[c.stem+".flv"]); perr != nil {
				break
			}
			c.media, perr = env.Out.ConvertMP4(ctx, c.full, "cremad/"+c.stem+".mp4", eh.ShortVideo)
		case "mp4":
			c.media, perr = env.Out.Copy(c.full, "cremad/"+c.stem+".mp4", eh.ShortVideo, digests[c.stem+".mp4"])
		default:
			c.media, perr = env.Out.Copy(c.full, "cremad/"+c.stem+"."+c.ext, eh.Audio, digests[c.stem+"."+c.ext])
		}
		if perr != nil {
			if eh.ErrorCode(perr) == eh.ECANCELED || ctx.Err() != nil {
				return nil, perr
			}
			if eh.ErrorCode(perr) == eh.ENOTFOUND {
				return nil, perr // ffmpeg missing: the user must fix that
			}
			res.Drop(c.stem, c.full, "%v", perr)
			continue
		}
		for _, vw := range agreeing {
			items = append(items, item{c, vw})
		}
		// Intensity is asked of the overall impression: the voice for audio,
		// the audio-visual vote for video; both agree with the acted emotion here.
		overall := agreeing[0].name == c.views(v)[0].name
		if _, coded := levelWord[c.level]; coded && overall {
			intensity = append(intensity, c)
		} else if c.level == "MD" {
			res.Skip("medium intensity (MD) has no opposite level to swap to")
		} else if c.level == "XX" {
			res.Skip("intensity not coded (XX)")
		}
	}

	keys := make([]swap.Item, len(items))
	for i, it := range items {
		keys[i] = swap.Item{Key: it.c.stem + "/" + string(it.c.media.Kind) + it.v.suffix(), Gold: it.c.emotion}
	}
	asg, err := swap.Assign(keys, env.Rand("cremad category"), swap.AssignOptions{MaxPerLabel: env.MaxPerLabel})
	if err != nil {
		return nil, err
	}
	for i, it := range items {
		wrong, ok := asg.Wrong[keys[i].Key]
		if !ok {
			res.Skip(asg.Dropped[keys[i].Key])
			continue
		}
		res.Pairs = append(res.Pairs, it.c.category(it.v, wrong))
	}
	for _, c := range intensity {
		res.Pairs = append(res.Pairs, c.intensityPair(table[c.stem]))
	}
	return res, nil
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
func (c *clip) views(v votes) []view {
	if !c.video {
		return []view{{vote: v.voice, level: v.voiceLevel, who: "the speaker", verb: "sound", raters: "voice-only raters"}}
	}
	p := c.person()
	return []view{
		{name: "multimodal", vote: v.multi, level: v.multiLevel, who: "the " + p + " in the video", verb: "seem", raters: "audio-visual raters"},
		{name: "face", vote: v.face, level: v.faceLevel, who: "the face of the " + p + " in the video", verb: "look", raters: "face-only raters"},
		{name: "voice", vote: v.voice, level: v.voiceLevel, who: "the voice of the " + p + " in the video", verb: "sound", raters: "voice-only raters"},
	}
}

func (c *clip) base(sub eh.SubCategory, suffix string) eh.Pair {
	kind := "audio"
	if c.video {
		kind = "video"
	}
	tags := []string{"actor:" + c.actor, "sentence:" + c.sentence, "emotion:" + string(c.emotion), "intensity:" + c.level}
	if c.knownSex {
		tags = append(tags, "sex:"+map[bool]string{true: "male", false: "female"}[c.male])
	}
	return eh.Pair{
		ID:        fmt.Sprintf("cremad-%s-%s-%s%s", c.stem, kind, sub, suffix),
		Dimension: eh.Perception, SubCategory: sub, Modality: c.media.Kind,
		Context: eh.Context{Media: []eh.Media{c.media}},
		Source:  eh.Source{Dataset: Name, ID: c.stem},
		Tags:    tags,
	}
}

func (c *clip) category(v view, wrong swap.Label) eh.Pair {
	p := c.base(eh.Category, v.suffix())
	q := func(l swap.Label) string {
		return importers.Capitalize(fmt.Sprintf("Does %s %s %s?", v.who, v.verb, swap.Adj(l)))
	}
	p.Basic = eh.Question{Text: q(c.emotion), Gold: eh.Yes}
	p.Hallucinated = eh.Question{Text: q(wrong), Gold: eh.No}
	p.Corruption = "swap"
	p.Explanation = fmt.Sprintf("CREMA-D actor %s acted %s and the %s perceived %s by majority (mean intensity %s); not %s.", c.actor, c.emotion, v.raters, c.emotion, v.level, wrong)
	if v.name != "" {
		p.Tags = append(p.Tags, "view:"+v.name)
	}
	return p
}

func (c *clip) intensityPair(v votes) eh.Pair {
	vw := c.views(v)[0]
	level := levelWord[c.level]
	wrong := map[string]string{"low": "high", "high": "low"}[level]
	p := c.base(eh.Intensity, "")
	who := vw.who
	q := func(l string) string {
		return importers.Capitalize(fmt.Sprintf("Does %s express %s with %s intensity?", who, swap.Noun(c.emotion), l))
	}
	p.Basic = eh.Question{Text: q(level), Gold: eh.Yes}
	p.Hallucinated = eh.Question{Text: q(wrong), Gold: eh.No}
	p.Corruption = "distortion"
	p.Explanation = fmt.Sprintf("CREMA-D actor %s was directed to express %s at %s intensity (%s), and raters perceived %s; not %s intensity.", c.actor, c.emotion, level, c.level, c.emotion, wrong)
	return p
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
