package audit

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	eh "github.com/emohallucer/emohallucer"
)

// ArtifactThreshold is the question-only accuracy above which a suite is said to
// leak its roles through wording. The builtin suite must stay at or below it.
const ArtifactThreshold = 0.60

// OverlapFailures lists, in report order, where the context-overlap baseline is
// above its targets: OverlapThreshold overall, OverlapSubThreshold in any
// sub-category. It is empty for a suite with no text contexts.
func (r *Report) OverlapFailures() []string {
	return overlapFailures("", r.OverlapBaselineAccuracy, r.OverlapPairs, r.OverlapPerSubCategory)
}

// overlapFailures checks one overlap baseline against its targets, prefixing
// each failure with prefix (a language, or nothing for the whole suite).
func overlapFailures(prefix string, acc float64, pairs int, subs []OverlapSubCategory) []string {
	if pairs == 0 {
		return nil
	}
	var out []string
	if acc > OverlapThreshold {
		out = append(out, fmt.Sprintf("%scontext-overlap baseline pair accuracy %.3f > %.2f over %d pairs", prefix, acc, OverlapThreshold, pairs))
	}
	for _, sc := range subs {
		if sc.Accuracy > OverlapSubThreshold {
			out = append(out, fmt.Sprintf("%scontext-overlap baseline on %s %.3f > %.2f over %d pairs", prefix, sc.SubCategory, sc.Accuracy, OverlapSubThreshold, sc.Pairs))
		}
	}
	return out
}

// WriteText writes the report as a human-readable table.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	p("suite\t%s\n", r.Suite)
	p("pairs / questions\t%d / %d\n", r.Pairs, r.Questions)
	balance := "balanced"
	if r.GoldYes != r.GoldNo {
		balance = "UNBALANCED"
	}
	p("gold yes / no\t%d / %d  (%s)\n", r.GoldYes, r.GoldNo, balance)
	p("exact duplicates\t%d\n", r.Duplicates)
	p("near-duplicates (Jaccard ≥ %.2f)\t%d\n", r.NearThreshold, r.NearDuplicates)
	p("length hallucinated − basic\tmean %+.2f words, mean |diff| %.2f (basic %.1f words)\n", r.LengthDiffMean, r.LengthAbsDiffMean, r.BasicLengthMean)
	if r.Folds > 0 {
		verdict := "no wording leak detected"
		if r.ArtifactAccuracy > ArtifactThreshold {
			verdict = fmt.Sprintf("LEAK: above %.2f", ArtifactThreshold)
		}
		p("question-only artifact accuracy\t%.3f  [%.3f, %.3f] 95%% CI, %d folds by pair, seed %d  (%s)\n",
			r.ArtifactAccuracy, r.ArtifactCI95[0], r.ArtifactCI95[1], r.Folds, r.Seed, verdict)
		p("  pairwise (basic looks more basic)\t%.3f\n", r.ArtifactPairAccuracy)
		if r.ArtifactNullMean > 0 {
			p("  chance baseline (roles permuted)\tmean %.3f, 95th pct %.3f\n", r.ArtifactNullMean, r.ArtifactNullP95)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.PerSubCategory) > 0 {
		fmt.Fprintln(w, "\nper sub-category")
		p("  subcategory\tpairs\tartifact acc\t95%% CI\tlength diff\n")
		for _, s := range r.PerSubCategory {
			p("  %s\t%d\t%.3f\t[%.3f, %.3f]\t%+.2f\n", s.SubCategory, s.Pairs, s.ArtifactAccuracy, s.ArtifactCI95[0], s.ArtifactCI95[1], s.LengthDiffMean)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if r.OverlapPairs > 0 {
		verdict := "not solvable by word matching"
		if len(r.OverlapFailures()) > 0 {
			verdict = fmt.Sprintf("WORD MATCHING SOLVES IT: above %.2f overall or %.2f in a sub-category", OverlapThreshold, OverlapSubThreshold)
		}
		fmt.Fprintln(w, "\ncontext-overlap baseline (yes to the question sharing more content words with the passage; chance 0.25)")
		p("  subcategory\tpairs\tpair acc\tties\n")
		p("  all with text\t%d\t%.3f\t%d\t(%s)\n", r.OverlapPairs, r.OverlapBaselineAccuracy, r.OverlapTies, verdict)
		for _, sc := range r.OverlapPerSubCategory {
			p("  %s\t%d\t%.3f\t%d\t\n", sc.SubCategory, sc.Pairs, sc.Accuracy, sc.Ties)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.ByLang) > 1 {
		fmt.Fprintln(w, "\nper language (each audited on its own; CJK text in character bigrams)")
		p("  lang\tpairs\tartifact acc\t95%% CI\toverlap acc\toverlap pairs\n")
		for _, l := range eh.Langs {
			if la := r.ByLang[l]; la != nil {
				p("  %s\t%d\t%.3f\t[%.3f, %.3f]\t%.3f\t%d\n", l, la.Pairs, la.ArtifactAccuracy, la.ArtifactCI95[0], la.ArtifactCI95[1], la.OverlapBaselineAccuracy, la.OverlapPairs)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	tokens := func(title string, ts []TokenWeight) {
		if len(ts) == 0 {
			return
		}
		parts := make([]string, len(ts))
		for i, t := range ts {
			parts[i] = fmt.Sprintf("%q %d/%d", t.Token, t.Basic, t.Hallucinated)
		}
		fmt.Fprintf(w, "\n%s (basic/hallucinated counts):\n  %s\n", title, strings.Join(parts, ", "))
	}
	tokens("tokens pointing to basic", r.TopBasicTokens)
	tokens("tokens pointing to hallucinated", r.TopHallucinatedTokens)
	if len(r.SwapTerms) > 0 {
		parts := make([]string, len(r.SwapTerms))
		for i, t := range r.SwapTerms {
			parts[i] = fmt.Sprintf("%q %d/%d", t.Term, t.Basic, t.Hallucinated)
		}
		fmt.Fprintf(w, "\none-sided swap terms (basic/hallucinated side):\n  %s\n", strings.Join(parts, ", "))
	}
	if len(r.DuplicateList) > 0 {
		fmt.Fprintln(w, "\nexact duplicates:")
		for _, g := range r.DuplicateList {
			refs := make([]string, len(g.Questions))
			for i, q := range g.Questions {
				refs[i] = q.Pair + "/" + string(q.Role)
			}
			fmt.Fprintf(w, "  %q: %s\n", g.Questions[0].Text, strings.Join(refs, ", "))
		}
	}
	if len(r.NearDuplicateList) > 0 {
		fmt.Fprintln(w, "\nnear-duplicates:")
		for _, n := range r.NearDuplicateList {
			fmt.Fprintf(w, "  %.2f  %s/%s %q\n        %s/%s %q\n", n.Jaccard, n.A.Pair, n.A.Role, n.A.Text, n.B.Pair, n.B.Role, n.B.Text)
		}
	}
	if !r.ListsComplete {
		fmt.Fprintln(w, "  (lists cut short; counts above are complete; --list N shows more)")
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	return nil
}
