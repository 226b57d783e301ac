// Package ravdess imports the Ryerson Audio-Visual Database of Emotional Speech
// and Song (Livingstone & Russo 2018, CC BY-NC-SA 4.0): every label is in the
// file name (MM-VV-EE-II-SS-RR-AA), so any folder tree holding RAVDESS files
// under their original names works, audio-only .wav or audio-visual .mp4.
//
// Each clip gives a category pair (the portrayed emotion vs a confusable one)
// and, for every emotion but neutral, an intensity pair (normal vs strong). The
// sentences the actors speak are neutral ("Kids are talking by the door"), so
// the questions name no sentence and carry nothing but the emotion word: the
// answer must come from the voice or face.
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
	stem, rel         string
	modality, channel string // codes
	emotion           swap.Label
	intensity         string // normal, strong
	statement, actor  int
	female            bool
	media             eh.Media
}

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	if err := importers.RequireDir(Name, src); err != nil {
		return nil, err
	}
	res := &importers.Result{}
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
		c := &clip{stem: stem, rel: rel, modality: m[1], channel: m[2], emotion: emotions[m[3]], intensity: levels[m[4]]}
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
		kind := eh.Audio
		if m[8] == "mp4" {
			kind = eh.ShortVideo
		}
		c.media, err = env.Out.Copy(full, "ravdess/"+base, kind, digests[base])
		if err != nil {
			if eh.ErrorCode(err) == eh.EINVALID {
				res.Drop(stem, full, "%v", err)
				continue
			}
			return nil, err
		}
		clips = append(clips, c)
	}

	items := make([]swap.Item, len(clips))
	for i, c := range clips {
		items[i] = swap.Item{Key: c.stem, Gold: c.emotion}
	}
	asg, err := swap.Assign(items, env.Rand("ravdess category"), swap.AssignOptions{MaxPerLabel: env.MaxPerLabel})
	if err != nil {
		return nil, err
	}
	for _, c := range clips {
		wrong, ok := asg.Wrong[c.stem]
		if !ok {
			res.Skip(asg.Dropped[c.stem])
			continue
		}
		res.Pairs = append(res.Pairs, c.category(wrong))
		if c.emotion != swap.Neutral {
			res.Pairs = append(res.Pairs, c.intensityPair())
		}
	}
	return res, nil
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

func (c *clip) subject() (who, verb string, kind eh.Modality) {
	switch c.modality {
	case "01":
		return "the person in the video", "seem", eh.ShortVideo
	case "02":
		return "the person in the video", "look", eh.ShortVideo
	}
	if c.channel == "02" {
		return "the singer", "sound", eh.Audio
	}
	return "the speaker", "sound", eh.Audio
}

func (c *clip) base(sub eh.SubCategory) eh.Pair {
	_, _, kind := c.subject()
	sex := "male"
	if c.female {
		sex = "female"
	}
	channel := "speech"
	if c.channel == "02" {
		channel = "song"
	}
	return eh.Pair{
		ID: fmt.Sprintf("ravdess-%s-%s", c.stem, sub), Dimension: eh.Perception, SubCategory: sub, Modality: kind,
		Context: eh.Context{Media: []eh.Media{c.media}},
		Source:  eh.Source{Dataset: Name, ID: c.stem},
		Tags: []string{fmt.Sprintf("actor:%02d", c.actor), "sex:" + sex, "channel:" + channel,
			"emotion:" + string(c.emotion), "intensity:" + c.intensity, fmt.Sprintf("statement:%d", c.statement)},
	}
}

func (c *clip) category(wrong swap.Label) eh.Pair {
	who, verb, _ := c.subject()
	p := c.base(eh.Category)
	q := func(l swap.Label) string { return fmt.Sprintf("Does %s %s %s?", who, verb, swap.Adj(l)) }
	p.Basic = eh.Question{Text: importers.Capitalize(q(c.emotion)), Gold: eh.Yes}
	p.Hallucinated = eh.Question{Text: importers.Capitalize(q(wrong)), Gold: eh.No}
	p.Corruption = "swap"
	p.Explanation = fmt.Sprintf("RAVDESS actor %02d was directed to portray %s (%s intensity); the clip is not a portrayal of %s.", c.actor, c.emotion, c.intensity, wrong)
	return p
}

func (c *clip) intensityPair() eh.Pair {
	who, _, _ := c.subject()
	wrong := "strong"
	if c.intensity == "strong" {
		wrong = "normal"
	}
	p := c.base(eh.Intensity)
	q := func(level string) string {
		return importers.Capitalize(fmt.Sprintf("Does %s express %s with %s intensity?", who, swap.Noun(c.emotion), level))
	}
	p.Basic = eh.Question{Text: q(c.intensity), Gold: eh.Yes}
	p.Hallucinated = eh.Question{Text: q(wrong), Gold: eh.No}
	p.Corruption = "distortion"
	p.Explanation = fmt.Sprintf("RAVDESS codes this portrayal of %s as %s intensity, not %s.", c.emotion, c.intensity, wrong)
	return p
}
