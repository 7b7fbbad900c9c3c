"""Articles that may be copies of one story, found from their wording rather than their attribution.

Independent origins (:func:`kg.build.origins.independent_origin`) rest on the attribution an annotator
typed: two articles relaying one wire story without saying so count as two origins. This module
compares the articles' texts: word shingles, MinHash (datasketch) and LSH banding find the pairs
worth comparing, then the shingles the two share give the exact shared passages.

* **Words** are lower-cased runs of letters and digits outside page furniture (the source's
  excluded ranges) and outside quotations (“...”, "...", ‘...’, '...', «...», „...“): two
  articles quoting one speech share its words without copying each other. A quotation, a line
  break and an excluded range end a run of words: no shingle spans one.
* **Candidates**: one MinHash per article over its shingles of :data:`SKETCH_WORDS` words, in
  LSH bands of one row each, so a pair is compared when any of its :data:`PERMUTATIONS`
  minimum hashes agree: at the Jaccard similarity of the seed pair's sketches (0.036) one such
  pair in a hundred is missed, at 0.05 one in 700. Each article is compared with
  :data:`MOST_PARTNERS` at most, those whose sketches agree most, so that templated text costs
  linear time. Shingles found in more than :func:`stock_limit` articles are stock phrases and
  are left out of both the sketches and the passages.
* **Shared passages**: the runs of words of one article covered by shingles of
  :data:`PASSAGE_WORDS` words that the other article also has.
* **Possible copy**: the two share at least :data:`MIN_SHARED_WORDS` words in such passages.

Chosen on the seeds (docs/adding.md, "Copies of one story"): 001 and 002 relay Kyodo's report
of Li Qiang's letter and share 24 words in 4 passages ("sent a letter to Japanese Prime
Minister Shigeru Ishiba", "Japan's Kyodo news agency", "the Chinese embassy in Japan",
"between the world's two"); every other pair of seed articles shares at most 10 words, in
names and titles ("Japanese prime minister Shigeru Ishiba", "US treasury secretary Scott
Bessent"). 15 words lies between the two.

The build states each pair as ``article:A tdo:possibleCopyOf article:B`` (both ways) in the
provenance graph; the knowledge layer marks the claims they may overcount
(``tdo:possiblyOneOrigin``, :mod:`kg.build.layer`). ``kg check`` and ``kg build`` warn about a pair
whose facts name no common origin (:func:`copy_warnings`): nothing in the graph says they relay
one report.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kg.rdf.namespaces import ARTICLE, PROVENANCE_GRAPH, TDO

PASSAGE_WORDS = 5
"""Shared passages are made of shingles of this many words: shorter runs are common phrasing."""
MIN_SHARED_WORDS = 15
"""Two articles sharing this many words in passages are possible copies (seeds: 24 against 10)."""
SKETCH_WORDS = 3
"""The MinHash sketches use shingles of this many words: reworded copies share short phrases,
which gives them a higher Jaccard similarity than longer shingles would, and the LSH bands more
chances to pair them."""
PERMUTATIONS = 128
"""MinHash permutations, each one LSH band of one row."""
STOCK_SHARE = 0.02
STOCK_MIN = 20
"""A shingle in more than max(STOCK_MIN, STOCK_SHARE of the articles) articles is stock phrasing."""
MOST_PARTNERS = 10
"""Each article is compared with this many candidates at most: those whose sketches agree most."""
MOST_PASSAGES = 5
"""A warning shows this many passages at most (the longest)."""

_WORD = re.compile(r"\w+")
_QUOTATION = re.compile(
    r"“[^”\n]*(?:”|$)"  # a quotation that runs to the end of its paragraph is closed there
    r'|"[^"\n]*"'
    r"|„[^“”\n]*[“”]"
    r"|«[^»\n]*»"
    r"|‘(?:[^‘’\n]|’(?=\w))*’(?!\w)"  # an apostrophe inside ("don’t") does not close it
    r"|(?<!\w)'(?:[^'\n]|'(?=\w))*'(?!\w)",
    re.MULTILINE,
)
_TDO = str(TDO._NS)


@dataclass(frozen=True, slots=True)
class Passage:
    """Words two articles share, as written in each, with code-point offsets."""

    words: int
    text: str  # as written in the first article
    first: tuple[int, int]
    second: tuple[int, int]


@dataclass(frozen=True, slots=True)
class CopyPair:
    """Two articles whose wording overlaps enough to be copies of one story."""

    first: str  # article ids, first < second
    second: str
    shared_words: int
    share: float  # shared words / words of the shorter article (outside quotations and furniture)
    passages: tuple[Passage, ...]  # the MOST_PASSAGES longest, longest first
    passage_count: int  # how many passages they share in all


@dataclass(slots=True)
class _Words:
    """An article's words outside quotations and furniture, and the hashes of their shingles.

    Numpy arrays only: a corpus of thousands of articles keeps them all while it is compared, and
    Python objects per word would hold hundreds of megabytes that the allocator keeps afterwards."""

    spans: list[tuple[int, int]]  # code-point ranges no shingle crosses (each holds words)
    words: int
    passage: object  # numpy uint64: hashes of the PASSAGE_WORDS-word shingles, in text order
    passage_at: object  # numpy int: the word position where each starts
    sketch: object  # numpy uint64: the distinct hashes of its SKETCH_WORDS-word shingles
    offsets: object = None  # numpy int (words x 2): each word's start and end, once needed
    distinct: object = None  # numpy uint64: its distinct passage shingles, sorted, once needed


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """The code-point ranges of quotations in text, quotation marks included.

    Example:
        >>> text = 'He said “we will not yield” and left.'
        >>> [text[s:e] for s, e in quotation_spans(text)]
        ['“we will not yield”']
    """
    return [m.span() for m in _QUOTATION.finditer(text)]


_VOCABULARY: dict[str, int] = {}


def _word_hash(word: str) -> int:
    """A stable 64-bit hash of a lower-cased word (the same in every process)."""
    h = _VOCABULARY.get(word)
    if h is None:
        if len(_VOCABULARY) > 1 << 20:
            _VOCABULARY.clear()
        h = _VOCABULARY[word] = int.from_bytes(
            hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little"
        )
    return h


def _shingles(hashes, run_of, size: int, base: int):
    """The hash of each run of size consecutive words inside one span, and where it starts."""
    import numpy as np

    n = len(hashes) - size + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    out = np.zeros(n, dtype=np.uint64)
    for j in range(size):
        out = out * np.uint64(base) + hashes[j : j + n]  # wraps modulo 2**64
    at = np.flatnonzero(run_of[:n] == run_of[size - 1 : size - 1 + n])
    return out[at], at


def _open_spans(text: str, masked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of text outside the masked ranges, split at line breaks."""
    out, at = [], 0
    for start, end in sorted(masked) + [(len(text), len(text))]:
        if start > at:
            line_start = at
            for m in re.finditer(r"\n", text[at:start]):
                out.append((line_start, at + m.start()))
                line_start = at + m.end()
            out.append((line_start, start))
        at = max(at, end)
    return out


