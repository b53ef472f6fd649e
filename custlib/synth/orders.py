"""Customer-years and orders: revenue per customer and year, the drop-out, the ``orders`` table.

Two steps and a table:

* :func:`make_customer_years` takes the numpy generator, the :class:`Calibration`,
  the :class:`~custlib.synth.accounts.Accounts` and the drop-out's own generator, and
  returns :class:`CustomerYears` (revenue and order window of every customer and year:
  history, year 1, year 2 with the meeting effect, inactive customers' last years) and
  :class:`Year2` (who had the structured meeting, who dropped out and when);
* :func:`make_orders` takes the numpy generator, the calibration and the customer-years,
  and returns :class:`Orders`: each year's revenue split into orders with dates,
  product lines, seats, costs, buyer kinds and upgrades, sorted by date;
* :func:`orders_table` turns the orders and the customer ids into the ``orders`` table
  (it draws nothing).

Examples
--------
>>> import numpy as np
>>> from custlib.synth.accounts import make_accounts
>>> from custlib.synth.calibration import YEAR1, Calibration
>>> from custlib.synth.orders import make_customer_years, make_orders
>>> from custlib.synth.people import name_pools
>>> from custlib.synth.reps import make_reps
>>> rng, cal = np.random.default_rng(1), Calibration()
>>> reps = make_reps(rng, cal, 200, "en_US", name_pools("en_US", 1))
>>> acc = make_accounts(rng, cal, 200, "en_US", reps)
>>> years, year2 = make_customer_years(rng, cal, acc, np.random.default_rng(2))
>>> orders = make_orders(rng, cal, years)
>>> int(orders.amount.sum()) == int(years.revenue.sum())  # every yearly total is exact
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from custlib import schema
from custlib.synth import providers
from custlib.synth._arrays import (SNAP_DAY, Ids, Season, cat, date_array, group_starts,
                                   year_bounds)
from custlib.synth.accounts import Accounts
from custlib.synth.calibration import EPOCH, YEAR1, YEAR2, Calibration

__all__ = ["CustomerYears", "Year2", "Orders", "make_customer_years", "make_orders",
           "orders_table"]


@dataclass(frozen=True)
class CustomerYears:
    """One row per customer and year it bought in: revenue and the days its orders fall in."""

    #: account number of each row
    account: np.ndarray
    #: calendar year of each row
    year: np.ndarray
    #: revenue of the customer in the year (yuan)
    revenue: np.ndarray
    #: first and last possible order day (the last cut at a drop-out)
    lo: np.ndarray
    hi: np.ndarray
    #: whether the row is the customer's first year (its first order is on ``lo``)
    first: np.ndarray


@dataclass(frozen=True)
class Year2:
    """What year 2 did to the customers: the structured meeting and the drop-out."""

    #: whether each year-1 customer was given the structured meeting (客户会谈)
    meeting: np.ndarray
    #: drop-out day number of each account, -1 for none
    churn_day: np.ndarray


@dataclass(frozen=True)
class Orders:
    """The orders, sorted by date then account; one array per field."""

    cust: np.ndarray
    date: np.ndarray
    amount: np.ndarray
    line: np.ndarray
    seats: np.ndarray
    upgrade: np.ndarray
    individual: np.ndarray
    cost: np.ndarray
    #: whether the order is its customer's first
    first: np.ndarray


def _year_of(days: np.ndarray) -> np.ndarray:
    return (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[Y]").astype(np.int64) + 1970


def make_customer_years(rng: np.random.Generator, cal: Calibration, acc: Accounts,
                        churn_rng: np.random.Generator) -> tuple[CustomerYears, Year2]:
    """Revenue per customer and year: history, year 1, year 2; then the drop-out.

    Draws the year-2 meeting and growth, the history and the inactive customers' years
    from ``rng``; the drop-out from ``churn_rng`` only.
    """
    n, tier, rev1 = acc.n_buyers, acc.tier, acc.rev1
    rows_c, rows_y, rows_rev = [np.arange(n)], [np.full(n, YEAR1)], [rev1]

    # year 2: meeting effect and a few small customers moving up (digest §7)
    meeting = rng.random(n) < np.array(cal.meeting_share)[tier]
    sigma = cal.growth_noise
    g = np.where(meeting, 1 + cal.meeting_growth, 1 + cal.no_meeting_growth)
    rev2 = rev1 * g * rng.lognormal(-sigma**2 / 2, sigma, n)
    mover = (tier == 3) & meeting & (rng.random(n) < cal.small_mover_share)
    rev2[mover] = rng.uniform(cal.tier_low[2] * 1.05, cal.tier_low[2] * 2.2, int(mover.sum()))
    # rescale the non-movers so each group's total moves by exactly its case growth
    for grp, growth in ((meeting, cal.meeting_growth), (~meeting, cal.no_meeting_growth)):
        target = rev1[grp].sum() * (1 + growth)
        fixed = rev2[grp & mover].sum()
        free = grp & ~mover
        rev2[free] *= (target - fixed) / rev2[free].sum()
    rev2 = np.maximum(np.round(rev2), cal.min_order).astype(np.int64)
    rows_c.append(np.arange(n))
    rows_y.append(np.full(n, YEAR2))
    rows_rev.append(rev2)

    # history of established customers, shrinking backwards at the history growth rate
    first_year = _year_of(acc.first_purchase[:n])
    span = np.maximum(YEAR1 - first_year, 0)
    c = np.repeat(np.arange(n), span)
    back = np.arange(len(c)) - np.repeat(group_starts(span), span) + 1  # 1, 2, ... years back
    rev = rev1[c] * (1 + cal.history_growth) ** (-back) * rng.lognormal(-0.045, 0.3, len(c))
    rows_c.append(c)
    rows_y.append(YEAR1 - back)
    rows_rev.append(rev)

    # inactive customers: bought for a few years, then stopped before year 1
    ina = acc.inactive
    f_year = _year_of(acc.first_purchase[ina])
    last_year = np.minimum(f_year + rng.integers(0, 3, len(ina)), YEAR1 - 1)
    span = last_year - f_year + 1
    c = np.repeat(ina, span)
    y = np.repeat(f_year, span) + np.arange(len(c)) - np.repeat(group_starts(span), span)
    a, b, m = cal.tier_low[3], cal.tier_high[3], cal.tier_mean[3]
    rev = a + (b - a) * rng.random(len(c)) ** ((b - a) / (m - a) - 1)
    rows_c.append(c)
    rows_y.append(y)
    rows_rev.append(rev)

    cy_c = np.concatenate(rows_c)
    cy_y = np.concatenate(rows_y).astype(np.int64)
    cy_rev = np.maximum(np.round(np.concatenate(rows_rev)), cal.min_order).astype(np.int64)
    lo, hi = year_bounds(cy_y)
    first_year_row = lo <= acc.first_purchase[cy_c]
    lo = np.maximum(lo, acc.first_purchase[cy_c])
    hi = np.minimum(hi, SNAP_DAY)
    # the first year is partial: scale its revenue by the share of the year left
    frac = np.where(first_year_row & (cy_y < YEAR1), (hi - lo + 1) / 365.0, 1.0)
    cy_rev = np.maximum(np.round(cy_rev * frac), cal.min_order).astype(np.int64)
    churn_day, hi = _drop_out(churn_rng, cal, acc, meeting, last_year, cy_c, cy_y, lo, hi)
    years = CustomerYears(account=cy_c, year=cy_y, revenue=cy_rev, lo=lo, hi=hi,
                          first=first_year_row)
    return years, Year2(meeting=meeting, churn_day=churn_day)


def _drop_out(crng: np.random.Generator, cal: Calibration, acc: Accounts, meeting: np.ndarray,
              inactive_last_year: np.ndarray, cy_c: np.ndarray, cy_y: np.ndarray,
              lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw who stops buying and when; return the drop-out days and the order windows' new ends.

    A year-1 customer drops out during year 2 with probability
    ``churn_hazard[tier]``, times ``churn_meeting_factor`` if it had the meeting,
    on a day uniform in ``churn_window`` (days into year 2); an inactive customer
    drops out on a day uniform in its last year of purchases (not before that
    year's first order). The drop-out year's orders then all fall on or before the
    drop-out day (their number and amounts are drawn as before), so yearly revenue
    does not move. Draws from ``crng`` only.

    Parameters
    ----------
    crng : numpy.random.Generator
        The drop-out's own stream.
    cal : Calibration
    acc : Accounts
    meeting : ndarray
        Whether each year-1 customer had the meeting.
    inactive_last_year : ndarray
        Last year of purchases of each inactive customer.
    cy_c, cy_y, lo, hi : ndarray
        Account, year, and first and last possible order day of each customer-year.

    Returns
    -------
    churn_day : ndarray
        Drop-out day number per account, -1 for none.
    hi : ndarray
        ``hi``, cut to the drop-out day in the drop-out year.
    """
    n = acc.n_buyers
    u_who, u_day = crng.random(n), crng.random(n)
    hazard = np.array(cal.churn_hazard)[acc.tier] * np.where(
        meeting, cal.churn_meeting_factor, 1.0)
    churn_day = np.full(acc.n, -1, dtype=np.int64)
    y2_lo, y2_hi = year_bounds(YEAR2)
    y2_hi = min(int(y2_hi), SNAP_DAY)
    w_lo, w_hi = cal.churn_window
    w_hi = min(w_hi, y2_hi - y2_lo)
    gone = u_who < hazard
    churn_day[:n][gone] = (y2_lo + w_lo + (u_day * (w_hi - w_lo + 1)).astype(np.int64))[gone]
    # inactive customers: part-way through their last year (no earlier than its first order)
    ina = acc.inactive  # consecutive account numbers
    u_ina = crng.random(len(ina))
    rows = np.flatnonzero((cy_c >= n) & (cy_c < n + len(ina)))
    rows = rows[cy_y[rows] == inactive_last_year[cy_c[rows] - n]]
    in_last = np.zeros(len(cy_c), dtype=bool)
    in_last[rows] = True
    u = u_ina[cy_c[rows] - n]
    churn_day[cy_c[rows]] = lo[rows] + (u * (hi[rows] - lo[rows] + 1)).astype(np.int64)
    cut = ((cy_y == YEAR2) | in_last) & (churn_day[cy_c] >= 0)
    return churn_day, np.where(cut, np.clip(churn_day[cy_c], lo, hi), hi)


