"""Benchmark: RFM summary and pyramid tier table on 1M customers / 10M orders.

Times, in one process on the same data:

* ``custlib.value.rfm_summary``;
* a plain pandas groupby computing the same four numbers (the baseline);
* lifetimes' ``summary_data_from_transaction_data`` (the reference definition),
  if lifetimes is importable;
* ``custlib.pyramid`` tiers and tier table on the resulting revenue;

checks that the three RFM results agree on every customer, and reports ratios and
peak memory. Targets: >= 5x faster than lifetimes, <= 1.5x the plain groupby, peak
under 4 GB.

lifetimes (0.11, 2020) does not install with pandas 3, so run this in a side
environment with pandas 2.2 (the oldest pandas custlib supports)::

    python3 -m venv /tmp/lt
    sed 's/^pandas==.*/pandas==2.2.3/' requirements/lock.txt > /tmp/lock22.txt
    /tmp/lt/bin/pip install -c /tmp/lock22.txt -e . lifetimes
    /tmp/lt/bin/python benchmarks/bench_rfm.py

Without lifetimes the script still runs and reports the other rows.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd


def make_orders(n_customers: int, n_orders: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cust = rng.integers(0, n_customers, n_orders)
    day = rng.integers(0, 2 * 365, n_orders)
    ids = pd.array(np.char.add("C", cust.astype("U7")), dtype=pd.StringDtype("pyarrow"))
    return pd.DataFrame({
        "customer_id": ids,
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(day, unit="D"),
        "amount": rng.integers(100, 20_000, n_orders),
    })


def plain_groupby(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    d = orders[orders["order_date"] <= as_of]
    per_day = d.groupby(["customer_id", "order_date"], as_index=False)["amount"].sum()
    g = per_day.groupby("customer_id")
    first, last, n = g["order_date"].min(), g["order_date"].max(), g.size()
    total, first_amount = g["amount"].sum(), g["amount"].first()
    freq = n - 1
    return pd.DataFrame({"frequency": freq, "recency": (last - first).dt.days,
                         "T": (as_of - first).dt.days,
                         "monetary_value": ((total - first_amount) / freq.where(freq > 0)).fillna(0)})


REPEAT = 3


def timed(fn, *args, **kw):
    """Result and best wall time of ``REPEAT`` calls (the timeit convention: the
    minimum is the run least disturbed by the rest of the machine)."""
    best = float("inf")
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        best = min(best, time.perf_counter() - t0)
    return out, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--orders", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="calls per method; the best is reported")
    args = ap.parse_args()
    global REPEAT
    REPEAT = args.repeat
    from custlib.pyramid import tier_table, tiers_by_share
    from custlib.value import rfm_summary

    t0 = time.perf_counter()
    orders = make_orders(args.customers, args.orders)
    t_make = time.perf_counter() - t0
    as_of = pd.Timestamp("2025-12-31")
    print(f"data: {args.customers:,} customers, {len(orders):,} orders "
          f"(pandas {pd.__version__}; built in {t_make:.1f} s); best of {REPEAT} calls each")
    ours, t_ours = timed(rfm_summary, orders, as_of)
    base, t_base = timed(plain_groupby, orders, as_of)
    pd.testing.assert_frame_equal(ours, base.reindex(ours.index), check_dtype=False, check_names=False)
    rows = [("custlib rfm_summary", t_ours), ("plain pandas groupby", t_base)]
    try:
        from lifetimes.utils import summary_data_from_transaction_data
    except ImportError:
        t_lt = None
        print("lifetimes not installed: see this script's docstring for a side environment")
    else:
        lt, t_lt = timed(summary_data_from_transaction_data, orders, "customer_id", "order_date",
                         monetary_value_col="amount", observation_period_end=as_of, freq="D")
        lt.index = lt.index.astype(str)
        pd.testing.assert_frame_equal(ours, lt.reindex(ours.index)[list(ours.columns)],
                                      check_dtype=False, check_names=False)
        rows.append(("lifetimes summary_data_from_transaction_data", t_lt))
    revenue = orders.groupby("customer_id")["amount"].sum()
    _, t_pyr = timed(lambda r: tier_table(r, tiers_by_share(r)), revenue)
    rows.append(("custlib pyramid: tiers_by_share + tier_table", t_pyr))
    print("results agree: custlib = plain groupby" + (" = lifetimes" if t_lt else ""))
    for name, t in rows:
        print(f"  {name:<48} {t:7.2f} s")
    print(f"ratio custlib / plain groupby: {t_ours / t_base:.2f} (target <= 1.5)")
    if t_lt:
        print(f"speed-up over lifetimes: {t_lt / t_ours:.1f}x (target >= 5)")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB "
          "(target < 4,096)")


if __name__ == "__main__":
    main()
