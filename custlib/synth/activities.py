"""The sales activities of the synthetic CRM: visits, calls and meetings (``activities``).

:func:`make_activities` takes the numpy generator, the
:class:`~custlib.synth.accounts.Accounts`, the :class:`~custlib.synth.orders.Year2`
(who had the structured meeting, who dropped out), the
:class:`~custlib.synth.opportunities.Opportunities` and the
:class:`~custlib.synth.contacts.Contacts`, and returns :class:`Activities`:

* routine follow-up of the customers in years 1 and 2, more visits and a structured
  meeting (客户会谈) in year 2 for those given it (digest §7), none after a drop-out;
* the pipeline's own: a visit at each first appointment and prospect 3, a call at
  each loss;
* the open pipeline's last quarter at the contact cadence of its grade (digest §10);

each with a contact of its account. :func:`activities_table` turns them and the
customer, contact and rep ids into the table (it draws nothing).

Examples
--------
>>> from custlib.synth.generate import generate
>>> act = generate(seed=1, customers=200)["activities"]
>>> sorted(set(act.column("activity_type").to_pylist()))
['call', 'meeting', 'visit']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from custlib import schema
from custlib.synth import providers
from custlib.synth._arrays import SNAP_DAY, Ids, cat, date_array, take, year_bounds
from custlib.synth.accounts import Accounts
from custlib.synth.calibration import YEAR1, YEAR2
from custlib.synth.contacts import Contacts
from custlib.synth.opportunities import Opportunities
from custlib.synth.orders import Year2
from custlib.synth.reps import Reps

__all__ = ["Activities", "make_activities", "activities_table"]

#: outcome probabilities of drawn outcomes, by activity kind (visit, call, meeting)
_OUTCOME_P = {0: [0.45, 0.35, 0.2, 0.0], 1: [0.2, 0.4, 0.2, 0.2], 2: [0.7, 0.3, 0.0, 0.0]}


@dataclass(frozen=True)
class Activities:
    """The activities, sorted by day then account; one array per field."""

    cust: np.ndarray
    kind: np.ndarray
    day: np.ndarray
    outcome: np.ndarray
    #: contact row (as in :class:`~custlib.synth.contacts.Contacts`)
    contact: np.ndarray


def make_activities(rng: np.random.Generator, acc: Accounts, year2: Year2,
                    op: Opportunities, contacts: Contacts) -> Activities:
    """Draw the routine, pipeline and cadence activities, then a contact for each."""
    y1_lo, y1_hi = year_bounds(YEAR1)
    y2_lo, y2_hi = year_bounds(YEAR2)
    snap = SNAP_DAY
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(cust, kind, lo, hi, outcome=None):
        cust = np.asarray(cust)
        lo = np.broadcast_to(lo, cust.shape)
        hi = np.broadcast_to(hi, cust.shape)
        day = lo + (rng.random(len(cust)) * (hi - lo + 1)).astype(np.int64)
        if outcome is None:
            outcome = rng.choice(4, len(cust), p=_OUTCOME_P[kind])
        parts.append((cust, np.full(len(cust), kind), day, np.broadcast_to(outcome, cust.shape)))

    buyers, n, meeting = acc.buyers, acc.n_buyers, year2.meeting
    # routine follow-up of customers; year 2 adds the structured meetings (digest §7).
    # A customer who drops out in year 2 was last visited (and met) before it stopped.
    gone = year2.churn_day[buyers] >= 0
    v_hi = np.where(gone, year2.churn_day[buyers], y2_hi)
    add(np.repeat(buyers, rng.poisson(0.7, n)), 0, y1_lo, y1_hi)
    add(np.repeat(buyers, rng.poisson(2.0, n)), 1, y1_lo, y1_hi)
    v2 = rng.poisson(np.where(meeting, 2.5, 0.5))
    add(np.repeat(buyers, v2), 0, y2_lo, np.repeat(v_hi, v2))
    add(np.repeat(buyers, rng.poisson(2.0, n)), 1, y2_lo, y2_hi)
    add(buyers[meeting], 2, y2_lo, np.minimum(y2_lo + 180, v_hi[meeting]))

    # pipeline: first appointments are visits, prospect-3 gets a visit, losses a call
    d = op.dates
    for s, kind, out in ((1, 0, 0), (4, 0, 0)):
        has = d[:, s] >= 0
        add(op.cust[has], kind, d[has, s], d[has, s], out)
    lost = d[:, 6] >= 0
    add(op.cust[lost], 1, d[lost, 6], d[lost, 6], 2)

    # contact cadence of the open pipeline in the last quarter, by grade (digest §10):
    # A (prospect 3): a visit and two calls a week; B (prospect 2): a call a week and a
    # visit a fortnight; C (first appointment, prospect 1): a call a fortnight and a
    # visit a month; D (opportunity): a call a month.
    open_ = op.outcome == 0
    grade = np.array([3, 2, 2, 1, 0])[op.final[open_]]
    visits_wk = np.array([1.0, 0.5, 0.25, 0.0])[grade]
    calls_wk = np.array([2.0, 1.0, 0.5, 0.25])[grade]
    entered = d[open_][np.arange(open_.sum()), op.final[open_]]
    start = np.maximum(entered, snap - 90)
    weeks = (snap - start + 1) / 7
    cust = op.cust[open_]
    for kind, rate in ((0, visits_wk), (1, calls_wk)):
        cnt = rng.poisson(rate * weeks * rng.uniform(0.7, 1.2, len(cust)))
        add(np.repeat(cust, cnt), kind, np.repeat(start, cnt), snap)

    cust = np.concatenate([p[0] for p in parts])
    kind = np.concatenate([p[1] for p in parts])
    day = np.minimum(np.concatenate([p[2] for p in parts]), snap)
    outcome = np.concatenate([p[3] for p in parts])
    contact = (contacts.start[cust]
               + (rng.random(len(cust)) * contacts.count[cust]).astype(np.int64))
    order = np.lexsort((cust, day))
    return Activities(cust=cust[order].astype(np.int32), kind=kind[order].astype(np.int8),
                      day=day[order].astype(np.int32), outcome=outcome[order].astype(np.int8),
                      contact=contact[order].astype(np.int32))


def activities_table(a: Activities, acc: Accounts, customer_ids: Ids, contact_ids: Ids,
                     reps: Reps) -> pa.Table:
    """The ``activities`` table, ids numbered in date order; the rep is the account's."""
    n_a = len(a.cust)
    return pa.table({
        "activity_id": providers.format_ids("A", np.arange(1, n_a + 1),
                                            max(6, len(str(n_a)))),
        "activity_date": date_array(a.day),
        "customer_id": customer_ids.of(a.cust),
        "contact_id": contact_ids.of(a.contact),
        "rep_id": take(reps.ids, acc.rep[a.cust]),
        "activity_type": cat(schema.ACTIVITY_TYPES, a.kind),
        "outcome": cat(schema.ACTIVITY_OUTCOMES, a.outcome),
    })
