package emohallucer

// Suite is a set of pairs, together with the folder its media paths are relative to.
type Suite struct {
	// Name identifies the suite in records ("builtin", or the folder's base name).
	Name string
	// Dir is the folder media paths are resolved against; empty for a suite without
	// media (such as builtin).
	Dir   string
	Pairs []Pair
}

// QuestionCount returns the number of questions (two per pair).
func (s *Suite) QuestionCount() int { return 2 * len(s.Pairs) }
