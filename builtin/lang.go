package builtin

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/knowledge"
)

// langFiles holds the builtin suite in other languages than English:
//
//	i18n/<lang>/knowledge-*.yaml  overlays of knowledge facts (FactOverlay)
//	i18n/<lang>/text-*.yaml       overlays of text passages (PassageOverlay)
//	native/<lang>/*.yaml          passages written in the language (Passage)
//
//go:embed i18n native
var langFiles embed.FS

// FactOverlay renders one English knowledge fact in another language. Topic,
// sub-category, corruptions and citation are the English fact's; the overlay
// carries only the text. Variants mirror the English variants one to one, and a
// variant's Basic and Explanation are present exactly when the English
// variant's are.
type FactOverlay struct {
	ID          string           `yaml:"id"`
	Question    string           `yaml:"question"`
	Explanation string           `yaml:"explanation"`
	Variants    []VariantOverlay `yaml:"variants"`
}

// VariantOverlay is the text of one variant of a FactOverlay.
type VariantOverlay struct {
	Question    string `yaml:"question"`
	Basic       string `yaml:"basic,omitempty"`
	Explanation string `yaml:"explanation,omitempty"`
}

// PassageOverlay renders one English passage and its pairs in another
// language; kind, sub-categories and corruptions are the English passage's.
type PassageOverlay struct {
	ID      string        `yaml:"id"`
	Context string        `yaml:"context"`
	Pairs   []PairOverlay `yaml:"pairs"`
}

// PairOverlay is the text of one pair of a PassageOverlay.
type PairOverlay struct {
	Basic        string `yaml:"basic"`
	Hallucinated string `yaml:"hallucinated"`
	Explanation  string `yaml:"explanation"`
}

// Coverage says how much of the English builtin suite one language renders,
// and how much it adds of its own. Missing renderings are allowed; Coverage is
// how they show.
type Coverage struct {
	Lang eh.Lang `json:"lang"`
	// Facts and Passages count the English facts and passages rendered, out of
	// FactsTotal and PassagesTotal; Renderings counts the pairs they give.
	Facts         int `json:"facts"`
	FactsTotal    int `json:"facts_total"`
	Passages      int `json:"passages"`
	PassagesTotal int `json:"passages_total"`
	Renderings    int `json:"renderings"`
	// NativePassages and NativePairs count the items written in the language.
	NativePassages int `json:"native_passages"`
	NativePairs    int `json:"native_pairs"`
	// MissingFacts and MissingPassages list the ids not rendered.
	MissingFacts    []string `json:"missing_facts,omitempty"`
	MissingPassages []string `json:"missing_passages,omitempty"`
}

