package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"html"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt; yes") {
		t.Fatal("escaped model output not shown")
	}
	if strings.Count(out, "<script>") != 1 {
		t.Fatalf("the page should hold exactly its own script, found %d", strings.Count(out, "<script>"))
	}
}

func TestHTMLSections(t *testing.T) {
	runs := fixtureRuns()
	var b bytes.Buffer
	if err := HTML(&b, runs, HTMLOptions{TargetError: 0.2}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`id="leaderboard"`, "view: modality:image", "Yes/no bias", "<svg", "Risk–coverage", "Error browser", `data-kind="yes-bias"`,
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
// the rendered page.
func TestHTMLInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs it")
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, _ := os.Create(page)
	if err := HTML(f, fixtureRuns(), HTMLOptions{TargetError: 0.2}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=1280,1600"}
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
	dom, err := exec.Command(chromium, append(args, "--dump-dom", "file://"+page)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Leaderboard", "openai:m [pep-mek]", "shown</span>"} {
		if !strings.Contains(string(dom), want) {
			t.Errorf("rendered page lacks %q (the filter script sets the count)", want)
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
// 'unsafe-inline', and the hash is of the script exactly as rendered.
func TestHTMLScriptHash(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, fixtureRuns(), HTMLOptions{TargetError: 0.2}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	start := strings.Index(out, "<script>")
	end := strings.Index(out, "</script>")
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
