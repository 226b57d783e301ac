package extract

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emohallucer/emohallucer/importers/swap"
)

// EmoClaimsV1 names the claim rule of open-ended descriptions (run --task
// describe); see Claims. Like the yes/no rules it never changes under its
// name: a changed lexicon is a new version.
const EmoClaimsV1 = "emoclaims-v1"

// ClaimRules lists the claim rule names ClaimsBy accepts.
var ClaimRules = []string{EmoClaimsV1}

// Claim is one emotion a description asserts: the canonical label (the
// importers' labels: anger, disgust, fear, happiness, sadness, surprise,
// contempt, neutral, calm, positive, negative), the words that named it and
// their byte offsets in the text Claims was given (in valid UTF-8: invalid
// bytes are replaced by U+FFFD first), for highlighting.
type Claim struct {
	Label      string `json:"label"`
	Word       string `json:"word"`
	Start, End int    `json:"-"`
	// Hedged claims were softened ("might be slightly anxious"); they still
	// count as claims (README "Open-ended descriptions").
	Hedged bool `json:"hedged,omitempty"`
}

// ClaimsBy applies the named claim rule; ok is false for an unknown rule.
func ClaimsBy(rule, text string) (claims []Claim, ok bool) {
	if rule != EmoClaimsV1 {
		return nil, false
	}
	return Claims(text), true
}

