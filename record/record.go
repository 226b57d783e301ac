// Package record encodes and decodes run records. JSON Lines is the canonical,
// lossless format; CSV is an export for spreadsheets (it drops step transcripts).
// Decoders stream one record at a time, detect the format from the first bytes,
// merge any number of files, read "-" as standard input, and upgrade older schema
// versions.
package record

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/csvcell"
)

// FileName is the records file inside a run folder.
const FileName = "records.jsonl"

// maxLine bounds one JSONL record; records hold whole strategy transcripts.
const maxLine = 16 << 20

// Encoder writes records as JSON Lines.
type Encoder struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewEncoder returns an Encoder writing to w. Call Flush when done.
func NewEncoder(w io.Writer) *Encoder {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	// Model output is kept as written; HTML escaping happens in the report.
	enc.SetEscapeHTML(false)
	return &Encoder{w: bw, enc: enc}
}

// Encode writes one record.
func (e *Encoder) Encode(r *eh.Record) error { return e.enc.Encode(r) }

// Flush writes buffered records to the underlying writer.
func (e *Encoder) Flush() error { return e.w.Flush() }

// Func receives decoded records; returning an error stops decoding.
type Func func(*eh.Record) error

// Reader reads records files. The zero value reads whole records and drops
// warnings; DecodeSlim, ReadPaths and ReadPathsSlim are its usual settings.
//
// A line that is not a valid record does not stop reading: every bad line is
// reported (the first MaxBadLines of them, then how many more) in one EINVALID
// error returned at the end, after fn has seen every good record. The
// exception is a torn last line (no newline at the end and not valid JSON),
// which a run killed in the middle of a write leaves and the next run cuts
// off: it is passed to Warn and otherwise ignored, as a resumed run ignores it.
type Reader struct {
	// Slim skips transcripts (Record.Steps stays empty): scoring and resuming
	// do not need them, and they are most of a record's bytes. The skipped
	// member is not parsed, so a malformed transcript is not an error.
	Slim bool
	// Warn, when set, is told of problems that do not stop reading.
	Warn func(error)
}

// MaxBadLines bounds the bad lines an error lists one by one.
const MaxBadLines = 20

// Decode reads records from r, naming it name in errors, and calls fn for each.
// The format (JSONL or CSV) is detected from the first line: CSV when it is a
// header naming the "schema" column, JSON Lines otherwise.
func Decode(r io.Reader, name string, fn Func) error { return Reader{}.Decode(r, name, fn) }

// DecodeSlim is Decode without transcripts (Reader.Slim).
func DecodeSlim(r io.Reader, name string, fn Func) error {
	return Reader{Slim: true}.Decode(r, name, fn)
}

// Decode reads records from r as the package-level Decode does, with rd's
// settings.
func (rd Reader) Decode(r io.Reader, name string, fn Func) error {
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		b, err := br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil // an empty file holds no records
			}
			return fmt.Errorf("records %s: %w", name, err)
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.ReadByte()
			continue
		}
		if csvHead(br) {
			return decodeCSV(br, name, fn)
		}
		return rd.decodeJSONL(br, name, fn)
	}
}

// csvHead tells whether the first line waiting in br is a CSV header of a
// records export: one of its columns is "schema". Anything else (a garbage
// line included) is read as JSON Lines, so that it is reported as a bad line
// rather than as "a CSV file without columns".
func csvHead(br *bufio.Reader) bool {
	head, _ := br.Peek(4096)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if len(head) == 0 || head[0] == '{' {
		return false
	}
	for _, f := range bytes.Split(bytes.TrimRight(head, "\r"), []byte(",")) {
		if string(bytes.Trim(bytes.TrimSpace(f), `"`)) == csvHeader[0] {
			return true
		}
	}
	return false
}

func (rd Reader) decodeJSONL(r io.Reader, name string, fn Func) error {
	t := &tail{r: r}
	bad := badLines{name: name}
	var last int
	var err error
	if runtime.GOMAXPROCS(0) < 2 {
		last, err = decodeJSONLSerial(t, name, fn, rd.Slim, &bad)
	} else {
		last, err = decodeJSONLParallel(t, name, fn, rd.Slim, &bad)
	}
	if err != nil {
		return err
	}
	if t.last != '\n' && bad.lastLine == last && bad.lastMalformed {
		warn := bad.dropLast()
		if rd.Warn != nil {
			rd.Warn(fmt.Errorf("records %s line %d: torn last line ignored (no newline at its end; a run stopped in the middle of writing it, and the next run into that folder cuts it off): %w", name, last, warn))
		}
	}
	return bad.err()
}

