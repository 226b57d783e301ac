package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/suite"
)

// describePair is a perception pair about a text input.
func describePair(id, text string, lang eh.Lang, tags ...string) eh.Pair {
	return eh.Pair{ID: id, Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text, Lang: lang,
		Context:      eh.Context{Text: text},
		Basic:        eh.Question{Text: "Is the writer feeling it (" + id + ")?", Gold: eh.Yes},
		Hallucinated: eh.Question{Text: "Is the writer feeling the other (" + id + ")?", Gold: eh.No},
		Explanation:  "e", Corruption: "swap", Source: eh.Source{Dataset: "test", ID: id}, Tags: tags}
}

// writeDescribeSuite writes pairs as a suite in a temporary folder and
// returns the folder and the suite's path in it.
func writeDescribeSuite(t *testing.T, pairs []eh.Pair) (tmp, dir string) {
	t.Helper()
	tmp = t.TempDir()
	dir = filepath.Join(tmp, "suite")
	if err := suite.Write(dir, pairs); err != nil {
		t.Fatal(err)
	}
	return tmp, dir
}

// TestDescribeOverTheWire runs --task describe against a fake OpenAI server
// scripted to return descriptions, and checks that each input is described
// once, the records, summary.json's describe block, a rerun sending nothing,
// and the HTML report's marked hallucinations.
func TestDescribeOverTheWire(t *testing.T) {
	pairs := []eh.Pair{
		describePair("job-a", "I just got the job!!!", "", "emotion:happiness", "asked:anger"),
		describePair("job-b", "I just got the job!!!", "", "emotion:happiness", "asked:sadness"), // same input: described once
		describePair("dark", "Someone is following me in the dark.", "", "emotion:fear", "allowed:surprise"),
		describePair("ja", "約束を破られた。", eh.Japanese, "emotion:anger"),
		describePair("zh", "我的猫走了。", eh.Chinese, "emotion:sadness"),
		{ID: "k", Dimension: eh.Knowledge, SubCategory: eh.Theory, Modality: eh.Text, // no input to describe
			Basic: eh.Question{Text: "Q true?", Gold: eh.Yes}, Hallucinated: eh.Question{Text: "Q false?", Gold: eh.No}, Explanation: "e", Corruption: "swap"},
	}
	tmp, dir := writeDescribeSuite(t, pairs)
	srv := fakeapi.New(fakeapi.Config{Answer: func(r *fakeapi.Request) string {
		last := r.LastText()
		switch {
		case strings.Contains(last, "job"):
			return "The writer is overjoyed, with a hint of <fear>."
		case strings.Contains(last, "dark"):
			return "They are terrified and surprised."
		case strings.Contains(last, "約束"):
			return "怒っているが、悲しんではいない。"
		case strings.Contains(last, "猫"):
			return "他很伤心，没有生气。"
		}
		return "I cannot tell."
	}})
	defer srv.Close()
	t.Setenv("OPENAI_API_KEY", "test-key")
	out := filepath.Join(tmp, "run")
	args := []string{"run", "--suite", dir, "--task", "describe", "--model", "openai:m@" + srv.OpenAIBaseURL(),
		"--out", out, "--cache", filepath.Join(tmp, "cache.db"), "--progress", "never"}
	code, stdout, stderr := runCLI(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if got := srv.Received(); got != 4 {
		t.Errorf("server received %d requests, want 4 (one per distinct input)", got)
	}
	for _, r := range srv.Requests() {
		if last := r.LastText(); !strings.Contains(last, "describe the emotions") && !strings.Contains(last, "感情を") && !strings.Contains(last, "描述") {
			t.Errorf("request is not a describe prompt:\n%s", last)
		}
	}
	if !strings.Contains(stdout, "EmoCHAIR-i") {
		t.Errorf("run output lacks the describe table:\n%s", stdout)
	}
	recs, err := record.Existing(filepath.Join(out, record.FileName))
	if err != nil || len(recs) != 4 {
		t.Fatalf("records: %d, %v", len(recs), err)
	}
	for _, r := range recs {
		if r.Role != eh.Describe || r.Schema != eh.RecordSchema || r.Strategy != "describe-direct" || r.Raw == "" || len(r.Labels) != 1 {
			t.Errorf("record %s: role %s schema %d strategy %s raw %q labels %v", r.Pair, r.Role, r.Schema, r.Strategy, r.Raw, r.Labels)
		}
		for _, tag := range r.Tags {
			if strings.HasPrefix(tag, "asked:") {
				t.Errorf("record %s carries the yes/no tag %s", r.Pair, tag)
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Views map[string]struct {
			Describe map[string]float64 `json:"describe"`
		} `json:"views"`
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	// 4 responses; mentions: happiness+fear, fear+surprise, anger, sadness = 6;
	// hallucinated: fear of the job post.
	want := map[string]float64{"responses": 4, "emotion_mentions": 6, "hallucinated_mentions": 1,
		"hallucinating_responses": 1, "covering_responses": 4, "emochair_i": 0.166667, "emochair_s": 0.25, "coverage": 1}
	all := sum.Views["all"].Describe
	for k, v := range want {
		if got, ok := all[k]; !ok || got != v {
			t.Errorf("summary views.all.describe.%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	if ja := sum.Views["lang:ja"].Describe; ja["responses"] != 1 || ja["emochair_i"] != 0 {
		t.Errorf("lang:ja describe = %v", ja)
	}
	if hap := sum.Views["emotion:happiness"].Describe; hap["emochair_s"] != 1 {
		t.Errorf("emotion:happiness describe = %v", hap)
	}
	// A rerun finds every input described.
	if code, _, stderr := runCLI(t, args...); code != exitOK {
		t.Fatalf("rerun: exit %d\n%s", code, stderr)
	}
	if got := srv.Received(); got != 4 {
		t.Errorf("the rerun sent %d requests", got-4)
	}
	page := filepath.Join(tmp, "r.html")
	if code, _, stderr := runCLI(t, "report", out, "--html", page); code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, stderr)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`id="describe"`, `<mark title="fear">fear</mark>`, "&lt;"} {
		if !strings.Contains(string(html), s) {
			t.Errorf("HTML report lacks %q", s)
		}
	}
	if strings.Contains(string(html), "<fear>") {
		t.Error("model text reached the HTML unescaped")
	}
}

// TestDescribeRefusesYesNoStrategies: the strategies that combine yes/no
// answers do not describe.
func TestDescribeRefusesYesNoStrategies(t *testing.T) {
	code, _, stderr := runCLI(t, "run", "--suite", "builtin", "--task", "describe", "--strategy", "cot", "--model", "baseline:always-yes",
		"--out", t.TempDir(), "--no-cache", "--progress", "never")
	if code != exitUsage || !strings.Contains(stderr, "--task describe takes --strategy direct or pep-mek") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "run", "--suite", "builtin", "--task", "summarize", "--model", "baseline:always-yes", "--no-cache")
	if code != exitUsage || !strings.Contains(stderr, "--task must be questions or describe") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

// TestDescribeJudgeOverTheWire runs --task describe with a judge on a second
// fake server: one judge call per claim, verdicts recorded, the summary's
// judge agreement, and a rerun sending nothing to either.
func TestDescribeJudgeOverTheWire(t *testing.T) {
	pairs := []eh.Pair{
		describePair("job", "I just got the job!!!", "", "emotion:happiness"),
		describePair("dark", "Someone is following me in the dark.", "", "emotion:fear"),
	}
	tmp, dir := writeDescribeSuite(t, pairs)
	model := fakeapi.New(fakeapi.Config{Answer: func(r *fakeapi.Request) string {
		if strings.Contains(r.LastText(), "job") {
			return "Overjoyed, and a bit nervous." // happiness supported, fear hallucinated
		}
		return "Terrified." // fear supported
	}})
	defer model.Close()
	judge := fakeapi.New(fakeapi.Config{Answer: func(r *fakeapi.Request) string {
		last := r.LastText()
		if !strings.Contains(last, "Rubric (judge-claim v1)") {
			return "not a judge prompt"
		}
		if strings.Contains(last, `claims the emotion "fear"`) && strings.Contains(last, "job") {
			return "Yes" // the judge accepts the lexicon's hallucination
		}
		return "Yes."
	}})
	defer judge.Close()
	t.Setenv("OPENAI_API_KEY", "test-key")
	out := filepath.Join(tmp, "run")
	args := []string{"run", "--suite", dir, "--task", "describe", "--model", "openai:m@" + model.OpenAIBaseURL(),
		"--judge", "openai:j@" + judge.OpenAIBaseURL(), "--out", out, "--cache", filepath.Join(tmp, "cache.db"), "--progress", "never"}
	if code, stdout, stderr := runCLI(t, args...); code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if model.Received() != 2 || judge.Received() != 3 {
		t.Errorf("model received %d requests (want 2), judge %d (want 3, one per claim)", model.Received(), judge.Received())
	}
	recs, err := record.Existing(filepath.Join(out, record.FileName))
	if err != nil || len(recs) != 2 {
		t.Fatalf("records: %d, %v", len(recs), err)
	}
	for _, r := range recs {
		for _, st := range r.Steps[1:] {
			if !strings.HasPrefix(st.Name, "judge:") || st.Answer != eh.AnswerYes {
				t.Errorf("%s: step %s answer %q", r.Pair, st.Name, st.Answer)
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Views map[string]struct {
			Describe struct {
				Judge map[string]any `json:"judge"`
			} `json:"describe"`
		} `json:"views"`
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	j := sum.Views["all"].Describe.Judge
	if j["claims"] != 3.0 || j["both_supported"] != 2.0 || j["judge_only_supported"] != 1.0 || j["kappa"] != 0.0 { // po 2/3 = pe 2/3
		t.Errorf("judge agreement %v", j)
	}
	if code, _, stderr := runCLI(t, args...); code != exitOK {
		t.Fatalf("rerun: exit %d\n%s", code, stderr)
	}
	if model.Received() != 2 || judge.Received() != 3 {
		t.Errorf("the rerun sent requests: model %d, judge %d", model.Received(), judge.Received())
	}
	if code, _, stderr := runCLI(t, "run", "--suite", dir, "--judge", "openai:j@"+judge.OpenAIBaseURL(), "--model", "baseline:always-yes", "--no-cache"); code != exitUsage || !strings.Contains(stderr, "needs --task describe") {
		t.Errorf("--judge without --task describe: exit %d\n%s", code, stderr)
	}
}
