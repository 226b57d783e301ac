package review

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/suite"
)

//go:embed page.js
var pageJS string

//go:embed page.css
var pageCSS string

//go:embed page.html.tmpl
var pageHTML string

var pageTmpl = template.Must(template.New("review").Parse(pageHTML))

// PageOptions describe a review page.
type PageOptions struct {
	// Suite names the suite in the title; Dir is its folder, where media are
	// read from (empty for builtin, which has none).
	Suite, Dir string
	Seed       uint64
	// Rater is the name the page suggests; the reviewer can change it.
	Rater string
}

// CSP is the page's Content-Security-Policy: nothing may be fetched, media
// come only from data URIs, and the only style and script allowed are the
// page's own inline ones, named by their SHA-256 (no 'unsafe-inline'), so a
// passage that smuggled markup into the page could run nothing.
func CSP() string {
	return "default-src 'none'; img-src data:; media-src data:; style-src '" + hashSource(pageCSS) +
		"'; script-src '" + hashSource(pageJS) + "'; base-uri 'none'; form-action 'none'"
}

// hashSource is a CSP hash source for an inline element's exact text.
func hashSource(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

type pageData struct {
	Title, Suite, Key, Rater, CSP string
	Seed                          uint64
	JS                            template.JS
	CSS                           template.CSS
	Pairs                         []pairView
	Sources                       []string
}

type pairView struct {
	N                                  int
	ID, Source, SubCategory, Modality  string
	Dimension, Corruption, Origin      string
	Text, Basic, Hallucinated, Explain string
	Media                              []mediaView
}

type mediaView struct {
	Kind string
	Name string
	URL  template.URL
}

// WritePage writes the self-contained review page of pairs to w: every pair
// with its context, media embedded as data URIs, both questions with their
// gold answers and the explanation; keyboard-driven verdicts kept in the
// browser's localStorage and exported as JSONL verdict lines. Everything taken
// from the suite is escaped by html/template.
func WritePage(w io.Writer, pairs []*eh.Pair, o PageOptions) error {
	d := pageData{Title: fmt.Sprintf("Review of %s: %d pairs", o.Suite, len(pairs)), Suite: o.Suite, Rater: o.Rater,
		CSP: CSP(), Seed: o.Seed, JS: template.JS(pageJS), CSS: template.CSS(pageCSS)}
	key := sha256.New()
	fmt.Fprintf(key, "%s\x00%d\x00%s", o.Suite, o.Seed, o.Rater)
	seen := map[string]bool{}
	for i, p := range pairs {
		fmt.Fprintf(key, "\x00%s", p.ID)
		v := pairView{N: i + 1, ID: p.ID, Source: SourceOf(p), SubCategory: string(p.SubCategory), Modality: string(p.Modality),
			Dimension: string(p.Dimension), Corruption: p.Corruption, Origin: origin(p.Source),
			Text: p.Context.Text, Basic: p.Basic.Text, Hallucinated: p.Hallucinated.Text, Explain: p.Explanation}
		for _, m := range p.Context.Media {
			mv, err := embedMedia(o.Dir, m)
			if err != nil {
				return fmt.Errorf("review page: pair %s: %w", p.ID, err)
			}
			v.Media = append(v.Media, mv)
		}
		if !seen[v.Source] {
			seen[v.Source] = true
			d.Sources = append(d.Sources, v.Source)
		}
		d.Pairs = append(d.Pairs, v)
	}
	// The storage key ties saved verdicts to this exact sample and suggested
	// rater, so two review pages opened in one browser never mix their state,
	// not even two raters' pages of the same sample.
	d.Key = hex.EncodeToString(key.Sum(nil)[:8])
	return pageTmpl.Execute(w, d)
}

func origin(s eh.Source) string {
	if s.Dataset != "" {
		return strings.TrimSpace(s.Dataset + " " + s.ID)
	}
	return s.Citation
}

// embedMedia reads a media file of the suite into a data URI.
func embedMedia(dir string, m eh.Media) (mediaView, error) {
	full, err := suite.Resolve(dir, m.Path)
	if err != nil {
		return mediaView{}, err
	}
	b, err := os.ReadFile(full)
	if err != nil {
		return mediaView{}, err
	}
	mime := m.MIME
	if mime == "" {
		mime = suite.MIMEOf(m.Path)
	}
	return mediaView{Kind: string(m.Kind), Name: m.Path,
		URL: template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b))}, nil
}
