// Package extract turns raw model text into a tri-state answer: yes, no or
// unparsed. Rules are named and versioned; a rule never changes behaviour under
// the same name, so records that name their rule can always be re-scored alike.
package extract

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	eh "github.com/emohallucer/emohallucer"
)

// Rule names.
const (
	// YesNoV1 is the English rule; see YesNo.
	YesNoV1 = "yesno-v1"
	// YesNoV2 is the default rule: yesno-v1 for English text, with Japanese
	// and Chinese answers besides; see YesNo2.
	YesNoV2 = "yesno-v2"
	// FirstWord is the rule several peers use: lower-case the text, take the first
	// alphabetic word, and map "yes"/"no" to answers and anything else to unparsed.
	FirstWord = "first-word"
)

// Default is the rule used when none is named. Records and run ids carry the
// rule's name, so changing Default never mixes scorings under one name.
const Default = YesNoV2

// Rules lists the rule names Extract accepts.
var Rules = []string{YesNoV2, YesNoV1, FirstWord}

// Extract applies the named rule. It returns false for an unknown rule.
func Extract(rule, text string) (eh.Answer, bool) {
	switch rule {
	case YesNoV1:
		return YesNo(text), true
	case YesNoV2:
		return YesNo2(text), true
	case FirstWord:
		return firstWord(text), true
	}
	return eh.AnswerUnparsed, false
}

var (
	// Reasoning blocks are the model thinking aloud; only what follows counts.
	thinkBlock = regexp.MustCompile(`(?is)<(think|thinking|reasoning|reflection)>.*?</(think|thinking|reasoning|reflection)>`)
	// An unterminated block (output cut off mid-thought) leaves no answer.
	openThink = regexp.MustCompile(`(?is)<(think|thinking|reasoning)>.*$`)
	// A stated final answer wins over any earlier yes/no word in the text.
	finalAnswer = regexp.MustCompile(`(?i)(?:final answer|answer|conclusion|verdict)\s*(?:is|:|=|-)?\s*[*"'\x60(\[]*\s*(yes|no)\b`)
	// Hedges mean the model did not commit to an answer.
	hedges = regexp.MustCompile(`(?i)\b(i (?:cannot|can't|can not|am unable to|am not able to|won't|will not) (?:tell|determine|say|answer|know|be sure|decide|judge|assess|infer|help)|(?:it is|it's) (?:impossible|not possible|hard|difficult|unclear) to (?:tell|determine|say|know)|cannot be determined|can't be determined|not enough information|insufficient information|unable to determine|not sure|uncertain|unclear|maybe|perhaps|possibly|i don't know|i do not know|as an ai)\b`)
	wordRE = regexp.MustCompile(`\p{L}+(?:'\p{L}+)*`)
	// "No doubt, …" and "no question, …" open an answer without being one.
	noDoubt = regexp.MustCompile(`(?i)^\W*no (?:doubt|question)\b`)
)

// maxScan bounds how much of a (possibly enormous) answer is examined.
const maxScan = 64 << 10

// YesNo implements rule yesno-v1:
//
//  1. Invalid UTF-8 is replaced, reasoning blocks (<think>…</think> and alike) are
//     removed, and an unterminated reasoning block means no answer.
//  2. A JSON object with an "answer" (or "response", "label", "prediction") field
//     of "yes"/"no" or a boolean is that answer.
//  3. A stated final answer ("Answer: no", "the final answer is **Yes**") wins.
//  4. Otherwise the first word decides when it is yes or no (after markdown and
//     punctuation: "**No**", "Yes.", "yes, …", "No, it is not."), except that
//     "yes and no" / "yes or no" is unparsed.
//  5. Otherwise the text is unparsed if it hedges or refuses ("I cannot tell",
//     "maybe", "unclear"), or if it contains both a standalone yes and no, or
//     neither; a single standalone yes or no word anywhere decides.
//
// Unparsed answers are scored wrong and always reported.
func YesNo(text string) eh.Answer {
	return yesNo(stripReasoning(text))
}

