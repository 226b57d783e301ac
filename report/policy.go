package report

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/emohallucer/emohallucer/policy"
)

var policyTmpl = template.Must(template.New("policy").Funcs(template.FuncMap{
	"pct": func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"usd": func(f float64) string { return fmt.Sprintf("$%.2f", f) },
	"thr": func(f *float64) string {
		if f == nil {
			return "—"
		}
		return fmt.Sprintf("%.3f", *f)
	},
}).Parse(`
<p class="muted">Per use case of the register: every run with answers on its view, the confidence threshold that automates the most answers while the 95% upper bound of their error (seeded bootstrap) stays within the use case's limit, and the monthly costs. Accuracy is per question on the view. The recommendation is the cheapest run that meets the limit.</p>
{{range .UseCases}}
<h3>{{.Name}} <span class="muted">— view {{.UseCase.View}}, max error {{pct .UseCase.MaxError}}, {{printf "%.0f" .UseCase.VolumePerMonth}} a month</span></h3>
{{with .UseCase.Description}}<p>{{.}}</p>{{end}}
{{if .KeepHumans}}<p class="note">Keep humans: {{.Reason}}</p>
{{else}}{{with .Recommendation}}<p class="note">Automate with {{.Model}} [{{.Strategy}}] at confidence ≥ {{printf "%.3f" .Threshold}}: {{pct .AutomatedShare}} automated, error {{pct .ExpectedError}} (95% upper bound {{pct .ExpectedErrorUpper95}}), review {{usd .ReviewCostMonth}} and model {{usd .ModelCostMonth}} a month.</p>{{end}}{{end}}
{{if .Candidates}}<table><tr><th>run</th><th>model</th><th>strategy</th><th>questions</th><th>accuracy</th><th>threshold</th><th>automated</th><th>error</th><th>upper 95%</th><th>wrong / month</th><th>review / month</th><th>model / month</th><th>total / month</th><th>note</th></tr>
{{range .Candidates}}<tr><td>{{.Run}}</td><td class="model">{{.Model}}</td><td>{{.Strategy}}</td><td>{{.Questions}}</td><td>{{printf "%.2f" .Accuracy}}%</td><td>{{thr .Threshold}}</td><td>{{pct .AutomatedShare}}</td><td>{{if .Meets}}{{pct .ExpectedError}}{{else}}—{{end}}</td><td>{{if .Meets}}{{pct .ExpectedErrorUpper95}}{{else}}—{{end}}</td><td>{{printf "%.1f" .ExpectedWrongMonth}}</td><td>{{usd .ReviewCostMonth}}</td><td>{{usd .ModelCostMonth}}</td><td>{{usd .TotalCostMonth}}</td><td>{{.Note}}</td></tr>
{{end}}</table>{{end}}
{{end}}`))

// PolicySection renders a use-case evaluation as a section of the HTML
// report. Model names and notes are escaped by the template.
func PolicySection(ev *policy.Evaluation) (Section, error) {
	var buf bytes.Buffer
	if err := policyTmpl.Execute(&buf, ev); err != nil {
		return Section{}, err
	}
	return Section{ID: "usecases", Title: "Use cases", Body: template.HTML(buf.String())}, nil
}
