package soul_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/importers/soul"
)

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "soul")
	env, dir := importerstest.Env(t, 1)
	res, err := soul.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, -1)
	if len(res.Pairs) < 75 {
		t.Errorf("%d pairs, want at least 75 from 1,481 statements", len(res.Pairs))
	}
	dropped := map[string]string{}
	for _, d := range res.Dropped {
		dropped[d.Reason] = d.Item
	}
	// Real dev statements whose label a careful reader would doubt.
	for _, want := range []string{
		// Credits the reviewer with the butcher's competence, labelled true.
		`speaks of "reviewer's competence"`,
		// "The reviewer thinks that the movie is not worth watching, except for
		// Helen Keller": false only as an exaggeration.
		`hedges ("exaggeration")`,
		// "The reviewer loves the airport experience" for "I enjoyed this
		// airport": a strength of feeling the review does not state.
		`it says "loves", a feeling the review does not name`,
		// "The reviewer feels bored with the music played in the restaurant"
		// for "Which I don't really mind, but I wish they had a different
		// variety".
		`it says "bored", a feeling the review does not name`,
		// "The user thinks the green chili pork tastes decent", labelled false
		// of "Best green chili pork in Arizona".
		`false statement saying "decent": an understatement`,
		// "The reviewer finds the acoustic performances to be annoying",
		// labelled false because going to them is "indicating that they like
		// it".
		`hedges ("indicating")`,
		// "The reviewer doesn't like the music because everyone is yelling
		// every time the music plays", labelled false where the review blames
		// the music for the yelling: false only in its link of cause.
		`false statement whose claim and reason both repeat the review`,
	} {
		found := false
		for reason := range dropped {
			found = found || strings.Contains(reason, want)
		}
		if !found {
			t.Errorf("no statement dropped for %q", want)
		}
	}
	for _, p := range res.Pairs {
		if p.Modality != eh.Text || p.Context.Text == "" {
			t.Errorf("%s: want a text pair with the review as context", p.ID)
		}
		for _, q := range []string{p.Basic.Text, p.Hallucinated.Text} {
			if !strings.HasPrefix(q, "According to the review, is it true that ") || !soul.Affective.MatchString(q) {
				t.Errorf("%s: question %q", p.ID, q)
			}
		}
	}
	if res.Skipped["label not-given (only true and false statements make pairs)"] != 361 {
		t.Errorf("skipped %v; want the 361 not-given statements among them", res.Skipped)
	}
}

// TestPairsFromOneReview checks on a small table that true and false
// statements of the same review are paired and factual ones are left out.
func TestPairsFromOneReview(t *testing.T) {
	csv := "rid,review_text,statement,justification,label\n" +
		"yelp-1,\"Great tacos, rude staff.\",The reviewer liked the tacos.,x,true\n" +
		"yelp-1,\"Great tacos, rude staff.\",The reviewer thinks the staff were friendly.,x,false\n" +
		"yelp-1,\"Great tacos, rude staff.\",The restaurant sells tacos.,x,true\n" +
		"yelp-1,\"Great tacos, rude staff.\",The reviewer will come back.,x,not-given\n" +
		"yelp-2,Fine.,The reviewer loved it.,x,true\n"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dev.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	env, _ := importerstest.Env(t, 1)
	res, err := soul.Importer{}.Import(context.Background(), dir, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 1 {
		t.Fatalf("%d pairs, want 1: %+v", len(res.Pairs), res.Pairs)
	}
	p := res.Pairs[0]
	if p.ID != "soul-dev-yelp-1-1" || p.Context.Text != "Great tacos, rude staff." ||
		p.Basic.Text != "According to the review, is it true that the reviewer liked the tacos?" ||
		p.Hallucinated.Text != "According to the review, is it true that the reviewer thinks the staff were friendly?" {
		t.Errorf("pair %+v", p)
	}
}

func TestQuestion(t *testing.T) {
	for in, want := range map[string]string{
		"The reviewer likes this movie.":  "According to the review, is it true that the reviewer likes this movie?",
		"Tom Hanks was great in the film": "According to the review, is it true that Tom Hanks was great in the film?",
		"There was a long wait!":          "According to the review, is it true that there was a long wait?",
	} {
		if got := soul.Question(in); got != want {
			t.Errorf("Question(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaxPerLabel(t *testing.T) {
	src := importerstest.DataDir(t, "soul")
	env, _ := importerstest.Env(t, 1)
	env.MaxPerLabel = 25
	res, err := soul.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 25 {
		t.Errorf("%d pairs with a limit of 25", len(res.Pairs))
	}
}
