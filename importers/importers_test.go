package importers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/suite"
)

func TestOutputCopy(t *testing.T) {
	in := t.TempDir()
	a, b := filepath.Join(in, "a.wav"), filepath.Join(in, "b.wav")
	os.WriteFile(a, []byte("first file"), 0o644)
	os.WriteFile(b, []byte("second file"), 0o644)
	root := t.TempDir()
	o := NewOutput(root, nil)

	m, err := o.Copy(a, "ds/x.wav", eh.Audio, "")
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := suite.FileSHA256(a)
	if m.Path != "media/ds/x.wav" || m.SHA256 != sum || m.Kind != eh.Audio {
		t.Errorf("Copy = %+v", m)
	}
	if again, err := o.Copy(a, "ds/x.wav", eh.Audio, ""); err != nil || again != m {
		t.Errorf("copying the same file again = %+v, %v", again, err)
	}
	// Another file under the same name is refused rather than silently merged.
	if _, err := o.Copy(b, "ds/x.wav", eh.Audio, ""); eh.ErrorCode(err) != eh.EINVALID {
		t.Errorf("name collision: %v, want EINVALID", err)
	}
	// A digest that differs from the dataset's manifest leaves nothing behind.
	_, err = o.Copy(b, "ds/y.wav", eh.Audio, strings.Repeat("0", 64))
	if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), "differs from the dataset manifest") {
		t.Errorf("digest mismatch: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "media", "ds", "y.wav")); err == nil {
		t.Error("a file with the wrong digest was left in the suite")
	}
	if _, err := o.Copy(a, "../escape.wav", eh.Audio, ""); err == nil {
		t.Error("a media path outside media/ was accepted")
	}
	if n, size := o.Files(); n != 1 || size != int64(len("first file")) {
		t.Errorf("Files = %d, %d", n, size)
	}
}

func TestReadTable(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "t.csv")
	os.WriteFile(name, []byte("\ufeffa, b\n1,\"x, y\"\n\n2,z\n"), 0o644)
	rows, err := ReadTable(name, ',')
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Get("a") != "1" || rows[0].Get("b") != "x, y" || rows[1].Line != 4 {
		t.Errorf("rows %+v", rows)
	}
	os.WriteFile(name, []byte("a,b\n1,2,3\n"), 0o644)
	if _, err := ReadTable(name, ','); err == nil || !strings.Contains(err.Error(), "t.csv:2") {
		t.Errorf("short row: %v, want an error naming line 2", err)
	}
}
