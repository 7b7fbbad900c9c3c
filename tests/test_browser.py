"""The graph page in a real browser: Debian's headless chromium, offline, driven by selenium.

Each test writes its own page from a real build, opens it from disk with networking off, and
reads what vis-network holds from the page's ``network`` object. The main test leaves a
screenshot in build/graph.png for a person to look at.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from kg.rdf.vocabulary import vocabulary
from kg.viz import graph as viz

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ID = "https://w3id.org/trade-dispute/id/"
SCREENSHOT = ROOT / "build" / "graph.png"


@pytest.fixture(scope="module")
def browser():
    """Headless chromium with a fresh profile; skipped (with the reason) when it is absent."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never download a driver or browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-default-apps",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: nothing can be fetched
        "--window-size=1600,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_network_conditions(offline=True, latency=0, throughput=0)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, page: Path, timeout: float = 60.0) -> None:
    """Load a page from disk and wait until its layout has settled and physics is off."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(page.resolve().as_uri())
    deadline = time.monotonic() + timeout
    while not driver.execute_script("return window.kgReady === true"):
        assert time.monotonic() < deadline, "the layout did not settle"
        time.sleep(0.1)


def console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def hover_node(driver, node: str) -> str:
    """Move the mouse onto a node and return the text of the tooltip vis-network shows."""
    from selenium.webdriver.common.action_chains import ActionChains

    x, y, width, height = driver.execute_script(
        """var p = network.canvasToDOM(network.getPositions([arguments[0]])[arguments[0]]);
           var c = document.getElementById('mynetwork'); return [p.x, p.y, c.clientWidth, c.clientHeight];""",
        node,
    )
    canvas = driver.find_element("id", "mynetwork")
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(x - width / 2), int(y - height / 2)
    ).perform()
    ActionChains(driver).move_by_offset(1, 1).perform()
    deadline = time.monotonic() + 10
    while True:
        text = driver.execute_script(
            "var t = document.querySelector('div.vis-tooltip');"
            "return t && t.style.visibility === 'visible' ? t.innerText : null;"
        )
        if text:
            return text
        assert time.monotonic() < deadline, "no tooltip appeared"
        time.sleep(0.1)


def visible_nodes(driver) -> set[str]:
    return set(
        driver.execute_script(
            "return kgNodes.get({filter: function (n) { return !n.hidden; }}).map(function (n) { return n.id; });"
        )
    )


def test_graph_page_renders_offline_with_every_node_and_edge(browser, built, store, tmp_path):
    from kg.analysis.project import actor_graph

    graph = actor_graph(store)
    page = viz.write_graph_view(store, tmp_path / "graph.html").path

    open_page(browser, page)
    assert console_errors(browser) == []
    counts = browser.execute_script(
        "return [network.body.data.nodes.length, network.body.data.edges.length];"
    )
    assert counts == [graph.number_of_nodes(), graph.number_of_edges()] == [22, 132]
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert browser.execute_script("return network.physics.options.enabled") is False  # settled, then stopped
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT)) and SCREENSHOT.stat().st_size > 20_000

    # the tooltip of Japan names it and its type, and quotes an article
    tip = hover_node(browser, ID + "japan")
    assert (
        tip.startswith("Japan\ntype: state\nkey: japan") and "\u201c" in tip and "000_47059b8c57473c03" in tip
    )

    # focus on Japan, neighbours only: exactly its ego view stays visible
    browser.execute_script(
        "var f = document.getElementById('kg-find'); f.value = arguments[0]; f.dispatchEvent(new Event('change'));"
        "var b = document.getElementById('kg-neighbours'); b.checked = true; b.dispatchEvent(new Event('change'));",
        ID + "japan",
    )
    assert visible_nodes(browser) == set(viz.ego_view(graph, "japan", 1))
    # untick the people: every person disappears, nothing else does
    browser.execute_script(
        "document.getElementById('kg-reset').click();"
        "var b = document.querySelector('input.kg-cat[value=person]'); b.checked = false; b.dispatchEvent(new Event('change'));"
    )
    assert visible_nodes(browser) == {n for n, d in graph.nodes(data=True) if d["type"] != "Person"}
    assert console_errors(browser) == []


INJECTED_TEXT = (
    '<script>window.__pwned=1</script> and <img src=x onerror="window.__pwned=2"> with an href met Japan'
)
INJECTED_LABEL = '<script>window.__pwned=3</script><img src=x onerror="window.__pwned=4"> href'


def add_injection_article(seeds: Path) -> str:
    """An article, a registry entity and a fact whose label and quote are HTML and script."""
    data = f"The Herald reports that {INJECTED_TEXT}.\n".encode()
    digest = hashlib.sha256(data).hexdigest()
    article = f"900_{digest[:16]}"
    (seeds / "articles" / f"{article}.txt").write_bytes(data)
    with open(seeds / "sources.yaml", "a", encoding="utf-8") as f:
        f.write(
            f'\n{article}:\n  title: "Injection test"\n  outlet: null\n  author: null\n'
            f'  date: 2025-04-23\n  date_basis: "stated: test"\n  sha256: {digest}\n'
        )
    with open(seeds / "entities.yaml", "a", encoding="utf-8") as f:
        label = INJECTED_LABEL.replace('"', '\\"')
        f.write(
            f'\nevil-state:\n  type: State\n  label: "{label}"\nevil-meeting:\n  type: Meeting\n  label: Evil meeting\n'
        )
    quote = INJECTED_TEXT.replace('"', '\\"')
    (seeds / "facts" / f"{article}.yaml").write_text(
        f'article: {article}\nfacts:\n  - id: a900-evil-meeting\n    quote: "{quote}"\n'
        "    subject: evil-meeting\n    type: Meeting\n    participant: [evil-state, japan]\n",
        encoding="utf-8",
    )
    return article


def test_labels_and_quotes_of_markup_show_as_text_and_never_run(browser, seeds_copy, tmp_path):
    from kg.build.pipeline import build
    from kg.store import open_store

    article = add_injection_article(seeds_copy)
    build(seeds_copy, tmp_path / "build")
    page = viz.write_graph_view(open_store(tmp_path / "build"), tmp_path / "build" / "graph.html").path

    open_page(browser, page)
    evil = ID + "evil-state"
    assert browser.execute_script("return kgNodes.get(arguments[0]).tip.heading", evil) == INJECTED_LABEL
    tip = hover_node(browser, evil)
    assert tip.startswith(INJECTED_LABEL + "\n")  # the label, character for character, as text
    assert f"\u201c{INJECTED_TEXT}\u201d" in tip and article in tip  # the quote and its article
    state = browser.execute_script(
        "return [typeof window.__pwned, document.images.length, document.scripts.length,"
        " document.querySelectorAll('.vis-tooltip script, .vis-tooltip img, #kg-find script').length];"
    )
    assert state == ["undefined", 0, 2, 0]
    assert console_errors(browser) == []


@pytest.mark.slow
def test_a_graph_past_the_cap_is_cut_settles_and_stops(browser, tmp_path):
    """1,500 random nodes: cut to MAX_NODES by PageRank, warned about, laid out, then still."""
    import random

    import networkx as nx

    rng = random.Random(1)
    graph = nx.gnm_random_graph(1500, 3000, seed=1, directed=True)
    graph = nx.MultiDiGraph(graph)
    for n in graph:
        graph.nodes[n].update(label=f"entity {n}", type=rng.choice(sorted(vocabulary().classes)))
    for _, _, data in graph.edges(data=True):
        data.update(relation="participant", sign=rng.choice((-1, 0, 1)), weight=rng.randint(1, 3))
    rank = {n: rng.random() for n in graph}
    result = viz.render_graph(graph, tmp_path / "big.html", pagerank=rank)
    assert result.nodes == viz.MAX_NODES
    assert [w.split(":")[0] for w in result.warnings] == [
        "1500 nodes is more than a browser draws smoothly",
        f"{viz.MAX_NODES} nodes",
    ]

    started = time.monotonic()
    open_page(browser, result.path, timeout=120)
    wall = time.monotonic() - started
    settled, frame = browser.execute_script(
        "var t = performance.now(); for (var i = 0; i < 10; i++) { network.renderer._redraw(); }"
        "return [window.kgSettledMs, (performance.now() - t) / 10];"
    )
    print(
        f"\n{result.nodes} nodes, {result.edges} edges: page usable after {wall:.1f} s "
        f"(layout {settled / 1000:.1f} s), one frame {frame:.0f} ms"
    )
    assert browser.execute_script("return network.physics.options.enabled") is False
    assert browser.execute_script("return network.body.data.nodes.length") == viz.MAX_NODES
    assert (
        "1500 nodes is more than a browser draws smoothly"
        in browser.find_element("css selector", "p.warn").text
    )
    assert console_errors(browser) == []
