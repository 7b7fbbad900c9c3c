"""Competency questions are tests: each named query answers its question on the seed graph.

Every test checks expected rows (positive cases) and rows that must not be there (negative
cases). Expected answers were worked out by hand from the five articles. Every query gives its
evidence (article, quote, modality) on each row, no duplicate rows, and the same answer in
rdflib's SPARQL engine as in Oxigraph.
"""

from __future__ import annotations

import pytest

from kg.sparql.query import describe_query, execute, named_queries

ID = "https://w3id.org/trade-dispute/id/"
PREFIX_TDO = "https://w3id.org/trade-dispute/ontology#"


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


CQS = sorted(n for n in named_queries() if n.startswith("cq-"))


def by(result, column: str) -> dict:
    out: dict = {}
    for r in result:
        out.setdefault(key(r[column]), []).append(r)
    return out


def test_the_default_graph_holds_each_claim_once(store):
    """The union of the fact graphs repeats a triple once per fact (117 rows for these 6 pairs);
    the default graph, the knowledge layer, holds each once."""
    text = "SELECT ?m ?r { ?m a tdo:Tariff ; tdo:rate ?r }"
    result = execute(store, text).values()
    assert len(result) == 6
    assert {(key(r["m"]), r["r"]) for r in result} == {
        ("us-tariffs-on-china", "145"),
        ("us-tariffs-on-china", "245"),
        ("china-tariffs-on-us-goods", "125"),
        ("us-auto-tariff", "25"),
        ("us-reciprocal-tariff-on-japan", "24"),
        ("us-baseline-tariff", "10"),
    }
    bag = execute(store, "SELECT ?m ?r { GRAPH ?g { ?m a tdo:Tariff ; tdo:rate ?r } }").values()
    assert len(bag) > len(result)


@pytest.mark.parametrize("name", CQS)
def test_every_answer_is_distinct_labelled_and_carries_its_evidence(store, name):
    result = execute(store, named_queries()[name].read_text(encoding="utf-8"))
    rows = [tuple(sorted((k, v["value"]) for k, v in r.items())) for r in result.rows]
    assert rows, f"{name} gives no answer on the seeds"
    assert len(rows) == len(set(rows)), f"{name} repeats rows"
    names = [v for v in result.variables if v.endswith("Name")]
    if name == "cq-corroboration":  # one row per claim: its counts, and the claim that leads to its facts
        assert {"articles", "origins", "claim"} <= set(result.variables)
    elif name != "cq-articles":
        assert "article" in result.variables, f"{name} gives no article"
    if name not in ("cq-corroboration", "cq-articles"):
        assert "quote" in result.variables, f"{name} gives no quote"
    if name not in ("cq-articles", "cq-inferred-dates", "cq-cited-outlets", "cq-attribution-chains"):
        assert "modality" in result.variables or name == "cq-corroboration", f"{name} gives no modality"
    assert names or name in ("cq-articles",), f"{name} gives no labels"
    # the first column a reader sees is a label or a value, never a bare IRI
    first = result.variables[0]
    assert all(r[first]["type"] != "uri" for r in result.rows if first in r), f"{name} opens with IRIs"


@pytest.fixture(scope="module")
def rdflib_dataset(built):
    import rdflib

    ds = rdflib.Dataset()
    ds.parse(built / "kg.nq", format="nquads")
    return ds


@pytest.mark.parametrize("name", CQS)
def test_rdflib_gives_the_same_answers(store, rdflib_dataset, name):
    """The queries stay engine-neutral: rdflib's SPARQL gives the same rows (as sets)."""
    text = named_queries()[name].read_text(encoding="utf-8")
    ours = execute(store, text)
    theirs = rdflib_dataset.query(text)
    as_set = {tuple((r.get(v) or {}).get("value") for v in ours.variables) for r in ours.rows}
    rdflib_set = {tuple(None if x is None else str(x) for x in row) for row in theirs}
    assert as_set == rdflib_set


