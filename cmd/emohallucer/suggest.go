package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	eh "github.com/emohallucer/emohallucer"
)

// flagError makes a flag parsing error a usage error, and for an unknown
// flag names the closest flag of the command ("did you mean --concurrency?"):
// cobra suggests commands but not flags.
func flagError(cmd *cobra.Command, err error) error {
	e := &eh.Error{Code: eh.EUSAGE, Message: err.Error()}
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return e
	}
	best, bestD := "", 3 // suggest only within an edit distance of 2
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 3 {
			d = min(d, 1) // --concur for --concurrency
		}
		if d < bestD {
			best, bestD = f.Name, d
		}
	})
	if best != "" {
		e.Hint = "did you mean --" + best + "? (" + cmd.CommandPath() + " --help lists the flags)"
	} else {
		e.Hint = cmd.CommandPath() + " --help lists the flags"
	}
	return e
}

// editDistance is the Levenshtein distance between a and b, in bytes (flag
// names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
