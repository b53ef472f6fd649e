"""The sales reps of the synthetic CRM: the ``reps`` table and each rep's pipeline profile.

:func:`make_reps` takes the numpy generator, the :class:`Calibration`, the number
of year-1 customers, the locale and the name pools, and returns :class:`Reps`: one
rep per ``customers_per_rep`` customers (at least five, at least one per region,
the rest by the regions' customer weight), each with a hire date, a name and a
pipeline profile (healthy funnel, empty front or middle pile-up, digest §12).

Examples
--------
>>> import numpy as np
>>> from custlib.synth.calibration import Calibration
>>> from custlib.synth.people import name_pools
>>> from custlib.synth.reps import make_reps
>>> reps = make_reps(np.random.default_rng(1), Calibration(), 2126, "en_US",
...                  name_pools("en_US", 1))
>>> reps.n, reps.table.column_names
(20, ['rep_id', 'rep_name', 'region', 'hire_date'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from custlib import schema
from custlib.synth import geo, providers
from custlib.synth._arrays import cat, date_array, day_of
from custlib.synth.calibration import Calibration
from custlib.synth.people import NamePools, person_names

__all__ = ["Reps", "make_reps"]


@dataclass(frozen=True)
class Reps:
    """The reps: what later steps need of them, and their table."""

    #: region code (index into ``schema.REGIONS``) of each rep
    region: np.ndarray
    #: pipeline profile of each rep: 0 healthy, 1 empty front, 2 middle pile-up
    profile: np.ndarray
    #: rep ids, ``ids[r]`` for rep ``r``
    ids: pa.Array
    #: the ``reps`` table
    table: pa.Table

    @property
    def n(self) -> int:
        """Number of reps."""
        return len(self.region)


def make_reps(rng: np.random.Generator, cal: Calibration, customers: int, locale: str,
              pools: NamePools) -> Reps:
    """Draw the reps: profiles, then hire dates, then names (in that order from ``rng``)."""
    n_reps = max(5, round(customers / cal.customers_per_rep))
    _, _, city_region, city_w = geo.city_table(locale)
    region_w = np.zeros(len(schema.REGIONS))
    region_idx = np.array([schema.REGIONS.index(r) for r in city_region])
    np.add.at(region_w, region_idx, city_w)
    # at least one rep per region, the rest by largest remainder of the customer weight
    quota = region_w / region_w.sum() * (n_reps - len(region_w))
    per_region = 1 + np.floor(quota).astype(int)
    short = n_reps - per_region.sum()
    per_region[np.argsort(-(quota - np.floor(quota)), kind="stable")[:short]] += 1
    rep_region = np.repeat(np.arange(len(schema.REGIONS)), per_region)
    profile = np.zeros(n_reps, dtype=np.int64)  # 0 healthy, 1 empty front, 2 pile-up
    order = rng.permutation(n_reps)
    n_empty = max(1, round(n_reps * cal.empty_front_share))
    n_pile = max(1, round(n_reps * cal.pileup_share))
    profile[order[:n_empty]] = 1
    profile[order[n_empty:n_empty + n_pile]] = 2
    hire = rng.integers(day_of("2012-01-01"), day_of("2023-06-30"), n_reps)
    names, _, _ = person_names(rng, pools, n_reps)
    width = max(3, len(str(n_reps)))
    ids = providers.format_ids("R", np.arange(1, n_reps + 1), width)
    table = pa.table({
        "rep_id": ids,
        "rep_name": names,
        "region": cat(schema.REGIONS, rep_region),
        "hire_date": date_array(hire),
    })
    return Reps(region=rep_region, profile=profile, ids=ids, table=table)
