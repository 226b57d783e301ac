(function () {
  "use strict";
  var body = document.body;
  var key = "emohallucer-review:" + body.dataset.key;
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));
  var dots = Array.prototype.slice.call(document.querySelectorAll(".dot"));
  var verdicts = ["valid", "ambiguous", "wrong"];
  // state.v maps a pair id to {verdict, note}; it is saved after every change,
  // so a reload or a crash of the browser loses nothing.
  var state = { rater: "", pos: 0, v: {} };
  try {
    var saved = JSON.parse(localStorage.getItem(key) || "null");
    if (saved && typeof saved === "object" && saved.v && typeof saved.v === "object") {
      state.rater = typeof saved.rater === "string" ? saved.rater : "";
      state.pos = saved.pos >= 0 && saved.pos < cards.length ? saved.pos | 0 : 0;
      state.v = saved.v;
    }
  } catch (e) { /* unreadable state: start afresh */ }
  if (!state.rater) { state.rater = body.dataset.rater || ""; }

  function save() {
    try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* storage full or disabled */ }
  }
  function entry(id) {
    if (!state.v[id] || typeof state.v[id] !== "object") { state.v[id] = { verdict: "", note: "" }; }
    return state.v[id];
  }
  function cardState(card) {
    var s = state.v[card.dataset.id];
    return s && verdicts.indexOf(s.verdict) >= 0 ? s.verdict : "";
  }

  function render() {
    var n = { valid: 0, ambiguous: 0, wrong: 0 }, done = 0;
    cards.forEach(function (card, i) {
      var v = cardState(card);
      if (v) { n[v]++; done++; }
      card.classList.toggle("current", i === state.pos);
      dots[i].className = "dot" + (v ? " " + v : "") + (i === state.pos ? " current" : "");
      card.querySelectorAll(".vb").forEach(function (b) { b.classList.toggle("on", b.dataset.verdict === v); });
      var note = card.querySelector(".note"), s = state.v[card.dataset.id];
      if (document.activeElement !== note) { note.value = s && typeof s.note === "string" ? s.note : ""; }
    });
    document.getElementById("progress").value = done;
    document.getElementById("count").textContent = done + " / " + cards.length + " judged";
    verdicts.forEach(function (v) { document.getElementById("n-" + v).textContent = n[v]; });
    document.getElementById("rater-name").textContent = state.rater || "—";
  }
  function go(i) {
    if (i < 0 || i >= cards.length) { return; }
    document.querySelectorAll("audio, video").forEach(function (m) { m.pause(); });
    state.pos = i;
    save();
    render();
    window.scrollTo(0, 0);
  }
  function judge(v) {
    entry(cards[state.pos].dataset.id).verdict = v;
    save();
    if (state.pos + 1 < cards.length) { go(state.pos + 1); } else { render(); }
  }
  function nextOpen() {
    for (var k = 1; k <= cards.length; k++) {
      var i = (state.pos + k) % cards.length;
      if (!cardState(cards[i])) { go(i); return; }
    }
  }

  var ask = document.getElementById("ask"), askName = document.getElementById("ask-name"), afterAsk = null;
  function askRater(then) {
    afterAsk = then || null;
    askName.value = state.rater;
    ask.classList.remove("hidden");
    askName.focus();
  }
  document.getElementById("ask-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var name = askName.value.trim();
    if (!name) { return; }
    state.rater = name;
    save();
    askName.blur(); // or the keys that follow would go to the hidden field
    ask.classList.add("hidden");
    render();
    if (afterAsk) { var f = afterAsk; afterAsk = null; f(); }
  });
  document.getElementById("rater-btn").addEventListener("click", function () { askRater(); });

  function exportVerdicts() {
    if (!state.rater) { askRater(exportVerdicts); return; }
    var lines = [];
    cards.forEach(function (card) {
      var v = cardState(card);
      if (!v) { return; }
      var s = state.v[card.dataset.id], line = { pair: card.dataset.id, verdict: v, rater: state.rater };
      if (s.note) { line.note = s.note; }
      line.source = card.dataset.source;
      line.subcategory = card.dataset.subcategory;
      lines.push(JSON.stringify(line));
    });
    var blob = new Blob([lines.join("\n") + (lines.length ? "\n" : "")], { type: "application/x-ndjson" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "verdicts-" + (state.rater.replace(/[^A-Za-z0-9._-]+/g, "-") || "rater") + ".jsonl";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  }
  document.getElementById("export").addEventListener("click", exportVerdicts);

  cards.forEach(function (card, i) {
    card.querySelectorAll(".vb").forEach(function (b) {
      b.addEventListener("click", function () { state.pos = i; judge(b.dataset.verdict); });
    });
    var note = card.querySelector(".note");
    note.addEventListener("input", function () { entry(card.dataset.id).note = note.value; save(); });
  });
  dots.forEach(function (d, i) { d.addEventListener("click", function () { go(i); }); });

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || !ask.classList.contains("hidden")) { return; }
    var t = ev.target;
    if (t && (t.tagName === "TEXTAREA" || t.tagName === "INPUT")) {
      if (ev.key === "Escape") { t.blur(); }
      return;
    }
    var card = cards[state.pos];
    switch (ev.key) {
      case "1": case "2": case "3": judge(verdicts[+ev.key - 1]); break;
      case "j": case "ArrowRight": go(state.pos + 1); break;
      case "k": case "ArrowLeft": go(state.pos - 1); break;
      case "u": nextOpen(); break;
      case "n": card.querySelector(".note").focus(); break;
      case "e": exportVerdicts(); break;
      case "p":
        var m = card.querySelector("audio, video");
        if (m) { if (m.paused) { m.play(); } else { m.pause(); } }
        break;
      default: return;
    }
    ev.preventDefault();
  });

  render();
  if (!state.rater) { askRater(); }
})();
