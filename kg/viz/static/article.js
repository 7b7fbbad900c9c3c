// The article page: hovering or clicking a marked passage shows the facts that quote it.
// The panel shows copies of the page's own fact entries (built by the template from escaped
// text), so no text ever passes through HTML parsing here.
(function () {
  "use strict";
  var text = document.getElementById("kg-text");
  var body = document.getElementById("kg-panel-body");
  var title = document.getElementById("kg-panel-title");
  var hint = document.getElementById("kg-panel-hint");
  var pinned = null;

  function factsOf(span) {
    return (span.getAttribute("data-f") || "").split(" ").filter(function (id) { return id; });
  }
  function spansOf(id) {
    return Array.prototype.filter.call(text.querySelectorAll("span.q"), function (s) {
      return factsOf(s).indexOf(id) >= 0;
    });
  }
  function mark(ids) {
    text.querySelectorAll("span.q.on").forEach(function (s) { s.classList.remove("on"); });
    ids.forEach(function (id) { spansOf(id).forEach(function (s) { s.classList.add("on"); }); });
  }
  function show(ids) {
    var copies = [];
    ids.forEach(function (id) {
      var entry = document.getElementById("fact-" + id);
      if (!entry) { return; }
      var copy = entry.cloneNode(true);
      copy.removeAttribute("id");
      copies.push(copy);
    });
    body.replaceChildren.apply(body, copies);
    title.textContent = copies.length === 1 ? "1 fact quotes this passage" : copies.length + " facts quote this passage";
    hint.hidden = copies.length > 0;
    mark(ids);
  }
  function target(event) {
    var node = event.target;
    return node && node.closest ? node.closest("#kg-text span.q") : null;
  }
  text.addEventListener("mouseover", function (event) {
    var span = target(event);
    if (span && pinned === null) { show(factsOf(span)); }
  });
  text.addEventListener("focusin", function (event) {
    var span = target(event);
    if (span && pinned === null) { show(factsOf(span)); }
  });
  text.addEventListener("click", function (event) {
    var span = target(event);
    if (!span) { pinned = null; return; }
    pinned = factsOf(span);
    show(pinned);
  });
  text.addEventListener("keydown", function (event) {
    var span = target(event);
    if (span && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); pinned = factsOf(span); show(pinned); }
  });
  function fromHash() {
    var hash = decodeURIComponent(window.location.hash || "");
    if (hash.indexOf("#fact-") !== 0) { return; }
    var id = hash.slice(6);
    var spans = spansOf(id);
    if (!spans.length) { return; }
    pinned = [id];
    show(pinned);
    spans[0].scrollIntoView({block: "center"});
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
  window.kgArticleReady = true;
})();
