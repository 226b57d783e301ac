package ferplus

import (
	"fmt"
	"image"
	_ "image/jpeg" // FER+ faces are PNG; a user's own copy may be JPEG
	_ "image/png"
	"math"
	"math/bits"
	"os"
)

// FER-2013 was collected by image search, and the same photograph appears in
// it more than once: re-encoded under another id (so its SHA-256 differs), or
// as a neighbouring frame with a slightly moved crop. Such copies ask the same
// question twice and make a sample look larger and more independent than it
// is, so the importer keeps the first and drops the rest. Two faces are
// compared only when their difference hashes are close (cheap, so a full
// FER+ of 35,000 faces stays fast); the decision is then taken on the pixels,
// as the best correlation of the two faces over small shifts of one of them.
const (
	// NearDuplicateCorrelation is the shifted pixel correlation from which two
	// faces count as one photograph. On ../shared/data the one re-encoded copy
	// scores 0.94 and two frames of one crying child 0.84, while different
	// photographs of one person, and look-alike faces, stay below 0.79.
	NearDuplicateCorrelation = 0.80
	// hashCandidateBits is the Hamming distance of difference hashes below
	// which two faces are compared pixel by pixel.
	hashCandidateBits = 12
	// side is the size faces are compared at, FER-2013's own 48×48.
	side = 48
	// maxShift is the largest crop offset, in pixels at 48×48, tried.
	maxShift = 4
)

// fingerprint is what the near-duplicate check keeps of one face.
type fingerprint struct {
	hash   uint64
	pixels [side][side]float64
}

// readFingerprint decodes an image and reduces it to a 48×48 grey face.
func readFingerprint(name string) (*fingerprint, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	b := img.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		return nil, fmt.Errorf("decode %s: empty image", name)
	}
	fp := &fingerprint{}
	// Area average onto the 48×48 grid; an image smaller than that repeats
	// its pixels.
	for y := 0; y < side; y++ {
		y0, y1 := span(y, b.Dy())
		for x := 0; x < side; x++ {
			x0, x1 := span(x, b.Dx())
			sum, n := 0.0, 0
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					r, g, bl, _ := img.At(b.Min.X+sx, b.Min.Y+sy).RGBA()
					sum += 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)
					n++
				}
			}
			fp.pixels[y][x] = sum / float64(n)
		}
	}
	fp.hash = differenceHash(&fp.pixels)
	return fp, nil
}

// span is the range of source pixels that output cell i of side covers.
func span(i, size int) (int, int) {
	lo, hi := i*size/side, (i+1)*size/side
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

// differenceHash is the 64-bit dHash: the face averaged onto 9×8 cells, one
// bit per pair of horizontal neighbours telling which is brighter.
func differenceHash(p *[side][side]float64) uint64 {
	var cells [8][9]float64
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			cells[y*8/side][x*9/side] += p[y][x]
		}
	}
	var h uint64
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			h <<= 1
			if cells[y][x] < cells[y][x+1] {
				h |= 1
			}
		}
	}
	return h
}

// shiftedCorrelation is the highest Pearson correlation of a's central
// region with b's region at the same place moved by up to maxShift pixels.
func shiftedCorrelation(a, b *fingerprint) float64 {
	best := -1.0
	n := float64((side - 2*maxShift) * (side - 2*maxShift))
	for dy := -maxShift; dy <= maxShift; dy++ {
		for dx := -maxShift; dx <= maxShift; dx++ {
			var sa, sb, saa, sbb, sab float64
			for y := maxShift; y < side-maxShift; y++ {
				for x := maxShift; x < side-maxShift; x++ {
					va, vb := a.pixels[y][x], b.pixels[y+dy][x+dx]
					sa, sb = sa+va, sb+vb
					saa, sbb, sab = saa+va*va, sbb+vb*vb, sab+va*vb
				}
			}
			cov := sab - sa*sb/n
			den := math.Sqrt((saa - sa*sa/n) * (sbb - sb*sb/n))
			if den == 0 {
				continue // a flat image correlates with nothing
			}
			if c := cov / den; c > best {
				best = c
			}
		}
	}
	return best
}

// nearDuplicate returns the earlier face that fp copies, with their
// correlation, or -1.
func nearDuplicate(fp *fingerprint, earlier []*fingerprint) (int, float64) {
	for i, e := range earlier {
		if bits.OnesCount64(fp.hash^e.hash) > hashCandidateBits {
			continue
		}
		if c := shiftedCorrelation(fp, e); c >= NearDuplicateCorrelation {
			return i, c
		}
	}
	return -1, 0
}