// tail remembers the last byte read through it: whether the input ended
// with a newline.
type tail struct {
	r    io.Reader
	last byte
}

func (t *tail) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.last = p[n-1]
	}
	return n, err
}

// badLines collects the errors of bad lines: the first MaxBadLines in full,
// then a count.
type badLines struct {
	name string
	errs []error
	more int
	// lastLine is the line of the latest error, lastMalformed whether it was
	// a JSON syntax error (what a torn line gives).
	lastLine      int
	lastMalformed bool
}

func (b *badLines) add(line int, err error) {
	var le *lineError
	b.lastLine, b.lastMalformed = line, errors.As(err, &le) && le.malformed
	if len(b.errs) < MaxBadLines {
		b.errs = append(b.errs, err)
	} else {
		b.more++
	}
}

// dropLast removes the latest error and returns it.
func (b *badLines) dropLast() error {
	b.lastLine, b.lastMalformed = 0, false
	if b.more > 0 {
		b.more--
		return errors.New("malformed JSON")
	}
	last := b.errs[len(b.errs)-1]
	b.errs = b.errs[:len(b.errs)-1]
	return last
}

// err is nil without bad lines, the one error for one, and an EINVALID error
// listing them otherwise.
func (b *badLines) err() error {
	switch n := len(b.errs) + b.more; {
	case n == 0:
		return nil
	case n == 1:
		return b.errs[0]
	default:
		var sb strings.Builder
		fmt.Fprintf(&sb, "records %s: %d bad lines", b.name, n)
		for _, e := range b.errs {
			sb.WriteString("\n  " + e.Error())
		}
		if b.more > 0 {
			fmt.Fprintf(&sb, "\n  … and %d more", b.more)
		}
		return &eh.Error{Code: eh.EINVALID, Message: sb.String()}
	}
}

// lineError is a bad line; malformed when it is not even JSON syntax.
type lineError struct {
	err       error
	malformed bool
}

func (e *lineError) Error() string { return e.err.Error() }
func (e *lineError) Unwrap() error { return e.err }

// skipJSON is a JSON value that is parsed but not kept.
type skipJSON struct{}

func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

// slimRecord shadows the transcript (Record.Steps) with skipJSON.
type slimRecord struct {
	eh.Record
	Steps skipJSON `json:"steps"`
}

// stepsKey starts the transcript member as the encoder writes it.
var stepsKey = []byte(`,"steps":[`)

// cutSteps removes the line's "steps" member in place, found by a byte scan
// that is several times faster than letting encoding/json parse and drop it.
// It returns b unchanged when the member is absent or its end is not found,
// and json.Unmarshal then does the full work. The key cannot occur inside a
// string (its quotes would be escaped) nor elsewhere in a Record; the price is
// that a malformed transcript goes undiagnosed by the slim decoders, which
// never read it.
func cutSteps(b []byte) []byte {
	i := bytes.Index(b, stepsKey)
	if i < 0 {
		return b
	}
	depth, inStr := 0, false
	for j := i + len(stepsKey) - 1; j < len(b); j++ {
		c := b[j]
		if inStr {
			switch c {
			case '\\':
				j++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				n := copy(b[i:], b[j+1:])
				return b[:i+n]
			}
		}
	}
	return b
}

// decodeLine parses, upgrades and validates one JSONL record.
func decodeLine(b []byte, name string, line int, skip bool) (*eh.Record, error) {
	var rec *eh.Record
	var err error
	if skip {
		var s slimRecord
		err = json.Unmarshal(cutSteps(b), &s)
		rec = &s.Record
	} else {
		rec = new(eh.Record)
		err = json.Unmarshal(b, rec)
	}
	if err != nil {
		// Only a syntax error can be a torn line; a wrong type is a bad record.
		var syn *json.SyntaxError
		return nil, &lineError{err: eh.Errorf(eh.EINVALID, "records %s line %d: malformed JSON: %v", name, line, err), malformed: errors.As(err, &syn)}
	}
	if err := upgrade(rec); err != nil {
		return nil, fmt.Errorf("records %s line %d: %w", name, line, err)
	}
	if err := rec.Validate(); err != nil {
		return nil, fmt.Errorf("records %s line %d: %w", name, line, err)
	}
	return rec, nil
}

// decodeJSONLSerial decodes line by line, adding bad lines to bad, and returns
// the number of the last line.
func decodeJSONLSerial(r io.Reader, name string, fn Func, skip bool, bad *badLines) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 256*1024), maxLine)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		rec, err := decodeLine(b, name, line, skip)
		if err != nil {
			bad.add(line, err)
			continue
		}
		if err := fn(rec); err != nil {
			return line, err
		}
	}
	if err := sc.Err(); err != nil {
		return line, eh.Errorf(eh.EINVALID, "records %s after line %d: %v", name, line, err)
	}
	return line, nil
}

