package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // register decoders for Verify
	_ "image/jpeg" // "
	_ "image/png"  // "
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-audio/wav"
	_ "golang.org/x/image/webp" // "

	eh "github.com/emohallucer/emohallucer"
)

// Kind is the broad type of a media file, from its extension.
func Kind(path string) eh.Modality {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp":
		return eh.Image
	case ".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac", ".opus":
		return eh.Audio
	case ".mp4", ".flv", ".mov", ".webm", ".mkv", ".avi", ".m4v":
		return eh.ShortVideo
	}
	return ""
}

// corrupt builds the error Verify returns for a bad file.
func corrupt(path, format string, args ...any) error {
	return &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("%s: corrupt or truncated: %s", path, fmt.Sprintf(format, args...))}
}

// Verify checks that a media file is complete and decodable, so that a broken
// file is reported and skipped at build time instead of failing a model call
// later. Images are decoded fully, WAV headers are checked against the file
// size, MP3 frames are walked to the end, and other audio and video is decoded
// by ffmpeg (t may be nil when no such file is checked), with the decoded
// length compared against the length the container declares.
func (t *Tools) Verify(ctx context.Context, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Size() == 0 {
		return corrupt(path, "empty file")
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp":
		return verifyImage(path)
	case ".wav":
		return verifyWAV(path)
	case ".mp3":
		return verifyMP3(path)
	default:
		if Kind(path) == "" {
			return eh.Errorf(eh.EINVALID, "%s: unsupported media type %q", path, ext)
		}
		return t.verifyDecode(ctx, path)
	}
}

func verifyImage(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, _, err := image.Decode(bufio.NewReader(f))
	if err != nil {
		return corrupt(path, "image does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() == 0 || b.Dy() == 0 {
		return corrupt(path, "image has no pixels")
	}
	return nil
}

// ImageSize returns the pixel size of an image file without decoding all of it.
func ImageSize(path string) (w, h int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(bufio.NewReader(f))
	if err != nil {
		return 0, 0, corrupt(path, "image header: %v", err)
	}
	return cfg.Width, cfg.Height, nil
}

// WAVInfo describes a PCM WAV file.
type WAVInfo struct {
	SampleRate int
	Channels   int
	Bits       int
	Duration   float64 // seconds
}

// ReadWAV reads the header of a WAV file and checks that its sample data is
// all there: a truncated file declares more data than it holds.
func ReadWAV(path string) (WAVInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return WAVInfo{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return WAVInfo{}, err
	}
	d := wav.NewDecoder(f)
	if !d.IsValidFile() {
		return WAVInfo{}, corrupt(path, "not a valid RIFF/WAVE file")
	}
	if err := d.FwdToPCM(); err != nil {
		return WAVInfo{}, corrupt(path, "no sample data: %v", err)
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return WAVInfo{}, err
	}
	need := d.PCMLen()
	if have := st.Size() - pos; need > have {
		return WAVInfo{}, corrupt(path, "header declares %d bytes of samples but the file holds %d", need, have)
	}
	info := WAVInfo{SampleRate: int(d.SampleRate), Channels: int(d.NumChans), Bits: int(d.BitDepth)}
	if info.SampleRate <= 0 || info.Channels <= 0 || info.Bits <= 0 {
		return WAVInfo{}, corrupt(path, "bad format: %d Hz, %d channels, %d bits", info.SampleRate, info.Channels, info.Bits)
	}
	if need == 0 {
		return WAVInfo{}, corrupt(path, "no samples")
	}
	info.Duration = float64(need) / float64(info.SampleRate*info.Channels*(info.Bits/8))
	return info, nil
}

func verifyWAV(path string) error {
	_, err := ReadWAV(path)
	return err
}

// verifyMP3 walks the MPEG audio frames from the first to the last; a file cut
// inside a frame, or with garbage between frames, fails.
func verifyMP3(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	pos := 0
	// ID3v2 tag: 10-byte header, size as a 28-bit "syncsafe" integer.
	if len(data) >= 10 && string(data[:3]) == "ID3" {
		size := int(data[6]&0x7f)<<21 | int(data[7]&0x7f)<<14 | int(data[8]&0x7f)<<7 | int(data[9]&0x7f)
		pos = 10 + size
		if data[5]&0x10 != 0 {
			pos += 10 // footer
		}
		if pos > len(data) {
			return corrupt(path, "ID3 tag runs past the end of the file")
		}
	}
	// Some encoders pad after the tag; find the first frame.
	for pos+1 < len(data) && !(data[pos] == 0xff && data[pos+1]&0xe0 == 0xe0) {
		pos++
	}
	if pos+1 >= len(data) {
		return corrupt(path, "no MP3 frame found")
	}
	frames := 0
	for pos < len(data) {
		rest := data[pos:]
		if len(rest) >= 3 && string(rest[:3]) == "TAG" || len(rest) >= 8 && string(rest[:8]) == "APETAGEX" || len(rest) >= 6 && string(rest[:6]) == "LYRICS" {
			break // trailing tags
		}
		if len(rest) < 4 {
			return corrupt(path, "%d stray bytes after the last MP3 frame", len(rest))
		}
		n, ok := mp3FrameLen(rest[:4])
		if !ok {
			if frames == 0 {
				return corrupt(path, "no MP3 frame found")
			}
			return corrupt(path, "bad MP3 frame header at byte %d (after %d frames)", pos, frames)
		}
		if n == 0 {
			return nil // free-format stream: frame sizes are not in the header; trust it
		}
		if n > len(rest) {
			return corrupt(path, "last MP3 frame at byte %d needs %d bytes but only %d remain", pos, n, len(rest))
		}
		pos += n
		frames++
	}
	if frames == 0 {
		return corrupt(path, "no MP3 frame found")
	}
	return nil
}

// mp3FrameLen returns the byte length of the MPEG audio frame whose header is h
// (0 for free-format frames), or false when h is not a frame header.
func mp3FrameLen(h []byte) (int, bool) {
	if h[0] != 0xff || h[1]&0xe0 != 0xe0 {
		return 0, false
	}
	version := (h[1] >> 3) & 3 // 0: MPEG 2.5, 2: MPEG 2, 3: MPEG 1
	layer := (h[1] >> 1) & 3   // 1: III, 2: II, 3: I
	brIdx := int(h[2] >> 4)
	srIdx := int((h[2] >> 2) & 3)
	pad := int((h[2] >> 1) & 1)
	if version == 1 || layer == 0 || brIdx == 15 || srIdx == 3 {
		return 0, false
	}
	if brIdx == 0 {
		return 0, true
	}
	v1 := version == 3
	l := 4 - int(layer) // 1, 2 or 3
	var kbps int
	switch {
	case v1 && l == 1:
		kbps = []int{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448}[brIdx]
	case v1 && l == 2:
		kbps = []int{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384}[brIdx]
	case v1:
		kbps = []int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}[brIdx]
	case l == 1:
		kbps = []int{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256}[brIdx]
	default:
		kbps = []int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}[brIdx]
	}
	rate := []int{44100, 48000, 32000}[srIdx]
	switch version {
	case 2:
		rate /= 2
	case 0:
		rate /= 4
	}
	br := kbps * 1000
	switch {
	case l == 1: // 4-byte slots, 384 samples per frame
		return (12*br/rate + pad) * 4, true
	case l == 3 && !v1: // MPEG 2/2.5 Layer III: 576 samples per frame
		return 72*br/rate + pad, true
	default: // 1152 samples per frame
		return 144*br/rate + pad, true
	}
}

