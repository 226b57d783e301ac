package prep

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/emohallucer/emohallucer/media"
)

// The ffmpeg work is done by package media; these helpers adapt its file-based
// calls to the in-memory blobs requests need, through a temporary directory that is
// always removed.

var (
	toolsOnce sync.Once
	tools     *media.Tools
)

func ffmpeg() *media.Tools {
	toolsOnce.Do(func() { tools = media.Find() })
	return tools
}

// HasAudio reports whether a media file has an audio stream.
func HasAudio(ctx context.Context, path string) (bool, error) {
	info, err := ffmpeg().Probe(ctx, path)
	if err != nil {
		return false, err
	}
	return info.Audio != "", nil
}

// ExtractWAV returns the first audio track of a file as 16 kHz mono 16-bit WAV,
// the format every audio-capable API takes.
func ExtractWAV(ctx context.Context, path string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "emohallucer-audio-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "audio.wav")
	if err := ffmpeg().ExtractAudio(ctx, path, out); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	if len(b) <= 44 {
		return nil, errors.New("no audio samples")
	}
	return b, nil
}

// ExtractFrames returns n frames taken at the middles of n equal slices of the
// video, as JPEG with the longest side at most maxSide.
func ExtractFrames(ctx context.Context, path string, n, maxSide int) ([][]byte, error) {
	dir, err := os.MkdirTemp("", "emohallucer-frames-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	paths, err := ffmpeg().ExtractFrames(ctx, path, n, dir)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(paths))
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		b, err := scaleImage(raw, maxSide, true)
		if err != nil {
			return nil, err
		}
		out = append(out, b.Data)
	}
	return out, nil
}
