// Package export writes a suite in the formats other harnesses load, and reads
// those exports back into suites:
//
//   - hf-jsonl: a folder with data.jsonl (one row per question, Hugging Face
//     datasets style: load_dataset("json", data_files="data.jsonl")) and the
//     media files at the paths the rows name.
//   - lmms-eval: the same rows as <task>.jsonl, plus a task YAML and the
//     utils.py it refers to, and the media files.
//   - vlmevalkit: a VLMEvalKit TSV (index, base64 image, question, answer,
//     category, l2-category) for image pairs with one image.
//
// Every row carries the whole pair (ids, role, gold answer, dimension,
// sub-category, modality, context, media with digests, explanation,
// corruption, source, tags), so that reading an export back gives the same
// pairs: export → import round-trips a suite without loss.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/interop"
)

// Format names.
const (
	HFJSONL    = "hf-jsonl"
	LMMSEval   = "lmms-eval"
	VLMEvalKit = "vlmevalkit"
)

// Formats lists the export formats.
var Formats = []string{VLMEvalKit, LMMSEval, HFJSONL}

// Row is one question of a pair as exported to JSON Lines. The convenience
// columns Image, Video and Audio name the first media file of that kind so
// that a datasets feature (Image(), Video(), Audio()) can be cast on them;
// everything else is the pair itself.
type Row struct {
	ID          string         `json:"id"`
	PairID      string         `json:"pair_id"`
	Role        eh.Role        `json:"role"`
	Question    string         `json:"question"`
	Answer      eh.Gold        `json:"answer"`
	Dimension   eh.Dimension   `json:"dimension"`
	SubCategory eh.SubCategory `json:"subcategory"`
	Modality    eh.Modality    `json:"modality"`
	Context     string         `json:"context"`
	Image       string         `json:"image,omitempty"`
	Video       string         `json:"video,omitempty"`
	Audio       string         `json:"audio,omitempty"`
	Media       []eh.Media     `json:"media"`
	Explanation string         `json:"explanation"`
	Corruption  string         `json:"corruption"`
	Source      eh.Source      `json:"source"`
	Tags        []string       `json:"tags"`
	// Lang and TranslationOf are the pair's; absent for English originals.
	Lang          eh.Lang `json:"lang,omitempty"`
	TranslationOf string  `json:"translation_of,omitempty"`
}

// Rows expands a pair into its two rows, basic first.
func Rows(p *eh.Pair) [2]Row {
	var out [2]Row
	for i, r := range []eh.Role{eh.Basic, eh.Hallucinated} {
		q := p.Question(r)
		row := Row{
			ID: p.ID + "/" + string(r), PairID: p.ID, Role: r, Question: q.Text, Answer: q.Gold,
			Dimension: p.Dimension, SubCategory: p.SubCategory, Modality: p.Modality,
			Context: p.Context.Text, Media: p.Context.Media, Explanation: p.Explanation,
			Corruption: p.Corruption, Source: p.Source, Tags: p.Tags, Lang: p.Lang, TranslationOf: p.TranslationOf,
		}
		if row.Media == nil {
			row.Media = []eh.Media{}
		}
		if row.Tags == nil {
			row.Tags = []string{}
		}
		for _, m := range p.Context.Media {
			switch {
			case m.Kind == eh.Image && row.Image == "":
				row.Image = m.Path
			case m.Kind == eh.Audio && row.Audio == "":
				row.Audio = m.Path
			case (m.Kind == eh.ShortVideo || m.Kind == eh.LongVideo) && row.Video == "":
				row.Video = m.Path
			}
		}
		out[i] = row
	}
	return out
}

// pairFromRows rebuilds a pair from its two rows, checking that they agree.
func pairFromRows(b, h Row) (eh.Pair, error) {
	if b.Role != eh.Basic || h.Role != eh.Hallucinated {
		return eh.Pair{}, eh.Errorf(eh.EINVALID, "pair %s: want one basic and one hallucinated row", b.PairID)
	}
	shared := func(r Row) string {
		r.ID, r.Role, r.Question, r.Answer = "", "", "", ""
		j, _ := json.Marshal(r)
		return string(j)
	}
	if shared(b) != shared(h) {
		return eh.Pair{}, eh.Errorf(eh.EINVALID, "pair %s: its two rows disagree on pair fields", b.PairID)
	}
	p := eh.Pair{
		ID: b.PairID, Dimension: b.Dimension, SubCategory: b.SubCategory, Modality: b.Modality,
		Context:      eh.Context{Text: b.Context, Media: b.Media},
		Basic:        eh.Question{Text: b.Question, Gold: b.Answer},
		Hallucinated: eh.Question{Text: h.Question, Gold: h.Answer},
		Explanation:  b.Explanation, Corruption: b.Corruption, Source: b.Source, Tags: b.Tags,
		Lang: b.Lang, TranslationOf: b.TranslationOf,
	}
	if len(p.Context.Media) == 0 {
		p.Context.Media = nil
	}
	if len(p.Tags) == 0 {
		p.Tags = nil
	}
	return p, nil
}

