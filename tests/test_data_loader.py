"""custlib.data: typed loading, and clear errors on bad input that leave the file untouched."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib.data import SchemaError, data_dir, load, read_table

HEADER = "order_id,customer_id,order_date,product_line,seats,amount,cost,buyer_kind,is_upgrade\n"
GOOD = "O1,C1,2024-03-05,rebar,1,900,500,individual,false\nO2,C2,2024-03-06,estimating,2,5600,4100,organisation,true\n"
CUSTOMERS = ("customer_id,customer_name,org_type,business_line,province,city,estimators,seats_owned,"
             "competitor,competitor_seats,importance,first_contact_date,first_purchase_date,rep_id,"
             "status_layer\n"
             "C1,Alpha Co,owner,civil,Jiangsu,Suzhou,3,1,,0,general,2023-01-01,2024-03-05,R1,customer\n"
             "C2,Beta Co,contractor,landscape,Hebei,Baoding,9,2,BuildCalc,3,important,2023-02-01,2024-03-06,R1,customer\n")


def write(folder, name, text, encoding="utf-8"):
    path = folder / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def fails_with(folder, table, message, *, path):
    before = path.read_bytes()
    with pytest.raises(SchemaError) as err:
        read_table(table, folder)
    assert path.read_bytes() == before  # the user's file is never modified
    assert message in str(err.value), str(err.value)
    return err.value


def test_reads_canonical_types(tmp_path):
    write(tmp_path, "orders.csv", HEADER + GOOD)
    o = read_table("orders", tmp_path)
    assert o["order_date"].dtype.kind == "M" and o["order_date"].iloc[0] == pd.Timestamp("2024-03-05")
    assert o["amount"].dtype == "int64" and o["amount"].tolist() == [900, 5600]
    assert o["is_upgrade"].tolist() == [False, True]
    assert list(o["product_line"].cat.categories) == ["estimating", "quantity_takeoff", "rebar",
                                                     "training_service"]


def test_utf8_bom_and_extra_columns_are_accepted(tmp_path):
    write(tmp_path, "orders.csv", "\ufeff" + HEADER.rstrip("\n") + ",note\n"
          + GOOD.replace("false\n", "false,hello\n").replace("true\n", "true,\n"))
    o = read_table("orders", tmp_path)
    assert o.columns[-1] == "note" and o["note"].iloc[0] == "hello"


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="orders.csv not found"):
        read_table("orders", tmp_path)


def test_empty_file_and_header_only(tmp_path):
    p = write(tmp_path, "orders.csv", "")
    fails_with(tmp_path, "orders", "orders.csv: is empty", path=p)
    p = write(tmp_path, "orders.csv", HEADER)
    fails_with(tmp_path, "orders", "has a header but no data rows", path=p)


def test_gbk_file_is_named_as_such(tmp_path):
    p = write(tmp_path, "customers.csv", CUSTOMERS.replace("Alpha Co", "苏州宏远建设有限公司"), "gbk")
    e = fails_with(tmp_path, "customers", "is not UTF-8 (from line 2; it looks like GBK/GB18030", path=p)
    assert e.file == "customers.csv"


def test_missing_core_column(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER.replace(",amount", "") + GOOD.replace(",900", "").replace(",5600", ""))
    e = fails_with(tmp_path, "orders", "column 'amount': missing column(s) ['amount']", path=p)
    assert e.column == "amount"


def test_optional_columns_may_be_absent_and_load_empty(tmp_path):
    write(tmp_path, "orders.csv", "customer_id,order_date,amount\nC1,2024-03-05,900\nC1,2024-04-01,50\n")
    o = read_table("orders", tmp_path)
    assert o.columns.tolist()[:4] == ["order_id", "customer_id", "order_date", "product_line"]
    assert o["amount"].tolist() == [900, 50] and o["cost"].isna().all() and o["cost"].dtype == "Int64"
    assert o["is_upgrade"].dtype == "boolean" and o["order_id"].isna().all()
    assert set(o.attrs["absent_columns"]) == {"order_id", "product_line", "seats", "cost",
                                              "buyer_kind", "is_upgrade"}


def test_unparseable_date(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace("2024-03-06", "6/3/2024"))
    e = fails_with(tmp_path, "orders", "column 'order_date': expected dates written YYYY-MM-DD, "
                                       "found 1 unparseable at line 3 ('6/3/2024')", path=p)
    assert e.rows == [3]


def test_non_numeric_amount(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace(",900,", ",9OO,"))
    fails_with(tmp_path, "orders", "column 'amount': expected whole numbers, found 1 other values "
                                   "at line 2 ('9OO')", path=p)


def test_negative_amount(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace(",5600,", ",-5600,"))
    fails_with(tmp_path, "orders", "column 'amount': expected values >= 0 (CNY), found 1 below "
                                   "at line 3 (-5600)", path=p)


def test_unknown_category(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace("rebar", "Rebar Pro"))
    fails_with(tmp_path, "orders", "column 'product_line': expected one of ['estimating', "
                                   "'quantity_takeoff', 'rebar', 'training_service'], found 1 "
                                   "other values at line 2: ['Rebar Pro']", path=p)


def test_empty_required_field(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace("O1,C1,", "O1,,"))
    fails_with(tmp_path, "orders", "column 'customer_id': expected a value in every row, found 1 "
                                   "empty at line 2", path=p)


def test_duplicate_ids(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace("O2,", "O1,"))
    fails_with(tmp_path, "orders", "column 'order_id': expected unique ids, found 2 rows sharing "
                                   "['O1'] at lines 2, 3", path=p)


def test_every_problem_reported_at_once(tmp_path):
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace(",900,", ",-900,")
              .replace("2024-03-06", "yesterday").replace("O2,", "O1,"))
    e = fails_with(tmp_path, "orders", "orders.csv has 3 problems:", path=p)
    assert [x.split(",")[0].split(":")[0] for x in e.problems] == [
        "expected dates written YYYY-MM-DD", "expected values >= 0 (CNY)", "expected unique ids"]


def test_dangling_reference(tmp_path):
    write(tmp_path, "customers.csv", CUSTOMERS)
    p = write(tmp_path, "orders.csv", HEADER + GOOD.replace("O2,C2", "O2,C9"))
    before = p.read_bytes()
    with pytest.raises(SchemaError, match=r"orders.csv, column 'customer_id': expected ids that "
                                          r"exist in customers.csv, found 1 that do not at line 3: \['C9'\]"):
        load(tmp_path)
    assert p.read_bytes() == before


def test_data_dir_switch(tmp_path, monkeypatch):
    write(tmp_path, "orders.csv", HEADER + GOOD)
    monkeypatch.setenv("CUSTLIB_DATA", str(tmp_path))
    assert data_dir() == tmp_path
    assert load().tables == ["orders"]
    monkeypatch.setenv("CUSTLIB_DATA", str(tmp_path / "nope"))
    with pytest.raises(FileNotFoundError, match=r"\$CUSTLIB_DATA"):
        data_dir()


def test_load_requires_orders(tmp_path):
    write(tmp_path, "customers.csv", CUSTOMERS)
    with pytest.raises(FileNotFoundError, match="needs the orders"):
        load(tmp_path)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**6),
                          st.dates(pd.Timestamp("2000-01-01").date(), pd.Timestamp("2030-12-31").date()),
                          st.booleans()), min_size=1, max_size=20))
def test_round_trip(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("rt")
    lines = [f"O{i},C{i % 3},{d.isoformat()},estimating,1,{a},{c},organisation,{str(u).lower()}"
             for i, (a, c, d, u) in enumerate(rows)]
    write(folder, "orders.csv", HEADER + "\n".join(lines) + "\n")
    o = read_table("orders", folder)
    assert o["amount"].tolist() == [r[0] for r in rows]
    assert o["cost"].tolist() == [r[1] for r in rows]
    assert [t.date() for t in o["order_date"]] == [r[2] for r in rows]
    assert o["is_upgrade"].tolist() == [r[3] for r in rows]
