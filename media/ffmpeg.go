// Package media wraps the system ffmpeg and ffprobe programs (called through
// os/exec, never linked) and checks media files with pure Go decoders: probing
// duration and size, converting video to MP4 (H.264/AAC), extracting evenly
// spaced frames and the audio track, and detecting corrupt or truncated images,
// WAV, MP3 and video files before they enter a suite.
package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// InstallHint tells users how to get ffmpeg; errors about a missing binary carry it.
const InstallHint = "install ffmpeg (it provides ffprobe too): `apt-get install -y --no-install-recommends ffmpeg` on Debian/Ubuntu, `brew install ffmpeg` on macOS, or put the binaries on PATH / set FFMPEG and FFPROBE to their paths"

// Tools locates ffmpeg and ffprobe. The zero value is not usable; call Find.
type Tools struct {
	FFmpeg  string // path of the ffmpeg binary, "" when not found
	FFprobe string // path of the ffprobe binary, "" when not found
}

// Find looks for the binaries in $FFMPEG / $FFPROBE, then on PATH. It never
// fails: a missing binary is reported by Require when something needs it, so
// that builds which never touch video work without ffmpeg.
func Find() *Tools {
	look := func(env, name string) string {
		if p := os.Getenv(env); p != "" {
			return p
		}
		p, err := exec.LookPath(name)
		if err != nil {
			return ""
		}
		return p
	}
	return &Tools{FFmpeg: look("FFMPEG", "ffmpeg"), FFprobe: look("FFPROBE", "ffprobe")}
}

// Require returns an ENOTFOUND error with an install hint when ffmpeg or
// ffprobe is missing; why says what needed them.
func (t *Tools) Require(why string) error {
	var missing []string
	if t == nil || t.FFmpeg == "" {
		missing = append(missing, "ffmpeg")
	}
	if t == nil || t.FFprobe == "" {
		missing = append(missing, "ffprobe")
	}
	if len(missing) == 0 {
		return nil
	}
	return &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s needs %s, which was not found on PATH", why, strings.Join(missing, " and ")), Hint: InstallHint}
}

// Version returns the first line of `ffmpeg -version` ("ffmpeg version 5.1.9…").
// Builds record it because converted MP4 bytes depend on the encoder version.
func (t *Tools) Version(ctx context.Context) (string, error) {
	if err := t.Require("reading the ffmpeg version"); err != nil {
		return "", err
	}
	out, err := run(ctx, t.FFmpeg, "-version")
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(out), "\n")
	// Drop the copyright years, which say nothing about the build.
	line, _, _ = strings.Cut(line, " Copyright")
	return strings.TrimSpace(line), nil
}

// Info is what Probe learns about a media file.
type Info struct {
	Format   string  `json:"format"`   // container, e.g. "flv", "mov,mp4,m4a,3gp,3g2,mj2", "wav"
	Duration float64 `json:"duration"` // seconds; 0 for still images
	Size     int64   `json:"size"`     // bytes
	Width    int     `json:"width,omitempty"`
	Height   int     `json:"height,omitempty"`
	Video    string  `json:"video,omitempty"` // video codec, "" when there is no video stream
	Audio    string  `json:"audio,omitempty"` // audio codec, "" when there is no audio stream
}

