"""Competency questions are tests: each named query answers its question on the seed graph.

Every test checks expected rows (positive cases) and rows that must not be there (negative
cases). Expected answers were worked out by hand from the five articles.
"""

from __future__ import annotations

import pytest

from kg.query import describe_query, execute, named_queries

ID = "https://w3id.org/trade-dispute/id/"


def rows(store, name: str) -> list[dict[str, str | None]]:
    text = named_queries()[name].read_text(encoding="utf-8")
    return execute(store, text).values()


def key(iri: str | None) -> str | None:
    return iri[len(ID) :] if iri and iri.startswith(ID) else iri


def pairs(result, a: str, b: str) -> set[tuple]:
    return {(key(r[a]), key(r[b])) for r in result}


def test_there_are_at_least_twenty_competency_questions():
    cqs = [n for n in named_queries() if n.startswith("cq-")]
    assert len(cqs) >= 20
    for name in cqs:
        question = describe_query(named_queries()[name])
        assert question.endswith("?"), f"{name} must open with its question in words"


def test_letters_who_wrote_to_whom_delivered_by_whom(store):
    result = rows(store, "cq-letters")
    senders = {key(r["sender"]) for r in result if r["sender"]}
    recipients = {key(r["recipient"]) for r in result if r["recipient"]}
    couriers = {key(r["deliveredBy"]) for r in result if r["deliveredBy"]}
    assert senders == {"li-qiang"}
    assert recipients == {"shigeru-ishiba"}
    assert couriers == {"wu-jianghao", "chinese-embassy-in-japan"}
    assert "shigeru-ishiba" not in senders  # negative: Ishiba wrote no letter
    articles = {r["article"] for r in result}
    assert articles == {"000_47059b8c57473c03", "001_c06ecbde632990cb", "002_412b91df41f90cca"}


def test_letter_quotes_and_offsets_point_into_the_article(store, corpus):
    for r in rows(store, "cq-letters"):
        text = corpus.sources[r["article"]].text
        start, end = int(r["start"]), int(r["end"])
        assert text[start:end] == r["quote"]
    wu = [r for r in rows(store, "cq-letters") if key(r["deliveredBy"]) == "wu-jianghao"]
    assert "delivered by Chinese Ambassador to Tokyo Wu Jianghao" in wu[0]["quote"]


def test_post_holders(store):
    result = rows(store, "cq-post-holders")
    holders = pairs(result, "post", "holder")
    assert ("premier-of-china", "li-qiang") in holders
    assert ("prime-minister-of-japan", "shigeru-ishiba") in holders
    assert ("us-secretary-of-defense", "pete-hegseth") in holders
    assert ("defense-minister-of-japan", "gen-nakatani") in holders
    assert ("premier-of-china", "xi-jinping") not in holders
    premier = next(r for r in result if key(r["post"]) == "premier-of-china")
    assert int(premier["articles"]) == 3


def test_tariffs_by_target(store):
    result = rows(store, "cq-tariffs-by-target")
    facing = {(key(r["target"]), key(r["measure"]), r["rate"]) for r in result}
    assert ("japan", "us-reciprocal-tariff-on-japan", "24") in facing
    assert ("china", "us-tariffs-on-china", "245") in facing
    assert ("china", "us-tariffs-on-china", "145") in facing
    assert ("united-states", "china-tariffs-on-us-goods", "125") in facing
    assert not any(t == "japan" and m == "us-tariffs-on-china" for t, m, _ in facing)


def test_us_tariffs_on_japan_with_status_and_articles(store):
    result = {key(r["measure"]): r for r in rows(store, "cq-us-tariffs-on-japan")}
    assert result["us-reciprocal-tariff-on-japan"]["rate"] == "24"
    assert "paused" in result["us-reciprocal-tariff-on-japan"]["statuses"]
    assert result["us-baseline-tariff"]["rate"] == "10"
    assert result["us-auto-tariff"]["rate"] == "25"
    sources = result["us-reciprocal-tariff-on-japan"]["articles"].split()
    assert len(sources) == 4 and "004_0ace5de719f6b055" not in sources
    assert "us-tariffs-on-china" not in result


def test_measure_status(store):
    result = {(key(r["measure"]), r["status"]) for r in rows(store, "cq-measure-status")}
    assert ("us-reciprocal-tariff-on-japan", "paused") in result
    assert ("china-tariffs-on-us-goods", "in force") in result
    assert ("us-auto-tariff", "announced") in result
    assert ("us-reciprocal-tariff-on-japan", "revoked") not in result


