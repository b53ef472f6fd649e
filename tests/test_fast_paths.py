"""The readers' fast paths give exactly what the full grammar gives.

A column of plain numbers is read by one cast, a column of plain ISO dates by one
cast, ISO dates with times by slicing, and
exact duplicates are looked for only among rows whose id repeats (custlib.io.parse,
custlib.io). Each shortcut is compared here with the long way on generated
columns, values and problems alike.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib.io import parse as _parse
from custlib.io.rules import _duplicate_rows

plain = st.builds(lambda neg, whole, frac: ("-" if neg else "") + whole + (f".{frac}" if frac else ""),
                  st.booleans(), st.from_regex(r"\d{1,14}", fullmatch=True),
                  st.one_of(st.none(), st.from_regex(r"\d{1,4}", fullmatch=True)))
iso = st.builds(lambda y, m, d, t: f"{y:04d}-{m:02d}-{d:02d}" + t,
                st.integers(1880, 2045), st.integers(0, 13), st.integers(0, 32),
                st.sampled_from(["", " 10:00", "T23:59:59", " 07:05"]))


def same(a: _parse.Parsed, b: _parse.Parsed) -> None:
    assert a.values.equals(b.values), (a.values, b.values)
    assert a.note == b.note
    assert [(p.level, p.message, p.fix) for p in a.problems] == \
        [(p.level, p.message, p.fix) for p in b.problems]
    for p, q in zip(a.problems, b.problems):
        assert np.array_equal(p.mask, q.mask)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(plain, st.none()), min_size=1, max_size=30), st.booleans(),
       st.sampled_from([None, "."]))
def test_plain_numbers_are_read_as_the_grammar_reads_them(values, money, decimal):
    col = pa.array(values, pa.string())
    same(_parse.parse_numbers(col, decimal, money=money),
         _parse.parse_numbers(col, decimal, money=money, _fast=False))


def test_the_fast_number_path_keeps_the_ambiguity_and_size_errors():
    col = pa.array(["1.200", "0.200", "-3.500", "25", "2" * 14])
    fast = _parse.parse_numbers(col, money=True)
    same(fast, _parse.parse_numbers(col, money=True, _fast=False))
    assert [p.message.split(" (")[0] for p in fast.problems] == \
        ["2 value(s) could be read two ways", "1 value(s) are implausibly large"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(iso, st.none()), min_size=1, max_size=30))
def test_iso_dates_are_read_as_the_grammar_reads_them(values):
    col = pa.array(values, pa.string())
    same(_parse.parse_dates(col, latest_year=2030),
         _parse.parse_dates(col, latest_year=2030, _fast=False))


plain_date = st.dates(min_value=datetime.date(1850, 1, 1),
                      max_value=datetime.date(2060, 12, 31)).map(lambda d: d.isoformat())
odd_date = st.sampled_from(["2023-02-29", "2024-1-5", "2024-01-05 ", "0099-01-01", "+2024-01-05",
                            "2024-04-31", "2024-01-05T10:00", "20240105"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(plain_date, st.none()), min_size=1, max_size=30),
       st.lists(odd_date, max_size=1), st.integers(1950, 2000))
def test_plain_dates_read_by_one_cast_are_the_grammars_dates(values, odd, earliest):
    # mostly columns of calendar dates, where the cast applies; now and then one value
    # the cast refuses (odd) or a year out of range, where the general reader takes over
    col = pa.array(values + odd, pa.string())
    inside = all(v is None or earliest <= int(v[:4]) <= 2030 for v in values)
    assert (_parse._plain_dates(col, earliest, 2030) is not None) == (not odd and inside)
    same(_parse.parse_dates(col, earliest_year=earliest, latest_year=2030),
         _parse.parse_dates(col, earliest_year=earliest, latest_year=2030, _fast=False))


def naive_duplicates(rows: list[tuple]) -> np.ndarray:
    seen, out = set(), []
    for r in rows:
        out.append(r in seen)
        seen.add(r)
    return np.array(out, dtype=bool)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["O1", "O2", "O3", "O4"])),
                          st.sampled_from(["a", "b"]), st.one_of(st.none(), st.sampled_from(["1", "2"]))),
                min_size=1, max_size=40),
       st.lists(st.text(alphabet="xyz", min_size=1, max_size=3), min_size=0, max_size=40, unique=True))
def test_duplicates_found_through_the_id_are_the_duplicates(rows, unique_ids):
    # repeated ids (order lines), and a run of unique ids that can never repeat
    rows = rows + [(u, "a", "1") for u in unique_ids]
    cols = [pa.array([r[i] for r in rows], pa.string()) for i in range(3)]
    expected = naive_duplicates(rows)
    assert np.array_equal(_duplicate_rows(cols), expected)
    assert np.array_equal(_duplicate_rows(cols, cols[0]), expected)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="C0-9 x\u200b\ufeffＣ０\u3000", max_size=6)),
                min_size=1, max_size=20), st.booleans())
def test_ids_are_normalised_alike_whether_the_column_is_ascii_or_not(values, ascii_only):
    import unicodedata

    from custlib.io.parse import normalise_ids

    if ascii_only:
        values = [None if v is None else "".join(ch for ch in v if ch.isascii()) for v in values]
    ids, changed = normalise_ids(pa.array(values, pa.string()))
    expected, was_changed = [], []
    for v in values:
        if v is None:
            expected.append(None)
            was_changed.append(False)
            continue
        w = unicodedata.normalize("NFKC", v).replace("\u200b", "").replace("\ufeff", "").strip()
        expected.append(w or None)
        was_changed.append(bool(w) and w != v.strip())
    assert ids.to_pylist() == expected
    assert changed.tolist() == was_changed



@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="C1;, 好，；", max_size=6)), min_size=1,
                max_size=15), st.integers(0, 2))
def test_a_column_without_separator_bytes_is_one_customer_per_row(values, cut):
    """several_customers skips its regex when no byte is ';' or ',': the rows it marks
    and the ids it keeps are the regex's (full-width separators are not separators)."""
    import pyarrow.compute as pc

    from custlib.io import rules

    col = pa.array(values, pa.string()).slice(min(cut, len(values) - 1))
    first, multi = rules.several_customers(col)
    expected = pc.fill_null(pc.match_substring_regex(col, r"[;,]"), False).to_numpy(
        zero_copy_only=False)
    assert np.array_equal(multi, expected)
    keep = pc.utf8_trim_whitespace(pc.replace_substring_regex(col, r"^([^;,]*)[;,].*$", r"\1")) \
        if expected.any() else col
    assert first.to_pylist() == keep.to_pylist()


