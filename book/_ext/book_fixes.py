"""Local Sphinx fixes for the book's HTML.

Jupyter Book 1 registers sphinx-thebe's inline configuration script twice, so
every page declares ``THEBE_JS_URL`` twice and the browser reports a console
error. This extension drops duplicate script entries before each page is
written, keeps Sphinx's automatic figure numbering off, and offers each
notebook page's paired .ipynb in the download menu (the book reads the
jupytext .py files, so the theme would otherwise offer only the .py).
"""

from __future__ import annotations

import shutil
from pathlib import Path


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


def _ipynb_download(app, pagename, templatename, context, doctree):
    """Offer the page's paired .ipynb in the theme's download menu (and copy it beside the sources)."""
    src = Path(app.srcdir) / f"{pagename}.ipynb"
    if not src.exists() or not (Path(app.srcdir) / f"{pagename}.py").exists():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def _no_sphinx_figure_numbers(app, config):
    """The book numbers figures and tables as the paper does ("Figure 1A", "Table 3").

    Jupyter Book 1 turns Sphinx's automatic numbering on whatever the
    configuration says, which would prefix every caption with "Fig. N".
    """
    config.numfig = False


def setup(app):
    app.connect("config-inited", _no_sphinx_figure_numbers, priority=900)
    # early: a handler that returns a template name stops the ones after it
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    app.connect("html-page-context", _ipynb_download, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
