package report

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/suite"
)

// The error browser holds every failed pair of every run. It is embedded as
// one JSON document in a <script type="application/json"> element, which the
// browser never runs, and the page's one hashed script renders it a page of
// errorsPerPage cards at a time: ten thousand failed pairs make a few
// megabytes of JSON but only fifty cards in the document at once. html/template
// escapes the JSON for a script element (every "<" becomes \u003c), so model
// output cannot end the element; the script builds cards with textContent and
// never parses model text as HTML.

// errorsPerPage is how many failed pairs the browser renders at once.
const errorsPerPage = 50

// errorData is the JSON document of the error browser.
type errorData struct {
	// Runs are the names of the runs in the model filter; Items refer to them
	// by index.
	Runs []string `json:"runs"`
	// Views are the view names of the view filter; Items list theirs by index.
	Views []string `json:"views"`
	// Pairs hold what the suite says of each failed pair, once however many
	// runs failed it; Items refer to them by index.
	Pairs []*errorPair `json:"pairs"`
	// Media are the data URIs (or file links) of the pairs' media, by the
	// file's path.
	Media map[string]string `json:"media"`
	// Items are the failed pairs, stratified (see stratify).
	Items   []*errorItem `json:"items"`
	PerPage int          `json:"per_page"`
	// UI holds the script's messages in the report's language (see
	// scriptMessages).
	UI map[string]string `json:"ui"`
}

// errorPair is the suite's side of a pair.
type errorPair struct {
	Context     string            `json:"context,omitempty"`
	Explanation string            `json:"explanation,omitempty"`
	Questions   map[string]string `json:"questions,omitempty"`
	Media       []errorMedia      `json:"media,omitempty"`
}

type errorMedia struct {
	Kind string `json:"kind"`
	// Name is the path in the suite, File the key of its URL in Media.
	Name string `json:"name"`
	File string `json:"file"`
}

// errorItem is one failed pair of one run.
type errorItem struct {
	Run  int    `json:"run"`
	Pair string `json:"pair"`
	// Detail is the index of the pair's suite side in Pairs, -1 when no suite
	// was given.
	Detail      int              `json:"detail"`
	Source      string           `json:"source"`
	Modality    string           `json:"modality"`
	SubCategory string           `json:"subcategory"`
	Kind        string           `json:"kind"`
	Views       []int            `json:"views"`
	Questions   [2]errorQuestion `json:"questions"`
	// recs are the basic and hallucinated records, for their transcripts;
	// pair is the pair in its suite (nil when unknown), dir the suite folder.
	recs [2]*eh.Record
	pair *eh.Pair
	dir  string
}

type errorQuestion struct {
	Role    string     `json:"role"`
	Gold    string     `json:"gold"`
	Answer  string     `json:"answer"`
	Correct bool       `json:"correct"`
	Raw     string     `json:"raw"`
	Steps   []stepView `json:"steps,omitempty"`
	// StepsLeftOut counts the strategy steps not embedded because the
	// transcript budget was spent (all of the answer's, or none).
	StepsLeftOut int `json:"steps_left_out,omitempty"`
}

type stepView struct {
	Name     string `json:"name"`
	Prompt   string `json:"prompt"`
	Response string `json:"response"`
	Error    string `json:"error,omitempty"`
}

