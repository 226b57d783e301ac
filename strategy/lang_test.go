package strategy

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/extract"
	"github.com/emohallucer/emohallucer/provider/cache"
)

// language holds what a language's prompts and answers look like.
type language struct {
	// asks are the instructions an answer step ends with (one of them).
	asks []string
	// image is the media noun of an image item.
	image string
	// slots are words of PEP-MEK's evidence slots (face, gaze, voice,
	// intensity, cause) that the evidence prompt must name.
	slots []string
	// answers are realistic replies to each step, by template name; the
	// strategy tests require yesno-v2 to read the answer steps.
	answers map[string]string
	// want is the answer the scripted replies lead to.
	want eh.Answer
	// perception and knowledge are items whose question is in the language.
	perception, knowledge *eh.Item
}

var languages = map[string]language{
	"ja": {
		asks:  []string{"「はい」か「いいえ」", "「答え：はい」または「答え：いいえ」"},
		image: "画像",
		slots: []string{"全体の雰囲気", "人数", "表情", "頭の向き", "視線", "姿勢", "身ぶり", "声のトーン", "感情語", "関係とやりとり", "感情のカテゴリー", "強さ", "原因"},
		answers: map[string]string{
			"direct":        "はい。",
			"para-a":        "**はい**",
			"para-b":        "はい",
			"cot":           "口角が上がり、目尻にしわがあります。\n\n答え：はい",
			"mek":           "1. 全体の雰囲気：明るい\n2. 人数：1人\n3. 表情：満面の笑み",
			"describe":      "若い女性が公園のベンチで笑っています。",
			"mek-knowledge": "1. ジェームズ＝ランゲ説\n2. 身体の変化が先に起こり、その知覚が情動である",
			"predict":       "はい、笑顔が見られます。",
			"explain":       "笑顔は社交辞令ではなく、目元も笑っています。",
			"final":         "「はい」",
		},
		want: eh.AnswerYes,
		perception: item(&eh.Pair{ID: "img-1.ja", Lang: "ja", Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Image,
			Context:      eh.Context{Media: []eh.Media{{Path: "a.png", Kind: eh.Image}}},
			Basic:        eh.Question{Text: "この人物は喜んでいるように見えますか。", Gold: eh.Yes},
			Hallucinated: eh.Question{Text: "この人物は驚いているように見えますか。", Gold: eh.No}}, true),
		knowledge: item(&eh.Pair{ID: "k-1.ja", Lang: "ja", Dimension: eh.Knowledge, SubCategory: eh.Theory, Modality: eh.Text,
			Basic:        eh.Question{Text: "ジェームズ＝ランゲ説では、身体の変化が情動の経験に先立つとされていますか。", Gold: eh.Yes},
			Hallucinated: eh.Question{Text: "ジェームズ＝ランゲ説では、情動の経験が身体の変化に先立つとされていますか。", Gold: eh.No}}, false),
	},
	"zh": {
		asks:  []string{"“是”或“否”", "“答案：是”或“答案：否”"},
		image: "图片",
		slots: []string{"整体氛围", "人数", "面部表情", "头部姿态", "视线", "身体姿势", "手势", "语气语调", "情绪词语", "关系与互动", "情绪类别", "强度", "原因"},
		answers: map[string]string{
			"direct":        "否。",
			"para-a":        "否",
			"para-b":        "**否**",
			"cot":           "人物眉头紧锁，但嘴角并未下垂。\n最终答案：否",
			"mek":           "1. 整体氛围：平静\n2. 人数：1人\n3. 面部表情：中性",
			"describe":      "一位年轻女性坐在公园的长椅上。",
			"mek-knowledge": "1. 詹姆斯-兰格理论\n2. 身体变化先于情绪体验",
			"predict":       "不是，她的表情很平静。",
			"explain":       "我没有看到任何惊讶的线索。",
			"final":         "否",
		},
		want: eh.AnswerNo,
		perception: item(&eh.Pair{ID: "img-1.zh", Lang: "zh", Dimension: eh.Perception, SubCategory: eh.Category, Modality: eh.Image,
			Context:      eh.Context{Media: []eh.Media{{Path: "a.png", Kind: eh.Image}}},
			Basic:        eh.Question{Text: "图中的人物看起来开心吗？", Gold: eh.Yes},
			Hallucinated: eh.Question{Text: "图中的人物看起来惊讶吗？", Gold: eh.No}}, true),
		knowledge: item(&eh.Pair{ID: "k-1.zh", Lang: "zh", Dimension: eh.Knowledge, SubCategory: eh.Theory, Modality: eh.Text,
			Basic:        eh.Question{Text: "詹姆斯-兰格理论是否认为身体变化先于情绪体验？", Gold: eh.Yes},
			Hallucinated: eh.Question{Text: "詹姆斯-兰格理论是否认为情绪体验先于身体变化？", Gold: eh.No}}, false),
	},
}

func item(p *eh.Pair, media bool) *eh.Item {
	it := &eh.Item{Pair: p, Role: eh.Basic}
	if media {
		it.Media = []eh.MediaFile{{Kind: eh.Image, MIME: "image/png", SHA256: strings.Repeat("a", 64)}}
	}
	return it
}