def test_retaliation(store):
    result = rows(store, "cq-retaliation")
    assert pairs(result, "measure", "against") == {("china-tariffs-on-us-goods", "us-tariffs-on-china")}
    (row,) = result
    assert key(row["imposedBy"]) == "china" and key(row["againstImposedBy"]) == "united-states"
    assert row["rate"] == "125"


def test_bans_and_their_causes(store):
    (ban,) = rows(store, "cq-bans-and-causes")
    assert key(ban["ban"]) == "china-seafood-import-ban"
    assert key(ban["imposedBy"]) == "china" and key(ban["target"]) == "japan"
    assert key(ban["product"]) == "seafood" and ban["hsCode"] == "03"
    assert ban["since"] == "2023-08"
    assert key(ban["reason"]) == "fukushima-wastewater-release"


def test_agreement_parties_and_status(store):
    result = {key(r["agreement"]): r for r in rows(store, "cq-agreement-parties")}
    assert set(result["cjk-free-trade-agreement"]["parties"].split()) == {
        "china",
        "japan",
        "south-korea",
    }
    assert result["cjk-free-trade-agreement"]["status"] == "under negotiation"
    assert set(result["us-japan-alliance"]["parties"].split()) == {"japan", "united-states"}
    assert set(result["rcep"]["parties"].split()) >= {"china", "japan", "south-korea"}
    assert "united-states" not in result["rcep"]["parties"].split()


def test_meetings_participants_places_dates(store):
    result = {key(r["event"]): r for r in rows(store, "cq-meetings")}
    trilateral = result["trilateral-trade-ministers-meeting"]
    assert set(trilateral["participants"].split()) == {"china", "japan", "south-korea"}
    assert trilateral["date"] == "2025-03-30"
    hegseth = result["hegseth-nakatani-meeting"]
    assert set(hegseth["participants"].split()) == {"pete-hegseth", "gen-nakatani"}
    assert key(hegseth["place"]) == "tokyo"
    assert result["us-japan-tariff-talks"]["date"] == "2025-04-16"
    assert "united-states" not in trilateral["participants"].split()


def test_who_said_what_according_to_whom(store):
    result = rows(store, "cq-who-said-what")
    slog = [r for r in result if key(r["statement"]) == "bessent-slog-remarks"]
    assert slog and all(key(r["speaker"]) == "scott-bessent" for r in slog)
    assert {key(r["accordingTo"]) for r in slog} == {"associated-press"}
    hegseth = [r for r in result if key(r["statement"]) == "hegseth-remarks-to-nakatani"]
    assert {key(r["recipient"]) for r in hegseth} == {"gen-nakatani"}
    assert any("indispensable partner" in r["content"] for r in hegseth)
    assert not any(key(r["speaker"]) == "donald-trump" and "slog" in r["content"] for r in result)


def test_attribution_chains(store):
    result = rows(store, "cq-attribution-chains")
    anadolu = [r for r in result if r["article"] == "000_47059b8c57473c03"]
    assert anadolu, "Anadolu relays Kyodo, citing government sources"
    assert {key(r["outlet"]) for r in anadolu} == {"anadolu-agency"}
    assert {(key(r["first"]), r["second"]) for r in anadolu} >= {("kyodo-news", "government sources")}
    assert not any(r["article"] == "003_6d42f7f9f635dfa1" and key(r["first"]) == "kyodo-news" for r in result)


def test_corroboration_counts_independent_origins(store):
    result = {
        (key(r["subject"]), key(r["property"].split("#")[-1]), key(r["value"])): r
        for r in rows(store, "cq-corroboration")
    }
    sender = result[("li-qiang-letter-to-ishiba", "sender", "li-qiang")]
    assert (int(sender["articles"]), int(sender["origins"])) == (3, 1)
    rate = result[("us-reciprocal-tariff-on-japan", "rate", "24")]
    assert (int(rate["articles"]), int(rate["origins"])) == (4, 4)
    # one article (004) gives China's part in the joint response from Reuters and from Yuyuan
    # Tantian, and asserts it itself: three origins, with 002's own
    joint = result[("cjk-joint-response", "party", "china")]
    assert (int(joint["articles"]), int(joint["origins"])) == (2, 4)


