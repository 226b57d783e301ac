package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/record"
	"github.com/emohallucer/emohallucer/strategy"
	"github.com/emohallucer/emohallucer/suite"
)

// Word lists the synthetic suite draws from. The items are made up, but they
// have the length and shape of real suite lines (a short passage for perception
// pairs, a one-sentence claim for knowledge pairs), which is what the harness's
// cost depends on.
var (
	emotions  = []string{"joy", "sadness", "anger", "fear", "disgust", "surprise", "pride", "shame", "guilt", "relief", "envy", "gratitude"}
	swapped   = []string{"boredom", "contempt", "awe", "nostalgia", "jealousy", "hope"}
	people    = []string{"Ana", "Bilal", "Chen", "Dara", "Elif", "Femi", "Goran", "Hana", "Ivo", "Jun"}
	events    = []string{"lost the final match", "received a scholarship letter", "missed the last train home", "found an old friend's note", "was praised in front of the team", "heard footsteps in the dark", "broke a borrowed camera", "finished the marathon"}
	theorists = []string{"Ekman", "Plutchik", "Russell", "Lazarus", "Scherer", "Barrett", "Frijda", "Izard"}
	claims    = []string{"proposed a set of basic emotions recognised across cultures", "described emotions along valence and arousal", "argued that appraisal of an event precedes the emotion", "modelled emotions as constructed from core affect and concepts", "arranged eight primary emotions on a wheel"}
)

var perceptionSubs = []eh.SubCategory{eh.Category, eh.Intensity, eh.ReasoningResult, eh.ReasoningCue}
var knowledgeSubs = []eh.SubCategory{eh.Theory, eh.Definition, eh.Finding}

// SyntheticPairs returns n valid text-only pairs, the same for the same n and
// seed: about a third knowledge pairs (no context) and the rest perception pairs
// about a short passage.
func SyntheticPairs(n int, seed uint64) []eh.Pair {
	r := rand.New(rand.NewPCG(seed, 0x656d6f))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	pairs := make([]eh.Pair, n)
	for i := range pairs {
		id := fmt.Sprintf("syn-%07d", i+1)
		p := eh.Pair{ID: id, Modality: eh.Text, Corruption: "swap", Source: eh.Source{Dataset: "synthetic", ID: id}}
		if i%3 == 0 {
			who, claim := pick(theorists), pick(claims)
			other := pick(theorists)
			for other == who {
				other = pick(theorists)
			}
			p.Dimension, p.SubCategory = eh.Knowledge, knowledgeSubs[r.IntN(len(knowledgeSubs))]
			p.Basic = eh.Question{Text: fmt.Sprintf("Is it true that %s %s (claim %d)?", who, claim, i+1), Gold: eh.Yes}
			p.Hallucinated = eh.Question{Text: fmt.Sprintf("Is it true that %s %s (claim %d)?", other, claim, i+1), Gold: eh.No}
			p.Explanation = fmt.Sprintf("The claim is attributed to %s, not %s.", who, other)
			p.Source.Citation = "synthetic benchmark item"
		} else {
			who, ev, emo, wrong := pick(people), pick(events), pick(emotions), pick(swapped)
			p.Dimension, p.SubCategory = eh.Perception, perceptionSubs[r.IntN(len(perceptionSubs))]
			var b strings.Builder
			fmt.Fprintf(&b, "Entry %d. Yesterday %s %s. ", i+1, who, ev)
			for k := 0; k < 2+r.IntN(4); k++ {
				fmt.Fprintf(&b, "%s kept thinking about it while %s, and said that it felt like %s. ", who, pick(events), pick(emotions))
			}
			fmt.Fprintf(&b, "In the end %s mostly felt %s.", who, emo)
			p.Context.Text = b.String()
			p.Basic = eh.Question{Text: fmt.Sprintf("Does the text express %s felt by %s?", emo, who), Gold: eh.Yes}
			p.Hallucinated = eh.Question{Text: fmt.Sprintf("Does the text express %s felt by %s?", wrong, who), Gold: eh.No}
			p.Explanation = fmt.Sprintf("The passage ends on %s; %s is never expressed.", emo, wrong)
		}
		pairs[i] = p
	}
	return pairs
}

