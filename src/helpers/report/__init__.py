"""How results look: display tables, plots, the paper's figures, files on disk, chapter helpers.

- :mod:`~helpers.report.tables` — display tables in the paper's layout and the book's table style
- :mod:`~helpers.report.plots` — Kaplan–Meier, forest, love and score plots (drawing only)
- :mod:`~helpers.report.figures` — the paper's figures, one function per panel
- :mod:`~helpers.report.outputs` — CSV, PNG, SVG and results.json, written atomically
"""
