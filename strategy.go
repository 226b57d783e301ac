package emohallucer

import "context"

// Item is one question to answer, with everything a strategy needs to build
// prompts: the pair (for context and media), which of its questions, and the
// media resolved on disk.
type Item struct {
	Pair  *Pair
	Role  Role
	Media []MediaFile
}

// Question returns the text of the item's question.
func (it *Item) Question() string { return it.Pair.Question(it.Role).Text }

// Label names the item in errors and logs.
func (it *Item) Label() string { return "pair " + it.Pair.ID + " " + string(it.Role) }

// Strategy turns one item into one or more model calls and combines their answers.
// Answer must be safe for concurrent use. It returns the final extracted answer
// and the transcript of every step, including steps that failed.
type Strategy interface {
	// Name is the strategy as the user selects it ("direct", "pep-mek", …).
	Name() string
	Answer(ctx context.Context, m Model, it *Item) (*Outcome, error)
}

// Outcome is what a strategy concluded about one item.
type Outcome struct {
	// Raw is the text the scored answer was extracted from (the last step's).
	Raw    string
	Answer Answer
	Rule   string // extraction rule, e.g. "yesno-v1"
	// Confidence in the answer, in [0.5, 1] when known: from token log-probabilities
	// or agreement across samples.
	Confidence *float64
	Steps      []Step
}

// Step is one model call of a strategy, kept whole in the record.
type Step struct {
	Name      string    `json:"name"`
	Template  string    `json:"template"`
	Prompt    []Message `json:"prompt"`
	Response  string    `json:"response"`
	Answer    Answer    `json:"answer,omitempty"`
	Usage     Usage     `json:"usage"`
	LatencyMS float64   `json:"latency_ms"`
	Cached    bool      `json:"cached,omitempty"`
	YesProb   *float64  `json:"yes_prob,omitempty"`
	Error     string    `json:"error,omitempty"`
}
