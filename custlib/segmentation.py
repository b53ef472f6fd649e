"""Segmentation schemes (客户细分), digest §8.

Three schemes, each a rule stated here and driven by :data:`custlib.policy.SEGMENTATION`:

* **value tiers** (Zeithaml): platinum (铂金) and gold (黄金) are the top shares of
  customers by profit; iron (钢铁) every other customer with positive profit; lead
  (重铅) those with zero or negative profit;
* **management roles**: key (关键客户) the top share by revenue; temporary (临时客户)
  one-off buyers (a single order ever); potential (潜力客户) the others with purchase
  headroom of at least ``potential_headroom`` seats; regular (常规客户) the rest —
  in that order of precedence;
* **relationship classes**: potential (潜在客户) never bought; new (新客户) first order
  within ``new_days``; among established buyers, big (大客户) the top ``big_share``
  by revenue, old (老客户) those who bought in the last ``new_days`` too, small
  (小客户) the rest (established buyers who did not buy recently and are not big).

Examples
--------
>>> import pandas as pd
>>> profit = pd.Series([900, 500, 300, 100, 50, 20, 10, 0, -5, -40] * 2)
>>> value_tiers(profit).value_counts(sort=False).to_dict()
{'platinum': 1, 'gold': 3, 'iron': 10, 'lead': 6}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib._validate import check_date, check_probability, check_series
from custlib.policy import SEGMENTATION

__all__ = ["value_tiers", "management_roles", "relationship_classes", "segment_profile"]


def _top(values: pd.Series, share: float) -> np.ndarray:
    """Boolean mask of the round(share·n) largest values (stable for ties)."""
    k = int(round(share * len(values)))
    order = np.argsort(-values.to_numpy(dtype=float), kind="stable")
    mask = np.zeros(len(values), dtype=bool)
    mask[order[:k]] = True
    return mask


def _categorical(codes, index, names, name) -> pd.Series:
    return pd.Series(pd.Categorical.from_codes(np.asarray(codes), categories=list(names),
                                               ordered=True), index=index, name=name)


def value_tiers(profit: pd.Series, shares: tuple[float, float] = SEGMENTATION.value_shares,
                tiers: tuple[str, ...] = SEGMENTATION.value_tiers) -> pd.Series:
    """Value tier of each customer by profit: platinum, gold, iron, lead (digest §8).

    Customers are ranked by profit, highest first (ties in input order). With
    ``k1 = round(shares[0] · n)`` and ``k2 = round((shares[0] + shares[1]) · n)``:

    * **platinum** (铂金) — the top ``k1`` customers, if their profit is > 0;
    * **gold** (黄金) — ranks ``k1 + 1`` to ``k2``, if profit > 0;
    * **iron** (钢铁) — every other customer with profit > 0;
    * **lead** (重铅) — profit <= 0.

    Parameters
    ----------
    profit : Series
        Profit per customer (CNY; may be negative).
    shares : tuple of 2 float, default ``SEGMENTATION.value_shares`` = (0.05, 0.15)
        Shares of customers (fractions 0–1, summing to at most 1) in platinum and gold.
    tiers : tuple of str, default ``SEGMENTATION.value_tiers``
        The four tier names, top first.

    Returns
    -------
    Series
        Ordered categorical named ``value_tier``, same index as ``profit``.

    Raises
    ------
    TypeError
        ``profit`` is not a numeric Series.
    ValueError
        ``profit`` empty or missing; a share outside 0–1, or shares summing to more
        than 1.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.Series([900, 500, 300, 100, 0, -50], index=list("abcdef"))
    >>> value_tiers(p, shares=(0.2, 0.2)).astype(str).tolist()
    ['platinum', 'gold', 'iron', 'iron', 'lead', 'lead']
    """
    profit = check_series(profit, "profit", nonnegative=False)
    for s in shares:
        check_probability(s, "value share")
    if sum(shares) > 1:
        raise ValueError(f"platinum and gold shares add up to more than 1: {shares}")
    positive = profit.to_numpy(dtype=float) > 0
    platinum = _top(profit, shares[0]) & positive
    gold = _top(profit, shares[0] + shares[1]) & positive & ~platinum
    codes = np.select([platinum, gold, positive], [0, 1, 2], default=3)
    return _categorical(codes, profit.index, tiers, "value_tier")


def management_roles(revenue: pd.Series, headroom: pd.Series, n_orders: pd.Series, *,
                     key_share: float = SEGMENTATION.key_share,
                     potential_headroom: int = SEGMENTATION.potential_headroom,
                     roles: tuple[str, ...] = SEGMENTATION.roles) -> pd.Series:
    """Management role of each buying customer: key, potential, regular, temporary (digest §8).

    The first rule that holds decides:

    * **key** (关键客户) — among the ``round(key_share · n)`` largest by revenue;
    * **temporary** (临时客户) — one order or none ever (a one-off buyer);
    * **potential** (潜力客户) — purchase headroom >= ``potential_headroom`` seats;
    * **regular** (常规客户) — everyone else.

    Parameters
    ----------
    revenue : Series
        Revenue per customer over the period analysed (CNY, >= 0).
    headroom : Series
        Purchase headroom per customer: estimators − seats owned (seats); aligned on
        ``revenue``'s index, missing = 0.
    n_orders : Series
        Orders ever placed per customer; aligned on ``revenue``'s index, missing = 0.
    key_share : float, default ``SEGMENTATION.key_share`` = 0.05
        Top share of customers by revenue that are key (fraction 0–1).
    potential_headroom : int, default ``SEGMENTATION.potential_headroom`` = 5
        Headroom (seats) from which a customer counts as potential.
    roles : tuple of str, default ``SEGMENTATION.roles``
        The four role names, in the order key, potential, regular, temporary.

    Returns
    -------
    Series
        Ordered categorical named ``role``, same index as ``revenue``.

    Raises
    ------
    TypeError
        A non-numeric Series.
    ValueError
        ``revenue`` empty, negative or missing; negative headroom or order counts;
        ``key_share`` outside 0–1.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = ["a", "b", "c", "d"]
    >>> management_roles(pd.Series([50_000, 9_000, 100, 300], index=ids),
    ...                  pd.Series([0, 10, 0, 0], index=ids), pd.Series([9, 4, 1, 3], index=ids),
    ...                  key_share=0.25).astype(str).tolist()
    ['key', 'potential', 'temporary', 'regular']
    """
    revenue = check_series(revenue, "revenue")
    headroom = check_series(headroom.reindex(revenue.index).fillna(0), "headroom")
    n_orders = check_series(n_orders.reindex(revenue.index).fillna(0), "n_orders")
    key_share = check_probability(key_share, "key_share")
    key = _top(revenue, key_share)
    temporary = n_orders.to_numpy() <= 1
    potential = headroom.to_numpy() >= potential_headroom
    codes = np.select([key, temporary, potential], [0, 3, 1], default=2)
    return _categorical(codes, revenue.index, roles, "role")


def relationship_classes(first_order: pd.Series, last_order: pd.Series, revenue: pd.Series, as_of, *,
                         new_days: int = SEGMENTATION.new_days,
                         big_share: float = SEGMENTATION.big_share,
                         classes: tuple[str, ...] = SEGMENTATION.relationships) -> pd.Series:
    """Relationship class of each organisation: potential, new, old, big, small (digest §8).

    With ``horizon = as_of − new_days``, the first rule that holds decides:

    * **potential** (潜在客户) — never bought (no first order date);
    * **new** (新客户) — first order after ``horizon``;
    * **big** (大客户) — among the ``round(big_share · m)`` established buyers (the
      ``m`` customers neither potential nor new) with the highest revenue;
    * **old** (老客户) — an established buyer with an order after ``horizon``;
    * **small** (小客户) — the other established buyers.

    Parameters
    ----------
    first_order, last_order : Series of datetime64
        First and last order date per customer (NaT for those who never bought);
        ``last_order`` is aligned on ``first_order``'s index.
    revenue : Series
        Revenue per customer over the period analysed (CNY); missing = 0.
    as_of : date-like
        The analysis date.
    new_days : int, default ``SEGMENTATION.new_days`` = 365
        Window (days) for "new" (first order within it) and "old" (an order within it).
    big_share : float, default ``SEGMENTATION.big_share`` = 0.20
        Share of established buyers that are big, by revenue (fraction 0–1).
    classes : tuple of str, default ``SEGMENTATION.relationships``
        The five names, in the order potential, new, old, big, small.

    Returns
    -------
    Series
        Ordered categorical named ``relationship``, same index as ``first_order``.

    Raises
    ------
    ValueError
        ``big_share`` outside 0–1.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = ["a", "b", "c", "d"]
    >>> first = pd.Series(pd.to_datetime(["2020-01-01", "2025-06-01", None, "2019-01-01"]), index=ids)
    >>> last = pd.Series(pd.to_datetime(["2025-11-01", "2025-06-01", None, "2022-01-01"]), index=ids)
    >>> rev = pd.Series({"a": 50_000, "b": 100, "d": 200})
    >>> relationship_classes(first, last, rev, "2025-12-31", big_share=0.25).astype(str).tolist()
    ['old', 'new', 'potential', 'small']
    """
    as_of = check_date(as_of, "as_of")
    check_probability(big_share, "big_share")
    idx = first_order.index
    first = first_order.to_numpy(dtype="datetime64[ns]")
    last = last_order.reindex(idx).to_numpy(dtype="datetime64[ns]")
    rev = revenue.reindex(idx).fillna(0)
    never = np.isnat(first)
    horizon = np.datetime64(as_of - pd.Timedelta(days=new_days), "ns")
    new = ~never & (first > horizon)
    established = ~never & ~new
    big = np.zeros(len(idx), dtype=bool)
    if established.any():
        est_rev = rev[established]
        big[np.flatnonzero(established)[_top(est_rev, big_share)]] = True
    recent = ~np.isnat(last) & (last > horizon)
    codes = np.select([never, new, big, established & recent], [0, 1, 3, 2], default=4)
    return _categorical(codes, idx, classes, "relationship")


def segment_profile(segment: pd.Series, revenue: pd.Series | None = None) -> pd.DataFrame:
    """Customers and, optionally, revenue per segment, with shares and averages (digest §8).

    ``share_customers = customers / Σ customers``; with revenue,
    ``share_revenue = revenue / Σ revenue`` and ``avg_revenue = revenue / customers``.

    Parameters
    ----------
    segment : Series
        Segment of each customer (a categorical keeps its order and empty segments).
    revenue : Series, optional
        Revenue per customer (CNY), aligned on ``segment``'s index; missing = 0.

    Returns
    -------
    DataFrame
        Indexed by segment: ``customers`` (count), ``share_customers`` (fraction) and,
        with ``revenue``, ``revenue`` (CNY), ``share_revenue`` (fraction; NaN when the
        total is 0) and ``avg_revenue`` (CNY per customer).

    Raises
    ------
    TypeError
        ``segment`` is not a Series, or ``revenue`` is not numeric.

    Examples
    --------
    >>> import pandas as pd
    >>> p = segment_profile(pd.Series(["x", "y", "x"]), pd.Series([10, 20, 30]))
    >>> p[["customers", "revenue", "avg_revenue"]].to_dict("index")
    {'x': {'customers': 2, 'revenue': 40, 'avg_revenue': 20.0}, 'y': {'customers': 1, 'revenue': 20, 'avg_revenue': 20.0}}
    """
    if not isinstance(segment, pd.Series):
        raise TypeError(f"segment must be a pandas Series, got {type(segment).__name__}")
    out = pd.DataFrame({"customers": segment.value_counts(sort=False)})
    out["share_customers"] = out["customers"] / out["customers"].sum()
    if revenue is not None:
        rev = check_series(revenue.reindex(segment.index).fillna(0), "revenue", nonnegative=False)
        out["revenue"] = rev.groupby(segment, observed=False).sum()
        total = out["revenue"].sum()
        out["share_revenue"] = out["revenue"] / total if total else np.nan
        out["avg_revenue"] = out["revenue"] / out["customers"].where(out["customers"] > 0)
    return out
