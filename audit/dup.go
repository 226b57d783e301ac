package audit

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"sort"

	eh "github.com/emohallucer/emohallucer"
)

// QuestionRef names one question of a suite.
type QuestionRef struct {
	Pair string  `json:"pair"`
	Role eh.Role `json:"role"`
	Text string  `json:"question"`
}

// DuplicateGroup is a set of questions with the same normalised text asked about
// the same context. Every question after the first is one duplicate.
type DuplicateGroup struct {
	Questions []QuestionRef `json:"questions"`
}

// NearDuplicate is two questions of different pairs, about the same context,
// whose word shingles overlap at least Options.NearThreshold (Jaccard).
type NearDuplicate struct {
	A       QuestionRef `json:"a"`
	B       QuestionRef `json:"b"`
	Jaccard float64     `json:"jaccard"`
}

// question is one question prepared for the duplicate checks.
type question struct {
	ref  QuestionRef
	ctx  string
	norm string
	sh   map[string]struct{}
}

func collectQuestions(s *eh.Suite) []question {
	qs := make([]question, 0, 2*len(s.Pairs))
	for _, p := range s.Pairs {
		ctx := contextKey(p.Context)
		for _, r := range []eh.Role{eh.Basic, eh.Hallucinated} {
			q := p.Question(r)
			w := tokens(q.Text)
			qs = append(qs, question{ref: QuestionRef{Pair: p.ID, Role: r, Text: q.Text}, ctx: ctx, norm: stringsJoin(w), sh: shingles(w)})
		}
	}
	return qs
}

func stringsJoin(w []string) string {
	n := 0
	for _, s := range w {
		n += len(s) + 1
	}
	b := make([]byte, 0, n)
	for i, s := range w {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, s...)
	}
	return string(b)
}

// exactDuplicates groups questions by (context, normalised text). It returns the
// groups with more than one member, the number of duplicate questions (group size
// minus one, summed), and for every question the index of its group's first
// member so that near-duplicate detection can skip the copies.
func exactDuplicates(qs []question) (groups []DuplicateGroup, count int, rep []int) {
	first := make(map[string]int, len(qs))
	members := map[int][]int{}
	rep = make([]int, len(qs))
	for i, q := range qs {
		k := q.ctx + "\x00" + q.norm
		if j, ok := first[k]; ok {
			rep[i] = j
			members[j] = append(members[j], i)
			count++
			continue
		}
		first[k] = i
		rep[i] = i
	}
	heads := make([]int, 0, len(members))
	for j := range members {
		heads = append(heads, j)
	}
	sort.Ints(heads)
	for _, j := range heads {
		g := DuplicateGroup{Questions: []QuestionRef{qs[j].ref}}
		for _, i := range members[j] {
			g.Questions = append(g.Questions, qs[i].ref)
		}
		groups = append(groups, g)
	}
	return groups, count, rep
}

// MinHash parameters: 16 bands of 4 rows. A pair of questions with Jaccard 0.9
// shares at least one band with probability 1−(1−0.9⁴)¹⁶ > 0.9999, one with
// Jaccard 0.5 with probability 0.64, so recall at the 0.9 threshold is
// essentially complete while most unrelated questions never meet.
const (
	bands   = 16
	rows    = 4
	nHashes = bands * rows
)

// nearDuplicates finds pairs of distinct questions (not exact copies of each
// other, from different pairs, about the same context) with shingle Jaccard at or
// above threshold. Candidates come from MinHash locality-sensitive hashing with
// the context in the bucket key, so the work grows with the number of questions
// times the number of hashes, not with the square of the suite size; every
// candidate is then checked with the exact Jaccard index.
func nearDuplicates(qs []question, rep []int, threshold float64, seed int64) []NearDuplicate {
	salts := make([]uint64, nHashes)
	x := uint64(seed) ^ 0x6a09e667f3bcc908
	for i := range salts {
		x = splitmix(x)
		salts[i] = x
	}
	buckets := map[[2]uint64][]int{}
	sig := make([]uint64, nHashes)
	for i, q := range qs {
		if rep[i] != i || len(q.sh) == 0 {
			continue // exact copies are reported as duplicates already
		}
		for h := range sig {
			sig[h] = math.MaxUint64
		}
		for s := range q.sh {
			base := hash64(s)
			for h, salt := range salts {
				if v := splitmix(base ^ salt); v < sig[h] {
					sig[h] = v
				}
			}
		}
		ctx := hash64(q.ctx)
		for b := 0; b < bands; b++ {
			f := fnv.New64a()
			var buf [8]byte
			binary.LittleEndian.PutUint64(buf[:], uint64(b))
			f.Write(buf[:])
			for _, v := range sig[b*rows : (b+1)*rows] {
				binary.LittleEndian.PutUint64(buf[:], v)
				f.Write(buf[:])
			}
			key := [2]uint64{ctx, f.Sum64()}
			buckets[key] = append(buckets[key], i)
		}
	}
	seen := map[[2]int]bool{}
	var out []NearDuplicate
	for _, members := range buckets {
		for x := 0; x < len(members); x++ {
			for y := x + 1; y < len(members); y++ {
				a, b := members[x], members[y]
				if a > b {
					a, b = b, a
				}
				if qs[a].ref.Pair == qs[b].ref.Pair || qs[a].ctx != qs[b].ctx || seen[[2]int{a, b}] {
					continue
				}
				seen[[2]int{a, b}] = true
				if j := jaccard(qs[a].sh, qs[b].sh); j >= threshold {
					out = append(out, NearDuplicate{A: qs[a].ref, B: qs[b].ref, Jaccard: round(j, 3)})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].A.Pair != out[j].A.Pair {
			return out[i].A.Pair < out[j].A.Pair
		}
		if out[i].A.Role != out[j].A.Role {
			return out[i].A.Role < out[j].A.Role
		}
		if out[i].B.Pair != out[j].B.Pair {
			return out[i].B.Pair < out[j].B.Pair
		}
		return out[i].B.Role < out[j].B.Role
	})
	return out
}

func hash64(s string) uint64 {
	f := fnv.New64a()
	f.Write([]byte(s))
	return f.Sum64()
}

// splitmix is the SplitMix64 finaliser: a cheap, well-mixed 64-bit permutation,
// used to derive the independent hash functions of the MinHash signature.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
