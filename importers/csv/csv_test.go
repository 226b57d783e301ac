package csv_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	csvimp "github.com/emohallucer/emohallucer/importers/csv"
	"github.com/emohallucer/emohallucer/importers/importerstest"
)

// setup copies a few real clips and faces next to a label file.
func setup(t testing.TB) string {
	t.Helper()
	ravdess := importerstest.DataDir(t, "ravdess/speech")
	faces := importerstest.DataDir(t, "faces/ferplus/images")
	dir := t.TempDir()
	for from, to := range map[string]string{
		filepath.Join(ravdess, "03-01-05-02-01-01-15.wav"): "audio/a1.wav",
		filepath.Join(ravdess, "03-01-07-02-01-01-02.wav"): "audio/a2.wav",
		filepath.Join(faces, "fear/fer0032275.png"):        "img/f1.png",
		filepath.Join(faces, "surprise/fer0032287.png"):    "img/f2.png",
	} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(to)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCSV(t *testing.T) {
	dir := setup(t)
	table := "id,modality,media,label,intensity,cue,text\n" +
		"a1,audio,audio/a1.wav,angry,strong,a raised loud voice,\n" +
		"a2,audio,audio/a2.wav,disgusted,mild,a drawn-out groan,\n" +
		"f1,image,img/f1.png,fear,,widened eyes,\n" +
		"f2,image,img/f2.png,surprise,,an open mouth,\n" +
		"t1,text,,frustrated,,,Third time the bus has not come.\n" +
		"t2,text,,bored,,,Another meeting about meetings.\n" +
		"bad1,image,img/missing.png,fear,,,\n" +
		"bad2,smell,x.png,fear,,,\n" +
		"bad3,text,,angry,,,\n"
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
	var got []string
	for _, p := range res.Pairs {
		got = append(got, p.ID+" | "+p.Basic.Text+" | "+p.Hallucinated.Text)
	}
	sort.Strings(got)
	want := []string{
		"csv-labels-a1-category | Does the speaker sound angry? | Does the speaker sound disgusted?",
		"csv-labels-a1-intensity | Does the speaker express anger with strong intensity? | Does the speaker express anger with mild intensity?",
		"csv-labels-a1-reasoning-cue | Can a raised loud voice be heard in the recording? | Can a drawn-out groan be heard in the recording?",
		"csv-labels-a2-category | Does the speaker sound disgusted? | Does the speaker sound angry?",
		"csv-labels-a2-intensity | Does the speaker express disgust with mild intensity? | Does the speaker express disgust with strong intensity?",
		"csv-labels-a2-reasoning-cue | Can a drawn-out groan be heard in the recording? | Can a raised loud voice be heard in the recording?",
		"csv-labels-f1-category | Does the person in the image look fearful? | Does the person in the image look surprised?",
		"csv-labels-f1-reasoning-cue | Does the image show widened eyes? | Does the image show an open mouth?",
		"csv-labels-f2-category | Does the person in the image look surprised? | Does the person in the image look fearful?",
		"csv-labels-f2-reasoning-cue | Does the image show an open mouth? | Does the image show widened eyes?",
		"csv-labels-t1-category | Does the writer of the text sound frustrated? | Does the writer of the text sound bored?",
		"csv-labels-t2-category | Does the writer of the text sound bored? | Does the writer of the text sound frustrated?",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pairs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	reasons := map[string]string{}
	for _, d := range res.Dropped {
		reasons[d.Item] = d.Reason
	}
	for id, want := range map[string]string{"bad1": "no such file", "bad2": "unknown modality", "bad3": "needs the text column"} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("drop of %s: %q, want it to say %q", id, reasons[id], want)
		}
	}
	for _, p := range res.Pairs {
		if p.Modality != eh.Text && !strings.HasPrefix(p.Context.Media[0].Path, "media/csv-labels/") {
			t.Errorf("%s: media placed at %s", p.ID, p.Context.Media[0].Path)
		}
	}
}

func TestJSONL(t *testing.T) {
	dir := setup(t)
	lines := `{"id": "x", "modality": "image", "media": "img/f1.png", "label": "Fearful"}
{"id": "y", "modality": "image", "media": "img/f2.png", "label": "surprised", "subject": "the child"}
`
	name := filepath.Join(dir, "items.jsonl")
	if err := os.WriteFile(name, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	env, out := importerstest.Env(t, 1)
	res, err := csvimp.Importer{}.Import(context.Background(), name, env)
	if err != nil {
		t.Fatal(err)
	}
	importerstest.CheckPairs(t, out, res.Pairs, 0)
	if len(res.Pairs) != 2 || res.Pairs[1].Basic.Text != "Does the child look surprised?" {
		t.Errorf("pairs %+v", res.Pairs)
	}
	// A malformed line is an error with its line number.
	if err := os.WriteFile(name, []byte(lines+"{oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = csvimp.Importer{}.Import(context.Background(), name, env)
	if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), "items.jsonl:3") {
		t.Errorf("malformed JSONL: %v, want EINVALID naming line 3", err)
	}
}
