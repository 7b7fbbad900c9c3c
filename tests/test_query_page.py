"""The query page of kg serve in a real browser: it opens offline, lists the named queries, runs
one and shows labelled rows; it fetches nothing but its own server."""

from __future__ import annotations

import shutil
import time
import urllib.request

import pytest
from test_browser import chromium
from test_front import Serve

from kg.sparql.page import CSP, PageConfig, query_page
from kg.sparql.query import named_queries


def test_the_page_lists_every_named_query_with_its_question_and_refers_to_nothing_outside():
    html = query_page(PageConfig("/query"))
    for name in named_queries():
        if not name.endswith("-violation"):
            assert f'data-name="{name}"' in html
    assert "Who" in html  # the questions in words
    head = html.split("<body", 1)[0]
    assert "http" not in head and "prefix.cc" not in html


@pytest.fixture(scope="module")
def served(built):
    server = Serve(built)
    try:
        yield server
    finally:
        server.end()


def test_the_server_sends_the_page_to_browsers_and_text_to_others(served):
    request = urllib.request.Request(served.url + "/", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/html")
        assert response.headers["Content-Security-Policy"] == CSP
        assert b"/static/codemirror.js" in response.read()
    with urllib.request.urlopen(served.url + "/", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
    with urllib.request.urlopen(served.url + "/static/sparql.js", timeout=10) as response:
        assert b"CodeMirror" in response.read()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(served.url + "/static/../../etc/passwd", timeout=10)
    assert refused.value.code == 404


@pytest.fixture(scope="module")
def browser():
    """Headless chromium that reaches only loopback: the served page and its /query."""
    with chromium(offline=False, window="1400,1000") as driver:
        yield driver


def wait(driver, script: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (value := driver.execute_script(script)):
        assert time.monotonic() < deadline, f"timed out waiting for: {script}"
        time.sleep(0.1)
    return value


@pytest.mark.browser
@pytest.mark.server
def test_the_page_runs_a_named_query_and_shows_labelled_rows(served, browser):
    browser.get(served.url + "/")
    wait(browser, "return window.kgEditor !== undefined")
    names = browser.execute_script(
        "return [...document.querySelectorAll('.example')].map(b => b.dataset.name)"
    )
    assert "cq-letters" in names and "cq-who-said-what" in names
    browser.execute_script("document.querySelector('.example[data-name=\"cq-post-holders\"]').click()")
    rows = wait(
        browser, "const r = document.querySelectorAll('#results tbody tr'); return r.length ? r.length : 0"
    )
    assert rows > 0
    text = browser.execute_script("return document.getElementById('results').innerText")
    assert "Scott Bessent" in text  # a label, not id:scott-bessent
    assert "id:scott-bessent" not in text
    status = browser.execute_script("return document.getElementById('status').textContent")
    assert "row" in status
    # filtering the list by words of a question
    browser.execute_script(
        "const f = document.getElementById('filter'); f.value = 'letter'; f.dispatchEvent(new Event('input'))"
    )
    shown = browser.execute_script(
        "return [...document.querySelectorAll('#examples li')].filter(li => !li.hidden).length"
    )
    assert 0 < shown < len(names)
    # a query of its own, and a syntax error said in the page
    browser.execute_script("window.kgEditor.setValue('SELECT ?x WHERE { ?x tdo:rate }')")
    browser.execute_script("document.getElementById('run').click()")
    wait(browser, "return document.getElementById('status').className === 'error'")
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(r.startswith(served.url + "/") for r in resources), resources
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert [e for e in errors if "/query" not in e] == []  # the refused query is the only failure


@pytest.fixture(scope="module")
def with_site(built, tmp_path_factory):
    """A copy of the seed build with its entity site (kg site), served by kg serve."""
    from click.testing import CliRunner

    from kg.cli import main

    folder = tmp_path_factory.mktemp("served-site") / "build"
    shutil.copytree(built, folder, symlinks=True)
    result = CliRunner().invoke(main, ["site", "--build-dir", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    server = Serve(folder)
    try:
        yield server
    finally:
        server.end()


def test_with_a_site_the_page_links_entities_and_the_server_serves_only_the_site(with_site):
    request = urllib.request.Request(with_site.url + "/", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert b'"entityPages": "/site/entities/{key}.html"' in response.read()
    with urllib.request.urlopen(with_site.url + "/site/entities/japan.html", timeout=10) as response:
        assert b"Japan" in response.read()
    for path in ("/site/../kg.nq", "/site/%2e%2e/manifest.json", "/site/entities/nothing.html"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(with_site.url + path, timeout=10)
        assert refused.value.code == 404


@pytest.mark.browser
@pytest.mark.server
def test_result_iris_link_to_their_entity_pages(with_site, browser):
    browser.get(with_site.url + "/")
    wait(browser, "return window.kgEditor !== undefined")
    browser.execute_script("document.querySelector('.example[data-name=\"cq-post-holders\"]').click()")
    wait(browser, "return document.querySelectorAll('#results tbody a').length")
    href = browser.execute_script(
        "return [...document.querySelectorAll('#results tbody a')].find(a => a.textContent === 'Scott Bessent').href"
    )
    assert href == with_site.url + "/site/entities/scott-bessent.html"
    browser.get(href)
    assert "Scott Bessent" in browser.title or "Scott Bessent" in browser.page_source
