"""The customer lifecycle (客户生命周期), digest §5.

A customer's stage is read off its order history at a date ``as_of``:

* **tenure** — days since the first order;
* **recency** — days since the last order;
* **trend** — revenue in the last ``window_days`` against the ``window_days`` before:
  ``recent / previous − 1`` (``+inf`` when there was nothing before).

Rules (numbers from :data:`custlib.policy.LIFECYCLE`, each overridable), applied in
this order:

==================  =====================================  ===========================
condition           operator scheme                        textbook scheme
==================  =====================================  ===========================
never bought        acquisition (客户获取)                  exploration (考察期)
recency > exit      exit (客户离网)                         decline (衰退期)
tenure ≤ new        acquisition (客户获取)                  exploration (考察期)
trend < decline     decline (客户衰退)                      decline (衰退期)
trend > growth      growth (客户提升)                       development (发展期)
otherwise           maturity (客户成熟)                     stability (稳定期)
==================  =====================================  ===========================

Examples
--------
>>> import pandas as pd
>>> f = pd.DataFrame({"tenure": [100, 900, 900, 900, 900],
...                   "recency": [10, 400, 20, 20, 20],
...                   "trend": [float("inf"), -1.0, -0.5, 0.5, 0.0]},
...                  index=["new", "gone", "shrinking", "growing", "steady"])
>>> lifecycle_stage(f).tolist()
['acquisition', 'exit', 'decline', 'growth', 'maturity']
>>> lifecycle_stage(f, scheme="textbook").tolist()
['exploration', 'decline', 'decline', 'development', 'stability']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib._pandas import group_codes
from custlib._validate import check_choice, check_date, check_frame
from custlib.policy import LIFECYCLE

__all__ = ["SCHEMES", "lifecycle_features", "lifecycle_stage", "stage_tasks"]

#: Stage names of each scheme, in lifecycle order, with the Chinese names.
SCHEMES = {
    "operator": (("acquisition", "客户获取"), ("growth", "客户提升"), ("maturity", "客户成熟"),
                 ("decline", "客户衰退"), ("exit", "客户离网")),
    "textbook": (("exploration", "考察期"), ("development", "发展期"), ("stability", "稳定期"),
                 ("decline", "衰退期")),
}
# rule outcome -> stage index per scheme: never/new, growth, steady, decline, exit
_RULE_TO_STAGE = {"operator": [0, 1, 2, 3, 4], "textbook": [0, 1, 2, 3, 3]}


def lifecycle_features(orders: pd.DataFrame, as_of, customers=None,
                       window_days: int = LIFECYCLE.window_days) -> pd.DataFrame:
    """Tenure, recency and revenue trend of each customer at ``as_of`` (digest §5).

    Orders after ``as_of`` are ignored; ages are whole days before ``as_of``.

    * ``tenure`` = ``as_of`` − first order date (days);
    * ``recency`` = ``as_of`` − last order date (days);
    * ``revenue_recent`` = revenue of orders less than ``window_days`` old (CNY);
    * ``revenue_previous`` = revenue of orders ``window_days`` to ``2 · window_days``
      days old (CNY);
    * ``trend`` = ``revenue_recent / revenue_previous − 1`` (fraction); ``+inf`` when
      there was no previous revenue but some recent revenue, 0 when there was neither.

    Parameters
    ----------
    orders : DataFrame
        Needs ``customer_id``, ``order_date`` (datetime64) and ``amount`` (CNY,
        numeric); may be empty.
    as_of : date-like
        The date the features are measured at.
    customers : array-like, optional
        Customer ids to include even without orders (prospects): their tenure,
        recency and trend are NaN, their revenues 0, and :func:`lifecycle_stage` places
        them in acquisition / exploration.
    window_days : int, default ``LIFECYCLE.window_days`` = 365
        Length of each of the two revenue windows (days).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``tenure``, ``recency``, ``revenue_recent``,
        ``revenue_previous``, ``trend`` as defined above.

    Raises
    ------
    ValueError
        A missing column.
    TypeError
        ``order_date`` not datetime64 or ``amount`` not numeric.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": ["A", "A", "B", "C"],
    ...                   "order_date": pd.to_datetime(["2023-03-01", "2024-11-01", "2023-01-10",
    ...                                                 "2024-10-01"]),
    ...                   "amount": [1_000, 1_500, 300, 800]})
    >>> f = lifecycle_features(o, "2024-12-31", customers=["A", "B", "C", "D"])
    >>> f[["tenure", "recency", "trend"]].to_dict("list")
    {'tenure': [671.0, 721.0, 91.0, nan], 'recency': [60.0, 721.0, 91.0, nan], 'trend': [0.5, -1.0, inf, nan]}
    """
    check_frame(orders, "orders", ["customer_id", "order_date", "amount"], dates=["order_date"],
                numeric=["amount"], allow_empty=True)
    as_of = check_date(as_of, "as_of")
    o = orders[orders["order_date"] <= as_of]
    # one hash of the ids, then integer reductions: four groupbys hashed them four times
    codes, ids = group_codes(o["customer_id"])
    known = codes >= 0                       # groupby leaves a missing id out
    codes = codes[known]
    dates = o["order_date"].to_numpy()[known]
    amount = np.nan_to_num(o["amount"].to_numpy(dtype=float, na_value=np.nan)[known])
    age = (as_of - o["order_date"]).dt.days.to_numpy()[known]
    stamps = dates.view(np.int64)
    first = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first, codes, stamps)
    last = np.full(len(ids), np.iinfo(np.int64).min)
    np.maximum.at(last, codes, stamps)
    recent = np.where(age < window_days, amount, 0.0)
    previous = np.where((age >= window_days) & (age < 2 * window_days), amount, 0.0)
    out = pd.DataFrame({
        "tenure": (as_of - pd.Series(first.view(dates.dtype), index=ids)).dt.days,
        "recency": (as_of - pd.Series(last.view(dates.dtype), index=ids)).dt.days,
        "revenue_recent": np.bincount(codes, weights=recent, minlength=len(ids)).astype(float),
        "revenue_previous": np.bincount(codes, weights=previous, minlength=len(ids)).astype(float),
    }, index=ids)
    with np.errstate(divide="ignore", invalid="ignore"):
        trend = out["revenue_recent"] / out["revenue_previous"] - 1
    out["trend"] = trend.where(out["revenue_previous"] > 0,
                               np.where(out["revenue_recent"] > 0, np.inf, 0.0))
    if customers is not None:
        out = out.reindex(out.index.union(pd.Index(customers)))
        out[["revenue_recent", "revenue_previous"]] = out[["revenue_recent", "revenue_previous"]].fillna(0)
    out.index.name = "customer_id"
    return out


def lifecycle_stage(features: pd.DataFrame, scheme: str = "operator", *,
                    new_days: int = LIFECYCLE.new_days, exit_days: int = LIFECYCLE.exit_days,
                    growth: float = LIFECYCLE.growth, decline: float = LIFECYCLE.decline) -> pd.Series:
    """Lifecycle stage of every customer from its tenure, recency and trend (digest §5).

    The first rule that holds decides (operator stage / textbook stage):

    1. no orders (``tenure`` NaN) — acquisition (客户获取) / exploration (考察期);
    2. ``recency > exit_days`` — exit (客户离网) / decline (衰退期);
    3. ``tenure <= new_days`` — acquisition / exploration;
    4. ``trend < decline`` — decline (客户衰退) / decline (衰退期);
    5. ``trend > growth`` — growth (客户提升) / development (发展期);
    6. otherwise — maturity (客户成熟) / stability (稳定期).

    Parameters
    ----------
    features : DataFrame
        From :func:`lifecycle_features`: ``tenure``, ``recency`` (days) and ``trend``
        (fraction).
    scheme : {"operator", "textbook"}, default "operator"
        Which stage names to use (see :data:`SCHEMES`).
    new_days : int, default ``LIFECYCLE.new_days`` = 365
        Tenure (days) up to which a customer is new.
    exit_days : int, default ``LIFECYCLE.exit_days`` = 365
        Recency (days) beyond which a customer has left.
    growth : float, default ``LIFECYCLE.growth`` = 0.10
        Trend (fraction, > 0) above which a customer grows.
    decline : float, default ``LIFECYCLE.decline`` = -0.10
        Trend (fraction, < 0) below which a customer declines.

    Returns
    -------
    Series
        Ordered categorical named ``stage``, categories in lifecycle order of the
        scheme, same index as ``features``.

    Raises
    ------
    ValueError
        An unknown scheme, a missing column, or not ``decline < 0 < growth``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"tenure": [100, 900, 900, 900], "recency": [10, 400, 30, 30],
    ...                   "trend": [float("inf"), -1.0, 0.15, 0.05]})
    >>> lifecycle_stage(f).tolist()
    ['acquisition', 'exit', 'growth', 'maturity']
    >>> lifecycle_stage(f, "textbook", growth=0.2).tolist()
    ['exploration', 'decline', 'stability', 'stability']
    """
    check_choice(scheme, "scheme", SCHEMES)
    check_frame(features, "features", ["tenure", "recency", "trend"], allow_empty=True)
    if decline >= 0 or growth <= 0:
        raise ValueError(f"need decline < 0 < growth, got decline={decline}, growth={growth}")
    tenure = features["tenure"].to_numpy(dtype=float)
    recency = features["recency"].to_numpy(dtype=float)
    trend = features["trend"].to_numpy(dtype=float)
    rule = np.select(
        [np.isnan(tenure), recency > exit_days, tenure <= new_days, trend < decline, trend > growth],
        [0, 4, 0, 3, 1], default=2)
    codes = np.asarray(_RULE_TO_STAGE[scheme])[rule]
    names = [s for s, _ in SCHEMES[scheme]]
    return pd.Series(pd.Categorical.from_codes(codes, categories=names, ordered=True),
                     index=features.index, name="stage")


def stage_tasks(scheme: str = "operator") -> pd.DataFrame:
    """The management task of each lifecycle stage, with the Chinese stage names (digest §5).

    Parameters
    ----------
    scheme : {"operator", "textbook"}, default "operator"
        The operator (telecom) stages A–E or the textbook's four stages.

    Returns
    -------
    DataFrame
        Indexed by ``stage`` in lifecycle order: ``stage_zh`` (Chinese name) and
        ``task`` (what to do in that stage).

    Raises
    ------
    ValueError
        An unknown scheme.

    Examples
    --------
    >>> t = stage_tasks("textbook")
    >>> t.index.tolist(), t.loc["decline", "stage_zh"]
    (['exploration', 'development', 'stability', 'decline'], '衰退期')
    """
    tasks = {
        "operator": [
            "win the customer: attract, qualify and close the first deal",
            "grow the customer: up-sell and cross-sell, raise value",
            "keep the customer: high satisfaction, a long mature stage",
            "warn early: find at-risk customers and extend their life",
            "win back, or settle the relationship cleanly"],
        "textbook": [
            "attract the customer and build the relationship",
            "retain, raise the customer's value and the retention rate",
            "keep satisfaction high so the stable period lasts",
            "detect decline, decide whether the relationship is worth keeping, "
            "recover or end it"],
    }
    check_choice(scheme, "scheme", SCHEMES)
    return pd.DataFrame({"stage_zh": [zh for _, zh in SCHEMES[scheme]], "task": tasks[scheme]},
                        index=pd.Index([s for s, _ in SCHEMES[scheme]], name="stage"))
