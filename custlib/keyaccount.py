"""The key-account selection matrix (关键客户识别与选择矩阵), digest §9.

Two axes: **customer attractiveness** (客户吸引力, how attractive the customer is to
us) and **relative advantage** (相对优势, how attractive we are to the customer
against competitors). Each is a weighted sum of criteria, every criterion scaled to
0–1 by its percentile rank among the customers scored:

    score = Σ w_k · pct_rank(criterion_k) / Σ w_k

A score at or above the cut-off is "high". The quadrants:

=================  ===================  ==========================================
attractiveness     advantage            quadrant
=================  ===================  ==========================================
high               high                 key account (关键客户)
high               low                  key development account (关键发展客户)
low                high                 maintenance account (维持客户)
low                low                  opportunistic account (机会主义客户)
=================  ===================  ==========================================

Examples
--------
>>> import pandas as pd
>>> c = pd.DataFrame({"size": [10, 50, 90, 30], "share": [0.9, 0.1, 0.8, 0.2]})
>>> a = score(c, {"size": 1.0})
>>> b = score(c, {"share": 1.0})
>>> matrix(a, b).tolist()
['maintenance', 'key_development', 'key', 'opportunistic']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib._validate import check_fraction, check_frame, check_series
from custlib.policy import KEY_ACCOUNT

__all__ = ["criteria_frame", "score", "matrix", "quadrant_strategies", "is_key_account",
           "KEY_ACCOUNT_TESTS", "decision_structure", "role_coverage"]


def criteria_frame(customers: pd.DataFrame, orders: pd.DataFrame, activities: pd.DataFrame | None,
                   as_of) -> pd.DataFrame:
    """The default criteria of :data:`KEY_ACCOUNT`, one row per buying customer.

    * ``revenue`` — revenue in the 12 months to ``as_of`` (CNY);
    * ``headroom`` — estimators − seats owned (seats): what they could still buy;
    * ``important`` — 1 for an important user (重要用户), else 0;
    * ``our_seat_share`` — seats owned / (seats owned + competitor seats);
    * ``visits`` — visits and meetings in the 12 months to ``as_of``;
    * ``tenure`` — years since the first purchase.

    Parameters
    ----------
    customers : DataFrame
        Needs ``customer_id``, ``estimators``, ``seats_owned``, ``competitor_seats``,
        ``importance``, ``first_purchase_date``.
    orders : DataFrame
        Needs ``customer_id``, ``order_date`` (datetime64), ``amount`` (CNY).
    activities : DataFrame or None
        Needs ``customer_id``, ``activity_date``, ``activity_type``; without it there is
        no ``visits`` column.
    as_of : date-like
        End of the 12-month window.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (customers who bought in the window): the criteria
        above, as floats.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": ["A"], "estimators": [30], "seats_owned": [10],
    ...                   "competitor_seats": [10], "importance": ["important"],
    ...                   "first_purchase_date": pd.to_datetime(["2021-12-31"])})
    >>> o = pd.DataFrame({"customer_id": ["A"], "order_date": pd.to_datetime(["2025-06-01"]),
    ...                   "amount": [20_000]})
    >>> criteria_frame(c, o, None, "2025-12-31").round(2).to_dict("index")
    {'A': {'revenue': 20000.0, 'headroom': 20.0, 'important': 1.0, 'our_seat_share': 0.5, 'tenure': 4.0}}
    """
    check_frame(customers, "customers", ["customer_id", "estimators", "seats_owned",
                                         "competitor_seats", "importance", "first_purchase_date"])
    check_frame(orders, "orders", ["customer_id", "order_date", "amount"], dates=["order_date"])
    as_of = pd.Timestamp(as_of)
    start = as_of - pd.DateOffset(years=1)
    window = (orders["order_date"] > start) & (orders["order_date"] <= as_of)
    revenue = orders[window].groupby("customer_id")["amount"].sum()
    c = customers.set_index("customer_id").loc[lambda d: d.index.isin(revenue.index)]
    seats = c["seats_owned"] + c["competitor_seats"]
    out = pd.DataFrame({
        "revenue": revenue.reindex(c.index).astype(float),
        "headroom": (c["estimators"] - c["seats_owned"]).clip(lower=0).astype(float),
        "important": (c["importance"].astype(str) == "important").astype(float),
        "our_seat_share": (c["seats_owned"] / seats.where(seats > 0)).fillna(0.0),
        "tenure": ((as_of - c["first_purchase_date"]).dt.days / 365.25).astype(float),
    })
    if activities is not None:
        a = activities[(activities["activity_date"] > start) & (activities["activity_date"] <= as_of)
                       & activities["activity_type"].astype(str).isin(["visit", "meeting"])]
        out["visits"] = a.groupby("customer_id").size().reindex(out.index, fill_value=0).astype(float)
    return out


def score(criteria: pd.DataFrame, weights: dict[str, float] | tuple) -> pd.Series:
    """Weighted score in [0, 1] from criteria scaled by percentile rank (see the module).

    Parameters
    ----------
    criteria : DataFrame
        One row per customer, one numeric column per criterion (higher is better).
    weights : dict or tuple of (name, weight)
        Weight per criterion (>= 0, not all 0), e.g. ``KEY_ACCOUNT.attractiveness``.

    Returns
    -------
    Series
        Score in [0, 1] per customer: percentile ranks scaled so the lowest is 0 and
        the highest 1, weighted and divided by the sum of the weights.

    Raises
    ------
    ValueError
        A criterion missing from ``criteria``, a negative weight, or weights summing to 0.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"size": [10, 50, 90, 30], "share": [0.9, 0.1, 0.8, 0.2]})
    >>> score(c, {"size": 1.0, "share": 1.0}).round(3).tolist()
    [0.5, 0.333, 0.833, 0.333]
    """
    weights = dict(weights)
    check_frame(criteria, "criteria", list(weights), numeric=list(weights))
    w = pd.Series(weights, dtype=float)
    if (w < 0).any():
        raise ValueError(f"weights must be >= 0, got {weights}")
    if w.sum() == 0:
        raise ValueError("at least one weight must be positive")
    ranks = criteria[list(w.index)].rank(pct=True, method="average")
    ranks = (ranks - ranks.min()) / (ranks.max() - ranks.min()).replace(0, np.nan)
    ranks = ranks.fillna(0.5)  # a criterion equal for everyone counts as neutral
    return (ranks @ (w / w.sum())).rename("score")


def matrix(attractiveness: pd.Series, advantage: pd.Series, cutoff: float = KEY_ACCOUNT.cutoff,
           quadrants: tuple[str, ...] = KEY_ACCOUNT.quadrants) -> pd.Series:
    """Quadrant of each customer (ordered categorical, key first).

    Parameters
    ----------
    attractiveness, advantage : Series
        Scores in [0, 1] (from :func:`score`), same index.
    cutoff : float
        Scores at or above it are high (``KEY_ACCOUNT.cutoff``, 0.5).
    quadrants : tuple of str
        Names of (high, high), (high, low), (low, high), (low, low).

    Returns
    -------
    Series
        Ordered categorical quadrant per customer, key first.

    Examples
    --------
    >>> import pandas as pd
    >>> matrix(pd.Series([0.9, 0.9, 0.1, 0.1]), pd.Series([0.8, 0.2, 0.8, 0.2])).astype(str).tolist()
    ['key', 'key_development', 'maintenance', 'opportunistic']
    """
    check_series(attractiveness, "attractiveness")
    check_series(advantage, "advantage")
    cutoff = check_fraction(cutoff, "cutoff")
    adv = advantage.reindex(attractiveness.index)
    high_a = attractiveness.to_numpy() >= cutoff
    high_b = adv.to_numpy() >= cutoff
    codes = np.where(high_a, np.where(high_b, 0, 1), np.where(high_b, 2, 3))
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(quadrants), ordered=True),
                     index=attractiveness.index, name="quadrant")


def quadrant_strategies() -> pd.DataFrame:
    """The strategy of each quadrant (bilingual), digest §9.

    Returns
    -------
    DataFrame
        Indexed by quadrant (key first): ``quadrant_zh`` and ``strategy``.

    Examples
    --------
    >>> quadrant_strategies().loc["key_development", "quadrant_zh"]
    '关键发展客户'
    """
    rows = [
        ("key", "关键客户", "invest most resources, people and time; a dedicated key-account team"),
        ("key_development", "关键发展客户",
         "study their needs and attitudes and earn access: heavy investment, slow return"),
        ("maintenance", "维持客户", "withdraw resources and effort; keep the business efficiently"),
        ("opportunistic", "机会主义客户", "serve warmly, in a suitable way, by priority"),
    ]
    return pd.DataFrame(rows, columns=["quadrant", "quadrant_zh", "strategy"]).set_index("quadrant")


#: What makes a key account: any one of these (digest §9).
KEY_ACCOUNT_TESTS = {
    "large_orders": "large orders with 1–2+ year continuous contracts, or large potential",
    "strategic_project": "a strategically significant project",
    "influence": "important influence on our business or image",
    "innovation": "strong capacity to absorb technology and innovate",
    "market_development": "strong market development",
}


def is_key_account(criteria: pd.DataFrame) -> pd.DataFrame:
    """The "is this a key account" test: any of :data:`KEY_ACCOUNT_TESTS` met.

    ``criteria`` holds boolean columns named after the tests (missing columns count
    as not met). Returns ``key_account`` and ``reasons`` (the tests met, joined).

    Parameters
    ----------
    criteria : DataFrame
        One boolean column per test met, named from :data:`KEY_ACCOUNT_TESTS`
        (a subset is fine), one row per customer.

    Raises
    ------
    ValueError
        A column that is not a known test.

    Examples
    --------
    >>> import pandas as pd
    >>> is_key_account(pd.DataFrame({"large_orders": [True, False]}, index=["A", "B"]))["key_account"].tolist()
    [True, False]
    """
    if not isinstance(criteria, pd.DataFrame):
        raise TypeError(f"criteria must be a DataFrame of booleans, got {type(criteria).__name__}")
    unknown = [c for c in criteria.columns if c not in KEY_ACCOUNT_TESTS]
    if unknown:
        raise ValueError(f"unknown test(s) {unknown}; expected some of {list(KEY_ACCOUNT_TESTS)}")
    met = criteria.reindex(columns=list(KEY_ACCOUNT_TESTS), fill_value=False).fillna(False).astype(bool)
    names = np.array(list(KEY_ACCOUNT_TESTS))
    reasons = [", ".join(names[row]) for row in met.to_numpy()]
    return pd.DataFrame({"key_account": met.any(axis=1), "reasons": reasons}, index=criteria.index)


def decision_structure() -> pd.DataFrame:
    """The layers of a buying organisation (下楼式营销) mapped to contact roles.

    Returns
    -------
    DataFrame
        Indexed by layer (decision, influence, execution, coach): ``layer_zh``, the
        contact ``role`` of :data:`custlib.schema.CONTACT_ROLES`, and ``who``.

    Examples
    --------
    >>> decision_structure()["role"].tolist()
    ['decision_maker', 'influencer', 'user', 'coach']
    """
    rows = [
        ("decision layer", "决策层", "decision_maker", "decides and signs"),
        ("influence layer", "影响层", "influencer",
         "technical, finance, management and safety staff who shape the choice"),
        ("execution layer", "执行层", "user", "the estimators who use the software"),
        ("coach", "教练", "coach", "an inside friend who guides the sale"),
    ]
    return pd.DataFrame(rows, columns=["layer", "layer_zh", "role", "who"]).set_index("layer")


def role_coverage(contacts: pd.DataFrame, customer_ids=None) -> pd.DataFrame:
    """Contacts per role per customer, and whether the decision maker is known.

    The key-account process starts by knowing "the three kinds of people"; this
    shows where a decision maker, an influencer or a user is missing.

    Parameters
    ----------
    contacts : DataFrame
        Needs ``customer_id`` and ``role``.
    customer_ids : array-like, optional
        The customers to report (default: those with contacts); customers without
        contacts get zeros.

    Returns
    -------
    DataFrame
        Indexed by customer: contacts per role, ``has_decision_maker`` and
        ``three_kinds_known`` (decision maker, influencer and user all known).

    Examples
    --------
    >>> import pandas as pd
    >>> ct = pd.DataFrame({"customer_id": ["A", "A", "B"], "role": ["decision_maker", "user", "user"]})
    >>> role_coverage(ct, ["A", "B", "C"])["has_decision_maker"].tolist()
    [True, False, False]
    """
    check_frame(contacts, "contacts", ["customer_id", "role"], allow_empty=True)
    roles = decision_structure()["role"].tolist()
    table = pd.crosstab(contacts["customer_id"], contacts["role"].astype(str))
    table = table.reindex(columns=roles, fill_value=0)
    if customer_ids is not None:
        table = table.reindex(pd.Index(customer_ids), fill_value=0)
    table["has_decision_maker"] = table["decision_maker"] > 0
    table["three_kinds_known"] = (table[["decision_maker", "influencer", "user"]] > 0).all(axis=1)
    return table
