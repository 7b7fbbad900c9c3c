"""Projections: SPARQL views become the actor, state and measures graphs, with facts on every edge.

Expected values were worked out by hand from the five seed articles and their annotations.
Independent origins: facts relaying Kyodo count once (Kyodo); an article whose outlet is unknown
is its own origin; article 000 is Anadolu's.
"""

from __future__ import annotations

import sys

import pytest

from kg.analysis.project import (
    AnalysisError,
    Snapshot,
    actor_edges,
    actor_graph,
    fold_to_states,
    measure_records,
    measures_graph,
    parse_as_of,
    view_names,
    view_query,
    view_rows,
)
from kg.resources import QUERIES_DIR
from kg.sparql.query import describe_query

ID = "https://w3id.org/trade-dispute/id/"
FACT = "https://w3id.org/trade-dispute/fact/"
US, JAPAN, CHINA, KOREA = (ID + k for k in ("united-states", "japan", "china", "south-korea"))


def edges_about(graph, u, v, subject=None, relation=None):
    """Edge data between u and v (this direction) about a subject and/or with a relation."""
    found = []
    for _, data in (graph.get_edge_data(u, v) or {}).items():
        if subject and data["subject"] != ID + subject:
            continue
        if relation and data["relation"] != relation:
            continue
        found.append(data)
    return found


def fact_ids(facts):
    return sorted(f[len(FACT) :] for f in facts)


# ------------------------------------------------------------------ views


def test_every_view_opens_with_a_comment_saying_what_it_is_and_runs(store):
    names = view_names()
    assert {"actors", "roles", "role-pairs", "links", "memberships", "measures", "facts"} <= set(names)
    for name in names:
        assert describe_query(QUERIES_DIR / f"view-{name}.rq"), f"view-{name}.rq needs a first comment line"
        assert view_rows(store, name), f"view-{name} returns no rows on the seeds"


def test_unknown_view_is_a_clear_error():
    with pytest.raises(AnalysisError, match="no view 'role'.*did you mean 'roles'"):
        view_query("role")


@pytest.mark.parametrize("bad", ["2025-13-01", "yesterday", "2025/04/22"])
def test_malformed_as_of_date_is_refused(bad):
    with pytest.raises(AnalysisError, match="malformed as-of date"):
        parse_as_of(bad)


def test_as_of_accepts_partial_dates_and_date_objects():
    import datetime as dt

    assert parse_as_of("2025-04") == "2025-04"
    assert parse_as_of(dt.date(2025, 4, 22)) == "2025-04-22"
    assert parse_as_of(None) is None


def test_denied_facts_make_no_edge(actors):
    # Bessent: the US-China talks "have yet to formally begin" (a002-us-china-talks-not-begun, denied)
    assert not edges_about(actors, US, CHINA, subject="us-china-trade-talks")
    assert not edges_about(actors, CHINA, US, subject="us-china-trade-talks")


# ------------------------------------------------------------------ the actor graph


def test_actor_nodes_carry_label_type_iri_and_state(actors):
    japan = actors.nodes[JAPAN]
    assert (japan["label"], japan["type"], japan["iri"], japan["state"]) == ("Japan", "State", JAPAN, JAPAN)
    hegseth = actors.nodes[ID + "pete-hegseth"]
    assert hegseth["type"] == "Person" and hegseth["state"] == US  # via the Department of Defense
    # news outlets report, they do not act
    assert ID + "kyodo-news" not in actors


def test_the_letter_is_a_neutral_sender_recipient_edge_from_one_origin(actors):
    (letter,) = edges_about(
        actors, ID + "li-qiang", ID + "shigeru-ishiba", subject="li-qiang-letter-to-ishiba"
    )
    assert letter["relation"] == "sender->recipient"
    assert letter["sign"] == 0  # tdo:Letter is tdo:Neutral
    assert fact_ids(letter["facts"]) == ["a000-letter", "a001-letter", "a002-letter"]
    assert letter["weight"] == 1  # all three relay Kyodo
    assert letter["date"] == "2025-04-22"
    quote = next(q for q in letter["quotes"] if q["fact"] == FACT + "a000-letter")
    assert quote["article_id"] == "000_47059b8c57473c03"
    assert quote["quote"].startswith("a letter from Chinese Prime Minister Li Qiang")
    assert set(quote) >= {"fact", "article", "quote", "start", "end"}


