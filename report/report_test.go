package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/score"
	"github.com/sebdah/goldie/v2"
)

// fixtureRuns builds three runs of one small suite in memory: a model's direct
// run with log-probability confidences, its pep-mek run, and a text-only model
// that cannot take images (not evaluated). Everything is deterministic.
func fixtureRuns() []Run {
	type q struct {
		pair string
		mod  eh.Modality
		sub  eh.SubCategory
	}
	var qs []q
	for i := range 12 {
		qs = append(qs, q{fmt.Sprintf("k-%02d", i), eh.Text, eh.Theory})
		qs = append(qs, q{fmt.Sprintf("img-%02d", i), eh.Image, eh.Category})
	}
	mk := func(run, model, strategy string, answer func(i int, role eh.Role) (eh.Answer, string), accepts func(eh.Modality) bool) Run {
		var recs []*eh.Record
		for i, x := range qs {
			p := &eh.Pair{ID: x.pair, Dimension: x.sub.Dimension(), SubCategory: x.sub, Modality: x.mod}
			p.Basic.Gold, p.Hallucinated.Gold = eh.Yes, eh.No
			for _, role := range []eh.Role{eh.Basic, eh.Hallucinated} {
				r := eh.NewRecord(run, "fixture", model, strategy, p, role)
				if !accepts(x.mod) {
					r.Status = eh.StatusNotEvaluated
					recs = append(recs, r)
					continue
				}
				r.Status, r.Rule, r.Calls = eh.StatusAnswered, "yesno-v1", 1
				r.Answer, r.Raw = answer(i, role)
				if strategy == "pep-mek" {
					r.Calls = 4
				}
				c := 0.5 + float64((i*7+len(role))%10)/20
				r.Confidence = &c
				r.Usage = eh.Usage{PromptTokens: 100 * r.Calls, CompletionTokens: 3 * r.Calls}
				r.CostUSD = 0.0001 * float64(r.Calls)
				r.LatencyMS = 50 * float64(r.Calls)
				r.Steps = []eh.Step{{Name: "answer", Template: strategy + ":x.v1", Response: r.Raw}}
				recs = append(recs, r)
			}
		}
		acc := score.NewAccumulator()
		for _, r := range recs {
			acc.Add(r)
		}
		return Run{Dir: "runs/" + run, Scores: acc.Close(), Records: recs}
	}
	all := func(eh.Modality) bool { return true }
	yesBiased := func(i int, role eh.Role) (eh.Answer, string) {
		if role == eh.Basic || i%3 == 0 {
			return eh.AnswerYes, "Yes."
		}
		return eh.AnswerNo, "No."
	}
	better := func(i int, role eh.Role) (eh.Answer, string) {
		switch {
		case i%5 == 4:
			return eh.AnswerUnparsed, "I cannot tell."
		case role == eh.Basic || i%4 == 0:
			return eh.AnswerYes, "Answer: yes"
		}
		return eh.AnswerNo, "Answer: no"
	}
	open := true
	a := mk("m-direct", "openai:m", "direct", yesBiased, all)
	a.Meta = &Meta{ParamsB: 7, Released: "2024-06", Open: &open, Reasoning: "no"}
	b := mk("m-pep", "openai:m", "pep-mek", better, all)
	b.Meta = a.Meta
	c := mk("t-direct", "openai:text-only", "direct", yesBiased, func(m eh.Modality) bool { return m == eh.Text })
	return []Run{a, b, c}
}

func TestGolden(t *testing.T) {
	runs := fixtureRuns()
	g := goldie.New(t, goldie.WithFixtureDir("testdata"), goldie.WithNameSuffix(""))
	renderers := []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"TestGolden.golden.md", func(b *bytes.Buffer) error { return Markdown(b, runs) }},
		{"TestGolden.golden.csv", func(b *bytes.Buffer) error { return CSV(b, runs) }},
		{"TestGolden.golden.json", func(b *bytes.Buffer) error { return JSON(b, runs, 0.2) }},
		{"TestGolden.golden.txt", func(b *bytes.Buffer) error { return Text(b, runs, "modality:image") }},
	}
	for _, r := range renderers {
		var b bytes.Buffer
		if err := r.render(&b); err != nil {
			t.Fatal(err)
		}
		g.Assert(t, r.name, b.Bytes())
	}
}

