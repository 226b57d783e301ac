package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/store/postgres"
	"github.com/emohallucer/emohallucer/store/postgres/pgtest"
	"github.com/emohallucer/emohallucer/store/storetest"
)

func open(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) {
	pgtest.URL(t) // skip here, not inside the opener while it holds the lock
	var mu sync.Mutex
	urls := map[string]string{}
	storetest.Run(t, func(t *testing.T, name string) eh.Store {
		mu.Lock()
		defer mu.Unlock()
		u, ok := urls[name]
		if !ok {
			u = pgtest.NewDatabase(t)
			urls[name] = u
		}
		return open(t, u)
	})
}

func pair(id string) eh.Pair {
	return eh.Pair{ID: id, Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Text,
		Context: eh.Context{Text: "I waited two hours and nobody called back."},
		Basic:   eh.Question{Text: "Is the writer annoyed?", Gold: eh.Yes}, Hallucinated: eh.Question{Text: "Is the writer delighted?", Gold: eh.No},
		Explanation: "waiting without a call back annoys", Corruption: "swap", Source: eh.Source{Dataset: "test", ID: id}}
}

func record(run string, p *eh.Pair, role eh.Role, status eh.Status, cost float64) *eh.Record {
	r := eh.NewRecord(run, "s", "m", "direct", p, role)
	r.Status, r.CostUSD = status, cost
	if status == eh.StatusAnswered {
		r.Answer = eh.AnswerYes
	}
	return r
}

func TestMigrationsOnceUnderConcurrentOpens(t *testing.T) {
	url := pgtest.NewDatabase(t)
	// Workers of a fresh deployment start together; every one must open the
	// store, and the migrations must be applied exactly once.
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(context.Background(), url)
			if err != nil {
				errs <- err
				return
			}
			db.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	db := open(t, url)
	defer db.Close()
	got, err := db.Migrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"migrations/0001_responses.sql", "migrations/0002_records.sql", "migrations/0003_runs.sql"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("migrations %v, want %v", got, want)
	}
}

