package rundir

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/score"
)

// WriteSummary writes dir/summary.json, atomically as WriteInfo does.
func WriteSummary(dir string, sc *score.Scores) error {
	var b bytes.Buffer
	if err := score.WriteJSON(&b, sc); err != nil {
		return err
	}
	return writeAtomic(dir, SummaryFile, b.Bytes())
}

// ReadSummary reads the scores of a run folder: its summary.json when present,
// else the scores of its records.
func ReadSummary(dir string) (*score.Scores, error) {
	path := filepath.Join(dir, SummaryFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		acc, err := Accumulate([]string{dir}, nil, nil)
		if err != nil {
			return nil, err
		}
		return acc.Close(), nil
	}
	if err != nil {
		return nil, ioError("read", path, err)
	}
	var sc score.Scores
	if err := json.Unmarshal(b, &sc); err != nil {
		return nil, eh.Errorf(eh.EINVALID, "%s: %v", path, err)
	}
	sc.Order = score.OrderViews(sc.Views)
	return &sc, nil
}

// Rescore recomputes dir/summary.json from dir/records.jsonl; run and score
// share it, which is what makes their summaries byte-identical. warn is as in
// Accumulate.
func Rescore(dir string, warn func(error)) (*score.Scores, error) {
	acc, err := Accumulate([]string{dir}, nil, warn)
	if err != nil {
		return nil, err
	}
	sc := acc.Close()
	return sc, WriteSummary(dir, sc)
}

// Accumulate reads the records of paths (run folders, files, or "-" for stdin)
// into a score accumulator, without their transcripts, which scoring never
// reads. warn (nil: ignored) is told of problems that do not stop reading, such
// as a last line torn by a crash, which a resumed run cuts off and scoring
// leaves out.
func Accumulate(paths []string, stdin io.Reader, warn func(error)) (*score.Accumulator, error) {
	acc := score.NewAccumulator()
	if err := (record.Reader{Slim: true, Warn: warn}).ReadPaths(paths, stdin, acc.Add); err != nil {
		return nil, err
	}
	return acc, nil
}
