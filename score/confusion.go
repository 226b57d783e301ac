package score

import (
	"strings"

	eh "github.com/emohallucer/emohallucer"
)

// Cell counts the questions of one (gold, asked) combination that were
// answered (yes, no or unparsed; not-evaluated and failed questions are left
// out) and how many of them the model answered yes.
type Cell struct {
	Asked   int `json:"asked"`
	SaidYes int `json:"said_yes"`
}

// Confusion is gold label → asked label → counts: the summary.json keys
// "confusion" (emotion categories) and "confusion_intensity". The diagonal
// holds the basic questions (which ask the gold label itself), the rest the
// hallucinated ones: a high said_yes off the diagonal is where the model
// invents an emotion (says "angry" to a disgusted face).
type Confusion map[string]map[string]*Cell

// A pair enters the tables when its tags name one gold and one wrong label:
//
//   - category (perception, sub-category category): emotion:<gold> and
//     asked:<label>, the label its hallucinated question names;
//   - intensity (sub-category intensity): intensity:<gold level> and
//     asked:<level>.
//
// A tag with a "+" (emotion:anger+neutral on a two-clip comparison) names
// two clips, not one gold label, and keeps the pair out.
func confusions(recs map[string]*pairOutcome, ids []string) (cat, inten Confusion) {
	cat, inten = Confusion{}, Confusion{}
	for _, id := range ids {
		po := recs[id]
		r := po.basic
		if r == nil {
			r = po.hall
		}
		if r.Dimension != eh.Perception {
			continue
		}
		var table Confusion
		goldKey := ""
		switch r.SubCategory {
		case eh.Category:
			table, goldKey = cat, "emotion"
		case eh.Intensity:
			table, goldKey = inten, "intensity"
		default:
			continue
		}
		gold, asked := tagValue(r.Tags, goldKey), tagValue(r.Tags, "asked")
		if gold == "" || asked == "" || gold == asked {
			continue
		}
		table.add(gold, gold, po.basic)
		table.add(gold, asked, po.hall)
	}
	if len(cat) == 0 {
		cat = nil
	}
	if len(inten) == 0 {
		inten = nil
	}
	return cat, inten
}

func (c Confusion) add(gold, asked string, r *slimRec) {
	if r == nil || r.Status != eh.StatusAnswered {
		return
	}
	row := c[gold]
	if row == nil {
		row = map[string]*Cell{}
		c[gold] = row
	}
	cell := row[asked]
	if cell == nil {
		cell = &Cell{}
		row[asked] = cell
	}
	cell.Asked++
	if r.Answer == eh.AnswerYes {
		cell.SaidYes++
	}
}

// tagValue returns the value of the single-valued tag key:value ("" when
// absent, or when it names two values with "+").
func tagValue(tags []string, key string) string {
	for _, t := range tags {
		if v, ok := strings.CutPrefix(t, key+":"); ok && !strings.Contains(v, "+") {
			return v
		}
	}
	return ""
}
