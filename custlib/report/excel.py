"""The manager's Excel workbook: a cover, the master table, its roll-ups and the pyramid.

One sheet per table, bilingual sheet names and headers, a cover sheet first that
states the data, the analysis date, the 12-month period, the currency and the policy
numbers used; written to a temporary file and renamed so a failed run leaves no
partial workbook.

Every window is :func:`custlib.period.window` up to :func:`custlib.period.as_of`, the
same as the lessons', so the HTML pages and the Excel file cannot disagree by a day.
The pyramid's cut-offs are :func:`custlib.pyramid.pyramid_cutoffs` of the data (the
case's for the bundled data, the user's or the data's own otherwise). Money cells
keep their cents and carry the currency's number format (:func:`custlib.money.excel_format`).

The workbook is written with XlsxWriter:

* it only writes, and fast: in its ``constant_memory`` mode each row goes to the file
  as soon as it is complete, so memory stays flat however long the master sheet is
  (a 176,000-row master sheet took 150 s with pandas and openpyxl);
* its formatting API is complete: number formats, frozen panes, autofilters, column
  widths, conditional formats and the print setup;
* with ``strings_to_formulas``, ``strings_to_urls`` and ``strings_to_numbers`` off,
  text is always written as text: no customer name or note ever becomes a formula,
  a link or a number.
"""

from __future__ import annotations

import csv as _csv
import datetime as _dt
import math
import os
import re
import secrets
import textwrap
from pathlib import Path, PurePath

import numpy as np
import pandas as pd

from custlib import labels, money, period, schema
from custlib._extras import require
from custlib.io import CRMData
from custlib.io.normalise import FORMULA_START  # one rule for every CSV written
from custlib.policy import GRADING, PYRAMID, WORKBOOK
from custlib.pyramid import (pyramid_cutoffs)
from custlib.report.tables import COVER_SHEET, MONEY_COLUMNS, PERCENT_COLUMNS, workbook_tables


#: Tables longer than this go to a CSV file beside the workbook, with a pointer sheet:
#: a sheet of a hundred thousand rows is neither usable by a manager nor cheap to write
#: (XlsxWriter's cost is per cell: the 166,040-row master sheet of 100,000 customers
#: took 75 s, its CSV 2 s), and Excel stops at 1,048,576 rows.
EXCEL_INLINE_ROWS = 50_000

#: Rows above the data of every sheet: the Chinese column names, then the English
#: (machine-readable) ones, on which the autofilter sits. Read a sheet back with
#: ``pd.read_excel(path, sheet_name=..., header=HEADER_ROWS - 1, index_col=0)``.
HEADER_ROWS = 2

#: What each sheet is, in English and Chinese, for the cover (by the English part of
#: the sheet name).
SHEET_ABOUT = {
    "about": ("this page: the data, the period and the policy numbers of the workbook",
              "本页：数据来源、分析期间与所用的政策参数"),
    "pyramid": (("customers and revenue of the last 12 months per tier of the customer "
                 "pyramid, and the layers below it"),
                "客户金字塔：近12个月各层客户数与销售额，及其下各层客户数"),
    "master": (("one row per customer: information, relationship, classification, needs, "
                "sales, the main open deal with the totals of all open deals, events"),
               "客户分析总表：每个客户一行（客户信息、关系、分类、需求、销售、主要在谈项目及合计、活动）"),
    "classification": (("customers and expected sales value per grade, importance, "
                        "organisation type, business line and product"),
                       "客户分类汇总表：按分级、重要性、单位类型、专业、产品统计客户数与预期销售额"),
    "organisation": ("open deals the organisation pays for, by grade",
                     "单位购买汇总表：按客户分级统计单位购买的在谈项目"),
    "individual": ("open deals an individual pays for, by grade",
                   "个人购买汇总表：按客户分级统计个人购买的在谈项目"),
    "upgrades": ("open upgrade deals and their value, by product line",
                 "用户升级分析表：按产品统计在谈的升级项目与金额"),
    "pareto": ("the 80/20 reading: revenue share of the top customers, ABC classes",
               "二八法则：头部客户的销售额占比与ABC分类"),
    "lifecycle": ("customers per lifecycle stage, in both schemes",
                  "生命周期：两种划分下各阶段的客户数"),
    "funnel": ("opportunities reaching each pipeline stage, and the conversion rates",
               "销售漏斗：到达各阶段的机会数与转化率"),
    "grades": ("open opportunities per grade A/B/C/D, by time to close and by probability",
               "客户分级：按成交时间与按成交概率的A/B/C/D分级"),
    "early warning": (("the call list: valuable customers whose probability of still buying "
                       "(BG/NBD) has fallen below 50 %, largest value at risk first"),
                      "流失预警：活跃概率低于50%的高价值客户，按流失风险价值排序"),
}

