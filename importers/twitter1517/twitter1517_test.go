package twitter1517_test

import (
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers/importerstest"
	"github.com/emohallucer/emohallucer/importers/swap"
	"github.com/emohallucer/emohallucer/importers/twitter1517"
)

func TestImport(t *testing.T) {
	src := importerstest.DataDir(t, "twitter1517")
	env, dir := importerstest.Env(t, 1)
	res, err := twitter1517.Importer{}.Import(context.Background(), src, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	// Few rows survive: most negative labels rest on news or on blame aimed
	// at someone else, and every positive pair needs a negative one.
	if len(res.Pairs) < 4 {
		t.Errorf("%d pairs, want at least 4 from 2,298 rows", len(res.Pairs))
	}
	if bad := importerstest.WordBalance(res.Pairs, []string{"positive", "neutral", "negative"}, 0); len(bad) > 0 {
		t.Errorf("polarities used unequally (basic, hallucinated): %v", bad)
	}
	datasets := map[string]int{}
	for _, p := range res.Pairs {
		datasets[p.Source.Dataset]++
		if p.Modality != eh.Text {
			t.Errorf("%s: modality %s without image files", p.ID, p.Modality)
		}
		if strings.Contains(p.Context.Text, "$T$") {
			t.Errorf("%s: placeholder left in %q", p.ID, p.Context.Text)
		}
	}
	if datasets["twitter2015"] == 0 || datasets["twitter2017"] == 0 {
		t.Errorf("pairs per dataset %v, want both", datasets)
	}
	for _, p := range res.Pairs {
		if strings.Contains(p.Basic.Text+p.Hallucinated.Text, "neutral") {
			t.Errorf("%s: neutral is never asked: %q / %q", p.ID, p.Basic.Text, p.Hallucinated.Text)
		}
	}
	dropped := map[string]string{}
	for _, d := range res.Dropped {
		dropped[d.Item] = d.Reason
	}
	// Real dev rows whose label the text does not support.
	for _, tt := range []struct{ item, reason string }{
		// "… Carlos Marino … died": sad news labelled negative toward him.
		{"twitter2015-dev-49", `reports harm ("died")`},
		// A storm "approaches Zion Canyon", labelled negative toward the canyon.
		{"twitter2015-dev-112", `reports harm ("storm")`},
	} {
		if !strings.Contains(dropped[tt.item], tt.reason) {
			t.Errorf("%s: dropped with %q, want a reason containing %q", tt.item, dropped[tt.item], tt.reason)
		}
	}
}

// TestCheck pins the text rules on short tweets.
func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		tweet  string
		target string
		label  swap.Label
		why    string // "" when the row is used
		drop   bool
	}{
		// Praise in evaluative words is used.
		{"Congrats to Jonathan Toews for winning the award tonight !", "Jonathan Toews", swap.Positive, "", false},
		// A flat headline labelled positive is skipped.
		{"RT @ espn : Smith signs for Chelsea on a three year deal", "Smith", swap.Positive, "flat headline", false},
		// Neutral borders on both polarities.
		{"Smith signs for Chelsea on a three year deal", "Smith", swap.NeutralSentiment, "neutral", false},
		// Sad news about a person is not negative toward them.
		{"Singer John Doe died today at the age of 80 , terrible news", "John Doe", swap.Negative, "reports harm", true},
		// Mixed: blame and praise together.
		{"Senator Doe lied again , but what a great speech tonight", "Doe", swap.Negative, "other polarity", true},
		// Blame aimed at the one who lied, not at the target lied about.
		{"MUST SEE VIDEO : Senator Schumer Lied About the FBI and Donald Trump", "FBI", swap.Negative, "next to the target", false},
		{"MUST SEE VIDEO : Senator Schumer Lied About the FBI and Donald Trump", "Schumer", swap.Negative, "", false},
		// The evaluative word only in a question.
		{"Do you think the Pearl Jam concert is going to be great ?", "Pearl Jam", swap.Positive, "flat headline", false},
	} {
		why, drop := twitter1517.Check(tt.tweet, tt.target, tt.label)
		if (tt.why == "") != (why == "") || !strings.Contains(why, tt.why) || drop != tt.drop {
			t.Errorf("Check(%q, %s) = %q, %v; want %q, %v", tt.tweet, tt.label, why, drop, tt.why, tt.drop)
		}
	}
}

// TestImages gives two of five tweets their image, one of them corrupt: the
// good one becomes an image pair, the corrupt one is dropped with its path, the
// others stay text (two positive and two negative rows remain, so balance keeps
// all; the neutral row is never used).
func TestImages(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "twitter2015")
	if err := os.MkdirAll(filepath.Join(sub, "images"), 0o755); err != nil {
		t.Fatal(err)
	}
	tsv := "index\t#1 Label\t#2 ImageID\t#3 String\t#3 String\n" +
		"1\t2\t100.jpg\tLoving the new $T$ album , so beautiful !\tAdele\n" +
		"2\t0\t101.jpg\tWhat a disgrace $T$ were again tonight\tArsenal\n" +
		"3\t2\t102.jpg\tGreat goal by $T$ in the final !\tMessi\n" +
		"4\t0\t103.jpg\t$T$ lied to its customers about the phone\tApple\n" +
		"5\t1\t104.jpg\tTraffic on $T$ this morning again\tMain Street\n" +
		"6\t0\t105.jpg\t$T$ are a pathetic disgrace to football\tChelsea\n"
	if err := os.WriteFile(filepath.Join(sub, "dev.tsv"), []byte(tsv), 0o644); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	img.Set(3, 3, color.RGBA{200, 10, 10, 255})
	f, err := os.Create(filepath.Join(sub, "images", "100.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(f, img, nil); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.WriteFile(filepath.Join(sub, "images", "101.jpg"), []byte("not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	env, dir := importerstest.Env(t, 1)
	res, err := twitter1517.Importer{}.Import(context.Background(), root, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, dir, res.Pairs, 0)
	mods := map[string]eh.Modality{}
	for _, p := range res.Pairs {
		mods[p.Source.ID] = p.Modality
	}
	if mods["dev:1"] != eh.Image || mods["dev:3"] != eh.Text || mods["dev:4"] != eh.Text {
		t.Errorf("modalities %v, want dev:1 image, dev:3 and dev:4 text", mods)
	}
	if len(res.Dropped) != 1 || res.Dropped[0].Path != filepath.Join(sub, "images", "101.jpg") {
		t.Errorf("dropped %+v, want the corrupt 101.jpg", res.Dropped)
	}
}
