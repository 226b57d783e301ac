package knowledge

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteSources writes the bibliography of the knowledge base as Markdown: every
// distinct citation, with the sub-categories and number of pairs that rest on it.
func WriteSources(w io.Writer, facts []Fact) error {
	type use struct {
		pairs int
		subs  map[string]bool
	}
	uses := map[string]*use{}
	for _, f := range facts {
		u := uses[f.Citation]
		if u == nil {
			u = &use{subs: map[string]bool{}}
			uses[f.Citation] = u
		}
		u.pairs += len(f.Variants)
		u.subs[f.SubCategory] = true
	}
	cites := make([]string, 0, len(uses))
	for c := range uses {
		cites = append(cites, c)
	}
	sort.Strings(cites)
	fmt.Fprintln(w, "# Sources of the builtin knowledge base")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every knowledge pair of `--suite builtin` is written by this project in its own words and cites the work below that its gold answer rests on. This file is generated from `knowledge/facts/*.yaml`; `go test ./knowledge -update` rewrites it.")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%d works, %d facts, %d pairs.\n\n", len(cites), len(facts), len(Pairs(facts)))
	for _, c := range cites {
		u := uses[c]
		var subs []string
		for s := range u.subs {
			subs = append(subs, s)
		}
		sort.Strings(subs)
		if _, err := fmt.Fprintf(w, "- %s — %s, %d pair(s)\n", strings.TrimSpace(c), strings.Join(subs, ", "), u.pairs); err != nil {
			return err
		}
	}
	return nil
}
