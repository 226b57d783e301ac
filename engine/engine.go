// Package engine runs a plan — one model, one strategy, the items of a suite —
// with bounded concurrency, and hands every finished question to a sink as a
// Record. It owns every worker goroutine of a run. It knows no concrete provider
// or store: retries, rate limits and caching are decorators around the Model.
//
// Stopping: when the context passed to Run is cancelled (the first Ctrl-C), no new
// question starts and the questions in flight finish; their calls run under
// Plan.CallContext, which the caller cancels only to abort hard (the second
// Ctrl-C). An authentication error or a reached cost limit stops the run the same
// gentle way.
package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	eh "github.com/emohallucer/emohallucer"
)

// maxRaw bounds the model text kept in a record; the full transcript of each step
// is bounded by the provider already.
const maxRaw = 16 << 10

// Sink receives finished records. Put is called from a single goroutine.
type Sink interface {
	Put(*eh.Record) error
}

// Flusher is a Sink that buffers records. Run calls Flush after a Put
// whenever no other finished question is waiting — so always after the last
// one — and buffering only batches records that arrive together.
type Flusher interface {
	Flush() error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(*eh.Record) error

// Put implements Sink.
func (f SinkFunc) Put(r *eh.Record) error { return f(r) }

// Plan is the work of one run.
type Plan struct {
	Run      string
	Suite    string
	Model    eh.Model
	Strategy eh.Strategy
	Items    []eh.Item
	// Concurrency bounds the questions in flight (default 8; the model's
	// MaxConcurrency caps it).
	Concurrency int
	// Done reports questions already recorded by an earlier attempt of the run
	// (key "pair/role"); they are skipped, which is what makes reruns resume.
	Done func(key string) bool
	// CallContext is the context model calls run under; it outlives the
	// scheduling context so that in-flight questions finish after a Ctrl-C.
	// Default: the scheduling context without its cancellation.
	CallContext context.Context
	// CostOf prices the usage of calls that were not served from the cache.
	CostOf func(eh.Usage) float64
	// MaxCostUSD stops scheduling new questions once the run has cost this much
	// (0: no limit). Questions in flight still finish, so the limit can be
	// overshot by at most their cost.
	MaxCostUSD float64
	// OnRecord, when set, sees every record after the sink took it (progress).
	OnRecord func(*eh.Record)
	// Now is the clock (tests replace it).
	Now func() time.Time
}

// Result counts what a run did.
type Result struct {
	Total        int // questions in the plan
	Skipped      int // already recorded earlier
	Answered     int
	NotEvaluated int
	Errors       int
	// Unstarted counts questions never started because the run stopped early.
	Unstarted int
	CostUSD   float64
	// Causes counts the questions that failed by the error they failed with
	// (at most maxCauses distinct ones; the rest are counted under
	// OtherCauses), so the user is told why, not only how many.
	Causes map[string]int
	// StopReason is non-nil when the run stopped before finishing: the user
	// interrupted (ECANCELED), credentials were rejected (EAUTH), the cost
	// limit was reached (EBUDGET), or an error with a StopsModel() method
	// returning true said the model cannot be used (its server unreachable).
	StopReason error
}

// Run executes the plan and returns when every started question is recorded.
// The error is non-nil only when the sink failed: records could not be saved.
func Run(ctx context.Context, p Plan, sink Sink) (Result, error) {
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.CallContext == nil {
		p.CallContext = context.WithoutCancel(ctx)
	}
	conc := p.Concurrency
	if conc <= 0 {
		conc = 8
	}
	if mc := p.Model.Capabilities().MaxConcurrency; mc > 0 && mc < conc {
		conc = mc
	}
	caps := p.Model.Capabilities()
	res := Result{Total: len(p.Items)}

	schedCtx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		stopOnce sync.Once
		stopErr  error
	)
	var (
		spentMu sync.Mutex
		spent   float64
	)
	halt := func(err error) {
		stopOnce.Do(func() { stopErr = err; stop() })
	}

	// Buffered so that a worker finishing a question takes the next one
	// without waiting for the dispatcher to be scheduled; items handed over
	// after a stop are not started (below), so the buffer never sends more.
	jobs := make(chan *eh.Item, conc)
	// Buffered so that a worker starts its next question while the sink is
	// still writing the last record.
	out := make(chan outcome, conc)
	var workers sync.WaitGroup
	for range conc {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for it := range jobs {
				// An item handed over just as the run stopped is not started:
				// the stop (an auth error above all) must send no more requests.
				if schedCtx.Err() != nil {
					continue
				}
				rec, err := p.answer(it, caps)
				if rec != nil && p.MaxCostUSD > 0 {
					// Counted here, not when the record is saved, so that no
					// worker takes another question once the budget is spent.
					spentMu.Lock()
					spent += rec.CostUSD
					over := spent >= p.MaxCostUSD
					total := spent
					spentMu.Unlock()
					if over {
						halt(eh.Errorf(eh.EBUDGET, "cost limit of $%.4f reached ($%.4f spent); rerun with a higher --max-cost to continue", p.MaxCostUSD, total))
					}
				}
				var sm interface{ StopsModel() bool }
				switch {
				case eh.ErrorCode(err) == eh.EAUTH:
					// Halt here rather than when the record is saved, so that
					// this worker cannot take another item in between.
					halt(authStop(p.Model.Name(), err))
				case errors.As(err, &sm) && sm.StopsModel():
					// A decorator found the model unusable (its server was
					// never reached); the error says why and what to check.
					halt(err)
				}
				out <- outcome{rec, err}
			}
		}()
	}

	// The dispatcher stops handing out items once schedCtx is done.
	go func() {
		defer close(jobs)
		for i := range p.Items {
			it := &p.Items[i]
			if p.Done != nil && p.Done(it.Pair.ID+"/"+string(it.Role)) {
				continue
			}
			select {
			case jobs <- it:
			case <-schedCtx.Done():
				return
			}
		}
	}()
	go func() { workers.Wait(); close(out) }()

	var sinkErr error
	flusher, _ := sink.(Flusher)
	started := 0
	for o := range out {
		started++
		rec := o.rec
		if rec == nil {
			continue // aborted hard mid-call: lost in flight, a rerun asks again
		}
		if sinkErr != nil {
			continue // drain the workers; nothing more can be saved
		}
		err := sink.Put(rec)
		if flusher != nil && err == nil && len(out) == 0 {
			err = flusher.Flush()
		}
		if err != nil {
			sinkErr = fmt.Errorf("save record %s: %w", rec.Key(), err)
			halt(sinkErr)
			continue
		}
		switch rec.Status {
		case eh.StatusAnswered:
			res.Answered++
		case eh.StatusNotEvaluated:
			res.NotEvaluated++
		case eh.StatusError:
			res.Errors++
			res.addCause(o.err, "pair "+rec.Pair+" "+string(rec.Role))
		}
		res.CostUSD += rec.CostUSD
		if p.OnRecord != nil {
			p.OnRecord(rec)
		}
	}
	for i := range p.Items {
		it := &p.Items[i]
		if p.Done != nil && p.Done(it.Pair.ID+"/"+string(it.Role)) {
			res.Skipped++
		}
	}
	res.Unstarted = res.Total - res.Skipped - started
	if stopErr == nil && ctx.Err() != nil && res.Unstarted > 0 {
		stopErr = &eh.Error{Code: eh.ECANCELED, Message: "interrupted", Err: ctx.Err()}
	}
	if stopErr != sinkErr {
		res.StopReason = stopErr
	}
	return res, sinkErr
}

