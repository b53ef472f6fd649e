"""The workbook's tables, computed from a :class:`~custlib.io.CRMData`: one DataFrame per
sheet (the master table, its roll-ups, the pyramid, Pareto, lifecycle, funnel, grades and
the early warning), every window :func:`custlib.period.window` up to the analysis date."""

from __future__ import annotations

import pandas as pd

from custlib import labels, period
from custlib.io import CRMData
from custlib.io.crmdata import has_values
from custlib.policy import PYRAMID, WORKBOOK
from custlib.pyramid import (abc_classes, customer_layers, layer_counts, pareto_fraction,
                             pyramid_cutoffs, tier_table, tiers_by_threshold, top_share)
from custlib.rollups import (classification_summary, master_table, open_opportunities,
                             purchase_summary, upgrade_analysis)


#: Columns of the workbook's sheets that hold money: written unrounded, shown with the
#: currency's number format.
MONEY_COLUMNS = frozenset({"revenue", "avg_revenue", "min_revenue", "max_revenue", "cut_off",
                           "revenue_12m", "expected_value", "expected_sales_value",
                           "open_value_total", "expected_sales_value_total",
                           "event_deal_amount", "upgrade_value", "deal_amount",
                           "predicted_value", "value_if_alive", "value_at_risk"})

#: Columns holding a fraction 0–1 (a share, a probability, a conversion rate): shown
#: as a percentage with one decimal.
PERCENT_COLUMNS = frozenset({"share_customers", "share_revenue", "probability", "rate",
                             "cumulative", "p_alive"})

#: The sheet of the early warning: the call list of :func:`custlib.predict.at_risk`.
EARLY_WARNING_SHEET = labels.sheet_name("early warning")

#: The sheet that comes first: what the workbook holds and the numbers it used.
COVER_SHEET = labels.sheet_name("about")

#: The sheet of the customer pyramid.
PYRAMID_SHEET = labels.sheet_name("pyramid")

#: The columns :func:`workbook_tables` reads of the tables it does not read whole: of
#: the activities (the longest table of a CRM), the three the master table's
#: ``visited_recently`` needs. ``custlib run`` loads only these (``load(columns=...)``):
#: at a million customers 0.7 GB less beside the lesson kernels. A test holds the
#: workbook read this way to the workbook read from every column.
WORKBOOK_COLUMNS = {"activities": ["customer_id", "activity_date", "activity_type"]}


def as_of_date(crm: CRMData) -> pd.Timestamp:
    """The analysis date of a dataset: :func:`custlib.period.as_of`.

    The date stated with the data (mapping, ``--as-of``, ``load(as_of=...)``), else the
    latest order or activity date, at midnight.

    Parameters
    ----------
    crm : CRMData
        Needs ``orders`` (``order_date``, datetime64); ``activities`` is used when
        present and not empty.

    Returns
    -------
    Timestamp
        The date, normalised to midnight.

    Examples
    --------
    >>> import pathlib
    >>> import pandas as pd
    >>> from custlib.io import CRMData
    >>> o = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...                   "order_date": pd.to_datetime(["2025-02-01", "2025-11-30", "2024-03-01"]),
    ...                   "amount": [80_000, 12_000, 3_000]})
    >>> as_of_date(CRMData(path=pathlib.Path("."), orders=o)).date().isoformat()
    '2025-11-30'
    """
    return period.as_of(crm)


def _year_revenue(crm: CRMData, as_of) -> tuple[pd.Timestamp, pd.Timestamp, pd.Series]:
    """The window of the last 12 months and the positive revenue per customer in it."""
    start, end = period.window(as_of, WORKBOOK.revenue_months)
    revenue = period.revenue_by_customer(crm.orders, start, end)
    return start, end, revenue[revenue > 0]


