"""A reproducible re-analysis of second-line ICIs in ES-SCLC: the package behind the book.

Layers, lowest first; every import points down (an import-linter contract in
pyproject.toml keeps it so):

- :mod:`helpers.paths`, :mod:`helpers.printed` — where the files are; numbers as the paper prints them
- :mod:`helpers.stats` — general survival statistics, no knowledge of this study
- :mod:`helpers.study` — this study: data contract, design, analyses, pipeline
- :mod:`helpers.paper` — the original study's printed numbers and the audits against them
- :mod:`helpers.synthetic` — the calibrated synthetic cohort
- :mod:`helpers.report` — display tables, plots, figures, files, chapter helpers
- :mod:`helpers.manuscript` — the analyses and audit of a cohort, computed once, for the chapters
- ``python -m helpers`` — the command line
"""

__version__ = "0.2.0"
