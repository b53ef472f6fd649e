"""Customer value: lifetime profit, retention economics and RFM (客户价值), digest §6.

Examples
--------
A customer worth ¥1,000 of margin a year, kept with probability 80 % a year, at a
10 % discount rate:

>>> round(clv_perpetual(1_000, 0.80, 0.10), 2)
2666.67
>>> round(retention_uplift_effect(0.80, 0.05, 0.10), 3)    # +5 points of retention
0.275
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib._pandas import group_codes
from custlib._validate import check_date, check_frame, check_scalar
from custlib.policy import VALUE

__all__ = ["LIFETIME_COMPONENTS", "lifetime_profit", "profit_from_orders", "clv_perpetual",
           "clv_finite", "retention_uplift_effect", "reichheld_table", "rfm_summary",
           "rfm_scores", "RFM_SEGMENTS", "rfm_segments"]

#: The seven components of customer lifetime profit (客户生命周期利润), with their sign.
LIFETIME_COMPONENTS = pd.DataFrame(
    [("base_profit", "基本利润", +1, "profit of the customer's basic purchases"),
     ("cross_sell_profit", "关联销售利润", +1, "profit of cross- and up-selling"),
     ("cost_savings", "成本节约", +1, "a known customer costs less to serve"),
     ("referral_revenue", "推荐收益", +1, "profit from customers they refer"),
     ("acquisition_cost", "获取成本", -1, "what winning the customer cost"),
     ("price_concessions", "价格优惠", -1, "discounts given to win the first deal"),
     ("negative_referral_cost", "推荐破坏成本", -1, "prospects lost to a dissatisfied customer")],
    columns=["component", "component_zh", "sign", "meaning"]).set_index("component")


def lifetime_profit(**components) -> pd.DataFrame:
    """Customer lifetime profit (客户生命周期利润) as the sum of its seven components.

    Digest §6: ``lifetime_profit = base_profit + cross_sell_profit + cost_savings +
    referral_revenue − acquisition_cost − price_concessions − negative_referral_cost``
    (all CNY). Costs are given as positive amounts and subtracted; a component not
    given counts as 0.

    Parameters
    ----------
    **components : float or Series
        Any of the names of :data:`LIFETIME_COMPONENTS`, in CNY, each >= 0: a scalar
        (one customer) or a Series per customer. Series are aligned on the index of
        the first Series given; missing values count as 0.

    Returns
    -------
    DataFrame
        One row per customer (a single row 0 for scalars): the seven components as
        floats with their sign applied, and ``lifetime_profit`` (CNY).

    Raises
    ------
    ValueError
        An unknown component name, or a negative value for any component (including
        the profit components).

    Examples
    --------
    >>> lifetime_profit(base_profit=5_000, cross_sell_profit=2_000, acquisition_cost=1_500,
    ...                 price_concessions=500)["lifetime_profit"].item()
    5000.0
    """
    unknown = set(components) - set(LIFETIME_COMPONENTS.index)
    if unknown:
        raise ValueError(f"unknown component(s) {sorted(unknown)}; expected "
                         f"{list(LIFETIME_COMPONENTS.index)}")
    series = [v for v in components.values() if isinstance(v, pd.Series)]
    index = series[0].index if series else pd.RangeIndex(1)
    out = pd.DataFrame(index=index)
    for name in LIFETIME_COMPONENTS.index:
        value = components.get(name, 0)
        col = value.reindex(index).fillna(0) if isinstance(value, pd.Series) else value
        out[name] = pd.Series(col, index=index, dtype=float) if np.isscalar(col) else col.astype(float)
        if (out[name] < 0).any():
            raise ValueError(f"{name} must be >= 0 (a cost is given as a positive amount)")
    signs = LIFETIME_COMPONENTS["sign"]
    out["lifetime_profit"] = (out[list(signs.index)] * signs.to_numpy()).sum(axis=1)
    return out


def profit_from_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """Base profit and cross-/up-sell profit per customer from the orders (digest §6).

    Per order ``profit = amount − cost`` (CNY). An order is cross-/up-sell (关联销售)
    when it is an upgrade or its product line differs from that of the customer's first
    order; every other order is base business (基本利润).

    Parameters
    ----------
    orders : DataFrame
        Needs ``customer_id``, ``order_date`` (datetime64), ``product_line``,
        ``amount`` and ``cost`` (CNY) and ``is_upgrade`` (bool).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``base_profit`` and ``cross_sell_profit`` (CNY).

    Raises
    ------
    ValueError
        A missing column or no orders.
    TypeError
        ``order_date`` not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": ["A", "A", "A", "B"],
    ...                   "order_date": pd.to_datetime(["2024-01-05", "2024-06-01", "2024-09-01",
    ...                                                 "2024-02-01"]),
    ...                   "product_line": ["rebar", "rebar", "estimating", "rebar"],
    ...                   "amount": [1_000, 500, 800, 300], "cost": [600, 200, 500, 100],
    ...                   "is_upgrade": [False, False, False, True]})
    >>> profit_from_orders(o).to_dict("index")
    {'A': {'base_profit': 700.0, 'cross_sell_profit': 300.0}, 'B': {'base_profit': 0.0, 'cross_sell_profit': 200.0}}
    """
    check_frame(orders, "orders", ["customer_id", "order_date", "product_line", "amount", "cost",
                                   "is_upgrade"], dates=["order_date"])
    # A customer's first line is the line of its earliest dated order that names one
    # (an undated order counts as the latest; of orders on the same day, the first
    # row). Integer reductions over the customers' codes, no sort of the orders.
    codes, ids = group_codes(orders["customer_id"])
    n, k = len(orders), len(ids)
    when = orders["order_date"].to_numpy()
    stamps = np.where(np.isnat(when), np.iinfo(np.int64).max, when.view(np.int64))
    line = orders["product_line"]
    line_codes = (line.cat.codes.to_numpy() if isinstance(line.dtype, pd.CategoricalDtype)
                  else pd.factorize(line)[0]).astype(np.int64)     # -1: no line
    named = (line_codes >= 0) & (codes >= 0)
    earliest = np.full(k, np.iinfo(np.int64).max)
    np.minimum.at(earliest, codes[named], stamps[named])
    on_first = named & (stamps == earliest[np.maximum(codes, 0)])
    first_row = np.full(k, n)
    np.minimum.at(first_row, codes[on_first], np.flatnonzero(on_first))
    first_line = np.where(first_row < n, line_codes[np.minimum(first_row, n - 1)], -1)
    # an order naming no line is not the first line: counted as cross-sell, as before
    cross = (orders["is_upgrade"].astype(bool).to_numpy() | (line_codes < 0)
             | (line_codes != first_line[np.maximum(codes, 0)]))
    profit = np.nan_to_num((orders["amount"] - orders["cost"]).to_numpy(dtype=float,
                                                                         na_value=np.nan))
    known = codes >= 0
    base, extra = known & ~cross, known & cross
    return pd.DataFrame({
        "base_profit": np.bincount(codes[base], weights=profit[base], minlength=k).astype(float),
        "cross_sell_profit": np.bincount(codes[extra], weights=profit[extra],
                                         minlength=k).astype(float)}, index=ids)


def _plain(x):
    """A 0-d result as a Python float, arrays unchanged."""
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def _rates(retention, discount_rate):
    """Retention in [0, 1) and discount rate > -1, numbers or arrays (checked element-wise)."""
    r = np.asarray(retention, dtype=float)
    d = np.asarray(discount_rate, dtype=float)
    bad = (r < 0) | (r >= 1)
    if np.any(bad):  # the first offending value, with the message of check_scalar
        check_scalar(float(r[bad].flat[0]), "retention", low=0, high=1, include_high=False)
    bad = d <= -1
    if np.any(bad):
        check_scalar(float(d[bad].flat[0]), "discount_rate", low=-1, include_low=False)
    return r, d


def clv_perpetual(margin, retention=VALUE.retention, discount_rate=VALUE.discount_rate):
    """Retention-based customer lifetime value with no horizon (digest §6).

    ``clv = m · r / (1 + d − r)``: the margin ``m`` is received at the end of each
    year the customer stays, it stays each year with probability ``r``, and money is
    discounted at ``d`` a year. Vectorised over arrays.

    Parameters
    ----------
    margin : float or array
        Margin per customer and year, m (CNY per year).
    retention : float or array, default ``VALUE.retention`` = 0.80
        Yearly retention probability r, a fraction in [0, 1).
    discount_rate : float or array, default ``VALUE.discount_rate`` = 0.10
        Yearly discount rate d, a fraction (> −1).

    Returns
    -------
    float or ndarray
        Lifetime value today (CNY); a float for scalar inputs.

    Raises
    ------
    ValueError
        ``retention`` outside [0, 1), or ``discount_rate`` <= −1.

    Examples
    --------
    >>> round(clv_perpetual(1_000, 0.8, 0.1), 2)  # 1000 · 0.8 / 0.3
    2666.67
    >>> clv_perpetual([1_000, 2_000], 0.5, 0.0).tolist()
    [1000.0, 2000.0]
    """
    r, d = _rates(retention, discount_rate)
    return _plain(np.asarray(margin, dtype=float) * r / (1 + d - r))


def clv_finite(margin, retention=VALUE.retention, discount_rate=VALUE.discount_rate,
               years=VALUE.horizon_years):
    """Retention-based lifetime value over a horizon of ``years`` (digest §6).

    ``clv = Σ_{t=1..T} m · r^t / (1 + d)^t = m · q (1 − q^T) / (1 − q)`` with
    ``q = r / (1 + d)``. Tends to :func:`clv_perpetual` as T grows.

    Parameters
    ----------
    margin : float or array
        Margin per customer and year, m (CNY per year).
    retention : float or array, default ``VALUE.retention`` = 0.80
        Yearly retention probability r, in [0, 1).
    discount_rate : float or array, default ``VALUE.discount_rate`` = 0.10
        Yearly discount rate d (> −1).
    years : int, default ``VALUE.horizon_years`` = 10
        Horizon T in years (whole number >= 0).

    Returns
    -------
    float or ndarray
        Lifetime value over the horizon (CNY).

    Raises
    ------
    ValueError
        ``retention`` outside [0, 1), ``discount_rate`` <= −1, or ``years`` not a whole
        number >= 0.

    Examples
    --------
    >>> round(clv_finite(1_000, 0.8, 0.1, 1), 2)  # one year: 1000 · 0.8 / 1.1
    727.27
    >>> round(clv_finite(1_000, 0.8, 0.1, 200), 2)  # close to clv_perpetual
    2666.67
    """
    r, d = _rates(retention, discount_rate)
    check_scalar(years, "years", low=0, integral=True)
    q = r / (1 + d)
    return _plain(np.asarray(margin, dtype=float) * q * (1 - q ** int(years)) / (1 - q))


def retention_uplift_effect(retention, uplift=VALUE.retention_uplift,
                            discount_rate=VALUE.discount_rate):
    """Relative rise of a customer's value when retention rises by ``uplift`` (digest §6).

    ``effect = clv(r + u) / clv(r) − 1 = (r + u)(1 + d − r) / (r (1 + d − r − u)) − 1``,
    with :func:`clv_perpetual`. It grows quickly as r approaches 1 − u: the mechanism
    behind the Reichheld figures of :func:`reichheld_table` (+5 points of retention
    raising a customer's value by 35–95 %).

    Parameters
    ----------
    retention : float or array
        Current yearly retention r, in (0, 1).
    uplift : float, default ``VALUE.retention_uplift`` = 0.05
        Rise in retention u (fraction; 0.05 = 5 percentage points); r + u < 1.
    discount_rate : float, default ``VALUE.discount_rate`` = 0.10
        Yearly discount rate d (> −1).

    Returns
    -------
    float or ndarray
        Relative rise in value, a fraction (0.275 = +27.5 %).

    Raises
    ------
    ValueError
        ``retention`` outside [0, 1), ``discount_rate`` <= −1, or r + u not below 1.

    Examples
    --------
    >>> round(retention_uplift_effect(0.80, 0.05, 0.10), 3)  # (0.85 / 0.25) / (0.8 / 0.3) − 1
    0.275
    >>> retention_uplift_effect([0.5, 0.9]).round(2).tolist()
    [0.2, 0.41]
    """
    r, d = _rates(retention, discount_rate)
    if np.any(r + uplift >= 1):
        raise ValueError("retention + uplift must stay below 1")
    return _plain(clv_perpetual(1.0, r + uplift, d) / clv_perpetual(1.0, r, d) - 1)


def reichheld_table() -> pd.DataFrame:
    """Rise in a customer's net present value from +5 points of retention, by industry.

    The figures of F. Reichheld, *The Loyalty Effect* (1996), as carried by the source
    material (客户保持率增长5%与顾客净现值, digest §6).

    Parameters
    ----------
    None

    Returns
    -------
    DataFrame
        12 rows indexed by ``industry`` (English), highest first: ``industry_zh``
        (Chinese name) and ``npv_increase`` (rise in net present value, a fraction:
        0.95 = +95 %).

    Examples
    --------
    >>> t = reichheld_table()
    >>> float(t.loc["software", "npv_increase"]), t.index[0]
    (0.35, 'advertising agency')
    """
    rows = [("advertising agency", "广告代理", 0.95), ("life insurance", "人寿保险", 0.90),
            ("branch-bank deposits", "银行储蓄", 0.85), ("publishing", "出版", 0.85),
            ("auto/home insurance", "汽车/房屋保险", 0.84), ("auto service", "汽车服务", 0.81),
            ("credit card", "信用卡", 0.75), ("industrial brokerage", "工业经纪", 0.50),
            ("industrial distribution", "工业分销", 0.45), ("industrial laundry", "工业洗衣", 0.45),
            ("office-building management", "写字楼管理", 0.40), ("software", "软件", 0.35)]
    return pd.DataFrame(rows, columns=["industry", "industry_zh", "npv_increase"]).set_index("industry")


def rfm_summary(orders: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer (RFM, value analysis of digest §6).

    Same definitions as ``lifetimes.utils.summary_data_from_transaction_data`` with
    daily periods; orders of the same day are summed first and orders after ``as_of``
    are ignored:

    * ``frequency`` = distinct purchase days − 1 (repeat purchase days);
    * ``recency`` = last purchase day − first purchase day (days);
    * ``T`` = ``as_of`` − first purchase day (days: the customer's age);
    * ``monetary_value`` = revenue of the repeat days / ``frequency`` (CNY; the first
      day excluded), 0 when ``frequency`` is 0.

    Parameters
    ----------
    orders : DataFrame
        Needs ``customer_id``, ``order_date`` (datetime64, no missing dates) and
        ``amount`` (CNY, numeric).
    as_of : date-like, optional
        End of the observation period (default: the last order date).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (sorted), one row per customer with an order on or
        before ``as_of``: ``frequency`` (int), ``recency`` and ``T`` (int, days) and
        ``monetary_value`` (CNY per repeat purchase day).

    Raises
    ------
    ValueError
        A missing column, missing order dates, or no order on or before ``as_of``.
    TypeError
        ``order_date`` not datetime64 or ``amount`` not numeric.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": ["A", "A", "A", "B"],
    ...                   "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-11",
    ...                                                 "2024-01-05"]),
    ...                   "amount": [100, 50, 300, 80]})
    >>> rfm_summary(o, as_of="2024-01-31").to_dict("index")
    {'A': {'frequency': 1, 'recency': 10, 'T': 30, 'monetary_value': 300.0}, 'B': {'frequency': 0, 'recency': 0, 'T': 26, 'monetary_value': 0.0}}
    """
    check_frame(orders, "orders", ["customer_id", "order_date", "amount"], dates=["order_date"],
                numeric=["amount"])
    as_of = check_date(as_of, "as_of") if as_of is not None else orders["order_date"].max()
    # No Python loop and a single sort: customers are integer codes, per-customer
    # numbers are scatter reductions (np.minimum.at, np.bincount), and the distinct
    # purchase days are the distinct values of one sorted integer key (customer, day).
    dates = orders["order_date"].to_numpy()
    keep = dates <= np.datetime64(as_of)  # False for a missing date (NaT)
    missing = np.flatnonzero(np.isnat(dates)) if not keep.all() else ()
    if len(missing):
        raise ValueError(f"orders['order_date'] has {len(missing)} missing date(s), first at "
                         f"positions {missing[:5].tolist()}: expected a date on every order")
    if not keep.any():
        raise ValueError(f"orders has no order on or before {as_of.date()}")
    codes, uniques = pd.factorize(orders["customer_id"])
    unit, _ = np.datetime_data(dates.dtype)  # ns in pandas 2, ns/us/ms/s in pandas 3
    day = dates.view(np.int64) // np.timedelta64(1, "D").astype(f"timedelta64[{unit}]").astype(np.int64)
    amount = orders["amount"].to_numpy(dtype=np.float64)
    if not keep.all():
        codes, day, amount = codes[keep], day[keep], amount[keep]
    n = len(uniques)
    d0 = day.min()
    span = int(day.max() - d0 + 1)
    rel = day - d0  # days since the first order day in the data
    first = np.full(n, span, dtype=np.int64)
    np.minimum.at(first, codes, rel)
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, codes, rel)
    total = np.bincount(codes, weights=amount, minlength=n)
    on_first = rel == first[codes]
    first_day_total = np.bincount(codes[on_first], weights=amount[on_first], minlength=n)
    key = codes.astype(np.int64)
    key *= span
    key += rel
    key.sort()
    distinct = key[np.r_[True, key[1:] != key[:-1]]]
    days = np.bincount(distinct // span, minlength=n)
    # sorted by customer id, as lifetimes returns it; customers with no order kept are dropped
    idx = uniques.argsort()
    idx = idx[days[idx] > 0]
    freq = days[idx] - 1
    end = np.datetime64(as_of.normalize(), "D").astype(np.int64) - d0
    repeat_total = (total - first_day_total)[idx]
    return pd.DataFrame({
        "frequency": freq.astype(np.int64),
        "recency": (last - first)[idx],
        "T": (end - first)[idx],
        "monetary_value": np.where(freq > 0, repeat_total / np.maximum(freq, 1), 0.0),
    }, index=pd.Index(uniques.take(idx), name="customer_id"))


def rfm_scores(summary: pd.DataFrame, bins: int = VALUE.rfm_bins) -> pd.DataFrame:
    """Scores 1–``bins`` for recency, frequency and monetary value (digest §6).

    Each score is ``ceil(pct_rank · bins)`` clipped to 1–``bins``, with percentile
    ranks by the average method (ties share a score). R ranks the days since the last
    purchase, ``T − recency``, most recent best; F ranks ``frequency`` and M
    ``monetary_value``, highest best. The best customers score ``bins``.

    Parameters
    ----------
    summary : DataFrame
        From :func:`rfm_summary`: ``frequency``, ``recency``, ``T``, ``monetary_value``.
    bins : int, default ``VALUE.rfm_bins`` = 5
        Number of score classes (whole number >= 2; 5 = quintiles).

    Returns
    -------
    DataFrame
        Same index: ``R``, ``F``, ``M`` (int, 1–``bins``) and ``RFM`` (the three
        digits as text, e.g. ``"545"``).

    Raises
    ------
    ValueError
        A missing column, an empty ``summary``, or ``bins`` not a whole number >= 2.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"frequency": [3, 0, 1], "recency": [300, 0, 20],
    ...                   "T": [320, 200, 400], "monetary_value": [900.0, 0.0, 50.0]},
    ...                  index=["A", "B", "C"])
    >>> rfm_scores(s, bins=3).to_dict("list")
    {'R': [3, 2, 1], 'F': [3, 1, 2], 'M': [3, 1, 2], 'RFM': ['333', '211', '122']}
    """
    check_frame(summary, "summary", ["frequency", "recency", "T", "monetary_value"])
    check_scalar(bins, "bins", low=2, integral=True)

    def score(x: pd.Series, high_is_good: bool) -> pd.Series:
        pct = x.rank(pct=True, method="average", ascending=high_is_good)
        return np.ceil(pct * bins).clip(1, bins).astype(int)

    out = pd.DataFrame({
        "R": score(summary["T"] - summary["recency"], high_is_good=False),
        "F": score(summary["frequency"], high_is_good=True),
        "M": score(summary["monetary_value"], high_is_good=True),
    })
    out["RFM"] = out["R"].astype(str) + out["F"].astype(str) + out["M"].astype(str)
    return out


#: The eight RFM segments: (R high, F high, M high) -> name, Chinese name, what to do.
RFM_SEGMENTS = pd.DataFrame(
    [(True, True, True, "important_value", "重要价值客户", "keep them delighted: top service, first offers"),
     (False, True, True, "important_retain", "重要保持客户", "valuable but drifting: visit now"),
     (True, False, True, "important_develop", "重要发展客户", "recent big spenders: raise frequency"),
     (False, False, True, "important_win_back", "重要挽留客户", "big but gone quiet: win back"),
     (True, True, False, "general_value", "一般价值客户", "frequent, small: up-sell"),
     (False, True, False, "general_retain", "一般保持客户", "keep in touch at low cost"),
     (True, False, False, "general_develop", "一般发展客户", "new or occasional: nurture"),
     (False, False, False, "general_win_back", "一般挽留客户", "lowest priority")],
    columns=["R_high", "F_high", "M_high", "segment", "segment_zh", "action"]).set_index("segment")


def rfm_segments(scores: pd.DataFrame, high: int = VALUE.rfm_high_score) -> pd.Series:
    """The eight RFM segments (重要/一般 × 价值/保持/发展/挽留) from high/low R, F, M scores.

    Digest §6. Each of R, F, M is high when its score is >= ``high``; the combination picks the
    row of :data:`RFM_SEGMENTS` (e.g. high R, F and M: ``important_value``, 重要价值客户;
    low R with high F and M: ``important_retain``).

    Parameters
    ----------
    scores : DataFrame
        Integer columns ``R``, ``F``, ``M`` (from :func:`rfm_scores`).
    high : int, default ``VALUE.rfm_high_score`` = 3
        Lowest score counted as high.

    Returns
    -------
    Series
        Categorical named ``segment`` with the segment names of :data:`RFM_SEGMENTS`,
        same index as ``scores``.

    Raises
    ------
    ValueError
        A missing column or an empty ``scores``.
    TypeError
        A non-numeric score column.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"R": [5, 1, 5], "F": [4, 5, 1], "M": [5, 4, 1]})
    >>> rfm_segments(s).tolist()
    ['important_value', 'important_retain', 'general_develop']
    """
    check_frame(scores, "scores", ["R", "F", "M"], numeric=["R", "F", "M"])
    code = ((scores["R"] < high).astype(int) + 2 * (scores["F"] < high).astype(int)
            + 4 * (scores["M"] < high).astype(int)).to_numpy()
    # bit 1: R low, bit 2: F low, bit 4: M low -- the order of the rows of RFM_SEGMENTS
    return pd.Series(pd.Categorical.from_codes(code, categories=list(RFM_SEGMENTS.index)),
                     index=scores.index, name="segment")
