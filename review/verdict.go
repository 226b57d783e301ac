package review

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// Verdict is a reviewer's judgment of one pair.
type Verdict string

// Verdicts a reviewer can give. A pair is valid when a careful annotator who
// sees what the model sees would answer the basic question yes and the
// hallucinated one no without hesitation (SPEC §1); ambiguous when either is
// debatable; wrong when a gold answer should be reversed.
const (
	Valid     Verdict = "valid"
	Ambiguous Verdict = "ambiguous"
	Wrong     Verdict = "wrong"
)

func (v Verdict) known() bool { return v == Valid || v == Ambiguous || v == Wrong }

// Line is one line of a verdict file, as the review page exports it. Source
// and SubCategory are copied from the suite by the page so that agreement can
// be broken down without the suite; a suite given to Agree overrides them.
type Line struct {
	Pair        string  `json:"pair"`
	Verdict     Verdict `json:"verdict"`
	Rater       string  `json:"rater"`
	Note        string  `json:"note,omitempty"`
	Source      string  `json:"source,omitempty"`
	SubCategory string  `json:"subcategory,omitempty"`
}

// Verdicts holds the verdicts of every rater, one per rater and pair.
type Verdicts struct {
	// Lines are the verdicts kept, in the order first seen.
	Lines []Line
	// Replaced counts verdicts that a later verdict of the same rater for the
	// same pair replaced.
	Replaced int
	index    map[[2]string]int
}

// ReadVerdicts reads verdict JSONL files in order. A later verdict of the same
// rater on the same pair replaces the earlier one (counted in Replaced): the
// review page exports its whole state each time, so a rater who changed their
// mind and exported again gives the newer file last. Blank lines are skipped;
// anything else that is not a valid verdict line is an EINVALID error naming
// file and line.
func ReadVerdicts(files []string) (*Verdicts, error) {
	if len(files) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "no verdict files given")
	}
	vs := &Verdicts{index: map[[2]string]int{}}
	for _, name := range files {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, eh.Errorf(eh.ENOTFOUND, "verdict file %s does not exist", name)
		}
		if err != nil {
			return nil, err
		}
		err = vs.decode(f, name)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return vs, nil
}

func (vs *Verdicts) decode(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		l, err := parseLine(b)
		if err != nil {
			return eh.Errorf(eh.EINVALID, "%s:%d: %v", name, n, err)
		}
		vs.add(l)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func parseLine(b []byte) (Line, error) {
	var l Line
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return l, fmt.Errorf("not a verdict line: %v", err)
	}
	if dec.More() {
		return l, errors.New("more than one JSON value on the line")
	}
	l.Pair, l.Rater = strings.TrimSpace(l.Pair), strings.TrimSpace(l.Rater)
	switch {
	case l.Pair == "":
		return l, errors.New(`missing "pair"`)
	case l.Rater == "":
		return l, fmt.Errorf(`pair %s: missing "rater"`, l.Pair)
	case !l.Verdict.known():
		return l, fmt.Errorf("pair %s: verdict %q is not valid, ambiguous or wrong", l.Pair, l.Verdict)
	}
	return l, nil
}

func (vs *Verdicts) add(l Line) {
	if vs.index == nil {
		vs.index = map[[2]string]int{}
	}
	k := [2]string{l.Rater, l.Pair}
	if i, ok := vs.index[k]; ok {
		vs.Lines[i] = l
		vs.Replaced++
		return
	}
	vs.index[k] = len(vs.Lines)
	vs.Lines = append(vs.Lines, l)
}

// Raters returns the raters' names, sorted.
func (vs *Verdicts) Raters() []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range vs.Lines {
		if !seen[l.Rater] {
			seen[l.Rater] = true
			out = append(out, l.Rater)
		}
	}
	sort.Strings(out)
	return out
}

// Counts is how many raters gave each verdict to one pair.
type Counts struct {
	Valid     int `json:"valid"`
	Ambiguous int `json:"ambiguous"`
	Wrong     int `json:"wrong"`
}

func (c *Counts) add(v Verdict) {
	switch v {
	case Valid:
		c.Valid++
	case Ambiguous:
		c.Ambiguous++
	case Wrong:
		c.Wrong++
	}
}

// Total is the number of verdicts.
func (c Counts) Total() int { return c.Valid + c.Ambiguous + c.Wrong }

// Sound reports whether a strict majority of the pair's raters judged it
// valid. A tie counts against the pair: a benchmark is better off without a
// pair that half its reviewers doubt (fewer sound pairs beat many doubtful
// ones), so one valid and one wrong verdict, or a single ambiguous one, is not
// sound.
func (c Counts) Sound() bool { return 2*c.Valid > c.Total() }

// ByPair counts the verdicts of each pair.
func (vs *Verdicts) ByPair() map[string]Counts {
	out := map[string]Counts{}
	for _, l := range vs.Lines {
		c := out[l.Pair]
		c.add(l.Verdict)
		out[l.Pair] = c
	}
	return out
}
