package prep

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers WebP decoding for image.Decode

	"github.com/emohallucer/emohallucer"
)

// Blob is media bytes ready to put in a request.
type Blob struct {
	MIME string
	Data []byte
	// Format is the short audio format name APIs ask for ("wav", "mp3").
	Format string
}

// Base64 returns the data base64-encoded (standard alphabet, padded).
func (b Blob) Base64() string { return base64.StdEncoding.EncodeToString(b.Data) }

// DataURI returns the data as a data: URI, the form OpenAI-style APIs take.
func (b Blob) DataURI() string { return "data:" + b.MIME + ";base64," + b.Base64() }

// Preparer turns media files into Blobs for one model's limits. It keeps recently
// prepared blobs, because the two questions of a pair (and every step of a
// multi-call strategy) send the same file; safe for concurrent use.
type Preparer struct {
	MaxImageSide int
	// MaxBytes bounds a single blob; 0 means DefaultMaxInlineBytes.
	MaxBytes int64

	mu    sync.Mutex
	cache map[string][]Blob
	order []string
	size  int64
}

// cacheBytes bounds the memory the Preparer keeps.
const cacheBytes = 128 << 20

func (p *Preparer) cached(key string) ([]Blob, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.cache[key]
	return b, ok
}

func (p *Preparer) keep(key string, bs []Blob) {
	var n int64
	for _, b := range bs {
		n += int64(len(b.Data))
	}
	if n > cacheBytes/4 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cache == nil {
		p.cache = map[string][]Blob{}
	}
	if _, ok := p.cache[key]; ok {
		return
	}
	for p.size+n > cacheBytes && len(p.order) > 0 {
		old := p.order[0]
		p.order = p.order[1:]
		for _, b := range p.cache[old] {
			p.size -= int64(len(b.Data))
		}
		delete(p.cache, old)
	}
	p.cache[key] = bs
	p.order = append(p.order, key)
	p.size += n
}

func (p *Preparer) maxBytes() int64 {
	if p.MaxBytes > 0 {
		return p.MaxBytes
	}
	return DefaultMaxInlineBytes
}

func mediaKey(mf *emohallucer.MediaFile, what string) string {
	id := mf.SHA256
	if id == "" {
		id = mf.Path
	}
	return id + "|" + what
}

// mediaError is a permanent error about a media file: retrying cannot fix it.
func mediaError(mf *emohallucer.MediaFile, format string, args ...any) error {
	return emohallucer.Errorf(emohallucer.EINVALID, "media %s: %s", filepath.Base(mf.Path), fmt.Sprintf(format, args...))
}

// read returns the checked bytes of mf (readMedia). Images and audio are
// re-encoded below the limit; the read bound is looser so that a large photo can
// still be downscaled.
func (p *Preparer) read(mf *emohallucer.MediaFile) ([]byte, error) {
	return readMedia(mf, 4*p.maxBytes())
}

// Image returns the image downscaled so that its longest side is at most
// MaxImageSide. JPEG and PNG files already small enough are sent unchanged; other
// formats (WebP, GIF) and downscaled images are re-encoded, JPEG for photographs
// and PNG when the source was PNG (it may carry transparency or line art).
func (p *Preparer) Image(mf *emohallucer.MediaFile) (Blob, error) {
	key := mediaKey(mf, fmt.Sprintf("image/%d", p.MaxImageSide))
	if b, ok := p.cached(key); ok {
		return b[0], nil
	}
	raw, err := p.read(mf)
	if err != nil {
		return Blob{}, err
	}
	b, err := ScaleImage(raw, p.MaxImageSide)
	if err != nil {
		return Blob{}, mediaError(mf, "%v", err)
	}
	if int64(len(b.Data)) > p.maxBytes() {
		return Blob{}, mediaError(mf, "image is %d bytes after downscaling, more than %d", len(b.Data), p.maxBytes())
	}
	p.keep(key, []Blob{b})
	return b, nil
}

// ScaleImage decodes an image and returns it with its longest side at most
// maxSide, re-encoded only when needed.
func ScaleImage(raw []byte, maxSide int) (Blob, error) { return scaleImage(raw, maxSide, false) }

