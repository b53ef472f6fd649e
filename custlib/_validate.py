"""Boundary checks shared by the method modules.

Each check says what was expected and what was found, naming the argument and,
for tables, the columns and a few offending index labels, in the spirit of
scikit-learn's input validation (``sklearn.utils.validation``). A method module
checks its arguments with these rather than with checks of its own, so the same
bad argument gets the same message in every method.

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
>>> check_date("not a date", "as_of")
Traceback (most recent call last):
...
ValueError: as_of must be a date such as '2025-12-31', got 'not a date'
"""

from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["check_series", "check_frame", "check_fraction", "check_scalar", "check_probability",
           "check_choice", "check_date", "check_date_series", "check_flag", "check_aligned"]


def _examples(index: pd.Index, k: int = 3) -> list:
    return list(index[:k])


def check_series(x, name: str, *, numeric: bool = True, nonnegative: bool = True,
                 allow_empty: bool = False, allow_na: bool = False) -> pd.Series:
    """Check ``x`` is a Series with the stated properties and return it.

    Parameters
    ----------
    x : object
        The argument to check.
    name : str
        Its name, as the message shows it.
    numeric, nonnegative, allow_empty, allow_na : bool
        Whether the values must be numbers (not booleans), >= 0; whether an empty
        Series or missing values pass.

    Returns
    -------
    Series
        ``x`` itself.

    Raises
    ------
    TypeError
        Not a Series, or not numeric when ``numeric``.
    ValueError
        Empty, missing or negative values where they are not allowed.

    Examples
    --------
    >>> import pandas as pd
    >>> check_series(pd.Series([1.0, None], index=["a", "b"]), "revenue")
    Traceback (most recent call last):
    ...
    ValueError: revenue has 1 missing values, e.g. at ['b']
    """
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
    """Check ``df`` is a DataFrame holding ``columns`` (numeric/date ones typed) and return it.

    Parameters
    ----------
    df : object
        The argument to check.
    name : str
        Its name, as the message shows it.
    columns : iterable of str
        Columns it must have.
    allow_empty : bool, default False
        Whether a table without rows passes.
    numeric, dates : iterable of str
        Columns that must be numeric, or datetime64.

    Returns
    -------
    DataFrame
        ``df`` itself.

    Raises
    ------
    TypeError
        Not a DataFrame, or a column of the wrong type.
    ValueError
        A missing column, or no rows when they are needed.

    Examples
    --------
    >>> import pandas as pd
    >>> check_frame(pd.DataFrame({"d": ["2025-01-01"]}), "orders", ["d"], dates=["d"])
    Traceback (most recent call last):
    ...
    TypeError: orders['d'] must be datetime64 (use custlib.io.load or pd.to_datetime), ...
    """
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


# --- scalars ----------------------------------------------------------------------------

def _kind_text(kinds: tuple, integral: bool) -> str:
    if integral:
        return "a whole number"
    words = {numbers.Real: "a number", float: "a float", numbers.Integral: "an integer",
             int: "an integer", bool: "a boolean", str: "a string"}
    return " or ".join(dict.fromkeys(words.get(k, f"a {k.__name__}") for k in kinds))


def _bounds_text(low, high, include_low: bool, include_high: bool) -> str:
    if low is not None and high is not None:
        if include_low and include_high:
            return f"between {low} and {high}"
        return f"in {'[' if include_low else '('}{low}, {high}{']' if include_high else ')'}"
    if low is not None:
        return f"{'>=' if include_low else '>'} {low}"
    if high is not None:
        return f"{'<=' if include_high else '<'} {high}"
    return ""