CORPORA = Path(__file__).resolve().parent
CASES = sorted([*(p for p in (CORPORA / "badinput").iterdir() if p.suffix != ".toml"),
                *(p for p in (CORPORA / "hostile").iterdir() if p.name.startswith("v")),
                *(p for p in (CORPORA / "exports").iterdir() if p.is_dir()),
                CORPORA.parent / "data" / "synthetic"])


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_columns_read_in_parallel_give_the_serial_report_and_tables(case, monkeypatch):
    # a big table's columns are read by several threads; the findings, their order
    # and the tables are those of reading the columns one after the other
    from custlib.io import ingest, normalise

    mapping = case / "mapping.toml" if (case / "mapping.toml").is_file() else None
    if case.is_dir() and mapping is None:
        mapping = next(iter(sorted(Path(__file__).resolve().parents[1].glob(
            f"examples/mappings/{case.name.split('_')[0]}*.toml"))), None)
    def read(rows):
        monkeypatch.setattr(normalise, "_PARALLEL_ROWS", rows)
        return ingest._read_all(case, mapping, "2025-12-31")
    serial, s_tables, _ = read(10**12)
    parallel, p_tables, _ = read(0)
    assert parallel.text() == serial.text()
    assert [(i.rows, i.count) for i in parallel.issues] == [(i.rows, i.count) for i in serial.issues]
    assert p_tables.keys() == s_tables.keys()
    for name, t in s_tables.items():
        assert p_tables[name].equals(t), name


