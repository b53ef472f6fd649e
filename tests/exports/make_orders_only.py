"""Write ``orders_only_usd/orders.csv``: an invoice export with three columns only.

The shape of a small US software reseller's invoice report as an accounting package
writes it: ``Customer,Invoice Date,Amount``, dates month first (``11/14/2024``),
amounts in dollars with cents and thousands separators (``"1,234.56"``). About 1,800
customers over two and a half years (2023-01-01 to 2025-06-30): a heavy-tailed spread
of yearly spend, customers who arrive, grow, shrink and leave, and seasonality.

Deterministic: the same file every run (``python tests/exports/make_orders_only.py``).
The committed CSV is the fixture; rerun this only to change it on purpose.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent / "orders_only_usd"
START, END = np.datetime64("2023-01-01"), np.datetime64("2025-06-30")
N_CUSTOMERS = 1_800


def rows(seed: int = 20250630):
    rng = np.random.default_rng(seed)
    days = int((END - START).astype(int)) + 1
    month_weight = np.array([0.7, 0.8, 1.0, 1.0, 1.0, 1.1, 0.8, 0.8, 1.0, 1.1, 1.2, 1.6])
    out = []
    for k in range(N_CUSTOMERS):
        cid = f"ACCT-{10_001 + k}"
        # yearly spend: lognormal, a few large accounts
        spend = float(rng.lognormal(mean=7.6, sigma=1.25))
        first = int(rng.integers(0, days)) if rng.random() < 0.35 else int(rng.integers(0, 60))
        last = days - 1 if rng.random() < 0.75 else int(rng.integers(first, days))
        trend = float(rng.normal(0.0, 0.35))            # yearly growth of spend
        orders_a_year = max(1.0, float(rng.gamma(2.0, 2.0)))
        life_years = (last - first + 1) / 365.25
        n = max(1, int(rng.poisson(orders_a_year * life_years)))
        when = np.sort(rng.integers(first, last + 1, size=n))
        dates = START + when.astype("timedelta64[D]")
        months = dates.astype("datetime64[M]").astype(int) % 12
        keep = rng.random(n) < month_weight[months] / month_weight.max()
        keep[0] = True
        for d, w in zip(dates[keep], when[keep]):
            level = spend * np.exp(trend * (w - first) / 365.25) / orders_a_year
            amount = round(max(9.99, level * float(rng.lognormal(0.0, 0.45))), 2)
            out.append((cid, d, amount))
    out.sort(key=lambda r: (r[1], r[0]))
    return out


def write(folder: Path = HERE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "orders.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["Customer", "Invoice Date", "Amount"])
        for cid, d, amount in rows():
            y, m, day = str(d).split("-")
            w.writerow([cid, f"{int(m)}/{int(day)}/{y}", f"{amount:,.2f}"])
    return path


if __name__ == "__main__":
    p = write()
    print(p, sum(1 for _ in open(p)) - 1, "rows")