// batch is a run of consecutive lines decoded by one worker.
type batch struct {
	first int      // line number of lines[0]
	lines [][]byte // owned copies, slices of buf
	buf   []byte
	recs  []*eh.Record
	errs  []error // bad lines, in order
	bad   []int   // their line numbers
	done  chan struct{}
}

// decodeJSONLParallel decodes batches of lines on every core (JSON decoding is
// most of the cost of scoring) and hands records to fn in file order from
// this goroutine, so fn needs no locking and sees exactly what the serial
// decoder would: the same records, the same bad lines in the same order.
func decodeJSONLParallel(r io.Reader, name string, fn Func, skip bool, bad *badLines) (int, error) {
	const batchLines = 256
	workers := runtime.GOMAXPROCS(0)
	quit := make(chan struct{})
	defer close(quit)
	todo := make(chan *batch, workers*2)
	order := make(chan *batch, workers*4)
	var scanErr error
	line := 0
	go func() {
		defer close(todo)
		defer close(order)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 256*1024), maxLine)
		b := &batch{first: 1, done: make(chan struct{}), buf: make([]byte, 0, 256<<10)}
		send := func() bool {
			select {
			case order <- b:
			case <-quit:
				return false
			}
			select {
			case todo <- b:
			case <-quit:
				return false
			}
			return true
		}
		for sc.Scan() {
			line++
			if len(b.lines) == 0 {
				b.first = line
			}
			// One buffer per batch rather than one allocation per line.
			start := len(b.buf)
			b.buf = append(b.buf, sc.Bytes()...)
			b.lines = append(b.lines, b.buf[start:len(b.buf):len(b.buf)])
			if len(b.lines) == batchLines {
				// Sized before sending: once sent, b belongs to a worker.
				size := len(b.buf)
				if !send() {
					return
				}
				b = &batch{done: make(chan struct{}), buf: make([]byte, 0, size)}
			}
		}
		scanErr = sc.Err()
		if len(b.lines) > 0 {
			send()
		}
	}()
	for range workers {
		go func() {
			for b := range todo {
				for i, l := range b.lines {
					l = bytes.TrimSpace(l)
					if len(l) == 0 {
						continue
					}
					rec, err := decodeLine(l, name, b.first+i, skip)
					if err != nil {
						b.errs, b.bad = append(b.errs, err), append(b.bad, b.first+i)
						continue
					}
					b.recs = append(b.recs, rec)
				}
				b.lines, b.buf = nil, nil
				close(b.done)
			}
		}()
	}
	for b := range order {
		<-b.done
		for _, rec := range b.recs {
			if err := fn(rec); err != nil {
				return 0, err
			}
		}
		for i, err := range b.errs {
			bad.add(b.bad[i], err)
		}
	}
	// order is closed only after the reader stored scanErr and line.
	if scanErr != nil {
		return line, eh.Errorf(eh.EINVALID, "records %s after line %d: %v", name, line, scanErr)
	}
	return line, nil
}

// upgrade brings a record of an older schema to the current one. Schema 1 is the
// first; schema 2 added the describe role with labels and allowed, and needs
// no conversion of schema 1 records. Later versions add their conversions
// here, and a golden fixture of every version lives in testdata.
func upgrade(r *eh.Record) error {
	if r.Schema == 0 {
		return eh.Errorf(eh.EINVALID, "record has no schema number; is this an emohallucer records file?")
	}
	return nil
}

// csvHeader lists the CSV export columns. Columns are read back by name, so
// adding one never breaks older files.
var csvHeader = []string{"schema", "run", "suite", "model", "strategy", "pair", "role", "dimension", "subcategory", "modality", "gold", "status", "answer", "rule", "raw", "confidence", "calls", "cached_calls", "prompt_tokens", "completion_tokens", "cost_usd", "latency_ms", "started", "error", "labels", "allowed"}

// CSVWriter writes records as CSV with a header row.
type CSVWriter struct {
	w      *csv.Writer
	header bool
}