def article_words(text: str, excluded: Iterable[tuple[int, int]] = ()) -> _Words:
    """The words of an article that count for comparison, with their shingles."""
    import numpy as np

    spans: list[tuple[int, int]] = []
    hashes: list[int] = []
    run_of: list[int] = []
    for start, end in _open_spans(text, [*excluded, *quotation_spans(text)]):
        found = _WORD.findall(text, start, end)
        if found:
            run_of += [len(spans)] * len(found)
            spans.append((start, end))
            hashes += [_word_hash(w.lower()) for w in found]
    words = np.array(hashes, dtype=np.uint64)
    runs = np.array(run_of, dtype=np.int64)
    passage, passage_at = _shingles(words, runs, PASSAGE_WORDS, 1_000_003)
    sketch, _ = _shingles(words, runs, SKETCH_WORDS, 1_000_033)
    return _Words(spans, len(hashes), passage, passage_at, np.unique(sketch))


def _offsets(text: str, w: _Words):
    """The start and end of each of the article's words (only needed to show passages)."""
    import numpy as np

    if w.offsets is None:
        found = [m.span() for start, end in w.spans for m in _WORD.finditer(text, start, end)]
        w.offsets = np.array(found, dtype=np.int32).reshape(-1, 2)
    return w.offsets


def stock_limit(articles: int) -> int:
    """In how many articles a shingle may occur before it counts as stock phrasing.

    Example:
        >>> stock_limit(5), stock_limit(5000)
        (20, 100)
    """
    return max(STOCK_MIN, int(STOCK_SHARE * articles))


