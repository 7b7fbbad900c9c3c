"""kg suggest on text it has not seen: each seed article with only what the other articles taught."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.authoring.suggest import held_out_context, resolve_date, suggest_in
from kg.authoring.suggest.mentions import loose_pattern, state_words
from kg.rdf.vocabulary import vocabulary

A000, A001, A002, A003, A004 = (
    "000_47059b8c57473c03", "001_c06ecbde632990cb", "002_412b91df41f90cca",
    "003_6d42f7f9f635dfa1", "004_0ace5de719f6b055",
)  # fmt: skip


@pytest.fixture(scope="module")
def held_out(corpus):
    """Suggestions for each seed article made without its own annotations."""
    vocab = vocabulary()
    return {a: suggest_in(held_out_context(corpus, a, vocab)) for a in (A000, A001, A002, A003, A004)}


def _at(text: str, surface: str) -> tuple[int, int]:
    start = text.index(surface)
    return start, start + len(surface)


def test_news_forms_match_case_plurals_and_dots():
    assert loose_pattern("US President").search("the U.S. president said").group() == "U.S. president"
    assert loose_pattern("24% tariff").search("faces 24% tariffs").group() == "24% tariffs"
    assert not loose_pattern("US").search("please contact us")  # an acronym keeps its case
    assert not loose_pattern("Trump").search("a trump card")  # so does a one-word name
    assert state_words("South Korea")[:2] == ("South Korean", "Seoul")  # demonym and capital, countryinfo


def test_unseen_variants_are_linked(corpus, held_out):
    text = corpus.sources[A001].text
    linked = {(m.key, m.start, m.end) for m in held_out[A001].mentions}
    # 001 writes "U.S. President"; only "US President" is known from the other articles
    assert ("president-of-the-united-states", *_at(text, "U.S. President")) in linked
    # "President Trump": the title of the post other facts say he holds, before his name
    assert ("donald-trump", *_at(text, "President Trump")) in linked
    text = corpus.sources[A002].text
    linked = {(m.key, m.start, m.end) for m in held_out[A002].mentions}
    assert ("scott-bessent", *_at(text, "Mr Bessent")) in linked  # an honorific before a known name


def test_a_known_letter_is_proposed_under_its_key_with_its_roles(held_out):
    letters = [f for f in held_out[A001].facts if f.kind == "letter"]
    first = letters[0]
    assert first.fields["subject"] == "li-qiang-letter-to-ishiba"  # known from 000 and 002, not new
    assert (first.fields["sender"], first.fields["recipient"]) == ("li-qiang", "shigeru-ishiba")
    assert first.needs == []
    # "according to Japan's Kyodo news agency"; the next sentence says Kyodo cites officials
    assert first.fields["attribution"] == [
        "kyodo-news",
        {"anonymous": "multiple Japanese government officials"},
    ]
    delivery = next(f for f in letters if "deliveredBy" in f.fields)
    assert (delivery.fields["subject"], delivery.fields["deliveredBy"]) == (
        "li-qiang-letter-to-ishiba",
        "chinese-embassy-in-japan",
    )
    assert delivery.fields["attribution"] == [
        "kyodo-news",
        {"anonymous": "multiple Japanese government officials"},
    ]


def test_a_known_warning_and_talks_keep_their_keys(held_out):
    warning = next(
        f
        for f in held_out[A001].facts
        if f.fields.get("speaker") == "china" and f.fields["type"] == "Warning"
    )
    assert warning.fields["subject"] == "china-commerce-ministry-warning"  # Beijing cautioned: 002's warning
    talks = [f.fields for f in held_out[A001].facts if f.kind == "meeting"]
    assert {f["subject"] for f in talks} == {"us-japan-tariff-talks"}
    assert [f["participant"] for f in talks] == [["japan", "united-states"], ["donald-trump", "japan"]]
    # "President Trump plans to attend trade talks with Japanese officials in Washington": he takes
    # part for his state, so these are the known US-Japan talks; "in Washington" is the city
    assert talks[1]["place"] == "washington-dc"


def test_a_deliverer_named_by_title_is_the_person_and_a_new_name_does_not_split_a_known_letter(held_out):
    letter = next(f for f in held_out[A000].facts if f.kind == "letter")
    # "delivered by Chinese Ambassador to Tokyo Wu Jianghao": Wu (new to the others), not China
    assert letter.fields["subject"] == "li-qiang-letter-to-ishiba"
    assert letter.fields["deliveredBy"] == "wu-jianghao"


def test_a_visit_with_a_place_and_the_broadcaster_that_reports_it(corpus, held_out):
    text = corpus.sources[A003].text
    facts = [
        f for f in held_out[A003].facts if f.kind == "meeting" and f.start >= text.index("Japanese Economic")
    ]
    visit = next(f for f in facts if f.fields["type"] == "Visit")
    assert (visit.fields["participant"], visit.fields["place"]) == ("akazawa-ryosei", "washington-dc")
    assert visit.fields["attribution"] == ["nhk"]  # "Japanese broadcaster NHK reported"
    talks = next(f for f in facts if f.fields["type"] == "Talks")
    assert talks.fields["subject"] == "us-japan-tariff-talks"  # Akazawa takes part for Japan


def test_tariff_parties_and_rate_kinds_come_from_other_facts_named_in_the_sentence(held_out):
    a001 = held_out[A001].facts
    rates = {
        (f.fields["subject"], f.fields["rate"], f.fields.get("rateKind")) for f in a001 if f.kind == "rate"
    }
    assert ("us-auto-tariff", 25, "additional") in rates  # not the nearby "universal rate"
    parties = [
        f.fields
        for f in a001
        if f.kind == "measure" and f.fields["subject"] == "us-reciprocal-tariff-on-japan"
    ]
    assert parties and parties[0].get("target") == "japan"


def test_relative_periods_resolve_to_the_precision_they_give():
    assert resolve_date("last week", dt.date(2025, 3, 31)) == ("2025-03", "the week 2025-03-24 to 2025-03-30")
    assert resolve_date("next month", dt.date(2025, 12, 2)) == ("2026-01", "the month 2026-01")
    assert resolve_date("earlier this year", dt.date(2025, 4, 22)) == ("2025", "the year 2025")
    # a week across two months gives only the year
    assert resolve_date("next week", dt.date(2025, 4, 22))[0] == "2025"


def test_held_out_scores_meet_the_measured_floor():
    from kg.authoring.suggest import evaluate

    overall = evaluate().overall
    # measured on the seeds: mentions 0.730 at 0.978 against the gold mentions (0.834 at 0.757
    # against the facts' proxy), facts 0.803 at 0.994 (issue 24's targets: mentions 0.95 at 0.9,
    # facts 0.6 at 0.8); a regression below these fails
    assert overall.mention_recall >= 0.72
    assert overall.mention_precision >= 0.95
    assert overall.proxy_recall >= 0.82
    assert overall.fact_recall >= 0.78
    assert overall.fact_precision >= 0.95


def test_a_rate_on_a_known_measure_gets_the_imposer_other_facts_give(held_out):
    rates = {(f.fields["subject"], f.fields["rate"]): f for f in held_out[A002].facts if f.kind == "rate"}
    auto = rates[("us-auto-tariff", 25)]  # "an existing 25 per cent duty on automobiles": no state named
    assert auto.fields["imposedBy"] == "united-states"
    assert "the imposer other facts give us-auto-tariff" in auto.notes
    # "the current baseline of 145 per cent": a baseline is a rate of the measure other facts give 145
    assert rates[("us-tariffs-on-china", 145)].fields["rateKind"] == "baseline"


def test_a_platform_is_where_something_was_said_not_who_said_it(held_out):
    claimed = next(f for f in held_out[A002].facts if f.quote.startswith("Mr Trump on Truth Social claimed"))
    assert claimed.fields["speaker"] == "donald-trump"


def test_said_alone_does_not_make_a_known_statement_and_a_speech_is_not_an_interview(held_out):
    # the other articles know Bessent's Bloomberg interview; 002's Tuesday speech and quoted remarks
    # are new statements, not that interview
    bessent = [
        f for f in held_out[A002].facts if f.kind == "statement" and f.fields["speaker"] == "scott-bessent"
    ]
    assert len(bessent) >= 2
    assert all(f.fields["subject"] != "bessent-bloomberg-interview" and f.needs for f in bessent)


def test_new_names_are_typed_from_the_words_around_them():
    from kg.authoring.suggest import find_unknown_names

    text = (
        "The talks went well, Korean broadcaster Arirang reported. Water leaked from the Hamaoka nuclear "
        "plant on Monday. The deal is near, according to Bernama. Exports fell, the Asahi Shimbun said."
    )
    types = {c.label: c.type for c in find_unknown_names(text, [])}
    assert types["Arirang"] == "NewsOutlet"  # after "broadcaster"
    assert types["Hamaoka"] == "Place"  # before "nuclear plant"
    assert types["Bernama"] == "Organization"  # a source after "according to", not a place after "to"
    assert types["Asahi Shimbun"] == "NewsOutlet"


def test_a_report_keeps_its_chain_across_sentences(held_out):
    a000 = held_out[A000].facts
    # "..., the media outlet reported, citing government sources": the outlet named before (Kyodo)
    letter = next(f for f in a000 if f.kind == "letter")
    assert letter.fields["attribution"] == ["kyodo-news", {"anonymous": "government sources"}]
    # the first sentence says only "Kyodo News reported"; the article says Kyodo cites government
    # sources, so the request it reports gets the same chain
    request = next(f for f in a000 if f.fields.get("type") == "Request" and f.quote.startswith("China has"))
    assert (request.fields["subject"], request.fields["speaker"], request.fields["recipient"]) == (
        "china-coordination-request", "china", "japan",
    )  # fmt: skip
    assert request.fields["attribution"] == ["kyodo-news", {"anonymous": "government sources"}]
    # "China has reportedly urged Japan": the chain of the article's one reporting outlet
    urged = next(f for f in held_out[A002].facts if f.fields.get("type") == "Request")
    assert urged.fields["attribution"] == ["kyodo-news"]
    # "according to a transcript obtained by the Associated Press"
    slog = next(f for f in held_out[A002].facts if f.quote.startswith("“I do say China"))
    assert slog.fields["attribution"] == ["associated-press"]


def test_hyphenated_compounds_stay_whole_and_region_agreement_words_type_names():
    from kg.authoring.suggest import find_unknown_names
    from kg.authoring.suggest.find import Mention

    text = "Talks on a Korea-China-Japan FTA and a South Korea-Japan-China deal; the Western Pacific, the RCEP Partnership."
    states = [
        Mention(k, "State", text.index(w, at), text.index(w, at) + len(w), w, "label")
        for k, w, at in (("china", "China", 0), ("japan", "Japan", 0), ("south-korea", "South Korea", 0),
                         ("japan", "Japan", 40), ("china", "China", 40))
    ]  # fmt: skip
    names = {c.label: c.type for c in find_unknown_names(text, states)}
    assert names["Korea-China-Japan FTA"] == "TradeAgreement"  # not "Korea-" and "FTA"
    assert not [n for n in names if n.startswith("South Korea")]  # states only: nothing new
    assert names["Western Pacific"] == "Place"
    assert names["RCEP Partnership"] == "Agreement"
    text = "Talks on a South Korea-Japan-China free trade agreement went on."
    states = [
        Mention(k, "State", text.index(w), text.index(w) + len(w), w, "label")
        for k, w in (("south-korea", "South Korea"), ("japan", "Japan"), ("china", "China"))
    ]
    names = {c.label: c.type for c in find_unknown_names(text, states)}
    assert names == {"South Korea-Japan-China free trade agreement": "TradeAgreement"}


def test_a_counterpart_and_an_ambassador_to_a_capital_are_posts(held_out):
    posts = {f.fields["subject"]: f for f in held_out[A000].facts if f.kind == "post"}
    # "his Japanese counterpart Shigeru Ishiba" after "Chinese Prime Minister Li Qiang"
    assert posts["prime-minister-of-japan"].fields["heldBy"] == "shigeru-ishiba"
    # "Chinese Ambassador to Tokyo Wu Jianghao": a new post, named as the registry names posts
    ambassador = posts["ambassador-of-china-to-japan"]
    assert ambassador.fields["heldBy"] == "wu-jianghao"
    label = {c.key: c.label for c in held_out[A000].candidates}["ambassador-of-china-to-japan"]
    assert label == "Ambassador of China to Japan"


def test_pronouns_and_participles_find_their_speaker(corpus, held_out):
    facts = held_out[A002].facts
    # "However, in a separate speech, he cautioned that ...": Bessent, named in the sentence before
    cautioned = next(f for f in facts if "he cautioned" in f.quote)
    assert (cautioned.fields["speaker"], cautioned.fields["type"]) == ("scott-bessent", "Warning")
    # "Japanese Prime Minister Shigeru Ishiba has taken a firm stance ..., saying on Monday that ..."
    saying = next(f for f in held_out[A003].facts if f.kind == "statement" and "saying" in f.quote)
    assert saying.fields["speaker"] == "shigeru-ishiba"
    # "which he announced last week": an announcement, not the known pause announcement of April
    announced = next(f for f in held_out[A004].facts if "he announced" in f.quote)
    assert announced.fields["type"] == "Announcement" and announced.needs


def test_titles_without_names_are_posts_and_their_holders(corpus, held_out):
    text = corpus.sources[A000].text
    at = text.index("the president’s announcement") + len("the ")
    # "following the president's announcement": the president the article named before
    title = next(m for m in held_out[A000].mentions if m.start == at)
    assert (title.key, title.text) == ("president-of-the-united-states", "president")
    post = next(f for f in held_out[A000].facts if f.kind == "post" and f.start == at)
    assert post.fields["heldBy"] == "donald-trump"  # the one holder the other facts give
    # "the Chinese president": a post the others do not know, proposed as the registry names posts
    new = {c.key: c for c in held_out[A002].candidates}["president-of-china"]
    assert (new.type, new.label, new.text, new.fields) == (
        "Post", "President of China", "Chinese president", {"postIn": "china"},
    )  # fmt: skip
    # "President Donald Trump" (004): the title of the post other facts say he holds
    president = next(f for f in held_out[A004].facts if f.quote == "President Donald Trump")
    assert (president.fields["subject"], president.fields["heldBy"]) == (
        "president-of-the-united-states", "donald-trump",
    )  # fmt: skip


def test_a_weekday_resolves_against_the_known_event_it_describes():
    from kg.authoring.suggest.events import KnownEvent, anchor_event_dates
    from kg.authoring.suggest.find import FactSuggestion, find_dates

    text = "Trump's tariff announcement planned for Wednesday drew warnings. Japan protested last week."
    thursday = dt.date(2025, 4, 3)
    planned, last_week = find_dates(text, thursday)
    # "planned for" looks ahead: the next Wednesday from the article's date
    assert (planned.text, planned.value) == ("Wednesday", "2025-04-09")
    assert planned.inferred_from == (
        "'Wednesday' in an article dated Thu 2025-04-03: the sentence looks ahead: the next Wednesday from it"
    )
    assert (last_week.value, last_week.inferred_from.split(": ")[-1]) == (
        "2025-03", "the week 2025-03-24 to 2025-03-30",
    )  # fmt: skip
    # the suggestion is about a known announcement other facts date to Wednesday 2 April: that day
    # wins, and the basis says what was resolved against what
    date = {"value": planned.value, "inferred_from": planned.inferred_from}
    fs = FactSuggestion("a005-x", "statement", text, 0, 10, None, {"subject": "liberation-day", "date": date})
    anchor_event_dates([fs], [KnownEvent("liberation-day", "Announcement", dates={"2025-04-02"})])
    assert fs.fields["date"] == {
        "value": "2025-04-02",
        "inferred_from": "'Wednesday' for liberation-day, which other facts date to Wednesday 2025-04-02"
        " (the article's date gave 2025-04-09)",
    }
    # an event of another weekday, or none known: the article's date stands
    fs.fields["date"] = dict(date)
    anchor_event_dates([fs], [KnownEvent("liberation-day", "Announcement", dates={"2025-04-01"})])
    assert fs.fields["date"] == date


def test_what_a_person_says_is_attributed_to_them_after_the_outlet_that_relays_it(held_out):
    facts = held_out[A003].facts
    # 'Bessent confirmed in an interview with Bloomberg TV that "Washington and Tokyo will hold talks
    # Wednesday"': the talks of the quoted clause (not Bessent and South Korea from the next clause)
    talks = next(f for f in facts if f.quote == "Washington and Tokyo will hold talks")
    assert (talks.fields["subject"], talks.fields["participant"]) == (
        "us-japan-tariff-talks", ["united-states", "japan"],
    )  # fmt: skip
    # "Bloomberg TV" is a new name to the other articles (a news outlet by its name)
    assert talks.fields["attribution"] == ["bloomberg-tv", "scott-bessent"]
    confirmed = next(f for f in facts if f.kind == "statement" and f.fields["speaker"] == "scott-bessent")
    assert confirmed.fields["attribution"] == ["bloomberg-tv"]  # his own words: only the outlet relays them


def test_a_visit_introduced_before_its_traveller(held_out):
    # "During a trip to Tokyo on Sunday, Secretary of Defense Pete Hegseth announced ..."
    trip = next(f for f in held_out[A004].facts if f.kind == "meeting" and f.fields["type"] == "Visit")
    assert (trip.fields["participant"], trip.fields["place"]) == ("pete-hegseth", "tokyo")
    assert trip.needs  # a new visit: Hegseth is new to the other articles, no known event is his


def test_news_forms_of_known_things_are_mentions(corpus, held_out):
    def linked(article):
        return {(m.key, corpus.sources[article].text[m.start : m.end]) for m in held_out[article].mentions}

    # rates as mentions of the measure the other facts give that rate
    assert ("us-reciprocal-tariff-on-japan", "24% levies") in linked(A001)
    assert ("us-auto-tariff", "25% duty on cars") in linked(A001)
    assert ("us-baseline-tariff", "baseline 10% levy") in linked(A003)
    assert ("china-tariffs-on-us-goods", "125 per cent tariffs") in linked(A002)  # not "... on American"
    # "said the Tokyo-based news agency": the outlet named before, whose words are its report
    assert ("kyodo-news", "Tokyo-based news agency") in linked(A000)
    said = next(f for f in held_out[A000].facts if f.quote.endswith("said the Tokyo-based news agency."))
    assert (said.fields["subject"], said.fields["type"]) == ("kyodo-letter-report", "Report")
    # the dateline is a place; the others never name Ankara, so a new one
    ankara = {c.key: c for c in held_out[A000].candidates}["ankara"]
    assert (ankara.type, ankara.text) == ("Place", "ANKARA")


def test_a_title_with_its_field_before_a_new_name_is_a_new_post(held_out):
    post = next(f for f in held_out[A004].facts if f.quote == "Secretary of Defense Pete Hegseth")
    assert (post.fields["subject"], post.fields["heldBy"]) == ("secretary-of-defense", "pete-hegseth")
    assert post.needs == ["secretary-of-defense", "pete-hegseth"]


def test_a_dispute_is_known_by_its_parties_and_named_again_as_the_same(corpus, held_out):
    def linked(article):
        return {
            (m.key, m.start)
            for m in held_out[article].mentions
            if m.key.endswith("tensions") or "war" in m.key
        }

    text = corpus.sources[A000].text
    # "ongoing trade tensions between Washington and Beijing": the US-China dispute the other facts
    # know, not the China-Japan "trade tensions" whose name the words also match
    at = text.index("trade tensions between")
    assert ("us-china-trade-war", at) in linked(A000)
    assert ("china-japan-trade-tensions", at) not in linked(A000)
    text = corpus.sources[A002].text
    first = text.index("trade war between Washington")
    # "The trade war between Washington and Beijing", then "the trade war between the world's two
    # biggest economies": the same one
    assert {
        ("us-china-trade-war", first),
        ("us-china-trade-war", text.index("trade war", first + 1)),
    } <= linked(A002)


def test_talks_someone_says_will_follow_are_their_sides(held_out):
    # "... and added that similar discussions will follow with South Korea next week": Bessent's side
    talks = next(
        f for f in held_out[A003].facts if f.quote.endswith("discussions will follow with South Korea")
    )
    assert talks.fields["participant"] == ["united-states", "south-korea"]
    assert talks.fields["attribution"] == ["bloomberg-tv", "scott-bessent"]


def test_whose_announcement_and_whom_one_meets(held_out):
    facts = held_out[A000].facts
    # "following the president's announcement of a 90-day window": the president named before
    announcement = next(f for f in facts if f.fields.get("type") == "Announcement")
    assert announcement.fields["speaker"] == "donald-trump"
    # "Akazawa Ryosei was the first foreign trade official to meet Trump": a new meeting of the two,
    # not a known US-Japan meeting of other people
    meeting = next(f for f in facts if f.fields.get("type") == "Meeting")
    assert meeting.fields["participant"] == ["akazawa-ryosei", "donald-trump"] and meeting.needs
    # an announcement's measure is the article's own statement, not attributed to who announced it
    auto = [f for f in held_out[A004].facts if f.fields["subject"] == "us-auto-tariff"]
    assert auto and not [f for f in auto if "attribution" in f.fields]