def test_request_is_cooperative_and_tariffs_are_conflict(actors):
    (request,) = edges_about(actors, CHINA, JAPAN, subject="china-coordination-request")
    assert (request["relation"], request["sign"], request["weight"]) == ("speaker->recipient", 1, 1)
    assert len(request["facts"]) == 4
    (tariff,) = edges_about(actors, US, CHINA, subject="us-tariffs-on-china")
    assert (tariff["relation"], tariff["sign"]) == ("imposedBy->target", -1)
    assert tariff["weight"] == 3  # Anadolu (000), article 002, article 003
    (retaliation,) = edges_about(actors, CHINA, US, relation="retaliatesAgainst")
    assert retaliation["sign"] == -1
    assert fact_ids(retaliation["facts"]) == ["a000-china-retaliation", "a002-china-counter-tariffs"]


def test_stance_overrides_the_class_sign(actors):
    # Statements are neutral, but Hegseth's remarks target China with stance conflict ...
    (remarks,) = edges_about(actors, ID + "pete-hegseth", CHINA, relation="speaker->target")
    assert remarks["sign"] == -1
    assert fact_ids(remarks["facts"]) == [
        "a004-hegseth-defense-department-job",
        "a004-hegseth-remarks-deterring-china",
    ]
    # ... and Trump's "very nice" remarks with stance cooperation
    (nice,) = edges_about(actors, ID + "donald-trump", CHINA, subject="trump-very-nice-remarks")
    assert nice["sign"] == 1
    # the same remarks towards the recipient Nakatani stay neutral: the stance is towards China
    (to_nakatani,) = edges_about(
        actors, ID + "pete-hegseth", ID + "gen-nakatani", relation="speaker->recipient"
    )
    assert to_nakatani["sign"] == 0


def test_co_participants_get_class_named_edges_both_ways(actors):
    for a, b in ((CHINA, JAPAN), (JAPAN, CHINA)):
        (meeting,) = edges_about(
            actors, a, b, subject="trilateral-trade-ministers-meeting", relation="Meeting"
        )
        assert meeting["sign"] == 1
        assert fact_ids(meeting["facts"]) == [
            "a004-first-dialogue-in-five-years",
            "a004-ministers-agreed-to-cooperate",
            "a004-weekend-conference",
        ]


def test_alliance_aimed_at_china_and_pause_excluding_china_are_conflict(actors):
    (aimed,) = edges_about(actors, JAPAN, CHINA, subject="us-japan-alliance")
    assert (aimed["relation"], aimed["sign"]) == ("party->target", -1)
    # only the facts that state the target, not every fact calling Japan an ally
    assert fact_ids(aimed["facts"]) == [
        "a004-alliance-deterrence",
        "a004-indispensable-partner",
        "a004-partnership-against-china",
        "a004-us-efforts-relationship-with-tokyo",
    ]
    assert aimed["weight"] == 2  # article 004 itself and Hegseth (attributed quotes)
    (excluded,) = edges_about(actors, US, CHINA, subject="us-reciprocal-tariff-pause")
    assert (excluded["relation"], excluded["sign"]) == ("imposedBy->excludes", -1)


def test_visits_point_at_the_host_state(actors):
    (visit,) = edges_about(actors, ID + "pete-hegseth", JAPAN, subject="hegseth-tokyo-visit")
    assert (visit["relation"], visit["sign"]) == ("visitor->host", 1)  # Tokyo lies in Japan


def test_memberships_post_holders_cite_facts_registry_links_weigh_one(actors):
    (premier,) = edges_about(actors, ID + "li-qiang", CHINA, relation="heldBy->postIn")
    assert fact_ids(premier["facts"]) == ["a000-premier-li", "a001-premier-li", "a002-premier-li-qiang"]
    assert premier["subject"] == ID + "premier-of-china"
    (agency,) = edges_about(actors, ID + "us-department-of-defense", US, relation="agencyOf")
    assert (agency["facts"], agency["weight"], agency["sign"]) == ([], 1, 0)


def test_state_folding_follows_posts_then_agencies_then_nationality():
    actors = {
        k: {"type": t}
        for k, t in [("s", "State"), ("t", "State"), ("a", "Ministry"), ("p", "Person"), ("q", "Person")]
    }
    rows = [
        {"member": "a", "organization": "s", "relation": "agencyOf"},
        {"member": "p", "organization": "a", "relation": "heldBy->postIn"},
        {"member": "p", "organization": "t", "relation": "nationality"},
        {"member": "q", "organization": "t", "relation": "nationality"},
    ]
    assert fold_to_states(actors, rows) == {"s": "s", "t": "t", "a": "s", "p": "s", "q": "t"}


def test_actor_graph_is_the_same_on_every_build(store, actors):
    again = actor_graph(store)
    assert list(again.nodes) == list(actors.nodes)
    assert list(again.edges(keys=True, data=True)) == list(actors.edges(keys=True, data=True))


# ------------------------------------------------------------------ as-of snapshots