def _candidates(words: Mapping[str, _Words]) -> set[tuple[str, str]]:
    """Pairs of article ids worth comparing: those whose MinHash sketches agree in at least one
    band of one row, at most :data:`MOST_PARTNERS` per article (the ones whose sketches agree in
    most bands, then the first), so that a corpus of templated text costs linear time, not
    quadratic.

    The bands are read from the signature matrix with numpy (each band's articles sorted by their
    value) rather than a datasketch LSH index: at 5,000 articles the index took 13 s and kept
    140 MB of small objects that the allocator did not give back."""
    import numpy as np
    from datasketch import MinHash

    template = MinHash(num_perm=PERMUTATIONS, seed=1, hashfunc=int)
    ids = [a for a, w in words.items() if len(w.sketch)]
    if not ids:
        return set()
    signatures = np.empty((len(ids), PERMUTATIONS), dtype=np.uint64)
    for i, article_id in enumerate(ids):
        m = MinHash(
            num_perm=PERMUTATIONS, hashfunc=int, permutations=template.permutations, scheme=template.scheme
        )
        m.update_batch((words[article_id].sketch & np.uint64(0xFFFFFFFF)).tolist())
        signatures[i] = m.hashvalues
    order = np.argsort(signatures, axis=0, kind="stable")  # per band: the articles by their value
    ranked = np.take_along_axis(signatures, order, axis=0)
    where = np.argsort(order, axis=0)  # per band: each article's place in that order
    # per band and place: where the run of equal values around it starts and ends
    first, last = np.zeros_like(order), np.zeros_like(order)
    rows = np.arange(len(ids))
    for band in range(PERMUTATIONS):
        starts = np.flatnonzero(np.concatenate(([True], ranked[1:, band] != ranked[:-1, band])))
        run = np.searchsorted(starts, rows, side="right") - 1
        first[:, band] = starts[run]
        last[:, band] = np.append(starts[1:], len(ids))[run]
    bands = np.arange(PERMUTATIONS)
    pairs = set()
    for i in range(len(ids)):
        places = where[i]
        begin, end = first[places, bands], last[places, bands]
        wide = np.flatnonzero(end - begin > 1)  # bands where another article has its value
        if not len(wide):
            continue
        found = np.concatenate([order[begin[b] : end[b], b] for b in wide.tolist()])
        partners, agree = np.unique(found[found != i], return_counts=True)
        if len(partners) > MOST_PARTNERS:
            partners = partners[np.argsort(-agree, kind="stable")[:MOST_PARTNERS]]
        for j in partners.tolist():
            pairs.add((min(ids[i], ids[j]), max(ids[i], ids[j])))
    return pairs


def _covered(w: _Words, shared) -> tuple:
    """Which of the article's words lie in a shingle both articles have (a boolean per word), and
    where each of those shingles starts (shared: sorted, distinct)."""
    import numpy as np

    at = np.searchsorted(shared, w.passage)
    has = shared[np.minimum(at, len(shared) - 1)] == w.passage
    starts = w.passage_at[has]
    mask = np.zeros(w.words, dtype=bool)
    for k in range(PASSAGE_WORDS):
        mask[starts + k] = True
    return mask, starts, w.passage[has]


def _distinct(w: _Words):
    """The article's distinct passage shingles, sorted (made once per article compared)."""
    import numpy as np

    if w.distinct is None:
        w.distinct = np.unique(w.passage)
    return w.distinct


def _runs(mask):
    """Maximal ranges [start, end) of True in a boolean array, as an array of pairs."""
    import numpy as np

    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.view(np.int8), [0]))))
    return edges.reshape(-1, 2)


def compare(
    first_id: str, first_text: str, a: _Words, second_id: str, second_text: str, b: _Words
) -> CopyPair | None:
    """The pair, when the two articles share :data:`MIN_SHARED_WORDS` words in passages."""
    import numpy as np

    shared = np.intersect1d(_distinct(a), _distinct(b), assume_unique=True)
    if len(shared) * PASSAGE_WORDS < MIN_SHARED_WORDS:  # too few shingles to cover that many words
        return None
    covered_a, starts_a, hashes_a = _covered(a, shared)
    covered_b, starts_b, hashes_b = _covered(b, shared)
    words = int(min(covered_a.sum(), covered_b.sum()))
    if words < MIN_SHARED_WORDS:
        return None
    offsets_a, offsets_b = _offsets(first_text, a), _offsets(second_text, b)
    runs_a, runs_b = _runs(covered_a), _runs(covered_b)
    # the longest runs first (then the first in the text): only those shown become passages
    order = np.lexsort((runs_a[:, 0], runs_a[:, 0] - runs_a[:, 1]))[:MOST_PASSAGES]
    shown = runs_a[order]
    # each run begins with a shared shingle: where that shingle first is in b, and b's run there
    h = hashes_a[np.searchsorted(starts_a, shown[:, 0])]
    by_hash = np.lexsort((starts_b, hashes_b))  # b's shared shingles by hash, first place first
    at = starts_b[by_hash[np.searchsorted(hashes_b[by_hash], h)]]
    in_b = runs_b[np.searchsorted(runs_b[:, 0], at, side="right") - 1]
    passages = []
    for (start, end), (b_start, b_end) in zip(shown.tolist(), in_b.tolist(), strict=True):
        span_a = (int(offsets_a[start][0]), int(offsets_a[end - 1][1]))
        span_b = (int(offsets_b[b_start][0]), int(offsets_b[b_end - 1][1]))
        passages.append(Passage(end - start, first_text[span_a[0] : span_a[1]], span_a, span_b))
    shorter = min(a.words, b.words)
    return CopyPair(first_id, second_id, words, round(words / shorter, 3), tuple(passages), len(runs_a))


