"""kg.viz.graph, kg.viz.timeline and ``kg viz``: what the pages hold, how article text is escaped, the options.

The page's data is read back from the HTML (the JSON the page hands to vis-network), so these
tests check what a browser would draw without starting one; tests/test_browser.py starts one.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import KgError
from kg.viz import graph as viz
from kg.viz import page, styles
from kg.viz import timeline as tl

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/trade-dispute/id/"
ARTICLE = "https://w3id.org/trade-dispute/article/000_47059b8c57473c03"
EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> href'


def quote(fact: str, text: str, start: int = 10, end: int = 20) -> dict:
    return {
        "fact": f"https://w3id.org/trade-dispute/fact/{fact}",
        "article": ARTICLE,
        "quote": text,
        "start": start,
        "end": end,
    }


def small_graph() -> nx.MultiDiGraph:
    """Four states, a person and a measure; two parallel edges; one label and quote of markup."""
    g = nx.MultiDiGraph()
    for key, label, kind in [
        ("japan", "Japan", "State"),
        ("china", "China", "State"),
        ("united-states", "United States", "State"),
        ("evil", EVIL, "State"),
        ("li-qiang", "Li Qiang", "Person"),
        ("us-tariffs-on-china", "US tariffs on China", "Tariff"),
    ]:
        g.add_node(ID + key, label=label, type=kind, iri=ID + key)

    def edge(u, v, relation, sign, weight=1, date="2025-04-22", text="a quote", fact=None):
        fact = fact or f"a000-{u}-{v}-{relation}"
        g.add_edge(
            ID + u,
            ID + v,
            key=f"{relation} {fact}",
            relation=relation,
            sign=sign,
            date=date,
            weight=weight,
            facts=[fact],
            quotes=[quote(fact, text)],
        )

    edge("united-states", "china", "imposedBy->target", -1, weight=3, text="tariffs of up to 245% on China")
    edge("china", "japan", "Talks", 1, date="2025-03-30", fact="a001-talks-1")
    edge("china", "japan", "Talks", 1, date="2025-04-01", fact="a001-talks-2")
    edge("li-qiang", "china", "heldBy->postIn", 0)
    edge("evil", "japan", "speaker->recipient", -1, text=EVIL + " said")
    return g


PAGERANK = {
    ID + "japan": 0.4,
    ID + "china": 0.3,
    ID + "united-states": 0.1,
    ID + "evil": 0.05,
    ID + "li-qiang": 0.1,
    ID + "us-tariffs-on-china": 0.05,
}


def page_data(html: str) -> tuple[list[dict], list[dict], dict]:
    """The nodes, edges and options the page gives vis-network (JSON in script elements)."""

    def grab(name: str):
        match = re.search(rf'<script type="application/json" id="kg-{name}">(.*?)</script>', html)
        assert match, name
        return json.loads(match.group(1))

    nodes, edges, tips = grab("nodes"), grab("edges"), grab("tips")
    for item, tip in [*zip(nodes, tips["nodes"], strict=True), *zip(edges, tips["edges"], strict=True)]:
        item["tip"] = tip  # the page keeps them apart until the first hover
    return nodes, edges, grab("options")


@pytest.fixture(scope="module")
def small_page() -> str:
    html, warnings, _ = viz.graph_page(small_graph(), title="Test <b>page</b>", pagerank=PAGERANK)
    assert warnings == []
    return html


def test_every_ontology_class_has_a_legend_group():
    import rdflib
    from rdflib.namespace import OWL, RDF

    tdo = rdflib.Graph().parse(ROOT / "ontology" / "tdo.ttl")
    prefix = "https://w3id.org/trade-dispute/ontology#"
    classes = {str(c)[len(prefix) :] for c in tdo.subjects(RDF.type, OWL.Class) if str(c).startswith(prefix)}
    assert classes, "no classes read from the ontology"
    assert set(viz.CATEGORY_ROOTS) <= classes, "a legend root the ontology lacks"
    groups = {c: viz.category_of(c).key for c in classes}
    assert groups["Ministry"] == groups["NewsOutlet"] == "agency"
    assert groups["Warning"] == groups["Letter"] == "event"
    assert groups["State"] == "state" and groups["Tariff"] == "measure"
    assert {g for c, g in groups.items() if c not in ("Product", "Article", "Claim")} - {"other"}


def test_page_loads_nothing_from_the_network(small_page):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", small_page, re.I)
    assert '<link rel="stylesheet"' not in small_page
    assert "jsdelivr" not in small_page and "cdnjs.cloudflare" not in small_page
    assert "default-src 'none'" in small_page  # the page's CSP refuses any fetch
    assert "new vis.Network(" in small_page and "vis-network" in small_page  # the library is inline


def test_nodes_are_styled_by_class_and_sized_by_pagerank(small_page):
    nodes, _, _ = page_data(small_page)
    by_id = {n["id"]: n for n in nodes}
    assert len(nodes) == 6
    japan, tariff, person = by_id[ID + "japan"], by_id[ID + "us-tariffs-on-china"], by_id[ID + "li-qiang"]
    groups = page_data(small_page)[2]["groups"]
    assert (groups["state"]["shape"], groups["state"]["color"]["background"], japan["group"]) == (
        "dot",
        "#0072B2",
        "state",
    )
    assert (groups[tariff["group"]]["shape"], tariff["cat"]) == ("triangle", "measure")
    assert (groups[person["group"]]["shape"], person["cat"]) == ("diamond", "person")
    assert japan["value"] == 0.4 and person["value"] == 0.1
    assert ["type", "state"] in japan["tip"]["rows"] and ["pagerank", "0.400"] in japan["tip"]["rows"]
    # Japan's dates span its two talks and the evil statement
    assert ["dates", "2025-03-30 to 2025-04-22"] in japan["tip"]["rows"]


def test_one_edge_per_pair_and_sign_coloured_and_dashed_by_sign(small_page):
    _, edges, _ = page_data(small_page)
    assert len(edges) == 4  # the two talks of China and Japan are one edge
    pairs = [(frozenset((e["from"], e["to"])), e["sign"]) for e in edges]
    assert len(pairs) == len(set(pairs))
    tariff = next(e for e in edges if e["from"] == ID + "united-states")
    assert (tariff["relation"], tariff["sign"], tariff["color"]["color"], tariff["value"]) == (
        "measure on",
        "conflict",
        "#D55E00",
        3,
    )
    assert tariff["dashes"] == [10, 6] and tariff["color"]["opacity"] == 1.0  # dashed, opaque
    assert tariff["arrows"] == {"to": {"enabled": True}}
    assert tariff["label"] == ""  # labels are drawn when zoomed in or hovered
    talks = [e for e in edges if {e["from"], e["to"]} == {ID + "china", ID + "japan"}]
    assert len(talks) == 1 and talks[0]["relation"] == "talks \u00d72"
    assert talks[0]["color"]["color"] == "#009E73" and talks[0]["dashes"] is False
    assert ["relations", "China \u2192 talks \u2192 Japan \u00d72"] in talks[0]["tip"]["rows"]
    assert ["dates", "2025-03-30 to 2025-04-01"] in talks[0]["tip"]["rows"]
    held = next(e for e in edges if e["from"] == ID + "li-qiang")
    assert (held["relation"], held["sign"], held["dashes"]) == ("holds post in", "neutral", [2, 5])


def test_an_edge_drawn_for_several_counts_each_origin_once():
    g = small_graph()
    # the two talks come from one origin (a wire story relayed twice): width 1, not 2
    origins = {"a001-talks-1": "kyodo", "a001-talks-2": "kyodo"}
    html, _, _ = viz.graph_page(g, pagerank=PAGERANK, origins={**origins, "x": "y"})
    talks = next(e for e in page_data(html)[1] if e["relation"].startswith("talks"))
    assert talks["value"] == 1 and ["independent origins", "1"] in talks["tip"]["rows"]
    both = {"a001-talks-1": "kyodo", "a001-talks-2": "reuters"}
    html, _, _ = viz.graph_page(g, pagerank=PAGERANK, origins=both)
    assert next(e for e in page_data(html)[1] if e["relation"].startswith("talks"))["value"] == 2


def test_edges_both_ways_get_two_arrows_and_name_who_does_what():
    g = small_graph()
    g.add_edge(ID + "japan", ID + "china", relation="Talks", sign=1, facts=["f9"], quotes=[], weight=1)
    html, _, _ = viz.graph_page(g, pagerank=PAGERANK)
    talks = next(e for e in page_data(html)[1] if e["relation"].startswith("talks"))
    assert talks["arrows"] == {"to": {"enabled": True}, "from": {"enabled": True}}
    assert talks["tip"]["heading"] == "China \u2194 Japan"
    relations = dict(talks["tip"]["rows"])["relations"]
    assert relations == "China \u2192 talks \u2192 Japan \u00d72; Japan \u2192 talks \u2192 China"


def test_the_legend_shows_every_colour_the_page_draws(small_page):
    nodes, edges, options = page_data(small_page)
    styled = [options["groups"][n["group"]]["color"] for n in nodes]
    drawn = {c[k] for c in styled for k in ("background", "border")}
    drawn |= {
        c[state][k] for c in styled for state in ("highlight", "hover") for k in ("background", "border")
    }
    drawn |= {e["color"][k] for e in edges for k in ("color", "highlight", "hover")}
    aside = small_page.split("<aside>", 1)[1].split("</aside>", 1)[0]
    legend = set(re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', aside))
    assert drawn == legend
    assert drawn <= styles.drawn_colours()
    assert set(styles.OKABE_ITO.values()) >= {c.color for c in styles.CATEGORIES[:-1]}


def test_article_text_and_labels_never_become_markup(small_page):
    # only the page's own script elements (four of them JSON data) and no img element reach the HTML
    ours = small_page.replace(str(page.vis_asset("vis-network.min.js")), "").lower()
    assert ours.count("<script") == 6 and ours.count('<script type="application/json"') == 4
    assert "<img" not in ours
    assert "Test &lt;b&gt;page&lt;/b&gt;" in small_page and "<b>page</b>" not in small_page
    nodes, edges, _ = page_data(small_page)
    evil = next(n for n in nodes if n["id"] == ID + "evil")
    assert evil["label"] == viz._short(EVIL) and evil["tip"]["heading"] == EVIL  # the text itself is kept
    said = next(e for e in edges if e["from"] == ID + "evil")
    assert said["tip"]["quotes"][0]["text"] == EVIL + " said"
    # tooltips are built with textContent, never innerHTML
    assert "innerhtml" not in ours.split("<script>", 2)[2]
    assert all("title" not in n for n in nodes + edges)  # the page makes titles from "tip"


def test_keep_min_origins_drops_weak_edges_and_the_nodes_they_held():
    g = viz.keep_min_origins(small_graph(), 2)
    assert [(u, v) for u, v in g.edges()] == [(ID + "united-states", ID + "china")]
    # the tariff node had no edge to begin with, so the cut did not orphan it
    assert set(g) == {ID + "united-states", ID + "china", ID + "us-tariffs-on-china"}
    assert viz.keep_min_origins(small_graph(), 1).number_of_edges() == 5


def test_ego_view_keeps_neighbours_in_both_directions():
    g = small_graph()
    assert set(viz.ego_view(g, "japan", 1)) == {ID + "japan", ID + "china", ID + "evil"}
    assert set(viz.ego_view(g, "japan", 2)) == {
        ID + k for k in ("japan", "china", "evil", "united-states", "li-qiang")
    }
    assert set(viz.ego_view(g, "japan", 0)) == {ID + "japan"}


def test_ego_view_of_japan_in_the_seed_actor_graph_is_exactly_its_neighbours(store):
    from kg.analysis.project import actor_graph

    graph = actor_graph(store)
    japan = ID + "japan"
    ego = viz.ego_view(graph, "japan", depth=1)
    assert set(ego) == {japan} | set(graph.predecessors(japan)) | set(graph.successors(japan))
    # worked out from the articles: its ministers, ministries, negotiating partners and rivals
    assert {n[len(ID) :] for n in ego} == {
        "japan", "akazawa-ryosei", "china", "donald-trump", "gen-nakatani", "japan-ministry-of-defense",
        "japan-ministry-of-foreign-affairs", "li-qiang", "pete-hegseth", "shigeru-ishiba", "south-korea",
        "united-states",
    }  # fmt: skip
    assert ID + "xi-jinping" not in ego and ID + "chinese-embassy-in-japan" not in ego
    assert ego.number_of_edges() == graph.subgraph(ego.nodes).number_of_edges()


def test_ego_view_of_an_unknown_entity_says_what_was_meant(store):
    from kg.analysis.project import actor_graph

    with pytest.raises(KgError, match=r"'japn' is not in this view of the graph \(did you mean japan"):
        viz.ego_view(actor_graph(store), "japn")


def test_a_graph_past_the_node_cap_keeps_the_nodes_of_highest_pagerank():
    g = nx.path_graph(30, create_using=nx.MultiDiGraph)
    nx.set_node_attributes(g, "State", "type")
    rank = {n: n / 1000 for n in g}
    html, warnings, drawn = viz.graph_page(g, pagerank=rank, max_nodes=10)
    assert set(drawn) == set(range(20, 30))
    assert len(page_data(html)[0]) == 10
    assert any("30 nodes" in w and "showing the 10 of highest PageRank" in w for w in warnings)


def test_a_large_graph_comes_laid_out_and_the_browser_only_draws(monkeypatch):
    monkeypatch.setattr(viz, "LARGE_GRAPH", 20)
    g = nx.path_graph(30, create_using=nx.MultiDiGraph)
    html, warnings, _ = viz.graph_page(g, pagerank=dict.fromkeys(g, 0.1))
    nodes, edges, options = page_data(html)
    assert any("30 nodes" in w and "laid out before drawing" in w for w in warnings)
    assert options["physics"]["enabled"] is False and options["interaction"]["hideEdgesOnDrag"] is True
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)
    assert all(n["label"] == "" and n["short"] for n in nodes)  # the page labels the nodes in view
    assert all(e["smooth"]["enabled"] is False for e in edges)
    assert all(e["dashes"] is False for e in edges)  # dashed from DASH_ZOOM on, by the page
    # neighbours on the path sit closer than the path's two ends
    pos = {n["id"]: (n["x"], n["y"]) for n in nodes}
    dist = lambda a, b: ((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5  # noqa: E731
    assert max(dist(str(i), str(i + 1)) for i in range(29)) < dist("0", "29")


def test_force_layout_is_deterministic_and_spreads_the_nodes():
    from kg.viz.layout import force_layout

    g = nx.gnm_random_graph(400, 800, seed=3)
    first, second = force_layout(g, seed=1), force_layout(g, seed=1)
    assert first == second and set(first) == set(g)
    assert len(set(first.values())) == 400  # no two nodes on one spot


def test_layout_steps_shrink_with_size():
    assert [viz.layout_steps(n) for n in (10, 150, 300, 1500, 5000)] == [1000, 666, 333, 100, 100]


def test_render_graph_writes_atomically_where_it_is_told(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # pyvis must not write anything into the working directory
    out = tmp_path / "deep" / "er" / "graph.html"
    out.parent.mkdir(parents=True)
    out.write_text("previous", encoding="utf-8")
    result = viz.render_graph(small_graph(), out, pagerank=PAGERANK)
    assert (result.path, result.nodes, result.edges) == (out, 6, 5)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "graph.graphml",
        "graph.html",
    ]  # the page and the graph it draws
    assert os.stat(out).st_mode & 0o044 == 0o044  # readable like any other output


def test_a_failed_render_leaves_the_previous_page(tmp_path):
    out = tmp_path / "graph.html"
    out.write_text("previous", encoding="utf-8")
    with pytest.raises(TypeError):
        viz.write_atomic(out, None)  # type: ignore[arg-type]
    assert out.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]


def test_relation_text_reads_as_words():
    assert viz.relation_text({"relation": "retaliatesAgainst"}) == "retaliates against"
    assert viz.relation_text({"relation": "sender->recipient"}) == "writes to"
    assert viz.relation_text({"relation": "fooBar->bazQux"}) == "foo bar \u2192 baz qux"
    assert viz.relation_text({"cooperation": 0, "conflict": 2}) == "conflict 2"


TIMELINE_ROWS = [
    {"date": "2025-04-02", "dyad": "United States -> China", "measure": "m1", "measure_label": "US tariff",
     "rate": 34, "rate_kind": None, "status": "announced", "event": "rate", "modality": "Asserted",
     "fact": "https://w3id.org/trade-dispute/fact/a001-x", "article_id": "001_x", "quote": "34% on China",
     "detail": "rate 34%"},
    {"date": "2025-04-09", "dyad": "United States -> China", "measure": "m1", "measure_label": "US tariff",
     "rate": 125, "rate_kind": None, "status": "in force", "event": "rate", "modality": "Asserted",
     "fact": "https://w3id.org/trade-dispute/fact/a001-y", "article_id": "001_x", "quote": "125%",
     "detail": "rate 125%"},
    {"date": "2025-04-09", "dyad": "United States -> China", "measure": "m1", "measure_label": "US tariff",
     "rate": None, "rate_kind": None, "status": None, "event": "retaliation", "modality": "Reported",
     "fact": "https://w3id.org/trade-dispute/fact/a002-z", "article_id": "002_x",
     "quote": "<script>alert(1)</script> & <b>bold</b>", "detail": "retaliates"},
    {"date": "2025-04-10", "dyad": "China -> United States", "measure": "m2", "measure_label": "China tariff",
     "rate": None, "rate_kind": None, "status": None, "event": "announcement", "modality": "Asserted",
     "fact": "https://w3id.org/trade-dispute/fact/a002-w", "article_id": "002_x", "quote": "announced",
     "detail": "announcement"},
]  # fmt: skip


def test_timeline_figure_has_a_date_axis_step_lines_by_status_and_event_markers():
    fig = tl.dyad_figure([r for r in TIMELINE_ROWS if r["dyad"] == "United States -> China"])
    assert fig["layout"]["xaxis"]["type"] == "date" and fig["layout"]["xaxis"]["showticklabels"] is True
    lines = [t for t in fig["data"] if t["yaxis"] == "y"]
    assert [(t["line"]["shape"], t["line"]["dash"], t["y"][:1]) for t in lines] == [
        ("hv", "dash", [34]),
        ("hv", "solid", [125]),
    ]
    events = [t for t in fig["data"] if t["yaxis"] == "y2"]
    assert [(t["y"], t["marker"]["symbol"]) for t in events] == [(["retaliation"], "star")]
    # plotly reads a few tags in hover text: the quote reaches it escaped, as text
    hover = events[0]["hovertext"][0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in hover and "002_x" in hover


def test_timeline_page_inlines_plotly_escapes_the_table_and_caps_the_panels():
    html = tl.timeline_page(TIMELINE_ROWS, title="T <i>", max_panels=1)
    assert "default-src 'none'" in html  # plotly.js names its CDN for extras; the CSP refuses any fetch
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["'](https?:)?//""", html)
    assert str(page.plotly_js())[:200] in html  # plotly.js is in the page
    assert "<title>T &lt;i&gt;</title>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.split("<table>", 1)[1]
    assert "2 dyads: showing the 1 with most stated rates" in html
    figures = json.loads(
        re.search(r'<script type="application/json" id="kg-figures">(.*?)</script>', html).group(1)
    )
    assert [f["dyad"] for f in figures] == ["United States \u2192 China", "China \u2192 United States"]
    assert "<th>date</th><th>dyad</th><th>measure</th>" in html and "a001-x" not in html
    capped = tl.timeline_page(TIMELINE_ROWS, max_rows=3)
    assert (
        capped.count("<tr>") == 4
        and "The first 3 of 4 rows" in capped
        and "kg analyze timeline --format csv" in capped
    )