#: The colours (fill, text) of the grades A–D on the grade columns.
GRADE_COLOURS = {"A": ("#C6EFCE", "#006100"), "B": ("#DDEBF7", "#1F4E78"),
                 "C": ("#FFEB9C", "#9C5700"), "D": ("#FFC7CE", "#9C0006")}
#: Columns that get a data bar: the revenue, read by length at a glance.
DATA_BAR_COLUMNS = frozenset({"revenue", "revenue_12m"})
#: Column widths (Excel character units): a CJK character counts as two; the widest
#: column of a data sheet is capped, the cover's text columns wrap at theirs.
MAX_WIDTH, MIN_WIDTH, COVER_TEXT_WIDTH = 50, 6, 60
#: A header longer than this (characters) and than its column's content wraps onto
#: more lines.
HEADER_WIDTH = 12
#: A sheet wider than this (Excel character units) is printed on A3, not A4: one page
#: wide on A4 would shrink its text below about 6 points.
A4_MAX_WIDTH = 240
#: Width (Excel character units) of one A3 landscape page at a readable scale (about
#: 80 %): a sheet wider than that (the master table's 40 columns) prints on as many
#: pages side by side, its id and name columns repeated on each, rather than one page
#: wide at a scale no one can read.
A3_PAGE_WIDTH = 260

_HEADER_FILL, _GRID = "#DDE4EE", "#BFBFBF"
#: Height of a line of text (points) at the default 11-point font: Latin, and with
#: Chinese (the CJK fonts have taller lines).
_LINE, _CJK_LINE = 15, 17
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Excel's longest text in one cell (characters).
_EXCEL_TEXT_MAX = 32_767
#: The control characters an ``.xlsx`` cell cannot hold (those of XML 1.0 but tab,
#: line feed and carriage return).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text_columns(df: pd.DataFrame) -> list:
    return [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object]


def _formula_like(values) -> np.ndarray:
    """Where ``values`` (a column or an index) holds text that :func:`csv_safe` changes.

    Vectorised: a categorical is looked at through its categories, a string column
    through its first characters; only the rows found are rewritten, not every cell.
    """
    s = pd.Series(values, copy=False) if not isinstance(values, pd.Series) else values
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Series(s.cat.categories)
        hit = _formula_like(cats)
        codes = s.cat.codes.to_numpy()
        return (codes >= 0) & hit[np.where(codes >= 0, codes, 0)] if hit.any() else \
            np.zeros(len(s), dtype=bool)
    try:
        # in an object column, numbers and other non-text values are not text: False
        return s.str.startswith(FORMULA_START).fillna(False).to_numpy(dtype=bool)
    except AttributeError:        # an object column holding no text at all
        return np.fromiter((isinstance(v, str) and v.startswith(FORMULA_START) for v in s),
                           dtype=bool, count=len(s))


def _map_text(df: pd.DataFrame, fix) -> pd.DataFrame:
    """``df`` with ``fix`` (:func:`csv_safe`) applied to the str values of its text
    columns and index that it changes (:func:`_formula_like`); a column with none of
    them is kept as it is, without copying."""
    out = df.copy(deep=False)

    def fixed(values):
        hit = _formula_like(values)
        if not hit.any():
            return None
        vals = np.asarray(values, dtype=object).copy()
        vals[hit] = [fix(v) for v in vals[hit]]
        return vals

    for c in _text_columns(out):
        vals = fixed(out[c])
        if vals is not None:
            out[c] = pd.Series(vals, index=out.index, dtype=object)
    if isinstance(out.index, pd.MultiIndex):
        levels = [out.index.get_level_values(i) for i in range(out.index.nlevels)]
        new = [fixed(level) if level.dtype == object or pd.api.types.is_string_dtype(level)
               else None for level in levels]
        if any(v is not None for v in new):
            out.index = pd.MultiIndex.from_arrays(
                [level if v is None else v for level, v in zip(levels, new)],
                names=out.index.names)
    elif out.index.dtype == object or pd.api.types.is_string_dtype(out.index):
        vals = fixed(out.index)
        if vals is not None:
            out.index = pd.Index(vals, name=out.index.name, dtype=object)
    return out


def csv_safe(text: str) -> str:
    """Text as written to a CSV output: a leading ``'`` where a spreadsheet would see a formula.

    Text starting with one of ``FORMULA_START`` (``= + - @``, a tab, a carriage
    return) is read as a formula by a spreadsheet opening a CSV file (OWASP, "CSV
    injection").

    Examples
    --------
    >>> csv_safe("=HYPERLINK('http://x.invalid')"), csv_safe("+86 138"), csv_safe("Acme")
    ("'=HYPERLINK('http://x.invalid')", "'+86 138", 'Acme')
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def excel_safe_text(text: str) -> str:
    """Text as written to an Excel cell: control characters Excel cannot hold are removed.

    Examples
    --------
    >>> excel_safe_text("Acme" + chr(11) + " Ltd" + chr(0))
    'Acme Ltd'
    """
    return _ILLEGAL.sub("", text)


def _currency_code(crm: CRMData) -> str:
    return getattr(crm, "currency", None) or money.currency()


def _money_decimals(values) -> int:
    """0 when every amount is whole to the cent (the bundled data), else 2: cents are shown.

    Within half a cent: a value times a probability (``9300 × 0.69``) carries float
    noise far below a cent.
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    return 0 if len(v) == 0 or (abs(v - v.round()) < 0.005).all() else 2