// errorBrowser collects the failed pairs of every run with records, and a note
// on what it left out.
func errorBrowser(runs []Run, viewNames []string, opt HTMLOptions) (*errorData, string) {
	d := &errorData{Views: viewNames, Pairs: []*errorPair{}, Media: map[string]string{}, Items: []*errorItem{}, PerPage: errorsPerPage, UI: scriptMessages(opt.Lang)}
	type inSuite struct {
		pair *eh.Pair
		dir  string
	}
	suites := map[string]map[string]inSuite{} // suite name → pair id → pair
	known := false
	suiteOf := func(name string) map[string]inSuite {
		s := opt.Suite
		if s == nil {
			s = opt.Suites[name]
		}
		if s == nil {
			return nil
		}
		known = true
		if suites[name] == nil {
			m := map[string]inSuite{}
			for i := range s.Pairs {
				m[s.Pairs[i].ID] = inSuite{&s.Pairs[i], s.Dir}
			}
			suites[name] = m
		}
		return suites[name]
	}
	d.Runs = runNames(runs)
	for ri := range runs {
		r := &runs[ri]
		if r.Records == nil {
			continue
		}
		pairs := suiteOf(r.Scores.Run.Suite)
		byPair := map[string][2]*eh.Record{}
		for _, rec := range r.Records {
			pr := byPair[rec.Pair]
			if rec.Role == eh.Basic {
				pr[0] = rec
			} else {
				pr[1] = rec
			}
			byPair[rec.Pair] = pr
		}
		for id, pr := range byPair {
			b, h := pr[0], pr[1]
			if b == nil || h == nil || b.Status != eh.StatusAnswered || h.Status != eh.StatusAnswered || (b.Correct() && h.Correct()) {
				continue
			}
			it := &errorItem{Run: ri, Pair: id, Detail: -1, recs: pr, Views: []int{}, Modality: string(b.Modality), SubCategory: string(b.SubCategory), Kind: errorKind(b, h),
				Source: sourceOf(pairs[id].pair, b), pair: pairs[id].pair, dir: pairs[id].dir}
			for vi, v := range viewNames {
				if score.ViewMatches(v, b) {
					it.Views = append(it.Views, vi)
				}
			}
			for k, rec := range []*eh.Record{b, h} {
				it.Questions[k] = errorQuestion{Role: string(rec.Role), Gold: string(rec.Gold), Answer: string(rec.Answer), Raw: bound(rec.Raw), Correct: rec.Correct()}
			}
			d.Items = append(d.Items, it)
		}
	}
	d.Items = stratify(d.Items)
	// Suite details and transcripts go in stratified order, so that the first
	// pages of every filter get them when a budget runs out.
	embedded, transcripts, leftOut := int64(0), int64(0), 0
	details := map[*eh.Pair]int{}
	for _, it := range d.Items {
		if p := it.pair; p != nil {
			if _, ok := details[p]; !ok {
				details[p] = len(d.Pairs)
				d.Pairs = append(d.Pairs, pairDetail(p, it.dir, d.Media, &embedded, opt.MaxEmbedBytes))
			}
			it.Detail = details[p]
		}
		for k := range it.Questions {
			q := &it.Questions[k]
			rec := it.recs[k]
			if len(rec.Steps) < 2 { // one step: its response is Raw
				continue
			}
			// A transcript is shown whole or not at all.
			size := int64(0)
			steps := make([]stepView, len(rec.Steps))
			for i, st := range rec.Steps {
				steps[i] = stepView{Name: st.Name, Prompt: bound(promptText(st.Prompt)), Response: bound(st.Response), Error: bound(st.Error)}
				size += int64(len(steps[i].Prompt) + len(steps[i].Response) + len(steps[i].Error))
			}
			if transcripts+size > opt.MaxTranscriptBytes {
				q.StepsLeftOut = len(steps)
				leftOut++
				continue
			}
			transcripts += size
			q.Steps = steps
		}
	}
	var notes []string
	if leftOut > 0 {
		notes = append(notes, t(opt.Lang, "err.left_out", leftOut))
	}
	if !known {
		notes = append(notes, t(opt.Lang, "err.no_suite"))
	}
	return d, strings.Join(notes, t(opt.Lang, "err.note_sep"))
}

// pairDetail is the suite's side of a pair; its media go into media, embedded
// while *embedded stays within budget.
func pairDetail(p *eh.Pair, dir string, media map[string]string, embedded *int64, budget int64) *errorPair {
	ep := &errorPair{Context: bound(p.Context.Text), Explanation: bound(p.Explanation),
		Questions: map[string]string{string(eh.Basic): bound(p.Basic.Text), string(eh.Hallucinated): bound(p.Hallucinated.Text)}}
	for _, m := range p.Context.Media {
		file := filepath.Join(dir, filepath.FromSlash(m.Path))
		ep.Media = append(ep.Media, errorMedia{Kind: string(m.Kind), Name: m.Path, File: file})
		if _, ok := media[file]; !ok {
			url, n := mediaFor(file, m, budget-*embedded)
			media[file] = url
			*embedded += n
		}
	}
	return ep
}