func TestRunsAndPairs(t *testing.T) {
	ctx := context.Background()
	db := open(t, pgtest.NewDatabase(t))
	defer db.Close()
	opts := json.RawMessage(`{"Rule":"yesno-v1","Temperature":0}`)
	def := &postgres.RunDef{ID: "r1", Suite: "builtin", Model: "openai:gpt-4o-mini", Strategy: "direct", Options: opts, MaxCostUSD: 2}
	if err := db.SaveRun(ctx, def, []eh.Pair{pair("b"), pair("a")}); err != nil {
		t.Fatal(err)
	}
	// A second shard of the same run adds its pairs and replaces the definition.
	def2 := *def
	def2.SuiteDir = "/data/suite"
	if err := db.SaveRun(ctx, &def2, []eh.Pair{pair("c"), pair("a")}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Run(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if got.SuiteDir != "/data/suite" || got.Model != def.Model || string(got.Options) != string(opts) || got.MaxCostUSD != 2 || got.Created.IsZero() {
		t.Errorf("run read back as %+v", got)
	}
	ps, err := db.Pairs(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	if !reflect.DeepEqual(ids, []string{"a", "b", "c"}) {
		t.Errorf("pairs %v, want a b c", ids)
	}
	p, err := db.Pair(ctx, "r1", "b")
	if err != nil {
		t.Fatal(err)
	}
	if want := pair("b"); !reflect.DeepEqual(*p, want) {
		t.Errorf("pair b read back as %+v, want %+v", *p, want)
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := db.Run(ctx, "nope"); eh.ErrorCode(err) != eh.ENOTFOUND {
			t.Errorf("Run(nope): %v, want code %s", err, eh.ENOTFOUND)
		}
		if _, err := db.Pair(ctx, "r1", "zzz"); eh.ErrorCode(err) != eh.ENOTFOUND {
			t.Errorf("Pair(zzz): %v, want code %s", err, eh.ENOTFOUND)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if err := db.SaveRun(ctx, &postgres.RunDef{ID: "x"}, nil); eh.ErrorCode(err) != eh.EINVALID {
			t.Errorf("SaveRun without model: %v, want code %s", err, eh.EINVALID)
		}
	})
}

func TestRecordQueries(t *testing.T) {
	ctx := context.Background()
	db := open(t, pgtest.NewDatabase(t))
	defer db.Close()
	a, b := pair("a"), pair("B") // "B" sorts before "a" in byte order
	img := pair("img")
	img.Modality = eh.Image
	for _, r := range []*eh.Record{
		record("r1", &a, eh.Basic, eh.StatusAnswered, 0.25),
		record("r1", &a, eh.Hallucinated, eh.StatusError, 0),
		record("r1", &b, eh.Basic, eh.StatusAnswered, 0.5),
		record("r1", &img, eh.Basic, eh.StatusNotEvaluated, 0),
		record("r2", &a, eh.Basic, eh.StatusAnswered, 9),
		// Delivered twice: the second replaces the first, cost included.
		record("r1", &b, eh.Basic, eh.StatusAnswered, 0.125),
	} {
		if err := db.SaveRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	if err := db.Records(ctx, "r1", func(r *eh.Record) error { keys = append(keys, r.Key()); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"B/basic", "a/basic", "a/hallucinated", "img/basic"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("record order %v, want %v (byte order, as SQLite)", keys, want)
	}
	st, err := db.States(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]postgres.State{
		"a/basic":        {eh.StatusAnswered, eh.Text},
		"a/hallucinated": {eh.StatusError, eh.Text},
		"B/basic":        {eh.StatusAnswered, eh.Text},
		"img/basic":      {eh.StatusNotEvaluated, eh.Image},
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("states %v, want %v", st, want)
	}
	if c, err := db.RunCost(ctx, "r1"); err != nil || c != 0.375 {
		t.Errorf("RunCost = %v, %v; want 0.375", c, err)
	}
	if ids, err := db.RecordedRuns(ctx); err != nil || !reflect.DeepEqual(ids, []string{"r1", "r2"}) {
		t.Errorf("RecordedRuns = %v, %v", ids, err)
	}
	got, ok, err := db.Record(ctx, "r1", "a", eh.Hallucinated)
	if err != nil || !ok || got.Status != eh.StatusError {
		t.Errorf("Record(a/hallucinated) = %+v, %v, %v", got, ok, err)
	}
	if _, ok, err := db.Record(ctx, "r1", "zz", eh.Basic); ok || err != nil {
		t.Errorf("Record(missing) ok=%v err=%v", ok, err)
	}
}

// TestTextSurvives covers what jsonb would refuse or alter: a NUL escape, key
// order, and floats that must come back bit for bit.
func TestTextSurvives(t *testing.T) {
	ctx := context.Background()
	db := open(t, pgtest.NewDatabase(t))
	defer db.Close()
	p := pair("nul")
	r := record("r", &p, eh.Basic, eh.StatusAnswered, 0.1+0.2)
	r.Raw = "Yes\x00 — and then some"
	r.LatencyMS = 1234.5678901234
	if err := db.SaveRecord(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.Record(ctx, "r", "nul", eh.Basic)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("record read back as %+v, want %+v", got, r)
	}
	resp := &eh.Response{Text: "no\x00", LatencyMS: 0.1 + 0.2}
	if err := db.SaveResponse(ctx, "k", resp); err != nil {
		t.Fatal(err)
	}
	if got, _, err := db.LookupResponse(ctx, "k"); err != nil || !reflect.DeepEqual(got, resp) {
		t.Errorf("response read back as %+v, %v", got, err)
	}
}

func TestNow(t *testing.T) {
	ctx := context.Background()
	db := open(t, pgtest.NewDatabase(t))
	defer db.Close()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	db.Now = func() time.Time { return at }
	if err := db.SaveResponse(ctx, "k", &eh.Response{Text: "yes"}); err != nil {
		t.Fatal(err)
	}
	var got time.Time
	if err := db.Pool().QueryRow(ctx, `SELECT created_at FROM responses WHERE key = 'k'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(at) {
		t.Errorf("created_at %v, want %v", got, at)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, url, code string
	}{
		// Not a PostgreSQL URL at all.
		{"ErrScheme", "sqlite:runs/cache.db", eh.EINVALID},
		// Nothing listens on port 1; the password must not leak into the message.
		{"ErrConnect", "postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=2", eh.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := postgres.Open(ctx, tc.url)
			if eh.ErrorCode(err) != tc.code {
				t.Fatalf("Open(%s): %v, want code %s", tc.url, err, tc.code)
			}
			if msg := fmt.Sprint(err); strings.Contains(msg, "s3cret") {
				t.Errorf("error message leaks the password: %s", msg)
			}
		})
	}
}
