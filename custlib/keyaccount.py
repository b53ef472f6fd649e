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

from custlib._pandas import group_codes, isin, positions
from custlib._validate import check_date, check_frame, check_probability, check_series
from custlib.policy import DAYS_PER_YEAR, KEY_ACCOUNT

__all__ = ["criteria_frame", "score", "matrix", "quadrant_strategies", "is_key_account",
           "KEY_ACCOUNT_TESTS", "decision_structure", "role_coverage"]


def criteria_frame(customers: pd.DataFrame, orders: pd.DataFrame, activities: pd.DataFrame | None,
                   as_of) -> pd.DataFrame:
    """The default criteria of the key-account matrix, one row per buying customer (digest §9).

    Computed over the 12 months ending on ``as_of`` (``as_of − 1 year < date <= as_of``):

    * ``revenue`` — revenue in the window (CNY);
    * ``headroom`` — ``max(estimators − seats_owned, 0)`` (seats it could still buy);
    * ``important`` — 1 for an important user (重要用户), else 0;
    * ``our_seat_share`` — ``seats_owned / (seats_owned + competitor_seats)``
      (fraction; 0 when both are 0);
    * ``tenure`` — ``(as_of − first_purchase_date) / 365.25`` (years);
    * ``visits`` — visits and meetings in the window (count; only with ``activities``).

    These are the names weighted by ``KEY_ACCOUNT.attractiveness`` and
    ``KEY_ACCOUNT.advantage``.

    Parameters
    ----------
    customers : DataFrame
        Needs ``customer_id``, ``estimators``, ``seats_owned``, ``competitor_seats``,
        ``importance`` and ``first_purchase_date`` (datetime64).
    orders : DataFrame
        Needs ``customer_id``, ``order_date`` (datetime64) and ``amount`` (CNY).
    activities : DataFrame or None
        Needs ``customer_id``, ``activity_date`` (datetime64) and ``activity_type``;
        ``None`` leaves out the ``visits`` column.
    as_of : date-like
        End of the 12-month window.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``, only customers with an order in the window: the
        criteria above, as floats.

    Raises
    ------
    ValueError
        A missing column, or ``customers`` / ``orders`` empty.
    TypeError
        ``order_date`` not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": ["A", "B", "C"], "estimators": [30, 5, 12],
    ...                   "seats_owned": [10, 5, 2], "competitor_seats": [10, 0, 0],
    ...                   "importance": ["important", "general", "general"],
    ...                   "first_purchase_date": pd.to_datetime(["2021-12-31", "2024-12-31",
    ...                                                          "2020-01-01"])})
    >>> o = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...                   "order_date": pd.to_datetime(["2025-06-01", "2025-03-01", "2023-01-01"]),
    ...                   "amount": [20_000, 3_000, 9_000]})
    >>> criteria_frame(c, o, None, "2025-12-31").round(2).to_dict("index")
    {'A': {'revenue': 20000.0, 'headroom': 20.0, 'important': 1.0, 'our_seat_share': 0.5, 'tenure': 4.0}, 'B': {'revenue': 3000.0, 'headroom': 0.0, 'important': 0.0, 'our_seat_share': 1.0, 'tenure': 1.0}}
    """
    check_frame(customers, "customers", ["customer_id", "estimators", "seats_owned",
                                         "competitor_seats", "importance", "first_purchase_date"])
    check_frame(orders, "orders", ["customer_id", "order_date", "amount"], dates=["order_date"])
    as_of = check_date(as_of, "as_of")
    start = as_of - pd.DateOffset(years=1)
    window = (orders["order_date"] > start) & (orders["order_date"] <= as_of)
    revenue = orders[window].groupby("customer_id")["amount"].sum()
    c = customers.set_index("customer_id").loc[lambda d: isin(d.index, revenue.index)]
    seats = c["seats_owned"] + c["competitor_seats"]
    out = pd.DataFrame({
        "revenue": revenue.reindex(c.index).astype(float),
        "headroom": (c["estimators"] - c["seats_owned"]).clip(lower=0).astype(float),
        "important": (c["importance"] == "important").astype(float),
        "our_seat_share": (c["seats_owned"] / seats.where(seats > 0)).fillna(0.0),
        "tenure": ((as_of - c["first_purchase_date"]).dt.days / DAYS_PER_YEAR).astype(float),
    })
    if activities is not None:
        a = activities[(activities["activity_date"] > start) & (activities["activity_date"] <= as_of)
                       & activities["activity_type"].isin(["visit", "meeting"])]
        out["visits"] = a.groupby("customer_id").size().reindex(out.index, fill_value=0).astype(float)
    return out