def workbook_tables(crm: CRMData, as_of=None) -> dict[str, pd.DataFrame]:
    """Every sheet of the manager's workbook, by sheet name (English · Chinese).

    The analyses of the last 12 months (:func:`custlib.period.window` up to ``as_of``)
    that a manager reviews (digest §7, §10–§12):

    * ``pyramid · 客户金字塔`` — :func:`custlib.pyramid.tier_table` of the revenue by
      the threshold tiers (§7), with each tier's ``cut_off`` (the revenue its
      customers exceed: :func:`custlib.pyramid.pyramid_cutoffs` of the data), plus the
      inactive / prospect / suspect counts when customers are loaded; the sentence
      saying which cut-offs were used is in the table's ``attrs["note"]``;
    * with customers: ``master · 客户分析总表`` (:func:`custlib.rollups.master_table`)
      and ``classification · 客户分类汇总表`` (§11);
    * with opportunities: ``organisation · 单位购买汇总表``, ``individual · 个人购买汇总表``
      and ``upgrades · 用户升级分析表`` (§11);
    * then the analysis tables: ``pareto · 二八法则`` (top shares, 80 % fraction, ABC
      counts; §7), ``lifecycle · 生命周期`` (customers per stage in both schemes; §5)
      and, with opportunities, ``funnel · 销售漏斗`` (§12) and ``grades · 客户分级`` (§10);
    * ``early warning · 流失预警`` — the call list of :func:`early_warning` (§5, stage D:
      valuable customers who have probably stopped buying), when the orders support a
      BG/NBD fit; the master table then also carries each buyer's ``p_alive`` and
      ``predicted_value`` (12 months).

    Sheets whose tables are missing are left out.

    Parameters
    ----------
    crm : CRMData
        The loaded tables; ``orders`` is required.
    as_of : date-like, optional
        The analysis date (default :func:`as_of_date`).

    Returns
    -------
    dict of str to DataFrame
        Sheet name to table, the §11 roll-ups first, then the analysis tables. Money
        columns (:data:`MONEY_COLUMNS`) keep their cents.

    Raises
    ------
    ValueError
        A table that fails the checks of the functions it feeds.

    Examples
    --------
    >>> import pathlib
    >>> import pandas as pd
    >>> from custlib.io import CRMData
    >>> o = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...                   "order_date": pd.to_datetime(["2025-02-01", "2025-11-30", "2024-03-01"]),
    ...                   "amount": [80_000, 12_000, 3_000]})
    >>> sheets = workbook_tables(CRMData(path=pathlib.Path("."), orders=o))
    >>> list(sheets)
    ['pyramid · 客户金字塔', 'pareto · 二八法则', 'lifecycle · 生命周期']
    >>> pyramid = sheets["pyramid · 客户金字塔"]
    >>> int(pyramid["customers"].sum()), float(pyramid["revenue"].sum())  # A and B bought
    (2, 92000.0)
    """
    as_of = period.as_of(crm, as_of)
    revenue = _year_revenue(crm, as_of)[2]
    sheets: dict[str, pd.DataFrame] = {"pyramid": _pyramid_table(crm, as_of)}   # by key
    warning = early_warning(crm, as_of)
    if crm.customers is not None:  # the master table with what the data knows
        master = master_table(crm.customers, as_of=as_of, orders=crm.orders,
                              contacts=crm.contacts, opportunities=crm.opportunities,
                              activities=crm.activities, events=crm.events)
        if warning is not None:   # the model's view of each customer who has bought
            master = master.join(warning.attrs["customers"])
        sheets["master"] = master
        if _has(crm.customers, "org_type", "business_line", "rep_id"):
            sheets["classification"] = classification_summary(master)
    sheets["pareto"] = _pareto_table(revenue)
    sheets["lifecycle"] = _lifecycle_table(crm, as_of)
    if crm.opportunities is not None and "stage" in crm.opportunities:
        funnel = _funnel_table(crm.opportunities)
        if funnel is not None:
            sheets["funnel"] = funnel
        grades = _grades_table(crm.opportunities, as_of)
        if grades is not None:
            sheets["grades"] = grades
    if crm.opportunities is not None and _has(crm.opportunities, "expected_value", "probability",
                                               "buyer_kind", "expected_close_date"):
        op = open_opportunities(crm.opportunities, as_of)
        sheets["organisation"] = purchase_summary(op, "organisation")
        sheets["individual"] = purchase_summary(op, "individual")
        sheets["upgrades"] = upgrade_analysis(op)
    if warning is not None:
        calls = warning.copy()
        if crm.customers is not None:   # who to call, and whose customer it is
            who = crm.customers.set_index("customer_id")
            who = who[[c for c in ("customer_name", "rep_id") if c in who.columns]]
            calls = who.reindex(calls.index).join(calls)
        calls.attrs = {"note": warning.attrs["note"]}
        sheets["early warning"] = calls
    # the §11 roll-ups first, then the analysis tables; named as in the workbook
    later = [k for k in sheets if k in ("pareto", "lifecycle", "early warning", "funnel",
                                        "grades")]
    return {labels.sheet_name(k): sheets[k] for k in [k for k in sheets if k not in later] + later}


