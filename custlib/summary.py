"""One row per customer from the orders: the only step whose cost grows with transactions.

Everything the lessons and the workbook compute after it — tiers, the pyramid, RFM
scores, lifecycle stages, the master table — works on one row per customer. This
module gives that row, the **customer summary** (客户汇总), two ways that agree to the
cent:

* ``engine="pandas"`` — in memory, from a DataFrame, with the package's own functions
  (:func:`custlib.value.rfm_summary`, :func:`custlib.period.revenue_by_customer`);
* ``engine="duckdb"`` — the SQL of :data:`SUMMARY_SQL` run by DuckDB (embedded, no
  server), on a DataFrame or directly on CSV or Parquet files, out of core and in
  parallel, so an orders file larger than memory is summarised with bounded memory.

``engine="auto"`` takes DuckDB for a file or for more than :data:`DUCKDB_ROWS` rows.

The SQL is plain SQL over the canonical ``orders`` columns (``customer_id``,
``order_date``, ``amount``; see :mod:`custlib.schema`), so the same summary runs on a
warehouse (PostgreSQL, BigQuery, Snowflake) or Spark SQL for exports that outgrow one
machine: replace ``orders`` by the table and bind ``$as_of`` and the window dates.

Columns (index ``customer_id``, sorted; customers with an order on or before ``as_of``):

* ``first_order``, ``last_order`` — dates of the first and the last purchase day;
* ``purchase_days`` — distinct days with an order;
* ``revenue`` — all orders up to ``as_of`` (money, the data's currency);
* ``revenue_12m``, ``revenue_prev_12m`` — the ``months`` up to ``as_of`` and the
  ``months`` before (:func:`custlib.period.window`), 0 when none;
* ``frequency``, ``recency``, ``T``, ``monetary_value`` — as
  :func:`custlib.value.rfm_summary` (days; money per repeat purchase day).

Examples
--------
>>> import pandas as pd
>>> o = pd.DataFrame({"customer_id": ["A", "A", "A", "B"],
...                   "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-12-11",
...                                                 "2025-01-05"]),
...                   "amount": [100.0, 50.0, 300.0, 80.0]})
>>> s = customer_summary(o, as_of="2025-01-31", engine="pandas")
>>> s[["purchase_days", "revenue", "revenue_12m", "frequency", "T"]].to_dict("index")
{'A': {'purchase_days': 2, 'revenue': 450.0, 'revenue_12m': 300.0, 'frequency': 1, 'T': 396}, 'B': {'purchase_days': 1, 'revenue': 80.0, 'revenue_12m': 80.0, 'frequency': 0, 'T': 26}}
>>> customer_summary(o, as_of="2025-01-31", engine="duckdb").equals(s)
True
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from custlib import period
from custlib._extras import _installed, require
from custlib._validate import check_choice, check_date, check_frame, check_scalar

__all__ = ["customer_summary", "SUMMARY_SQL", "SUMMARY_COLUMNS", "DUCKDB_ROWS"]

#: Above this many order rows ``engine="auto"`` summarises with DuckDB.
DUCKDB_ROWS = 2_000_000

#: The columns of the summary, in order.
SUMMARY_COLUMNS = ("first_order", "last_order", "purchase_days", "revenue", "revenue_12m",
                   "revenue_prev_12m", "frequency", "recency", "T", "monetary_value")

#: The customer summary in plain SQL over ``orders(customer_id, order_date, amount)``.
#: Parameters: ``$as_of`` (the analysis date) and the two windows ``$start``–``$as_of``
#: and ``$prev_start``–``$prev_end`` (dates, both ends included).
SUMMARY_SQL = """
WITH days AS (            -- orders of one customer and day are summed first
    SELECT customer_id, CAST(order_date AS DATE) AS day, SUM(amount) AS amount
    FROM orders
    WHERE order_date <= CAST($as_of AS TIMESTAMP)   -- as pandas compares: up to midnight
    GROUP BY customer_id, CAST(order_date AS DATE)
),
firsts AS (
    SELECT customer_id, MIN(day) AS first_order, MAX(day) AS last_order,
           COUNT(*) AS purchase_days, SUM(amount) AS revenue,
           SUM(CASE WHEN day >= $start THEN amount ELSE 0 END) AS revenue_12m,
           SUM(CASE WHEN day BETWEEN $prev_start AND $prev_end THEN amount ELSE 0 END)
               AS revenue_prev_12m
    FROM days
    GROUP BY customer_id
)
SELECT f.customer_id, f.first_order, f.last_order, f.purchase_days, f.revenue,
       f.revenue_12m, f.revenue_prev_12m,
       f.purchase_days - 1 AS frequency,
       f.last_order - f.first_order AS recency,
       $as_of - f.first_order AS "T",
       CASE WHEN f.purchase_days > 1
            THEN (f.revenue - d.amount) / (f.purchase_days - 1) ELSE 0 END AS monetary_value
