"""Person names for the synthetic reps and contacts.

Faker is used once, here: :func:`name_pools` draws fixed-size pools of first and
last names (and e-mail domains) from a Faker seeded with the dataset's seed;
:func:`person_names` then samples those pools with numpy, so a million names cost
milliseconds. It takes the numpy generator, the pools and a count, and returns the
full, first and last names as Arrow string arrays.

Examples
--------
>>> import numpy as np
>>> from custlib.synth.people import name_pools, person_names
>>> pools = name_pools("zh_CN", seed=1)
>>> full, first, last = person_names(np.random.default_rng(0), pools, 3)
>>> all(f == la + fi for f, fi, la in zip(full.to_pylist(), first.to_pylist(),
...                                       last.to_pylist()))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from faker import Faker

from custlib.synth import words
from custlib.synth._arrays import join, take

__all__ = ["NamePools", "name_pools", "person_names"]


@dataclass(frozen=True)
class NamePools:
    """Names to sample from, drawn once per dataset by the seeded Faker."""

    locale: str
    first_names: pa.Array
    last_names: pa.Array
    email_domains: pa.Array

    @property
    def zh(self) -> bool:
        """Whether names are Chinese (family name first, no space)."""
        return self.locale == "zh_CN"


def name_pools(locale: str, seed: int) -> NamePools:
    """3,000 first names, 2,000 last names and the e-mail domains of ``locale``.

    Draws from a Faker of its own (``seed_instance(seed)``), never from numpy.
    """
    fake = Faker(locale)
    fake.seed_instance(seed)
    first_names = pa.array([fake.first_name() for _ in range(3000)])
    last_names = pa.array([fake.last_name() for _ in range(2000)])
    email_domains = pa.array(
        list(words.ZH_EMAIL_DOMAINS) if locale == "zh_CN"
        else sorted({fake.free_email_domain() for _ in range(200)}))
    return NamePools(locale, first_names, last_names, email_domains)


def person_names(rng: np.random.Generator, pools: NamePools,
                 n: int) -> tuple[pa.Array, pa.Array, pa.Array]:
    """``n`` full names with their first and last names, sampled from ``pools``.

    Draws the first names, then the last names, from ``rng``.
    """
    first = take(pools.first_names, rng.integers(0, len(pools.first_names), n))
    last = take(pools.last_names, rng.integers(0, len(pools.last_names), n))
    full = join(last, first) if pools.zh else join(first, last, sep=" ")
    return full, first, last