// WriteSuite writes a synthetic suite of n pairs (2n questions) into dir.
func WriteSuite(dir string, n int, seed uint64) error {
	return suite.Write(dir, SyntheticPairs(n, seed))
}

// suiteDir returns (creating it once) the synthetic suite of n pairs under out.
// The folder name is the suite name records carry, so it encodes the size.
func (b *bench) suiteDir(ctx context.Context, pairs int) (string, error) {
	dir := filepath.Join(b.out, "suites", fmt.Sprintf("syn%d", pairs))
	if _, err := os.Stat(filepath.Join(dir, suite.FileName)); err == nil {
		return dir, nil
	}
	return dir, b.generate(ctx, "gen-suite", "-pairs", strconv.Itoa(pairs), "-dir", dir)
}

// generate runs a gen-* command of this program as a child process. Generating
// in this process would leave it hundreds of MB larger, and a child started
// from it afterwards would report that size as its own peak RSS: Linux carries
// the parent's high-water mark into a child's rusage through fork and exec.
func (b *bench) generate(ctx context.Context, args ...string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	u, err := runChild(ctx, b.timeout, nil, self, args...)
	if err == nil {
		err = exitErr(args[0], u)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// fixedModel answers every request at once with a yes or no picked by a hash of
// the prompt (about 60 % yes, like the loopback server), so that generated
// records have real transcripts.
type fixedModel struct{}

func (fixedModel) Name() string { return "openai:bench" }
func (fixedModel) Capabilities() eh.Capabilities {
	return eh.Capabilities{Identity: "openai|bench|loopback", Modalities: []eh.Modality{eh.Text}}
}
func (fixedModel) Generate(_ context.Context, req *eh.Request) (*eh.Response, error) {
	h := fnv.New64a()
	for _, m := range req.Messages {
		for _, p := range m.Parts {
			h.Write([]byte(p.Text))
		}
	}
	text := "No."
	if h.Sum64()%10 < 6 {
		text = "Yes."
	}
	return &eh.Response{Text: text, Usage: eh.Usage{PromptTokens: 90, CompletionTokens: 2}, FinishReason: "stop"}, nil
}

// WriteRecords writes the records of a direct-strategy run over a synthetic
// suite of pairs pairs (2 records per pair) to path, shaped exactly as a run
// writes them: the direct strategy builds the prompt and extracts the answer.
func WriteRecords(path string, pairs int, seed uint64) error {
	strat, err := strategy.New("direct", strategy.Options{Rule: "yesno-v1"})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	enc := record.NewEncoder(f)
	m := fixedModel{}
	runID := fmt.Sprintf("openai-bench-direct-syn%d", pairs)
	suiteName := fmt.Sprintf("syn%d", pairs)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ps := SyntheticPairs(pairs, seed)
	for i := range ps {
		for _, role := range []eh.Role{eh.Basic, eh.Hallucinated} {
			it := &eh.Item{Pair: &ps[i], Role: role}
			rec := eh.NewRecord(runID, suiteName, m.Name(), strat.Name(), it.Pair, role)
			rec.Started = start.Add(time.Duration(2*i) * time.Millisecond)
			o, err := strat.Answer(context.Background(), m, it)
			if err != nil {
				return fmt.Errorf("pair %s: %w", ps[i].ID, err)
			}
			rec.Steps, rec.Rule = o.Steps, o.Rule
			for k := range rec.Steps {
				rec.Steps[k].LatencyMS = 20 + float64(i%7)
			}
			rec.Calls, rec.Usage = len(o.Steps), eh.Usage{PromptTokens: 90, CompletionTokens: 2}
			rec.Status, rec.Answer, rec.Raw = eh.StatusAnswered, o.Answer, o.Raw
			rec.LatencyMS = 20 + float64(i%7)
			if err := enc.Encode(rec); err != nil {
				return err
			}
		}
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	return f.Close()
}
