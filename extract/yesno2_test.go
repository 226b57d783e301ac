package extract

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
)

// TestYesNo2KeepsV1Cases runs every row of TestYesNo (yesno-v1's own table,
// read from extract_test.go so that rows added there are checked here too)
// through yesno-v2 and requires the same decision.
func TestYesNo2KeepsV1Cases(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "extract_test.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "TestYesNo" {
			return true
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			row, ok := n.(*ast.CompositeLit)
			if !ok || len(row.Elts) != 2 {
				return true
			}
			if lit, ok := row.Elts[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("row %s: %v", lit.Value, err)
				}
				inputs = append(inputs, s)
			}
			return true
		})
		return false
	})
	if len(inputs) < 80 {
		t.Fatalf("read only %d rows of TestYesNo; has its table changed shape?", len(inputs))
	}
	for _, in := range inputs {
		if v1, v2 := YesNo(in), YesNo2(in); v1 != v2 {
			t.Errorf("yesno-v1(%q) = %s but yesno-v2 = %s", in, v1, v2)
		}
	}
}

// TestYesNo2EnglishCorpus is a differential check over real English text:
// the 254 free-text answers of HallusionBench's sample predictions, SOUL's
// statements and justifications, and GoEmotions' Reddit comments (with
// their casual yes, no, nope and yeah). yesno-v2 must decide every one as
// yesno-v1 does.
func TestYesNo2EnglishCorpus(t *testing.T) {
	const data = "../../shared/data"
	var corpus []string
	var hb []struct {
		Prediction string `json:"model_prediction"`
	}
	b, err := os.ReadFile(filepath.Join(data, "hallusionbench", "HallusionBench_result_sample.json"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent (%v): the English corpus comes from ../shared/data", data, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &hb); err != nil {
		t.Fatalf("HallusionBench_result_sample.json: %v", err)
	}
	for _, p := range hb {
		corpus = append(corpus, p.Prediction)
	}
	corpus = append(corpus, readColumns(t, filepath.Join(data, "soul", "dev.csv"), ',', "statement", "justification")...)
	corpus = append(corpus, readColumns(t, filepath.Join(data, "goemotions", "dev.tsv"), '\t', "")...)
	// Each text also as the tail of a reasoning block and behind a stated
	// answer, the two places where v1 does more than read words.
	n := len(corpus)
	for _, s := range corpus[:n] {
		corpus = append(corpus, "<think>"+s+"</think>\nNo.", s+"\nFinal answer: yes")
	}
	var parsed, diff int
	for _, s := range corpus {
		v1, v2 := YesNo(s), YesNo2(s)
		if v1 != eh.AnswerUnparsed {
			parsed++
		}
		if v1 != v2 {
			diff++
			if diff <= 20 {
				t.Errorf("yesno-v1(%q) = %s but yesno-v2 = %s", s, v1, v2)
			}
		}
	}
	t.Logf("%d English texts, %d parsed by yesno-v1, %d decided differently by yesno-v2", len(corpus), parsed, diff)
	if n < 5000 || parsed < 2*n {
		t.Fatalf("corpus too small to mean anything: %d texts, %d parsed", n, parsed)
	}
}

// readColumns returns the named columns of every row of a CSV/TSV file; an
// empty name means the first column of a header-less file.
func readColumns(t *testing.T, path string, sep rune, names ...string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = sep, true, -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var cols []int
	if names[0] == "" {
		cols = []int{0}
	} else {
		for _, n := range names {
			i := slices.Index(rows[0], n)
			if i < 0 {
				t.Fatalf("%s: no column %q in header %v", path, n, rows[0])
			}
			cols = append(cols, i)
		}
		rows = rows[1:]
	}
	var out []string
	for _, row := range rows {
		for _, c := range cols {
			if c < len(row) {
				out = append(out, row[c])
			}
		}
	}
	return out
}

type caseRow struct {
	in   string
	want eh.Answer
}

// checkRows runs rows through yesno-v2; a table shorter than least fails.
func checkRows(t *testing.T, lang string, least int, rows []caseRow) {
	t.Helper()
	for _, tt := range rows {
		got, ok := Extract(YesNoV2, tt.in)
		if !ok || got != tt.want {
			t.Errorf("yesno-v2(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if len(rows) < least {
		t.Fatalf("only %d %s cases; the rule's contract promises at least %d", len(rows), lang, least)
	}
}

func TestYesNo2Japanese(t *testing.T) {
	checkRows(t, "Japanese", 80, []caseRow{
		// Bare answers with Japanese punctuation.
		{"はい", Y},         // the plain yes
		{"いいえ", N},        // the plain no
		{"はい。", Y},        // with a full stop
		{"いいえ。", N},       // with a full stop
		{"はい！", Y},        // full-width exclamation
		{"いいえ！", N},       // full-width exclamation
		{"いえ。", N},        // the short no
		{"ええ。", Y},        // the conversational yes
		{"そうです。", Y},      // "that is so"
		{"違います。", N},      // "that is wrong"
		{"ちがいます", N},      // the same in kana
		{"そうではありません。", N}, // "that is not so"
		{"ありません。", N},     // the bare reply to 〜はありますか
		{"あります。", Y},      // the bare reply to 〜はありますか
		{"その通りです。", Y},    // "exactly"
		{"はいです", Y},       // clumsy but clear
		{"いいえです。", N},     // clumsy but clear
		{"イエス", Y},        // katakana yes
		{"ノー。", N},        // katakana no
		{"「はい」", Y},       // in Japanese quotation marks
		{"「いいえ」。", N},     // quoted, then a full stop
		{"『いいえ』", N},      // double quotation marks
		{"**はい**", Y},     // markdown bold
		{"**いいえ**。", N},   // markdown bold and a full stop
		{"　はい", Y},        // led by an ideographic space
		{"\n\nいいえ\n", N},  // surrounded by newlines
		{"- いいえ", N},      // a list item
		{"（はい）", Y},       // full-width parentheses
		{"ｙｅｓ", Y},        // full-width Latin letters
		{"Ｎｏ。", N},        // full-width Latin with a Japanese stop
		// An answer followed by its reason.
		{"はい、写真の人物は明らかに笑顔です。", Y},                    // yes, then why
		{"いいえ、この人物は怒っているようには見えません。", N},              // no, then a negative reason
		{"はい。口角が上がり、目尻にしわが寄っているため、喜びの表情と判断できます。", Y}, // the reason mentions 判断できます, which is no hedge here
		{"いいえ。声のトーンは落ち着いており、恐怖を示す手がかりはありません。", N},    // the reason ends in ありません
		{"ええ、レビューの書き手は店員の対応に不満を感じています。", Y},          // ええ then a reason
		{"いえ、悲しみではなく安堵を表しています。", N},                  // いえ then a correction
		{"はい、そうです。話し手は謝罪の言葉を述べています。", Y},             // はい、そうです agrees with itself
		{"いいえ、違います。怒りではなく驚きです。", N},                  // いいえ、違います agrees with itself
		{"いいえ、怒っています。", N},                           // no, then an affirmative clause that is not itself an answer word
		{"はい、ありません。", Y},                             // confirming a negative question: not a contradiction
		{"そうです、メールの末尾に苛立ちがにじんでいます。", Y},              // そうです then a reason
		{"違います。文面は丁寧ですが、本音では怒っています。", N},             // 違います then keigo masking anger
		{"ありません。そのような発言は会話中に出てきません。", N},             // bare ありません with a reason
		{"はい\n\n理由：\n1. 表情が明るい\n2. 声が弾んでいる", Y},      // markdown list after the answer
		{"いいえ\n\n- 表情：無表情\n- 視線：下向き", N},             // bullet list after the answer
		// Stated final answers win.
		{"回答：はい", Y},             // answer label with a full-width colon
		{"答え：いいえ", N},            // answer label
		{"結論：いいえ", N},            // conclusion label
		{"結論：はい。人物は喜んでいます。", Y},  // conclusion then reason
		{"最終的な答え：いいえ", N},        // final answer label
		{"答えは「はい」です。", Y},        // answer in quotes within a sentence
		{"答えは、いいえです。", N},        // answer with a comma
		{"結論から言うと、はいです。", Y},     // "to state the conclusion first"
		{"結論としては「いいえ」になります。", N}, // "as a conclusion, no"
		{"まず表情を確認します。眉が下がり、口がへの字です。次に声ですが、音声はありません。\n\n最終的な答え：はい", Y}, // reasoning, then a final answer after a stray ありません
		{"はい、と言いたいところですが、よく見ると目は笑っていません。\n答え：いいえ", N},                 // a first はい overruled by the stated answer
		{"ステップ1：文面を読む。ステップ2：感謝の言葉がある。\n**回答：はい**", Y},                 // steps, then a bold answer
		{"回答：はい\n\n（補足：笑顔は社交辞令の可能性もあります）", Y},                         // an aside with a hedge word after the answer
		{"Answer: いいえ", N}, // English label, Japanese answer
		{"最終回答：「いいえ」", N},  // 最終回答 with quotes
		{"判定：はい", Y},       // verdict label
		{"答え: はい。", Y},     // half-width colon
		{"**回答**：いいえ", N},  // bold label, then its colon
		{"回答は「いいえ」です。レビューには謝罪の言葉がありません。", N}, // quoted answer, then a reason ending in ありません
		{"レビューの書き手は不満を感じていますか？ → はい", Y},     // the question restated, an arrow, the answer
		{"結論：判断できません", U},                    // a conclusion label followed by a hedge
		{"```\n回答：いいえ\n```", N},              // in a code block
		{"{\"answer\": \"はい\"}", Y},          // JSON with a Japanese value
		{"{\"answer\": \"いいえ。\"}", N},        // JSON with a Japanese value and stop
		// Reasoning blocks are removed as in v1.
		{"<think>表情は曖昧だ。はいかな？いや違う。</think>いいえ", N},   // think block with its own はい
		{"<think>\n声が震えている。\n</think>\n\n**はい**", Y}, // markdown after thinking
		{"<think>まず状況を整理すると、店員は謝罪しているので", U},         // cut off while thinking
		// Answers found later in the text.
		{"表情を見る限り、いいえ。", N},      // bare answer clause at the end
		{"画像を確認しました。\nはい。", Y},   // answer on its own line
		{"私の判断では「いいえ」になります。", N}, // quoted answer inside a sentence
		// Traps: words that are not answers.
		{"はいはい", U}, // dismissive "yeah, yeah"
		{"ええと、少し考えさせてください。", U},                // ええと is "um"
		{"いいえ、そうです。", U},                       // contradicts itself
		{"はい、違います。", U},                        // contradicts itself
		{"はい、そうではありません。", U},                   // contradicts itself
		{"はいとも いいえとも言えません。", U},                // "neither yes nor no"
		{"「はい」とも「いいえ」とも言えません。", U},             // the same with quotes
		{"どちらとも言えません。", U},                     // "can't say either way"
		{"わかりません。", U},                         // "I don't know"
		{"分かりません。画像が不鮮明です。", U},                // "I don't know", kanji spelling
		{"判断できません。", U},                        // "cannot judge"
		{"この情報だけでは判断できません。", U},                // "cannot judge from this alone"
		{"申し訳ありませんが、人の感情を推測することはお答えできません。", U}, // refusal with 申し訳ありません, not ありません
		{"AIとして、感情を断定することはできません。", U},          // "as an AI"
		{"怒っているかもしれません。", U},                   // "may be angry"
		{"悲しんでいる可能性があります。", U},                 // "possibly sad"
		{"「はい」か「いいえ」で答えると、", U},                // the instruction echoed, no answer
		{"はいかいいえ", U},                          // "yes or no"
		{"最後の行を「答え：はい」または「答え：いいえ」の形にします。", U},  // the chain-of-thought instruction echoed
		{"はい/いいえ", U},                          // both options
		{"笑顔です。", U},                           // describes, answers nothing
		{"ありませんでしたが、今はあります。", U},               // runs on; not a bare answer
		{"彼は怒ってはいません。", U},                     // はい inside 怒っては-いません is no answer
		{"判断材料がありません。", U},                     // ありません ends a longer clause
		{"そうですね、難しいところです。", U},                 // そうですね is a filler
		{"いえいえ、とんでもないです。", U},                  // polite deflection
		{"", U},  // empty
		{"。", U}, // punctuation only
	})
}

func TestYesNo2Chinese(t *testing.T) {
	checkRows(t, "Chinese", 80, []caseRow{
		// Bare answers with Chinese punctuation.
		{"是", Y},           // the plain yes
		{"否", N},           // the plain no
		{"是。", Y},          // with a full stop
		{"否。", N},          // with a full stop
		{"是的", Y},          // "yes, it is"
		{"是的。", Y},         // with a full stop
		{"不是", N},          // "it is not"
		{"不是。", N},         // with a full stop
		{"对", Y},           // "right"
		{"对的。", Y},         // "that's right"
		{"不对", N},          // "not right"
		{"不对！", N},         // with a full-width exclamation
		{"没有。", N},         // the bare reply to 有…吗
		{"有。", Y},          // the bare reply to 有…吗
		{"没错。", Y},         // "correct"
		{"正确", Y},          // "correct"
		{"不正确。", N},        // "incorrect"
		{"“是”", Y},         // in Chinese quotation marks
		{"“否”。", N},        // quoted, then a full stop
		{"「是」", Y},         // corner brackets (Traditional style)
		{"**是**", Y},       // markdown bold
		{"**否**。", N},      // markdown bold and a full stop
		{"  不是\n", N},      // surrounded by white space
		{"（是）", Y},         // full-width parentheses
		{"ＹＥＳ", Y},         // full-width Latin letters
		{"不，", N},          // bare 不 with a comma
		{"- 否", N},         // a list item
		{"不是的。", N},        // the common colloquial no
		{"有的。", Y},         // the colloquial bare reply to 有…吗
		{"是啊，她看起来很开心。", Y}, // 啊 closes the answer word
		{"没有呀。", N},        // 呀 closes the answer word
		{"当然。", Y},         // "of course"
		{"当然不是。", N},       // "of course not"
		{"我认为不是。", N},      // "I think not"
		{"我觉得是的，因为她在笑。", Y}, // "I think so", then why
		{"我认为是他先生气的。", U},   // 是 as a copula after 我认为
		// An answer followed by its reason.
		{"是的，图片中的人物正在微笑，表现出愉快的情绪。", Y},     // yes then why
		{"不是，说话人的语气很平静，没有愤怒的迹象。", N},       // no then why, with 没有 inside
		{"是。评论者明确表达了对服务的不满。", Y},           // 是 then a sentence
		{"否。文本中没有提到道歉。", N},                // 否 then a sentence
		{"对，她确实很生气。", Y},                   // 对 then a reason
		{"不对，这不是悲伤，而是惊讶。", N},              // 不对 then 不是…而是
		{"是的，没错，他很高兴。", Y},                 // two agreeing words
		{"不是。她不是愤怒，而是悲伤。", N},              // 不是 then 不是…而是
		{"没有，图中只有一个人，且表情平静。", N},           // bare 没有 then a reason
		{"有，第二个人在哭。", Y},                   // bare 有 then a reason
		{"是的\n\n理由：\n1. 嘴角上扬\n2. 眼睛眯起", Y}, // markdown list after the answer
		{"否\n\n- 表情：中性\n- 语气：平淡", N},       // bullet list after the answer
		{"不，他并没有表现出恐惧。", N},                // 不 then a reason
		{"是，虽然愤怒程度较轻。", Y},                 // yes with a concession
		{"是的，可能还夹杂着一些失望。", Y},              // the hedge word 可能 comes after a committed answer
		// Stated final answers win.
		{"答案：是", Y},          // answer label
		{"答案：否", N},          // answer label
		{"结论：否", N},          // conclusion label
		{"结论：是。人物表现出喜悦。", Y}, // conclusion then reason
		{"最终答案：是", Y},        // final answer label
		{"最终答案：**否**", N},    // bold after the label
		{"答案是“否”。", N},       // quoted after 答案是
		{"答案为：是", Y},         // 为 as the copula
		{"**答案**：否", N},      // bold label, then its colon
		{"综上所述，答案为否。", N},    // "in summary, the answer is no"
		{"从评论来看，顾客并没有表达愤怒，所以答案是否。", N}, // 答案是否 closing a sentence is "the answer is no"
		{"答案：无法判断", U},       // an answer label followed by a hedge
		{"答案是：\n\n**否**", N}, // copula, colon and a bold answer on a later line
		{"答案是否定的。", N},       // "the answer is negative"
		{"结论是肯定的。", Y},       // "the conclusion is positive"
		{"回答：不是", N},         // 回答 label
		{"答：是的", Y},          // terse 答 label
		{"我的判断：否", N},        // judgement label
		{"让我们一步一步分析。首先，人物眉头紧锁；其次，语气急促。因此，答案：是", Y}, // step-by-step then answer
		{"从表情看似乎是开心的，但仔细观察眼神并不自然。\n最终答案：否", N},     // reasoning then final answer
		{"是的，看起来像是。\n不过再想想……\n最终答案：不是", N},         // a first 是的 overruled by the final answer
		{"Answer: 是", Y}, // English label, Chinese answer
		{"最终答案：是\n\n（注：也可能是礼貌性的微笑）", Y}, // an aside with 可能 after the answer
		{"答案：有", Y},                              // existence answer after a label
		{"答案：没有", N},                             // existence answer after a label
		{"{\"answer\": \"是\"}", Y},               // JSON with a Chinese value
		{"```json\n{\"answer\": \"否\"}\n```", N}, // JSON in a code block
		// Reasoning blocks are removed as in v1.
		{"<think>嗯，看起来在笑，是吗？不对。</think>否", N},     // think block with its own words
		{"<think>\n分析语气。\n</think>\n\n**是的**", Y}, // markdown after thinking
		{"<think>首先看人物的表情，眉毛上扬", U},               // cut off while thinking
		// Answers found later in the text.
		{"问题：图中人物是否在微笑？\n是。", Y}, // restated question, then the answer
		{"图中人物是否愤怒？不是。", N},      // restated question with 是否, then 不是
		{"根据评论内容，“否”。", N},       // quoted answer later
		// Traps: words that are not answers.
		{"是否", U}, // the question word itself
		{"图中的人物是否感到愤怒，需要结合语境判断。", U}, // 是否 in a restated question
		{"答案是否正确取决于语境。", U},          // 答案是否正确: no answer
		{"答案是：不确定", U},               // 答案是 does not answer with its own copula
		{"答案是“是”还是“否”？", U},          // the para-a instruction echoed
		{"符合就回答“是”，不符合就回答“否”。", U},   // 回答 as a verb, naming both answers
		{"是或否", U},          // "yes or no"
		{"“是”或“否”", U},      // both options quoted
		{"是/否", U},          // both options with a slash
		{"请只回答“是”或“否”：", U}, // the instruction echoed
		{"最后单独用一行写出“答案：是”或“答案：否”。", U}, // the chain-of-thought instruction echoed
		{"是也不是。", U},            // "both yes and no"
		{"不是愤怒，而是悲伤。", U},       // 不是…而是 answers another question
		{"不是愤怒而是惊讶", U},         // the same without a comma
		{"没有明显的愤怒迹象。", U},       // 没有 inside a sentence is no bare answer
		{"没有人在笑。", U},           // 没有人 is "nobody", not a bare answer
		{"有一个人在哭。", U},          // 有 runs on into a sentence
		{"对于这个问题，我无法判断。", U},    // 对于 is not 对; and a hedge
		{"无法判断。", U},            // "cannot judge"
		{"不确定。", U},             // "not sure"
		{"可能。", U},              // "possibly"
		{"也许吧。", U},             // "maybe"
		{"或许是在生气。", U},          // "perhaps angry"
		{"信息不足，无法回答。", U},       // insufficient information
		{"作为AI，我无法判断他人的情绪。", U}, // "as an AI"
		{"抱歉，我不能回答这个问题。", U},    // refusal
		{"说不准。", U},             // "hard to say"
		{"人物在微笑。", U},           // describes, answers nothing
		{"否则他不会这么说。", U},        // 否则 is "otherwise"
		{"是他先生气的。", U},          // 是 as the copula of a sentence
		{"是的，不是。", U},           // contradicts itself
		{"是，也不是。", U},           // "yes, and also no"
		{"当然不是的", N},            // 的 may close any Chinese answer word
		{"很难说。", U},             // "hard to say"
		{"不是，是的。", U},           // contradicts itself
		{"", U},                 // empty
	})
}

// TestYesNo2Mixed covers answers that mix English and CJK text.
func TestYesNo2Mixed(t *testing.T) {
	checkRows(t, "mixed", 6, []caseRow{
		{"Yes。彼女は笑っています。", Y},           // English word, Japanese punctuation
		{"No, 她没有生气。", N},               // English answer, Chinese reason
		{"Yes and no。", U},              // both, in any script
		{"Ａｎｓｗｅｒ：ｎｏ", N},                // full-width English label
		{"The answer is はい.", Y},        // English label, Japanese answer
		{"I cannot tell from 这张图片.", U}, // an English hedge in mixed text
	})
	if Default != YesNoV2 || Rules[0] != Default {
		t.Errorf("default rule %s, rules %v: yesno-v2 must be the default and listed first", Default, Rules)
	}
}

func TestYesNo2HugeInput(t *testing.T) {
	huge := "いいえ。" + strings.Repeat("理由 ", 1<<20)
	if got := YesNo2(huge); got != N {
		t.Fatalf("got %s", got)
	}
}

func FuzzYesNo2(f *testing.F) {
	for _, s := range []string{"はい", "<think>いいえ</think>是", `{"answer":"否"}`, "\xff", "Yes", "答案是否"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := YesNo2(s)
		switch a {
		case Y, N, U:
		default:
			t.Fatal("answer outside the tri-state")
		}
		if !hasCJK(strings.ToValidUTF8(s, "")) && a != YesNo(s) {
			t.Fatalf("text without CJK decided %s, yesno-v1 %s", a, YesNo(s))
		}
	})
}
