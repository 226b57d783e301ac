package emohallucer

import (
	"fmt"
	"path"
	"strings"
)

// Pair is one benchmark item: a basic question whose gold answer is yes and a
// hallucinated question that changes one element into a plausible error, gold no.
// A pair counts as solved only if both are answered right.
type Pair struct {
	ID           string      `json:"id"`
	Dimension    Dimension   `json:"dimension"`
	SubCategory  SubCategory `json:"subcategory"`
	Modality     Modality    `json:"modality"`
	Context      Context     `json:"context"`
	Basic        Question    `json:"basic"`
	Hallucinated Question    `json:"hallucinated"`
	// Explanation says in one line why the gold answers hold.
	Explanation string `json:"explanation"`
	// Corruption names how the hallucinated question was made from the basic one
	// (swap, reversal, distortion, fabrication, misattribution, negation, …).
	Corruption string `json:"corruption"`
	Source     Source `json:"source"`
	// Tags are free-form labels importers add (e.g. "split:adversarial"); views
	// can select on them.
	Tags []string `json:"tags,omitempty"`
	// Lang is the language the pair is written in; empty means English.
	Lang Lang `json:"lang,omitempty"`
	// TranslationOf is the id of the pair this one renders in another language
	// (same dimension, sub-category, modality and gold); empty for an original.
	// A pair and its renderings are one fact asked in several languages.
	TranslationOf string `json:"translation_of,omitempty"`
}

// Lang is the BCP-47 tag of the language of a pair.
type Lang string

// Languages of the benchmark.
const (
	English  Lang = "en"
	Japanese Lang = "ja"
	Chinese  Lang = "zh"
)

// Langs lists every language in the order reports show them.
var Langs = []Lang{English, Japanese, Chinese}

// Valid reports whether l is a known language tag. The empty tag is not valid
// here; a pair's empty Lang means English (see Pair.Language).
func (l Lang) Valid() bool { return l == English || l == Japanese || l == Chinese }

// OrEnglish returns l, or English when l is empty: the default every reader of a
// pair or record applies.
func (l Lang) OrEnglish() Lang {
	if l == "" {
		return English
	}
	return l
}

// Language returns the pair's language, English when Lang is empty.
func (p *Pair) Language() Lang { return p.Lang.OrEnglish() }

// Context is what a question is about: a passage of text, media files, or both.
// Knowledge questions usually have an empty context.
type Context struct {
	Text  string  `json:"text,omitempty"`
	Media []Media `json:"media,omitempty"`
}

// Media is a file of the suite, referenced by a path relative to the suite folder and
// pinned by its SHA-256 digest so that a changed file is detected and the response
// cache never serves an answer about different bytes.
type Media struct {
	Path   string   `json:"path"`
	SHA256 string   `json:"sha256"`
	Kind   Modality `json:"kind"` // image, audio, short-video or long-video
	// MIME is optional; when empty it is derived from the file extension.
	MIME string `json:"mime,omitempty"`
}

// Question is one yes/no question with its gold answer.
type Question struct {
	Text string `json:"question"`
	Gold Gold   `json:"gold"`
}

// Source says where a pair came from: a citation for written knowledge, or a dataset
// and its original item id for imported perception pairs.
type Source struct {
	Citation string `json:"citation,omitempty"`
	Dataset  string `json:"dataset,omitempty"`
	ID       string `json:"id,omitempty"`
}

// Question returns the question of the given role.
func (p *Pair) Question(r Role) Question {
	if r == Basic {
		return p.Basic
	}
	return p.Hallucinated
}

// Problems lists everything wrong with the pair that can be seen without reading
// media files; an empty result means it is valid. Each problem is a short sentence.
func (p *Pair) Problems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if strings.TrimSpace(p.ID) == "" {
		add("missing pair id")
	}
	if !p.Dimension.Valid() {
		add("unknown dimension %q (want knowledge or perception)", p.Dimension)
	}
	if !p.SubCategory.Valid() {
		add("unknown subcategory %q (want one of %v)", p.SubCategory, SubCategories)
	} else if p.Dimension.Valid() && p.SubCategory.Dimension() != p.Dimension {
		add("subcategory %q belongs to dimension %s, not %s", p.SubCategory, p.SubCategory.Dimension(), p.Dimension)
	}
	if !p.Modality.Valid() {
		add("unknown modality %q (want one of %v)", p.Modality, Modalities)
	} else if p.Dimension == Knowledge && p.Modality != Text {
		add("knowledge pairs must have modality text, not %s", p.Modality)
	}
	for _, r := range []Role{Basic, Hallucinated} {
		q := p.Question(r)
		if strings.TrimSpace(q.Text) == "" {
			add("missing %s question", r)
		}
		if q.Gold == "" {
			add("missing gold answer of the %s question", r)
		} else if q.Gold != GoldFor(r) {
			add("the %s question must have gold answer %q, not %q", r, GoldFor(r), q.Gold)
		}
	}
	if p.Basic.Text != "" && strings.TrimSpace(p.Basic.Text) == strings.TrimSpace(p.Hallucinated.Text) {
		add("basic and hallucinated questions are identical")
	}
	if p.Lang != "" && !p.Lang.Valid() {
		add("unknown lang %q (want one of %v, or empty for en)", p.Lang, Langs)
	}
	if p.TranslationOf != "" && p.TranslationOf == p.ID {
		add("translation_of names the pair itself")
	}
	if p.Modality.Valid() && p.Modality != Text && len(p.Context.Media) == 0 {
		add("a %s pair needs at least one media file", p.Modality)
	}
	for i, m := range p.Context.Media {
		if err := CheckMediaPath(m.Path); err != nil {
			add("media %d: %v", i+1, err)
		}
		if !isHexDigest(m.SHA256) {
			add("media %d (%s): sha256 must be 64 lower-case hex digits", i+1, m.Path)
		}
		if m.Kind == Text || !m.Kind.Valid() {
			add("media %d (%s): unknown kind %q (want image, audio, short-video or long-video)", i+1, m.Path, m.Kind)
		}
	}
	return out
}

// Validate returns an EINVALID error describing the first problems of the pair.
func (p *Pair) Validate() error {
	if probs := p.Problems(); len(probs) > 0 {
		return Errorf(EINVALID, "pair %q: %s", p.ID, strings.Join(probs, "; "))
	}
	return nil
}

// CheckMediaPath refuses media paths that are empty, absolute, or escape the suite
// folder. A suite must never make the tool read (and send to a model API) a file
// outside its own folder.
func CheckMediaPath(p string) error {
	switch {
	case p == "":
		return Errorf(EINVALID, "empty media path")
	case strings.ContainsRune(p, '\\'):
		return Errorf(EINVALID, "media path %q: use forward slashes", p)
	case path.IsAbs(p) || strings.HasPrefix(p, "~") || (len(p) > 1 && p[1] == ':'):
		return Errorf(EINVALID, "media path %q is absolute; paths are relative to the suite folder", p)
	}
	clean := path.Clean(p)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return Errorf(EINVALID, "media path %q escapes the suite folder (refused)", p)
	}
	return nil
}

func isHexDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