def _pyramid_table(crm: CRMData, as_of: pd.Timestamp) -> pd.DataFrame:
    """The pyramid sheet: revenue per tier of the last 12 months, with the cut-offs and,
    when customers are loaded, the layers below the pyramid."""
    year_start, year_end, revenue = _year_revenue(crm, as_of)
    cut = pyramid_cutoffs(crm, as_of)
    pyramid = tier_table(revenue, tiers_by_threshold(revenue, cut.thresholds))
    pyramid.insert(0, "cut_off", [*cut.thresholds, 0.0][:len(pyramid)])
    if crm.customers is not None:
        layers = layer_counts(customer_layers(crm.customers, crm.orders, crm.opportunities,
                                              start=year_start, end=year_end))
        pyramid = pd.concat([pyramid, layers.iloc[1:].rename("customers").to_frame()])
    pyramid.index.name = "tier"
    pyramid.attrs["note"] = cut.note
    return pyramid


def early_warning(crm: CRMData, as_of=None) -> pd.DataFrame | None:
    """The call list of the early warning (流失预警), or None when the model cannot be fitted.

    :func:`custlib.predict.at_risk` on the BG/NBD fit of the orders up to ``as_of``
    (:func:`custlib.value.rfm_summary`), with each purchase valued by the Gamma-Gamma
    model where the data suit it (:func:`custlib.predict.gamma_gamma_usable`), else at
    the customer's own mean spend.

    Parameters
    ----------
    crm : CRMData
        Needs ``orders``.
    as_of : date-like, optional
        The analysis date (default :func:`as_of_date`).

    Returns
    -------
    DataFrame or None
        The call list (index ``customer_id``): ``frequency``, ``days_silent``,
        ``p_alive``, ``predicted_value`` (12 months, money), ``value_if_alive``,
        ``value_at_risk``; ``attrs["note"]`` says how it was made and
        ``attrs["customers"]`` holds ``p_alive`` and ``predicted_value`` of every
        customer who bought. None when there is no order up to ``as_of``, or the data
        hold too few repeat customers for the fit, or it fails: the sheet is left out.

    Examples
    --------
    >>> from custlib.io import load
    >>> calls = early_warning(load(tables=["orders"]))
    >>> list(calls.columns)
    ['frequency', 'days_silent', 'p_alive', 'predicted_value', 'value_if_alive', 'value_at_risk']
    """
    from custlib.predict import PREDICT, at_risk, bgnbd_fit, gamma_gamma_usable, risk_table
    from custlib.value import rfm_summary

    as_of = period.as_of(crm, as_of)
    orders = crm.orders[crm.orders["order_date"] <= as_of]
    if orders.empty:
        return None
    rfm = rfm_summary(orders, as_of=as_of)
    try:
        bg = bgnbd_fit(rfm["frequency"], rfm["recency"], rfm["T"])
    except ValueError:   # too few repeat customers, or no convergence
        return None
    repeat = rfm[rfm["frequency"] > 0]
    gg, why_not = gamma_gamma_usable(repeat["frequency"], repeat["monetary_value"])
    # every customer's numbers once: the call list is chosen from them
    table = risk_table(rfm, bg, gg)
    calls = (at_risk(rfm, bg, gg, table=table).rename(columns={"predicted_clv": "predicted_value"})
             .drop(columns=["recency", "T"]))
    every = table[["p_alive", "predicted_clv"]].rename(columns={"predicted_clv": "predicted_value"})
    spend = ("the Gamma-Gamma spend model" if gg is not None else
             f"each customer's own mean spend (the Gamma-Gamma model was not used: {why_not})")
    calls.attrs = {"customers": every, "note": (
        f"BG/NBD fitted on the {len(rfm):,} customers who bought up to {as_of.date()}; listed: "
        f"probability alive below {PREDICT.at_risk_p_alive:.0%} and value if still buying in the top "
        f"{PREDICT.value_share:.0%}; predicted value over {PREDICT.months} months, discounted at "
        f"{PREDICT.discount_rate:.3%} a month, each purchase valued by {spend}.")}
    return calls


