"""Small data providers the generator needs and Faker does not have.

Two forms of each: a vectorised function over a ``numpy.random.Generator`` (what
the generator uses: millions of values in milliseconds) and a Faker provider
method for one value at a time (handy in a lesson or a test fixture).

Examples
--------
>>> import numpy as np
>>> from custlib.synth.providers import format_ids, qq_numbers
>>> format_ids("C", np.array([1, 42]), 5).tolist()
['C00001', 'C00042']
>>> q = qq_numbers(np.random.default_rng(0), 3)
>>> all(5 <= len(x) <= 10 and x[0] != "0" for x in q.tolist())
True

>>> from faker import Faker
>>> fake = Faker("zh_CN")
>>> fake.add_provider(CRMProvider)
>>> fake.seed_instance(1)
>>> qq = fake.qq()
>>> qq.isdigit() and 5 <= len(qq) <= 10
True
>>> fake.business_line() in ("civil", "installation", "municipal", "decoration", "landscape")
True
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pyarrow as pa
from faker.providers import BaseProvider

from custlib.schema import BUSINESS_LINES
from custlib.synth.words import BRAND_SYLLABLES, DESCRIPTORS, MOBILE_PREFIXES, SUFFIXES

__all__ = ["format_ids", "digit_strings", "qq_numbers", "mobiles", "CRMProvider",
           "QQ_LENGTHS"]

#: Share of QQ numbers by number of digits (older accounts are shorter).
QQ_LENGTHS = OrderedDict([(5, 0.01), (6, 0.04), (7, 0.10), (8, 0.20), (9, 0.40), (10, 0.25)])


def _digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII digits of non-negative integers, zero-padded: shape (n, width), uint8."""
    values = np.asarray(values, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10 + ord("0")).astype(np.uint8)


def _to_strings(matrix: np.ndarray) -> pa.Array:
    """Rows of an ASCII byte matrix as a pyarrow string array (trailing NUL bytes dropped)."""
    n, width = matrix.shape
    fixed = np.ascontiguousarray(matrix).view(f"S{width}").reshape(n)
    return pa.array(fixed).cast(pa.string())


def format_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Identifiers ``prefix`` + zero-padded ``numbers``, e.g. ``C00042``.

    Vectorised (no Python loop), so ten million ids take well under a second.
    """
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    digits = _digit_matrix(numbers, width)
    matrix = np.hstack([np.broadcast_to(head, (len(digits), len(head))), digits])
    return _to_strings(matrix)


def digit_strings(values: np.ndarray, width: int) -> pa.Array:
    """Zero-padded decimal strings of ``values`` (each must fit in ``width`` digits)."""
    return _to_strings(_digit_matrix(values, width))


def qq_numbers(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` QQ numbers: 5–10 digits, no leading zero, length shares :data:`QQ_LENGTHS`."""
    length = rng.choice(np.array(list(QQ_LENGTHS)), size=n, p=np.array(list(QQ_LENGTHS.values())))
    low = 10 ** (length - 1)
    value = low + (rng.random(n) * (9 * low)).astype(np.int64)
    matrix = _digit_matrix(value * 10 ** (10 - length), 10)  # left-aligned in 10 columns
    matrix[np.arange(10)[None, :] >= length[:, None]] = 0  # NUL padding is dropped
    return _to_strings(matrix)


def mobiles(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` mainland-China mobile numbers: a valid three-digit prefix and eight digits."""
    prefix = rng.choice(np.array(MOBILE_PREFIXES, dtype=np.int64), size=n)
    return digit_strings(prefix * 100_000_000 + rng.integers(0, 100_000_000, size=n), 11)


class CRMProvider(BaseProvider):
    """Faker provider for QQ numbers, business lines and construction-firm names."""

    def qq(self) -> str:
        """A QQ number as a string (5–10 digits, no leading zero)."""
        length = self.random_element(QQ_LENGTHS)
        return str(self.random_int(10 ** (length - 1), 10**length - 1))

    def business_line(self) -> str:
        """One of the five business lines of the digest (土建/安装/市政/装饰/园林)."""
        return self.random_element(BUSINESS_LINES)

    def construction_firm(self, city: str = "", line: str = "civil", chinese: bool = True) -> str:
        """A contractor's name: city + two-syllable brand + business descriptor + legal suffix."""
        a, b = self.random_elements(BRAND_SYLLABLES, length=2, unique=True)
        desc = self.random_element(DESCRIPTORS[line])
        suffix = self.random_element(SUFFIXES)
        if chinese:
            return f"{city}{a[0]}{b[0]}{desc[0]}{suffix[0]}"
        return " ".join(x for x in (city, a[1] + b[1].lower(), desc[1], suffix[1]) if x)

    def mobile(self) -> str:
        """A mainland-China mobile number (11 digits)."""
        return f"{self.random_element(MOBILE_PREFIXES)}{self.random_int(0, 99_999_999):08d}"