def test_as_of_snapshot_lacks_the_letter_before_it_was_sent(store):
    before = actor_graph(store, as_of="2025-03-31")
    after = actor_graph(store, as_of="2025-04-22")
    letter = ID + "li-qiang-letter-to-ishiba"
    assert not any(d["subject"] == letter for _, _, d in before.edges(data=True))
    # Li Qiang is still there, but only through the registry (his nationality)
    assert all(not d["facts"] for _, _, d in before.edges(ID + "li-qiang", data=True))
    assert any(d["subject"] == letter for _, _, d in after.edges(data=True))
    assert all(r["subject"] != letter for r in view_rows(store, "roles", as_of="2025-03-31"))
    assert any(r["subject"] == letter for r in view_rows(store, "roles", as_of="2025-04-22"))


def test_as_of_keeps_what_was_in_force_earlier_even_if_reported_later(store):
    # the seafood ban is reported on 2025-04-22 but in force since August 2023
    early = actor_graph(store, as_of="2025-03-31")
    (ban,) = edges_about(early, CHINA, JAPAN, subject="china-seafood-import-ban")
    assert ban["date"] == "2023-08"
    # the 24% tariff on Japan is first stated in the article of 2025-04-15
    assert not edges_about(
        actor_graph(store, as_of="2025-04-14"), US, JAPAN, subject="us-reciprocal-tariff-on-japan"
    )
    (tariff,) = edges_about(
        actor_graph(store, as_of="2025-04-15"), US, JAPAN, subject="us-reciprocal-tariff-on-japan"
    )
    assert fact_ids(tariff["facts"]) == ["a003-japan-24-tariff", "a003-tariffs-imposed-on-japan"]


# ------------------------------------------------------------------ the signed state graph


def test_state_graph_signs_us_japan_plus_japan_china_plus_us_china_minus(states):
    assert states[US][JAPAN]["sign"] == 1
    assert states[JAPAN][CHINA]["sign"] == 1
    assert states[US][CHINA]["sign"] == -1


def test_japan_china_score_by_hand(states):
    """+9 cooperation against -6 conflict, counted in independent origins per episode.

    + the request and the letter carrying it (Kyodo, 1); the trilateral meeting and its joint
      statement (004, 1); the joint response (004, Yuyuan Tantian, Reuters, 002: 4); the economic
      ties agreement (1); the FTA talks (1); RCEP (1).
    - the tensions with their territorial and trade reasons (001, 002: 2); the seafood ban (1);
      China opposing the wastewater release (1); the US-Japan alliance aimed at China (004,
      Hegseth: 2).
    """
    edge = states[JAPAN][CHINA]
    assert edge["score"] == 3
    signed = {tuple(ep["subjects"]): (ep["sign"], ep["weight"]) for ep in edge["episodes"] if ep["sign"]}
    assert signed[(ID + "china-coordination-request", ID + "li-qiang-letter-to-ishiba")] == (1, 1)
    assert signed[(ID + "cjk-joint-response",)] == (1, 4)
    tensions = tuple(
        ID + k
        for k in ("china-japan-tensions", "china-japan-territorial-dispute", "china-japan-trade-tensions")
    )
    assert signed[tensions] == (-1, 2)
    assert signed[(ID + "china-seafood-import-ban",)] == (-1, 1)
    assert signed[(ID + "us-japan-alliance",)] == (-1, 2)
    assert sum(s * w for s, w in signed.values() if s > 0) == 9
    assert sum(s * w for s, w in signed.values() if s < 0) == -6
    assert (edge["cooperation"], edge["conflict"]) == (6, 4)


def test_state_edges_list_their_facts_and_relations(states):
    edge = states[US][CHINA]
    facts = fact_ids(edge["facts"])
    for expected in ("a000-us-tariffs-on-china", "a000-china-retaliation", "a003-china-145-tariff"):
        assert expected in facts
    assert {"imposedBy->target", "retaliatesAgainst", "Dispute"} <= set(edge["relations"])
    assert len(edge["quotes"]) == len(edge["facts"])


# ------------------------------------------------------------------ the measures graph


def test_measures_graph_rates_status_and_retaliation(store):
    graph = measures_graph(store)
    (us_china,) = [
        d for d in graph.get_edge_data(US, CHINA).values() if d["measure"] == ID + "us-tariffs-on-china"
    ]
    assert (us_china["rate"], us_china["rate_kind"], us_china["status"]) == (145, "baseline", "in force")
    assert {(r["date"], r["rate"], r["rate_kind"]) for r in us_china["rates"]} == {
        ("2025-04-15", 145, "baseline"),
        ("2025-04-22", 145, "baseline"),
        ("2025-04-22", 245, "maximum"),
    }
    (china_us,) = graph.get_edge_data(CHINA, US).values()
    assert china_us["rate"] == 125 and china_us["retaliates_against"] == [ID + "us-tariffs-on-china"]
    (pause,) = [d for d in graph.get_edge_data(US, CHINA).values() if d["relation"] == "excludes"]
    assert pause["sign"] == -1 and pause["type"] == "TariffPause"
    (rice,) = graph.get_edge_data(JAPAN, US).values()
    assert (rice["relation"], rice["sign"], rice["products"]) == ("beneficiary", 1, ["rice"])
    (baseline,) = graph.graph["untargeted"]
    assert (baseline["rate"], baseline["scope"]) == (10, "all countries")