def _display_width(text: str) -> int:
    """Width of ``text`` in Excel character units: a CJK (wide) character counts as 2.

    Examples
    --------
    >>> _display_width("Acme"), _display_width("客户名称"), _display_width("VIP客户")
    (4, 8, 7)
    """
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _shown_name(source, crm: CRMData) -> str:
    """The data source as the cover names it: names only, never a folder path."""
    if source is None:
        source = getattr(crm, "path", None)
        if source is None:
            return ""
    if isinstance(source, os.PathLike):
        return PurePath(source).name
    return ", ".join(PurePath(part.strip()).name if ("/" in part or "\\" in part) else part.strip()
                     for part in str(source).split(","))


# --- the cells: what kind each value is, and how it is shown -----------------------------

class _Formats:
    """The workbook's cell formats, made once each (XlsxWriter keeps one per style)."""

    def __init__(self, book, code: str):
        self.book, self.code, self._made = book, code, {}

    def get(self, kind: str, bold: bool = False, wrap: bool = False):
        key = (kind, bold, wrap)
        if key not in self._made:
            props = {"valign": "top", "border": 1, "border_color": _GRID}
            if kind.startswith("money"):
                props["num_format"] = money.excel_format(int(kind[5:] or 0), code=self.code)
            elif kind.startswith("unit:"):  # a number with its unit: 12 months
                props["num_format"] = kind[5:]
            else:
                fmt = {"percent": "0.0%", "count": "#,##0", "number": "#,##0.00",
                       "date": "yyyy-mm-dd"}.get(kind)
                if fmt:
                    props["num_format"] = fmt
            if kind == "bool":
                props["align"] = "center"
            if bold:
                props["bold"] = True
            if wrap:
                props["text_wrap"] = True
            self._made[key] = self.book.add_format(props)
        return self._made[key]

    def conditional(self, fill: str, font: str):
        """The format of a conditional rule: a fill and a text colour."""
        key = ("conditional", fill, font)
        if key not in self._made:
            self._made[key] = self.book.add_format({"bg_color": fill, "font_color": font})
        return self._made[key]

    def note(self):
        """The format of a note under a table: italic, no border."""
        if "note" not in self._made:
            self._made["note"] = self.book.add_format({"italic": True, "font_color": "#404040"})
        return self._made["note"]

    def header(self, english: bool):
        key = ("header", english)
        if key not in self._made:
            props = {"bold": True, "bg_color": _HEADER_FILL, "valign": "top", "text_wrap": True,
                     "border": 1, "border_color": _GRID}
            if english:
                props.update(bottom=2, bottom_color="#7F7F7F", font_color="#333333")
            self._made[key] = self.book.add_format(props)
        return self._made[key]


def _column_kind(name, s: pd.Series) -> str | None:
    """The kind of every cell of a column, or None when it varies by row."""
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "date"
    if pd.api.types.is_numeric_dtype(s):
        if name in MONEY_COLUMNS:
            return f"money{_money_decimals(s)}"
        if name in PERCENT_COLUMNS:
            return "percent"
        return "count" if pd.api.types.is_integer_dtype(s) else "number"
    if s.dtype == object:
        kinds = {_value_kind(v) for v in s if not _blank(v)}
        return kinds.pop() if len(kinds) == 1 else (None if kinds else "text")
    return "text"


def _value_kind(v) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (_dt.date, pd.Timestamp)):   # datetime.datetime is a date too
        return "date"
    if isinstance(v, int):
        return "count"
    if isinstance(v, float):
        return "number"
    return "text"


def _blank(v) -> bool:
    """NA, None, NaN and infinities are written as empty cells."""
    if v is None or v is pd.NaT:
        return True
    if isinstance(v, float):
        return not math.isfinite(v)
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _blank_mask(s: pd.Series) -> list[bool]:
    """Which values of a column are written as empty cells (see :func:`_blank`)."""
    mask = s.isna().to_numpy()
    if pd.api.types.is_float_dtype(s):
        mask = mask | ~np.isfinite(s.to_numpy(dtype=float, na_value=np.nan))
    elif s.dtype == object:
        mask = [_blank(v) for v in s.tolist()]
    return list(mask)


def _cell(v, kind: str):
    """``(value, write method name)`` of one non-blank value of kind ``kind``."""
    if kind == "text":
        return excel_safe_text(str(v))[:_EXCEL_TEXT_MAX], "write_string"
    if kind == "bool":
        return ("yes" if v else "no"), "write_string"
    if kind == "date":
        return (pd.Timestamp(v) - _EXCEL_EPOCH) / pd.Timedelta(days=1), "write_number"
    return float(v), "write_number"


