"""custlib.io and ``custlib validate``: a user's export, its mapping, and every bad input.

The bad-input corpus lives in ``tests/badinput/``: one file (or folder) per problem,
alone and combined. Each test asserts the exact report and that the input is
byte-identical afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib import cli
from custlib.io import load
from custlib.io import InputError, import_data, read_mapping, validate
from custlib.io.pseudonym import pseudonym
from custlib.report import COVER_SHEET, HEADER_ROWS, PYRAMID_SHEET

HERE = Path(__file__).parent
BAD = HERE / "badinput"
MAPPINGS = HERE.parent / "examples" / "mappings"
AS_OF = "2025-12-31"

EXPECTED = {
    '01_empty.csv': ['error: 01_empty.csv: is empty: expected a header row and data rows\n  fix: export the table again; check the export filter'],
    '02_header_only.csv': ['error: 02_header_only.csv: has a header but no data rows\n  fix: export the table again'],
    '03_missing_amount.csv': ['error: 03_missing_amount.csv: has no column for [\'amount\'] (needed for orders); its headers are [\'customer_id\', \'order_date\']\n  fix: map your headers in the mapping file: [orders.columns] "<your header>" = "amount"'],
    '04_unparseable_dates.csv': ['error: 04_unparseable_dates.csv, column \'order_date\', row 3: 1 value(s) are not dates (\'next week\')\n  fix: write dates as 2024-03-05, 2024/3/5, 2024年3月5日 or 14/11/2024, or give the format in the mapping: [orders] date_format = "%d %b %Y"', "error: 04_unparseable_dates.csv, column 'order_date', row 4: 1 value(s) are not calendar dates ('2024-02-30')\n  fix: check these rows in the source: there is no such day (months run 1–12, days to the end of the month)"],
    '05_day_first_dates.csv': [],
    '06_amount_text.csv': ["error: 06_amount_text.csv, column 'amount', row 2: 1 value(s) are not numbers ('about 300')\n  fix: remove text from the values (currency signs, thousands separators in groups of three and brackets are accepted)"],
    '07_negative_amounts.csv': ["warning: 07_negative_amounts.csv, column 'amount', rows 3, 4: 2 negative amounts (refunds or credit notes), total ¥-300: left out, so revenue is gross sales"],
    '08_duplicate_rows.csv': ['warning: 08_duplicate_rows.csv, row 3: 1 row(s) repeat an earlier row exactly: kept once (export duplicates)'],
    '09_duplicate_ids.csv': ["error: 09_duplicate_ids.csv, column 'order_id', rows 2, 3: 2 rows share an order id with a row of another customer: ['O1']\n  fix: lines of one order share its id and its customer; give these orders their own ids"],
    '10_future_dates.csv': ["warning: 10_future_dates.csv, column 'order_date', row 3: 1 row(s) dated after the extraction date 2025-12-31: left out\n  fix: set [settings] as_of in the mapping file if the extraction date is later"],
    '11_missing_customer_id.csv': ["warning: 11_missing_customer_id.csv, column 'customer_id', rows 3, 4: 2 row(s) have no customer id (total ¥500): left out"],
    '12_gbk_chinese_headers.csv': ['warning: 12_gbk_chinese_headers.csv: is not UTF-8; it decodes as GB18030 (GBK) with Chinese text, so it was read as GB18030: check a few names in the output', 'error: 12_gbk_chinese_headers.csv: has no column for [\'customer_id\', \'order_date\', \'amount\'] (needed for orders); its headers are [\'客户编号\', \'成交日期\', \'成交金额\']\n  fix: map your headers in the mapping file: [orders.columns] "<your header>" = "customer_id"'],
    '13_latin1.csv': ['error: 13_latin1.csv, row 2: is neither UTF-8 nor GB18030/GBK (first undecodable byte on this row)\n  fix: save it as CSV UTF-8'],
    '14_utf16.csv': ["error: 14_utf16.csv: is UTF-16 (Excel's 'Unicode text'), not CSV\n  fix: in Excel: Save As > CSV UTF-8 (comma delimited)"],
    '15_ragged_row.csv': ["error: 15_ragged_row.csv: cannot be read as CSV: a row has 4 fields where the header has 3: 'C2,2024-03-06,1,200'\n  fix: check quotes and delimiters around that row"],
    '16_repeated_header.csv': ["error: 16_repeated_header.csv, row 1: has repeated header(s) ['amount']\n  fix: give every column its own header"],
    '17_unknown_category.csv': ['error: 17_unknown_category.csv, column \'buyer_kind\', row 3: 1 value(s) not in [\'organisation\', \'individual\']: [\'company\']\n  fix: map them in the mapping file: [orders.values.buyer_kind] "company" = "<one of organisation, individual>"'],
    '18_invalid_mapping.toml': ['error: 18_invalid_mapping.toml: is not valid TOML: Invalid value (at line 2, column 10)\n  fix: put headers with spaces or Chinese characters in quotes: "成交日期" = "order_date"'],
    '19_wrong_mapping.toml': ["error: 19_wrong_mapping.toml: [orders.columns] maps 'Kunde' to 'client', which is not a column of orders; expected one of ['amount', 'buyer_kind', 'cost', 'customer_id', 'customer_name', 'is_upgrade', 'order_date', 'order_id', 'product_line', 'seats']", "error: 19_wrong_mapping.toml: unknown section [order]; expected [settings], [policy.…] or a table: ['reps', 'customers', 'contacts', 'orders', 'opportunities', 'activities', 'events']", "error: 19_wrong_mapping.toml: [opportunities.values.stage] maps to unknown value(s) {'Closed Won': 'wonn'}; expected one of ['opportunity', 'first_appointment', 'prospect_1', 'prospect_2', 'prospect_3', 'won', 'lost']"],
    '20_combined_warnings.csv': ["warning: 20_combined_warnings.csv, column 'customer_id', row 4: 1 row(s) have no customer id (total ¥50): left out", "warning: 20_combined_warnings.csv, column 'amount', row 5: 1 negative amount (refunds or credit notes), total ¥-20: left out, so revenue is gross sales", "warning: 20_combined_warnings.csv, column 'order_date', row 6: 1 row(s) dated after the extraction date 2025-12-31: left out\n  fix: set [settings] as_of in the mapping file if the extraction date is later", 'warning: 20_combined_warnings.csv, row 3: 1 row(s) repeat an earlier row exactly: kept once (export duplicates)'],
    '21_combined_errors.csv': ["error: 21_combined_errors.csv, column 'order_date', row 2: 1 value(s) are not calendar dates ('2024-13-01')\n  fix: check these rows in the source: there is no such day (months run 1–12, days to the end of the month)", "error: 21_combined_errors.csv, column 'amount', row 3: 1 value(s) are not numbers ('lots')\n  fix: remove text from the values (currency signs, thousands separators in groups of three and brackets are accepted)"],
    '22_fractional_amounts.csv': [],
    '23_old_excel.xls': ['error: 23_old_excel.xls: is an old Excel .xls file\n  fix: save it as .xlsx or CSV UTF-8'],
    '24_not_excel.xlsx': ['error: 24_not_excel.xlsx: cannot be opened as an Excel workbook (BadZipFile)\n  fix: open it in Excel and save it again as .xlsx'],
    '25_dangling_customer': ["error: orders.csv, column 'customer_id', row 3: 1 row(s) refer to ids missing from customers (['C9'])\n  fix: export every customers row these refer to, or leave customers out"],
    '26_unknown_stage': ['warning: opportunities.csv, column \'stage\', rows 3, 4: 2 row(s) with unknown stage name(s) [\'Closed Won\', \'Negotiating\']: left out of the funnel\n  fix: map them: [opportunities.values.stage] "Closed Won" = "<one of opportunity, first_appointment, prospect_1, prospect_2, prospect_3, won, lost>"'],
    '28_control_characters.csv': ["warning: 28_control_characters.csv, column 'customer_name', rows 2, 4: 2 value(s) hold control characters ('Acme\\x0b Ltd', 'Gamma\\x00'): removed, as no spreadsheet can show them"],
    '27_probability_percent': ["error: opportunities.csv, column 'probability', row 2: 1 probabilities above 1 ('75'): percentages?\n  fix: add [opportunities.scale] probability = 0.01 to the mapping file"],
}


def _digest(path: Path) -> dict[str, str]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_the_corpus_has_at_least_twenty_cases_and_each_is_expected():
    names = sorted(p.name for p in BAD.iterdir())
    assert len(names) >= 20 and names == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_is_reported_exactly_and_left_untouched(name, tmp_path):
    path = BAD / name
    before = _digest(BAD)
    if name.endswith(".toml"):
        with pytest.raises(InputError) as err:
            validate(BAD / "07_negative_amounts.csv", mapping=path, as_of=AS_OF)
        got = [str(i) for i in err.value.report.issues]
    else:
        report = validate(path, as_of=AS_OF)
        got = [str(i) for i in report.issues]
        if report.ok:  # warnings only: the import applies the rules and writes elsewhere
            import_data(path, tmp_path / "out", as_of=AS_OF)
            assert (tmp_path / "out" / "orders.csv").exists()
        else:
            with pytest.raises(InputError):
                import_data(path, tmp_path / "out", as_of=AS_OF)
            assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert got == EXPECTED[name]
    assert _digest(BAD) == before  # the user's files are never modified


def test_validate_command_exit_status_and_output(capsys):
    assert cli.main(["validate", str(BAD / "07_negative_amounts.csv"), "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "0 error(s), 1 warning(s)" in out and out.rstrip().endswith("OK: the data can be analysed.")
    assert cli.main(["validate", str(BAD / "21_combined_errors.csv"), "--as-of", AS_OF]) == 1
    out = capsys.readouterr().out
    assert "2 error(s), 0 warning(s)" in out and "NOT OK" in out
    assert cli.main(["validate", str(BAD / "07_negative_amounts.csv"), "--mapping",
                     str(BAD / "19_wrong_mapping.toml")]) == 1
    assert "3 error(s)" in capsys.readouterr().err
    assert cli.main(["validate", str(BAD / "no_such_file.csv")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_the_rules_applied_by_the_import(tmp_path):
    import_data(BAD / "20_combined_warnings.csv", tmp_path / "out", as_of=AS_OF)
    o = load(tmp_path / "out").orders
    # kept: O1 once, O5; left out: the duplicate, no id, the refund, the future order
    assert o["order_id"].tolist() == ["O1", "O5"] and o["amount"].tolist() == [100, 10]
    assert "4 warning(s)" in (tmp_path / "out" / "validation.txt").read_text(encoding="utf-8")


def test_control_characters_are_removed_from_text(tmp_path):
    import_data(BAD / "28_control_characters.csv", tmp_path / "out", as_of=AS_OF)
    names = load(tmp_path / "out").customers.set_index("customer_id")["customer_name"]
    assert names.to_dict() == {"C1": "Acme Ltd", "C2": "Beta", "C3": "Gamma"}


# --- formats ---------------------------------------------------------------------------

def _write(path: Path, text: str, encoding="utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_dates_in_the_common_formats_and_excel_serials(tmp_path):
    f = _write(tmp_path / "orders.csv", "customer_id,order_date,amount\n"
               "C1,2024-03-05,1\nC1,2024/3/5,1\nC1,2024.3.5,1\nC1,2024年3月5日,1\n"
               "C1,2024-03-05 14:30:00,1\nC1,20240305,1\nC1,2024-03-05T14:30:00Z,1\n")
    import_data(f, tmp_path / "out", as_of=AS_OF)
    d = load(tmp_path / "out").orders["order_date"]
    assert (d == pd.Timestamp("2024-03-05")).all() and len(d) == 7
    # Excel serial numbers: only a column made of them, only plausible dates
    f = _write(tmp_path / "serials.csv", "customer_id,order_date,amount\nC1,45356,1\nC2,45357,1\n")
    report = validate(f, as_of=AS_OF)
    assert report.ok and any("Excel serial numbers" in n for n in report.notes)
    f = _write(tmp_path / "mixed.csv", "customer_id,order_date,amount\nC1,45356,1\nC2,2024-03-05,1\n")
    assert [i.rows for i in validate(f, as_of=AS_OF).errors] == [(2,)]


def test_day_first_dates_with_a_format_in_the_mapping(tmp_path):
    m = _write(tmp_path / "m.toml", '[orders]\ndate_format = "%d/%m/%Y"\n')
    import_data(BAD / "05_day_first_dates.csv", tmp_path / "out", mapping=m, as_of=AS_OF)
    assert load(tmp_path / "out").orders["order_date"].dt.strftime("%Y-%m-%d").tolist() == \
        ["2024-03-05", "2024-03-17"]


def test_amounts_with_separators_currency_signs_and_brackets(tmp_path):
    f = _write(tmp_path / "o.csv", "customer_id,order_date,amount\n"
               'C1,2024-03-05,"1,200"\nC1,2024-03-06,¥3500\nC1,2024-03-07,"￥12,000.00"\n'
               "C1,2024-03-08,RMB 800\nC1,2024-03-09,650元\nC1,2024-03-10, 42 \n")
    import_data(f, tmp_path / "out", as_of=AS_OF)
    assert load(tmp_path / "out").orders["amount"].tolist() == [1200, 3500, 12000, 800, 650, 42]


def test_utf8_bom_semicolons_and_case_of_headers(tmp_path):
    f = _write(tmp_path / "o.csv", "\ufeffCustomer_ID;Order_Date;Amount\nC1;2024-03-05;9\n")
    import_data(f, tmp_path / "out", as_of=AS_OF)
    assert load(tmp_path / "out").orders["amount"].tolist() == [9]



def test_an_encoding_change_far_into_the_file_is_found(tmp_path):
    """The first 64 KB are read for the header; the rest is checked as Arrow reads it:
    GBK rows after 5,000 UTF-8 Chinese rows make a file of mixed encodings, and a file
    that is GBK throughout with an ASCII start longer than 64 KB is read as GB18030 (as
    a short one is)."""
    rows = "".join(f"客户{i},2024-03-05,1\n" for i in range(5000))
    mixed = tmp_path / "mixed" / "orders.csv"
    mixed.parent.mkdir()
    mixed.write_bytes(("customer_id,order_date,amount\n" + rows).encode()
                      + "客户x,2024-03-06,2\n客户y,2024-03-06,2\n".encode("gbk"))
    report = validate(mixed, as_of=AS_OF)
    assert [i.level for i in report.issues] == ["error"], report.text()
    assert "mixes encodings: 5,000 line(s) are UTF-8 (rows 2–5001) and 2 are not (rows " \
        "5002–5003)" in report.issues[0].message
    assert list(report.issues[0].rows) == [5002, 5003] and report.issues[0].count == 2
    ascii_rows = "".join(f"C{i},2024-03-05,1\n" for i in range(5000))
    gbk = tmp_path / "gbk" / "orders.csv"
    gbk.parent.mkdir()
    chinese = "".join(f"客户{i},2024-03-05,1\n" for i in range(150))
    gbk.write_bytes(("customer_id,order_date,amount\n" + ascii_rows + chinese).encode("gbk"))
    report = validate(gbk, as_of=AS_OF)
    assert [i.level for i in report.issues] == ["warning"], report.text()
    assert "GB18030" in report.issues[0].message
    assert report.tables["orders"]["rows_kept"] == 5150

def test_gbk_is_detected_and_read_with_a_chinese_mapping(tmp_path):
    m = _write(tmp_path / "m.toml", '[orders.columns]\n"客户编号" = "customer_id"\n'
               '"成交日期" = "order_date"\n"成交金额" = "amount"\n')
    report = import_data(BAD / "12_gbk_chinese_headers.csv", tmp_path / "out", mapping=m, as_of=AS_OF)
    assert [i.level for i in report.issues] == ["warning"] and "GB18030" in str(report.issues[0])
    o = load(tmp_path / "out").orders
    assert o["amount"].tolist() == [1200, 800]
    assert o["order_date"].dt.day.tolist() == [5, 6]


def _ledger(path: Path) -> Path:
    """A hand-kept Excel ledger: a title block, the header on row 3, Chinese values."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(["成交记录 (2024–2025)"])
    ws.append(["导出日期", "2025-12-31"])
    ws.append(["客户编号", "客户名称", "成交日期", "成交金额", "产品", "备注"])
    rows = [("K001", "苏州宏远建设有限公司", dt.datetime(2024, 3, 5), 12000, "计价软件", ""),
            ("K001", "苏州宏远建设有限公司", "2025年1月8日", "¥3,500", "钢筋软件", "续费"),
            ("K002", "杭州城投置业有限公司", 45500, 800.0, "培训服务", None),
            ("K003", "南京安装工程公司", "2025/6/1", "58,900", "算量软件", None),
            ("K003", "南京安装工程公司", "2025/6/2", "-500", "算量软件", "退款"),
            (None, None, None, None, None, None)]
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def test_excel_with_the_header_below_a_title_block(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    _ledger(folder / "成交记录.xlsx")
    report = import_data(folder, tmp_path / "out", mapping=MAPPINGS / "chinese-crm.toml", as_of=AS_OF)
    assert [str(i) for i in report.issues] == [
        "warning: 成交记录.xlsx, column '成交金额' (amount), row 8: 1 negative amount (refunds or "
        "credit notes), total ¥-500: left out, so revenue is gross sales"]
    assert any("header found on row 3" in n for n in report.notes)
    crm = load(tmp_path / "out")
    assert crm.orders["amount"].tolist() == [12000, 3500, 800, 58900]
    assert crm.orders["order_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-05", "2025-01-08", "2024-07-27", "2025-06-01"]
    assert crm.orders["product_line"].astype(str).tolist() == [
        "estimating", "rebar", "training_service", "quantity_takeoff"]
    # customers are derived from the orders, with their names
    assert crm.customers.set_index("customer_id")["customer_name"].to_dict() == {
        "K001": "苏州宏远建设有限公司", "K002": "杭州城投置业有限公司", "K003": "南京安装工程公司"}


def test_example_mappings_are_valid():
    for name in ("salesforce", "hubspot", "chinese-crm"):
        m = read_mapping(MAPPINGS / f"{name}.toml")
        assert "orders" in m.tables and "opportunities" in m.tables


def test_pseudonyms_are_stable_and_replace_every_personal_field(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    _ledger(folder / "成交记录.xlsx")
    import_data(folder, tmp_path / "a", mapping=MAPPINGS / "chinese-crm.toml", as_of=AS_OF,
                pseudonymise=True, key="secret")
    import_data(folder, tmp_path / "b", mapping=MAPPINGS / "chinese-crm.toml", as_of=AS_OF,
                pseudonymise=True, key="secret")
    a = (tmp_path / "a" / "customers.csv").read_text(encoding="utf-8")
    assert a == (tmp_path / "b" / "customers.csv").read_text(encoding="utf-8")
    everything = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "a").glob("*.*") if p.is_file())
    crm = load(tmp_path / "a")  # the exact tables the lessons read
    everything += "".join(str(df.to_dict()) for df in (getattr(crm, t) for t in crm.tables))
    assert "苏州" not in everything and "Customer " in a
    # the ids go too (consistently, so orders still join customers); no folder is named
    assert "K001" not in everything and "C-" in a and str(tmp_path) not in everything
    assert set(crm.orders["customer_id"]) <= set(crm.customers["customer_id"])
    assert pseudonym("x", "customer_name", key="k1") != pseudonym("x", "customer_name", key="k2")
    assert pseudonym("13800138000", "mobile", key="k").isdigit()
    assert pseudonym("a@b.cn", "email", key="k").endswith("@example.invalid")