def test_corroboration_counts_the_origins_kg_diff_counts(store, built):
    """cq-corroboration's origins are kg.diff's, computed in Python from kg.nq, for every claim."""
    from kg.diff import load_snapshot, origins

    expected = {triple: len(found) for triple, found in origins(load_snapshot(built).quads).items()}
    result = execute(store, named_queries()["cq-corroboration"].read_text(encoding="utf-8"))
    counted: dict[tuple, list[int]] = {}
    for row in result.rows:
        s, p, v = (row[k] for k in ("subject", "property", "value"))
        value = f"<{v['value']}>" if v["type"] == "uri" else "literal"
        counted.setdefault((f"<{s['value']}>", f"<{p['value']}>", value), []).append(
            int(row["origins"]["value"])
        )
    # a literal value is written in its own way by each (datatypes, escapes): claims with an IRI
    # value are compared one by one, those with a literal value as the counts under their
    # subject and property
    wanted: dict[tuple, list[int]] = {}
    for (s, p, v), n in expected.items():
        wanted.setdefault((s, p, v if v.startswith("<") else "literal"), []).append(n)
    assert {k: sorted(n) for k, n in counted.items()} == {k: sorted(n) for k, n in wanted.items()}
    assert any(k[2] == "literal" for k in wanted) and any(k[2] != "literal" for k in wanted)


def test_contradictions_name_the_us_tariff_on_china(store):
    result = rows(store, "cq-contradictions")
    contested = [(key(r["subject"]), r["property"].split("#")[-1], r["value"]) for r in result]
    assert contested == [("us-tariffs-on-china", "rate", "145"), ("us-tariffs-on-china", "rate", "245")]
    by_value = {r["value"]: r for r in result}
    assert set(by_value["245"]["sources"].split()) == {"000_47059b8c57473c03", "002_412b91df41f90cca"}
    assert set(by_value["145"]["sources"].split()) == {"002_412b91df41f90cca", "003_6d42f7f9f635dfa1"}
    assert (by_value["245"]["rateKinds"], by_value["145"]["rateKinds"]) == ("maximum", "baseline")
    for r in result:
        assert (int(r["facts"]), int(r["articles"]), r["modalities"]) == (2, 2, "asserted")
    assert by_value["245"]["exampleQuote"] == "Beijing faces tariffs of up to 245% on exports to the US"
    assert by_value["145"]["exampleQuote"] == "imports from China are subject to a staggering 145% tariff"
    # negative: the 24% tariff on Japan is corroborated, not contested
    assert "us-reciprocal-tariff-on-japan" not in {s for s, _, _ in contested}


def test_claims_evidence_gives_each_fact_of_a_single_valued_property(store):
    rates = {
        (key(r["subject"]), r["value"], r["rateKind"], r["article"])
        for r in rows(store, "claims-evidence")
        if r["property"].endswith("#rate")
    }
    assert {r for r in rates if r[0] == "us-tariffs-on-china"} == {
        ("us-tariffs-on-china", "245", "maximum", "000_47059b8c57473c03"),
        ("us-tariffs-on-china", "245", "maximum", "002_412b91df41f90cca"),
        ("us-tariffs-on-china", "145", "baseline", "002_412b91df41f90cca"),
        ("us-tariffs-on-china", "145", "baseline", "003_6d42f7f9f635dfa1"),
    }
    # listed though not contested; its facts give no rate kind, so none (not every label in the graph)
    assert {r[1:] for r in rates if r[0] == "us-reciprocal-tariff-on-japan"} == {
        ("24", None, article)
        for article in (
            "000_47059b8c57473c03",
            "001_c06ecbde632990cb",
            "002_412b91df41f90cca",
            "003_6d42f7f9f635dfa1",
        )
    }


