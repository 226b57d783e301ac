package report

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/emohallucer/emohallucer/policy"
)

// The messages of the use-case section. The policy package writes its reasons
// and notes in English for policy.json and the CLI; the section says them
// again in the report's language from the numbers they rest on.
func init() {
	addMessages(map[string]Msg{
		"pol.title": {En: "Use cases", Ja: "ユースケース", Zh: "应用场景"},
		"pol.note": {En: "Per use case of the register: every run with answers on its view, the confidence threshold that automates the most answers while the 95% upper bound of their error (seeded bootstrap) stays within the use case's limit, and the monthly costs. Accuracy is per question on the view. The recommendation is the cheapest run that meets the limit.",
			Ja: "登録された各ユースケースについて、そのビューに回答のあるすべての実行を比べます。自動化した回答の誤り率の 95% 上限（シード固定のブートストラップ）がユースケースの許容誤り率に収まる範囲で、最も多くの回答を自動化できる確信度の閾値と、月間コストを示します。正答率はビュー上の質問単位です。推奨は許容誤り率を満たす実行のうち最も安いものです。",
			Zh: "对登记表中的每个应用场景，列出在其视图上有回答的所有运行：在自动化回答错误率的 95% 上界（固定种子的自助法）不超过该场景允许值的前提下，能自动化最多回答的置信度阈值，以及月度成本。准确率按视图上的单个问题计算。推荐方案是满足限值的运行中成本最低的一个。"},
		"pol.heading":    {En: "— view %s, max error %s, %s a month", Ja: "— ビュー %s、許容誤り率 %s、月間 %s 件", Zh: "— 视图 %s，最大错误率 %s，每月 %s 件"},
		"pol.keep":       {En: "Keep humans: %s", Ja: "人によるレビューを継続：%s", Zh: "继续人工复核：%s"},
		"pol.no_run":     {En: "no run has answers on view %s", Ja: "ビュー %s に回答のある実行がありません", Zh: "没有运行在视图 %s 上有回答"},
		"pol.no_conf":    {En: "no confidences: set logprobs: true or use --strategy self-consistency", Ja: "確信度がありません：logprobs: true を設定するか、--strategy self-consistency を使ってください", Zh: "没有置信度：请设置 logprobs: true 或使用 --strategy self-consistency"},
		"pol.none_meets": {En: "no run keeps the 95%% upper bound of the automated error on %s within max_error %s at any threshold", Ja: "どの閾値でも、%s で自動化した回答の誤り率の 95%% 上限を max_error %s 以内に収める実行がありません", Zh: "在任何阈值下，都没有运行能把 %s 上自动化回答错误率的 95%% 上界控制在 max_error %s 以内"},
		"pol.too_dear": {En: "the cheapest run that meets the limit (%s) costs %s a month, not less than reviewing every case (%s)",
			Ja: "許容誤り率を満たす最も安い実行（%s）の月間コストは %s で、すべてを人がレビューする場合（%s）より安くなりません",
			Zh: "满足限值的最便宜运行（%s）月度成本为 %s，不低于全部人工复核的成本（%s）"},
		"pol.automate": {En: "Automate with %s [%s] at confidence ≥ %s: %s automated, error %s (95%% upper bound %s), review %s and model %s a month.",
			Ja: "%s [%s] で確信度 ≥ %s の回答を自動化：自動化率 %s、誤り率 %s（95%% 上限 %s）、月間コストはレビュー %s、モデル %s。",
			Zh: "使用 %s [%s]，自动化置信度 ≥ %s 的回答：自动化比例 %s，错误率 %s（95%% 上界 %s），月度成本为人工复核 %s、模型 %s。"},
		"pol.no_threshold": {En: "no threshold keeps the 95%% upper bound of the automated error within %s", Ja: "自動化した回答の誤り率の 95%% 上限を %s 以内に収める閾値がありません", Zh: "没有阈值能把自动化回答错误率的 95%% 上界控制在 %s 以内"},
		"pol.some_no_conf": {En: "%d of %d answers carry no confidence and always go to a person", Ja: "%[2]d 件中 %[1]d 件の回答には確信度がなく、常に人がレビューします", Zh: "%[2]d 个回答中有 %[1]d 个没有置信度，始终交由人工复核"},
		"pol.unpriced":     {En: "unpriced run: model cost counted as 0 (add price to the model config)", Ja: "価格未設定の実行：モデルのコストを 0 として計算（モデル設定に price を追加してください）", Zh: "未设定价格的运行：模型成本按 0 计算（请在模型配置中添加 price）"},
		"pol.note_sep":     {En: "; ", Ja: "。", Zh: "；"},
		"pol.questions":    {En: "questions", Ja: "質問数", Zh: "问题数"},
		"pol.accuracy":     {En: "accuracy", Ja: "正答率", Zh: "准确率"},
		"pol.threshold":    {En: "threshold", Ja: "閾値", Zh: "阈值"},
		"pol.automated":    {En: "automated", Ja: "自動化率", Zh: "自动化比例"},
		"pol.error":        {En: "error", Ja: "誤り率", Zh: "错误率"},
		"pol.upper":        {En: "upper 95%", Ja: "95% 上限", Zh: "95% 上界"},
		"pol.wrong_month":  {En: "wrong / month", Ja: "月間誤答数", Zh: "每月错误数"},
		"pol.review_month": {En: "review / month", Ja: "月間レビューコスト", Zh: "月度复核成本"},
		"pol.model_month":  {En: "model / month", Ja: "月間モデルコスト", Zh: "月度模型成本"},
		"pol.total_month":  {En: "total / month", Ja: "月間コスト合計", Zh: "月度总成本"},
		"pol.col_note":     {En: "note", Ja: "備考", Zh: "备注"},
	})
}

