"""The article page (kg viz article) and the site of entity pages (kg site).

The first half checks the pages' HTML from a build of the seeds: what each page lists, the
policy that refuses every fetch, escaping, determinism and the command line. The second half
opens them in headless chromium, started as tests/test_browser.py starts it (offline, no name
resolves): the search, the hover, the Japan page, no console error and no request.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import snapshot
from test_browser import INJECTED_LABEL, INJECTED_TEXT, add_injection_article, browser, console_errors

from kg.cli import main
from kg.viz import article as pages
from kg.viz.page import csp_hash
from kg.viz.site import write_site

assert browser  # a fixture, used by the browser tests below

ARTICLE = "000_47059b8c57473c03"
JAPAN_ARTICLES = [
    "000_47059b8c57473c03",
    "001_c06ecbde632990cb",
    "002_412b91df41f90cca",
    "003_6d42f7f9f635dfa1",
]


@pytest.fixture(scope="module")
def site(built, store, tmp_path_factory) -> Path:
    """The site of the seeds' build."""
    return write_site(store, tmp_path_factory.mktemp("site") / "site").path


@pytest.fixture(scope="module")
def article_page(store, tmp_path_factory) -> Path:
    """The page of article 000, as kg viz article writes it."""
    return pages.write_article_page(store, "000", tmp_path_factory.mktemp("article") / "a.html")


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """A build of the seeds plus an article, an entity and a quote made of markup and script,
    its site, and the injected article's id."""
    import shutil

    from kg.build.pipeline import build
    from kg.store import open_store

    root = tmp_path_factory.mktemp("injected")
    seeds = root / "seeds"
    shutil.copytree(Path(__file__).resolve().parent.parent / "seeds", seeds)
    article = add_injection_article(seeds)
    build(seeds, root / "build")
    return write_site(open_store(root / "build"), root / "site").path, article


def section(html: str, name: str) -> str:
    """The HTML of one ``<section id=name>`` of a page."""
    start = html.index(f'<section id="{name}">')
    return html[start : html.index("</section>", start)]


def row_of(html: str, text: str) -> str:
    """The table row holding text."""
    at = html.index(text)
    return html[html.rindex("<tr>", 0, at) : html.index("</tr>", at)]


# ------------------------------------------------------------------------------ the article page


def test_segments_join_to_the_text_and_list_every_fact_over_them():
    text = "ANKARA\n\nChina asks Japan. Tokyo waits. Seoul too."
    quotes = [(8, 25, "ask"), (14, 24, "japan"), (20, 24, "inner"), (0, 6, "dateline")]
    segments = pages.segments(text, quotes, excluded=[(39, 49)])
    assert "".join(s.text for s in segments) == text
    covered = {s.text: s.facts for s in segments if s.kind == "quote"}
    assert covered == {
        "ANKARA": ("dateline",),
        "China ": ("ask",),
        "asks J": ("ask", "japan"),
        "apan": ("ask", "japan", "inner"),
        ".": ("ask",),
    }
    assert [s.depth for s in segments if s.kind == "quote"] == [1, 1, 2, 3, 1]
    assert [(s.text, s.kind) for s in segments if s.kind not in ("quote", "plain")] == [
        ("Tokyo waits.", "uncovered"),
        ("Seoul too.", "furniture"),
    ]


def test_the_article_page_marks_every_quote_at_its_offsets(store, article_page):
    from kg.viz.evidence import read_article

    evidence, article = read_article(store, ARTICLE)
    html = article_page.read_text(encoding="utf-8")
    assert len(article.facts) == 32 and "12/12 sentences quoted" in html
    marked: dict[str, str] = {}
    for ids, text in re.findall(r'<span class="q d\d" tabindex="0" data-f="([^"]*)">([^<]*)</span>', html):
        for fact in ids.split():
            marked[fact] = marked.get(fact, "") + text
    for fact in article.facts:  # every fact's spans hold its quote, in order (escaped as HTML)
        assert marked[fact.id].replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&") == fact.quote
        assert article.text[fact.start : fact.end] == fact.quote
    entry = html[html.index('id="fact-a000-letter"') :]
    entry = entry[: entry.index("</li>")]
    for words in (
        "reported",
        "2025-04-22",
        "sender",
        "Li Qiang",
        "recipient",
        "Shigeru Ishiba",
        "Kyodo News",
    ):
        assert words in entry
    assert "government sources" in entry and "https://w3id.org" not in entry  # labels, never IRIs


