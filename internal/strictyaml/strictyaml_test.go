package strictyaml

import (
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/emohallucer/emohallucer"
)

type common struct {
	Name string `yaml:"name"`
}

type price struct {
	Input float64 `yaml:"input"`
}

type item struct {
	ID string `yaml:"id"`
}

type config struct {
	common  `yaml:",inline"`
	Price   *price            `yaml:"price"`
	Items   []item            `yaml:"items"`
	Headers map[string]string `yaml:"headers"`
	Retries int               `yaml:"retries"`
	Skipped string            `yaml:"-"`
}

type withInlineMap struct {
	Name string         `yaml:"name"`
	Rest map[string]any `yaml:",inline"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, yaml string
		ignore     []string
		want       string // substring of the error; "" for success
	}{
		// Every kind of field, including an inline one, decodes.
		{"ok", "name: a\nprice: {input: 1}\nitems: [{id: x}]\nheaders: {X-Any: v}\nretries: 2\n", nil, ""},
		// A typo at the top is refused with its line and the known keys.
		{"unknown top", "name: a\nretires: 2\n", nil, `cfg: line 2: unknown key "retires" (known: headers, items, name, price, retries)`},
		// A typo inside a nested struct names the path and its own line.
		{"unknown nested", "name: a\nprice:\n  inptu: 1\n", nil, `cfg, price: line 3: unknown key "inptu"`},
		// A typo inside a struct in a list is found too.
		{"unknown in list", "items:\n  - id: x\n  - di: y\n", nil, `line 3: unknown key "di"`},
		// A field tagged "-" is no key.
		{"dash field", "Skipped: x\n", nil, `unknown key "Skipped"`},
		// Keys the caller owns are accepted and not decoded.
		{"ignored", "provider: openai\nname: a\n", []string{"provider"}, ""},
		// The ignored keys show in the known list.
		{"ignored listed", "provider: openai\nnmae: a\n", []string{"provider"}, "known: headers, items, name, price, provider, retries"},
		// A map field takes any keys.
		{"map any keys", "headers: {a: b, c: d}\n", nil, ""},
		// A scalar where settings belong is refused with its line.
		{"not a mapping", "- a\n", nil, "cfg: line 1: want a mapping of settings"},
		// A wrong value type is an invalid-input error from the decoder.
		{"bad type", "retries: many\n", nil, "cannot unmarshal"},
		// A key reached through an alias is checked where it is used.
		{"alias", "base: &p {inptu: 1}\n", nil, `unknown key "base"`},
		{"alias nested", "items:\n  - &i {id: x, bad: 1}\n", nil, `unknown key "bad"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			var c config
			err := Decode(&doc, &c, "cfg", tc.ignore...)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode error = %v, want it to contain %q", err, tc.want)
			}
			if code := emohallucer.ErrorCode(err); code != emohallucer.EINVALID {
				t.Errorf("code = %q, want %q", code, emohallucer.EINVALID)
			}
		})
	}
}

func TestDecodeValues(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("provider: x\nname: a\nprice: {input: 2.5}\nitems: [{id: x}]\n"), &doc); err != nil {
		t.Fatal(err)
	}
	var c config
	if err := Decode(&doc, &c, "cfg", "provider"); err != nil {
		t.Fatal(err)
	}
	if c.Name != "a" || c.Price == nil || c.Price.Input != 2.5 || len(c.Items) != 1 || c.Items[0].ID != "x" {
		t.Errorf("decoded %+v", c)
	}
}

func TestDecodeNullAndNil(t *testing.T) {
	// "defaults:" with nothing under it sets nothing.
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("d:\n"), &doc); err != nil {
		t.Fatal(err)
	}
	var c config
	if err := Decode(doc.Content[0].Content[1], &c, "d"); err != nil {
		t.Errorf("null section: %v", err)
	}
	// A missing section is an error naming it.
	if err := Decode(nil, &c, "openai model"); err == nil || !strings.Contains(err.Error(), "openai model: empty config section") {
		t.Errorf("nil section: %v", err)
	}
}

func TestDecodeInlineMap(t *testing.T) {
	// A struct with an inline map takes every key.
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("name: a\nanything: 1\n"), &doc); err != nil {
		t.Fatal(err)
	}
	var c withInlineMap
	if err := Decode(&doc, &c, "x"); err != nil {
		t.Fatal(err)
	}
	if c.Rest["anything"] != 1 {
		t.Errorf("rest = %v", c.Rest)
	}
}

func TestKeys(t *testing.T) {
	k := Keys(typeOf[config]())
	// The inline field's key has the index path through the embedded struct.
	if got := k["name"]; len(got) != 2 || got[0] != 0 || got[1] != 0 {
		t.Errorf(`Keys["name"] = %v, want [0 0]`, got)
	}
	if _, ok := k["Skipped"]; ok {
		t.Error(`Keys lists a "-" field`)
	}
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }
