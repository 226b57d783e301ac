package report

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
)

// pageScript is the report's one script. The Content-Security-Policy allows it
// by its hash, not with 'unsafe-inline', so that no other script can run even
// if something in the page escaped escaping. It holds no comment: html/template
// removes JavaScript comments, which would change the hash.
//
// Besides the leaderboard's view selector it renders the error browser: the
// failed pairs come as JSON (errdata, never run, never parsed as HTML) and are
// built a page at a time with textContent; a text pair's passage, which is
// what the model read, is shown open. A link ending in #errpage=N opens page N.
// Its words come in the data (data.ui, see scriptMessages), so that the script
// and its hash are the same in every language; fill puts values in for {0}, {1}.
const pageScript = `
(function () {
  var sel = document.getElementById('viewsel');
  function showView() {
    document.querySelectorAll('.view').forEach(function (d) { d.style.display = d.dataset.view === sel.value ? '' : 'none'; });
  }
  sel.addEventListener('change', showView); showView();
  var data = JSON.parse(document.getElementById('errdata').textContent), ui = data.ui;
  function fill(s) { var a = arguments; return s.replace(/\{(\d)\}/g, function (m, i) { return a[+i + 1]; }); }
  function word(prefix, v) { return ui[prefix + v] || v; }
  var fm = document.getElementById('f-model'), fv = document.getElementById('f-view'), fk = document.getElementById('f-kind');
  var list = document.getElementById('errlist'), page = 0, shown = [];
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function card(it) {
    var p = data.pairs[it.detail] || {}, d = el('div', 'err');
    d.dataset.kind = it.kind;
    var head = el('div');
    head.append(el('span', 'kind', word('kind.', it.kind)), ' · ', el('b', '', data.runs[it.run]), ' · ' + it.pair + ' ');
    [it.source, it.modality, it.subcategory].forEach(function (t, i) { if (i !== 1 || t !== it.source) head.append(el('span', 'tag', t)); });
    d.append(head);
    (p.media || []).forEach(function (m) {
      var tag = m.kind === 'image' ? 'img' : m.kind === 'audio' ? 'audio' : 'video', e = el(tag, m.kind === 'image' ? 'thumb' : '');
      if (tag === 'img') e.alt = m.name; else { e.controls = true; e.preload = 'none'; if (tag === 'video') e.width = 320; }
      e.src = data.media[m.file] || '';
      d.append(e);
    });
    if (p.context) {
      var c = el('details'); c.open = it.modality === 'text';
      c.append(el('summary', '', ui.context), el('pre', '', p.context)); d.append(c);
    }
    it.questions.forEach(function (q) {
      var qd = el('div', 'q'), text = (p.questions && p.questions[q.role]) || (q.steps && q.steps.length ? ui.no_suite : '');
      qd.append(fill(ui.question, word('role.', q.role), text), el('b', '', word('answer.', q.gold)), ui.answered, el('span', q.correct ? 'ok' : 'no', word('answer.', q.answer)), el('pre', '', q.raw));
      if (q.steps && q.steps.length) {
        var sd = el('details');
        sd.append(el('summary', '', fill(ui.steps, q.steps.length)));
        q.steps.forEach(function (s) { var x = el('div'); x.append(el('b', '', s.name), el('pre', '', s.prompt), el('pre', '', s.response + (s.error || ''))); sd.append(x); });
        qd.append(sd);
      }
      if (q.steps_left_out) qd.append(el('div', 'muted', fill(ui.steps_left_out, q.steps_left_out)));
      d.append(qd);
    });
    if (p.explanation) d.append(el('div', 'muted', ui.why + p.explanation));
    return d;
  }
  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / data.per_page));
    page = Math.min(Math.max(page, 0), pages - 1);
    list.replaceChildren();
    shown.slice(page * data.per_page, (page + 1) * data.per_page).forEach(function (it) { list.append(card(it)); });
    if (!shown.length) list.append(el('p', 'muted', ui.empty));
    document.querySelectorAll('.f-page').forEach(function (e) { e.textContent = fill(ui.page, page + 1, pages); });
    document.querySelectorAll('.f-prev').forEach(function (e) { e.disabled = page === 0; });
    document.querySelectorAll('.f-next').forEach(function (e) { e.disabled = page >= pages - 1; });
  }
  function filter() {
    var m = fm.value, v = fv.value === '' ? -1 : +fv.value, k = fk.value;
    shown = data.items.filter(function (it) {
      return (m === '' || it.run === +m) && (!k || it.kind === k) && (v < 0 || it.views.indexOf(v) >= 0);
    });
    document.getElementById('f-count').textContent = fill(ui.shown, shown.length);
    page = 0; render();
  }
  function turn(by) { page += by; render(); document.getElementById('errors').scrollIntoView(); }
  document.querySelectorAll('.f-prev').forEach(function (e) { e.addEventListener('click', function () { turn(-1); }); });
  document.querySelectorAll('.f-next').forEach(function (e) { e.addEventListener('click', function () { turn(1); }); });
  [fm, fv, fk].forEach(function (s) { s.addEventListener('change', filter); }); filter();
  var at = /errpage=(\d+)/.exec(location.hash);
  if (at) { page = +at[1] - 1; render(); }
})();
`

// scriptHash is the CSP source of pageScript: "sha256-" and its base64 digest.
var scriptHash = func() string {
	sum := sha256.Sum256([]byte(pageScript))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}()

// pageTemplate is never executed itself, so that pageIn can clone it.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"T":     tIn(English),
	"pct":   share,
	"usd":   func(f float64) string { return fmt.Sprintf("$%.4f", f) },
	"p":     func(f float64) string { return fmt.Sprintf("%.3g", f) },
	"f2":    func(f float64) string { return fmt.Sprintf("%+.2f", f) },
	"ci":    func(c [2]float64) string { return fmt.Sprintf("[%+.1f, %+.1f]", c[0], c[1]) },
	"ratio": func(r *float64) string { return map[bool]string{true: "—", false: ""}[r == nil] + ratioText(r) },
	"kinds": func() []string { return errorKinds },
	"id":    func(s string) string { return strings.NewReplacer(":", "-", " ", "-").Replace(s) },
}).Parse(strings.NewReplacer("@@SCRIPT_HASH@@", scriptHash, "@@SCRIPT@@", pageScript).Replace(pageHTML)))

// pageIn is the page template speaking language l: {{T "id" args…}} is the
// message id in l.
func pageIn(l Lang) *template.Template { return speaking(pageTemplate, l) }

func ratioText(r *float64) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("%.2f×", *r)
}

