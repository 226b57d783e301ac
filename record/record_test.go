package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

func readAll(t *testing.T, r *strings.Reader) []*eh.Record {
	t.Helper()
	var out []*eh.Record
	if err := Decode(r, "mem", func(rec *eh.Record) error { out = append(out, rec); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchema1Fixture keeps every record schema ever written decodable.
func TestSchema1Fixture(t *testing.T) {
	b, err := os.ReadFile("testdata/schema1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, strings.NewReader(string(b)))
	if len(recs) != 3 || recs[0].Steps[0].Usage.PromptTokens != 12 || recs[2].Status != eh.StatusNotEvaluated {
		t.Fatalf("decoded %+v", recs)
	}
}

// TestRoundTrip encodes records with every encoder and decodes them back.
func TestRoundTrip(t *testing.T) {
	b, _ := os.ReadFile("testdata/schema1.jsonl")
	in := readAll(t, strings.NewReader(string(b)))
	in[0].Raw = "<script>alert(1)</script> yes, \"quoted\", comma\nnewline"
	// Spreadsheet formulas are escaped in CSV and come back as written.
	in[1].Raw = `=HYPERLINK("http://evil","yes")`
	in[2].Raw = "'=already quoted"
	in[2].Error = "-1+cmd"
	conf := 0.75
	in[0].Confidence = &conf
	encoders := []struct {
		name  string
		write func(*bytes.Buffer) error
		lossy bool // CSV drops step transcripts and tags
	}{
		{"jsonl", func(w *bytes.Buffer) error {
			e := NewEncoder(w)
			for _, r := range in {
				if err := e.Encode(r); err != nil {
					return err
				}
			}
			return e.Flush()
		}, false},
		{"csv", func(w *bytes.Buffer) error {
			c := NewCSVWriter(w)
			for _, r := range in {
				if err := c.Write(r); err != nil {
					return err
				}
			}
			return c.Flush()
		}, true},
	}
	for _, enc := range encoders {
		t.Run(enc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := enc.write(&buf); err != nil {
				t.Fatal(err)
			}
			if enc.name == "csv" && (strings.Contains(buf.String(), "\n=") || strings.Contains(buf.String(), ",=") || strings.Contains(buf.String(), ",-1+")) {
				t.Errorf("a CSV cell starts a formula:\n%s", buf.String())
			}
			out := readAll(t, strings.NewReader(buf.String()))
			if len(out) != len(in) {
				t.Fatalf("%d records back, want %d", len(out), len(in))
			}
			for i := range in {
				want := *in[i]
				if enc.lossy {
					want.Steps, want.Tags = nil, nil
				}
				wj, _ := json.Marshal(&want)
				gj, _ := json.Marshal(out[i])
				if string(wj) != string(gj) {
					t.Errorf("record %d:\n got %s\nwant %s", i, gj, wj)
				}
			}
		})
	}
}

func TestDecodeErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"malformed", `{"schema":1` + "\n", "mem line 1: malformed JSON"},
		{"no schema", `{"run":"r"}` + "\n", "no schema number"},
		{"future schema", `{"schema":99,"run":"r"}` + "\n", "schema 99 is not supported"},
		{"bad gold", `{"schema":1,"run":"r","pair":"p","role":"basic","gold":"no","dimension":"knowledge","subcategory":"theory","modality":"text","status":"answered","answer":"yes"}` + "\n", "does not fit the role"},
		// A CSV header without the other columns records need.
		{"csv not records", "schema,b\n1,2\n", "not a records file"},
		// A garbage first line is a bad JSONL line, not "CSV".
		{"garbage first line", "a,b\n1,2\n", "mem line 1: malformed JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Decode(strings.NewReader(tt.in), "mem", func(*eh.Record) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestTornTail simulates a kill -9 in the middle of writing a record: the torn
// line is ignored on reading and cut off before appending.
func TestTornTail(t *testing.T) {
	b, _ := os.ReadFile("testdata/schema1.jsonl")
	path := filepath.Join(t.TempDir(), "run", FileName)
	os.MkdirAll(filepath.Dir(path), 0o755)
	torn := append(append([]byte{}, b...), []byte(`{"schema":1,"run":"r1","pai`)...)
	if err := os.WriteFile(path, torn, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Existing(path)
	if err != nil || len(got) != 3 {
		t.Fatalf("Existing = %d records, %v", len(got), err)
	}
	app, err := OpenAppend(path)
	if err != nil {
		t.Fatal(err)
	}
	r := *got["k-theory-x/basic"]
	r.Raw = "again"
	if err := app.Put(&r); err != nil {
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := Existing(path)
	if err != nil || len(after) != 3 || after["k-theory-x/basic"].Raw != "again" {
		t.Fatalf("after append: %v %v", after, err)
	}
	if missing, err := Existing(filepath.Join(t.TempDir(), "none.jsonl")); err != nil || len(missing) != 0 {
		t.Fatalf("missing file: %v %v", missing, err)
	}
}

// score reads what run wrote: a torn last line (no newline, not JSON) is
// reported as a warning and ignored, as a resumed run ignores it; anything bad
// elsewhere is an error.
func TestDecodeTornLastLine(t *testing.T) {
	b, _ := os.ReadFile("testdata/schema1.jsonl")
	tests := []struct {
		name, in string
		recs     int
		warn     bool
		err      string
	}{
		// Torn in the middle of a record: 3 records, one warning.
		{"torn", string(b) + `{"schema":1,"run":"r1","pai`, 3, true, ""},
		// The same bytes followed by a newline were written whole: an error.
		{"bad with newline", string(b) + `{"schema":1,"run":"r1","pai` + "\n", 3, false, "line 4: malformed JSON"},
		// A complete last record without a newline is a record.
		{"complete without newline", strings.TrimSuffix(string(b), "\n"), 3, false, ""},
		// A torn first line only: no records, no error.
		{"only torn", `{"schema":1,"ru`, 0, true, ""},
	}
	for _, tt := range tests {
		for _, slim := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/slim=%v", tt.name, slim), func(t *testing.T) {
				var warns []error
				n := 0
				err := Reader{Slim: slim, Warn: func(e error) { warns = append(warns, e) }}.Decode(strings.NewReader(tt.in), "mem", func(*eh.Record) error { n++; return nil })
				if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				if n != tt.recs || (len(warns) == 1) != tt.warn {
					t.Fatalf("%d records, warnings %v", n, warns)
				}
				if tt.warn && !strings.Contains(warns[0].Error(), "torn last line") {
					t.Errorf("warning %v", warns[0])
				}
			})
		}
	}
}

// Every bad line is reported, up to MaxBadLines, then how many more; good
// records are all read.
func TestDecodeReportsEveryBadLine(t *testing.T) {
	b, _ := os.ReadFile("testdata/schema1.jsonl")
	var in strings.Builder
	for i := range 25 {
		in.Write(b)
		fmt.Fprintf(&in, "not a record %d\n", i)
	}
	for _, dec := range []func(io.Reader, string, Func) error{Decode, DecodeSlim} {
		n := 0
		err := dec(strings.NewReader(in.String()), "mem", func(*eh.Record) error { n++; return nil })
		if n != 75 || eh.ErrorCode(err) != eh.EINVALID {
			t.Fatalf("%d records, %v", n, err)
		}
		msg := err.Error()
		for _, want := range []string{"records mem: 25 bad lines", "mem line 4: malformed JSON", "mem line 80: malformed JSON", "… and 5 more"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error lacks %q:\n%s", want, msg)
			}
		}
		if strings.Contains(msg, "line 84:") {
			t.Errorf("more than %d lines listed:\n%s", MaxBadLines, msg)
		}
	}
}

func FuzzDecode(f *testing.F) {
	b, _ := os.ReadFile("testdata/schema1.jsonl")
	f.Add(string(b))
	f.Add("schema,run,pair,role,gold,status\n1,r,p,basic,yes,answered\n")
	f.Fuzz(func(t *testing.T, s string) {
		Decode(strings.NewReader(s), "fuzz", func(r *eh.Record) error {
			if err := r.Validate(); err != nil {
				t.Fatalf("decoder passed an invalid record: %v", err)
			}
			return nil
		})
	})
}

// TestDecodeSlimMatchesDecode: the slim decoder gives the same records as the
// full one, without their transcripts, in the same order, and the same first
// error with its line — also across the parallel decoder's batch boundaries.
func TestDecodeSlimMatchesDecode(t *testing.T) {
	b, _ := os.ReadFile("testdata/schema1.jsonl")
	var big bytes.Buffer
	for i := 0; i < 700; i++ { // several batches of the parallel decoder
		big.Write(b)
	}
	collect := func(dec func(io.Reader, string, Func) error, in string) ([]string, error) {
		var out []string
		err := dec(strings.NewReader(in), "mem", func(r *eh.Record) error {
			r.Steps = nil
			j, _ := json.Marshal(r)
			out = append(out, string(j))
			return nil
		})
		return out, err
	}
	full, err1 := collect(Decode, big.String())
	slim, err2 := collect(DecodeSlim, big.String())
	if err1 != nil || err2 != nil || len(full) != 2100 || strings.Join(full, "\n") != strings.Join(slim, "\n") {
		t.Fatalf("slim decoding differs: %d vs %d records, %v, %v", len(full), len(slim), err1, err2)
	}
	broken := big.String() + "{\"schema\":1,\"run\":\n" + string(b)
	_, err1 = collect(Decode, broken)
	_, err2 = collect(DecodeSlim, broken)
	if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
		t.Fatalf("errors differ:\n%v\n%v", err1, err2)
	}
}

