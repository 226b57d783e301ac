// Package external is the entry point the command line uses to score another
// tool's prediction file against an external benchmark's questions, and the
// list of importers for the external benchmarks and export formats.
package external

import (
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/interop"
	"github.com/emohallucer/emohallucer/interop/export"
	"github.com/emohallucer/emohallucer/interop/hallusionbench"
	"github.com/emohallucer/emohallucer/interop/pope"
	"github.com/emohallucer/emohallucer/interop/videohallucer"
)

// Formats lists the prediction formats Score accepts.
var Formats = []string{hallusionbench.Name, pope.Name, videohallucer.Name}

// Importers returns the importers of this package tree, keyed by the name
// `build --from NAME=…` uses: the three benchmarks and the three export
// formats (so that an export can be read back).
func Importers() map[string]importers.Importer {
	m := map[string]importers.Importer{
		hallusionbench.Name: hallusionbench.Importer{},
		pope.Name:           pope.Importer{},
		videohallucer.Name:  videohallucer.Importer{},
	}
	for _, im := range export.Importers() {
		m[im.Name()] = im
	}
	return m
}

// ImporterNames lists the keys of Importers, sorted.
func ImporterNames() []string {
	var names []string
	for n := range Importers() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Score reads a prediction file of format and its benchmark's questions and
// scores it under the extraction rule. questions may be empty for
// videohallucer, whose result files repeat questions and gold answers.
func Score(format, predictions, questions, rule string) (*interop.Report, error) {
	if predictions == "" {
		return nil, eh.Errorf(eh.EINVALID, "--predictions is required")
	}
	var rep *interop.Report
	switch format {
	case hallusionbench.Name:
		if questions == "" {
			return nil, eh.Errorf(eh.EINVALID, "--questions is required for %s (the question file, HallusionBench.json)", format)
		}
		qs, err := hallusionbench.LoadQuestions(questions)
		if err != nil {
			return nil, err
		}
		ps, err := hallusionbench.LoadPredictions(predictions)
		if err != nil {
			return nil, err
		}
		rep, err = hallusionbench.Score(qs, ps, rule)
		if err != nil {
			return nil, err
		}
	case pope.Name:
		if questions == "" {
			return nil, eh.Errorf(eh.EINVALID, "--questions is required for %s (a label file such as coco_pope_adversarial.json, or their folder)", format)
		}
		qs, err := pope.Load(questions, "")
		if err != nil {
			return nil, err
		}
		ps, err := pope.LoadPredictions(predictions)
		if err != nil {
			return nil, err
		}
		rep, err = pope.Score(qs, ps, rule)
		if err != nil {
			return nil, err
		}
	case videohallucer.Name:
		results, err := videohallucer.Load(predictions, true)
		if err != nil {
			return nil, err
		}
		var qs []videohallucer.Pair
		if questions != "" {
			if qs, err = videohallucer.Load(questions, false); err != nil {
				return nil, err
			}
		}
		joined, err := videohallucer.Join(qs, results)
		if err != nil {
			return nil, err
		}
		rep, err = videohallucer.Score(joined, rule)
		if err != nil {
			return nil, err
		}
	default:
		return nil, eh.Errorf(eh.EINVALID, "unknown --format %q (want one of %s)", format, strings.Join(Formats, ", "))
	}
	rep.Predictions, rep.Questions = predictions, questions
	return rep, nil
}
