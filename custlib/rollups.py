"""The salesperson's customer-analysis workbook (客户分析表) and its roll-ups, digest §11.

Every month each salesperson inventories all of their CRM customers in one master
table (客户分析总表); the manager's roll-ups are filtered out of it:

* the customer classification summary (客户分类汇总表): counts by grade A/B/C/D,
  important/general user, organisation type, business line and product;
* the organisation-purchase summary (单位购买汇总表) and the individual-purchase
  summary (个人购买汇总表): open deals by who pays;
* the user-upgrade analysis (用户升级分析表): open upgrade deals and their value;

each with the **expected sales value** = expected deal value × close probability.
Unknown fields stay blank, never invented. Amounts are in the data's currency with
their cents (:mod:`custlib.money` decides how they are shown).

Examples
--------
>>> import pandas as pd
>>> opp = pd.DataFrame({"expected_value": [10_000, 4_000], "probability": [0.8, 0.25]})
>>> expected_sales_value(opp).tolist()
[8000.0, 1000.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib import labels, period, schema
from custlib._pandas import isin, positions
from custlib._validate import check_frame
from custlib.policy import GRADING, WORKBOOK

__all__ = ["expected_sales_value", "open_opportunities", "master_table",
           "classification_summary", "purchase_summary", "upgrade_analysis", "ROLLUP_NAMES"]

#: Sheet names of the roll-ups, English and Chinese (digest §11).
ROLLUP_NAMES = labels.ROLLUPS


def expected_sales_value(opportunities: pd.DataFrame) -> pd.Series:
    """Expected sales value per opportunity: ``expected_value × probability`` (money).

    The value the workbook's roll-ups sum (digest §11).

    Parameters
    ----------
    opportunities : DataFrame
        Needs ``expected_value`` (money) and ``probability`` (fraction 0–1), numeric;
        may be empty.

    Returns
    -------
    Series
        Named ``expected_sales_value`` (money, float), same index.

    Raises
    ------
    ValueError
        A missing column, or a probability outside 0–1.
    TypeError
        A non-numeric column.

    Examples
    --------
    >>> import pandas as pd
    >>> opp = pd.DataFrame({"expected_value": [20_000, 10_000, 4_000], "probability": [0.25, 0.8, 0.0]})
    >>> expected_sales_value(opp).tolist()
    [5000.0, 8000.0, 0.0]
    """
    check_frame(opportunities, "opportunities", ["expected_value", "probability"],
                allow_empty=True, numeric=["expected_value", "probability"])
    p = opportunities["probability"]
    if ((p < 0) | (p > 1)).any():
        bad = opportunities.index[(p < 0) | (p > 1)]
        raise ValueError(f"probability must be between 0 and 1; found {len(bad)} values outside, "
                         f"e.g. at rows {list(bad[:3])}")
    return (opportunities["expected_value"] * p).astype(float).rename("expected_sales_value")


def open_opportunities(opportunities: pd.DataFrame, as_of, **grade_kw) -> pd.DataFrame:
    """Open opportunities with their version-2 grade and expected sales value (digest §10, §11).

    Keeps the rows whose ``stage`` is open (``schema.OPEN_STAGES``) and adds:

    * ``grade`` — A/B/C/D by :func:`custlib.grading.grade_by_probability`;
    * ``expected_sales_value`` — ``expected_value × probability`` (money);
    * ``closes_within_3_months`` — ``expected_close_date <= as_of + 3 months``
      (calendar months; the horizon is ``GRADING.within_months[-1]``).

    Parameters
    ----------
    opportunities : DataFrame
        Needs ``customer_id``, ``stage``, ``expected_close_date`` (datetime64),
        ``expected_value`` (money) and ``probability`` (0–1); may be empty.
    as_of : date-like
        The inventory date.
    **grade_kw
        Passed on to :func:`custlib.grading.grade_by_probability` (e.g.
        ``min_probability``, ``within_months``, ``loyal_referrer``).

    Returns
    -------
    DataFrame
        The open opportunities (original index and columns) with ``grade``,
        ``expected_sales_value`` and ``closes_within_3_months`` added.

    Raises
    ------
    ValueError
        A missing column or an invalid probability (see
        :func:`custlib.grading.grade_by_probability`).
    TypeError
        ``expected_close_date`` not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> opp = pd.DataFrame({"customer_id": ["A", "B", "B"], "stage": ["prospect_3", "prospect_1", "won"],
    ...                     "expected_value": [10_000, 4_000, 5_000], "probability": [0.8, 0.25, 1.0],
    ...                     "expected_close_date": pd.to_datetime(["2026-01-20", "2026-05-01",
    ...                                                            "2025-10-01"])})
    >>> op = open_opportunities(opp, "2025-12-31")
    >>> op[["grade", "expected_sales_value", "closes_within_3_months"]].astype(str).values.tolist()
    [['A', '8000.0', 'True'], ['C', '1000.0', 'False']]
    """
    from custlib.grading import grade_by_probability

    check_frame(opportunities, "opportunities",
                ["customer_id", "stage", "expected_close_date", "expected_value", "probability"],
                allow_empty=True, dates=["expected_close_date"])
    as_of = pd.Timestamp(as_of)
    op = opportunities[opportunities["stage"].isin(schema.OPEN_STAGES)].copy()
    op["grade"] = grade_by_probability(op["probability"], op["expected_close_date"], as_of,
                                       **grade_kw)
    op["expected_sales_value"] = expected_sales_value(op)
    horizon = as_of + pd.DateOffset(months=GRADING.within_months[-1])
    op["closes_within_3_months"] = op["expected_close_date"] <= horizon
    return op


def _main_contact(contacts: pd.DataFrame) -> pd.DataFrame:
    """One contact per customer: the decision maker if there is one, else the first listed."""
    rank = contacts["role"].astype(str).map({"decision_maker": 0}).fillna(1)
    first = (contacts.assign(_rank=rank, _pos=np.arange(len(contacts)))
             .sort_values(["customer_id", "_rank", "_pos"])
             .drop_duplicates("customer_id"))
    cols = ["contact_name", "role", "title", "mobile", "email", "qq", "birthday"]
    return first.set_index("customer_id")[[c for c in cols if c in first.columns]]


def master_table(customers: pd.DataFrame, *, as_of, orders: pd.DataFrame | None = None,
                 contacts: pd.DataFrame | None = None,
                 opportunities: pd.DataFrame | None = None,
                 activities: pd.DataFrame | None = None,
                 events: pd.DataFrame | None = None,
                 recent_days: int = WORKBOOK.recent_days) -> pd.DataFrame:
    """The master customer-analysis table (客户分析总表): one row per customer (digest §11).

    Each table given adds its field group; groups whose table is missing are left out
    rather than filled with guesses ("blank when unknown, never invented").

    Parameters
    ----------
    customers : DataFrame
        Canonical customers table; needs ``customer_id`` (``rep_id`` empty when absent). Optional
        columns are copied when present (``customer_name``, ``status_layer``,
        ``importance``, ``org_type``, ``business_line``, ``estimators``,
        ``seats_owned``, ``competitor``, ``competitor_seats``).
    as_of : date-like
        The inventory date (the snapshot). Keyword-only.
    orders, contacts, opportunities, activities, events : DataFrame, optional
        Canonical tables (see :mod:`custlib.schema`).
    recent_days : int, default ``WORKBOOK.recent_days`` = 90
        The "last three months" window of the relationship fields (days); per-month
        frequencies divide by ``recent_days / WORKBOOK.days_per_month``.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``; columns by field group:

        * customer info — ``rep_id``, ``customer_name`` and, with contacts, the main
          contact (the decision maker if known): ``contact_name``, ``role``,
          ``title``, ``mobile``, ``email``, ``qq``, ``birthday``;
        * relationship (activities) — ``visited_recently`` (a visit or meeting in the
          last ``recent_days``), ``visits_per_month`` and ``calls_per_month`` (per
          month over that window), ``last_contact_date``;
        * classification — ``status_layer``, ``importance``, ``org_type``,
          ``business_line``, ``market_space`` (A–D, :func:`custlib.grading.market_space`);
        * needs — ``estimators`` (people), ``seats_owned``, ``headroom``
          (``max(estimators − seats_owned, 0)``), ``competitor_seats`` (seats),
          ``competitor``;
        * sales (orders) — ``revenue_12m``: revenue of the 12 months up to ``as_of``
          (:func:`custlib.period.window`; float, cents kept);
        * pipeline (opportunities) — ``grade`` (the best grade of the customer's open
          deals); the **main open deal** (the one with the largest expected sales
          value) with its own ``stage``, ``expected_close_date``, ``product_line``,
          ``expected_value`` (money), ``probability`` (0–1) and
          ``expected_sales_value`` (that deal's ``expected_value × probability``,
          money), blank without an open deal; the **totals** over every open deal:
          ``open_deals`` (count), ``open_value_total`` and
          ``expected_sales_value_total`` (money, 0 without an open deal);
          ``org_purchase_3m`` / ``individual_purchase_3m`` (an open organisation /
          individual deal expected within three months);
        * events — ``events_invited``, ``events_attended`` (counts) and
          ``event_deal_amount`` (money).

    Raises
    ------
    ValueError
        ``customers`` empty or a required column missing in a table given.
    TypeError
        A date column that is not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": ["A", "B", "C"], "rep_id": ["R1", "R1", "R2"],
    ...                   "estimators": [30, 4, 10], "seats_owned": [5, 4, 2]})
    >>> o = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...                   "order_date": pd.to_datetime(["2025-03-01", "2024-06-01", "2025-11-20"]),
    ...                   "amount": [8_000, 5_000, 1_200]})
    >>> m = master_table(c, as_of="2025-12-31", orders=o)
    >>> m["revenue_12m"].tolist(), m["headroom"].tolist(), m["market_space"].tolist()
    ([8000.0, 1200.0, 0.0], [25, 0, 8], ['A', 'D', 'A'])

    A customer with two open deals: its row shows the main deal, and the totals of both.

    >>> opp = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...                     "stage": ["prospect_3", "prospect_1", "won"],
    ...                     "expected_value": [9_300, 20_000, 5_000], "probability": [0.7, 0.25, 1.0],
    ...                     "expected_close_date": pd.to_datetime(["2026-01-20", "2026-05-01",
    ...                                                            "2025-10-01"])})
    >>> m = master_table(c, as_of="2025-12-31", opportunities=opp)
    >>> m.loc["A", ["expected_value", "probability", "expected_sales_value"]].tolist()
    [9300.0, 0.7, 6510.0]
    >>> m["open_deals"].tolist(), m["open_value_total"].tolist()
    ([2, 0, 0], [29300.0, 0.0, 0.0])
    >>> m["expected_sales_value_total"].tolist()
    [11510.0, 0.0, 0.0]
    """
    from custlib.grading import market_space

    check_frame(customers, "customers", ["customer_id"])
    as_of = pd.Timestamp(as_of)
    ids = pd.Index(customers["customer_id"], name="customer_id")
    if not ids.is_unique:
        repeated = ids[ids.duplicated()].unique()
        raise ValueError(f"customers must hold one row per customer_id; found {len(repeated)} "
                         f"repeated, e.g. {list(repeated[:3])}")
    # Every table is grouped by the row number of its customer (an integer: pandas hashes
    # text ids again at every groupby and reindex, 30 s at a million customers); the
    # ids come back as the index at the end. A row of an unknown customer gets -1, the
    # group no customer row asks for.
    orders, contacts, opportunities, activities, events = (
        t.assign(customer_id=positions(t["customer_id"], ids))
        if isinstance(t, pd.DataFrame) and "customer_id" in t.columns else t
        for t in (orders, contacts, opportunities, activities, events))
    base_cols = ["rep_id", "customer_name", "status_layer", "importance", "org_type",
                 "business_line", "estimators", "seats_owned", "competitor", "competitor_seats"]
    m = customers[[c for c in base_cols if c in customers.columns]].copy()
    m.index = pd.RangeIndex(len(m), name="customer_id")
    if "rep_id" not in m.columns:  # an export without owners: the column stays, empty
        m.insert(0, "rep_id", pd.Series(pd.NA, index=m.index, dtype="string"))
    if {"estimators", "seats_owned"} <= set(m.columns):
        # a customer whose estimators or seats are blank has no headroom or class: unknown
        known = (m["estimators"].notna() & m["seats_owned"].notna()).to_numpy()
        m["headroom"] = (m["estimators"] - m["seats_owned"]).clip(lower=0)
        space = pd.Series(pd.Categorical([None] * len(m), categories=list("ABCD"), ordered=True),
                          index=m.index, name="market_space")
        if known.any():
            space[known] = market_space(m.loc[known, "estimators"].astype("int64"),
                                        m.loc[known, "seats_owned"].astype("int64"))
        m["market_space"] = space

    if contacts is not None:
        m = m.join(_main_contact(contacts))

    if activities is not None:
        check_frame(activities, "activities", ["customer_id", "activity_date", "activity_type"],
                    allow_empty=True, dates=["activity_date"])
        a = activities[activities["activity_date"] <= as_of]
        recent = a[a["activity_date"] > as_of - pd.Timedelta(days=recent_days)]
        kind = recent["activity_type"]   # compared as it is: a copy as text is 10M strings
        months = recent_days / WORKBOOK.days_per_month
        visits = recent[kind.isin(["visit", "meeting"])].groupby("customer_id").size()
        calls = recent[kind == "call"].groupby("customer_id").size()
        m["visited_recently"] = isin(m.index, visits.index)
        m["visits_per_month"] = (visits.reindex(m.index, fill_value=0) / months).round(2)
        m["calls_per_month"] = (calls.reindex(m.index, fill_value=0) / months).round(2)
        m["last_contact_date"] = a.groupby("customer_id")["activity_date"].max().reindex(m.index)

    if orders is not None:
        check_frame(orders, "orders", ["customer_id", "order_date", "amount"], allow_empty=True,
                    dates=["order_date"])
        rev = period.revenue_by_customer(orders, *period.window(as_of, WORKBOOK.revenue_months))
        m["revenue_12m"] = rev.reindex(m.index, fill_value=0.0)

    if opportunities is not None:
        op = open_opportunities(opportunities, as_of)
        # the main open deal: the one with the largest expected sales value
        main = (op.sort_values(["customer_id", "expected_sales_value"], ascending=[True, False])
                .drop_duplicates("customer_id").set_index("customer_id"))
        g = op.groupby("customer_id")
        m["grade"] = g["grade"].min().reindex(m.index)  # A is the best (first) grade
        for col in ("stage", "expected_close_date", "product_line", "expected_value",
                    "probability", "expected_sales_value"):
            if col in main.columns:
                m[col] = main[col].reindex(m.index)
        # the totals over every open deal of the customer
        m["open_deals"] = g.size().reindex(m.index, fill_value=0)
        m["open_value_total"] = g["expected_value"].sum().astype(float).reindex(m.index,
                                                                                 fill_value=0.0)
        m["expected_sales_value_total"] = g["expected_sales_value"].sum().reindex(m.index,
                                                                                  fill_value=0.0)
        if "buyer_kind" in op.columns:
            soon = op[op["closes_within_3_months"]]
            kind = soon["buyer_kind"]
            m["org_purchase_3m"] = isin(m.index, soon.loc[kind == "organisation", "customer_id"])
            m["individual_purchase_3m"] = isin(m.index, soon.loc[kind == "individual", "customer_id"])

    if events is not None:
        check_frame(events, "events", ["customer_id", "invited", "attended", "deal_amount"],
                    allow_empty=True)
        e = events.groupby("customer_id")[["invited", "attended", "deal_amount"]].sum()
        m["events_invited"] = e["invited"].reindex(m.index, fill_value=0).astype(int)
        m["events_attended"] = e["attended"].reindex(m.index, fill_value=0).astype(int)
        m["event_deal_amount"] = e["deal_amount"].reindex(m.index, fill_value=0)
    m.index = ids
    return m


def classification_summary(master: pd.DataFrame,
                           by: tuple[str, ...] = ("grade", "importance", "org_type",
                                                  "business_line", "product_line")) -> pd.DataFrame:
    """The customer classification summary (客户分类汇总表, digest §11).

    For each dimension of ``by`` present in ``master``: customers per value, their
    share within the dimension, and the sum of their expected sales value over all
    their open deals (``expected_sales_value_total`` of the master table).

    Parameters
    ----------
    master : DataFrame
        From :func:`master_table`; ``expected_sales_value_total`` (money) is summed,
        else ``expected_sales_value``; 0 when both are absent.
    by : tuple of str, default ("grade", "importance", "org_type", "business_line", "product_line")
        The dimensions (columns of ``master``) to count by; absent ones are skipped.

    Returns
    -------
    DataFrame
        MultiIndex (``dimension``, ``value``); columns ``customers`` (count),
        ``share_customers`` (fraction within the dimension) and
        ``expected_sales_value`` (money: the sum over the customers' open deals).

    Raises
    ------
    ValueError
        None of the dimensions of ``by`` is in ``master``.
    TypeError
        ``master`` is not a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"grade": ["A", "B", "A"], "expected_sales_value": [100.0, 50.0, 10.0]})
    >>> t = classification_summary(m, by=("grade",))
    >>> t["customers"].tolist(), t["expected_sales_value"].tolist()
    ([2, 1], [110.0, 50.0])
    """
    check_frame(master, "master", [], allow_empty=True)
    total = next((c for c in ("expected_sales_value_total", "expected_sales_value")
                  if c in master.columns), None)
    esv = master[total] if total else pd.Series(0.0, index=master.index)
    parts = []
    for dim in by:
        if dim not in master.columns:
            continue
        key = master[dim]
        t = pd.DataFrame({"customers": key.value_counts(sort=False, dropna=True),
                          "expected_sales_value": esv.groupby(key, observed=False).sum()})
        t["share_customers"] = t["customers"] / t["customers"].sum()
        t.index = pd.MultiIndex.from_product([[dim], t.index.astype(str)],
                                             names=["dimension", "value"])
        parts.append(t[["customers", "share_customers", "expected_sales_value"]])
    if not parts:
        raise ValueError(f"master has none of the dimensions {list(by)}; found {list(master.columns)}")
    return pd.concat(parts)


def _rollup(sel: pd.DataFrame, by: str, deals: str, value: str,
            within_3_months: bool = False) -> pd.DataFrame:
    """Deals, customers, value and expected sales value of ``sel`` by ``by``, plus a total row."""
    g = sel.groupby(by, observed=False)
    out = pd.DataFrame({
        deals: g.size(),
        "customers": g["customer_id"].nunique(),
        value: g["expected_value"].sum(),
        "expected_sales_value": g["expected_sales_value"].sum(),
    })
    if within_3_months:
        out["deals_within_3_months"] = g["closes_within_3_months"].sum().astype(int)
    out.index = out.index.astype(str)
    out.loc["total"] = out.sum()
    return out


def purchase_summary(open_opps: pd.DataFrame, buyer_kind: str,
                     by: str = "grade") -> pd.DataFrame:
    """Organisation- or individual-purchase summary (单位购买 / 个人购买汇总表).

    Digest §11. The open deals whose ``buyer_kind`` is ``buyer_kind``, grouped by ``by`` (grade,
    rep, product...), with a ``total`` row that sums the groups.

    Parameters
    ----------
    open_opps : DataFrame
        From :func:`open_opportunities`.
    buyer_kind : {"organisation", "individual"}
        Who pays.
    by : str, default "grade"
        Column to group by.

    Returns
    -------
    DataFrame
        Indexed by the values of ``by`` (as text) plus ``total``: ``deals`` (count),
        ``customers`` (distinct customers in the group; the total row sums the groups,
        so a customer in two groups counts twice), ``expected_value`` and
        ``expected_sales_value`` (money), ``deals_within_3_months`` (count).

    Raises
    ------
    ValueError
        An unknown ``buyer_kind`` or a missing column.

    Examples
    --------
    >>> import pandas as pd
    >>> opp = pd.DataFrame({"customer_id": ["A", "B", "B"], "stage": ["prospect_3", "prospect_1", "won"],
    ...                     "expected_value": [10_000, 4_000, 5_000], "probability": [0.8, 0.25, 1.0],
    ...                     "expected_close_date": pd.to_datetime(["2026-01-20", "2026-05-01",
    ...                                                            "2025-10-01"]),
    ...                     "buyer_kind": ["organisation", "individual", "organisation"]})
    >>> t = purchase_summary(open_opportunities(opp, "2025-12-31"), "organisation")
    >>> t.loc["total"].tolist()
    [1.0, 1.0, 10000.0, 8000.0, 1.0]
    """
    if buyer_kind not in schema.BUYER_KINDS:
        raise ValueError(f"buyer_kind must be one of {schema.BUYER_KINDS}, got {buyer_kind!r}")
    check_frame(open_opps, "open_opps", ["customer_id", "buyer_kind", "expected_value",
                                         "expected_sales_value", "closes_within_3_months", by],
                allow_empty=True)
    sel = open_opps[open_opps["buyer_kind"] == buyer_kind]
    return _rollup(sel, by, "deals", "expected_value", within_3_months=True)


def upgrade_analysis(open_opps: pd.DataFrame, by: str = "product_line") -> pd.DataFrame:
    """User-upgrade analysis (用户升级分析表): open upgrade deals and their value.

    Digest §11. The open deals with ``is_upgrade`` true, grouped by ``by``, with a ``total`` row
    that sums the groups.

    Parameters
    ----------
    open_opps : DataFrame
        From :func:`open_opportunities`; needs ``is_upgrade`` and the ``by`` column.
    by : str, default "product_line"
        Column to group by.

    Returns
    -------
    DataFrame
        Indexed by the values of ``by`` (as text) plus ``total``: ``upgrade_deals``
        (count), ``customers`` (distinct customers in the group; the total row sums
        the groups), ``upgrade_value`` (expected value, money) and
        ``expected_sales_value`` (money).

    Raises
    ------
    ValueError
        A missing column.

    Examples
    --------
    >>> import pandas as pd
    >>> opp = pd.DataFrame({"customer_id": ["A", "B", "B"], "stage": ["prospect_3", "prospect_1", "won"],
    ...                     "expected_value": [10_000, 4_000, 5_000], "probability": [0.8, 0.25, 1.0],
    ...                     "expected_close_date": pd.to_datetime(["2026-01-20", "2026-05-01",
    ...                                                            "2025-10-01"]),
    ...                     "is_upgrade": [True, False, True], "product_line": ["rebar", "rebar", "rebar"]})
    >>> u = upgrade_analysis(open_opportunities(opp, "2025-12-31"))
    >>> u.loc["total", ["upgrade_deals", "upgrade_value", "expected_sales_value"]].tolist()
    [1.0, 10000.0, 8000.0]
    """
    check_frame(open_opps, "open_opps", ["customer_id", "is_upgrade", "expected_value",
                                         "expected_sales_value", by], allow_empty=True)
    sel = open_opps[open_opps["is_upgrade"].astype(bool)]
    return _rollup(sel, by, "upgrade_deals", "upgrade_value")
