package review

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"html"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// pagePairs returns a text pair whose fields try to break out of the page and
// an image pair whose picture is written to dir.
func pagePairs(t *testing.T, dir string) []*eh.Pair {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 4)
	}
	img.Set(0, 0, color.Gray{255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "media", "face.png"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b.Bytes())
	return []*eh.Pair{
		{ID: `t-1"><script>alert(1)</script>`, Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text,
			Context:      eh.Context{Text: "</textarea><script>alert('x')</script>\nSecond line & more"},
			Basic:        eh.Question{Text: "Is the writer <b>angry</b>?", Gold: eh.Yes},
			Hallucinated: eh.Question{Text: `Is the writer "afraid"?`, Gold: eh.No},
			Explanation:  "<img src=x onerror=alert(2)>", Corruption: "swap", Source: eh.Source{Dataset: "goemotions", ID: "42"}},
		{ID: "ferplus-7-category", Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Image,
			Context: eh.Context{Media: []eh.Media{{Path: "media/face.png", SHA256: hex.EncodeToString(sum[:]), Kind: eh.Image}}},
			Basic:   eh.Question{Text: "Does the person look happy?", Gold: eh.Yes}, Hallucinated: eh.Question{Text: "Does the person look surprised?", Gold: eh.No},
			Explanation: "8 of 10 annotators chose happiness.", Corruption: "swap", Source: eh.Source{Dataset: "ferplus", ID: "7"}},
	}
}

func writeTestPage(t *testing.T) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := WritePage(&buf, pagePairs(t, dir), PageOptions{Suite: "fixture", Dir: dir, Seed: 3, Rater: `ana "<x>"`}); err != nil {
		t.Fatal(err)
	}
	return dir, buf.Bytes()
}

