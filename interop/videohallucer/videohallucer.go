// Package videohallucer reads VideoHallucer (Wang et al., 2024) pair files and
// result files, scores results with the benchmark's own metrics, and builds suite
// pairs.
//
// # Questions
//
// A VideoHallucer file is a JSON array of pairs: {"basic": {"video", "question",
// "answer"}, "hallucination": {…}, "type": "subject"}. Result files written by
// its evaluation code are the same array with a "predict" string added to both
// questions. Pairs carry no id of their own, so a pair is identified by its
// hallucination type (the qa_type of the reference code: obj_rel, temporal,
// semantic, fact, nonfact, factdet, interaction, taken from the file name) and
// its position in the file: our id is videohallucer-<type>-<index>, counting
// from 0.
//
// # Mapping to our pairs
//
// VideoHallucer pairs are ours already: a basic question (gold yes) and a
// hallucinated one (gold no) about one video. Pairs whose gold answers are not
// yes/no in that order (the fact-detection set asks two questions with gold no)
// cannot be suite pairs and are skipped when building; they are still scored.
// As the reference code does, both questions are asked about the basic
// question's video. Object-relation, temporal, semantic-detail and interaction
// hallucinations map to our reasoning-cue (a cue invented or misread); external
// factual and non-factual hallucinations to reasoning-result (a conclusion
// the video does not support). Modality is short-video.
package videohallucer

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/importers"
	"github.com/emohallucer/emohallucer/interop"
)

// Name is the format name used by --from and --format.
const Name = "videohallucer"

// Citation names the benchmark in pair sources.
const Citation = "Wang et al., VideoHallucer: Evaluating Intrinsic and Extrinsic Hallucinations in Large Video-Language Models, 2024"

// types maps the reference's qa_type names and the dataset folder/file stems to
// the qa_type.
var types = map[string]string{
	"obj_rel": "obj_rel", "object_relation": "obj_rel",
	"temporal": "temporal",
	"semantic": "semantic", "semantic_detail": "semantic",
	"fact": "fact", "external_factual": "fact",
	"nonfact": "nonfact", "external_nonfactual": "nonfact",
	"factdet": "factdet", "fact_detect": "factdet",
	"interaction": "interaction",
}

// typeOf derives the qa_type from a file name: a dataset file named after its
// folder (object_relation.json) or, for result files, the reference code's
// {qa_type}_{model}.json. Unknown names give "". Dataset files are matched
// exactly so that neighbours such as fact_detect_yn.json are not taken for a
// type.
func typeOf(path string, results bool) string {
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if t, ok := types[stem]; ok {
		return t
	}
	if !results {
		return ""
	}
	// Longest prefix first, so that "nonfact_" is not read as "fact_".
	keys := make([]string, 0, len(types))
	for k := range types {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) > len(keys[j]) || len(keys[i]) == len(keys[j]) && keys[i] < keys[j]
	})
	for _, k := range keys {
		if strings.HasPrefix(stem, k+"_") {
			return types[k]
		}
	}
	return ""
}

// QA is one question of a pair.
type QA struct {
	Video    string  `json:"video"`
	Question string  `json:"question"`
	Answer   string  `json:"answer"`
	Predict  *string `json:"predict,omitempty"`
}

// Pair is one VideoHallucer pair.
type Pair struct {
	Type    string // qa_type
	SubType string // the pair's own "type" field (subject, temporal_absolute, …)
	Index   int
	Basic   QA
	Halluc  QA
	Pos     string
	File    string
}

// ID is our id of the pair.
func (p *Pair) ID() string { return fmt.Sprintf("videohallucer-%s-%d", p.Type, p.Index) }

// Standard reports whether the pair has gold yes for the basic question and no
// for the hallucinated one, as our pairs and the bias script require.
func (p *Pair) Standard() bool {
	return strings.EqualFold(p.Basic.Answer, "yes") && strings.EqualFold(p.Halluc.Answer, "no")
}