// scaleImage is ScaleImage; forceJPEG re-encodes everything as JPEG (video frames,
// where PNG would be several times larger for no visible gain).
func scaleImage(raw []byte, maxSide int, forceJPEG bool) (Blob, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return Blob{}, fmt.Errorf("not a readable image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Blob{}, fmt.Errorf("image has no pixels (%dx%d)", cfg.Width, cfg.Height)
	}
	// Refuse decompression bombs before allocating the pixels.
	if int64(cfg.Width)*int64(cfg.Height) > 100_000_000 {
		return Blob{}, fmt.Errorf("image is %dx%d, too large to decode", cfg.Width, cfg.Height)
	}
	small := cfg.Width <= maxSide && cfg.Height <= maxSide
	if small && (format == "jpeg" || format == "png" && !forceJPEG) {
		return Blob{MIME: "image/" + format, Data: raw}, nil
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return Blob{}, fmt.Errorf("decoding %s image: %w", format, err)
	}
	if !small {
		w, h := cfg.Width, cfg.Height
		if w >= h {
			h, w = max(1, h*maxSide/w), maxSide
		} else {
			w, h = max(1, w*maxSide/h), maxSide
		}
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
		img = dst
	}
	var buf bytes.Buffer
	if (format == "png" || format == "gif") && !forceJPEG {
		if err := png.Encode(&buf, img); err != nil {
			return Blob{}, err
		}
		return Blob{MIME: "image/png", Data: buf.Bytes()}, nil
	}
	if err := jpeg.Encode(&buf, flatten(img), &jpeg.Options{Quality: 90}); err != nil {
		return Blob{}, err
	}
	return Blob{MIME: "image/jpeg", Data: buf.Bytes()}, nil
}

// flatten draws img over white so that transparent WebP pixels do not turn black
// in JPEG.
func flatten(img image.Image) image.Image {
	if _, ok := img.(*image.YCbCr); ok {
		return img
	}
	dst := image.NewRGBA(img.Bounds())
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, img.Bounds().Min, draw.Over)
	return dst
}

var _ = gif.Decode // GIF decoding is registered by importing image/gif.

// audioFormats maps MIME types and extensions to the short names APIs use.
func audioFormat(mf *emohallucer.MediaFile) string {
	m := strings.ToLower(mf.MIME)
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(mf.Path), "."))
	switch {
	case strings.Contains(m, "wav") || ext == "wav":
		return "wav"
	case m == "audio/mpeg" || m == "audio/mp3" || ext == "mp3":
		return "mp3"
	case strings.Contains(m, "flac") || ext == "flac":
		return "flac"
	case strings.Contains(m, "ogg") || ext == "ogg" || ext == "oga" || ext == "opus":
		return "ogg"
	case strings.Contains(m, "aac") || ext == "aac" || ext == "m4a":
		return "aac"
	case strings.Contains(m, "aiff") || ext == "aiff" || ext == "aif":
		return "aiff"
	}
	return ext
}

var audioMIME = map[string]string{
	"wav": "audio/wav", "mp3": "audio/mp3", "flac": "audio/flac", "ogg": "audio/ogg",
	"aac": "audio/aac", "aiff": "audio/aiff",
}

// Audio returns the audio file in one of the accepted formats ("wav", "mp3", …),
// unchanged when its format is accepted and converted to 16 kHz mono WAV with
// ffmpeg otherwise. Video files give their audio track.
func (p *Preparer) Audio(ctx context.Context, mf *emohallucer.MediaFile, accepted ...string) (Blob, error) {
	f := audioFormat(mf)
	if mf.Kind == emohallucer.Audio && slices.Contains(accepted, f) {
		key := mediaKey(mf, "audio/raw")
		if b, ok := p.cached(key); ok {
			return b[0], nil
		}
		raw, err := p.read(mf)
		if err != nil {
			return Blob{}, err
		}
		if int64(len(raw)) > p.maxBytes() {
			return Blob{}, mediaError(mf, "audio is %d bytes, more than %d", len(raw), p.maxBytes())
		}
		b := Blob{MIME: audioMIME[f], Data: raw, Format: f}
		p.keep(key, []Blob{b})
		return b, nil
	}
	if b, ok := p.cached(mediaKey(mf, "audio/wav16k")); ok {
		return b[0], nil
	}
	var b Blob
	err := withCopy(mf, func(path string) error {
		var err error
		b, err = p.wav(ctx, mf, path)
		return err
	})
	return b, err
}

