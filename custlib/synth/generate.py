"""Deterministic synthetic CRM data for a fictional vendor of cost-estimation software.

The company sells estimating, quantity take-off and rebar software and training to
owners, contractors and cost consultants in China (the setting of the seed
customer-analysis workbook, digest §11). Year 1 and year 2 of the course's cases
are the calendar years 2024 and 2025; the data snapshot is 31 December 2025;
order history reaches back to 2019. Nothing is dated after the snapshot except the
*expected* close dates of open opportunities, which are forecasts.

How the numbers are made (every constant is in :class:`Calibration`):

* **Population** (digest §7 case): per 2,126 customers who bought in year 1 there
  are 154 inactive customers, 250 prospects and 1,000 suspects.
* **Year-1 revenue**: the top 1 % / next 4 % / next 15 % / remaining 80 % of
  customers draw their revenue inside the case's tier ranges (> ¥58,900,
  ¥19,000–58,900, ¥4,820–19,000, below ¥4,820) from a skewed distribution whose
  mean is the case's tier average (¥114,000, ¥31,600, ¥9,100, ¥1,160), with
  stratified draws so a small population still lands near the case totals.
* **Year 2**: customers given a structured meeting (客户会谈) and more visits grow
  by 6 % as a group, the others shrink by 8 % (digest §7 meeting case); a few
  per cent of small customers who had a meeting jump into the mid tier.
* **Pipeline** (digest §12): won opportunities are the larger orders and every
  new customer's first order, traced back through the stages; lost ones are added
  so that stage-to-stage conversion gives about one win per five first
  appointments; the open pipeline at the snapshot has a healthy funnel shape for
  most reps, an empty front for some and a middle pile-up for others.
* **Drop-out** (digest §5 stage D, 客户衰退): during year 2 some customers stop
  buying for good, early in the year, at a yearly hazard that differs by tier (highest
  for the big customers, who buy often enough for their silence to show) and is about
  three times higher for customers not given the meeting and its visits (the rates
  are this dataset's, not the source's); a drop-out's
  year-2 orders (their number and total unchanged) all fall before its drop-out
  day, and so do its year-2 visits. Inactive customers likewise stop part-way
  through their last year. Only purchase and visit *timing* moves, so every yearly
  figure above is the same with or without the drop-out.
* **Activities** follow the contact cadence of each grade (digest §10) with noise.

Only numpy's ``default_rng(seed)``, a second numpy stream for the drop-out
(``SeedSequence(seed, spawn_key=(1,))``, so the drop-out draws never shift the
others) and one seeded Faker per locale (``seed_instance``) produce randomness;
Faker is used once, to draw fixed-size pools of person names, which numpy then
samples. Dates are fixed, never "today".

Examples
--------
>>> tables = generate(seed=1, customers=200)
>>> sorted(tables)
['activities', 'contacts', 'customers', 'events', 'opportunities', 'orders', 'reps']
>>> int((tables["customers"].column("status_layer").to_numpy(zero_copy_only=False)
...      == "customer").sum())
200
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from faker import Faker

from custlib import schema
from custlib.synth import geo, providers, words
from custlib.synth.dictionary import render_dictionary

__all__ = ["Calibration", "generate", "write_dataset", "read_manifest", "file_sha256",
           "SNAPSHOT", "YEAR1", "YEAR2", "GENERATOR_VERSION"]

#: Bump when the generator's output changes on purpose; recorded in MANIFEST.json.
GENERATOR_VERSION = 3
YEAR1, YEAR2 = 2024, 2025
SNAPSHOT = np.datetime64("2025-12-31", "D")
HISTORY_START = np.datetime64("2019-01-01", "D")
#: Day 0 of the internal day numbers (contacts may predate the first order).
EPOCH = np.datetime64("2017-01-01", "D")


def _day(s: str) -> int:
    return int((np.datetime64(s, "D") - EPOCH).astype(np.int64))


@dataclass(frozen=True)
class Calibration:
    """Every number that shapes the synthetic data, with its source.

    Overriding one (``generate(calibration=Calibration(meeting_growth=0.1))``)
    gives a different but equally coherent dataset.
    """

    # population per customer who bought in year 1 (digest §7 case: 2,126 / 154 / 250 / 1,000)
    inactive_per_customer: float = 154 / 2126
    prospects_per_customer: float = 250 / 2126
    suspects_per_customer: float = 1000 / 2126
    customers_per_rep: float = 2126 / 20
    # pyramid tiers by rank share of customers, and year-1 revenue range and mean per tier
    # (VIP, key, mid, small; digest §7 case)
    tier_shares: tuple[float, float, float] = (0.01, 0.04, 0.15)
    tier_low: tuple[int, int, int, int] = (58_900, 19_000, 4_820, 200)
    tier_high: tuple[int, int, int, int] = (300_000, 58_900, 19_000, 4_820)
    tier_mean: tuple[int, int, int, int] = (114_000, 31_600, 9_100, 1_160)
    # probability that a year-1 customer is new that year (≈10% of revenue from new, §7 obs. 1)
    new_in_year1: tuple[float, float, float, float] = (0.03, 0.06, 0.09, 0.13)
    # year 2: share given a structured meeting, and the group growth (digest §7 meeting case)
    meeting_share: tuple[float, float, float, float] = (0.9, 0.8, 0.6, 0.45)
    meeting_growth: float = 0.06
    no_meeting_growth: float = -0.08
    growth_noise: float = 0.25
    small_mover_share: float = 0.06  # of small customers with a meeting, jump into the mid tier
    # year-2 drop-out (digest §5 stage D, 客户衰退). The rates are this dataset's, not the
    # source's: the source gives no drop-out rate. Yearly probability of stopping for good
    # during year 2, by year-1 tier, for customers without the meeting; the meeting and its
    # visits multiply it by the factor (at seed 2126 about 19 / 15 / 15 / 10 % of VIP / key
    # / mid / small customers drop out, one in nine overall). The big tiers are set high on
    # purpose: they buy often enough (5-11 purchase days a year) for a silence of under a
    # year to show, so the early warning finds some of them; a small customer's silence of
    # under a year proves nothing. Early in the year, so that by the snapshot a drop-out
    # has been silent ten months and more.
    churn_hazard: tuple[float, float, float, float] = (0.50, 0.40, 0.25, 0.12)
    churn_meeting_factor: float = 0.35
    # the drop-out day falls this many days into year 2 (uniform): after the first days of
    # the year, and before March
    churn_window: tuple[int, int] = (5, 60)
    history_growth: float = 0.07  # yearly growth of established customers before year 1
    # orders
    orders_scale: float = 2_000.0  # yuan per "order unit" in the orders-per-year rule
    min_order: int = 150
    product_mix: tuple[float, float, float, float] = (0.38, 0.32, 0.15, 0.15)
    seat_price: tuple[int, int, int, int] = (2_800, 3_600, 2_400, 0)
    cost_rate: tuple[float, float, float, float] = (0.77, 0.75, 0.81, 0.95)
    handling_cost: float = 200.0  # yuan per order: delivery, installation, training visit
    upgrade_share: float = 0.35
    # pipeline (digest §12): deal threshold, stage-to-stage conversion, mean days in stage
    deal_threshold: int = 8_000
    conversion: tuple[float, float, float, float, float] = (0.6, 0.6, 0.6, 0.65, 0.9)
    dwell_days: tuple[int, int, int, int, int] = (12, 18, 25, 30, 14)
    empty_front_share: float = 0.15
    pileup_share: float = 0.15
    # market events
    events_per_customer_year: float = 12 / 2126
    invitation_reach: float = 0.93
    attendance: float = 0.35


# --- small vectorised helpers ---------------------------------------------------------

def _group_starts(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def _pick_within(groups: np.ndarray, pool_groups: np.ndarray, n_groups: int,
                 rng: np.random.Generator) -> np.ndarray:
    """For each item, a random pool index with the same group (-1 where the group is empty)."""
    order = np.argsort(pool_groups, kind="stable")
    counts = np.bincount(pool_groups, minlength=n_groups)
    starts = _group_starts(counts)
    c = counts[groups]
    pick = starts[groups] + (rng.random(len(groups)) * c).astype(np.int64)
    out = np.full(len(groups), -1, dtype=np.int64)
    ok = c > 0
    out[ok] = order[pick[ok]]
    return out


def _durations(rng: np.random.Generator, mean, n: int) -> np.ndarray:
    """Whole days spent in a stage: 1 + exponential, so the mean is ``mean`` (scalar or per item)."""
    return 1 + rng.exponential(np.maximum(np.asarray(mean, dtype=float) - 1, 0.5), n).astype(np.int64)


class _Season:
    """Draw order dates with a yearly rhythm: a Spring-Festival dip, a year-end peak."""

    MONTH_WEIGHT = np.array([0.9, 0.5, 1.1, 1.1, 1.0, 1.1, 0.9, 0.9, 1.0, 0.8, 1.1, 1.5])

    def __init__(self) -> None:
        days = np.arange(EPOCH, SNAPSHOT + 2, dtype="datetime64[D]")
        month = days.astype("datetime64[M]").astype(np.int64) % 12
        self.cum = np.concatenate([[0.0], np.cumsum(self.MONTH_WEIGHT[month])])

    def draw(self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        c_lo, c_hi = self.cum[lo], self.cum[hi + 1]
        u = c_lo + rng.random(len(lo)) * (c_hi - c_lo)
        return np.clip(np.searchsorted(self.cum, u, side="right") - 1, lo, hi)


def _year_bounds(year: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    year = np.asarray(year, dtype=np.int64)
    lo = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") - EPOCH
    hi = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - EPOCH - 1
    return lo.astype(np.int64), hi.astype(np.int64)


def _dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    values = (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[D]")
    return pa.array(values, type=pa.date32(), mask=mask)


def _take(pool: pa.Array, index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    out = pool.take(pa.array(index))
    if mask is not None:
        out = pc.if_else(pa.array(mask), pa.nulls(len(out), out.type), out)
    return out


def _cat(values: tuple[str, ...], codes: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return _take(pa.array(values, type=pa.string()), codes, mask)


def _join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


# --- the generator ----------------------------------------------------------------------

class _Generator:
    def __init__(self, seed: int, n_customers: int, locale: str, cal: Calibration) -> None:
        if locale not in ("en_US", "zh_CN"):
            raise ValueError(f"locale must be 'en_US' or 'zh_CN', got {locale!r}")
        if n_customers < 100:
            raise ValueError(f"customers must be at least 100, got {n_customers}")
        self.seed, self.n, self.locale, self.cal = seed, n_customers, locale, cal
        self.zh = locale == "zh_CN"
        self.rng = np.random.default_rng(seed)
        # its own stream, so drawing (or retuning) the drop-out leaves every other draw alone
        self.churn_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
        self.season = _Season()
        self._faker_pools(seed)

    # names -----------------------------------------------------------------------------
    def _faker_pools(self, seed: int) -> None:
        fake = Faker(self.locale)
        fake.seed_instance(seed)
        self.first_names = pa.array([fake.first_name() for _ in range(3000)])
        self.last_names = pa.array([fake.last_name() for _ in range(2000)])
        self.email_domains = pa.array(
            list(words.ZH_EMAIL_DOMAINS) if self.zh
            else sorted({fake.free_email_domain() for _ in range(200)}))

    def _person_names(self, n: int) -> tuple[pa.Array, pa.Array, pa.Array]:
        first = _take(self.first_names, self.rng.integers(0, len(self.first_names), n))
        last = _take(self.last_names, self.rng.integers(0, len(self.last_names), n))
        full = _join(last, first) if self.zh else _join(first, last, sep=" ")
        return full, first, last

    # step 1: reps ----------------------------------------------------------------------
    def reps(self) -> None:
        cal, rng = self.cal, self.rng
        n_reps = max(5, round(self.n / cal.customers_per_rep))
        _, _, city_region, city_w = geo.city_table(self.locale)
        region_w = np.zeros(len(schema.REGIONS))
        region_idx = np.array([schema.REGIONS.index(r) for r in city_region])
        np.add.at(region_w, region_idx, city_w)
        # at least one rep per region, the rest by largest remainder of the customer weight
        quota = region_w / region_w.sum() * (n_reps - len(region_w))
        per_region = 1 + np.floor(quota).astype(int)
        short = n_reps - per_region.sum()
        per_region[np.argsort(-(quota - np.floor(quota)), kind="stable")[:short]] += 1
        self.rep_region = np.repeat(np.arange(len(schema.REGIONS)), per_region)
        self.n_reps = n_reps
        profile = np.zeros(n_reps, dtype=np.int64)  # 0 healthy, 1 empty front, 2 pile-up
        order = rng.permutation(n_reps)
        n_empty = max(1, round(n_reps * cal.empty_front_share))
        n_pile = max(1, round(n_reps * cal.pileup_share))
        profile[order[:n_empty]] = 1
        profile[order[n_empty:n_empty + n_pile]] = 2
        self.rep_profile = profile
        hire = rng.integers(_day("2012-01-01"), _day("2023-06-30"), n_reps)
        names, _, _ = self._person_names(n_reps)
        width = max(3, len(str(n_reps)))
        self.rep_ids = providers.format_ids("R", np.arange(1, n_reps + 1), width)
        self.tables = {"reps": pa.table({
            "rep_id": self.rep_ids,
            "rep_name": names,
            "region": _cat(schema.REGIONS, self.rep_region),
            "hire_date": _dates(hire),
        })}

    # step 2: accounts and year-1 revenue ------------------------------------------------
    def accounts(self) -> None:
        cal, rng, n = self.cal, self.rng, self.n
        n_inactive = round(n * cal.inactive_per_customer)
        n_prospect = round(n * cal.prospects_per_customer)
        n_suspect = round(n * cal.suspects_per_customer)
        layer = np.repeat(np.arange(4), [n, n_inactive, n_prospect, n_suspect])
        self.layer, self.n_accounts = layer, len(layer)
        self.buyers = np.arange(n)

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
        self.tier = tier
        self.rev1 = np.maximum(np.round(rev1), 1).astype(np.int64)

        # where: province and city drawn together, rep from the city's region
        prov, city, city_region, city_w = geo.city_table(self.locale)
        w = np.array(city_w)
        self.city_idx = rng.choice(len(w), size=self.n_accounts, p=w / w.sum())
        region_of_city = np.array([schema.REGIONS.index(r) for r in city_region])
        self.region = region_of_city[self.city_idx]
        self.rep = _pick_within(self.region, self.rep_region, len(schema.REGIONS), rng)
        self.rep[self.rep < 0] = rng.integers(0, self.n_reps, int((self.rep < 0).sum()))
        self.prov_pool, self.city_pool = pa.array(prov), pa.array(city)
        self.org_type = rng.choice(4, size=self.n_accounts, p=[0.15, 0.55, 0.20, 0.10])
        self.line = rng.choice(5, size=self.n_accounts, p=[0.40, 0.25, 0.15, 0.12, 0.08])

        # first purchase: established customers 2019-2023, new ones during year 1
        new = rng.random(n) < np.array(cal.new_in_year1)[tier]
        first = np.where(new, rng.integers(_day("2024-01-02"), _day("2024-10-31"), n),
                         rng.integers(_day("2019-01-01"), _day("2023-12-31"), n))
        self.is_new = new
        self.first_purchase = np.full(self.n_accounts, -1, dtype=np.int64)
        self.first_purchase[:n] = first
        ina = np.arange(n, n + n_inactive)
        self.inactive = ina
        self.first_purchase[ina] = rng.integers(_day("2019-01-01"), _day("2022-12-31"), n_inactive)
        self.prospects = np.arange(n + n_inactive, n + n_inactive + n_prospect)
        self.suspects = np.arange(n + n_inactive + n_prospect, self.n_accounts)

    # step 3: orders ---------------------------------------------------------------------
    def customer_years(self) -> None:
        """Revenue per customer and year: history, year 1, year 2."""
        cal, rng, n = self.cal, self.rng, self.n
        rows_c, rows_y, rows_rev = [np.arange(n)], [np.full(n, YEAR1)], [self.rev1]

        # year 2: meeting effect and a few small customers moving up (digest §7)
        meeting = rng.random(n) < np.array(cal.meeting_share)[self.tier]
        sigma = cal.growth_noise
        g = np.where(meeting, 1 + cal.meeting_growth, 1 + cal.no_meeting_growth)
        rev2 = self.rev1 * g * rng.lognormal(-sigma**2 / 2, sigma, n)
        mover = (self.tier == 3) & meeting & (rng.random(n) < cal.small_mover_share)
        rev2[mover] = rng.uniform(cal.tier_low[2] * 1.05, cal.tier_low[2] * 2.2, int(mover.sum()))
        # rescale the non-movers so each group's total moves by exactly its case growth
        for grp, growth in ((meeting, cal.meeting_growth), (~meeting, cal.no_meeting_growth)):
            target = self.rev1[grp].sum() * (1 + growth)
            fixed = rev2[grp & mover].sum()
            free = grp & ~mover
            rev2[free] *= (target - fixed) / rev2[free].sum()
        rev2 = np.maximum(np.round(rev2), cal.min_order).astype(np.int64)
        self.meeting, self.mover, self.rev2 = meeting, mover, rev2
        rows_c.append(np.arange(n)); rows_y.append(np.full(n, YEAR2)); rows_rev.append(rev2)

        # history of established customers, shrinking backwards at the history growth rate
        first_year = (EPOCH + self.first_purchase[:n].astype("timedelta64[D]")).astype(
            "datetime64[Y]").astype(np.int64) + 1970
        span = np.maximum(YEAR1 - first_year, 0)
        c = np.repeat(np.arange(n), span)
        back = np.arange(len(c)) - np.repeat(_group_starts(span), span) + 1  # 1, 2, ... years back
        rev = self.rev1[c] * (1 + cal.history_growth) ** (-back) * rng.lognormal(-0.045, 0.3, len(c))
        rows_c.append(c); rows_y.append(YEAR1 - back); rows_rev.append(rev)

        # inactive customers: bought for a few years, then stopped before year 1
        ina = self.inactive
        f_year = (EPOCH + self.first_purchase[ina].astype("timedelta64[D]")).astype(
            "datetime64[Y]").astype(np.int64) + 1970
        last_year = np.minimum(f_year + rng.integers(0, 3, len(ina)), YEAR1 - 1)
        self.inactive_last_year = last_year
        span = last_year - f_year + 1
        c = np.repeat(ina, span)
        years = np.repeat(f_year, span) + np.arange(len(c)) - np.repeat(_group_starts(span), span)
        a, b, m = cal.tier_low[3], cal.tier_high[3], cal.tier_mean[3]
        rev = a + (b - a) * rng.random(len(c)) ** ((b - a) / (m - a) - 1)
        rows_c.append(c); rows_y.append(years); rows_rev.append(rev)

        cy_c = np.concatenate(rows_c)
        cy_y = np.concatenate(rows_y).astype(np.int64)
        cy_rev = np.maximum(np.round(np.concatenate(rows_rev)), cal.min_order).astype(np.int64)
        lo, hi = _year_bounds(cy_y)
        first_year_row = lo <= self.first_purchase[cy_c]
        lo = np.maximum(lo, self.first_purchase[cy_c])
        hi = np.minimum(hi, int((SNAPSHOT - EPOCH).astype(np.int64)))
        # the first year is partial: scale its revenue by the share of the year left
        frac = np.where(first_year_row & (cy_y < YEAR1), (hi - lo + 1) / 365.0, 1.0)
        cy_rev = np.maximum(np.round(cy_rev * frac), cal.min_order).astype(np.int64)
        hi = self._drop_out(cy_c, cy_y, lo, hi)
        self.cy = dict(c=cy_c, y=cy_y, rev=cy_rev, lo=lo, hi=hi, first=first_year_row)

    def _drop_out(self, cy_c: np.ndarray, cy_y: np.ndarray, lo: np.ndarray,
                  hi: np.ndarray) -> np.ndarray:
        """Draw who stops buying and when; return the customer-year order windows' new ends.

        A year-1 customer drops out during year 2 with probability
        ``churn_hazard[tier]``, times ``churn_meeting_factor`` if it had the meeting,
        on a day uniform in ``churn_window`` (days into year 2); an inactive customer
        drops out on a day uniform in its last year of purchases (not before that
        year's first order). The drop-out year's orders then all fall on or before the
        drop-out day (their number and amounts are drawn as before), so yearly revenue
        does not move. Draws from ``self.churn_rng`` only. Sets ``self.churn_day`` (day
        number per account, -1 for none).

        Parameters
        ----------
        cy_c, cy_y, lo, hi : ndarray
            Account, year, and first and last possible order day of each customer-year.

        Returns
        -------
        ndarray
            ``hi``, cut to the drop-out day in the drop-out year.
        """
        cal, crng, n = self.cal, self.churn_rng, self.n
        u_who, u_day = crng.random(n), crng.random(n)
        hazard = np.array(cal.churn_hazard)[self.tier] * np.where(
            self.meeting, cal.churn_meeting_factor, 1.0)
        churn_day = np.full(self.n_accounts, -1, dtype=np.int64)
        y2_lo, y2_hi = _year_bounds(YEAR2)
        y2_hi = min(int(y2_hi), int((SNAPSHOT - EPOCH).astype(np.int64)))
        w_lo, w_hi = cal.churn_window
        w_hi = min(w_hi, y2_hi - y2_lo)
        gone = u_who < hazard
        churn_day[:n][gone] = (y2_lo + w_lo + (u_day * (w_hi - w_lo + 1)).astype(np.int64))[gone]
        # inactive customers: part-way through their last year (no earlier than its first order)
        ina = self.inactive  # consecutive account numbers
        u_ina = crng.random(len(ina))
        rows = np.flatnonzero((cy_c >= n) & (cy_c < n + len(ina)))
        rows = rows[cy_y[rows] == self.inactive_last_year[cy_c[rows] - n]]
        in_last = np.zeros(len(cy_c), dtype=bool)
        in_last[rows] = True
        u = u_ina[cy_c[rows] - n]
        churn_day[cy_c[rows]] = lo[rows] + (u * (hi[rows] - lo[rows] + 1)).astype(np.int64)
        self.churn_day = churn_day
        cut = ((cy_y == YEAR2) | in_last) & (churn_day[cy_c] >= 0)
        return np.where(cut, np.clip(churn_day[cy_c], lo, hi), hi)

    def orders(self) -> None:
        cal, rng, cy = self.cal, self.rng, self.cy
        rev = cy["rev"]
        lam = (rev / cal.orders_scale) ** 0.6
        k = 1 + rng.poisson(lam)
        k = np.minimum(k, np.maximum(rev // cal.min_order, 1)).astype(np.int64)
        row = np.repeat(np.arange(len(rev)), k)
        starts = _group_starts(k)
        w = rng.gamma(4.0, size=len(row))
        share = w / np.add.reduceat(w, starts)[np.repeat(np.arange(len(k)), k)]
        amount = 1 + np.floor((rev[row] - k[row]) * share).astype(np.int64)
        amount[starts] += rev - np.add.reduceat(amount, starts)  # exact yearly totals
        date = self.season.draw(rng, cy["lo"][row], cy["hi"][row])
        first_order = np.zeros(len(row), dtype=bool)
        first_order[starts[cy["first"]]] = True
        date[first_order] = cy["lo"][row][first_order]  # first order on the first-purchase day
        cust = cy["c"][row]

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
        self.o = dict(cust=cust[order].astype(np.int32), date=date[order].astype(np.int32),
                      amount=amount[order], line=line[order].astype(np.int8),
                      seats=seats[order].astype(np.int64),
                      upgrade=upgrade[order], individual=individual[order],
                      cost=np.round(cost[order]).astype(np.int64),
                      first=first_order[order])
        del self.cy

    # step 4: opportunities --------------------------------------------------------------
    def opportunities(self) -> None:
        cal, rng, o = self.cal, self.rng, self.o
        conv = np.array(cal.conversion)
        dwell = np.array(cal.dwell_days)
        y1_start = _year_bounds(YEAR1)[0]
        snap = int((SNAPSHOT - EPOCH).astype(np.int64))

        # won: the larger orders of years 1-2 and every new customer's first order
        won = (o["date"] >= y1_start) & ((o["amount"] >= cal.deal_threshold) | o["first"])
        w_idx = np.flatnonzero(won)
        n_won = len(w_idx)
        reached = n_won / np.cumprod(conv[::-1])[::-1]  # expected counts reaching each stage
        lost_at = np.round(reached - np.append(reached[1:], n_won)).astype(np.int64)

        parts = []
        # won opportunities, traced back from the order
        parts.append(dict(cust=o["cust"][w_idx], final=np.full(n_won, 5),
                          end=o["date"][w_idx], outcome=np.full(n_won, 1),
                          value=o["amount"][w_idx]))
        # lost opportunities: close date spread over years 1-2, lost at each stage
        n_lost = lost_at.sum()
        final = np.repeat(np.arange(5), lost_at)
        end = rng.integers(y1_start + 20, snap + 1, n_lost)
        # who: never-met leads are mostly suspects; met-and-lost are customers or prospects
        n_pros = len(self.prospects)
        fa_plus = final >= 1
        p_pros = max(0.15, (n_pros + 10) / max(fa_plus.sum(), 1))
        u = rng.random(n_lost)
        cust = np.where(u < 0.05, rng.choice(self.inactive, n_lost),
                        rng.integers(0, self.n, n_lost))
        to_susp = ~fa_plus & (u >= 0.05) & (u < 0.65)
        cust[to_susp] = rng.choice(self.suspects, int(to_susp.sum()))
        to_pros = np.flatnonzero(fa_plus & (rng.random(n_lost) < p_pros))
        if len(to_pros) < n_pros:  # every prospect must have reached a first appointment
            extra = np.flatnonzero(fa_plus)[~np.isin(np.flatnonzero(fa_plus), to_pros)]
            to_pros = np.concatenate([to_pros, extra[: n_pros - len(to_pros)]])
        pros_for = rng.choice(self.prospects, len(to_pros))
        pros_for[rng.permutation(len(to_pros))[:n_pros]] = rng.permutation(self.prospects)
        cust[to_pros] = pros_for
        value = np.round(rng.lognormal(np.log(12_000), 0.8, n_lost), -2).astype(np.int64)
        parts.append(dict(cust=cust, final=final, end=end, outcome=np.full(n_lost, 2),
                          value=np.maximum(value, 500)))

        # open pipeline at the snapshot, per rep, shaped by the rep's profile (Little's law)
        per_rep_day = reached / 730 / self.n_reps
        mult = np.array([[1.0, 1.0, 1.0, 1.0, 1.0],      # healthy funnel
                         [0.03, 0.08, 0.8, 1.0, 1.6],    # stopped prospecting: empty front
                         [1.0, 1.0, 1.5, 4.0, 0.6]])     # proposals pending: middle pile-up
        lam = per_rep_day[None, :] * dwell[None, :] * mult[self.rep_profile]
        n_open = rng.poisson(lam)  # reps x stages
        rep = np.repeat(np.repeat(np.arange(self.n_reps), 5), n_open.ravel())
        stage = np.repeat(np.tile(np.arange(5), self.n_reps), n_open.ravel())
        n_op = len(rep)
        stuck = np.where((self.rep_profile[rep] == 2) & (stage == 3), 6.0, 2.0)
        entered = snap - (rng.random(n_op) * stuck * dwell[stage]).astype(np.int64)
        # who: by the rep's own accounts; opportunity-stage leads mostly suspects
        layer_want = np.where(stage == 0, np.where(rng.random(n_op) < 0.6, 3, 0),
                              np.where(rng.random(n_op) < 0.45, 2, 0))
        pool_group = self.rep * 4 + self.layer
        cust = _pick_within(rep * 4 + layer_want, pool_group, self.n_reps * 4, rng)
        missing = cust < 0
        cust[missing] = _pick_within(layer_want[missing], self.layer, 4, rng)
        value = np.round(rng.lognormal(np.log(12_000), 0.8, n_op), -2).astype(np.int64)
        parts.append(dict(cust=cust, final=stage, end=entered, outcome=np.zeros(n_op, int),
                          value=np.maximum(value, 500), rep=rep))

        cust = np.concatenate([p["cust"] for p in parts])
        final = np.concatenate([p["final"] for p in parts])
        end = np.concatenate([p["end"] for p in parts]).astype(np.int64)
        outcome = np.concatenate([p["outcome"] for p in parts])  # 0 open, 1 won, 2 lost
        value = np.concatenate([p["value"] for p in parts])
        rep = np.concatenate([self.rep[parts[0]["cust"]], self.rep[parts[1]["cust"]], parts[2]["rep"]])
        m = len(cust)

        # stage entry dates, walking back from the end: a stage's date is set if reached
        stage_date = np.full((m, 7), -1, dtype=np.int64)  # opp, fa, p1, p2, p3, won, lost
        t = end.copy()
        closed_stage = np.where(outcome == 1, 5, 6)
        is_closed = outcome > 0
        stage_date[is_closed, closed_stage[is_closed]] = t[is_closed]
        # time in the final open stage before closing (won from p3; lost from its stage)
        last_open = np.where(outcome == 1, 4, final)
        t = np.where(is_closed, t - _durations(rng, dwell[last_open], m), t)
        for s in range(4, -1, -1):
            here = last_open >= s
            at = here & (last_open == s)
            stage_date[at, s] = t[at]
            before = here & (last_open > s)
            stage_date[before, s] = stage_date[before, s + 1] - _durations(rng, dwell[s], int(before.sum()))
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
        exp_close = snap + close_lo[st] + (rng.random(m) * (close_hi - close_lo)[st]).astype(np.int64)
        prob = np.where(outcome == 1, 1.0, np.where(outcome == 2, 0.0, prob))
        exp_close = np.where(is_closed, stage_date[:, 5:7].max(axis=1), exp_close)

        # expected product, buyer kind and upgrade: from the order when won, else drawn
        won_part = outcome == 1
        line = rng.choice(4, size=m, p=np.array(cal.product_mix))
        individual = np.where(value < 4_000, rng.random(m) < 0.45, rng.random(m) < 0.03)
        upgrade = (line < 3) & (cust < self.n) & (rng.random(m) < cal.upgrade_share)
        line[won_part] = o["line"][w_idx]
        individual[won_part] = o["individual"][w_idx]
        upgrade[won_part] = o["upgrade"][w_idx]
        source = np.where(outcome == 1, rng.choice(5, m, p=[0.3, 0.35, 0.1, 0.2, 0.05]),
                          rng.choice(5, m, p=[0.35, 0.2, 0.2, 0.15, 0.1]))
        reason = rng.choice(len(schema.LOST_REASONS), m, p=[0.2, 0.35, 0.2, 0.15, 0.1])
        order = np.lexsort((cust, stage_date[:, 0]))
        self.opp = dict(cust=cust[order].astype(np.int32), rep=rep[order].astype(np.int32),
                        final=final[order].astype(np.int8), outcome=outcome[order].astype(np.int8),
                        dates=stage_date[order].astype(np.int32), prob=prob[order],
                        exp_close=exp_close[order], value=value[order], source=source[order],
                        reason=reason[order], line=line[order].astype(np.int8),
                        individual=individual[order], upgrade=upgrade[order])

    # step 5: contacts -------------------------------------------------------------------
    def contacts(self) -> None:
        rng = self.rng
        lam = np.select([self.layer == 0, self.layer == 1, self.layer == 2],
                        [np.array([4.0, 3.0, 1.5, 0.6])[np.pad(self.tier, (0, self.n_accounts - self.n))],
                         0.5, 1.5], 0.2)
        k = 1 + rng.poisson(lam)
        self.contact_count, self.contact_start = k, _group_starts(k)
        cust = np.repeat(np.arange(self.n_accounts), k)
        pos = np.arange(len(cust)) - self.contact_start[cust]
        role = np.select([pos == 0, pos == 1, pos == 2, pos == 3],
                         [np.where(rng.random(len(cust)) < 0.6, 0, 2), 2, 1, 3],
                         rng.choice([1, 2], len(cust)))
        self.contact_cust = cust
        self.c_role = role
        self.c_pos = pos

    # step 6: activities -----------------------------------------------------------------
    def activities(self) -> None:
        rng, op = self.rng, self.opp
        y1_lo, y1_hi = _year_bounds(YEAR1)
        y2_lo, y2_hi = _year_bounds(YEAR2)
        snap = int((SNAPSHOT - EPOCH).astype(np.int64))
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

        def add(cust, kind, lo, hi, outcome=None):
            cust = np.asarray(cust)
            lo = np.broadcast_to(lo, cust.shape)
            hi = np.broadcast_to(hi, cust.shape)
            day = lo + (rng.random(len(cust)) * (hi - lo + 1)).astype(np.int64)
            if outcome is None:
                p = {0: [0.45, 0.35, 0.2, 0.0], 1: [0.2, 0.4, 0.2, 0.2], 2: [0.7, 0.3, 0.0, 0.0]}[kind]
                outcome = rng.choice(4, len(cust), p=p)
            parts.append((cust, np.full(len(cust), kind), day, np.broadcast_to(outcome, cust.shape)))

        buyers = self.buyers
        # routine follow-up of customers; year 2 adds the structured meetings (digest §7).
        # A customer who drops out in year 2 was last visited (and met) before it stopped.
        gone = self.churn_day[buyers] >= 0
        v_hi = np.where(gone, self.churn_day[buyers], y2_hi)
        add(np.repeat(buyers, rng.poisson(0.7, self.n)), 0, y1_lo, y1_hi)
        add(np.repeat(buyers, rng.poisson(2.0, self.n)), 1, y1_lo, y1_hi)
        v2 = rng.poisson(np.where(self.meeting, 2.5, 0.5))
        add(np.repeat(buyers, v2), 0, y2_lo, np.repeat(v_hi, v2))
        add(np.repeat(buyers, rng.poisson(2.0, self.n)), 1, y2_lo, y2_hi)
        add(buyers[self.meeting], 2, y2_lo, np.minimum(y2_lo + 180, v_hi[self.meeting]))

        # pipeline: first appointments are visits, prospect-3 gets a visit, losses a call
        d = op["dates"]
        for s, kind, out in ((1, 0, 0), (4, 0, 0)):
            has = d[:, s] >= 0
            add(op["cust"][has], kind, d[has, s], d[has, s], out)
        lost = d[:, 6] >= 0
        add(op["cust"][lost], 1, d[lost, 6], d[lost, 6], 2)

        # contact cadence of the open pipeline in the last quarter, by grade (digest §10):
        # A (prospect 3): a visit and two calls a week; B (prospect 2): a call a week and a
        # visit a fortnight; C (first appointment, prospect 1): a call a fortnight and a
        # visit a month; D (opportunity): a call a month.
        open_ = op["outcome"] == 0
        grade = np.array([3, 2, 2, 1, 0])[op["final"][open_]]
        visits_wk = np.array([1.0, 0.5, 0.25, 0.0])[grade]
        calls_wk = np.array([2.0, 1.0, 0.5, 0.25])[grade]
        entered = d[open_][np.arange(open_.sum()), op["final"][open_]]
        start = np.maximum(entered, snap - 90)
        weeks = (snap - start + 1) / 7
        cust = op["cust"][open_]
        for kind, rate in ((0, visits_wk), (1, calls_wk)):
            cnt = rng.poisson(rate * weeks * rng.uniform(0.7, 1.2, len(cust)))
            add(np.repeat(cust, cnt), kind, np.repeat(start, cnt), snap)

        cust = np.concatenate([p[0] for p in parts])
        kind = np.concatenate([p[1] for p in parts])
        day = np.minimum(np.concatenate([p[2] for p in parts]), snap)
        outcome = np.concatenate([p[3] for p in parts])
        contact = self.contact_start[cust] + (rng.random(len(cust)) * self.contact_count[cust]).astype(np.int64)
        order = np.lexsort((cust, day))
        self.act = dict(cust=cust[order].astype(np.int32), kind=kind[order].astype(np.int8),
                        day=day[order].astype(np.int32), outcome=outcome[order].astype(np.int8),
                        contact=contact[order].astype(np.int32))

    # step 7: events ---------------------------------------------------------------------
    def events(self) -> None:
        cal, rng = self.cal, self.rng
        per_year = max(4, round(self.n * cal.events_per_customer_year))
        n_ev = 2 * per_year
        year = np.repeat([YEAR1, YEAR2], per_year)
        lo, hi = _year_bounds(year)
        day = np.sort(lo + (rng.random(n_ev) * (hi - lo - 30)).astype(np.int64) + 15)
        # each event is held in a city and invites that city's customers and prospects
        invitees = np.concatenate([self.buyers, self.prospects])
        inv_city = self.city_idx[invitees]
        weights = np.bincount(inv_city, minlength=len(self.city_pool)).astype(float)
        ev_city = rng.choice(len(weights), n_ev, p=weights / weights.sum())
        size = np.minimum(rng.integers(40, 160, n_ev), weights[ev_city].astype(np.int64))
        ev = np.repeat(np.arange(n_ev), size)
        cust = invitees[_pick_within(ev_city[ev], inv_city, len(weights), rng)]
        key = np.unique(ev.astype(np.int64) * self.n_accounts + cust)
        ev, cust = key // self.n_accounts, key % self.n_accounts
        m = len(ev)
        invited = rng.random(m) < cal.invitation_reach
        attended = invited & (rng.random(m) < cal.attendance)
        deal = np.where(attended & (rng.random(m) < 0.2),
                        np.round(rng.lognormal(np.log(5_000), 0.7, m), -2), 0).astype(np.int64)
        theme = rng.integers(0, len(words.EVENT_THEMES), n_ev)
        self.ev = dict(ev=ev, cust=cust, invited=invited, attended=attended, deal=deal,
                       channel=rng.choice(len(schema.EVENT_CHANNELS), m, p=[0.4, 0.15, 0.1, 0.25, 0.1]),
                       day=day, year=year, theme=theme, city=ev_city)

    # step 8: customer fields that depend on the rest, and ids --------------------------
    def finish(self) -> None:
        rng, o, n_acc = self.rng, self.o, self.n_accounts
        # seats owned = software seats bought (not upgrades); estimators at least that many
        bought = np.zeros(n_acc, dtype=np.int64)
        new_seats = ~o["upgrade"]
        np.add.at(bought, o["cust"][new_seats], o["seats"][new_seats])
        rev1_all = np.zeros(n_acc)
        rev1_all[: self.n] = self.rev1
        est = np.where(self.layer == 0, 1 + np.round(rev1_all / 1_800 * rng.lognormal(0, 0.35, n_acc)),
                       1 + np.round(rng.lognormal(np.log(5), 0.8, n_acc)))
        est = np.maximum(est.astype(np.int64), bought)
        seats_owned = np.minimum(bought, est)
        has_comp = rng.random(n_acc) < np.array([0.35, 0.6, 0.55, 0.4])[self.layer]
        comp_seats = np.where(has_comp, 1 + rng.binomial(np.maximum(est - seats_owned, 0), 0.5), 0)
        est = np.maximum(est, seats_owned + comp_seats)
        tier_all = np.full(n_acc, 4)
        tier_all[: self.n] = self.tier
        important = (tier_all <= 1) | (est >= 40) | (rng.random(n_acc) < 0.03)

        # first contact: before anything else we know of the account
        first_seen = np.full(n_acc, np.iinfo(np.int64).max)
        fp = self.first_purchase
        lag = np.minimum(30 + rng.exponential(120, int((fp >= 0).sum())), 500)  # days courting
        first_seen[fp >= 0] = fp[fp >= 0] - lag.astype(np.int64)
        np.minimum.at(first_seen, self.opp["cust"], self.opp["dates"][:, 0])
        np.minimum.at(first_seen, self.act["cust"], self.act["day"])
        np.minimum.at(first_seen, self.ev["cust"], self.ev["day"][self.ev["ev"]])
        never = first_seen == np.iinfo(np.int64).max
        first_seen[never] = rng.integers(_day("2019-01-01"), _day("2025-12-31"), int(never.sum()))

        # customer ids in order of first contact, as a CRM numbers them
        rank = np.empty(n_acc, dtype=np.int64)
        rank[np.lexsort((rng.random(n_acc), first_seen))] = np.arange(n_acc)
        self.rank = rank
        width = max(5, len(str(n_acc)))
        ids = providers.format_ids("C", np.arange(1, n_acc + 1), width)
        inv = np.argsort(rank)  # account index in id order
        self.cust_ids = ids  # ids[rank[i]] is account i's id

        names = self._org_names()
        comp_pool = pa.array([c[0] if self.zh else c[1] for c in words.COMPETITORS])
        comp_idx = rng.integers(0, len(comp_pool), n_acc)
        status = self.layer
        first_purchase = self.first_purchase
        self.tables["customers"] = pa.table({
            "customer_id": ids,
            "customer_name": _take(names, inv),
            "org_type": _cat(schema.ORG_TYPES, self.org_type[inv]),
            "business_line": _cat(schema.BUSINESS_LINES, self.line[inv]),
            "province": _take(self.prov_pool, self.city_idx[inv]),
            "city": _take(self.city_pool, self.city_idx[inv]),
            "estimators": pa.array(est[inv]),
            "seats_owned": pa.array(seats_owned[inv]),
            "competitor": _take(comp_pool, comp_idx[inv], mask=comp_seats[inv] == 0),
            "competitor_seats": pa.array(comp_seats[inv]),
            "importance": _cat(schema.IMPORTANCE, np.where(important, 0, 1)[inv]),
            "first_contact_date": _dates(first_seen[inv]),
            "first_purchase_date": _dates(np.maximum(first_purchase[inv], 0),
                                          mask=first_purchase[inv] < 0),
            "rep_id": _take(self.rep_ids, self.rep[inv]),
            "status_layer": _cat(schema.STATUS_LAYERS, status[inv]),
        })

    def _org_names(self) -> pa.Array:
        """Unique organisation names: city + brand + descriptor + suffix (+ branch if taken)."""
        rng, n_acc = self.rng, self.n_accounts
        syl = words.BRAND_SYLLABLES
        a = rng.integers(0, len(syl), n_acc)
        b = (a + rng.integers(1, len(syl), n_acc)) % len(syl)  # two different syllables
        if self.zh:
            brand = _join(_take(pa.array([s[0] for s in syl]), a), _take(pa.array([s[0] for s in syl]), b))
        else:
            brand = _join(_take(pa.array([s[1] for s in syl]), a),
                          pc.utf8_lower(_take(pa.array([s[1] for s in syl]), b)))
        # descriptor: by organisation type; contractors by business line
        keys = [schema.ORG_TYPES[t] if schema.ORG_TYPES[t] != "contractor" else None
                for t in range(4)]
        desc_lists = [words.DESCRIPTORS[k] for k in keys if k] + [
            words.DESCRIPTORS[line] for line in schema.BUSINESS_LINES]
        flat = [d[0] if self.zh else d[1] for lst in desc_lists for d in lst]
        offsets = np.cumsum([0] + [len(lst) for lst in desc_lists])
        lens = np.array([len(lst) for lst in desc_lists])
        # list index: owner 0, intermediary 1, other 2, contractor lines 3..7
        type_list = np.array([0, -1, 1, 2])[self.org_type]
        which = np.where(type_list >= 0, type_list, 3 + self.line)
        desc = offsets[which] + (rng.random(n_acc) * lens[which]).astype(np.int64)
        suffix = rng.choice(len(words.SUFFIXES), n_acc, p=[0.6, 0.2, 0.1, 0.1])
        suf_pool = pa.array([s[0] if self.zh else s[1] for s in words.SUFFIXES])
        city = _take(self.city_pool, self.city_idx)
        if self.zh:
            city = pc.replace_substring(city, "市", "")  # 苏州宏远…, not 苏州市宏远…
            name = _join(city, brand, _take(pa.array(flat), desc), _take(suf_pool, suffix))
        else:
            name = _join(city, brand, _take(pa.array(flat), desc), _take(suf_pool, suffix), sep=" ")
        # make names unique: the 2nd, 3rd... firm of the same name becomes a branch
        idx = pc.dictionary_encode(name).indices.to_numpy()
        order = np.argsort(idx, kind="stable")
        counts = np.bincount(idx)
        dup_no = np.empty(n_acc, dtype=np.int64)
        dup_no[order] = np.arange(n_acc) - np.repeat(_group_starts(counts), counts)
        if (dup_no > 0).any():
            dup = dup_no > 0
            head, tail = ("（第", "分公司）") if self.zh else (" (Branch ", ")")
            tag = np.where(dup, np.char.add(np.char.add(head, (dup_no + 1).astype(str)), tail), "")
            name = _join(name, pa.array(tag))
        return name

    # assembling the other tables with ids -----------------------------------------------
    def iter_tables(self):
        """Yield ``(name, table)`` one table at a time, freeing each one's working arrays.

        Streaming keeps peak memory near one table's size rather than all of them.
        """
        rng = self.rng
        yield "reps", self.tables.pop("reps")
        yield "customers", self.tables.pop("customers")
        cid = lambda idx: _take(self.cust_ids, self.rank[idx])  # noqa: E731
        o = self.o
        n_o = len(o["cust"])
        width = max(6, len(str(n_o)))
        yield "orders", pa.table({
            "order_id": providers.format_ids("O", np.arange(1, n_o + 1), width),
            "customer_id": cid(o["cust"]),
            "order_date": _dates(o["date"]),
            "product_line": _cat(schema.PRODUCT_LINES, o["line"]),
            "seats": pa.array(o["seats"]),
            "amount": pa.array(o["amount"]),
            "cost": pa.array(o["cost"]),
            "buyer_kind": _cat(schema.BUYER_KINDS, o["individual"].astype(np.int64)),
            "is_upgrade": pa.array(o["upgrade"]),
        })

        # contacts, in customer-id order
        cc = self.contact_cust
        order = np.lexsort((self.c_pos, self.rank[cc]))
        n_c = len(cc)
        full, first, last = self._person_names(n_c)
        titles = words.TITLES
        role = self.c_role
        t_pick = (rng.random(n_c) * np.array([len(titles[r]) for r in schema.CONTACT_ROLES])[role]).astype(np.int64)
        t_flat = [t[0] if self.zh else t[1] for r in schema.CONTACT_ROLES for t in titles[r]]
        t_off = np.cumsum([0] + [len(titles[r]) for r in schema.CONTACT_ROLES])[:-1]
        mobile = providers.mobiles(rng, n_c)
        qq = providers.qq_numbers(rng, n_c)
        if self.zh:
            use_qq = rng.random(n_c) < 0.6
            user = pc.if_else(pa.array(use_qq), qq, mobile)
            domain = pc.if_else(pa.array(use_qq), pa.scalar("qq.com"),
                                _take(self.email_domains, rng.integers(1, len(self.email_domains), n_c)))
            qq = pc.if_else(pa.array(rng.random(n_c) < 0.2), pa.nulls(n_c, pa.string()), qq)
        else:
            user = pc.utf8_lower(_join(first, last, sep="."))
            domain = _take(self.email_domains, rng.integers(0, len(self.email_domains), n_c))
            qq = pa.nulls(n_c, pa.string())
        email = _join(user, domain, sep="@")
        bday = rng.integers(_day("1962-01-01"), _day("2001-12-31"), n_c)
        bday_unknown = rng.random(n_c) < 0.1  # blank when unknown, never invented (digest §11)
        cwidth = max(6, len(str(n_c)))
        contact_ids_by_pos = np.empty(n_c, dtype=np.int64)
        contact_ids_by_pos[order] = np.arange(n_c)  # contact row -> id number - 1
        self.contact_rank = contact_ids_by_pos
        sel = pa.array(order)
        del self.o, o
        yield "contacts", pa.table({
            "contact_id": providers.format_ids("P", np.arange(1, n_c + 1), cwidth),
            "customer_id": cid(cc[order]),
            "contact_name": full.take(sel),
            "role": _cat(schema.CONTACT_ROLES, role[order]),
            "title": _take(pa.array(t_flat), (t_off[role] + t_pick)[order]),
            "mobile": mobile.take(sel),
            "email": email.take(sel),
            "qq": qq.take(sel),
            "birthday": _dates(bday[order], mask=bday_unknown[order]),
        })
        contact_ids = providers.format_ids("P", np.arange(1, n_c + 1), cwidth)

        op = self.opp
        n_op = len(op["cust"])
        d = op["dates"]
        stage_code = np.where(op["outcome"] == 1, 5, np.where(op["outcome"] == 2, 6, op["final"]))
        cols = {
            "opportunity_id": providers.format_ids("K", np.arange(1, n_op + 1), max(6, len(str(n_op)))),
            "customer_id": cid(op["cust"]),
            "rep_id": _take(self.rep_ids, op["rep"]),
            "source": _cat(schema.OPPORTUNITY_SOURCES, op["source"]),
            "stage": _cat(schema.STAGES, stage_code),
        }
        for j, stage in enumerate(schema.STAGES):
            col = schema.STAGE_DATE_COLUMNS[stage]
            cols[col] = _dates(np.maximum(d[:, j], 0), mask=d[:, j] < 0)
        cols["lost_reason"] = _cat(schema.LOST_REASONS, op["reason"], mask=op["outcome"] != 2)
        cols["expected_close_date"] = _dates(op["exp_close"])
        cols["expected_value"] = pa.array(op["value"])
        cols["product_line"] = _cat(schema.PRODUCT_LINES, op["line"])
        cols["buyer_kind"] = _cat(schema.BUYER_KINDS, op["individual"].astype(np.int64))
        cols["is_upgrade"] = pa.array(op["upgrade"])
        cols["probability"] = pa.array(op["prob"])
        yield "opportunities", pa.table(cols)
        del self.opp, op, d, cols

        a = self.act
        n_a = len(a["cust"])
        yield "activities", pa.table({
            "activity_id": providers.format_ids("A", np.arange(1, n_a + 1), max(6, len(str(n_a)))),
            "activity_date": _dates(a["day"]),
            "customer_id": cid(a["cust"]),
            "contact_id": _take(contact_ids, self.contact_rank[a["contact"]]),
            "rep_id": _take(self.rep_ids, self.rep[a["cust"]]),
            "activity_type": _cat(schema.ACTIVITY_TYPES, a["kind"]),
            "outcome": _cat(schema.ACTIVITY_OUTCOMES, a["outcome"]),
        })

        e = self.ev
        n_ev = len(e["day"])
        season_zh = np.where(((EPOCH + e["day"].astype("timedelta64[D]")).astype("datetime64[M]")
                              .astype(np.int64) % 12) < 6, 0, 1)
        themes = pa.array([t[0] if self.zh else t[1] for t in words.EVENT_THEMES])
        city = _take(self.city_pool, e["city"])
        year = pa.array(e["year"].astype(str))
        if self.zh:
            season = _cat(("春季", "秋季"), season_zh)
            ev_name = _join(year, "年", season, _take(themes, e["theme"]), "（", city, "）")
        else:
            season = _cat(("Spring", "Autumn"), season_zh)
            ev_name = _join(year, " ", season, " ", _take(themes, e["theme"]), " — ", city)
        ev_ids = providers.format_ids("E", np.arange(1, n_ev + 1), max(4, len(str(n_ev))))
        order = np.lexsort((self.rank[e["cust"]], e["ev"]))
        sel = e["ev"][order]
        m = len(order)
        del self.act, a
        yield "events", pa.table({
            "invitation_id": providers.format_ids("I", np.arange(1, m + 1), max(6, len(str(m)))),
            "event_id": _take(ev_ids, sel),
            "event_name": _take(ev_name, sel),
            "event_date": _dates(e["day"][sel]),
            "customer_id": cid(e["cust"][order]),
            "invited": pa.array(e["invited"][order]),
            "channel": _cat(schema.EVENT_CHANNELS, e["channel"][order], mask=~e["invited"][order]),
            "attended": pa.array(e["attended"][order]),
            "deal_amount": pa.array(e["deal"][order]),
        })
        del self.ev


STEPS = ("reps", "accounts", "customer_years", "orders", "opportunities", "contacts",
         "activities", "events", "finish")


def _stream(seed: int, customers: int, locale: str, calibration: Calibration | None,
            progress: bool):
    """Run the generation steps, then yield the tables one by one (with a progress bar)."""
    from tqdm.auto import tqdm

    gen = _Generator(seed, customers, locale, calibration or Calibration())
    total = len(STEPS) + len(schema.TABLE_ORDER)
    with tqdm(total=total, desc="generating", unit="step", disable=not progress) as bar:
        for step in STEPS:
            bar.set_postfix_str(step)
            getattr(gen, step)()
            bar.update()
        for name, table in gen.iter_tables():
            expected = schema.TABLES[name].names
            if table.column_names != expected:  # a generator bug, never the user's
                raise AssertionError(f"{name}: generated {table.column_names}, schema says {expected}")
            bar.set_postfix_str(name)
            yield name, table
            del table  # let it go before the next table is built
            bar.update()


def generate(seed: int = 2126, customers: int = 2126, locale: str = "en_US",
             calibration: Calibration | None = None, progress: bool = False) -> dict[str, pa.Table]:
    """Generate the synthetic CRM tables in memory.

    Parameters
    ----------
    seed : int
        Seed of numpy's ``default_rng`` and of the Faker instance.
    customers : int
        Customers who bought in year 1 (the pyramid's base); inactive customers,
        prospects, suspects, reps and events scale with it. At least 100.
    locale : {"en_US", "zh_CN"}
        Language of person and organisation names and of places.
    calibration : Calibration, optional
        The numbers that shape the data; the defaults reproduce the digest's cases.
    progress : bool
        Show a progress bar.

    Returns
    -------
    dict of str to pyarrow.Table
        One table per canonical table name (see :mod:`custlib.schema`), in
        :data:`custlib.schema.TABLE_ORDER`.
    """
    tables = dict(_stream(seed, customers, locale, calibration, progress))
    return {name: tables[name] for name in schema.TABLE_ORDER}


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _library_versions() -> dict[str, str]:
    import faker

    return {"faker": faker.VERSION, "numpy": np.__version__, "pyarrow": pa.__version__}


def read_manifest(folder: str | os.PathLike) -> dict:
    """The ``MANIFEST.json`` of a generated dataset (parameters, versions, checksums)."""
    return json.loads((Path(folder) / "MANIFEST.json").read_text(encoding="utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _dataset_header(seed: int, customers: int, locale: str) -> str:
    cmd = f"custlib generate --seed {seed} --customers {customers} --locale {locale} --out DIR"
    return f"""# Synthetic CRM dataset — data dictionary

A fictional vendor of construction cost-estimation software and services (estimating,
quantity take-off and rebar software, training) selling to owners (甲方), contractors
(乙方), cost consultants and other intermediaries (中介) across China: the setting of
the seed customer-analysis workbook (客户分析表, digest §11). Every name, number and
phone number is made up.

* **Year 1** is {YEAR1} and **year 2** is {YEAR2}; the snapshot date is {SNAPSHOT}.
  Order history reaches back to 2019. Nothing is dated after the snapshot except the
  *expected* close dates of open opportunities, which are forecasts.
* **Population** (digest §7 case, per 2,126 customers who bought in year 1): 154
  inactive customers, 250 prospects and 1,000 suspects; about 20 sales reps.
* **Calibrated** so the lessons find what the source describes: year-1 tiers at the
  case thresholds (¥58,900 / ¥19,000 / ¥4,820) hold about 1/4/15/80% of customers and
  24/27/29/20% of revenue; in year 2 customers given a structured meeting grow about
  6% and the others shrink about 8%; about one first appointment in five is won; some
  reps have an empty pipeline front, others a pile-up in the middle.
* **Drop-out** (digest §5 stage D): during year 2 about one customer in nine stops
  buying for good (its last order in January or February), more often among the big
  customers and those without the meeting; its year-2 orders and visits all come before
  it stops, so the yearly figures above are unchanged. The drop-out rates are this
  dataset's, not the source's.
* **Made by** `{cmd}` (seed {seed}, {customers:,} year-1 customers, locale `{locale}`).
  The same command gives byte-identical files; `MANIFEST.json` holds the library
  versions used and the SHA-256 of every file, and the test suite regenerates the
  dataset and compares.
"""


def write_dataset(out: str | os.PathLike, seed: int = 2126, customers: int = 2126,
                  locale: str = "en_US", force: bool = False, progress: bool = False,
                  calibration: Calibration | None = None) -> dict:
    """Generate the dataset and write it as UTF-8 CSV files plus ``MANIFEST.json``.

    Refuses a non-empty ``out`` folder unless ``force``; then only the dataset's own
    files (the CSV tables and the manifest) are replaced, each written to a temporary
    file first and renamed into place, so an interrupted run leaves no torn file.

    Returns
    -------
    dict
        The manifest: parameters, library versions, and rows and SHA-256 of every file.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise FileExistsError(
            f"{out} is not empty; choose an empty folder or pass --force to replace its tables")
    out.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    files = {}
    for name, table in _stream(seed, customers, locale, calibration, progress):
        target = out / schema.TABLES[name].filename
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
        os.close(fd)
        try:
            pacsv.write_csv(table, tmp, options)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; use the user's default
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        files[target.name] = {"rows": table.num_rows, "sha256": file_sha256(target)}
        del table
    readme = out / "README.md"
    readme.write_text(render_dictionary(files, _dataset_header(seed, customers, locale)),
                      encoding="utf-8")
    files[readme.name] = {"sha256": file_sha256(readme)}
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed, "customers": customers, "locale": locale,
        "snapshot": str(SNAPSHOT), "year1": YEAR1, "year2": YEAR2,
        "calibration": asdict(calibration) if calibration else "default",
        "libraries": _library_versions(),
        "files": files,
    }
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return manifest

