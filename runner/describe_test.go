package runner

import (
	"context"
	"slices"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/ferplus"
	"github.com/emohallucer/emohallucer/importers/importerstest"
)

// TestDescribeItemsFERPlus imports the real FER+ sample and checks that
// every face is described once, with its gold label and the allowed labels
// of its votes, and without the yes/no questions' asked: tags.
func TestDescribeItemsFERPlus(t *testing.T) {
	src := importerstest.DataDir(t, "faces/ferplus")
	env, dir := importerstest.Env(t, 7)
	res, err := ferplus.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	faces := map[string]bool{}
	for _, p := range res.Pairs {
		faces[p.Context.Media[0].SHA256] = true
	}
	items, err := DescribeItems(&eh.Suite{Name: "ferplus", Dir: dir, Pairs: res.Pairs})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != len(faces) || len(items) == len(res.Pairs) {
		t.Fatalf("%d describe items of %d pairs over %d faces, want one per face", len(items), len(res.Pairs), len(faces))
	}
	withAllowed := 0
	for _, it := range items {
		r := eh.NewRecord("r", "s", "m", "describe-direct", it.Pair, it.Role)
		if it.Role != eh.Describe || len(r.Labels) != 1 || len(it.Media) != 1 {
			t.Errorf("%s: role %s labels %v media %d", it.Pair.ID, it.Role, r.Labels, len(it.Media))
		}
		if slices.Contains(r.Allowed, r.Labels[0]) {
			t.Errorf("%s: the gold %s is also listed allowed", it.Pair.ID, r.Labels[0])
		}
		if len(r.Allowed) > 0 {
			withAllowed++
		}
		for _, tag := range it.Pair.Tags {
			if strings.HasPrefix(tag, "asked:") {
				t.Errorf("%s: tag %s", it.Pair.ID, tag)
			}
		}
	}
	t.Logf("%d faces, %d with a second label of at least 30%% of the votes", len(items), withAllowed)
}
