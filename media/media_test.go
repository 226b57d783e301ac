package media

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// data returns a file of the shared data folder, skipping when the folder is absent.
func data(t *testing.T, rel string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(file))), "shared", "data")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("shared data folder %s is absent (%v); these tests use real media from it", root, err)
	}
	p := filepath.Join(root, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared data is there but %v", err)
	}
	return p
}

func tools(t *testing.T) *Tools {
	t.Helper()
	tl := Find()
	if err := tl.Require("this test"); err != nil {
		t.Skipf("%v; %s", err, InstallHint)
	}
	return tl
}

// truncated writes the first frac of src's bytes to a temp file with the same name.
func truncated(t *testing.T, src string, frac float64) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(out, b[:int(float64(len(b))*frac)], 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func write(t *testing.T, name string, b []byte) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerify(t *testing.T) {
	tl := tools(t)
	wavFile := data(t, "ravdess/speech/03-01-05-02-01-01-15.wav")
	mp3File := data(t, "cremad/audio_mp3/1002_DFA_ANG_XX.mp3")
	flvFile := data(t, "cremad/video/1001_DFA_ANG_XX.flv")
	pngFile := data(t, "faces/ferplus/images/anger/fer0032285.png")
	tests := []struct {
		name string
		path string
		want string // "" for no error, else a substring of the error
	}{
		// OK: the real files are complete.
		{"wav", wavFile, ""},
		{"mp3", mp3File, ""},
		{"flv", flvFile, ""},
		{"png", pngFile, ""},
		// Truncated files are caught by each format's own check.
		{"truncated wav", truncated(t, wavFile, 0.6), "header declares"},
		{"truncated mp3", truncated(t, mp3File, 0.5), "last MP3 frame"},
		{"truncated flv", truncated(t, flvFile, 0.55), "streams end at"},
		{"truncated png", truncated(t, pngFile, 0.5), "image does not decode"},
		// Garbage and empty files.
		{"empty", write(t, "empty.wav", nil), "empty file"},
		{"text as wav", write(t, "notes.wav", []byte("this is not audio at all, only text")), "not a valid RIFF"},
		{"text as mp3", write(t, "notes.mp3", bytes.Repeat([]byte("x"), 500)), "no MP3 frame"},
		{"text as mp4", write(t, "notes.mp4", bytes.Repeat([]byte("x"), 500)), "corrupt"},
		{"unsupported", write(t, "notes.txt", []byte("x")), "unsupported media type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tl.Verify(context.Background(), tt.path)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify = %v, want an error containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the file", err)
			}
			if !IsCorrupt(err) {
				t.Errorf("IsCorrupt(%v) = false", err)
			}
		})
	}
}

func TestReadWAV(t *testing.T) {
	info, err := ReadWAV(data(t, "ravdess/speech/03-01-01-01-01-01-01.wav"))
	if err != nil {
		t.Fatal(err)
	}
	// manifest.csv: 48 kHz mono 16-bit, 3.303 s.
	if info.SampleRate != 48000 || info.Channels != 1 || info.Bits != 16 || info.Duration < 3.29 || info.Duration > 3.32 {
		t.Errorf("ReadWAV = %+v, want 48000 Hz mono 16-bit ≈3.303 s", info)
	}
}

func TestProbe(t *testing.T) {
	tl := tools(t)
	info, err := tl.Probe(context.Background(), data(t, "cremad/video/1001_DFA_ANG_XX.flv"))
	if err != nil {
		t.Fatal(err)
	}
	// SOURCE.md: VP6 480×360 with MP3 audio, 2.235 s.
	if info.Video != "vp6f" || info.Audio != "mp3" || info.Width != 480 || info.Height != 360 || info.Duration < 2.2 || info.Duration > 2.3 || info.Size != 265922 {
		t.Errorf("Probe = %+v", info)
	}
	if _, err := tl.Probe(context.Background(), filepath.Join(t.TempDir(), "missing.flv")); err == nil {
		t.Error("Probe of a missing file succeeded")
	}
}