// lexicon lists, per label, the words that name it. English entries are
// matched as whole words (several words allowed), Japanese and Chinese ones
// as substrings; the longest entry at a position wins, so 不安 (anxiety) is
// not 安 and 表情がない (expressionless) is not a negated 表情.
var lexicon = map[string][]string{
	"anger": {
		"anger", "angry", "angrily", "angered", "furious", "furiously", "fury", "irritated", "irritation", "irritable", "annoyed", "annoyance",
		"cross", "mad", "rage", "raging", "enraged", "outraged", "outrage", "irate", "livid", "hostile", "hostility", "frustrated", "frustration",
		"resentful", "resentment", "indignant", "indignation", "aggravated", "agitated with anger", "seething", "infuriated", "wrath", "exasperated", "exasperation",
		"怒り", "怒っ", "怒る", "怒ら", "怒れ", "イライラ", "いらいら", "苛立", "腹を立て", "腹が立", "腹立た", "激怒", "憤り", "憤慨", "立腹", "ムッと", "むっと", "キレて", "キレそう",
		"生气", "愤怒", "恼火", "发火", "发怒", "气愤", "怒火", "暴怒", "恼怒", "不耐烦", "烦躁", "怒气", "动怒", "火冒三丈", "恼羞成怒", "愤慨",
	},
	"disgust": {
		"disgust", "disgusted", "disgusting", "revulsion", "revolted", "repulsed", "repulsion", "grossed out", "nauseated", "distaste", "aversion", "loathing", "repugnance",
		"嫌悪", "うんざり", "気持ち悪", "不快感", "むかつ", "ムカつ", "嫌そう", "げんなり",
		"厌恶", "恶心", "反感", "嫌弃", "作呕", "憎恶", "讨厌",
	},
	"fear": {
		"fear", "fearful", "fearfully", "afraid", "scared", "frightened", "terrified", "terror", "anxious", "anxiety", "nervous", "nervousness",
		"worried", "worry", "panic", "panicked", "alarmed", "apprehensive", "apprehension", "dread", "uneasy", "unease", "horrified", "horror", "petrified",
		"恐怖", "怖が", "怖い", "怖そう", "恐れ", "おびえ", "怯え", "不安", "心配", "パニック", "びくびく", "ビクビク", "緊張", "恐ろし",
		"恐惧", "害怕", "惊恐", "焦虑", "担心", "紧张", "不安", "恐慌", "畏惧", "胆怯", "惧怕", "惶恐",
	},
	"happiness": {
		"happy", "happiness", "happily", "joy", "joyful", "joyous", "glad", "delighted", "delight", "cheerful", "cheerfully", "pleased", "contented",
		"elated", "ecstatic", "excited", "excitement", "thrilled", "amused", "amusement", "jubilant", "gleeful", "glee", "merry", "overjoyed", "euphoric", "satisfied",
		"嬉し", "うれし", "喜び", "喜ん", "楽し", "幸せ", "幸福", "ご機嫌", "上機嫌", "満足", "わくわく", "ワクワク", "愉快",
		"高兴", "开心", "快乐", "喜悦", "愉快", "幸福", "欢乐", "兴奋", "欣喜", "愉悦", "满足", "欢喜", "快活", "喜气洋洋",
	},
	"sadness": {
		"sad", "sadly", "sadness", "unhappy", "unhappiness", "sorrow", "sorrowful", "grief", "grieving", "depressed", "depression", "melancholy", "gloomy", "downcast",
		"heartbroken", "miserable", "misery", "upset", "dejected", "despair", "despondent", "mournful", "tearful", "forlorn", "disappointed", "disappointment",
		"悲し", "哀し", "悲しみ", "悲しげ", "悲哀", "落ち込", "憂鬱", "寂し", "さびし", "淋し", "切ない", "がっかり", "失望", "しょんぼり", "悲嘆", "泣き出しそう",
		"悲伤", "难过", "伤心", "悲哀", "忧郁", "沮丧", "失落", "哀伤", "悲痛", "忧伤", "失望", "消沉", "郁闷", "心碎", "低落",
	},
	"surprise": {
		"surprise", "surprised", "surprising", "astonished", "astonishment", "amazed", "amazement", "shocked", "shock", "startled", "stunned", "taken aback", "in awe", "astounded",
		"驚", "びっくり", "ビックリ", "仰天", "唖然", "呆気", "あっけにとられ",
		"惊讶", "吃惊", "惊奇", "震惊", "诧异", "惊愕", "意外", "惊喜",
	},
	"contempt": {
		"contempt", "contemptuous", "contemptuously", "scorn", "scornful", "disdain", "disdainful", "sneer", "sneering", "condescending", "derision", "derisive",
		"軽蔑", "見下", "さげす", "蔑み", "蔑ん", "侮蔑", "冷笑",
		"轻蔑", "鄙视", "蔑视", "不屑", "鄙夷", "嗤之以鼻",
	},
	"neutral": {
		"neutral", "expressionless", "blank expression", "blank face", "blank stare", "impassive", "poker face", "emotionless", "deadpan", "stoic", "indifferent", "no particular emotion", "no strong emotion", "no clear emotion",
		"無表情", "表情がない", "表情が乏し", "真顔", "ニュートラル", "中立", "淡々", "平然",
		"面无表情", "中性", "中立", "没有表情", "无表情", "漠然", "木然", "平淡",
	},
	"calm": {
		"calm", "calmly", "calmness", "relaxed", "serene", "serenity", "peaceful", "tranquil", "composed", "at ease", "placid",
		"穏やか", "落ち着い", "冷静", "平静", "リラックス", "安らか", "のんびり",
		"平静", "冷静", "平和", "放松", "安详", "镇定", "沉着", "淡定", "从容", "安宁",
	},
	"positive": {
		"positive", "positively", "upbeat", "optimistic", "hopeful",
		"ポジティブ", "前向き", "肯定的", "好意的",
		"积极", "正面", "乐观", "正向",
	},
	"negative": {
		"negative", "negatively", "pessimistic", "hopeless",
		"ネガティブ", "否定的", "後ろ向き", "悲観",
		"消极", "负面", "悲观", "负向",
	},
}

// entry is one lexicon word and its label; cjk entries match as substrings.
type entry struct {
	word, label string
	cjk         bool
}

