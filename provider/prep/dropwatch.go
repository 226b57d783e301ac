package prep

import (
	"context"
	"fmt"
	"io"
	"sync"

	eh "github.com/emohallucer/emohallucer"
)

// DropWatch is a decorator that warns, once per modality, when the server
// ignored the media it was sent: as the server itself reports it where it can
// (a MediaChecker, asked before the first request with such media), else as
// the model's token usage shows it (DropDetector). It sits outside retries, so
// it sees only real answers.
type DropWatch struct {
	eh.Model
	checker MediaChecker // nil when the server cannot tell
	det     DropDetector
	log     io.Writer
	asked   sync.Map // modality → struct{}: the checker was asked
	warned  sync.Map // modality → struct{}: a warning was printed
}

// NewDropWatch wraps next. checker is the provider's MediaChecker, nil when it
// has none; warnings go to log, which must be safe for concurrent use.
func NewDropWatch(next eh.Model, checker MediaChecker, log io.Writer) *DropWatch {
	if log == nil {
		log = io.Discard
	}
	return &DropWatch{Model: next, checker: checker, log: log}
}

// Generate implements emohallucer.Model.
func (d *DropWatch) Generate(ctx context.Context, req *eh.Request) (*eh.Response, error) {
	if kind, n := MediaOf(req); n > 0 && d.checker != nil {
		if _, seen := d.asked.LoadOrStore(kind, struct{}{}); !seen {
			w, err := d.checker.CheckMedia(ctx, kind)
			if err != nil {
				fmt.Fprintf(d.log, "warning: %s: could not ask the server whether the model takes %s input: %v\n", d.Name(), kind, err)
			}
			d.warn(w)
		}
	}
	resp, err := d.Model.Generate(ctx, req)
	if err == nil {
		d.warn(d.det.Observe(d.Name(), req, resp))
	}
	return resp, err
}

func (d *DropWatch) warn(w *DropWarning) {
	if w == nil {
		return
	}
	if _, done := d.warned.LoadOrStore(w.Modality, struct{}{}); !done {
		fmt.Fprintln(d.log, "warning:", w.String())
	}
}