ids = st.one_of(st.none(), st.sampled_from(["C1", "C2", "C3", "Ｃ4", "", " C5"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(ids, max_size=20), st.lists(ids, max_size=20),
       st.sampled_from(["series", "index", "list", "categorical", "unique"]))
def test_isin_on_arrow_text_answers_as_pandas(left, right, kind):
    import pandas as pd

    from custlib._pandas import isin

    lhs = pd.Series(left, dtype="string[pyarrow]")
    values = {"series": lambda v: pd.Series(v, dtype="string[pyarrow]"),
              "index": lambda v: pd.Index(v, dtype="string[pyarrow]"),
              "list": list,
              "categorical": lambda v: pd.Series(v, dtype="category"),
              "unique": lambda v: pd.Series(v, dtype="string[pyarrow]").unique()}[kind](right)
    for obj in (lhs, pd.Index(lhs)):
        got = isin(obj, values)
        assert got.dtype == bool and np.array_equal(got, np.asarray(obj.isin(values), dtype=bool))


@settings(max_examples=100, deadline=None)
@given(st.lists(ids, max_size=30), st.lists(st.sampled_from(["C1", "C2", "C3", "Ｃ4", " C5"]),
                                            unique=True, max_size=5))
def test_positions_are_those_of_get_indexer(values, index):
    import pandas as pd

    from custlib._pandas import positions

    left = pd.Series(values, dtype="string[pyarrow]")
    idx = pd.Index(index, dtype="string[pyarrow]")
    expected = pd.Index(index, dtype=object).get_indexer(pd.Series(values, dtype=object))
    assert positions(left, idx).tolist() == expected.tolist()


# --- per-customer numbers on integer codes (custlib._pandas.group_codes) ---------------
# Each function below hashes the ids once and reduces integer codes; each is compared
# with the plain groupby it replaces, on generated orders with missing ids, dates,
# lines and amounts.

def _orders(draw_ids, dates, lines, amounts, upgrades, text):
    import pandas as pd

    n = min(map(len, (draw_ids, dates, lines, amounts, upgrades)))
    ids = draw_ids[:n]
    return pd.DataFrame({
        "customer_id": pd.array(ids, dtype="str") if text == "str" else pd.Series(ids, dtype=object),
        "order_date": pd.to_datetime(pd.Series(dates[:n], dtype=object)),
        "product_line": pd.Categorical(lines[:n]) if text == "str" else pd.Series(lines[:n], dtype=object),
        "amount": pd.Series(amounts[:n], dtype=float),
        "cost": pd.Series(amounts[:n], dtype=float).fillna(0) * 0.25,
        "is_upgrade": pd.Series(upgrades[:n], dtype=bool)})


orders_st = st.builds(
    _orders,
    st.lists(st.sampled_from(["C1", "C2", "C3", "C10", None]), max_size=25),
    st.lists(st.sampled_from(["2024-02-29", "2024-12-31", "2025-06-01", "2025-12-31", None]),
             max_size=25),
    st.lists(st.sampled_from(["estimating", "rebar", None]), max_size=25),
    st.lists(st.sampled_from([1.0, 2.5, 1e6, 0.01, None]), max_size=25),
    st.lists(st.booleans(), max_size=25),
    st.sampled_from(["str", "object"]))


@settings(max_examples=150, deadline=None)
@given(orders_st, st.sampled_from(["2025-12-31", "2025-03-01", "2020-01-01"]),
       st.booleans())
def test_lifecycle_features_are_those_of_groupby(orders, as_of, with_customers):
    import pandas as pd

    from custlib.lifecycle import lifecycle_features

    customers = ["C2", "C9"] if with_customers else None
    as_of, window = pd.Timestamp(as_of), 365
    o = orders[orders["order_date"] <= as_of]
    g = o.groupby("customer_id")
    age = (as_of - o["order_date"]).dt.days
    expected = pd.DataFrame({
        "tenure": (as_of - g["order_date"].min()).dt.days,
        "recency": (as_of - g["order_date"].max()).dt.days,
        "revenue_recent": o["amount"].where(age < window, 0).groupby(o["customer_id"]).sum(),
        "revenue_previous": o["amount"].where((age >= window) & (age < 2 * window), 0)
        .groupby(o["customer_id"]).sum()})
    got = lifecycle_features(orders, as_of, customers, window_days=window)
    if customers is not None:
        expected = expected.reindex(expected.index.union(pd.Index(customers)))
        expected[["revenue_recent", "revenue_previous"]] = \
            expected[["revenue_recent", "revenue_previous"]].fillna(0)
    expected.index.name = "customer_id"
    pd.testing.assert_frame_equal(got.drop(columns="trend"), expected, check_exact=True)


@settings(max_examples=150, deadline=None)
@given(orders_st)
def test_profit_from_orders_is_that_of_a_sort_and_groupby(orders):
    import pandas as pd

    from custlib.value import profit_from_orders

    if orders["customer_id"].isna().all():
        return
    o = orders.sort_values(["customer_id", "order_date"], kind="stable")
    first = o.groupby("customer_id")["product_line"].transform("first")
    line = o["product_line"].astype(object)
    # an order naming no line is counted as cross-sell
    cross = o["is_upgrade"] | line.isna() | (line != first.astype(object))
    profit = o["amount"] - o["cost"]
    g = profit.groupby([o["customer_id"], cross.rename("cross")]).sum().unstack(fill_value=0.0)
    expected = pd.DataFrame({"base_profit": g.get(False, 0.0),
                             "cross_sell_profit": g.get(True, 0.0)}, index=g.index)
    pd.testing.assert_frame_equal(profit_from_orders(orders), expected, check_exact=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["C1", "C2", "C3", None]),
                          st.sampled_from(["decision_maker", "user", "coach", "other", None])),
                max_size=25),
       st.sampled_from([None, ["C3", "C9", "C1"]]), st.sampled_from(["str", "object"]))
