"""The manager's workbook looks finished: layout, number formats and print setup of every sheet.

The workbook of the bundled data and of an orders-only export, opened with openpyxl:
two header rows (Chinese above English), frozen and bold, an autofilter over the
table, a width for every column, no merged cell, no formula, money in the data's
currency with separators, fractions as percentages, dates without a time, and a
print setup (landscape, one page wide, the header rows on every page). The cover
states the analysis date and the period; the master sheet's deal columns agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from custlib.report import excel
from custlib.report import (COVER_SHEET, HEADER_ROWS, MONEY_COLUMNS, PERCENT_COLUMNS,
                            PYRAMID_SHEET, cover_table, workbook_tables, write_workbook)
from custlib.rollups import open_opportunities

AS_OF = pd.Timestamp("2025-12-31")
MASTER = "master · 客户分析总表"


def _open(path):
    with warnings.catch_warnings():  # openpyxl does not read the Excel 2010 data-bar extension
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def bundled(crm, tmp_path_factory):
    path = write_workbook(crm, tmp_path_factory.mktemp("wb") / "wb.xlsx", source="synthetic")
    sheets = workbook_tables(crm)
    tables = {COVER_SHEET: cover_table(crm, list(sheets), AS_OF)[0], **sheets}
    return path, _open(path), tables


@pytest.fixture(scope="module")
def orders_only(crm, tmp_path_factory):
    small = dataclasses.replace(crm, customers=None, contacts=None, opportunities=None,
                                activities=None, events=None)
    path = write_workbook(small, tmp_path_factory.mktemp("wb") / "wb.xlsx")
    sheets = workbook_tables(small)
    tables = {COVER_SHEET: cover_table(small, list(sheets), AS_OF)[0], **sheets}
    return path, _open(path), tables


WORKBOOKS = pytest.mark.parametrize("case", ["bundled", "orders_only"])


def _header(ws) -> list[str]:
    """The English header row."""
    return [c.value for c in ws[HEADER_ROWS]]


def _column(ws, name: str, rows: int):
    j = _header(ws).index(name) + 1
    return [ws.cell(row=r, column=j) for r in range(HEADER_ROWS + 1, HEADER_ROWS + 1 + rows)]


@WORKBOOKS
def test_every_sheet_has_the_bilingual_frozen_filtered_header(case, request):
    _, book, tables = request.getfixturevalue(case)
    assert book.sheetnames[:2] == [COVER_SHEET, PYRAMID_SHEET]
    for ws in book.worksheets:
        df = tables[ws.title]
        levels, n = df.index.nlevels, len(df)
        english = _header(ws)
        width = len(english)
        assert english == [*df.index.names, *df.columns], ws.title
        chinese = [c.value for c in ws[1]][:width]
        assert all(chinese), (ws.title, chinese)     # every column has its Chinese name
        assert all(c.font.b for row in ws.iter_rows(max_row=HEADER_ROWS, max_col=width)
                   for c in row), ws.title
        # frozen below the two header rows and right of the index columns
        assert ws.freeze_panes == f"{get_column_letter(levels + 1)}{HEADER_ROWS + 1}", ws.title
        # the autofilter sits on the English header row and covers the whole table
        assert ws.auto_filter.ref == f"A{HEADER_ROWS}:{get_column_letter(width)}{HEADER_ROWS + n}"
        widths = {i: d.width for d in ws.column_dimensions.values()
                  for i in range(d.min, d.max + 1) if d.width}
        assert all(widths.get(j, 0) >= excel.MIN_WIDTH for j in range(1, width + 1)), ws.title
        assert max(widths.values()) <= max(excel.MAX_WIDTH, excel.COVER_TEXT_WIDTH) + 1
        assert not ws.merged_cells.ranges, ws.title


@WORKBOOKS
def test_no_cell_is_a_formula_and_every_format_fits_its_column(case, request):
    _, book, tables = request.getfixturevalue(case)
    for ws in book.worksheets:
        n = len(tables[ws.title])
        cells = [c for row in ws.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], ws.title
        for name in _header(ws):
            col = [c for c in _column(ws, name, n) if c.value is not None]
            if name in MONEY_COLUMNS:
                assert col and all(c.number_format.startswith('"¥"#,##0') for c in col), name
            elif name in PERCENT_COLUMNS:
                assert col and all(c.number_format == "0.0%" for c in col), name
        # a date is shown as a date, never with a time of day
        dates = [c for c in cells if isinstance(c.value, dt.datetime)]
        assert all(c.number_format == "yyyy-mm-dd" for c in dates), ws.title
    if case == "bundled":
        master = book[MASTER]
        assert {c.value for c in _column(master, "visited_recently", 50)} <= {"yes", "no"}
        assert any(isinstance(c.value, dt.datetime) for c in _column(master, "birthday", 50))
        counts = [c for c in _column(master, "estimators", 50)]
        assert all(c.number_format == "#,##0" for c in counts)


@WORKBOOKS
def test_every_sheet_prints_landscape_one_page_wide_with_its_headers(case, request):
    """One page wide, except a sheet too wide to read so (the master table): A3 pages
    side by side, each repeating the id and name columns."""
    from custlib.report import A3_PAGE_WIDTH

    _, book, _ = request.getfixturevalue(case)
    for ws in book.worksheets:
        ps = ws.page_setup
        assert ps.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        width = sum(d.width for d in ws.column_dimensions.values() if d.width)
        wide = int(ps.fitToWidth or 1)                                     # absent: 1
        assert int(ps.fitToHeight) == 0, ws.title
        # (openpyxl reads the widths with Excel's padding: a margin either side)
        if width < 0.9 * A3_PAGE_WIDTH:
            assert wide == 1, ws.title
        elif width > 1.1 * A3_PAGE_WIDTH:
            assert 1 < wide <= -(-width // A3_PAGE_WIDTH) + 1 and int(ps.paperSize) == 8, ws.title
        if wide > 1:
            first = [ws.cell(HEADER_ROWS, c).value for c in (1, 2, 3)]
            assert "customer_name" in first and ws.print_title_cols == \
                f"$A:${'ABC'[first.index('customer_name')]}", ws.title
        assert int(ps.paperSize) in (9, 8), ws.title                       # A4, A3 when wide
        assert ws.print_title_rows == f"$1:${HEADER_ROWS}", ws.title
        assert ws.oddHeader.left.text == "&A" and "&P" in ws.oddFooter.center.text


def test_the_cover_states_the_source_the_analysis_date_and_the_period(bundled):
    _, book, _ = bundled
    ws = book[COVER_SHEET]
    rows = {r[1]: r[2] for r in ws.iter_rows(min_row=HEADER_ROWS + 1, values_only=True)}
    assert rows["source · 数据来源"] == "synthetic"
    assert rows["analysis date · 分析日期"] == dt.datetime(2025, 12, 31)
    assert rows["period start · 期间起始"] == dt.datetime(2025, 1, 1)
    assert rows["period end · 期间截止"] == dt.datetime(2025, 12, 31)
    assert rows["currency · 货币"] == "CNY"
    assert rows["pyramid cut-off vip · VIP客户门槛"] == 58_900
    for name in book.sheetnames:  # every sheet, with a line on what it is
        assert rows.get(name), name


def test_the_cover_names_no_folder(crm):
    rows, _ = cover_table(crm, [], AS_OF, source=Path("/home/li/客户资料/crm-2025"))
    assert rows.set_index("item").loc["source · 数据来源", "value"] == "crm-2025"
    rows, _ = cover_table(crm, [], AS_OF, source="/home/li/a/orders.csv, /home/li/a/customers.csv")
    assert rows.set_index("item").loc["source · 数据来源", "value"] == "orders.csv, customers.csv"


def test_grade_colours_and_revenue_bars_where_the_manager_reads(bundled):
    _, book, tables = bundled
    master = book[MASTER]
    rules = {str(cf.sqref): {r.type for r in cf.rules} for cf in master.conditional_formatting}
    letter = {name: get_column_letter(j + 1) for j, name in enumerate(_header(master))}
    n = len(tables[MASTER])
    assert rules[f"{letter['grade']}3:{letter['grade']}{n + 2}"] == {"cellIs"}
    assert rules[f"{letter['revenue_12m']}3:{letter['revenue_12m']}{n + 2}"] == {"dataBar"}


def test_the_master_sheet_shows_the_main_deal_and_the_totals(bundled, crm):
    path, _, _ = bundled
    m = pd.read_excel(path, sheet_name=MASTER, header=HEADER_ROWS - 1, index_col=0)
    deal = m[m["expected_sales_value"].notna()]
    assert (deal["expected_sales_value"] <= deal["expected_value"] + 1e-6).all()
    assert np.allclose(deal["expected_sales_value"], deal["expected_value"] * deal["probability"])
    assert (m["expected_sales_value_total"] <= m["open_value_total"] + 1e-6).all()
    op = open_opportunities(crm.opportunities, AS_OF).groupby("customer_id")
    assert np.allclose(m["open_value_total"], op["expected_value"].sum().reindex(m.index).fillna(0))
    assert np.allclose(m["expected_sales_value_total"],
                       op["expected_sales_value"].sum().reindex(m.index).fillna(0))
    assert (m["open_deals"] == op.size().reindex(m.index).fillna(0)).all()


def test_files_get_the_permissions_of_the_umask(crm, tmp_path, monkeypatch):
    small = dataclasses.replace(crm, customers=None, opportunities=None)
    monkeypatch.setattr(excel, "EXCEL_INLINE_ROWS", 5)     # the longer tables go to CSV
    old = os.umask(0o027)
    try:
        path = write_workbook(small, tmp_path / "wb.xlsx")
    finally:
        os.umask(old)
    written = sorted(tmp_path.iterdir())
    assert [p.name for p in written] == ["wb-lifecycle.csv", "wb-pareto.csv", "wb.xlsx"]
    assert {p.stat().st_mode & 0o777 for p in written} == {0o640}
    pointer = pd.read_excel(path, sheet_name="pareto · 二八法则", header=HEADER_ROWS - 1,
                            index_col=0)
    assert pointer["file"].tolist() == ["wb-pareto.csv"]


def _render_module():
    script = Path(__file__).resolve().parents[1] / "scripts" / "render_workbook.py"
    spec = importlib.util.spec_from_file_location("render_workbook", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not all(shutil.which(t) for t in ("soffice", "pdftoppm", "pdftotext")),
                    reason="needs LibreOffice (soffice) and poppler (pdftoppm, pdftotext)")
def test_each_small_sheet_prints_on_one_page(orders_only, tmp_path):
    """LibreOffice prints the orders-only workbook: one page per sheet, a PNG of the cover."""
    path, book, _ = orders_only
    result = _render_module().render(path, tmp_path, only=["about"], dpi=40)
    assert {name: info["pages"] for name, info in result.items()} == {
        name: 1 for name in book.sheetnames}
    png = result[COVER_SHEET]["png"][0]
    assert png.read_bytes()[:4] == b"\x89PNG"


@WORKBOOKS
def test_the_early_warning_sheet_is_the_call_list_and_the_master_carries_p_alive(case, request):
    """流失预警: customers below 50 % alive in the top fifth by value, largest value at risk
    first, named when the customers are known; the master sheet has every buyer's
    probability alive and predicted value (blank for a customer who never bought)."""
    from custlib.predict import PREDICT
    from custlib.report import EARLY_WARNING_SHEET, early_warning

    crm = request.getfixturevalue("crm")
    _, book, tables = request.getfixturevalue(case)
    calls = tables[EARLY_WARNING_SHEET]
    assert len(calls) >= 1 if case == "bundled" else True
    assert (calls["p_alive"] < PREDICT.at_risk_p_alive).all()
    assert calls["value_at_risk"].is_monotonic_decreasing
    ws = book[EARLY_WARNING_SHEET[:31]]
    english = [c.value for c in ws[HEADER_ROWS]]
    assert ("customer_name" in english) == (case == "bundled")
    assert len(list(ws.iter_rows(min_row=HEADER_ROWS + 1, max_col=1))) >= len(calls)
    every = early_warning(crm).attrs["customers"]
    assert every["p_alive"].between(0, 1).all() and (every["predicted_value"] >= 0).all()
    if case == "bundled":
        master = tables[MASTER]
        bought = master.index.isin(every.index)
        assert master.loc[bought, "p_alive"].notna().all()
        assert master.loc[~bought, "p_alive"].isna().all()
        np.testing.assert_allclose(master.loc[bought, "predicted_value"],
                                   every["predicted_value"].reindex(master.index[bought]))