# ---------------------------------------------------------------------------------- the CLI


@pytest.fixture()
def build_dir(tmp_path, built) -> Path:
    """A fresh build folder sharing the session's store, so outputs land in a private place."""
    folder = tmp_path / "build"
    folder.mkdir()
    (folder / "store").symlink_to((built / "store").resolve())
    return folder


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_kg_viz_writes_the_actor_graph_and_prints_its_path(build_dir, store):
    from kg.analysis.project import actor_graph

    graph = actor_graph(store)
    result = run("viz", "--build-dir", str(build_dir))
    assert result.exit_code == 0, result.output
    page = build_dir / "graph.html"
    assert result.stdout.strip() == str(page)
    lines = len(viz.pair_edges(graph))
    assert (
        f"actor view: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, drawn as {lines} lines"
        in result.stderr
    )
    nodes, edges, _ = page_data(page.read_text(encoding="utf-8"))
    assert (len(nodes), len(edges)) == (graph.number_of_nodes(), lines)
    assert (len(nodes), graph.number_of_edges(), len(edges)) == (22, 132, 54)
    # every edge backed by facts shows quotes with their article; registry links have none
    for e in edges:
        facts = int(dict(e["tip"]["rows"])["facts"])
        assert bool(e["tip"]["quotes"]) == (facts > 0), e["tip"]
        assert all(re.fullmatch(r"\d{3}_[0-9a-f]{16} \[\d+:\d+\]", q["source"]) for q in e["tip"]["quotes"])


