package ravdess

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/importers/swap"
)

// Ratings are the listeners' judgements of one recording from the RAVDESS
// perceptual validation (Livingstone & Russo 2018: every recording rated 10
// times for emotion category, intensity and genuineness).
type Ratings struct {
	// Votes counts the emotion categories listeners chose; "none of these"
	// answers count in Total only.
	Votes map[swap.Label]int
	Total int
	// IntensitySum and IntensityN give the mean rated intensity (1–5 scale),
	// when the file has an intensity column.
	IntensitySum float64
	IntensityN   int
}

// Majority returns the category more than half of the listeners chose, or
// false when there is none.
func (r *Ratings) Majority() (swap.Label, bool) {
	for l, n := range r.Votes {
		if 2*n > r.Total {
			return l, true
		}
	}
	return "", false
}

// Intensity returns the mean rated intensity, or false when none was given.
func (r *Ratings) Intensity() (float64, bool) {
	if r.IntensityN == 0 {
		return 0, false
	}
	return r.IntensitySum / float64(r.IntensityN), true
}

// idRE finds a RAVDESS identifier anywhere in a cell ("Actor_12/03-01-05-…wav").
var idRE = regexp.MustCompile(`0[123]-0[12]-0[1-8]-0[12]-0[12]-0[12]-[0-9]{2}`)

// Column names are compared after lower-casing and removing everything but
// letters and digits ("Emotion response" = "emotion_response").
var (
	fileCols      = []string{"filename", "file", "stimulus", "stimulusname", "stimulusfile", "clip"}
	responseCols  = []string{"response", "emotionresponse", "chosenemotion", "perceivedemotion", "ratedemotion", "emotionrating", "emotionchoice"}
	intensityCols = []string{"intensityrating", "ratedintensity", "intensityresponse", "perceivedintensity", "meanintensity", "intensitymean"}
	noneWords     = []string{"none", "noneofthese", "noneofthesearecorrect", "other", "9", "09"}
)

// codes are RAVDESS's emotion codes, also used by the rating task's answers.
var codes = map[string]swap.Label{"1": swap.Neutral, "2": swap.Calm, "3": swap.Happiness, "4": swap.Sadness,
	"5": swap.Anger, "6": swap.Fear, "7": swap.Disgust, "8": swap.Surprise}

func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// label reads one answer: an emotion word in any common spelling or a RAVDESS
// code (1–8); none reports a "none of these" answer.
func label(s string) (l swap.Label, none, ok bool) {
	k := squash(s)
	for _, w := range noneWords {
		if k == w {
			return "", true, true
		}
	}
	if n, err := strconv.Atoi(k); err == nil {
		l, ok = codes[strconv.Itoa(n)]
		return l, false, ok
	}
	l, ok = swap.Normalize(k)
	return l, false, ok
}

// ReadRatings reads the validation ratings from a CSV (or tab-separated .tsv)
// export of the published workbook, in either of two layouts, found by the
// header:
//
//   - one row per rating: a file column (filename, file, stimulus …) holding
//     the recording's identifier, a response column (response, emotion
//     response, chosen emotion …) holding the category the listener chose
//     (a word such as "fearful", a RAVDESS code 1–8, or "none"), and
//     optionally an intensity rating column (intensity rating, rated
//     intensity …) on the 1–5 scale;
//   - one row per recording: a file column and one count column per category,
//     named by the category (neutral, calm, happy, sad, angry, fearful,
//     disgust, surprised; a "votes_" prefix is allowed), optionally "none"
//     and a mean intensity column (mean intensity).
//
// Recordings are keyed by their seven-part identifier, so the audio-only
// ratings (03-…) apply to audio files and the audio-visual ones to videos.
// Errors name the file and line.
func ReadRatings(name string) (map[string]*Ratings, error) {
	comma := ','
	if strings.EqualFold(filepath.Ext(name), ".tsv") {
		comma = '\t'
	}
	rows, err := importers.ReadTable(name, comma)
	if err != nil {
		return nil, fmt.Errorf("ravdess ratings: %w", err)
	}
	if len(rows) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "ravdess ratings %s: no rows", name)
	}
	cols := map[string]string{} // squashed → header as written
	for h := range rows[0].Fields {
		cols[squash(strings.TrimPrefix(strings.ToLower(h), "votes_"))] = h
	}
	find := func(cands []string) string {
		for _, c := range cands {
			if h, ok := cols[c]; ok {
				return h
			}
		}
		return ""
	}
	fileCol := find(fileCols)
	if fileCol == "" {
		return nil, eh.Errorf(eh.EINVALID, "ravdess ratings %s: no file column (want one of %s)", name, strings.Join(fileCols, ", "))
	}
	countCols := map[swap.Label]string{}
	for _, w := range []string{"neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"} {
		if h, ok := cols[w]; ok {
			l, _, _ := label(w)
			countCols[l] = h
		}
	}
	respCol, intCol, noneCol := find(responseCols), find(intensityCols), find([]string{"none", "noneofthese"})
	if respCol == "" && len(countCols) < 8 {
		return nil, eh.Errorf(eh.EINVALID, "ravdess ratings %s: neither a response column (%s) nor count columns for all eight categories", name, strings.Join(responseCols, ", "))
	}
	out := map[string]*Ratings{}
	for _, row := range rows {
		id := idRE.FindString(row.Get(fileCol))
		if id == "" {
			return nil, eh.Errorf(eh.EINVALID, "ravdess ratings %s:%d: %q holds no RAVDESS identifier (like 03-01-05-02-01-01-12)", name, row.Line, row.Get(fileCol))
		}
		r := out[id]
		if r == nil {
			r = &Ratings{Votes: map[swap.Label]int{}}
			out[id] = r
		}
		if respCol != "" {
			l, none, ok := label(row.Get(respCol))
			if !ok {
				return nil, eh.Errorf(eh.EINVALID, "ravdess ratings %s:%d: response %q is not an emotion category", name, row.Line, row.Get(respCol))
			}
			r.Total++
			if !none {
				r.Votes[l]++
			}
		} else {
			for l, h := range countCols {
				n, err := strconv.Atoi(row.Get(h))
				if err != nil || n < 0 {
					return nil, eh.Errorf(eh.EINVALID, "ravdess ratings %s:%d: %s count %q is not a whole number", name, row.Line, h, row.Get(h))
				}
				r.Votes[l] += n
				r.Total += n
			}
			if noneCol != "" {
				n, _ := strconv.Atoi(row.Get(noneCol))
				r.Total += n
			}
		}
		if intCol != "" && row.Get(intCol) != "" {
			v, err := strconv.ParseFloat(row.Get(intCol), 64)
			if err != nil || v < 1 || v > 5 {
				return nil, eh.Errorf(eh.EINVALID, "ravdess ratings %s:%d: intensity %q is not a rating from 1 to 5", name, row.Line, row.Get(intCol))
			}
			r.IntensitySum += v
			r.IntensityN++
		}
	}
	return out, nil
}