def test_role_coverage_counts_as_a_groupby(rows, asked, text):
    import pandas as pd

    from custlib.keyaccount import decision_structure, role_coverage

    dtype = "str" if text == "str" else object
    contacts = pd.DataFrame(rows or [], columns=["customer_id", "role"]).astype(dtype)
    roles = decision_structure()["role"].tolist()
    known = contacts[contacts["customer_id"].notna()]
    # every customer with a contact has a row, whatever the contacts' roles
    expected = (known.groupby(["customer_id", "role"]).size().unstack(fill_value=0)
                .reindex(index=pd.Index(sorted(set(known["customer_id"])), name="customer_id"),
                         columns=pd.Index(roles, name="role"), fill_value=0).astype("int64"))
    if asked is not None:
        expected = expected.reindex(pd.Index(asked), fill_value=0)
    got = role_coverage(contacts, asked)
    pd.testing.assert_frame_equal(got[roles], expected, check_exact=True, check_index_type=False)
    assert got["has_decision_maker"].tolist() == (expected["decision_maker"] > 0).tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["C2", "C1", "c1", "C10", None, "客户"]), max_size=30),
       st.sampled_from(["str", "object", "category"]))
def test_group_codes_are_the_groups_of_groupby(keys, kind):
    import pandas as pd

    from custlib._pandas import group_codes

    s = pd.Series(keys, dtype={"str": "str", "object": object, "category": "category"}[kind],
                  name="customer_id")
    codes, uniques = group_codes(s)
    expected = pd.Series(range(len(s))).groupby(s.to_numpy() if kind != "category" else s).size()
    assert uniques.tolist() == expected.index.tolist() and uniques.name == "customer_id"
    assert codes.dtype == np.int64 and (codes == -1).sum() == s.isna().sum()
    assert [uniques[c] if c >= 0 else None for c in codes] == \
        [None if pd.isna(k) else k for k in s]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates(datetime.date(2019, 1, 1), datetime.date(2026, 3, 1))),
                max_size=30),
       st.sampled_from(["2025-12-31", "2024-02-29", "2025-03-31"]), st.sampled_from([12, 1, 6]))
def test_windows_back_is_the_loop_over_windows(days, end, months):
    import pandas as pd

    from custlib import period

    orders = pd.DataFrame({"order_date": pd.to_datetime(pd.Series(days, dtype=object))})
    expected = pd.Series(-1, index=orders.index)
    k = 0          # as lesson 4 first wrote it: one filtered copy of the orders per window
    while len(orders) and period.window(end, months, back=k)[1] >= orders["order_date"].min():
        expected[period.in_window(orders, *period.window(end, months, back=k)).index] = k
        k += 1
    got = period.windows_back(orders["order_date"], end, months)
    assert got.tolist() == expected.tolist() and got.index.equals(orders.index)
