"""Exports as the source systems write them, end to end through validate, load and the workbook.

The fixtures in ``tests/exports/`` are made by ``tests/exports/make_exports.py``; their
``expected.json`` holds the figures an analyst would check in the source system.
Every test asserts the totals to the cent and that the input is byte-identical after.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from custlib import cli, money
from custlib.io import load
from custlib.io import import_data, validate
from custlib.report import HEADER_ROWS

HERE = Path(__file__).parent / "exports"
MAPPINGS = Path(__file__).parents[1] / "examples" / "mappings"
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
AS_OF = "2025-12-31"
FIXTURES = {
    "salesforce": (HERE / "salesforce", MAPPINGS / "salesforce.toml"),
    "hubspot": (HERE / "hubspot", MAPPINGS / "hubspot.toml"),
    "erp_lines": (HERE / "erp_lines", HERE / "erp_lines" / "mapping.toml"),
    "gbk_ledger": (HERE / "gbk_ledger", HERE / "gbk_ledger" / "mapping.toml"),
}


@pytest.fixture(autouse=True)
def _currency_back():
    yield
    money.set_currency("CNY")


def _cents(x) -> Decimal:
    return Decimal(str(round(float(x), 2))).quantize(Decimal("0.01"))


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_export_validates_and_loads_with_every_cent(name, tmp_path, folder_digest):
    folder, mapping = FIXTURES[name]
    before = folder_digest(HERE)
    report = validate(folder, mapping, AS_OF)
    assert report.ok, report.text()
    crm = load(folder, mapping=mapping, as_of=AS_OF)
    exp = EXPECTED[name]
    assert _cents(crm.orders["amount"].sum()) == Decimal(exp["revenue"])
    if "cost" in exp:
        assert _cents(crm.orders["cost"].sum()) == Decimal(exp["cost"])
    assert crm.orders["order_id"].nunique() == exp["orders"]
    if "opportunities" in exp:
        assert len(crm.opportunities) == exp["opportunities"]
    # the same tables through the import (what custlib run writes and the lessons read)
    import_data(folder, tmp_path / "data", mapping=mapping, as_of=AS_OF)
    again = load(tmp_path / "data")
    for t in crm.tables:
        pd.testing.assert_frame_equal(getattr(again, t).reset_index(drop=True),
                                      getattr(crm, t).reset_index(drop=True), check_like=False)
    assert folder_digest(HERE) == before  # the user's files are never modified


def test_salesforce_us_dates_footer_and_prospects():
    folder, mapping = FIXTURES["salesforce"]
    crm = load(folder, mapping=mapping, as_of=AS_OF)
    exp = EXPECTED["salesforce"]
    assert crm.orders["order_date"].min().date().isoformat() == exp["first_order"]
    layers = crm.customers["status_layer"].value_counts()
    assert layers["prospect"] == exp["prospects"] and len(crm.customers) == exp["customers"]
    prospects = crm.customers[crm.customers["status_layer"] == "prospect"]
    assert prospects["customer_name"].notna().all()  # named from the opportunities
    notes = " ".join(crm.report.notes)
    assert "read month first (%m/%d/%Y)" in notes and "report footer" in notes


def test_hubspot_times_and_several_companies():
    folder, mapping = FIXTURES["hubspot"]
    crm = load(folder, mapping=mapping, as_of=AS_OF)
    warned = [w for w in crm.report.warnings if "name several customers" in w.message]
    assert sum(w.count for w in warned if w.file == "deals.csv") == EXPECTED["hubspot"]["multi_company_rows"]
    assert not crm.opportunities["customer_id"].str.contains(";").any()
    assert (crm.opportunities["opportunity_date"].dt.normalize()
            == crm.opportunities["opportunity_date"]).all()


def test_erp_lines_are_orders_and_own_item_names_kept():
    folder, mapping = FIXTURES["erp_lines"]
    crm = load(folder, mapping=mapping)
    exp = EXPECTED["erp_lines"]
    assert len(crm.orders) == exp["lines"] and crm.orders["order_id"].nunique() == exp["orders"]
    assert set(crm.orders["product_line"].dropna()) == {"GTJ2025", "GCCP7", "SVC-TRN", "MAINT"}
    assert crm.currency == "EUR" and crm.as_of == pd.Timestamp(AS_OF)
    assert len(crm.customers) == exp["customers"]


def test_gbk_ledger_with_a_title_block():
    folder, mapping = FIXTURES["gbk_ledger"]
    crm = load(folder, mapping=mapping)
    exp = EXPECTED["gbk_ledger"]
    assert sorted(crm.orders["product_line"].unique()) == exp["products"]
    assert crm.orders["customer_id"].nunique() == exp["customers"]
    assert "苏州宏远建设有限公司" in set(crm.customers["customer_name"])
    assert any("header found on row 3" in n for n in crm.report.notes)


def test_cents_survive_to_the_excel_workbook(tmp_path):
    from custlib.report import write_workbook

    folder, mapping = FIXTURES["erp_lines"]
    crm = load(folder, mapping=mapping)
    path = write_workbook(crm, tmp_path / "wb.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    values = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
              if isinstance(c, float) and round(c, 2) != round(c)]
    assert values, "no amount with cents in the workbook"


def test_cli_validate_and_currency_switch(tmp_path, capsys):
    folder, mapping = FIXTURES["salesforce"]
    code = cli.main(["validate", str(folder), "--mapping", str(mapping), "--as-of", AS_OF])
    out = capsys.readouterr().out
    assert code == 0 and "OK: the data can be analysed." in out
    assert "closed_won.csv: " in out and "SHA-256 " in out  # every file read, with its digest
    report = import_data(folder, tmp_path / "d", mapping=mapping, as_of=AS_OF, currency="usd")
    assert report.settings["currency"] == "USD" and load(tmp_path / "d").currency == "USD"


def test_a_lesson_run_by_hand_on_a_raw_gbk_ledger(monkeypatch, folder_digest):
    """A trainer's switch: CUSTLIB_DATA and CUSTLIB_MAPPING at the raw export, no import."""
    from custlib.course import NOTEBOOK_DIR, execute_notebook

    folder, mapping = FIXTURES["gbk_ledger"]
    before = folder_digest(HERE)
    monkeypatch.setenv("CUSTLIB_DATA", str(folder))
    monkeypatch.setenv("CUSTLIB_MAPPING", str(mapping))
    monkeypatch.delenv("CUSTLIB_AS_OF", raising=False)
    nb = execute_notebook(NOTEBOOK_DIR / "04_customer_value.ipynb")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = json.dumps([o.get("data", o.get("text", "")) for o in outputs], ensure_ascii=False)
    assert "KH000" in text  # the ledger's own customers, not the bundled data
    assert folder_digest(HERE) == before