// Probe runs ffprobe on path.
func (t *Tools) Probe(ctx context.Context, path string) (Info, error) {
	if err := t.Require("probing " + path); err != nil {
		return Info{}, err
	}
	out, err := run(ctx, t.FFprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path)
	if err != nil {
		return Info{}, fmt.Errorf("probe %s: %w", path, err)
	}
	var raw struct {
		Streams []struct {
			CodecType   string `json:"codec_type"`
			CodecName   string `json:"codec_name"`
			Width       int    `json:"width"`
			Height      int    `json:"height"`
			Disposition struct {
				AttachedPic int `json:"attached_pic"`
			} `json:"disposition"`
		} `json:"streams"`
		Format struct {
			FormatName string `json:"format_name"`
			Duration   string `json:"duration"`
			Size       string `json:"size"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		return Info{}, fmt.Errorf("probe %s: read ffprobe output: %w", path, err)
	}
	info := Info{Format: raw.Format.FormatName}
	info.Duration, _ = strconv.ParseFloat(raw.Format.Duration, 64)
	info.Size, _ = strconv.ParseInt(raw.Format.Size, 10, 64)
	for _, s := range raw.Streams {
		switch s.CodecType {
		case "video":
			// Cover art in an MP3 shows up as a one-frame video stream.
			if info.Video == "" && s.Disposition.AttachedPic == 0 {
				info.Video, info.Width, info.Height = s.CodecName, s.Width, s.Height
			}
		case "audio":
			if info.Audio == "" {
				info.Audio = s.CodecName
			}
		}
	}
	return info, nil
}

// ConvertMP4 transcodes a video to MP4 with H.264 video (yuv420p, so every
// player and API accepts it) and AAC audio, writing out. The encoders run
// single-threaded with bit-exact flags and no metadata so that the same input
// gives the same bytes on every run with the same ffmpeg build.
func (t *Tools) ConvertMP4(ctx context.Context, in, out string) error {
	if err := t.Require("converting " + in + " to MP4"); err != nil {
		return err
	}
	args := []string{"-nostdin", "-v", "error", "-i", in,
		"-map", "0:v:0", "-map", "0:a:0?",
		"-c:v", "libx264", "-preset", "medium", "-crf", "23", "-pix_fmt", "yuv420p",
		// Odd frame sizes are not allowed in yuv420p.
		"-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2",
		"-c:a", "aac", "-b:a", "128k",
		"-threads", "1",
		"-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
		"-map_metadata", "-1", "-movflags", "+faststart",
		"-f", "mp4", "-y", out}
	if _, err := run(ctx, t.FFmpeg, args...); err != nil {
		os.Remove(out)
		return fmt.Errorf("convert %s to MP4: %w", in, err)
	}
	return nil
}

// ExtractFrames writes n frames, evenly spaced over the video's duration (the
// middle of n equal slices, so neither the black first frame nor the last is
// taken), as PNG files frame-01.png … into dir. It returns their paths in time
// order. Image-only models get these instead of the video.
func (t *Tools) ExtractFrames(ctx context.Context, in string, n int, dir string) ([]string, error) {
	if n <= 0 {
		return nil, eh.Errorf(eh.EINVALID, "frame count must be positive, not %d", n)
	}
	info, err := t.Probe(ctx, in)
	if err != nil {
		return nil, err
	}
	if info.Video == "" {
		return nil, eh.Errorf(eh.EINVALID, "%s has no video stream to take frames from", in)
	}
	if info.Duration <= 0 {
		return nil, eh.Errorf(eh.EINVALID, "%s: unknown duration, cannot space frames", in)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for i := 0; i < n; i++ {
		at := info.Duration * (float64(i) + 0.5) / float64(n)
		out := filepath.Join(dir, fmt.Sprintf("frame-%02d.png", i+1))
		// -ss before -i seeks by keyframe then decodes up to the exact time.
		_, err := run(ctx, t.FFmpeg, "-nostdin", "-v", "error", "-ss", strconv.FormatFloat(at, 'f', 3, 64), "-i", in,
			"-frames:v", "1", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-y", out)
		if err != nil {
			return paths, fmt.Errorf("extract frame %d of %s: %w", i+1, in, err)
		}
		if _, err := os.Stat(out); err != nil {
			return paths, fmt.Errorf("extract frame %d of %s at %.3fs: ffmpeg wrote no frame", i+1, in, at)
		}
		paths = append(paths, out)
	}
	return paths, nil
}

// ExtractAudio writes the audio track of in as a 16 kHz mono 16-bit WAV file,
// the format speech models expect.
func (t *Tools) ExtractAudio(ctx context.Context, in, out string) error {
	if err := t.Require("extracting the audio track of " + in); err != nil {
		return err
	}
	_, err := run(ctx, t.FFmpeg, "-nostdin", "-v", "error", "-i", in, "-vn", "-map", "0:a:0",
		"-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", "-map_metadata", "-1",
		"-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "wav", "-y", out)
	if err != nil {
		os.Remove(out)
		return fmt.Errorf("extract audio of %s: %w", in, err)
	}
	return nil
}

// run executes a program and returns its standard output; on failure the
// error carries the tail of standard error, which is where ffmpeg explains.
func run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, prog, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, &eh.Error{Code: eh.ECANCELED, Message: "interrupted", Err: ctx.Err()}
		}
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 600 {
			msg = "…" + msg[len(msg)-600:]
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && msg != "" {
			return nil, fmt.Errorf("%s exited with status %d: %s", filepath.Base(prog), ee.ExitCode(), msg)
		}
		return nil, fmt.Errorf("%s: %w", filepath.Base(prog), err)
	}
	return stdout.Bytes(), nil
}
