"""Redraw the screenshots of docs/viz.md: the actor view, the timeline, an article page, the Japan page.

Writes each page with the ``kg`` command line from a build (``kg build`` first), opens it in
headless chromium (Debian's ``chromium`` and ``chromium-driver``), offline, and saves a PNG:

    python docs/screenshots.py --build-dir build --out docs/img

The pages are written to a temporary folder; only the PNGs land in --out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTICLE = "000"
"""The article shown (its number), and the passage hovered in it: the letter's delivery."""
HOVER = '#kg-text span.q[data-f="a000-letter"]'


def kg(*args: str) -> str:
    """Run a kg command; its standard output (the path written)."""
    done = subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def browser(width: int, height: int):
    """Headless chromium with a fresh profile and no network, as tests/test_browser.py starts it."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        raise SystemExit(
            "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        )
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never download a driver or browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

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
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--window-size={width},{height}",
        f"--user-data-dir={tempfile.mkdtemp(prefix='kg-shots-')}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_network_conditions(offline=True, latency=0, throughput=0)
    return driver


def wait_for(driver, script: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not driver.execute_script(script):
        if time.monotonic() > deadline:
            raise SystemExit(f"the page never got ready ({script})")
        time.sleep(0.1)


def shoot(page: Path, png: Path, *, ready: str, size: tuple[int, int] = (1400, 900), then: str = "") -> None:
    """Open page, wait until ready is true, run then, and save the viewport as png."""
    driver = browser(*size)
    try:
        driver.get(page.resolve().as_uri())
        wait_for(driver, f"return document.readyState === 'complete' && ({ready})")
        if then:
            driver.execute_script(then)
        time.sleep(0.5)  # let the last paint land
        png.parent.mkdir(parents=True, exist_ok=True)
        if not driver.save_screenshot(str(png)):
            raise SystemExit(f"could not save {png}")
    finally:
        driver.quit()
    print(png)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", type=Path, default=Path("build"), help="a kg build (default build)")
    parser.add_argument(
        "--out", type=Path, default=Path("docs/img"), help="where the PNGs go (default docs/img)"
    )
    args = parser.parse_args(argv)
    build = str(args.build_dir)
    work = Path(tempfile.mkdtemp(prefix="kg-screenshots-"))
    try:
        graph = Path(kg("viz", "--build-dir", build, "--output", str(work / "graph.html")))
        timeline = Path(kg("viz", "timeline", "--build-dir", build, "--output", str(work / "timeline.html")))
        site = Path(kg("site", "--build-dir", build, "--out", str(work / "site"))).parent
        article = sorted((site / "articles").glob(f"{ARTICLE}_*.html"))[0]

        shoot(graph, args.out / "graph.png", ready="window.kgReady !== false")
        shoot(timeline, args.out / "timeline.png", ready="true", size=(1400, 1000))
        hover = (
            f"var s = document.querySelector('{HOVER}');"
            "s.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));"
            "window.scrollTo(0, s.getBoundingClientRect().top - 260);"
        )
        shoot(article, args.out / "article.png", ready="window.kgArticleReady === true", then=hover)
        shoot(
            site / "entities" / "japan.html", args.out / "entity-japan.png", ready="true", size=(1400, 1300)
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
