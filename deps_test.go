package emohallucer_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/emohallucer/emohallucer"

// TestImportRules keeps the data flow suite → engine → records → score → report
// and keeps slow provider SDKs out of packages that do not need them.
func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command("go", "list", "-e", "-deps", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// bench/out is the benchmark program's untracked scratch space.
		if len(f) > 0 && strings.HasPrefix(f[0], module) && !strings.HasPrefix(f[0], module+"/bench/out/") {
			deps[f[0]] = f[1:]
		}
	}
	if _, ok := deps[module+"/score"]; !ok {
		t.Fatalf("go list listed none of our packages:\n%s", out)
	}
	// Providers are the packages that wrap a model API's SDK (and the registry
	// that imports them all); provider/prep, perr, baseline and the decorators
	// are light and may be shared.
	isProvider := func(p string) bool {
		for _, name := range []string{"openai", "anthropic", "gemini", "ollama", "all"} {
			if p == module+"/provider/"+name {
				return true
			}
		}
		return false
	}
	for pkg, ds := range deps {
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		for _, d := range ds {
			switch {
			case rel == "" && strings.Contains(d, "."):
				t.Errorf("the root package imports %s; it may import only the standard library", d)
			case (strings.HasPrefix(rel, "score") || strings.HasPrefix(rel, "report") || strings.HasPrefix(rel, "extract")) &&
				(isProvider(d) || strings.HasPrefix(d, module+"/store/") || d == module+"/engine"):
				t.Errorf("%s imports %s: scoring and reporting never call models or stores", rel, d)
			case strings.HasPrefix(rel, "engine") && (isProvider(d) || strings.HasPrefix(d, module+"/store/")):
				t.Errorf("engine imports %s: it must know no concrete provider or store", d)
			case isProvider(d) && !strings.HasPrefix(rel, "cmd/") && !strings.HasPrefix(rel, "provider/"):
				t.Errorf("%s imports provider %s; only cmd and provider/all may", rel, d)
			case strings.HasPrefix(d, "github.com/openai/") || strings.HasPrefix(d, "github.com/anthropics/") || strings.HasPrefix(d, "google.golang.org/genai"):
				if !strings.HasPrefix(rel, "provider/") && !strings.HasPrefix(rel, "cmd/") {
					t.Errorf("%s pulls in the SDK %s", rel, d)
				}
			}
		}
	}
}
