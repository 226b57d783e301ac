// Package knowledge holds the knowledge dimension of the builtin suite: facts of
// emotion psychology written by this project, each with a citation, and the
// generator that expands them into question pairs.
//
// The facts live in facts/*.yaml, embedded in the binary. A fact is a true yes/no
// question with one or more corrupted variants; each variant changes exactly one
// element of the true question (a swapped theory, a reversed causal order, a
// misattributed author…) and becomes the hallucinated question of one pair.
package knowledge

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"go.yaml.in/yaml/v3"
)

//go:embed facts/*.yaml
var factFiles embed.FS

// Fact is one statement of emotion psychology and its corruptions.
type Fact struct {
	ID          string `yaml:"id"`
	SubCategory string `yaml:"subcategory"` // theory, definition or finding
	Topic       string `yaml:"topic"`
	// Question states the fact as a yes/no question whose answer is yes.
	Question    string `yaml:"question"`
	Explanation string `yaml:"explanation"`
	Citation    string `yaml:"citation"`
	// Contested, when set, says what is debated about the fact and why the item
	// is still phrased so that its gold answer is defensible.
	Contested string    `yaml:"contested,omitempty"`
	Variants  []Variant `yaml:"variants"`
}

// Corruption types a variant may use.
var Corruptions = []string{"swap", "reversal", "distortion", "fabrication", "misattribution", "negation"}

// Variant is one corrupted form of a fact.
type Variant struct {
	Corruption string `yaml:"corruption"`
	// Basic optionally rephrases the true question for this pair, so that a fact
	// with several variants does not repeat the same basic question.
	Basic string `yaml:"basic,omitempty"`
	// Question is the hallucinated question; its answer is no.
	Question string `yaml:"question"`
	// Explanation replaces the fact's explanation for this pair. It is
	// required when Basic is set: the pair asks something the fact's
	// explanation was not written for.
	Explanation string `yaml:"explanation,omitempty"`
}

// Facts returns every embedded fact, in file then document order.
func Facts() ([]Fact, error) {
	names, err := fs.Glob(factFiles, "facts/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var all []Fact
	for _, name := range names {
		data, err := factFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		facts, err := Parse(data, path.Base(name))
		if err != nil {
			return nil, err
		}
		all = append(all, facts...)
	}
	return all, nil
}

// Parse decodes a YAML list of facts, rejecting unknown fields.
func Parse(data []byte, name string) ([]Fact, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var facts []Fact
	if err := dec.Decode(&facts); err != nil {
		return nil, eh.Errorf(eh.EINVALID, "knowledge file %s: %v", name, err)
	}
	for i := range facts {
		if err := facts[i].check(); err != nil {
			return nil, eh.Errorf(eh.EINVALID, "knowledge file %s fact %d (%s): %v", name, i+1, facts[i].ID, err)
		}
	}
	return facts, nil
}

func (f *Fact) check() error {
	sc := eh.SubCategory(f.SubCategory)
	switch {
	case f.ID == "":
		return fmt.Errorf("missing id")
	case sc != eh.Theory && sc != eh.Definition && sc != eh.Finding:
		return fmt.Errorf("subcategory must be theory, definition or finding, not %q", f.SubCategory)
	case strings.TrimSpace(f.Question) == "":
		return fmt.Errorf("missing question")
	case strings.TrimSpace(f.Explanation) == "":
		return fmt.Errorf("missing explanation")
	case strings.TrimSpace(f.Citation) == "":
		return fmt.Errorf("missing citation")
	case len(f.Variants) == 0:
		return fmt.Errorf("no variants")
	}
	for i, v := range f.Variants {
		if !contains(Corruptions, v.Corruption) {
			return fmt.Errorf("variant %d: corruption %q is not one of %v", i+1, v.Corruption, Corruptions)
		}
		if strings.TrimSpace(v.Question) == "" {
			return fmt.Errorf("variant %d: missing question", i+1)
		}
		if i > 0 && v.Basic == "" {
			return fmt.Errorf("variant %d: needs its own basic question so no basic question repeats", i+1)
		}
		// The explanation is what users read as why the pair's gold holds; the
		// fact's explanation was written for the fact's own question, so a
		// variant that asks a different basic question must explain it itself.
		if v.Basic != "" && strings.TrimSpace(v.Explanation) == "" {
			return fmt.Errorf("variant %d: has its own basic question, so it needs its own explanation", i+1)
		}
	}
	return nil
}

// Pairs expands facts into pairs: one pair per variant, with ids
// "k-<subcategory>-<fact id>" and a "-<n>" suffix from the second variant on.
func Pairs(facts []Fact) []eh.Pair {
	var out []eh.Pair
	for _, f := range facts {
		for i, v := range f.Variants {
			id := "k-" + f.SubCategory + "-" + f.ID
			if i > 0 {
				id = fmt.Sprintf("%s-%d", id, i+1)
			}
			basic := f.Question
			if v.Basic != "" {
				basic = v.Basic
			}
			expl := f.Explanation
			if v.Explanation != "" {
				expl = v.Explanation
			}
			if f.Contested != "" {
				expl += " Contested: " + f.Contested
			}
			out = append(out, eh.Pair{
				ID: id, Dimension: eh.Knowledge, SubCategory: eh.SubCategory(f.SubCategory), Modality: eh.Text,
				Basic:        eh.Question{Text: basic, Gold: eh.Yes},
				Hallucinated: eh.Question{Text: v.Question, Gold: eh.No},
				Explanation:  expl, Corruption: v.Corruption,
				Source: eh.Source{Citation: f.Citation},
				Tags:   []string{"topic:" + f.Topic},
			})
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
