package scale

import (
	"context"
	"errors"
	"hash/fnv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/builtin"
	"github.com/emohallucer/emohallucer/engine"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/store/postgres"
	"github.com/emohallucer/emohallucer/store/postgres/pgtest"
	"github.com/emohallucer/emohallucer/strategy"
	"github.com/emohallucer/emohallucer/suite"
)

// fakeModel answers yes or no by a hash of the question, after a short delay,
// and counts calls per item. fail scripts errors for items (consumed in order).
type fakeModel struct {
	delay time.Duration
	mu    sync.Mutex
	calls map[string]int
	fail  map[string][]error
}

func newFake() *fakeModel {
	return &fakeModel{delay: 5 * time.Millisecond, calls: map[string]int{}, fail: map[string][]error{}}
}

func (f *fakeModel) Name() string { return "fake:m" }
func (f *fakeModel) Capabilities() eh.Capabilities {
	return eh.Capabilities{Identity: "fake/m", Modalities: []eh.Modality{eh.Text, eh.Image}}
}

func (f *fakeModel) Generate(ctx context.Context, req *eh.Request) (*eh.Response, error) {
	f.mu.Lock()
	f.calls[req.Item]++
	var err error
	if q := f.fail[req.Item]; len(q) > 0 {
		err, f.fail[req.Item] = q[0], q[1:]
	}
	f.mu.Unlock()
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	h := fnv.New32a()
	h.Write([]byte(req.Item))
	text := "Yes."
	if h.Sum32()%3 == 0 {
		text = "No, it is not."
	}
	return &eh.Response{Text: text, Usage: eh.Usage{PromptTokens: 50, CompletionTokens: 2}}, nil
}

func (f *fakeModel) count() (total, max int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.calls {
		total += n
		if n > max {
			max = n
		}
	}
	return total, max
}

// fixture is a store with a run of the first n builtin pairs enqueued.
type fixture struct {
	db    *postgres.DB
	def   *postgres.RunDef
	pairs []eh.Pair
	model *fakeModel
}

