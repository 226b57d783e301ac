// Package strategy turns a question into model calls and combines their answers.
// Strategies wrap any Model: direct asks once; the mitigation strategies
// (PEP-MEK and its ablations, chain-of-thought, self-consistency, majority vote)
// make several calls per question.
//
// Prompt templates are embedded files named <name>.v<version>.tmpl (English)
// and <name>.<lang>.v<version>.tmpl (Japanese "ja", Chinese "zh"); the
// question's language selects the file, and the newest version of each name
// and language is used. A request's Template field carries the file's name,
// so a changed template or another language never reuses cached answers.
package strategy

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = template.Must(template.New("").ParseFS(templateFiles, "templates/*.tmpl"))

// langs are the languages that have a full set of templates; the first is the
// default, for pairs that name none.
var langs = []string{"en", "ja", "zh"}

// templateFile is <name>[.<lang>].v<version>.tmpl.
var templateFile = regexp.MustCompile(`^([a-z-]+)(?:\.([a-z]{2}))?\.v([0-9]+)\.tmpl$`)

// newest maps name and language ("direct", "ja") to the newest version's
// template name ("direct.ja.v1").
var newest = func() map[[2]string]string {
	files, err := fs.Glob(templateFiles, "templates/*.tmpl")
	if err != nil {
		panic(err)
	}
	out := map[[2]string]string{}
	version := map[[2]string]int{}
	for _, f := range files {
		m := templateFile.FindStringSubmatch(strings.TrimPrefix(f, "templates/"))
		if m == nil {
			panic("strategy: template file " + f + " is not named <name>[.<lang>].v<version>.tmpl")
		}
		lang := m[2]
		if lang == "" {
			lang = langs[0]
		}
		v, _ := strconv.Atoi(m[3])
		k := [2]string{m[1], lang}
		if v > version[k] {
			version[k], out[k] = v, strings.TrimSuffix(m[0], ".tmpl")
		}
	}
	return out
}()

// langOf is the language of an item's question: the pair's BCP-47 tag reduced
// to its language ("ja-JP" is ja), English when the pair names none.
func langOf(it *eh.Item) string {
	lang, _, _ := strings.Cut(strings.ToLower(string(it.Pair.Lang)), "-")
	if lang == "" {
		return langs[0]
	}
	return lang
}

// templateFor returns the template of the given name in the item's language.
func templateFor(name string, it *eh.Item) (string, error) {
	if t, ok := newest[[2]string{name, langOf(it)}]; ok {
		return t, nil
	}
	return "", eh.Errorf(eh.EINVALID, "%s: no %s prompt template in language %q (templates exist for %s)", it.Label(), name, it.Pair.Lang, strings.Join(langs, ", "))
}

// Options configure strategies; zero values mean defaults.
type Options struct {
	// Rule is the extraction rule; default extract.Default (yesno-v2).
	Rule string
	// Decoding parameters applied to every call (nil: model default).
	Temperature *float64
	Seed        *int64
	MaxTokens   int
	// Logprobs asks for yes/no token log-probabilities on answer steps.
	Logprobs bool
	// Samples is k for self-consistency (default 5).
	Samples int
	// SampleTemperature is the temperature of self-consistency samples
	// (default 0.7).
	SampleTemperature *float64
	// Prompt is the user's system prompt, template and few-shot examples
	// (nil: the built-in prompts alone).
	Prompt *Prompt `json:",omitempty"`
}

// Factory builds a strategy from options.
type Factory func(Options) (eh.Strategy, error)

