package ferplus

import (
	"fmt"
	"image"
	_ "image/jpeg" // FER+ faces are PNG; a user's own copy may be JPEG
	_ "image/png"
	"math"
	"os"
	"slices"
)

// FER-2013 was collected by image search, and the same photograph appears in
// it more than once: re-encoded under another id (so its SHA-256 differs), or
// cropped again a little wider, narrower or off-centre. Such copies ask the
// same question twice and make a sample look larger and more independent than
// it is, so the importer keeps the first and drops the rest.
//
// The check narrows in three steps, each dearer and sharper than the one
// before: the coarse 8×8 layouts of light and dark must correlate at some
// zoom, then the faces at quarter resolution over zooms and shifts, and only
// then are they compared closely. The decision is the best correlation of the
// two faces over shifts of up to 4 pixels and zooms of up to 20 % of one of
// them, refined from the quarter-resolution match at half and then full
// resolution (at low resolution alone, different faces blur into each other),
// taken both ways.
//
// The check is quadratic in the number of faces. Measured on the faces of
// ../shared/data (go test -bench . ./importers/ferplus: BenchmarkLayout,
// BenchmarkQuick, BenchmarkCorrelation) it costs about 2 µs per pair of faces
// on this project's 2-core test machine, so 0.02 s for 126 faces and, by
// extrapolation, about 20 minutes for all 35,887 faces of FER+.
//
// On ../shared/data the re-encoded and re-cropped copies score at least 0.82
// and different photographs at most 0.77 (TestNearDuplicateThreshold).
const (
	// NearDuplicateCorrelation is the correlation from which two faces count
	// as one photograph.
	NearDuplicateCorrelation = 0.80
	// layoutCandidate is the correlation of the 8×8 layouts, at the best of
	// zooms, from which two faces are compared more closely; every copy on
	// ../shared/data is above 0.73, and 5 % of the pairs of different
	// photographs are above it.
	layoutCandidate = 0.65
	// quickCandidate is the quarter-resolution correlation (quick) from which
	// two faces are compared at full resolution; every copy on
	// ../shared/data is above 0.84, and 13 of the 393 pairs of different
	// photographs whose layouts pass are above it.
	quickCandidate = 0.80
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

// match is a correlation of one face with another, and the zoom and shift of
// the other that give it.
type match struct {
	best, zoom float64
	dx, dy     int
}

// bestMatch is the highest correlation of a's central region (margin pixels
// left out) with each of bz (b zoomed by zs[i], with a border of pad) moved by
// whole pixels in [lo, hi] on each axis, and the zoom and shift that give it.
func bestMatch(a grey, bz []grey, pad int, zs []float64, margin int, lo, hi [2]int) match {
	var sa, saa, n float64
	for y := margin; y < a.n-margin; y++ {
		for x := margin; x < a.n-margin; x++ {
			v := a.at(x, y)
			sa, saa, n = sa+v, saa+v*v, n+1
		}
	}
	m := match{best: -2}
	for i, z := range zs {
		for sy := lo[1]; sy <= hi[1]; sy++ {
			for sx := lo[0]; sx <= hi[0]; sx++ {
				var sb, sbb, sab float64
				for y := margin; y < a.n-margin; y++ {
					row := (y+sy+pad)*bz[i].n + sx + pad
					for x := margin; x < a.n-margin; x++ {
						va, vb := a.v[y*a.n+x], bz[i].v[row+x]
						sb, sbb, sab = sb+vb, sbb+vb*vb, sab+va*vb
					}
				}
				den := math.Sqrt((saa - sa*sa/n) * (sbb - sb*sb/n))
				if den == 0 {
					continue // a flat image correlates with nothing
				}
				if c := (sab - sa*sb/n) / den; c > m.best {
					m = match{c, z, sx, sy}
				}
			}
		}
	}
	return m
}

// around refines m, found at half the resolution of a and b, by searching b
// zoomed near m.zoom and shifted near twice m's shift, staying inside the
// ranges searched before: a wider search finds chance matches between
// different faces.
func around(a, b grey, margin int, m match, step float64, maxShift int) match {
	z, dx, dy := m.zoom, m.dx, m.dy
	// At the edge of zooms a clamped neighbour is z itself: zoom it once.
	zs := slices.Compact([]float64{max(z-step, zooms[0]), z, min(z+step, zooms[len(zooms)-1])})
	bz := make([]grey, len(zs))
	for i, z := range zs {
		bz[i] = b.zoomed(z, maxShift)
	}
	lo := [2]int{max(2*dx-1, -maxShift), max(2*dy-1, -maxShift)}
	hi := [2]int{min(2*dx+1, maxShift), min(2*dy+1, maxShift)}
	return bestMatch(a, bz, maxShift, zs, margin, lo, hi)
}

// fingerprint is what the near-duplicate check keeps of one face.
type fingerprint struct {
	// layouts are the 8×8 means of the face's central region zoomed by each
	// of zooms, centred and scaled to unit length.
	layouts             [][64]float32
	full, half, quarter grey
	// quarters is quarter zoomed by each of zooms, with a border of one
	// pixel: the first search step reads them for every candidate pair.
	quarters []grey
}

// unzoomed is the index of zoom 1 in zooms.
var unzoomed = slices.Index(zooms, 1)

// readFingerprint decodes an image and reduces it to a fingerprint.
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
	return newFingerprint(src), nil
}

