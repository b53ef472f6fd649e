"""custlib.summary: the per-customer summary, the same by pandas and by DuckDB.

On the bundled data (in memory, from the imported Parquet copy and from its CSV), on a
generated dataset with order lines and customers of every kind, and against the
package's own functions it stands for (rfm_summary, the period windows).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib import period
from custlib.summary import SUMMARY_COLUMNS, customer_summary
from custlib.value import rfm_summary


@pytest.fixture(scope="module")
def as_of(crm):
    return period.as_of(crm)


@pytest.fixture(scope="module")
def by_pandas(crm, as_of):
    return customer_summary(crm.orders, as_of, engine="pandas")


def test_the_summary_is_what_the_package_computes_from_the_orders(crm, as_of, by_pandas):
    s = by_pandas
    assert list(s.columns) == list(SUMMARY_COLUMNS)
    rfm = rfm_summary(crm.orders, as_of=as_of)
    assert s.index.equals(pd.Index(rfm.index.astype(str), name="customer_id"))
    for c in ("frequency", "recency", "T"):
        assert s[c].tolist() == rfm[c].tolist()
    assert np.allclose(s["monetary_value"], rfm["monetary_value"], rtol=0, atol=1e-6)
    year = period.revenue_by_customer(crm.orders, *period.window(as_of, 12))
    prev = period.revenue_by_customer(crm.orders, *period.window(as_of, 12, back=1))
    assert np.allclose(s["revenue_12m"], year.reindex(s.index, fill_value=0), atol=1e-6)
    assert np.allclose(s["revenue_prev_12m"], prev.reindex(s.index, fill_value=0), atol=1e-6)
    assert s["revenue"].sum() == pytest.approx(crm.orders["amount"].sum(), rel=1e-12)
    g = crm.orders.groupby("customer_id")["order_date"]
    assert (s["first_order"] == g.min().reindex(s.index).dt.normalize()).all()
    assert (s["last_order"] == g.max().reindex(s.index).dt.normalize()).all()


def test_duckdb_gives_the_same_table_in_memory_from_parquet_and_from_csv(crm, as_of, by_pandas,
                                                                         tmp_path, synthetic_dir):
    from custlib.io import import_data

    pd.testing.assert_frame_equal(customer_summary(crm.orders, as_of, engine="duckdb"), by_pandas)
    import_data(synthetic_dir, tmp_path / "data")
    pd.testing.assert_frame_equal(customer_summary(tmp_path / "data", as_of), by_pandas)
    pd.testing.assert_frame_equal(
        customer_summary(tmp_path / "data" / "orders.csv", as_of, memory_limit="256MB",
                         threads=1), by_pandas)


def test_a_generated_dataset_with_order_lines_and_late_orders(tmp_path):
    rng = np.random.default_rng(7)
    n = 60_000
    o = pd.DataFrame({
        "customer_id": rng.choice([f"C{i:05d}" for i in range(4_000)], n),
        "order_date": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1_500, n), "D")
        + pd.to_timedelta(rng.integers(0, 86_400, n), "s"),
        "amount": rng.integers(1, 2_000_000, n) / 100,
    })
    as_of = "2025-06-30"          # some orders fall after it: left out by both
    a = customer_summary(o, as_of, engine="pandas")
    b = customer_summary(o, as_of, engine="duckdb")
    pd.testing.assert_frame_equal(a, b)
    o.to_parquet(tmp_path / "orders.parquet")
    pd.testing.assert_frame_equal(customer_summary(tmp_path / "orders.parquet", as_of), a)
    # the default analysis date is the last order's day, for both
    pd.testing.assert_frame_equal(customer_summary(o, engine="pandas"),
                                  customer_summary(o, engine="duckdb"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABCDE"), st.integers(0, 800),
                          st.integers(1, 10_000_00)), min_size=1, max_size=40))
def test_both_engines_agree_on_any_small_history(rows):
    o = pd.DataFrame({"customer_id": [r[0] for r in rows],
                      "order_date": pd.Timestamp("2023-01-01") + pd.to_timedelta([r[1] for r in rows], "D"),
                      "amount": [r[2] / 100 for r in rows]})
    a = customer_summary(o, "2025-03-31", engine="pandas")
    pd.testing.assert_frame_equal(a, customer_summary(o, "2025-03-31", engine="duckdb"))
    assert (a["purchase_days"] == a["frequency"] + 1).all()
    assert (a["recency"] <= a["T"]).all()
    assert (a["revenue_12m"] + a["revenue_prev_12m"] <= a["revenue"] + 1e-6).all()


def test_clear_errors():
    o = pd.DataFrame({"customer_id": ["A"], "order_date": pd.to_datetime(["2025-01-01"]),
                      "amount": [1.0]})
    with pytest.raises(ValueError, match=re.escape(
            "engine must be one of ['auto', 'pandas', 'duckdb'], got 'spark'")):
        customer_summary(o, engine="spark")
    with pytest.raises(ValueError, match="no order on or before 2024-01-01"):
        customer_summary(o, "2024-01-01", engine="duckdb")
    with pytest.raises(ValueError, match="no order on or before 2024-01-01"):
        customer_summary(o, "2024-01-01", engine="pandas")
    with pytest.raises(FileNotFoundError, match="no such orders file"):
        customer_summary("/nonexistent/orders.parquet")
    with pytest.raises(ValueError, match="needs the orders as a DataFrame"):
        customer_summary("orders.parquet", engine="pandas")


def test_the_summary_command_writes_the_table_and_refuses_what_it_cannot_read(
        crm, as_of, by_pandas, tmp_path, capsys):
    import hashlib

    from custlib import cli
    from custlib.io import DEFAULT_DATA_DIR

    src = DEFAULT_DATA_DIR / "orders.csv"    # canonical orders, as custlib writes them
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    day = str(as_of.date())
    assert cli.main(["summary", str(src), "--out", str(tmp_path / "s.parquet"), "--as-of", day]) == 0
    assert f"summarised {len(by_pandas):,} customers" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "s.parquet"), by_pandas,
                                  check_index_type=False, check_dtype=False)
    assert cli.main(["summary", str(src), "--out", str(tmp_path / "s.csv"), "--as-of", day]) == 0
    back = pd.read_csv(tmp_path / "s.csv", index_col="customer_id")
    assert back.index.tolist() == by_pandas.index.tolist()
    assert np.allclose(back["revenue_12m"], by_pandas["revenue_12m"])
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["s.csv", "s.parquet"]  # no temp file
    capsys.readouterr()

    def error(*argv) -> str:
        assert cli.main(["summary", *argv]) == 1
        return capsys.readouterr().err.strip()

    assert error(str(src), "--out", str(tmp_path / "s.csv")) == \
        f"custlib summary: error: {tmp_path / 's.csv'} exists: give --force to replace it"
    assert error(str(src), "--out", str(tmp_path / "s.xlsx")).endswith(
        "expected a .csv or .parquet file name")
    raw = Path(__file__).resolve().parent / "exports" / "salesforce" / "closed_won.csv"
    said = error(str(raw), "--out", str(tmp_path / "r.csv"))
    assert said.startswith(f"custlib summary: error: {raw}: not canonical orders (") and \
        "check a raw export with custlib validate" in said and "--debug" not in said
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