func TestConvertExtract(t *testing.T) {
	tl := tools(t)
	ctx := context.Background()
	src := data(t, "cremad/video/1001_DFA_HAP_XX.flv")
	dir := t.TempDir()
	var sums [2][]byte
	for i := range sums {
		out := filepath.Join(dir, "clip"+string(rune('a'+i))+".mp4")
		if err := tl.ConvertMP4(ctx, src, out); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = b
		info, err := tl.Probe(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		if info.Video != "h264" || info.Audio != "aac" || info.Width != 480 || info.Height != 360 || info.Duration < 1.7 || info.Duration > 2.1 {
			t.Errorf("converted clip: %+v, want h264/aac 480×360 ≈1.87 s", info)
		}
	}
	if !bytes.Equal(sums[0], sums[1]) {
		t.Error("two conversions of the same clip differ; builds would not be reproducible")
	}

	frames, err := tl.ExtractFrames(ctx, filepath.Join(dir, "clipa.mp4"), 4, filepath.Join(dir, "frames"))
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 4 {
		t.Fatalf("got %d frames, want 4", len(frames))
	}
	for _, f := range frames {
		w, h, err := ImageSize(f)
		if err != nil || w != 480 || h != 360 {
			t.Errorf("frame %s: %d×%d, %v", f, w, h, err)
		}
	}
	wavOut := filepath.Join(dir, "track.wav")
	if err := tl.ExtractAudio(ctx, src, wavOut); err != nil {
		t.Fatal(err)
	}
	info, err := ReadWAV(wavOut)
	if err != nil {
		t.Fatal(err)
	}
	if info.SampleRate != 16000 || info.Channels != 1 || info.Duration < 1.5 {
		t.Errorf("audio track: %+v, want 16 kHz mono ≈1.87 s", info)
	}
	if _, err := tl.ExtractFrames(ctx, wavOut, 2, dir); err == nil {
		t.Error("ExtractFrames on audio succeeded")
	}
}

func TestMissingFFmpeg(t *testing.T) {
	var none Tools
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"probe":   func() error { _, err := none.Probe(ctx, "x.flv"); return err },
		"convert": func() error { return none.ConvertMP4(ctx, "x.flv", "x.mp4") },
		"frames":  func() error { _, err := none.ExtractFrames(ctx, "x.mp4", 2, t.TempDir()); return err },
		"audio":   func() error { return none.ExtractAudio(ctx, "x.mp4", "x.wav") },
	} {
		err := call()
		if eh.ErrorCode(err) != eh.ENOTFOUND || !strings.Contains(eh.ErrorHint(err), "apt-get install") {
			t.Errorf("%s without ffmpeg: %v (hint %q), want ENOTFOUND with an install hint", name, err, eh.ErrorHint(err))
		}
	}
	// Images, WAV and MP3 are checked without ffmpeg.
	if err := none.Verify(ctx, data(t, "faces/ferplus/images/anger/fer0032285.png")); err != nil {
		t.Errorf("Verify of a PNG needs no ffmpeg: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv("FFMPEG", "")
	t.Setenv("FFPROBE", "")
	if err := Find().Require("converting video"); err == nil || !strings.Contains(err.Error(), "ffmpeg") {
		t.Errorf("Require with an empty PATH = %v", err)
	}
}

func TestKind(t *testing.T) {
	for p, want := range map[string]eh.Modality{"a.PNG": eh.Image, "b.wav": eh.Audio, "c.flv": eh.ShortVideo, "d.txt": ""} {
		if got := Kind(p); got != want {
			t.Errorf("Kind(%s) = %q, want %q", p, got, want)
		}
	}
}

func TestUpscale(t *testing.T) {
	face := data(t, "faces/ferplus/images/happiness/fer0032227.png")
	b, mime, err := Upscale(face, 224)
	if err != nil {
		t.Fatal(err)
	}
	out := write(t, "up.png", b)
	w, h, err := ImageSize(out)
	if mime != "image/png" || err != nil || w != 224 || h != 224 {
		t.Errorf("Upscale 48×48 to 224: %s %d×%d %v", mime, w, h, err)
	}
	orig, _ := os.ReadFile(face)
	b, mime, err = Upscale(face, 32)
	if err != nil || mime != "image/png" || !bytes.Equal(b, orig) {
		t.Errorf("an image already large enough must come back unchanged (%s, %v)", mime, err)
	}
	if _, _, err := Upscale(truncated(t, face, 0.1), 224); !IsCorrupt(err) {
		t.Errorf("Upscale of a cut image: %v", err)
	}
}
