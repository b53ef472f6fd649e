"""The manager's Excel workbook: the master table, its roll-ups and the pyramid.

Written with openpyxl; one sheet per table, bilingual sheet names, written to a
temporary file and renamed so a failed run leaves no partial workbook.

Every window is :func:`custlib.period.window` up to :func:`custlib.period.as_of`, the
same as the lessons', so the HTML pages and the Excel file cannot disagree by a day.
The pyramid's cut-offs are :func:`custlib.pyramid.pyramid_cutoffs` of the data (the
case's for the bundled data, the user's or the data's own otherwise). Money cells
keep their cents and carry the currency's number format (:func:`custlib.money.excel_format`).
"""

from __future__ import annotations

import csv as _csv
import os
import tempfile
from pathlib import Path

import pandas as pd

from custlib import money, period
from custlib.data import CRMData
from custlib.ingest import FORMULA_START  # one rule for every CSV written
from custlib.policy import WORKBOOK
from custlib.pyramid import (abc_classes, customer_layers, layer_counts, pareto_fraction,
                             pyramid_cutoffs, tier_table, tiers_by_threshold, top_share)
from custlib.workbook import (ROLLUP_NAMES, classification_summary, master_table,
                              open_opportunities, purchase_summary, upgrade_analysis)

__all__ = ["as_of_date", "workbook_tables", "write_workbook", "write_charts", "pyramid_chart",
           "MONEY_COLUMNS", "PYRAMID_SHEET"]

#: Columns of the workbook's sheets that hold money: written unrounded, shown with the
#: currency's number format.
MONEY_COLUMNS = frozenset({"revenue", "avg_revenue", "min_revenue", "max_revenue", "cut_off",
                           "revenue_12m", "expected_value", "expected_sales_value",
                           "event_deal_amount", "upgrade_value", "deal_amount"})

#: The sheet of the customer pyramid.
PYRAMID_SHEET = "pyramid · 客户金字塔"


def as_of_date(crm: CRMData) -> pd.Timestamp:
    """The analysis date of a dataset: :func:`custlib.period.as_of`.

    The date stated with the data (mapping, ``--as-of``, ``load(as_of=...)``), else the
    latest order or activity date, at midnight.

    Parameters
    ----------
    crm : CRMData
        Needs ``orders`` (``order_date``, datetime64); ``activities`` is used when
        present and not empty.

    Returns
    -------
    Timestamp
        The date, normalised to midnight.

    Examples
    --------
    >>> import pathlib
    >>> import pandas as pd
    >>> from custlib.data import CRMData
    >>> o = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...                   "order_date": pd.to_datetime(["2025-02-01", "2025-11-30", "2024-03-01"]),
    ...                   "amount": [80_000, 12_000, 3_000]})
    >>> as_of_date(CRMData(path=pathlib.Path("."), orders=o)).date().isoformat()
    '2025-11-30'
    """
    return period.as_of(crm)


def _year_revenue(crm: CRMData, as_of) -> tuple[pd.Timestamp, pd.Timestamp, pd.Series]:
    """The window of the last 12 months and the positive revenue per customer in it."""
    start, end = period.window(as_of, WORKBOOK.revenue_months)
    revenue = period.revenue_by_customer(crm.orders, start, end)
    return start, end, revenue[revenue > 0]


