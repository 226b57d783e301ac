// Package policy turns finished runs into deployment decisions: a register of
// use cases (usecases.yaml), the per-use-case evaluation of runs (accuracy, the
// review threshold that keeps the error of automated decisions under a limit,
// monthly costs and a recommendation), policy.json (the decision, versioned,
// with its evidence) and its re-check against new runs for CI.
//
// It never calls a model: it reads records and run.json only.
package policy

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/strictyaml"
	"github.com/emohallucer/emohallucer/score"
)

// UseCase is one entry of the register: a decision a model might take alone,
// measured on one view of the runs.
type UseCase struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description,omitempty"`
	// View is any view name: perception, modality:audio, lang:ja,
	// tag:usecase:support…
	View string `yaml:"view" json:"view"`
	// MaxError is the highest error rate tolerated for automated decisions, a
	// fraction in [0, 1].
	MaxError float64 `yaml:"max_error" json:"max_error"`
	// ReviewCostUSD is what one human review costs.
	ReviewCostUSD float64 `yaml:"review_cost_usd" json:"review_cost_usd"`
	// ErrorCostUSD, when set, is what one wrong automated decision costs.
	ErrorCostUSD *float64 `yaml:"error_cost_usd" json:"error_cost_usd,omitempty"`
	// VolumePerMonth is how many decisions the use case takes per month.
	VolumePerMonth float64 `yaml:"volume_per_month" json:"volume_per_month"`
}

// register is the file's layout.
type register struct {
	UseCases []UseCase `yaml:"usecases"`
}

// viewPrefixes are the view families other packages add beside score's own
// (languages, tags, sources, emotions); a register may name them before the
// runs it is used with carry them.
var viewPrefixes = []string{"lang:", "tag:", "source:", "emotion:"}

// ValidView reports whether a use case may be measured on the named view.
func ValidView(view string) bool {
	if score.ValidView(view) {
		return true
	}
	for _, p := range viewPrefixes {
		if rest, ok := strings.CutPrefix(view, p); ok && rest != "" {
			return true
		}
	}
	return false
}

// Matches reports whether a record belongs to the view: score's views, and
// for the prefixed families a tag on the record — tag:X matches the tag X
// (tag:usecase:support matches "usecase:support", as the csv importer writes
// it), lang:/source:/emotion: views match a tag of the same name.
func Matches(view string, r *eh.Record) bool {
	if score.ViewMatches(view, r) {
		return true
	}
	want := view
	if rest, ok := strings.CutPrefix(view, "tag:"); ok {
		want = rest
	} else if !strings.HasPrefix(view, "lang:") && !strings.HasPrefix(view, "source:") && !strings.HasPrefix(view, "emotion:") {
		return false
	}
	for _, t := range r.Tags {
		if t == want {
			return true
		}
	}
	return false
}

// ReadRegister reads and checks a usecases.yaml file.
func ReadRegister(path string) ([]UseCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, eh.Errorf(eh.EIO, "use-case register: %v", err)
	}
	return ParseRegister(data, path)
}

// ParseRegister decodes a register strictly (an unknown key is an error with
// its line) and checks every use case; where names the file in messages.
func ParseRegister(data []byte, where string) ([]UseCase, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, eh.Errorf(eh.EINVALID, "%s: %v", where, err)
	}
	if len(doc.Content) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "%s: empty register (want usecases: [...])", where)
	}
	var reg register
	if err := strictyaml.Decode(&doc, &reg, where); err != nil {
		return nil, err
	}
	if len(reg.UseCases) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "%s: no use cases (want usecases: [...])", where)
	}
	items := itemNodes(&doc)
	seen := map[string]int{}
	for i := range reg.UseCases {
		u := &reg.UseCases[i]
		line := 0
		if i < len(items) {
			line = items[i].Line
			// A missing limit or volume would read as 0: say so instead.
			if k := missingKey(items[i], "name", "view", "max_error", "review_cost_usd", "volume_per_month"); k != "" {
				return nil, eh.Errorf(eh.EINVALID, "%s: line %d: use case %d: %s is required", where, line, i+1, k)
			}
		}
		if err := u.check(); err != nil {
			return nil, eh.Errorf(eh.EINVALID, "%s: line %d: use case %d: %v", where, line, i+1, err)
		}
		if prev, dup := seen[u.Name]; dup {
			return nil, eh.Errorf(eh.EINVALID, "%s: line %d: use case %q is already defined at line %d", where, line, u.Name, prev)
		}
		seen[u.Name] = line
	}
	return reg.UseCases, nil
}

// itemNodes gives the entries of the usecases list.
func itemNodes(doc *yaml.Node) []*yaml.Node {
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "usecases" {
			return root.Content[i+1].Content
		}
	}
	return nil
}

// missingKey is the first of keys the mapping n lacks ("" when it has them all).
func missingKey(n *yaml.Node, keys ...string) string {
	have := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		have[n.Content[i].Value] = true
	}
	for _, k := range keys {
		if !have[k] {
			return k
		}
	}
	return ""
}

func (u *UseCase) check() error {
	u.Name = strings.TrimSpace(u.Name)
	switch {
	case u.Name == "":
		return fmt.Errorf("name is required")
	case u.View == "":
		return fmt.Errorf("%s: view is required (perception, modality:audio, lang:en, tag:usecase:support…)", u.Name)
	case !ValidView(u.View):
		return fmt.Errorf("%s: unknown view %q (all, noaudio, knowledge, perception, modality:X, subcategory:X, split:X, lang:X, tag:X, source:X, emotion:X)", u.Name, u.View)
	case u.MaxError < 0 || u.MaxError > 1:
		return fmt.Errorf("%s: max_error must be a fraction in [0, 1], not %g", u.Name, u.MaxError)
	case u.ReviewCostUSD < 0:
		return fmt.Errorf("%s: review_cost_usd must not be negative", u.Name)
	case u.ErrorCostUSD != nil && *u.ErrorCostUSD < 0:
		return fmt.Errorf("%s: error_cost_usd must not be negative", u.Name)
	case u.VolumePerMonth <= 0:
		return fmt.Errorf("%s: volume_per_month must be positive", u.Name)
	}
	return nil
}
