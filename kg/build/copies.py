"""Articles that may be copies of one story, found from their wording rather than their attribution.

Independent origins (:func:`kg.build.origins.independent_origin`) rest on the attribution an annotator
typed: two articles relaying one wire story without saying so count as two origins. This module
compares the articles' texts: word shingles, MinHash and LSH (datasketch) find the pairs worth
comparing, then the shingles the two share give the exact shared passages.

* **Words** are lower-cased runs of letters and digits outside page furniture (the source's
  excluded ranges) and outside quotations (“...”, "...", ‘...’, '...', «...», „...“): two
  articles quoting one speech share its words without copying each other. A quotation, a line
  break and an excluded range end a run of words: no shingle spans one.
* **Candidates**: one MinHash per article over its shingles of :data:`SKETCH_WORDS` words, in an
  LSH index of one row per band, so a pair is compared when any of its :data:`PERMUTATIONS`
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
which gives them a higher Jaccard similarity than longer shingles would, and the LSH index more
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


@dataclass(frozen=True)
class Passage:
    """Words two articles share, as written in each, with code-point offsets."""

    words: int
    text: str  # as written in the first article
    first: tuple[int, int]
    second: tuple[int, int]


@dataclass(frozen=True)
class CopyPair:
    """Two articles whose wording overlaps enough to be copies of one story."""

    first: str  # article ids, first < second
    second: str
    shared_words: int
    share: float  # shared words / words of the shorter article (outside quotations and furniture)
    passages: tuple[Passage, ...]  # longest first


@dataclass
class _Words:
    """An article's words outside quotations and furniture, and the hashes of their shingles."""

    spans: list[tuple[int, int]]  # code-point ranges no shingle crosses (each holds words)
    words: int
    passage: object  # numpy uint64: hashes of the PASSAGE_WORDS-word shingles, in text order
    passage_at: object  # numpy int: the word position where each starts
    sketch: object  # numpy uint64: the distinct hashes of its SKETCH_WORDS-word shingles
    offsets: tuple[list[int], list[int]] | None = None  # each word's start and end, once needed
    positions: dict[int, list[int]] | None = None  # passage shingle -> where it starts, once needed


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


def _offsets(text: str, w: _Words) -> tuple[list[int], list[int]]:
    """The start and end of each of the article's words (only needed to show passages)."""
    if w.offsets is not None:
        return w.offsets
    starts, ends = [], []
    for start, end in w.spans:
        for m in _WORD.finditer(text, start, end):
            starts.append(m.start())
            ends.append(m.end())
    w.offsets = (starts, ends)
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
    band of the LSH index, at most :data:`MOST_PARTNERS` per article (the ones whose sketches
    agree most), so that a corpus of templated text costs linear time, not quadratic."""
    import numpy as np
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(num_perm=PERMUTATIONS, params=(PERMUTATIONS, 1))
    template = MinHash(num_perm=PERMUTATIONS, seed=1, hashfunc=int)
    ids: list[str] = []
    values = []
    for article_id, w in words.items():
        if not len(w.sketch):
            continue
        m = MinHash(
            num_perm=PERMUTATIONS, hashfunc=int, permutations=template.permutations, scheme=template.scheme
        )
        m.update_batch((w.sketch & np.uint64(0xFFFFFFFF)).tolist())
        lsh.insert(len(ids), m)
        ids.append(article_id)
        values.append(m)
    if not ids:
        return set()
    matrix = np.stack([m.hashvalues for m in values])
    pairs = set()
    for i, m in enumerate(values):
        found = sorted(j for j in lsh.query(m) if j != i)
        if len(found) > MOST_PARTNERS:
            agree = (matrix[found] == matrix[i]).sum(axis=1)
            order = np.lexsort((np.array(found), -agree))  # most agreement first, then input order
            found = [found[k] for k in order[:MOST_PARTNERS]]
        for j in found:
            pairs.add((min(ids[i], ids[j]), max(ids[i], ids[j])))
    return pairs


def _runs(positions: Iterable[int]) -> list[tuple[int, int]]:
    """Maximal ranges [start, end) of consecutive word positions."""
    out: list[list[int]] = []
    for p in sorted(positions):
        if out and out[-1][1] == p:
            out[-1][1] = p + 1
        else:
            out.append([p, p + 1])
    return [(a, b) for a, b in out]


def _positions(w: _Words) -> dict[int, list[int]]:
    """Shingle hash -> the word positions where it starts (made once per article compared)."""
    if w.positions is None:
        w.positions = {}
        for h, at in zip(w.passage.tolist(), w.passage_at.tolist(), strict=True):
            w.positions.setdefault(h, []).append(at)
    return w.positions


def _covered(positions: dict[int, list[int]], shared: set[int]) -> set[int]:
    covered: set[int] = set()
    for h in shared:
        for p in positions[h]:
            covered.update(range(p, p + PASSAGE_WORDS))
    return covered


def compare(
    first_id: str, first_text: str, a: _Words, second_id: str, second_text: str, b: _Words
) -> CopyPair | None:
    """The pair, when the two articles share :data:`MIN_SHARED_WORDS` words in passages."""
    at_a, at_b = _positions(a), _positions(b)
    shared = at_a.keys() & at_b.keys()
    if len(shared) * PASSAGE_WORDS < MIN_SHARED_WORDS:  # too few shingles to cover that many words
        return None
    covered_a, covered_b = _covered(at_a, shared), _covered(at_b, shared)
    words = min(len(covered_a), len(covered_b))
    if words < MIN_SHARED_WORDS:
        return None
    a_starts, a_ends = _offsets(first_text, a)
    b_starts, b_ends = _offsets(second_text, b)
    first_shingle = {p: h for h in shared for p in at_a[h]}
    b_runs = _runs(covered_b)
    passages = []
    for start, end in _runs(covered_a):
        h = next(first_shingle[p] for p in range(start, end) if p in first_shingle)
        at = at_b[h][0]
        b_start, b_end = next((s, e) for s, e in b_runs if s <= at < e)
        span_a = (a_starts[start], a_ends[end - 1])
        span_b = (b_starts[b_start], b_ends[b_end - 1])
        passages.append(Passage(end - start, first_text[span_a[0] : span_a[1]], span_a, span_b))
    passages.sort(key=lambda p: (-p.words, p.first))
    shorter = min(a.words, b.words)
    return CopyPair(first_id, second_id, words, round(words / shorter, 3), tuple(passages))


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
            stock = found[counts > limit]
            for w in words.values():
                keep = ~np.isin(getattr(w, kind), stock)
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
        n = len(p.passages)
        lines = [
            f"{p.first} and {p.second} share {p.shared_words} words in {n} passage{'s' if n != 1 else ''} "
            f"outside quotations ({p.share:.0%} of the shorter), as copies of one story would, yet their "
            "facts name no common source, so they count as independent origins; if both relay one "
            "report, attribute their facts to it:"
        ]
        for passage in p.passages[:MOST_PASSAGES]:
            lines.append(
                f'  "{_one_line(passage.text)}" ({p.first} {passage.first[0]}-{passage.first[1]}, '
                f"{p.second} {passage.second[0]}-{passage.second[1]})"
            )
        if len(p.passages) > MOST_PASSAGES:
            lines.append(f"  and {len(p.passages) - MOST_PASSAGES} more")
        out.append("\n".join(lines))
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())