def workbook_tables(crm: CRMData, as_of=None) -> dict[str, pd.DataFrame]:
    """Every sheet of the manager's workbook, by sheet name (English · Chinese).

    The analyses of the last 12 months (:func:`custlib.period.window` up to ``as_of``)
    that a manager reviews (digest §7, §10–§12):

    * ``pyramid · 客户金字塔`` — :func:`custlib.pyramid.tier_table` of the revenue by
      the threshold tiers (§7), with each tier's ``cut_off`` (the revenue its
      customers exceed: :func:`custlib.pyramid.pyramid_cutoffs` of the data), plus the
      inactive / prospect / suspect counts when customers are loaded; the sentence
      saying which cut-offs were used is in the table's ``attrs["note"]``;
    * with customers: ``master · 客户分析总表`` (:func:`custlib.workbook.master_table`)
      and ``classification · 客户分类汇总表`` (§11);
    * with opportunities: ``organisation · 单位购买汇总表``, ``individual · 个人购买汇总表``
      and ``upgrades · 用户升级分析表`` (§11);
    * then the analysis tables: ``pareto · 二八法则`` (top shares, 80 % fraction, ABC
      counts; §7), ``lifecycle · 生命周期`` (customers per stage in both schemes; §5)
      and, with opportunities, ``funnel · 销售漏斗`` (§12) and ``grades · 客户分级`` (§10).

    Sheets whose tables are missing are left out.

    Parameters
    ----------
    crm : CRMData
        The loaded tables; ``orders`` is required.
    as_of : date-like, optional
        The analysis date (default :func:`as_of_date`).

    Returns
    -------
    dict of str to DataFrame
        Sheet name to table, the §11 roll-ups first, then the analysis tables. Money
        columns (:data:`MONEY_COLUMNS`) keep their cents.

    Raises
    ------
    ValueError
        A table that fails the checks of the functions it feeds.

    Examples
    --------
    >>> import pathlib
    >>> import pandas as pd
    >>> from custlib.data import CRMData
    >>> o = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...                   "order_date": pd.to_datetime(["2025-02-01", "2025-11-30", "2024-03-01"]),
    ...                   "amount": [80_000, 12_000, 3_000]})
    >>> sheets = workbook_tables(CRMData(path=pathlib.Path("."), orders=o))
    >>> list(sheets)
    ['pyramid · 客户金字塔', 'pareto · 二八法则', 'lifecycle · 生命周期']
    >>> pyramid = sheets["pyramid · 客户金字塔"]
    >>> int(pyramid["customers"].sum()), float(pyramid["revenue"].sum())  # A and B bought
    (2, 92000.0)
    """
    as_of = period.as_of(crm, as_of)
    year_start, year_end, revenue = _year_revenue(crm, as_of)
    sheets: dict[str, pd.DataFrame] = {}
    cut = pyramid_cutoffs(crm, as_of)
    pyramid = tier_table(revenue, tiers_by_threshold(revenue, cut.thresholds))
    pyramid.insert(0, "cut_off", [*cut.thresholds, 0.0][:len(pyramid)])
    if crm.customers is not None:
        layers = layer_counts(customer_layers(crm.customers, crm.orders, crm.opportunities,
                                              start=year_start, end=year_end))
        pyramid = pd.concat([pyramid, layers.iloc[1:].rename("customers").to_frame()])
    pyramid.attrs["note"] = cut.note
    sheets[PYRAMID_SHEET] = pyramid
    if crm.customers is not None:  # the master table with what the data knows
        master = master_table(crm.customers, as_of=as_of, orders=crm.orders,
                              contacts=crm.contacts, opportunities=crm.opportunities,
                              activities=crm.activities, events=crm.events)
        sheets["master · 客户分析总表"] = master
        if _has(crm.customers, "org_type", "business_line", "rep_id"):
            sheets[f"classification · {ROLLUP_NAMES['classification_summary']}"] = \
                classification_summary(master)
    sheets["pareto · 二八法则"] = _pareto_table(revenue)
    sheets["lifecycle · 生命周期"] = _lifecycle_table(crm, as_of)
    if crm.opportunities is not None and "stage" in crm.opportunities:
        funnel = _funnel_table(crm.opportunities)
        if funnel is not None:
            sheets["funnel · 销售漏斗"] = funnel
        grades = _grades_table(crm.opportunities, as_of)
        if grades is not None:
            sheets["grades · 客户分级"] = grades
    if crm.opportunities is not None and _has(crm.opportunities, "expected_value", "probability",
                                               "buyer_kind", "expected_close_date"):
        op = open_opportunities(crm.opportunities, as_of)
        sheets[f"organisation · {ROLLUP_NAMES['organisation_purchases']}"] = \
            purchase_summary(op, "organisation")
        sheets[f"individual · {ROLLUP_NAMES['individual_purchases']}"] = \
            purchase_summary(op, "individual")
        sheets[f"upgrades · {ROLLUP_NAMES['upgrade_analysis']}"] = upgrade_analysis(op)
    # the §11 roll-ups first, then the analysis tables
    later = [k for k in sheets if k.split(" · ")[0] in ("pareto", "lifecycle", "funnel", "grades")]
    return {k: sheets[k] for k in [k for k in sheets if k not in later] + later}


def _has(df: pd.DataFrame, *columns: str) -> bool:
    """True when every column is present with at least one value."""
    absent = set(df.attrs.get("absent_columns", ()))
    return all(c in df.columns and c not in absent and df[c].notna().any() for c in columns)


def _pareto_table(revenue: pd.Series) -> pd.DataFrame:
    """The 80/20 reading of the revenue: top shares, the x giving 80 %, ABC class sizes."""
    rows = [(f"revenue share of the top {f:.0%} of customers", top_share(revenue, f), "fraction")
            for f in (0.01, 0.05, 0.10, 0.20, 0.50)]
    rows.append(("share of customers bringing 80 % of revenue", pareto_fraction(revenue, 0.80),
                 "fraction"))
    for cls, n in abc_classes(revenue).value_counts().sort_index().items():
        rows.append((f"class {cls} customers (ABC)", int(n), "customers"))
    return pd.DataFrame(rows, columns=["measure", "value", "unit"]).set_index("measure")