// factories is the registry of strategies, by the name users select.
var factories = map[string]Factory{
	"direct": func(o Options) (eh.Strategy, error) {
		user, err := o.Prompt.compile()
		return &Single{name: "direct", tmpl: "direct", opt: o, user: user}, err
	},
	"pep-mek": func(o Options) (eh.Strategy, error) {
		return &PEP{name: "pep-mek", evidence: "mek", explain: true, opt: o}, nil
	},
	"mek-only": func(o Options) (eh.Strategy, error) { return &PEP{name: "mek-only", evidence: "mek", opt: o}, nil },
	"pep-mk": func(o Options) (eh.Strategy, error) {
		return &PEP{name: "pep-mk", evidence: "describe", explain: true, opt: o}, nil
	},
	"cot": func(o Options) (eh.Strategy, error) { return &Single{name: "cot", tmpl: "cot", opt: o}, nil },
	"self-consistency": func(o Options) (eh.Strategy, error) {
		if o.Samples < 1 {
			return nil, eh.Errorf(eh.EINVALID, "self-consistency needs at least 1 sample, not %d", o.Samples)
		}
		return &Vote{name: "self-consistency", templates: []string{"cot"}, samples: o.Samples, temp: o.SampleTemperature, opt: o}, nil
	},
	// Three wordings of the same question, each asked once with the model's
	// default decoding.
	"majority-vote": func(o Options) (eh.Strategy, error) {
		return &Vote{name: "majority-vote", templates: []string{"direct", "para-a", "para-b"}, samples: 1, opt: o}, nil
	},
}

