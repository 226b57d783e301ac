// Package runner owns a whole run of one or more models over a suite: it
// selects the pairs, resolves each model's run id and strategy, resumes what
// earlier attempts recorded, schedules the models (several at once), holds
// each run folder's lock, writes records (to records.jsonl or a shared
// PostgreSQL store), scores them as they arrive, and writes run.json and
// summary.json. The command line only parses flags, calls Run and prints.
package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/engine"
	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/score"
	"github.com/emohallucer/emohallucer/store/postgres"
	"github.com/emohallucer/emohallucer/suite"
)

// Config describes a run.
type Config struct {
	// Suite is the suite; Subset (a view), Sample, Shard ("K/N") and Limit
	// select its pairs, in that order. The sample enters the run id (through
	// Settings.Sample); Sample and Limit exclude each other.
	Suite  *eh.Suite
	Subset string
	Shard  string
	Limit  int
	// Models are the resolved models (stack.FromConfig).
	Models []stack.Setup
	// Judge, with Settings.Task TaskDescribe, is the model that judges each
	// claimed emotion (strategy.Describer.WithJudge); nil: no judge.
	// Settings.Judge must name its identity.
	Judge *stack.Setup
	// Settings are what, besides the model, decides the answers.
	Settings Settings
	// Out is the run folder (with several models: one sub-folder each;
	// default runs/<model>).
	Out string
	// Parallel is how many models run at the same time (default 1).
	Parallel int
	// Timeout bounds each request attempt (0: the provider's own).
	Timeout time.Duration
	// CachePath is the response cache file ("": DefaultCachePath); NoCache
	// turns the cache off. Unused with Store.
	CachePath string
	NoCache   bool
	// Store, when set, keeps records and responses in a shared PostgreSQL
	// database instead of records.jsonl and the cache file.
	Store *postgres.DB
	// WaitLock waits for a run folder another run holds instead of failing.
	WaitLock bool
	// Log receives warnings while the models run (nil: discarded).
	Log io.Writer
	// Observer, when set, is told of each model's progress.
	Observer Observer
}

// Observer watches a run's progress (a progress display); its methods and
// those of the ModelObservers it returns must be safe for concurrent use.
type Observer interface {
	// Start is called when a model's run starts, with the number of questions
	// it still has to ask and a function describing its limiter's state.
	Start(model string, pending int, state func() string) ModelObserver
}

// ModelObserver watches one model's run.
type ModelObserver interface {
	Record(*eh.Record) // a question finished
	Retry()            // a request will be tried again
	Stop()             // the model's run is over
}

// Result is what a run produced.
type Result struct {
	Models []ModelResult
}

// ModelResult is what one model's run produced.
type ModelResult struct {
	Name   string
	Dir    string
	Scores *score.Scores
	Engine engine.Result
	// Line is the model's final console line ("" when it did not run).
	Line string
	// NotEvaluated counts, by modality, the selected questions the model
	// does not take (and so are not evaluated), this attempt's and earlier
	// ones' alike.
	NotEvaluated map[eh.Modality]int
	Err          error
}

// Runs are the models that finished with scores, for the report.
func (r Result) Runs() []ModelResult {
	var out []ModelResult
	for _, m := range r.Models {
		if m.Err == nil {
			out = append(out, m)
		}
	}
	return out
}

// Run evaluates every model of cfg and writes each run folder. The error is
// the first model's failure, else ECANCELED when the run was interrupted,
// else EINCOMPLETE listing the models that left questions failed or
// unstarted (with the causes of the failures), else nil. The Result is valid
// whatever the error.
func Run(ctx context.Context, cfg Config) (Result, error) {
	var res Result
	digest, err := SuiteDigest(cfg.Suite.Pairs)
	if err != nil {
		return res, err
	}
	s, items, err := selectItems(cfg)
	if err != nil {
		return res, err
	}
	shard, err := suite.ParseShard(cfg.Shard)
	if err != nil {
		return res, err
	}
	cstore, closeCache, err := openCacheFor(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer closeCache()
	parallel := max(cfg.Parallel, 1)
	log := SyncWriter(cfg.Log)
	res.Models = make([]ModelResult, len(cfg.Models))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range cfg.Models {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := cfg.Models[i].Name
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				res.Models[i] = ModelResult{Name: name, Err: &eh.Error{Code: eh.ECANCELED, Message: "interrupted before " + name + " started"}}
				return
			}
			m := &model{cfg: &cfg, suite: s, items: items, setup: cfg.Models[i], cache: cstore, log: log, shard: shard,
				dir: rundir.Name(cfg.Out, name, len(cfg.Models)), digest: digest}
			res.Models[i] = m.run(ctx)
		}()
	}
	wg.Wait()
	return res, res.err()
}

