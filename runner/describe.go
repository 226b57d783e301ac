package runner

import (
	"context"
	"slices"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/strategy"
	"github.com/emohallucer/emohallucer/suite"
)

// Tasks a run can do: answer the suite's yes/no questions, or describe the
// inputs of its perception pairs (README "Open-ended descriptions").
const (
	TaskQuestions = ""
	TaskDescribe  = "describe"
)

// DescribeItems makes one describe item of each distinct input of the
// suite's perception pairs: the same text and media in the same language,
// asked about by one or more pairs, is described once. An input is
// described when it has at most one medium (two-clip comparisons and
// sequences have no single emotion) and a gold label (eh.DescribeLabels).
// The item's pair is a copy of the input's first pair whose tags are the
// union of its pairs' tags except asked:<label>, which names a yes/no
// question's wrong label, so the record carries every gold label and the
// views of the input.
func DescribeItems(s *eh.Suite) ([]eh.Item, error) {
	items, err := suite.Items(s)
	if err != nil {
		return nil, err
	}
	var out []eh.Item
	index := map[string]int{}
	for _, it := range items {
		p := it.Pair
		if it.Role != eh.Basic || p.Dimension != eh.Perception || len(p.Context.Media) > 1 {
			continue
		}
		if labels, _ := eh.DescribeLabels(p); len(labels) == 0 {
			continue
		}
		key := inputKey(p)
		i, seen := index[key]
		if !seen {
			cp := *p
			cp.Tags = nil
			index[key], i = len(out), len(out)
			out = append(out, eh.Item{Pair: &cp, Role: eh.Describe, Media: it.Media})
		}
		q := out[i].Pair
		for _, t := range p.Tags {
			if !strings.HasPrefix(t, "asked:") && !slices.Contains(q.Tags, t) {
				q.Tags = append(q.Tags, t)
			}
		}
	}
	return out, nil
}

// inputKey identifies what a model is shown: language, modality, text and
// media digests.
func inputKey(p *eh.Pair) string {
	parts := []string{string(p.Lang.OrEnglish()), string(p.Modality), p.Context.Text}
	for _, m := range p.Context.Media {
		parts = append(parts, m.SHA256)
	}
	return strings.Join(parts, "\x00")
}

// withJudge gives the run's describer its judge, wrapped in the judge's own
// decorator stack (cache, retries, limits) on the run's response cache.
func (m *model) withJudge(ctx context.Context, def *Definition) error {
	j := m.cfg.Judge
	if j == nil {
		return nil
	}
	d, ok := def.Strategy.(*strategy.Describer)
	if !ok || m.cfg.Settings.Judge != j.Model.Capabilities().Identity {
		return eh.Errorf(eh.EUSAGE, "--judge needs --task describe, and Settings.Judge its identity")
	}
	opts := j.Engine.Options()
	opts.Timeout, opts.Stop, opts.Cache, opts.Log = m.cfg.Timeout, ctx.Done(), m.cache, m.log
	def.Strategy = d.WithJudge(stack.Wrap(j.Model, opts))
	return nil
}