func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := builtin.Suite()
	if err != nil {
		t.Fatal(err)
	}
	opts, err := StrategyOptions(strategy.Options{Rule: "yesno-v1"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{
		db:    db,
		def:   &postgres.RunDef{ID: "run-1", Suite: s.Name, Model: "fake:m", Strategy: "direct", Options: opts},
		pairs: s.Pairs[:n],
		model: newFake(),
	}
}

func (f *fixture) worker(t *testing.T, mod func(*Config)) *Worker {
	t.Helper()
	cfg := Config{
		DB: f.db,
		NewModel: func(ctx context.Context, spec string) (*Model, error) {
			if spec != f.def.Model {
				return nil, eh.Errorf(eh.EINVALID, "unknown model %s", spec)
			}
			return &Model{Model: f.model, CostOf: func(u eh.Usage) float64 { return float64(u.PromptTokens) / 1e4 }}, nil
		},
		Concurrency: 4, ExitWhenDone: true,
	}
	if mod != nil {
		mod(&cfg)
	}
	w, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (f *fixture) enqueue(t *testing.T) EnqueueResult {
	t.Helper()
	res, err := Enqueue(context.Background(), f.db, f.def, f.pairs, f.model.Capabilities())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) scores(t *testing.T) *score.Scores {
	t.Helper()
	acc := score.NewAccumulator()
	if err := f.db.Records(context.Background(), f.def.ID, acc.Add); err != nil {
		t.Fatal(err)
	}
	return acc.Close()
}

func TestEnqueueTwiceAddsNothing(t *testing.T) {
	f := newFixture(t, 10)
	if got, want := f.enqueue(t), (EnqueueResult{Questions: 20, Enqueued: 20}); got != want {
		t.Fatalf("first enqueue: %+v, want %+v", got, want)
	}
	if got, want := f.enqueue(t), (EnqueueResult{Questions: 20, Duplicate: 20}); got != want {
		t.Fatalf("second enqueue: %+v, want %+v", got, want)
	}
	if n, err := Pending(context.Background(), f.db.Pool()); err != nil || n != 20 {
		t.Fatalf("pending jobs %d, %v; want 20", n, err)
	}
	if err := f.worker(t, nil).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Answered questions are not enqueued again, even after their jobs are gone.
	if got, want := f.enqueue(t), (EnqueueResult{Questions: 20, Recorded: 20}); got != want {
		t.Fatalf("enqueue after the work: %+v, want %+v", got, want)
	}
}

// TestTwoWorkersMatchLocalRun runs the same questions through two workers
// sharing the queue and through the engine locally; every question is answered
// once and the scores are the same.
func TestTwoWorkersMatchLocalRun(t *testing.T) {
	f := newFixture(t, 20)
	f.enqueue(t)
	ws := []*Worker{f.worker(t, nil), f.worker(t, nil)}
	var wg sync.WaitGroup
	errs := make([]error, len(ws))
	for i, w := range ws {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = w.Run(context.Background()) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if total, max := f.model.count(); total != 40 || max != 1 {
		t.Errorf("model calls: %d in all, at most %d per question; want 40 and 1", total, max)
	}
	var answered int64
	for _, w := range ws {
		answered += w.Stats().Answered.Load()
	}
	if answered != 40 {
		t.Errorf("workers answered %d questions, want 40", answered)
	}
	got := f.scores(t)

	// The same questions, locally.
	s := &eh.Suite{Name: f.def.Suite, Pairs: f.pairs}
	items, err := suite.Items(s)
	if err != nil {
		t.Fatal(err)
	}
	strat, err := NewStrategy(f.def)
	if err != nil {
		t.Fatal(err)
	}
	acc := score.NewAccumulator()
	if _, err := engine.Run(context.Background(), engine.Plan{Run: f.def.ID, Suite: s.Name, Model: newFake(), Strategy: strat, Items: items}, engine.SinkFunc(acc.Add)); err != nil {
		t.Fatal(err)
	}
	want := acc.Close()
	if !reflect.DeepEqual(got.Views, want.Views) {
		t.Errorf("views differ:\nqueue %v\nlocal %v", got.Views[score.ViewAll], want.Views[score.ViewAll])
	}
	if got.Run.Records != 40 || got.Run.Calls != want.Run.Calls || got.Run.PromptTokens != want.Run.PromptTokens {
		t.Errorf("run totals differ: queue %+v, local %+v", got.Run, want.Run)
	}
}

func TestAnswer(t *testing.T) {
	ctx := context.Background()
	transient := errors.New("connection reset by peer")
	refused := &eh.Error{Code: eh.EPROVIDER, Message: "400 Invalid value for 'messages'"}
	for _, tc := range []struct {
		name string
		// fail scripts the model's errors for the basic question of pair 0.
		fail []error
		// attempts is how often the job is delivered.
		attempts int
		// wantErrs says, per delivery, whether River is told to try again.
		wantErrs []bool
		status   eh.Status
		calls    int
	}{
		// A redelivered job whose question was answered calls nothing.
		{"OKRedelivered", nil, 2, []bool{false, false}, eh.StatusAnswered, 1},
		// A transient failure is recorded and retried; the retry replaces it.
		{"ErrTransientThenOK", []error{transient}, 2, []bool{true, false}, eh.StatusAnswered, 2},
		// A permanent refusal is recorded and the job completes.
		{"ErrRefused", []error{refused}, 1, []bool{false}, eh.StatusError, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 1)
			f.enqueue(t)
			item := "pair " + f.pairs[0].ID + " basic"
			f.model.fail[item] = tc.fail
			w := f.worker(t, nil)
			a := QuestionArgs{Run: f.def.ID, Pair: f.pairs[0].ID, Role: eh.Basic}
			for i := range tc.attempts {
				err := w.answer(ctx, a)
				if (err != nil) != tc.wantErrs[i] {
					t.Fatalf("delivery %d: error %v, want error=%v", i+1, err, tc.wantErrs[i])
				}
			}
			r, ok, err := f.db.Record(ctx, a.Run, a.Pair, a.Role)
			if err != nil || !ok {
				t.Fatalf("record: ok=%v err=%v", ok, err)
			}
			if r.Status != tc.status {
				t.Errorf("record status %s (%s), want %s", r.Status, r.Error, tc.status)
			}
			if got := f.model.calls[item]; got != tc.calls {
				t.Errorf("model called %d times, want %d", got, tc.calls)
			}
		})
	}
}

func TestAnswerCancels(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		setup func(f *fixture) QuestionArgs
		code  string
	}{
		// The run's cost limit is spent: no more questions start.
		{"ErrBudget", func(f *fixture) QuestionArgs {
			f.def.MaxCostUSD = 0.001
			if err := f.db.SaveRun(ctx, f.def, f.pairs); err != nil {
				panic(err)
			}
			r := eh.NewRecord(f.def.ID, f.def.Suite, "fake:m", "direct", &f.pairs[0], eh.Basic)
			r.Status, r.Answer, r.CostUSD = eh.StatusAnswered, eh.AnswerYes, 0.002
			if err := f.db.SaveRecord(ctx, r); err != nil {
				panic(err)
			}
			return QuestionArgs{Run: f.def.ID, Pair: f.pairs[0].ID, Role: eh.Hallucinated}
		}, eh.EBUDGET},
		// A job of a run the store does not know.
		{"ErrUnknownRun", func(f *fixture) QuestionArgs {
			return QuestionArgs{Run: "nope", Pair: f.pairs[0].ID, Role: eh.Basic}
		}, eh.ENOTFOUND},
		// A job of a pair the run does not have.
		{"ErrUnknownPair", func(f *fixture) QuestionArgs {
			return QuestionArgs{Run: f.def.ID, Pair: "nope", Role: eh.Basic}
		}, eh.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 1)
			f.enqueue(t)
			a := tc.setup(f)
			err := f.worker(t, nil).answer(ctx, a)
			var cancel *river.JobCancelError
			if !errors.As(err, &cancel) {
				t.Fatalf("answer: %v, want a job cancellation", err)
			}
			if eh.ErrorCode(err) != tc.code {
				t.Errorf("answer: %v, want code %s", err, tc.code)
			}
			if total, _ := f.model.count(); total != 0 {
				t.Errorf("model called %d times, want 0", total)
			}
		})
	}
}

