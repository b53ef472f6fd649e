"""Boundary checks shared by the method modules.

Each check says what was expected and what was found, naming the argument and,
for tables, the columns and a few offending index labels, in the spirit of
scikit-learn's input validation.

Examples
--------
>>> import pandas as pd
>>> check_series(pd.Series([1.0, -2.0]), "revenue")
Traceback (most recent call last):
...
ValueError: revenue must be >= 0; found 1 negative values, e.g. at [1]
>>> check_frame(pd.DataFrame({"a": [1]}), "orders", ["a", "b"])
Traceback (most recent call last):
...
ValueError: orders is missing column(s) ['b']; expected ['a', 'b'], found ['a']
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["check_series", "check_frame", "check_fraction"]


def _examples(index: pd.Index, k: int = 3) -> list:
    return list(index[:k])


def check_series(x, name: str, *, numeric: bool = True, nonnegative: bool = True,
                 allow_empty: bool = False, allow_na: bool = False) -> pd.Series:
    """Check ``x`` is a Series with the stated properties and return it."""
    if not isinstance(x, pd.Series):
        raise TypeError(f"{name} must be a pandas Series, got {type(x).__name__}")
    if not allow_empty and len(x) == 0:
        raise ValueError(f"{name} is empty: expected at least one value")
    if numeric and not (pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)):
        raise TypeError(f"{name} must be numeric, got dtype {x.dtype}")
    na = x.isna()
    if not allow_na and na.any():
        raise ValueError(f"{name} has {int(na.sum())} missing values, e.g. at "
                         f"{_examples(x.index[na])}")
    if numeric and nonnegative:
        neg = x < 0
        if neg.any():
            raise ValueError(f"{name} must be >= 0; found {int(neg.sum())} negative values, "
                             f"e.g. at {_examples(x.index[neg])}")
    return x


def check_frame(df, name: str, columns: Iterable[str], *, allow_empty: bool = False,
                numeric: Iterable[str] = (), dates: Iterable[str] = ()) -> pd.DataFrame:
    """Check ``df`` is a DataFrame holding ``columns`` (numeric/date ones typed) and return it."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    columns = list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; expected {columns}, "
                         f"found {list(df.columns)}")
    if not allow_empty and len(df) == 0:
        raise ValueError(f"{name} is empty: expected at least one row")
    for c in numeric:
        if not pd.api.types.is_numeric_dtype(df[c]):
            raise TypeError(f"{name}[{c!r}] must be numeric, got dtype {df[c].dtype}")
    for c in dates:
        if not pd.api.types.is_datetime64_any_dtype(df[c]):
            raise TypeError(f"{name}[{c!r}] must be datetime64 (use custlib.io.load or "
                            f"pd.to_datetime), got dtype {df[c].dtype}")
    return df


def check_fraction(value: float, name: str, *, low: float = 0.0, high: float = 1.0) -> float:
    """Check ``low <= value <= high`` and return it as a float."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number between {low} and {high}, got {value!r}") from None
    if not low <= v <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return v