def test_end_to_end_a_transactions_only_export_through_a_mapping(tmp_path):
    """Chinese headers in an Excel ledger, no other table: what can run runs, the rest is
    skipped with its reason, and the workbook holds the right totals."""
    from custlib.course import lessons, run_course

    folder = tmp_path / "export"
    folder.mkdir()
    _ledger(folder / "成交记录.xlsx")
    before = _digest(folder)
    res = run_course(folder, tmp_path / "report", mapping=MAPPINGS / "chinese-crm.toml",
                     as_of=AS_OF, progress=False)
    assert _digest(folder) == before
    names = [p.name for p in lessons()]
    assert set(res["ran"]) | set(res["skipped"]) == set(names)
    assert {"03_pyramid_and_pareto.ipynb", "04_customer_value.ipynb"} <= set(res["ran"])
    assert res["skipped"]["07_funnel_math.ipynb"].startswith("needs column stage of opportunities") \
        or "needs the opportunities table" in res["skipped"]["07_funnel_math.ipynb"]
    out = res["out"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Lessons skipped" in index and "needs the opportunities table" in index
    book = openpyxl.load_workbook(out / "files" / "customer-analysis-workbook.xlsx", read_only=True)
    assert book.sheetnames[:2] == [COVER_SHEET, PYRAMID_SHEET] and "pareto · 二八法则" in book.sheetnames
    pyramid = pd.read_excel(out / "files" / "customer-analysis-workbook.xlsx",
                            sheet_name=PYRAMID_SHEET, header=HEADER_ROWS - 1, index_col=0)
    # the last 12 months to 2025-12-31: K001's ¥3,500 and K003's ¥58,900 (the refund left out)
    assert pyramid.loc[["vip", "key", "mid", "small"], "revenue"].sum() == 3_500 + 58_900
    assert (out / "files" / "charts" / "pyramid.png").exists()
    # every chart the lessons drew is also a PNG file
    assert (out / "files" / "charts" / "03_pyramid_and_pareto-1.png").read_bytes()[:4] == b"\x89PNG"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from(["x", "y"]),
                          st.integers(0, 3)), min_size=1, max_size=40))