// NewCSVWriter returns a CSVWriter writing to w. Call Flush when done.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one record.
func (c *CSVWriter) Write(r *eh.Record) error {
	if !c.header {
		c.header = true
		if err := c.w.Write(csvHeader); err != nil {
			return err
		}
	}
	conf := ""
	if r.Confidence != nil {
		conf = strconv.FormatFloat(*r.Confidence, 'g', -1, 64)
	}
	row := []string{strconv.Itoa(r.Schema), r.Run, r.Suite, r.Model, r.Strategy, r.Pair, string(r.Role),
		string(r.Dimension), string(r.SubCategory), string(r.Modality), string(r.Gold), string(r.Status),
		string(r.Answer), r.Rule, r.Raw, conf, strconv.Itoa(r.Calls), strconv.Itoa(r.CachedCalls),
		strconv.Itoa(r.Usage.PromptTokens), strconv.Itoa(r.Usage.CompletionTokens),
		strconv.FormatFloat(r.CostUSD, 'g', -1, 64), strconv.FormatFloat(r.LatencyMS, 'g', -1, 64),
		r.Started.UTC().Format(time.RFC3339Nano), r.Error, strings.Join(r.Labels, ";"), strings.Join(r.Allowed, ";")}
	// Model output and names go to spreadsheets: no cell may run as a formula.
	for i := range row {
		row[i] = csvcell.Escape(row[i])
	}
	return c.w.Write(row)
}

// Flush writes buffered rows and reports any write error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

func decodeCSV(r io.Reader, name string, fn Func) error {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return eh.Errorf(eh.EINVALID, "records %s: neither JSON Lines nor CSV: %v", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, need := range []string{"schema", "run", "pair", "role", "gold", "status"} {
		if _, ok := col[need]; !ok {
			return eh.Errorf(eh.EINVALID, "records %s: not a records file (CSV without a %q column)", name, need)
		}
	}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return eh.Errorf(eh.EINVALID, "records %s line %d: %v", name, line, err)
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(row) {
				return csvcell.Unescape(row[i])
			}
			return ""
		}
		atoi := func(k string) int { n, _ := strconv.Atoi(get(k)); return n }
		atof := func(k string) float64 { f, _ := strconv.ParseFloat(get(k), 64); return f }
		rec := &eh.Record{
			Schema: atoi("schema"), Run: get("run"), Suite: get("suite"), Model: get("model"), Strategy: get("strategy"),
			Pair: get("pair"), Role: eh.Role(get("role")), Dimension: eh.Dimension(get("dimension")),
			SubCategory: eh.SubCategory(get("subcategory")), Modality: eh.Modality(get("modality")),
			Gold: eh.Gold(get("gold")), Status: eh.Status(get("status")), Answer: eh.Answer(get("answer")),
			Rule: get("rule"), Raw: get("raw"), Calls: atoi("calls"), CachedCalls: atoi("cached_calls"),
			Usage:   eh.Usage{PromptTokens: atoi("prompt_tokens"), CompletionTokens: atoi("completion_tokens")},
			CostUSD: atof("cost_usd"), LatencyMS: atof("latency_ms"), Error: get("error"),
		}
		// A description's gold labels, ";"-separated (schema 2).
		rec.Labels, rec.Allowed = splitList(get("labels")), splitList(get("allowed"))
		if s := get("confidence"); s != "" {
			c := atof("confidence")
			rec.Confidence = &c
		}
		rec.Started, _ = time.Parse(time.RFC3339Nano, get("started"))
		if err := upgrade(rec); err != nil {
			return fmt.Errorf("records %s line %d: %w", name, line, err)
		}
		if err := rec.Validate(); err != nil {
			return fmt.Errorf("records %s line %d: %w", name, line, err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// splitList reads a ";"-separated CSV cell; nil when empty.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// ReadPaths decodes every named source in order: "-" is standard input, a folder
// means its records.jsonl, anything else a records file.
func ReadPaths(paths []string, stdin io.Reader, fn Func) error {
	return Reader{}.ReadPaths(paths, stdin, fn)
}

// ReadPathsSlim is ReadPaths without transcripts (see DecodeSlim): what
// scoring reads, at a third of the decoding work and memory.
func ReadPathsSlim(paths []string, stdin io.Reader, fn Func) error {
	return Reader{Slim: true}.ReadPaths(paths, stdin, fn)
}

// ReadPaths reads every named source as the package-level ReadPaths does,
// with rd's settings.
func (rd Reader) ReadPaths(paths []string, stdin io.Reader, fn Func) error {
	for _, p := range paths {
		if err := rd.readPath(p, stdin, fn); err != nil {
			return err
		}
	}
	return nil
}

func (rd Reader) readPath(p string, stdin io.Reader, fn Func) error {
	if p == "-" {
		return rd.Decode(stdin, "<stdin>", fn)
	}
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		p = filepath.Join(p, FileName)
	}
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return eh.Errorf(eh.ENOTFOUND, "no records at %s", p)
		}
		return err
	}
	defer f.Close()
	return rd.Decode(f, p, fn)
}
