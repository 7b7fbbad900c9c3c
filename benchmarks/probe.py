"""What a plain answer of each competency query's shape costs on the same store: the probe.

A query that returns R rows holding T terms read from the store (IRIs and literals; not the
counts, concatenations and other values the query computes) has to find and decode those
terms. The probe asks the same store for an answer of that shape along the plainest path it
has: the provenance records of R facts, each a star of single-valued properties (``?fact a
tdo:Fact ; prov:wasDerivedFrom ?x1 ; tdo:modality ?x2 ...``), T / R terms per row (the fact
and T / R - 1 of its properties). Two plans
are timed, the star as lookups (one index scan, then a lookup per term) and, for large R, the
same columns as whole-property scans joined by hashing; the faster counts. When T / R is not
whole, the probe is interpolated between the two widths around it.

The probe is an estimate, not a bound: an answer whose terms repeat (a few states, the same
modalities) decodes fewer distinct terms and can beat it, and a query that must read many
more rows than it returns (dates found through every fact about an event) costs more than
its answer's shape. A query far above its probe has room left in its plan; for a query whose
probe is over a target, the shape of its answer alone costs about that much on this store.

Each query runs once to find its answer's shape, then its turns back to back, then its first 100
rows (the query with ``LIMIT 100``, what a page of results asks), then each probe plan (after a
run of its own that is not counted either), all through ``kg.sparql.query.execute`` as in
``benchmarks/run.py``; medians are compared. The targets (issue 20): the first 100 rows in
under 100 ms, the full answer within twice its probe.

Writes ``benchmarks/out/probe.md`` and ``probe.json``.

Example:
    python benchmarks/probe.py --build benchmarks/out/work/build-100000
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "benchmarks" / "out"
FIRST_ROWS = 100
FIRST_ROWS_MS = 100.0
"""Each competency query's first 100 rows (the query with LIMIT 100) in under this (issue 20)."""
PROBE_RATIO = 2.0
"""And its full answer in at most this many times its probe (issue 20)."""

_TDO = "https://w3id.org/trade-dispute/ontology#"
_PROVENANCE = "https://w3id.org/trade-dispute/graph/provenance"
PROBE_PROPERTIES = (
    "http://www.w3.org/ns/prov#wasDerivedFrom",
    _TDO + "modality",
    _TDO + "independentOrigin",
    _TDO + "annotation",
    _TDO + "sourceFile",
    _TDO + "sourceLine",
    _TDO + "quote",
)
"""Properties every fact's provenance record has exactly once (kg.build.quads.fact_quads writes them)."""
MAX_WIDTH = 1 + len(PROBE_PROPERTIES)
"""The widest probe row: the fact and one term per property."""

_COMMENT = re.compile(r"(^|\s)#[^\n]*")  # a '#' inside an IRI follows no space
_BOUND_BY_EXPRESSION = re.compile(r"\bAS\s+[?$](\w+)", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$](\w+)")
_PASSES_A_TERM = re.compile(r"^\s*(?:(?:SAMPLE|MIN|MAX|COALESCE|IF)\s*\(|[?$]\w+\s*$)", re.IGNORECASE)
"""Expressions whose value is one of the terms they are given: these bind a stored term."""