// maxCauses bounds the distinct failure causes a Result keeps: a server that
// puts a request id in every error message must not grow it without end.
const maxCauses = 32

// OtherCauses is the key under which Result.Causes counts failures beyond
// its first maxCauses distinct causes.
const OtherCauses = "other causes"

// addCause counts a failed question under its error's message with the
// question's own label (the eh.Item.Label that providers put in their
// errors) taken out, so that the same failure of many questions is one cause.
func (r *Result) addCause(err error, label string) {
	cause := "unknown error"
	if err != nil {
		cause = strings.ReplaceAll(strings.ReplaceAll(err.Error(), " ("+label+")", ""), label, "the question")
	}
	if r.Causes == nil {
		r.Causes = map[string]int{}
	}
	if _, ok := r.Causes[cause]; !ok && len(r.Causes) >= maxCauses {
		cause = OtherCauses
	}
	r.Causes[cause]++
}

// authStop is the stop reason of a run whose credentials were rejected.
func authStop(model string, err error) error {
	return &eh.Error{Code: eh.EAUTH, Message: fmt.Sprintf("model %s: credentials rejected; stopping this model's run", model), Err: err}
}

// outcome is a worker's result: the record (nil when the call was aborted hard
// and nothing should be recorded) and the error the question failed with.
type outcome struct {
	rec *eh.Record
	err error
}

// answer asks one question and builds its record.
func (p *Plan) answer(it *eh.Item, caps eh.Capabilities) (*eh.Record, error) {
	rec := eh.NewRecord(p.Run, p.Suite, p.Model.Name(), p.Strategy.Name(), it.Pair, it.Role)
	rec.Started = p.Now().UTC()
	if !caps.Accepts(it.Pair.Modality) {
		rec.Status = eh.StatusNotEvaluated
		rec.Error = fmt.Sprintf("model %s does not take %s input", p.Model.Name(), it.Pair.Modality)
		return rec, nil
	}
	start := time.Now()
	o, err := p.Strategy.Answer(p.CallContext, p.Model, it)
	rec.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	if err != nil && p.CallContext.Err() != nil {
		return nil, err
	}
	if o != nil {
		rec.Steps = o.Steps
		rec.Rule = o.Rule
		for _, st := range o.Steps {
			if st.Error != "" && st.Response == "" {
				continue
			}
			rec.Calls++
			rec.Usage = rec.Usage.Add(st.Usage)
			if st.Cached {
				rec.CachedCalls++
			} else if p.CostOf != nil {
				rec.CostUSD += p.CostOf(st.Usage)
			}
		}
	}
	if err != nil {
		rec.Status = eh.StatusError
		rec.Error = fmt.Sprintf("model %s, %s: %v", p.Model.Name(), it.Label(), err)
		return rec, err
	}
	rec.Status = eh.StatusAnswered
	rec.Answer = o.Answer
	rec.Confidence = o.Confidence
	rec.Raw = truncate(o.Raw, maxRaw)
	return rec, nil
}

// truncate bounds s to n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…[truncated]"
}