// stripReasoning is step 1 of yesno-v1 and yesno-v2: text cut to maxScan
// bytes, invalid UTF-8 replaced, reasoning blocks removed.
func stripReasoning(text string) string {
	if len(text) > maxScan {
		text = text[:maxScan]
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = thinkBlock.ReplaceAllString(text, " ")
	return openThink.ReplaceAllString(text, " ")
}

// yesNo is yesno-v1 from step 2 on, on text stripReasoning has cleaned.
func yesNo(text string) eh.Answer {
	text = strings.TrimSpace(text)
	if text == "" {
		return eh.AnswerUnparsed
	}
	if a, ok := fromJSON(text, englishWord); ok {
		return a
	}
	if m := finalAnswer.FindAllStringSubmatch(text, -1); len(m) > 0 {
		return toAnswer(m[len(m)-1][1])
	}
	text = noDoubt.ReplaceAllString(text, "")
	words := wordRE.FindAllString(strings.ToLower(text), 40)
	if len(words) > 0 && (words[0] == "yes" || words[0] == "no") {
		if len(words) >= 3 && (words[1] == "and" || words[1] == "or") && (words[2] == "yes" || words[2] == "no") && words[2] != words[0] {
			return eh.AnswerUnparsed
		}
		return toAnswer(words[0])
	}
	if hedges.MatchString(text) {
		return eh.AnswerUnparsed
	}
	var yes, no bool
	for _, w := range wordRE.FindAllString(strings.ToLower(text), -1) {
		switch w {
		case "yes":
			yes = true
		case "no":
			no = true
		}
	}
	return agreed(yes, no)
}

// agreed is the answer of a text whose standalone answer words include a yes,
// a no, or both: both or neither is unparsed.
func agreed(yes, no bool) eh.Answer {
	switch {
	case yes && !no:
		return eh.AnswerYes
	case no && !yes:
		return eh.AnswerNo
	}
	return eh.AnswerUnparsed
}

func toAnswer(w string) eh.Answer {
	if strings.EqualFold(w, "yes") {
		return eh.AnswerYes
	}
	return eh.AnswerNo
}

// englishWord is yesno-v1's reading of a JSON answer value.
func englishWord(v string) eh.Answer {
	switch strings.ToLower(strings.TrimSpace(strings.Trim(v, ".!"))) {
	case "yes", "true":
		return eh.AnswerYes
	case "no", "false":
		return eh.AnswerNo
	}
	return eh.AnswerUnparsed
}

// fromJSON reads answers like {"answer":"no"} or ```json {"answer": true}```;
// word reads a string value.
func fromJSON(text string, word func(string) eh.Answer) (eh.Answer, bool) {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(text, "```json"), "```"), "```"))
	if !strings.HasPrefix(s, "{") {
		return "", false
	}
	var obj map[string]any
	if json.Unmarshal([]byte(s), &obj) != nil {
		return "", false
	}
	for k, v := range obj {
		switch strings.ToLower(k) {
		case "answer", "response", "label", "prediction", "final_answer":
		default:
			continue
		}
		switch x := v.(type) {
		case bool:
			if x {
				return eh.AnswerYes, true
			}
			return eh.AnswerNo, true
		case string:
			return word(x), true
		}
		return eh.AnswerUnparsed, true
	}
	return "", false
}

// firstWord implements rule first-word.
func firstWord(text string) eh.Answer {
	text = strings.ToLower(strings.ToValidUTF8(text, ""))
	start := strings.IndexFunc(text, unicode.IsLetter)
	if start < 0 {
		return eh.AnswerUnparsed
	}
	end := start
	for end < len(text) {
		r, n := utf8.DecodeRuneInString(text[end:])
		if !unicode.IsLetter(r) {
			break
		}
		end += n
	}
	switch text[start:end] {
	case "yes":
		return eh.AnswerYes
	case "no":
		return eh.AnswerNo
	}
	return eh.AnswerUnparsed
}