func FuzzDecodeSlim(f *testing.F) {
	b, _ := os.ReadFile("testdata/schema1.jsonl")
	f.Add(string(b))
	f.Add(`{"schema":1,"steps":[{"name":"x","response":"\"steps\":"}],"run":"r"}` + "\n")
	f.Fuzz(func(t *testing.T, s string) {
		var full, slim []*eh.Record
		err1 := Decode(strings.NewReader(s), "fuzz", func(r *eh.Record) error { full = append(full, r); return nil })
		err2 := DecodeSlim(strings.NewReader(s), "fuzz", func(r *eh.Record) error { slim = append(slim, r); return nil })
		// The slim decoder does not look inside the "steps" member it skips, so it
		// may accept a record whose transcript is malformed; wherever the full
		// decoder accepts the input, both must agree.
		if err1 == nil && (err2 != nil || len(full) != len(slim)) {
			t.Fatalf("decoders disagree: %v / %v, %d / %d records", err1, err2, len(full), len(slim))
		}
		if err2 != nil && err1 == nil {
			t.Fatalf("slim decoder refused what the full decoder accepts: %v", err2)
		}
		for i := range slim {
			if err := slim[i].Validate(); err != nil {
				t.Fatalf("slim decoder passed an invalid record: %v", err)
			}
		}
	})
}

