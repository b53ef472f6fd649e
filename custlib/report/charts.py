"""The report's charts as PNG files: the customer pyramid and the Pareto curve, drawn by
the helpers the lessons use (:mod:`custlib.plotting`)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from custlib import period
from custlib.io import CRMData
from custlib.report.excel import _currency_code
from custlib.report.tables import _funnel_table, _pyramid_table, _year_revenue


def write_charts(crm: CRMData, folder: str | os.PathLike, as_of=None) -> list[Path]:
    """Write the report's charts as PNG files into ``folder``.

    ``pyramid.png`` (revenue per tier of the customer pyramid, digest §7),
    ``pareto.png`` (the cumulative revenue curve of the last 12 months with the 80 %
    line) and, when the funnel sheet exists, ``funnel.png`` (opportunities reaching
    each stage, digest §12). Uses the course style and matplotlib's Agg backend.

    Parameters
    ----------
    crm : CRMData
        The loaded tables; ``orders`` is required.
    folder : path-like
        Where to write; created if needed. Existing files of the same name are
        replaced.
    as_of : date-like, optional
        The analysis date (default :func:`as_of_date`).

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

    from custlib.plotting import use_course_style
    from custlib.pyramid import lorenz_curve

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

    save(pyramid_chart(_pyramid_table(crm, as_of), code), "pyramid.png")

    revenue = _year_revenue(crm, as_of)[2]
    # the Pareto curve is the Lorenz curve read from the other end: largest customers first
    lorenz = lorenz_curve(revenue)
    x = 1 - lorenz["share_customers"].to_numpy()[::-1]
    y = 1 - lorenz["share_value"].to_numpy()[::-1]
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.plot(x, y, label="customers, largest first")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", label="all equal")
    ax.axhline(0.8, color="#d62728", lw=0.8)
    ax.set_title("Pareto curve (二八法则), last 12 months")
    ax.set_xlabel("share of customers")
    ax.set_ylabel("share of revenue")
    ax.legend()
    save(fig, "pareto.png")

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
    """Bar chart of the revenue per tier of a pyramid sheet, ticks in the data's currency.

    Drawn in the course style (:func:`custlib.plotting.use_course_style`).

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
        Not closed: the caller saves or shows it.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> t = pd.DataFrame({"revenue": [120_000.0, 45_000.5]}, index=["vip", "key"])
    >>> fig = pyramid_chart(t, code="USD")
    >>> fig.axes[0].get_xlabel(), fig.axes[0].xaxis.get_major_formatter()(45_000.5)
    ('revenue (USD)', '$45k')
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    from custlib.plotting import money_axis, use_course_style

    use_course_style()  # the title has Chinese: the CJK fallback font
    tiers = pyramid.dropna(subset=["revenue"]) if "revenue" in pyramid else pyramid
    tiers = tiers[[i != "total" for i in tiers.index]]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.barh([str(i) for i in tiers.index][::-1], tiers["revenue"].to_numpy()[::-1])
    money_axis(ax.xaxis, "revenue", code)
    ax.set_title("Revenue by tier of the customer pyramid (客户金字塔), last 12 months")
    return fig