// TestWritePageGolden pins the page's markup (go test ./review -run Golden -update
// rewrites it after an intended change). The inline script and style are
// page.js and page.css verbatim (TestPageCSP hashes them), so the golden
// file names them instead of repeating them.
func TestWritePageGolden(t *testing.T) {
	_, b := writeTestPage(t)
	page := []byte(strings.Replace(strings.Replace(string(b), pageJS, "/* page.js */", 1), pageCSS, "/* page.css */", 1))
	golden := filepath.Join("testdata", "TestWritePage.golden.html")
	if *update {
		if err := os.WriteFile(golden, page, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(page, want) {
		t.Errorf("page differs from %s; rerun with -update if the change is intended", golden)
	}
}

var (
	cspMeta  = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)
	scriptEl = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	styleEl  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
)

// TestPageCSP checks that the policy names the hashes of exactly the inline
// script and style the page holds, allows nothing else, and that nothing from
// the suite escaped into markup.
func TestPageCSP(t *testing.T) {
	_, b := writeTestPage(t)
	page := string(b)
	m := cspMeta.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSP meta element")
	}
	csp := html.UnescapeString(m[1])
	scripts := scriptEl.FindAllStringSubmatch(page, -1)
	styles := styleEl.FindAllStringSubmatch(page, -1)
	if len(scripts) != 1 || len(styles) != 1 {
		t.Fatalf("%d script and %d style elements, want one each (the suite's <script> must be escaped)", len(scripts), len(styles))
	}
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	for _, want := range []string{"default-src 'none'", "script-src " + hash(scripts[0][1]), "style-src " + hash(styles[0][1]), "img-src data:", "media-src data:"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Contains(csp, "http") {
		t.Errorf("CSP allows too much: %s", csp)
	}
	for _, bad := range []string{"<script>alert", "<b>angry", "<img src=x", ` style="`, "</textarea><script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "Is the writer &lt;b&gt;angry&lt;/b&gt;?", `src="data:image/png;base64,iVBOR`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if !strings.Contains(scripts[0][1], "localStorage") || strings.Contains(scripts[0][1], "eval(") {
		t.Error("the script should keep state in localStorage and never eval")
	}
}

// chromiumArgs are the flags of a headless, offline Chromium with its own
// profile in dir.
func chromiumArgs(t *testing.T, dir string) (string, []string) {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs it")
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	return chromium, []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=1400,1000"}
}

// TestPageInChromium opens the page as a reviewer would: the script runs
// under the policy (it marks the first pair current, which the markup does not)
// and the page is not blank.
func TestPageInChromium(t *testing.T) {
	dir, page := writeTestPage(t)
	chromium, args := chromiumArgs(t, dir)
	file := filepath.Join(dir, "review.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	dom, err := exec.Command(chromium, append(args, "--dump-dom", "file://"+file)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`class="card current"`, `class="dot current"`, `<span id="rater-name">ana "&lt;x&gt;"</span>`} {
		if !strings.Contains(string(dom), want) {
			t.Errorf("rendered page lacks %q: the script did not run (a CSP hash mismatch blocks it)", want)
		}
	}
	if strings.Contains(string(dom), "alert(") && strings.Contains(string(dom), "<script>alert") {
		t.Error("the suite's script became markup")
	}
}

// TestPageKeyboard reviews the fixture page with the keyboard in headless
// Chromium, as a reviewer would: the name is asked once, verdicts and a note
// survive a reload, and Export downloads JSONL that ReadVerdicts accepts.
func TestPageKeyboard(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := WritePage(&buf, pagePairs(t, dir), PageOptions{Suite: "fixture", Dir: dir, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "review.html")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	chromium, args := chromiumArgs(t, dir)
	c := startCDP(t, chromium, args, "file://"+file)
	current := `document.querySelector(".card.current").dataset.id`
	asking := `!document.getElementById("ask").classList.contains("hidden")`

	// No --rater: the page asks, and the name field has the focus.
	c.waitFor(asking)
	c.typeText("ana")
	c.call("Input.dispatchKeyEvent", map[string]any{"type": "keyDown", "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}, nil)
	c.waitFor("!(" + asking + ")")
	// The embedded image decodes under img-src data:.
	c.waitFor(`document.querySelector("img").naturalWidth === 8`)

	c.key("3") // wrong, and on to the next pair
	c.waitFor(current + ` === "ferplus-7-category"`)
	c.key("n")
	c.typeText("smiling, but <b>tight</b>")
	c.key("Escape")
	c.key("1") // valid; the last pair stays
	c.key("ArrowLeft")
	c.waitFor(current + ` === 't-1"><script>alert(1)</script>'`)
	if got := c.eval(`document.getElementById("count").textContent`); got != "2 / 2 judged" {
		t.Errorf("progress %v", got)
	}

	// A reload loses nothing and does not ask again.
	c.eval("window.__before = true")
	c.call("Page.reload", map[string]any{}, nil)
	c.waitFor(`!window.__before && document.readyState === "complete"`)
	for expr, want := range map[string]any{
		`document.getElementById("count").textContent`:                                                    "2 / 2 judged",
		`document.querySelectorAll(".dot.wrong").length + document.querySelectorAll(".dot.valid").length`: float64(2),
		`document.querySelectorAll(".card")[1].querySelector(".note").value`:                              "smiling, but <b>tight</b>",
		`document.getElementById("rater-name").textContent`:                                               "ana",
		asking: false,
	} {
		if got := c.eval(expr); got != want {
			t.Errorf("after reload %s = %v, want %v", expr, got, want)
		}
	}

	// Export downloads the verdicts as JSONL.
	downloads := filepath.Join(dir, "downloads")
	c.call("Browser.setDownloadBehavior", map[string]any{"behavior": "allow", "downloadPath": downloads}, nil)
	c.key("e")
	exported := filepath.Join(downloads, "verdicts-ana.jsonl")
	for i := 0; i < 600; i++ {
		if _, err := os.Stat(exported); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	vs, err := ReadVerdicts([]string{exported})
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{
		{Pair: `t-1"><script>alert(1)</script>`, Verdict: Wrong, Rater: "ana", Source: "goemotions", SubCategory: "category"},
		{Pair: "ferplus-7-category", Verdict: Valid, Rater: "ana", Note: "smiling, but <b>tight</b>", Source: "ferplus", SubCategory: "category"},
	}
	if len(vs.Lines) != 2 || vs.Lines[0] != want[0] || vs.Lines[1] != want[1] {
		t.Errorf("exported %+v\nwant %+v", vs.Lines, want)
	}
}
