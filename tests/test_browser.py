"""The built book, opened page by page in headless Chromium (as readers meet it).

Needs `_build/html` (``make book``; ``make test`` builds it first) and Chromium
(`/usr/bin/chromium`, installed by `.ci/run`). Every page is opened at a desktop
width (1,400 px) and a phone width (390 px). At both: no console errors, every
image loaded, no page wider than the window (wide tables scroll in their own
box), maths typeset by MathJax, every figure a vector image or at least twice
its displayed size, table captions above their tables, the expected tables and
figures present, no unresolved glue or reference; the front page cites the
original study with its DOI. A screenshot of each page at each width is kept
under artifacts/screenshots.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socketserver
import threading

import pytest

from .conftest import ROOT

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.book,
    pytest.mark.skipif(not (HTML / "index.html").exists(), reason="book not built (run make book)"),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (.ci/run installs it)"),
]

# page -> ids that must be on it (the paper's tables and figures, numbered as in the paper)
EXPECTED = {
    "notebooks/baseline.html": ["table-1"],
    "notebooks/efficacy.html": ["figure-1a", "figure-1b", "figure-1c", "figure-1d"],
    "notebooks/response.html": ["table-2"],
    "notebooks/safety.html": ["table-3"],
    "notebooks/cox.html": ["table-4", "table-5"],
    "notebooks/subgroups.html": ["figure-2a", "figure-2b", "figure-3a", "figure-3b", "figure-3c", "figure-3d"],
    "notebooks/fidelity.html": [],
}
UNRESOLVED = ("{glue", "glue:text", "glue:figure", "Reference not found", "??", "undefined label", ":::")
WIDTHS = {"desktop": 1400, "phone": 390}
DOI = "10.3389/fimmu.2025.1658017"  # the original study (book/references.bib)


def _pages() -> list[str]:
    skip = {"genindex.html", "search.html"}
    return sorted(
        str(p.relative_to(HTML)) for p in HTML.rglob("*.html") if p.name not in skip and "_static" not in p.parts
    )


@pytest.fixture(scope="module")
def server():
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    class Quiet(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    httpd = Quiet(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(HTML)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        profile = tmp_path_factory.mktemp("chromium-profile")
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": WIDTHS["desktop"], "height": 900},
        )
        yield context
        context.close()


def test_every_expected_page_was_built():
    pages = set(_pages())
    missing = [p for p in EXPECTED if p not in pages]
    assert not missing, missing


def _has_maths(page: str) -> bool:
    """Sphinx marks inline and display maths with class="math" (MathJax input \\( \\) or \\[ \\])."""
    return 'class="math' in (HTML / page).read_text(encoding="utf-8")


def _check_maths(tab, page: str) -> None:
    """On a page with maths, MathJax (served by the book itself) has typeset every formula."""
    if not _has_maths(page):
        return
    assert tab.evaluate("typeof window.MathJax") == "object", f"{page}: MathJax not loaded"
    tab.wait_for_function("window.MathJax.startup && window.MathJax.startup.promise", timeout=20_000)
    tab.evaluate("window.MathJax.startup.promise")
    typeset = tab.evaluate("document.querySelectorAll('mjx-container').length")
    assert typeset > 0, f"{page}: no formula typeset"
    text = tab.inner_text("main")
    raw = [marker for marker in ("\\(", "\\[") if marker in text]
    assert not raw, f"{page}: raw LaTeX left in the text {raw}"


def _check_width(tab, page: str, width: int) -> None:
    """The document is no wider than the window: nothing makes the whole page scroll sideways."""
    document = tab.evaluate("document.documentElement.scrollWidth")
    assert document <= width, f"{page} at {width} px: the page is {document} px wide"


def _check_figures(tab, page: str) -> None:
    """Every figure in the text is an SVG or a bitmap at least twice the size it is shown at."""
    images = tab.evaluate(
        """Array.from(document.querySelectorAll('main img')).map(i => ({
            src: i.currentSrc || i.src, natural: i.naturalWidth, shown: i.getBoundingClientRect().width}))"""
    )
    soft = [i for i in images if not i["src"].split("?")[0].endswith(".svg") and i["natural"] < 2 * i["shown"]]
    assert not soft, f"{page}: bitmap figures below twice their display size {soft}"


def _check_table_captions(tab, page: str) -> None:
    """A captioned table (a figure holding a table) shows its caption above the table."""
    misplaced = tab.evaluate(
        """Array.from(document.querySelectorAll('main figure')).filter(f => f.querySelector('table')
            && f.querySelector('figcaption')).filter(f => f.querySelector('figcaption').getBoundingClientRect().top
            > f.querySelector('table').getBoundingClientRect().top).map(f => f.id)"""
    )
    assert not misplaced, f"{page}: table captions below their tables {misplaced}"


def _open(browser, server, page: str, width: int):
    tab = browser.new_page()
    tab.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(f"{server}/{page}", wait_until="load")
    try:
        tab.wait_for_load_state("networkidle", timeout=10_000)
    except Exception:  # a slow font or script request; the checks below wait for what they need
        pass
    return tab, errors


def _screenshot(tab, page: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = page.replace("/", "__").removesuffix(".html")
    tab.screenshot(path=str(SHOTS / f"{stem}{'' if name == 'desktop' else '.' + name}.png"), full_page=True)


@pytest.mark.parametrize("page", _pages() if HTML.exists() else [])
def test_page_renders_cleanly(server, browser, page):
    tab, errors = _open(browser, server, page, WIDTHS["desktop"])
    try:
        broken = tab.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        assert not broken, f"images not loaded: {broken}"
        for anchor in EXPECTED.get(page, []):
            assert tab.locator(f"[id='{anchor}']").count() == 1, f"{page}: #{anchor} missing"
        text = tab.inner_text("main") if tab.locator("main").count() else tab.inner_text("body")
        leftovers = [u for u in UNRESOLVED if u in text]
        assert not leftovers, f"{page}: unresolved text {leftovers}"
        _check_maths(tab, page)
        _check_width(tab, page, WIDTHS["desktop"])
        _check_figures(tab, page)
        _check_table_captions(tab, page)
        assert not errors, f"{page}: console errors {errors}"
    finally:
        _screenshot(tab, page, "desktop")
        tab.close()


@pytest.mark.parametrize("page", _pages() if HTML.exists() else [])
def test_page_fits_a_phone(server, browser, page):
    tab, errors = _open(browser, server, page, WIDTHS["phone"])
    try:
        _check_maths(tab, page)
        _check_width(tab, page, WIDTHS["phone"])
        _check_figures(tab, page)
        _check_table_captions(tab, page)
        assert not errors, f"{page}: console errors {errors}"
    finally:
        _screenshot(tab, page, "phone")
        tab.close()


def test_front_page_cites_the_original_study(server, browser):
    tab, _ = _open(browser, server, "book/index.html", WIDTHS["desktop"])
    try:
        links = tab.evaluate("Array.from(document.querySelectorAll('main a')).map(a => [a.href, a.innerText])")
        doi_links = [text for href, text in links if href == f"https://doi.org/{DOI}" and DOI in text]
        assert doi_links, "the front page shows no DOI link to the original study"
        citation = tab.locator("main a[href*='references.html']")
        assert citation.count() >= 1, "the front page has no citation linking to the references"
        footer = tab.inner_text("footer.bd-footer-content")
        assert "The reproduction team" in footer and "MIT" in footer, footer
    finally:
        tab.close()
    tab, _ = _open(browser, server, "book/references.html", WIDTHS["desktop"])
    try:
        text = tab.inner_text("main")
        assert "Frontiers in Immunology" in text and DOI in text
    finally:
        tab.close()


def test_download_menu_offers_the_pdf_book(server, browser):
    """After make pdf, the HTML book's download menu links the PDF (make test builds the PDF first)."""
    if not (HTML / "book.pdf").exists():
        pytest.skip("no PDF book beside the HTML (make pdf needs TeX)")
    tab, _ = _open(browser, server, "notebooks/efficacy.html", WIDTHS["desktop"])
    try:
        hrefs = tab.evaluate("Array.from(document.querySelectorAll('.dropdown-download-buttons a')).map(a => a.href)")
        assert any(h.endswith("/book.pdf") for h in hrefs), hrefs
        response = tab.request.get(f"{server}/book.pdf")
        assert response.ok and response.body()[:4] == b"%PDF"
    finally:
        tab.close()
