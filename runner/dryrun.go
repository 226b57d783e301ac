package runner

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"strings"
	"unicode/utf8"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/media"
	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/rundir"
)

// Token estimate of a dry run (README "Dry run"). Prompt text counts one
// token per four characters (OpenAI's rule of thumb for English; Japanese
// and Chinese text takes more, so their characters count one token each).
// Media take the highest per-item figure the three APIs publish, so the
// estimate errs high: an image (sent at most 1024 px on its longest side)
// 1,600 tokens (Anthropic: width×height/750, capped near 1,600; OpenAI 765;
// Gemini 258); audio 32 tokens a second (Gemini; OpenAI about 10); video 300
// tokens a second (Gemini: 263 for the picture and 32 for the sound), at
// least 8 frames' worth of images. Durations come from WAV headers; other
// audio and video count as DryRunAssumedSeconds (no media decoder runs in
// a dry run). An answer costs the model's max_tokens when set,
// else DryRunAnswerTokens.
const (
	DryRunCharsPerToken  = 4
	DryRunImageTokens    = 1600
	DryRunAudioPerSecond = 32
	DryRunVideoPerSecond = 300
	DryRunVideoMinFrames = 8
	DryRunAssumedSeconds = 60
	DryRunAnswerTokens   = 256
)

// DryModel is what one model's run would do.
type DryModel struct {
	Name string
	Run  string
	Dir  string
	// Selected are the questions the selection leaves; each is one of
	// NotEvaluated (by modality), Recorded (answered by an earlier attempt),
	// Cached (every call in the response cache) or Ask.
	Selected     int
	NotEvaluated map[eh.Modality]int
	Recorded     int
	Cached       int
	Ask          int
	// Calls are the requests Ask would send, and Usage their estimated tokens.
	Calls int
	Usage eh.Usage
	// CostUSD prices Usage by the config's price; Priced is false without one.
	CostUSD float64
	Priced  bool
	// Assumed counts media whose duration could not be read.
	Assumed int
}

