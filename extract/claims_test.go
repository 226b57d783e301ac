package extract

import (
	"strings"
	"testing"
)

// TestClaims is the table of rule emoclaims-v1: want lists the claimed labels
// in order of first mention ("" for none); hedged the labels whose claim is
// hedged.
func TestClaims(t *testing.T) {
	cases := []struct {
		text, want, hedged string
	}{
		// English: plain claims, synonyms and inflections.
		{"The man looks angry.", "anger", ""},                             // adjective
		{"She is furious.", "anger", ""},                                  // synonym
		{"He seems irritated by something.", "anger", "anger"},            // synonym, hedged by "seems"
		{"The woman is cross with him.", "anger", ""},                     // British "cross"
		{"Anger is written on his face.", "anger", ""},                    // noun, capitalised
		{"He shouts angrily.", "anger", ""},                               // adverb
		{"She is livid and hostile.", "anger", ""},                        // one label claimed once
		{"Pure rage.", "anger", ""},                                       // noun phrase
		{"He is extremely annoyed.", "anger", ""},                         // intensity adverb
		{"The man is visibly frustrated.", "anger", ""},                   // frustration counts as anger
		{"She looks disgusted.", "disgust", ""},                           // disgust adjective
		{"A look of revulsion.", "disgust", ""},                           // disgust noun
		{"He is grossed out by the food.", "disgust", ""},                 // multi-word entry
		{"She is afraid.", "fear", ""},                                    // fear synonym
		{"The child is terrified.", "fear", ""},                           // intensity synonym
		{"He seems nervous and anxious.", "fear", "fear"},                 // anxiety counts as fear
		{"Her eyes show panic.", "fear", ""},                              // noun
		{"The speaker sounds worried.", "fear", ""},                       // worry
		{"She is happy.", "happiness", ""},                                // plain
		{"A joyful smile.", "happiness", ""},                              // adjective
		{"He is delighted and cheerful.", "happiness", ""},                // two words, one label
		{"The crowd is thrilled.", "happiness", ""},                       // excitement as happiness
		{"She laughs, clearly amused.", "happiness", ""},                  // amusement
		{"The person looks very sad.", "sadness", ""},                     // intensity adverb
		{"He is unhappy.", "sadness", ""},                                 // "unhappy" is sadness, not negated happiness
		{"Grief and sorrow fill her face.", "sadness", ""},                // nouns
		{"She seems heartbroken.", "sadness", "sadness"},                  // hedged by "seems"
		{"He is upset.", "sadness", ""},                                   // upset as sadness
		{"A melancholy tone.", "sadness", ""},                             // melancholy
		{"She looks surprised.", "surprise", ""},                          // surprise
		{"He is astonished.", "surprise", ""},                             // synonym
		{"They were taken aback.", "surprise", ""},                        // multi-word entry
		{"Shock is visible on his face.", "surprise", ""},                 // shock
		{"A contemptuous sneer.", "contempt", ""},                         // contempt
		{"She regards him with disdain.", "contempt", ""},                 // disdain
		{"His expression is neutral.", "neutral", ""},                     // neutral
		{"The face is expressionless.", "neutral", ""},                    // expressionless
		{"She has a blank expression.", "neutral", ""},                    // multi-word neutral
		{"He appears calm.", "calm", "calm"},                              // calm, hedged by "appears"
		{"A relaxed, serene person.", "calm", ""},                         // relaxed
		{"The tone is positive.", "positive", ""},                         // sentiment
		{"An upbeat message.", "positive", ""},                            // positive synonym
		{"The review is negative.", "negative", ""},                       // negative sentiment
		{"A pessimistic comment.", "negative", ""},                        // negative synonym
		{"He is angry and sad.", "anger,sadness", ""},                     // two labels in order
		{"Happy at first, then surprised.", "happiness,surprise", ""},     // two labels
		{"She is angry, disgusted and afraid.", "anger,disgust,fear", ""}, // list
		{"Furious. Then calm.", "anger,calm", ""},                         // two sentences
		// English: words that are not claims.
		{"The man is fearless.", "", ""},                // "fear" inside a word
		{"She made a cake.", "", ""},                    // "mad" inside a word
		{"The image shows a person in a room.", "", ""}, // no emotion word
		{"", "", ""}, // empty
		{"The content of the image is a face.", "", ""}, // "content" is not in the lexicon
		{"A cross-section of a building.", "", ""},      // "cross" followed by a hyphen
		{"The arms are crossed.", "", ""},               // "crossed" is not "cross"
		// English negation.
		{"She is not happy.", "", ""},                               // not
		{"There is no sign of fear.", "", ""},                       // no sign of
		{"He doesn't look angry.", "", ""},                          // doesn't
		{"She does not look angry at all.", "", ""},                 // does not
		{"He is never sad.", "", ""},                                // never
		{"She is neither happy nor sad.", "", ""},                   // neither … nor
		{"He speaks without anger.", "", ""},                        // without
		{"There is no trace of any disgust.", "", ""},               // negation a few words before
		{"She isn't surprised.", "", ""},                            // isn't
		{"Nothing suggests contempt.", "", ""},                      // nothing
		{"He is no longer afraid.", "", ""},                         // no longer
		{"The man lacks any anger.", "", ""},                        // lacks
		{"He can't be angry.", "", ""},                              // can't
		{"Anger is absent from his face.", "", ""},                  // negation after the word
		{"Fear is not visible.", "", ""},                            // is not after the word
		{"She is not angry, she is sad.", "sadness", ""},            // a new clause after the comma ends the negation
		{"He is not happy but sad.", "sadness", ""},                 // "but" ends the negation
		{"She isn't angry; she is afraid.", "fear", ""},             // semicolon ends the negation
		{"No fear, anger or sadness.", "", ""},                      // a list stays negated
		{"She is happy, not sad.", "happiness", ""},                 // negation after the claim
		{"He is not only happy but also excited.", "happiness", ""}, // "not only" is no negation
		{"She can't hide her anger.", "anger", ""},                  // "can't hide" is no negation
		{"There is no doubt she is furious.", "anger", ""},          // "no doubt" is no negation
		{"He feels nothing but joy.", "happiness", ""},              // "nothing but" is no negation
		{"He didn't smile; he looked surprised.", "surprise", ""},   // negation of another verb in another clause
		{"Not sad. Angry.", "anger", ""},                            // sentence boundary
		{"She is not sad. She is sad.", "sadness", ""},              // the later unnegated mention counts
		{"The person is not neutral.", "", ""},                      // negated neutral
		{"The speaker is not calm.", "", ""},                        // negated calm
		// English hedges and undecided mentions.
		{"She might be slightly anxious.", "fear", "fear"},        // hedged claim is a claim
		{"Perhaps a little sad.", "sadness", "sadness"},           // perhaps
		{"He may be angry.", "anger", "anger"},                    // may
		{"Possibly surprised.", "surprise", "surprise"},           // possibly
		{"There is a hint of contempt.", "contempt", "contempt"},  // a hint of
		{"It is hard to tell whether she is angry.", "", ""},      // undecided
		{"It is unclear if he is sad or just tired.", "", ""},     // unclear
		{"I'm not sure she is afraid.", "", ""},                   // not sure
		{"I cannot tell if the man is happy.", "", ""},            // cannot tell
		{"Whether he is disgusted is impossible to say.", "", ""}, // whether
		// English reasoning blocks and markup.
		{"<think>maybe angry</think>She is sad.", "sadness", ""},     // reasoning removed
		{"<think>she is furious and", "", ""},                        // unterminated reasoning
		{"**Emotion:** happy", "happiness", ""},                      // markdown
		{"Emotions: anger (strong), fear (mild).", "anger,fear", ""}, // list with intensities
		{"HAPPY!!!", "happiness", ""},                                // upper case
		// Japanese claims.
		{"男性は怒っている。", "anger", ""},            // 怒っている
		{"彼女はイライラしている。", "anger", ""},         // イライラ
		{"彼は腹を立てている。", "anger", ""},           // 腹を立てる
		{"激怒している様子だ。", "anger", ""},           // 激怒
		{"非常に怒っている。", "anger", ""},            // 非常に is an intensifier, not 非
		{"とても悲しそうだ。", "sadness", ""},          // 〜そう says how she looks, no hedge
		{"彼女は落ち込んでいる。", "sadness", ""},        // 落ち込む
		{"寂しげな表情。", "sadness", ""},            // 寂しげ
		{"怖がっているようだ。", "fear", "fear"},        // hedged by ようだ
		{"不安そうな顔。", "fear", ""},               // 不安
		{"緊張している。", "fear", ""},               // 緊張 as fear
		{"嬉しそうに笑っている。", "happiness", ""},      // 嬉しい
		{"楽しんでいる。", "happiness", ""},          // 楽しい
		{"幸せな表情。", "happiness", ""},           // 幸せ
		{"驚いた表情をしている。", "surprise", ""},       // 驚く
		{"びっくりしている。", "surprise", ""},         // びっくり
		{"嫌悪の表情。", "disgust", ""},             // 嫌悪
		{"うんざりしている。", "disgust", ""},          // うんざり
		{"軽蔑した目つき。", "contempt", ""},          // 軽蔑
		{"相手を見下している。", "contempt", ""},        // 見下す
		{"無表情である。", "neutral", ""},            // 無表情
		{"表情がない。", "neutral", ""},             // 表情がない is neutral, not a negation
		{"穏やかな様子。", "calm", ""},               // 穏やか
		{"落ち着いている。", "calm", ""},              // 落ち着く
		{"前向きな内容。", "positive", ""},           // 前向き
		{"ネガティブな発言。", "negative", ""},         // ネガティブ
		{"怒りと悲しみが見える。", "anger,sadness", ""},  // two labels
		{"少し悲しそうに見える。", "sadness", "sadness"}, // hedged by 少し
		{"怒りを隠せない。", "anger", ""},             // 隠せない is no negation
		// Japanese negation and undecided mentions.
		{"怒っていない。", "", ""},                // ていない
		{"彼は怒ってはいない。", "", ""},             // てはいない
		{"悲しくない。", "", ""},                 // くない
		{"恐怖は見られない。", "", ""},              // 見られない
		{"喜びは感じられません。", "", ""},            // ません
		{"驚いていなかった。", "", ""},              // なかった
		{"嫌悪感はない。", "", ""},                // はない
		{"怒っていないが、悲しそうだ。", "sadness", ""},  // が、 ends the negation
		{"怒ってはいない。しかし悲しい。", "sadness", ""}, // sentence boundary
		{"怒っているかどうか分からない。", "", ""},        // undecided
		{"悲しいわけではない。", "", ""},             // わけではない
		// Chinese claims.
		{"他很生气。", "anger", ""},            // 生气
		{"她非常愤怒。", "anger", ""},           // 非常 is an intensifier
		{"他有点恼火。", "anger", "anger"},      // hedged by 有点
		{"她在发火。", "anger", ""},            // 发火
		{"他显得很不耐烦。", "anger", ""},         // 不耐烦 is one word
		{"她感到厌恶。", "disgust", ""},         // 厌恶
		{"他觉得恶心。", "disgust", ""},         // 恶心
		{"她很害怕。", "fear", ""},             // 害怕
		{"他显得焦虑不安。", "fear", ""},          // 焦虑, 不安 one label
		{"孩子很紧张。", "fear", ""},            // 紧张
		{"她很开心。", "happiness", ""},        // 开心
		{"他非常高兴。", "happiness", ""},       // 高兴
		{"充满喜悦。", "happiness", ""},        // 喜悦
		{"她很难过。", "sadness", ""},          // 难过
		{"他看起来很伤心。", "sadness", ""},       // 伤心
		{"她情绪低落。", "sadness", ""},         // 低落
		{"他很惊讶。", "surprise", ""},         // 惊讶
		{"她感到震惊。", "surprise", ""},        // 震惊
		{"他露出轻蔑的表情。", "contempt", ""},     // 轻蔑
		{"她不屑地看着他。", "contempt", ""},      // 不屑 is one word
		{"他面无表情。", "neutral", ""},         // 面无表情 is neutral, not a negation
		{"她很平静。", "calm", ""},             // 平静
		{"他很放松。", "calm", ""},             // 放松
		{"内容很积极。", "positive", ""},        // 积极
		{"评论是负面的。", "negative", ""},       // 负面
		{"他既生气又难过。", "anger,sadness", ""}, // two labels
		{"她似乎有些害怕。", "fear", "fear"},      // hedged by 似乎
		{"她不禁感到悲伤。", "sadness", ""},       // 不禁 is no negation
		{"他忍不住生气。", "anger", ""},          // 忍不住 is no negation
		// Chinese negation and undecided mentions.
		{"他没有生气。", "", ""},                                                     // 没有
		{"她不开心。", "", ""},                                                      // 不
		{"他并不愤怒。", "", ""},                                                     // 并不
		{"看不出任何恐惧。", "", ""},                                                   // 看不出
		{"没有任何悲伤的迹象。", "", ""},                                                 // 没有任何 … 的迹象
		{"她毫无惊讶。", "", ""},                                                     // 毫无
		{"他不害怕，但很生气。", "anger", ""},                                            // comma and 但 end the negation
		{"她没有生气，只是难过。", "sadness", ""},                                         // comma ends the negation
		{"无法判断他是否生气。", "", ""},                                                 // undecided
		{"不确定她是否开心。", "", ""},                                                  // undecided
		{"他未表现出厌恶。", "", ""},                                                   // 未
		{"她莫名地感到悲伤。", "sadness", ""},                                           // 莫名 (inexplicably) is no negation
		{"没想到她这么开心。", "happiness", ""},                                         // 没想到 (unexpectedly) is no negation
		{"他一点也不生气。", "", ""},                                                   // 一点也不
		{"楽しくなさそうだ。", "", ""},                                                  // なさそう
		{"She isn't looking at the camera and seems angry.", "anger", "anger"}, // the negation is more than six words away
		// Mixed language.
		{"She is 生气 but not sad.", "anger", ""}, // Chinese word in English text
	}
	for _, c := range cases {
		got := Claims(c.text)
		var labels, hedged []string
		for _, cl := range got {
			labels = append(labels, cl.Label)
			if cl.Hedged {
				hedged = append(hedged, cl.Label)
			}
			if c.text[cl.Start:cl.End] != cl.Word {
				t.Errorf("%q: claim %+v: offsets do not give the word", c.text, cl)
			}
		}
		if g := strings.Join(labels, ","); g != c.want {
			t.Errorf("Claims(%q) = %q, want %q", c.text, g, c.want)
		}
		if g := strings.Join(hedged, ","); g != c.hedged {
			t.Errorf("Claims(%q) hedged = %q, want %q", c.text, g, c.hedged)
		}
	}
	if len(cases) < 150 {
		t.Errorf("only %d cases", len(cases))
	}
}

