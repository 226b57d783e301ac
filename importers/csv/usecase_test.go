package csv_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	csvimp "github.com/emohallucer/emohallucer/importers/csv"
	"github.com/emohallucer/emohallucer/importers/importerstest"
)

// TestUsecaseColumn: the optional usecase column becomes a usecase:<value>
// tag on every pair of its row, so that a use-case register can measure on
// tag:usecase:<value>; rows without it get no such tag, and a value with a
// space is dropped with a reason.
func TestUsecaseColumn(t *testing.T) {
	dir := t.TempDir()
	table := "id,modality,label,text,usecase\n" +
		"s1,text,frustrated,Third time the bus has not come.,Support\n" +
		"s2,text,bored,Another meeting about meetings.,\n" +
		"s3,text,angry,Refund me now.,hr interview\n"
	name := filepath.Join(dir, "labels.csv")
	if err := os.WriteFile(name, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	env, out := importerstest.Env(t, 1)
	res, err := csvimp.Importer{}.Import(context.Background(), name, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, out, res.Pairs, -1)
	tests := []struct {
		pair string
		tag  bool
	}{
		// The value is lower-cased into the tag.
		{"csv-labels-s1-category", true},
		// An empty cell adds no tag.
		{"csv-labels-s2-category", false},
	}
	for _, tt := range tests {
		i := slices.IndexFunc(res.Pairs, func(p eh.Pair) bool { return p.ID == tt.pair })
		if i < 0 {
			t.Fatalf("no pair %s", tt.pair)
		}
		if got := slices.Contains(res.Pairs[i].Tags, "usecase:support"); got != tt.tag {
			t.Errorf("%s: tags %v, usecase:support present %v, want %v", tt.pair, res.Pairs[i].Tags, got, tt.tag)
		}
	}
	dropped := false
	for _, d := range res.Dropped {
		dropped = dropped || (d.Item == "s3" && strings.Contains(d.Reason, "must be one word"))
	}
	if !dropped {
		t.Errorf("usecase with a space not dropped: %+v", res.Dropped)
	}
}