// TestHTMLEscapesModelOutput: model output is untrusted.
func TestHTMLEscapesModelOutput(t *testing.T) {
	runs := fixtureRuns()
	evil := "<script>alert(1)</script> yes"
	runs[0].Records[1].Raw = evil // a failed hallucinated answer in the error browser
	runs[0].Records[1].Steps[0].Response = evil + " \xff\xfe"
	runs[0].Scores.Run.Model = `"><img src=x onerror=alert(2)>`
	var b bytes.Buffer
	if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script>alert(1)") || strings.Contains(out, "<img src=x") {
		t.Fatal("model output reached the page as live HTML")
	}
	if !strings.Contains(out, `\u003cscript\u003ealert(1)\u003c/script\u003e yes`) {
		t.Fatal("escaped model output not in the error browser's data")
	}
	if strings.Count(out, "<script>") != 1 {
		t.Fatalf("the page should hold exactly its own script, found %d", strings.Count(out, "<script>"))
	}
}

// TestHTMLErrorDataEscaped: the error browser's failed pairs are JSON inside a
// <script type="application/json"> element; "</script>" or "<!--" in a
// model's answer must not end the element, and the data must parse back to
// the answer exactly as the model gave it.
func TestHTMLErrorDataEscaped(t *testing.T) {
	tests := []struct {
		name, raw string
	}{
		// The end tag of the element, then a script of its own.
		{"end tag", "</script><script>alert(3)</script> yes"},
		// Upper case: HTML end tags are case-insensitive.
		{"upper case", "</SCRIPT ><img src=x onerror=alert(4)> yes"},
		// A comment opener, which in a script element changes how the end tag is found.
		{"comment", "<!-- <script> yes"},
		// U+2028, a line terminator in older JavaScript string literals.
		{"line separator", "yes\u2028</script>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := fixtureRuns()
			runs[0].Records[1].Raw = tt.raw // a failed hallucinated answer
			var b bytes.Buffer
			if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if n := strings.Count(strings.ToLower(out), "</script"); n != 2 {
				t.Fatalf("%d script end tags in the page, want 2 (the data's and the page script's)", n)
			}
			d := errorDataOf(t, out)
			found := false
			for _, it := range d.Items {
				for _, q := range it.Questions {
					found = found || q.Raw == tt.raw
				}
			}
			if !found {
				t.Errorf("answer %q not in the parsed data", tt.raw)
			}
		})
	}
}

// errorDataOf parses the error browser's JSON out of a rendered page, as the
// page's script does.
func errorDataOf(t *testing.T, page string) errorData {
	t.Helper()
	const open = `<script type="application/json" id="errdata">`
	start := strings.Index(page, open)
	if start < 0 {
		t.Fatal("no error data in the page")
	}
	start += len(open)
	end := start + strings.Index(page[start:], "</script>")
	var d errorData
	if err := json.Unmarshal([]byte(page[start:end]), &d); err != nil {
		t.Fatalf("error data does not parse: %v", err)
	}
	return d
}

func TestHTMLSections(t *testing.T) {
	runs := fixtureRuns()
	var b bytes.Buffer
	if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`id="leaderboard"`, "view: modality:image", "Yes/no bias", "<svg", "Risk–coverage", "Error browser", `"kind":"yes-bias"`,
		"openai:m: direct → pep-mek", "McNemar p", "Overall accuracy by release date", "not evaluated"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// Nothing is fetched from the network: the only URLs are SVG namespaces.
	stripped := strings.NewReplacer(`"http://www.w3.org/2000/svg"`, "", `"http://www.w3.org/1999/xlink"`, "").Replace(out)
	for _, bad := range []string{"http://", "https://", "<link", "@import", "src=\"//"} {
		if strings.Contains(stripped, bad) {
			t.Errorf("HTML references the network: %q", bad)
		}
	}
	// Without confidences the page says why there is no threshold.
	for i := range runs {
		for _, r := range runs[i].Records {
			r.Confidence = nil
		}
	}
	b.Reset()
	HTML(&b, runs, HTMLOptions{TargetError: 0.2})
	if !strings.Contains(b.String(), "No run carries per-answer confidences") {
		t.Error("no explanation of the missing review threshold")
	}
}