// TestStrategiesInLanguage runs every strategy on a Japanese and a Chinese
// question: each step must use that language's template, ask for the
// language's answer words, never fall back to English, and each answer
// step's reply must be read by yesno-v2.
func TestStrategiesInLanguage(t *testing.T) {
	tests := []struct {
		strategy string
		steps    []string // template names without language and version
		answers  []bool   // which steps are answer steps
		know     bool     // ask the knowledge item
	}{
		// One call, the bare question.
		{"direct", []string{"direct"}, []bool{true}, false},
		// Reasoning, then a stated answer.
		{"cot", []string{"cot"}, []bool{true}, false},
		// Emotion evidence slots, predict, explain, final predict.
		{"pep-mek", []string{"mek", "predict", "explain", "final"}, []bool{false, true, false, true}, false},
		// Knowledge questions lay out knowledge instead of slots.
		{"pep-mek", []string{"mek-knowledge", "predict", "explain", "final"}, []bool{false, true, false, true}, true},
		// A generic description instead of the slots.
		{"pep-mk", []string{"describe", "predict", "explain", "final"}, []bool{false, true, false, true}, false},
		// Evidence, then one prediction.
		{"mek-only", []string{"mek", "predict"}, []bool{false, true}, false},
		// k chain-of-thought samples.
		{"self-consistency", []string{"cot", "cot", "cot", "cot", "cot"}, []bool{true, true, true, true, true}, false},
		// Three wordings, one call each.
		{"majority-vote", []string{"direct", "para-a", "para-b"}, []bool{true, true, true}, false},
	}
	for _, lang := range []string{"ja", "zh"} {
		l := languages[lang]
		for _, tt := range tests {
			t.Run(lang+"/"+tt.strategy+fmt.Sprint(tt.know), func(t *testing.T) {
				it := l.perception
				if tt.know {
					it = l.knowledge
				}
				m := &scripted{answer: func(req *eh.Request) (string, error) {
					_, tmpl, _ := strings.Cut(req.Template, ":")
					return l.answers[strings.TrimSuffix(tmpl, "."+lang+".v1")], nil
				}}
				s, err := New(tt.strategy, Options{})
				if err != nil {
					t.Fatal(err)
				}
				out, err := s.Answer(context.Background(), m, it)
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, st := range tt.steps {
					want = append(want, tt.strategy+":"+st+"."+lang+".v1")
				}
				if fmt.Sprint(stepsOf(m.reqs)) != fmt.Sprint(want) {
					t.Fatalf("steps %v, want %v", stepsOf(m.reqs), want)
				}
				for i, r := range m.reqs {
					prompt := text(r.Messages[len(r.Messages)-1])
					if strings.Contains(prompt, "Answer") || strings.Contains(prompt, "Question") || strings.Contains(prompt, "evidence") {
						t.Errorf("step %s falls back to English: %q", r.Template, prompt)
					}
					if tt.answers[i] {
						if !strings.Contains(prompt, l.asks[0]) && !strings.Contains(prompt, l.asks[1]) {
							t.Errorf("answer step %s does not ask for %s: %q", r.Template, l.asks[0], prompt)
						}
						if !strings.Contains(prompt, it.Question()) {
							t.Errorf("answer step %s lacks the question: %q", r.Template, prompt)
						}
						if a, _ := extract.Extract(extract.Default, out.Steps[i].Response); a != l.want || out.Steps[i].Answer != a {
							t.Errorf("step %s: reply %q read as %s (recorded %s), want %s", r.Template, out.Steps[i].Response, a, out.Steps[i].Answer, l.want)
						}
					}
				}
				first := text(m.reqs[0].Messages[0])
				if tt.know && !strings.Contains(first, it.Question()) {
					t.Errorf("knowledge evidence prompt lacks the question: %q", first)
				}
				if !tt.know && !strings.Contains(first, l.image) {
					t.Errorf("first prompt does not name the %s: %q", l.image, first)
				}
				if out.Answer != l.want || out.Rule != extract.YesNoV2 {
					t.Fatalf("outcome %s under %s, want %s under yesno-v2", out.Answer, out.Rule, l.want)
				}
			})
		}
	}
}

// TestMEKSlotsInLanguage checks that the evidence step names every slot of
// SPEC §4 in Japanese and Chinese, as TestPEPMEKSequence does in English.
func TestMEKSlotsInLanguage(t *testing.T) {
	for lang, l := range languages {
		_, mek, err := prompt("mek", l.perception, dataFor(l.perception))
		if err != nil {
			t.Fatal(err)
		}
		for _, slot := range l.slots {
			if !strings.Contains(mek, slot) {
				t.Errorf("%s MEK prompt lacks slot %q", lang, slot)
			}
		}
	}
}

