"""kg.viz.graph and ``kg viz``: what the graph page holds, how article text is escaped, the options.

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
    """The nodes, edges and options the page gives vis-network."""

    def grab(name: str):
        match = re.search(rf"var {name} = (.*);\n", html)
        assert match, name
        return json.loads(match.group(1))

    return grab("nodeData"), grab("edgeData"), grab("options")


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
    assert (japan["shape"], japan["color"]["background"], japan["cat"]) == ("dot", "#2b6cb0", "state")
    assert (tariff["shape"], tariff["cat"]) == ("triangle", "measure")
    assert (person["shape"], person["cat"]) == ("diamond", "person")
    assert japan["value"] == 0.4 and person["value"] == 0.1
    assert ["type", "state"] in japan["tip"]["rows"] and ["pagerank", "0.400"] in japan["tip"]["rows"]
    # Japan's dates span its two talks and the evil statement
    assert ["dates", "2025-03-30 to 2025-04-22"] in japan["tip"]["rows"]


def test_edges_are_coloured_by_sign_and_labelled_by_relation(small_page):
    _, edges, _ = page_data(small_page)
    assert len(edges) == 5
    tariff = next(e for e in edges if e["from"] == ID + "united-states")
    assert (tariff["label"], tariff["sign"], tariff["color"]["color"], tariff["value"]) == (
        "measure on",
        "conflict",
        "#e53e3e",
        3,
    )
    assert tariff["arrows"] == {"to": {"enabled": True}}
    talks = [e for e in edges if e["from"] == ID + "china" and e["to"] == ID + "japan"]
    # two parallel talks: one label for both, two distinct curves, one spring
    assert sorted(e["label"] for e in talks) == ["", "talks \u00d72"]
    assert talks[0]["smooth"] != talks[1]["smooth"]
    assert sorted(e["physics"] for e in talks) == [False, True]
    assert all(e["color"]["color"] == "#38a169" for e in talks)
    held = next(e for e in edges if e["from"] == ID + "li-qiang")
    assert (held["label"], held["sign"]) == ("holds post in", "neutral")


def test_edge_tooltip_has_dates_origins_and_the_quote_with_its_article(small_page):
    _, edges, _ = page_data(small_page)
    tip = next(e for e in edges if e["from"] == ID + "united-states")["tip"]
    assert tip["heading"] == "United States \u2192 measure on \u2192 China"
    assert ["date", "2025-04-22"] in tip["rows"] and ["independent origins", "3"] in tip["rows"]
    assert tip["quotes"] == [
        {"text": "tariffs of up to 245% on China", "source": "000_47059b8c57473c03 [10:20]"}
    ]


def test_article_text_and_labels_never_become_markup(small_page):
    # only the page's own two script elements and no img element reach the HTML
    ours = small_page.replace(str(viz._vis_asset("vis-network.min.js")), "").lower()
    assert ours.count("<script") == 2 and "<img" not in ours
    assert "Test &lt;b&gt;page&lt;/b&gt;" in small_page and "<b>page</b>" not in small_page
    nodes, edges, _ = page_data(small_page)
    evil = next(n for n in nodes if n["id"] == ID + "evil")
    assert evil["label"] == viz._short(EVIL) and evil["tip"]["heading"] == EVIL  # the text itself is kept
    said = next(e for e in edges if e["from"] == ID + "evil")
    assert said["tip"]["quotes"][0]["text"] == EVIL + " said"
    # tooltips are built with textContent, never innerHTML
    assert "innerHTML" not in ours.split("<script>", 2)[2]
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


def test_a_large_graph_gets_a_cheaper_layout_that_stops(monkeypatch):
    monkeypatch.setattr(viz, "LARGE_GRAPH", 20)
    g = nx.path_graph(30, create_using=nx.MultiDiGraph)
    html, warnings, _ = viz.graph_page(g, pagerank=dict.fromkeys(g, 0.1))
    _, edges, options = page_data(html)
    assert any("30 nodes" in w and "labels start hidden" in w for w in warnings)
    assert options["physics"]["stabilization"]["iterations"] == viz.layout_steps(30)
    assert options["interaction"]["hideEdgesOnDrag"] is True
    assert all(e["smooth"]["enabled"] is False for e in edges)
    assert 'id="kg-labels">' in html  # the relation labels box starts unticked
    assert "network.setOptions({physics: {enabled: false}})" in html  # settles, then stops


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
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["graph.html"]
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


def test_timeline_page_embeds_the_chart_and_escapes_the_table():
    rows = [
        {
            "date": "2025-04-09",
            "dyad": "United States -> China",
            "quote": "<script>alert(1)</script>",
            "fact": "https://w3id.org/trade-dispute/fact/a001-x",
        }
    ]
    html = viz.timeline_page(rows, b"\x89PNG fake", title="T")
    assert 'src="data:image/png;base64,iVBORyBmYWtl"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html.lower()
    assert "<th>date</th><th>dyad</th><th>quote</th>" in html and "a001-x" not in html
    assert "United States \u2192 China" in html


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
    assert f"actor view: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges" in result.stderr
    nodes, edges, _ = page_data(page.read_text(encoding="utf-8"))
    assert (len(nodes), len(edges)) == (graph.number_of_nodes(), graph.number_of_edges())
    assert (len(nodes), len(edges)) == (22, 132)
    # every edge backed by facts shows quotes with their article; registry links have none
    for e in edges:
        facts = int(dict(e["tip"]["rows"])["facts"])
        assert bool(e["tip"]["quotes"]) == (facts > 0), e["tip"]
        assert all(re.fullmatch(r"\d{3}_[0-9a-f]{16} \[\d+:\d+\]", q["source"]) for q in e["tip"]["quotes"])


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
    assert counts[0] < counts[1] == 132


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


def test_kg_viz_timeline_writes_the_chart_and_table(build_dir, store):
    from kg.analysis.timeline import timeline_rows

    result = run("viz", "timeline", "--build-dir", str(build_dir))
    assert result.exit_code == 0, result.output
    page = build_dir / "timeline.html"
    assert result.stdout.strip() == str(page)
    html = page.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,iVBOR') == 1
    everything = len(timeline_rows(store))
    assert html.count("<tr>") == everything + 1  # the heading row and one per timeline row
    assert "United States \u2192 China" in html and "<script" not in html.lower()

    early = build_dir / "early.html"
    args = ["viz", "--timeline", "--as-of", "2025-04-01", "--build-dir", str(build_dir), "-o", str(early)]
    assert run(*args).exit_code == 0
    rows = len(timeline_rows(store, as_of="2025-04-01"))
    assert 0 < rows < everything
    assert early.read_text(encoding="utf-8").count("<tr>") == rows + 1


def test_the_same_graph_gives_the_same_page():
    first, _, _ = viz.graph_page(small_graph(), pagerank=PAGERANK)
    second, _, _ = viz.graph_page(small_graph(), pagerank=PAGERANK)
    assert first == second  # sorted nodes and edges, seeded layout: pages can be diffed
