package media

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// SequenceWidth and SequenceHeight are the frame size every clip of a
// constructed video sequence is scaled (and letterboxed) to, so that clips
// of different sources join into one uniform stream.
const (
	SequenceWidth  = 640
	SequenceHeight = 480
)

// Concat joins the clips ins, in order, into one file out, re-encoding every
// clip to one uniform format so clips of different codecs and sizes join
// cleanly: with video, an H.264/AAC MP4 at SequenceWidth×SequenceHeight, 25
// fps, 44.1 kHz mono audio; without (audio only), a 16 kHz mono 16-bit WAV.
// The same clip may appear more than once. Encoders run single-threaded with
// bit-exact flags, so the same inputs give the same bytes with one ffmpeg
// build.
func (t *Tools) Concat(ctx context.Context, ins []string, out string, video bool) error {
	if len(ins) < 2 {
		return eh.Errorf(eh.EINVALID, "concat %s: %d clips, need at least 2", out, len(ins))
	}
	if err := t.Require("joining clips into " + out); err != nil {
		return err
	}
	args := []string{"-nostdin", "-v", "error"}
	for _, in := range ins {
		args = append(args, "-i", in)
	}
	var graph, streams strings.Builder
	for i := range ins {
		if video {
			fmt.Fprintf(&graph, "[%d:v:0]scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25,format=yuv420p[v%d];",
				i, SequenceWidth, SequenceHeight, SequenceWidth, SequenceHeight, i)
			fmt.Fprintf(&streams, "[v%d]", i)
		}
		rate := 16000
		if video {
			rate = 44100
		}
		fmt.Fprintf(&graph, "[%d:a:0]aresample=%d,aformat=sample_fmts=s16:channel_layouts=mono[a%d];", i, rate, i)
		fmt.Fprintf(&streams, "[a%d]", i)
	}
	v := 0
	if video {
		v = 1
	}
	fmt.Fprintf(&graph, "%sconcat=n=%d:v=%d:a=1", streams.String(), len(ins), v)
	if video {
		graph.WriteString("[v][a]")
		args = append(args, "-filter_complex", graph.String(), "-map", "[v]", "-map", "[a]",
			"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
			"-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", "-f", "mp4")
	} else {
		graph.WriteString("[a]")
		args = append(args, "-filter_complex", graph.String(), "-map", "[a]", "-c:a", "pcm_s16le", "-f", "wav")
	}
	args = append(args, "-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
		"-map_metadata", "-1", "-y", out)
	if _, err := run(ctx, t.FFmpeg, args...); err != nil {
		os.Remove(out)
		return fmt.Errorf("join %d clips into %s: %w", len(ins), out, err)
	}
	return nil
}

// Loudness returns the integrated loudness of a file's audio in LUFS (EBU R
// 128, ffmpeg's ebur128 filter): the measure a loudness difference in LU is
// taken between.
func (t *Tools) Loudness(ctx context.Context, in string) (float64, error) {
	if err := t.Require("measuring the loudness of " + in); err != nil {
		return 0, err
	}
	out, err := run(ctx, t.FFmpeg, "-nostdin", "-v", "error", "-i", in, "-map", "0:a:0",
		"-af", "ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.I:file=-", "-f", "null", "-")
	if err != nil {
		return 0, fmt.Errorf("measure loudness of %s: %w", in, err)
	}
	// The filter prints the running integrated value after every frame;
	// the last one covers the whole file.
	const key = "lavfi.r128.I="
	i := strings.LastIndex(string(out), key)
	if i < 0 {
		return 0, eh.Errorf(eh.EINVALID, "measure loudness of %s: ffmpeg printed no %s value (no audio?)", in, strings.TrimSuffix(key, "="))
	}
	val, _, _ := strings.Cut(string(out[i+len(key):]), "\n")
	lufs, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
	if err != nil {
		return 0, eh.Errorf(eh.EINVALID, "measure loudness of %s: %q is not a number", in, val)
	}
	return lufs, nil
}
