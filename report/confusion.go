package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/emohallucer/emohallucer/score"
)

func init() {
	addMessages(map[string]Msg{
		"conf.title": {En: "Which labels each model says yes to", Ja: "各モデルが「はい」と答えるラベル（混同表）", Zh: "各模型对哪些标签回答“是”（混淆表）"},
		"conf.none": {En: "No run has category or intensity pairs that name their gold and asked labels (tags emotion:, intensity:, asked:).",
			Ja: "正解ラベルと質問したラベルを記した（タグ emotion:、intensity:、asked:）カテゴリ・強度のペアを含む実行はありません。",
			Zh: "没有任何运行包含标注了正确标签和提问标签（标签 emotion:、intensity:、asked:）的类别或强度问题对。"},
		"conf.emotion":   {En: "Emotion: gold (rows) × asked (columns)", Ja: "感情：正解（行）× 質問したラベル（列）", Zh: "情绪：正确标签（行）× 提问标签（列）"},
		"conf.intensity": {En: "Intensity: gold (rows) × asked (columns)", Ja: "強度：正解（行）× 質問したラベル（列）", Zh: "强度：正确标签（行）× 提问标签（列）"},
		"conf.not_asked": {En: "not asked", Ja: "質問なし", Zh: "未提问"},
		"conf.said_yes":  {En: "said yes to %d of %d (%.0f%%)", Ja: "%[2]d 問中 %[1]d 問に「はい」（%[3].0f%%）", Zh: "%[2]d 题中 %[1]d 题答“是”（%[3].0f%%）"},
		"conf.cell":      {En: "gold %s, asked %s: %s", Ja: "正解 %s、質問 %s：%s", Zh: "正确 %s，提问 %s：%s"},
		"conf.key":       {En: "said yes / asked", Ja: "「はい」の数 / 質問数", Zh: "答“是”数 / 提问数"},
		"conf.note": {En: "Each cell: said yes / asked. On the diagonal the asked label is the gold itself (yes is right); elsewhere it is a wrong label (yes is a hallucination).",
			Ja: "各セル：「はい」と答えた数 / 質問数。対角線上は質問したラベルが正解そのもの（「はい」が正答）、それ以外は誤ったラベル（「はい」はハルシネーション）です。",
			Zh: "每格：答“是”数 / 提问数。对角线上提问的标签就是正确标签（答“是”为正确）；其余为错误标签（答“是”即为幻觉）。"},
	})
}

// confusionBlock is one run's confusion heatmaps: gold label × asked label,
// the share of questions answered yes.
type confusionBlock struct {
	Label               string
	Category, Intensity template.HTML
}

// confusions returns the heatmaps of every run whose summary has a confusion
// table (summary.json keys confusion and confusion_intensity).
func confusions(runs []Run, l Lang) []confusionBlock {
	var out []confusionBlock
	for i := range runs {
		s := runs[i].Scores
		if len(s.Confusion) == 0 && len(s.IntensityConfusion) == 0 {
			continue
		}
		out = append(out, confusionBlock{Label: runs[i].Label(),
			Category:  confusionSVG(t(l, "conf.emotion"), s.Confusion, l),
			Intensity: confusionSVG(t(l, "conf.intensity"), s.IntensityConfusion, l)})
	}
	return out
}

// confusionSVG draws a table as a heatmap of the share answered yes, each
// cell labelled said_yes/asked. The diagonal should be bright (the gold
// confirmed) and the rest dark; a bright cell off it is an invented label.
// Labels come from suites and are escaped.
func confusionSVG(title string, c score.Confusion, l Lang) template.HTML {
	if len(c) == 0 {
		return ""
	}
	var rows []string
	colSet := map[string]bool{}
	for gold, row := range c {
		rows = append(rows, gold)
		for asked := range row {
			colSet[asked] = true
		}
	}
	cols := make([]string, 0, len(colSet))
	for a := range colSet {
		cols = append(cols, a)
	}
	sort.Strings(rows)
	sort.Strings(cols)
	const cw, ch, top, left = 78, 26, 96, 110
	w, h := left+cw*len(cols)+10, top+ch*len(rows)+34
	// A table of one or two columns is narrower than its title and key,
	// above all in Japanese and Chinese, whose glyphs are 1 em wide.
	key := t(l, "conf.key")
	w = max(w, int(math.Ceil(textWidth(title, 12)))+8, int(math.Ceil(textWidth(key, 12)))+8)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12" role="img">`, w, h, w, h)
	fmt.Fprintf(&b, `<text x="4" y="16" font-weight="bold">%s</text>`, html.EscapeString(title))
	for j, col := range cols {
		x := left + cw*j + cw/2 - 20
		fmt.Fprintf(&b, `<text x="%d" y="%d" transform="rotate(-30 %d %d)">%s</text>`, x, top-8, x, top-8, html.EscapeString(ellipsis(col, 14)))
	}
	for i, gold := range rows {
		y := top + ch*i
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+ch/2+4, html.EscapeString(ellipsis(gold, 14)))
		for j, asked := range cols {
			x := left + cw*j
			fill, fg, label, tip := "#eeeeee", "#666", "–", t(l, "conf.not_asked")
			if cell := c[gold][asked]; cell != nil && cell.Asked > 0 {
				pct := 100 * float64(cell.SaidYes) / float64(cell.Asked)
				fill, fg = heat(pct), heatInk(pct)
				label = fmt.Sprintf("%d/%d", cell.SaidYes, cell.Asked)
				tip = t(l, "conf.said_yes", cell.SaidYes, cell.Asked, pct)
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"><title>%s</title></rect>`,
				x, y, cw, ch, fill, html.EscapeString(t(l, "conf.cell", gold, asked, tip)))
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%s</text>`, x+cw/2, y+ch/2+4, fg, label)
		}
	}
	fmt.Fprintf(&b, `<text x="4" y="%d" fill="#555">%s</text>`, h-10, html.EscapeString(key))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
