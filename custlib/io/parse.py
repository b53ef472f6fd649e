"""The grammar of values in a user's export: numbers, dates and ids.

Each parser takes one text column (Arrow) and returns the typed values and the
problems found, as :class:`Problem` tuples the reader turns into
:class:`custlib.io.Issue` objects (with the file, column and rows). Nothing is
guessed silently: every rule that changes how a value is read is either certain
from the column itself (and said in a note) or an error whose fix names the choice.

Numbers
    One decimal mark per column: ``.`` or ``,``. It is the mapping's ``decimal``,
    else detected from the values that can only be read one way (``7,084.52``,
    ``12.5``, ``1.234,56``, ``12,5``), else ``.`` (the usual in CNY and USD
    exports). Thousands separators are commas, dots, spaces or apostrophes in groups
    of three; anything else (``1,2345`` in a point-decimal column) is not a number.
    A column mixing the two marks is an error; so is an amount such as ``1.200``
    that could be 1.2 or 1,200 when nothing else in the column decides. Currency
    signs and codes and accounting brackets ``(300)`` are accepted; ``12%`` is not
    an amount; amounts beyond :data:`MAX_AMOUNT` are errors.
Dates
    Year first (``2024-03-05``, ``2024/3/5``, ``2024.3.5``, ``2024年3月5日``,
    ``20240305``, with or without a time); day and month with a four-digit year
    (``14/11/2024`` or ``11/14/2024``), read day first or month first as the
    column's values show (a part above 12) or the mapping's ``date_format`` says;
    Excel serial numbers only when the whole column is serials in a plausible range.
    Impossible calendar dates (``2024-02-30``), two-digit years and years outside
    ``earliest_year … latest_year`` are errors.
Ids
    Unicode NFKC, zero-width characters and byte-order marks removed, trimmed, so
    ``C001``, ``C001\\u200b`` and ``Ｃ００１`` are one customer.

Examples
--------
>>> import pyarrow as pa
>>> p = parse_numbers(pa.array(["1.234,56", "€1.200,00", "12,5"]), money=True)
>>> p.values.to_pylist(), p.note
([1234.56, 1200.0, 12.5], "read with ',' as the decimal mark (e.g. '1.234,56')")
>>> d = parse_dates(pa.array(["11/14/2024", "3/5/2024"]), latest_year=2026)
>>> [str(x) for x in d.values.to_pylist()], d.note
(['2024-11-14', '2024-03-05'], "read month first (%m/%d/%Y): e.g. '11/14/2024' has a second part above 12")
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Problem", "Parsed", "parse_numbers", "parse_dates", "normalise_ids", "MAX_AMOUNT",
           "EARLIEST_YEAR"]

#: Amounts above this (in absolute value) are refused as implausible: a typo, a
#: units mix-up or an id in the amount column, never a sale.
MAX_AMOUNT = 1e12
#: Dates before this year are refused (a two-digit year or a default date such as
#: 1900-01-01); birthdays may go back to 1900. Set ``[settings] earliest_year``.
EARLIEST_YEAR = 1990
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_SHOW = 5


@dataclass(frozen=True)
class Problem:
    """A problem found in a column: ``mask`` marks its rows (None: the column)."""

    level: str
    mask: np.ndarray | None
    message: str
    fix: str = ""


@dataclass
class Parsed:
    """Typed values (null where not parsed), the problems, and a note on a rule
    applied to the whole column (or None)."""

    values: pa.Array
    problems: list[Problem] = field(default_factory=list)
    note: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]


def _np(arr) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def _match(text, pattern: str) -> np.ndarray:
    return _np(pc.fill_null(pc.match_substring_regex(text, pattern), False))


def _sample(values, mask: np.ndarray) -> str:
    shown = pc.filter(values, pa.array(mask)).slice(0, _SHOW).to_pylist()
    return ", ".join(repr(v) for v in shown)


def _combine(col) -> pa.Array:
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


# --- numbers ------------------------------------------------------------------------------

_SIGNS = r"(?i)[¥￥$€£₩₹]|RMB|CNY|USD|EUR|GBP|HKD|JPY|元|圆|块"
_GROUP_SPACE = "[\\s\u00a0\u202f\u2009']"
_EVIDENCE_POINT = (r"^-?\d{1,3}(,\d{3})+\.\d*$|^-?\d*\.(\d{1,2}|\d{4,})$|^-?0\.\d+$"
                   r"|^-?\d{1,3}(,\d{3}){2,}$")
_EVIDENCE_COMMA = (r"^-?\d{1,3}(\.\d{3})+,\d*$|^-?\d*,(\d{1,2}|\d{4,})$|^-?0,\d+$"
                   r"|^-?\d{1,3}(\.\d{3}){2,}$")
_VALID = {".": r"^-?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][-+]?\d+)?$",
          ",": r"^-?(\d{1,3}(\.\d{3})+|\d+)?(,\d+)?$"}
_AMBIGUOUS = {".": r"^-?\d{1,3}\.\d{3}$", ",": r"^-?\d{1,3},\d{3}$"}


#: What most exports hold: digits, an optional minus and decimals after a point. A column
#: of only these is read by one cast; the grammar below gives the same values for them.
_PLAIN_NUMBER = r"^-?\d+(\.\d+)?$"


def _ambiguous(col, ambiguous: np.ndarray, setting: str) -> Problem:
    """The error for amounts such as ``1.200`` that read as 1.2 or as 1,200."""
    v = pc.filter(col, pa.array(ambiguous))[0].as_py()
    digits = re.sub(r"[^\d.]", "", v)
    return Problem("error", ambiguous, f"{int(ambiguous.sum())} value(s) could be read two ways "
                   f"({v!r}: {float(digits):g} with a decimal point, {digits.replace('.', '')} with "
                   "a decimal comma)", f"state the decimal mark: {setting} = \".\" or \",\"")


def _not_huge(col, num, ok: np.ndarray, problems: list) -> pa.Array:
    """``num`` with amounts beyond :data:`MAX_AMOUNT` (or not finite) made null, and the error."""
    values = _np(pc.fill_null(num, 0.0))
    huge = ok & (~np.isfinite(values) | (np.abs(values) > MAX_AMOUNT))
    if not huge.any():
        return num
    problems.append(Problem(
        "error", huge, f"{int(huge.sum())} value(s) are implausibly large "
        f"({_sample(col, huge)}; the limit is {MAX_AMOUNT:,.0f})",
        "check these rows: an id or a date in the amount column, or a units mix-up"))
    return pc.if_else(pa.array(huge), pa.scalar(None, pa.float64()), num)


def _plain_numbers(col: pa.Array, present: np.ndarray, *, money: bool, decimal: str | None,
                   setting: str) -> Parsed | None:
    """The fast path of :func:`parse_numbers`: a column whose every value is a plain
    number is cast at once (same values, same problems as the full grammar); None when
    any value needs the grammar."""
    if not _match(col, _PLAIN_NUMBER)[present].all():
        return None
    num = pc.cast(col, pa.float64())
    problems: list[Problem] = []
    if money and decimal is None:
        # as the grammar: 0.200 can only be a decimal point
        ambiguous = _match(col, _AMBIGUOUS["."]) & present & ~_match(col, r"^-?0\.\d+$")
        if ambiguous.any():
            problems.append(_ambiguous(col, ambiguous, setting))
    if money:
        num = _not_huge(col, num, present, problems)
    return Parsed(num, problems)


def parse_numbers(col, decimal: str | None = None, *, money: bool = False,
                  percent_ok: bool = False, setting: str = "[orders] decimal",
                  _fast: bool = True) -> Parsed:
    """Numbers of a text column by the grammar of the module docstring.

    Parameters
    ----------
    col : pyarrow Array of string
    decimal : {".", ","}, optional
        The decimal mark (the mapping's ``decimal``); default: detected.
    money : bool
        An amount: ``12%`` and an ambiguous ``1.200`` are errors, and so are values
        beyond :data:`MAX_AMOUNT`.
    percent_ok : bool
        Accept a trailing ``%`` (divided by 100).
    setting : str
        How the user sets the decimal mark, for the fix of an error.

    Returns
    -------
    Parsed
        ``values`` float64; a value that is not a number is null and listed in an
        error ``"not numbers"``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> parse_numbers(pa.array(["7,084.52", "(300)", "¥1,200", None])).values.to_pylist()
    [7084.52, -300.0, 1200.0, None]
    >>> [p.message for p in parse_numbers(pa.array(["1.200"]), money=True).problems]
    ["1 value(s) could be read two ways ('1.200': 1.2 with a decimal point, 1200 with a decimal comma)"]
    """
    col = _combine(col)
    present = _np(pc.is_valid(col))
    if _fast and decimal in (None, "."):
        fast = _plain_numbers(col, present, money=money, decimal=decimal, setting=setting)
        if fast is not None:
            return fast
    text = pc.utf8_normalize(pc.fill_null(col, ""), "NFKC")
    text = pc.utf8_trim_whitespace(text)
    text = pc.replace_substring_regex(text, r"^\((.*)\)$", r"-\1")
    text = pc.replace_substring_regex(text, _SIGNS, "")
    text = pc.replace_substring_regex(text, _GROUP_SPACE, "")
    text = pc.replace_substring_regex(text, r"^\+", "")
    text = pc.replace_substring_regex(text, r"^-+", "-")
    percent = _np(pc.ends_with(text, "%")) & present
    text = pc.replace_substring_regex(text, r"%$", "")
    problems: list[Problem] = []
    note = None
    if percent.any() and not percent_ok:
        problems.append(Problem("error", percent, f"{int(percent.sum())} value(s) are percentages "
                                f"({_sample(col, percent)}), not amounts",
                                "export the amounts themselves"))
    point = _match(text, _EVIDENCE_POINT) & present
    comma = _match(text, _EVIDENCE_COMMA) & present
    mark = decimal
    if mark is None:
        if point.any() and comma.any():
            few = comma if comma.sum() <= point.sum() else point
            problems.append(Problem(
                "error", few, f"mixes decimal marks: {_sample(col, point)[:40]} use a point, "
                f"{_sample(col, comma)[:40]} a comma",
                f"export the column with one decimal mark, or state it: {setting} = \".\" or \",\""))
            return Parsed(pa.nulls(len(col), pa.float64()), problems)
        mark = "," if comma.any() else "."
        if mark == ",":
            first = pc.filter(col, pa.array(comma))[0].as_py()
            note = f"read with ',' as the decimal mark (e.g. {first!r})"
    valid = _match(text, _VALID[mark]) & _match(text, r"\d")
    bad = present & ~valid & ~(percent & ~np.bool_(percent_ok))
    if bad.any():
        other = "," if mark == "." else "."
        marks = _match(pc.filter(text, pa.array(bad)), r"[.,]").any()
        problems.append(Problem(
            "error", bad, f"{int(bad.sum())} value(s) are not numbers ({_sample(col, bad)})",
            "remove text from the values (currency signs, thousands separators in groups of "
            "three and brackets are accepted)"
            + (f"; they were read with {mark!r} as the decimal mark: if it is {other!r}, set "
               f"{setting} = \"{other}\"" if marks else "")))
    if money and decimal is None and mark == ".":
        ambiguous = _match(text, _AMBIGUOUS["."]) & present & ~point
        if ambiguous.any():
            problems.append(_ambiguous(col, ambiguous, setting))
    clean = text
    if mark == ".":
        clean = pc.replace_substring(clean, ",", "")
    else:
        clean = pc.replace_substring(pc.replace_substring(clean, ".", ""), ",", ".")
    ok = valid & present
    num = pc.cast(pc.if_else(pa.array(ok), clean, pa.scalar(None, pa.string())), pa.float64())
    if percent_ok and percent.any():
        num = pc.if_else(pa.array(percent), pc.divide(num, 100.0), num)
    if money:
        num = _not_huge(col, num, ok, problems)
    return Parsed(num, problems, note)


# --- dates --------------------------------------------------------------------------------

_TIME = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?"
_YMD = r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?" + _TIME + "$"
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
_XXY = r"^(?P<a>\d{1,2})\s*[-/.]\s*(?P<b>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})" + _TIME + "$"
_TWO_DIGIT = r"^(\d{1,2}[-/.]\d{1,2}[-/.]\d{2}|\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\b.*|\d{1,2}[-/.]\d{1,2}[-/.]\d{2}\s.*)$"
_SERIAL = r"^\d{5}(\.\d+)?$"
#: The usual form, read by slicing when every value of a column has it (the same
#: dates as :data:`_YMD` gives for them).
_ISO = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$"
_DAY_FIRST, _MONTH_FIRST = "%d/%m/%Y", "%m/%d/%Y"


def _ints(struct, name: str) -> np.ndarray:
    return _np(pc.fill_null(pc.cast(pc.struct_field(struct, name), pa.int64()), 0))


def _days(y: np.ndarray, m: np.ndarray, d: np.ndarray, ok: np.ndarray) -> np.ndarray:
    out = np.full(len(y), -1, dtype="int64")
    if ok.any():
        yy, mm, dd = y[ok], m[ok], d[ok]
        base = (yy - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (mm - 1)
        out[ok] = (base.astype("datetime64[D]") + (dd - 1)).astype("int64")
    return out


def _calendar_ok(y, m, d) -> np.ndarray:
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    last = month_days[np.clip(m, 0, 12)] + ((m == 2) & leap)
    return (m >= 1) & (m <= 12) & (d >= 1) & (d <= last)


def _order_of(fmt: str | None) -> str | None:
    """'dmy' / 'mdy' when ``fmt`` is a day-month-year format with four-digit years."""
    if not fmt:
        return None
    f = fmt.replace("%-", "%")
    if re.fullmatch(r"%d[-/.]%m[-/.]%Y.*", f):
        return "dmy"
    if re.fullmatch(r"%m[-/.]%d[-/.]%Y.*", f):
        return "mdy"
    return None


def parse_dates(col, fmt: str | None = None, *, earliest_year: int = EARLIEST_YEAR,
                latest_year: int | None = None, setting: str = "[orders] date_format",
                excel: bool = False, _fast: bool = True) -> Parsed:
    """Dates of a text column by the grammar of the module docstring.

    Parameters
    ----------
    col : pyarrow Array of string
    fmt : str, optional
        The mapping's ``date_format`` (a ``strptime`` format). ``%d/%m/%Y`` and
        ``%m/%d/%Y`` (any separator) decide the order of day and month; another
        format is applied as given, and its dates are checked against the calendar.
    earliest_year, latest_year : int
        Years outside this range are errors (latest default: next year).
    setting : str
        Where the user sets the format, for the fix of an error.
    excel : bool
        The column comes from an Excel sheet, which stores dates as serial numbers: a
        number cell in the plausible range is a date even among date cells.

    Returns
    -------
    Parsed
        ``values`` date32.

    Examples
    --------
    >>> import pyarrow as pa
    >>> [p.message for p in parse_dates(pa.array(["2024-02-30", "3/5/24"]), latest_year=2026).problems]
    ["1 value(s) have a two-digit year ('3/5/24')", "1 value(s) are not calendar dates ('2024-02-30')"]
    """
    col = _combine(col)
    latest_year = latest_year or _dt.date.today().year + 1
    present = _np(pc.is_valid(col))
    n = len(col)
    problems: list[Problem] = []
    note = None
    if _fast and (values := _plain_dates(col, earliest_year, latest_year)) is not None:
        return Parsed(values, problems, note)
    iso = _match(col, _ISO) & present if _fast else None
    if _fast and iso[present].all():  # the usual export: every date 2024-03-05 (a time may follow)
        y, m, d = (_np(pc.cast(pc.utf8_slice_codeunits(col, a, b), pa.int64()).fill_null(0))
                   for a, b in ((0, 4), (5, 7), (8, 10)))
        return _checked_dates(col, y, m, d, iso, problems, note, earliest_year, latest_year)
    text = pc.utf8_trim_whitespace(pc.utf8_normalize(pc.fill_null(col, ""), "NFKC"))
    y = np.zeros(n, np.int64)
    m = np.zeros(n, np.int64)
    d = np.zeros(n, np.int64)
    got = np.zeros(n, bool)
    for pattern in (_YMD, _COMPACT):
        hit = _match(text, pattern) & present & ~got
        if hit.any():
            s = pc.extract_regex(pc.filter(text, pa.array(hit)), pattern)
            y[hit], m[hit], d[hit] = _ints(s, "y"), _ints(s, "m"), _ints(s, "d")
            got |= hit
    xxy = _match(text, _XXY) & present & ~got
    if xxy.any():
        s = pc.extract_regex(pc.filter(text, pa.array(xxy)), _XXY)
        a, b, yy = _ints(s, "a"), _ints(s, "b"), _ints(s, "y")
        order = _order_of(fmt)
        if order is None:
            day_first, month_first = a > 12, b > 12
            if day_first.any() and month_first.any():
                rows = np.zeros(n, bool)
                rows[np.flatnonzero(xxy)[month_first if month_first.sum() <= day_first.sum()
                                         else day_first]] = True
                problems.append(Problem(
                    "error", rows, "mixes day-first and month-first dates "
                    f"({_sample(col, rows)})",
                    f"export the column in one date format, or state it: {setting} = "
                    f"\"{_DAY_FIRST}\" (day first) or \"{_MONTH_FIRST}\" (month first)"))
                return Parsed(pa.nulls(n, pa.date32()), problems)
            if not (day_first.any() or month_first.any()):
                problems.append(Problem(
                    "error", xxy, f"{int(xxy.sum())} date(s) could be day first or month first "
                    f"({_sample(col, xxy)}), and no value in the column decides",
                    f"state the format: {setting} = \"{_MONTH_FIRST}\" (month first, as in US "
                    f"exports) or \"{_DAY_FIRST}\" (day first)"))
                return Parsed(pa.nulls(n, pa.date32()), problems)
            order = "dmy" if day_first.any() else "mdy"
            example = pc.filter(col, pa.array(xxy))[int(np.flatnonzero(day_first | month_first)[0])]
            part = "first" if order == "dmy" else "second"
            sep = re.sub(r"[\d\s]", "", example.as_py())[:1] or "/"
            shown_fmt = (_DAY_FIRST if order == "dmy" else _MONTH_FIRST).replace("/", sep)
            note = (f"read {'day' if order == 'dmy' else 'month'} first "
                    f"({shown_fmt}): e.g. "
                    f"{example.as_py()!r} has a {part} part above 12")
        dd, mm = (a, b) if order == "dmy" else (b, a)
        y[xxy], m[xxy], d[xxy] = yy, mm, dd
        got |= xxy
    if fmt and _order_of(fmt) is None:  # another format the user gave: as given
        rest = present & ~got
        if rest.any():
            parsed = pc.strptime(pc.filter(text, pa.array(rest)), format=fmt, unit="s",
                                 error_is_null=True)
            back = pc.strftime(parsed, format=fmt)
            unpad = r"(^|\D)0+(\d)"
            same = pc.equal(pc.replace_substring_regex(back, unpad, r"\1\2"),
                            pc.replace_substring_regex(pc.filter(text, pa.array(rest)), unpad,
                                                       r"\1\2"))
            ok = _np(pc.fill_null(same, False))
            stamps = _np(pc.cast(pc.cast(parsed, pa.date32()), pa.int32()).fill_null(0))
            dates = stamps.astype("datetime64[D]")
            idx = np.flatnonzero(rest)[ok]
            y[idx] = dates[ok].astype("datetime64[Y]").astype(int) + 1970
            m[idx] = dates[ok].astype("datetime64[M]").astype(int) % 12 + 1
            d[idx] = (dates[ok] - dates[ok].astype("datetime64[M]").astype("datetime64[D]")
                      ).astype(int) + 1
            got[idx] = True
    rest = present & ~got
    serial = _match(text, _SERIAL) & rest
    if serial.any() and (excel or serial.sum() == present.sum()):
        num = _np(pc.cast(pc.filter(text, pa.array(serial)), pa.float64()))
        lo = (np.datetime64(f"{earliest_year}-01-01") - _EXCEL_EPOCH).astype(int)
        hi = (np.datetime64(f"{latest_year}-12-31") - _EXCEL_EPOCH).astype(int)
        inside = (num >= lo) & (num <= hi)
        if excel and not inside.all():
            serial[np.flatnonzero(serial)[~inside]] = False
            num = num[inside]
            inside = inside[inside]
        if serial.any() and inside.all():
            dates = _EXCEL_EPOCH + np.floor(num).astype("int64").astype("timedelta64[D]")
            idx = np.flatnonzero(serial)
            y[idx] = dates.astype("datetime64[Y]").astype(int) + 1970
            m[idx] = dates.astype("datetime64[M]").astype(int) % 12 + 1
            d[idx] = (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
            got |= serial
            note = f"read as Excel serial numbers (e.g. {pc.filter(col, pa.array(serial))[0].as_py()!r})"
    rest = present & ~got
    two = _match(text, _TWO_DIGIT) & rest
    if two.any():
        problems.append(Problem("error", two, f"{int(two.sum())} value(s) have a two-digit year "
                                f"({_sample(col, two)})",
                                "export dates with four-digit years (2024-03-05)"))
    other = rest & ~two
    if other.any():
        serials = _match(text, _SERIAL) & other
        hint = (" — numbers like these are read as Excel serial dates only when the whole "
                "column is serials of plausible dates") if serials.any() else ""
        problems.append(Problem(
            "error", other, f"{int(other.sum())} value(s) are not dates ({_sample(col, other)}){hint}",
            "write dates as 2024-03-05, 2024/3/5, 2024年3月5日 or 14/11/2024, or give the "
            f"format in the mapping: {setting} = \"%d %b %Y\""))
    return _checked_dates(col, y, m, d, got, problems, note, earliest_year, latest_year)


def _plain_dates(col: pa.Array, earliest_year: int, latest_year: int) -> pa.Array | None:
    """The usual export in one cast: every value a calendar date ``YYYY-MM-DD`` within
    the years (Arrow's strict ISO reader refuses 2023-02-29, ``2024-1-5`` and any time
    or space). None when one value is otherwise; the general reader then says why."""
    try:
        values = pc.cast(col, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    days = _np(pc.fill_null(pc.cast(values, pa.int32()), 0)).astype("int64")
    present = _np(pc.is_valid(values))
    lo = (np.datetime64(f"{earliest_year:04d}-01-01", "D") - np.datetime64("1970-01-01", "D")).astype(int)
    hi = (np.datetime64(f"{latest_year:04d}-12-31", "D") - np.datetime64("1970-01-01", "D")).astype(int)
    if ((days[present] < lo) | (days[present] > hi)).any():
        return None
    return values


def _checked_dates(col, y, m, d, got, problems, note, earliest_year, latest_year) -> Parsed:
    """The dates read (``got``), checked against the calendar and the year range."""
    calendar_ok = _calendar_ok(y, m, d)
    impossible = got & ~calendar_ok
    if impossible.any():
        problems.append(Problem("error", impossible, f"{int(impossible.sum())} value(s) are not "
                                f"calendar dates ({_sample(col, impossible)})",
                                "check these rows in the source: there is no such day (months "
                                "run 1–12, days to the end of the month)"))
    valid = got & calendar_ok
    out_of_range = valid & ((y < earliest_year) | (y > latest_year))
    if out_of_range.any():
        problems.append(Problem(
            "error", out_of_range, f"{int(out_of_range.sum())} value(s) lie outside the years "
            f"{earliest_year}–{latest_year} ({_sample(col, out_of_range)})",
            "check these rows (a default date such as 1900-01-01, or a typo); set [settings] "
            "earliest_year if your data truly starts earlier"))
    valid &= ~out_of_range
    days = _days(y, m, d, valid)
    values = pa.array(days.astype("int32"), pa.int32(), mask=~valid).cast(pa.date32())
    return Parsed(values, problems, note)


# --- ids ----------------------------------------------------------------------------------

_INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"


def normalise_ids(col) -> tuple[pa.Array, np.ndarray]:
    """Ids in one form: NFKC, zero-width characters and BOMs removed, trimmed.

    Returns
    -------
    (Array, ndarray of bool)
        The ids, and which values changed.

    Examples
    --------
    >>> import pyarrow as pa
    >>> ids, changed = normalise_ids(pa.array(["C001", "C001\\u200b", "\\ufeffC001", "Ｃ００１", None]))
    >>> ids.to_pylist(), changed.tolist()
    (['C001', 'C001', 'C001', 'C001', None], [False, True, True, True, False])
    """
    col = _combine(col)
    if pc.all(pc.string_is_ascii(col)).as_py() is not False:
        out = col   # NFKC leaves ASCII as it is, and the invisible characters are not ASCII
    else:
        out = pc.replace_substring_regex(pc.utf8_normalize(col, "NFKC"), _INVISIBLE, "")
    out = pc.utf8_trim_whitespace(out)
    out = pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)
    changed = _np(pc.fill_null(pc.not_equal(out, pc.utf8_trim_whitespace(col)), False))
    return out, changed

