package extract

import (
	"regexp"
	"strings"
	"unicode"

	eh "github.com/emohallucer/emohallucer"
)

// The answer words yesno-v2 reads besides English yes/no. Longer words come
// first in each alternation: RE2 prefers the earlier alternative, so "是的"
// must be tried before "是" and "いいえ" before "いえ".
const (
	jaYes = `はい|ええ|そうです|その通りです|あります|イエス`
	jaNo  = `いいえ|いえ|そうではありません|違います|ちがいます|ありません|ノー`
	zhYes = `是的|是|对的|对|没错|正确|有的|有|肯定的|肯定|当然`
	zhNo  = `不是的|不是|不对|不正确|否定的|否定|否|没有|当然不是|不`
	// A token ends at anything but a letter or digit; Japanese answers may be
	// followed by a polite copula first (「はいです」, 「いいえでした」), Chinese
	// ones by 的 or a particle (「不是的」, 「当然不是的」, 「是啊」).
	tokenEnd = `(?:です|でした|だ|的|啊|呀)?(?:[^\p{L}\p{N}]|$)`
	// Openers and quotes that may sit between a marker or the start of the
	// text and the answer word: markdown, brackets and quotation marks of all
	// three languages.
	junk = "[\\s*_#>\\-\x60\"'“”‘’「」『』【】()（）\\[\\]:：,，、.。]*"
)

var (
	answerToken = `(?i:yes|no)|` + jaYes + `|` + jaNo + `|` + zhYes + `|` + zhNo
	yesWords    = wordSet(`yes|` + jaYes + `|` + zhYes)
	noWords     = wordSet(`no|` + jaNo + `|` + zhNo)
	// polar are the words that say yes or no outright; a first answer
	// followed by one of the other polarity contradicts itself
	// (「いいえ、そうです」). あります/ありません, 有/没有 are not among
	// them: 「はい、ありません」 is the ordinary Japanese reply confirming a
	// negative question.
	polar = wordSet(`yes|no|はい|ええ|そうです|その通りです|いいえ|いえ|そうではありません|違います|ちがいます|是|是的|对|对的|没错|不是|不对|否`)

	// finalAnswerCJK is the stated final answer in any of the three languages:
	// 「最終的な答え：いいえ」, 「答えは「はい」です」, 「结论：否」, 「答案是否定的」,
	// "Answer: 是". The marker is followed by a topic particle or copula, or by
	// a label's colon (or = or -). So 答案是 never reads its own copula as the
	// answer (「答案是：不确定」), 「答案是否正确」 has none because 否 runs on into
	// a word, and the verb 回答 of 「符合就回答“是”」 is no label.
	finalAnswerCJK = regexp.MustCompile(`(?i)(?:final answer|answer|conclusion|verdict|最終的な答え|最終的な回答|最終回答|最終的な結論|最终答案|最终回答|最终结论|答え|回答|結論|解答|判定|答案|答复|结论|判断|答)` +
		`(?:\s*(?:is|は|としては|として|から言うと|から言えば|を言うと|就是|应该是|应为|是|为)` + junk + `|[\s*_]*[:=-]` + junk + `)(` + answerToken + `)` + tokenEnd)
	// firstCJK is an answer word at the very start, after markdown, quotes
	// and a Chinese "I think" (我认为不是。).
	firstCJK = regexp.MustCompile(`^` + junk + `(?:我认为|我觉得|我判断|应该)?` + junk + `(` + answerToken + `)` + tokenEnd)
	// alsoLead opens a clause that adds to the one before: 是，也不是.
	alsoLead = regexp.MustCompile(`^(?:但也|也|又|但)`)
	// pairMention is the instruction echoed back: 「はい」か「いいえ」, “是”或“否”,
	// 是/否, yes or no, 「答え：はい」または「答え：いいえ」. It names both answers
	// and gives neither.
	pairMention = regexp.MustCompile(`(?i)` + mention + `\s*(?:または|とも|か|或者|或|还是|和|と|/|or|and)\s*` + mention)
	mention     = `[「『“"'*]*(?:(?:答え|答案|answer)\s*:\s*)?(?:はい|いいえ|是|否|不是|yes|no)[」』”"'*]*`
	// quoted is an answer word in quotation marks anywhere: 「いいえ」になります.
	quoted = regexp.MustCompile(`[「『“"](` + answerToken + `)[」』”"]`)
	// latinWord is a standalone English yes/no inside CJK text, where \b
	// (ASCII only) and wordRE (any letter) both misjudge boundaries.
	latinWord = regexp.MustCompile(`(?i)(?:^|[^a-z])(yes|no)(?:[^a-z]|$)`)
	// clauseSep splits text into clauses at punctuation and white space.
	clauseSep = regexp.MustCompile(`[\s、。，,.;；!！?？…:：/]+`)
	// politeEnd is what a bare Japanese answer clause may end with.
	politeEnd = regexp.MustCompile(`(?:です|でした|だ|的|啊|呀)$`)
	// hedgesCJK are Japanese and Chinese hedges and refusals: the model did not
	// commit. 「はいとも いいえとも言えません」 and 「是也不是」 say both.
	hedgesCJK = regexp.MustCompile(`わかりません|分かりません|わからない|分からない|判断できません|判断できない|判断がつきません|判断しかねます|断定できません|断言できません|言えません|言い切れません|どちらとも|どちらでもない|不明です|不明確|はっきりしません|確信が持てません|かもしれません|可能性があります|お答えできません|回答できません|答えられません|回答を控え|情報が不足|情報が足りません|特定できません|AIとして|无法判断|无法确定|不确定|不能确定|难以判断|难以确定|不好判断|说不准|说不清|不好说|不清楚|不知道|可能|也许|或许|大概|无法回答|不能回答|信息不足|没有足够的信息|作为AI|作为一个AI|作为人工智能|是也不是|既是又不是|无法得知|看不出|不一定|说不好|很难说|无从判断|不能判断|判別できません`)
)