def _shown(v, kind: str, code: str) -> str:
    """The text a cell shows, near enough to size its column."""
    if kind == "text":
        return str(v)
    if kind == "bool":
        return "yes"
    if kind == "date":
        return "2025-12-31"
    if kind.startswith("money"):
        return money.money(float(v), int(kind[5:] or 0), code=code)
    if kind == "percent":
        return f"{float(v):.1%}"
    if kind == "count":
        return f"{float(v):,.0f}"
    if kind.startswith("unit:"):  # 0" months": the number and the unit's text
        return f"{float(v):,.2f}" + "".join(kind.split('"')[1::2])
    return f"{float(v):,.2f}"


class _Column:
    """One column of a sheet: the kind of its cells (:func:`_column_kind`), its Chinese
    header, its width, and its cells, made a block of rows at a time (:meth:`cells`) so
    that a long sheet never holds all of them at once."""

    def __init__(self, name: str, s: pd.Series, kinds: list[str] | None, code: str,
                 wrap_at: int | None = None):
        self.name, self.series = str(name), s.reset_index(drop=True)
        self.kind = _column_kind(name, s) if kinds is None else None
        if kinds is None and self.kind is None:
            kinds = [_value_kind(v) for v in s.tolist()]
        self.kinds = kinds
        self.zh = schema.column_zh(self.name)
        # width: what the cells show; a longer header wraps onto more lines, up to
        # HEADER_WIDTH wide (the English one with room for the filter's arrow)
        shown = self._extremes(code)
        data = max([0] + [_display_width(t) for t in shown]) + 1
        head = max(_display_width(self.zh), _display_width(self.name) + 3)
        self.wrap = bool(wrap_at) and data > wrap_at and self.kind in ("text", None)
        cap = wrap_at if self.wrap else MAX_WIDTH
        self.width = max(MIN_WIDTH, min(cap, max(data, min(head, HEADER_WIDTH + 3))))

    def lines(self, text: str, slack: int = 1) -> int:
        """Lines ``text`` takes wrapped at the column's width (words do not split)."""
        return max(math.ceil(_display_width(text) / max(self.width - 1 - slack, 1)), 1)

    def _extremes(self, code) -> list[str]:
        """The texts that decide the width: every distinct text, the extreme numbers."""
        s = self.series
        blank = np.asarray(_blank_mask(s), dtype=bool)
        if self.kinds is not None:
            return [_shown(v, k, code) for v, k, b in zip(s.tolist(), self.kinds, blank) if not b]
        present = s[~blank]
        if present.empty:
            return []
        if self.kind == "text":
            return [str(v) for v in present.unique()]
        if self.kind in ("date", "bool"):
            return [_shown(None, self.kind, code)]
        return [_shown(present.min(), self.kind, code), _shown(present.max(), self.kind, code)]

    def kind_at(self, i: int) -> str:
        return self.kind if self.kinds is None else self.kinds[i]

    def cells(self, start: int, stop: int) -> list:
        """``(value, write method)`` of the rows ``start`` to ``stop`` (excluded); None
        for a blank cell."""
        part = self.series.iloc[start:stop]
        blank = _blank_mask(part)
        if self.kinds is not None:
            return [None if b else _cell(v, k)
                    for v, k, b in zip(part.tolist(), self.kinds[start:stop], blank)]
        if self.kind == "date":
            serial = ((pd.to_datetime(part) - _EXCEL_EPOCH) / pd.Timedelta(days=1)).tolist()
            return [None if b else (x, "write_number") for x, b in zip(serial, blank)]
        return [None if b else _cell(v, self.kind) for v, b in zip(part.tolist(), blank)]


#: Rows made into cells at a time: the memory of a long sheet stays that of its table.
_BLOCK_ROWS = 10_000


