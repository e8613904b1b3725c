"""Long tables as searchable, sortable, paginated HTML (DataTables through ``itables``), offline.

The book is read without a network, so the DataTables library cannot come from
a CDN. A page shows :func:`datatables_library` once (``itables``' own bundle,
inlined) before its first :func:`interactive_table`; each table is then a small
HTML object to glue. A browser without JavaScript sees a plain HTML table. LaTeX
cannot show either: a chapter puts them in an ``{only} html`` block and gives a
static table for the PDF.

Needs the book's environment (``itables``).
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML
from itables import to_html_datatable
from itables.javascript import generate_init_offline_itables_html
from itables.options import dt_bundle

PAGE_LENGTH = 10
PAGE_LENGTHS = [10, 25, 50, 100, -1]  # -1: all rows


def datatables_library() -> HTML:
    """The DataTables library, inlined in the page (no network).

    Display it once per page, in a cell whose output stays on the page (its
    input hidden), before the first interactive table.
    """
    return HTML(generate_init_offline_itables_html(dt_bundle))


def interactive_table(frame: pd.DataFrame, *, page_length: int = PAGE_LENGTH, caption: str = "") -> HTML:
    """``frame`` as a DataTable: search box, sortable columns, pages of ``page_length`` rows, every row kept.

    The index is not shown: put the row names in the first column (it reads
    left-aligned). Cells are shown as text, HTML-escaped. Needs the library on
    the page: see :func:`datatables_library`.
    """
    html = to_html_datatable(
        frame.astype(str),
        caption=caption or None,
        connected=False,
        maxBytes=0,  # never downsample: the point of a listing is every row
        showIndex=False,
        pageLength=page_length,
        lengthMenu=[PAGE_LENGTHS, [str(n) if n > 0 else "All" for n in PAGE_LENGTHS]],
        classes="display compact",
        style="table-layout:auto;width:100%;margin:auto;caption-side:bottom",
        columnDefs=[{"className": "dt-left", "targets": 0}],
        allow_html=False,
        display_logo_when_loading=False,
    )
    return HTML(html)
