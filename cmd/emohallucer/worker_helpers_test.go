package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/store/postgres"
)

// questionCounter counts the requests a fake server answered per question of a
// suite, and can hold the first few requests until released, so that a test
// knows they are in flight.
type questionCounter struct {
	texts map[string]string // question text → "pair/role"

	mu      sync.Mutex
	n       map[string]int
	hold    int           // requests still to hold
	held    int           // requests being held now
	release chan struct{} // closed to let held requests go
}

func newQuestionCounter(pairs []eh.Pair, hold int) *questionCounter {
	c := &questionCounter{texts: map[string]string{}, n: map[string]int{}, hold: hold, release: make(chan struct{})}
	for _, p := range pairs {
		c.texts[p.Basic.Text] = p.ID + "/basic"
		c.texts[p.Hallucinated.Text] = p.ID + "/hallucinated"
	}
	return c
}

// keyOf finds the question a prompt asks: the longest question text in it.
func (c *questionCounter) keyOf(prompt string) string {
	best, key := 0, "?"
	for text, k := range c.texts {
		if len(text) > best && strings.Contains(prompt, text) {
			best, key = len(text), k
		}
	}
	return key
}

func (c *questionCounter) answer(r *fakeapi.Request) string {
	key := c.keyOf(r.LastText())
	c.mu.Lock()
	c.n[key]++
	wait := c.hold > 0
	if wait {
		c.hold--
		c.held++
	}
	c.mu.Unlock()
	if wait {
		<-c.release
	}
	return answerByHash(r)
}

func (c *questionCounter) heldNow() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.held
}

func (c *questionCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.n))
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

func (c *questionCounter) total() int {
	n := 0
	for _, v := range c.counts() {
		n += v
	}
	return n
}

// waitFor polls cond until it holds, failing the test after limit. The limit is
// generous: it only guards against a hang, it is not what is being tested.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// storeRuns returns the ids of the runs in the store.
func storeRuns(t *testing.T, url string) []string {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Pool().Query(context.Background(), `SELECT id FROM runs ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// storeRecords returns the records of a run by question.
func storeRecords(t *testing.T, url, run string) map[string][]*eh.Record {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]*eh.Record{}
	if err := db.Records(context.Background(), run, func(r *eh.Record) error {
		out[r.Key()] = append(out[r.Key()], r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// viewsOf decodes the views of a summary.json.
func viewsOf(t *testing.T, summary []byte) map[string]*score.View {
	t.Helper()
	var sc score.Scores
	if err := json.Unmarshal(summary, &sc); err != nil {
		t.Fatalf("summary: %v\n%s", err, summary)
	}
	return sc.Views
}