def score(criteria: pd.DataFrame, weights: dict[str, float] | tuple) -> pd.Series:
    """Weighted 0–1 score of each customer from criteria scaled by percentile rank (digest §9).

    ``score = Σ_k w_k · s_k / Σ_k w_k`` where ``s_k`` is the percentile rank of
    criterion k among the customers scored (ties averaged), rescaled so the lowest
    customer has 0 and the highest 1; a criterion equal for everyone gives 0.5. Used for
    customer attractiveness (客户吸引力) and relative advantage (相对优势).

    Parameters
    ----------
    criteria : DataFrame
        One row per customer, one numeric column per criterion (higher is better),
        e.g. from :func:`criteria_frame`.
    weights : dict or sequence of (name, weight)
        Weight per criterion (>= 0, not all 0), e.g. ``KEY_ACCOUNT.attractiveness``
        or ``KEY_ACCOUNT.advantage``. Only the criteria named are used.

    Returns
    -------
    Series
        Named ``score``, in [0, 1], same index as ``criteria``.

    Raises
    ------
    ValueError
        A criterion missing from ``criteria``, ``criteria`` empty, a negative weight,
        or weights summing to 0.
    TypeError
        A non-numeric criterion column.

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
    """Quadrant of the key-account selection matrix for each customer (digest §9).

    Attractiveness ``a`` and advantage ``b`` are high when ``>= cutoff``:

    * a high, b high — key account (关键客户);
    * a high, b low — key development account (关键发展客户);
    * a low, b high — maintenance account (维持客户);
    * a low, b low — opportunistic account (机会主义客户).

    Parameters
    ----------
    attractiveness : Series
        Customer-attractiveness score per customer, 0–1 (from :func:`score`).
    advantage : Series
        Relative-advantage score, 0–1, aligned on ``attractiveness``'s index; a
        customer missing from it counts as low advantage.
    cutoff : float, default ``KEY_ACCOUNT.cutoff`` = 0.5
        Threshold between low and high on both axes (0–1).
    quadrants : tuple of str, default ``KEY_ACCOUNT.quadrants``
        Names of (high, high), (high, low), (low, high), (low, low).

    Returns
    -------
    Series
        Ordered categorical named ``quadrant`` (key first), same index as
        ``attractiveness``.

    Raises
    ------
    ValueError
        An empty, negative or missing score, or ``cutoff`` outside 0–1.
    TypeError
        A non-numeric score Series.

    Examples
    --------
    >>> import pandas as pd
    >>> matrix(pd.Series([0.9, 0.9, 0.1, 0.1]), pd.Series([0.8, 0.2, 0.8, 0.2])).astype(str).tolist()
    ['key', 'key_development', 'maintenance', 'opportunistic']
    """
    check_series(attractiveness, "attractiveness")
    check_series(advantage, "advantage")
    cutoff = check_probability(cutoff, "cutoff")
    adv = advantage.reindex(attractiveness.index)
    high_a = attractiveness.to_numpy() >= cutoff
    high_b = adv.to_numpy() >= cutoff
    codes = np.where(high_a, np.where(high_b, 0, 1), np.where(high_b, 2, 3))
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(quadrants), ordered=True),
                     index=attractiveness.index, name="quadrant")


def quadrant_strategies() -> pd.DataFrame:
    """The strategy of each quadrant of the key-account matrix, bilingual (digest §9).

    Parameters
    ----------
    None

    Returns
    -------
    DataFrame
        Four rows indexed by ``quadrant`` (key, key_development, maintenance,
        opportunistic): ``quadrant_zh`` (Chinese name) and ``strategy`` (how to invest
        in that quadrant).

    Examples
    --------
    >>> t = quadrant_strategies()
    >>> t.index.tolist()
    ['key', 'key_development', 'maintenance', 'opportunistic']
    >>> t.loc["key_development", "quadrant_zh"]
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
    """The "is this a key account" test: any one of :data:`KEY_ACCOUNT_TESTS` met (digest §9).

    A customer is a key account when at least one test holds: large orders or
    contracts, a strategic project, influence on our business, innovation capacity,
    strong market development.

    Parameters
    ----------
    criteria : DataFrame
        One row per customer, one boolean column per test, named after the keys of
        :data:`KEY_ACCOUNT_TESTS` (a subset is fine; absent tests and missing values
        count as not met).

    Returns
    -------
    DataFrame
        Same index: ``key_account`` (bool) and ``reasons`` (the tests met, joined by
        ", "; empty text when none).

    Raises
    ------
    TypeError
        ``criteria`` is not a DataFrame.
    ValueError
        A column that is not a known test.

    Examples
    --------
    >>> import pandas as pd
    >>> crit = pd.DataFrame({"large_orders": [True, False, False],
    ...                      "influence": [True, False, True]}, index=["A", "B", "C"])
    >>> is_key_account(crit).to_dict("list")
    {'key_account': [True, False, True], 'reasons': ['large_orders, influence', '', 'influence']}
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
    """Layers of a buying organisation (下楼式营销) mapped to contact roles (digest §9).

    Parameters
    ----------
    None

    Returns
    -------
    DataFrame
        Indexed by ``layer`` (decision layer, influence layer, execution layer,
        coach): ``layer_zh`` (Chinese name), ``role`` (the contact role of
        :data:`custlib.schema.CONTACT_ROLES`) and ``who`` (who sits in the layer).

    Examples
    --------
    >>> t = decision_structure()
    >>> t["role"].tolist()
    ['decision_maker', 'influencer', 'user', 'coach']
    >>> t.loc["coach", "layer_zh"]
    '教练'
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
    """Contacts per role for each customer, and whether "the three kinds of people" are known.

    The key-account process (digest §9, §10) starts from the decision structure: this
    table shows where the decision maker, an influencer or a user is still missing.

    Parameters
    ----------
    contacts : DataFrame
        Needs ``customer_id`` and ``role`` (one of
        :data:`custlib.schema.CONTACT_ROLES`); may be empty.
    customer_ids : array-like, optional
        Customers to report, in this order (default: those with contacts, sorted,
        whatever the contacts' roles); customers without contacts get zeros.

    Returns
    -------
    DataFrame
        Indexed by customer: ``decision_maker``, ``influencer``, ``user``, ``coach``
        (contacts per role, int), ``has_decision_maker`` (bool) and
        ``three_kinds_known`` (bool: decision maker, influencer and user all known).

    Raises
    ------
    ValueError
        A missing column.

    Examples
    --------
    >>> import pandas as pd
    >>> ct = pd.DataFrame({"customer_id": ["A", "A", "B"], "role": ["decision_maker", "user", "user"]})
    >>> t = role_coverage(ct, ["A", "B", "C"])
    >>> t[["decision_maker", "user", "has_decision_maker"]].to_dict("list")
    {'decision_maker': [1, 0, 0], 'user': [1, 1, 0], 'has_decision_maker': [True, False, False]}
    """
    check_frame(contacts, "contacts", ["customer_id", "role"], allow_empty=True)
    roles = decision_structure()["role"].tolist()
    # contacts counted per (customer, role) on integer codes: a crosstab of millions of
    # contacts hashes each id and role again; a customer with contacts of other roles
    # only (or none named) still has its row of zeros, as in a crosstab
    ids, role = contacts["customer_id"], contacts["role"]
    if customer_ids is not None:          # only the customers asked for are counted
        asked = isin(ids, pd.Index(customer_ids))
        ids, role = ids[asked], role[asked]
    codes, ids = group_codes(ids)
    kind = positions(role.astype(str), pd.Index(roles, dtype="str")) if len(role) else codes
    keep = (codes >= 0) & role.notna().to_numpy()
    counts = np.bincount(codes[keep] * len(roles) + kind[keep].clip(min=0),
                         weights=(kind[keep] >= 0).astype(np.int64), minlength=len(ids) * len(roles))
    table = pd.DataFrame(counts.astype(np.int64).reshape(len(ids), len(roles)), index=ids,
                         columns=pd.Index(roles, name="role"))
    if customer_ids is not None:
        table = table.reindex(pd.Index(customer_ids), fill_value=0)
    table["has_decision_maker"] = table["decision_maker"] > 0
    table["three_kinds_known"] = (table[["decision_maker", "influencer", "user"]] > 0).all(axis=1)
    return table