def check_scalar(x, name: str, *, kind=numbers.Real, low=None, high=None,
                 include_low: bool = True, include_high: bool = True, integral: bool = False,
                 finite: bool = True):
    """Check a single number is of ``kind`` and within the bounds, and return it.

    As :func:`sklearn.utils.check_scalar`: the message says what was expected and what
    was found. A boolean is not a number here (unless ``kind`` includes ``bool``).

    Parameters
    ----------
    x : object
        The argument to check.
    name : str
        Its name, as the message shows it.
    kind : type or tuple of types, default ``numbers.Real``
        Accepted types (``numbers.Real`` takes Python and NumPy ints and floats).
    low, high : number, optional
        Bounds; None for no bound.
    include_low, include_high : bool, default True
        Whether ``x`` may equal the bound (``>=`` / ``<=``) or must pass it strictly.
    integral : bool, default False
        ``x`` must be a whole number (``3`` and ``3.0`` both pass).
    finite : bool, default True
        Reject NaN and infinity.

    Returns
    -------
    number
        ``x`` itself.

    Raises
    ------
    TypeError
        ``x`` is not of ``kind``.
    ValueError
        ``x`` outside the bounds, not whole when ``integral``, or not finite.

    Examples
    --------
    >>> check_scalar(0.5, "weeks", low=0, include_low=False)
    0.5
    >>> check_scalar(0, "weeks", low=0, include_low=False)
    Traceback (most recent call last):
    ...
    ValueError: weeks must be > 0, got 0
    >>> check_scalar(1.0, "retention", low=0, high=1, include_high=False)
    Traceback (most recent call last):
    ...
    ValueError: retention must be in [0, 1), got 1.0
    >>> check_scalar(2.5, "years", low=0, integral=True)
    Traceback (most recent call last):
    ...
    ValueError: years must be a whole number >= 0, got 2.5
    >>> check_scalar("five", "prospects", low=0)
    Traceback (most recent call last):
    ...
    TypeError: prospects must be a number, got str 'five'
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(x, kinds) or (isinstance(x, (bool, np.bool_)) and bool not in kinds):
        raise TypeError(f"{name} must be {_kind_text(kinds, integral)}, "
                        f"got {type(x).__name__} {x!r}")
    if not isinstance(x, numbers.Real) or isinstance(x, (bool, np.bool_)):
        return x
    expected = " ".join(t for t in ("a whole number" if integral else "",
                                    _bounds_text(low, high, include_low, include_high)) if t)
    if finite and not math.isfinite(x):
        raise ValueError(f"{name} must be {expected + ' and ' if expected else ''}finite, "
                         f"got {x}")
    ok = not (integral and not float(x).is_integer())
    if low is not None:
        ok = ok and (x >= low if include_low else x > low)
    if high is not None:
        ok = ok and (x <= high if include_high else x < high)
    if not ok:
        raise ValueError(f"{name} must be {expected}, got {x}")
    return x


def check_fraction(value: float, name: str, *, low: float = 0.0, high: float = 1.0) -> float:
    """Check ``low <= value <= high`` and return it as a float.

    A number given as text (``"0.2"``) is accepted; NaN is not.

    Examples
    --------
    >>> check_fraction("0.25", "share")
    0.25
    >>> check_fraction(5, "close_rate")
    Traceback (most recent call last):
    ...
    ValueError: close_rate must be between 0.0 and 1.0, got 5
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number between {low} and {high}, got {value!r}") from None
    shown = value if isinstance(value, numbers.Real) and not isinstance(value, bool) else v
    check_scalar(shown, name, low=low, high=high, finite=False)
    return v


def check_probability(p, name: str, *, allow_empty: bool = True):
    """Check a probability (a fraction 0–1), a number or a Series of them, and return it.

    A number goes through :func:`check_fraction` (returned as a float). A Series must be
    numeric, without missing values, >= 0 (:func:`check_series`) and at most 1: a
    percentage (75 for 75 %) is the usual mistake.

    Parameters
    ----------
    p : number or Series
        The argument to check.
    name : str
        Its name, as the message shows it.
    allow_empty : bool, default True
        Whether an empty Series passes.

    Returns
    -------
    float or Series

    Raises
    ------
    TypeError
        Not a number, or a non-numeric Series.
    ValueError
        A value outside 0–1, or a missing value.

    Examples
    --------
    >>> import pandas as pd
    >>> check_probability(0.75, "win_rate")
    0.75
    >>> check_probability(1.5, "win_rate")
    Traceback (most recent call last):
    ...
    ValueError: win_rate must be between 0.0 and 1.0, got 1.5
    >>> check_probability(pd.Series([0.5, 75.0]), "probability")
    Traceback (most recent call last):
    ...
    ValueError: probability must be between 0.0 and 1.0 (a fraction, not a percentage); found 1 ...
    """
    if not isinstance(p, pd.Series):
        return check_fraction(p, name)
    p = check_series(p, name, allow_empty=allow_empty)
    over = p > 1
    if over.any():
        raise ValueError(f"{name} must be between 0.0 and 1.0 (a fraction, not a percentage); "
                         f"found {int(over.sum())} values above 1, e.g. at "
                         f"{_examples(p.index[over])}")
    return p


def check_choice(value, name: str, allowed: Iterable, *, note: str = ""):
    """Check ``value`` (or every value of a Series) is one of ``allowed``, and return it.

    Parameters
    ----------
    value : object or Series
        The argument to check; missing values of a Series are not allowed.
    name : str
        Its name, as the message shows it.
    allowed : iterable
        The allowed values, in the order the message lists them.
    note : str, optional
        What the values mean, shown in brackets after the list.

    Returns
    -------
    object or Series
        ``value`` itself.

    Raises
    ------
    ValueError
        A value not allowed.

    Examples
    --------
    >>> check_choice("textbook", "scheme", ["operator", "textbook"])
    'textbook'
    >>> check_choice("Y", "freq", ["D", "W"], note="the time unit of T")
    Traceback (most recent call last):
    ...
    ValueError: freq must be one of ['D', 'W'] (the time unit of T), got 'Y'
    >>> import pandas as pd
    >>> check_choice(pd.Series(["A", "E", "F"]), "grades", ["A", "B"])
    Traceback (most recent call last):
    ...
    ValueError: grades must be one of ['A', 'B']; found 2 other values, e.g. ['E', 'F']
    """
    allowed = list(allowed)
    note = f" ({note})" if note else ""
    if isinstance(value, pd.Series):
        obj = value.astype(object)
        bad = ~obj.isin(allowed)
        if bad.any():
            raise ValueError(f"{name} must be one of {allowed}{note}; found {int(bad.sum())} "
                             f"other values, e.g. {list(obj[bad].unique()[:3])}")
        return value
    try:
        ok = value in allowed
    except TypeError:  # an unhashable value compared with hashable ones
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {allowed}{note}, got {value!r}")
    return value