def test_letters_who_wrote_to_whom_delivered_by_whom(store):
    result = rows(store, "cq-letters")
    senders = {key(r["sender"]) for r in result if r["sender"]}
    recipients = {key(r["recipient"]) for r in result if r["recipient"]}
    couriers = {key(r["deliveredBy"]) for r in result if r["deliveredBy"]}
    assert senders == {"li-qiang"}
    assert recipients == {"shigeru-ishiba"}
    assert couriers == {"wu-jianghao", "chinese-embassy-in-japan"}
    assert {r["senderName"] for r in result if r["sender"]} == {"Li Qiang"}
    assert "shigeru-ishiba" not in senders  # negative: Ishiba wrote no letter
    articles = {r["article"] for r in result}
    assert articles == {"000_47059b8c57473c03", "001_c06ecbde632990cb", "002_412b91df41f90cca"}
    assert {r["modality"] for r in result} == {"reported"}


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
    premier = [r for r in result if key(r["post"]) == "premier-of-china"]
    assert len({r["article"] for r in premier}) == 3
    assert {(r["postName"], r["holderName"], r["origins"]) for r in premier} == {
        ("Premier of China", "Li Qiang", "3")
    }


def test_tariffs_by_target(store):
    result = rows(store, "cq-tariffs-by-target")
    facing = {(key(r["target"]), key(r["measure"]), r["rate"], r["rateKind"]) for r in result}
    assert ("japan", "us-reciprocal-tariff-on-japan", "24", None) in facing
    assert ("china", "us-tariffs-on-china", "245", "maximum") in facing
    assert ("china", "us-tariffs-on-china", "145", "baseline") in facing
    assert ("united-states", "china-tariffs-on-us-goods", "125", "maximum") in facing
    assert ("china", "us-tariffs-on-china", "145", "maximum") not in facing  # kinds stay with their fact
    assert not any(t == "japan" and m == "us-tariffs-on-china" for t, m, _, _ in facing)
    japan = [r for r in result if key(r["measure"]) == "us-reciprocal-tariff-on-japan"]
    assert len(japan) == 4 and {r["origins"] for r in japan} == {"4"}


def test_us_tariffs_on_japan_with_status_and_articles(store):
    result = by(rows(store, "cq-us-tariffs-on-japan"), "measure")
    japan = result["us-reciprocal-tariff-on-japan"]
    assert {r["rate"] for r in japan if r["rate"]} == {"24"}
    assert ("paused", "asserted") in {(r["status"], r["modality"]) for r in japan}
    assert {r["rate"] for r in result["us-baseline-tariff"] if r["rate"]} == {"10"}
    assert {r["rate"] for r in result["us-auto-tariff"] if r["rate"]} == {"25"}
    sources = {r["article"] for r in japan}
    assert len(sources) == 4 and "004_0ace5de719f6b055" not in sources
    assert "us-tariffs-on-china" not in result


def test_measure_status_marks_what_is_only_expected(store):
    result = {
        (key(r["measure"]), r["status"], r["modality"], r["article"])
        for r in rows(store, "cq-measure-status")
    }
    assert ("us-reciprocal-tariff-on-japan", "paused", "asserted", "001_c06ecbde632990cb") in result
    assert ("china-tariffs-on-us-goods", "in force", "asserted", "000_47059b8c57473c03") in result
    assert ("us-auto-tariff", "announced", "asserted", "004_0ace5de719f6b055") in result
    # article 002 only expects the tariff on China to come down: marked, never plain fact
    assert ("us-tariffs-on-china", "modified", "expected", "002_412b91df41f90cca") in result
    assert not any(
        m == "us-tariffs-on-china" and s == "modified" and mod == "asserted" for m, s, mod, _ in result
    )
    assert not any(s == "revoked" for _, s, _, _ in result)


def test_an_expected_status_is_not_in_the_default_graph(store):
    plain = execute(store, "SELECT ?s WHERE { id:us-tariffs-on-china tdo:status ?s }").column("s")
    assert PREFIX_TDO + "InForce" in plain and PREFIX_TDO + "Modified" not in plain


def test_retaliation(store):
    result = rows(store, "cq-retaliation")
    assert pairs(result, "measure", "against") == {("china-tariffs-on-us-goods", "us-tariffs-on-china")}
    assert {(key(r["imposedBy"]), key(r["againstImposedBy"]), r["rate"]) for r in result} == {
        ("china", "united-states", "125")
    }
    assert {r["article"] for r in result} == {"000_47059b8c57473c03", "002_412b91df41f90cca"}


def test_bans_and_their_causes(store):
    result = rows(store, "cq-bans-and-causes")
    assert {key(r["ban"]) for r in result} == {"china-seafood-import-ban"}
    assert {
        (key(r["imposedBy"]), key(r["target"]), key(r["product"]), r["hsCode"]) for r in result if r["target"]
    } == {("china", "japan", "seafood", "03")}
    (since,) = [r for r in result if r["since"]]
    assert since["since"] == "2023-08" and key(since["reason"]) == "fukushima-wastewater-release"
    assert since["reasonName"] and since["quote"] and since["article"] == "000_47059b8c57473c03"


