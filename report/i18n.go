package report

import (
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"
)

// Lang is the language a report is written in. Only what the report itself
// says is translated: model names, view names, run ids and model output are
// data and stay as they are.
type Lang string

// The report languages.
const (
	English  Lang = "en"
	Japanese Lang = "ja"
	Chinese  Lang = "zh" // Simplified
)

// Langs lists the report languages, English (the default) first.
var Langs = []Lang{English, Japanese, Chinese}

// ParseLang reads a --lang value; "" is English.
func ParseLang(s string) (Lang, error) {
	switch l := Lang(strings.ToLower(s)); l {
	case "":
		return English, nil
	case English, Japanese, Chinese:
		return l, nil
	case "zh-hans", "zh-cn":
		return Chinese, nil
	}
	return "", fmt.Errorf("unknown report language %q (want en, ja or zh)", s)
}

// htmlTag is the page's lang attribute: the script subtag tells browsers to
// pick Simplified Chinese glyphs rather than Japanese ones for shared Han
// characters.
func (l Lang) htmlTag() string {
	if l == Chinese {
		return "zh-Hans"
	}
	return string(l)
}

// date formats the report's generation time as its readers write dates.
func (l Lang) date(t time.Time) string {
	t = t.UTC()
	if l == English {
		return t.Format("2006-01-02 15:04 MST")
	}
	return t.Format("2006年1月2日 15:04 MST")
}

// Msg is one message of the report in every language. A message is a format
// for fmt.Sprintf when it is given arguments; translations may reorder them
// with explicit indexes (%[2]d).
type Msg struct {
	En, Ja, Zh string
	// Name marks a message that is the same in every language: a metric's or
	// test's name (Pct. Diff, McNemar p) that readers look up as it is; its
	// explanation is a message of its own. Ja and Zh stay empty.
	Name bool
}

// catalogue holds every message by id ("section.what"). Section files add
// theirs with addMessages from an init function.
var catalogue = map[string]Msg{}

// addMessages registers a section's messages. Ids are unique across the
// package: a repeated id is a programming error, found by any test.
func addMessages(m map[string]Msg) {
	for id, msg := range m {
		if _, dup := catalogue[id]; dup {
			panic("report: message " + id + " defined twice")
		}
		catalogue[id] = msg
	}
}

// t is message id in language l, formatted with args when there are any. A
// missing translation falls back to English (TestCatalogueComplete fails on
// it); an unknown id is a programming error and panics.
func t(l Lang, id string, args ...any) string {
	m, ok := catalogue[id]
	if !ok {
		panic("report: no message " + id)
	}
	s := m.En
	switch {
	case m.Name:
	case l == Japanese && m.Ja != "":
		s = m.Ja
	case l == Chinese && m.Zh != "":
		s = m.Zh
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// tIn is t in language l, as the templates' T function.
func tIn(l Lang) func(id string, args ...any) string {
	return func(id string, args ...any) string { return t(l, id, args...) }
}

// speaking is a copy of tmpl whose {{T "id" args…}} is message id in l. The
// templates are parsed with T in English and never executed themselves, so
// that they can be cloned.
func speaking(tmpl *template.Template, l Lang) *template.Template {
	return template.Must(tmpl.Clone()).Funcs(template.FuncMap{"T": tIn(l)})
}

// jsPrefix marks the messages of the page script: they reach it in the error
// browser's JSON, so that the script, and with it its CSP hash, is the same
// in every language.
const jsPrefix = "js."

// scriptMessages are the page script's messages in language l, by id without
// the prefix. In them {0}, {1} stand for the values the script fills in.
func scriptMessages(l Lang) map[string]string {
	out := map[string]string{}
	for id := range catalogue {
		if k, ok := strings.CutPrefix(id, jsPrefix); ok {
			out[k] = t(l, id)
		}
	}
	return out
}

// messageIDs lists the catalogue's ids in order, for tests.
func messageIDs() []string {
	ids := make([]string, 0, len(catalogue))
	for id := range catalogue {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
