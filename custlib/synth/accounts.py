"""The accounts of the synthetic CRM: who exists, where, whose, and year-1 revenue.

:func:`make_accounts` takes the numpy generator, the :class:`Calibration`, the
number of year-1 customers, the locale and the :class:`~custlib.synth.reps.Reps`,
and returns :class:`Accounts`, the population every later step draws on:

* the status layer of each account: per year-1 customer, the case's inactive
  customers, prospects and suspects (digest §7), numbered in that order;
* each year-1 customer's pyramid tier and its year-1 revenue, drawn inside the tier's
  range with the tier's mean (stratified, so a small population lands near the case);
* city (and province), rep (from the city's region), organisation type and business
  line of every account;
* the first-purchase day of customers (established 2019-2023, or new in year 1) and
  of inactive customers (2019-2022); -1 for prospects and suspects.

The ``customers`` table itself needs the other tables (first contact, seats bought)
and is made last, by :mod:`custlib.synth.customers`.

Examples
--------
>>> import numpy as np
>>> from custlib.synth.accounts import make_accounts
>>> from custlib.synth.calibration import Calibration
>>> from custlib.synth.people import name_pools
>>> from custlib.synth.reps import make_reps
>>> rng, cal = np.random.default_rng(1), Calibration()
>>> reps = make_reps(rng, cal, 2126, "en_US", name_pools("en_US", 1))
>>> acc = make_accounts(rng, cal, 2126, "en_US", reps)
>>> acc.n, np.bincount(acc.layer).tolist()
(3530, [2126, 154, 250, 1000])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from custlib import schema
from custlib.synth import geo
from custlib.synth._arrays import day_of, pick_within
from custlib.synth.calibration import Calibration
from custlib.synth.reps import Reps

__all__ = ["Accounts", "make_accounts"]


@dataclass(frozen=True)
class Accounts:
    """Every account (customers, inactive customers, prospects, suspects), by account number.

    Account numbers ``0 .. n_buyers - 1`` are the year-1 customers, then come the
    inactive customers, the prospects and the suspects. Arrays of length ``n`` are
    per account; ``tier`` and ``rev1`` are per year-1 customer.
    """

    #: number of year-1 customers (the pyramid's base)
    n_buyers: int
    #: status layer code of each account (index into ``schema.STATUS_LAYERS``)
    layer: np.ndarray
    #: pyramid tier of each year-1 customer: 0 VIP, 1 key, 2 mid, 3 small
    tier: np.ndarray
    #: year-1 revenue of each year-1 customer (yuan)
    rev1: np.ndarray
    #: city of each account (index into ``cities`` and ``provinces``)
    city: np.ndarray
    #: rep of each account
    rep: np.ndarray
    #: organisation type code and business line code of each account
    org_type: np.ndarray
    line: np.ndarray
    #: first-purchase day number of each account, -1 if it never bought
    first_purchase: np.ndarray
    #: account numbers of the inactive customers, prospects and suspects
    inactive: np.ndarray
    prospects: np.ndarray
    suspects: np.ndarray
    #: province and city names, by city index
    provinces: pa.Array
    cities: pa.Array

    @property
    def n(self) -> int:
        """Number of accounts."""
        return len(self.layer)

    @property
    def buyers(self) -> np.ndarray:
        """Account numbers of the year-1 customers."""
        return np.arange(self.n_buyers)


def make_accounts(rng: np.random.Generator, cal: Calibration, customers: int, locale: str,
                  reps: Reps) -> Accounts:
    """Draw the accounts: tiers and year-1 revenue, place and rep, type and line, first purchase."""
    n = customers
    n_inactive = round(n * cal.inactive_per_customer)
    n_prospect = round(n * cal.prospects_per_customer)
    n_suspect = round(n * cal.suspects_per_customer)
    layer = np.repeat(np.arange(4), [n, n_inactive, n_prospect, n_suspect])
    n_accounts = len(layer)

    # pyramid tier of each buying customer by rank share; revenue inside the tier's range
    counts = [round(n * s) for s in cal.tier_shares]
    counts.append(n - sum(counts))
    tier = np.repeat(np.arange(4), counts)
    rng.shuffle(tier)
    rev1 = np.zeros(n)
    for t in range(4):
        idx = np.flatnonzero(tier == t)
        a, b, m = cal.tier_low[t], cal.tier_high[t], cal.tier_mean[t]
        k = (b - a) / (m - a) - 1  # a + (b-a) u^k has mean m
        u = (rng.permutation(len(idx)) + rng.random(len(idx))) / len(idx)  # stratified
        rev1[idx] = a + (b - a) * u**k
    rev1 = np.maximum(np.round(rev1), 1).astype(np.int64)

    # where: province and city drawn together, rep from the city's region
    prov, city, city_region, city_w = geo.city_table(locale)
    w = np.array(city_w)
    city_idx = rng.choice(len(w), size=n_accounts, p=w / w.sum())
    region_of_city = np.array([schema.REGIONS.index(r) for r in city_region])
    region = region_of_city[city_idx]
    rep = pick_within(region, reps.region, len(schema.REGIONS), rng)
    rep[rep < 0] = rng.integers(0, reps.n, int((rep < 0).sum()))
    org_type = rng.choice(4, size=n_accounts, p=[0.15, 0.55, 0.20, 0.10])
    line = rng.choice(5, size=n_accounts, p=[0.40, 0.25, 0.15, 0.12, 0.08])

    # first purchase: established customers 2019-2023, new ones during year 1
    new = rng.random(n) < np.array(cal.new_in_year1)[tier]
    first = np.where(new, rng.integers(day_of("2024-01-02"), day_of("2024-10-31"), n),
                     rng.integers(day_of("2019-01-01"), day_of("2023-12-31"), n))
    first_purchase = np.full(n_accounts, -1, dtype=np.int64)
    first_purchase[:n] = first
    inactive = np.arange(n, n + n_inactive)
    first_purchase[inactive] = rng.integers(day_of("2019-01-01"), day_of("2022-12-31"),
                                            n_inactive)
    prospects = np.arange(n + n_inactive, n + n_inactive + n_prospect)
    suspects = np.arange(n + n_inactive + n_prospect, n_accounts)
    return Accounts(n_buyers=n, layer=layer, tier=tier, rev1=rev1, city=city_idx, rep=rep,
                    org_type=org_type, line=line, first_purchase=first_purchase,
                    inactive=inactive, prospects=prospects, suspects=suspects,
                    provinces=pa.array(prov), cities=pa.array(city))
