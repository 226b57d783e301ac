package suite

import (
	"hash/fnv"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// Selection picks the pairs a run evaluates; the zero value keeps them all.
type Selection struct {
	// Keep, when set, keeps only the pairs it accepts (a view such as
	// knowledge or modality:audio).
	Keep func(*eh.Pair) bool
	// Shard K of N (1-based; N == 0: no sharding) keeps the pairs whose id
	// hashes to K, so that N processes split a suite without talking to each
	// other, and the same pair always falls into the same shard.
	Shard Shard
	// Limit keeps the first Limit pairs left (0: all).
	Limit int
}

// Shard is one slice of a suite split N ways.
type Shard struct{ K, N int }

// String is the K/N form, "" for no sharding.
func (s Shard) String() string {
	if s.N == 0 {
		return ""
	}
	return strconv.Itoa(s.K) + "/" + strconv.Itoa(s.N)
}

// ParseShard parses "K/N" with 1 ≤ K ≤ N; "" is no sharding.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return Shard{}, eh.Errorf(eh.EUSAGE, "--shard wants K/N with 1 ≤ K ≤ N, not %q", s)
	}
	return Shard{k, n}, nil
}

// Select applies Keep, then Shard, then Limit. Nothing left is an EINVALID
// error.
func Select(pairs []eh.Pair, sel Selection) ([]eh.Pair, error) {
	var kept []eh.Pair
	for i := range pairs {
		p := &pairs[i]
		if sel.Keep != nil && !sel.Keep(p) {
			continue
		}
		if sel.Shard.N > 0 {
			h := fnv.New64a()
			h.Write([]byte(p.ID))
			if int(h.Sum64()%uint64(sel.Shard.N)) != sel.Shard.K-1 {
				continue
			}
		}
		kept = append(kept, *p)
		if sel.Limit > 0 && len(kept) == sel.Limit {
			break
		}
	}
	if len(kept) == 0 {
		return nil, eh.Errorf(eh.EINVALID, "no pairs left to evaluate after --subset/--shard/--limit")
	}
	return kept, nil
}
