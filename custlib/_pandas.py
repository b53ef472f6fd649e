"""pandas operations that are slow on Arrow-backed text, done on the Arrow arrays.

The loaded tables hold their ids as ``string[pyarrow]`` (compact: one buffer, no
Python object per value). pandas' ``isin`` on such a column builds a Python object for
each value looked for, which costs 5 s when 100,000 customer ids are looked up among
166,000 (50 s at a million); :func:`isin` does the same lookup in Arrow, one hash probe
per element, and gives the same answer. Grouping such a column hashes every id
again at each ``groupby`` (about 5 s for 9.4 million orders); :func:`group_codes`
hashes them once, and a function needing several numbers per customer reduces integer codes
(``np.bincount``, ``np.minimum.at``) instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["isin", "positions", "group_codes"]


def _arrow_text(obj) -> bool:
    return isinstance(obj.dtype, pd.StringDtype) and obj.dtype.storage == "pyarrow"


def _value_set(values) -> pa.Array | None:
    """``values`` as an Arrow string array, or None when they are not all text."""
    if isinstance(values, (pd.Series, pd.Index)):
        if _arrow_text(values):
            return pa.array(values.array)
        if isinstance(values.dtype, pd.CategoricalDtype):
            if not pd.api.types.is_string_dtype(values.dtype.categories.dtype):
                return None
            values = values.astype("string[pyarrow]")
            return pa.array(values.array)
        values = values.to_numpy(dtype=object)
    try:
        arr = pa.array(list(values) if not isinstance(values, np.ndarray) else values,
                       from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if pa.types.is_null(arr.type):
        return arr.cast(pa.string())
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None


def isin(left: pd.Series | pd.Index, values) -> np.ndarray:
    """Which elements of ``left`` are among ``values``: ``left.isin(values)`` as a
    boolean array, computed by Arrow when ``left`` holds Arrow-backed text.

    Parameters
    ----------
    left : Series or Index
    values : Series, Index, array or iterable
        What to look for.

    Returns
    -------
    numpy.ndarray of bool
        Of ``left``'s length; a missing value in ``left`` is True only when ``values``
        holds a missing value too, as with pandas.

    Examples
    --------
    >>> ids = pd.Index(["C1", "C2", None, "C4"], dtype="string[pyarrow]")
    >>> isin(ids, pd.Series(["C4", "C1", "C9"], dtype="string[pyarrow]")).tolist()
    [True, False, False, True]
    >>> isin(pd.Series([1, 2, 3]), [3]).tolist()          # not text: pandas does it
    [False, False, True]
    """
    if _arrow_text(left):
        value_set = _value_set(values)
        if value_set is not None:
            arr = pa.array(left.array)
            found = pc.is_in(arr, value_set=value_set.cast(arr.type))
            return np.asarray(found.fill_null(False), dtype=bool)
    return np.asarray(left.isin(values), dtype=bool)


def positions(values, index: pd.Index) -> np.ndarray:
    """Where each of ``values`` is in ``index`` (unique): ``index.get_indexer(values)``, -1
    for a value not there, computed by Arrow when ``index`` holds Arrow-backed text.

    Examples
    --------
    >>> ids = pd.Index(["C1", "C2", "C4"], dtype="string[pyarrow]")
    >>> positions(pd.Series(["C4", "C9", None, "C1"], dtype="string[pyarrow]"), ids).tolist()
    [2, -1, -1, 0]
    >>> positions(pd.Series([3, 1]), pd.Index([1, 2, 3])).tolist()
    [2, 0]
    """
    if _arrow_text(index):
        found = _value_set(values)
        if found is not None:
            arr = pa.array(index.array)
            at = pc.index_in(found.cast(arr.type), value_set=arr)
            return np.asarray(at.fill_null(-1), dtype=np.int64)
    return np.asarray(index.get_indexer(values), dtype=np.int64)


def group_codes(keys: pd.Series | pd.Index) -> tuple[np.ndarray, pd.Index]:
    """The groups of ``keys`` as ``groupby(keys)`` forms them: integer codes and the keys.

    ``pd.factorize(keys, sort=True)`` (pandas hashes Arrow-backed text in Arrow), with
    the codes as int64 and the keys named as ``keys``: computed once, the codes serve
    every number a function needs per group.

    Parameters
    ----------
    keys : Series or Index

    Returns
    -------
    codes : numpy.ndarray of int64
        For each element of ``keys``, the position of its group in ``uniques``; -1 for
        a missing value (``groupby`` leaves those out).
    uniques : Index
        The distinct keys, sorted (the index of a ``groupby(keys)`` result), of
        ``keys``' dtype and name.

    Examples
    --------
    >>> keys = pd.Series(["C2", "C1", None, "C2"], dtype="string[pyarrow]", name="customer_id")
    >>> codes, uniques = group_codes(keys)
    >>> codes.tolist(), uniques.tolist(), uniques.name
    ([1, 0, -1, 1], ['C1', 'C2'], 'customer_id')
    """
    name = keys.name
    codes, uniques = pd.factorize(keys, sort=True)
    uniques = pd.Index(uniques, name=name)
    if uniques.dtype == object:        # text held as objects: groupby's index infers str
        uniques = uniques.infer_objects()
    return np.asarray(codes, dtype=np.int64), uniques
