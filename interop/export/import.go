package export

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
)

// Importer reads an export back into suite pairs; it implements
// importers.Importer so that `emohallucer build --from hf-jsonl=DIR` (or
// lmms-eval=DIR, vlmevalkit=FILE.tsv) rebuilds the suite. Media files are
// placed at the paths the rows name (paths under media/ are kept as they are)
// and their digests checked.
type Importer struct{ Format string }

var _ importers.Importer = Importer{}

// Importers returns the importers of the three export formats.
func Importers() []importers.Importer {
	return []importers.Importer{Importer{HFJSONL}, Importer{LMMSEval}, Importer{VLMEvalKit}}
}

// Name implements importers.Importer.
func (im Importer) Name() string { return im.Format }

// Import implements importers.Importer. src is the export folder (or its
// .jsonl / .tsv file).
func (im Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	var (
		pairs []eh.Pair
		media map[string]string // media path → file holding its bytes
		err   error
	)
	switch im.Format {
	case HFJSONL, LMMSEval:
		pairs, media, err = readJSONLExport(src)
	case VLMEvalKit:
		var tmp string
		tmp, err = os.MkdirTemp("", "emohallucer-tsv-*")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		pairs, media, err = readTSV(ctx, src, tmp)
	default:
		return nil, eh.Errorf(eh.EINVALID, "unknown export format %q", im.Format)
	}
	if err != nil {
		return nil, err
	}
	res := &importers.Result{Items: len(pairs), FilesRead: 1}
	for i := range pairs {
		p := &pairs[i]
		for j, m := range p.Context.Media {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			file, ok := media[m.Path]
			if !ok {
				return nil, eh.Errorf(eh.EINVALID, "pair %s: media %s is not in the export", p.ID, m.Path)
			}
			rel := strings.TrimPrefix(path.Clean(m.Path), "media/")
			placed, err := env.Out.Copy(file, rel, m.Kind, m.SHA256)
			if err != nil {
				return nil, fmt.Errorf("pair %s: %w", p.ID, err)
			}
			placed.MIME = m.MIME
			p.Context.Media[j] = placed
		}
		if err := p.Validate(); err != nil {
			return nil, err
		}
	}
	res.Pairs = pairs
	return res, nil
}

// readJSONLExport reads data.jsonl (hf-jsonl) or the one *.jsonl of an
// lmms-eval export; media paths are relative to the file's folder.
func readJSONLExport(src string) ([]eh.Pair, map[string]string, error) {
	file := src
	if st, err := os.Stat(src); err != nil {
		return nil, nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: not found", src)}
	} else if st.IsDir() {
		m, _ := filepath.Glob(filepath.Join(src, "*.jsonl"))
		if len(m) != 1 {
			return nil, nil, eh.Errorf(eh.EINVALID, "%s: want exactly one .jsonl file in the export folder, found %d", src, len(m))
		}
		file = m[0]
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var rows []Row
	var pos []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var r Row
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return nil, nil, eh.Errorf(eh.EINVALID, "%s:%d: %v", file, line, err)
		}
		rows = append(rows, r)
		pos = append(pos, fmt.Sprintf("%s:%d", file, line))
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s:%d: %w", file, line+1, err)
	}
	pairs, err := groupRows(rows, pos)
	if err != nil {
		return nil, nil, err
	}
	dir := filepath.Dir(file)
	media := map[string]string{}
	for _, p := range pairs {
		for _, m := range p.Context.Media {
			if err := eh.CheckMediaPath(m.Path); err != nil {
				return nil, nil, fmt.Errorf("pair %s: %w", p.ID, err)
			}
			media[m.Path] = filepath.Join(dir, filepath.FromSlash(m.Path))
		}
	}
	return pairs, media, nil
}

// readTSV reads a VLMEvalKit TSV written by exportTSV, decoding each image
// into tmp.
func readTSV(ctx context.Context, src, tmp string) ([]eh.Pair, map[string]string, error) {
	f, err := os.Open(src)
	if err != nil {
		return nil, nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: not found", src)}
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comma = '\t'
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, eh.Errorf(eh.EINVALID, "%s: read header: %v", src, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, c := range tsvColumns {
		if _, ok := col[c]; !ok {
			return nil, nil, eh.Errorf(eh.EINVALID, "%s: column %q missing (only TSV files written by emohallucer can be read back)", src, c)
		}
	}
	var rows []Row
	var pos []string
	images := map[string]string{} // index → base64
	var recs [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, nil, eh.Errorf(eh.EINVALID, "%s:%d: %v", src, line, err)
		}
		if len(rec) != len(header) {
			return nil, nil, eh.Errorf(eh.EINVALID, "%s:%d: %d fields, the header has %d", src, line, len(rec), len(header))
		}
		images[rec[col["index"]]] = rec[col["image"]]
		recs = append(recs, rec)
		pos = append(pos, fmt.Sprintf("%s:%d", src, line))
	}
	media := map[string]string{}
	for i, rec := range recs {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		get := func(c string) string { return rec[col[c]] }
		r := Row{PairID: get("pair_id"), Role: eh.Role(get("role")), Question: get("raw_question"),
			Answer: eh.Gold(strings.ToLower(get("answer"))), Dimension: eh.Dimension(get("dimension")),
			SubCategory: eh.SubCategory(get("subcategory")), Modality: eh.Modality(get("modality")),
			Context: get("context"), Explanation: get("explanation"), Corruption: get("corruption")}
		for _, j := range []struct {
			c string
			v any
		}{{"media", &r.Media}, {"source", &r.Source}, {"tags", &r.Tags}} {
			if err := json.Unmarshal([]byte(get(j.c)), j.v); err != nil {
				return nil, nil, eh.Errorf(eh.EINVALID, "%s: column %s: %v", pos[i], j.c, err)
			}
		}
		r.ID = r.PairID + "/" + string(r.Role)
		if len(r.Media) == 1 {
			r.Image = r.Media[0].Path
			m := r.Media[0]
			if _, done := media[m.Path]; !done {
				b64 := get("image")
				if len(b64) <= 64 { // a reference to the row holding the bytes
					b64 = images[b64]
				}
				data, err := base64.StdEncoding.DecodeString(b64)
				if err != nil {
					return nil, nil, eh.Errorf(eh.EINVALID, "%s: image: %v", pos[i], err)
				}
				sum := sha256.Sum256(data)
				if got := hex.EncodeToString(sum[:]); got != m.SHA256 {
					return nil, nil, eh.Errorf(eh.EINVALID, "%s: image bytes do not match the digest of %s", pos[i], m.Path)
				}
				file := filepath.Join(tmp, fmt.Sprintf("%d%s", len(media), path.Ext(m.Path)))
				if err := os.WriteFile(file, data, 0o600); err != nil {
					return nil, nil, err
				}
				media[m.Path] = file
			}
		}
		rows = append(rows, r)
	}
	pairs, err := groupRows(rows, pos)
	if err != nil {
		return nil, nil, err
	}
	return pairs, media, nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
