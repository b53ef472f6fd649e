"""The report's charts as PNG files: the customer pyramid and the Pareto curve, drawn by
the helpers the lessons use (:mod:`custlib.plotting`)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from custlib import labels, period
from custlib.io import CRMData
from custlib.report.excel import _currency_code
from custlib.report.tables import _funnel_table, _pyramid_table, _year_revenue


def write_charts(crm: CRMData, folder: str | os.PathLike, as_of=None, *,
                 sheets: dict[str, pd.DataFrame] | None = None) -> list[Path]:
    """Write the report's charts as PNG files into ``folder``.

    ``pyramid.png`` (the customer pyramid of the last 12 months, digest §7: share of
    customers and revenue per tier, :func:`custlib.plotting.pyramid_chart`),
    ``pareto.png`` (the cumulative revenue curve of the last 12 months with the point
    where it reaches 80 %, :func:`custlib.plotting.pareto_chart`) and, when the funnel
    sheet exists, ``funnel.png`` (opportunities reaching each stage, digest §12). The
    pyramid and the Pareto curve are drawn by the helpers lesson 3 calls, so the report
    shows the lesson's pictures. Uses the course style and matplotlib's Agg backend.

    Parameters
    ----------
    crm : CRMData
        The loaded tables; ``orders`` is required.
    folder : path-like
        Where to write; created if needed. Existing files of the same name are
        replaced.
    as_of : date-like, optional
        The analysis date (default :func:`as_of_date`).
    sheets : dict of DataFrame, optional
        :func:`workbook_tables` of the same data and date, already computed (by the
        caller writing the workbook too): their pyramid and funnel tables are drawn
        instead of being computed again.

    Returns
    -------
    list of Path
        The PNG files written, in the order above.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import pandas as pd
    >>> from custlib.io import CRMData
    >>> o = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...                   "order_date": pd.to_datetime(["2025-02-01", "2025-11-30", "2024-03-01"]),
    ...                   "amount": [80_000, 12_000, 3_000]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_charts(CRMData(path=pathlib.Path(d), orders=o), d)]
    ['pyramid.png', 'pareto.png']
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from custlib.plotting import pareto_chart, use_course_style
    from custlib.pyramid import lorenz_curve, pareto_fraction

    use_course_style()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    as_of = period.as_of(crm, as_of)
    # only the two tables drawn: not the master table, the roll-ups or the model fit
    code = _currency_code(crm)
    written = []

    def save(fig, name):
        path = folder / name
        fig.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(fig)
        written.append(path)

    sheets = sheets or {}
    pyramid = sheets.get(labels.sheet_name("pyramid"))
    save(pyramid_chart(_pyramid_table(crm, as_of) if pyramid is None else pyramid, code),
         "pyramid.png")

    revenue = _year_revenue(crm, as_of)[2]
    fig, ax = plt.subplots(figsize=(7, 6))
    pareto_chart(lorenz_curve(revenue), pareto_fraction(revenue, 0.80), ax=ax,
                 title="Pareto curve (二八法则), last 12 months")
    save(fig, "pareto.png")

    if sheets:     # the workbook has a funnel sheet exactly when there is a funnel
        funnel = sheets.get(labels.sheet_name("funnel"))
    else:
        funnel = (_funnel_table(crm.opportunities)
                  if crm.opportunities is not None and "stage" in crm.opportunities else None)
    if funnel is not None:
        fig, ax = plt.subplots(figsize=(8, 4.5))
        ax.barh([str(i) for i in funnel.index][::-1], funnel["reached"].to_numpy()[::-1])
        ax.set_title("Opportunities reaching each stage (销售漏斗)")
        ax.set_xlabel("opportunities")
        save(fig, "funnel.png")
    return written


def pyramid_chart(pyramid: pd.DataFrame, code: str | None = None):
    """The customer pyramid of a pyramid sheet, in the course style: lesson 3's chart.

    :func:`custlib.plotting.pyramid_chart` (share of customers per tier to the left,
    revenue per tier to the right with its share), after
    :func:`custlib.plotting.use_course_style` for the Chinese glyphs.

    Parameters
    ----------
    pyramid : DataFrame
        The ``pyramid · 客户金字塔`` table of :func:`workbook_tables` (rows without
        revenue, the layers below the pyramid, are left out).
    code : str, optional
        Currency of the ticks and the axis label (default: the display currency).

    Returns
    -------
    matplotlib.figure.Figure
        Not closed: the caller saves or shows it. ``fig.axes[0]`` is the revenue panel.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> t = pd.DataFrame({"customers": [1, 3], "revenue": [120_000.0, 45_000.5],
    ...                   "share_customers": [0.25, 0.75], "share_revenue": [0.727, 0.273]},
    ...                  index=["vip", "key"])
    >>> fig = pyramid_chart(t, code="USD")
    >>> fig.axes[0].get_xlabel(), fig.axes[0].xaxis.get_major_formatter()(45_000.5)
    ('revenue (USD)', '$45k')
    >>> plt.close(fig)
    """
    from custlib import plotting

    plotting.use_course_style()  # the title has Chinese: the CJK fallback font
    return plotting.pyramid_chart(pyramid, code)