// groupRows turns rows (in any order) into pairs in the order their pairs
// first appear.
func groupRows(rows []Row, pos []string) ([]eh.Pair, error) {
	type two struct {
		b, h   *Row
		bp, hp string
	}
	var order []string
	byPair := map[string]*two{}
	for i := range rows {
		r := &rows[i]
		if r.PairID == "" {
			return nil, eh.Errorf(eh.EINVALID, "%s: missing pair_id", pos[i])
		}
		t := byPair[r.PairID]
		if t == nil {
			t = &two{}
			byPair[r.PairID] = t
			order = append(order, r.PairID)
		}
		switch r.Role {
		case eh.Basic:
			if t.b != nil {
				return nil, eh.Errorf(eh.EINVALID, "%s: second basic row of pair %s (first at %s)", pos[i], r.PairID, t.bp)
			}
			t.b, t.bp = r, pos[i]
		case eh.Hallucinated:
			if t.h != nil {
				return nil, eh.Errorf(eh.EINVALID, "%s: second hallucinated row of pair %s (first at %s)", pos[i], r.PairID, t.hp)
			}
			t.h, t.hp = r, pos[i]
		default:
			return nil, eh.Errorf(eh.EINVALID, "%s: role %q is neither basic nor hallucinated", pos[i], r.Role)
		}
	}
	pairs := make([]eh.Pair, 0, len(order))
	for _, id := range order {
		t := byPair[id]
		if t.b == nil || t.h == nil {
			return nil, eh.Errorf(eh.EINVALID, "pair %s has only one of its two rows", id)
		}
		p, err := pairFromRows(*t.b, *t.h)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}

// Summary says what an export wrote.
type Summary struct {
	Format string
	Files  []string // files written besides media
	Pairs  int
	Rows   int
	Media  int
	// Skipped counts pairs the format cannot hold, by reason.
	Skipped map[string]int
}

// Export writes suite s in format to out: a folder for hf-jsonl and
// lmms-eval, a .tsv file (or a folder to put <suite>.tsv in) for vlmevalkit.
func Export(ctx context.Context, format string, s *eh.Suite, out string) (*Summary, error) {
	switch format {
	case HFJSONL:
		return exportJSONL(ctx, s, out, "data.jsonl", false)
	case LMMSEval:
		return exportJSONL(ctx, s, out, TaskName(s.Name)+".jsonl", true)
	case VLMEvalKit:
		return exportTSV(ctx, s, out)
	}
	return nil, eh.Errorf(eh.EINVALID, "unknown export format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// TaskName is the lmms-eval task name for a suite: emohallucer_<suite name>.
func TaskName(suite string) string {
	n := strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(suite), "_"), "_")
	if n == "" {
		n = "suite"
	}
	return "emohallucer_" + n
}

func exportJSONL(ctx context.Context, s *eh.Suite, dir, name string, lmms bool) (*Summary, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	sum := &Summary{Format: HFJSONL, Pairs: len(s.Pairs)}
	if lmms {
		sum.Format = LMMSEval
	}
	n, err := copyMedia(ctx, s, dir)
	if err != nil {
		return nil, err
	}
	sum.Media = n
	file := filepath.Join(dir, name)
	if err := writeFile(file, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range s.Pairs {
			for _, r := range Rows(&s.Pairs[i]) {
				if err := enc.Encode(r); err != nil {
					return err
				}
				sum.Rows++
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	sum.Files = append(sum.Files, file)
	if lmms {
		files, err := writeLMMSTask(s.Name, dir, file)
		if err != nil {
			return nil, err
		}
		sum.Files = append(sum.Files, files...)
	}
	return sum, nil
}

// copyMedia copies every media file of the suite to the same relative path
// under dir, checking its digest.
func copyMedia(ctx context.Context, s *eh.Suite, dir string) (int, error) {
	done := map[string]bool{}
	for i := range s.Pairs {
		for _, m := range s.Pairs[i].Context.Media {
			if done[m.Path] {
				continue
			}
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			if s.Dir == "" {
				return 0, eh.Errorf(eh.EINVALID, "suite %s has media but no folder to read them from", s.Name)
			}
			src, err := resolve(s.Dir, m.Path)
			if err != nil {
				return 0, fmt.Errorf("pair %s: media %s: %w", s.Pairs[i].ID, m.Path, err)
			}
			got, err := interop.CopyFile(src, filepath.Join(dir, filepath.FromSlash(m.Path)))
			if err != nil {
				return 0, fmt.Errorf("pair %s: copy media %s: %w", s.Pairs[i].ID, m.Path, err)
			}
			if got != m.SHA256 {
				return 0, eh.Errorf(eh.EINVALID, "pair %s: media %s: digest mismatch (suite says %s…, file is %s…)", s.Pairs[i].ID, m.Path, m.SHA256[:12], got[:12])
			}
			done[m.Path] = true
		}
	}
	return len(done), nil
}

// writeFile writes a file through a buffered writer and reports every error,
// including the one from closing it.
func writeFile(name string, fill func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := fill(bw); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
