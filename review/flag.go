package review

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/record"
)

// FlagOptions control FlagRuns.
type FlagOptions struct {
	// MinRuns is how many runs must have given a parsed answer to a pair
	// before it can be flagged (at least 1).
	MinRuns int
	// Suite, when known, gives the questions' text and the pairs' sources.
	Suite *eh.Suite
}

// Flags is what "suite flag" reports: the pairs whose gold most runs
// contradict, the candidates for review first (confident learning: where
// several models agree against a label, the label is the likelier error).
type Flags struct {
	Runs    []string  `json:"runs"`
	Pairs   int       `json:"pairs"`
	MinRuns int       `json:"min_runs"`
	Flagged []Flagged `json:"flagged"`
}

// Flagged is one pair that a majority of the runs that answered it contradict.
type Flagged struct {
	Pair         string `json:"pair"`
	Source       string `json:"source,omitempty"`
	SubCategory  string `json:"subcategory"`
	Modality     string `json:"modality"`
	Basic        string `json:"basic,omitempty"`
	Hallucinated string `json:"hallucinated,omitempty"`
	// Runs counts the runs with at least one parsed answer to the pair, of
	// which Contradicting said no to the basic question or yes to the
	// hallucinated one; Share is Contradicting/Runs.
	Runs          int     `json:"runs"`
	Contradicting int     `json:"contradicting"`
	Share         float64 `json:"share"`
	// RejectBasic and AcceptHallucinated split the contradictions by side.
	RejectBasic        int         `json:"reject_basic"`
	AcceptHallucinated int         `json:"accept_hallucinated"`
	Answers            []RunAnswer `json:"answers"`
}

// RunAnswer is one run's answers to a pair.
type RunAnswer struct {
	Run          string    `json:"run"`
	Model        string    `json:"model"`
	Basic        eh.Answer `json:"basic,omitempty"`
	Hallucinated eh.Answer `json:"hallucinated,omitempty"`
	Contradicts  bool      `json:"contradicts"`
}

// counts tells whether the run said something about the pair: an unparsed
// answer, or none, is no opinion, never a disagreement.
func (a RunAnswer) counts() bool {
	parsed := func(x eh.Answer) bool { return x == eh.AnswerYes || x == eh.AnswerNo }
	return parsed(a.Basic) || parsed(a.Hallucinated)
}

type pairAnswers struct {
	sub, mod string
	runs     []RunAnswer
}

