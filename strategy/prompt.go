package strategy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	eh "github.com/emohallucer/emohallucer"
)

// Prompt is what a user sets of a model's prompts in a config file: a system
// prompt, a question template replacing the built-in one, and few-shot
// examples. It travels in Options (and so in a queued run's definition), as
// text: strategies compile the template when they are built.
type Prompt struct {
	// System is sent as the system prompt of every call.
	System string `json:"system,omitempty"`
	// Template is a Go text/template source (TemplateData's fields) that
	// replaces the direct strategy's question prompt.
	Template string `json:"template,omitempty"`
	// FewShot are worked examples sent before the question, each as a user
	// turn (rendered with the same template, without media) and the
	// assistant's answer.
	FewShot []Example `json:"few_shot,omitempty"`
}

// Example is one few-shot example.
type Example struct {
	Question string `yaml:"question" json:"question"`
	Context  string `yaml:"context" json:"context,omitempty"`
	Answer   string `yaml:"answer" json:"answer"`
}

// MediaInfo describes one media file of the question, for templates.
type MediaInfo struct {
	Kind eh.Modality
	MIME string
}

// Empty reports whether p changes nothing.
func (p *Prompt) Empty() bool {
	return p == nil || p.System == "" && p.Template == "" && len(p.FewShot) == 0
}

// Digest is a short content hash of p ("" when empty): the run id includes
// it, so changing a prompt starts another run instead of mixing answers to
// two prompts, and a user template's calls are named by it in the cache key.
func (p *Prompt) Digest() string {
	if p.Empty() {
		return ""
	}
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// directOnly lists what of p only the direct strategy uses (nil for a nil p).
func (p *Prompt) directOnly() []string {
	if p == nil {
		return nil
	}
	var out []string
	if p.Template != "" {
		out = append(out, "template")
	}
	if len(p.FewShot) > 0 {
		out = append(out, "few_shot")
	}
	return out
}

// Check validates p for the named strategy (EINVALID): the template must
// parse and run on a sample question (a misspelt field fails here, not on
// the first question), template and few_shot apply to the direct strategy
// only (the multi-step strategies' prompts depend on one another), and
// every example needs a question and an answer.
func (p *Prompt) Check(strategyName string) error {
	if p.Empty() {
		return nil
	}
	if d := p.directOnly(); len(d) > 0 && strategyName != "direct" {
		return eh.Errorf(eh.EINVALID, "%s apply to the direct strategy only, not %s", strings.Join(d, " and "), strategyName)
	}
	for i, ex := range p.FewShot {
		if strings.TrimSpace(ex.Question) == "" || strings.TrimSpace(ex.Answer) == "" {
			return eh.Errorf(eh.EINVALID, "few_shot example %d: needs a question and an answer", i+1)
		}
	}
	_, err := p.compile()
	return err
}

// compile parses the user's template and runs it on a sample question with
// context and media; nil without a template.
func (p *Prompt) compile() (*template.Template, error) {
	if p == nil || p.Template == "" {
		return nil, nil
	}
	t, err := template.New("template").Option("missingkey=error").Parse(p.Template)
	if err != nil {
		return nil, eh.Errorf(eh.EINVALID, "%v", err)
	}
	sample := promptData{Context: "A passage.", Question: "Is the writer sad?", Lang: "en", Modality: eh.Image,
		Dimension: eh.Perception, SubCategory: eh.Category, HasMedia: true, MediaNoun: "image",
		Media: []MediaInfo{{Kind: eh.Image, MIME: "image/png"}}}
	if err := t.Execute(&bytes.Buffer{}, sample); err != nil {
		return nil, eh.Errorf(eh.EINVALID, "%v (fields: .Question .Context .Lang .Modality .Dimension .SubCategory .HasMedia .MediaNoun .Media)", err)
	}
	return t, nil
}

// render runs a compiled user template.
func render(t *template.Template, d promptData) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("user template: %w", err)
	}
	return b.String(), nil
}