def test_kg_viz_measures_view_labels_edges_with_measure_and_rate(build_dir, tmp_path):
    out = tmp_path / "measures.html"
    assert run("viz", "--build-dir", str(build_dir), "--view", "measures", "-o", str(out)).exit_code == 0
    _, edges, _ = page_data(out.read_text(encoding="utf-8"))
    japan = next(e for e in edges if e["to"] == ID + "japan" and "reciprocal" in e["relation"])
    assert "US reciprocal tariff on Japan 24% (paused)" in japan["relation"].split("\n")
    china = next(e for e in edges if {e["from"], e["to"]} == {ID + "china", ID + "united-states"})
    said = dict(china["tip"]["rows"])["relations"].split("; ")
    assert "China \u2192 China's tariffs on US goods 125% (in force) \u2192 United States" in said
    assert "United States \u2192 US tariffs on Chinese goods 145% baseline (in force) \u2192 China" in said


def test_kg_viz_focus_view_and_filters(build_dir, store, tmp_path):
    out = tmp_path / "japan.html"
    result = run(
        "viz",
        "--build-dir",
        str(build_dir),
        "--focus",
        "japan",
        "--depth",
        "1",
        "--output",
        str(out),
        "--title",
        "Japan & co",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    assert len(page_data(html)[0]) == 12 and "<h1>Japan &amp; co</h1>" in html
    assert "around Japan (depth 1)" in html

    result = run("viz", "--build-dir", str(build_dir), "--view", "state", "--output", str(out))
    assert "state view: 4 nodes, 6 edges" in result.stderr
    nodes, edges, _ = page_data(out.read_text(encoding="utf-8"))
    assert {n["cat"] for n in nodes} == {"state"} and all(
        e["arrows"] == {"to": {"enabled": False}} for e in edges
    )

    result = run("viz", "--build-dir", str(build_dir), "--min-origins", "2", "--output", str(out))
    nodes, edges, _ = page_data(out.read_text(encoding="utf-8"))
    assert edges and all(e["value"] >= 2 for e in edges)


def test_kg_viz_as_of_shows_less_earlier(build_dir, tmp_path):
    counts = []
    for as_of in ("2023-09-01", "2025-12-31"):
        out = tmp_path / f"{as_of}.html"
        assert (
            run("viz", "--build-dir", str(build_dir), "--as-of", as_of, "--output", str(out)).exit_code == 0
        )
        counts.append(len(page_data(out.read_text(encoding="utf-8"))[1]))
    # actors only the registry links (nationality, agency of) by then are left out (keep_present)
    assert counts[0] < counts[1] == 52 < 54


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--focus", "atlantis"], "error: 'atlantis' is not in this view of the graph"),
        (["--as-of", "2025-13-45"], "error: malformed as-of date '2025-13-45'"),
        (["--view", "galaxy"], "Invalid value for '--view'"),
        (["--min-origins", "0"], "Invalid value for '--min-origins'"),
    ],
)
def test_kg_viz_bad_input_is_exit_2_with_a_message(build_dir, args, message):
    result = CliRunner().invoke(main, ["viz", "--build-dir", str(build_dir), *args])
    assert result.exit_code == 2
    assert message in result.stderr or message in result.output
    assert "Traceback" not in result.output
    assert not (build_dir / "graph.html").exists()