def test_duplicate_rows_match_pandas(rows):
    import pyarrow as pa

    from custlib.io.rules import _duplicate_rows

    frame = pd.DataFrame(rows, columns=["p", "q", "r"])
    got = _duplicate_rows([pa.array([r[i] if r[i] is None else str(r[i]) for r in rows], pa.string())
                           for i in range(3)])
    assert got.tolist() == frame.duplicated(keep="first").tolist()


# --- files outside the data folder --------------------------------------------------------

@pytest.mark.parametrize("how", ["traversal", "absolute", "symlink"])
def test_files_outside_the_data_folder_are_refused_unless_allowed(tmp_path, capsys, how):
    data, elsewhere = tmp_path / "export", tmp_path / "other-team"
    data.mkdir()
    elsewhere.mkdir()
    secret = _write(elsewhere / "orders.csv", "customer_id,order_date,amount\nX1,2024-03-05,999\n")
    args = [str(data), "--as-of", AS_OF]
    if how == "symlink":
        (data / "orders.csv").symlink_to(secret)
        expected = "orders.csv is a link that points outside the data folder"
    else:
        given = "../other-team/orders.csv" if how == "traversal" else str(secret)
        (tmp_path / "maps").mkdir()
        mapping = _write(tmp_path / "maps" / "map.toml",
                         f'[orders]\nfile = {given!r}\n'.replace("'", '"'))
        args += ["--mapping", str(mapping)]
        expected = f"[orders] file = {given!r} in map.toml points outside the data folder"
    before = _digest(tmp_path)
    assert cli.main(["validate", *args]) == 1
    err = capsys.readouterr().err
    assert expected in err and "--allow-outside" in err and "X1" not in err
    assert _digest(tmp_path) == before
    assert cli.main(["validate", *args, "--allow-outside"]) == 0
    assert "1 rows read" in capsys.readouterr().out


