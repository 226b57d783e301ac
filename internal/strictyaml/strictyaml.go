// Package strictyaml decodes YAML configuration strictly: a key that matches no
// field, at any depth, is an error naming its line, so that a typo in a config
// is reported instead of silently ignored. It is the one strict decoder of the
// module; the models file and every provider section go through it.
package strictyaml

import (
	"reflect"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
)

// Decode decodes node into out (a pointer to a struct), refusing keys that match
// no field of the struct or of any struct nested in it (through pointers,
// slices and inline fields), with the line of the offending key. Map-typed
// fields take any keys. ignore lists top-level keys that belong to the caller
// (such as "provider"): they are accepted and not decoded. where names the
// section in messages. Errors are emohallucer.EINVALID.
func Decode(node *yaml.Node, out any, where string, ignore ...string) error {
	if node == nil {
		return emohallucer.Errorf(emohallucer.EINVALID, "%s: empty config section", where)
	}
	n := node
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	t := reflect.TypeOf(out)
	if t == nil || t.Kind() != reflect.Pointer {
		return emohallucer.Errorf(emohallucer.EINTERNAL, "strictyaml.Decode(%s): out must be a pointer, not %v", where, t)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		// "defaults:" with nothing under it: nothing to set.
		return nil
	}
	if n.Kind != yaml.MappingNode && elem(t.Elem()).Kind() == reflect.Struct {
		return emohallucer.Errorf(emohallucer.EINVALID, "%s: line %d: want a mapping of settings", where, n.Line)
	}
	if len(ignore) > 0 && n.Kind == yaml.MappingNode {
		clean := *n
		clean.Content = nil
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !slices.Contains(ignore, n.Content[i].Value) {
				clean.Content = append(clean.Content, n.Content[i], n.Content[i+1])
			}
		}
		n = &clean
	}
	if err := checkKeys(n, t.Elem(), where, ignore); err != nil {
		return err
	}
	if err := n.Decode(out); err != nil {
		return emohallucer.Errorf(emohallucer.EINVALID, "%s: %v", where, err)
	}
	return nil
}

// checkKeys walks n beside type t and reports the first key with no field.
// extra are keys accepted at this level only (the caller's ignore list, so
// that the "known:" list in a message mentions them too).
func checkKeys(n *yaml.Node, t reflect.Type, where string, extra []string) error {
	t = elem(t)
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		known := Keys(t)
		if hasInlineMap(t) {
			// An inline map takes every key the fields do not.
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			f, ok := known[k.Value]
			if !ok {
				names := make([]string, 0, len(known)+len(extra))
				for name := range known {
					names = append(names, name)
				}
				names = append(names, extra...)
				sort.Strings(names)
				return emohallucer.Errorf(emohallucer.EINVALID, "%s: line %d: unknown key %q (known: %s)", where, k.Line, k.Value, strings.Join(names, ", "))
			}
			if err := checkKeys(n.Content[i+1], t.FieldByIndex(f).Type, where+", "+k.Value, nil); err != nil {
				return err
			}
		}
	case n.Kind == yaml.SequenceNode && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for _, c := range n.Content {
			if err := checkKeys(c, t.Elem(), where, nil); err != nil {
				return err
			}
		}
	case n.Kind == yaml.AliasNode && n.Alias != nil:
		return checkKeys(n.Alias, t, where, extra)
	}
	return nil
}

// Keys maps the YAML keys of struct type t to their field indexes, descending
// into inline fields. Callers use it to split a mapping between two structs.
func Keys(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	addKeys(elem(t), nil, out)
	return out
}

func addKeys(t reflect.Type, prefix []int, into map[string][]int) {
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		// As in yaml.v3, an unexported embedded struct still counts.
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		index := append(append([]int(nil), prefix...), i)
		if strings.Contains(opts, "inline") {
			addKeys(elem(f.Type), index, into)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		into[name] = index
	}
}

// hasInlineMap tells whether struct t (or a struct inlined in it) has an inline
// map field.
func hasInlineMap(t reflect.Type) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		_, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !strings.Contains(opts, "inline") {
			continue
		}
		if ft := elem(f.Type); ft.Kind() == reflect.Map || (ft.Kind() == reflect.Struct && hasInlineMap(ft)) {
			return true
		}
	}
	return false
}

func elem(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