// newFingerprint reduces a square grey image to a 48×48 face, its half and
// quarter resolution copies, the quarter one zoomed, and the coarse layouts.
func newFingerprint(src grey) *fingerprint {
	fp := &fingerprint{full: src.shrink(side)}
	fp.half = fp.full.shrink(side / 2)
	fp.quarter = fp.full.shrink(side / 4)
	for _, z := range zooms {
		fp.quarters = append(fp.quarters, fp.quarter.zoomed(z, quarterShift))
	}
	const inner = side - 2*maxShift // the central region, as compared
	for _, z := range zooms {
		zg := fp.full.zoomed(z, 0)
		var v [64]float64
		for y := maxShift; y < side-maxShift; y++ {
			for x := maxShift; x < side-maxShift; x++ {
				v[((y-maxShift)*8/inner)*8+(x-maxShift)*8/inner] += zg.at(x, y)
			}
		}
		normalize(v[:])
		var l [64]float32
		for i, x := range v {
			l[i] = float32(x)
		}
		fp.layouts = append(fp.layouts, l)
	}
	return fp
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
// and moved by up to maxShift pixels, searched at quarter resolution and
// refined at half and full resolution around the best match. It is taken
// both ways and the lower kept, since a chance match between different faces
// seldom holds in both directions.
func correlation(a, b *fingerprint) float64 {
	return min(refine(a, b, quarterMatch(a, b)), refine(b, a, quarterMatch(b, a)))
}

// quarterShift is maxShift at quarter resolution.
const quarterShift = maxShift / 4

// quarterMatch is the best match of a's central region with b at quarter
// resolution (12×12) over all zooms and shifts: the first step of the check.
func quarterMatch(a, b *fingerprint) match {
	return bestMatch(a.quarter, b.quarters, quarterShift, zooms, quarterShift+1, [2]int{-quarterShift, -quarterShift}, [2]int{quarterShift, quarterShift})
}

// refine is the correlation of a with b searched around m, the
// quarter-resolution match, at half and then full resolution.
func refine(a, b *fingerprint, m match) float64 {
	m = around(a.half, b.half, maxShift/2+1, m, 0.05, maxShift/2)
	return around(a.full, b.full, maxShift+2, m, 0.025, maxShift).best
}

// quick is the best correlation at quarter resolution over zooms and shifts,
// both ways, the lower kept: cheap, and it rejects most of the pairs the
// layouts let through.
func quick(a, b *fingerprint) float64 { return min(quarterMatch(a, b).best, quarterMatch(b, a).best) }

// layout is the best correlation of one face's coarse layout with the other's
// at any of zooms, both ways.
func layout(a, b *fingerprint) float64 {
	best := float32(-1)
	for z := range zooms {
		best = max(best, dot(&a.layouts[unzoomed], &b.layouts[z]), dot(&b.layouts[unzoomed], &a.layouts[z]))
	}
	return float64(best)
}

func dot(a, b *[64]float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// nearDuplicate returns the earlier face that fp copies, with their
// correlation, or -1.
func nearDuplicate(fp *fingerprint, earlier []*fingerprint) (int, float64) {
	for i, e := range earlier {
		if layout(fp, e) < layoutCandidate {
			continue
		}
		// quick, keeping the matches for correlation to refine
		ab, ba := quarterMatch(fp, e), quarterMatch(e, fp)
		if min(ab.best, ba.best) < quickCandidate {
			continue
		}
		if c := min(refine(fp, e, ab), refine(e, fp, ba)); c >= NearDuplicateCorrelation {
			return i, c
		}
	}
	return -1, 0
}
