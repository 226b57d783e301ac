// Package builtin assembles the suite embedded in the binary (--suite builtin):
// the knowledge pairs of package knowledge and the text-perception pairs written
// by this project in text/*.yaml, their Japanese and Chinese renderings
// (i18n/<lang>/*.yaml) and the pairs written directly in those languages
// (native/<lang>/*.yaml).
package builtin

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/knowledge"
	"github.com/emohallucer/emohallucer/suite"
	"go.yaml.in/yaml/v3"
)

// Name is how users select the builtin suite.
const Name = "builtin"

//go:embed text/*.yaml
var textFiles embed.FS

// Passage is one original short text (a review, message, dialogue snippet, diary
// entry or post) and the question pairs asked about it.
type Passage struct {
	ID      string     `yaml:"id"`
	Kind    string     `yaml:"kind"` // review, message, dialogue, diary, post
	Context string     `yaml:"context"`
	Pairs   []TextPair `yaml:"pairs"`
}

// TextPair is one text-perception pair about a passage.
type TextPair struct {
	SubCategory  string `yaml:"subcategory"` // category, intensity, reasoning-result, reasoning-cue
	Corruption   string `yaml:"corruption"`
	Basic        string `yaml:"basic"`
	Hallucinated string `yaml:"hallucinated"`
	Explanation  string `yaml:"explanation"`
}

// Suite returns the builtin suite, validated.
func Suite() (*eh.Suite, error) {
	facts, err := knowledge.Facts()
	if err != nil {
		return nil, err
	}
	pairs := knowledge.Pairs(facts)
	passages, err := Passages()
	if err != nil {
		return nil, err
	}
	pairs = append(pairs, TextPairs(passages)...)
	other, _, err := Languages(langFiles, facts, passages)
	if err != nil {
		return nil, err
	}
	pairs = append(pairs, other...)
	// Round-trip through the suite decoder so the builtin suite obeys exactly the
	// rules a user's suite does (ids unique, gold answers right, no repeats).
	var buf bytes.Buffer
	if err := suite.Encode(&buf, pairs); err != nil {
		return nil, err
	}
	s, probs := suite.Decode(&buf, "builtin")
	if len(probs) > 0 {
		return nil, fmt.Errorf("builtin suite is broken (a bug): %w", suite.Problems(probs))
	}
	s.Name = Name
	return s, nil
}

// Passages returns every embedded text passage, in file then document order.
func Passages() ([]Passage, error) { return parsePassages(textFiles, "text/*.yaml") }

// parsePassages reads the passage files of fsys matching pattern, in name then
// document order, and checks what each passage and pair needs to expand.
func parsePassages(fsys fs.FS, pattern string) ([]Passage, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var all []Passage
	for _, name := range names {
		var ps []Passage
		if err := decodeYAML(fsys, name, &ps); err != nil {
			return nil, err
		}
		for i, p := range ps {
			if p.ID == "" || strings.TrimSpace(p.Context) == "" || len(p.Pairs) == 0 {
				return nil, eh.Errorf(eh.EINVALID, "builtin text file %s passage %d (%s): needs id, context and pairs", name, i+1, p.ID)
			}
			for j, tp := range p.Pairs {
				if sc := eh.SubCategory(tp.SubCategory); !sc.Valid() || sc.Dimension() != eh.Perception {
					return nil, eh.Errorf(eh.EINVALID, "builtin text file %s passage %s pair %d: subcategory %q is not a perception sub-category", name, p.ID, j+1, tp.SubCategory)
				}
			}
		}
		all = append(all, ps...)
	}
	return all, nil
}

// decodeYAML decodes the YAML file name of fsys into v, refusing unknown fields
// so that a misspelt key is an error rather than a silently empty field.
func decodeYAML(fsys fs.FS, name string, v any) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return eh.Errorf(eh.EINVALID, "builtin file %s: %v", name, err)
	}
	return nil
}

// TextPairs expands passages into pairs with ids "t-<passage id>-<n>".
func TextPairs(passages []Passage) []eh.Pair {
	var out []eh.Pair
	for _, p := range passages {
		for i, tp := range p.Pairs {
			out = append(out, eh.Pair{
				ID: fmt.Sprintf("t-%s-%d", p.ID, i+1), Dimension: eh.Perception,
				SubCategory: eh.SubCategory(tp.SubCategory), Modality: eh.Text,
				Context:      eh.Context{Text: strings.TrimSpace(p.Context)},
				Basic:        eh.Question{Text: tp.Basic, Gold: eh.Yes},
				Hallucinated: eh.Question{Text: tp.Hallucinated, Gold: eh.No},
				Explanation:  tp.Explanation, Corruption: tp.Corruption,
				Source: eh.Source{Dataset: "emohallucer-text", ID: p.ID},
				Tags:   []string{"kind:" + p.Kind},
			})
		}
	}
	return out
}
