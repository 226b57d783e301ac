package suite

import (
	"fmt"

	eh "github.com/emohallucer/emohallucer"
)

// checkTranslations checks what a single pair cannot: that every translation_of
// names a pair of the suite, asked the same way (dimension, sub-category,
// modality) in another language, that it names an original rather than another
// rendering (a fact is an original and its renderings, one level deep, so that
// scoring can group them), and that an original has at most one rendering per
// language. lines maps pair ids to the line they were read from; ids there but
// not in pairs belong to lines already reported as bad, and are not reported
// again as missing.
func checkTranslations(pairs []eh.Pair, lines map[string]int, name string) []Problem {
	byID := make(map[string]*eh.Pair, len(pairs))
	for i := range pairs {
		byID[pairs[i].ID] = &pairs[i]
	}
	rendered := map[[2]string]string{} // (original id, lang) → first rendering
	var probs []Problem
	for i := range pairs {
		p := &pairs[i]
		if p.TranslationOf == "" {
			continue
		}
		add := func(format string, args ...any) {
			probs = append(probs, Problem{File: name, Line: lines[p.ID], Pair: p.ID, Message: fmt.Sprintf(format, args...)})
		}
		orig, ok := byID[p.TranslationOf]
		if !ok {
			if _, bad := lines[p.TranslationOf]; !bad {
				add("translation_of %q: no such pair in the suite", p.TranslationOf)
			}
			continue
		}
		if orig.TranslationOf != "" {
			add("translation_of %q names a rendering of %q; name the original", p.TranslationOf, orig.TranslationOf)
		}
		if p.Language() == orig.Language() {
			add("translation_of %q: both pairs are in %s; a rendering is in another language", p.TranslationOf, p.Language())
		}
		if p.Dimension != orig.Dimension || p.SubCategory != orig.SubCategory || p.Modality != orig.Modality {
			add("translation_of %q: %s/%s/%s differs from the original's %s/%s/%s", p.TranslationOf,
				p.Dimension, p.SubCategory, p.Modality, orig.Dimension, orig.SubCategory, orig.Modality)
		}
		k := [2]string{p.TranslationOf, string(p.Language())}
		if first, dup := rendered[k]; dup {
			add("second %s rendering of %q (the first is %s)", p.Language(), p.TranslationOf, first)
		} else {
			rendered[k] = p.ID
		}
	}
	return probs
}
