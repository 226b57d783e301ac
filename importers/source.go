package importers

import (
	"fmt"
	"slices"
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// SplitSource splits what follows NAME= in `--from NAME=PATH[,key=value…]`
// into the path and its options, refusing keys outside known so that a typo
// is not silently ignored (ravdess=DIR,ratings=FILE). A path that contains a
// comma cannot be written this way; give it through a symbolic link.
func SplitSource(name, src string, known ...string) (string, map[string]string, error) {
	parts := strings.Split(src, ",")
	opts := map[string]string{}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || !slices.Contains(known, k) || strings.TrimSpace(v) == "" {
			return "", nil, &eh.Error{Code: eh.EINVALID, Message: fmt.Sprintf("%s: source option %q: want key=value with key one of %s", name, p, strings.Join(known, ", ")),
				Hint: fmt.Sprintf("write --from '%s=PATH,%s=VALUE'", name, known[0])}
		}
		if _, dup := opts[k]; dup {
			return "", nil, eh.Errorf(eh.EINVALID, "%s: source option %s given twice", name, k)
		}
		opts[k] = strings.TrimSpace(v)
	}
	return strings.TrimSpace(parts[0]), opts, nil
}
