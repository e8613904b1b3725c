# IPython kernel settings for the book's notebooks; `make install` copies this file to
# .venv/etc/ipython/, where every kernel of the project's environment reads it.
c = get_config()  # noqa: F821

# Matplotlib figures as vector graphics besides the PNG: the HTML book shows the SVG,
# the PDF book embeds the PDF (MyST-NB picks the best format per output).
c.InlineBackend.figure_formats = {"png", "svg", "pdf"}
# Fonts embedded as TrueType in the PDF figures (matplotlib's default is Type 3).
c.InlineBackend.rc = {"pdf.fonttype": 42}


# Every pandas Styler (the book's tables) also as LaTeX, for the PDF book: the HTML book
# shows the Styler's HTML, the PDF book this longtable (helpers.report.tables.latex_table).
def _styler_latex(styler):
    from helpers.report.tables import latex_table

    return latex_table(styler)


c.LatexFormatter.deferred_printers = {("pandas.io.formats.style", "Styler"): _styler_latex}