// TestClaimsBy checks the rule registry.
func TestClaimsBy(t *testing.T) {
	if _, ok := ClaimsBy(EmoClaimsV1, "angry"); !ok {
		t.Error("emoclaims-v1 unknown")
	}
	if _, ok := ClaimsBy("emoclaims-v0", "angry"); ok {
		t.Error("unknown rule accepted")
	}
}

// TestSupported is the table of the gold rule of claims.
func TestSupported(t *testing.T) {
	cases := []struct {
		label         string
		gold, allowed []string
		want          bool
	}{
		{"anger", []string{"anger"}, nil, true},                       // the gold label
		{"fear", []string{"anger"}, nil, false},                       // another label
		{"sadness", []string{"neutral"}, []string{"sadness"}, true},   // allowed by the annotators
		{"anger", []string{"negative"}, nil, true},                    // emotion of the gold sentiment's valence
		{"happiness", []string{"negative"}, nil, false},               // opposite valence
		{"surprise", []string{"positive"}, nil, true},                 // surprise goes either way
		{"neutral", []string{"positive"}, nil, false},                 // neutral is no positive sentiment
		{"positive", []string{"happiness"}, nil, true},                // sentiment claim of a happy face
		{"negative", []string{"happiness"}, nil, false},               // opposite sentiment
		{"negative", []string{"surprise"}, nil, false},                // surprise has no valence to agree with
		{"calm", []string{"neutral"}, nil, false},                     // calm and neutral are distinct labels
		{"contempt", []string{"disgust"}, []string{"contempt"}, true}, // allowed second label
	}
	for _, c := range cases {
		if got := Supported(c.label, c.gold, c.allowed); got != c.want {
			t.Errorf("Supported(%s, %v, %v) = %v, want %v", c.label, c.gold, c.allowed, got, c.want)
		}
	}
}

// FuzzClaims checks on any text that the rule ends, that every claim's
// offsets give its word in the valid-UTF-8 text, that a label is claimed at
// most once, and that every claimed label is one of the importers'.
func FuzzClaims(f *testing.F) {
	for _, s := range []string{"She is not happy, she is sad.", "怒っていないが、悲しそうだ。", "他没有生气，只是难过。", "<think>angry", "\xff\xfeangry", "no fear, anger or sadness"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		valid := strings.ToValidUTF8(s, "\uFFFD")
		seen := map[string]bool{}
		for _, c := range Claims(s) {
			if c.Start < 0 || c.End > len(valid) || c.Start >= c.End || valid[c.Start:c.End] != c.Word {
				t.Fatalf("claim %+v: offsets do not give the word in %q", c, valid)
			}
			if seen[c.Label] {
				t.Fatalf("label %s claimed twice in %q", c.Label, s)
			}
			seen[c.Label] = true
			if _, ok := lexicon[c.Label]; !ok {
				t.Fatalf("unknown label %s", c.Label)
			}
		}
	})
}
