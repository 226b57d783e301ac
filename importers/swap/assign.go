package swap

import (
	"fmt"
	"sort"
)

// Item is one labelled item that needs a wrong label for its hallucinated
// question. Key must be unique and stable (the dataset's item id).
type Item struct {
	Key  string
	Gold Label
}

// AssignOptions control Assign.
type AssignOptions struct {
	// Neighbors returns the labels an item with gold l may be swapped to. Nil
	// means the Table (Confusables). Labels not present among the items are
	// ignored: a label that never appears as gold could not be balanced.
	Neighbors func(l Label) []Label
	// Trim drops items until the assignment is exactly balanced. Use it where
	// items are plentiful (text corpora); leave it off for scarce media, where
	// every item is kept and the balance is as close as the counts allow.
	Trim bool
	// MaxPerLabel keeps at most this many items per gold label (0: no bound),
	// chosen with the seed, before balancing.
	MaxPerLabel int
}

// Assignment is the outcome of Assign.
type Assignment struct {
	// Wrong maps each kept item's key to its wrong label.
	Wrong map[string]Label
	// Dropped maps each dropped item's key to the reason.
	Dropped map[string]string
}

// Assign chooses a wrong label for every item so that, over the kept items,
// each label is used as a wrong label as often as it is a gold label.
//
// It solves a transportation problem by maximum flow: gold label a supplies
// n(a) items, wrong label b absorbs n(b) uses, and an edge a→b exists when the
// two are confusable. A flow that saturates every supply is an exactly balanced
// assignment. Which item gets which wrong label, and which items are trimmed,
// is chosen with r.
func Assign(items []Item, r *Rand, opt AssignOptions) (Assignment, error) {
	res := Assignment{Wrong: map[string]Label{}, Dropped: map[string]string{}}
	neighbors := opt.Neighbors
	if neighbors == nil {
		neighbors = Confusables
	}
	byLabel := map[Label][]string{}
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.Key] {
			return res, fmt.Errorf("swap: duplicate item key %q", it.Key)
		}
		seen[it.Key] = true
		byLabel[it.Gold] = append(byLabel[it.Gold], it.Key)
	}
	labels := make([]Label, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	sort.Slice(labels, func(i, j int) bool { return labels[i] < labels[j] })
	for _, l := range labels {
		byLabel[l] = r.ShuffledKeys(byLabel[l])
		if opt.MaxPerLabel > 0 && len(byLabel[l]) > opt.MaxPerLabel {
			for _, k := range byLabel[l][opt.MaxPerLabel:] {
				res.Dropped[k] = fmt.Sprintf("over the limit of %d items per label", opt.MaxPerLabel)
			}
			byLabel[l] = byLabel[l][:opt.MaxPerLabel]
		}
	}
	idx := map[Label]int{}
	for i, l := range labels {
		idx[l] = i
	}
	adj := make([][]int, len(labels))
	for i, l := range labels {
		for _, n := range neighbors(l) {
			if j, ok := idx[n]; ok && j != i {
				adj[i] = append(adj[i], j)
			}
		}
		sort.Ints(adj[i])
	}
	count := make([]int, len(labels))
	for i, l := range labels {
		count[i] = len(byLabel[l])
	}
	flow := solve(count, adj)
	if opt.Trim {
		// Shrink each label to what it both sent and received and solve again,
		// until the flow saturates: then every kept label is used as often as
		// a wrong label as it is a gold one.
		for !saturated(flow, count) {
			for i := range count {
				out, in := 0, 0
				for j := range count {
					out += flow[i][j]
					in += flow[j][i]
				}
				count[i] = min(count[i], out, in)
			}
			flow = solve(count, adj)
		}
		for i, l := range labels {
			for _, k := range byLabel[l][count[i]:] {
				res.Dropped[k] = fmt.Sprintf("dropped to keep labels balanced (too many %s items for their confusable labels)", l)
			}
			byLabel[l] = byLabel[l][:count[i]]
		}
	} else {
		// Items the flow could not place go to the confusable label that is
		// furthest behind its gold count; items with no confusable label
		// present are dropped.
		in := make([]int, len(labels))
		for i := range labels {
			for j := range labels {
				in[j] += flow[i][j]
			}
		}
		for i := range labels {
			out := 0
			for j := range labels {
				out += flow[i][j]
			}
			for ; out < count[i]; out++ {
				best := -1
				for _, j := range adj[i] {
					if best < 0 || count[j]-in[j] > count[best]-in[best] {
						best = j
					}
				}
				if best < 0 {
					break
				}
				flow[i][best]++
				in[best]++
			}
		}
	}
	for i, l := range labels {
		var wrong []Label
		for j := range labels {
			for n := 0; n < flow[i][j]; n++ {
				wrong = append(wrong, labels[j])
			}
		}
		keys := byLabel[l]
		for n, k := range keys {
			if n < len(wrong) {
				res.Wrong[k] = wrong[n]
			} else {
				res.Dropped[k] = fmt.Sprintf("no confusable label for %s among this dataset's labels", l)
			}
		}
	}
	return res, nil
}

