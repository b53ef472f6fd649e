"""The customer pyramid and the 80/20 rule (客户金字塔, 20/80), digest §7.

Existing customers are ranked by revenue and split into four tiers, either by
*rank share* (the top 1 % are VIP, the next 4 % key, the next 15 % mid, the rest
small) or by *revenue thresholds* (more than ¥58,900 a year is VIP, and so on).
:func:`tier_table` then summarises each tier: how many customers, how much revenue,
the average, and each tier's share of customers and of revenue.

All functions take a :class:`pandas.Series` of revenue per customer (index:
customer id, values: money in the data's currency, cents kept, non-negative) and
are vectorised. The case's cut-offs are those of the bundled synthetic data; for
other data :func:`thresholds_for` reads them from the data (or from the user's
mapping), so a dollar export is not tiered by yuan cut-offs.

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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custlib import money, period
from custlib._pandas import isin
from custlib._validate import (check_aligned, check_date, check_frame, check_probability,
                               check_series)
from custlib.policy import PYRAMID

__all__ = ["tiers_by_share", "tiers_by_threshold", "tier_table", "top_share", "pareto_fraction",
           "lorenz_curve", "gini", "abc_classes", "whale_curve", "customer_layers",
           "layer_counts", "group_concentration", "fit_thresholds", "check_thresholds",
           "Cutoffs", "pyramid_cutoffs", "thresholds_for", "thresholds_note", "is_bundled"]


def _categorical(codes: np.ndarray, index: pd.Index, tiers: tuple[str, ...]) -> pd.Series:
    cat = pd.Categorical.from_codes(codes, categories=list(tiers), ordered=True)
    return pd.Series(cat, index=index, name="tier")


def tiers_by_share(revenue: pd.Series, shares: tuple[float, ...] = PYRAMID.shares,
                   tiers: tuple[str, ...] = PYRAMID.tiers) -> pd.Series:
    """Tier of each customer by revenue rank: top 1 % VIP, next 4 % key, next 15 % mid, rest small.

    Customers are sorted by revenue, highest first (ties keep their order in
    ``revenue``). With cumulative shares ``S``, tier *k* takes ranks
    ``round(n · S[k-1]) + 1`` to ``round(n · S[k])``; the last tier takes the rest.
    With the default shares and 2,126 customers that is 21 / 85 / 319 / 1,701 (digest §7).

    Parameters
    ----------
    revenue : Series
        Revenue per customer (CNY, >= 0), indexed by customer id.
    shares : tuple of float, default ``PYRAMID.shares`` = (0.01, 0.04, 0.15, 0.80)
        Share of customers in each tier, top first (fractions 0–1, summing to 1).
    tiers : tuple of str, default ``PYRAMID.tiers`` = ("vip", "key", "mid", "small")
        Tier names, top first; one per share.

    Returns
    -------
    Series
        Ordered categorical named ``tier`` (top tier first), same index as ``revenue``.

    Raises
    ------
    TypeError
        ``revenue`` is not a numeric Series.
    ValueError
        ``revenue`` empty, negative or missing; ``shares`` and ``tiers`` of different
        lengths; shares negative or not summing to 1.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.Series([500, 9_000, 120, 40_000], index=["A", "B", "C", "D"])
    >>> tiers_by_share(r, shares=(0.25, 0.25, 0.5), tiers=("top", "mid", "rest")).tolist()
    ['rest', 'mid', 'rest', 'top']
    """
    revenue = check_series(revenue, "revenue")
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
    """Tier of each customer by yearly revenue cut-offs (digest §7).

    A customer goes to the first tier whose cut-off its revenue *exceeds*: with the
    case's cut-offs, revenue > ¥58,900 is VIP, > ¥19,000 key, > ¥4,820 mid, anything
    else small. Revenue exactly on a cut-off goes to the lower tier.

    Parameters
    ----------
    revenue : Series
        Revenue per customer (CNY per year, >= 0), indexed by customer id.
    thresholds : tuple of float, default ``PYRAMID.thresholds`` = (58900, 19000, 4820)
        Cut-offs between consecutive tiers (CNY), strictly decreasing; one fewer than
        ``tiers``.
    tiers : tuple of str, default ``PYRAMID.tiers`` = ("vip", "key", "mid", "small")
        Tier names, top first.

    Returns
    -------
    Series
        Ordered categorical named ``tier`` (top tier first), same index as ``revenue``.

    Raises
    ------
    TypeError
        ``revenue`` is not a numeric Series.
    ValueError
        ``revenue`` empty, negative or missing; wrong number of thresholds; thresholds
        not strictly decreasing.

    Examples
    --------
    >>> import pandas as pd
    >>> tiers_by_threshold(pd.Series([60_000, 58_900, 5_000, 10])).tolist()
    ['vip', 'key', 'mid', 'small']
    """
    revenue = check_series(revenue, "revenue")
    t = np.asarray(thresholds, dtype=float)
    if len(t) != len(tiers) - 1:
        raise ValueError(f"need {len(tiers) - 1} thresholds for tiers {tiers}, got {len(t)}")
    if np.any(np.diff(t) >= 0):
        raise ValueError(f"thresholds must be strictly decreasing (highest first), got {thresholds}")
    codes = np.searchsorted(-t, -revenue.to_numpy(dtype=float), side="right")
    return _categorical(codes, revenue.index, tiers)


def tier_table(revenue: pd.Series, tier: pd.Series) -> pd.DataFrame:
    """The pyramid table of digest §7: customers, revenue and shares per tier.

    ``avg_revenue = revenue / customers``; ``share_customers`` and ``share_revenue``
    are the tier's fraction of all customers and of total revenue.

    Parameters
    ----------
    revenue : Series
        Revenue per customer (CNY, >= 0).
    tier : Series
        Tier of each customer, same index as ``revenue`` (e.g. from
        :func:`tiers_by_share` or :func:`tiers_by_threshold`). A categorical keeps its
        order and its empty tiers.

    Returns
    -------
    DataFrame
        Indexed by ``tier`` (top first), columns:

        * ``customers`` — number of customers;
        * ``revenue`` — tier revenue (CNY);
        * ``avg_revenue`` — revenue per customer (CNY; NaN for an empty tier);
        * ``share_customers``, ``share_revenue`` — fractions 0–1 summing to 1 (the
          revenue share is NaN when total revenue is 0);
        * ``min_revenue``, ``max_revenue`` — revenue range within the tier (CNY).

    Raises
    ------
    ValueError
        ``revenue`` invalid (see :func:`tiers_by_share`), or ``tier`` not on the same
        index.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.Series([100_000, 30_000, 9_000, 1_000], index=["A", "B", "C", "D"])
    >>> t = tier_table(r, tiers_by_threshold(r))
    >>> t[["customers", "revenue", "share_revenue"]].round(3).to_dict("list")
    {'customers': [1, 1, 1, 1], 'revenue': [100000, 30000, 9000, 1000], 'share_revenue': [0.714, 0.214, 0.064, 0.007]}
    """
    revenue = check_series(revenue, "revenue")
    check_aligned(tier, revenue, "tier", "revenue")
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
    """Share of total revenue brought by the top ``fraction`` of customers (80/20 rule, digest §7).

    ``top_share = Σ revenue of the round(fraction · n) largest customers / Σ revenue``.
    ``top_share(r, 0.2)`` is the "20 %" side of the 80/20 rule (0.8 when it holds).

    Parameters
    ----------
    revenue : Series
        Revenue per customer (CNY, >= 0).
    fraction : float
        Share of customers counted from the top, 0–1 (0.2 for "the top 20 %").

    Returns
    -------
    float
        Share of total revenue, 0–1.

    Raises
    ------
    ValueError
        ``fraction`` outside 0–1, or ``revenue`` empty, negative, missing or all zero.

    Examples
    --------
    >>> import pandas as pd
    >>> top_share(pd.Series([80, 5, 5, 5, 5]), 0.2)
    0.8
    """
    revenue = check_series(revenue, "revenue")
    fraction = check_probability(fraction, "fraction")
    total = revenue.sum()
    if total == 0:
        raise ValueError("total revenue is 0: shares are undefined")
    k = int(round(fraction * len(revenue)))
    top = np.sort(revenue.to_numpy())[::-1][:k].sum()
    return float(top / total)


def _sorted_desc(values: pd.Series) -> np.ndarray:
    return np.sort(values.to_numpy(dtype=float))[::-1]


def pareto_fraction(revenue: pd.Series, target: float = PYRAMID.pareto_target) -> float:
    """Smallest share of customers, largest first, that brings ``target`` of revenue (digest §7).

    The other side of the 80/20 rule: ``k / n`` for the smallest ``k`` whose top-``k``
    revenue is at least ``target`` × total revenue (0.2 when the rule holds exactly).

    Parameters
    ----------
    revenue : Series
        Revenue per customer (CNY, >= 0).
    target : float, default ``PYRAMID.pareto_target`` = 0.8
        Share of revenue to reach, 0–1.

    Returns
    -------
    float
        Share of customers, 0–1.

    Raises
    ------
    ValueError
        ``target`` outside 0–1, or ``revenue`` empty, negative, missing or all zero.

    Examples
    --------
    >>> import pandas as pd
    >>> pareto_fraction(pd.Series([80, 5, 5, 5, 5]))
    0.2
    """
    revenue = check_series(revenue, "revenue")
    target = check_probability(target, "target")
    total = revenue.sum()
    if total == 0:
        raise ValueError("total revenue is 0: shares are undefined")
    cum = np.cumsum(_sorted_desc(revenue)) / total
    k = int(np.searchsorted(cum, target - 1e-12, side="left")) + 1
    return min(k, len(revenue)) / len(revenue)


def lorenz_curve(values: pd.Series) -> pd.DataFrame:
    """Lorenz curve of a non-negative quantity across customers (concentration, digest §7).

    Customers are sorted from smallest to largest; point *i* is
    ``(i / n, Σ of the i smallest / total)``, from (0, 0) to (1, 1). The further the
    curve sags below the diagonal, the more concentrated the quantity.

    Parameters
    ----------
    values : Series
        Non-negative quantity per customer (revenue in CNY, orders, ...), not all zero.

    Returns
    -------
    DataFrame
        n + 1 rows: ``share_customers`` (fraction of customers, 0–1) and
        ``share_value`` (cumulative fraction of the total, 0–1).

    Raises
    ------
    ValueError
        ``values`` empty, negative, missing or summing to 0.

    Examples
    --------
    >>> import pandas as pd
    >>> lorenz_curve(pd.Series([1, 1, 2])).round(3).to_numpy().tolist()
    [[0.0, 0.0], [0.333, 0.25], [0.667, 0.5], [1.0, 1.0]]
    """
    values = check_series(values, "values")
    v = np.sort(values.to_numpy(dtype=float))
    total = v.sum()
    if total == 0:
        raise ValueError("values sum to 0: the Lorenz curve is undefined")
    n = len(v)
    return pd.DataFrame({
        "share_customers": np.arange(n + 1) / n,
        "share_value": np.concatenate([[0.0], np.cumsum(v) / total]),
    })


def gini(values: pd.Series) -> float:
    """Gini coefficient of a quantity across customers: ``G = 1 − 2 · A``.

    ``A`` is the area under the :func:`lorenz_curve`, by the trapezoid rule. G is 0
    when every customer brings the same and approaches 1 when one customer brings
    everything — a one-number summary of the concentration of digest §7.

    Parameters
    ----------
    values : Series
        Non-negative quantity per customer (revenue in CNY, ...), not all zero.

    Returns
    -------
    float
        Between 0 (all equal) and 1 − 1/n (one customer has everything).

    Raises
    ------
    ValueError
        ``values`` empty, negative, missing or summing to 0.

    Examples
    --------
    >>> import pandas as pd
    >>> gini(pd.Series([5, 5, 5, 5]))
    0.0
    >>> round(gini(pd.Series([0, 0, 0, 10])), 2)
    0.75
    """
    curve = lorenz_curve(values)
    x, y = curve["share_customers"].to_numpy(), curve["share_value"].to_numpy()
    area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))
    return max(0.0, 1 - 2 * area)


def abc_classes(revenue: pd.Series, cutoffs: tuple[float, float] = PYRAMID.abc_cutoffs) -> pd.Series:
    """ABC class of each customer by cumulative revenue share (80/20 reading, digest §7).

    Customers sorted by revenue, largest first: a customer is A while the cumulative
    share of the customers *before* it is below ``cutoffs[0]``, B while below
    ``cutoffs[1]``, C after that. The customer that crosses 80 % is therefore still A.

    Parameters
    ----------
    revenue : Series
        Revenue per customer (CNY, >= 0), not all zero.
    cutoffs : tuple of 2 float, default ``PYRAMID.abc_cutoffs`` = (0.80, 0.95)
        Cumulative revenue shares (0–1, increasing) closing classes A and B.

    Returns
    -------
    Series
        Ordered categorical ``A < B < C`` named ``abc``, same index as ``revenue``.

    Raises
    ------
    ValueError
        Cut-offs outside 0–1 or decreasing; ``revenue`` empty, negative, missing or
        all zero.

    Examples
    --------
    >>> import pandas as pd
    >>> abc_classes(pd.Series([70, 15, 10, 3, 2])).tolist()
    ['A', 'A', 'B', 'C', 'C']
    """
    revenue = check_series(revenue, "revenue")
    a, b = (check_probability(c, "cutoff") for c in cutoffs)
    if a > b:
        raise ValueError(f"cutoffs must be increasing, got {cutoffs}")
    total = revenue.sum()
    if total == 0:
        raise ValueError("total revenue is 0: shares are undefined")
    order = np.argsort(-revenue.to_numpy(dtype=float), kind="stable")
    before = np.concatenate([[0.0], np.cumsum(revenue.to_numpy(dtype=float)[order])[:-1]]) / total
    codes_sorted = np.where(before < a - 1e-12, 0, np.where(before < b - 1e-12, 1, 2))
    codes = np.empty(len(revenue), dtype=np.int64)
    codes[order] = codes_sorted
    cat = pd.Categorical.from_codes(codes, categories=["A", "B", "C"], ordered=True)
    return pd.Series(cat, index=revenue.index, name="abc")


def whale_curve(profit: pd.Series) -> pd.DataFrame:
    """Profit "whale curve": cumulative profit share, customers ranked by profit (digest §7).

    Customers sorted from most to least profitable; point *i* is
    ``(i / n, Σ profit of the i most profitable / total profit)``. With loss-making
    customers the curve rises above 1 (the whale's hump) and falls back to 1 at the
    end: the §7 bank case, whose top groups give 93 % + 17 % = 110 % of profit and the
    rest −10 %.

    Parameters
    ----------
    profit : Series
        Profit per customer (CNY; negative for loss-making customers); the total must
        be positive.

    Returns
    -------
    DataFrame
        n + 1 rows: ``share_customers`` (fraction of customers, 0–1) and
        ``share_profit`` (cumulative fraction of total profit; may exceed 1).

    Raises
    ------
    ValueError
        ``profit`` empty or missing, or total profit <= 0.

    Examples
    --------
    >>> import pandas as pd
    >>> whale_curve(pd.Series([12, 3, -5])).round(2)["share_profit"].tolist()
    [0.0, 1.2, 1.5, 1.0]
    """
    profit = check_series(profit, "profit", nonnegative=False)
    total = profit.sum()
    if total <= 0:
        raise ValueError(f"total profit must be positive for a whale curve, found {total:g}")
    p = _sorted_desc(profit)
    n = len(p)
    return pd.DataFrame({
        "share_customers": np.arange(n + 1) / n,
        "share_profit": np.concatenate([[0.0], np.cumsum(p) / total]),
    })


def customer_layers(customers: pd.DataFrame, orders: pd.DataFrame,
                    opportunities: pd.DataFrame | None = None, *, start, end,
                    layers: tuple[str, ...] = PYRAMID.layers) -> pd.Series:
    """Layer of each organisation in ``[start, end]``: customer, inactive, prospect or suspect.

    The pyramid and the layers below it (digest §7), in order of precedence:

    * **customer** (客户) — ordered in the period ("anyone who has bought is a
      customer; that is the only criterion");
    * **inactive** (不积极的客户) — ordered before ``start``, not in the period;
    * **prospect** (潜在客户) — never ordered, but an opportunity reached a first
      appointment on or before ``end`` (only when ``opportunities`` is given);
    * **suspect** (需置疑的客户) — everyone else in ``customers``.

    Orders after ``end`` are ignored.

    Parameters
    ----------
    customers : DataFrame
        Every organisation; needs ``customer_id``.
    orders : DataFrame
        Needs ``customer_id`` and ``order_date`` (datetime64); may be empty.
    opportunities : DataFrame, optional
        Needs ``customer_id`` and ``first_appointment_date`` (datetime64, NaT when not
        reached). Without it nobody is a prospect.
    start, end : date-like
        The period, both ends included (e.g. ``"2025-01-01"``, ``"2025-12-31"``).
    layers : tuple of str, default ``PYRAMID.layers``
        Names of the four layers, top first.

    Returns
    -------
    Series
        Ordered categorical named ``layer``, indexed by ``customer_id``.

    Raises
    ------
    ValueError
        Missing columns, ``customers`` empty, or ``start`` after ``end``.
    TypeError
        ``order_date`` not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": ["A", "B", "C", "D"]})
    >>> o = pd.DataFrame({"customer_id": ["A", "B"],
    ...                   "order_date": pd.to_datetime(["2025-03-01", "2023-05-01"])})
    >>> p = pd.DataFrame({"customer_id": ["C"], "first_appointment_date": pd.to_datetime(["2025-02-01"])})
    >>> customer_layers(c, o, p, start="2025-01-01", end="2025-12-31").astype(str).tolist()
    ['customer', 'inactive', 'prospect', 'suspect']
    """
    check_frame(customers, "customers", ["customer_id"])
    check_frame(orders, "orders", ["customer_id", "order_date"], allow_empty=True,
                dates=["order_date"])
    start, end = check_date(start, "start"), check_date(end, "end")
    if start > end:
        raise ValueError(f"start {start.date()} is after end {end.date()}")
    ids = pd.Index(customers["customer_id"])
    d = orders["order_date"]
    in_period = pd.Index(orders.loc[(d >= start) & (d <= end), "customer_id"].unique())
    before = pd.Index(orders.loc[d < start, "customer_id"].unique())
    codes = np.full(len(ids), 3)
    if opportunities is not None:
        check_frame(opportunities, "opportunities", ["customer_id", "first_appointment_date"],
                    allow_empty=True)
        met = opportunities["first_appointment_date"].notna() & (
            opportunities["first_appointment_date"] <= end)
        codes[isin(ids, opportunities.loc[met, "customer_id"])] = 2
    codes[isin(ids, before)] = 1
    codes[isin(ids, in_period)] = 0
    cat = pd.Categorical.from_codes(codes, categories=list(layers), ordered=True)
    return pd.Series(cat, index=ids, name="layer")


def layer_counts(layer: pd.Series) -> pd.Series:
    """Organisations per layer, top first: the bottom rows of the §7 pyramid table.

    Parameters
    ----------
    layer : Series
        The categorical Series returned by :func:`customer_layers`.

    Returns
    -------
    Series
        Named ``organisations``: count per layer in layer order (customer, inactive,
        prospect, suspect), empty layers included as 0.

    Raises
    ------
    TypeError
        ``layer`` is not a categorical Series.

    Examples
    --------
    >>> import pandas as pd
    >>> layer = pd.Series(pd.Categorical(["customer", "suspect", "customer"],
    ...                                  categories=["customer", "inactive", "prospect", "suspect"]))
    >>> layer_counts(layer).tolist()
    [2, 0, 0, 1]
    """
    if not isinstance(layer, pd.Series) or not isinstance(layer.dtype, pd.CategoricalDtype):
        raise TypeError("layer must be the categorical Series returned by customer_layers")
    return layer.value_counts(sort=False).rename("organisations")


def group_concentration(share_customers, share_profit, share_time=None,
                        labels=None) -> pd.DataFrame:
    """Concentration table of customer groups: cumulative shares and profit per unit of time.

    The two concentration cases of digest §7. Groups are listed from most to least
    valuable; ``cum_*`` are running sums, and ``profit_per_time = share_profit /
    share_time`` (above 1: the group earns more than the account-manager time it takes).

    Parameters
    ----------
    share_customers : sequence of float
        Each group's share of customers (fractions, summing to at most 1).
    share_profit : sequence of float
        Each group's share of profit (fractions; may be negative).
    share_time : sequence of float, optional
        Each group's share of account-manager time (fractions, >= 0).
    labels : sequence of str, optional
        Group names used as the index (default 0, 1, 2, ...).

    Returns
    -------
    DataFrame
        One row per group: ``share_customers``, ``share_profit``, ``cum_customers``,
        ``cum_profit`` (fractions) and, with ``share_time``, ``share_time`` and
        ``profit_per_time`` (ratio; NaN where the time share is 0).

    Raises
    ------
    ValueError
        Negative or missing customer or time shares, or customer shares adding up to
        more than 1.

    Examples
    --------
    The US bank of digest §7: 10 / 30 / 60 % of customers take 18 / 28 / 54 % of the
    time and give 93 / 17 / −10 % of profit.

    >>> t = group_concentration([0.1, 0.3, 0.6], [0.93, 0.17, -0.10], [0.18, 0.28, 0.54],
    ...                         labels=["top", "middle", "rest"])
    >>> t["profit_per_time"].round(2).tolist(), round(float(t.loc["middle", "cum_profit"]), 2)
    ([5.17, 0.61, -0.19], 1.1)
    """
    sc = pd.Series(np.asarray(share_customers, dtype=float), index=labels)
    sp = pd.Series(np.asarray(share_profit, dtype=float), index=sc.index)
    check_series(sc, "share_customers")
    check_series(sp, "share_profit", nonnegative=False)
    if sc.sum() > 1 + 1e-9:
        raise ValueError(f"customer shares add up to {sc.sum():g}, more than 1")
    table = pd.DataFrame({"share_customers": sc, "share_profit": sp,
                          "cum_customers": sc.cumsum(), "cum_profit": sp.cumsum()})
    if share_time is not None:
        st = check_series(pd.Series(np.asarray(share_time, dtype=float), index=sc.index),
                          "share_time")
        table["share_time"] = st
        table["profit_per_time"] = sp / st.where(st > 0)
    return table


# --- cut-offs that fit the data ---------------------------------------------------------

def check_thresholds(values, n: int = len(PYRAMID.tiers) - 1) -> tuple[float, ...]:
    """Pyramid cut-offs given by a user, checked: ``n`` numbers >= 0, strictly decreasing.

    Parameters
    ----------
    values : sequence of float or str
        The cut-offs, highest first: a list (``[60000, 20000, 5000]``, as in a mapping's
        ``[policy.pyramid] thresholds``) or text ``"60000,20000,5000"`` (as given to
        ``custlib run --thresholds``).
    n : int, default 3
        How many cut-offs (one fewer than the tiers).

    Returns
    -------
    tuple of float

    Raises
    ------
    ValueError
        Not ``n`` numbers, a negative one, or not strictly decreasing.

    Examples
    --------
    >>> check_thresholds("60000, 20000, 5000.50")
    (60000.0, 20000.0, 5000.5)
    >>> check_thresholds([5000, 20000, 60000])
    Traceback (most recent call last):
    ...
    ValueError: pyramid thresholds must be strictly decreasing, highest (VIP) first: got [5000.0, 20000.0, 60000.0]; e.g. 60000,20000,5000
    """
    parts = values.replace(";", ",").split(",") if isinstance(values, str) else list(values)
    try:
        t = [float(str(v).replace("_", "").strip()) for v in parts]
    except ValueError:
        raise ValueError(f"pyramid thresholds {values!r}: expected {n} numbers, highest first, "
                         "e.g. 60000,20000,5000") from None
    if len(t) != n or not all(np.isfinite(t)):
        raise ValueError(f"pyramid thresholds {values!r}: expected {n} numbers, highest first, "
                         "e.g. 60000,20000,5000")
    if min(t) < 0:
        raise ValueError(f"pyramid thresholds must be >= 0, got {t}")
    if np.any(np.diff(t) >= 0):
        raise ValueError(f"pyramid thresholds must be strictly decreasing, highest (VIP) first: "
                         f"got {t}; e.g. 60000,20000,5000")
    return tuple(t)


def fit_thresholds(revenue: pd.Series, ranks: tuple[float, ...] = PYRAMID.fit_ranks
                   ) -> tuple[float, ...]:
    """Cut-offs read from the data: the revenue at the 1 % / 5 % / 20 % ranks.

    With revenue sorted from the largest, ``r(1) >= r(2) >= … >= r(n)``, and
    ``k_j = round(n · s_j)`` customers wanted above cut-off *j*::

        t_j = r(k_j + 1)        (r(n + 1) = 0)

    the highest revenue *not* in the top ``s_j``; as in :func:`tiers_by_threshold` a
    customer must *exceed* the cut-off, so exactly ``k_j`` customers are above it when
    revenues are distinct, and at most ``k_j`` when some are tied. When ties (or few
    customers) make two cut-offs equal, the higher one is moved up halfway to the next
    larger revenue (one unit above the largest when there is none), so the cut-offs
    stay strictly decreasing; the tier between them is then empty. With the default
    ranks, the pyramid's tiers hold 1 / 4 / 15 / 80 % of the customers.

    Parameters
    ----------
    revenue : Series
        Revenue per customer over one year (>= 0; customers who bought).
    ranks : tuple of float, default ``PYRAMID.fit_ranks`` = (0.01, 0.05, 0.20)
        Cumulative shares of customers above each cut-off, increasing (fractions 0–1).

    Returns
    -------
    tuple of float
        The cut-offs, strictly decreasing, in the units of ``revenue`` (cents kept).

    Raises
    ------
    ValueError
        ``revenue`` empty, negative or missing; ``ranks`` not increasing within 0–1.

    Examples
    --------
    200 customers with revenue 1, 2, …, 200: 2 are above 198, 10 above 190, 40 above 160.

    >>> import pandas as pd
    >>> r = pd.Series(range(1, 201), dtype=float)
    >>> fit_thresholds(r)
    (198.0, 190.0, 160.0)
    >>> [int((r > t).sum()) for t in fit_thresholds(r)]
    [2, 10, 40]
    """
    revenue = check_series(revenue, "revenue")
    s = np.asarray(ranks, dtype=float)
    if s.ndim != 1 or len(s) == 0 or s.min() < 0 or s.max() > 1 or np.any(np.diff(s) <= 0):
        raise ValueError(f"ranks must be increasing fractions between 0 and 1, got {ranks}")
    r = np.sort(revenue.to_numpy(dtype=float))[::-1]
    n = len(r)
    k = np.minimum(np.round(s * n).astype(np.int64), n)
    padded = np.append(r, 0.0)
    t = padded[k].copy()
    for j in range(len(t) - 2, -1, -1):  # from the lowest cut-off up
        if t[j] <= t[j + 1]:
            larger = r[r > t[j + 1]]
            t[j] = (t[j + 1] + larger.min()) / 2 if larger.size else t[j + 1] + 1.0
    return tuple(float(x) for x in t)


@dataclass(frozen=True)
class Cutoffs:
    """The pyramid cut-offs applied to a dataset, and where they come from.

    Attributes
    ----------
    thresholds : tuple of float
        Revenue a customer must exceed to be VIP, key, mid (the data's currency).
    rule : str
        ``"mapping"`` (the user's, from the mapping or ``--thresholds``), ``"case"``
        (the bundled synthetic data: the digest's §7 case), ``"first_full_year"`` or
        ``"last_12_months"`` (read from the data by :func:`fit_thresholds`).
    note : str
        One sentence saying which rule was used, for tables and pages.
    start, end : Timestamp or None
        The year the cut-offs were read from (fitted rules only).
    customers : int or None
        How many customers bought in that year (fitted rules only).
    """

    thresholds: tuple[float, ...]
    rule: str
    note: str
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    customers: int | None = None


def _currency_of(crm) -> str:
    return getattr(crm, "currency", None) or money.currency()


def is_bundled(crm) -> bool:
    """True for the bundled synthetic case data (``crm.synthetic``, CNY).

    An object without a ``synthetic`` attribute counts as bundled unless its
    currency (``currency``, else the display currency) is not CNY.
    """
    return bool(getattr(crm, "synthetic", True)) and _currency_of(crm) == money.DEFAULT_CURRENCY


def _user_policy(crm, section: str, key: str):
    policy = getattr(crm, "policy", None) or {}
    return (policy.get(section) or {}).get(key)


def _show(values, code) -> str:
    decimals = 0 if all(float(v).is_integer() for v in values) else 2
    return " / ".join(money.money(v, decimals, code=code) for v in values)


_HOW_TO_SET = ("set your own with [policy.pyramid] thresholds = [vip, key, mid] in the mapping "
               "or custlib run --thresholds vip,key,mid")


def pyramid_cutoffs(crm, as_of=None, ranks: tuple[float, ...] = PYRAMID.fit_ranks) -> Cutoffs:
    """The revenue cut-offs of the pyramid for the loaded data, and the rule used.

    In order:

    1. the user's cut-offs, when the mapping sets ``[policy.pyramid] thresholds``
       (or ``custlib run --thresholds``), i.e. ``crm.policy["pyramid"]["thresholds"]``;
    2. for the bundled synthetic data, the case's ``PYRAMID.thresholds``
       (¥58,900 / ¥19,000 / ¥4,820, digest §7);
    3. otherwise :func:`fit_thresholds` of the revenue per customer in the first full
       year of the data (:func:`custlib.period.first_full_year`, counted back from the
       analysis date; a year without any sale, a gap in the data, is skipped for the
       next), over the customers who bought in it — so a later year can be tiered by
       the same fixed cut-offs and compared, as in the case's year two;
    4. with less than a year of orders, the same over the 12 months up to the
       analysis date (:func:`custlib.period.window`).

    Parameters
    ----------
    crm : CRMData
        The loaded data; needs ``orders``. ``policy``, ``synthetic``, ``currency``
        and ``as_of`` are read when present.
    as_of : date-like, optional
        The analysis date (default :func:`custlib.period.as_of` of ``crm``).
    ranks : tuple of float, default ``PYRAMID.fit_ranks``
        Passed to :func:`fit_thresholds`.

    Returns
    -------
    Cutoffs

    Raises
    ------
    ValueError
        The user's cut-offs are not 3 decreasing numbers, or (rules 3–4) nobody
        bought in the year read.

    Examples
    --------
    Dollar data (not the bundled set), two years of orders: the cut-offs come from
    the first year, 2024.

    >>> import pathlib, types
    >>> import pandas as pd
    >>> days = pd.to_datetime(["2024-01-01"] * 50 + ["2024-07-15"] * 50 + ["2025-06-30"])
    >>> o = pd.DataFrame({"customer_id": [f"C{i}" for i in range(100)] + ["C0"],
    ...                   "order_date": days, "amount": [10.0 * (i + 1) for i in range(100)] + [5.0]})
    >>> usd = types.SimpleNamespace(orders=o, currency="USD", synthetic=False, policy={},
    ...                             as_of=pd.Timestamp("2025-12-31"))
    >>> c = pyramid_cutoffs(usd)
    >>> c.thresholds, c.rule
    ((990.0, 950.0, 800.0), 'first_full_year')
    >>> print(c.note)  # doctest: +NORMALIZE_WHITESPACE
    pyramid cut-offs $990 / $950 / $800: the revenue at the 1 % / 5 % / 20 % ranks of the
    100 customers who bought in the first full year of the data, 2024-01-01 to 2024-12-31;
    set your own with [policy.pyramid] thresholds = [vip, key, mid] in the mapping or
    custlib run --thresholds vip,key,mid
    >>> usd.policy = {"pyramid": {"thresholds": [2000, 500, 100]}}
    >>> thresholds_for(usd)
    (2000.0, 500.0, 100.0)
    """
    if as_of is not None:
        check_date(as_of, "as_of")
    code = _currency_of(crm)
    given = _user_policy(crm, "pyramid", "thresholds")
    if given is not None:
        t = check_thresholds(given)
        return Cutoffs(t, "mapping", f"pyramid cut-offs {_show(t, code)}: set for this data "
                                     "(mapping [policy.pyramid] thresholds or --thresholds)")
    if is_bundled(crm):
        t = tuple(float(x) for x in PYRAMID.thresholds)
        return Cutoffs(t, "case", f"pyramid cut-offs {_show(t, code)}: the case's (digest §7), "
                                  "for the bundled synthetic data; " + _HOW_TO_SET)
    end = period.as_of(crm, as_of)
    orders = crm.orders[crm.orders["order_date"] <= end]
    year = period.first_full_year(orders, end)
    years = []  # the full years from the first one up to the analysis date
    if year is not None:
        back = 0
        while period.window(end, 12, back)[0] >= year[0]:
            years.insert(0, period.window(end, 12, back))
            back += 1
    revenue, where = pd.Series(dtype=float), ""
    for k, (start, stop) in enumerate(years):  # a year without a sale (a gap) is skipped
        revenue = period.revenue_by_customer(orders, start, stop)
        revenue = revenue[revenue > 0]
        if not revenue.empty:
            rule = "first_full_year"
            where = "the first full year of the data" + (" with sales" if k else "")
            break
    if revenue.empty:
        rule = "last_12_months"
        start, stop = period.window(end)
        revenue = period.revenue_by_customer(orders, start, stop)
        revenue = revenue[revenue > 0]
        where = ("the last 12 months" + (" (the data spans less than a full year)"
                                         if year is None else ""))
    span = f"{start.date().isoformat()} to {stop.date().isoformat()}"
    if revenue.empty:
        raise ValueError(f"no customer bought from {span}: the pyramid cut-offs cannot be read "
                         f"from the data; {_HOW_TO_SET}")
    t = fit_thresholds(revenue, ranks)
    ranks_text = " / ".join(f"{x:.0%}".replace("%", " %") for x in ranks)
    note = (f"pyramid cut-offs {_show(t, code)}: the revenue at the {ranks_text} ranks of the "
            f"{len(revenue):,} customers who bought in {where}, {span}; {_HOW_TO_SET}")
    return Cutoffs(t, rule, note, start, stop, len(revenue))


def thresholds_for(crm, as_of=None) -> tuple[float, ...]:
    """The pyramid's revenue cut-offs for the loaded data: ``pyramid_cutoffs(crm).thresholds``.

    The user's (mapping or ``--thresholds``), else the case's for the bundled data,
    else read from the data's first full year; see :func:`pyramid_cutoffs`. Pass
    them on as ``tiers_by_threshold(revenue, thresholds_for(crm))``.

    Examples
    --------
    >>> from custlib.io import load
    >>> thresholds_for(load())
    (58900.0, 19000.0, 4820.0)
    """
    return pyramid_cutoffs(crm, as_of).thresholds


def thresholds_note(crm, as_of=None) -> str:
    """The sentence saying which cut-offs :func:`thresholds_for` gives, and why.

    Examples
    --------
    >>> from custlib.io import load
    >>> thresholds_note(load())[:60]
    "pyramid cut-offs ¥58,900 / ¥19,000 / ¥4,820: the case's (dig"
    """
    return pyramid_cutoffs(crm, as_of).note