# --- dates and flags --------------------------------------------------------------------

def check_date(value, name: str) -> pd.Timestamp:
    """Check ``value`` is a date and return it as a Timestamp.

    Text (``"2025-12-31"``), :class:`datetime.date`, :class:`datetime.datetime`,
    :class:`numpy.datetime64` and :class:`pandas.Timestamp` pass; None, NaT, numbers and
    text that is not a date do not.

    Parameters
    ----------
    value : date-like
        The argument to check.
    name : str
        Its name, as the message shows it.

    Returns
    -------
    Timestamp
        The date, time of day kept.

    Raises
    ------
    ValueError
        ``value`` is not a date.

    Examples
    --------
    >>> import datetime
    >>> check_date(datetime.date(2025, 12, 31), "as_of")
    Timestamp('2025-12-31 00:00:00')
    >>> check_date(None, "as_of")
    Traceback (most recent call last):
    ...
    ValueError: as_of must be a date such as '2025-12-31', got None
    """
    message = f"{name} must be a date such as '2025-12-31', got {value!r}"
    if not isinstance(value, (str, datetime.date, np.datetime64)):
        raise ValueError(message)
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(message) from None
    if pd.isna(ts):
        raise ValueError(message)
    return ts


def check_date_series(x, name: str) -> pd.Series:
    """Check ``x`` is a datetime64 Series (NaT allowed: no date known) and return it.

    Examples
    --------
    >>> import pandas as pd
    >>> check_date_series(pd.Series(["2026-01-01"]), "expected_close")
    Traceback (most recent call last):
    ...
    TypeError: expected_close must be datetime64 (use custlib.io.load or pd.to_datetime), ...
    """
    if not isinstance(x, pd.Series):
        raise TypeError(f"{name} must be a pandas Series of dates, got {type(x).__name__}")
    if not pd.api.types.is_datetime64_any_dtype(x):
        raise TypeError(f"{name} must be datetime64 (use custlib.io.load or pd.to_datetime), "
                        f"got dtype {x.dtype}")
    return x


def check_flag(x, name: str) -> pd.Series:
    """Check ``x`` is a boolean Series (True/False per row) and return it.

    Examples
    --------
    >>> import pandas as pd
    >>> check_flag(pd.Series([1, 0]), "wide_influence")
    Traceback (most recent call last):
    ...
    TypeError: wide_influence must be boolean (True/False), got dtype int64
    """
    if not isinstance(x, pd.Series):
        raise TypeError(f"{name} must be a boolean pandas Series, got {type(x).__name__}")
    if not pd.api.types.is_bool_dtype(x):
        raise TypeError(f"{name} must be boolean (True/False), got dtype {x.dtype}")
    return x


def check_aligned(x, reference, name: str, reference_name: str):
    """Check ``x`` has exactly the index of ``reference`` (one row each) and return it.

    Parameters
    ----------
    x : Series or DataFrame
        The argument to check.
    reference : Series, DataFrame or Index
        What it must line up with.
    name, reference_name : str
        Their names, as the message shows them.

    Returns
    -------
    Series or DataFrame
        ``x`` itself.

    Raises
    ------
    TypeError
        ``x`` is not a Series or DataFrame.
    ValueError
        A different index: other rows, other labels, or another order.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.Series([0.5, 0.6], index=["a", "b"])
    >>> check_aligned(pd.Series([1], index=["a"]), p, "seats", "probability")
    Traceback (most recent call last):
    ...
    ValueError: seats must have the same index as probability (one row each); found 1 rows against 2
    >>> check_aligned(pd.Series([1, 2], index=["a", "c"]), p, "seats", "probability")
    Traceback (most recent call last):
    ...
    ValueError: seats must have the same index as probability (one row each); found 1 labels ...
    """
    if not isinstance(x, (pd.Series, pd.DataFrame)):
        raise TypeError(f"{name} must be a pandas Series with the same index as "
                        f"{reference_name}, got {type(x).__name__}")
    ref = reference if isinstance(reference, pd.Index) else reference.index
    if x.index.equals(ref):
        return x
    head = f"{name} must have the same index as {reference_name} (one row each); found"
    if len(x) != len(ref):
        raise ValueError(f"{head} {len(x)} rows against {len(ref)}")
    other = x.index[~x.index.isin(ref)]
    if len(other):
        raise ValueError(f"{head} {len(other)} labels not in {reference_name}, e.g. "
                         f"{_examples(other)}")
    raise ValueError(f"{head} the same {len(x)} rows in another order")