func saturated(flow [][]int, count []int) bool {
	for i := range count {
		out := 0
		for j := range count {
			out += flow[i][j]
		}
		if out != count[i] {
			return false
		}
	}
	return true
}

// solve returns the maximum flow x[i][j] from supplies count[i] to demands
// count[j] over the edges adj. It first caps each edge at an even share of its
// label's items, so that a label's wrong answers spread over all its
// confusable labels, then lifts the caps and augments to the maximum.
func solve(count []int, adj [][]int) [][]int {
	n := len(count)
	// Nodes: 0 source, 1..n gold labels, n+1..2n wrong labels, 2n+1 sink.
	size := 2*n + 2
	src, sink := 0, 2*n+1
	capm := make([][]int, size)
	for i := range capm {
		capm[i] = make([]int, size)
	}
	for i := 0; i < n; i++ {
		capm[src][1+i] = count[i]
		capm[1+n+i][sink] = count[i]
	}
	for pass := 0; pass < 2; pass++ {
		for i := 0; i < n; i++ {
			if len(adj[i]) == 0 {
				continue
			}
			share := (count[i] + len(adj[i]) - 1) / len(adj[i])
			for _, j := range adj[i] {
				used := capm[1+n+j][1+i] // reverse residual = flow already sent
				if pass == 0 {
					capm[1+i][1+n+j] = share - used
				} else {
					capm[1+i][1+n+j] = count[i] - used
				}
			}
		}
		maxflow(capm, src, sink)
	}
	flow := make([][]int, n)
	for i := range flow {
		flow[i] = make([]int, n)
		for j := 0; j < n; j++ {
			flow[i][j] = capm[1+n+j][1+i]
		}
	}
	return flow
}

// maxflow augments along shortest paths (Edmonds–Karp) until none is left,
// leaving the residual capacities in c. The graphs here have a few dozen nodes.
func maxflow(c [][]int, s, t int) {
	n := len(c)
	for {
		prev := make([]int, n)
		for i := range prev {
			prev[i] = -1
		}
		prev[s] = s
		queue := []int{s}
		for len(queue) > 0 && prev[t] < 0 {
			u := queue[0]
			queue = queue[1:]
			for v := 0; v < n; v++ {
				if prev[v] < 0 && c[u][v] > 0 {
					prev[v] = u
					queue = append(queue, v)
				}
			}
		}
		if prev[t] < 0 {
			return
		}
		push := int(^uint(0) >> 1)
		for v := t; v != s; v = prev[v] {
			push = min(push, c[prev[v]][v])
		}
		for v := t; v != s; v = prev[v] {
			c[prev[v]][v] -= push
			c[v][prev[v]] += push
		}
	}
}
