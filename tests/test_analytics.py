"""Metrics on the seed graph: balance of the US-Japan-China triad, explained paths, stable metrics.

Expected values were worked out by hand from the articles (see tests/test_project.py for how the
signs of the state graph's edges add up).
"""

from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner

import kg.analysis.metrics as analytics
from kg.analysis.metrics import centrality, communities, explained_path, frustration, structural_balance
from kg.analysis.project import AnalysisError, actor_graph, state_graph
from kg.cli import main

ID = "https://w3id.org/trade-dispute/id/"
FACT = "https://w3id.org/trade-dispute/fact/"
US, JAPAN, CHINA, KOREA = (ID + k for k in ("united-states", "japan", "china", "south-korea"))


@pytest.fixture(scope="module")
def balance(states):
    return structural_balance(states)


def run(built, *args):
    result = CliRunner().invoke(main, ["analyze", *args, "--build-dir", str(built)], catch_exceptions=False)
    return result


# ------------------------------------------------------------------ structural balance


def test_us_japan_china_triad_is_unbalanced_with_the_facts_on_each_edge(balance):
    (triad,) = [t for t in balance["triads"] if set(t["nodes"]) == {US, JAPAN, CHINA}]
    assert triad["balanced"] is False
    edges = {frozenset((e["a"], e["b"])): e for e in triad["edges"]}
    us_japan, japan_china, us_china = (
        edges[frozenset(p)] for p in ((US, JAPAN), (JAPAN, CHINA), (US, CHINA))
    )
    assert (us_japan["sign"], japan_china["sign"], us_china["sign"]) == (1, 1, -1)
    # US-Japan: cooperative via the alliance
    assert {FACT + "a000-us-japan-alliance", FACT + "a001-us-japan-alliance"} <= set(us_japan["facts"])
    # Japan-China: the request, the trilateral meeting and agreements ...
    for fact in ("a000-request", "a004-weekend-conference", "a004-economic-ties-agreement", "a004-fta-talks"):
        assert FACT + fact in japan_china["facts"]
    # ... outweigh the seafood ban and the tensions, which are listed too
    for fact in ("a000-seafood-ban", "a001-china-japan-tensions", "a002-china-japan-tensions"):
        assert FACT + fact in japan_china["facts"]
    # US-China: tariffs and retaliation
    for fact in ("a000-us-tariffs-on-china", "a000-china-retaliation", "a002-china-counter-tariffs"):
        assert FACT + fact in us_china["facts"]


def test_four_triads_two_balanced_and_frustration_index_one(balance):
    # signs: US-Japan +, Japan-China +, US-China -, Japan-Korea +, China-Korea +, US-Korea -
    assert (len(balance["triads"]), balance["balanced"], balance["unbalanced"]) == (4, 2, 2)
    assert {frozenset(t["nodes"]) for t in balance["triads"] if not t["balanced"]} == {
        frozenset((US, JAPAN, CHINA)),
        frozenset((US, JAPAN, KOREA)),
    }
    # best split: the three Asian states against the US; only US-Japan (+) crosses it
    assert balance["frustration_index"] == 1 and balance["exact"] is True
    assert balance["groups"] == [sorted((CHINA, JAPAN, KOREA)), [US]]
    (frustrated,) = balance["frustrated_edges"]
    assert {frustrated["a"], frustrated["b"]} == {US, JAPAN}


def test_balance_of_hand_made_signed_graphs():
    g = nx.Graph()
    g.add_edge("a", "b", sign=1)
    g.add_edge("b", "c", sign=1)
    g.add_edge("a", "c", sign=-1)
    g.add_edge("c", "d", sign=0)  # neutral edges take no part
    result = structural_balance(g)
    assert [t["balanced"] for t in result["triads"]] == [False]
    assert result["frustration_index"] == 1
    g["a"]["c"]["sign"] = 1
    assert structural_balance(g)["frustration_index"] == 0


def test_local_search_frustration_is_an_upper_bound_of_the_exact_one(monkeypatch):
    import random

    rng = random.Random(7)
    graphs = []
    for _ in range(20):
        g = nx.gnp_random_graph(9, 0.5, seed=rng.randrange(10**6))
        for u, v in g.edges:
            g[u][v]["sign"] = rng.choice((1, -1))
        graphs.append(g)
    exact = [frustration(g)["frustration_index"] for g in graphs]
    monkeypatch.setattr(analytics, "FRUSTRATION_EXACT_MAX_NODES", 2)
    approx = [frustration(g) for g in graphs]
    assert all(a["exact"] is False for a in approx if a["frustration_index"])
    assert all(a["frustration_index"] >= e for a, e in zip(approx, exact, strict=True))
    assert sum(a["frustration_index"] for a in approx) <= sum(exact) + 3  # and close to it


def test_balance_as_of_2025_03_31_uses_only_what_was_known_then(store):
    early = state_graph(store, as_of="2025-03-31")
    (triad,) = [t for t in structural_balance(early)["triads"] if set(t["nodes"]) == {US, JAPAN, CHINA}]
    # already unbalanced: the car tariff and the alliance aimed at China set US against China
    assert triad["balanced"] is False
    us_china = set(early[US][CHINA]["facts"])
    assert FACT + "a004-auto-tariff-repercussions" in us_china
    assert FACT + "a000-us-tariffs-on-china" not in us_china  # the 245% is reported on 2025-04-22
    assert FACT + "a000-request" not in early[JAPAN][CHINA]["facts"]


# ------------------------------------------------------------------ explained paths