// entries is the lexicon, longest word first, so that the first entry that
// matches at a position is the longest.
var entries = func() []entry {
	var out []entry
	seen := map[string]string{} // word → label
	for label, words := range lexicon {
		for _, w := range words {
			if lab, ok := seen[w]; ok {
				// A word of two labels (中立, 平静 are listed once each where
				// both languages share it) would make the rule order-dependent.
				if lab != label {
					panic("extract: lexicon word " + w + " under two labels")
				}
				continue
			}
			seen[w] = label
			out = append(out, entry{word: w, label: label, cjk: !isASCII(w)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].word) != len(out[j].word) {
			return len(out[i].word) > len(out[j].word)
		}
		return out[i].word < out[j].word
	})
	return out
}()

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

var (
	// A clause ends at sentence punctuation, a line break, or a contrast
	// ("but", "しかし", "但是"): a negation never reaches across it.
	clauseEnd = regexp.MustCompile(`(?i)[.!?;:。！？；：\n]|\b(?:but|however|though|although|yet|whereas|while|instead)\b|しかし|けれど|けど|でも|ものの|但是|但|不过|然而|却|而是`)
	// A comma ends a negation's reach when a new clause starts after it ("she
	// is not angry, she is sad"); in a list ("no fear, anger or sadness") it
	// does not.
	commaClause = regexp.MustCompile(`(?i)^\s*(?:she|he|they|it|i|we|this|that|the|his|her|their|rather|instead|and (?:she|he|they|it|the)|which|who)\b`)
	// English negation cues, before the emotion word.
	enNeg = regexp.MustCompile(`(?i)\b(?:not|no|never|neither|nor|without|lacks?|lacking|absence of|free of|nothing|none|hardly|barely|isn't|aren't|wasn't|weren't|doesn't|don't|didn't|won't|can't|cannot|couldn't|shouldn't|wouldn't|no longer|rather than|instead of|devoid of|nor any|nobody)\b|n't\b`)
	// Phrases with a negation word that do not negate the emotion ("can't
	// hide her anger", "not only happy", "nothing but joy").
	enNotNeg = regexp.MustCompile(`(?i)\b(?:not only|not just|no doubt|nothing but|(?:can't|cannot|couldn't|can not) (?:hide|help|conceal|contain|stop)|no less)\b`)
	// English negation after the word within its clause ("anger is absent").
	enNegAfter = regexp.MustCompile(`(?i)^[\s\w']{0,30}?\b(?:is|are|was|were|seems?|appears?)\s+(?:not|absent|missing|nowhere)\b|^\s*(?:is|are)\s+(?:absent|missing)\b|^\s*(?:isn't|aren't|wasn't)\b`)
	// Undecided mentions ("hard to tell whether she is angry") assert nothing.
	enUndecided = regexp.MustCompile(`(?i)\b(?:whether|unclear|hard to tell|difficult to tell|cannot tell|can't tell|impossible to say|hard to say|not sure|unsure)\b`)
	// Hedges soften a claim but keep it one.
	enHedge = regexp.MustCompile(`(?i)\b(?:might|may|maybe|perhaps|possibly|probably|likely|could|seems?|appears?|slightly|a bit|a little|somewhat|a hint of|a trace of|faintly|mildly|hint|suggest|suggests)\b`)
	// Japanese negation follows the word ("怒っていない", "悲しくない", "恐怖は見られない").
	jaNeg = regexp.MustCompile(`ない|なさ|ません|なかった|無い|ず[、。]|ず$|見られず|感じられず|わけではない`)
	// Phrases that end in ない without negating the emotion ("怒りを隠せない").
	jaNotNeg = regexp.MustCompile(`隠せない|隠しきれない|抑えきれない|抑えられない|たまらない|止まらない|仕方(?:が)?ない|しょうがない|違いない|ならない`)
	// Chinese negation precedes the word ("没有生气", "不开心", "看不出愤怒").
	zhNeg = regexp.MustCompile(`不|没|沒|无|無|未|非|别|莫|毫无|并非`)
	// Chinese phrases with a negation character that do not negate what follows.
	zhNotNeg = regexp.MustCompile(`不禁|不由|忍不住|不住|不停|不断|不已|不少|不仅|无比|非常|无法掩饰|掩饰不住|毫不掩饰|藏不住|莫名|没想到`)
	// Undecided mentions in Japanese and Chinese.
	cjkUndecided = regexp.MustCompile(`かどうか|か分から|かわから|判断でき|判断できない|是否|无法判断|难以判断|不确定|说不清|看不出是否`)
	cjkHedge     = regexp.MustCompile(`かもしれ|ようだ|ように見え|らしい|気味|少し|やや|かすかに|ちょっと|可能|也许|或许|似乎|好像|有点|有些|略微|稍微|一丝|隐约`)
)