def test_agreement_parties_and_status(store):
    result = by(rows(store, "cq-agreement-parties"), "agreement")
    assert {key(r["party"]) for r in result["cjk-free-trade-agreement"]} == {"china", "japan", "south-korea"}
    assert {r["status"] for r in result["cjk-free-trade-agreement"]} == {"under negotiation"}
    assert {key(r["party"]) for r in result["us-japan-alliance"]} == {"japan", "united-states"}
    assert {key(r["party"]) for r in result["rcep"]} >= {"china", "japan", "south-korea"}
    assert "united-states" not in {key(r["party"]) for r in result["rcep"]}


def test_meetings_participants_places_dates(store):
    result = by(rows(store, "cq-meetings"), "event")
    trilateral = result["trilateral-trade-ministers-meeting"]
    assert {key(r["participant"]) for r in trilateral if r["participant"]} == {
        "china",
        "japan",
        "south-korea",
    }
    assert "2025-03-30" in {r["date"] for r in trilateral}
    hegseth = result["hegseth-nakatani-meeting"]
    assert {key(r["participant"]) for r in hegseth if r["participant"]} == {"pete-hegseth", "gen-nakatani"}
    assert {key(r["place"]) for r in hegseth if r["place"]} == {"tokyo"}
    assert "2025-04-16" in {r["date"] for r in result["us-japan-tariff-talks"]}
    assert "united-states" not in {key(r["participant"]) for r in trilateral}


def test_who_said_what_pairs_words_with_the_speaker_of_the_same_fact(store):
    result = rows(store, "cq-who-said-what")
    slog = [r for r in result if key(r["statement"]) == "bessent-slog-remarks"]
    assert slog and all(key(r["speaker"]) == "scott-bessent" for r in slog)
    assert {key(r["accordingTo"]) for r in slog} == {"associated-press"}
    assert {r["accordingToName"] for r in slog} == {"Associated Press"}
    hegseth = [r for r in result if key(r["statement"]) == "hegseth-remarks-to-nakatani"]
    assert {key(r["recipient"]) for r in hegseth if r["recipient"]} == {"gen-nakatani"}
    assert any("indispensable partner" in r["content"] for r in hegseth)
    assert not any(key(r["speaker"]) == "donald-trump" and "slog" in r["content"] for r in result)
    # article 001 says only "Beijing" warned: China, not the Ministry of Commerce 002 names
    warning = [r for r in result if key(r["statement"]) == "china-commerce-ministry-warning"]
    assert {key(r["speaker"]) for r in warning if r["article"] == "001_c06ecbde632990cb"} == {"china"}
    assert "china-ministry-of-commerce" in {
        key(r["speaker"]) for r in warning if r["article"] == "002_412b91df41f90cca"
    }


def test_attribution_chains(store):
    result = rows(store, "cq-attribution-chains")
    anadolu = [r for r in result if r["article"] == "000_47059b8c57473c03"]
    assert anadolu, "Anadolu relays Kyodo, citing government sources"
    assert {key(r["outlet"]) for r in anadolu} == {"anadolu-agency"}
    assert {(key(r["first"]), r["secondName"]) for r in anadolu} >= {("kyodo-news", "government sources")}
    assert not any(r["article"] == "003_6d42f7f9f635dfa1" and key(r["first"]) == "kyodo-news" for r in result)


