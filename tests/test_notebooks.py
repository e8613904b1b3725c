"""The book's notebooks: paired with their .ipynb, free of typed numbers, opening with how to re-run them.

That every notebook executes is checked by the book build itself (`make book`, run by `make test`):
a cell that raises fails it.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
BOOK_PAGES = sorted((ROOT / "book").glob("*.md"))

# What may be typed in prose: figure/table names, cut-off labels in category names,
# 1L/2L, citation years in parentheses or after an ampersand, and section signs.
ALLOWED = [
    r"\b(?:Tables?|Figures?)\s+\d+[A-D]?(?:\s*(?:[–-]|and|to)\s*\d+[A-D]?)*",  # Table 1, Figures 1A–D, Tables 4 and 5
    r"\b(?:Figure|Fig\.)\s*\d[A-D](?:[–/]\d?[A-D])*",
    r"[≥≤<>]\s?\d+",  # cut-off labels: ≥65, <6
    r"\b[12]L\b",
    r"(?:et al\.,?|&\s*\w+,?|\w+ and \w+,?)\s*\(?\d{4}\)?",  # citation years
    r"§\s*\d+(?:\.\d+)*",
    r"\b0/1\b",  # binary coding
    r"(?m)^\s*\d+\.\s",  # ordered-list markers
]
ROLE_OR_CODE = re.compile(r"\{[a-z:]+\}`[^`]*`|`[^`]*`|\$[^$]*\$|\(\w[\w-]*\)=|\]\([^)]*\)|<[^>]*>")
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?%?")


def _markdown_cells(path: Path) -> list[str]:
    nb = jupytext.read(path)
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def typed_numbers(text: str) -> list[str]:
    """Numbers typed in prose (outside roles, code, math, targets and the allowed patterns)."""
    # directive options (":name: table-1") and fences carry no prose
    lines = [ln for ln in text.splitlines() if not re.match(r"\s*(:\w[\w-]*:|```|:::)", ln)]
    text = re.sub(r"\$\$.*?\$\$", " ", "\n".join(lines), flags=re.S)  # display math
    text = ROLE_OR_CODE.sub(" ", text)
    for pattern in ALLOWED:
        text = re.sub(pattern, " ", text)
    return NUMBER.findall(text)


def test_typed_number_detector():
    assert typed_numbers("The median was 4.13 months") == ["4.13"]
    assert typed_numbers("The median was {glue:text}`efficacy_median:.2f` months") == []
    assert typed_numbers("see Table 1 and Figure 1A; patients aged ≥65; 2L-ICIs") == []
    assert typed_numbers("an ORR of 29.5% in 200 patients") == ["29.5%", "200"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_prose_has_no_typed_numbers(path):
    found = [n for cell in _markdown_cells(path) for n in typed_numbers(cell)]
    assert not found, f"{path.name}: numbers typed in prose (glue them): {found}"


@pytest.mark.parametrize("path", BOOK_PAGES, ids=lambda p: p.stem)
def test_book_pages_have_no_typed_numbers(path):
    found = typed_numbers(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}: numbers typed in prose (glue them): {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_pair_is_in_sync(path):
    paired = path.with_suffix(".ipynb")
    assert paired.exists(), f"{path.name} has no .ipynb pair: run jupytext --sync {path}"
    py_cells = [(c.cell_type, c.source.strip()) for c in jupytext.read(path).cells]
    nb_cells = [(c.cell_type, c.source.strip()) for c in nbformat.read(paired, as_version=4).cells]
    assert py_cells == nb_cells, f"{path.name} and its .ipynb differ: run jupytext --sync {path}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_opens_with_how_to_rerun_it(path):
    first = jupytext.read(path).cells[0]
    assert first.cell_type == "markdown" and "remove-cell" in first.metadata.get("tags", []), (
        f"{path.name}: the first cell must be the (hidden in the book) note on how to re-run the notebook"
    )
    for needed in ("make install", f"notebooks/{path.stem}.ipynb", f"notebooks/{path.stem}.py"):
        assert needed in first.source, f"{path.name}: the re-run note does not mention {needed!r}"


HTML = ROOT / "_build" / "html"


@pytest.mark.book
@pytest.mark.skipif(not (HTML / "index.html").exists(), reason="book not built (run make book)")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_downloadable_notebook_carries_its_outputs(path):
    # what a student gets from the page's download menu: the executed notebook, not the bare pair
    page = (HTML / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
    assert f"_sources/notebooks/{path.stem}.ipynb" in page, f"{path.stem}.html offers no .ipynb download"
    nb = nbformat.read(HTML / "_sources" / "notebooks" / f"{path.stem}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code), f"{path.stem}.ipynb: not executed"
    assert any(c.outputs for c in code), f"{path.stem}.ipynb carries no outputs"
    assert "make install" in nb.cells[0].source, f"{path.stem}.ipynb does not open with the re-run note"


def test_a_change_to_the_package_reexecutes_every_notebook_and_rereads_every_page():
    # jupyter-cache and Sphinx only see the notebooks' text; the Makefile must empty both when code changes
    import subprocess

    out = subprocess.run(
        ["make", "-n", "-W", "src/helpers/stats/survival.py", "execute"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "rm -rf _build/.jupyter_cache _build/.doctrees" in out