FROM firsts f
JOIN days d ON d.customer_id = f.customer_id AND d.day = f.first_order
ORDER BY f.customer_id
"""


def _windows(as_of: pd.Timestamp, months: int) -> dict:
    start, end = period.window(as_of, months)
    prev_start, prev_end = period.window(as_of, months, back=1)
    return {"as_of": end.date(), "start": start.date(), "prev_start": prev_start.date(),
            "prev_end": prev_end.date()}


def _pandas(orders: pd.DataFrame, as_of: pd.Timestamp, months: int) -> pd.DataFrame:
    from custlib.value import rfm_summary

    o = orders[orders["order_date"] <= as_of]
    rfm = rfm_summary(o, as_of=as_of)
    w = _windows(as_of, months)
    day = o["order_date"].dt.normalize()
    g = o.assign(day=day).groupby("customer_id", observed=True)
    out = pd.DataFrame(index=rfm.index)
    out["first_order"] = g["day"].min().reindex(out.index)
    out["last_order"] = g["day"].max().reindex(out.index)
    out["purchase_days"] = (rfm["frequency"] + 1).astype("int64")
    daily = o.assign(day=day).groupby(["customer_id", "day"], observed=True)["amount"].sum()
    out["revenue"] = daily.groupby(level=0, observed=True).sum().reindex(out.index).astype(float)
    for name, (a, b) in (("revenue_12m", (w["start"], w["as_of"])),
                         ("revenue_prev_12m", (w["prev_start"], w["prev_end"]))):
        days = daily.index.get_level_values("day")
        sel = daily[(days >= pd.Timestamp(a)) & (days <= pd.Timestamp(b))]
        out[name] = sel.groupby(level=0, observed=True).sum().reindex(out.index, fill_value=0.0)
    for c in ("frequency", "recency", "T", "monetary_value"):
        out[c] = rfm[c]
    return _typed(out)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """The summary's dtypes, the same whichever engine made it."""
    out = df.copy()
    out.index = pd.Index(out.index.astype(str), name="customer_id", dtype=object)
    for c in ("first_order", "last_order"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    for c in ("purchase_days", "frequency", "recency", "T"):
        out[c] = out[c].astype("int64")
    for c in ("revenue", "revenue_12m", "revenue_prev_12m", "monetary_value"):
        out[c] = out[c].astype("float64")
    # sums in another order differ in the last binary digit: the summary is exact to
    # a millionth of the currency unit, whichever engine added it up
    money = ["revenue", "revenue_12m", "revenue_prev_12m", "monetary_value"]
    out[money] = out[money].round(6)
    out = out[list(SUMMARY_COLUMNS)]
    return out if out.index.is_monotonic_increasing else out.sort_index()


def _relation(orders) -> str:
    """The orders as a DuckDB relation: a registered DataFrame, or a file read in place."""
    if isinstance(orders, pd.DataFrame):
        return "orders"
    path = Path(orders)
    if path.is_dir():  # an imported folder: its exact tables, else its CSV
        parquet = path / ".tables" / "orders.parquet"
        path = parquet if parquet.exists() else path / "orders.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such orders file")
    text = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        src = f"read_parquet('{text}')"
    elif path.suffix.lower() == ".csv":  # a canonical file (as custlib writes it)
        src = (f"read_csv('{text}', header=true, types={{'customer_id': 'VARCHAR', "
               "'order_date': 'DATE', 'amount': 'DOUBLE'})")
    else:
        raise ValueError(f"{path}: expected a .parquet or .csv orders file, found {path.suffix!r}")
    return f"(SELECT customer_id, order_date, amount FROM {src})"