def test_a_file_beside_the_mapping_is_read(tmp_path):
    data, maps = tmp_path / "export", tmp_path / "maps"
    data.mkdir()
    maps.mkdir()
    _write(maps / "orders.csv", "customer_id,order_date,amount\nX1,2024-03-05,999\n")
    mapping = _write(maps / "map.toml", '[orders]\nfile = "../maps/orders.csv"\n')
    assert validate(data, mapping=mapping, as_of=AS_OF).ok


# --- the rules, each a function ------------------------------------------------------------

def test_every_rule_has_its_function_and_says_it():
    # RULES is what validate reports; APPLY is what the import runs: one entry each
    from custlib.io.rules import APPLY, RULES

    assert list(APPLY) == list(RULES)
    for key, fn in APPLY.items():
        doc = " ".join(fn.__doc__.split())
        assert f"Rule ``{key}``: {RULES[key]}" in doc, key


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="AB;, \u200b\x0b", max_size=6)),
                min_size=1, max_size=30))
def test_the_text_rules_on_any_text(values):
    import pyarrow as pa

    from custlib.io import rules

    col = pa.array(values, pa.string())
    b = rules.blank(col).to_pylist()
    assert b == [None if v is None or not v.strip() else v for v in values]   # only blanks
    first, several = rules.several_customers(col)
    assert several.tolist() == [v is not None and (";" in v or "," in v) for v in values]
    assert not any(x is not None and (";" in x or "," in x) for x in first.to_pylist())
    cleaned, found = rules.control(col)
    assert found.tolist() == [v is not None and "\x0b" in v for v in values]
    assert cleaned.to_pylist() == [None if v is None else v.replace("\x0b", "") for v in values]


def test_the_row_rules_mark_what_they_leave_out():
    import datetime as dt

    import numpy as np
    import pyarrow as pa

    from custlib.io import rules

    assert rules.refund(pa.array([5.0, -1.0, None, 0.0])).tolist() == [False, True, False, False]
    assert rules.missing_id(pa.array(["C1", None])).tolist() == [False, True]
    dates = pa.array([dt.date(2025, 12, 31), dt.date(2026, 1, 1), None], pa.date32())
    assert rules.future(dates, dt.date(2025, 12, 31)).tolist() == [False, True, False]
    assert rules.unmapped(pa.array(["won", "Closed Won", None]), ("won", "lost")).tolist() == [
        False, True, False]
    # O1 twice for C1 (lines of one order); O2 for C1 and C2 (two orders, one number)
    orders, customers = np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1])
    assert rules.order_lines(orders, customers, np.ones(4, bool)).tolist() == [
        False, False, True, True]
    assert rules.gb18030("客户".encode("gb18030")) == "客户"
    assert rules.gb18030(b"plain \xff bytes") is None
