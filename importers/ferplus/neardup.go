package ferplus

import (
	"fmt"
	"image"
	_ "image/jpeg" // FER+ faces are PNG; a user's own copy may be JPEG
	_ "image/png"
	"math"
	"os"
)

// FER-2013 was collected by image search, and the same photograph appears in
// it more than once: re-encoded under another id (so its SHA-256 differs), or
// cropped again a little wider, narrower or off-centre. Such copies ask the
// same question twice and make a sample look larger and more independent than
// it is, so the importer keeps the first and drops the rest.
//
// Two faces are compared closely only when their coarse 8×8 layouts of light
// and dark correlate. The decision is the best correlation of the two faces
// over small shifts and zooms of one of them: searched at half resolution,
// then refined around the best match at full resolution (at half resolution
// alone, different faces blur into each other). The check is quadratic in the
// number of faces. On ../shared/data the re-encoded and re-cropped copies
// score at least 0.82 and different photographs at most 0.78
// (TestNearDuplicateThreshold).
const (
	// NearDuplicateCorrelation is the correlation from which two faces count
	// as one photograph.
	NearDuplicateCorrelation = 0.80
	// layoutCandidate is the correlation of the 8×8 layouts from which two
	// faces are compared closely; every copy on ../shared/data is above 0.50.
	layoutCandidate = 0.45
	// side is the size faces are compared at, FER-2013's own 48×48.
	side = 48
	// maxShift is the largest offset tried, in pixels at 48×48.
	maxShift = 4
)

// zooms are the scales searched: a re-crop 20 % wider or narrower at most.
var zooms = []float64{0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15, 1.2}

// grey is a square grey image.
type grey struct {
	n int
	v []float64
}

func (g grey) at(x, y int) float64 { return g.v[y*g.n+x] }

// sample reads g at a fractional position, bilinearly, clamped to the image.
func (g grey) sample(x, y float64) float64 {
	last := float64(g.n - 1)
	x, y = min(max(x, 0), last), min(max(y, 0), last)
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, g.n-1), min(y0+1, g.n-1)
	fx, fy := x-float64(x0), y-float64(y0)
	return g.at(x0, y0)*(1-fx)*(1-fy) + g.at(x1, y0)*fx*(1-fy) + g.at(x0, y1)*(1-fx)*fy + g.at(x1, y1)*fx*fy
}

// shrink averages g onto an n×n grid; a grid finer than g repeats pixels.
func (g grey) shrink(n int) grey {
	out := grey{n, make([]float64, n*n)}
	for y := 0; y < n; y++ {
		y0, y1 := span(y, n, g.n)
		for x := 0; x < n; x++ {
			x0, x1 := span(x, n, g.n)
			sum := 0.0
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					sum += g.at(sx, sy)
				}
			}
			out.v[y*n+x] = sum / float64((y1-y0)*(x1-x0))
		}
	}
	return out
}

// span is the range of the size source pixels that cell i of n covers.
func span(i, n, size int) (int, int) {
	lo, hi := i*size/n, (i+1)*size/n
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

// zoomed is b zoomed by z about its centre, with a border of pad pixels on
// every side so that shifted windows of it need no bounds checks.
func (b grey) zoomed(z float64, pad int) grey {
	n := b.n + 2*pad
	out := grey{n, make([]float64, n*n)}
	c := float64(b.n-1) / 2
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			out.v[y*n+x] = b.sample(c+(float64(x-pad)-c)*z, c+(float64(y-pad)-c)*z)
		}
	}
	return out
}

