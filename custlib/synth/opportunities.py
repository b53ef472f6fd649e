"""The sales pipeline of the synthetic CRM: the ``opportunities`` table (digest §12).

:func:`make_opportunities` takes the numpy generator, the :class:`Calibration`, the
:class:`~custlib.synth.orders.Orders`, the :class:`~custlib.synth.accounts.Accounts`
and the :class:`~custlib.synth.reps.Reps`, and returns :class:`Opportunities`:

* won opportunities: the larger orders of years 1-2 and every new customer's first
  order, traced back through the stages from the order;
* lost ones, added so that stage-to-stage conversion is ``Calibration.conversion``
  (about one win per five first appointments);
* the open pipeline at the snapshot, per rep, shaped by the rep's profile (a
  healthy funnel, an empty front, a middle pile-up);

each with its stage dates, probability, expected close and value, product line,
buyer kind, upgrade flag, source and lost reason. :func:`opportunities_table` turns
them, the customer ids and the rep ids into the table (it draws nothing).

Examples
--------
>>> from custlib import schema
>>> from custlib.synth.generate import generate
>>> opp = generate(seed=1, customers=200)["opportunities"]
>>> set(opp.column("stage").to_pylist()) <= set(schema.STAGES)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from custlib import schema
from custlib.synth import providers
from custlib.synth._arrays import (SNAP_DAY, Ids, cat, date_array, durations, pick_within,
                                   take, year_bounds)
from custlib.synth.accounts import Accounts
from custlib.synth.calibration import EPOCH, HISTORY_START, YEAR1, Calibration
from custlib.synth.orders import Orders
from custlib.synth.reps import Reps

__all__ = ["Opportunities", "make_opportunities", "opportunities_table"]


@dataclass(frozen=True)
class Opportunities:
    """The opportunities, sorted by creation date then account; one array per field."""

    cust: np.ndarray
    rep: np.ndarray
    #: last stage reached (0 opportunity .. 4 prospect 3, 5 won)
    final: np.ndarray
    #: 0 open, 1 won, 2 lost
    outcome: np.ndarray
    #: day number each stage was entered (opp, fa, p1, p2, p3, won, lost), -1 if not
    dates: np.ndarray
    prob: np.ndarray
    exp_close: np.ndarray
    value: np.ndarray
    source: np.ndarray
    reason: np.ndarray
    line: np.ndarray
    individual: np.ndarray
    upgrade: np.ndarray


def make_opportunities(rng: np.random.Generator, cal: Calibration, o: Orders, acc: Accounts,
                       reps: Reps) -> Opportunities:
    """Draw the won, lost and open opportunities and walk their stage dates back."""
    conv = np.array(cal.conversion)
    dwell = np.array(cal.dwell_days)
    y1_start = year_bounds(YEAR1)[0]
    snap = SNAP_DAY

    # won: the larger orders of years 1-2 and every new customer's first order
    won = (o.date >= y1_start) & ((o.amount >= cal.deal_threshold) | o.first)
    w_idx = np.flatnonzero(won)
    n_won = len(w_idx)
    reached = n_won / np.cumprod(conv[::-1])[::-1]  # expected counts reaching each stage
    lost_at = np.round(reached - np.append(reached[1:], n_won)).astype(np.int64)

    parts = []
    # won opportunities, traced back from the order
    parts.append(dict(cust=o.cust[w_idx], final=np.full(n_won, 5),
                      end=o.date[w_idx], outcome=np.full(n_won, 1),
                      value=o.amount[w_idx]))
    # lost opportunities: close date spread over years 1-2, lost at each stage
    n_lost = lost_at.sum()
    final = np.repeat(np.arange(5), lost_at)
    end = rng.integers(y1_start + 20, snap + 1, n_lost)
    # who: never-met leads are mostly suspects; met-and-lost are customers or prospects
    n_pros = len(acc.prospects)
    fa_plus = final >= 1
    p_pros = max(0.15, (n_pros + 10) / max(fa_plus.sum(), 1))
    u = rng.random(n_lost)
    cust = np.where(u < 0.05, rng.choice(acc.inactive, n_lost),
                    rng.integers(0, acc.n_buyers, n_lost))
    to_susp = ~fa_plus & (u >= 0.05) & (u < 0.65)
    cust[to_susp] = rng.choice(acc.suspects, int(to_susp.sum()))
    to_pros = np.flatnonzero(fa_plus & (rng.random(n_lost) < p_pros))
    if len(to_pros) < n_pros:  # every prospect must have reached a first appointment
        extra = np.flatnonzero(fa_plus)[~np.isin(np.flatnonzero(fa_plus), to_pros)]
        to_pros = np.concatenate([to_pros, extra[: n_pros - len(to_pros)]])
    pros_for = rng.choice(acc.prospects, len(to_pros))
    pros_for[rng.permutation(len(to_pros))[:n_pros]] = rng.permutation(acc.prospects)
    cust[to_pros] = pros_for
    value = np.round(rng.lognormal(np.log(12_000), 0.8, n_lost), -2).astype(np.int64)
    parts.append(dict(cust=cust, final=final, end=end, outcome=np.full(n_lost, 2),
                      value=np.maximum(value, 500)))

    # open pipeline at the snapshot, per rep, shaped by the rep's profile (Little's law)
    per_rep_day = reached / 730 / reps.n
    mult = np.array([[1.0, 1.0, 1.0, 1.0, 1.0],      # healthy funnel
                     [0.03, 0.08, 0.8, 1.0, 1.6],    # stopped prospecting: empty front
                     [1.0, 1.0, 1.5, 4.0, 0.6]])     # proposals pending: middle pile-up
    lam = per_rep_day[None, :] * dwell[None, :] * mult[reps.profile]
    n_open = rng.poisson(lam)  # reps x stages
    rep = np.repeat(np.repeat(np.arange(reps.n), 5), n_open.ravel())
    stage = np.repeat(np.tile(np.arange(5), reps.n), n_open.ravel())
    n_op = len(rep)
    stuck = np.where((reps.profile[rep] == 2) & (stage == 3), 6.0, 2.0)
    entered = snap - (rng.random(n_op) * stuck * dwell[stage]).astype(np.int64)
    # who: by the rep's own accounts; opportunity-stage leads mostly suspects
    layer_want = np.where(stage == 0, np.where(rng.random(n_op) < 0.6, 3, 0),
                          np.where(rng.random(n_op) < 0.45, 2, 0))
    pool_group = acc.rep * 4 + acc.layer
    cust = pick_within(rep * 4 + layer_want, pool_group, reps.n * 4, rng)
    missing = cust < 0
    cust[missing] = pick_within(layer_want[missing], acc.layer, 4, rng)
    value = np.round(rng.lognormal(np.log(12_000), 0.8, n_op), -2).astype(np.int64)
    parts.append(dict(cust=cust, final=stage, end=entered, outcome=np.zeros(n_op, int),
                      value=np.maximum(value, 500), rep=rep))

    cust = np.concatenate([p["cust"] for p in parts])
    final = np.concatenate([p["final"] for p in parts])
    end = np.concatenate([p["end"] for p in parts]).astype(np.int64)
    outcome = np.concatenate([p["outcome"] for p in parts])  # 0 open, 1 won, 2 lost
    value = np.concatenate([p["value"] for p in parts])
    rep = np.concatenate([acc.rep[parts[0]["cust"]], acc.rep[parts[1]["cust"]],
                          parts[2]["rep"]])
    m = len(cust)

    # stage entry dates, walking back from the end: a stage's date is set if reached
    stage_date = np.full((m, 7), -1, dtype=np.int64)  # opp, fa, p1, p2, p3, won, lost
    t = end.copy()
    closed_stage = np.where(outcome == 1, 5, 6)
    is_closed = outcome > 0
    stage_date[is_closed, closed_stage[is_closed]] = t[is_closed]
    # time in the final open stage before closing (won from p3; lost from its stage)
    last_open = np.where(outcome == 1, 4, final)
    t = np.where(is_closed, t - durations(rng, dwell[last_open], m), t)
    for s in range(4, -1, -1):
        here = last_open >= s
        at = here & (last_open == s)
        stage_date[at, s] = t[at]
        before = here & (last_open > s)
        stage_date[before, s] = (stage_date[before, s + 1]
                                 - durations(rng, dwell[s], int(before.sum())))
    lo = int((HISTORY_START - EPOCH).astype(np.int64))
    stage_date[stage_date >= 0] = np.maximum(stage_date[stage_date >= 0], lo)
    # a stage date never precedes the stage before it
    for s in range(1, 7):
        prev = stage_date[:, :s].max(axis=1)
        has = stage_date[:, s] >= 0
        stage_date[has, s] = np.maximum(stage_date[has, s], prev[has])

    # probability and expected close by stage (digest §10 grades follow from these)
    p_lo = np.array([0.02, 0.10, 0.20, 0.50, 0.80])
    p_hi = np.array([0.10, 0.20, 0.45, 0.75, 0.95])
    close_lo = np.array([120, 90, 60, 15, 1])
    close_hi = np.array([300, 270, 180, 90, 30])
    st = np.minimum(final, 4)
    prob = np.round(p_lo[st] + rng.random(m) * (p_hi[st] - p_lo[st]), 2)
    exp_close = (snap + close_lo[st]
                 + (rng.random(m) * (close_hi - close_lo)[st]).astype(np.int64))
    prob = np.where(outcome == 1, 1.0, np.where(outcome == 2, 0.0, prob))
    exp_close = np.where(is_closed, stage_date[:, 5:7].max(axis=1), exp_close)

    # expected product, buyer kind and upgrade: from the order when won, else drawn
    won_part = outcome == 1
    line = rng.choice(4, size=m, p=np.array(cal.product_mix))
    individual = np.where(value < 4_000, rng.random(m) < 0.45, rng.random(m) < 0.03)
    upgrade = (line < 3) & (cust < acc.n_buyers) & (rng.random(m) < cal.upgrade_share)
    line[won_part] = o.line[w_idx]
    individual[won_part] = o.individual[w_idx]
    upgrade[won_part] = o.upgrade[w_idx]
    source = np.where(outcome == 1, rng.choice(5, m, p=[0.3, 0.35, 0.1, 0.2, 0.05]),
                      rng.choice(5, m, p=[0.35, 0.2, 0.2, 0.15, 0.1]))
    reason = rng.choice(len(schema.LOST_REASONS), m, p=[0.2, 0.35, 0.2, 0.15, 0.1])
    order = np.lexsort((cust, stage_date[:, 0]))
    return Opportunities(
        cust=cust[order].astype(np.int32), rep=rep[order].astype(np.int32),
        final=final[order].astype(np.int8), outcome=outcome[order].astype(np.int8),
        dates=stage_date[order].astype(np.int32), prob=prob[order],
        exp_close=exp_close[order], value=value[order], source=source[order],
        reason=reason[order], line=line[order].astype(np.int8),
        individual=individual[order], upgrade=upgrade[order])


def opportunities_table(op: Opportunities, customer_ids: Ids, reps: Reps) -> pa.Table:
    """The ``opportunities`` table, ids numbered in creation order."""
    n_op = len(op.cust)
    d = op.dates
    stage_code = np.where(op.outcome == 1, 5, np.where(op.outcome == 2, 6, op.final))
    cols = {
        "opportunity_id": providers.format_ids("K", np.arange(1, n_op + 1),
                                               max(6, len(str(n_op)))),
        "customer_id": customer_ids.of(op.cust),
        "rep_id": take(reps.ids, op.rep),
        "source": cat(schema.OPPORTUNITY_SOURCES, op.source),
        "stage": cat(schema.STAGES, stage_code),
    }
    for j, stage in enumerate(schema.STAGES):
        col = schema.STAGE_DATE_COLUMNS[stage]
        cols[col] = date_array(np.maximum(d[:, j], 0), mask=d[:, j] < 0)
    cols["lost_reason"] = cat(schema.LOST_REASONS, op.reason, mask=op.outcome != 2)
    cols["expected_close_date"] = date_array(op.exp_close)
    cols["expected_value"] = pa.array(op.value)
    cols["product_line"] = cat(schema.PRODUCT_LINES, op.line)
    cols["buyer_kind"] = cat(schema.BUYER_KINDS, op.individual.astype(np.int64))
    cols["is_upgrade"] = pa.array(op.upgrade)
    cols["probability"] = pa.array(op.prob)
    return pa.table(cols)