def test_the_article_text_is_escaped(injected):
    site, article = injected
    html = (site / "articles" / f"{article}.html").read_text(encoding="utf-8")
    text = html[html.index('<div id="kg-text"') : html.index("</div></article>")]
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text
    assert html.count("<script>") == 1  # the page's own script, nothing from the article
    entity = (site / "entities" / "evil-state.html").read_text(encoding="utf-8")
    assert "<script>window" not in entity and "&lt;script&gt;window.__pwned=3" in entity
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<script>window" not in index and "\\u003cscript\\u003ewindow.__pwned=3" in index


def test_kg_viz_article_takes_an_id_or_its_number(built, tmp_path):
    runner = CliRunner()
    out = tmp_path / "a.html"
    result = runner.invoke(main, ["viz", "article", "000", "--build-dir", str(built), "-o", str(out)])
    assert result.exit_code == 0 and result.output.strip() == str(out)
    assert out.read_text(encoding="utf-8").count('class="fact"') == 32
    result = runner.invoke(main, ["viz", "article", "003_6d42f7f9f635dfa1", "--build-dir", str(built)])
    assert result.exit_code == 0 and result.output.strip().endswith("article-003_6d42f7f9f635dfa1.html")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["viz", "article", "003_6d42f7f9f635dfa"],
            "error: no article '003_6d42f7f9f635dfa' in this build (did you mean '003_6d42f7f9f635dfa1'?)\n",
        ),
        (["viz", "article", "nothing"], "error: no article 'nothing' in this build (articles: 000_"),
        (["viz", "article"], "error: an article ID goes with PAGE 'article', as in: kg viz article 000\n"),
        (
            ["viz", "timeline", "000"],
            "error: an article ID goes with PAGE 'article', as in: kg viz article 000\n",
        ),
    ],
)
def test_kg_viz_article_mistakes_are_one_line(built, args, message):
    result = CliRunner().invoke(main, [*args, "--build-dir", str(built)])
    assert result.exit_code == 2 and result.output.startswith(message)
    assert "Traceback" not in result.output and result.output.count("\n") == 1


def test_without_a_build_the_pages_say_what_to_run(tmp_path):
    for args in (["viz", "article", "000"], ["site"]):
        result = CliRunner().invoke(main, [*args, "--build-dir", str(tmp_path / "build")])
        assert result.exit_code == 2
        assert result.output == f"error: no store at {tmp_path / 'build' / 'store'}: run 'kg build' first\n"


# ------------------------------------------------------------------------------ the site


