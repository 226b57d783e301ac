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
	if len(res.Pairs) < 1000 {
		t.Errorf("%d pairs, want over 1,000 from 2,298 rows", len(res.Pairs))
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
}

// TestImages gives two of five tweets their image, one of them corrupt: the
// good one becomes an image pair, the corrupt one is dropped with its path, the
// others stay text (two positive and two neutral rows remain, so balance keeps all).
func TestImages(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "twitter2015")
	if err := os.MkdirAll(filepath.Join(sub, "images"), 0o755); err != nil {
		t.Fatal(err)
	}
	tsv := "index\t#1 Label\t#2 ImageID\t#3 String\t#3 String\n" +
		"1\t2\t100.jpg\tLoving the new $T$ album !\tAdele\n" +
		"2\t1\t101.jpg\t$T$ plays tonight at 8\tArsenal\n" +
		"3\t2\t102.jpg\tGreat goal by $T$ !\tMessi\n" +
		"4\t1\t103.jpg\t$T$ announces a new phone\tApple\n" +
		"5\t1\t104.jpg\tTraffic on $T$ this morning\tMain Street\n"
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
