//go:build unix

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
)

// faceAPIVersion is the face-api release package-lock.json pins.
const faceAPIVersion = "1.7.15"

// faceModel is the model id the face-expression expert serves.
const faceModel = "face-api-expression"

var (
	faceOnce sync.Once
	faceURL  string // base URL, ending in /v1
	faceErr  error
)

func faceDir() string { return filepath.Join(repoRoot, "testservers", "faceexpert") }

// findFaceModules returns the node_modules folder holding the face expert's
// dependencies, or "" with the reason. .ci/integration.sh installs them into
// the CI cache under the hash of package-lock.json, so a changed lock file is
// never served stale modules.
func findFaceModules() (string, string) {
	if _, err := exec.LookPath("node"); err != nil {
		return "", "node is not on PATH"
	}
	var candidates []string
	if d := os.Getenv("EMOHALLUCER_FACEEXPERT_MODULES"); d != "" {
		candidates = append(candidates, d)
	} else {
		sum, err := fileSHA256(filepath.Join(faceDir(), "package-lock.json"))
		if err != nil {
			return "", err.Error()
		}
		candidates = append(candidates,
			filepath.Join(ciCache(), "faceexpert-"+sum[:16], "node_modules"),
			filepath.Join(faceDir(), "node_modules")) // a developer's npm ci
	}
	for _, d := range candidates {
		data, err := os.ReadFile(filepath.Join(d, "@vladmandic", "face-api", "package.json"))
		if err != nil {
			continue
		}
		var pkg struct{ Version string }
		if json.Unmarshal(data, &pkg) == nil && pkg.Version == faceAPIVersion {
			return d, ""
		}
	}
	return "", fmt.Sprintf("no installed face expert dependencies (face-api %s) in %s", faceAPIVersion, strings.Join(candidates, " or "))
}

// faceExpert returns the base URL of the shared face-expression server,
// starting it on first use (the models load once per test binary).
func faceExpert(t *testing.T) string {
	t.Helper()
	mods, why := findFaceModules()
	if mods == "" {
		unavailable(t, "%s", why)
	}
	faceOnce.Do(func() {
		port := freePort(t)
		env := append(os.Environ(), "NODE_PATH="+mods)
		srv, err := start("faceexpert", filepath.Join(tmpRoot, "faceexpert.log"), faceDir(), env,
			"node", "server.js", "--port", fmt.Sprint(port))
		if err != nil {
			faceErr = err
			return
		}
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		if err := waitHTTP(srv, base+"/health", 2*time.Minute); err != nil {
			faceErr = fmt.Errorf("%w\n%s", err, srv.tail())
			return
		}
		faceURL = base + "/v1"
	})
	if faceErr != nil {
		t.Fatalf("starting the face expert: %v", faceErr)
	}
	return faceURL
}

// TestFaceExpertNodeTests runs the server's own unit tests (question parsing,
// the decision rule, image decoding) with node --test.
func TestFaceExpertNodeTests(t *testing.T) {
	mods, why := findFaceModules()
	if mods == "" {
		unavailable(t, "%s", why)
	}
	trackSources(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "--test", "test/")
	cmd.Dir = faceDir()
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
}

// ferplusData is the FER+ sample of the shared data folder.
func ferplusData(t *testing.T) string {
	t.Helper()
	d := filepath.Join(repoRoot, "..", "shared", "data", "faces", "ferplus")
	if _, err := os.Stat(filepath.Join(d, "labels.csv")); err != nil {
		unavailable(t, "the FER+ sample is missing at %s (see its SOURCE.md)", d)
	}
	return d
}

// TestFaceExpertFERPlus builds the FER+ suite and evaluates the face-expression
// expert on its category pairs through the openai provider. The classifier is
// real, so its scores must be far above guessing; every answer parses and
// carries a confidence from the server's logprobs.
func TestFaceExpertFERPlus(t *testing.T) {
	data := ferplusData(t)
	url := faceExpert(t)
	dir := t.TempDir()
	suiteDir := filepath.Join(dir, "ferplus")
	mustRun(t, nil, "build", "--out", suiteDir, "--from", "ferplus="+data, "--quiet")

	out := filepath.Join(dir, "run")
	r := mustRun(t, nil, "run", "--suite", suiteDir, "--subset", "subcategory:category",
		"--model", "openai:"+faceModel+"@"+url, "--out", out, "--no-cache", "--progress", "never")
	t.Logf("table:\n%s", r.stdout)
	recs := readRecords(t, out)
	if len(recs) == 0 {
		t.Fatal("no records")
	}
	withConf := 0
	for _, rec := range recs {
		if rec.Status != eh.StatusAnswered {
			t.Errorf("%s/%s: status %s (%s)", rec.Pair, rec.Role, rec.Status, rec.Error)
		}
		if rec.Answer == eh.AnswerUnparsed {
			t.Errorf("%s/%s: unparsed answer %q to a category question", rec.Pair, rec.Role, rec.Raw)
		}
		if rec.Usage.PromptTokens == 0 {
			t.Errorf("%s/%s: no usage recorded", rec.Pair, rec.Role)
		}
		if rec.Confidence != nil {
			withConf++
		}
	}
	if withConf != len(recs) {
		t.Errorf("%d of %d records carry a confidence; the server returns logprobs for every answer", withConf, len(recs))
	}
	v := readSummary(t, out).Views["all"]
	t.Logf("basic %.2f, hallucinated %.2f, overall %.2f, pct diff %.3f, fp ratio %v (%d pairs)",
		v.BasicAcc, v.HallucinatedAcc, v.OverallAcc, v.PctDiff, v.FPRatio, v.Pairs)
	// Random guessing scores 25 overall; a real expression classifier on
	// consensus-labelled faces is far above it.
	if v.Pairs < 100 || v.OverallAcc < 50 || v.Unparsed != 0 {
		t.Errorf("face expert on FER+ categories: %d pairs, overall %.2f, %d unparsed; want ≥ 100 pairs, overall ≥ 50, none unparsed",
			v.Pairs, v.OverallAcc, v.Unparsed)
	}

	t.Run("cue questions are declined", func(t *testing.T) {
		out := filepath.Join(dir, "cues")
		mustRun(t, nil, "run", "--suite", suiteDir, "--subset", "subcategory:reasoning-cue", "--limit", "3",
			"--model", "openai:"+faceModel+"@"+url, "--out", out, "--no-cache", "--progress", "never")
		for _, rec := range readRecords(t, out) {
			if rec.Status != eh.StatusAnswered || rec.Answer != eh.AnswerUnparsed || !strings.HasPrefix(rec.Raw, "I cannot tell") {
				t.Errorf("%s/%s: %s %s %q; a question naming no expression class should get \"I cannot tell\"", rec.Pair, rec.Role, rec.Status, rec.Answer, rec.Raw)
			}
		}
	})
}
