package progress_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/ui/progress"
)

func TestCounts(t *testing.T) {
	for _, draw := range []bool{false, true} {
		var out bytes.Buffer
		p := progress.New(context.Background(), &out, draw)
		b := p.Add("openai:m", 3, func() string { return "conc 4" })
		b.Record(&eh.Record{Status: eh.StatusAnswered, CostUSD: 0.001})
		b.Record(&eh.Record{Status: eh.StatusError})
		b.Retry()
		b.Record(&eh.Record{Status: eh.StatusAnswered, CostUSD: 0.0005})
		b.Stop()
		p.Wait()
		if b.Done() != 3 || b.Cost() != 0.0015 {
			t.Fatalf("draw=%v: done %d cost %v", draw, b.Done(), b.Cost())
		}
		if !draw && out.Len() != 0 {
			t.Fatalf("a silent progress wrote %q", out.String())
		}
		if draw && !(strings.Contains(out.String(), "3/3") && strings.Contains(out.String(), "err 1")) {
			t.Fatalf("drawn bar lacks the counters: %q", out.String())
		}
	}
}

func TestStopEarly(t *testing.T) {
	var out bytes.Buffer
	p := progress.New(context.Background(), &out, true)
	b := p.Add("m", 10, nil)
	b.Record(&eh.Record{Status: eh.StatusAnswered})
	b.Stop() // must not hang Wait although the bar is incomplete
	p.Wait()
	if !strings.Contains(out.String(), "1/10") {
		t.Fatalf("stopped bar: %q", out.String())
	}
}

func TestIsTerminal(t *testing.T) {
	if progress.IsTerminal(&bytes.Buffer{}) {
		t.Fatal("a buffer is not a terminal")
	}
}
