"""The numbers that shape the synthetic data, and its calendar.

:class:`Calibration` holds every constant of the generator with its source in the
digest; the module constants fix the calendar: year 1 and year 2 of the course's
cases (2024 and 2025), the snapshot date, the start of the order history and the
day 0 of the generator's internal day numbers. Nothing here draws a random number.

Examples
--------
>>> from custlib.synth.calibration import SNAPSHOT, Calibration
>>> str(SNAPSHOT), Calibration().meeting_growth
('2025-12-31', 0.06)
>>> Calibration(meeting_growth=0.1).meeting_growth
0.1
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Calibration", "YEAR1", "YEAR2", "SNAPSHOT", "HISTORY_START", "EPOCH"]

YEAR1, YEAR2 = 2024, 2025
SNAPSHOT = np.datetime64("2025-12-31", "D")
HISTORY_START = np.datetime64("2019-01-01", "D")
#: Day 0 of the internal day numbers (contacts may predate the first order).
EPOCH = np.datetime64("2017-01-01", "D")


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