// TestHTMLInChromium renders the report in headless Chromium, as a user would
// open it, and checks that the screenshot is not blank and the leaderboard is in
// the rendered page; then that a page of 20,000 failed pairs renders its first
// 50, with a text pair's passage open.
func TestHTMLInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs it")
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	dir := t.TempDir()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=1280,1600"}
	write := func(name string, runs []Run, opt HTMLOptions) string {
		page := filepath.Join(dir, name)
		f, _ := os.Create(page)
		if err := HTML(f, runs, opt); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return page
	}
	dom := func(page string) string {
		out, err := exec.Command(chromium, append(args, "--dump-dom", "file://"+page)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	page := write("report.html", fixtureRuns(), HTMLOptions{TargetError: 0.2})
	shot := filepath.Join(dir, "shot.png")
	if out, err := exec.Command(chromium, append(args, "--screenshot="+shot, "file://"+page)...).CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	img, err := png.Decode(mustOpen(t, shot))
	if err != nil {
		t.Fatal(err)
	}
	// Not blank: many distinct colours across the page.
	colours := map[uint32]bool{}
	bnd := img.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y += 7 {
		for x := bnd.Min.X; x < bnd.Max.X; x += 7 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|b>>8] = true
		}
	}
	if len(colours) < 20 {
		t.Fatalf("screenshot looks blank: %d colours", len(colours))
	}
	small := dom(page)
	for _, want := range []string{"Leaderboard", "openai:m [pep-mek]", "shown</span>", `class="err"`} {
		if !strings.Contains(small, want) {
			t.Errorf("rendered page lacks %q (the script renders the error browser)", want)
		}
	}
	// In Japanese and Chinese the same script, under the same hash, renders
	// the error browser in the page's language.
	for _, tt := range []struct {
		lang Lang
		want []string
	}{
		{Japanese, []string{"件を表示", "1 / 1 ページ", `<span class="kind">「はい」への偏り</span>`, "ハルシネーション質問："}},
		{Chinese, []string{"显示 ", "第 1 / 1 页", `<span class="kind">“是”偏向</span>`, "幻觉问题："}},
	} {
		got := dom(write("report."+string(tt.lang)+".html", fixtureRuns(), HTMLOptions{TargetError: 0.2, Lang: tt.lang}))
		if n := strings.Count(got, `class="err"`); n == 0 {
			t.Errorf("%s: the script rendered no failed pair (blocked by the CSP?)", tt.lang)
		}
		for _, want := range tt.want {
			if !strings.Contains(got, want) {
				t.Errorf("%s: rendered page lacks %q", tt.lang, want)
			}
		}
	}
	runs, s := bigFixture(10000)
	bigPage := write("big.html", runs, HTMLOptions{TargetError: 0.2, Suite: s})
	tests := []struct {
		fragment string
		want     []string
	}{
		// The first page, with a text pair's passage open.
		{"", []string{"20000 shown", "page 1 of 400", `<details open=""><summary>context</summary><pre>Passage `}},
		// The last page, opened by its link: full, with next disabled.
		{"#errpage=400", []string{"page 400 of 400", `class="f-next" disabled=""`}},
	}
	for _, tt := range tests {
		big := dom(bigPage + tt.fragment)
		if n := strings.Count(big, `class="err"`); n != 50 {
			t.Errorf("%s: %d failed pairs rendered, want one page of 50", tt.fragment, n)
		}
		for _, want := range tt.want {
			if !strings.Contains(big, want) {
				t.Errorf("%s: rendered page of 20,000 failed pairs lacks %q", tt.fragment, want)
			}
		}
	}
}

