package emohallucer

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// RecordSchema is the version of the Record layout this build writes. Decoders
// accept every older version and upgrade it. Schema 2 added the describe role
// and its Labels and Allowed; schema 1 records read unchanged.
const RecordSchema = 2

// Status says whether a question was answered.
type Status string

// Record statuses.
const (
	// StatusAnswered: the model answered (the answer may still be unparsed).
	StatusAnswered Status = "answered"
	// StatusNotEvaluated: the model cannot take the question's modality. Such
	// questions are shown as not evaluated and never counted wrong.
	StatusNotEvaluated Status = "not_evaluated"
	// StatusError: every attempt failed; a rerun tries again.
	StatusError Status = "error"
)

// Record is the durable result of asking one model one question of a suite. A run
// writes one record per question; scoring and reporting read records and never
// call a model, so anything can be re-scored.
//
// A record carries the pair's dimension, sub-category and modality so that it can
// be scored without the suite.
type Record struct {
	Schema      int         `json:"schema"`
	Run         string      `json:"run"`
	Suite       string      `json:"suite"`
	Model       string      `json:"model"`
	Strategy    string      `json:"strategy"`
	Pair        string      `json:"pair"`
	Role        Role        `json:"role"`
	Dimension   Dimension   `json:"dimension"`
	SubCategory SubCategory `json:"subcategory"`
	Modality    Modality    `json:"modality"`
	Tags        []string    `json:"tags,omitempty"`
	// Lang and TranslationOf are the pair's, so that scores can be split by
	// language and a fact compared across its renderings without the suite.
	Lang          Lang   `json:"lang,omitempty"`
	TranslationOf string `json:"translation_of,omitempty"`
	Source        string `json:"source,omitempty"` // Pair.Source.Dataset, for the source:<dataset> views
	Gold          Gold   `json:"gold"`
	// Labels are the gold emotion labels of a describe record's input, and
	// Allowed the labels its annotators also gave it in quantity: claims of
	// either are not hallucinated (README "Open-ended descriptions").
	Labels  []string `json:"labels,omitempty"`
	Allowed []string `json:"allowed,omitempty"`
	Status  Status   `json:"status"`
	// Raw is the model text the answer was extracted from (bounded in size).
	Raw        string   `json:"raw"`
	Answer     Answer   `json:"answer,omitempty"`
	Rule       string   `json:"rule,omitempty"`
	Confidence *float64 `json:"confidence,omitempty"`
	Steps      []Step   `json:"steps,omitempty"`
	Usage      Usage    `json:"usage"`
	Calls      int      `json:"calls"`
	// CachedCalls counts the calls answered from the response cache.
	CachedCalls int       `json:"cached_calls,omitempty"`
	CostUSD     float64   `json:"cost_usd,omitempty"`
	LatencyMS   float64   `json:"latency_ms"`
	Started     time.Time `json:"started"`
	Error       string    `json:"error,omitempty"`
}

// Key identifies the question a record answers within its run.
func (r *Record) Key() string { return r.Pair + "/" + string(r.Role) }

// Correct reports whether the record's answer matches the gold answer. Unparsed
// answers are never correct.
func (r *Record) Correct() bool { return r.Status == StatusAnswered && r.Answer.Matches(r.Gold) }

// Validate checks the fields scoring relies on.
func (r *Record) Validate() error {
	switch {
	case r.Schema < 1 || r.Schema > RecordSchema:
		return Errorf(EINVALID, "record schema %d is not supported (this build reads 1..%d)", r.Schema, RecordSchema)
	case r.Run == "":
		return Errorf(EINVALID, "record without run id")
	case r.Pair == "":
		return Errorf(EINVALID, "record without pair id")
	case r.Role == Describe:
		if r.Schema < 2 || r.Gold != "" || len(r.Labels) == 0 {
			return Errorf(EINVALID, "record %s/%s: a description needs schema 2, gold labels and no gold answer", r.Pair, r.Role)
		}
	case r.Role != Basic && r.Role != Hallucinated:
		return Errorf(EINVALID, "record %s: unknown role %q", r.Pair, r.Role)
	case r.Gold != GoldFor(r.Role):
		return Errorf(EINVALID, "record %s/%s: gold %q does not fit the role", r.Pair, r.Role, r.Gold)
	case !r.SubCategory.Valid() || !r.Modality.Valid() || !r.Dimension.Valid():
		return Errorf(EINVALID, "record %s: unknown dimension, subcategory or modality (%q, %q, %q)", r.Pair, r.Dimension, r.SubCategory, r.Modality)
	case r.Lang != "" && !r.Lang.Valid():
		return Errorf(EINVALID, "record %s: unknown lang %q", r.Pair, r.Lang)
	}
	switch r.Status {
	case StatusAnswered:
		if r.Role == Describe {
			break // a description has no yes/no answer
		}
		if r.Answer != AnswerYes && r.Answer != AnswerNo && r.Answer != AnswerUnparsed {
			return Errorf(EINVALID, "record %s/%s: answered but answer is %q", r.Pair, r.Role, r.Answer)
		}
	case StatusNotEvaluated, StatusError:
	default:
		return Errorf(EINVALID, "record %s/%s: unknown status %q", r.Pair, r.Role, r.Status)
	}
	return nil
}

// NewRecord starts the record of one item of a run, copying what scoring needs
// from the pair.
func NewRecord(run, suite, model, strategy string, p *Pair, role Role) *Record {
	r := &Record{
		Schema: RecordSchema, Run: run, Suite: suite, Model: model, Strategy: strategy,
		Pair: p.ID, Role: role, Dimension: p.Dimension, SubCategory: p.SubCategory,
		Modality: p.Modality, Tags: p.Tags, Lang: p.Lang, TranslationOf: p.TranslationOf, Source: p.Source.Dataset,
	}
	if role == Describe {
		r.Labels, r.Allowed = DescribeLabels(p)
	} else {
		r.Gold = p.Question(role).Gold
	}
	return r
}

// DescribeLabels are the gold labels of a described input: its pair's
// emotion:<label> and sentiment:<label> tags (GoEmotions' emotion tags name
// its fine labels, such as joy+admiration, and are left to its sentiment
// tag), and the labels of its allowed:<label> tags. Labels are as the
// importers spell them (importers/swap); unknown spellings are skipped.
func DescribeLabels(p *Pair) (labels, allowed []string) {
	for _, t := range p.Tags {
		k, v, _ := strings.Cut(t, ":")
		switch {
		case (k == "emotion" || k == "sentiment") && describeLabel[v] && !slices.Contains(labels, v):
			labels = append(labels, v)
		case k == "allowed" && describeLabel[v] && !slices.Contains(allowed, v):
			allowed = append(allowed, v)
		}
	}
	return labels, allowed
}

// describeLabel lists the labels the importers use (importers/swap), which
// the claim rule knows.
var describeLabel = map[string]bool{"anger": true, "disgust": true, "fear": true, "happiness": true, "sadness": true,
	"surprise": true, "contempt": true, "neutral": true, "calm": true, "positive": true, "negative": true}

// String is a short description for logs.
func (r *Record) String() string {
	return fmt.Sprintf("%s %s %s/%s %s", r.Run, r.Model, r.Pair, r.Role, r.Status)
}