def test_path_from_hegseth_to_li_qiang_cites_a_fact_on_every_hop(store, corpus):
    hops = explained_path(store, "pete-hegseth", "li-qiang")
    assert hops, "Pete Hegseth and Li Qiang must be connected"
    assert hops[0]["from"] == ID + "pete-hegseth" and hops[-1]["to"] == ID + "li-qiang"
    for a, b in zip(hops, hops[1:], strict=False):
        assert a["to"] == b["from"]
    for hop in hops:
        assert hop["fact"].startswith(FACT) and hop["fact"] in hop["facts"]
        text = corpus.sources[hop["article_id"]].text
        assert text[hop["start"] : hop["end"]] == hop["quote"]
    # the shortest: Hegseth's remarks aimed at China, and China's premier Li Qiang
    assert [h["to_label"] for h in hops] == ["China", "Li Qiang"]
    assert hops[0]["relation"] == "speaker->target" and hops[0]["sign"] == -1
    assert hops[1]["relation"] == "heldBy->postIn" and hops[1]["direction"] == "backward"


def test_path_accepts_labels_and_iris(store):
    by_key = explained_path(store, "pete-hegseth", "li-qiang")
    assert explained_path(store, "Pete Hegseth", ID + "li-qiang") == by_key


def test_path_walks_registry_links_only_when_asked(store):
    # Bessent's only fact-backed edge is his post in the Treasury
    assert explained_path(store, "scott-bessent", "li-qiang") == []
    hops = explained_path(store, "scott-bessent", "li-qiang", include_registry=True)
    assert hops[0]["source"] == "registry" and hops[0]["fact"] is None
    assert all(h["fact"] for h in hops[1:])


def test_unknown_actor_is_a_clear_error(store):
    with pytest.raises(AnalysisError, match="no actor 'pete-hegset'.*did you mean 'pete-hegseth'"):
        explained_path(store, "pete-hegset", "li-qiang")


# ------------------------------------------------------------------ centrality and communities


def test_pagerank_and_communities_are_the_same_on_every_run(store, actors):
    again = actor_graph(store)
    first, second = centrality(actors), centrality(again)
    assert first.equals(second)
    assert communities(actors) == communities(again)
    assert communities(actors, seed=42) == communities(actors, seed=42)


def test_centrality_columns_and_values(actors, states):
    frame = centrality(actors)
    assert list(frame.columns) == ["node", "label", "type", "degree", "pagerank", "betweenness"]
    assert frame["pagerank"].sum() == pytest.approx(1.0, abs=1e-4)
    # the three states everyone deals with come first
    assert set(frame["label"].head(3)) == {"Japan", "China", "United States"}
    japan = frame.set_index("label").loc["Japan"]
    assert japan["degree"] == len(set(nx.Graph(actors.to_undirected()).neighbors(JAPAN)))
    # the state graph is complete (K4): every state has degree 3 and betweenness 0
    frame = centrality(states)
    assert set(frame["degree"]) == {3} and set(frame["betweenness"]) == {0.0}


def test_betweenness_is_sampled_and_still_deterministic_above_the_threshold(actors, monkeypatch):
    monkeypatch.setattr(analytics, "BETWEENNESS_EXACT_MAX_NODES", 5)
    monkeypatch.setattr(analytics, "BETWEENNESS_SAMPLE", 8)
    assert centrality(actors).equals(centrality(actors))


def test_communities_partition_the_nodes_and_ignore_conflict(actors):
    found = communities(actors)
    assert set().union(*found) == set(actors.nodes)
    assert sum(len(c) for c in found) == actors.number_of_nodes()
    g = nx.Graph()
    g.add_edge("a", "b", sign=1, weight=3)
    g.add_edge("c", "d", sign=1, weight=3)
    g.add_edge("b", "c", sign=-1, weight=50)
    assert communities(g) == [{"a", "b"}, {"c", "d"}]


# ------------------------------------------------------------------ CLI


def test_cli_balance_shows_the_unbalanced_triad(built):
    result = run(built, "balance", "--wide")
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if x.startswith("China / Japan / United States"))
    assert "UNBALANCED" in line and "China-United States -" in line
    assert "frustration index 1" in result.output


def test_cli_balance_json_and_as_of(built):
    result = run(built, "balance", "--format", "json", "--as-of", "2025-04-22")
    doc = json.loads(result.output)
    assert doc["unbalanced"] == 2 and doc["frustration_index"] == 1


def test_cli_path_json_and_exit_codes(built):
    doc = json.loads(run(built, "path", "pete-hegseth", "li-qiang", "--format", "json").output)
    assert [h["to_label"] for h in doc] == ["China", "Li Qiang"] and all(h["quote"] for h in doc)
    assert run(built, "path", "scott-bessent", "li-qiang").exit_code == 1
    missing = run(built, "path", "nobody-at-all", "li-qiang")
    assert missing.exit_code == 2 and "no actor 'nobody-at-all'" in missing.output


def test_cli_centrality_and_communities_csv(built):
    out = run(built, "centrality", "--view", "state", "--format", "csv").output.splitlines()
    assert out[0] == "label,type,degree,pagerank,betweenness,node"
    assert len(out) == 5
    out = run(built, "communities", "--view", "state", "--format", "csv").output
    assert out.splitlines()[0] == "community,size,members"


def test_cli_edges_and_view(built):
    out = run(built, "edges", "--view", "measures", "--format", "csv").output
    assert "China's tariffs on US goods" in out and "125" in out
    out = run(built, "view", "memberships", "--as-of", "2025-03-31", "--format", "csv").output
    assert "pete-hegseth" in out and "li-qiang" in out  # Li Qiang only through the registry
    assert "a000-premier-li" not in out  # his post is first stated on 2025-04-22


def test_every_analyze_command_has_help_with_an_example():
    group = main.commands["analyze"]
    for name, command in group.commands.items():
        assert command.help and "kg analyze" in command.help, f"kg analyze {name} needs an example"
