package emohallucer

import "fmt"

// Dimension is the top-level split of the benchmark: facts of emotion psychology
// (knowledge) or emotions expressed in an input (perception).
type Dimension string

// Dimensions of the benchmark.
const (
	Knowledge  Dimension = "knowledge"
	Perception Dimension = "perception"
)

// SubCategory names what a hallucinated question corrupts.
type SubCategory string

// Sub-categories. Theory, Definition and Finding belong to the knowledge dimension;
// the others to perception.
const (
	Theory          SubCategory = "theory"
	Definition      SubCategory = "definition"
	Finding         SubCategory = "finding"
	Category        SubCategory = "category"
	Intensity       SubCategory = "intensity"
	ReasoningResult SubCategory = "reasoning-result"
	ReasoningCue    SubCategory = "reasoning-cue"
)

// SubCategories lists every sub-category in the order reports show them.
var SubCategories = []SubCategory{Theory, Definition, Finding, Category, Intensity, ReasoningResult, ReasoningCue}

// Dimension returns the dimension a sub-category belongs to.
func (s SubCategory) Dimension() Dimension {
	switch s {
	case Theory, Definition, Finding:
		return Knowledge
	}
	return Perception
}

// Valid reports whether s is a known sub-category.
func (s SubCategory) Valid() bool {
	for _, k := range SubCategories {
		if s == k {
			return true
		}
	}
	return false
}

// Valid reports whether d is a known dimension.
func (d Dimension) Valid() bool { return d == Knowledge || d == Perception }

// Modality is the kind of input a question is about.
type Modality string

// Modalities of the benchmark. Knowledge questions are always Text.
const (
	Text       Modality = "text"
	Image      Modality = "image"
	Audio      Modality = "audio"
	ShortVideo Modality = "short-video"
	LongVideo  Modality = "long-video"
)

// Modalities lists every modality in the order reports show them.
var Modalities = []Modality{Text, Image, Audio, ShortVideo, LongVideo}

// Valid reports whether m is a known modality.
func (m Modality) Valid() bool {
	for _, k := range Modalities {
		if m == k {
			return true
		}
	}
	return false
}

// HasAudio reports whether inputs of this modality carry sound. The NoAudio view
// leaves them out so that vision-language models can be ranked.
func (m Modality) HasAudio() bool { return m == Audio || m == ShortVideo || m == LongVideo }

// Role says which question of a pair this is.
type Role string

// Roles of the two questions in a pair.
const (
	Basic        Role = "basic"
	Hallucinated Role = "hallucinated"
	// Describe is not a question of a pair but the open-ended description
	// of a pair's input (run --task describe); its record has no gold
	// answer but gold labels (Record.Labels).
	Describe Role = "describe"
)

// Gold is a gold answer; by construction basic questions are Yes and hallucinated No.
type Gold string

// Gold answers.
const (
	Yes Gold = "yes"
	No  Gold = "no"
)

// GoldFor returns the gold answer every question of role r must have.
func GoldFor(r Role) Gold {
	if r == Basic {
		return Yes
	}
	return No
}

// Answer is a tri-state answer extracted from model text: yes, no, or unparsed.
// An unparsed answer is always scored wrong and always reported.
type Answer string

// Extracted answers.
const (
	AnswerYes      Answer = "yes"
	AnswerNo       Answer = "no"
	AnswerUnparsed Answer = "unparsed"
)

// Matches reports whether the answer equals the gold answer.
func (a Answer) Matches(g Gold) bool { return string(a) == string(g) }

// ParseModality converts s into a Modality, or returns an EINVALID error.
func ParseModality(s string) (Modality, error) {
	m := Modality(s)
	if !m.Valid() {
		return "", Errorf(EINVALID, "unknown modality %q (want one of %v)", s, Modalities)
	}
	return m, nil
}

// String implementations keep fmt output readable in errors.
func (d Dimension) String() string   { return string(d) }
func (s SubCategory) String() string { return string(s) }
func (m Modality) String() string    { return string(m) }

var _ fmt.Stringer = Text