// TestBudgetReadAfresh: a worker that already serves a run sees the cost limit
// a later enqueue set, lowered or raised.
func TestBudgetReadAfresh(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 2)
	f.enqueue(t)
	w := f.worker(t, nil)
	q := func(i int) QuestionArgs { return QuestionArgs{Run: f.def.ID, Pair: f.pairs[i].ID, Role: eh.Basic} }
	if err := w.answer(ctx, q(0)); err != nil {
		t.Fatal(err)
	}
	setLimit := func(usd float64) {
		f.def.MaxCostUSD = usd
		if err := f.db.SaveRun(ctx, f.def, f.pairs); err != nil {
			t.Fatal(err)
		}
	}
	setLimit(0.001) // the first answer cost 0.005
	var cancel *river.JobCancelError
	if err := w.answer(ctx, q(1)); !errors.As(err, &cancel) || eh.ErrorCode(err) != eh.EBUDGET {
		t.Fatalf("answer over a lowered limit: %v, want a cancellation with code %s", err, eh.EBUDGET)
	}
	setLimit(1)
	if err := w.answer(ctx, q(1)); err != nil {
		t.Fatalf("answer under a raised limit: %v", err)
	}
	if total, _ := f.model.count(); total != 2 {
		t.Errorf("model called %d times, want 2", total)
	}
}

func TestMedia(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	png := []byte("\x89PNG\r\n\x1a\n not really an image")
	if err := os.WriteFile(filepath.Join(dir, "face.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	digest, err := suite.FileSHA256(filepath.Join(dir, "face.png"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, suiteDir, mediaRoot, digest string
		wantErr                           string
	}{
		// Found in the folder recorded at enqueue time.
		{"OKSuiteDir", dir, "", digest, ""},
		// Found under the worker's --media-root.
		{"OKMediaRoot", "/elsewhere", dir, digest, ""},
		// The file on this worker is not the one the suite describes.
		{"ErrDigest", dir, "", strings.Repeat("0", 64), "digest"},
		// No folder known at all.
		{"ErrNoFolder", "", "", digest, "--media-root"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 1)
			p := eh.Pair{ID: "img-1", Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Image,
				Context: eh.Context{Media: []eh.Media{{Path: "face.png", SHA256: tc.digest, Kind: eh.Image}}},
				Basic:   eh.Question{Text: "Is the person smiling?", Gold: eh.Yes}, Hallucinated: eh.Question{Text: "Is the person crying?", Gold: eh.No}}
			f.pairs = []eh.Pair{p}
			f.def.SuiteDir = tc.suiteDir
			f.enqueue(t)
			w := f.worker(t, func(c *Config) { c.MediaRoot = tc.mediaRoot })
			err := w.answer(ctx, QuestionArgs{Run: f.def.ID, Pair: p.ID, Role: eh.Basic})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if total, _ := f.model.count(); total != 1 {
					t.Errorf("model called %d times, want 1", total)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error()+eh.ErrorHint(err), tc.wantErr) {
				t.Fatalf("answer: %v (hint %q), want an error about %q", err, eh.ErrorHint(err), tc.wantErr)
			}
		})
	}
}

func TestNewRefusesRescueBeforeTimeout(t *testing.T) {
	_, err := New(Config{DB: &postgres.DB{}, NewModel: func(context.Context, string) (*Model, error) { return nil, nil },
		JobTimeout: time.Minute, RescueAfter: 30 * time.Second})
	if eh.ErrorCode(err) != eh.EINVALID {
		t.Fatalf("New: %v, want code %s", err, eh.EINVALID)
	}
}