def test_corroboration_counts_independent_origins(store):
    result = {
        (key(r["subject"]), r["property"].split("#")[-1], key(r["value"])): r
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
    assert all(int(r["articles"]) >= 2 for r in result.values())


def test_contradictions_report_the_rate_kind_difference_with_both_quotes(store):
    result = rows(store, "cq-contradictions")
    assert {(key(r["subject"]), r["property"].split("#")[-1], r["kind"]) for r in result} == {
        ("us-tariffs-on-china", "rate", "different rate kinds")
    }
    kinds = {(r["value"], r["rateKind"], r["article"]) for r in result}
    assert kinds == {
        ("245", "maximum", "000_47059b8c57473c03"),
        ("245", "maximum", "002_412b91df41f90cca"),
        ("145", "baseline", "002_412b91df41f90cca"),
        ("145", "baseline", "003_6d42f7f9f635dfa1"),
    }
    quotes = {r["quote"] for r in result}
    assert "Beijing faces tariffs of up to 245% on exports to the US" in quotes
    assert "imports from China are subject to a staggering 145% tariff" in quotes
    # negative: the 24% tariff on Japan is corroborated, not contested
    assert "us-reciprocal-tariff-on-japan" not in {key(r["subject"]) for r in result}


def test_event_dates_resolved_from_relative_dates(store):
    result = rows(store, "cq-event-dates")
    dates = {(key(r["event"]), r["date"]) for r in result}
    assert ("hegseth-tokyo-visit", "2025-03-30") in dates
    assert ("china-commerce-ministry-warning", "2025-04-21") in dates
    assert ("trump-auto-tariff-announcement", "2025-03-26") in dates
    assert ("fukushima-wastewater-release", "2023-08") in dates
    visit = next(r for r in result if key(r["event"]) == "hegseth-tokyo-visit" and r["inferredFrom"])
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
    assert {key(r["excludes"]) for r in result if r["excludes"]} == {"china"}
    assert {r["duration"] for r in result if r["duration"]} == {"P90D"}
    assert "us-reciprocal-tariffs" in {key(r["suspends"]) for r in result}


def test_products_with_hs_codes_and_their_evidence(store):
    result = rows(store, "cq-products")
    found = {(key(r["product"]), r["hsCode"], key(r["affectedBy"])) for r in result}
    assert ("cars", "8703", "us-auto-tariff") in found
    assert ("rice", "1006", "japan-rice-import-expansion") in found
    assert ("seafood", "03", "china-seafood-import-ban") in found
    assert ("rice", "1006", "us-auto-tariff") not in found
    # steel under the 24 % tariff on Japan: one article, one origin
    (steel,) = [
        r
        for r in result
        if key(r["product"]) == "steel" and key(r["affectedBy"]) == "us-reciprocal-tariff-on-japan"
    ]
    assert (steel["article"], steel["origins"], steel["modality"]) == (
        "003_6d42f7f9f635dfa1",
        "1",
        "asserted",
    )
    rice = [r for r in result if key(r["product"]) == "rice"]
    assert {r["modality"] for r in rice} == {"considered"}


def test_alliances(store):
    result = by(rows(store, "cq-alliances"), "alliance")
    alliance = result["us-japan-alliance"]
    assert {key(r["state"]) for r in alliance if r["role"] == "party"} == {"united-states", "japan"}
    assert {key(r["state"]) for r in alliance if r["role"] == "aimed at"} == {"china"}


def test_cited_outlets(store):
    result = by(rows(store, "cq-cited-outlets"), "outlet")
    assert {r["article"] for r in result["kyodo-news"]} == {
        "000_47059b8c57473c03",
        "001_c06ecbde632990cb",
        "002_412b91df41f90cca",
    }
    assert {r["article"] for r in result["reuters"]} == {"004_0ace5de719f6b055"}
    assert "anadolu-agency" not in result  # Anadolu publishes; no article cites it


def test_articles_outlets_never_invented(store):
    result = {r["article"]: r for r in rows(store, "cq-articles")}
    assert key(result["000_47059b8c57473c03"]["outlet"]) == "anadolu-agency"
    assert result["000_47059b8c57473c03"]["outletName"] == "Anadolu Agency"
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
    result = by(rows(store, "cq-economic-figures"), "figure")
    share = result["japan-auto-export-share"]
    assert {(r["value"], r["unit"]) for r in share} == {("20", "percent")}
    loss = result["japan-auto-export-loss"]
    assert {(r["value"], r["unit"]) for r in loss} == {("17000000000", "USD")}


def test_visits(store):
    result = by(rows(store, "cq-visits"), "visit")
    assert {key(r["visitor"]) for r in result["hegseth-tokyo-visit"]} == {"pete-hegseth"}
    assert "2025-03-30" in {r["date"] for r in result["hegseth-tokyo-visit"]}
    assert {key(r["place"]) for r in result["akazawa-washington-visit"] if r["place"]} == {"washington-dc"}


def test_warnings_and_requests(store):
    result = rows(store, "cq-warnings-and-requests")
    warning = [r for r in result if key(r["event"]) == "china-commerce-ministry-warning"]
    assert "2025-04-21" in {r["date"] for r in warning}
    requests = pairs(
        [r for r in result if r["type"].endswith("Request") and r["speaker"] and r["recipient"]],
        "speaker",
        "recipient",
    )
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