// Claims implements rule emoclaims-v1. Each emotion word of the lexicon
// found in the text (reasoning blocks removed, at most 64 KiB examined) is a
// claim of its label unless
//
//   - a negation governs it: in English a cue before it in its clause
//     ("not happy", "no sign of fear", "doesn't look angry", "neither sad nor
//     angry") or after it ("anger is absent"); in Japanese a negation after it
//     in its clause ("怒っていない", "恐怖は見られない"); in Chinese a negation
//     character in the eight characters before it ("没有生气", "看不出愤怒");
//     a clause ends at sentence punctuation, a contrast ("but", "しかし",
//     "但是") or a comma that starts a new clause;
//   - the clause leaves the question open ("hard to tell whether she is
//     angry", "怒っているかどうか分からない", "无法判断是否生气").
//
// Hedged mentions ("might be slightly anxious", "少し悲しそう", "似乎有点紧张")
// are claims, marked Hedged: the model put the emotion in its description,
// which is what a hallucination metric counts (CHAIR counts every mentioned
// object alike). One label is claimed once per text: the first unnegated
// mention is kept.
func Claims(text string) []Claim {
	// Valid UTF-8 first and cut at a rune boundary, so offsets are into the
	// valid text whatever its length.
	text = strings.ToValidUTF8(text, "\uFFFD")
	if len(text) > maxScan {
		n := maxScan
		for n > 0 && !utf8.RuneStart(text[n]) {
			n--
		}
		text = text[:n]
	}
	// Reasoning blocks are blanked, not removed, so offsets stay the text's.
	text = thinkBlock.ReplaceAllStringFunc(text, blank)
	text = openThink.ReplaceAllStringFunc(text, blank)
	lower := asciiLower(text) // keeps every byte offset the text's
	var out []Claim
	seen := map[string]bool{}
	for i := 0; i < len(lower); {
		e, n := matchAt(lower, i)
		if n == 0 {
			_, size := utf8.DecodeRuneInString(lower[i:])
			i += size
			continue
		}
		start, end := i, i+n
		i = end
		if seen[e.label] {
			continue
		}
		cs, ce := clause(lower, start, end)
		before, after := lower[cs:start], lower[end:ce]
		if negated(e, before, after) || undecided(before+" "+after) {
			continue
		}
		seen[e.label] = true
		out = append(out, Claim{Label: e.label, Word: text[start:end], Start: start, End: end,
			Hedged: enHedge.MatchString(before+" "+after) || cjkHedge.MatchString(before+after)})
	}
	return out
}

// asciiLower lowers ASCII letters alone: full Unicode lowering may change a
// text's length, and claims carry offsets into it.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func blank(s string) string { return strings.Repeat(" ", len(s)) }

// matchAt returns the longest lexicon entry at byte i of s and its length;
// English words must stand alone (not "fearless", "madness" is anger only if
// listed).
func matchAt(s string, i int) (entry, int) {
	if i > 0 {
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		if isWordRune(prev) && prev < utf8.RuneSelf {
			// Inside an English word: only CJK entries may start here.
			for _, e := range entries {
				if e.cjk && strings.HasPrefix(s[i:], e.word) {
					return e, len(e.word)
				}
			}
			return entry{}, 0
		}
	}
	for _, e := range entries {
		if !strings.HasPrefix(s[i:], e.word) {
			continue
		}
		if !e.cjk {
			if next, _ := utf8.DecodeRuneInString(s[i+len(e.word):]); i+len(e.word) < len(s) && (isWordRune(next) || next == '-') {
				continue
			}
		}
		return e, len(e.word)
	}
	return entry{}, 0
}

