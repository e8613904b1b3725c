"""The PDF book (``make pdf``): every table and figure, the abstract's numbers, pages that render, no text past the margin.

Needs XeLaTeX (the PDF is built by ``make pdf``, which ``make test`` runs first when TeX is
installed) and poppler-utils (pdftotext, pdftoppm, pdfinfo). Skipped, with the reason, when
TeX is missing.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest

from .conftest import ROOT

PDF = ROOT / "_build" / "latex" / "book.pdf"
LOG = ROOT / "_build" / "latex" / "book.log"
FRONT_PAGE = ROOT / "_build" / "html" / "book" / "index.html"
CAPTIONS = [f"Table {n}" for n in range(1, 6)] + [f"Figure 1{p}" for p in "ABCD"]
CAPTIONS += ["Figure 2A", "Figure 2B"] + [f"Figure 3{p}" for p in "ABCD"]
MARGIN_PT = 18  # no word closer than this to the paper's edge
OVERFULL_PT = 5.0  # LaTeX may overshoot the text width by a hair, not by a column

pytestmark = [
    pytest.mark.book,
    pytest.mark.skipif(shutil.which("xelatex") is None, reason="XeLaTeX not installed: no PDF book (make pdf)"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]


@pytest.fixture(scope="module")
def pdf_text() -> str:
    assert PDF.exists(), "no PDF book: run make pdf (make test does when TeX is installed)"
    out = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", " ", out.stdout)


def test_every_table_and_figure_caption_is_in_the_pdf(pdf_text):
    missing = [c for c in CAPTIONS if c not in pdf_text]
    assert not missing, missing
    assert "{glue" not in pdf_text and "??" not in pdf_text


def test_the_abstract_numbers_match_the_html_book(pdf_text):
    """Every glued value of the front page (the structured abstract) is printed in the PDF too."""
    if not FRONT_PAGE.exists():
        pytest.skip("HTML book not built (make book)")
    page = FRONT_PAGE.read_text(encoding="utf-8")
    values = [html.unescape(v).strip() for v in re.findall(r'<span class="pasted-text">(.*?)</span>', page)]
    assert len(values) > 20, "the front page has no glued numbers"
    missing = [v for v in values if re.sub(r"\s+", " ", v) not in pdf_text]
    assert not missing, f"glued values of the front page missing from the PDF: {missing}"


def test_every_page_renders(tmp_path):
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(PDF), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == pages


def test_no_line_runs_past_the_margin():
    out = subprocess.run(["pdftotext", "-bbox", str(PDF), "-"], capture_output=True, text=True, check=True).stdout
    past = []
    for number, (width, body) in enumerate(
        re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', out, re.S), 1
    ):
        for x_min, x_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', body
        ):
            if float(x_min) < MARGIN_PT or float(x_max) > float(width) - MARGIN_PT:
                past.append((number, word))
    assert not past, f"words at the paper's edge (page, word): {past[:20]}"
    overfull = [
        float(pt) for pt in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", LOG.read_text(errors="replace"))
    ]
    too_wide = [pt for pt in overfull if pt > OVERFULL_PT]
    assert not too_wide, (
        f"{len(too_wide)} lines overshoot the text width by more than {OVERFULL_PT} pt: {sorted(too_wide)[-5:]}"
    )