def _lifecycle_table(crm: CRMData, as_of) -> pd.DataFrame:
    from custlib.lifecycle import lifecycle_features, lifecycle_stage

    feats = lifecycle_features(crm.orders, as_of)
    out = {scheme: lifecycle_stage(feats, scheme).value_counts(sort=False)
           for scheme in ("operator", "textbook")}
    return pd.concat(out, names=["scheme", "stage"]).rename("customers").to_frame()


def _funnel_table(opportunities: pd.DataFrame) -> pd.DataFrame | None:
    """Stage counts and conversion (needs the date each stage was entered)."""
    from custlib.funnel import conversion_rates

    if not _has(opportunities, "opportunity_date", "first_appointment_date"):
        return None
    return conversion_rates(opportunities)


def _grades_table(opportunities: pd.DataFrame, as_of) -> pd.DataFrame | None:
    from custlib.grading import grade_by_probability, grade_by_time_to_close
    from custlib.schema import OPEN_STAGES

    if not _has(opportunities, "expected_close_date"):
        return None
    op = opportunities[opportunities["stage"].isin(OPEN_STAGES)]
    if op.empty:
        return None
    t = pd.DataFrame({"by time to close": grade_by_time_to_close(op["expected_close_date"], as_of)
                      .value_counts(sort=False)})
    if _has(op, "probability"):
        t["by probability"] = grade_by_probability(op["probability"], op["expected_close_date"],
                                                   as_of).value_counts(sort=False)
    t.index.name = "grade"
    return t


#: Tables longer than this go to a CSV file beside the workbook, with a pointer sheet:
#: a sheet of a million rows is neither usable by a manager nor cheap to write.
EXCEL_INLINE_ROWS = 200_000


#: Text starting with one of these is read as a formula by a spreadsheet opening a CSV
#: file (OWASP, "CSV injection"); in CSV outputs such text gets a leading ``'``.


def _text_columns(df: pd.DataFrame) -> list:
    return [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object]


def _map_text(df: pd.DataFrame, fix) -> pd.DataFrame:
    """``df`` with ``fix`` applied to every str value of its text columns and index."""
    out = df.copy()

    def fixed(values):
        return [fix(v) if isinstance(v, str) else v for v in values]

    for c in _text_columns(out):
        out[c] = pd.Series(fixed(out[c].astype(object)), index=out.index, dtype=object)
    if isinstance(out.index, pd.MultiIndex):
        out.index = pd.MultiIndex.from_arrays([fixed(out.index.get_level_values(i))
                                               for i in range(out.index.nlevels)],
                                              names=out.index.names)
    elif out.index.dtype == object or pd.api.types.is_string_dtype(out.index):
        out.index = pd.Index(fixed(out.index), name=out.index.name, dtype=object)
    return out


def csv_safe(text: str) -> str:
    """Text as written to a CSV output: a leading ``'`` where a spreadsheet would see a formula.

    Examples
    --------
    >>> csv_safe("=HYPERLINK('http://x.invalid')"), csv_safe("+86 138"), csv_safe("Acme")
    ("'=HYPERLINK('http://x.invalid')", "'+86 138", 'Acme')
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def excel_safe_text(text: str) -> str:
    """Text as written to an Excel cell: control characters Excel cannot hold are removed.

    Examples
    --------
    >>> excel_safe_text("Acme" + chr(11) + " Ltd" + chr(0))
    'Acme Ltd'
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    return _map_text(df, excel_safe_text)


def _no_formulas(sheet) -> None:
    """Make every cell of an openpyxl sheet that would be a formula a text cell.

    openpyxl turns any string starting with ``=`` into a formula; nothing this
    project writes is one, so a customer named ``=HYPERLINK(...)`` stays text.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _currency_code(crm: CRMData) -> str:
    return getattr(crm, "currency", None) or money.currency()


def _money_decimals(values: pd.Series) -> int:
    """0 when every amount is whole (the bundled data), else 2: cents are shown."""
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    return 0 if len(v) == 0 or (v == v.round()).all() else 2


def _format_money(sheet, df: pd.DataFrame, code: str) -> None:
    """Give the money columns of ``df``, as written by ``to_excel`` into ``sheet``, the
    currency's number format (values unchanged: cents stay in the cell)."""
    if df.columns.nlevels != 1:
        return
    offset = df.index.nlevels
    for j, name in enumerate(df.columns):
        if name not in MONEY_COLUMNS or not pd.api.types.is_numeric_dtype(df[name]):
            continue
        fmt = money.excel_format(_money_decimals(df[name]), code=code)
        for (cell,) in sheet.iter_rows(min_row=2, max_row=len(df) + 1, min_col=offset + j + 1,
                                       max_col=offset + j + 1):
            cell.number_format = fmt


