package main

import (
	"os"

	"github.com/emohallucer/emohallucer/policy"
	"github.com/emohallucer/emohallucer/report"
	"github.com/emohallucer/emohallucer/rundir"
)

// reportSections builds the optional sections of the HTML report: the
// use-case decisions (--usecases) and the monitoring history (--history), in
// the report's language.
// The runs' records must be loaded.
func reportSections(o reportOptions, runs []report.Run, h *report.History, lang report.Lang) ([]report.Section, error) {
	var out []report.Section
	if o.UseCases != "" {
		ucs, err := policy.ReadRegister(o.UseCases)
		if err != nil {
			return nil, err
		}
		var pruns []*policy.Run
		for _, r := range runs {
			pr, err := policy.NewRun(r.Dir, r.Records)
			if err != nil {
				return nil, err
			}
			if st, err := os.Stat(r.Dir); err == nil && st.IsDir() {
				info, err := rundir.ReadInfo(r.Dir)
				if err != nil {
					return nil, err
				}
				pr.UseInfo(info)
			}
			pruns = append(pruns, pr)
		}
		sec, err := report.PolicySection(policy.Evaluate(ucs, pruns), lang)
		if err != nil {
			return nil, err
		}
		out = append(out, sec)
	}
	if h != nil {
		sec, err := report.HistorySection(h, lang)
		if err != nil {
			return nil, err
		}
		out = append(out, sec)
	}
	return out, nil
}

// historyOf builds the monitoring history of the runs (records loaded); the
// start date comes from the scores, else from run.json.
func historyOf(runs []report.Run) (*report.History, error) {
	for i := range runs {
		if runs[i].Scores.Run.Started != "" {
			continue
		}
		if info, err := rundir.ReadInfo(runs[i].Dir); err == nil && info != nil && !info.Started.IsZero() {
			runs[i].Scores.Run.Started = info.Started.UTC().Format("2006-01-02T15:04:05Z")
		}
	}
	return report.BuildHistory(runs)
}
