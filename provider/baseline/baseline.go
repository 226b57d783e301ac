// Package baseline provides reference models that need no API: always-yes,
// always-no and a seeded random answerer. They anchor the metrics (always-yes
// has Pct. Diff 0.5 and FP Ratio 1; random guessing scores 25 overall) and make
// the tool runnable on a fresh machine.
package baseline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// Names of the baselines, as used in model specs ("baseline:always-yes").
var Names = []string{"always-yes", "always-no", "random"}

// Model is a baseline answerer.
type Model struct {
	spec string
	name string // a config entry's name; the spec when empty
	kind string
	seed uint64
}

var _ eh.Model = (*Model)(nil)

// New parses a spec without its "baseline:" prefix: "always-yes", "always-no",
// "random" or "random?seed=N".
func New(spec string) (*Model, error) {
	kind, query, _ := strings.Cut(spec, "?")
	m := &Model{spec: "baseline:" + spec, kind: kind, seed: 1}
	switch kind {
	case "always-yes", "always-no":
		if query != "" {
			return nil, eh.Errorf(eh.EINVALID, "baseline %s takes no options", kind)
		}
	case "random":
		q, err := url.ParseQuery(query)
		if err != nil {
			return nil, eh.Errorf(eh.EINVALID, "baseline:%s: %v", spec, err)
		}
		for k := range q {
			if k != "seed" {
				return nil, eh.Errorf(eh.EINVALID, "baseline:random: unknown option %q (only seed)", k)
			}
		}
		if s := q.Get("seed"); s != "" {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return nil, eh.Errorf(eh.EINVALID, "baseline:random: seed %q is not a whole number", s)
			}
			m.seed = n
		}
	default:
		return nil, eh.Errorf(eh.EINVALID, "unknown baseline %q (known: %s)", kind, strings.Join(Names, ", "))
	}
	return m, nil
}

// Renamed returns the model under a config entry's name. Its identity, and so
// its answers, stay those of its spec.
func (m *Model) Renamed(name string) *Model {
	c := *m
	c.name = name
	return &c
}

// Name implements emohallucer.Model.
func (m *Model) Name() string {
	if m.name != "" {
		return m.name
	}
	return m.spec
}

// Capabilities implements emohallucer.Model: baselines take every modality.
func (m *Model) Capabilities() eh.Capabilities {
	return eh.Capabilities{Identity: m.spec, Modalities: eh.Modalities, Deterministic: true}
}

// Generate implements emohallucer.Model. The random baseline hashes the seed and
// the request, so its answer to a question does not depend on the order or
// concurrency in which questions are asked.
func (m *Model) Generate(ctx context.Context, req *eh.Request) (*eh.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch m.kind {
	case "always-yes":
		return &eh.Response{Text: "Yes"}, nil
	case "always-no":
		return &eh.Response{Text: "No"}, nil
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	binary.Write(h, binary.LittleEndian, m.seed)
	h.Write(body)
	if h.Sum(nil)[0]&1 == 1 {
		return &eh.Response{Text: "Yes"}, nil
	}
	return &eh.Response{Text: "No"}, nil
}
