package score

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// labelled builds the two records of a pair from dataset src with tags, the
// model answering by and hy.
func labelled(pair, src string, sub eh.SubCategory, tags []string, by, hy eh.Answer) []*eh.Record {
	p := &eh.Pair{ID: pair, Dimension: eh.Perception, SubCategory: sub, Modality: eh.Audio, Tags: tags,
		Source: eh.Source{Dataset: src}}
	p.Basic.Gold, p.Hallucinated.Gold = eh.Yes, eh.No
	var out []*eh.Record
	for role, ans := range map[eh.Role]eh.Answer{eh.Basic: by, eh.Hallucinated: hy} {
		r := eh.NewRecord("r", "s", "m", "direct", p, role)
		r.Status, r.Answer = eh.StatusAnswered, ans
		out = append(out, r)
	}
	return out
}

// breadthRecords are a small run over two datasets with category, comparison
// and intensity pairs.
func breadthRecords() []*eh.Record {
	const Y, N, U = eh.AnswerYes, eh.AnswerNo, eh.AnswerUnparsed
	var recs []*eh.Record
	for _, p := range []struct {
		id, src string
		sub     eh.SubCategory
		tags    []string
		by, hy  eh.Answer
	}{
		// disgust face called happy: an invented emotion off the diagonal
		{"f1", "ferplus", eh.Category, []string{"emotion:disgust", "asked:happiness"}, Y, Y},
		// disgust face: right on both
		{"f2", "ferplus", eh.Category, []string{"emotion:disgust", "asked:happiness"}, Y, N},
		// anger voice: basic unparsed (asked, not yes), hallucinated right
		{"c1", "cremad", eh.Category, []string{"emotion:anger", "asked:neutral", "actor:1002"}, U, N},
		// a two-clip comparison: emotions:+ names clips, not a gold; emotion: is b's
		{"c2", "cremad", eh.Category, []string{"emotions:neutral+anger", "emotion:anger"}, Y, N},
		// one clip's intensity, strong said to a normal take
		{"i1", "csv", eh.Intensity, []string{"intensity:normal", "asked:strong"}, N, Y},
	} {
		recs = append(recs, labelled(p.id, p.src, p.sub, p.tags, p.by, p.hy)...)
	}
	return recs
}

// TestLabelViewsGolden pins the source, emotion and tag views and both
// confusion tables of summary.json.
func TestLabelViewsGolden(t *testing.T) {
	s := scoreOf(t, breadthRecords()...)
	keep := struct {
		Views              map[string]int `json:"views"`
		Order              []string       `json:"order"`
		Confusion          Confusion      `json:"confusion"`
		IntensityConfusion Confusion      `json:"confusion_intensity"`
	}{Views: map[string]int{}, Confusion: s.Confusion, IntensityConfusion: s.IntensityConfusion}
	for _, name := range s.Order {
		if strings.HasPrefix(name, "source:") || strings.HasPrefix(name, "emotion:") || strings.HasPrefix(name, "tag:") {
			keep.Views[name] = s.Views[name].Pairs
			keep.Order = append(keep.Order, name)
		}
	}
	got, err := json.MarshalIndent(keep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "label_views.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(want)) != string(got) {
		t.Errorf("summary keys differ from %s (go test -run TestLabelViewsGolden -update):\n%s", golden, got)
	}
}

// TestLabelViewNames checks which names --subset and score --view accept and
// which records they select.
func TestLabelViewNames(t *testing.T) {
	recs := breadthRecords()
	for _, c := range []struct {
		view  string
		valid bool
		pairs []string // pairs the view selects
	}{
		{"source:cremad", true, []string{"c1", "c2"}},                    // by dataset
		{"emotion:disgust", true, []string{"f1", "f2"}},                  // by gold label
		{"emotion:neutral+anger", true, nil},                             // a clip list is never a gold label
		{"tag:actor:1002", true, []string{"c1"}},                         // any tag, even one the summary leaves out
		{"tag:emotions:neutral+anger", true, []string{"c2"}},             // a tag with a + is still a tag
		{"tag:actor", false, nil},                                        // a tag view needs key and value
		{"source:", false, nil},                                          // empty dataset
		{"emotion:", false, nil},                                         // empty label
		{"modality:audio", true, []string{"c1", "c2", "f1", "f2", "i1"}}, // the old views still work
	} {
		if got := ValidView(c.view); got != c.valid {
			t.Errorf("ValidView(%q) = %v, want %v", c.view, got, c.valid)
		}
		var sel []string
		for _, r := range recs {
			if r.Role == eh.Basic && ViewMatches(c.view, r) {
				sel = append(sel, r.Pair)
			}
		}
		slices.Sort(sel)
		if !slices.Equal(sel, c.pairs) {
			t.Errorf("view %s selects %v, want %v", c.view, sel, c.pairs)
		}
	}
}

// TestWideTagKeysLeftOut checks that a tag key with more than MaxTagValues
// values gets no views in the summary, while a narrow one does.
func TestWideTagKeysLeftOut(t *testing.T) {
	var recs []*eh.Record
	for i := 0; i <= MaxTagValues; i++ {
		id := string(rune('a' + i))
		recs = append(recs, labelled(id, "ravdess", eh.Category, []string{"actor:" + id, "channel:speech"}, eh.AnswerYes, eh.AnswerNo)...)
	}
	s := scoreOf(t, recs...)
	if _, ok := s.Views["tag:actor:a"]; ok {
		t.Errorf("%d actor values, yet tag:actor:a is in the summary", MaxTagValues+1)
	}
	if v := s.Views["tag:channel:speech"]; v == nil || v.Pairs != MaxTagValues+1 {
		t.Errorf("tag:channel:speech = %v, want %d pairs", v, MaxTagValues+1)
	}
}