// Languages returns the pairs of fsys (laid out as langFiles) in every language
// but English: renderings of the English facts and passages given, with id
// "<English pair id>.<lang>", Lang and TranslationOf set; and native passages,
// with Lang set and no TranslationOf. It also returns each language's coverage.
// An overlay naming no English item, or with a different number of variants or
// pairs, is an EINVALID error naming the file and the id.
func Languages(fsys fs.FS, facts []knowledge.Fact, passages []Passage) ([]eh.Pair, []Coverage, error) {
	if err := checkLangFolders(fsys); err != nil {
		return nil, nil, err
	}
	factByID := make(map[string]*knowledge.Fact, len(facts))
	for i := range facts {
		factByID[facts[i].ID] = &facts[i]
	}
	passageByID := make(map[string]*Passage, len(passages))
	for i := range passages {
		passageByID[passages[i].ID] = &passages[i]
	}
	var out []eh.Pair
	var covs []Coverage
	for _, lang := range eh.Langs[1:] {
		cov := Coverage{Lang: lang, FactsTotal: len(facts), PassagesTotal: len(passages)}
		seen := map[string]string{} // "kind:id" → file, across the language's files
		dir := "i18n/" + string(lang) + "/"
		kp, nf, err := renderFiles(fsys, dir+"knowledge-*.yaml", "fact", factByID, seen,
			func(o *FactOverlay) string { return o.ID },
			func(o *FactOverlay, f *knowledge.Fact) ([]eh.Pair, error) {
				t, err := o.apply(f)
				if err != nil {
					return nil, err
				}
				return renderings(knowledge.Pairs([]knowledge.Fact{t}), lang), nil
			})
		if err != nil {
			return nil, nil, err
		}
		tp, np, err := renderFiles(fsys, dir+"text-*.yaml", "passage", passageByID, seen,
			func(o *PassageOverlay) string { return o.ID },
			func(o *PassageOverlay, p *Passage) ([]eh.Pair, error) {
				t, err := o.apply(p)
				if err != nil {
					return nil, err
				}
				return renderings(TextPairs([]Passage{t}), lang), nil
			})
		if err != nil {
			return nil, nil, err
		}
		out = append(append(out, kp...), tp...)
		cov.Facts, cov.Passages, cov.Renderings = nf, np, len(kp)+len(tp)
		native, err := parsePassages(fsys, "native/"+string(lang)+"/*.yaml")
		if err != nil {
			return nil, nil, err
		}
		for _, p := range native {
			if !strings.HasPrefix(p.ID, string(lang)+"-") {
				return nil, nil, eh.Errorf(eh.EINVALID, "builtin native passage %q: ids of native/%s start with %q", p.ID, lang, string(lang)+"-")
			}
		}
		nps := TextPairs(native)
		for i := range nps {
			nps[i].Lang = lang
		}
		out = append(out, nps...)
		cov.NativePassages, cov.NativePairs = len(native), len(nps)
		for _, f := range facts {
			if _, ok := seen["fact:"+f.ID]; !ok {
				cov.MissingFacts = append(cov.MissingFacts, f.ID)
			}
		}
		for _, p := range passages {
			if _, ok := seen["passage:"+p.ID]; !ok {
				cov.MissingPassages = append(cov.MissingPassages, p.ID)
			}
		}
		covs = append(covs, cov)
	}
	return out, covs, nil
}

// renderFiles decodes the overlay files of fsys matching pattern as lists of O
// and renders each entry: byID finds the English item (a kind) its id names,
// render gives the entry's pairs. It returns the pairs and how many items were
// rendered. seen holds the items rendered so far in the language ("kind:id" →
// file), so that an item is rendered at most once.
func renderFiles[O, E any](fsys fs.FS, pattern, kind string, byID map[string]*E, seen map[string]string,
	idOf func(*O) string, render func(*O, *E) ([]eh.Pair, error)) ([]eh.Pair, int, error) {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, 0, err
	}
	sort.Strings(files)
	var out []eh.Pair
	n := 0
	for _, file := range files {
		var ovs []O
		if err := decodeYAML(fsys, file, &ovs); err != nil {
			return nil, 0, err
		}
		for i := range ovs {
			id := idOf(&ovs[i])
			e, ok := byID[id]
			if !ok {
				return nil, 0, eh.Errorf(eh.EINVALID, "builtin file %s entry %d: no English %s has id %q", file, i+1, kind, id)
			}
			if first, dup := seen[kind+":"+id]; dup {
				return nil, 0, eh.Errorf(eh.EINVALID, "builtin file %s: %s %q is rendered again (first in %s)", file, kind, id, first)
			}
			seen[kind+":"+id] = file
			ps, err := render(&ovs[i], e)
			if err != nil {
				return nil, 0, eh.Errorf(eh.EINVALID, "builtin file %s %s %s: %v", file, kind, id, err)
			}
			out = append(out, ps...)
			n++
		}
	}
	return out, n, nil
}