func mustOpen(t *testing.T, p string) *os.File {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// The page's Content-Security-Policy allows its one script by hash, never
// 'unsafe-inline', and the hash is of the script exactly as rendered, in
// every language.
func TestHTMLScriptHash(t *testing.T) {
	for _, l := range Langs {
		t.Run(string(l), func(t *testing.T) { testScriptHash(t, l) })
	}
}

func testScriptHash(t *testing.T, l Lang) {
	var b bytes.Buffer
	if err := HTML(&b, fixtureRuns(), HTMLOptions{TargetError: 0.2, Lang: l}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	start := strings.Index(out, "<script>")
	end := start + strings.Index(out[start:], "</script>")
	if start < 0 || end < start {
		t.Fatal("no script in the page")
	}
	sum := sha256.Sum256([]byte(out[start+len("<script>") : end]))
	want := "script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	m := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no Content-Security-Policy")
	}
	csp := html.UnescapeString(m[1])
	if !strings.Contains(csp, want) {
		t.Errorf("CSP %q lacks %q", csp, want)
	}
	for _, d := range strings.Split(csp, ";") {
		if strings.HasPrefix(strings.TrimSpace(d), "script-src") && strings.Contains(d, "unsafe-inline") {
			t.Errorf("script-src allows inline scripts: %q", d)
		}
	}
}

// Names are user input: in Markdown they must not become live HTML or break
// the table, in CSV they must not run as spreadsheet formulas.
func TestMarkdownAndCSVEscapeNames(t *testing.T) {
	runs := fixtureRuns()
	runs[0].Scores.Run.Model = `<img src=x onerror=alert(1)>|x`
	runs[0].Scores.Run.ID = `=HYPERLINK("http://evil")`
	runs[1].Scores.Run.Strategy = "@SUM(A1)"
	var md bytes.Buffer
	if err := Markdown(&md, runs); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "<img") || !strings.Contains(md.String(), `&lt;img src=x onerror=alert(1)&gt;\|x`) {
		t.Errorf("markdown:\n%s", md.String())
	}
	var c bytes.Buffer
	if err := CSV(&c, runs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	negative := false
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
			if strings.HasPrefix(cell, "-") {
				if _, err := strconv.ParseFloat(cell, 64); err != nil {
					t.Errorf("cell %q would run as a formula", cell)
				}
				negative = true
			}
		}
	}
	if !negative {
		t.Error("no negative number kept as a number (pct_diff)")
	}
}

// The report asks score to compare runs and passes its refusals on, rather
// than dropping the accumulator's errors.
func TestComparisonsReportScoreErrors(t *testing.T) {
	runs := fixtureRuns()
	if cmps, err := Comparisons(runs); err != nil || len(cmps) != 1 {
		t.Fatalf("Comparisons = %d, %v", len(cmps), err)
	}
	other := *runs[1].Records[0]
	other.Run = "another-run"
	runs[1].Records = append(runs[1].Records, &other)
	if _, err := Comparisons(runs); err == nil || !strings.Contains(err.Error(), "another-run") {
		t.Fatalf("a run holding two runs' records: %v", err)
	}
	if err := JSON(io.Discard, runs, 0.2); err == nil {
		t.Fatal("JSON report hid the error")
	}
	if err := HTML(io.Discard, runs, HTMLOptions{}); err == nil {
		t.Fatal("HTML report hid the error")
	}
}

// bigFixture is a suite of n text pairs from three sources, sorted by id so
// that the first third are all one source, with every fourth pair in the
// split "split:hard", and two runs that fail every pair (one direct, one
// pep-mek with four steps per answer).
func bigFixture(n int) ([]Run, *eh.Suite) {
	s := &eh.Suite{Name: "big"}
	sources := []string{"alpha", "beta", "gamma"}
	for i := range n {
		p := eh.Pair{ID: fmt.Sprintf("%s-%05d", sources[i*3/n], i), Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text,
			Context:      eh.Context{Text: fmt.Sprintf("Passage %d: the reviewer waited an hour and left.", i)},
			Basic:        eh.Question{Text: "Is the reviewer annoyed?", Gold: eh.Yes},
			Hallucinated: eh.Question{Text: "Is the reviewer delighted?", Gold: eh.No},
			Explanation:  "Waiting an hour and leaving is annoyance.", Source: eh.Source{Dataset: sources[i*3/n], ID: fmt.Sprint(i)}}
		if i%4 == 0 {
			p.Tags = []string{"split:hard"}
		}
		s.Pairs = append(s.Pairs, p)
	}
	var runs []Run
	for _, strategy := range []string{"direct", "pep-mek"} {
		acc := score.NewAccumulator()
		var recs []*eh.Record
		for i := range s.Pairs {
			for _, role := range []eh.Role{eh.Basic, eh.Hallucinated} {
				r := eh.NewRecord("big-"+strategy, s.Name, "openai:m", strategy, &s.Pairs[i], role)
				r.Status, r.Answer, r.Raw, r.Calls = eh.StatusAnswered, eh.AnswerYes, "Yes, clearly.", 1
				if strategy == "pep-mek" {
					for _, name := range []string{"evidence", "predict", "explain", "final"} {
						r.Steps = append(r.Steps, eh.Step{Name: name, Prompt: []eh.Message{{Role: "user", Parts: []eh.Part{{Text: strings.Repeat("Lay out the evidence. ", 20)}}}}, Response: strings.Repeat("The reviewer seems fine. ", 10)})
					}
					r.Calls = 4
				}
				recs = append(recs, r)
				acc.Add(r)
			}
		}
		runs = append(runs, Run{Dir: "runs/big-" + strategy, Scores: acc.Close(), Records: recs})
	}
	return runs, s
}

