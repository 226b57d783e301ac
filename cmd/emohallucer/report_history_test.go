package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/store/postgres/pgtest"
)

// redate moves a run to another day, as if it had been made then: every
// record's start is shifted to the day, and summary.json is recomputed with
// emohallucer score.
func redate(t *testing.T, dir string, day time.Time) {
	t.Helper()
	path := filepath.Join(dir, record.FileName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		rec["started"] = day.Format(time.RFC3339Nano)
		b, _ := json.Marshal(rec)
		out.Write(append(b, '\n'))
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "score", dir); code != 0 {
		t.Fatalf("score %s: %s", dir, stderr)
	}
}

// TestReportHistory follows one model name over three dated runs: the model
// behind the name degrades between the first and second run (a significant
// change on every view) and stays the same from the second to the third.
func TestReportHistory(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "test-key")
	dir := t.TempDir()
	good, bad := goldServer(t, 1, true), goldServer(t, 3, false)
	v1 := fixtureRun(t, dir, "jan", "openai:bot@"+good.OpenAIBaseURL(), "")
	v2 := fixtureRun(t, dir, "feb", "openai:bot@"+bad.OpenAIBaseURL(), "")
	v3 := fixtureRun(t, dir, "mar", "openai:bot@"+bad.OpenAIBaseURL(), "")
	other := fixtureRun(t, dir, "base", "baseline:always-yes", "")
	for i, d := range []string{v1, v2, v3} {
		redate(t, d, time.Date(2026, time.Month(1+i), 15, 9, 0, 0, 0, time.UTC))
	}
	hjson, page := filepath.Join(dir, "history.json"), filepath.Join(dir, "report.html")
	// Given in reverse date order: the history orders by start date.
	code, stdout, stderr := runCLI(t, "report", v3, other, v1, v2, "--history", "--json", hjson, "--html", page, "--view", "perception")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var h report.History
	data, err := os.ReadFile(hjson)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Models) != 2 || h.Models[1].Model != "openai:bot" {
		t.Fatalf("models %+v", h.Models)
	}
	bot := h.Models[1]
	if len(bot.Runs) != 3 || !strings.HasPrefix(bot.Runs[0].Started, "2026-01-15") || !strings.HasPrefix(bot.Runs[2].Started, "2026-03-15") {
		t.Fatalf("runs not in date order: %+v", bot.Runs)
	}
	if bot.Runs[0].Views["all"].Overall <= bot.Runs[1].Views["all"].Overall || bot.Runs[1].Views["all"].FPRatio == nil {
		t.Errorf("metrics %+v", bot.Runs)
	}
	views := map[string]bool{}
	for _, c := range bot.Changes {
		if c.FromDir != v1 || c.ToDir != v2 || c.Delta >= 0 || c.McNemarP >= 0.05 {
			t.Errorf("change %+v: only the January → February drop is significant", c)
		}
		views[c.View] = true
	}
	if !views["all"] || !views["perception"] || !views["knowledge"] {
		t.Errorf("changed views %v", views)
	}
	if len(h.Models[0].Runs) != 1 || len(h.Models[0].Changes) != 0 {
		t.Errorf("baseline history %+v", h.Models[0])
	}
	for _, want := range []string{"openai:bot: 3 run(s), view perception", "2026-01-15T09:00:00Z", "significant changes", "2026-02-15T09:00:00Z all:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("history text lacks %q:\n%s", want, stdout)
		}
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<section id="history">`, "Overall accuracy: openai:bot", "FP Ratio: openai:bot", "One run: nothing to follow yet."} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// --lang reaches the section; the history's text and JSON stay English.
	zhPage := filepath.Join(dir, "report.zh.html")
	code, stdout, stderr = runCLI(t, "report", v3, other, v1, v2, "--history", "--html", zhPage, "--view", "perception", "--lang", "zh")
	if code != 0 {
		t.Fatalf("--lang zh: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "openai:bot: 3 run(s), view perception") {
		t.Errorf("history text with --lang zh:\n%s", stdout)
	}
	if html, err = os.ReadFile(zhPage); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<a href="#history">随时间监测</a>`, "成对准确率：openai:bot", "FP Ratio：openai:bot", "仅有一次运行，尚无变化可追踪。", "<th>变化前的运行</th>"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("Chinese HTML lacks %q", want)
		}
	}
}

// TestReportUseCasesSection: report --usecases adds the policy section to the
// HTML report, and needs --html.
func TestReportUseCasesSection(t *testing.T) {
	runs := makePolicyRuns(t)
	reg := writeRegister(t, runs.dir, testRegister)
	page := filepath.Join(runs.dir, "report.html")
	if code, _, stderr := runCLI(t, "report", runs.calibrated, runs.base, "--usecases", reg, "--html", page); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<section id="usecases">`, "Automate with openai:calibrated [direct]", "Keep humans: no run has answers on view modality:audio", "no confidences: set logprobs: true"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// --lang reaches the section.
	jaPage := filepath.Join(runs.dir, "report.ja.html")
	if code, _, stderr := runCLI(t, "report", runs.calibrated, runs.base, "--usecases", reg, "--html", jaPage, "--lang", "ja"); code != 0 {
		t.Fatalf("--lang ja: exit %d\n%s", code, stderr)
	}
	if html, err = os.ReadFile(jaPage); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<a href="#usecases">ユースケース</a>`, "openai:calibrated [direct] で確信度 ≥", "人によるレビューを継続：ビュー modality:audio に回答のある実行がありません", "確信度がありません：logprobs: true を設定するか"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("Japanese HTML lacks %q", want)
		}
	}
	if code, _, stderr := runCLI(t, "report", runs.calibrated, "--usecases", reg); code != exitUsage || !strings.Contains(stderr, "--html") {
		t.Errorf("--usecases without --html: exit %d %s", code, stderr)
	}
}

// TestReportHistoryFromStore follows a model over two runs kept in a
// PostgreSQL store (DATABASE_URL), whose records carry the start dates.
func TestReportHistoryFromStore(t *testing.T) {
	url := pgtest.NewDatabase(t)
	t.Setenv("OPENAI_API_KEY", "test-key")
	tmp := t.TempDir()
	good, bad := goldServer(t, 1, true), goldServer(t, 3, false)
	for i, srv := range []*fakeapi.Server{good, bad} {
		args := []string{"run", "--suite", "builtin", "--subset", "perception", "--model", "openai:bot@" + srv.OpenAIBaseURL(), "--store", url,
			"--out", filepath.Join(tmp, fmt.Sprint(i)), "--progress", "never"}
		if code, _, stderr := runCLI(t, args...); code != exitOK {
			t.Fatalf("run %d: exit %d\n%s", i, code, stderr)
		}
	}
	hjson := filepath.Join(tmp, "history.json")
	code, stdout, stderr := runCLI(t, "report", "--store", url, "--history", "--json", hjson)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(hjson)
	if err != nil {
		t.Fatal(err)
	}
	var h report.History
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Models) != 1 || len(h.Models[0].Runs) != 2 || h.Models[0].Runs[0].Started == "" || !strings.Contains(stdout, "openai:bot: 2 run(s)") {
		t.Errorf("history from the store %+v\n%s", h, stdout)
	}
}