// checkLangFolders refuses YAML the loader would otherwise ignore: a language
// folder that is not ja or zh, an overlay in i18n/<lang> named neither
// knowledge-* nor text-*, or a file nested deeper. A misplaced file would
// silently drop a whole translation.
func checkLangFolders(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == "." {
			return err
		}
		parts := strings.Split(name, "/")
		switch {
		case len(parts) == 2 && d.IsDir():
			if l := eh.Lang(parts[1]); !l.Valid() || l == eh.English {
				return eh.Errorf(eh.EINVALID, "builtin folder %s: want ja or zh", name)
			}
		case len(parts) == 3 && !d.IsDir() && path.Ext(name) == ".yaml":
			if parts[0] == "i18n" && !strings.HasPrefix(parts[2], "knowledge-") && !strings.HasPrefix(parts[2], "text-") {
				return eh.Errorf(eh.EINVALID, "builtin file %s: an overlay's name starts with knowledge- or text-", name)
			}
		case len(parts) > 3:
			return eh.Errorf(eh.EINVALID, "builtin file %s: too deep (want <folder>/<lang>/<name>.yaml)", name)
		}
		return nil
	})
}

// apply returns the English fact f with its text replaced by the overlay's. The
// fact's note on what is contested is English prose, so a rendering goes
// without it; its explanation is the overlay's.
func (ov *FactOverlay) apply(f *knowledge.Fact) (knowledge.Fact, error) {
	if strings.TrimSpace(ov.Question) == "" || strings.TrimSpace(ov.Explanation) == "" {
		return knowledge.Fact{}, fmt.Errorf("needs question and explanation")
	}
	if len(ov.Variants) != len(f.Variants) {
		return knowledge.Fact{}, fmt.Errorf("has %d variants, the English fact %d", len(ov.Variants), len(f.Variants))
	}
	t := *f
	t.Question, t.Explanation, t.Contested = ov.Question, ov.Explanation, ""
	t.Variants = make([]knowledge.Variant, len(f.Variants))
	for i, v := range f.Variants {
		o := ov.Variants[i]
		switch {
		case strings.TrimSpace(o.Question) == "":
			return knowledge.Fact{}, fmt.Errorf("variant %d: missing question", i+1)
		case (v.Basic == "") != (o.Basic == ""):
			return knowledge.Fact{}, fmt.Errorf("variant %d: has basic exactly when the English variant does (English: %t)", i+1, v.Basic != "")
		case (v.Explanation == "") != (o.Explanation == ""):
			return knowledge.Fact{}, fmt.Errorf("variant %d: has explanation exactly when the English variant does (English: %t)", i+1, v.Explanation != "")
		}
		t.Variants[i] = knowledge.Variant{Corruption: v.Corruption, Basic: o.Basic, Question: o.Question, Explanation: o.Explanation}
	}
	return t, nil
}

// apply returns the English passage p with its text replaced by the overlay's.
func (ov *PassageOverlay) apply(p *Passage) (Passage, error) {
	if strings.TrimSpace(ov.Context) == "" {
		return Passage{}, fmt.Errorf("missing context")
	}
	if len(ov.Pairs) != len(p.Pairs) {
		return Passage{}, fmt.Errorf("has %d pairs, the English passage %d", len(ov.Pairs), len(p.Pairs))
	}
	t := *p
	t.Context = ov.Context
	t.Pairs = make([]TextPair, len(p.Pairs))
	for i, tp := range p.Pairs {
		o := ov.Pairs[i]
		if strings.TrimSpace(o.Basic) == "" || strings.TrimSpace(o.Hallucinated) == "" || strings.TrimSpace(o.Explanation) == "" {
			return Passage{}, fmt.Errorf("pair %d: needs basic, hallucinated and explanation", i+1)
		}
		tp.Basic, tp.Hallucinated, tp.Explanation = o.Basic, o.Hallucinated, o.Explanation
		t.Pairs[i] = tp
	}
	return t, nil
}

// renderings turns pairs expanded from a rendered fact or passage, which carry
// the English ids, into the renderings of those English pairs in lang.
func renderings(ps []eh.Pair, lang eh.Lang) []eh.Pair {
	for i := range ps {
		ps[i].TranslationOf = ps[i].ID
		ps[i].ID += "." + string(lang)
		ps[i].Lang = lang
	}
	return ps
}