def test_rate_kinds_of_contested_values_come_from_the_facts_that_give_one(built):
    """A fact without a rate kind has none (not every label in the graph), and does not blank
    the rate kinds of the facts beside it."""
    import pyoxigraph as ox

    from kg.claims import contradictions

    quads = (built / "kg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    p60d = [q.replace('"P90D"', '"P60D"') for q in quads if "a002-tariff-pause" in q]
    planted = [
        q.replace("a002-tariff-pause", fact) for fact in ("planted-pause", "planted-pause-2") for q in p60d
    ]
    # China's 125%: a000 gives it as a maximum, a002 with no rate kind; a copy of a002 gives 84%
    planted += [
        q.replace("a002-china", "planted-china").replace('"125"', '"84"')
        for q in quads
        if "a002-china-counter" in q
    ]
    store = ox.Store()
    store.load("".join(quads + planted), format=ox.RdfFormat.N_QUADS)
    contested = {}
    for r in rows(store, "cq-contradictions"):
        contested.setdefault(key(r["subject"]), []).append(
            (r["value"], r["rateKinds"] or None, r["facts"], r["articles"])
        )
    assert contested["us-reciprocal-tariff-pause"] == [("P60D", None, "2", "1"), ("P90D", None, "4", "4")]
    assert contested["china-tariffs-on-us-goods"] == [("84", None, "1", "1"), ("125", "maximum", "2", "2")]
    evidence = {
        (key(r["subject"]), r["value"], r["rateKind"])
        for r in rows(store, "claims-evidence")
        if r["property"].endswith(("#rate", "#duration"))
    }
    assert ("us-reciprocal-tariff-pause", "P60D", None) in evidence
    assert {e for e in evidence if e[0] == "china-tariffs-on-us-goods"} == {
        ("china-tariffs-on-us-goods", "84", None),
        ("china-tariffs-on-us-goods", "125", None),
        ("china-tariffs-on-us-goods", "125", "maximum"),
    }
    report = {c.subject: c for c in contradictions(store)}
    assert [
        (v.value, v.rate_kinds, len(v.evidence)) for v in report["id:us-reciprocal-tariff-pause"].values
    ] == [
        ("P60D", [], 2),
        ("P90D", [], 4),
    ]
    assert [(v.value, v.rate_kinds) for v in report["id:china-tariffs-on-us-goods"].values] == [
        ("125", ["maximum"]),
        ("84", []),
    ]
    assert contested_pairs(store) == contested_pairs(store, "cq-contradictions")
    assert (
        "us-reciprocal-tariff-pause",
        "https://w3id.org/trade-dispute/ontology#duration",
    ) in contested_pairs(store)


def contested_pairs(store, query: str = "claims-contested") -> set[tuple]:
    return {(key(r["subject"]), key(r["property"])) for r in rows(store, query)}


def test_claims_contested_gives_the_pairs_of_cq_contradictions(store):
    """kg claims finds the contested pairs with claims-contested, the first step of
    cq-contradictions on its own: the two give the same pairs."""
    pairs = contested_pairs(store)
    assert pairs == contested_pairs(store, "cq-contradictions")
    assert ("us-tariffs-on-china", "https://w3id.org/trade-dispute/ontology#rate") in pairs
    # negative: the 24% tariff on Japan is corroborated, not contested
    assert not {p for p in pairs if p[0] == "us-reciprocal-tariff-on-japan"}


def test_event_dates_resolved_from_relative_dates(store):
    result = rows(store, "cq-event-dates")
    dates = {(key(r["event"]), r["date"]) for r in result}
    assert ("hegseth-tokyo-visit", "2025-03-30") in dates
    assert ("china-commerce-ministry-warning", "2025-04-21") in dates
    assert ("trump-auto-tariff-announcement", "2025-03-26") in dates
    assert ("fukushima-wastewater-release", "2023-08") in dates
    visit = next(r for r in result if key(r["event"]) == "hegseth-tokyo-visit")
    assert "on Sunday" in visit["inferredFrom"]
    # negative: an undated statement of a 2025-04-15 article is not given that date as an event date
    assert ("us-japan-tariff-talks", "2025-04-15") not in dates


def test_inferred_dates_say_from_what(store):
    result = rows(store, "cq-inferred-dates")
    assert all(r["inferredFrom"] for r in result)
    assert any(key(r["subject"]) == "kyodo-letter-report" and r["date"] == "2025-04-22" for r in result)
    assert not any(
        key(r["subject"]) == "china-seafood-import-ban" and r["date"] == "2023-08-24" for r in result
    )


def test_modality_of_unasserted_claims(store):
    result = {(r["modality"], key(r["subject"])) for r in rows(store, "cq-modality")}
    assert ("considered", "japan-rice-import-expansion") in result
    assert ("claimed", "cjk-joint-response") in result
    assert ("expected", "japan-response-to-letter") in result
    assert ("reported", "li-qiang-letter-to-ishiba") in result
    assert not any(m == "asserted" for m, _ in result)


def test_pause_suspends_and_excludes(store):
    result = rows(store, "cq-pause")
    assert {key(r["excludes"]) for r in result} == {"china"}
    assert {r["duration"] for r in result} == {"P90D"}
    assert "us-reciprocal-tariffs" in {key(r["suspends"]) for r in result}


def test_products_with_hs_codes(store):
    result = {(key(r["product"]), r["hsCode"], key(r["affectedBy"])) for r in rows(store, "cq-products")}
    assert ("cars", "8703", "us-auto-tariff") in result
    assert ("rice", "1006", "japan-rice-import-expansion") in result
    assert ("seafood", "03", "china-seafood-import-ban") in result
    assert ("rice", "1006", "us-auto-tariff") not in result


def test_alliances(store):
    result = {key(r["alliance"]): r for r in rows(store, "cq-alliances")}
    assert set(result["us-japan-alliance"]["parties"].split()) == {"united-states", "japan"}
    assert result["us-japan-alliance"]["aimedAt"] == "china"


def test_cited_outlets(store):
    result = {key(r["outlet"]): r for r in rows(store, "cq-cited-outlets")}
    assert set(result["kyodo-news"]["articles"].split()) == {
        "000_47059b8c57473c03",
        "001_c06ecbde632990cb",
        "002_412b91df41f90cca",
    }
    assert set(result["reuters"]["articles"].split()) == {"004_0ace5de719f6b055"}
    assert "anadolu-agency" not in result  # Anadolu publishes; no article cites it


def test_articles_outlets_never_invented(store):
    result = {r["article"]: r for r in rows(store, "cq-articles")}
    assert key(result["000_47059b8c57473c03"]["outlet"]) == "anadolu-agency"
    assert result["000_47059b8c57473c03"]["dateBasis"].startswith("stated")
    for article in (
        "001_c06ecbde632990cb",
        "002_412b91df41f90cca",
        "003_6d42f7f9f635dfa1",
        "004_0ace5de719f6b055",
    ):
        assert result[article]["outlet"] is None
        assert result[article]["outletStatus"] == "unknown"
        assert result[article]["dateBasis"].startswith("inferred")


def test_economic_figures(store):
    result = {key(r["figure"]): r for r in rows(store, "cq-economic-figures")}
    share = result["japan-auto-export-share"]
    assert (share["value"], share["unit"]) == ("20", "percent")
    loss = result["japan-auto-export-loss"]
    assert (loss["value"], loss["unit"]) == ("17000000000", "USD")


def test_visits(store):
    result = {key(r["visit"]): r for r in rows(store, "cq-visits")}
    assert key(result["hegseth-tokyo-visit"]["visitor"]) == "pete-hegseth"
    assert result["hegseth-tokyo-visit"]["date"] == "2025-03-30"
    assert key(result["akazawa-washington-visit"]["place"]) == "washington-dc"


def test_warnings_and_requests(store):
    result = rows(store, "cq-warnings-and-requests")
    warning = [r for r in result if key(r["event"]) == "china-commerce-ministry-warning"]
    assert {r["date"] for r in warning} == {"2025-04-21"}
    requests = pairs([r for r in result if r["type"].endswith("Request")], "speaker", "recipient")
    assert requests == {("china", "japan"), ("japan", "united-states")}


def test_people_by_state(store):
    result = pairs(rows(store, "cq-people-by-state"), "person", "state")
    assert ("pete-hegseth", "united-states") in result  # via the Department of Defense
    assert ("wu-jianghao", "china") in result  # via the embassy
    assert ("gen-nakatani", "japan") in result
    assert ("wu-jianghao", "japan") not in result


@pytest.mark.parametrize("name", sorted(n for n in named_queries() if n.startswith("cq-")))
def test_every_competency_query_has_a_test(name):
    from pathlib import Path

    source = Path(__file__).read_text(encoding="utf-8")
    assert f'"{name}"' in source, f"{name} has no test in tests/test_cq.py"


def test_sort_keys_keep_the_order_of_the_terms(store):
    """A query that sorts by keys made from its terms (docs/performance.md, "Sort keys") gives
    its rows in the order of the same query sorted by the terms themselves: each key is
    CONCAT("+", STR(?term)), and the sort columns come in the same sequence both ways."""
    import re

    checked = 0
    for name, path in sorted(named_queries().items()):
        text = path.read_text(encoding="utf-8")
        keys = {k: v for v, k in re.findall(r'BIND\(CONCAT\("\+", STR\(\?(\w+)\)\) AS \?(\w+)\)', text)}
        if not keys:
            continue
        at = text.rindex("\nORDER BY")
        plain_order = re.sub(
            r"\?(\w+)", lambda m, keys=keys: "?" + keys.get(m.group(1), m.group(1)), text[at:]
        )
        assert plain_order != text[at:], f"{name}: a sort key is made but not sorted by"
        columns = re.findall(r"\?(\w+)", plain_order)
        keyed = [tuple(r[c] for c in columns) for r in execute(store, text).values()]
        plain = [tuple(r[c] for c in columns) for r in execute(store, text[:at] + plain_order).values()]
        assert keyed == plain, f"{name}: the keys sort its rows out of the order of {columns}"
        checked += len(keyed) > 1
    assert checked >= 8