def _expression_before(text: str, at: int) -> str:
    """The expression that ends at ``at`` (an ``AS``), from the parenthesis that opens it."""
    depth = 0
    for i in range(at - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            if depth == 0:
                return text[i + 1 : at]
            depth -= 1
    return text[:at]


def computed_variables(query: str) -> set[str]:
    """Variables a query binds to values it makes (``(COUNT(?x) AS ?n)``, ``BIND(CONCAT(..) AS ?k)``).

    An expression that only hands on one of the terms it is given (``SAMPLE``, ``MIN``, ``MAX``,
    ``COALESCE``, ``IF``, or a bare variable) binds a term read from the store, unless every
    variable it reads is itself computed (``SAMPLE(?list)`` of a ``GROUP_CONCAT``). A variable
    bound to a stored term anywhere (one branch of a UNION) counts as stored.
    """
    text = _COMMENT.sub(r"\1", query)
    computed: set[str] = set()
    passing: list[tuple[str, set[str]]] = []
    for match in _BOUND_BY_EXPRESSION.finditer(text):
        expression = _expression_before(text, match.start())
        if _PASSES_A_TERM.match(expression):
            passing.append((match.group(1), set(_VARIABLE.findall(expression))))
        else:
            computed.add(match.group(1))
    changed = True
    while changed:  # a pass-through of computed values is computed, however deep the nesting
        changed = False
        for var, reads in passing:
            if var not in computed and reads and reads <= computed:
                computed.add(var)
                changed = True
    stored = {var for var, reads in passing if not reads or not reads <= computed}
    return computed - stored


def stored_terms(result, computed: set[str]) -> int:
    """How many bound values of a result are terms read from the store (not computed)."""
    columns = [v for v in result.variables if v not in computed]
    return sum(1 for row in result.rows for v in columns if row.get(v) is not None)


def star_probe(rows: int, width: int) -> str:
    """rows fact records of width terms each, found by one scan and a lookup per further term."""
    if not 1 <= width <= MAX_WIDTH:
        raise ValueError(f"width must be 1 to {MAX_WIDTH}, not {width}")
    terms = "".join(f" ; <{p}> ?x{i}" for i, p in enumerate(PROBE_PROPERTIES[: width - 1]))
    return f"SELECT * WHERE {{ GRAPH <{_PROVENANCE}> {{ ?fact a <{_TDO}Fact>{terms} }} }} LIMIT {rows}"


def hash_probe(rows: int, width: int) -> str:
    """star_probe's rows (the same facts when rows covers them all), each property scanned whole
    and joined by hashing."""
    if not 1 <= width <= MAX_WIDTH:
        raise ValueError(f"width must be 1 to {MAX_WIDTH}, not {width}")
    facts = f"{{ SELECT ?fact WHERE {{ GRAPH <{_PROVENANCE}> {{ ?fact a <{_TDO}Fact> }} }} LIMIT {rows} }}"
    columns = "".join(
        f" {{ SELECT ?fact ?x{i} WHERE {{ GRAPH <{_PROVENANCE}> {{ ?fact <{p}> ?x{i} }} }} }}"
        for i, p in enumerate(PROBE_PROPERTIES[: width - 1])
    )
    return f"SELECT * WHERE {{ {facts}{columns} }}"


def _once(store, text: str) -> tuple[float, object]:
    from kg.sparql.query import execute

    start = time.perf_counter()
    result = execute(store, text)
    return 1000 * (time.perf_counter() - start), result


def probe_plans(rows: int, width: int, facts: int) -> list[str]:
    """The probe queries to time for one shape: the star, and the hash join when rows are many."""
    plans = [star_probe(rows, width)]
    if width > 1 and rows >= facts // 20:  # below that, scanning every fact's property costs more
        plans.append(hash_probe(rows, width))
    return plans


def measure_query(store, name: str, text: str, facts: int, repeats: int, budget_ms: float) -> dict:
    """A competency query's median beside the probe for its answer's shape (probe_ms)."""
    elapsed, result = _once(store, text)
    rows = len(result.rows)
    terms = stored_terms(result, computed_variables(text))
    per_row = terms / rows if rows else 0.0
    probe_rows = min(rows, facts)
    low = min(MAX_WIDTH, max(1, math.floor(per_row)))
    high = min(MAX_WIDTH, low + 1)
    fraction = min(1.0, per_row - low) if per_row > low and low < MAX_WIDTH else 0.0
    shapes = {low: probe_plans(probe_rows, low, facts)}
    if fraction:
        shapes[high] = probe_plans(probe_rows, high, facts)
    # each runs its turns back to back, warm (the first run, which found the answer's shape, is
    # not counted), as a user asking again would see it: a query taking turns with its probes
    # would find the store's cache full of the other's blocks
    slow = elapsed >= budget_ms
    turns = 1 if slow else repeats
    query_times = [elapsed] if slow else [_once(store, text)[0] for _ in range(repeats)]
    first = f"{text.rstrip()}\nLIMIT {FIRST_ROWS}\n"  # what a page of results asks
    _once(store, first)
    first_times = [_once(store, first)[0] for _ in range(turns)]

    def timed(plan: str) -> float:
        _once(store, plan)  # not counted: the store's pages for this plan come in
        return statistics.median([_once(store, plan)[0] for _ in range(turns)])

    probes = {width: min(map(timed, plans)) for width, plans in shapes.items()} if probe_rows else {}
    probe = probes.get(low, 0.0)
    if fraction:
        probe += fraction * (probes[high] - probe)
    return {
        "query": name,
        "rows": rows,
        "stored_terms": terms,
        "terms_per_row": round(per_row, 2),
        "median_ms": statistics.median(query_times),
        "first_rows_ms": statistics.median(first_times),
        "runs": len(query_times),
        "probe_ms": probe,
        "probe_rows": probe_rows,
        "probe_widths": sorted(shapes),
        "capped": per_row > MAX_WIDTH or rows > facts,
    }


def rdflib_times(results_json: Path, facts: int) -> dict[str, str | float]:
    """rdflib's seconds per query at this corpus size from a benchmarks/run.py results.json:
    a number, or '> budget' when it was cut off, or 'error'."""
    try:
        sizes = json.loads(results_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    for size in sizes:
        if size.get("facts") != facts or not isinstance(size.get("baseline"), dict):
            continue
        base = size["baseline"]
        out: dict[str, str | float] = dict(base.get("queries") or {})
        out.update({k: f"> {v:g}" for k, v in (base.get("timeouts") or {}).items()})
        out.update({k: "error" for k in base.get("errors") or {}})
        return out
    return {}


def run(build_dir: Path, repeats: int, budget_s: float, results_json: Path, progress=print) -> dict:
    """Every competency query beside its probe, on the store in build_dir."""
    from kg.sparql.query import named_queries
    from kg.store import open_store

    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    facts = len(manifest["facts"])
    store = open_store(build_dir)
    rdflib = rdflib_times(results_json, facts)
    measured = []
    for name, path in sorted(named_queries().items()):
        if not name.startswith("cq-"):
            continue
        progress(f"{name} ...")
        row = measure_query(store, name, path.read_text(encoding="utf-8"), facts, repeats, 1000 * budget_s)
        if name in rdflib:
            row["rdflib"] = rdflib[name]
        measured.append(row)
        progress(f"  {row['median_ms']:.0f} ms, probe {row['probe_ms']:.0f} ms ({row['rows']} rows)")
    return {"facts": facts, "quads": manifest.get("quads"), "repeats": repeats, "queries": measured}


def verdict(row: dict) -> tuple[str, str]:
    """Each target: the first 100 rows under 100 ms; the full answer within twice its probe
    ("met" or "not met")."""
    first = "met" if row["first_rows_ms"] < FIRST_ROWS_MS else "not met"
    full = "met" if row["median_ms"] <= PROBE_RATIO * row["probe_ms"] else "not met"
    return first, full


def markdown(results: dict) -> str:
    lines = [
        f"Probes at {results['facts']:,} facts ({results['quads']:,} quads); medians of "
        f"{results['repeats']} runs, each query run back to back, then its first {FIRST_ROWS} rows, "
        "then its probes.",
        "",
        f"| query | rows | stored terms per row | first {FIRST_ROWS} rows (ms) | < {FIRST_ROWS_MS:g} ms "
        f"| full answer (ms) | probe (ms) | <= {PROBE_RATIO:g}x probe | rdflib (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["queries"]:
        first, full = verdict(row)
        rdflib = row.get("rdflib", "-")
        rdflib = f"{rdflib:.2f}" if isinstance(rdflib, float) else rdflib
        probe = f"{row['probe_ms']:.0f}" + (" (capped)" if row["capped"] else "")
        lines.append(
            f"| {row['query']} | {row['rows']:,} | {row['terms_per_row']:g} | {row['first_rows_ms']:.0f} | "
            f"{first} | {row['median_ms']:.0f} | {probe} | {full} | {rdflib} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=OUT / "work" / "build-100000", help="a built folder")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each query and probe (median)")
    parser.add_argument("--budget", type=float, default=5.0, help="a query slower than this (s) runs once")
    parser.add_argument(
        "--results", type=Path, default=OUT / "results.json", help="run.py's results, for rdflib"
    )
    parser.add_argument("--out", type=Path, default=OUT, help="where probe.md and probe.json go")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be 1 or more")
    if not (args.build / "manifest.json").exists():
        print(f"error: no build in {args.build} (build a corpus first, e.g. make bench)", file=sys.stderr)
        return 2
    from kg.errors import KgError

    try:
        results = run(
            args.build, args.repeats, args.budget, args.results, progress=lambda m: print(m, flush=True)
        )
    except KgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "probe.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (args.out / "probe.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