// Names lists the registered strategies.
func Names() []string {
	var out []string
	for n := range factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// New returns the named strategy.
func New(name string, o Options) (eh.Strategy, error) {
	f, ok := factories[name]
	if !ok {
		return nil, eh.Errorf(eh.EINVALID, "unknown strategy %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	o = o.withDefaults()
	if _, ok := extract.Extract(o.Rule, ""); !ok {
		return nil, eh.Errorf(eh.EINVALID, "unknown extraction rule %q (known: %s)", o.Rule, strings.Join(extract.Rules, ", "))
	}
	if err := o.Prompt.Check(name); err != nil {
		return nil, err
	}
	return f(o)
}

func (o Options) withDefaults() Options {
	if o.Rule == "" {
		o.Rule = extract.Default
	}
	if o.Samples == 0 {
		o.Samples = 5
	}
	if o.SampleTemperature == nil {
		t := 0.7
		o.SampleTemperature = &t
	}
	return o
}

// promptData is what templates see, the built-in ones and a user's
// (README "Prompts"): the question, its context passage, the pair's
// language, modality, dimension and sub-category, and its media.
type promptData struct {
	Context     string
	Question    string
	Lang        string
	Modality    eh.Modality
	Dimension   eh.Dimension
	SubCategory eh.SubCategory
	HasMedia    bool
	MediaNoun   string
	Media       []MediaInfo
	// Evidence, FirstAnswer and Explanation carry earlier steps' output into
	// later steps of multi-step strategies.
	Evidence    string
	FirstAnswer string
	Explanation string
	// Claim and Gold are a judged claim's label and the input's gold labels
	// (the describe task's judge, which sees the description as Evidence).
	Claim string
	Gold  string
}

func dataFor(it *eh.Item) promptData {
	d := promptData{Context: it.Pair.Context.Text, Question: it.Question(), Lang: langOf(it), Modality: it.Pair.Modality,
		Dimension: it.Pair.Dimension, SubCategory: it.Pair.SubCategory, HasMedia: len(it.Media) > 0}
	if d.HasMedia {
		d.MediaNoun = mediaNoun(it.Pair.Modality, d.Lang)
	}
	for _, m := range it.Media {
		d.Media = append(d.Media, MediaInfo{Kind: m.Kind, MIME: m.MIME})
	}
	return d
}

// mediaNouns name the media in each language: image, audio, video.
var mediaNouns = map[string][3]string{
	"en": {"image", "audio clip", "video"},
	"ja": {"画像", "音声", "動画"},
	"zh": {"图片", "音频", "视频"},
}

func mediaNoun(m eh.Modality, lang string) string {
	n := mediaNouns[lang]
	switch m {
	case eh.Image:
		return n[0]
	case eh.Audio:
		return n[1]
	}
	return n[2]
}

// prompt renders the template of the given name (without language and
// version: "direct") in the item's language, and returns the template's full
// name ("direct.ja.v1") with the text.
func prompt(name string, it *eh.Item, d promptData) (tmpl, text string, err error) {
	if tmpl, err = templateFor(name, it); err != nil {
		return "", "", err
	}
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, tmpl+".tmpl", d); err != nil {
		return "", "", fmt.Errorf("template %s: %w", tmpl, err)
	}
	return tmpl, b.String(), nil
}

// userMessage puts the item's media first, then the text.
func userMessage(it *eh.Item, text string) eh.Message {
	m := eh.Message{Role: "user"}
	for i := range it.Media {
		m.Parts = append(m.Parts, eh.Part{Media: &it.Media[i]})
	}
	m.Parts = append(m.Parts, eh.Part{Text: text})
	return m
}

// call sends one request and returns it as a step of the transcript.
func call(ctx context.Context, m eh.Model, it *eh.Item, o Options, name, tmpl string, msgs []eh.Message, sample int, temp *float64) (eh.Step, error) {
	req := &eh.Request{Template: tmpl, Messages: msgs, Temperature: o.Temperature, Seed: o.Seed,
		MaxTokens: o.MaxTokens, Logprobs: o.Logprobs, Sample: sample, Item: it.Label()}
	if temp != nil {
		req.Temperature = temp
	}
	if o.Prompt != nil {
		req.System = o.Prompt.System
	}
	st := eh.Step{Name: name, Template: tmpl, Prompt: msgs}
	start := time.Now()
	resp, err := m.Generate(ctx, req)
	if err != nil {
		st.Error = err.Error()
		st.LatencyMS = ms(time.Since(start))
		return st, err
	}
	st.Response, st.Usage, st.YesProb, st.Cached = resp.Text, resp.Usage, resp.YesProb, resp.Cached
	st.LatencyMS = resp.LatencyMS
	if st.LatencyMS == 0 {
		st.LatencyMS = ms(time.Since(start))
	}
	return st, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// confidenceFromYesProb turns P(yes) into confidence in the extracted answer.
func confidenceFromYesProb(a eh.Answer, p *float64) *float64 {
	if p == nil || a == eh.AnswerUnparsed {
		return nil
	}
	c := *p
	if a == eh.AnswerNo {
		c = 1 - c
	}
	return &c
}

// Single sends one prompt once: direct (the question alone, with its context)
// or cot (reason step by step, then a stated answer).
type Single struct {
	name string
	tmpl string // template name without language and version
	opt  Options
	// user is the user's template replacing tmpl (nil: none).
	user *template.Template
}

// Name implements emohallucer.Strategy.
func (s *Single) Name() string { return s.name }

// Answer implements emohallucer.Strategy.
func (s *Single) Answer(ctx context.Context, m eh.Model, it *eh.Item) (*eh.Outcome, error) {
	d := dataFor(it)
	tmpl, text, err := s.render(it, d)
	if err != nil {
		return nil, err
	}
	msgs, err := s.fewShot(it, d)
	if err != nil {
		return nil, err
	}
	msgs = append(msgs, userMessage(it, text))
	st, err := call(ctx, m, it, s.opt, "answer", s.name+":"+tmpl, msgs, 0, nil)
	out := &eh.Outcome{Rule: s.opt.Rule, Steps: []eh.Step{st}}
	if err != nil {
		return out, err
	}
	out.Steps[0].Answer, _ = extract.Extract(s.opt.Rule, st.Response)
	out.Raw, out.Answer = st.Response, out.Steps[0].Answer
	out.Confidence = confidenceFromYesProb(out.Answer, st.YesProb)
	return out, nil
}

// render is the question prompt: the user's template when the config gives
// one (named user-<prompt digest>, so the cache key changes with it), else
// the built-in template in the item's language.
func (s *Single) render(it *eh.Item, d promptData) (tmpl, text string, err error) {
	if s.user == nil {
		return prompt(s.tmpl, it, d)
	}
	text, err = render(s.user, d)
	return "user-" + s.opt.Prompt.Digest(), text, err
}

// fewShot renders the configured examples as user and assistant turns,
// each question through the same template as the real one, in the item's
// language and modality but without media.
func (s *Single) fewShot(it *eh.Item, d promptData) ([]eh.Message, error) {
	if s.opt.Prompt == nil {
		return nil, nil
	}
	var msgs []eh.Message
	for _, ex := range s.opt.Prompt.FewShot {
		e := d
		e.Question, e.Context, e.HasMedia, e.MediaNoun, e.Media = ex.Question, ex.Context, false, "", nil
		_, text, err := s.render(it, e)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, eh.UserText(text), assistant(ex.Answer))
	}
	return msgs, nil
}
