package suite

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

const digestA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" // sha256("test")

func goodPair(id string) eh.Pair {
	return eh.Pair{ID: id, Dimension: eh.Knowledge, SubCategory: eh.Theory, Modality: eh.Text,
		Basic:        eh.Question{Text: "Is " + id + " true?", Gold: eh.Yes},
		Hallucinated: eh.Question{Text: "Is " + id + " false?", Gold: eh.No},
		Explanation:  "because", Corruption: "swap"}
}

func line(t *testing.T, p eh.Pair) string {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeSuite writes lines as suite.jsonl in a fresh folder with a media file
// media/a.txt holding "test".
func writeSuite(t *testing.T, lines ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "media", "a.png"), []byte("test"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func imagePair(id, path, digest string) eh.Pair {
	p := goodPair(id)
	p.Dimension, p.SubCategory, p.Modality = eh.Perception, eh.Category, eh.Image
	p.Context.Media = []eh.Media{{Path: path, SHA256: digest, Kind: eh.Image}}
	return p
}

func TestReadOK(t *testing.T) {
	dir := writeSuite(t, line(t, goodPair("a")), "", line(t, imagePair("b", "media/a.png", digestA)))
	s, err := Read(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pairs) != 2 || s.Name != filepath.Base(dir) {
		t.Fatalf("got %d pairs, name %q", len(s.Pairs), s.Name)
	}
	items, err := Items(s)
	if err != nil || len(items) != 4 || items[2].Media[0].MIME != "image/png" {
		t.Fatalf("items: %v %+v", err, items)
	}
}

// TestReadProblems checks that one pass reports every problem with its line.
func TestReadProblems(t *testing.T) {
	wrongGold := goodPair("wrong-gold")
	wrongGold.Basic.Gold = eh.No
	missingGold := goodPair("missing-gold")
	missingGold.Hallucinated.Gold = ""
	unknownDim := goodPair("dim")
	unknownDim.Dimension = "feelings"
	unknownSub := goodPair("sub")
	unknownSub.SubCategory = "vibes"
	unknownMod := goodPair("mod")
	unknownMod.Modality = "smell"
	dir := writeSuite(t,
		line(t, goodPair("ok")), // 1
		`{"id": "broken", `,     // 2 malformed
		line(t, goodPair("ok")), // 3 duplicate id
		line(t, wrongGold),      // 4
		line(t, missingGold),    // 5
		line(t, unknownDim),     // 6
		line(t, unknownSub),     // 7
		line(t, unknownMod),     // 8
		line(t, imagePair("escape", "../../etc/passwd", digestA)),            // 9 refused
		line(t, imagePair("abs", "/etc/passwd", digestA)),                    // 10 refused
		line(t, imagePair("missing", "media/nope.png", digestA)),             // 11 missing media
		line(t, imagePair("digest", "media/a.png", strings.Repeat("0", 64))), // 12 digest mismatch
		`{"id":"x","unknown_field":1}`,                                       // 13 unknown field
		`{"id":"long","pad":"`+strings.Repeat("x", maxLine)+`"}`,             // 14 over-long
		line(t, goodPair("after"))+` {"id":"y"}`,                             // 15 text after the object
		"{\"id\":\"bad-utf8 \xff\xfe\"}",                                     // 16 invalid UTF-8
		line(t, imagePair("outside", "media/link.png", digestA)),             // 17 link leading outside
		line(t, imagePair("dir", "media/sub", digestA)),                      // 18 a directory
		line(t, imagePair("fifo", "media/fifo.png", digestA)),                // 19 a FIFO: must not hang
		line(t, goodPair("last")),                                            // 20 read after the long line
	)
	outside := filepath.Join(t.TempDir(), "secret.png")
	os.WriteFile(outside, []byte("test"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "media", "link.png"))
	os.Mkdir(filepath.Join(dir, "media", "sub"), 0o755)
	if err := syscall.Mkfifo(filepath.Join(dir, "media", "fifo.png"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := Read(dir, Options{})
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("want Problems, got %v", err)
	}
	// Reading went on after the over-long line.
	if last := st.Pairs[len(st.Pairs)-1].ID; last != "last" {
		t.Errorf("last pair read %q, want the one after the long line", last)
	}
	name := filepath.Join(dir, FileName)
	want := []struct {
		line int
		pair string
		text string
	}{
		{2, "", "malformed JSON"},
		{3, "ok", "duplicate pair id"},
		{4, "wrong-gold", `basic question must have gold answer "yes"`},
		{5, "missing-gold", "missing gold answer of the hallucinated question"},
		{6, "dim", "unknown dimension"},
		{7, "sub", "unknown subcategory"},
		{8, "mod", "unknown modality"},
		{9, "escape", "escapes the suite folder (refused)"},
		{10, "abs", "is absolute"},
		{13, "", "unknown field"},
		{14, "", "line longer than"},
		{15, "after", "text after the JSON object"},
		{16, "", "invalid UTF-8 at byte"},
		// Media problems carry the line of their pair.
		{11, "missing", "file not found"},
		{12, "digest", "digest mismatch"},
		{17, "outside", "outside the suite folder"},
		{18, "dir", "not a regular file (a directory)"},
		{19, "fifo", "not a regular file (a FIFO)"},
	}
	for _, w := range want {
		found := false
		for _, p := range probs {
			if p.Line == w.line && p.Pair == w.pair && strings.Contains(p.Message, w.text) && p.File == name {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem at line %d (pair %q) containing %q; got:\n%v", w.line, w.pair, w.text, probs)
		}
	}
}

func TestReadNoPairs(t *testing.T) {
	for _, content := range []string{"", "\n\n   \n\t\n"} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o644)
		_, err := Read(dir, Options{})
		var probs Problems
		if !errors.As(err, &probs) || len(probs) != 1 || !strings.Contains(probs[0].Message, "no pairs") {
			t.Errorf("content %q: %v", content, err)
		}
	}
}

// A suite file that is a FIFO is refused without opening it, and a cancelled
// context stops reading.
func TestReadFIFOAndCancel(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, FileName), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir, Options{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO suite: %v", err)
	}
	dir = writeSuite(t, line(t, imagePair("b", "media/a.png", digestA)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadContext(ctx, dir, Options{}); eh.ErrorCode(err) != eh.ECANCELED {
		t.Errorf("cancelled: %v, want ECANCELED", err)
	}
}

// Items gives providers the suite folder to open media through at send time.
func TestItemsMediaDir(t *testing.T) {
	dir := writeSuite(t, line(t, imagePair("b", "media/a.png", digestA)))
	s, err := Read(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	items, err := Items(s)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.EvalSymlinks(dir)
	if m := items[0].Media[0]; m.Dir != root || filepath.Dir(filepath.Dir(m.Path)) != root {
		t.Errorf("media %+v, want Dir %s", m, root)
	}
}

func TestResolveRefusesSymlinkEscape(t *testing.T) {
	dir := writeSuite(t, line(t, goodPair("a")))
	outside := filepath.Join(t.TempDir(), "secret.png")
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "media", "link.png")); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(dir, "media/link.png"); err == nil || !strings.Contains(err.Error(), "outside the suite folder") {
		t.Fatalf("symlink escape not refused: %v", err)
	}
	if _, err := Resolve(dir, "media/a.png"); err != nil {
		t.Fatal(err)
	}
}

func TestCheckMediaPath(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"media/a.png", true},
		{"a.wav", true},
		{"media/../a.png", true},
		{"../a.png", false},
		{"../../etc/passwd", false},
		{"media/../../x", false},
		{"/etc/passwd", false},
		{`media\a.png`, false},
		{"C:/x.png", false},
		{"", false},
	}
	for _, tt := range tests {
		if err := eh.CheckMediaPath(tt.path); (err == nil) != tt.ok {
			t.Errorf("CheckMediaPath(%q) = %v, want ok=%v", tt.path, err, tt.ok)
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	in := []eh.Pair{goodPair("a"), imagePair("b", "media/a.png", digestA)}
	in[1].Tags = []string{"split:x"}
	in[1].Context.Text = "<b>html</b> & stuff"
	var b strings.Builder
	if err := Encode(&b, in); err != nil {
		t.Fatal(err)
	}
	s, probs := Decode(strings.NewReader(b.String()), "mem")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	got, _ := json.Marshal(s.Pairs)
	want, _ := json.Marshal(in)
	if string(got) != string(want) {
		t.Fatalf("round trip changed pairs:\n%s\n%s", got, want)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(`{"id":"a","dimension":"knowledge","subcategory":"theory","modality":"text","basic":{"question":"q","gold":"yes"},"hallucinated":{"question":"r","gold":"no"}}`)
	f.Add(`{"id":`)
	f.Fuzz(func(t *testing.T, s string) {
		suite, _ := Decode(strings.NewReader(s), "fuzz")
		for _, p := range suite.Pairs {
			if err := p.Validate(); err != nil {
				t.Fatalf("decoder kept an invalid pair: %v", err)
			}
		}
	})
}
