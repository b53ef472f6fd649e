"""The rules an import applies to what it warns about, each one a function.

:data:`RULES` states each rule in a sentence (``custlib validate`` reports them, the
README lists them); :data:`APPLY` maps each to the function that applies it, which is
what :mod:`custlib.io.normalise`, :mod:`custlib.io.files` and :mod:`custlib.io.ingest`
call. A function takes Arrow arrays (or bytes) and returns which rows the rule
touches, and the values it leaves; the caller writes the warning. So each rule can be
read, called and tested on its own:

>>> import pyarrow as pa
>>> APPLY["refund"](pa.array([120.0, -30.0, None])).tolist()
[False, True, False]
>>> first, several = APPLY["several_customers"](pa.array(["C1;C2", "C3", None]))
>>> first.to_pylist(), several.tolist()
(['C1', 'C3', None], [True, False, False])
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custlib.io import parse as _parse
from custlib.policy import LIFECYCLE

__all__ = ["RULES", "APPLY", "refund", "duplicate_row", "future", "missing_id", "unmapped",
           "order_lines", "ids", "several_customers", "prospects", "blank", "gb18030",
           "control"]

#: Control characters no spreadsheet cell can hold (NUL, vertical tab, form feed, ...);
#: tab, line feed and carriage return are kept. Removed from text, with a warning.
_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"

#: The rules applied to warnings: what ``validate`` reports and ``import_data`` does.
RULES = {
    "refund": "negative amounts (refunds, credit notes) are left out: revenue is gross sales",
    "duplicate_row": "rows identical in every column are export duplicates: kept once",
    "future": "orders and activities dated after the extraction date (as_of) are left out",
    "missing_id": "rows without a customer id are left out",
    "unknown_stage": "opportunities whose stage is not mapped are left out of the funnel",
    "order_lines": "rows sharing an order id and a customer are the lines of one order: "
                   "amounts add up, purchases are counted by order",
    "ids": "ids are compared after Unicode NFKC, with zero-width characters and byte-order "
           "marks removed",
    "several_customers": "a row naming several customers (123;456) belongs to the first",
    "prospects": "without a customer table, accounts in the other tables that never bought "
                 "are prospects",
    "blank": "an empty optional value stays empty (unknown); it is never filled in",
    "gb18030": "a file that is not UTF-8 but decodes as GB18030 (GBK) with Chinese text is "
               "read as GB18030",
    "control": "control characters (NUL, vertical tab, form feed, ...) are removed from text: "
               "no spreadsheet cell can hold them",
}


# --- the arrays the rules work on --------------------------------------------------------

def _dictionary_codes(col) -> np.ndarray:
    """An int64 code per row, equal codes for equal values, -1 for null."""
    enc = pc.dictionary_encode(col)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    return pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _duplicate_rows(columns: list, lead=None) -> np.ndarray:
    """True for every row identical in all ``columns`` to an earlier row.

    Rows are hashed from their columns' codes and sorted by hash, then by each column
    (stable), so equal rows are next to each other even when a different row shares
    their hash; neighbours are then compared column by column, so a hash collision can
    neither flag two different rows nor hide a repeat.

    ``lead`` (a column, or its :func:`_dictionary_codes`, whose value is the same for
    any two identical rows — the table's id, or a function of it) narrows the work
    first: only rows whose lead value repeats are hashed — in an export with unique
    ids, none.
    """
    if lead is not None:
        # 0 for a null: nulls are equal (``lead`` may be given as its codes already)
        key = (lead if isinstance(lead, np.ndarray) else _dictionary_codes(lead)) + 1
        repeats = np.bincount(key)[key] > 1
        n = len(key)
        if not repeats.any():
            return np.zeros(n, dtype=bool)
        if repeats.sum() < n // 2:
            rows = np.flatnonzero(repeats)
            take = pa.array(rows)
            dup = np.zeros(n, dtype=bool)
            dup[rows[_duplicate_rows([pc.take(c, take) for c in columns])]] = True
            return dup
    codes = [_dictionary_codes(c) for c in columns]
    n = len(codes[0])
    h = np.zeros(n, dtype=np.uint64)
    for c in codes:
        h = (h * np.uint64(0x100000001B3)) ^ c.astype(np.uint64)
    # sorted by hash, then by every column: equal rows are next to each other even when
    # another row shares their hash (stable, so the first of equal rows stays first)
    order = np.lexsort([*codes[::-1], h])
    same = h[order][1:] == h[order][:-1]
    for c in codes:
        cs = c[order]
        same &= cs[1:] == cs[:-1]
    dup = np.zeros(n, dtype=bool)
    dup[order[1:][same]] = True
    return dup


def _text_bytes(col) -> np.ndarray | None:
    """The bytes of a text column's values (numpy, no copy), None for another type.
    UTF-8 never uses a byte below 0x80 inside another character, so a scan for an ASCII
    character here answers whether any value may hold it."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if col.type not in (pa.string(), pa.large_string()):
        return None
    data = col.buffers()[2]
    return np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)


