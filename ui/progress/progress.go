// Package progress shows the progress of a run: one bar per model with questions
// done of total, rate, time left, errors, retries, cost and the current
// concurrency bound. On a terminal the bars are drawn by mpb; anywhere else
// (a pipe, a CI log) nothing is drawn, and the caller prints its one final line
// per model.
//
// A Bar is fed from the engine's record callback and the retry decorator's
// attempt callback; all its methods are safe for concurrent use and are no-ops
// on a Progress that draws nothing.
package progress

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"sync/atomic"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	eh "github.com/emohallucer/emohallucer"
)

// Progress is a set of bars drawn to one writer.
type Progress struct {
	p *mpb.Progress // nil when nothing is drawn
	w io.Writer
}

// IsTerminal reports whether w is a character device (an interactive terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// New returns a Progress drawing to w when draw is true (normally
// IsTerminal(w)), and a silent one otherwise. Call Wait when the run is over.
// The caller decides about the terminal, so tests can draw into a buffer.
func New(ctx context.Context, w io.Writer, draw bool) *Progress {
	if !draw {
		return &Progress{w: w}
	}
	return &Progress{w: w, p: mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithAutoRefresh())}
}

// Extra supplies live figures that are not counted by the bar itself, such as
// the current concurrency bound; nil for none.
type Extra func() string

// Bar is the progress of one model's run.
type Bar struct {
	bar                   *mpb.Bar
	errors, retries, done atomic.Int64
	costMicros            atomic.Int64
	total                 int64
}

// Add starts a bar for a model with total questions to ask.
func (p *Progress) Add(name string, total int, extra Extra) *Bar {
	b := &Bar{total: int64(total)}
	if p.p == nil {
		return b
	}
	b.bar = p.p.AddBar(int64(total),
		mpb.PrependDecorators(
			decor.Name(name, decor.WCSyncSpaceR),
			decor.CountersNoUnit("%d/%d", decor.WCSyncSpace),
		),
		mpb.AppendDecorators(
			decor.AverageSpeed(nil, "%.1f/s", decor.WCSyncSpace),
			decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), "done"),
			decor.Any(func(decor.Statistics) string {
				s := fmt.Sprintf("err %d  retry %d  $%.4f", b.errors.Load(), b.retries.Load(), b.Cost())
				if extra != nil {
					if e := extra(); e != "" {
						s += "  " + e
					}
				}
				return s
			}, decor.WCSyncSpace),
		),
	)
	return b
}

// Record counts a finished question.
func (b *Bar) Record(r *eh.Record) {
	if r.Status == eh.StatusError {
		b.errors.Add(1)
	}
	if r.CostUSD > 0 {
		b.costMicros.Add(int64(math.Round(r.CostUSD * 1e6)))
	}
	b.done.Add(1)
	if b.bar != nil {
		b.bar.Increment()
	}
}

// Retry counts an attempt that will be tried again.
func (b *Bar) Retry() { b.retries.Add(1) }

// Cost returns the cost counted so far, in USD.
func (b *Bar) Cost() float64 { return float64(b.costMicros.Load()) / 1e6 }

// Done returns how many questions were counted.
func (b *Bar) Done() int64 { return b.done.Load() }

// Stop ends the bar: it completes if every question was counted and is left
// standing, marked aborted, if the run stopped early.
func (b *Bar) Stop() {
	if b.bar == nil || b.bar.Completed() {
		return
	}
	if b.done.Load() >= b.total {
		b.bar.SetTotal(-1, true)
		return
	}
	b.bar.Abort(false)
}

// Write prints a message (a warning) above the bars, or straight to the output
// when nothing is drawn. Not safe for concurrent use; serialise callers.
func (p *Progress) Write(b []byte) (int, error) {
	if p.p != nil {
		return p.p.Write(b)
	}
	return p.w.Write(b)
}

// Wait waits until every bar has been drawn for the last time. Every bar must
// have completed or been stopped.
func (p *Progress) Wait() {
	if p.p != nil {
		p.p.Wait()
	}
}
