"""Tier migration between periods and the growth cases of digest §7.

How customers move between pyramid tiers from one year to the next
(:func:`transition_matrix`), where the tiers go if those moves repeat
(:func:`project`), what revenue a set of tier counts brings at given tier averages
(:func:`revenue_from_counts`), the "2 % of small customers move up" reading of the
year-two case (:func:`move_up`), and the customer-meeting effect
(:func:`meeting_effect`).

Examples
--------
The year-two case: 2 % of the 1,701 small customers (36) move up, spread over the
tiers as +8 VIP, +10 key, +18 mid; revenue at the year-one tier averages:

>>> import pandas as pd
>>> year1 = pd.Series([21, 85, 319, 1_701], index=["vip", "key", "mid", "small"])
>>> year2 = move_up(year1, {"vip": 8, "key": 10, "mid": 18})
>>> year2.tolist()
[29, 95, 337, 1665]
>>> revenue_from_counts(year2, [114_000, 31_600, 9_100, 1_160])
11306100
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib._validate import check_probability, check_series

__all__ = ["LOST", "transition_matrix", "project", "revenue_from_counts", "move_up",
           "meeting_effect", "meeting_what_if"]

#: The state of a customer present in the first period but not in the second.
LOST = "lost"


def transition_matrix(tier_from: pd.Series, tier_to: pd.Series, normalize: bool = True) -> pd.DataFrame:
    """Movement of customers between the tiers of two periods (migration, digest §7).

    ``P[i, j]`` = customers in tier ``i`` in the first period and tier ``j`` in the
    second, divided (with ``normalize``) by the customers in tier ``i``. First-period
    customers missing from ``tier_to``, or with a missing tier there, go to the column
    ``"lost"``; customers only in the second period are not counted (they arrived,
    they did not migrate).

    Parameters
    ----------
    tier_from : Series
        Tier per customer id in the first period (a categorical keeps its tier order;
        otherwise tiers are sorted by name).
    tier_to : Series
        Tier per customer id in the second period (may be empty or have missing values).
    normalize : bool, default True
        Return shares (each row with customers sums to 1) instead of counts.

    Returns
    -------
    DataFrame
        Rows (``from``): first-period tiers; columns (``to``): second-period tiers
        plus ``lost``. Fractions 0–1, or counts with ``normalize=False``; an empty row
        is all 0.

    Raises
    ------
    TypeError
        An argument that is not a Series.
    ValueError
        ``tier_from`` empty or with missing tiers, or an index with duplicate ids.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.Series(["small", "small", "mid", "small"], index=["C1", "C2", "C3", "C4"])
    >>> b = pd.Series(["mid", "small", "mid"], index=["C1", "C2", "C3"])
    >>> transition_matrix(a, b, normalize=False).to_dict("index")
    {'mid': {'mid': 1, 'small': 0, 'lost': 0}, 'small': {'mid': 1, 'small': 1, 'lost': 1}}
    """
    check_series(tier_from, "tier_from", numeric=False)
    check_series(tier_to, "tier_to", numeric=False, allow_empty=True, allow_na=True)
    if not tier_from.index.is_unique or not tier_to.index.is_unique:
        raise ValueError("tier_from and tier_to must be indexed by unique customer ids")
    if isinstance(tier_from.dtype, pd.CategoricalDtype):
        states = [str(c) for c in tier_from.cat.categories]
    else:
        states = sorted(set(tier_from.astype(str)) | set(tier_to.dropna().astype(str)))
    to = tier_to.reindex(tier_from.index).astype(object).where(lambda s: s.notna(), LOST)
    counts = pd.crosstab(tier_from.astype(str).rename("from"), to.astype(str).rename("to"))
    counts = counts.reindex(index=states, columns=states + [LOST], fill_value=0)
    if not normalize:
        return counts
    totals = counts.sum(axis=1)
    return counts.div(totals.where(totals > 0), axis=0).fillna(0.0)


def project(counts: pd.Series, matrix: pd.DataFrame, periods: int = 1) -> pd.DataFrame:
    """Expected tier counts over ``periods`` periods if the moves of ``matrix`` repeat.

    A Markov chain: ``n_{t+1} = n_t · P``, counts as a row vector. A column without a
    row (such as ``"lost"``) is absorbing: lost customers stay lost. A tier whose row is
    all 0 (no customer started there, so no moves were seen) keeps its customers. Used
    to ask where the §7 pyramid goes if this year's migration repeats.

    Parameters
    ----------
    counts : Series
        Customers per tier now, indexed by tier (tiers not in ``matrix`` are dropped,
        tiers missing from ``counts`` start at 0).
    matrix : DataFrame
        Transition shares, e.g. from :func:`transition_matrix` (rows summing to 1 or
        all 0).
    periods : int, default 1
        Number of periods to project (0 gives the start alone).

    Returns
    -------
    DataFrame
        Indexed by ``period`` 0 (the start) … ``periods``, one column per state of
        ``matrix`` (tiers and ``lost``): expected customers (floats).

    Raises
    ------
    ValueError
        ``counts`` empty, negative or missing, or a row of ``matrix`` summing to
        neither 1 nor 0.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.Series(["small", "small", "mid", "small"])
    >>> b = pd.Series(["mid", "small", "mid"])
    >>> m = transition_matrix(a, b)  # a small customer: 1/3 up, 1/3 stays, 1/3 lost
    >>> project(pd.Series({"mid": 10, "small": 30}), m, 2).round(1).to_dict("list")
    {'mid': [10.0, 20.0, 23.3], 'small': [30.0, 10.0, 3.3], 'lost': [0.0, 10.0, 13.3]}
    """
    check_series(counts, "counts")
    p = matrix.astype(float).copy()
    rows = [s for s in p.columns if s not in p.index]
    for s in rows:  # absorbing states such as "lost"
        p.loc[s] = 0.0
        p.loc[s, s] = 1.0
    p = p.loc[list(p.columns), list(p.columns)]
    empty = p.sum(axis=1) == 0  # no customer started there: no evidence of moves, stay put
    for s in p.index[empty]:
        p.loc[s, s] = 1.0
    bad = ~np.isclose(p.sum(axis=1), 1.0)
    if bad.any():
        raise ValueError(f"matrix rows must sum to 1 (probabilities); rows {list(p.index[bad])} do not")
    start = counts.reindex(p.index, fill_value=0).astype(float)
    states = [start.to_numpy()]
    for _ in range(periods):
        states.append(states[-1] @ p.to_numpy())
    out = pd.DataFrame(states, columns=p.columns)
    out.index.name = "period"
    return out


def revenue_from_counts(counts, avg_per_tier) -> int | float:
    """Revenue from tier counts at given tier averages: ``Σ counts × avg_per_tier`` (CNY).

    The check of the year-two case of digest §7: 29 × 114,000 + 95 × 31,600 +
    337 × 9,100 + 1,665 × 1,160 = ¥11,306,100. Integer inputs give an exact int.

    Parameters
    ----------
    counts : sequence of int
        Customers per tier.
    avg_per_tier : sequence of float
        Average revenue per customer of each tier (CNY), in the same order.

    Returns
    -------
    int or float
        Revenue (CNY): an int when both inputs are integers.

    Raises
    ------
    ValueError
        ``counts`` and ``avg_per_tier`` of different lengths.

    Examples
    --------
    >>> revenue_from_counts([29, 95, 337, 1_665], [114_000, 31_600, 9_100, 1_160])
    11306100
    """
    c = np.asarray(counts)
    a = np.asarray(avg_per_tier)
    if c.shape != a.shape:
        raise ValueError(f"{c.shape[0]} tier counts but {a.shape[0]} tier averages")
    total = (c * a).sum()
    return int(total) if np.issubdtype(total.dtype, np.integer) else float(total)


def move_up(counts: pd.Series, gains: dict[str, int], source: str = "small") -> pd.Series:
    """Tier counts after ``gains[t]`` customers of ``source`` move up into tier ``t``.

    The year-two reading of digest §7: of the 1,701 small customers, 36 (about 2 %)
    move up, +8 VIP, +10 key, +18 mid. ``new[t] = counts[t] + gains[t]`` and
    ``new[source] = counts[source] − Σ gains``; the total is unchanged.

    Parameters
    ----------
    counts : Series
        Customers per tier, indexed by tier.
    gains : dict of str to int
        Customers moving into each tier from ``source``.
    source : str, default "small"
        The tier they leave.

    Returns
    -------
    Series
        The new counts, same index as ``counts``.

    Raises
    ------
    ValueError
        ``counts`` empty, negative or missing; an unknown tier in ``gains``; or more
        customers leaving ``source`` than it has.

    Examples
    --------
    >>> import pandas as pd
    >>> y1 = pd.Series([21, 85, 319, 1_701], index=["vip", "key", "mid", "small"])
    >>> move_up(y1, {"vip": 8, "key": 10, "mid": 18}).tolist()
    [29, 95, 337, 1665]
    """
    check_series(counts, "counts")
    out = counts.copy()
    moved = 0
    for tier, n in gains.items():
        if tier not in out.index:
            raise ValueError(f"unknown tier {tier!r}; tiers are {list(out.index)}")
        out[tier] += n
        moved += n
    if moved > out[source]:
        raise ValueError(f"{moved} customers cannot leave {source!r}, which has {out[source]}")
    out[source] -= moved
    return out


def meeting_effect(revenue_y1: pd.Series, revenue_y2: pd.Series, had_meeting: pd.Series) -> pd.DataFrame:
    """Revenue growth of customers with and without a structured meeting (客户会谈, digest §7).

    Per group: ``growth = Σ revenue_y2 / Σ revenue_y1 − 1`` (the case: +6 % with a
    meeting, −8 % without). The customers are those of ``revenue_y1``; a missing
    year-two revenue counts as 0.

    Parameters
    ----------
    revenue_y1 : Series
        Revenue per customer in year one (CNY, >= 0).
    revenue_y2 : Series
        Revenue per customer in year two (CNY, >= 0).
    had_meeting : Series of bool
        True for customers who had a structured meeting; customers missing from it
        count as not met.

    Returns
    -------
    DataFrame
        Indexed ``meeting`` / ``no meeting``: ``customers`` (count), ``revenue_y1``
        and ``revenue_y2`` (CNY) and ``growth`` (fraction). A group with no customers
        is a row of NaN.

    Raises
    ------
    TypeError
        A revenue that is not a numeric Series.
    ValueError
        ``revenue_y1`` empty, or a revenue negative or missing.

    Examples
    --------
    >>> import pandas as pd
    >>> y1 = pd.Series([100, 100, 100], index=["a", "b", "c"])
    >>> y2 = pd.Series([110, 90, 80], index=["a", "b", "c"])
    >>> t = meeting_effect(y1, y2, pd.Series(True, index=["a"]))
    >>> t["customers"].tolist(), t["growth"].round(2).tolist()
    ([1, 2], [0.1, -0.15])
    """
    check_series(revenue_y1, "revenue_y1")
    y2 = check_series(revenue_y2, "revenue_y2", allow_empty=True).reindex(revenue_y1.index, fill_value=0)
    met = had_meeting.reindex(revenue_y1.index).fillna(False).astype(bool)
    group = pd.Series(np.where(met, "meeting", "no meeting"), index=revenue_y1.index)
    out = pd.DataFrame({"customers": group.value_counts(),
                        "revenue_y1": revenue_y1.groupby(group).sum(),
                        "revenue_y2": y2.groupby(group).sum()}).reindex(["meeting", "no meeting"])
    out["growth"] = out["revenue_y2"] / out["revenue_y1"] - 1
    return out


def meeting_what_if(revenue: float, share_met: float, growth_met: float = 0.06,
                    growth_not: float = -0.08) -> float:
    """Next year's revenue if a share of the revenue base gets a structured meeting (digest §7).

    ``revenue × (s · (1 + g_met) + (1 − s) · (1 + g_not))``. With the case's +6 % and
    −8 %, meeting the customers behind 4/7 of revenue keeps it flat.

    Parameters
    ----------
    revenue : float
        This year's revenue of the base (CNY).
    share_met : float
        Share of the base (by revenue) that gets a meeting, s, 0–1.
    growth_met : float, default 0.06
        Growth of met customers, g_met (fraction; the case's +6 %).
    growth_not : float, default -0.08
        Growth of the others, g_not (fraction; the case's −8 %).

    Returns
    -------
    float
        Next year's revenue (CNY).

    Raises
    ------
    ValueError
        ``share_met`` outside 0–1.

    Examples
    --------
    >>> round(meeting_what_if(1_000_000, 0.5))
    990000
    >>> round(meeting_what_if(1_000_000, 4 / 7))
    1000000
    """
    check_probability(share_met, "share_met")
    return revenue * (share_met * (1 + growth_met) + (1 - share_met) * (1 + growth_not))
