package stack

import (
	"slices"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/prep"
)

// ParseModalities reads a --modalities list ("image,audio"): every name
// must be a modality, and text is always added, since every prompt is text.
func ParseModalities(names []string) ([]eh.Modality, error) {
	out := []eh.Modality{eh.Text}
	for _, n := range names {
		m := eh.Modality(strings.TrimSpace(n))
		if !m.Valid() {
			return nil, eh.Errorf(eh.EUSAGE, "--modalities: unknown modality %q (want some of %v)", n, eh.Modalities)
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// withModalities declares other modalities for a model than its provider
// does (--modalities): the user knows a server takes images or audio that
// the provider's default leaves out. Questions of those modalities are then
// sent; the model's identity, and so the response cache, is unchanged, since
// the answers to the questions it took before are the same.
func withModalities(m eh.Model, mods []eh.Modality) eh.Model {
	w := modalities{Model: m, mods: mods}
	if c, ok := m.(prep.MediaChecker); ok {
		// Keep the server's own capability check (Ollama's /api/show) visible
		// to the drop watch.
		return checkedModalities{w, c}
	}
	return w
}

type modalities struct {
	eh.Model
	mods []eh.Modality
}

// Capabilities are the model's with the declared modalities replaced.
func (m modalities) Capabilities() eh.Capabilities {
	c := m.Model.Capabilities()
	c.Modalities = slices.Clone(m.mods)
	return c
}

type checkedModalities struct {
	modalities
	prep.MediaChecker
}