func isWordRune(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// clause returns the bounds of the clause around s[start:end].
func clause(s string, start, end int) (int, int) {
	cs := 0
	for _, m := range clauseEnd.FindAllStringIndex(s[:start], -1) {
		cs = m[1]
	}
	base := cs
	for _, c := range commaIndexes(s[base:start]) {
		at := base + c
		_, w := utf8.DecodeRuneInString(s[at:])
		if cjkComma(s, at) || commaClause.MatchString(s[at+w:]) {
			cs = at + w
		}
	}
	ce := len(s)
	if m := clauseEnd.FindStringIndex(s[end:]); m != nil {
		ce = end + m[0]
	}
	for _, c := range commaIndexes(s[end:ce]) {
		_, w := utf8.DecodeRuneInString(s[end+c:])
		if cjkComma(s, end+c) || commaClause.MatchString(s[end+c+w:]) {
			ce = end + c
			break
		}
	}
	return cs, ce
}

// commaIndexes are the byte offsets of the commas in s (ASCII and the
// ideographic ones "、" and "，", whose offset is their first byte).
func commaIndexes(s string) []int {
	var out []int
	for i, r := range s {
		if r == ',' || r == '、' || r == '，' {
			out = append(out, i)
		}
	}
	return out
}

// cjkComma reports whether the comma at s[i] is an ideographic one: in
// Japanese and Chinese a comma always ends a negation's reach.
func cjkComma(s string, i int) bool { return s[i] >= utf8.RuneSelf }

// negated reports whether a negation in the word's clause governs it.
func negated(e entry, before, after string) bool {
	if !e.cjk {
		return enNeg.MatchString(lastWords(enNotNeg.ReplaceAllString(before, " "), 6)) || enNegAfter.MatchString(after)
	}
	if loc := jaNeg.FindStringIndex(after); loc != nil && !jaNotNeg.MatchString(after) {
		return true
	}
	// The eight characters before the word, for Chinese.
	r := []rune(before)
	if len(r) > 8 {
		r = r[len(r)-8:]
	}
	win := zhNotNeg.ReplaceAllString(string(r), "")
	return zhNeg.MatchString(win)
}

// lastWords is the end of s holding its last n words: an English negation
// governs the few words after it ("no sign of any fear"), not a clause's
// every word.
func lastWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[len(f)-n:]
	}
	return strings.Join(f, " ")
}

// undecided reports whether the clause leaves the emotion open.
func undecided(clause string) bool {
	return enUndecided.MatchString(clause) || cjkUndecided.MatchString(clause)
}

// Supported reports whether a claim of label is borne out by an input whose
// gold labels are gold and whose annotators also allowed allowed: the label
// is one of them, or it agrees in valence (importers/swap.Valence) with a
// gold sentiment ("angry" of a negative text, "positive" of a happy face).
// Surprise goes either way, so it is supported by any positive or negative
// sentiment; neutral and calm need a neutral or calm gold.
func Supported(label string, gold, allowed []string) bool {
	l := swap.Label(label)
	for _, g := range append(append([]string(nil), gold...), allowed...) {
		gl := swap.Label(g)
		switch {
		case gl == l:
			return true
		case isSentiment(gl) || isSentiment(l):
			v, w := swap.Valence(gl), swap.Valence(l)
			if v != 0 && (w == v || l == swap.Surprise) {
				return true
			}
		}
	}
	return false
}

func isSentiment(l swap.Label) bool { return l == swap.Positive || l == swap.Negative }
