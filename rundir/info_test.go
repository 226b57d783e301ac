package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestReadInfo decodes run.json of every schema this version knows and
// refuses newer ones.
func TestReadInfo(t *testing.T) {
	tests := []struct {
		name, json string
		code       string // "" for success
		model      string
	}{
		// A run.json written before schema numbers existed reads as version 1.
		{"OKNoSchema", `{"run":"r","model":"m","requests":{"attempts":3}}`, "", "m"},
		// The current version.
		{"OKSchema1", `{"schema":1,"run":"r","model":"m2","requests":{}}`, "", "m2"},
		// A newer version is refused, not half read.
		{"ErrNewer", `{"schema":99,"run":"r","model":"m"}`, eh.EINVALID, ""},
		// Not JSON.
		{"ErrGarbage", `{"schema":`, eh.EINVALID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, InfoFile), []byte(tt.json), 0o644)
			info, err := ReadInfo(dir)
			if tt.code != "" {
				if eh.ErrorCode(err) != tt.code {
					t.Fatalf("error %v, want code %s", err, tt.code)
				}
				return
			}
			if err != nil || info.Model != tt.model || info.Schema != 1 {
				t.Fatalf("info %+v, err %v", info, err)
			}
		})
	}
	if info, err := ReadInfo(t.TempDir()); info != nil || err != nil {
		t.Fatalf("a folder without run.json: %v %v", info, err)
	}
}

// TestWriteInfoRoundTrip: what WriteInfo writes, ReadInfo reads, with the
// identity's credentials removed.
func TestWriteInfoRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	in := &Info{Run: "r", Model: "m", Identity: "openai|http://user:secret@host/v1|m", Result: &Result{Answered: 4}}
	if err := WriteInfo(dir, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadInfo(dir)
	if err != nil || out.Result.Answered != 4 || out.Schema != InfoSchema || strings.Contains(out.Identity, "secret") {
		t.Fatalf("read back %+v, %v", out, err)
	}
}

// TestWriteFailures: a write that the file system refuses is an EIO error
// naming the path, and leaves no temporary file behind (it once left a
// 0-byte .run.json.tmp and reported "a bug").
func TestWriteFailures(t *testing.T) {
	tmp := t.TempDir()
	notDir := filepath.Join(tmp, "file")
	os.WriteFile(notDir, []byte("x"), 0o644)
	tests := []struct {
		name string
		dir  string
	}{
		// A file where the run folder should be.
		{"ErrFileAsFolder", filepath.Join(notDir, "run")},
		// run.json is a folder.
		{"ErrFolderAsFile", func() string {
			d := filepath.Join(tmp, "dirinfo")
			os.MkdirAll(filepath.Join(d, InfoFile), 0o755)
			return d
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteInfo(tt.dir, &Info{Run: "r"})
			if eh.ErrorCode(err) != eh.EIO || !strings.Contains(err.Error(), tt.dir) {
				t.Fatalf("error %v (code %s), want EIO naming %s", err, eh.ErrorCode(err), tt.dir)
			}
			leftovers(t, tt.dir)
		})
	}
}

// leftovers fails when dir holds a temporary file.
func leftovers(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}