// err is the error of a finished run (see Run).
func (r Result) err() error {
	var incomplete []string
	var interrupted error
	for _, m := range r.Models {
		if m.Err != nil {
			if eh.ErrorCode(m.Err) == eh.ECANCELED {
				interrupted = m.Err
				continue
			}
			return fmt.Errorf("%s: %w", eh.Redact(m.Name), m.Err)
		}
		stop := m.Engine.StopReason
		switch {
		case stop != nil && eh.ErrorCode(stop) == eh.ECANCELED:
			interrupted = stop
		case stop != nil:
			incomplete = append(incomplete, fmt.Sprintf("%s: %v", m.Name, stop))
		case m.Engine.Errors > 0:
			incomplete = append(incomplete, fmt.Sprintf("%s: %d question(s) failed; rerun the same command to retry them%s",
				m.Name, m.Engine.Errors, causeLines(m.Engine.Causes)))
		}
	}
	if interrupted != nil {
		return interrupted
	}
	if len(incomplete) > 0 {
		return eh.Errorf(eh.EINCOMPLETE, "incomplete:\n  %s", eh.Redact(strings.Join(incomplete, "\n  ")))
	}
	return nil
}

// shownCauses is how many distinct failure causes a run's message lists.
const shownCauses = 5

// causeLines lists failure causes with their counts, most frequent first, one per
// line ("\n    100 × HTTP 404: model 'x' does not exist"); "" for none.
func causeLines(causes map[string]int) string {
	keys := make([]string, 0, len(causes))
	for k := range causes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if causes[keys[i]] != causes[keys[j]] {
			return causes[keys[i]] > causes[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	for i, k := range keys {
		if i == shownCauses {
			rest := 0
			for _, k := range keys[i:] {
				rest += causes[k]
			}
			fmt.Fprintf(&b, "\n    %d × other causes", rest)
			break
		}
		fmt.Fprintf(&b, "\n    %d × %s", causes[k], oneLine(k))
	}
	return b.String()
}

// oneLine bounds a cause to one line of reasonable length: error messages
// carry server text, which is untrusted.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// selectItems is the selected suite (selectPairs) and its questions.
func selectItems(cfg Config) (*eh.Suite, []eh.Item, error) {
	s, err := selectPairs(cfg)
	if err != nil {
		return nil, nil, err
	}
	var items []eh.Item
	if cfg.Settings.Task == TaskDescribe {
		items, err = DescribeItems(s)
	} else {
		items, err = suite.Items(s)
	}
	return s, items, err
}

// selectPairs applies cfg's Subset, Sample, Shard and Limit to a copy of its
// suite. The sample is drawn before sharding, so the shards of a sampled run
// split one sample between them.
func selectPairs(cfg Config) (*eh.Suite, error) {
	sample := cfg.Settings.Sample
	switch {
	case sample.N < 0:
		return nil, eh.Errorf(eh.EUSAGE, "--sample must not be negative")
	case sample.N > 0 && cfg.Limit > 0:
		return nil, eh.Errorf(eh.EUSAGE, "give --sample or --limit, not both (--limit takes the first N pairs, --sample a stratified random N)")
	}
	sel := suite.Selection{Limit: cfg.Limit}
	if cfg.Subset != "" {
		if err := CheckView("--subset", cfg.Subset, cfg.Suite.Pairs); err != nil {
			return nil, err
		}
		sel.Keep = func(p *eh.Pair) bool {
			return score.ViewMatches(cfg.Subset, eh.NewRecord("", "", "", "", p, eh.Basic))
		}
	}
	pairs := cfg.Suite.Pairs
	if sample.N > 0 {
		kept, err := suite.Select(pairs, suite.Selection{Keep: sel.Keep})
		if err != nil {
			return nil, err
		}
		pairs, sel.Keep = sample.Draw(kept), nil
	}
	var err error
	if sel.Shard, err = suite.ParseShard(cfg.Shard); err != nil {
		return nil, err
	}
	pairs, err = suite.Select(pairs, sel)
	if err != nil {
		return nil, err
	}
	s := *cfg.Suite
	s.Pairs = pairs
	return &s, nil
}

// SuiteDigest is the hex SHA-256 of pairs in suite.jsonl's canonical
// encoding (see rundir.Provenance.SuiteSHA256).
func SuiteDigest(pairs []eh.Pair) (string, error) {
	h := sha256.New()
	if err := suite.Encode(h, pairs); err != nil {
		return "", fmt.Errorf("suite digest: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// syncWriter serialises writes of warnings from many goroutines, and takes
// credentials out of URLs in them.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *syncWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := io.WriteString(l.w, eh.Redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// SyncWriter makes w safe for concurrent use, for warnings written while
// models run, and redacts every write with emohallucer.Redact (nil: a writer
// that drops everything). Each write should be whole lines.
func SyncWriter(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return &syncWriter{w: w}
}