// Put buffers; Flush writes whole lines; Close writes what is left.
func TestAppenderFlush(t *testing.T) {
	b, _ := os.ReadFile("testdata/schema1.jsonl")
	src, err := Existing(writeTemp(t, b))
	if err != nil {
		t.Fatal(err)
	}
	r := src["k-theory-x/basic"]
	path := filepath.Join(t.TempDir(), FileName)
	app, err := OpenAppend(path)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		got, err := Existing(path)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if err := app.Put(r); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d records on disk before Flush", n)
	}
	if err := app.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d records after Flush, want 1", n)
	}
	r2 := *r
	r2.Pair = "other"
	if err := app.Put(&r2); err != nil {
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d records after Close, want 2", n)
	}
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// EachExisting streams every record in file order, repeats included, without
// transcripts; Existing keeps the last of each question.
func TestEachExisting(t *testing.T) {
	b, _ := os.ReadFile("testdata/schema1.jsonl")
	path := writeTemp(t, append(append([]byte{}, b...), b...)) // every question twice
	var keys []string
	err := EachExisting(path, func(r *eh.Record) error {
		if len(r.Steps) != 0 {
			t.Errorf("%s: transcript kept", r.Key())
		}
		keys = append(keys, r.Key())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	last, err := Existing(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2*len(last) || keys[0] != keys[len(last)] {
		t.Fatalf("streamed %v; want each of the %d questions twice, in file order", keys, len(last))
	}
	if err := EachExisting(filepath.Join(t.TempDir(), "none.jsonl"), func(*eh.Record) error { return nil }); err != nil {
		t.Fatalf("missing file: %v", err)
	}
}
