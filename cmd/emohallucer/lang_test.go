package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/suite"
)

// langPair is a knowledge pair in lang rendering of (empty for an original).
func langPair(id string, lang eh.Lang, of string) eh.Pair {
	return eh.Pair{ID: id, Dimension: eh.Knowledge, SubCategory: eh.Theory, Modality: eh.Text, Lang: lang, TranslationOf: of,
		Basic:        eh.Question{Text: "Q " + id + " true?", Gold: eh.Yes},
		Hallucinated: eh.Question{Text: "Q " + id + " false?", Gold: eh.No},
		Explanation:  "e", Corruption: "swap"}
}

// writeRecords writes a run folder holding the records of pairs, each solved
// when solved[id] is true.
func writeRecords(t *testing.T, run string, pairs []eh.Pair, solved map[string]bool) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for i := range pairs {
		for _, role := range []eh.Role{eh.Basic, eh.Hallucinated} {
			r := eh.NewRecord(run, "s", "m", "direct", &pairs[i], role)
			r.Status, r.Answer, r.Calls = eh.StatusAnswered, eh.AnswerYes, 1
			if role == eh.Hallucinated && solved[pairs[i].ID] {
				r.Answer = eh.AnswerNo
			}
			line, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(append(line, '\n'))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, record.FileName), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCompareByLang runs `compare --by lang` on one run in three languages and
// on the same pairs split into an English and a Japanese/Chinese run.
func TestCompareByLang(t *testing.T) {
	var en, other []eh.Pair
	solved := map[string]bool{}
	for i := 0; i < 30; i++ {
		id := fmt.Sprintf("k%d", i)
		en = append(en, langPair(id, "", ""))
		other = append(other, langPair(id+".ja", eh.Japanese, id), langPair(id+".zh", eh.Chinese, id))
		// English solves all, Japanese the first 20, Chinese the first 25.
		solved[id], solved[id+".ja"], solved[id+".zh"] = true, i < 20, i < 25
	}
	one := writeRecords(t, "r", append(append([]eh.Pair(nil), en...), other...), solved)
	enRun, otherRun := writeRecords(t, "r-en", en, solved), writeRecords(t, "r-jazh", other, solved)

	cases := []struct {
		name string
		args []string
	}{
		{"one run", []string{one}},                     // every language in one run
		{"two runs pooled", []string{enRun, otherRun}}, // English and ja/zh run separately
	}
	for _, c := range cases {
		code, stdout, stderr := runCLI(t, append([]string{"compare", "--by", "lang", "--json"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, code, stderr)
		}
		var got score.Crosslingual
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		// 30 facts in three languages; the same in all for the first 20.
		if got.Facts != 30 || got.Same != 20 || len(got.Pairs) != 3 {
			t.Fatalf("%s: %+v", c.name, got)
		}
		// right-A-only/right-B-only for en–ja, en–zh, ja–zh, and the exact
		// McNemar p of k discordant pairs all one way, 2·2⁻ᵏ.
		want := []struct {
			disc [2]int
			p    float64
		}{{[2]int{10, 0}, 2.0 / 1024}, {[2]int{5, 0}, 2.0 / 32}, {[2]int{0, 5}, 2.0 / 32}}
		for i, p := range got.Pairs {
			if [2]int{p.RightAWrongB, p.RightBWrongA} != want[i].disc || math.Abs(p.McNemarP-want[i].p) > 1e-12 {
				t.Errorf("%s: %s–%s discordant %d/%d p %.4g, want %v p %.4g", c.name, p.A, p.B, p.RightAWrongB, p.RightBWrongA, p.McNemarP, want[i].disc, want[i].p)
			}
		}
	}
	code, stdout, _ := runCLI(t, "compare", "--by", "lang", one)
	if code != 0 || !strings.Contains(stdout, "en–ja") || !strings.Contains(stdout, "consistency 0.667") {
		t.Errorf("table output (exit %d):\n%s", code, stdout)
	}
	if code, _, stderr := runCLI(t, "compare", "--by", "lang", enRun); code != exitUsage || !strings.Contains(stderr, "no fact was scored in two languages") {
		t.Errorf("English-only run: exit %d %s, want a usage error", code, stderr)
	}
	if code, _, _ := runCLI(t, "compare", one); code != exitUsage {
		t.Errorf("compare with one run and no --by: exit %d, want %d", code, exitUsage)
	}
}

// TestSuiteStatsAndValidateLang checks the language counts of `suite stats` and
// that `suite validate` names the line of a broken translation_of.
func TestSuiteStatsAndValidateLang(t *testing.T) {
	native := langPair("ja-n", eh.Japanese, "")
	dir := t.TempDir()
	if err := suite.Write(dir, []eh.Pair{langPair("a", "", ""), langPair("a.ja", eh.Japanese, "a"), langPair("a.zh", eh.Chinese, "a"), native}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "suite", "stats", "--suite", dir, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var st suite.Stats
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"en": 1, "ja": 2, "zh": 1}; !reflect.DeepEqual(st.ByLang, want) {
		t.Errorf("by_lang %v, want %v", st.ByLang, want)
	}
	if want := map[string]int{"en": 1, "ja": 1}; !reflect.DeepEqual(st.NativeByLang, want) {
		t.Errorf("native_by_lang %v, want %v", st.NativeByLang, want)
	}
	if code, stdout, _ := runCLI(t, "suite", "stats", "--suite", dir); code != 0 || !strings.Contains(stdout, "lang") || !strings.Contains(stdout, "native") {
		t.Errorf("table output lacks lang/native rows:\n%s", stdout)
	}

	bad := t.TempDir()
	if err := suite.Write(bad, []eh.Pair{langPair("a", "", ""), langPair("b.ja", eh.Japanese, "b")}); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCLI(t, "suite", "validate", bad)
	if code != exitInvalid || !strings.Contains(stdout, "suite.jsonl:2: translation_of \"b\": no such pair") {
		t.Errorf("exit %d, output:\n%s", code, stdout)
	}
}