def _frame_for_sheet(df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The table with its index levels as ordinary columns first, and how many there are.

    No merged cells: a level's value is repeated on every row it applies to.
    """
    levels = df.index.nlevels
    names = [n if n is not None else ("item" if levels == 1 else f"level_{i}")
             for i, n in enumerate(df.index.names)]
    flat = df.copy()
    flat.index = flat.index.set_names(names)
    flat = flat.reset_index()
    for name in names:  # an index of categories or mixed values: its text
        if flat[name].dtype != object and not pd.api.types.is_numeric_dtype(flat[name]) \
                and not pd.api.types.is_datetime64_any_dtype(flat[name]):
            flat[name] = flat[name].astype(object)
    return flat, levels


def _escape_hf(text: str) -> str:
    """Text for an Excel page header or footer: ``&`` starts a code there."""
    return text.replace("&", "&&")


def _write_sheet(book, formats: _Formats, name: str, df: pd.DataFrame, *, as_of: pd.Timestamp,
                 note: str | None = None, kinds: dict[str, list[str]] | None = None,
                 wrap_at: int | None = None) -> None:
    """Write ``df`` as one formatted sheet (see :func:`write_workbook` for the layout).

    Rows are written in order, top to bottom, as ``constant_memory`` requires.
    """
    flat, levels = _frame_for_sheet(df)
    code = formats.code
    kinds = dict(kinds or {})
    if {"value", "unit"} <= set(flat.columns) and "value" not in kinds:
        # a measure per row (the Pareto sheet): a fraction or a count, as its unit says
        kinds["value"] = ["percent" if u == "fraction" else "count" if u == "customers"
                          else "number" for u in flat["unit"].astype(str)]
    cols = [_Column(c, flat[c], kinds.get(c), code, wrap_at) for c in flat.columns]
    ws = book.add_worksheet(name)
    n, last = len(flat), max(len(cols) - 1, 0)
    for j, col in enumerate(cols):
        ws.set_column(j, j, col.width)
    # header rows: Chinese above, English (the names a program reads) below; a header
    # wider than its column wraps, and its row is as high as its lines
    zh_lines = max([c.lines(c.zh, 0) for c in cols] + [1])
    en_lines = max([c.lines(c.name, 0) if _display_width(c.name) + 3 > c.width else 1
                    for c in cols] + [1])  # a header that fits has room for the filter arrow
    if zh_lines > 1:
        ws.set_row(0, _CJK_LINE * zh_lines)
    if en_lines > 1:
        ws.set_row(1, _LINE * en_lines)
    for j, col in enumerate(cols):
        ws.write_string(0, j, col.zh, formats.header(english=False))
    for j, col in enumerate(cols):
        ws.write_string(1, j, col.name, formats.header(english=True))
    first = flat.iloc[:, 0].astype(str).tolist() if len(cols) else []
    totals = {i for i, v in enumerate(first) if v == "total"}
    plain = [formats.get(c.kind, wrap=c.wrap) if c.kind else None for c in cols]
    bold = [formats.get(c.kind, bold=True, wrap=c.wrap) if c.kind else None for c in cols]
    wrapped = [j for j, c in enumerate(cols) if c.wrap]
    for start in range(0, n, _BLOCK_ROWS):
        block = [c.cells(start, min(n, start + _BLOCK_ROWS)) for c in cols]
        for i in range(start, min(n, start + _BLOCK_ROWS)):
            r, row = HEADER_ROWS + i, [b[i - start] for b in block]
            if wrapped:  # a wrapped text: the row as high as its lines
                lines = max([cols[j].lines(str(row[j][0]), 2) for j in wrapped
                             if row[j] is not None] + [1])
                if lines > 1:
                    ws.set_row(r, _CJK_LINE * lines)
            strong = i in totals
            for j, cell in enumerate(row):
                if cell is None:
                    continue
                fmt = (bold if strong else plain)[j] or formats.get(
                    cols[j].kind_at(i), bold=strong, wrap=cols[j].wrap)
                getattr(ws, cell[1])(r, j, cell[0], fmt)
    if note:  # below the table, in lines no wider than it, so it prints with it
        width = max(sum(c.width for c in cols) - 4, 40)
        for k, line in enumerate(textwrap.wrap(excel_safe_text(note), width,
                                                 break_long_words=False, break_on_hyphens=False)):
            ws.write_string(HEADER_ROWS + n + 1 + k, 0, line, formats.note())
    # frozen below the headers and right of the index columns; the filter on the English row
    ws.freeze_panes(HEADER_ROWS, levels)
    ws.autofilter(HEADER_ROWS - 1, 0, HEADER_ROWS - 1 + n, last)
    _conditional_formats(ws, formats, cols, flat, n, totals)
    # print: landscape A4, one page wide, the headers on every page, name and page numbers;
    # a very wide sheet on A3, pages side by side with its id and name on each
    width = sum(c.width for c in cols)
    ws.set_landscape()
    ws.set_paper(9 if width <= A4_MAX_WIDTH else 8)  # A4, else A3
    wide = 1 if width <= A3_PAGE_WIDTH else math.ceil(width / A3_PAGE_WIDTH)
    ws.fit_to_pages(wide, 0)
    ws.repeat_rows(0, HEADER_ROWS - 1)
    if wide > 1:
        names = [c.name for c in cols[:levels + 3]]
        keep = names.index("customer_name") if "customer_name" in names else levels - 1
        ws.repeat_columns(0, max(keep, 0))
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    ws.set_header(f"&L&A&R{_escape_hf('analysis date · 分析日期 ' + as_of.date().isoformat())}")
    ws.set_footer("&Cpage &P of &N · 第 &P 页，共 &N 页")


def _conditional_formats(ws, formats: _Formats, cols: list[_Column], flat: pd.DataFrame,
                         n: int, totals: set[int]) -> None:
    """Grade colours on the grade columns, data bars on the revenue columns."""
    if n == 0:
        return
    grade_rows = {}
    for j, col in enumerate(cols):
        if col.name == "grade":
            grade_rows[j] = (0, n - 1)
    if "dimension" in flat.columns and "value" in flat.columns:  # the classification summary
        rows = [i for i, d in enumerate(flat["dimension"].astype(str)) if d == "grade"]
        if rows:
            grade_rows[list(flat.columns).index("value")] = (rows[0], rows[-1])
    for j, (a, b) in grade_rows.items():
        for grade, (fill, font) in GRADE_COLOURS.items():
            ws.conditional_format(HEADER_ROWS + a, j, HEADER_ROWS + b, j, {
                "type": "cell", "criteria": "==", "value": f'"{grade}"',
                "format": formats.conditional(fill, font)})
    data = [i for i in range(n) if i not in totals]
    for j, col in enumerate(cols):
        if col.name in DATA_BAR_COLUMNS and data:
            ws.conditional_format(HEADER_ROWS + data[0], j, HEADER_ROWS + data[-1], j, {
                "type": "data_bar", "bar_color": "#8EB4E3", "bar_solid": True})


def cover_table(crm: CRMData, sheets, as_of=None, source=None) -> tuple[pd.DataFrame, list[str]]:
    """The cover sheet (``about · 说明``): the data, the period, the sheets, the policy numbers.

    Parameters
    ----------
    crm : CRMData
        The loaded tables; ``orders`` is required.
    sheets : iterable of str
        The names of the sheets that follow (``workbook_tables(crm)``).
    as_of : date-like, optional
        The analysis date (default :func:`as_of_date`).
    source : str or path-like, optional
        What was read, by name (default: the name of the data folder ``crm.path``);
        of a path only the last part is shown, never a folder path.

    Returns
    -------
    (DataFrame, list of str)
        The rows (index ``section``; columns ``item``, ``value``, ``note``; bilingual
        text), and the kind of each ``value`` (``text``, ``date``, ``count``,
        ``percent``, ``money0``/``money2`` or ``unit:<Excel number format>``).

    Examples
    --------
    >>> import pathlib
    >>> import pandas as pd
    >>> from custlib.io import CRMData
    >>> o = pd.DataFrame({"customer_id": ["A", "B"], "amount": [80_000, 12_000],
    ...                   "order_date": pd.to_datetime(["2025-02-01", "2025-11-30"])})
    >>> rows, kinds = cover_table(CRMData(path=pathlib.Path("crm"), orders=o), [], source="/home/li/crm")
    >>> rows.set_index("item").loc[["source · 数据来源", "period start · 期间起始"], "value"].astype(str).tolist()
    ['crm', '2024-12-01 00:00:00']
    """
    as_of = period.as_of(crm, as_of)
    start, end = period.window(as_of, WORKBOOK.revenue_months)
    code = _currency_code(crm)
    cut = pyramid_cutoffs(crm, as_of)
    rows: list[tuple] = []

    def add(section, item, value, kind="text", note=""):
        rows.append((section, item, value, note, kind))

    data = "data · 数据"
    add("workbook · 工作簿", "title · 标题", "customer-analysis workbook · 客户分析表")
    add(data, "source · 数据来源", _shown_name(source, crm))
    add(data, "analysis date · 分析日期", as_of, "date",
        "the date stated with the data, else its latest order or activity · "
        "数据注明的日期，否则为最新的订单或拜访日期")
    add(data, "period start · 期间起始", start, "date",
        f"the {WORKBOOK.revenue_months} months up to the analysis date, both days included · "
        f"截至分析日期的{WORKBOOK.revenue_months}个月（含首尾两日）")
    add(data, "period end · 期间截止", end, "date")
    add(data, "currency · 货币", code, "text",
        "amounts keep their cents; whole amounts are shown without decimals · 金额保留到分")
    add(data, "order lines · 订单行数", len(crm.orders), "count")
    customers = crm.customers if crm.customers is not None else None
    add(data, "customers · 客户数", len(customers) if customers is not None
        else int(crm.orders["customer_id"].nunique()), "count",
        "" if customers is not None else "from the orders (no customers table) · 由订单得出")
    for name in [COVER_SHEET, *sheets]:
        en, zh = SHEET_ABOUT.get(labels.sheet_key(name), ("", ""))
        add("sheets · 工作表", name, en, "text", zh)
    policy = "policy · 政策参数"
    decimals = _money_decimals(list(cut.thresholds))
    for k, (tier, tier_zh) in enumerate(zip(PYRAMID.tiers[:3], PYRAMID.tiers_zh)):
        add(policy, f"pyramid cut-off {tier} · {tier_zh}门槛", float(cut.thresholds[k]),
            f"money{decimals}", cut.note if k == 0 else "")
    add(policy, "pyramid shares · 各层客户占比",
        " / ".join(f"{x:.0%}" for x in PYRAMID.shares), "text",
        "share of customers per tier by revenue rank, top first · 各层客户占比（自上而下）")
    (pa, pb), (ma, mb) = GRADING.probability, GRADING.within_months
    add(policy, "grade A · A级（按成交概率）", f"probability ≥ {pa:.0%}, closes within {ma} month(s)",
        "text", f"成交概率≥{pa:.0%}且{ma}个月内成交")
    add(policy, "grade B · B级", f"probability ≥ {pb:.0%}, closes within {mb} months", "text",
        f"成交概率≥{pb:.0%}且{mb}个月内成交")
    add(policy, "grade C · C级", f"probability ≥ {GRADING.c_min_probability:.0%}, any date",
        "text", f"成交概率≥{GRADING.c_min_probability:.0%}，成交时间不限")
    add(policy, "grade D · D级", "the other open deals", "text", "其余在谈项目")
    a, b, c = GRADING.close_months
    add(policy, "grades by time to close · 按成交时间分级",
        f"A within {a}, B within {b}, C within {c} months; D later or no date", "text",
        f"A级{a}个月内，B级{b}个月内，C级{c}个月内，D级更晚或无日期")
    add(policy, "sales window · 销售统计期", WORKBOOK.revenue_months, 'unit:0" months"',
        "revenue_12m and the pyramid · 近12个月销售额与客户金字塔")
    add(policy, "recent window · 近期窗口", WORKBOOK.recent_days, 'unit:0" days"',
        "visited recently, visits and calls per month · 近三月拜访、月拜访与电话次数")
    add(policy, "days per month · 每月天数", WORKBOOK.days_per_month, 'unit:0.00" days"',
        "turns counts over the recent window into counts per month · 换算每月次数")
    from custlib.predict import PREDICT

    add(policy, "at risk below · 流失预警门槛", PREDICT.at_risk_p_alive, "percent",
        "probability alive under which a customer is at risk (BG/NBD) · 活跃概率低于此值即预警")
    add(policy, "call list value share · 预警价值范围", PREDICT.value_share, "percent",
        "top share of customers by value if still buying · 按若仍活跃的价值排名的前列客户")
    add(policy, "prediction horizon · 预测期", PREDICT.months, 'unit:0" months"',
        f"predicted value, discounted at {PREDICT.discount_rate:.3%} a month (10 % a year) · "
        "预测价值的期限与月贴现率")
    table = pd.DataFrame([r[:4] for r in rows], columns=["section", "item", "value", "note"])
    return table.set_index("section"), [r[4] for r in rows]


def _new_file(folder: Path, stem: str, suffix: str) -> Path:
    """A new, empty, hidden file in ``folder`` with the permissions of the user's umask.

    ``os.open`` with mode ``0o666``: the system applies the umask (``0o644`` under
    the usual ``022``), with no change of the process-wide umask and so no race with
    other threads.
    """
    for _ in range(100):
        path = folder / f".{stem}.{secrets.token_hex(6)}{suffix}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise FileExistsError(f"cannot create a temporary file in {folder}")  # pragma: no cover


def write_workbook(crm: CRMData, path: str | os.PathLike, as_of=None,
                   source: str | os.PathLike | None = None, *,
                   sheets: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write the cover and :func:`workbook_tables` to an ``.xlsx`` file, one sheet per table.

    The first sheet, ``about · 说明`` (:func:`cover_table`), states the data source,
    the analysis date and the 12-month period (:func:`custlib.period.window`), the
    currency, what each sheet is (English and Chinese) and the policy numbers used:
    the pyramid's cut-offs with the sentence saying where they come from
    (:func:`custlib.pyramid.pyramid_cutoffs`), the grading thresholds
    (``custlib.policy.GRADING``) and the workbook's windows (``custlib.policy.WORKBOOK``).

    Every sheet has the same layout:

    * two header rows: the Chinese column names (:func:`custlib.schema.column_zh`)
      above the English ones, which a program reads
      (``pd.read_excel(path, sheet_name=..., header=1, index_col=0)``); the header is
      bold, frozen with the index columns, and the autofilter sits on the English
      row over the data;
    * the index levels are ordinary columns, first, their value repeated on every row
      (no merged cells); a ``total`` row is bold;
    * widths fitted to the content (a CJK character counts as two; at most
      :data:`MAX_WIDTH` characters); money in the data's currency with thousands
      separators, shares, probabilities and rates as percentages (``0.0%``), counts
      as ``#,##0``, dates as ``yyyy-mm-dd``, booleans as ``yes`` / ``no``, unknown
      values blank;
    * the grades A–D coloured, data bars on the revenue columns;
    * printed landscape on A4, one page wide, the header rows on every page, the
      sheet's name and the analysis date at the top and page numbers at the bottom.

    A table longer than :data:`EXCEL_INLINE_ROWS` (the master table of a CRM with
    hundreds of thousands of organisations) is written to ``<stem>-<sheet>.csv`` beside
    the workbook (UTF-8 with BOM, so Excel shows the Chinese), and its sheet says so.

    The workbook and the CSV files are written to temporary files in the same folder
    and then renamed, so a failed run leaves no partial workbook; they get the
    permissions of the user's umask (``0o666 & ~umask``). Sheet names are cut to
    Excel's 31 characters.

    Nothing written can execute: every text cell is a text cell, never a formula
    (a customer named ``=HYPERLINK(...)`` shows as that text); control characters
    that Excel cannot hold (NUL, vertical tab, ...) are removed from text; in the CSV
    file every text is quoted, and text starting with ``= + - @``, a tab or a
    carriage return gets a leading ``'`` (:func:`csv_safe`), so a spreadsheet opening
    it shows the text.

    Money cells (:data:`MONEY_COLUMNS`) hold the amounts unrounded, cents kept, with
    the number format of the data's currency (``crm.currency``, else the display
    currency): ``"¥"#,##0`` for whole amounts, ``"$"#,##0.00`` when a column has cents.
    Under the pyramid table, after an empty row, a note in column A says which
    cut-offs were used (:func:`custlib.pyramid.pyramid_cutoffs`), cut into lines no
    wider than the table so that it prints with it (the cover holds it whole).

    Parameters
    ----------
    crm : CRMData
        The loaded tables; ``orders`` is required.
    path : path-like
        The ``.xlsx`` file to write (its folder must exist; an existing file is
        replaced).
    as_of : date-like, optional
        The analysis date (default :func:`as_of_date`).
    source : str or path-like, optional
        What was read, named on the cover (default: the name of ``crm.path``): the
        export's file or folder name; of a path only its last part is shown, so a
        pseudonymised run names no folder.
    sheets : dict of DataFrame, optional
        :func:`workbook_tables` of ``crm`` at ``as_of``, already computed (by a caller
        that also draws :func:`write_charts` from them); computed here otherwise.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FileNotFoundError
        The folder of ``path`` does not exist.

    Examples
    --------
    >>> import pathlib, tempfile, openpyxl
    >>> import pandas as pd
    >>> from custlib.io import CRMData
    >>> from custlib.report import PYRAMID_SHEET
    >>> o = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...                   "order_date": pd.to_datetime(["2025-02-01", "2025-11-30", "2024-03-01"]),
    ...                   "amount": [80_000, 12_000, 3_000]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_workbook(CRMData(path=pathlib.Path(d), orders=o), pathlib.Path(d) / "wb.xlsx")
    ...     pyramid = pd.read_excel(p, sheet_name=PYRAMID_SHEET, header=1, index_col=0)
    ...     openpyxl.load_workbook(p, read_only=True).sheetnames
    ['about · 说明', 'pyramid · 客户金字塔', 'pareto · 二八法则', 'lifecycle · 生命周期']
    >>> int(pyramid["customers"].sum()), float(pyramid["revenue"].sum())  # A and B bought
    (2, 92000.0)
    """
    require("excel", "writing the Excel workbook")
    import xlsxwriter

    path = Path(path)
    as_of = period.as_of(crm, as_of)
    sheets = workbook_tables(crm, as_of) if sheets is None else sheets
    code = _currency_code(crm)
    cover, cover_kinds = cover_table(crm, list(sheets), as_of, source)
    tmp = _new_file(path.parent, path.stem, ".xlsx")
    spilled: list[tuple[Path, Path]] = []     # (temporary, final) CSV files
    try:
        book = xlsxwriter.Workbook(str(tmp), {
            "constant_memory": True,        # each row is flushed when the next begins
            "strings_to_formulas": False,   # text is text: never a formula,
            "strings_to_urls": False,       # never a link,
            "strings_to_numbers": False,    # never a number
        })
        formats = _Formats(book, code)
        try:
            _write_sheet(book, formats, COVER_SHEET, cover, as_of=as_of,
                         kinds={"value": cover_kinds}, wrap_at=COVER_TEXT_WIDTH)
            for name, df in sheets.items():
                if len(df) > EXCEL_INLINE_ROWS:
                    csv = path.with_name(f"{path.stem}-{name.split(' · ')[0]}.csv")
                    part = _new_file(path.parent, csv.stem, ".csv")
                    spilled.append((part, csv))
                    # with a BOM, so Excel reads the Chinese; no cell can start a formula,
                    # and every text is quoted: a carriage return inside an unquoted
                    # field would start a new row there
                    _map_text(df, csv_safe).to_csv(part, encoding="utf-8-sig",
                                                   quoting=_csv.QUOTE_NONNUMERIC)
                    pointer = pd.DataFrame({"rows": [len(df)], "file": [csv.name]},
                                           index=pd.Index([name], name="table"))
                    _write_sheet(book, formats, name[:31], pointer, as_of=as_of)
                else:
                    _write_sheet(book, formats, name[:31], df, as_of=as_of,
                                 note=df.attrs.get("note"))
        finally:
            book.close()
        for part, csv in spilled:
            os.replace(part, csv)
        os.replace(tmp, path)
    finally:
        for leftover in [tmp, *(part for part, _ in spilled)]:
            if leftover.exists():
                leftover.unlink()
    return path