def test_kg_site_writes_an_index_and_a_page_per_entity_and_article(built, tmp_path):
    result = CliRunner().invoke(main, ["site", "--build-dir", str(built), "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "site: 119 entity pages, 5 article pages",
        str(tmp_path / "s" / "index.html"),
    ]
    assert len(list((tmp_path / "s" / "entities").glob("*.html"))) == 119
    assert sorted(p.stem for p in (tmp_path / "s" / "articles").glob("*.html"))[0] == ARTICLE


def test_kg_site_gives_the_same_bytes_on_every_run(built, store, site, tmp_path):
    again = write_site(store, tmp_path / "again").path
    assert snapshot(again) == snapshot(site)
    write_site(store, tmp_path / "again", jobs=1)  # replacing a site of its own, in one process
    assert snapshot(tmp_path / "again") == snapshot(site)
    write_site(store, tmp_path / "again", jobs=3)
    assert snapshot(tmp_path / "again") == snapshot(site)


def test_a_failing_worker_is_reported_and_the_previous_site_stays(store, tmp_path, monkeypatch):
    import os

    import kg.viz.site as site_module
    from kg.errors import KgError

    out = write_site(store, tmp_path / "s").path
    before = snapshot(out)
    parent, real = os.getpid(), site_module.entity_html

    def fails_in_a_worker(site, iri):
        if os.getpid() != parent:
            raise RuntimeError("disk on fire")
        return real(site, iri)

    monkeypatch.setattr(site_module, "entity_html", fails_in_a_worker)
    with pytest.raises(KgError, match=r"writing the pages failed in a worker process \(exit code 1\)"):
        write_site(store, out, jobs=2)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["s"]  # no temporary folder left


def test_kg_site_replaces_only_a_folder_it_made(store, tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(Exception, match="is not a site kg made"):
        write_site(store, mine)
    assert [p.name for p in mine.iterdir()] == ["keep.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".notes")]  # no leftovers


def test_the_japan_page_lists_the_24_percent_reciprocal_tariff(site):
    html = (site / "entities" / "japan.html").read_text(encoding="utf-8")
    row = row_of(section(html, "measures"), ">US reciprocal tariff on Japan</a>")
    assert "is its target" in row
    rate = row[row.index('<b class="rate">24%</b>') :]
    rate = rate[: rate.index("</td>")]
    assert "<b>4</b> articles &middot; <b>4</b> independent origins" in rate
    assert re.findall(r'href="\.\./articles/([^".]+)\.html#fact-', rate) == JAPAN_ARTICLES
    assert "Prime Minister of Japan" in section(html, "posts") and "Shigeru Ishiba" in section(html, "posts")


def test_an_entity_page_lists_every_claim_about_it(site, store):
    from kg.sparql.query import execute

    about = execute(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a tdo:Claim ; rdf:subject id:us-reciprocal-tariff-on-japan ;"
        " rdf:predicate ?p FILTER(?p != rdf:type) }",
    ).rows[0]["n"]["value"]
    naming = execute(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a tdo:Claim ; rdf:object id:us-reciprocal-tariff-on-japan }",
    ).rows[0]["n"]["value"]
    html = (site / "entities" / "us-reciprocal-tariff-on-japan.html").read_text(encoding="utf-8")
    assert section(html, "about").count("<tr><td") == int(about)
    assert section(html, "naming").count("<tr><td") == int(naming)
    rate = row_of(section(html, "about"), '<td class="p">rate</td>')
    assert "24" in rate and "<b>4</b> independent origins" in rate
    assert rate.count('class="quote"') == 4  # one quote per fact, each linking to its article page
    assert "../articles/001_c06ecbde632990cb.html#fact-a001-" in rate


def test_contested_claims_stand_side_by_side(site):
    html = (site / "entities" / "us-tariffs-on-china.html").read_text(encoding="utf-8")
    contested = section(html, "contested")
    assert "different rate kinds" in contested and "145 and 245 are rates of different kinds" in contested
    sides = contested.split('<div class="side">')[1:]
    assert [re.search(r'<div class="value"><b>(\d+)</b> \((\w+)\)', s).groups() for s in sides] == [
        ("145", "baseline"),
        ("245", "maximum"),
    ]
    assert all("<b>2</b> independent origins" in s for s in sides)
    assert "145 and 245" in (site / "entities" / "china.html").read_text(
        encoding="utf-8"
    )  # its target's page


def test_pages_link_to_each_other_and_to_nothing_outside(site):
    names = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"]*)"', html):
            if href.startswith(("#", "data:")):
                continue
            if href.startswith("https://www.wikidata.org/wiki/Q"):  # a link to follow, never fetched
                continue
            target = (page.parent / href.split("#", 1)[0]).resolve().relative_to(site.resolve()).as_posix()
            assert target in names, f"{page.name} links to {href}"
        assert not re.search(r"\ssrc=", html), page.name  # nothing is loaded, not even from disk


def test_every_page_refuses_every_fetch_and_allows_only_its_own_inline_code(site, article_page):
    for page in [article_page, *sorted(site.rglob("*.html"))]:
        html = page.read_text(encoding="utf-8")
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
        policy = policy.replace("&#39;", "'")
        assert policy.startswith("default-src 'none'; base-uri 'none'; form-action 'none'; img-src data:")
        assert "unsafe" not in policy
        styles = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
        scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
        assert f"style-src {' '.join(dict.fromkeys(csp_hash(s) for s in styles))}" in policy
        if scripts:
            assert policy.endswith(f"script-src {' '.join(csp_hash(s) for s in scripts)}")
        else:
            assert "script-src" not in policy


def test_page_names_are_safe_file_names():
    assert pages.page_name("japan") == "japan"
    assert pages.page_name("../../x").startswith("k-") and "/" not in pages.page_name("a/b")
    assert pages.page_name("x" * 200).startswith("k-")
    assert hashlib.sha1(b"../../x").hexdigest()[:16] in pages.page_name("../../x")


# ------------------------------------------------------------------------------ in a browser


def open_page(driver, page: Path, ready: str | None = None) -> None:
    """Load a page from disk (dropping what earlier pages logged) and wait for its script."""
    driver.get_log("browser")
    driver.get(page.resolve().as_uri())
    deadline = time.monotonic() + 20
    while ready and not driver.execute_script(f"return window.{ready} === true"):
        assert time.monotonic() < deadline, f"{ready} was never set"
        time.sleep(0.05)


def requests(driver) -> int:
    return driver.execute_script("return performance.getEntriesByType('resource').length")


@pytest.mark.browser
def test_the_search_finds_akazawa_by_typing_aka(browser, site):
    open_page(browser, site / "index.html", "kgSearchReady")
    box = browser.find_element("id", "kg-search")
    box.send_keys("aka")
    results = browser.find_elements("css selector", "#kg-results li")
    assert results and results[0].text == "Akazawa Ryosei person"
    assert "Gen Nakatani person" in [r.text for r in results]  # "aka" inside a name ranks after
    assert browser.find_element("id", "kg-search-status").text == "7 entities match."
    box.send_keys("\n")  # Enter opens the first result
    deadline = time.monotonic() + 10
    while not browser.current_url.endswith("/entities/akazawa-ryosei.html"):
        assert time.monotonic() < deadline, browser.current_url
        time.sleep(0.05)
    assert browser.find_element("css selector", "h1").text == "Akazawa Ryosei"
    box = None
    open_page(browser, site / "index.html", "kgSearchReady")
    browser.find_element("id", "kg-search").send_keys("tokyo")  # an alias finds its entity
    first = browser.find_element("css selector", "#kg-results li")
    assert first.text.startswith("Tokyo place")
    assert "Japan state also called Tokyo" in [
        r.text for r in browser.find_elements("css selector", "#kg-results li")
    ]
    assert console_errors(browser) == [] and requests(browser) == 0


@pytest.mark.browser
def test_hovering_a_marked_passage_shows_its_fact(browser, article_page):
    from selenium.webdriver.common.action_chains import ActionChains

    open_page(browser, article_page, "kgArticleReady")
    panel = browser.find_element("id", "kg-panel")
    assert "a000-letter" not in panel.text
    span = browser.find_element("css selector", '#kg-text span.q[data-f="a000-letter"]')
    ActionChains(browser).move_to_element(span).perform()
    assert browser.find_element("id", "kg-panel-title").text == "1 fact quotes this passage"
    text = panel.text
    for words in (
        "a000-letter reported 2025-04-22",
        "Li Qiang's letter to Shigeru Ishiba on US tariffs",
        "sender Li Qiang",
        "recipient Shigeru Ishiba",
        "delivered by Wu Jianghao",
        "attribution Anadolu Agency (this article)",
        "Kyodo News",
        "government sources",
        "independent origin Kyodo News",
    ):
        assert words in text, words
    assert "https://" not in text
    # a passage two facts quote shows both, and clicking pins them while the pointer moves on
    both = browser.find_element(
        "css selector", '#kg-text span.q[data-f="a000-request-in-letter a000-letter"]'
    )
    both.click()
    elsewhere = browser.find_element("css selector", '#kg-text span.q[data-f="a000-dateline"]')
    ActionChains(browser).move_to_element(elsewhere).perform()
    assert browser.find_element("id", "kg-panel-title").text == "2 facts quote this passage"
    assert browser.execute_script("return document.querySelectorAll('#kg-text span.q.on').length") > 2
    assert console_errors(browser) == [] and requests(browser) == 0


@pytest.mark.browser
def test_a_quote_link_opens_the_article_at_its_fact(browser, site):
    open_page(browser, site / "articles" / f"{ARTICLE}.html")
    browser.get((site / "articles" / f"{ARTICLE}.html").resolve().as_uri() + "#fact-a000-japan-us-talks")
    deadline = time.monotonic() + 10
    while "a000-japan-us-talks" not in browser.find_element("id", "kg-panel").text:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert (
        browser.find_element("css selector", "#kg-facts li:target").get_attribute("id")
        == "fact-a000-japan-us-talks"
    )
    link = browser.find_element("css selector", "#kg-panel a[href$='entities/japan.html']")
    assert link.text == "Japan"  # inside the site, labels link to entity pages


@pytest.mark.browser
def test_the_japan_page_in_a_browser(browser, site):
    open_page(browser, site / "entities" / "japan.html")
    row = browser.find_element(
        "xpath", "//section[@id='measures']//tr[td/a[text()='US reciprocal tariff on Japan']]"
    )
    text = row.text
    assert "24% 4 articles · 4 independent origins" in text
    assert all(a in text for a in JAPAN_ARTICLES)
    nodes = browser.execute_script("return document.querySelectorAll('figure.ego circle').length")
    assert nodes == 13  # Japan and the 12 neighbours of most origins
    assert console_errors(browser) == [] and requests(browser) == 0


@pytest.mark.browser
def test_every_kind_of_page_opens_without_errors_or_requests(browser, site, article_page):
    for page in (
        site / "index.html",
        site / "articles" / f"{ARTICLE}.html",
        site / "entities" / "us-tariffs-on-china.html",
        site / "entities" / "prime-minister-of-japan.html",
        site / "entities" / "akazawa-ryosei.html",
        article_page,
    ):
        open_page(browser, page)
        assert console_errors(browser) == [], page.name
        assert requests(browser) == 0, page.name


@pytest.mark.browser
def test_markup_in_articles_and_labels_shows_as_text_and_never_runs(browser, injected):
    from selenium.webdriver.common.action_chains import ActionChains

    site, article = injected
    open_page(browser, site / "articles" / f"{article}.html", "kgArticleReady")
    assert INJECTED_TEXT in browser.find_element("id", "kg-text").text
    span = browser.find_element("css selector", "#kg-text span.q")
    ActionChains(browser).move_to_element(span).perform()
    assert INJECTED_LABEL in browser.find_element("id", "kg-panel").text
    state = "return [typeof window.__pwned, document.images.length, document.scripts.length]"
    assert browser.execute_script(state) == ["undefined", 0, 1]
    assert console_errors(browser) == []

    open_page(browser, site / "index.html", "kgSearchReady")
    browser.find_element("id", "kg-search").send_keys("pwned")
    assert browser.find_element("css selector", "#kg-results li a").text == INJECTED_LABEL
    assert browser.execute_script(state) == ["undefined", 0, 2]
    open_page(browser, site / "entities" / "evil-state.html")
    assert browser.find_element("css selector", "h1").text == INJECTED_LABEL
    assert browser.execute_script(state) == ["undefined", 0, 0]
    assert console_errors(browser) == []