func wordSet(alts string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Split(alts, "|") {
		m[w] = true
	}
	return m
}

// polarity returns the answer an answer word gives.
func polarity(w string) eh.Answer {
	switch lw := strings.ToLower(w); {
	case yesWords[lw]:
		return eh.AnswerYes
	case noWords[lw]:
		return eh.AnswerNo
	}
	return eh.AnswerUnparsed
}

// YesNo2 implements rule yesno-v2, the default. Text with no Japanese or
// Chinese characters (no kana, no Han, no CJK or full-width punctuation once
// reasoning blocks are removed) is judged by yesno-v1, so every English
// decision is yesno-v1's. Other text is judged in the same order as v1, with
// Japanese and Chinese answer words:
//
//  1. Invalid UTF-8 is replaced, reasoning blocks removed, full-width ASCII
//     folded (「Ｙｅｓ！」 is "Yes!"), and echoes of the instruction that name
//     both answers (「はい」か「いいえ」, “是”或“否”) removed.
//  2. A JSON answer field may also hold はい/いいえ/是/否 and the like.
//  3. A stated final answer wins, the last one stated: 「回答：はい」,
//     「最終的な答え：いいえ」, 「答えは「はい」です」, 「最终答案：是」, 「结论：否」,
//     「答案是否定的」 — but 「答案是否正确」 restates a question.
//  4. Otherwise an answer word at the very start decides when it stands alone
//     (はい, いいえ, いえ, ええ, そうです, 違います, そうではありません, あります,
//     ありません; 是, 是的, 不是, 对, 不对, 否, 有, 没有 …), unless the next clause is
//     an outright answer of the other polarity (「いいえ、そうです」). A word that
//     runs on into a longer one is not an answer: 「はいはい」, 「ええと」,
//     「是否…」, 「不是愤怒，而是悲伤」, 「有一个人」, 「没有人在笑」. So 有/没有
//     count only as the bare reply to an existence question.
//  5. Otherwise hedges and refusals are unparsed (わかりません, 判断できません,
//     どちらとも言えません, 无法判断, 不确定, 可能, 也许 and v1's English ones);
//     else bare answer clauses (「…。いいえ。」) and quoted answer words
//     (「いいえ」になります) anywhere decide when they all agree.
func YesNo2(text string) eh.Answer {
	clean := stripReasoning(text)
	if !hasCJK(clean) {
		return yesNo(clean)
	}
	clean = strings.TrimSpace(foldWidth(clean))
	if a, ok := fromJSON(clean, jsonWord); ok {
		return a
	}
	clean = pairMention.ReplaceAllString(clean, " ")
	if m := finalAnswerCJK.FindAllStringSubmatch(clean, -1); len(m) > 0 {
		return polarity(m[len(m)-1][1])
	}
	clean = noDoubt.ReplaceAllString(clean, "")
	if loc := firstCJK.FindStringSubmatchIndex(clean); loc != nil {
		a := polarity(clean[loc[2]:loc[3]])
		next := alsoLead.ReplaceAllString(firstClause(clean[loc[1]:]), "")
		if polar[strings.ToLower(next)] && polarity(next) != a {
			return eh.AnswerUnparsed
		}
		return a
	}
	if hedges.MatchString(clean) || hedgesCJK.MatchString(clean) {
		return eh.AnswerUnparsed
	}
	var yes, no bool
	note := func(a eh.Answer) {
		yes = yes || a == eh.AnswerYes
		no = no || a == eh.AnswerNo
	}
	for _, m := range quoted.FindAllStringSubmatch(clean, -1) {
		note(polarity(m[1]))
	}
	for _, m := range latinWord.FindAllStringSubmatch(clean, -1) {
		note(polarity(m[1]))
	}
	for _, c := range clauseSep.Split(clean, -1) {
		note(polarity(bare(c)))
	}
	return agreed(yes, no)
}

// wrapping is the white space, markdown, brackets and quotation marks of all
// three languages that may wrap an answer word.
const wrapping = " \t\r\n*_#>-`\"'“”‘’「」『』【】()（）[]"

// firstClause returns the clause that starts s, without markdown or quotes.
func firstClause(s string) string {
	s = strings.TrimLeft(s, wrapping+":：,，、.。!！?？")
	if loc := clauseSep.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	return bare(s)
}

// bare strips markdown, quotes and a polite copula from a clause, leaving the
// answer word if the clause is nothing else (「**いいえです**」 is いいえ; そうです
// keeps its です).
func bare(c string) string {
	c = strings.Trim(c, wrapping)
	if polarity(c) != eh.AnswerUnparsed {
		return c
	}
	return politeEnd.ReplaceAllString(c, "")
}

// jsonWord reads a JSON answer value in any of the three languages.
func jsonWord(v string) eh.Answer {
	if a := englishWord(v); a != eh.AnswerUnparsed {
		return a
	}
	return polarity(bare(strings.Trim(v, ".!。！")))
}

// hasCJK reports whether s holds kana, Han characters, or CJK or full-width
// punctuation: text yesno-v1 was never meant to read.
func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
			r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF {
			return true
		}
	}
	return false
}

// foldWidth maps full-width ASCII (U+FF01–U+FF5E) and the ideographic space to
// their ASCII forms, so that 「Ａｎｓｗｅｒ：ｎｏ」 and "Answer: no" read alike.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}