def make_orders(rng: np.random.Generator, cal: Calibration, years: CustomerYears) -> Orders:
    """Split each customer-year's revenue into dated orders (exact yearly totals)."""
    rev = years.revenue
    lam = (rev / cal.orders_scale) ** 0.6
    k = 1 + rng.poisson(lam)
    k = np.minimum(k, np.maximum(rev // cal.min_order, 1)).astype(np.int64)
    row = np.repeat(np.arange(len(rev)), k)
    starts = group_starts(k)
    w = rng.gamma(4.0, size=len(row))
    share = w / np.add.reduceat(w, starts)[np.repeat(np.arange(len(k)), k)]
    amount = 1 + np.floor((rev[row] - k[row]) * share).astype(np.int64)
    amount[starts] += rev - np.add.reduceat(amount, starts)  # exact yearly totals
    date = Season().draw(rng, years.lo[row], years.hi[row])
    first_order = np.zeros(len(row), dtype=bool)
    first_order[starts[years.first]] = True
    date[first_order] = years.lo[row][first_order]  # first order on the first-purchase day
    cust = years.account[row]

    line = rng.choice(4, size=len(row), p=np.array(cal.product_mix))
    software = line < 3
    price = np.array(cal.seat_price)[line]
    seats = np.where(software, np.maximum(1, np.round(amount / np.maximum(price, 1))), 0)
    upgrade = software & ~first_order & (rng.random(len(row)) < cal.upgrade_share)
    individual = np.where(amount < 4_000, rng.random(len(row)) < 0.45,
                          rng.random(len(row)) < 0.03)
    cost = (amount * np.array(cal.cost_rate)[line] * rng.uniform(0.9, 1.1, len(row))
            + cal.handling_cost * rng.uniform(0.6, 1.4, len(row)))
    order = np.lexsort((cust, date))
    return Orders(cust=cust[order].astype(np.int32), date=date[order].astype(np.int32),
                  amount=amount[order], line=line[order].astype(np.int8),
                  seats=seats[order].astype(np.int64),
                  upgrade=upgrade[order], individual=individual[order],
                  cost=np.round(cost[order]).astype(np.int64),
                  first=first_order[order])


def orders_table(o: Orders, customer_ids: Ids) -> pa.Table:
    """The ``orders`` table, ids numbered in date order."""
    n_o = len(o.cust)
    width = max(6, len(str(n_o)))
    return pa.table({
        "order_id": providers.format_ids("O", np.arange(1, n_o + 1), width),
        "customer_id": customer_ids.of(o.cust),
        "order_date": date_array(o.date),
        "product_line": cat(schema.PRODUCT_LINES, o.line),
        "seats": pa.array(o.seats),
        "amount": pa.array(o.amount),
        "cost": pa.array(o.cost),
        "buyer_kind": cat(schema.BUYER_KINDS, o.individual.astype(np.int64)),
        "is_upgrade": pa.array(o.upgrade),
    })