// TestTemplatesEveryLanguage requires every template name to exist in every
// language, so that no strategy can fail on a Japanese or Chinese question.
func TestTemplatesEveryLanguage(t *testing.T) {
	names := map[string]bool{}
	for k := range newest {
		names[k[0]] = true
	}
	if len(names) < 10 {
		t.Fatalf("only %d template names: %v", len(names), names)
	}
	for name := range names {
		for _, lang := range langs {
			got, ok := newest[[2]string{name, lang}]
			want := name + "." + lang + ".v1"
			if lang == "en" {
				want = name + ".v1"
			}
			if !ok || got != want {
				t.Errorf("template %s in %s: %q, want %q", name, lang, got, want)
			}
		}
	}
}

// TestLanguageSelection covers how the pair's lang field picks templates.
func TestLanguageSelection(t *testing.T) {
	tests := []struct {
		lang string
		want string // the direct template, or "" for an error
	}{
		{"", "direct.v1"},           // no language: English, the names of before
		{"en", "direct.v1"},         // English named
		{"ja", "direct.ja.v1"},      // Japanese
		{"zh", "direct.zh.v1"},      // Chinese
		{"ja-JP", "direct.ja.v1"},   // a region subtag is ignored
		{"zh-Hans", "direct.zh.v1"}, // a script subtag is ignored
		{"ZH", "direct.zh.v1"},      // tags are case-insensitive
		{"fr", ""},                  // no French templates: a clear error, not English
	}
	for _, tt := range tests {
		p := *languages["ja"].perception.Pair
		p.Lang = eh.Lang(tt.lang)
		it := &eh.Item{Pair: &p, Role: eh.Basic}
		got, err := templateFor("direct", it)
		if tt.want == "" {
			if eh.ErrorCode(err) != eh.EINVALID || !strings.Contains(err.Error(), `"fr"`) || !strings.Contains(err.Error(), p.ID) {
				t.Errorf("lang %q: error %v, want EINVALID naming the pair and language", tt.lang, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("lang %q: %q, %v; want %q", tt.lang, got, err, tt.want)
		}
	}
}

// TestCacheKeyPerLanguage sends the same pair in three languages (same
// question text, so only the language differs) and requires three different
// response-cache keys for every strategy's first request.
func TestCacheKeyPerLanguage(t *testing.T) {
	for _, name := range Names() {
		keys := map[string]string{}
		for _, lang := range langs {
			p := *languages["ja"].perception.Pair
			p.Lang = eh.Lang(lang)
			m := &scripted{answer: func(*eh.Request) (string, error) { return "yes", nil }}
			s, err := New(name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Answer(context.Background(), m, &eh.Item{Pair: &p, Role: eh.Basic}); err != nil {
				t.Fatal(err)
			}
			k, err := cache.Key("model-x", m.reqs[0])
			if err != nil {
				t.Fatal(err)
			}
			if other, dup := keys[k]; dup {
				t.Errorf("%s: %s and %s share the cache key", name, other, lang)
			}
			keys[k] = lang
		}
	}
}

// TestEchoedPromptIsNoAnswer renders every Japanese and Chinese template and
// reads the prompt itself as a reply: a model that only echoes its
// instructions (「はい」か「いいえ」で…, “答案：是”或“答案：否”) has not answered.
func TestEchoedPromptIsNoAnswer(t *testing.T) {
	for k, tmpl := range newest {
		if k[1] == "en" {
			continue
		}
		for _, it := range []*eh.Item{languages[k[1]].perception, languages[k[1]].knowledge} {
			d := dataFor(it)
			d.Evidence = "…"
			_, text, err := prompt(k[0], it, d)
			if err != nil {
				t.Fatal(err)
			}
			if a, _ := extract.Extract(extract.Default, text); a != eh.AnswerUnparsed {
				t.Errorf("%s echoed back reads as %s: %q", tmpl, a, text)
			}
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestPromptsGolden pins every Japanese and Chinese prompt as rendered for a
// perception item with a passage and an image and for a knowledge item, in
// one file a native reader can read back (testdata/prompts.golden.txt).
func TestPromptsGolden(t *testing.T) {
	var keys [][2]string
	for k := range newest {
		if k[1] != "en" {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][1]+keys[i][0] < keys[j][1]+keys[j][0] })
	var b bytes.Buffer
	for _, k := range keys {
		l := languages[k[1]]
		withText := *l.perception.Pair
		withText.Context.Text = map[string]string{"ja": "（レビュー本文）", "zh": "（评论正文）"}[k[1]]
		for _, it := range []*eh.Item{{Pair: &withText, Role: eh.Basic, Media: l.perception.Media}, l.knowledge} {
			// PEP-MEK's evidence is mek for perception, mek-knowledge for
			// knowledge; the other combinations are never sent.
			if k[0] == "mek" && it.Pair.Dimension == eh.Knowledge || k[0] == "mek-knowledge" && it.Pair.Dimension == eh.Perception {
				continue
			}
			d := dataFor(it)
			d.Evidence = "（…）"
			tmpl, text, err := prompt(k[0], it, d)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "===== %s · %s\n%s\n", tmpl, it.Pair.Dimension, text)
		}
	}
	const path = "testdata/prompts.golden.txt"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./strategy -run Golden -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("prompts differ from %s (rerun with -update if the change is intended):\n%s", path, b.String())
	}
}