const pageHTML = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: file:; media-src data: file:; style-src 'unsafe-inline'; script-src '@@SCRIPT_HASH@@'">
<title>{{.Title}}</title>
<style>
:root { --fg:#1d2433; --muted:#5b6475; --line:#dfe3ea; --bg:#f6f7f9; --accent:#0072b2; --good:#009e73; --bad:#d55e00; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
/* Japanese and Chinese pages name the system CJK fonts of each platform
   (macOS, Windows, Linux), in the region's glyph forms, before the generic
   family; nothing is downloaded. Charts take the page's font. */
:lang(ja) body, :lang(ja) svg { font-family:-apple-system, "Segoe UI", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic UI", "Yu Gothic", Meiryo, "Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP", sans-serif; }
:lang(zh) body, :lang(zh) svg { font-family:-apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif; }
header { background:#1d2433; color:#fff; padding:22px 32px; }
header h1 { margin:0 0 4px; font-size:24px; }
header p { margin:0; color:#c9d1e0; }
nav { position:sticky; top:0; z-index:2; background:#fff; border-bottom:1px solid var(--line); padding:8px 32px; display:flex; gap:18px; flex-wrap:wrap; }
nav a { color:var(--accent); text-decoration:none; font-weight:600; }
main { padding:8px 32px 40px; max-width:1400px; }
section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:18px 22px; margin:18px 0; }
h2 { margin:0 0 10px; font-size:19px; }
h3 { margin:16px 0 8px; font-size:16px; }
.muted { color:var(--muted); }
table { border-collapse:collapse; width:100%; font-size:14px; }
th, td { padding:6px 9px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
th:first-child, td:first-child { text-align:left; }
th { background:#f0f2f6; font-weight:600; position:sticky; top:38px; }
td.model { font-weight:600; white-space:normal; min-width:8em; overflow-wrap:anywhere; }
.scroll { overflow-x:auto; }
.scroll th { position:static; }
/* On narrow screens leaderboard cells may wrap at their spaces
   ("81.76 (417/510)"), so that at 1000 px every column stays in view; the card
   scrolls only below that. The model column's width keeps long names from
   taking the room the numbers need. */
.board { font-size:13px; }
.board th, .board td { padding:6px 6px; }
.board td.model { width:12em; }
@media (max-width:1300px) { .board th, .board td { white-space:normal; } .board td.nw { white-space:nowrap; } }
/* CJK text may break between any two characters; in the leaderboard's
   headers and cells that splits words (規/模, オープ/ン), so they wrap only at
   spaces there. */
:lang(ja) .board, :lang(zh) .board { word-break:keep-all; }
/* The runs table wraps long ids rather than pushing columns out of its card. */
table.runs th:nth-child(-n+5), table.runs td:nth-child(-n+5) { text-align:left; }
table.runs td.id { white-space:normal; overflow-wrap:anywhere; min-width:10em; }
table.runs td.wrap { white-space:normal; min-width:12em; text-align:left; }
table.cmp th { white-space:normal; }
/* The use-case table has fourteen columns: set like the leaderboard, its
   headers wrap (CJK ones at spaces only, so that 月間コスト stays whole) and
   its notes, which are sentences, wrap in a column of their own instead of
   pushing the table out of its card. */
table.pol { font-size:13px; }
table.pol th, table.pol td { padding:6px 6px; }
table.pol th { white-space:normal; }
:lang(ja) table.pol th, :lang(zh) table.pol th { word-break:keep-all; }
table.pol td.wrap { white-space:normal; min-width:18em; text-align:left; }
table.pol th:last-child { text-align:left; }
.bar { display:inline-block; height:8px; background:var(--accent); border-radius:4px; vertical-align:middle; margin-right:6px; }
.ci { color:var(--muted); font-size:12px; }
.charts { display:flex; flex-wrap:wrap; gap:16px; }
.charts > div { flex:1 1 560px; min-width:0; overflow-x:auto; }
svg { max-width:100%; height:auto; }
svg.chart { display:block; }
#trends svg.chart { max-width:820px; margin:0 auto; }
/* Heatmaps keep their size (their text is small already) and scroll when wider
   than the card. */
.charts > div.heat { flex:0 1 auto; }
.heat svg { max-width:none; }
@media (max-width:1100px) { main { padding:8px 14px 32px; } section { padding:14px 12px; } }
ol.legend { columns:16em; font-size:13px; margin:6px 0 0; padding-left:2.2em; }
.swatch { display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:6px; border:1px solid #222; }
select { font:inherit; padding:3px 6px; }
.filters { display:flex; gap:14px; flex-wrap:wrap; margin-bottom:10px; align-items:center; }
.err { border:1px solid var(--line); border-left:4px solid var(--bad); border-radius:6px; padding:10px 14px; margin:10px 0; }
.err[data-kind="no-bias"] { border-left-color:#cc79a7; }
.err[data-kind="unparsed"] { border-left-color:#999; }
.tag { display:inline-block; background:#eef1f6; border-radius:4px; padding:0 6px; margin-right:4px; font-size:12px; }
.kind { font-weight:700; }
.q { margin:6px 0; }
.ok { color:var(--good); font-weight:700; }
.no { color:var(--bad); font-weight:700; }
pre { white-space:pre-wrap; word-break:break-word; background:#f6f7f9; border-radius:6px; padding:8px; font-size:12.5px; max-height:320px; overflow:auto; margin:4px 0; }
img.thumb { max-width:160px; max-height:160px; image-rendering:pixelated; border:1px solid var(--line); }
details summary { cursor:pointer; color:var(--accent); }
.note { background:#fff8e6; border:1px solid #f2d48b; border-radius:6px; padding:8px 12px; }
footer { color:var(--muted); font-size:13px; padding:0 32px 30px; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p>{{T "intro" (len .Runs)}}</p>
</header>
<nav><a href="#leaderboard">{{T "nav.leaderboard"}}</a><a href="#bias">{{T "nav.bias"}}</a><a href="#heatmaps">{{T "nav.heatmaps"}}</a><a href="#confusion">{{T "nav.confusion"}}</a><a href="#trends">{{T "nav.trends"}}</a><a href="#strategies">{{T "nav.strategies"}}</a><a href="#review">{{T "nav.review"}}</a>{{range .Sections}}<a href="#{{.ID}}">{{.Title}}</a>{{end}}<a href="#errors">{{T "nav.errors"}}</a><a href="#runs">{{T "nav.runs"}}</a></nav>
<main>
<section id="leaderboard">
<h2>{{T "lb.title"}}</h2>
<div class="filters"><label>{{T "lb.view"}} <select id="viewsel">{{range .ViewNames}}<option value="{{id .}}">{{.}}</option>{{end}}</select></label>
<span class="muted">{{T "lb.note"}}</span></div>
{{range .Views}}
<div class="view" data-view="{{id .Name}}">
<h3>{{T "lb.heading" .Name}}</h3>
<div class="scroll"><table class="board">
<tr><th>{{T "col.model"}}</th>{{if $.MultiSuite}}<th>{{T "col.suite"}}</th>{{end}}<th>{{T "col.size"}}</th><th>{{T "col.weights"}}</th><th>{{T "col.pct_diff"}}</th><th>{{T "col.fp_ratio"}}</th><th>{{T "col.basic"}}</th><th>{{T "col.hallucinated"}}</th><th>{{T "col.overall"}}</th><th>{{T "col.ci"}}</th><th title="{{T "tip.unparsed"}}">{{T "col.unparsed"}}</th><th title="{{T "tip.not_evaluated"}}">{{T "col.not_evaluated"}}</th><th title="{{T "tip.errors"}}">{{T "col.errors"}}</th></tr>
{{range .Rows}}<tr><td class="model">{{.Label}}</td>{{if $.MultiSuite}}<td>{{.Suite}}</td>{{end}}<td>{{.Size}}</td><td>{{.Weights}}</td><td>{{.PctDiff}}</td><td>{{.FP}}</td><td>{{.Basic}}</td><td>{{.Hall}}</td>
<td class="nw">{{if .Evaluated}}<span class="bar" style="width:{{printf "%.0f" .Bar}}px"></span>{{.Overall}}{{else}}{{.Overall}}{{end}}</td><td class="ci">{{.CI}}</td><td>{{.Unparsed}}</td><td>{{.NotEval}}</td><td>{{.Errors}}</td></tr>
{{end}}</table></div>
</div>
{{end}}
</section>

<section id="bias">
<h2>{{T "bias.title"}}</h2>
<p class="muted">{{T "bias.note"}}</p>
<div class="charts"><div>{{if .BiasSVG}}{{.BiasSVG}}{{else}}<p class="muted">{{T "bias.none"}}</p>{{end}}</div></div>
</section>

<section id="heatmaps">
<h2>{{T "heat.title"}}</h2>
<p class="muted">{{T "heat.note"}}</p>
<div class="charts"><div class="heat">{{.HeatModSVG}}</div><div class="heat">{{.HeatSubSVG}}</div></div>
</section>

<section id="confusion">
<h2>{{T "conf.title"}}</h2>
{{if .Confusions}}<p class="muted">{{T "conf.note"}}</p>{{end}}
{{range .Confusions}}<h3>{{.Label}}</h3><div class="charts"><div>{{.Category}}</div><div>{{.Intensity}}</div></div>{{else}}<p class="muted">{{T "conf.none"}}</p>{{end}}
</section>

{{with .Describe}}<section id="describe">
<h2>{{T "desc.title"}}</h2>
<p class="muted">{{T "desc.note"}}</p>
<table><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>
{{range .Lists}}<h3>{{T "desc.list" .Label}}</h3><ul>{{range .Items}}<li><b>{{.Pair}}</b> ({{T "desc.gold" .Gold}}): {{.Text}}</li>{{end}}</ul>{{if .More}}<p class="muted">{{T "desc.more" .More}}</p>{{end}}{{end}}
</section>
{{end}}<section id="trends">
<h2>{{T "trend.title"}}</h2>
{{if .NoMeta}}<p class="muted">{{T "trend.nometa"}}</p>
{{else}}<p class="muted">{{T "trend.legend"}}</p>
<div class="charts">{{if .DateSVG}}<div>{{.DateSVG}}</div>{{end}}{{if .SizeSVG}}<div>{{.SizeSVG}}</div>{{end}}</div>{{end}}
</section>

<section id="strategies">
<h2>{{T "cmp.title"}}</h2>
{{if not .Comparisons}}<p class="muted">{{T "cmp.none"}}</p>{{end}}
{{range .Comparisons}}
<h3>{{.Model}}{{if $.MultiSuite}}{{T "cmp.on" .Suite}}{{end}}: {{.Base}} → {{.Other}}</h3>
<p class="muted">{{.Cost}}</p>
<table class="cmp"><tr><th>{{T "col.view"}}</th><th>{{T "col.pairs"}}</th><th>{{.Base}}</th><th>{{.Other}}</th><th>{{T "cmp.delta"}}</th><th>{{T "col.ci"}}</th><th>{{T "cmp.mcnemar"}}</th><th>{{T "cmp.only" .Base .Other}}</th><th>{{T "cmp.ratio"}}</th></tr>
{{range .Rows}}<tr><td>{{.View}}</td><td>{{.Pairs}}</td><td>{{printf "%.2f" .OverallA}}</td><td>{{printf "%.2f" .OverallB}}</td><td>{{f2 .DeltaOverall}}</td><td class="ci">{{ci .DeltaCI95}}</td><td>{{p .McNemarP}}</td><td>{{.OnlyA}} / {{.OnlyB}}</td><td>{{ratio .CostRatio}}</td></tr>
{{end}}</table>
{{end}}
</section>

<section id="review">
<h2>{{T "review.title"}}</h2>
<p class="muted">{{T "review.note" (pct .Target)}}</p>
{{if .RiskNote}}<p class="note">{{.RiskNote}}</p>{{end}}
{{range .Risk}}
<h3>{{.Label}}</h3>
<div class="charts"><div>{{.SVG}}</div></div>
<table><tr><th>{{T "col.view"}}</th><th>{{T "review.answers"}}</th><th>{{T "review.with_conf"}}</th><th>{{T "review.threshold"}}</th><th>{{T "review.automated"}}</th><th>{{T "review.risk"}}</th><th>{{T "review.human"}}</th></tr>
{{range .Rows}}<tr><td>{{.View}}</td><td>{{.Questions}}</td><td>{{.WithConfidence}}</td><td>{{.Threshold}}</td><td>{{.Coverage}}</td><td>{{.Risk}}</td><td>{{.Human}}</td></tr>{{end}}
</table>
{{end}}
</section>
{{range .Sections}}
<section id="{{.ID}}">
<h2>{{.Title}}</h2>
{{.Body}}
</section>
{{end}}
<section id="errors">
<h2>{{T "err.title"}}</h2>
<p class="muted">{{T "err.intro" (len .Errors.Items)}}{{if .ErrorNote}}{{T "err.note" .ErrorNote}}{{end}}</p>
<div class="filters">
<label>{{T "err.model"}} <select id="f-model"><option value="">{{T "err.all"}}</option>{{range $i, $r := .Errors.Runs}}<option value="{{$i}}">{{$r}}</option>{{end}}</select></label>
<label>{{T "err.view"}} <select id="f-view"><option value="">{{T "err.all"}}</option>{{range $i, $v := .ViewNames}}<option value="{{$i}}">{{$v}}</option>{{end}}</select></label>
<label>{{T "err.kind"}} <select id="f-kind"><option value="">{{T "err.all"}}</option>{{range $k := kinds}}<option value="{{$k}}">{{T (print "js.kind." $k)}}</option>{{end}}</select></label>
<span id="f-count" class="muted"></span>
<span class="pager"><button type="button" class="f-prev">{{T "err.prev"}}</button> <span class="f-page muted"></span> <button type="button" class="f-next">{{T "err.next"}}</button></span>
</div>
<div id="errlist"><noscript><p class="muted">{{T "err.noscript"}}</p></noscript></div>
<div class="filters"><span class="pager"><button type="button" class="f-prev">{{T "err.prev"}}</button> <span class="f-page muted"></span> <button type="button" class="f-next">{{T "err.next"}}</button></span></div>
<script type="application/json" id="errdata">{{.Errors}}</script>
</section>

<section id="runs">
<h2>{{T "runs.title"}}</h2>
<div class="scroll"><table class="runs"><tr><th>{{T "col.model"}}</th><th>{{T "col.run_id"}}</th><th>{{T "col.suite"}}</th><th>{{T "col.strategy"}}</th><th>{{T "col.rule"}}</th><th>{{T "col.records"}}</th><th>{{T "col.calls"}}</th><th>{{T "col.cached"}}</th><th>{{T "col.cost"}}</th><th>{{T "col.metadata"}}</th></tr>
{{range .Runs}}<tr><td class="model">{{.Label}}</td><td class="id">{{.ID}}</td><td>{{.Suite}}</td><td>{{.Strategy}}</td><td>{{.Rule}}</td><td>{{.Records}}</td><td>{{.Calls}}</td><td>{{.Cached}}</td><td>{{usd .Cost}}</td><td class="wrap">{{.Meta}}</td></tr>{{end}}
</table></div>
</section>
</main>
<footer>{{T "footer.made"}}{{if .Generated}}{{T "footer.on" .Generated}}{{end}}{{T "footer.recompute"}}<code>emohallucer score</code>{{T "footer.recompute_end"}}</footer>
<script>@@SCRIPT@@</script>
</body>
</html>
`