def possible_copies(
    texts: Mapping[str, str], excluded: Mapping[str, Iterable[tuple[int, int]]] | None = None
) -> list[CopyPair]:
    """The pairs of articles that share enough wording to be copies of one story.

    Args:
        texts: article id -> text.
        excluded: article id -> code-point ranges of page furniture to leave out.

    Returns:
        CopyPairs sorted by article ids.

    Example:
        >>> story = "Chinese premier Li Qiang sent a letter to Japanese prime minister Shigeru Ishiba, calling for joint action against the tariffs announced this month by the United States."
        >>> [(p.first, p.second, p.shared_words) for p in possible_copies({"a": story, "b": "Reports say " + story, "c": "Nothing alike here at all."})]
        [('a', 'b', 27)]
    """
    import numpy as np

    excluded = excluded or {}
    words = {a: article_words(t, excluded.get(a, ())) for a, t in sorted(texts.items())}
    limit = stock_limit(len(words))
    if len(words) > limit:  # only then can a shingle be in more than limit articles
        for kind in ("passage", "sketch"):
            found, counts = np.unique(
                np.concatenate([np.unique(getattr(w, kind)) for w in words.values()]), return_counts=True
            )
            stock = found[counts > limit]  # sorted
            if not len(stock):
                continue
            for w in words.values():
                values = getattr(w, kind)
                keep = stock[np.minimum(np.searchsorted(stock, values), len(stock) - 1)] != values
                setattr(w, kind, getattr(w, kind)[keep])
                if kind == "passage":
                    w.passage_at = w.passage_at[keep]
    pairs = []
    for first, second in sorted(_candidates(words)):
        pair = compare(first, texts[first], words[first], second, texts[second], words[second])
        if pair is not None:
            pairs.append(pair)
    return pairs


def source_copies(sources: Mapping) -> list[CopyPair]:
    """:func:`possible_copies` of the articles of a seeds folder (kg.seeds.corpus.Source records), page
    furniture left out."""
    return possible_copies(
        {a: s.text for a, s in sources.items()},
        {a: [(x.start, x.end) for x in s.excluded] for a, s in sources.items()},
    )


def copy_quads(pairs: Iterable[CopyPair]) -> list[str]:
    """``article:A tdo:possibleCopyOf article:B`` both ways, in the provenance graph."""
    p, g = f"<{_TDO}possibleCopyOf>", f"<{PROVENANCE_GRAPH}>"
    out = []
    for pair in pairs:
        a, b = f"<{ARTICLE[pair.first]}>", f"<{ARTICLE[pair.second]}>"
        out += [f"{a} {p} {b} {g} .", f"{b} {p} {a} {g} ."]
    return out


def unexplained(pairs: Iterable[CopyPair], origins: Mapping[str, set[str]]) -> list[CopyPair]:
    """The pairs whose articles' facts name no common origin.

    Args:
        pairs: possible copies.
        origins: article id -> the origins of its facts (:func:`fact_origins`); an article
            without facts is left out, since it gives no origin to count twice.
    """
    return [
        p
        for p in pairs
        if p.first in origins and p.second in origins and not origins[p.first] & origins[p.second]
    ]


def copy_warnings(pairs: Iterable[CopyPair], origins: Mapping[str, set[str]]) -> list[str]:
    """One warning per possible copy whose facts name no common origin, with its passages."""
    out = []
    for p in unexplained(pairs, origins):
        n = p.passage_count
        lines = [
            f"{p.first} and {p.second} share {p.shared_words} words in {n} passage{'s' if n != 1 else ''} "
            f"outside quotations ({p.share:.0%} of the shorter), as copies of one story would, yet their "
            "facts name no common source, so they count as independent origins; if both relay one "
            "report, attribute their facts to it:"
        ]
        for passage in p.passages:
            lines.append(
                f'  "{_one_line(passage.text)}" ({p.first} {passage.first[0]}-{passage.first[1]}, '
                f"{p.second} {passage.second[0]}-{passage.second[1]})"
            )
        if n > len(p.passages):
            lines.append(f"  and {n - len(p.passages)} more")
        out.append("\n".join(lines))
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())