def write_workbook(crm: CRMData, path: str | os.PathLike, as_of=None) -> Path:
    """Write :func:`workbook_tables` to an ``.xlsx`` file, one sheet per table.

    A table longer than :data:`EXCEL_INLINE_ROWS` (the master table of a CRM with
    hundreds of thousands of organisations) is written to ``<stem>-<sheet>.csv`` beside
    the workbook (UTF-8 with BOM, so Excel shows the Chinese), and its sheet says so.

    The workbook is written with openpyxl to a temporary file in the same folder and
    then renamed, so a failed run leaves no partial workbook. Sheet names are cut to
    Excel's 31 characters.

    Nothing written can execute: every text cell is a text cell, never a formula
    (a customer named ``=HYPERLINK(...)`` shows as that text); control characters
    that Excel cannot hold (NUL, vertical tab, ...) are removed from text; in the CSV
    file every text is quoted, and text starting with ``= + - @``, a tab or a
    carriage return gets a leading ``'`` (:func:`csv_safe`), so a spreadsheet opening
    it shows the text.

    Money cells (:data:`MONEY_COLUMNS`) hold the amounts unrounded, cents kept, with
    the number format of the data's currency (``crm.currency``, else the display
    currency): ``"¥"#,##0`` for whole amounts, ``"$"#,##0.00`` when a column has cents.
    Under the pyramid table a line says which cut-offs were used
    (:func:`custlib.pyramid.pyramid_cutoffs`).

    Parameters
    ----------
    crm : CRMData
        The loaded tables; ``orders`` is required.
    path : path-like
        The ``.xlsx`` file to write (its folder must exist; an existing file is
        replaced).
    as_of : date-like, optional
        The analysis date (default :func:`as_of_date`).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FileNotFoundError
        The folder of ``path`` does not exist.

    Examples
    --------
    >>> import pathlib, tempfile, openpyxl
    >>> import pandas as pd
    >>> from custlib.data import CRMData
    >>> o = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...                   "order_date": pd.to_datetime(["2025-02-01", "2025-11-30", "2024-03-01"]),
    ...                   "amount": [80_000, 12_000, 3_000]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_workbook(CRMData(path=pathlib.Path(d), orders=o), pathlib.Path(d) / "wb.xlsx")
    ...     openpyxl.load_workbook(p, read_only=True).sheetnames
    ['pyramid · 客户金字塔', 'pareto · 二八法则', 'lifecycle · 生命周期']
    """
    path = Path(path)
    sheets = workbook_tables(crm, as_of)
    code = _currency_code(crm)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            for name, df in sheets.items():
                if len(df) > EXCEL_INLINE_ROWS:
                    csv = path.with_name(f"{path.stem}-{name.split(' · ')[0]}.csv")
                    # with a BOM, so Excel reads the Chinese; no cell can start a formula,
                    # and every text is quoted: a carriage return inside an unquoted
                    # field would start a new row there
                    _map_text(df, csv_safe).to_csv(csv, encoding="utf-8-sig",
                                                   quoting=_csv.QUOTE_NONNUMERIC)
                    note = pd.DataFrame({"rows": [len(df)], "file": [csv.name]},
                                        index=pd.Index([name], name="table"))
                    note.to_excel(xl, sheet_name=name[:31])
                else:
                    _excel_safe(df).to_excel(xl, sheet_name=name[:31])
                    _format_money(xl.sheets[name[:31]], df, code)
                    if df.attrs.get("note"):
                        xl.sheets[name[:31]].cell(row=len(df) + 3, column=1,
                                                  value=excel_safe_text(df.attrs["note"]))
                _no_formulas(xl.sheets[name[:31]])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


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
    >>> from custlib.data import CRMData
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
    tables = workbook_tables(crm, as_of)
    code = _currency_code(crm)
    written = []

    def save(fig, name):
        path = folder / name
        fig.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(fig)
        written.append(path)

    save(pyramid_chart(tables[PYRAMID_SHEET], code), "pyramid.png")

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

    funnel = tables.get("funnel · 销售漏斗")
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
