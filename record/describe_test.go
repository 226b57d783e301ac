package record

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestSchema2Fixture: schema 2 adds the describe role and its gold labels;
// its fixture decodes, and a describe record survives the CSV export.
func TestSchema2Fixture(t *testing.T) {
	b, err := os.ReadFile("testdata/schema2.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, strings.NewReader(string(b)))
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	d := recs[0]
	if d.Role != eh.Describe || !reflect.DeepEqual(d.Labels, []string{"happiness"}) || !reflect.DeepEqual(d.Allowed, []string{"neutral"}) || d.Gold != "" {
		t.Errorf("describe record %+v", d)
	}
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	back := readAll(t, strings.NewReader(buf.String()))
	if !reflect.DeepEqual(back[0].Labels, d.Labels) || !reflect.DeepEqual(back[0].Allowed, d.Allowed) || back[1].Labels != nil {
		t.Errorf("CSV round trip: labels %v allowed %v; yes/no record labels %v", back[0].Labels, back[0].Allowed, back[1].Labels)
	}
}

// TestDescribeValidate: what makes a describe record invalid.
func TestDescribeValidate(t *testing.T) {
	base := func() *eh.Record {
		return &eh.Record{Schema: 2, Run: "r", Pair: "p", Role: eh.Describe, Dimension: eh.Perception, SubCategory: eh.Category,
			Modality: eh.Image, Labels: []string{"anger"}, Status: eh.StatusAnswered}
	}
	cases := []struct {
		edit func(*eh.Record)
		ok   bool
	}{
		{func(*eh.Record) {}, true},                              // valid
		{func(r *eh.Record) { r.Schema = 1 }, false},             // schema 1 had no descriptions
		{func(r *eh.Record) { r.Labels = nil }, false},           // no gold labels
		{func(r *eh.Record) { r.Gold = eh.Yes }, false},          // a gold answer
		{func(r *eh.Record) { r.Status = eh.StatusError }, true}, // failed descriptions are recorded too
	}
	for i, c := range cases {
		r := base()
		c.edit(r)
		if err := r.Validate(); (err == nil) != c.ok {
			t.Errorf("case %d: Validate() = %v, want ok %v", i, err, c.ok)
		}
	}
}