// DryRun says, per model, what Run would do with cfg, without sending a
// request or writing anything: the questions it would skip (not evaluated,
// already recorded), answer from the response cache, and ask, with the
// estimated tokens and cost of the calls it would send. Each question
// still to answer is put through the run's strategy against a model that
// looks every request up in the cache and, for a miss, counts it and
// answers with filler text as long as the answer it estimates, so that
// multi-step strategies show all their calls, and a later step's prompt
// counts the earlier answers it quotes.
func DryRun(ctx context.Context, cfg Config) ([]DryModel, error) {
	if cfg.Store != nil {
		return nil, eh.Errorf(eh.EUSAGE, "--dry-run reads run folders and the cache file; it does not look into a --store")
	}
	s, items, err := selectItems(cfg)
	if err != nil {
		return nil, err
	}
	store, closeCache, err := dryCache(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer closeCache()
	est := &estimator{seconds: map[string]float64{}}
	var out []DryModel
	for _, setup := range cfg.Models {
		dir := rundir.Name(cfg.Out, setup.Name, len(cfg.Models))
		def, err := Define(s.Name, setup, cfg.Settings)
		if err != nil {
			return nil, err
		}
		earlier, err := readEarlier(dir, def.ID)
		if err != nil {
			return nil, err
		}
		caps := setup.Model.Capabilities()
		d := DryModel{Name: setup.Name, Run: def.ID, Dir: dir, Selected: len(items), NotEvaluated: map[eh.Modality]int{}, Priced: setup.Engine.Price != nil}
		dm := &dryModel{Model: setup.Model, caps: caps, store: store, est: est, maxTokens: def.Decoding.MaxTokens, assumed: map[string]bool{}}
		for i := range items {
			it := &items[i]
			switch {
			case !caps.Accepts(it.Pair.Modality):
				d.NotEvaluated[it.Pair.Modality]++
				continue
			case finished(earlier, it.Pair.ID+"/"+string(it.Role), caps):
				d.Recorded++
				continue
			}
			dm.misses = 0
			if _, err := def.Strategy.Answer(ctx, dm, it); err != nil && dm.err == nil {
				return nil, err
			}
			if dm.err != nil {
				return nil, dm.err
			}
			if dm.misses == 0 {
				d.Cached++
			} else {
				d.Ask++
			}
		}
		d.Calls, d.Usage, d.Assumed = dm.calls, dm.usage, len(dm.assumed)
		d.CostUSD = setup.Engine.Price.Cost(d.Usage)
		out = append(out, d)
	}
	return out, nil
}

// dryCache opens the response cache read-only in effect: a dry run only
// looks up; a cache file that does not exist yet is not created.
func dryCache(ctx context.Context, cfg Config) (stack.Store, func(), error) {
	if !cfg.NoCache {
		if _, err := os.Stat(cfg.cachePath()); errors.Is(err, fs.ErrNotExist) {
			return nil, func() {}, nil
		}
	}
	return openCacheFor(ctx, cfg)
}

// dryModel stands in for a model in a dry run: it answers from the cache
// and counts, with their estimated tokens, the requests it would send.
type dryModel struct {
	eh.Model
	caps      eh.Capabilities
	store     stack.Store
	est       *estimator
	maxTokens int
	misses    int // of the current question
	calls     int
	usage     eh.Usage
	// assumed are the media (by digest) whose length was assumed.
	assumed map[string]bool
	err     error
}

// Generate implements emohallucer.Model without sending anything. A
// baseline answers here as in a run: it computes its answer locally, which
// is no call and costs nothing.
func (m *dryModel) Generate(ctx context.Context, req *eh.Request) (*eh.Response, error) {
	if m.caps.Deterministic {
		m.misses++
		return m.Model.Generate(ctx, req)
	}
	if m.store != nil {
		resp, ok, err := stack.Lookup(ctx, m.store, m.caps.Identity, req)
		if err != nil {
			m.err = err
			return nil, err
		}
		if ok {
			resp.Cached = true
			return resp, nil
		}
	}
	m.misses++
	m.calls++
	answer := m.maxTokens
	if answer == 0 {
		answer = DryRunAnswerTokens
	}
	prompt, assumed := m.est.prompt(req)
	for _, sha := range assumed {
		m.assumed[sha] = true
	}
	m.usage = m.usage.Add(eh.Usage{PromptTokens: prompt, CompletionTokens: answer})
	return &eh.Response{Text: strings.Repeat("x", answer*DryRunCharsPerToken)}, nil
}

// estimator estimates a request's prompt tokens, reading each media file's
// duration once.
type estimator struct {
	seconds map[string]float64 // by SHA-256; 0: unknown
}

// prompt is req's estimated prompt tokens, and the digests of its media
// whose length was assumed.
func (e *estimator) prompt(req *eh.Request) (int, []string) {
	n := textTokens(req.System)
	var assumed []string
	seconds := func(f *eh.MediaFile) float64 {
		d := e.duration(f)
		if d == 0 {
			assumed = append(assumed, f.SHA256)
			d = DryRunAssumedSeconds
		}
		return d
	}
	for _, msg := range req.Messages {
		for _, p := range msg.Parts {
			if p.Media == nil {
				n += textTokens(p.Text)
				continue
			}
			switch p.Media.Kind {
			case eh.Image:
				n += DryRunImageTokens
			case eh.Audio:
				n += int(math.Ceil(seconds(p.Media) * DryRunAudioPerSecond))
			default:
				n += max(int(math.Ceil(seconds(p.Media)*DryRunVideoPerSecond)), DryRunVideoMinFrames*DryRunImageTokens)
			}
		}
	}
	return n, assumed
}

// textTokens counts ASCII at DryRunCharsPerToken characters a token and
// every other character as a token.
func textTokens(s string) int {
	ascii, other := 0, 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			ascii++
		} else {
			other++
		}
	}
	return (ascii+DryRunCharsPerToken-1)/DryRunCharsPerToken + other
}

// duration is a media file's length in seconds from its WAV header, 0 when
// unknown. The file was checked (a regular file inside the suite, its
// digest) when the suite was read.
func (e *estimator) duration(f *eh.MediaFile) float64 {
	d, ok := e.seconds[f.SHA256]
	if !ok {
		if info, err := media.ReadWAV(f.Path); err == nil {
			d = info.Duration
		}
		e.seconds[f.SHA256] = d
	}
	return d
}