def test_kg_viz_without_a_build_says_so(tmp_path):
    result = CliRunner().invoke(main, ["viz", "--build-dir", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "run 'kg build' first" in result.stderr


def test_kg_viz_timeline_writes_a_panel_per_dyad_and_the_table(build_dir, store):
    from kg.analysis.timeline import timeline_rows

    result = run("viz", "timeline", "--build-dir", str(build_dir))
    assert result.exit_code == 0, result.output
    page_path = build_dir / "timeline.html"
    assert result.stdout.strip() == str(page_path)
    html = page_path.read_text(encoding="utf-8")
    everything = timeline_rows(store)
    figures = json.loads(
        re.search(r'<script type="application/json" id="kg-figures">(.*?)</script>', html).group(1)
    )
    assert len(figures) == len({r["dyad"] for r in everything}) == 6
    assert figures[0]["dyad"] == "United States \u2192 Japan"  # most stated rates first
    assert all(f["layout"]["xaxis"]["type"] == "date" for f in figures)
    us_china = next(f for f in figures if f["dyad"] == "United States \u2192 China")
    assert {t["name"] for t in us_china["data"] if t["yaxis"] == "y"} >= {
        "US tariffs on Chinese goods (baseline)",
        "US tariffs on Chinese goods (maximum)",
    }
    assert html.count("<tr>") == len(everything) + 1  # the heading row and one per timeline row

    early = build_dir / "early.html"
    args = ["viz", "--timeline", "--as-of", "2025-04-01", "--build-dir", str(build_dir), "-o", str(early)]
    assert run(*args).exit_code == 0
    rows = len(timeline_rows(store, as_of="2025-04-01"))
    assert 0 < rows < len(everything)
    assert early.read_text(encoding="utf-8").count("<tr>") == rows + 1


def test_the_same_graph_gives_the_same_page():
    first, _, _ = viz.graph_page(small_graph(), pagerank=PAGERANK)
    second, _, _ = viz.graph_page(small_graph(), pagerank=PAGERANK)
    assert first == second  # sorted nodes and edges, seeded layout: pages can be diffed


def test_kg_viz_as_of_keeps_the_state_pairs_whose_edges_carry_no_date(build_dir, tmp_path):
    """State pairs are dated through their episodes, not an edge date: keep_present must keep them."""
    out = tmp_path / "states.html"
    result = run(
        "viz", "--build-dir", str(build_dir), "--view", "state", "--as-of", "2025-04-15", "-o", str(out)
    )
    assert "state view: 4 nodes, 6 edges, drawn as 6 lines" in result.stderr
    result = run("viz", "--build-dir", str(build_dir), "--as-of", "2025-03-31", "-o", str(out))
    assert "actor view: 9 nodes, 63 edges" in result.stderr  # 13 actors not mentioned yet are left out


def test_the_pages_link_the_exports_that_match_them(built, tmp_path):
    """The graph page's GraphML is the graph it draws; the timeline page's CSV its statements."""
    page = tmp_path / "japan.html"
    result = CliRunner().invoke(
        main,
        ["viz", "--focus", "japan", "--build-dir", str(built), "--output", str(page)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    drawn = nx.read_graphml(tmp_path / "japan.graphml")
    nodes, edges = re.search(r"(\d+) nodes, (\d+) edges", result.output).groups()
    assert (drawn.number_of_nodes(), drawn.number_of_edges()) == (int(nodes), int(edges))
    assert 'href="japan.graphml" download' in page.read_text(encoding="utf-8")
    timeline = tmp_path / "t.html"
    result = CliRunner().invoke(
        main,
        ["viz", "timeline", "--build-dir", str(built), "--output", str(timeline)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("date,dyad,measure_label") and len(rows) > 10
    assert 'href="t.csv" download' in timeline.read_text(encoding="utf-8")
