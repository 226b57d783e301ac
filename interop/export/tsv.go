package export

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/suite"
)

// tsvColumns are the VLMEvalKit columns (index, image, question, answer,
// category, l2-category) followed by ours, which carry the pair whole.
// question is the prompt VLMEvalKit shows (the context, a blank line, the
// question); raw_question is the pair's question alone.
var tsvColumns = []string{"index", "image", "question", "answer", "category", "l2-category",
	"pair_id", "role", "raw_question", "context", "dimension", "subcategory", "modality",
	"media", "explanation", "corruption", "source", "tags"}

// Reasons a pair is left out of a VLMEvalKit export.
const (
	skipNotImage   = "not an image pair (VLMEvalKit image datasets need one image per row)"
	skipMultiImage = "more than one media file"
)

// exportTSV writes a VLMEvalKit TSV. Only image pairs with exactly one image
// fit: VLMEvalKit's image datasets need an image on every row. The second row
// of a pair stores the index of the first instead of the image again, which
// VLMEvalKit resolves ("the image field can store … another question index").
func exportTSV(ctx context.Context, s *eh.Suite, out string) (*Summary, error) {
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		out = filepath.Join(out, s.Name+".tsv")
	} else if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	sum := &Summary{Format: VLMEvalKit, Skipped: map[string]int{}}
	err := writeFile(out, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Comma = '\t'
		if err := cw.Write(tsvColumns); err != nil {
			return err
		}
		firstRow := map[string]int{} // media path → index of the row holding its bytes
		index := 0
		for i := range s.Pairs {
			if err := ctx.Err(); err != nil {
				return err
			}
			p := &s.Pairs[i]
			if p.Modality != eh.Image || len(p.Context.Media) == 0 || p.Context.Media[0].Kind != eh.Image {
				sum.Skipped[skipNotImage]++
				continue
			}
			if len(p.Context.Media) > 1 {
				sum.Skipped[skipMultiImage]++
				continue
			}
			m := p.Context.Media[0]
			for _, r := range Rows(p) {
				image := ""
				if j, ok := firstRow[m.Path]; ok {
					image = strconv.Itoa(j)
				} else {
					b64, err := imageBase64(s, m)
					if err != nil {
						return fmt.Errorf("pair %s: %w", p.ID, err)
					}
					image = b64
					firstRow[m.Path] = index
					sum.Media++
				}
				media, _ := json.Marshal(r.Media)
				source, _ := json.Marshal(r.Source)
				tags, _ := json.Marshal(r.Tags)
				prompt := r.Question
				if r.Context != "" {
					prompt = r.Context + "\n\n" + r.Question
				}
				rec := []string{strconv.Itoa(index), image, prompt, capital(string(r.Answer)), string(r.SubCategory), string(r.Modality),
					r.PairID, string(r.Role), r.Question, r.Context, string(r.Dimension), string(r.SubCategory), string(r.Modality),
					string(media), r.Explanation, r.Corruption, string(source), string(tags)}
				if err := cw.Write(rec); err != nil {
					return err
				}
				index++
				sum.Rows++
			}
			sum.Pairs++
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return nil, err
	}
	sum.Files = []string{out}
	return sum, nil
}

func imageBase64(s *eh.Suite, m eh.Media) (string, error) {
	full, err := resolve(s.Dir, m.Path)
	if err != nil {
		return "", fmt.Errorf("media %s: %w", m.Path, err)
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return "", err
	}
	if got := sha256Hex(data); got != m.SHA256 {
		return "", eh.Errorf(eh.EINVALID, "media %s: digest mismatch (suite says %s…, file is %s…)", m.Path, m.SHA256[:12], got[:12])
	}
	b64 := base64.StdEncoding.EncodeToString(data)
	if len(b64) <= 64 {
		// VLMEvalKit would read so short a value as a row index.
		return "", eh.Errorf(eh.EINVALID, "media %s: %d bytes is too small to be an image", m.Path, len(data))
	}
	return b64, nil
}

func resolve(dir, rel string) (string, error) {
	if dir == "" {
		return "", eh.Errorf(eh.EINVALID, "the suite has no folder to read media from")
	}
	return suite.Resolve(dir, rel)
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
