"""Prospect grading A/B/C/D (客户分级) and contact cadence (维护原则), digest §10.

Two versions of the grades are taught:

* **version 1, time to close** (enterprise-software sale): A closes within 3 months,
  B in 4–6, C in 7–12, D later or never — :func:`grade_by_time_to_close`, with the
  characteristics table of each grade in :func:`grade_characteristics`;
* **version 2, the cost-estimation workbook** (造价软件客户分析表): A = close
  probability ≥ 75 % and closing within one month, B = ≥ 50 % within three months,
  C = still engaged, D = the rest, plus the "or" clauses (wide influence or a system
  customer → A; a loyal referrer with no need for six months → B) —
  :func:`grade_by_probability`.

Beside the grades: user importance (重要用户 / 一般用户, :func:`user_importance`),
market space (市场空间分类, :func:`market_space`), the contact cadence of each grade
(:func:`contact_cadence`) and the visits and calls each rep owes under it
(:func:`rep_workload`).

Grades are returned as an **ordered** categorical with categories ``A < B < C < D``
in code order: a *better* grade has a *smaller* code (``grade.cat.codes``).

Months are **calendar months** (``pd.DateOffset(months=k)``): "within 3 months of
2025-12-31" means on or before 2026-03-31; an expected close date already past
``as_of`` counts as due now. Per-month rates convert per-week rates with
:data:`WEEKS_PER_MONTH` = 365.25 / 12 / 7 ≈ 4.35 weeks.

All policy numbers come from :data:`custlib.policy.GRADING` as keyword defaults;
override one number for one call by passing it by name.

Examples
--------
>>> import pandas as pd
>>> close = pd.to_datetime(pd.Series(["2026-01-20", "2026-05-15", "2026-08-01", None]))
>>> grade_by_time_to_close(close, "2025-12-31").tolist()
['A', 'B', 'C', 'D']
>>> p = pd.Series([0.8, 0.8, 0.8, 0.8])
>>> close = pd.to_datetime(pd.Series(["2026-01-20", "2026-03-15", "2026-08-01", None]))
>>> grade_by_probability(p, close, "2025-12-31").tolist()
['A', 'B', 'C', 'C']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib._validate import (check_aligned, check_choice, check_date, check_date_series,
                               check_flag, check_frame, check_probability, check_scalar,
                               check_series)
from custlib import labels
from custlib.policy import DAYS_PER_YEAR, GRADING
from custlib.schema import IMPORTANCE

__all__ = ["GRADES", "WEEKS_PER_MONTH", "grade_by_time_to_close", "grade_characteristics",
           "grade_by_probability", "user_importance", "important_revenue_for", "market_space",
           "contact_cadence", "rep_workload"]

#: The grades, best first.
GRADES = ("A", "B", "C", "D")
#: Average weeks in a calendar month (365.25 days / 12 / 7 ≈ 4.348), to turn a
#: weekly cadence into a monthly one.
WEEKS_PER_MONTH = DAYS_PER_YEAR / 12 / 7
_IMPORTANCE_ZH = labels.IMPORTANCE


# --- boundary helpers -------------------------------------------------------------------

def _grade_series(codes: np.ndarray, index: pd.Index, name: str = "grade") -> pd.Series:
    cat = pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=list(GRADES),
                                    ordered=True)
    return pd.Series(cat, index=index, name=name)


def _flag(flag, name: str, reference: pd.Series, reference_name: str) -> np.ndarray | None:
    """An optional boolean Series on the index of ``reference``; missing values count as False."""
    if flag is None:
        return None
    check_aligned(check_flag(flag, name), reference, name, reference_name)
    return flag.fillna(False).to_numpy(dtype=bool)


def _increasing(values, name: str, n: int) -> tuple:
    values = tuple(values)
    if len(values) != n:
        raise ValueError(f"{name} needs {n} values, got {len(values)}: {values}")
    if any(b < a for a, b in zip(values, values[1:])):
        raise ValueError(f"{name} must be increasing, got {values}")
    return values


def _rates(values, name: str) -> np.ndarray:
    r = np.asarray(values, dtype=float)
    if r.shape != (len(GRADES),):
        raise ValueError(f"{name} needs one rate per grade {GRADES}, got {tuple(values)}")
    if (r < 0).any() or not np.isfinite(r).all():
        raise ValueError(f"{name} must be finite and >= 0, got {tuple(values)}")
    return r


# --- version 1: time to close -----------------------------------------------------------

def grade_by_time_to_close(expected_close: pd.Series, as_of, *,
                           close_months: tuple[int, ...] = GRADING.close_months) -> pd.Series:
    """Version-1 prospect grade A/B/C/D from the expected close date (digest §10).

    With ``close_months = (a, b, c)`` calendar months counted from ``as_of``:

    * **A** — ``expected_close <= as_of + a months`` (dates already past count as
      due now);
    * **B** — ``<= as_of + b months`` (the source's "4–6 months");
    * **C** — ``<= as_of + c months`` ("7–12 months");
    * **D** — later, or no expected date (NaT: "objective need only").

    Parameters
    ----------
    expected_close : Series of datetime64
        Expected close date per prospect (NaT allowed).
    as_of : date-like
        The date grades are taken at (e.g. the snapshot, ``"2025-12-31"``).
    close_months : tuple of 3 int, default ``GRADING.close_months`` = (3, 6, 12)
        Month horizons of A, B and C (increasing).

    Returns
    -------
    Series
        Ordered categorical ``A < B < C < D`` named ``grade``, same index as
        ``expected_close``.

    Raises
    ------
    TypeError
        ``expected_close`` is not a datetime64 Series.
    ValueError
        ``as_of`` is not a date, or ``close_months`` is not 3 increasing values.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.to_datetime(pd.Series(["2026-03-31", "2026-04-01", "2026-12-31", None]))
    >>> grade_by_time_to_close(d, "2025-12-31").tolist()
    ['A', 'B', 'C', 'D']
    >>> grade_by_time_to_close(d, "2025-12-31", close_months=(1, 2, 3)).tolist()
    ['C', 'D', 'D', 'D']
    """
    close = check_date_series(expected_close, "expected_close")
    as_of = check_date(as_of, "as_of")
    months = _increasing(close_months, "close_months", len(GRADES) - 1)
    codes = np.zeros(len(close), dtype=np.int64)
    for m in months:  # one pass per grade boundary
        codes += (close > as_of + pd.DateOffset(months=int(m))).to_numpy(dtype=bool)
    codes[close.isna().to_numpy()] = len(GRADES) - 1
    return _grade_series(codes, close.index)


def grade_characteristics(close_months: tuple[int, ...] = GRADING.close_months) -> pd.DataFrame:
    """The characteristics table of the version-1 grades A–D (digest §10).

    Rows are the characteristics the source lists per grade: when the deal closes
    (built from ``close_months``), objective need, subjective need, strength of resolve,
    feasibility study started, vendor selection started (Y / N; "Y/N" = either), and
    the situation of a not-yet-computerised and of an already-computerised
    organisation. The Chinese labels are the course's translation.

    Parameters
    ----------
    close_months : tuple of 3 int, default ``GRADING.close_months`` = (3, 6, 12)
        Months within which A, B and C deals close (increasing).

    Returns
    -------
    DataFrame
        Indexed by ``characteristic`` (``closes_within``, ``objective_need``,
        ``subjective_need``, ``resolve``, ``feasibility_study``, ``vendor_selection``,
        ``not_computerised``, ``computerised``); columns ``label`` (English),
        ``label_zh`` (Chinese), then ``A``, ``B``, ``C``, ``D`` (text).

    Raises
    ------
    ValueError
        ``close_months`` is not 3 increasing values.

    Examples
    --------
    >>> t = grade_characteristics()
    >>> t.loc["subjective_need", ["A", "B", "C", "D"]].tolist()
    ['Y', 'Y', 'Y', 'N']
    >>> t.loc["closes_within", "B"], t.loc["vendor_selection", "label_zh"]
    ('4–6 months', '已开始选型')
    """
    a, b, c = _increasing(close_months, "close_months", len(GRADES) - 1)
    rows = {
        "closes_within": ("closes within", "预计成交时间",
                          (f"≤ {a} months", f"{a + 1}–{b} months", f"{b + 1}–{c} months",
                           "later / none")),
        "objective_need": ("objective need", "客观需求", ("Y", "Y", "Y", "Y")),
        "subjective_need": ("subjective need", "主观需求", ("Y", "Y", "Y", "N")),
        "resolve": ("strength of resolve", "决心强度",
                    ("high", "high/medium", "medium/low", "low/none")),
        "feasibility_study": ("feasibility study started", "已开始可行性研究",
                              ("Y", "Y/N", "Y/N", "N")),
        "vendor_selection": ("vendor selection started", "已开始选型", ("Y", "N", "N", "N")),
        "not_computerised": (
            "situation if not yet computerised", "尚未信息化",
            ("has started vendor selection",
             "affirms the need but waits for some event before selecting",
             "industry and size call for it, need affirmed, but no urgency or confidence",
             "objective need only")),
        "computerised": (
            "situation if already computerised", "已经信息化",
            ("has started selection to replace or extend the system",
             "very dissatisfied and the vendor cannot fix it, or in-house system whose "
             "author left",
             "dissatisfied but still hopes in its vendor",
             "—")),
    }
    table = pd.DataFrame.from_dict(
        {k: (en, zh, *vals) for k, (en, zh, vals) in rows.items()}, orient="index",
        columns=["label", "label_zh", *GRADES])
    table.index.name = "characteristic"
    return table


# --- version 2: probability and date ---------------------------------------------------

def grade_by_probability(probability: pd.Series, expected_close: pd.Series, as_of, *,
                         wide_influence: pd.Series | None = None,
                         system_customer: pd.Series | None = None,
                         loyal_referrer: pd.Series | None = None,
                         min_probability: tuple[float, ...] = GRADING.probability,
                         within_months: tuple[int, ...] = GRADING.within_months,
                         c_min_probability: float = GRADING.c_min_probability) -> pd.Series:
    """Version-2 grade A/B/C/D (the cost-estimation workbook) from probability and close date.

    Digest §10, version 2. With ``min_probability = (pA, pB)``,
    ``within_months = (mA, mB)`` and calendar months counted from ``as_of``:

    * **A** — ``probability >= pA`` and ``expected_close <= as_of + mA months``;
      **or** ``wide_influence`` (many large projects, gets others to adopt us)
      **or** ``system_customer`` (drives its subsidiaries or buys centrally);
    * **B** — ``probability >= pB`` and ``expected_close <= as_of + mB months``;
      **or** ``loyal_referrer`` (loyal, no need for six months, refers customers);
    * **C** — still engaged: ``probability >= c_min_probability``, any date
      **(reading)**;
    * **D** — the rest (the source lists D without criteria).

    A close date already past counts as due now; no date (NaT) never meets a date
    condition. The grade can only improve with a higher probability or a sooner date.

    Parameters
    ----------
    probability : Series of float
        Close probability per opportunity (fraction 0–1).
    expected_close : Series of datetime64
        Expected close date, same index as ``probability`` (NaT allowed).
    as_of : date-like
        The grading date.
    wide_influence, system_customer, loyal_referrer : Series of bool, optional
        The "or" clauses, same index as ``probability``; missing values count as False.
    min_probability : tuple of 2 float, default ``GRADING.probability`` = (0.75, 0.50)
        Minimum probability of A and of B.
    within_months : tuple of 2 int, default ``GRADING.within_months`` = (1, 3)
        Months within which A and B close (increasing).
    c_min_probability : float, default ``GRADING.c_min_probability`` = 0.20
        Minimum probability of C.

    Returns
    -------
    Series
        Ordered categorical ``A < B < C < D`` named ``grade``, same index as
        ``probability``.

    Raises
    ------
    TypeError
        ``probability`` not numeric, ``expected_close`` not datetime64, or a flag not
        a boolean Series.
    ValueError
        Probabilities outside 0–1 or missing; inputs on different indexes; ``as_of``
        not a date; thresholds not ordered ``0 <= c_min <= pB <= pA <= 1``, or months
        not increasing.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.Series([0.9, 0.6, 0.6, 0.1])
    >>> d = pd.to_datetime(pd.Series(["2026-01-15", "2026-01-15", "2026-06-30", "2026-01-15"]))
    >>> grade_by_probability(p, d, "2025-12-31").tolist()
    ['A', 'B', 'C', 'D']
    >>> ref = pd.Series([False, False, True, True])
    >>> grade_by_probability(p, d, "2025-12-31", loyal_referrer=ref).tolist()
    ['A', 'B', 'B', 'B']
    """
    p = check_probability(probability, "probability")
    close = check_aligned(check_date_series(expected_close, "expected_close"), p,
                          "expected_close", "probability")
    as_of = check_date(as_of, "as_of")
    if len(tuple(min_probability)) != 2:
        raise ValueError(f"min_probability needs 2 values (A, B), got {tuple(min_probability)}")
    a_min, b_min = min_probability
    a_months, b_months = _increasing(within_months, "within_months", 2)
    if not 0 <= c_min_probability <= b_min <= a_min <= 1:
        raise ValueError("need 0 <= c_min_probability <= B's <= A's min_probability <= 1, got "
                         f"{c_min_probability} and {tuple(min_probability)}")
    flags = {name: _flag(f, name, p, "probability") for name, f in
             (("wide_influence", wide_influence), ("system_customer", system_customer),
              ("loyal_referrer", loyal_referrer))}
    pv = p.to_numpy(dtype=float)
    within_a = (close <= as_of + pd.DateOffset(months=int(a_months))).to_numpy(dtype=bool)
    within_b = (close <= as_of + pd.DateOffset(months=int(b_months))).to_numpy(dtype=bool)
    codes = np.select([(pv >= a_min) & within_a, (pv >= b_min) & within_b,
                       pv >= c_min_probability], [0, 1, 2], default=3)
    for name, best in (("wide_influence", 0), ("system_customer", 0), ("loyal_referrer", 1)):
        if flags[name] is not None:
            codes = np.where(flags[name], np.minimum(codes, best), codes)
    return _grade_series(codes, p.index)


# --- user importance and market space ---------------------------------------------------

def user_importance(customers: pd.DataFrame, revenue: pd.Series | None = None, *,
                    wide_influence: pd.Series | None = None,
                    system_customer: pd.Series | None = None,
                    loyal_advocate: pd.Series | None = None,
                    important_estimators: int | None = GRADING.important_estimators,
                    important_headroom: int | None = GRADING.important_headroom,
                    important_revenue: float | None = GRADING.important_revenue) -> pd.DataFrame:
    """Important or general user (重要用户 / 一般用户) by the criteria of digest §10.

    A customer is **important** when any of these holds:

    * ``large`` — ``estimators >= important_estimators`` (size and industry profile);
    * ``add_on`` — ``estimators − seats_owned >= important_headroom`` (add-on
      potential, seats);
    * ``able_to_pay`` — ``revenue >= important_revenue`` (a year; the key-customer
      threshold of the §7 pyramid); only when ``revenue`` is given;
    * ``flagged`` — any optional flag: ``wide_influence`` (high industry profile and
      influence), ``system_customer`` (systemic top-down reach), ``loyal_advocate``
      (loyal individual advocates, very loyal government users).

    Everyone else is **general** (add-on potential unclear or small, one-time buyers).

    Parameters
    ----------
    customers : DataFrame
        Needs ``customer_id`` (unique), ``estimators`` (people) and ``seats_owned``
        (seats), numeric and >= 0.
    revenue : Series, optional
        Yearly revenue per customer (CNY), indexed by ``customer_id``; customers not in
        it count as 0.
    wide_influence, system_customer, loyal_advocate : Series of bool, optional
        Indexed by ``customer_id``; customers not in them count as False.
    important_estimators : int or None, default ``GRADING.important_estimators`` = 40
        People; None switches the ``large`` criterion off.
    important_headroom : int or None, default ``GRADING.important_headroom`` = 20
        Seats; None switches ``add_on`` off.
    important_revenue : float or None, default ``GRADING.important_revenue`` = 19000
        Revenue per year (the bundled data's CNY figure); for other data pass
        :func:`important_revenue_for` of the loaded data. None switches
        ``able_to_pay`` off.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: the booleans ``large``, ``add_on``,
        ``able_to_pay`` and ``flagged``; ``importance`` (categorical ``important`` /
        ``general``) and ``importance_zh`` (重要用户 / 一般用户).

    Raises
    ------
    ValueError
        A missing column, duplicate ``customer_id`` values, or negative or missing
        counts or revenue.
    TypeError
        Non-numeric counts or revenue, or a flag that is not a boolean Series.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"],
    ...                   "estimators": [60, 30, 8, 3], "seats_owned": [50, 5, 8, 1]})
    >>> u = user_importance(c, pd.Series({"C3": 25_000}))
    >>> u[["large", "add_on", "able_to_pay"]].to_dict("list")
    {'large': [True, False, False, False], 'add_on': [False, True, False, False], 'able_to_pay': [False, False, True, False]}
    >>> u["importance"].tolist()
    ['important', 'important', 'important', 'general']
    """
    check_frame(customers, "customers", ["customer_id", "estimators", "seats_owned"],
                allow_empty=True, numeric=["estimators", "seats_owned"])
    ids = pd.Index(customers["customer_id"], name="customer_id")
    if ids.has_duplicates:
        raise ValueError(f"customers has duplicate customer_id values, e.g. "
                         f"{list(ids[ids.duplicated()][:3])}")
    est = check_series(customers["estimators"], "customers['estimators']", allow_empty=True)
    seats = check_series(customers["seats_owned"], "customers['seats_owned']", allow_empty=True)
    est, seats = est.to_numpy(dtype=float), seats.to_numpy(dtype=float)
    n = len(ids)
    off = np.zeros(n, dtype=bool)
    large = est >= important_estimators if important_estimators is not None else off
    add_on = (est - seats) >= important_headroom if important_headroom is not None else off
    able = off
    if revenue is not None:
        revenue = check_series(revenue, "revenue", allow_empty=True)
        if important_revenue is not None:
            able = revenue.reindex(ids).fillna(0).to_numpy(dtype=float) >= important_revenue
    flagged = off.copy()
    for name, flag in (("wide_influence", wide_influence), ("system_customer", system_customer),
                       ("loyal_advocate", loyal_advocate)):
        if flag is None:
            continue
        check_flag(flag, name)
        flagged |= flag.astype("boolean").reindex(ids).fillna(False).to_numpy(dtype=bool)
    important = large | add_on | able | flagged
    codes = np.where(important, 0, 1)
    out = pd.DataFrame({"large": large, "add_on": add_on, "able_to_pay": able,
                        "flagged": flagged}, index=ids)
    out["importance"] = pd.Categorical.from_codes(codes, categories=list(IMPORTANCE))
    out["importance_zh"] = np.array([_IMPORTANCE_ZH[k] for k in IMPORTANCE])[codes]
    return out


def important_revenue_for(crm, as_of=None) -> float:
    """The ``important_revenue`` of :func:`user_importance` for the loaded data.

    The "ability to pay" criterion is the key-customer cut-off of the §7 pyramid, a
    money amount that depends on the business's scale, so it follows the data:

    1. the user's number, when the mapping sets ``[policy.grading]
       important_revenue`` (``crm.policy["grading"]["important_revenue"]``);
    2. for the bundled synthetic data with the case's pyramid, ``GRADING.important_revenue``
       (¥19,000);
    3. otherwise the key cut-off ``thresholds_for(crm)[1]`` — the user's pyramid
       cut-offs if set, else the revenue at the 5 % rank of the first full year
       (:func:`custlib.pyramid.pyramid_cutoffs`).

    Parameters
    ----------
    crm : CRMData
        The loaded data.
    as_of : date-like, optional
        The analysis date (default :func:`custlib.period.as_of` of ``crm``).

    Returns
    -------
    float
        Revenue per year, in the data's currency.

    Raises
    ------
    ValueError
        A user's number that is not a number >= 0, or cut-offs that cannot be read.

    Examples
    --------
    >>> import types
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": [f"C{i}" for i in range(100)],
    ...                   "order_date": pd.to_datetime(["2025-03-01"] * 100),
    ...                   "amount": [10.0 * (i + 1) for i in range(100)]})
    >>> usd = types.SimpleNamespace(orders=o, currency="USD", synthetic=False, policy={}, as_of=None)
    >>> important_revenue_for(usd)          # 5 of the 100 customers are above it
    950.0
    >>> usd.policy = {"grading": {"important_revenue": 1_200}}
    >>> important_revenue_for(usd)
    1200.0
    """
    from custlib.pyramid import pyramid_cutoffs

    if as_of is not None:
        check_date(as_of, "as_of")
    policy = getattr(crm, "policy", None) or {}
    given = (policy.get("grading") or {}).get("important_revenue")
    if given is not None:
        try:
            value = float(given)
        except (TypeError, ValueError):
            value = float("nan")
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"important_revenue {given!r}: expected a revenue per year >= 0")
        return value
    cut = pyramid_cutoffs(crm, as_of)
    if cut.rule == "case":
        return float(GRADING.important_revenue)
    return float(cut.thresholds[1])


def market_space(estimators: pd.Series, seats_owned: pd.Series, *,
                 potential_headroom: int = GRADING.potential_headroom,
                 penetration: float = GRADING.penetration) -> pd.Series:
    """Market-space class A/B/C/D (市场空间分类): potential × our penetration (digest §10).

    * potential is **high** when ``estimators − seats_owned >= potential_headroom``
      (seats), else low;
    * penetration = ``seats_owned / estimators`` (fraction; 0 when both are 0, high
      when there are seats but no estimators) is **low** below ``penetration``, else
      high.

    **(reading)** A = high potential & low penetration, B = high & high, C = low & low,
    D = low & high.

    Parameters
    ----------
    estimators : Series of int
        Cost estimators employed (people, >= 0).
    seats_owned : Series of int
        Seats of our software owned (seats, >= 0), same index as ``estimators``.
    potential_headroom : int, default ``GRADING.potential_headroom`` = 5
        Headroom (seats) from which potential is high.
    penetration : float, default ``GRADING.penetration`` = 0.5
        Penetration (fraction) from which our penetration is high.

    Returns
    -------
    Series
        Ordered categorical ``A < B < C < D`` named ``market_space``, same index.

    Raises
    ------
    TypeError
        A non-numeric Series.
    ValueError
        Negative or missing values, or the two Series on different indexes.

    Examples
    --------
    >>> import pandas as pd
    >>> est = pd.Series([20, 30, 4, 4])
    >>> own = pd.Series([2, 20, 0, 3])
    >>> market_space(est, own).tolist()
    ['A', 'B', 'C', 'D']
    """
    est = check_series(estimators, "estimators", allow_empty=True)
    own = check_series(seats_owned, "seats_owned", allow_empty=True)
    check_aligned(own, est, "seats_owned", "estimators")
    e, s = est.to_numpy(dtype=float), own.to_numpy(dtype=float)
    high_potential = (e - s) >= potential_headroom
    with np.errstate(divide="ignore", invalid="ignore"):
        pen = np.where(e > 0, s / np.where(e > 0, e, 1), np.where(s > 0, np.inf, 0.0))
    high_pen = pen >= penetration
    codes = 2 * (~high_potential) + high_pen
    return _grade_series(codes, est.index, name="market_space")


# --- contact cadence and workload -------------------------------------------------------

def _every(rate: float, what: str, what_zh: str) -> tuple[str, str]:
    """A weekly rate in words, English and Chinese."""
    if rate <= 0:
        return f"no scheduled {what}", f"无固定{what_zh}"
    if rate >= 1:
        return f"{rate:g} {what}{'s' if rate != 1 else ''} a week", f"每周{what_zh}{rate:g}次"
    return f"1 {what} every {1 / rate:g} weeks", f"每{1 / rate:g}周{what_zh}1次"


_FOCUS = {
    "A": ("at least one visit or two calls a week; know the three kinds of people and the "
          "org chart", "每周至少拜访一次或电话两次；了解三种人和组织结构"),
    "B": ("watch needs and competitors; develop an inside contact",
          "关注需求和竞争对手动态；发展内线"),
    "C": ("keep in touch; clarify needs and stay on the candidate list",
          "保持联系；明确需求，保持在候选名单上"),
    "D": ("general-user care; develop seed users", "一般用户关怀；发展种子用户"),
}


def contact_cadence(*, visits_per_week: tuple[float, ...] = GRADING.visits_per_week,
                    calls_per_week: tuple[float, ...] = GRADING.calls_per_week,
                    weeks_per_month: float = WEEKS_PER_MONTH) -> pd.DataFrame:
    """The contact cadence (维护原则) of each grade A–D, per week and per month (digest §10).

    ``visits_per_month = visits_per_week × weeks_per_month``, the same for calls, and
    ``contacts_per_month`` = visits + calls per month. With the defaults: A a visit
    and two calls a week (the source's "at least one visit or two calls", planned as
    both); B a call a week and a visit a fortnight; C a call a fortnight and a visit
    about monthly; D a call a month (general-user care). Important users also get at
    least ``GRADING.important_contacts_per_week`` contacts a week (see
    :func:`rep_workload`).

    Parameters
    ----------
    visits_per_week : tuple of 4 float, default ``GRADING.visits_per_week`` = (1, 0.5, 0.25, 0)
        Visits per week for grades A–D (>= 0).
    calls_per_week : tuple of 4 float, default ``GRADING.calls_per_week`` = (2, 1, 0.5, 0.25)
        Calls per week for grades A–D (>= 0).
    weeks_per_month : float, default :data:`WEEKS_PER_MONTH` ≈ 4.35
        Weeks in a month (> 0).

    Returns
    -------
    DataFrame
        Indexed by ``grade`` A–D: ``visits_per_week``, ``calls_per_week`` (per week),
        ``visits_per_month``, ``calls_per_month``, ``contacts_per_month`` (per month),
        ``cadence`` and ``cadence_zh`` (the rates in words), ``focus`` and
        ``focus_zh`` (the source's focus for the grade).

    Raises
    ------
    ValueError
        Not four finite rates >= 0, or ``weeks_per_month`` <= 0.

    Examples
    --------
    >>> t = contact_cadence()
    >>> t["calls_per_month"].round(2).tolist()
    [8.7, 4.35, 2.17, 1.09]
    >>> t.loc["B", "cadence"], t.loc["B", "cadence_zh"]
    ('1 visit every 2 weeks, 1 call a week', '每2周拜访1次，每周电话1次')
    """
    v = _rates(visits_per_week, "visits_per_week")
    c = _rates(calls_per_week, "calls_per_week")
    check_scalar(weeks_per_month, "weeks_per_month", low=0, include_low=False)
    words = [(_every(vi, "visit", "拜访"), _every(ci, "call", "电话")) for vi, ci in zip(v, c)]
    table = pd.DataFrame({
        "visits_per_week": v, "calls_per_week": c,
        "visits_per_month": v * weeks_per_month, "calls_per_month": c * weeks_per_month,
        "contacts_per_month": (v + c) * weeks_per_month,
        "cadence": [f"{wv[0]}, {wc[0]}" for wv, wc in words],
        "cadence_zh": [f"{wv[1]}，{wc[1]}" for wv, wc in words],
        "focus": [_FOCUS[g][0] for g in GRADES],
        "focus_zh": [_FOCUS[g][1] for g in GRADES],
    }, index=pd.Index(GRADES, name="grade"))
    return table


def rep_workload(grades: pd.Series, rep: pd.Series, importance: pd.Series | None = None, *,
                 visits_per_week: tuple[float, ...] = GRADING.visits_per_week,
                 calls_per_week: tuple[float, ...] = GRADING.calls_per_week,
                 important_contacts_per_week: float = GRADING.important_contacts_per_week,
                 weeks_per_month: float = WEEKS_PER_MONTH) -> pd.DataFrame:
    """Visits and calls each rep owes per month under the contact cadence (digest §10).

    Each account gets the visits and calls per week of its grade
    (:func:`contact_cadence`); an **important** account gets at least
    ``important_contacts_per_week`` contacts a week, any shortfall made up with calls.
    Per rep::

        visits_per_month   = Σ visits_per_week[grade] × weeks_per_month
        calls_per_month    = Σ (calls_per_week[grade] + important top-up) × weeks_per_month
        contacts_per_month = visits_per_month + calls_per_month

    Grade each account once (e.g. by its best open opportunity) before calling.

    Parameters
    ----------
    grades : Series
        Grade ``A``–``D`` per account (categorical or text).
    rep : Series
        Owning rep per account, same index as ``grades``.
    importance : Series, optional
        ``important`` / ``general`` per account, same index as ``grades``.
    visits_per_week : tuple of 4 float, default ``GRADING.visits_per_week``
        Visits per week for grades A–D.
    calls_per_week : tuple of 4 float, default ``GRADING.calls_per_week``
        Calls per week for grades A–D.
    important_contacts_per_week : float, default ``GRADING.important_contacts_per_week`` = 1
        Minimum contacts per week for an important account (>= 0).
    weeks_per_month : float, default :data:`WEEKS_PER_MONTH` ≈ 4.35
        Weeks in a month (> 0).

    Returns
    -------
    DataFrame
        Indexed by ``rep`` (sorted): ``A``, ``B``, ``C``, ``D`` (accounts per grade),
        ``important`` (important accounts; 0 without ``importance``),
        ``visits_per_month``, ``calls_per_month`` and ``contacts_per_month``.

    Raises
    ------
    TypeError
        ``grades`` or ``rep`` not a Series.
    ValueError
        A grade other than A–D, an importance other than important/general, missing
        reps, Series on different indexes, or invalid rates.

    Examples
    --------
    R1 owes (1 + 0.5) visits and (2 + 1) calls a week; R2's important D account is
    topped up from a call a month to a contact a week.

    >>> import pandas as pd
    >>> g = pd.Series(["A", "B", "D", "D"])
    >>> r = pd.Series(["R1", "R1", "R2", "R2"])
    >>> imp = pd.Series(["general", "general", "important", "general"])
    >>> w = rep_workload(g, r, imp)
    >>> w[["A", "B", "D", "important"]].to_dict("index")
    {'R1': {'A': 1, 'B': 1, 'D': 0, 'important': 0}, 'R2': {'A': 0, 'B': 0, 'D': 2, 'important': 1}}
    >>> w[["visits_per_month", "calls_per_month"]].round(1).to_dict("index")
    {'R1': {'visits_per_month': 6.5, 'calls_per_month': 13.0}, 'R2': {'visits_per_month': 0.0, 'calls_per_month': 5.4}}
    """
    if not isinstance(grades, pd.Series):
        raise TypeError(f"grades must be a pandas Series of A/B/C/D, got {type(grades).__name__}")
    g = check_choice(grades, "grades", GRADES).astype(object)
    check_aligned(check_series(rep, "rep", numeric=False, allow_empty=True), g, "rep", "grades")
    v = _rates(visits_per_week, "visits_per_week")
    c = _rates(calls_per_week, "calls_per_week")
    check_scalar(important_contacts_per_week, "important_contacts_per_week", low=0)
    check_scalar(weeks_per_month, "weeks_per_month", low=0, include_low=False)
    codes = g.map({k: i for i, k in enumerate(GRADES)}).to_numpy(dtype=np.int64)
    important = np.zeros(len(g), dtype=bool)
    if importance is not None:
        check_aligned(importance, g, "importance", "grades")
        imp = check_choice(importance, "importance", IMPORTANCE).astype(object)
        important = (imp == "important").to_numpy(dtype=bool)
    visits = v[codes]
    top_up = np.where(important, np.maximum(important_contacts_per_week - (v + c)[codes], 0), 0)
    calls = c[codes] + top_up
    frame = pd.DataFrame({k: (codes == i).astype(np.int64) for i, k in enumerate(GRADES)},
                         index=pd.Index(rep.to_numpy(), name="rep"))
    frame["important"] = important.astype(np.int64)
    frame["visits_per_month"] = visits * weeks_per_month
    frame["calls_per_month"] = calls * weeks_per_month
    out = frame.groupby(level="rep", sort=True).sum()
    out["contacts_per_month"] = out["visits_per_month"] + out["calls_per_month"]
    return out