// bestMatch is the highest correlation of a's central region (margin pixels
// left out) with b zoomed by one of zs and moved by whole pixels in
// [lo, hi] on each axis, and the zoom and shift that give it.
func bestMatch(a, b grey, margin int, zs []float64, lo, hi [2]int) (best, zoom float64, dx, dy int) {
	pad := max(-lo[0], -lo[1], hi[0], hi[1], 0)
	var sa, saa, n float64
	for y := margin; y < a.n-margin; y++ {
		for x := margin; x < a.n-margin; x++ {
			v := a.at(x, y)
			sa, saa, n = sa+v, saa+v*v, n+1
		}
	}
	best = -2
	for _, z := range zs {
		bz := b.zoomed(z, pad)
		for sy := lo[1]; sy <= hi[1]; sy++ {
			for sx := lo[0]; sx <= hi[0]; sx++ {
				var sb, sbb, sab float64
				for y := margin; y < a.n-margin; y++ {
					row := (y+sy+pad)*bz.n + sx + pad
					for x := margin; x < a.n-margin; x++ {
						va, vb := a.v[y*a.n+x], bz.v[row+x]
						sb, sbb, sab = sb+vb, sbb+vb*vb, sab+va*vb
					}
				}
				den := math.Sqrt((saa - sa*sa/n) * (sbb - sb*sb/n))
				if den == 0 {
					continue // a flat image correlates with nothing
				}
				if c := (sab - sa*sb/n) / den; c > best {
					best, zoom, dx, dy = c, z, sx, sy
				}
			}
		}
	}
	return best, zoom, dx, dy
}

// fingerprint is what the near-duplicate check keeps of one face.
type fingerprint struct {
	layout     [64]float64 // 8×8 means, centred and scaled to unit length
	full, half grey
}

// readFingerprint decodes an image and reduces it to a grey 48×48 face, its
// half-resolution copy and its coarse layout.
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
	if b.Dx() == 0 || b.Dy() == 0 || b.Dx() != b.Dy() {
		return nil, fmt.Errorf("decode %s: %d×%d, want a square face crop", name, b.Dx(), b.Dy())
	}
	src := grey{b.Dx(), make([]float64, b.Dx()*b.Dy())}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			src.v[y*src.n+x] = 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)
		}
	}
	fp := &fingerprint{full: src.shrink(side)}
	fp.half = fp.full.shrink(side / 2)
	copy(fp.layout[:], fp.full.shrink(8).v)
	normalize(fp.layout[:])
	return fp, nil
}

// normalize centres v and scales it to unit length (a flat v stays zero).
func normalize(v []float64) {
	mean := 0.0
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	ss := 0.0
	for i := range v {
		v[i] -= mean
		ss += v[i] * v[i]
	}
	if ss == 0 {
		return
	}
	for i := range v {
		v[i] /= math.Sqrt(ss)
	}
}

// correlation is how well a and b match as one photograph: the best
// correlation of one's central region with the other zoomed by up to 20 %
// and moved by up to maxShift pixels, found at half resolution and refined
// at full resolution. It is taken both ways and the lower kept, since a
// chance match between different faces seldom holds in both directions.
func correlation(a, b *fingerprint) float64 { return min(oneWay(a, b), oneWay(b, a)) }

func oneWay(a, b *fingerprint) float64 {
	const h = maxShift / 2
	_, z, dx, dy := bestMatch(a.half, b.half, h+1, zooms, [2]int{-h, -h}, [2]int{h, h})
	// The refinement stays inside the searched ranges: a wider search finds
	// chance matches between different faces.
	refine := []float64{max(z-0.025, zooms[0]), z, min(z+0.025, zooms[len(zooms)-1])}
	lo := [2]int{max(2*dx-1, -maxShift), max(2*dy-1, -maxShift)}
	hi := [2]int{min(2*dx+1, maxShift), min(2*dy+1, maxShift)}
	best, _, _, _ := bestMatch(a.full, b.full, maxShift+2, refine, lo, hi)
	return best
}

// layout is the correlation of two faces' coarse layouts.
func layout(a, b *fingerprint) float64 {
	c := 0.0
	for k := range a.layout {
		c += a.layout[k] * b.layout[k]
	}
	return c
}

// nearDuplicate returns the earlier face that fp copies, with their
// correlation, or -1.
func nearDuplicate(fp *fingerprint, earlier []*fingerprint) (int, float64) {
	for i, e := range earlier {
		if layout(fp, e) < layoutCandidate {
			continue
		}
		if c := correlation(fp, e); c >= NearDuplicateCorrelation {
			return i, c
		}
	}
	return -1, 0
}