def _has_control_bytes(col) -> bool:
    """False when no value of a text column can hold a :data:`_CONTROL` character: a
    scan of its bytes, so the regex runs only on the rare column that may hold one."""
    b = _text_bytes(col)
    if b is None:
        return len(col) > 0
    return bool(((b < 0x20) & (b != 0x09) & (b != 0x0A) & (b != 0x0D)).any())


def _present(col) -> np.ndarray:
    return pc.is_valid(col).to_numpy(zero_copy_only=False)


def _np(arr) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


# --- the rules ---------------------------------------------------------------------------

def refund(amount) -> np.ndarray:
    """Rule ``refund``: negative amounts (refunds, credit notes) are left out: revenue is
    gross sales. True for each row to leave out."""
    return _np(pc.fill_null(pc.less(amount, 0), False))


def duplicate_row(columns: list, lead=None) -> np.ndarray:
    """Rule ``duplicate_row``: rows identical in every column are export duplicates: kept
    once. True for every row that repeats an earlier one (see :func:`_duplicate_rows`)."""
    return _duplicate_rows(columns, lead)


def future(dates, as_of: _dt.date) -> np.ndarray:
    """Rule ``future``: orders and activities dated after the extraction date (as_of)
    are left out. True for each row dated after ``as_of``."""
    return _np(pc.fill_null(pc.greater(dates, pa.scalar(as_of, pa.date32())), False))


def missing_id(customer_ids) -> np.ndarray:
    """Rule ``missing_id``: rows without a customer id are left out. True for each row
    without one."""
    return ~_present(customer_ids)


def unmapped(values, allowed) -> np.ndarray:
    """Rule ``unknown_stage``: opportunities whose stage is not mapped are left out of the
    funnel. True for each present value not among ``allowed`` (for a stage: the rows to
    leave out of the funnel; for another closed vocabulary the caller makes it an
    error)."""
    return _present(values) & ~_np(pc.is_in(values, value_set=pa.array(list(allowed))))


def order_lines(order_codes: np.ndarray, customer_codes: np.ndarray,
                repeated: np.ndarray) -> np.ndarray:
    """Rule ``order_lines``: rows sharing an order id and a customer are the lines of one
    order: amounts add up, purchases are counted by order.

    ``repeated`` marks the rows whose id another kept row shares. Returns the rows that
    are *not* lines of one order: their id is shared with a row of another customer
    (two orders with one number, an error).
    """
    pairs = np.unique(np.stack([order_codes[repeated], customer_codes[repeated]]), axis=1)
    owners = np.bincount(pairs[0], minlength=int(order_codes.max()) + 1)
    return repeated & (owners[np.maximum(order_codes, 0)] > 1)


def ids(col) -> tuple[pa.Array, np.ndarray]:
    """Rule ``ids``: ids are compared after Unicode NFKC, with zero-width characters and
    byte-order marks removed. Returns the ids and which changed
    (:func:`custlib.io.parse.normalise_ids`)."""
    return _parse.normalise_ids(col)


def several_customers(text) -> tuple[pa.Array, np.ndarray]:
    """Rule ``several_customers``: a row naming several customers (123;456) belongs to
    the first. Returns the ids, each row's first, and which rows named several."""
    b = _text_bytes(text)
    if b is not None and not ((b == 0x3B) | (b == 0x2C)).any():   # no ';' or ',' at all
        return text, np.zeros(len(text), dtype=bool)
    multi = _np(pc.fill_null(pc.match_substring_regex(text, r"[;,]"), False))
    if multi.any():
        text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"^([^;,]*)[;,].*$",
                                                                   r"\1"))
    return text, multi