def _has(df: pd.DataFrame, *columns: str) -> bool:
    """True when every column is present with at least one value (as :meth:`CRMData.has`)."""
    return all(has_values(df, c) for c in columns)


def _pareto_table(revenue: pd.Series) -> pd.DataFrame:
    """The 80/20 reading of the revenue: top shares, the x giving 80 %, ABC class sizes."""
    rows = [(f"revenue share of the top {f:.0%} of customers", top_share(revenue, f), "fraction")
            for f in WORKBOOK.pareto_tops]
    target = PYRAMID.pareto_target
    rows.append((f"share of customers bringing {target * 100:g} % of revenue",
                 pareto_fraction(revenue, target), "fraction"))
    for cls, n in abc_classes(revenue).value_counts().sort_index().items():
        rows.append((f"class {cls} customers (ABC)", int(n), "customers"))
    return pd.DataFrame(rows, columns=["measure", "value", "unit"]).set_index("measure")


def _lifecycle_table(crm: CRMData, as_of) -> pd.DataFrame:
    from custlib.lifecycle import lifecycle_features, lifecycle_stage

    feats = lifecycle_features(crm.orders, as_of)
    out = {scheme: lifecycle_stage(feats, scheme).value_counts(sort=False)
           for scheme in ("operator", "textbook")}
    # lifecycle_stage, not stage: the stage of the other sheets is the sales stage
    return pd.concat(out, names=["scheme", "lifecycle_stage"]).rename("customers").to_frame()


def _funnel_table(opportunities: pd.DataFrame) -> pd.DataFrame | None:
    """Stage counts and conversion (needs the date each stage was entered)."""
    from custlib.funnel import conversion_rates

    if not _has(opportunities, "opportunity_date", "first_appointment_date"):
        return None
    return conversion_rates(opportunities)


def _grades_table(opportunities: pd.DataFrame, as_of) -> pd.DataFrame | None:
    from custlib.grading import grade_by_probability, grade_by_time_to_close
    from custlib.schema import OPEN_STAGES

    if not _has(opportunities, "expected_close_date"):
        return None
    op = opportunities[opportunities["stage"].isin(OPEN_STAGES)]
    if op.empty:
        return None
    t = pd.DataFrame({"by time to close": grade_by_time_to_close(op["expected_close_date"], as_of)
                      .value_counts(sort=False)})
    if _has(op, "probability"):
        t["by probability"] = grade_by_probability(op["probability"], op["expected_close_date"],
                                                   as_of).value_counts(sort=False)
    t.index.name = "grade"
    return t