// verifyDecode decodes every stream with ffmpeg, failing on the first decoding
// error, and compares how far the packets reach with the duration the
// container declares: a truncated file still declares its full length.
func (t *Tools) verifyDecode(ctx context.Context, path string) error {
	if err := t.Require("checking " + path); err != nil {
		return err
	}
	info, err := t.Probe(ctx, path)
	if err != nil {
		return corrupt(path, "%v", err)
	}
	if info.Video == "" && info.Audio == "" {
		return corrupt(path, "no audio or video stream")
	}
	if _, err := run(ctx, t.FFmpeg, "-nostdin", "-v", "error", "-xerror", "-i", path, "-f", "null", "-"); err != nil {
		if eh.ErrorCode(err) == eh.ECANCELED {
			return err
		}
		return corrupt(path, "does not decode: %v", err)
	}
	if info.Duration <= 0 {
		return nil
	}
	out, err := run(ctx, t.FFprobe, "-v", "error", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", path)
	if err != nil {
		if eh.ErrorCode(err) == eh.ECANCELED {
			return err
		}
		return corrupt(path, "packets do not read: %v", err)
	}
	end := 0.0
	for _, line := range strings.Split(string(out), "\n") {
		pts, dur, _ := strings.Cut(strings.TrimSpace(line), ",")
		p, err := strconv.ParseFloat(pts, 64)
		if err != nil {
			continue
		}
		d, _ := strconv.ParseFloat(strings.TrimSuffix(dur, ","), 64)
		end = math.Max(end, p+d)
	}
	// Codec delay and rounding make the packets end a little before or after
	// the declared duration; losing a tenth of it means the file was cut.
	if end < 0.9*info.Duration {
		return corrupt(path, "streams end at %.2fs but the file declares %.2fs", end, info.Duration)
	}
	return nil
}

// IsCorrupt reports whether err is a verification failure (as opposed to, say,
// a missing ffmpeg or an interrupted build).
func IsCorrupt(err error) bool {
	var e *eh.Error
	return errors.As(err, &e) && e.Code == eh.EINVALID
}
