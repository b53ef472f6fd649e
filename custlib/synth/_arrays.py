"""Small vectorised helpers shared by the table families of the synthetic generator.

Day numbers (whole days since :data:`~custlib.synth.calibration.EPOCH`), year
bounds and the order-date season; grouping and picking inside groups; and the few
pyarrow idioms every table is built with (take from a pool, categorical codes to
labels, element-wise string join). The helpers that draw random numbers take the
``numpy.random.Generator`` to draw from and draw nothing else.

Examples
--------
>>> import numpy as np
>>> from custlib.synth._arrays import date_array, day_of, group_starts
>>> day_of("2017-01-02")
1
>>> group_starts(np.array([2, 0, 3])).tolist()
[0, 2, 2]
>>> date_array(np.array([0, 365]), mask=np.array([False, True])).to_pylist()
[datetime.date(2017, 1, 1), None]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custlib.synth.calibration import EPOCH, SNAPSHOT

__all__ = ["SNAP_DAY", "day_of", "year_bounds", "date_array", "Season", "group_starts",
           "pick_within", "durations", "take", "cat", "join", "Ids"]

#: Day number of the snapshot.
SNAP_DAY = int((SNAPSHOT - EPOCH).astype(np.int64))


def day_of(s: str) -> int:
    """Day number of an ISO date."""
    return int((np.datetime64(s, "D") - EPOCH).astype(np.int64))


def year_bounds(year: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers of the first and the last day of each year."""
    year = np.asarray(year, dtype=np.int64)
    lo = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") - EPOCH
    hi = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - EPOCH - 1
    return lo.astype(np.int64), hi.astype(np.int64)


def date_array(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Day numbers as a ``date32`` array (null where ``mask``)."""
    values = (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[D]")
    return pa.array(values, type=pa.date32(), mask=mask)


class Season:
    """Draw order dates with a yearly rhythm: a Spring-Festival dip, a year-end peak."""

    MONTH_WEIGHT = np.array([0.9, 0.5, 1.1, 1.1, 1.0, 1.1, 0.9, 0.9, 1.0, 0.8, 1.1, 1.5])

    def __init__(self) -> None:
        days = np.arange(EPOCH, SNAPSHOT + 2, dtype="datetime64[D]")
        month = days.astype("datetime64[M]").astype(np.int64) % 12
        self.cum = np.concatenate([[0.0], np.cumsum(self.MONTH_WEIGHT[month])])

    def draw(self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """One day number in ``[lo, hi]`` per item, weighted by the month."""
        c_lo, c_hi = self.cum[lo], self.cum[hi + 1]
        u = c_lo + rng.random(len(lo)) * (c_hi - c_lo)
        return np.clip(np.searchsorted(self.cum, u, side="right") - 1, lo, hi)


def group_starts(counts: np.ndarray) -> np.ndarray:
    """Offset of each group's first item when groups of ``counts`` items are laid end to end."""
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def pick_within(groups: np.ndarray, pool_groups: np.ndarray, n_groups: int,
                rng: np.random.Generator) -> np.ndarray:
    """For each item, a random pool index with the same group (-1 where the group is empty)."""
    order = np.argsort(pool_groups, kind="stable")
    counts = np.bincount(pool_groups, minlength=n_groups)
    starts = group_starts(counts)
    c = counts[groups]
    pick = starts[groups] + (rng.random(len(groups)) * c).astype(np.int64)
    out = np.full(len(groups), -1, dtype=np.int64)
    ok = c > 0
    out[ok] = order[pick[ok]]
    return out


def durations(rng: np.random.Generator, mean, n: int) -> np.ndarray:
    """Whole days in a stage: 1 + exponential, so the mean is ``mean`` (scalar or per item)."""
    scale = np.maximum(np.asarray(mean, dtype=float) - 1, 0.5)
    return 1 + rng.exponential(scale, n).astype(np.int64)


def take(pool: pa.Array, index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """``pool[index]`` as an Arrow array (null where ``mask``)."""
    out = pool.take(pa.array(index))
    if mask is not None:
        out = pc.if_else(pa.array(mask), pa.nulls(len(out), out.type), out)
    return out


def cat(values: tuple[str, ...], codes: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Category labels of integer codes (null where ``mask``)."""
    return take(pa.array(values, type=pa.string()), codes, mask)


def join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Element-wise string join of arrays and scalars."""
    return pc.binary_join_element_wise(*parts, sep)


@dataclass(frozen=True)
class Ids:
    """Ids numbered in a chosen order: ``ids[rank[i]]`` is item ``i``'s id."""

    #: position of each item in id order
    rank: np.ndarray
    #: the ids, in id order
    ids: pa.Array

    def of(self, index: np.ndarray) -> pa.Array:
        """The ids of the items ``index``."""
        return take(self.ids, self.rank[index])