def _duckdb(orders, as_of: pd.Timestamp | None, months: int, memory_limit: str | None,
            threads: int | None) -> pd.DataFrame:
    require("scale", "the DuckDB engine of customer_summary")
    import duckdb

    con = duckdb.connect(config={"memory_limit": memory_limit} if memory_limit else {})
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        rel = _relation(orders)
        if isinstance(orders, pd.DataFrame):
            con.register("orders", orders[["customer_id", "order_date", "amount"]])
        if as_of is None:
            last = con.execute(f"SELECT MAX(CAST(order_date AS DATE)) FROM {rel}").fetchone()[0]
            if last is None:
                raise ValueError("orders has no order dates")
            as_of = pd.Timestamp(last)
        df = con.execute(SUMMARY_SQL.replace("FROM orders", f"FROM {rel}"),
                         _windows(as_of, months)).df()
    except duckdb.Error as exc:
        if isinstance(orders, pd.DataFrame):
            raise
        said = str(exc).splitlines()[0]
        raise ValueError(f"{orders}: not canonical orders ({said}); expected the columns "
                         "customer_id, order_date (YYYY-MM-DD) and amount as custlib writes "
                         "them: check a raw export with custlib validate, and summarise the "
                         "data/ folder of a custlib run") from None
    finally:
        con.close()
    if df.empty:
        raise ValueError(f"orders has no order on or before {as_of.date()}")
    return _typed(df.set_index("customer_id"))


def customer_summary(orders, as_of=None, *, months: int = 12, engine: str = "auto",
                     memory_limit: str | None = None, threads: int | None = None) -> pd.DataFrame:
    """The customer summary (客户汇总): one row per customer from the orders.

    See the module docstring for the columns. ``frequency``, ``recency``, ``T`` and
    ``monetary_value`` are those of :func:`custlib.value.rfm_summary`; the revenue
    windows are those of :func:`custlib.period.window`, so the summary feeds the
    pyramid, RFM and lifecycle functions as the orders themselves would.

    Parameters
    ----------
    orders : DataFrame or path-like
        Canonical orders (``customer_id``, ``order_date`` datetime64, ``amount``), or a
        ``.parquet`` / ``.csv`` file with those columns, or a folder written by
        ``custlib import`` / ``custlib run`` (its ``data/`` folder).
    as_of : date-like, optional
        The analysis date (default: the last order date). Orders after it are left out.
    months : int, default 12
        Length of the revenue windows.
    engine : {"auto", "pandas", "duckdb"}
        ``auto``: DuckDB for a file or above :data:`DUCKDB_ROWS` rows, else pandas.
    memory_limit : str, optional
        DuckDB's memory limit (e.g. ``"2GB"``); it spills to disk beyond it.
    threads : int, optional
        DuckDB's threads (default: all cores).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (text, sorted): :data:`SUMMARY_COLUMNS`.

    Raises
    ------
    ValueError
        An unknown engine, a missing column, or no order on or before ``as_of``.
    FileNotFoundError
        ``orders`` is a path that does not exist.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": ["A", "B"], "amount": [10.5, 4.0],
    ...                   "order_date": pd.to_datetime(["2025-06-01", "2024-06-01"])})
    >>> customer_summary(o, "2025-12-31")[["revenue_12m", "revenue_prev_12m"]].to_dict("index")
    {'A': {'revenue_12m': 10.5, 'revenue_prev_12m': 0.0}, 'B': {'revenue_12m': 0.0, 'revenue_prev_12m': 4.0}}
    """
    check_choice(engine, "engine", ("auto", "pandas", "duckdb"))
    check_scalar(months, "months", low=1, integral=True)
    frame = isinstance(orders, pd.DataFrame)
    if frame:
        check_frame(orders, "orders", ["customer_id", "order_date", "amount"],
                    dates=["order_date"], numeric=["amount"])
        if engine == "auto":
            # without DuckDB (the scale extra) pandas gives the same table, slower
            engine = "duckdb" if len(orders) > DUCKDB_ROWS and _installed("duckdb") else "pandas"
    elif isinstance(orders, (str, os.PathLike)):
        if engine == "pandas":
            raise ValueError("engine='pandas' needs the orders as a DataFrame; a file is "
                             "summarised with engine='duckdb' (or 'auto')")
        engine = "duckdb"
    else:
        raise TypeError(f"orders must be a DataFrame or a path; found {type(orders).__name__}")
    when = check_date(as_of, "as_of").normalize() if as_of is not None else None
    if frame:
        when = when if when is not None else orders["order_date"].max().normalize()
        if not (orders["order_date"] <= when).any():
            raise ValueError(f"orders has no order on or before {when.date()}")
    if engine == "pandas":
        return _pandas(orders, when, months)
    return _duckdb(orders, when, months, memory_limit, threads)
