"""Quote anchoring: exact first, then the one documented normalisation, offsets in code points."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kg.seeds.anchor import Anchor, AnchorFailure, anchor_quote, normalise


def test_exact_match_gives_code_point_offsets():
    text = "Japan’s “minister” met Trump."
    found = anchor_quote(text, "“minister”")
    assert isinstance(found, Anchor) and not found.normalised
    assert text[found.start : found.end] == "“minister”"


def test_normalised_match_maps_back_to_the_original_span():
    text = "Anadolu staff \u00a0| 22.04.2025 — Update"
    found = anchor_quote(text, "Anadolu staff | 22.04.2025 - Update")
    assert isinstance(found, Anchor) and found.normalised
    assert found.exact == "Anadolu staff \u00a0| 22.04.2025 — Update"
    assert (found.start, found.end) == (0, len(text))


def test_curly_and_straight_quotes_are_equivalent_only_after_normalisation():
    found = anchor_quote("US “protectionism.” However", 'US "protectionism."')
    assert isinstance(found, Anchor) and found.normalised and found.exact == "US “protectionism.”"


def test_missing_quote_shows_the_nearest_match():
    failure = anchor_quote(
        "China has asked Japan to coordinate efforts", "China has asked Korea to coordinate"
    )
    assert isinstance(failure, AnchorFailure)
    assert 'nearest match in the article: "China has asked Japan to coordinate"' in failure.message


def test_ambiguous_quote_needs_an_occurrence():
    failure = anchor_quote("a b a", "a")
    assert isinstance(failure, AnchorFailure) and "occurs 2 times (at offsets 0, 4)" in failure.message
    assert anchor_quote("a b a", "a", occurrence=2) == Anchor(4, 5, "a", False)
    assert isinstance(anchor_quote("a b a", "a", occurrence=3), AnchorFailure)


def test_occurrences_in_excluded_ranges_do_not_count():
    text = "Title\nTitle\nBody"
    assert anchor_quote(text, "Title", excluded=((6, 11),)) == Anchor(0, 5, "Title", False)
    failure = anchor_quote(text, "Body", excluded=((12, 16),))
    assert isinstance(failure, AnchorFailure) and "excluded ranges" in failure.message


@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=20), st.text(max_size=60))
def test_any_embedded_quote_is_found_at_its_offsets(prefix, quote, suffix):
    text = prefix + quote + suffix
    found = anchor_quote(text, quote, occurrence=None)
    if isinstance(found, Anchor):
        assert text[found.start : found.end] == found.exact
        if not found.normalised:
            assert found.exact == quote
        else:
            assert normalise(found.exact) == normalise(quote)
    else:
        assert "occurs" in found.message or "empty" in found.message