// FlagRuns reads the records of the run folders (or records files) and lists
// the pairs where a strict majority of the runs that answered them contradict
// the gold: they answer the basic question no or the hallucinated one yes.
// Unparsed answers and questions not answered count for nothing. Within a run,
// a later record of a question replaces an earlier one, as in scoring. The
// list is ranked by the share of runs that contradict the gold, then by their
// number, then by pair id. Nothing is written anywhere.
func FlagRuns(dirs []string, o FlagOptions) (*Flags, error) {
	if o.MinRuns < 1 {
		return nil, eh.Errorf(eh.EINVALID, "--min-runs must be at least 1")
	}
	byPair := map[string]*pairAnswers{}
	for _, dir := range dirs {
		latest := map[string]*eh.Record{}
		err := record.ReadPathsSlim([]string{dir}, nil, func(r *eh.Record) error {
			latest[r.Key()] = r
			return nil
		})
		if err != nil {
			return nil, err
		}
		mine := map[string]*RunAnswer{}
		for _, r := range latest {
			pa := byPair[r.Pair]
			if pa == nil {
				pa = &pairAnswers{sub: string(r.SubCategory), mod: string(r.Modality)}
				byPair[r.Pair] = pa
			}
			a := mine[r.Pair]
			if a == nil {
				a = &RunAnswer{Run: dir, Model: r.Model}
				mine[r.Pair] = a
			}
			if r.Status != eh.StatusAnswered {
				continue
			}
			if r.Role == eh.Basic {
				a.Basic = r.Answer
			} else {
				a.Hallucinated = r.Answer
			}
		}
		for id, a := range mine {
			a.Contradicts = a.Basic == eh.AnswerNo || a.Hallucinated == eh.AnswerYes
			byPair[id].runs = append(byPair[id].runs, *a)
		}
	}
	texts := map[string]*eh.Pair{}
	if o.Suite != nil {
		for i := range o.Suite.Pairs {
			texts[o.Suite.Pairs[i].ID] = &o.Suite.Pairs[i]
		}
	}
	out := &Flags{Runs: dirs, Pairs: len(byPair), MinRuns: o.MinRuns, Flagged: []Flagged{}}
	for id, pa := range byPair {
		f := Flagged{Pair: id, SubCategory: pa.sub, Modality: pa.mod}
		for _, a := range pa.runs {
			if !a.counts() {
				continue
			}
			f.Runs++
			f.Answers = append(f.Answers, a)
			if a.Contradicts {
				f.Contradicting++
			}
			if a.Basic == eh.AnswerNo {
				f.RejectBasic++
			}
			if a.Hallucinated == eh.AnswerYes {
				f.AcceptHallucinated++
			}
		}
		if f.Runs < o.MinRuns || 2*f.Contradicting <= f.Runs {
			continue
		}
		f.Share = float64(f.Contradicting) / float64(f.Runs)
		sort.Slice(f.Answers, func(i, j int) bool { return f.Answers[i].Run < f.Answers[j].Run })
		if p := texts[id]; p != nil {
			f.Source, f.Basic, f.Hallucinated = SourceOf(p), p.Basic.Text, p.Hallucinated.Text
		}
		out.Flagged = append(out.Flagged, f)
	}
	sort.Slice(out.Flagged, func(i, j int) bool {
		a, b := out.Flagged[i], out.Flagged[j]
		if a.Share != b.Share {
			return a.Share > b.Share
		}
		if a.Contradicting != b.Contradicting {
			return a.Contradicting > b.Contradicting
		}
		return a.Pair < b.Pair
	})
	return out, nil
}

// WriteText lists the flagged pairs, most contradicted first.
func (f *Flags) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "%d of %d pairs flagged: a majority of the runs with a parsed answer (at least %d) contradict the gold; %d run(s)\n",
		len(f.Flagged), f.Pairs, f.MinRuns, len(f.Runs))
	for i, p := range f.Flagged {
		where := strings.TrimPrefix(p.Source+" · ", " · ") + p.SubCategory + " · " + p.Modality
		fmt.Fprintf(w, "\n%d. %s  [%s]  %d/%d runs contradict (%.2f): %d reject the basic, %d accept the hallucinated\n",
			i+1, p.Pair, where, p.Contradicting, p.Runs, p.Share, p.RejectBasic, p.AcceptHallucinated)
		if p.Basic != "" {
			fmt.Fprintf(w, "   basic (gold yes):        %s\n   hallucinated (gold no):  %s\n", oneLine(p.Basic), oneLine(p.Hallucinated))
		}
		for _, a := range p.Answers {
			fmt.Fprintf(w, "   basic %-8s hallucinated %-8s %s (%s)\n", orDash(a.Basic), orDash(a.Hallucinated), a.Model, a.Run)
		}
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func orDash(a eh.Answer) string {
	if a == "" {
		return "—"
	}
	return string(a)
}

// WritePairList writes the flagged pair ids, most contradicted first, in the
// form ReadPairList reads ("suite review sample --pairs").
func (f *Flags) WritePairList(name string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# pairs flagged by emohallucer suite flag (%d of %d; most contradicted first)\n", len(f.Flagged), f.Pairs)
	for _, p := range f.Flagged {
		b.WriteString(p.Pair + "\n")
	}
	return os.WriteFile(name, []byte(b.String()), 0o644)
}
