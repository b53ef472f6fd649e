"""The market events of the synthetic CRM and their invitations (``events``).

:func:`make_events` takes the numpy generator, the :class:`Calibration` and the
:class:`~custlib.synth.accounts.Accounts`, and returns :class:`Events`: events
through years 1 and 2 (``events_per_customer_year`` of them), each held in a city
and inviting that city's customers and prospects; who was reached, who came, the
deals closed there, the invitation channel, and the theme of each event.
:func:`events_table` turns them, the customer ids and the locale into the table of
one row per invitation, with each event's name (year, season, theme, city); it
draws nothing.

Examples
--------
>>> from custlib.synth.generate import generate
>>> ev = generate(seed=1, customers=200)["events"].to_pandas()
>>> bool((ev["attended"] <= ev["invited"]).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from custlib import schema
from custlib.synth import providers, words
from custlib.synth._arrays import Ids, cat, date_array, join, pick_within, take, year_bounds
from custlib.synth.accounts import Accounts
from custlib.synth.calibration import EPOCH, YEAR1, YEAR2, Calibration

__all__ = ["Events", "make_events", "events_table"]


@dataclass(frozen=True)
class Events:
    """The events (per event) and their invitations (per invitation, by event then account)."""

    #: per invitation: event, account, reached, came, deal amount, channel code
    ev: np.ndarray
    cust: np.ndarray
    invited: np.ndarray
    attended: np.ndarray
    deal: np.ndarray
    channel: np.ndarray
    #: per event: day number, year, theme and city
    day: np.ndarray
    year: np.ndarray
    theme: np.ndarray
    city: np.ndarray


def make_events(rng: np.random.Generator, cal: Calibration, acc: Accounts) -> Events:
    """Draw the events' days and cities, then the invitations, then the themes."""
    per_year = max(4, round(acc.n_buyers * cal.events_per_customer_year))
    n_ev = 2 * per_year
    year = np.repeat([YEAR1, YEAR2], per_year)
    lo, hi = year_bounds(year)
    day = np.sort(lo + (rng.random(n_ev) * (hi - lo - 30)).astype(np.int64) + 15)
    # each event is held in a city and invites that city's customers and prospects
    invitees = np.concatenate([acc.buyers, acc.prospects])
    inv_city = acc.city[invitees]
    weights = np.bincount(inv_city, minlength=len(acc.cities)).astype(float)
    ev_city = rng.choice(len(weights), n_ev, p=weights / weights.sum())
    size = np.minimum(rng.integers(40, 160, n_ev), weights[ev_city].astype(np.int64))
    ev = np.repeat(np.arange(n_ev), size)
    cust = invitees[pick_within(ev_city[ev], inv_city, len(weights), rng)]
    key = np.unique(ev.astype(np.int64) * acc.n + cust)
    ev, cust = key // acc.n, key % acc.n
    m = len(ev)
    invited = rng.random(m) < cal.invitation_reach
    attended = invited & (rng.random(m) < cal.attendance)
    deal = np.where(attended & (rng.random(m) < 0.2),
                    np.round(rng.lognormal(np.log(5_000), 0.7, m), -2), 0).astype(np.int64)
    theme = rng.integers(0, len(words.EVENT_THEMES), n_ev)
    channel = rng.choice(len(schema.EVENT_CHANNELS), m, p=[0.4, 0.15, 0.1, 0.25, 0.1])
    return Events(ev=ev, cust=cust, invited=invited, attended=attended, deal=deal,
                  channel=channel, day=day, year=year, theme=theme, city=ev_city)


def events_table(e: Events, acc: Accounts, customer_ids: Ids, locale: str) -> pa.Table:
    """The ``events`` table: one row per invitation, by event then customer id."""
    zh = locale == "zh_CN"
    n_ev = len(e.day)
    season_zh = np.where(((EPOCH + e.day.astype("timedelta64[D]")).astype("datetime64[M]")
                          .astype(np.int64) % 12) < 6, 0, 1)
    themes = pa.array([t[0] if zh else t[1] for t in words.EVENT_THEMES])
    city = take(acc.cities, e.city)
    year = pa.array(e.year.astype(str))
    if zh:
        season = cat(("春季", "秋季"), season_zh)
        ev_name = join(year, "年", season, take(themes, e.theme), "（", city, "）")
    else:
        season = cat(("Spring", "Autumn"), season_zh)
        ev_name = join(year, " ", season, " ", take(themes, e.theme), " — ", city)
    ev_ids = providers.format_ids("E", np.arange(1, n_ev + 1), max(4, len(str(n_ev))))
    order = np.lexsort((customer_ids.rank[e.cust], e.ev))
    sel = e.ev[order]
    m = len(order)
    return pa.table({
        "invitation_id": providers.format_ids("I", np.arange(1, m + 1), max(6, len(str(m)))),
        "event_id": take(ev_ids, sel),
        "event_name": take(ev_name, sel),
        "event_date": date_array(e.day[sel]),
        "customer_id": customer_ids.of(e.cust[order]),
        "invited": pa.array(e.invited[order]),
        "channel": cat(schema.EVENT_CHANNELS, e.channel[order], mask=~e.invited[order]),
        "attended": pa.array(e.attended[order]),
        "deal_amount": pa.array(e.deal[order]),
    })
