package score

import "strings"

// Views by where a pair came from and what it is about. A pair belongs to
// source:<dataset> (its Source.Dataset, carried on every record), to
// emotion:<label> for each of its tags emotion:<label> (the gold label the
// importers tag), and to tag:<key>:<value> for every other tag key:value it
// carries.
const (
	sourcePrefix  = "source:"
	emotionPrefix = "emotion:"
	tagPrefix     = "tag:"
)

// MaxTagValues bounds which tag views a summary lists: a tag key with more
// distinct values than this in a run (actor ids, sentence numbers) would bury
// the summary and the report's selector under one-actor views, so its views
// are left out of summary.json. Any tag view can still be asked for by name
// (--subset tag:actor:01, score --view), which ViewMatches answers.
const MaxTagValues = 12

// labelViews names the source, emotion and tag views of a record.
func labelViews(r *recMeta) []string {
	var vs []string
	if r.Source != "" {
		vs = append(vs, sourcePrefix+r.Source)
	}
	for _, t := range r.Tags {
		key, val, ok := strings.Cut(t, ":")
		if !ok || key == "" || val == "" {
			continue
		}
		if key == "emotion" && !strings.Contains(val, "+") {
			vs = append(vs, t) // the same pairs as tag:emotion:<label>, listed once
			continue
		}
		vs = append(vs, tagPrefix+t)
	}
	return vs
}

// validLabelView reports whether name is a source, emotion or tag view name.
func validLabelView(name string) bool {
	for _, p := range []string{sourcePrefix, emotionPrefix} {
		if v, ok := strings.CutPrefix(name, p); ok {
			return v != ""
		}
	}
	if kv, ok := strings.CutPrefix(name, tagPrefix); ok {
		k, v, ok := strings.Cut(kv, ":")
		return ok && k != "" && v != ""
	}
	return false
}

// labelViewRank orders source views before emotion views before tag views,
// after the views of the benchmark's own axes.
func labelViewRank(name string) (int, bool) {
	switch {
	case strings.HasPrefix(name, sourcePrefix):
		return 7, true
	case strings.HasPrefix(name, emotionPrefix):
		return 8, true
	case strings.HasPrefix(name, tagPrefix):
		return 9, true
	}
	return 0, false
}

// dropWideTagViews removes from members the tag views of keys that have more
// than MaxTagValues values.
func dropWideTagViews[T any](members map[string]T) {
	values := map[string][]string{}
	for name := range members {
		if kv, ok := strings.CutPrefix(name, tagPrefix); ok {
			k, _, _ := strings.Cut(kv, ":")
			values[k] = append(values[k], name)
		}
	}
	for _, names := range values {
		if len(names) > MaxTagValues {
			for _, name := range names {
				delete(members, name)
			}
		}
	}
}