func usd(f float64) string { return fmt.Sprintf("$%.2f", f) }

// share writes a fraction as a percentage with one decimal (the pct of the
// page's and the use-case section's templates).
func share(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// limit writes a use case's max_error as the policy package does.
func limit(f float64) string { return fmt.Sprintf("%.4g%%", 100*f) }

var policyTmpl = template.Must(template.New("policy").Funcs(template.FuncMap{
	"T":   tIn(English),
	"pct": share,
	"usd": usd,
	"thr": func(f *float64) string {
		if f == nil {
			return "—"
		}
		return fmt.Sprintf("%.3f", *f)
	},
}).Parse(`
<p class="muted">{{T "pol.note"}}</p>
{{range .UseCases}}
<h3>{{.Name}} <span class="muted">{{T "pol.heading" .UseCase.View (pct .UseCase.MaxError) (printf "%.0f" .UseCase.VolumePerMonth)}}</span></h3>
{{with .UseCase.Description}}<p>{{.}}</p>{{end}}
{{if .KeepHumans}}<p class="note">{{T "pol.keep" .Reason}}</p>
{{else}}{{with .Recommendation}}<p class="note">{{T "pol.automate" .Model .Strategy (printf "%.3f" .Threshold) (pct .AutomatedShare) (pct .ExpectedError) (pct .ExpectedErrorUpper95) (usd .ReviewCostMonth) (usd .ModelCostMonth)}}</p>{{end}}{{end}}
{{if .Candidates}}<div class="scroll"><table class="pol"><tr><th>{{T "col.run"}}</th><th>{{T "col.model"}}</th><th>{{T "col.strategy"}}</th><th>{{T "pol.questions"}}</th><th>{{T "pol.accuracy"}}</th><th>{{T "pol.threshold"}}</th><th>{{T "pol.automated"}}</th><th>{{T "pol.error"}}</th><th>{{T "pol.upper"}}</th><th>{{T "pol.wrong_month"}}</th><th>{{T "pol.review_month"}}</th><th>{{T "pol.model_month"}}</th><th>{{T "pol.total_month"}}</th><th>{{T "pol.col_note"}}</th></tr>
{{range .Candidates}}<tr><td>{{.Run}}</td><td class="model">{{.Model}}</td><td>{{.Strategy}}</td><td>{{.Questions}}</td><td>{{printf "%.2f" .Accuracy}}%</td><td>{{thr .Threshold}}</td><td>{{pct .AutomatedShare}}</td><td>{{if .Meets}}{{pct .ExpectedError}}{{else}}—{{end}}</td><td>{{if .Meets}}{{pct .ExpectedErrorUpper95}}{{else}}—{{end}}</td><td>{{printf "%.1f" .ExpectedWrongMonth}}</td><td>{{usd .ReviewCostMonth}}</td><td>{{usd .ModelCostMonth}}</td><td>{{usd .TotalCostMonth}}</td><td class="wrap">{{.Note}}</td></tr>
{{end}}</table></div>{{end}}
{{end}}`))

// PolicySection renders a use-case evaluation as a section of the HTML
// report in language l. Model names and notes are escaped by the template.
func PolicySection(ev *policy.Evaluation, l Lang) (Section, error) {
	// The reasons and notes in l; the evaluation itself keeps its English.
	local := policy.Evaluation{UseCases: make([]policy.Decision, len(ev.UseCases))}
	for i, d := range ev.UseCases {
		d.Reason = keepReason(&d, l)
		d.Candidates = append([]policy.Candidate(nil), d.Candidates...)
		for j := range d.Candidates {
			d.Candidates[j].Note = candidateNote(&d.Candidates[j], d.UseCase, l)
		}
		local.UseCases[i] = d
	}
	var buf bytes.Buffer
	if err := speaking(policyTmpl, l).Execute(&buf, &local); err != nil {
		return Section{}, err
	}
	return Section{ID: "usecases", Title: t(l, "pol.title"), Body: template.HTML(buf.String())}, nil
}

// keepReason says in l why a use case keeps its humans (empty when it
// automates), from the candidates as policy sorted them: the cheapest run
// that meets the limit first.
func keepReason(d *policy.Decision, l Lang) string {
	u := d.UseCase
	switch {
	case !d.KeepHumans:
		return ""
	case len(d.Candidates) == 0:
		return t(l, "pol.no_run", u.View)
	case !d.Candidates[0].Meets:
		for _, c := range d.Candidates {
			if c.WithConfidence > 0 {
				return t(l, "pol.none_meets", u.View, limit(u.MaxError))
			}
		}
		return t(l, "pol.no_conf")
	}
	best := d.Candidates[0]
	return t(l, "pol.too_dear", best.Run, usd(best.TotalCostMonth), usd(u.VolumePerMonth*u.ReviewCostUSD))
}

// candidateNote says in l why a candidate fails, or what its costs leave out.
func candidateNote(c *policy.Candidate, u policy.UseCase, l Lang) string {
	var notes []string
	switch {
	case c.WithConfidence == 0:
		notes = append(notes, t(l, "pol.no_conf"))
	case !c.Meets:
		notes = append(notes, t(l, "pol.no_threshold", limit(u.MaxError)))
	}
	if c.WithConfidence > 0 && c.WithConfidence < c.Questions {
		notes = append(notes, t(l, "pol.some_no_conf", c.Questions-c.WithConfidence, c.Questions))
	}
	if c.Unpriced {
		notes = append(notes, t(l, "pol.unpriced"))
	}
	return strings.Join(notes, t(l, "pol.note_sep"))
}
