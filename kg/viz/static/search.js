// The site index: type part of a label or alias, see the entities that match, best first.
// Results are built from text nodes only; the entries come from a JSON block of the page.
(function () {
  "use strict";
  var MAX = 20;
  var entries = JSON.parse(document.getElementById("kg-index").textContent);
  var input = document.getElementById("kg-search");
  var list = document.getElementById("kg-results");
  var status = document.getElementById("kg-search-status");
  var active = -1;

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function words(text) {
    return " " + text.replace(/[^\p{L}\p{N}]+/gu, " ");
  }
  var keys = entries.map(function (e) {
    var label = fold(e[0]);
    var aliases = e[1].map(fold);
    return {label: label, labelWords: words(label), aliases: aliases, aliasWords: aliases.map(words)};
  });

  // 0: the label starts with the query; 1: a word of it does; 2, 3: the same for an alias;
  // 4, 5: the label or an alias contains it. -1: no match. The matching alias is returned too.
  function score(k, q) {
    var i;
    if (k.label.indexOf(q) === 0) { return [0, null]; }
    if (k.labelWords.indexOf(" " + q) >= 0) { return [1, null]; }
    for (i = 0; i < k.aliases.length; i++) { if (k.aliases[i].indexOf(q) === 0) { return [2, i]; } }
    for (i = 0; i < k.aliases.length; i++) { if (k.aliasWords[i].indexOf(" " + q) >= 0) { return [3, i]; } }
    if (k.label.indexOf(q) >= 0) { return [4, null]; }
    for (i = 0; i < k.aliases.length; i++) { if (k.aliases[i].indexOf(q) >= 0) { return [5, i]; } }
    return [-1, null];
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function highlight(index) {
    var items = list.querySelectorAll("li");
    items.forEach(function (li, i) { li.classList.toggle("active", i === index); });
    active = index;
  }
  function update() {
    var q = fold(input.value.trim());
    list.replaceChildren();
    active = -1;
    if (!q) { status.textContent = ""; return; }
    var found = [];
    keys.forEach(function (k, i) {
      var s = score(k, q);
      if (s[0] >= 0) { found.push([s[0], i, s[1]]); }
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    found.slice(0, MAX).forEach(function (f) {
      var e = entries[f[1]];
      var li = el("li");
      var a = el("a", null, e[0]);
      a.href = e[3];
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "kind", e[2]));
      if (f[2] !== null) {
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", "alias", "also called " + e[1][f[2]]));
      }
      list.appendChild(li);
    });
    status.textContent = found.length === 0 ? "No entity matches." :
      found.length > MAX ? found.length + " entities match; the first " + MAX + " are shown." :
      found.length + (found.length === 1 ? " entity matches." : " entities match.");
    if (found.length) { highlight(0); }
  }
  input.addEventListener("input", update);
  input.addEventListener("keydown", function (event) {
    var items = list.querySelectorAll("li");
    if (!items.length) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items[active].querySelector("a").href;
    }
  });
  if (input.value) { update(); }
  window.kgSearchReady = true;
})();
