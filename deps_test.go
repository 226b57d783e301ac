package emohallucer_test

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
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

// goList runs go list over the module with a template printing a package's
// path and a space-separated list; it returns the lists by package path.
func goList(t *testing.T, list string) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-e", "-f", "{{.ImportPath}} {{join ."+list+" \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	res := map[string][]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], module) {
			res[strings.TrimPrefix(strings.TrimPrefix(f[0], module), "/")] = f[1:]
		}
	}
	return res
}

// TestLayering keeps the command thin: cmd reaches models through
// provider/stack and runs through runner, never wiring a decorator or the
// engine itself; runner knows no concrete provider; rundir is a format and
// calls nothing.
func TestLayering(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	imports := goList(t, "Imports")
	if _, ok := imports["cmd/emohallucer"]; !ok {
		t.Fatal("go list did not list cmd/emohallucer")
	}
	decorators := []string{"provider/cache", "provider/limit", "provider/retry", "provider/prep", "provider/perr", "provider/h1", "engine"}
	providers := []string{"provider/openai", "provider/anthropic", "provider/gemini", "provider/ollama", "provider/all", "provider/baseline"}
	tests := []struct {
		pkg    string
		banned []string
		why    string
	}{
		// cmd imports runner, stack, rundir, report, score, suite and the
		// registries; the stack's order is stack's business.
		{"cmd/emohallucer", decorators, "the command builds models with provider/stack and runs with runner"},
		// The runner gets models built; it never names a provider.
		{"runner", append(append([]string{}, providers...), "provider/cache", "provider/limit", "provider/retry", "provider/prep"), "the runner takes models from provider/stack"},
		// The run folder is a format: no model, store or engine behind it.
		{"rundir", append(append([]string{"engine", "runner", "provider/stack", "store/postgres", "store/sqlite"}, providers...), decorators...), "rundir only reads and writes files"},
	}
	for _, tt := range tests {
		for _, d := range imports[tt.pkg] {
			for _, b := range tt.banned {
				if d == module+"/"+b {
					t.Errorf("%s imports %s: %s", tt.pkg, b, tt.why)
				}
			}
		}
	}
}

// TestFileSizes keeps the files of the command and of the run machinery
// readable, and the command free of goroutines (they belong to runner and
// engine, which stop and wait for them).
func TestFileSizes(t *testing.T) {
	limits := map[string]int{"cmd": 400, "runner": 800, "rundir": 800, "provider/stack": 800, "scale": 800, "engine": 800}
	for dir, limit := range limits {
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*.go"))
		more, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range append(files, more...) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(b, []byte("\n")); n > limit {
				t.Errorf("%s has %d lines; keep files of %s under %d", f, n, dir, limit)
			}
			if dir != "cmd" || strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, b, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if g, ok := n.(*ast.GoStmt); ok {
					t.Errorf("%s starts a goroutine at offset %d; the command starts none (see runner)", f, g.Pos())
				}
				return true
			})
		}
	}
}
