package export

import (
	_ "embed"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
)

// utilsPy is the Python module the task YAML names with !function: it builds
// the prompt, loads the media and scores answers the way emohallucer's
// first-word rule does (lower-case, first alphabetic word, yes/no or wrong),
// plus our pair accuracy as an aggregation.
//
//go:embed lmms/utils.py
var utilsPy string

// taskYAML is the lmms-eval task configuration. data_files is an absolute
// path because the datasets library resolves it against the working folder,
// not the YAML's; regenerate the export (or edit the line) after moving it.
var taskYAML = template.Must(template.New("task").Parse(`# lmms-eval task written by "emohallucer suite export --format lmms-eval".
# Run: lmms_eval --model <model> --tasks {{.Task}} --include_path {{.Dir}}
task: {{.Task}}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {{.DataFile}}
test_split: test
output_type: generate_until
doc_to_visual: !function utils.doc_to_visual
doc_to_text: !function utils.doc_to_text
doc_to_target: answer
generation_kwargs:
  max_new_tokens: 16
  temperature: 0
  do_sample: false
process_results: !function utils.process_results
metric_list:
  - metric: accuracy
    aggregation: mean
    higher_is_better: true
  - metric: pair_accuracy
    aggregation: !function utils.pair_accuracy
    higher_is_better: true
  - metric: unparsed
    aggregation: mean
    higher_is_better: false
lmms_eval_specific_kwargs:
  default:
    pre_prompt: ""
    post_prompt: "\nAnswer yes or no."
metadata:
  version: 1
  suite: {{.Suite}}
`))

// writeLMMSTask writes <task>.yaml and utils.py next to the JSONL file.
func writeLMMSTask(suiteName, dir, dataFile string) ([]string, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	absData, err := filepath.Abs(dataFile)
	if err != nil {
		return nil, err
	}
	task := TaskName(suiteName)
	yamlFile := filepath.Join(dir, task+".yaml")
	data := struct{ Task, Dir, DataFile, Suite string }{task, yamlQuote(absDir), yamlQuote(absData), yamlQuote(suiteName)}
	if err := writeFile(yamlFile, func(w io.Writer) error { return taskYAML.Execute(w, data) }); err != nil {
		return nil, err
	}
	py := filepath.Join(dir, "utils.py")
	if err := os.WriteFile(py, []byte(utilsPy), 0o644); err != nil {
		return nil, err
	}
	return []string{yamlFile, py}, nil
}

// yamlQuote writes s as a double-quoted YAML scalar when it needs quoting.
func yamlQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`\\ \t") {
		return s
	}
	return strconv.Quote(s)
}