// sourceOf names where a pair came from, for stratifying and filtering: its
// dataset, "knowledge" for written knowledge items, else (no suite given) its
// modality.
func sourceOf(p *eh.Pair, r *eh.Record) string {
	switch {
	case p != nil && p.Source.Dataset != "":
		return p.Source.Dataset
	case r.Dimension == eh.Knowledge:
		return "knowledge"
	}
	return string(r.Modality)
}

// stratify orders failed pairs so that any prefix of the list covers the
// strata evenly: round-robin over sources, within each over runs, within each
// over sub-categories, pairs by id. The first page then shows every source
// (when there are fewer sources than a page holds) rather than the first 50
// ids of one dataset.
func stratify(items []*errorItem) []*errorItem {
	sort.Slice(items, func(i, j int) bool {
		if items[i].Pair != items[j].Pair {
			return items[i].Pair < items[j].Pair
		}
		return items[i].Run < items[j].Run
	})
	keys := []func(*errorItem) string{
		func(it *errorItem) string { return it.Source },
		func(it *errorItem) string { return fmt.Sprintf("%06d", it.Run) },
		func(it *errorItem) string { return it.SubCategory },
	}
	return interleave(items, keys)
}

// interleave groups items by keys[0] (groups in key order, items in their
// order), interleaves each group by the remaining keys, and deals the groups
// out round-robin.
func interleave(items []*errorItem, keys []func(*errorItem) string) []*errorItem {
	if len(keys) == 0 || len(items) < 2 {
		return items
	}
	groups := map[string][]*errorItem{}
	var names []string
	for _, it := range items {
		k := keys[0](it)
		if _, ok := groups[k]; !ok {
			names = append(names, k)
		}
		groups[k] = append(groups[k], it)
	}
	sort.Strings(names)
	lists := make([][]*errorItem, len(names))
	for i, n := range names {
		lists[i] = interleave(groups[n], keys[1:])
	}
	out := make([]*errorItem, 0, len(items))
	for len(out) < len(items) {
		for i := range lists {
			if len(lists[i]) > 0 {
				out = append(out, lists[i][0])
				lists[i] = lists[i][1:]
			}
		}
	}
	return out
}

// errorKinds are the kinds errorKind gives, in the error filter's order.
var errorKinds = []string{"yes-bias", "no-bias", "both", "unparsed"}

// errorKind says which way a failed pair went wrong: yes-bias (the hallucinated
// question answered yes), no-bias (the basic question answered no), both, or
// unparsed.
func errorKind(b, h *eh.Record) string {
	yes := h.Answer == eh.AnswerYes
	no := b.Answer == eh.AnswerNo
	switch {
	case yes && no:
		return "both"
	case yes:
		return "yes-bias"
	case no:
		return "no-bias"
	}
	return "unparsed"
}

func promptText(msgs []eh.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("[" + m.Role + "] ")
		for _, p := range m.Parts {
			if p.Media != nil {
				fmt.Fprintf(&b, "<%s %s…> ", p.Media.Kind, p.Media.SHA256[:min(12, len(p.Media.SHA256))])
			}
			b.WriteString(p.Text)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// bound keeps untrusted text valid UTF-8 and of bounded size.
func bound(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > maxShown {
		cut := maxShown
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + " …[truncated]"
	}
	return s
}

// mediaFor embeds a media file as a data URI while the budget lasts, else links
// it by path; it returns the URL and the bytes embedded.
func mediaFor(full string, m eh.Media, budget int64) (string, int64) {
	mime := m.MIME
	if mime == "" {
		mime = suite.MIMEOf(m.Path)
	}
	if st, err := os.Stat(full); err == nil && st.Size() <= budget {
		if b, err := os.ReadFile(full); err == nil {
			return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b), int64(len(b))
		}
	}
	return "file://" + filepath.ToSlash(full), 0
}
