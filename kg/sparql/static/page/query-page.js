// The query page of kg serve: CodeMirror's SPARQL editor, the named queries, results as a table
// with labels. Everything it fetches is its own server's /query (see the page's CSP).
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("settings").textContent);
  var named = JSON.parse(document.getElementById("named-queries").textContent);
  var byName = {};
  named.forEach(function (q) { byName[q.name] = q; });

  var editor = CodeMirror.fromTextArea(document.getElementById("query"), {
    mode: "application/sparql-query", lineNumbers: true, viewportMargin: Infinity,
    extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run }
  });
  window.kgEditor = editor;  // for tests and the console
  var results = document.getElementById("results");
  var status = document.getElementById("status");

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  document.querySelectorAll(".example").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll(".example.current").forEach(function (b) { b.classList.remove("current"); });
      button.classList.add("current");
      editor.setValue(byName[button.dataset.name].text);
      run();
    });
  });
  document.getElementById("filter").addEventListener("input", function (event) {
    var words = event.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll("#examples li").forEach(function (li) {
      var text = li.textContent.toLowerCase();
      li.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
    });
  });
  document.getElementById("run").addEventListener("click", run);
  document.getElementById("iris").addEventListener("change", function () { if (last) show(last); });

  function post(query) {
    return fetch(settings.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json" },
      body: query
    }).then(function (response) {
      return response.text().then(function (body) {
        if (!response.ok) { throw new Error(body.trim() || response.statusText); }
        return JSON.parse(body);
      });
    });
  }

  var last = null;
  function run() {
    var query = editor.getValue();
    say("running…");
    results.textContent = "";
    var started = performance.now();
    post(query).then(function (doc) {
      var seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (doc.boolean !== undefined) {
        last = null;
        results.textContent = doc.boolean ? "true" : "false";
        say("answered in " + seconds + " s");
        return;
      }
      var rows = doc.results.bindings;
      return labelsFor(rows).then(function (labels) {
        last = { vars: doc.head.vars, rows: rows, labels: labels };
        show(last);
        say(rows.length + " row" + (rows.length === 1 ? "" : "s") + " in " + seconds + " s");
      });
    }).catch(function (error) { say(String(error.message || error), true); });
  }

  function labelsFor(rows) {
    var iris = {};
    rows.forEach(function (row) {
      Object.keys(row).forEach(function (v) { if (row[v].type === "uri") { iris[row[v].value] = true; } });
    });
    var list = Object.keys(iris).filter(function (i) { return !/[<>"{}|^`\\\s]/.test(i); }).slice(0, 2000);
    if (!list.length) { return Promise.resolve({}); }
    var values = list.map(function (i) { return "<" + i + ">"; }).join(" ");
    return post("SELECT ?s ?label WHERE { VALUES ?s { " + values + " } ?s rdfs:label ?label }")
      .then(function (doc) {
        var out = {};
        doc.results.bindings.forEach(function (b) { if (!(b.s.value in out)) { out[b.s.value] = b.label.value; } });
        return out;
      }).catch(function () { return {}; });
  }

  function shortIri(iri) {
    for (var p in settings.prefixes) {
      var ns = settings.prefixes[p];
      if (iri.indexOf(ns) === 0 && /^[\w.-]*$/.test(iri.slice(ns.length))) { return p + ":" + iri.slice(ns.length); }
    }
    return "<" + iri + ">";
  }

  function entityPage(iri) {
    if (!settings.entityPages || iri.indexOf(settings.entityNamespace) !== 0) { return null; }
    var key = iri.slice(settings.entityNamespace.length);
    return /^[\w.-]+$/.test(key) ? settings.entityPages.replace("{key}", key) : null;
  }

  function show(result) {
    var showIris = document.getElementById("iris").checked;
    var vars = result.vars.filter(function (v) {
      return showIris || (result.vars.indexOf(v + "Name") < 0 && result.vars.indexOf(v + "Label") < 0);
    });
    var named_iri = {};  // a name column -> the IRI column it names, when that one is hidden
    result.vars.forEach(function (v) {
      ["Name", "Label"].forEach(function (suffix) {
        if (vars.indexOf(v) < 0 && result.vars.indexOf(v + suffix) >= 0) { named_iri[v + suffix] = v; }
      });
    });
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    var body = table.createTBody();
    result.rows.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (v) {
        var td = tr.insertCell();
        var term = row[v];
        if (!term) { return; }
        if (term.type === "uri") {
          var text = (!showIris && result.labels[term.value]) || shortIri(term.value);
          var href = entityPage(term.value);
          var node = document.createElement(href ? "a" : "span");
          if (href) { node.href = href; }
          node.textContent = text;
          node.title = term.value;
          td.appendChild(node);
        } else {
          td.className = "literal";
          var named = named_iri[v] && row[named_iri[v]];  // ?senderName: link to ?sender's page
          var page = named && named.type === "uri" ? entityPage(named.value) : null;
          if (page) {
            var link = document.createElement("a");
            link.href = page;
            link.title = named.value;
            link.textContent = term.value;
            td.appendChild(link);
          } else {
            td.textContent = term.value;
          }
        }
      });
    });
    results.textContent = "";
    results.appendChild(table);
  }
})();
