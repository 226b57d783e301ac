package prep

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/internal/fakeapi"
)

// Media checked when the suite was read may change before it is sent. At send
// time a file must still be the regular file inside the suite folder with the
// suite's digest; anything else is an EINVALID error for the question and no
// bytes are returned to put in a request.
func TestMediaCheckedAtSendTime(t *testing.T) {
	img := fakeapi.PNG(40, 30)
	sum := sha256.Sum256(img)
	digest := hex.EncodeToString(sum[:])
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.png"), img, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// swap changes the suite folder after validation; rel is the media path.
		swap func(t *testing.T, dir string)
		want string // "" for success
	}{
		// The file as it was checked is read.
		{"ok", func(*testing.T, string) {}, ""},
		// Swapped for a link to a file outside the suite, even one with the
		// same bytes.
		{"symlink outside", func(t *testing.T, dir string) {
			replace(t, filepath.Join(dir, "media", "a.png"), func(p string) error { return os.Symlink(filepath.Join(outside, "secret.png"), p) })
		}, "symbolic link"},
		// Swapped for a link to another file inside the suite.
		{"symlink inside", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "media", "b.png"), img, 0o644)
			replace(t, filepath.Join(dir, "media", "a.png"), func(p string) error { return os.Symlink("b.png", p) })
		}, "symbolic link"},
		// A parent folder swapped for a link leading outside.
		{"parent symlink", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(outside, "media"), 0o755)
			os.WriteFile(filepath.Join(outside, "media", "a.png"), img, 0o644)
			os.RemoveAll(filepath.Join(dir, "media"))
			if err := os.Symlink(filepath.Join(outside, "media"), filepath.Join(dir, "media")); err != nil {
				t.Fatal(err)
			}
		}, "escapes"},
		// Same path, other bytes.
		{"content changed", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "media", "a.png"), fakeapi.PNG(41, 30), 0o644)
		}, "changed since the suite was checked"},
		// A FIFO would block a plain open forever.
		{"fifo", func(t *testing.T, dir string) {
			replace(t, filepath.Join(dir, "media", "a.png"), func(p string) error { return syscall.Mkfifo(p, 0o644) })
		}, "not a regular file"},
		// A directory in the file's place.
		{"directory", func(t *testing.T, dir string) {
			replace(t, filepath.Join(dir, "media", "a.png"), func(p string) error { return os.Mkdir(p, 0o755) })
		}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "media"), 0o755)
			if err := os.WriteFile(filepath.Join(dir, "media", "a.png"), img, 0o644); err != nil {
				t.Fatal(err)
			}
			mf := &emohallucer.MediaFile{Kind: emohallucer.Image, MIME: "image/png", SHA256: digest, Path: filepath.Join(dir, "media", "a.png"), Dir: dir}
			tt.swap(t, dir)
			p := &Preparer{MaxImageSide: 1024}
			b, err := p.Image(mf)
			_, rerr := p.Raw(mf)
			_, _, ferr := p.Frames(context.Background(), mf, 2, true)
			if tt.want == "" {
				if err != nil || rerr != nil || len(b.Data) == 0 {
					t.Fatalf("Image: %v, Raw: %v", err, rerr)
				}
				return
			}
			for what, err := range map[string]error{"Image": err, "Raw": rerr, "Frames": ferr} {
				if emohallucer.ErrorCode(err) != emohallucer.EINVALID || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: %v, want EINVALID with %q", what, err, tt.want)
				}
			}
		})
	}
}

// Without the suite folder (callers that build a MediaFile by hand) the final
// component still must not be a link, and the digest is still checked.
func TestMediaWithoutDir(t *testing.T) {
	dir := t.TempDir()
	img := fakeapi.PNG(10, 10)
	sum := sha256.Sum256(img)
	os.WriteFile(filepath.Join(dir, "a.png"), img, 0o644)
	os.Symlink("a.png", filepath.Join(dir, "l.png"))
	p := &Preparer{MaxImageSide: 1024}
	if _, err := p.Image(&emohallucer.MediaFile{Kind: emohallucer.Image, SHA256: hex.EncodeToString(sum[:]), Path: filepath.Join(dir, "a.png")}); err != nil {
		t.Errorf("plain file: %v", err)
	}
	// A new Preparer: the first keeps the checked bytes by digest.
	p = &Preparer{MaxImageSide: 1024}
	if _, err := p.Image(&emohallucer.MediaFile{Kind: emohallucer.Image, SHA256: hex.EncodeToString(sum[:]), Path: filepath.Join(dir, "l.png")}); emohallucer.ErrorCode(err) != emohallucer.EINVALID {
		t.Errorf("link: %v", err)
	}
}

// replace removes path and creates something else there with mk.
func replace(t *testing.T, path string, mk func(string) error) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := mk(path); err != nil {
		t.Fatal(err)
	}
}