def test_measures_as_of_before_the_april_articles(store):
    graph = measures_graph(store, as_of="2025-03-31")
    labels = {d["label"] for _, _, d in graph.edges(data=True)}
    assert "US tariffs on Chinese goods" not in labels
    assert "China's import ban on Japanese seafood" in labels  # in force since August 2023
    # the car tariff was announced on 2025-03-26 and takes effect on 2025-04-02
    cars = [d for _, _, d in graph.edges(data=True) if d["measure"] == ID + "us-auto-tariff"]
    assert {d["status"] for d in cars} == {"announced"}
    later = measures_graph(store, as_of="2025-04-22")
    cars = [d for _, _, d in later.edges(data=True) if d["measure"] == ID + "us-auto-tariff"]
    assert {d["status"] for d in cars} == {"in force"}


# ------------------------------------------------------------------ linear building


TDO = "https://w3id.org/trade-dispute/ontology#"


def _synthetic_snapshot(n: int) -> Snapshot:
    """n tariffs, each imposed by one of 300 states on another, stated by two facts each."""
    types = {f"s{i}": TDO + "State" for i in range(300)}
    types.update({f"m{i}": TDO + "Tariff" for i in range(n)})
    evidence, roles = {}, []
    for i in range(n):
        for k in (0, 1):
            fact = f"f{i}-{k}"
            evidence[fact] = {
                "fact": fact,
                "article": "a",
                "article_id": "a",
                "quote": "q",
                "start": 0,
                "end": 1,
                "origin": f"o{k}",
                "modality": "Asserted",
                "denied": False,
                "date": "2025-04-22",
                "article_dated": True,
                "title": None,
                "issued": None,
            }
            roles.append({"fact": fact, "subject": f"m{i}", "role": "imposedBy", "actor": f"s{i % 300}"})
            roles.append(
                {"fact": fact, "subject": f"m{i}", "role": "target", "actor": f"s{(i * 7 + 1) % 300}"}
            )
    snap = Snapshot(
        None, None, evidence, types, {}, {TDO + "Tariff": [TDO + "TradeMeasure"]}, {TDO + "Tariff": -1}, {}
    )
    snap._starts = {}
    snap._cache.update(
        {
            "roles": roles,
            "role-pairs": [
                {"role1": "imposedBy", "role2": "target", "relation": "imposedBy->target", "sign": None}
            ],
            "stances": [],
            "links": [],
            "memberships": [],
        }
    )
    return snap


def _work(fn, *args) -> int:
    """Python lines executed by fn(*args), callees included: a deterministic measure of work.

    Wall-clock time on a shared CI machine is noise; counting executed lines is not, and it
    grows with the number of loop iterations, which is what a quadratic algorithm multiplies.
    """
    lines = 0

    def tracer(frame, event, arg):
        nonlocal lines
        if event == "line":
            lines += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn(*args)
    finally:
        sys.settrace(None)
    return lines


def test_building_edges_is_linear_in_the_rows():
    small, large = _synthetic_snapshot(2_000), _synthetic_snapshot(8_000)
    edges = actor_edges(small)
    assert len(edges) == 2_000 - sum(1 for i in range(2_000) if i % 300 == (i * 7 + 1) % 300)
    assert all(d["weight"] == 2 and d["sign"] == -1 for _, _, _, d in edges)
    ratio = _work(actor_edges, large) / _work(actor_edges, small)
    assert 3 < ratio < 5  # 4x the rows; quadratic work would be about 16x


def _measure_rows(n: int) -> list[dict]:
    return [
        {
            "measure": f"m{i % 500}",
            "property": "rate",
            "value": str(i % 300),
            "fact": f"f{i}",
            "date": "2025-04-22",
        }
        for i in range(n)
    ]


def test_assembling_measure_records_is_linear_in_the_rows():
    records = measure_records(_measure_rows(20_000))
    assert len(records) == 500 and all(len(m["rates"]) == 40 for m in records.values())
    ratio = _work(measure_records, _measure_rows(20_000)) / _work(measure_records, _measure_rows(5_000))
    assert 3 < ratio < 5  # 4x the rows