def test_a_lesson_comparing_two_years_is_skipped_on_one_year_of_orders(tmp_path):
    from custlib.course import unmet_requirements

    f = tmp_path / "orders.csv"
    f.write_text("customer_id,order_date,amount\nC1,2024-12-20,10.50\nC2,2025-06-30,20\n",
                 encoding="utf-8")
    crm = load(f, as_of="2025-06-30")
    assert unmet_requirements(crm, ["orders", "months:24"]) == [
        "needs orders in both halves of the 24 months up to the analysis date"]
    assert unmet_requirements(crm, ["orders", "months:12"]) == []


def test_currency_and_thresholds_on_the_command_line(capsys):
    folder, mapping = FIXTURES["erp_lines"]
    args = ["validate", str(folder), "--mapping", str(mapping)]
    assert cli.main(args + ["--currency", "usd", "--thresholds", "5000,1000,100"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:       # a usage error: argparse, exit 2
        cli.main(args + ["--thresholds", "100,5000"])
    assert stop.value.code == 2 and "expected 3 numbers" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        cli.main(args + ["--currency", "dollars"])
    assert stop.value.code == 2 and "three-letter code" in capsys.readouterr().err


@pytest.mark.parametrize("name, currency, ran", [
    ("salesforce", "USD", ["00", "01", "02", "03", "04", "05", "08", "09"]),
    ("erp_lines", None, ["00", "01", "02", "03", "04", "05", "08", "09"]),
])
def test_custlib_run_end_to_end(name, currency, ran, tmp_path, request, folder_digest):
    """The whole course on the export: the lessons the data allows, the totals to the cent in
    the manager's workbook, nothing written into the input."""
    from custlib.course import run_course

    folder, mapping = FIXTURES[name]
    before = folder_digest(HERE)
    if name == "salesforce":       # the run shared with tests/test_html_handouts.py
        res = request.getfixturevalue("salesforce_run")
        assert res["input_unchanged"]
    else:
        res = run_course(folder, tmp_path / "report", mapping=mapping, as_of=AS_OF,
                         currency=currency, progress=False)
    assert sorted(p[:2] for p in res["ran"]) == ran
    assert set(res["skipped"]) == {"06_prospect_grading.ipynb", "07_funnel_math.ipynb"}
    out = res["out"]
    pages = "".join(p.read_text(encoding="utf-8") for p in (out / "lessons").glob("*.html"))
    for nb in (out / "notebooks").glob("*.ipynb"):
        outputs = [o for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                   for o in c.get("outputs", [])]
        assert not [o for o in outputs if o["output_type"] == "error"
                    or o.get("name") == "stderr"], nb.name
    sym = "$" if currency == "USD" else "€"
    assert sym in pages
    master = pd.read_excel(out / "files" / "customer-analysis-workbook.xlsx",
                           sheet_name="master · 客户分析总表", header=HEADER_ROWS - 1, index_col=0)
    assert len(master) == EXPECTED[name].get("customers", len(master))
    orders = load(out / "data").orders
    assert _cents(orders["amount"].sum()) == Decimal(EXPECTED[name]["revenue"])
    assert folder_digest(HERE) == before
