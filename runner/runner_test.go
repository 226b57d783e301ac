package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/provider/baseline"
	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/rundir"
)

// baselines resolves baseline models as the command would.
func baselines(t *testing.T, specs ...string) []stack.Setup {
	t.Helper()
	conc, strat := 4, "direct"
	setups, err := stack.FromConfig(stack.Selection{
		Specs:    specs,
		Registry: stack.Registry{New: func(spec string) (eh.Model, error) { return baseline.New(strings.TrimPrefix(spec, "baseline:")) }},
		Flags:    stack.Engine{Concurrency: &conc, Strategy: &strat},
	})
	if err != nil {
		t.Fatal(err)
	}
	return setups
}

// TestRunResumes runs two models without any command line: each gets its own
// folder with records, run.json and a summary that scoring the records
// reproduces; a second Run asks nothing again.
func TestRunResumes(t *testing.T) {
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cfg := Config{Suite: s, Limit: 10, Models: baselines(t, "baseline:always-yes", "baseline:random?seed=3"),
		Settings: Settings{Rule: "yesno-v1", Samples: 5, SampleTemperature: 0.7}, Out: out, Parallel: 2}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Models {
		if m.Err != nil || m.Engine.Answered != 20 || m.Dir != filepath.Join(out, rundir.Slug(m.Name)) {
			t.Fatalf("%s: %+v", m.Name, m)
		}
		before, _ := os.ReadFile(filepath.Join(m.Dir, rundir.SummaryFile))
		if _, err := rundir.Rescore(m.Dir, nil); err != nil {
			t.Fatal(err)
		}
		if after, _ := os.ReadFile(filepath.Join(m.Dir, rundir.SummaryFile)); !bytes.Equal(before, after) {
			t.Fatalf("%s: the in-run summary differs from the records' scores", m.Name)
		}
		if info, err := rundir.ReadInfo(m.Dir); err != nil || info.Result.Answered != 20 {
			t.Fatalf("%s: run.json %+v, %v", m.Name, info, err)
		}
	}
	res, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Models {
		if m.Engine.Answered != 0 || m.Engine.Skipped != 20 {
			t.Fatalf("rerun of %s: %+v, want everything already recorded", m.Name, m.Engine)
		}
	}
}

// TestDefineSharedID: a run's id depends on what decides its answers, and
// only on that; run, enqueue and worker all take it from Define.
func TestDefineSharedID(t *testing.T) {
	m := baselines(t, "baseline:always-yes")[0]
	id := func(suite string, st Settings) string {
		d, err := Define(suite, m, st)
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	base := Settings{Rule: "yesno-v1", Samples: 5, SampleTemperature: 0.7}
	if id("builtin", base) != id("builtin", base) {
		t.Fatal("the same run got two ids")
	}
	if id("builtin", base) == id("other", base) {
		t.Fatal("different suites share an id")
	}
	// Sampling settings do not matter to the direct strategy.
	if id("builtin", base) != id("builtin", Settings{Rule: "yesno-v1", Samples: 9, SampleTemperature: 0.7}) {
		t.Fatal("sampling settings changed a direct run's id")
	}
	if !strings.HasPrefix(id("builtin", base), "baseline-always-yes-direct-") {
		t.Fatalf("id %s", id("builtin", base))
	}
}

// TestAppendersDoNotOverwrite: two appenders of one records file (two
// processes that got past the lock, or a shard beside another) each add whole
// lines at the end; neither writes over the other's (without O_APPEND the
// second wrote at the offset it opened at).
func TestAppendersDoNotOverwrite(t *testing.T) {
	s, _ := builtin.Suite()
	path := filepath.Join(t.TempDir(), record.FileName)
	a, err := record.OpenAppend(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := record.OpenAppend(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, app := range []*record.Appender{a, b, a} {
		r := eh.NewRecord("run", "builtin", "m", "direct", &s.Pairs[i], eh.Basic)
		r.Status, r.Answer, r.Rule = eh.StatusAnswered, eh.AnswerYes, "yesno-v1"
		if err := app.Put(r); err != nil {
			t.Fatal(err)
		}
		if err := app.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	b.Close()
	n := 0
	if err := record.ReadPaths([]string{path}, nil, func(*eh.Record) error { n++; return nil }); err != nil || n != 3 {
		t.Fatalf("%d records read back (%v), want 3", n, err)
	}
}

// TestSyncWriterRedacts: warnings written while models run never show a
// URL's credentials.
func TestSyncWriterRedacts(t *testing.T) {
	var b bytes.Buffer
	w := SyncWriter(&b)
	line := "warning: openai:m@http://user:hunter2@host/v1: answer not saved\n"
	if n, err := w.Write([]byte(line)); err != nil || n != len(line) {
		t.Fatalf("wrote %d, %v", n, err)
	}
	if got := b.String(); got != "warning: openai:m@http://[REDACTED]@host/v1: answer not saved\n" {
		t.Fatalf("got %q", got)
	}
}

// refusing is a model that refuses every request for good.
type refusing struct{ eh.Model }

func (refusing) Name() string { return "test:refusing" }
func (refusing) Capabilities() eh.Capabilities {
	return eh.Capabilities{Identity: "test:refusing", Modalities: eh.Modalities}
}
func (refusing) Generate(context.Context, *eh.Request) (*eh.Response, error) {
	return nil, eh.Errorf(eh.EPROVIDER, "HTTP 404: model 'x' does not exist")
}

// TestRunErrors: the error of a whole run says what kind of end it was.
func TestRunErrors(t *testing.T) {
	s, _ := builtin.Suite()
	conc, retries, strat := 2, 0, "direct"
	failing := stack.Setup{Name: "test:refusing", Model: refusing{},
		Engine: stack.Engine{Concurrency: &conc, Retries: &retries, Strategy: &strat}}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		models []stack.Setup
		code   string
		want   string // a fragment of the message
	}{
		// Every question failed: incomplete, with the cause and its count.
		{"ErrIncomplete", context.Background(), []stack.Setup{failing}, eh.EINCOMPLETE, "6 × HTTP 404: model 'x' does not exist"},
		// Interrupted before anything started.
		{"ErrInterrupted", cancelled, baselines(t, "baseline:always-yes"), eh.ECANCELED, "interrupted"},
		// A bad selection is the user's mistake.
		{"ErrNoPairs", context.Background(), baselines(t, "baseline:always-yes"), eh.EINVALID, "no pairs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Suite: s, Limit: 3, Models: tt.models, Out: t.TempDir(), NoCache: true,
				Settings: Settings{Rule: "yesno-v1", Samples: 5, SampleTemperature: 0.7}}
			if tt.name == "ErrNoPairs" {
				cfg.Subset = "modality:audio"
			}
			_, err := Run(tt.ctx, cfg)
			if eh.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v (code %s), want %s mentioning %q", err, eh.ErrorCode(err), tt.code, tt.want)
			}
		})
	}
}