// TestHTMLErrorBrowserAtScale: ten thousand failed pairs per run are all in
// the page, whose size stays bounded (transcripts beyond the budget are left
// out, and said so); the page's HTML holds no card (the script renders them a
// page at a time); the first page covers every source and run; split views
// select their pairs; a text pair carries its passage.
func TestHTMLErrorBrowserAtScale(t *testing.T) {
	runs, s := bigFixture(10000)
	var b bytes.Buffer
	if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2, Suite: s}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if b.Len() > 16<<20 {
		t.Errorf("page of 20,000 failed pairs is %d MB; the transcript budget should bound it", b.Len()>>20)
	}
	if strings.Contains(out, `class="err"`) {
		t.Error("failed pairs rendered in the page's HTML; they must be rendered a page at a time by the script")
	}
	if !strings.Contains(out, "strategy steps of") {
		t.Error("no note that transcripts were left out")
	}
	d := errorDataOf(t, out)
	if len(d.Items) != 20000 || d.PerPage != 50 {
		t.Fatalf("%d failed pairs in the data (want all 20000), %d per page", len(d.Items), d.PerPage)
	}
	first := map[string]bool{}
	for _, it := range d.Items[:d.PerPage] {
		first[it.Source] = true
		first[d.Runs[it.Run]] = true
	}
	for _, want := range []string{"alpha", "beta", "gamma", "openai:m", "openai:m [pep-mek]"} {
		if !first[want] {
			t.Errorf("first page lacks %s: %v", want, first)
		}
	}
	split := -1
	for i, v := range d.Views {
		if v == "split:hard" {
			split = i
		}
	}
	if split < 0 {
		t.Fatalf("no split:hard view among %v", d.Views)
	}
	inSplit := 0
	for _, it := range d.Items {
		var n int
		fmt.Sscanf(it.Pair[strings.LastIndex(it.Pair, "-")+1:], "%d", &n)
		has := slices.Contains(it.Views, split)
		if has != (n%4 == 0) {
			t.Fatalf("pair %s: in split:hard = %v", it.Pair, has)
		}
		if has {
			inSplit++
		}
		if it.Detail < 0 || !strings.HasPrefix(d.Pairs[it.Detail].Context, "Passage ") {
			t.Fatalf("pair %s without its passage", it.Pair)
		}
	}
	if inSplit != 5000 {
		t.Errorf("%d failed pairs in split:hard, want 5000", inSplit)
	}
	// Transcripts are whole or left out, and the budget goes to the first
	// pages: every pep-mek answer there carries its four steps.
	for i, it := range d.Items {
		for _, q := range it.Questions {
			if len(q.Steps)+q.StepsLeftOut != map[bool]int{true: 4, false: 0}[d.Runs[it.Run] == "openai:m [pep-mek]"] || (len(q.Steps) != 0 && q.StepsLeftOut != 0) {
				t.Fatalf("pair %s of %s: %d steps shown, %d left out", it.Pair, d.Runs[it.Run], len(q.Steps), q.StepsLeftOut)
			}
			if i < d.PerPage && q.StepsLeftOut > 0 {
				t.Fatalf("first page: pair %s without its transcript", it.Pair)
			}
		}
	}
}

