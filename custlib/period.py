"""The analysis date and the windows every lesson, the workbook and the report share.

One definition, so the HTML pages and the Excel file can never disagree by a day:

* the **analysis date** (``as_of``, 分析日期) is the date stated with the data — the
  mapping's ``[settings] as_of``, ``custlib run --as-of`` or ``load(as_of=...)`` —
  else the last dated row (the latest order or activity);
* the **window** of ``months`` months up to ``as_of`` runs from the day after
  ``as_of − months`` to ``as_of``, both included: ``2025-01-01 … 2025-12-31`` for the
  12 months up to 2025-12-31. The year before it is ``window(as_of, 12, back=1)``.

Examples
--------
>>> import pandas as pd
>>> window("2025-12-31")
(Timestamp('2025-01-01 00:00:00'), Timestamp('2025-12-31 00:00:00'))
>>> window("2025-12-31", back=1)
(Timestamp('2024-01-01 00:00:00'), Timestamp('2024-12-31 00:00:00'))
>>> o = pd.DataFrame({"customer_id": ["A", "A", "B"], "amount": [100.5, 50, 30],
...                   "cost": [40, 20, 10],
...                   "order_date": pd.to_datetime(["2025-03-01", "2024-06-01", "2025-12-31"])})
>>> revenue_by_customer(o, *window("2025-12-31")).to_dict()
{'A': 100.5, 'B': 30.0}
>>> profit_by_customer(o, *window("2025-12-31")).to_dict()
{'A': 60.5, 'B': 20.0}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib._validate import check_date

__all__ = ["as_of", "last_dated", "window", "in_window", "windows_back", "revenue_by_customer",
           "profit_by_customer", "first_full_year"]


def last_dated(crm) -> pd.Timestamp:
    """The latest order or activity date of ``crm``, at midnight."""
    dates = [crm.orders["order_date"].max()]
    if hasattr(crm, "last_date"):     # CRMData: without reading a table not read yet
        dates.append(crm.last_date("activities", "activity_date"))
    else:
        acts = getattr(crm, "activities", None)
        if acts is not None and len(acts) and "activity_date" in acts:
            dates.append(acts["activity_date"].max())
    dates = [d for d in dates if pd.notna(d)]
    if not dates:
        raise ValueError("the data has no dated orders or activities: cannot tell the analysis "
                         "date; give it as as_of")
    return pd.Timestamp(max(dates)).normalize()


def as_of(crm=None, given=None) -> pd.Timestamp:
    """The analysis date: ``given``, else the one stated with the data, else the last
    dated row.

    Parameters
    ----------
    crm : CRMData, optional
        The loaded data (its ``as_of`` is the stated date, or None).
    given : date-like, optional
        A date that overrides both.

    Returns
    -------
    Timestamp
        At midnight.

    Raises
    ------
    ValueError
        ``given`` is not a date, or there is nothing to take the date from.

    Examples
    --------
    >>> as_of(given="2025-12-31")
    Timestamp('2025-12-31 00:00:00')
    """
    if given is not None:
        return check_date(given, "as_of").normalize()
    if crm is None:
        raise ValueError("as_of needs the data or a date")
    stated = getattr(crm, "as_of", None)
    if stated is not None:
        return pd.Timestamp(stated).normalize()
    return last_dated(crm)


def window(end, months: int = 12, back: int = 0) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day (both included) of the ``months`` months up to ``end``.

    Parameters
    ----------
    end : date-like or CRMData
        The analysis date, or the data (then :func:`as_of` of it).
    months : int, default 12
        Length of the window.
    back : int, default 0
        Windows to step back: 1 gives the ``months`` before the window up to ``end``.

    Returns
    -------
    (Timestamp, Timestamp)
    """
    if not isinstance(end, (str, pd.Timestamp)) and hasattr(end, "orders"):
        end = as_of(end)
    end = pd.Timestamp(end).normalize() - pd.DateOffset(months=months * back)
    return end - pd.DateOffset(months=months) + pd.Timedelta(days=1), end


def in_window(frame: pd.DataFrame, start, end, column: str = "order_date") -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` lies in ``[start, end]``."""
    d = frame[column]
    return frame[(d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end))]


def windows_back(dates: pd.Series, end, months: int = 12) -> pd.Series:
    """Which window back from ``end`` each date lies in: 0 for :func:`window` ``(end)``,
    1 for the ``months`` months before it, and so on; -1 after ``end`` (or no date).

    The windows are those of ``window(end, months, back=k)`` for ``k = 0, 1, …`` until
    one ends before the earliest date: the year-by-year view of lesson 4's retention,
    without filtering the orders once per year.

    Parameters
    ----------
    dates : Series of datetime64
        Order dates, say (``orders["order_date"]``).
    end : date-like
        The analysis date: the last day of window 0.
    months : int, default 12
        Length of each window.

    Returns
    -------
    Series of int64
        On the index of ``dates``, named ``windows_back``.

    Examples
    --------
    >>> d = pd.Series(pd.to_datetime(["2025-12-31", "2025-01-01", "2024-12-31", "2026-01-05", None]))
    >>> windows_back(d, "2025-12-31").tolist()
    [0, 0, 1, -1, -1]
    """
    dates = pd.Series(dates)
    out = np.full(len(dates), -1, dtype=np.int64)
    values = dates.to_numpy()
    first, k = dates.min(), 0
    while not pd.isna(first):
        start, stop = window(end, months, back=k)
        if stop < first:
            break
        out[(values >= start.to_datetime64()) & (values <= stop.to_datetime64())] = k
        k += 1
    return pd.Series(out, index=dates.index, name="windows_back")


def revenue_by_customer(orders: pd.DataFrame, start, end) -> pd.Series:
    """Revenue per customer of the orders dated ``start … end`` (both included).

    Customers without an order in the window are not listed. Units: those of
    ``amount`` (cents kept).
    """
    o = in_window(orders, start, end)
    return o.groupby("customer_id", observed=True)["amount"].sum().astype(float).rename("revenue")


def profit_by_customer(orders: pd.DataFrame, start, end) -> pd.Series:
    """Profit (``amount − cost``) per customer of the orders dated ``start … end``.

    Raises
    ------
    ValueError
        The orders carry no ``cost`` values.
    """
    if "cost" not in orders or not orders["cost"].notna().any():
        raise ValueError("profit needs the orders' cost column, which the data does not have")
    o = in_window(orders, start, end)
    profit = (o["amount"] - o["cost"]).astype(float)
    return profit.groupby(o["customer_id"], observed=True).sum().rename("profit")


def first_full_year(orders: pd.DataFrame, end=None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The first 12-month window, counted back from ``end``, fully covered by orders.

    The windows are those of :func:`window` (``end``, then a year earlier, …); the
    first one is the earliest whose start is on or after the first order date. The
    pyramid's data-fitted cut-offs are read from it, so year two can be compared with
    fixed cut-offs as in the source's case (digest §7). None when the orders span
    less than a year.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"order_date": pd.to_datetime(["2023-07-01", "2025-12-31"])})
    >>> first_full_year(o)
    (Timestamp('2024-01-01 00:00:00'), Timestamp('2024-12-31 00:00:00'))
    """
    dates = orders["order_date"].dropna()
    if dates.empty:
        return None
    end = pd.Timestamp(end if end is not None else dates.max()).normalize()
    first = dates.min().normalize()
    best = None
    back = 0
    while True:
        start, stop = window(end, 12, back)
        if start < first:
            return best
        best = (start, stop)
        back += 1
