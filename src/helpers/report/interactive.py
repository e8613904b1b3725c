"""Long tables as searchable, sortable, paginated HTML (DataTables through ``itables``), offline.

The book is read without a network, so the DataTables library cannot come from
a CDN: :func:`interactive_table` embeds ``itables``' own bundle (JavaScript and
CSS, base64) once per page and the table after it, as one HTML object to glue.
A browser without JavaScript sees a plain HTML table instead. LaTeX cannot show
it: a chapter puts it in an ``{only} html`` block and gives a static table for
the PDF.

Needs the book's environment (``itables``); nothing else in the package imports it.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML
from itables import to_html_datatable
from itables.javascript import generate_init_offline_itables_html
from itables.options import dt_bundle

PAGE_LENGTHS = [10, 25, 50, 100, -1]


def interactive_table(frame: pd.DataFrame, *, table_id: str, page_length: int = 10, caption: str = "") -> HTML:
    """``frame`` as an offline DataTable: search box, sortable columns, pages of ``page_length`` rows.

    ``table_id`` must be unique on the page. The index is not shown: put the
    row names in its first column (left-aligned). Cells are shown as text, HTML-escaped.
    """
    init = generate_init_offline_itables_html(dt_bundle)
    table = to_html_datatable(
        frame.astype(str),
        caption=caption or None,
        table_id=table_id,
        connected=False,
        showIndex=False,
        pageLength=page_length,
        lengthMenu=[PAGE_LENGTHS, [str(n) if n > 0 else "All" for n in PAGE_LENGTHS]],
        classes="display compact",
        columnDefs=[{"className": "dt-left", "targets": 0}],  # the names read left-aligned
        allow_html=False,
    )
    return HTML(init + table)
