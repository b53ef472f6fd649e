"""custlib.io.load, the one reader: typed tables, the same rules and messages as validate."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib import money
from custlib.io import DataWarning, SchemaError, data_dir, load, read_table
from custlib.io import InputError, import_data, validate

HEADER = "order_id,customer_id,order_date,product_line,seats,amount,cost,buyer_kind,is_upgrade\n"
GOOD = ("O1,C1,2024-03-05,rebar,1,900,500,individual,false\n"
        "O2,C2,2024-03-06,estimating,2,5600.25,4100,organisation,true\n")
AS_OF = "2025-12-31"


def write(folder, name, text, encoding="utf-8"):
    path = folder / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def fails_with(folder, message, *, path, mapping=None):
    before = path.read_bytes()
    with pytest.raises(SchemaError) as err:
        load(folder, mapping=mapping, as_of=AS_OF)
    assert path.read_bytes() == before  # the user's file is never modified
    assert message in str(err.value), str(err.value)
    # one reader, one dialect: the message is the report custlib validate prints
    assert str(err.value) == "\n".join(map(str, validate(folder, mapping, AS_OF).errors))
    return err.value


def test_reads_canonical_types_and_keeps_cents(tmp_path):
    write(tmp_path, "orders.csv", HEADER + GOOD)
    o = read_table("orders", tmp_path, as_of=AS_OF)
    assert o["order_date"].dtype.kind == "M" and o["order_date"].iloc[0] == pd.Timestamp("2024-03-05")
    assert o["amount"].dtype == "float64" and o["amount"].tolist() == [900, 5600.25]
    assert o["is_upgrade"].tolist() == [False, True] and o["seats"].dtype == "int64"
    assert list(o["product_line"].cat.categories) == ["estimating", "quantity_takeoff", "rebar",
                                                     "training_service"]
    assert SchemaError is InputError


def test_utf8_bom_and_extra_columns_are_accepted(tmp_path):
    write(tmp_path, "orders.csv", "\ufeff" + HEADER.rstrip("\n") + ",note\n"
          + GOOD.replace("false\n", "false,hello\n").replace("true\n", "true,\n"))
    crm = load(tmp_path, as_of=AS_OF)
    assert crm.orders["amount"].sum() == 6500.25


def test_missing_orders(tmp_path):
    write(tmp_path, "customers.csv", "customer_id\nC1\n")
    with pytest.raises(FileNotFoundError, match="no orders table"):
        load(tmp_path)


def test_empty_file_and_header_only(tmp_path):
    p = write(tmp_path, "orders.csv", "")
    fails_with(tmp_path, "orders.csv: is empty", path=p)
    p = write(tmp_path, "orders.csv", HEADER)
    fails_with(tmp_path, "has a header but no data rows", path=p)


def test_gbk_file_is_read_with_a_warning(tmp_path):
    write(tmp_path, "orders.csv", "客户编号,成交日期,成交金额\n苏州宏远,2024-03-05,100\n", "gbk")
    m = write(tmp_path, "m.toml", '[orders.columns]\n"客户编号" = "customer_id"\n'
              '"成交日期" = "order_date"\n"成交金额" = "amount"\n')
    with pytest.warns(DataWarning, match="decodes as GB18030"):
        crm = load(tmp_path / "orders.csv", mapping=m, as_of=AS_OF)
    assert crm.orders["customer_id"].tolist() == ["苏州宏远"]


def test_missing_core_column(tmp_path):
    p = write(tmp_path, "orders.csv", "order_id,customer_id,order_date\nO1,C1,2024-03-05\n")
    e = fails_with(tmp_path, "has no column for ['amount']", path=p)
    assert e.report.errors[0].file == "orders.csv"


def test_optional_columns_may_be_absent_and_blanks_stay_blank(tmp_path):
    write(tmp_path, "orders.csv", "customer_id,order_date,amount,cost\nC1,2024-03-05,900,\n"
          "C1,2024-04-01,50,20\n")
    crm = load(tmp_path, as_of=AS_OF)
    o = crm.orders
    assert o.columns.tolist()[:4] == ["order_id", "customer_id", "order_date", "product_line"]
    assert o["amount"].tolist() == [900, 50] and o["cost"].isna().tolist() == [True, False]
    assert o["is_upgrade"].dtype == "boolean" and o["order_id"].notna().all()  # numbered rows
    # a column the export lacks is there, empty; has() says it holds nothing
    assert {c for c in o.columns if not crm.has("orders", c)} == {
        "product_line", "seats", "buyer_kind", "is_upgrade"}


def test_customers_with_a_blank_province_keep_everyone_elses(tmp_path):
    write(tmp_path, "orders.csv", "customer_id,order_date,amount\nC1,2024-03-05,900\nC2,2024-03-05,9\n")
    write(tmp_path, "customers.csv", "customer_id,province\nC1,Jiangsu\nC2,\n")
    crm = load(tmp_path, as_of=AS_OF)
    c = crm.customers
    assert c["province"].tolist()[0] == "Jiangsu" and pd.isna(c["province"].iloc[1])
    assert crm.has("customers", "province") and not crm.has("customers", "org_type")


def test_dates_day_first_are_inferred_and_ambiguous_ones_refused(tmp_path):
    write(tmp_path, "orders.csv", "customer_id,order_date,amount\nC1,05/03/2024,1\nC1,17/03/2024,1\n")
    crm = load(tmp_path, as_of=AS_OF)
    assert crm.orders["order_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-05", "2024-03-17"]
    assert any("read day first" in n for n in crm.report.notes)
    p = write(tmp_path, "orders.csv", "customer_id,order_date,amount\nC1,05/03/2024,1\nC1,06/03/2024,1\n")
    fails_with(tmp_path, 'could be day first or month first', path=p)


def test_non_numeric_and_negative_amounts(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace(",900,", ",9OO,"))
    fails_with(tmp_path, "column 'amount', row 2: 1 value(s) are not numbers ('9OO')", path=p)
    write(tmp_path, "orders.csv", HEADER + GOOD.replace(",5600.25,", ",-5600.25,"))
    with pytest.warns(DataWarning, match=r"total ¥-5,600.25: left out"):
        assert load(tmp_path, as_of=AS_OF).orders["amount"].tolist() == [900]


def test_own_product_names_are_kept_and_closed_vocabularies_checked(tmp_path):
    write(tmp_path, "orders.csv", HEADER + GOOD.replace("rebar", "广联达GTJ2025"))
    o = load(tmp_path, as_of=AS_OF).orders
    assert o["product_line"].tolist() == ["广联达GTJ2025", "estimating"]
    assert list(o["product_line"].cat.categories)[-1] == "广联达GTJ2025"
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace("individual", "person"))
    fails_with(tmp_path, "column 'buyer_kind', row 2: 1 value(s) not in", path=p)


def test_empty_required_field(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace(",2024-03-05,", ",,"))
    fails_with(tmp_path, "column 'order_date', row 2: 1 row(s) are empty", path=p)


def test_order_lines_add_up_and_an_id_under_two_customers_is_refused(tmp_path):
    write(tmp_path, "orders.csv", HEADER + GOOD + "O2,C2,2024-03-06,rebar,1,99.75,50,organisation,false\n")
    crm = load(tmp_path, as_of=AS_OF)
    assert len(crm.orders) == 3 and crm.orders.groupby("order_id")["amount"].sum().to_dict() == {
        "O1": 900.0, "O2": 5700.0}
    assert any("rows hold 2 orders" in n for n in crm.report.notes)
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace("O2,", "O1,"))
    fails_with(tmp_path, "rows share an order id with a row of another customer: ['O1']", path=p)


def test_every_problem_reported_at_once(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace(",900,", ",lots,")
              .replace("2024-03-06", "yesterday").replace("individual", "person"))
    e = fails_with(tmp_path, "order_date", path=p)
    assert [i.canonical or i.column for i in e.report.errors] == ["order_date", "amount", "buyer_kind"]


def test_dangling_reference_and_prospects(tmp_path):
    write(tmp_path, "customers.csv", "customer_id,customer_name\nC1,Alpha\n")
    p = write(tmp_path, "orders.csv", HEADER + GOOD)
    fails_with(tmp_path, "1 row(s) refer to ids missing from customers (['C2'])", path=p)
    # without a customer table, accounts that never bought are prospects
    (tmp_path / "customers.csv").unlink()
    write(tmp_path, "opportunities.csv", "customer_id,stage\nC3,first_appointment\nC1,won\n")
    c = load(tmp_path, as_of=AS_OF).customers.set_index("customer_id")["status_layer"]
    assert c.to_dict() == {"C1": "inactive", "C2": "inactive", "C3": "prospect"}


def test_data_and_mapping_switches(tmp_path, monkeypatch):
    write(tmp_path, "orders.csv", HEADER + GOOD)
    monkeypatch.setenv("CUSTLIB_DATA", str(tmp_path))
    assert data_dir() == tmp_path
    assert load(as_of=AS_OF).tables == ["customers", "orders"]
    monkeypatch.setenv("CUSTLIB_DATA", str(tmp_path / "nope"))
    with pytest.raises(FileNotFoundError, match=r"\$CUSTLIB_DATA"):
        data_dir()
    raw = write(tmp_path, "export.csv", "Kunde;Datum;Betrag\nK1;14.11.2024;1.234,56\n")
    write(tmp_path, "m.toml", '[settings]\ncurrency = "EUR"\nas_of = "2025-06-30"\n[orders.columns]\n'
          '"Kunde" = "customer_id"\n"Datum" = "order_date"\n"Betrag" = "amount"\n')
    monkeypatch.setenv("CUSTLIB_DATA", str(raw))
    monkeypatch.setenv("CUSTLIB_MAPPING", str(tmp_path / "m.toml"))
    crm = load()
    assert crm.orders["amount"].tolist() == [1234.56] and crm.currency == "EUR"
    assert crm.as_of == pd.Timestamp("2025-06-30") and money.currency() == "EUR"
    money.set_currency("CNY")


def test_an_imported_folder_is_read_exactly_without_parsing_again(tmp_path):
    write(tmp_path, "orders.csv", "customer_id,order_date,amount\n=HYPERLINK(\"x\"),2024-03-05,0.10\n"
          "C2,2024-03-06,0.20\n")
    write(tmp_path, "m.toml", '[settings]\ncurrency = "USD"\n[policy.pyramid]\n'
          'thresholds = [500, 100, 10]\n')
    import_data(tmp_path / "orders.csv", tmp_path / "out", mapping=tmp_path / "m.toml", as_of=AS_OF)
    csv_text = (tmp_path / "out" / "orders.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in csv_text  # the CSV for people cannot run a formula
    crm = load(tmp_path / "out")
    assert crm.orders["customer_id"].iloc[0] == '=HYPERLINK("x")'  # the tables stay exact
    assert crm.orders["amount"].sum() == pytest.approx(0.30, abs=1e-12)
    assert crm.currency == "USD" and crm.policy == {"pyramid": {"thresholds": (500.0, 100.0, 10.0)}}
    money.set_currency("CNY")


def test_an_imported_folder_reads_a_table_only_when_it_is_used(tmp_path, monkeypatch):
    import dataclasses

    import pyarrow.parquet as pq

    from custlib.io import crmdata as data_module
    from custlib import period
    from custlib.io import DEFAULT_DATA_DIR
    from custlib.io.crmdata import to_pandas

    import_data(DEFAULT_DATA_DIR, tmp_path / "out", as_of="2025-06-30")
    read = []
    real = pq.read_table

    def spy(file, *args, columns=None, **kw):
        read.append((Path(file).stem, None if columns is None else sorted(columns)))
        return real(file, *args, columns=columns, **kw)

    monkeypatch.setattr(data_module.pq, "read_table", spy)
    crm = load(tmp_path / "out", as_of="2025-03-31")
    assert read == [("orders", None)]                      # every analysis needs the orders
    counted = {t: crm.rows(t) for t in ("contacts", "events")}  # from the files' metadata
    assert read == [("orders", None)]
    assert crm.tables == ["reps", "customers", "contacts", "orders", "opportunities",
                          "activities", "events"]
    # the analysis date from the activities' dates alone, cut at as_of as the rows are
    assert period.last_dated(crm) == pd.Timestamp("2025-03-31")
    assert read[1:] == [("activities", ["activity_date"])]
    customers = crm.customers
    assert read[2:] == [("customers", None)] and crm.customers is customers   # read once
    assert crm.activities["activity_date"].max() <= pd.Timestamp("2025-03-31")
    eager = to_pandas(real(tmp_path / "out" / ".tables" / "customers.parquet"), "customers")
    pd.testing.assert_frame_equal(customers, eager)
    # replace and == see every table: one left out stays out
    small = dataclasses.replace(crm, contacts=None)
    assert small.contacts is None and "contacts" not in small.tables
    assert len(small.events) == len(crm.events) == counted["events"]
    assert len(crm.contacts) == counted["contacts"]
    assert crm.rows("activities") == len(crm.activities)        # cut at as_of as the rows are
    only = load(tmp_path / "out", tables=["customers"])
    assert only.tables == ["customers", "orders"] and only.activities is None


def test_bundled_data_is_the_synthetic_case():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning on the bundled data
        crm = load()
    assert crm.synthetic and crm.currency == "CNY" and crm.as_of is None
    assert len(crm.orders) == 19_692


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 99), st.integers(0, 10**6),
                          st.dates(pd.Timestamp("2000-01-01").date(), pd.Timestamp("2025-12-31").date()),
                          st.booleans()), min_size=1, max_size=20))
def test_round_trip_keeps_every_cent(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("rt")
    lines = [f"O{i},C{i % 3},{d.isoformat()},estimating,1,{a}.{cents:02d},{c},organisation,"
             f"{str(u).lower()}" for i, (a, cents, c, d, u) in enumerate(rows)]
    write(folder, "orders.csv", HEADER + "\n".join(lines) + "\n")
    o = load(folder, as_of=AS_OF).orders
    assert o["amount"].tolist() == [float(f"{r[0]}.{r[1]:02d}") for r in rows]
    assert o["cost"].tolist() == [r[2] for r in rows]
    assert [t.date() for t in o["order_date"]] == [r[3] for r in rows]
    assert o["is_upgrade"].tolist() == [r[4] for r in rows]


def test_has_answers_for_an_imported_folder_without_reading_its_tables(tmp_path):
    # the same answers as for the loaded tables, and a deferred table stays unread
    from custlib.io import import_data

    (tmp_path / "in").mkdir()
    write(tmp_path / "in", "orders.csv", "customer_id,order_date,amount,cost\n"
          "C1,2024-03-05,900,\nC2,2024-04-01,50,20\n")
    write(tmp_path / "in", "customers.csv", "customer_id,province\nC1,Jiangsu\nC2,\n")
    import_data(tmp_path / "in", tmp_path / "out", as_of=AS_OF)
    folder, direct = load(tmp_path / "out"), load(tmp_path / "in", as_of=AS_OF)
    for table, column in [("orders", "cost"), ("orders", "seats"), ("customers", "province"),
                          ("customers", "org_type"), ("customers", None), ("reps", None),
                          ("opportunities", "stage")]:
        assert folder.has(table, column) == direct.has(table, column), (table, column)
    assert "customers" in object.__getattribute__(folder, "_deferred")   # still unread