def blank(col) -> pa.Array:
    """Rule ``blank``: an empty optional value stays empty (unknown); it is never filled
    in. Text that is empty or only whitespace becomes null (NA), nothing else changes."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    empty = pc.or_(pc.equal(col, ""), pc.utf8_is_space(col))
    return pc.if_else(empty, pa.scalar(None, pa.string()), col)


def gb18030(raw: bytes) -> str | None:
    """Rule ``gb18030``: a file that is not UTF-8 but decodes as GB18030 (GBK) with
    Chinese text is read as GB18030. The text, or None when the bytes are not that."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return text if _looks_chinese(text[:200_000]) else None


def control(text) -> tuple[pa.Array, np.ndarray]:
    """Rule ``control``: control characters (NUL, vertical tab, form feed, ...) are
    removed from text: no spreadsheet cell can hold them. Returns the text and which
    values held one (tab, line feed and carriage return are kept)."""
    if not _has_control_bytes(text):
        return text, np.zeros(len(text), dtype=bool)
    found = _np(pc.fill_null(pc.match_substring_regex(text, _CONTROL), False))
    if found.any():
        text = pc.replace_substring_regex(text, _CONTROL, "")
    return text, found


def _looks_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def prospects(tables: dict[str, pa.Table], as_of: _dt.date) -> tuple[pa.Table, int]:
    """Rule ``prospects``: without a customer table, accounts in the other tables that
    never bought are prospects. The customers made from the orders and the other
    tables: id, name if given, first purchase and layer.

    A buyer is ``customer`` if they bought within ``LIFECYCLE.exit_days`` of ``as_of``,
    else ``inactive``; an account that appears only in opportunities, activities,
    contacts or events (it never bought) is a ``prospect``. Returns the table and the
    number of prospects.
    """
    import pandas as pd

    orders = tables["orders"]
    o = orders.select([c for c in ("customer_id", "customer_name", "order_date")
                       if c in orders.column_names]).to_pandas()
    o["order_date"] = pd.to_datetime(o["order_date"])
    g = o.groupby("customer_id", sort=True)
    first, last = g["order_date"].min(), g["order_date"].max()
    recent = last >= pd.Timestamp(as_of) - pd.Timedelta(days=LIFECYCLE.exit_days)
    ids = first.index.astype(str).tolist()
    names = (g["customer_name"].last().astype(object).where(lambda x: x.notna(), None).tolist()
             if "customer_name" in o else [None] * len(ids))
    layers = np.where(recent, "customer", "inactive").tolist()
    firsts = first.dt.date.tolist()
    known = set(ids)
    prospects: dict[str, str | None] = {}
    for other in ("opportunities", "contacts", "activities", "events"):
        t = tables.get(other)
        if t is None or "customer_id" not in t.column_names:
            continue
        cid = t.column("customer_id")
        nm = t.column("customer_name") if "customer_name" in t.column_names else None
        new = pc.invert(pc.is_in(cid, value_set=pa.array(sorted(known), pa.string())))
        new = pc.and_(new, pc.is_valid(cid))
        for i, v in zip(pc.filter(cid, new).to_pylist(),
                        pc.filter(nm, new).to_pylist() if nm is not None else
                        [None] * int(pc.sum(new).as_py() or 0)):
            if i not in prospects or (prospects[i] is None and v is not None):
                prospects[i] = v
    for i in sorted(prospects):
        ids.append(i)
        names.append(prospects[i])
        layers.append("prospect")
        firsts.append(None)
    cols = {"customer_id": pa.array(ids, pa.string())}
    if any(n is not None for n in names):
        cols["customer_name"] = pa.array(names, pa.string())
    cols["first_purchase_date"] = pa.array(firsts, pa.date32())
    cols["status_layer"] = pa.array(layers, pa.string())
    return pa.table(cols), len(prospects)


#: Each rule of :data:`RULES`, the function that applies it.
APPLY = {"refund": refund, "duplicate_row": duplicate_row, "future": future,
         "missing_id": missing_id, "unknown_stage": unmapped, "order_lines": order_lines,
         "ids": ids, "several_customers": several_customers, "prospects": prospects,
         "blank": blank, "gb18030": gb18030, "control": control}
