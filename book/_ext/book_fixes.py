"""Local Sphinx fixes for the book's HTML.

Jupyter Book 1 registers sphinx-thebe's inline configuration script twice, so
every page declares ``THEBE_JS_URL`` twice and the browser reports a console
error. This extension drops duplicate script entries before each page is
written, keeps Sphinx's automatic figure numbering off, and offers each
notebook page's notebook in the download menu as the build executed it, with
every glued table and figure under the cell that made it (the book reads the
jupytext .py files, so the theme would otherwise offer only the .py).

For the PDF (LaTeX) book, tables glued from pandas Stylers arrive as
``text/latex`` longtables, which MyST-NB would typeset as maths: they are
passed through as LaTeX, and the figure that holds one becomes a caption
paragraph above an unfloated table (a longtable cannot float, and may run
over several pages). When the PDF has been built (``make pdf``), the HTML
download menu offers it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jupytext
import nbformat
from docutils import nodes
from jupyter_cache import get_cache

TABLE_ENVIRONMENTS = ("\\begin{longtable}", "\\begin{tabular}")


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # the same inline script registered twice: once with filename None, once with ""
        key = (getattr(script, "filename", str(script)) or "", repr(sorted(getattr(script, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    # in place: the list is the builder's own, and handlers after this one (MathJax's
    # install_mathjax) add their scripts to it; a new list would silently drop them
    scripts[:] = unique


def _shown(output):
    """A glue record (``glue(..., display=False)``) as an ordinary display output.

    myst-nb places glued tables and figures in the page, not under their cell;
    a notebook front end ignores the record's prefixed MIME types, so the
    downloaded notebook carries them as plain display outputs instead.
    """
    prefix = output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix")
    if not prefix:
        return output
    data = {key[len(prefix) :]: value for key, value in output.get("data", {}).items() if key.startswith(prefix)}
    return nbformat.v4.new_output("display_data", data=data, metadata={"glue": output.metadata["scrapbook"]["name"]})


def _executed_notebook(app, pagename):
    """The page's notebook as this build executed it (from jupyter-cache), or None when it has no record."""
    cache_path = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    if not cache_path.exists():
        return None
    try:
        _, notebook = get_cache(cache_path).merge_match_into_notebook(
            jupytext.read(Path(app.srcdir) / f"{pagename}.py")
        )
    except KeyError:  # not executed through the cache (e.g. a build with execution off)
        return None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [_shown(output) for output in cell.outputs]
    return notebook


def _ipynb_download(app, pagename, templatename, context, doctree):
    """Offer the page's notebook in the theme's download menu, executed and with its outputs.

    Every table and figure appears under the cell that made it. The paired
    ``.ipynb`` of ``notebooks/`` (no outputs) is the fallback when the build
    did not execute the page. Either is written to ``_sources/`` under the
    page's name.
    """
    paired = Path(app.srcdir) / f"{pagename}.ipynb"
    if not paired.exists() or not (Path(app.srcdir) / f"{pagename}.py").exists():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    executed = _executed_notebook(app, pagename)
    if executed is None:
        shutil.copyfile(paired, target)
    else:
        nbformat.write(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def _no_sphinx_figure_numbers(app, config):
    """The book numbers figures and tables as the paper does ("Figure 1A", "Table 3").

    Jupyter Book 1 turns Sphinx's automatic numbering on whatever the
    configuration says, which would prefix every caption with "Fig. N".
    """
    config.numfig = False


def _latex_tables(app, doctree, docname):
    """LaTeX builds: Styler tables as raw LaTeX, their figures as caption-above paragraphs."""
    if app.builder.format != "latex":
        return
    for block in list(doctree.findall(nodes.math_block)):
        if "text_latex" in block.get("classes", []) and any(env in block.astext() for env in TABLE_ENVIRONMENTS):
            block.replace_self(nodes.raw("", block.astext(), format="latex", classes=["book-table"]))
    for figure in list(doctree.findall(nodes.figure)):
        if not any("book-table" in raw.get("classes", []) for raw in figure.findall(nodes.raw)):
            continue
        replacement = [nodes.target("", "", ids=list(figure["ids"]))] if figure["ids"] else []
        captions = [child for child in figure.children if isinstance(child, nodes.caption)]
        for caption in captions:
            paragraph = nodes.paragraph("", "", *caption.children, classes=["table-caption"])
            replacement.append(nodes.raw("", "\\par\\needspace{4\\baselineskip}\\noindent", format="latex"))
            replacement.append(paragraph)
        replacement += [child for child in figure.children if not isinstance(child, nodes.caption | nodes.legend)]
        figure.replace_self(replacement)


def _pdf_download(app, pagename, templatename, context, doctree):
    """Offer the PDF book in the download menu once ``make pdf`` has put it beside the HTML."""
    pdf = app.config.book_pdf
    if not pdf or not (Path(app.outdir) / pdf).exists():
        return
    buttons = context.get("header_buttons") or []
    for button in buttons:
        if button.get("label") == "download-buttons":
            button.setdefault("buttons", []).append(
                {
                    "type": "link",
                    "url": context["pathto"](pdf, 1),
                    "text": "The book (.pdf)",
                    "tooltip": "Download the whole book as PDF",
                    "icon": "fas fa-file-pdf",
                    "label": "download-book-pdf-button",
                }
            )


def setup(app):
    app.add_config_value("book_pdf", "", "html")
    app.connect("doctree-resolved", _latex_tables)
    app.connect("config-inited", _no_sphinx_figure_numbers, priority=900)
    # early: a handler that returns a template name stops the ones after it
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    app.connect("html-page-context", _ipynb_download, priority=100)
    app.connect("html-page-context", _pdf_download, priority=600)  # after the theme's buttons
    return {"parallel_read_safe": True, "parallel_write_safe": True}