// Files returns the pair files at path: the file itself, or the *.json files
// below a folder whose names give a known type (sorted): dataset files when
// results is false, result files ({qa_type}_{model}.json) when true.
func Files(path string, results bool) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: not found", path)}
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	files, err := importers.Walk(path, func(rel string) bool {
		return strings.HasSuffix(rel, ".json") && typeOf(rel, results) != ""
	})
	if err != nil {
		return nil, err
	}
	for i := range files {
		files[i] = filepath.Join(path, filepath.FromSlash(files[i]))
	}
	if len(files) == 0 {
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: no VideoHallucer pair files (object_relation.json, temporal.json, … or <type>_<model>.json)", path)}
	}
	return files, nil
}

// Load reads pair files (a file or a folder). With needPredict every question
// must carry a "predict" string (a result file).
func Load(path string, needPredict bool) ([]Pair, error) {
	files, err := Files(path, needPredict)
	if err != nil {
		return nil, err
	}
	var out []Pair
	seenType := map[string]string{}
	for _, f := range files {
		t := typeOf(f, true)
		if t == "" {
			t = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		}
		if other, dup := seenType[t]; dup {
			return nil, eh.Errorf(eh.EINVALID, "%s and %s both hold pairs of type %s", other, f, t)
		}
		seenType[t] = f
		items, err := interop.ReadItems(f)
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			var r struct {
				Basic  *QA    `json:"basic"`
				Halluc *QA    `json:"hallucination"`
				Type   string `json:"type"`
			}
			if err := json.Unmarshal(it.Raw, &r); err != nil {
				return nil, eh.Errorf(eh.EINVALID, "%s: %v", it.Pos, err)
			}
			if r.Basic == nil || r.Halluc == nil {
				return nil, eh.Errorf(eh.EINVALID, "%s: want \"basic\" and \"hallucination\" objects", it.Pos)
			}
			p := Pair{Type: t, SubType: r.Type, Index: i, Basic: *r.Basic, Halluc: *r.Halluc, Pos: it.Pos, File: f}
			for _, q := range []struct {
				role string
				qa   QA
			}{{"basic", p.Basic}, {"hallucination", p.Halluc}} {
				a := strings.ToLower(strings.TrimSpace(q.qa.Answer))
				switch {
				case strings.TrimSpace(q.qa.Question) == "":
					return nil, eh.Errorf(eh.EINVALID, "%s: %s question is empty", it.Pos, q.role)
				case a != "yes" && a != "no":
					return nil, eh.Errorf(eh.EINVALID, "%s: %s answer %q is neither yes nor no", it.Pos, q.role, q.qa.Answer)
				case needPredict && q.qa.Predict == nil:
					return nil, eh.Errorf(eh.EINVALID, "%s: %s has no \"predict\" (want a result file of the VideoHallucer evaluation)", it.Pos, q.role)
				}
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// Importer builds suite pairs from VideoHallucer; it implements
// importers.Importer so that `emohallucer build --from
// videohallucer=DIR,media=VIDEOS` works.
type Importer struct{}

var _ importers.Importer = Importer{}

// Name implements importers.Importer.
func (Importer) Name() string { return Name }

// Import implements importers.Importer. src is a pair file or the dataset
// folder (videohallucer_datasets), optionally followed by ",media=DIR". Each
// video is looked up as DIR/<video>, DIR/<type folder>/videos/<video>, and
// without DIR as <pair file's folder>/videos/<video> (the dataset's own
// layout); it is copied to media/videohallucer/<type>/<video>.
func (Importer) Import(ctx context.Context, src string, env *importers.Env) (*importers.Result, error) {
	s, err := interop.ParsePath(src)
	if err != nil {
		return nil, err
	}
	pairs, err := Load(s.Path, false)
	if err != nil {
		return nil, err
	}
	return BuildPairs(ctx, pairs, s.MediaRoot(), env)
}

// BuildPairs turns loaded pairs into suite pairs (see Importer.Import).
func BuildPairs(ctx context.Context, pairs []Pair, mediaRoot string, env *importers.Env) (*importers.Result, error) {
	if mediaRoot != "" {
		if err := interop.RequireMediaRoot(Name, mediaRoot, "videos"); err != nil {
			return nil, err
		}
	}
	res := &importers.Result{Items: len(pairs)}
	seen := map[string]string{}
	perType := map[string]int{}
	found := 0
	for i := range pairs {
		p := &pairs[i]
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !p.Standard() {
			res.Skip("gold answers are not yes (basic) and no (hallucinated)")
			continue
		}
		k := p.Basic.Video + "\x00" + p.Basic.Question + "\x00" + p.Halluc.Question
		if first, dup := seen[k]; dup {
			res.Skip("repeats an earlier pair (same video and questions), e.g. " + first)
			continue
		}
		if env.MaxPerLabel > 0 && perType[p.Type] >= env.MaxPerLabel {
			res.Skip("beyond --max-per-label")
			continue
		}
		srcPath, ok := findVideo(p, mediaRoot)
		if !ok {
			res.Drop(p.ID(), p.Basic.Video, "video not found (looked under %s)", lookedUnder(p, mediaRoot))
			continue
		}
		clean := filepath.ToSlash(filepath.Clean(p.Basic.Video))
		if err := eh.CheckMediaPath(clean); err != nil {
			res.Drop(p.ID(), p.Basic.Video, "unusable video name: %v", err)
			continue
		}
		m, err := env.Out.Copy(srcPath, "videohallucer/"+p.Type+"/"+clean, eh.ShortVideo, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Pos, err)
		}
		found++
		seen[k] = p.ID()
		perType[p.Type]++
		sub := eh.ReasoningCue
		if p.Type == "fact" || p.Type == "nonfact" {
			sub = eh.ReasoningResult
		}
		tags := []string{"benchmark:videohallucer", "hallucination:" + p.Type}
		if p.SubType != "" {
			tags = append(tags, "type:"+p.SubType)
		}
		res.Pairs = append(res.Pairs, eh.Pair{
			ID:           p.ID(),
			Dimension:    eh.Perception,
			SubCategory:  sub,
			Modality:     eh.ShortVideo,
			Context:      eh.Context{Media: []eh.Media{m}},
			Basic:        eh.Question{Text: p.Basic.Question, Gold: eh.Yes},
			Hallucinated: eh.Question{Text: p.Halluc.Question, Gold: eh.No},
			Explanation:  "VideoHallucer gold answers: the basic question holds for the video, the hallucinated question does not",
			Corruption:   "benchmark-" + p.Type,
			Source:       eh.Source{Citation: Citation, Dataset: "VideoHallucer " + p.Type, ID: fmt.Sprintf("%s[%d]", filepath.Base(p.File), p.Index)},
			Tags:         tags,
		})
	}
	res.FilesRead = found
	if len(res.Pairs) == 0 && len(res.Dropped) > 0 {
		if mediaRoot == "" {
			return nil, interop.NeedMediaRoot(Name, "videos")
		}
		return nil, &eh.Error{Code: eh.ENOTFOUND, Message: fmt.Sprintf("%s: none of the videos was found (first: %s)", Name, res.Dropped[0].Reason)}
	}
	return res, nil
}

func candidates(p *Pair, root string) []string {
	var c []string
	if root != "" {
		c = append(c, filepath.Join(root, p.Basic.Video))
		c = append(c, filepath.Join(root, filepath.Base(filepath.Dir(p.File)), "videos", p.Basic.Video))
	}
	c = append(c, filepath.Join(filepath.Dir(p.File), "videos", p.Basic.Video))
	return c
}

func findVideo(p *Pair, root string) (string, bool) {
	for _, c := range candidates(p, root) {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c, true
		}
	}
	return "", false
}

func lookedUnder(p *Pair, root string) string {
	var dirs []string
	for _, c := range candidates(p, root) {
		dirs = append(dirs, filepath.Dir(c))
	}
	return strings.Join(dirs, ", ")
}
