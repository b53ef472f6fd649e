"""The customer pyramid and the 80/20 rule (客户金字塔, 20/80), digest §7.

Existing customers are ranked by revenue and split into four tiers, either by
*rank share* (the top 1 % are VIP, the next 4 % key, the next 15 % mid, the rest
small) or by *revenue thresholds* (more than ¥58,900 a year is VIP, and so on).
:func:`tier_table` then summarises each tier: how many customers, how much revenue,
the average, and each tier's share of customers and of revenue.

All functions take a :class:`pandas.Series` of revenue per customer (index:
customer id, values: CNY, non-negative) and are vectorised.

Examples
--------
The digest's case: 2,126 customers whose tier averages are ¥114,000, ¥31,600,
¥9,100 and ¥1,160.

>>> import pandas as pd
>>> revenue = pd.Series([114_000] * 21 + [31_600] * 85 + [9_100] * 319 + [1_160] * 1_701)
>>> table = tier_table(revenue, tiers_by_threshold(revenue))
>>> table[["customers", "revenue", "avg_revenue"]]
       customers  revenue  avg_revenue
tier
vip           21  2394000     114000.0
key           85  2686000      31600.0
mid          319  2902900       9100.0
small       1701  1973160       1160.0
>>> int(table["revenue"].sum())
9956060
>>> top_share(revenue, 0.20)
0.8018...
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib._validate import check_fraction, check_series
from custlib.policy import PYRAMID

__all__ = ["tiers_by_share", "tiers_by_threshold", "tier_table", "top_share"]


def _check_revenue(revenue: pd.Series, name: str = "revenue") -> pd.Series:
    return check_series(revenue, name)


def _categorical(codes: np.ndarray, index: pd.Index, tiers: tuple[str, ...]) -> pd.Series:
    cat = pd.Categorical.from_codes(codes, categories=list(tiers), ordered=True)
    return pd.Series(cat, index=index, name="tier")


def tiers_by_share(revenue: pd.Series, shares: tuple[float, ...] = PYRAMID.shares,
                   tiers: tuple[str, ...] = PYRAMID.tiers) -> pd.Series:
    """Tier of each customer by revenue rank.

    The customers are sorted by revenue, highest first (ties keep their order in
    ``revenue``); tier *k* takes ranks ``round(n·S[k-1]) + 1 … round(n·S[k])`` where
    ``S`` is the cumulative share. With the default shares 1/4/15/80 % and 2,126
    customers that is 21 / 85 / 319 / 1,701.

    Parameters
    ----------
    revenue : Series
        Revenue per customer (CNY, >= 0), indexed by customer id.
    shares : tuple of float
        Share of customers per tier, top first; must sum to 1.
    tiers : tuple of str
        Tier names, top first.

    Returns
    -------
    Series
        Ordered categorical (top tier first), same index as ``revenue``.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.Series(range(100, 0, -1), index=[f"C{i}" for i in range(100)])
    >>> tiers_by_share(r).value_counts().sort_index().tolist()
    [1, 4, 15, 80]
    """
    revenue = _check_revenue(revenue)
    if len(shares) != len(tiers):
        raise ValueError(f"got {len(shares)} shares for {len(tiers)} tiers {tiers}")
    if not np.isclose(sum(shares), 1.0) or min(shares) < 0:
        raise ValueError(f"shares must be >= 0 and sum to 1, got {shares} (sum {sum(shares):g})")
    n = len(revenue)
    bounds = np.round(np.cumsum(shares) * n).astype(np.int64)
    bounds[-1] = n
    order = np.argsort(-revenue.to_numpy(), kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    codes = np.searchsorted(bounds, rank, side="right")
    return _categorical(codes, revenue.index, tiers)


def tiers_by_threshold(revenue: pd.Series, thresholds: tuple[float, ...] = PYRAMID.thresholds,
                       tiers: tuple[str, ...] = PYRAMID.tiers) -> pd.Series:
    """Tier of each customer by revenue cut-offs.

    A customer belongs to the first tier whose threshold its revenue *exceeds*:
    with the case's cut-offs, revenue > ¥58,900 is VIP, > ¥19,000 key, > ¥4,820 mid,
    anything else small. A customer exactly on a cut-off goes to the lower tier.

    Parameters
    ----------
    revenue : Series
        Revenue per customer (CNY, >= 0), indexed by customer id.
    thresholds : tuple of float
        Cut-offs between consecutive tiers, highest first (CNY); one fewer than tiers.
    tiers : tuple of str
        Tier names, top first.

    Returns
    -------
    Series
        Ordered categorical (top tier first), same index as ``revenue``.

    Examples
    --------
    >>> import pandas as pd
    >>> tiers_by_threshold(pd.Series([60_000, 58_900, 5_000, 10])).tolist()
    ['vip', 'key', 'mid', 'small']
    """
    revenue = _check_revenue(revenue)
    t = np.asarray(thresholds, dtype=float)
    if len(t) != len(tiers) - 1:
        raise ValueError(f"need {len(tiers) - 1} thresholds for tiers {tiers}, got {len(t)}")
    if np.any(np.diff(t) >= 0):
        raise ValueError(f"thresholds must be strictly decreasing (highest first), got {thresholds}")
    codes = np.searchsorted(-t, -revenue.to_numpy(dtype=float), side="right")
    return _categorical(codes, revenue.index, tiers)


def tier_table(revenue: pd.Series, tier: pd.Series) -> pd.DataFrame:
    """Summary per tier: the pyramid table of digest §7.

    Parameters
    ----------
    revenue : Series
        Revenue per customer (CNY, >= 0).
    tier : Series
        Tier of each customer (same index), e.g. from :func:`tiers_by_share`.

    Returns
    -------
    DataFrame
        Indexed by tier (top first), columns: ``customers``; ``revenue`` (CNY);
        ``avg_revenue`` = revenue / customers (CNY); ``share_customers`` and
        ``share_revenue`` (fractions summing to 1); ``min_revenue`` and
        ``max_revenue``, the range within the tier (CNY). Empty tiers have 0
        customers and NaN averages.
    """
    revenue = _check_revenue(revenue)
    if not tier.index.equals(revenue.index):
        raise ValueError("tier and revenue must have the same index (one row per customer)")
    grouped = revenue.groupby(tier, observed=False)
    table = pd.DataFrame({
        "customers": grouped.size(),
        "revenue": grouped.sum(),
    })
    table["avg_revenue"] = table["revenue"] / table["customers"].where(table["customers"] > 0)
    table["share_customers"] = table["customers"] / table["customers"].sum()
    total = table["revenue"].sum()
    table["share_revenue"] = table["revenue"] / total if total > 0 else np.nan
    table["min_revenue"] = grouped.min()
    table["max_revenue"] = grouped.max()
    table.index.name = "tier"
    return table


def top_share(revenue: pd.Series, fraction: float) -> float:
    """Share of total revenue brought by the top ``fraction`` of customers.

    ``top_share(r, 0.2)`` is the "20 %" side of the 80/20 rule: the revenue of the
    ``round(0.2·n)`` largest customers divided by total revenue.

    Examples
    --------
    >>> import pandas as pd
    >>> top_share(pd.Series([80, 5, 5, 5, 5]), 0.2)
    0.8
    """
    revenue = _check_revenue(revenue)
    fraction = check_fraction(fraction, "fraction")
    total = revenue.sum()
    if total == 0:
        raise ValueError("total revenue is 0: shares are undefined")
    k = int(round(fraction * len(revenue)))
    top = np.sort(revenue.to_numpy())[::-1][:k].sum()
    return float(top / total)
