package ferplus

import (
	"strings"
	"testing"

	"github.com/emohallucer/emohallucer/importers/swap"
)

// TestAllowed is the table of the describe gold rule of FER+: labels with at
// least 30 % of a face's votes are allowed besides the majority label.
func TestAllowed(t *testing.T) {
	cases := []struct {
		label swap.Label
		votes []int // in voteOrder: neutral happiness surprise sadness anger disgust fear contempt unknown NF
		want  string
	}{
		{swap.Happiness, []int{0, 10, 0, 0, 0, 0, 0, 0, 0, 0}, ""},                             // unanimous
		{swap.Happiness, []int{3, 7, 0, 0, 0, 0, 0, 0, 0, 0}, "allowed:neutral"},               // 3 of 10 is 30 %
		{swap.Happiness, []int{2, 7, 1, 0, 0, 0, 0, 0, 0, 0}, ""},                              // 2 of 10 is below
		{swap.Fear, []int{0, 0, 3, 0, 0, 0, 7, 0, 0, 0}, "allowed:surprise"},                   // fear with surprise
		{swap.Neutral, []int{7, 0, 0, 0, 0, 0, 0, 0, 3, 0}, ""},                                // unknown is no label
		{swap.Neutral, []int{7, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ""},                                // the majority itself is not "allowed"
		{swap.Happiness, []int{0, 2, 0, 4, 4, 0, 0, 0, 0, 0}, "allowed:sadness,allowed:anger"}, // several, in vote order
		{swap.Anger, []int{0, 0, 0, 0, 14, 0, 0, 6, 0, 0}, "allowed:contempt"},                 // shares, not counts: 6 of 20
	}
	for _, c := range cases {
		total := 0
		for _, n := range c.votes {
			total += n
		}
		f := &face{label: c.label, all: byLabel(c.votes), total: total}
		if got := strings.Join(f.allowed(), ","); got != c.want {
			t.Errorf("votes %v: allowed %q, want %q", c.votes, got, c.want)
		}
	}
}
