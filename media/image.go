package media

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"

	"golang.org/x/image/draw"

	eh "github.com/emohallucer/emohallucer"
)

// Upscale returns an image ready to send to a model whose shorter side is at
// least minSide pixels. Larger images come back unchanged, with their MIME
// type from the file's own header; smaller ones (FER faces are 48×48) are
// scaled up with Catmull-Rom and encoded as PNG. Do this at request time: the
// suite keeps the original bytes its digests pin.
func Upscale(path string, minSide int) (data []byte, mime string, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, "", corrupt(path, "image header: %v", err)
	}
	short := min(cfg.Width, cfg.Height)
	if short >= minSide || short == 0 {
		return raw, "image/" + format, nil
	}
	src, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, "", corrupt(path, "image does not decode: %v", err)
	}
	w, h := cfg.Width*minSide/short, cfg.Height*minSide/short
	if w*h > 64<<20 {
		return nil, "", eh.Errorf(eh.EINVALID, "%s: upscaling %d×%d to %d×%d is too large", path, cfg.Width, cfg.Height, w, h)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := png.Encode(&buf, dst); err != nil {
		return nil, "", fmt.Errorf("encode upscaled %s: %w", path, err)
	}
	return buf.Bytes(), "image/png", nil
}