// rescore recomputes a fixture run's scores after its records were changed.
func rescore(r *Run) {
	acc := score.NewAccumulator()
	for _, rec := range r.Records {
		acc.Add(rec)
	}
	r.Scores = acc.Close()
}

// TestHTMLStrategyCostOnSharedQuestions: the strategy section compares calls
// and tokens on the questions both runs answered. Here pep-mek ran on the
// image pairs only, and the direct run's text questions are ten times longer:
// averaged over its whole run, direct would cost 5.5× its image questions.
func TestHTMLStrategyCostOnSharedQuestions(t *testing.T) {
	runs := fixtureRuns()
	for _, r := range runs[0].Records {
		if r.Modality == eh.Text {
			r.Usage.PromptTokens *= 10
		}
	}
	var images []*eh.Record
	for _, r := range runs[1].Records {
		if r.Modality == eh.Image {
			r.CachedCalls = 1 // the evidence step, shared by both questions of an image
			images = append(images, r)
		}
	}
	runs[1].Records = images
	rescore(&runs[0])
	rescore(&runs[1])
	var b bytes.Buffer
	if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2}); err != nil {
		t.Fatal(err)
	}
	want := "on the 24 questions both answered, per question: 1.00 → 4.00 calls (cache hits 0 → 24 of 24 → 96 calls), 103 → 412 tokens"
	if !strings.Contains(b.String(), want) {
		t.Errorf("strategy section lacks %q", want)
	}
	if !strings.Contains(b.String(), "cost ratio 4.00× (by tokens)") {
		t.Error("cost ratio not by tokens although pep-mek answered from the cache")
	}
}

// TestRunsOfSeveralSuites: tables name each run's suite when the runs come
// from several, and a strategy run is compared only with the direct run of
// its own suite.
func TestRunsOfSeveralSuites(t *testing.T) {
	tests := []struct {
		name       string
		otherSuite string
		suiteCol   bool
		compared   bool
	}{
		// One suite: no suite column; pep-mek compared with direct.
		{"one suite", "fixture", false, true},
		// pep-mek on another suite: a suite column, and no comparison.
		{"two suites", "other", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := fixtureRuns()
			for _, r := range runs[1].Records {
				r.Suite = tt.otherSuite
			}
			rescore(&runs[1])
			var text, md, page bytes.Buffer
			Text(&text, runs, "all")
			Markdown(&md, runs)
			if err := HTML(&page, runs, HTMLOptions{TargetError: 0.2}); err != nil {
				t.Fatal(err)
			}
			hasCol := strings.Contains(text.String(), "model               suite") && strings.Contains(md.String(), "| model | suite |") &&
				strings.Contains(page.String(), "<th>model</th><th>suite</th>")
			anyCol := strings.Contains(text.String(), " suite ") || strings.Contains(md.String(), "| model | suite |") || strings.Contains(page.String(), "<th>model</th><th>suite</th>")
			if hasCol != tt.suiteCol || anyCol != tt.suiteCol {
				t.Errorf("suite column in all tables %v, in any %v; want %v\n%s", hasCol, anyCol, tt.suiteCol, text.String())
			}
			if got := strings.Contains(page.String(), "direct → pep-mek"); got != tt.compared {
				t.Errorf("comparison shown %v, want %v", got, tt.compared)
			}
		})
	}
}

// TestHTMLNoConfidencesOnce: the review section names the runs without
// confidences once, in one line with the remedy, rather than once per run.
func TestHTMLNoConfidencesOnce(t *testing.T) {
	runs := fixtureRuns()
	for _, i := range []int{1, 2} {
		for _, r := range runs[i].Records {
			r.Confidence = nil
		}
	}
	var b bytes.Buffer
	if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "No confidences"); n != 1 || strings.Contains(out, "No recommendation") {
		t.Errorf(`"No confidences" stated %d times (want once, with no per-run block)`, n)
	}
	for _, want := range []string{"No confidences, so no threshold, for 2 run(s): openai:m [pep-mek], openai:text-only.", "logprobs: true", "--strategy self-consistency", "Risk–coverage: openai:m"} {
		if !strings.Contains(out, want) {
			t.Errorf("review section lacks %q", want)
		}
	}
}