// wav converts the audio of path, a checked copy of mf, to 16 kHz mono WAV
// and keeps the result.
func (p *Preparer) wav(ctx context.Context, mf *emohallucer.MediaFile, path string) (Blob, error) {
	wav, err := ExtractWAV(ctx, path)
	if err != nil {
		return Blob{}, mediaError(mf, "%v", err)
	}
	if int64(len(wav)) > p.maxBytes() {
		return Blob{}, mediaError(mf, "audio is %d bytes as WAV, more than %d", len(wav), p.maxBytes())
	}
	b := Blob{MIME: "audio/wav", Data: wav, Format: "wav"}
	p.keep(mediaKey(mf, "audio/wav16k"), []Blob{b})
	return b, nil
}

// Raw returns the file as it is, for APIs that take the original (Gemini inline
// video, vLLM video_url).
func (p *Preparer) Raw(mf *emohallucer.MediaFile) (Blob, error) {
	raw, err := p.read(mf)
	if err != nil {
		return Blob{}, err
	}
	if int64(len(raw)) > p.maxBytes() {
		return Blob{}, mediaError(mf, "file is %d bytes, more than the %d this model takes inline (set video: frames, or raise max_inline_bytes)", len(raw), p.maxBytes())
	}
	m := mf.MIME
	if m == "" {
		m = mimeByExt(mf.Path)
	}
	return Blob{MIME: m, Data: raw, Format: audioFormat(mf)}, nil
}

func mimeByExt(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mp4", ".m4v":
		return "video/mp4"
	case ".webm":
		return "video/webm"
	case ".mov":
		return "video/quicktime"
	case ".avi":
		return "video/x-msvideo"
	case ".mkv":
		return "video/x-matroska"
	case ".flv":
		return "video/x-flv"
	case ".wav":
		return "audio/wav"
	case ".mp3":
		return "audio/mp3"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	}
	return "application/octet-stream"
}

// Frames returns n evenly spaced frames of a video as images no larger than
// MaxImageSide, and its audio track as 16 kHz mono WAV when withAudio is set and
// the video has one (nil otherwise).
func (p *Preparer) Frames(ctx context.Context, mf *emohallucer.MediaFile, n int, withAudio bool) ([]Blob, *Blob, error) {
	key := mediaKey(mf, fmt.Sprintf("frames/%d/%d", n, p.MaxImageSide))
	// A video without audio is remembered as an empty entry, so that it is
	// probed once.
	silentKey := mediaKey(mf, "audio/none")
	frames, haveFrames := p.cached(key)
	var audio *Blob
	haveAudio := !withAudio
	if withAudio {
		if b, ok := p.cached(mediaKey(mf, "audio/wav16k")); ok {
			audio, haveAudio = &b[0], true
		} else if _, ok := p.cached(silentKey); ok {
			haveAudio = true
		}
	}
	if haveFrames && haveAudio {
		return frames, audio, nil
	}
	// ffmpeg reads a checked copy: one copy serves the frames and the audio.
	err := withCopy(mf, func(path string) error {
		if !haveFrames {
			jpegs, err := ExtractFrames(ctx, path, n, p.MaxImageSide)
			if err != nil {
				return mediaError(mf, "%v", err)
			}
			for _, j := range jpegs {
				frames = append(frames, Blob{MIME: "image/jpeg", Data: j})
			}
			p.keep(key, frames)
		}
		if haveAudio {
			return nil
		}
		has, err := HasAudio(ctx, path)
		if err != nil {
			return mediaError(mf, "%v", err)
		}
		if !has {
			p.keep(silentKey, []Blob{})
			return nil
		}
		a, err := p.wav(ctx, mf, path)
		audio = &a
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return frames, audio, nil
}
