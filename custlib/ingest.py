"""Bring your own data: read a CRM export, map it to the canonical schema, check it.

A user's export differs from the canonical tables of :mod:`custlib.schema` in
five ways, and this module handles each one:

* **where** — ``PATH`` is a folder holding ``orders.csv``, ``customers.csv``, …
  (or ``.xlsx``), or a single orders file; a mapping file may name other files,
  the Excel sheet and the header row;
* **names** — columns and values are renamed by a mapping file (TOML, see
  :func:`read_mapping`), e.g. ``"成交金额" = "amount"`` or ``"Closed Won" = "won"``;
* **encodings** — CSV in UTF-8, UTF-8 with BOM, or GBK/GB18030 (detected from the
  bytes and reported, never assumed), or Excel ``.xlsx`` whose header may sit below
  a title block;
* **formats** — dates ``2024-03-05``, ``2024/3/5``, ``2024.3.5``, ``2024年3月5日``,
  with a time or without, and Excel serial numbers (``45356``); amounts with
  thousands separators, currency signs (¥ ￥ $ RMB CNY 元) or accounting brackets;
* **content** — problems are sorted into *errors* (the analysis cannot continue)
  and *warnings* (handled by a stated rule, see :data:`RULES`).

:func:`validate` reports every problem at once; :func:`import_data` also writes the
canonical tables into a folder of their own (the input is only ever read), ready
for :func:`custlib.data.load` and the lessons.

Examples
--------
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     f = pathlib.Path(d) / "sales.csv"
...     _ = f.write_text("客户编号,成交日期,成交金额\\nC1,2024年3月5日,\\"¥1,200\\"\\n"
...                      "C2,2024/3/6,-300\\n", encoding="utf-8")
...     m = pathlib.Path(d) / "map.toml"
...     _ = m.write_text('[orders.columns]\\n"客户编号" = "customer_id"\\n'
...                      '"成交日期" = "order_date"\\n"成交金额" = "amount"\\n', encoding="utf-8")
...     report = validate(f, mapping=m, as_of="2025-12-31")
>>> report.ok, len(report.errors), len(report.warnings)
(True, 0, 1)
>>> print(report.warnings[0])  # doctest: +NORMALIZE_WHITESPACE
warning: sales.csv, column '成交金额' (amount), row 3: 1 negative amount (refunds or credit
  notes), total ¥-300: left out, so revenue is gross sales
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import hashlib
import io
import os
import re
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from custlib import _parse, money, schema
from custlib.policy import LIFECYCLE
from custlib.pseudonym import (PERSONAL, pseudonym, pseudonymise_tables, without_paths,
                               without_samples)

__all__ = ["Issue", "Report", "InputError", "TableMapping", "Mapping", "RULES", "read_mapping",
           "locate", "validate", "import_data", "pseudonym"]

_SHOW = 5
#: What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): text
#: starting with one of these gets a leading ``'`` in every CSV custlib writes.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = "^([" + "".join("\\" + c if c in "-\\]^" else c for c in FORMULA_START) + "])"
#: Map a column to this in ``[table.columns]`` to leave it unread.
IGNORE = "_ignore"
#: Control characters no spreadsheet cell can hold (NUL, vertical tab, form feed, ...);
#: tab, line feed and carriage return are kept. Removed from text, with a warning.
_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"
_LINE = "__row__"  # the source row of each kept row, for messages; never written
_TRUE = ("true", "t", "yes", "y", "1", "是", "对", "√")
_FALSE = ("false", "f", "no", "n", "0", "否", "错", "×")
#: Columns of the customers an orders or opportunities file may carry (used for the
#: derived customers when no customer table is supplied).
_ORDER_EXTRAS = {"customer_name": "customers"}
_EXTRAS_IN = ("orders", "opportunities")
#: Dated tables whose rows after the extraction date are left out.
_EVENT_DATES = {"orders": "order_date", "activities": "activity_date"}
#: Prefix of numbered keys when an export has no id column.
_KEY_PREFIX = {"orders": "O", "contacts": "P", "opportunities": "K", "activities": "A",
               "events": "E", "reps": "R"}

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
}


# --- problems and the report ------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    """One problem found in the input.

    Attributes
    ----------
    level : {"error", "warning"}
        Errors stop the analysis; warnings were handled by the rule stated in the message.
    file : str
        File name (of the export or of the mapping file).
    column : str or None
        Column as named in the file.
    rows : tuple of int
        The first few row numbers as a spreadsheet shows them (header row = its own number).
    count : int
        How many rows have the problem.
    message, fix : str
        What is wrong, and how to fix it (empty for warnings handled by a rule).
    canonical : str or None
        The canonical column the user's column was mapped to.
    """

    level: str
    file: str
    column: str | None
    rows: tuple[int, ...]
    count: int
    message: str
    fix: str = ""
    canonical: str | None = None

    def __str__(self) -> str:
        where = self.file + (f", column '{self.column}'" if self.column else "")
        if self.canonical and self.canonical != self.column:
            where += f" ({self.canonical})"
        if self.rows:
            shown = ", ".join(map(str, self.rows))
            more = f" and {self.count - len(self.rows)} more" if self.count > len(self.rows) else ""
            where += f", row{'s' if self.count > 1 else ''} {shown}{more}"
        text = f"{self.level}: {where}: {self.message}"
        return text + (f"\n  fix: {self.fix}" if self.fix else "")


@dataclass
class Report:
    """Everything :func:`validate` found: problems, and what was read and derived."""

    source: Path
    mapping: Path | None = None
    as_of: _dt.date | None = None
    as_of_source: str = "today"
    issues: list[Issue] = field(default_factory=list)
    tables: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: the file read for each table
    files: dict[str, Path] = field(default_factory=dict)
    #: size (bytes) and SHA-256 of every file read, by path
    digests: dict[Path, tuple[int, str]] = field(default_factory=dict)
    #: the mapping's [settings] (currency, decimal, earliest_year) and [policy.*]
    settings: dict = field(default_factory=dict)
    policy: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def text(self) -> str:
        """The report as the ``custlib validate`` command prints it."""
        lines = [f"custlib validate: {self.source}"
                 + (f" with mapping {self.mapping}" if self.mapping else "")]
        if self.as_of:
            lines.append(f"extraction date (as_of): {self.as_of} ({self.as_of_source})")
        for name, t in self.tables.items():
            kept = t.get("rows_kept")
            lines.append(f"  {name:<13} {t['file']}: {t['rows_read']:,} rows read"
                         + (f", {kept:,} kept" if kept is not None else ""))
        lines += [f"  note: {n}" for n in self.notes]
        if self.digests:
            lines.append("files read:")
            lines += [f"  {p.name}: {size:,} bytes, SHA-256 {digest}"
                      for p, (size, digest) in self.digests.items()]
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        lines += [str(i) for i in self.errors] + [str(i) for i in self.warnings]
        lines.append("OK: the data can be analysed." if self.ok else
                     "NOT OK: fix the errors above and run custlib validate again.")
        return "\n".join(lines)


class InputError(ValueError):
    """The input cannot be analysed; ``report`` holds every problem found."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__("\n".join(str(i) for i in report.errors))


def _issue(level, file, column, mask_or_rows, message, fix="", lines=None) -> Issue:
    column, canonical = column if isinstance(column, tuple) else (column, None)
    if mask_or_rows is None:
        rows, count = (), 0
    elif isinstance(mask_or_rows, np.ndarray) and mask_or_rows.dtype == bool:
        idx = np.flatnonzero(mask_or_rows)
        rows, count = tuple(int(x) for x in lines[idx[:_SHOW]]), len(idx)
    else:
        rows, count = tuple(mask_or_rows[:_SHOW]), len(mask_or_rows)
    return Issue(level, file, column, rows, count, message, fix, canonical)


def _sample(values: pa.Array | pa.ChunkedArray, mask: np.ndarray) -> str:
    shown = pc.filter(values, pa.array(mask)).slice(0, _SHOW).to_pylist()
    return ", ".join(repr(v) for v in shown)


# --- the mapping file --------------------------------------------------------------------

@dataclass(frozen=True)
class TableMapping:
    """How one canonical table is found in the export (one ``[table]`` section)."""

    file: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    date_format: str | None = None
    decimal: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file: one :class:`TableMapping` per table, and settings."""

    path: Path | None = None
    tables: dict[str, TableMapping] = field(default_factory=dict)
    as_of: _dt.date | None = None
    #: ``[settings]`` other than as_of: currency, decimal, earliest_year
    settings: dict = field(default_factory=dict)
    #: ``[policy.<name>]`` overrides, e.g. ``{"pyramid": {"thresholds": (60000.0, ...)}}``
    policy: dict = field(default_factory=dict)

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name, TableMapping())


#: ``[settings]`` keys of a mapping file.
SETTINGS = ("as_of", "currency", "decimal", "earliest_year")
#: ``[policy.<name>]`` keys a mapping may set: policy numbers that depend on the size of
#: the business (see the README, "Policy numbers to set for your business").
POLICY_KEYS = {"pyramid": {"thresholds": "amounts"},
               "grading": {"important_revenue": "number"}}


def _targets(table: str) -> set[str]:
    names = set(schema.TABLES[table].names)
    return names | set(_ORDER_EXTRAS) if table in _EXTRAS_IN else names


def read_mapping(path: str | os.PathLike | None) -> Mapping:
    """Read and check a mapping file (TOML).

    Layout (every key optional)::

        [settings]
        as_of = "2025-12-31"            # extraction date; default: today

        [orders]                        # one section per canonical table
        file = "成交记录.xlsx"           # default: orders.csv, else orders.xlsx
        sheet = "2025"                  # Excel sheet name (default: the first)
        header_row = 3                  # row of the headers (default: detected)
        date_format = "%d/%m/%Y"        # only for dates the built-in formats miss

        [orders.columns]                # your header = canonical column
        "客户编号" = "customer_id"
        "成交日期" = "order_date"

        [opportunities.values.stage]    # your value = canonical value
        "Closed Won" = "won"

        [opportunities.scale]           # multiply a numeric column, e.g. percent -> fraction
        probability = 0.01

    Parameters
    ----------
    path : path-like or None
        The TOML file; ``None`` gives an empty mapping (canonical names expected).

    Returns
    -------
    Mapping

    Raises
    ------
    FileNotFoundError
        No such file.
    InputError
        Listing every problem: invalid TOML, unknown tables, columns or values.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = pathlib.Path(d) / "m.toml"
    ...     _ = f.write_text('[orders.columns]\\n"成交金额" = "amount"\\n', encoding="utf-8")
    ...     read_mapping(f).table("orders").columns
    {'成交金额': 'amount'}
    """
    if path is None:
        return Mapping()
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"mapping file {file} not found")
    report = Report(source=file, mapping=file)

    def bad(message, fix=""):
        report.issues.append(Issue("error", file.name, None, (), 0, message, fix))

    try:
        data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        bad("is not UTF-8", "save the mapping file as UTF-8")
        raise InputError(report) from None
    except tomllib.TOMLDecodeError as exc:
        bad(f"is not valid TOML: {exc}",
            'put headers with spaces or Chinese characters in quotes: "成交日期" = "order_date"')
        raise InputError(report) from None
    tables: dict[str, TableMapping] = {}
    as_of = None
    settings: dict = {}
    policy: dict = {}

    def typed(where, value, kinds, expected) -> bool:
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in
                                               (kinds if isinstance(kinds, tuple) else (kinds,)))
        if not ok:
            bad(f"{where} = {value!r}: expected {expected}, found a {_toml_type(value)}")
        return ok

    for key, section in data.items():
        if key == "settings":
            if not typed("[settings]", section, dict, "a section"):
                continue
            unknown = set(section) - set(SETTINGS)
            if unknown:
                bad(f"[settings] has unknown key(s) {sorted(unknown)}; expected {list(SETTINGS)}")
            if "as_of" in section:
                v = section["as_of"]
                try:
                    as_of = v if isinstance(v, _dt.date) and not isinstance(v, _dt.datetime) \
                        else _dt.date.fromisoformat(str(v))
                except ValueError:
                    bad(f"[settings] as_of = {v!r} is not a date", 'write it as as_of = "2025-12-31"')
            if "currency" in section and typed("[settings] currency", section["currency"], str,
                                                'a currency code such as "USD"'):
                try:
                    settings["currency"] = money.unit(section["currency"])
                except ValueError as exc:
                    bad(f"[settings] {exc}")
            if "decimal" in section and typed("[settings] decimal", section["decimal"], str,
                                               '"." or ","'):
                if section["decimal"] not in (".", ","):
                    bad(f"[settings] decimal = {section['decimal']!r}: expected \".\" or \",\"")
                else:
                    settings["decimal"] = section["decimal"]
            if "earliest_year" in section and typed("[settings] earliest_year",
                                                    section["earliest_year"], int, "a year"):
                if not 1800 <= section["earliest_year"] <= 2100:
                    bad(f"[settings] earliest_year = {section['earliest_year']}: expected a year")
                else:
                    settings["earliest_year"] = section["earliest_year"]
            continue
        if key == "policy":
            if not typed("[policy]", section, dict, "a section such as [policy.pyramid]"):
                continue
            for pname, values in section.items():
                allowed_keys = POLICY_KEYS.get(pname)
                if allowed_keys is None:
                    bad(f"unknown section [policy.{pname}]; expected one of "
                        f"{['policy.' + k for k in POLICY_KEYS]}")
                    continue
                if not typed(f"[policy.{pname}]", values, dict, "a section"):
                    continue
                for k, v in values.items():
                    if k not in allowed_keys:
                        bad(f"[policy.{pname}] has unknown key {k!r}; expected {list(allowed_keys)}")
                        continue
                    shape = allowed_keys[k]
                    if shape == "amounts":
                        if not (isinstance(v, list) and len(v) == 3 and all(
                                isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0
                                for x in v) and all(a > b for a, b in zip(v, v[1:]))):
                            bad(f"[policy.{pname}] {k} = {v!r}: expected three decreasing "
                                "positive amounts (vip, key, mid), e.g. [60000, 20000, 5000]")
                            continue
                        v = tuple(float(x) for x in v)
                    elif not (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0):
                        bad(f"[policy.{pname}] {k} = {v!r}: expected a positive number")
                        continue
                    policy.setdefault(pname, {})[k] = v
            continue
        if key not in schema.TABLES:
            bad(f"unknown section [{key}]; expected [settings], [policy.…] or a table: "
                f"{list(schema.TABLE_ORDER)}")
            continue
        if not isinstance(section, dict):
            bad(f"[{key}] must be a section, found a {_toml_type(section)}")
            continue
        allowed = {"file", "sheet", "header_row", "date_format", "decimal", "columns", "values",
                   "scale"}
        if set(section) - allowed:
            bad(f"[{key}] has unknown key(s) {sorted(set(section) - allowed)}; expected "
                f"{sorted(allowed)}")
        ok = True
        for k, kinds, expected in (("file", str, "a file name in quotes"),
                                   ("sheet", (str, int), "a sheet name or number"),
                                   ("header_row", int, "a row number"),
                                   ("date_format", str, 'a format in quotes, e.g. "%d/%m/%Y"'),
                                   ("decimal", str, '"." or ","'),
                                   ("columns", dict, "a section [" + key + ".columns]"),
                                   ("values", dict, "sections [" + key + ".values.<column>]"),
                                   ("scale", dict, "a section [" + key + ".scale]")):
            if k in section and not typed(f"[{key}] {k}", section[k], kinds, expected):
                ok = False
        if not ok:
            continue
        if section.get("decimal") not in (None, ".", ","):
            bad(f"[{key}] decimal = {section['decimal']!r}: expected \".\" or \",\"")
        columns = section.get("columns", {})
        targets = _targets(key)
        for src, dst in columns.items():
            if not isinstance(dst, str):
                bad(f"[{key}.columns] {src!r} = {dst!r}: expected a column name in quotes")
            elif dst != IGNORE and dst not in targets:
                bad(f"[{key}.columns] maps {src!r} to {dst!r}, which is not a column of {key}; "
                    f"expected one of {sorted(targets)}")
        names = [d for d in columns.values() if isinstance(d, str) and d != IGNORE]
        dup = sorted({d for d in names if names.count(d) > 1})
        if dup:
            bad(f"[{key}.columns] maps several headers to {dup}; map one header per column")
        values = section.get("values", {})
        spec = schema.TABLES[key]
        for col, vmap in values.items():
            if col not in spec.names or spec.column(col).dtype not in ("category", "bool"):
                choices = [c.name for c in spec.columns if c.dtype in ("category", "bool")]
                bad(f"[{key}.values.{col}]: {col!r} is not a column with fixed values; "
                    f"expected one of {choices}")
                continue
            if not typed(f"[{key}.values] {col}", vmap, dict, f"a section [{key}.values.{col}]"):
                continue
            c = spec.column(col)
            allowed_values = list(c.allowed) if c.dtype == "category" else [True, False]
            wrong = {s: v for s, v in vmap.items() if v not in allowed_values
                     and not (c.open and isinstance(v, str))}
            if wrong:
                bad(f"[{key}.values.{col}] maps to unknown value(s) {wrong}; "
                    f"expected one of {allowed_values}")
        scale = section.get("scale", {})
        for col, factor in scale.items():
            if col not in spec.names or spec.column(col).dtype not in ("int", "float", "money"):
                bad(f"[{key}.scale]: {col!r} is not a numeric column of {key}")
            elif not isinstance(factor, (int, float)) or isinstance(factor, bool) or factor <= 0:
                bad(f"[{key}.scale] {col} = {factor!r}: expected a positive number")
        header_row = section.get("header_row")
        if header_row is not None and header_row < 1:
            bad(f"[{key}] header_row = {header_row!r}: expected a row number >= 1")
        if report.errors:
            continue
        tables[key] = TableMapping(file=section.get("file"), sheet=section.get("sheet"),
                                   header_row=header_row, date_format=section.get("date_format"),
                                   decimal=section.get("decimal"),
                                   columns={str(k).strip(): v for k, v in columns.items()},
                                   values={c: {str(k).strip(): v for k, v in m.items()}
                                           for c, m in values.items()},
                                   scale={c: float(f) for c, f in scale.items()})
    if report.errors:
        raise InputError(report)
    return Mapping(path=file, tables=tables, as_of=as_of, settings=settings, policy=policy)


def _toml_type(value) -> str:
    return {bool: "true/false", int: "number", float: "decimal number", str: "text", list: "list",
            dict: "section"}.get(type(value), type(value).__name__)


# --- finding and reading the files -------------------------------------------------------

def locate(path: str | os.PathLike, mapping: Mapping | None = None,
           notes: list[str] | None = None, *, allow_outside: bool = False) -> dict[str, Path]:
    """The file of each table supplied: ``{table: path}`` (orders always present).

    ``path`` is a folder (tables under their canonical names ``orders.csv`` /
    ``orders.xlsx``, or the names given in the mapping) or a single orders file. A
    file the mapping names for another table but which is not there is noted in
    ``notes`` and that table is treated as not supplied.

    Parameters
    ----------
    path : path-like
        A folder or an orders file.
    mapping : Mapping, optional
        File names per table.
    notes : list of str, optional
        Receives a note for each mapped file that is missing.
    allow_outside : bool
        Accept files that lie (or whose links point) outside the data folder and the
        mapping file's folder. By default such a file is refused: a mapping saying
        ``file = "../../other-team/orders.csv"`` would read data nobody pointed at.

    Returns
    -------
    dict of str to Path

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist, or there is no orders table.
    ValueError
        A file lies outside the data folder and the mapping's folder (and
        ``allow_outside`` is not set).

    Examples
    --------
    >>> from custlib.data import DEFAULT_DATA_DIR
    >>> sorted(locate(DEFAULT_DATA_DIR))[:3]
    ['activities', 'contacts', 'customers']
    """
    mapping = mapping or Mapping()
    root = Path(path).expanduser()
    if not root.exists():
        raise FileNotFoundError(f"{root} does not exist: expected a folder of tables or an "
                                "orders file")
    if root.is_file():
        return {"orders": root}
    found = {}
    for name in schema.TABLE_ORDER:
        given = mapping.table(name).file
        if given:
            f = root / given
            if not f.is_file() and name != "orders":
                if notes is not None:
                    notes.append(f"{name}: {given} (named in the mapping) is not in {root}; "
                                 f"{name} not supplied")
                continue
            if not f.is_file():
                raise FileNotFoundError(f"{f} not found (named by [{name}] file = {given!r} in "
                                        f"{mapping.path.name if mapping.path else 'the mapping'})")
            found[name] = f
            continue
        for ext in (".csv", ".xlsx"):
            if (root / f"{name}{ext}").is_file():
                found[name] = root / f"{name}{ext}"
                break
    if "orders" not in found:
        present = sorted(p.name for p in root.iterdir() if p.is_file())[:10]
        raise FileNotFoundError(f"no orders table in {root}: expected orders.csv or orders.xlsx "
                                f"(or [orders] file = ... in a mapping file); found {present}")
    if not allow_outside:
        allowed = [Path(os.path.realpath(root))]
        if mapping.path is not None:
            allowed.append(Path(os.path.realpath(Path(mapping.path).parent)))
        for name, f in found.items():
            real = Path(os.path.realpath(f))
            if not any(real == a or a in real.parents for a in allowed):
                given = mapping.table(name).file
                how = (f"[{name}] file = {given!r} in {Path(mapping.path).name if mapping.path else 'the mapping'}"
                       if given else f"{f.name} is a link that")
                raise ValueError(f"{how} points outside the data folder {root}: {real}. Put the "
                                 "file in the data folder, or pass --allow-outside to read it "
                                 "where it is")
    return found


def _digest(file: Path) -> tuple[int, str]:
    """Size in bytes and SHA-256 of a file, read in blocks."""
    h = hashlib.sha256()
    size = 0
    with open(file, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def _looks_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def _header_line(lines: list[str], expected: set[str], header_row: int | None
                 ) -> tuple[int, str]:
    """The header's index among the first ``lines`` and the delimiter.

    The header is ``header_row`` when given; else the first of the top lines naming
    the most expected columns; else the first line with as many fields as most of the
    lines below it (a title block above the header has fewer).
    """
    body = [ln for ln in lines if ln.strip()]
    delimiter = max(",;\t|", key=lambda d: sum(ln.count(d) for ln in body[:30]))
    if not any(delimiter in ln for ln in body[:30]):
        delimiter = ","
    if header_row is not None:
        return header_row - 1, delimiter
    fields = [next(csv.reader([ln], delimiter=delimiter), []) if ln.strip() else []
              for ln in lines[:30]]
    wanted = {e.lower() for e in expected}
    scores = [sum(1 for v in f if v.strip().lower() in wanted) for f in fields]
    if max(scores, default=0) > 0:
        return int(np.argmax(scores)), delimiter
    counts = [len(f) for f in fields if f]
    if not counts:
        return 0, delimiter
    common = max(set(counts), key=counts.count)
    return next(i for i, f in enumerate(fields) if len(f) == common), delimiter


def _read_csv(file: Path, report: Report, tmap: TableMapping | None = None,
              expected: set[str] = frozenset()) -> tuple[pa.Table, np.ndarray] | None:
    with open(file, "rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip(b"\xef\xbb\xbf \r\n\t"):
        report.issues.append(Issue("error", file.name, None, (), 0,
                                   "is empty: expected a header row and data rows",
                                   "export the table again; check the export filter"))
        return None
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        report.issues.append(Issue("error", file.name, None, (), 0,
                                   "is UTF-16 (Excel's 'Unicode text'), not CSV",
                                   "in Excel: Save As > CSV UTF-8 (comma delimited)"))
        return None
    encoding = "utf8"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a real error, not a character cut at the block end
            encoding = None
    if encoding:
        try:
            file_ok = True
            with open(file, "rb") as fh:  # stream-check the rest without holding it twice
                dec = io.TextIOWrapper(fh, encoding="utf-8", errors="strict", newline="")
                while dec.read(1 << 24):
                    pass
        except UnicodeDecodeError:
            file_ok = False
        encoding = "utf8" if file_ok else None
    if encoding is None:
        raw = file.read_bytes()
        mixed = _mixed_encoding(raw)
        if mixed:
            report.issues.append(Issue("error", file.name, None, mixed[1][:_SHOW], len(mixed[1]),
                                       mixed[0], "save the whole file in one encoding: open it "
                                       "in Excel or a text editor and save it as CSV UTF-8"))
            return None
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _looks_chinese(text[:200_000]):
            encoding = "gb18030"
            report.issues.append(Issue("warning", file.name, None, (), 0,
                                       "is not UTF-8; it decodes as GB18030 (GBK) with Chinese "
                                       "text, so it was read as GB18030: check a few names in "
                                       "the output"))
        else:
            line = raw[: _first_bad_utf8(raw)].count(b"\n") + 1
            report.issues.append(Issue("error", file.name, None, (line,), 1,
                                       "is neither UTF-8 nor GB18030/GBK (first undecodable byte "
                                       "on this row)", "save it as CSV UTF-8"))
            return None
    top = head.decode("utf-8" if encoding == "utf8" else "gb18030", errors="replace")
    top_lines = top.lstrip("\ufeff").split("\n")[:-1] or [top.lstrip("\ufeff")]
    top_lines = [ln.rstrip("\r") for ln in top_lines]
    header_row = tmap.header_row if tmap is not None else None
    h, delimiter = _header_line(top_lines, expected, header_row)
    if h >= len(top_lines):
        report.issues.append(Issue("error", file.name, None, (), 0,
                                   f"has fewer than {h + 1} lines; header_row = {header_row}"))
        return None
    first = top_lines[h]
    if h > 0 and header_row is None:
        report.notes.append(f"{file.name}: header found on row {h + 1} (the rows above it are "
                            "a title block, not data)")
    names = next(csv.reader([first], delimiter=delimiter), [])
    names = [n.strip() for n in names]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        report.issues.append(Issue("error", file.name, None, (h + 1,), 1,
                                   f"has repeated header(s) {dups}",
                                   "give every column its own header"))
        return None
    try:
        cut = _footer_start(file, len(names), delimiter,
                            "utf-8" if encoding == "utf8" else "gb18030")
        source = file
        if cut is not None:
            source = pa.BufferReader(pa.memory_map(str(file)).read_buffer(cut[0]))
            report.notes.append(f"{file.name}: the {cut[1]} line(s) after the last data row are "
                                "a report footer (no delimiters), not data: left out")
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(encoding=encoding, skip_rows=h + 1, column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        m = re.search(r"Expected (\d+) columns, got (\d+)", msg)
        if m:
            row = msg.split(f"got {m.group(2)}:", 1)[-1].strip()[:120]
            msg = f"a row has {m.group(2)} fields where the header has {m.group(1)}: {row!r}"
        report.issues.append(Issue("error", file.name, None, (), 0, f"cannot be read as CSV: {msg}",
                                   "check quotes and delimiters around that row"))
        return None
    if table.num_rows == 0:
        report.issues.append(Issue("error", file.name, None, (), 0,
                                   "has a header but no data rows", "export the table again"))
        return None
    return table, np.arange(table.num_rows, dtype=np.int64) + h + 2


def _footer_start(file: Path, width: int, delimiter: str, encoding: str
                  ) -> tuple[int, int] | None:
    """Where a report footer starts (byte offset) and its line count, or None.

    A footer is a block of lines at the end of the file, after an empty line, none of
    which holds a delimiter, below a header of several columns — as Salesforce writes
    "Confidential Information - Do Not Distribute" and a copyright line under a report.
    """
    if width < 2:
        return None
    size = file.stat().st_size
    with open(file, "rb") as fh:
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    lines = tail.split(b"\n")

    def single(raw: bytes) -> bool:  # one field only (a quoted text may hold a comma)
        text = raw.decode(encoding, errors="replace").strip()
        return len(next(csv.reader([text], delimiter=delimiter), [])) == 1

    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    k = end
    while k and lines[k - 1].strip() and single(lines[k - 1]):
        k -= 1
    if k == end or k == 0 or lines[k - 1].strip() or end - k > 5:
        return None
    offset = size - len(tail) + sum(len(ln) + 1 for ln in lines[:k - 1])
    return offset, end - k


def _mixed_encoding(raw: bytes) -> tuple[str, list[int]] | None:
    """A message and the rows in the minority encoding when some lines are UTF-8 with
    non-ASCII text and others are not UTF-8 (two exports pasted together)."""
    utf8, other = [], []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8.append(number)
        except UnicodeDecodeError:
            other.append(number)
    if not (utf8 and other):
        return None
    few, kind = (utf8, "UTF-8") if len(utf8) <= len(other) else (other, "not UTF-8 (GBK?)")
    span = lambda rows: f"{rows[0]}–{rows[-1]}" if len(rows) > 1 else f"{rows[0]}"  # noqa: E731
    return (f"mixes encodings: {len(utf8):,} line(s) are UTF-8 (rows {span(utf8)}) and "
            f"{len(other):,} are not (rows {span(other)}); the rows listed are the {kind} ones",
            few)


def _first_bad_utf8(raw: bytes) -> int:
    try:
        raw.decode("utf-8")
        return len(raw)
    except UnicodeDecodeError as exc:
        return exc.start


def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if v.time() == _dt.time() else v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v).strip()
    return text or None


def _read_xlsx(file: Path, tmap: TableMapping, expected: set[str],
               report: Report) -> tuple[pa.Table, np.ndarray] | None:
    from custlib._xlsx import SheetError, read_sheet

    try:  # streamed, bounded by the real content (see custlib._xlsx)
        title, rows = read_sheet(file, tmap.sheet)
    except SheetError as exc:
        where = f"{file.name} (sheet {exc.sheet!r})" if exc.sheet else file.name
        report.issues.append(Issue("error", where, None, (), 0, exc.message, exc.fix))
        return None
    where = f"{file.name} (sheet {title!r})"
    if not any(any(v is not None for v in r) for r in rows):
        report.issues.append(Issue("error", where, None, (), 0, "is empty",
                                   "check the sheet name; the data may be on another sheet"))
        return None
    if tmap.header_row is not None:
        h = tmap.header_row - 1
        if h >= len(rows):
            report.issues.append(Issue("error", where, None, (), 0,
                                       f"has only {len(rows)} rows; header_row = {tmap.header_row}"))
            return None
    else:  # the first of the top rows naming the most expected columns
        scores = [sum(1 for v in r if v is not None and v.strip() in expected) for r in rows[:30]]
        h = int(np.argmax(scores)) if max(scores) > 0 else next(
            i for i, r in enumerate(rows) if any(v is not None for v in r))
    header = [(v or "").strip() for v in rows[h]]
    keep = [i for i, n in enumerate(header) if n]
    names = [header[i] for i in keep]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        report.issues.append(Issue("error", where, None, (h + 1,), 1,
                                   f"has repeated header(s) {dups}", "give every column its own header"))
        return None
    body = [(n, r) for n, r in enumerate(rows[h + 1:], start=h + 2)
            if any(v is not None for v in r)]
    if not body:
        report.issues.append(Issue("error", where, None, (h + 1,), 1,
                                   "has a header but no data rows"))
        return None
    cols = {name: pa.array([r[i] if i < len(r) else None for _, r in body], pa.string())
            for name, i in zip(names, keep)}
    if h > 0:
        report.notes.append(f"{where}: header found on row {h + 1}")
    return pa.table(cols), np.array([n for n, _ in body], dtype=np.int64)


# --- parsing values ----------------------------------------------------------------------

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


def _has_control_bytes(col) -> bool:
    """False when no value of a text column can hold a :data:`_CONTROL` character: a
    scan of its bytes (UTF-8 never uses bytes below 0x20 inside other characters), so
    the regex runs only on the rare column that may hold one."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    data = col.buffers()[2] if col.type in (pa.string(), pa.large_string()) else None
    if data is None:
        return len(col) > 0 and col.type not in (pa.string(), pa.large_string())
    b = np.frombuffer(data, dtype=np.uint8)
    return bool(((b < 0x20) & (b != 0x09) & (b != 0x0A) & (b != 0x0D)).any())


def _present(col) -> np.ndarray:
    return pc.is_valid(col).to_numpy(zero_copy_only=False)


def _np(arr) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


# --- one table ---------------------------------------------------------------------------

@dataclass
class _ColumnResult:
    """What reading one column gave: its typed values (None when it has errors), its
    issues and notes, and the rows it leaves out."""
    value: pa.Array | None = None
    issues: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    drop: np.ndarray | None = None


#: Columns of a table with at least this many rows are read in parallel, by
#: :data:`_WORKERS` threads (Arrow's compute functions release the GIL); a smaller
#: table is read column after column. The result is the same either way.
_PARALLEL_ROWS = 50_000
_WORKERS = max(1, min(4, os.cpu_count() or 1))


def _normalise(name: str, file: Path, raw: pa.Table, lines: np.ndarray, tmap: TableMapping,
               as_of: _dt.date, report: Report, settings: dict | None = None) -> pa.Table | None:
    """The canonical columns of one table (typed arrow arrays), or None on errors."""
    settings = settings or {}
    spec = schema.TABLES[name]
    label = file.name
    errors_before = len(report.errors)

    def add(level, column, mask, message, fix=""):
        report.issues.append(_issue(level, label, column, mask, message, fix, lines))

    # rename: mapping first, canonical names as they are, case and spaces forgiven
    rename, source_of = {}, {}
    targets = _targets(name)
    lowered = {t.lower(): t for t in targets}
    claims: dict[str, list[str]] = {}
    for src in raw.column_names:
        dst = tmap.columns.get(src) or (src if src in targets else lowered.get(src.strip().lower()))
        if dst and dst != IGNORE:
            claims.setdefault(dst, []).append(src)
    for dst, srcs in claims.items():
        if len(srcs) > 1:
            add("error", None, None, f"columns {srcs} would all be read as {dst!r}",
                f"keep one: map the others to \"{IGNORE}\" in the mapping file, e.g. "
                f"[{name}.columns] \"{srcs[1]}\" = \"{IGNORE}\"")
            continue
        rename[srcs[0]] = dst
        source_of[dst] = srcs[0]
    if len(report.errors) > errors_before:
        return None
    ignored = [c for c in raw.column_names if c not in rename]
    if ignored:
        report.notes.append(f"{label}: columns not used {ignored[:8]}"
                            + (f" and {len(ignored) - 8} more" if len(ignored) > 8 else ""))
    missing = [c for c in schema.CORE[name] if c not in source_of]
    if missing:
        add("error", None, None,
            f"has no column for {missing} (needed for {name}); its headers are {raw.column_names}",
            f"map your headers in the mapping file: [{name}.columns] \"<your header>\" = "
            f"\"{missing[0]}\"")
        return None

    def shown(c):
        return (source_of[c], c)

    n = raw.num_rows
    keep = np.ones(n, dtype=bool)
    cols: dict[str, pa.Array] = {}

    def column(dst: str, src: str) -> _ColumnResult:
        """One column checked and typed: what it found goes to its own result, so the
        columns can be read in parallel and their findings reported in column order."""
        out = _ColumnResult()

        def put(level, column, mask, message, fix=""):
            out.issues.append(_issue(level, label, column, mask, message, fix, lines))
        col = raw.column(src).combine_chunks()
        blank = pc.or_(pc.equal(col, ""), pc.utf8_is_space(col))   # "" or only whitespace
        col = pc.if_else(blank, pa.scalar(None, pa.string()), col)
        c = spec.column(dst) if dst in spec.names else schema.TABLES["customers"].column(dst)
        present = _present(col)
        where = shown(dst)

        def problems(parsed):
            for p in parsed.problems:
                put(p.level, where, p.mask, p.message, p.fix)
            if parsed.note:
                out.notes.append(f"{label}, column '{src}': {parsed.note}")
            return not parsed.errors

        if c.dtype == "string":
            text = pc.utf8_trim_whitespace(col)
            if dst == "customer_id" and name != "customers":
                multi = _np(pc.fill_null(pc.match_substring_regex(text, r"[;,]"), False))
                if multi.any():
                    put("warning", where, multi, f"{int(multi.sum())} row(s) name several "
                        f"customers ({_sample(text, multi)}): the first is used, as the primary "
                        "association")
                    text = pc.utf8_trim_whitespace(
                        pc.replace_substring_regex(text, r"^([^;,]*)[;,].*$", r"\1"))
            if dst.endswith("_id"):
                text, changed = _parse.normalise_ids(text)
                if changed.any():
                    put("warning", where, changed, f"{int(changed.sum())} id(s) held invisible "
                        "characters (zero-width spaces, byte-order marks), full-width forms or "
                        f"spaces ({_sample(col, changed)}): normalised, so equal ids match")
            ctrl = (_np(pc.fill_null(pc.match_substring_regex(text, _CONTROL), False))
                    if _has_control_bytes(text) else np.zeros(n, dtype=bool))
            if ctrl.any():
                put("warning", where, ctrl, f"{int(ctrl.sum())} value(s) hold control characters "
                    f"({_sample(text, ctrl)}): removed, as no spreadsheet can show them")
                text = pc.replace_substring_regex(text, _CONTROL, "")
            out.value = text
        elif c.dtype == "date":
            earliest = 1900 if dst == "birthday" else settings.get("earliest_year", _parse.EARLIEST_YEAR)
            ahead = 10 if dst == "expected_close_date" else 5
            parsed = _parse.parse_dates(col, tmap.date_format, earliest_year=earliest,
                                        latest_year=as_of.year + ahead,
                                        setting=f"[{name}] date_format",
                                        excel=file.suffix.lower() in (".xlsx", ".xlsm"))
            if problems(parsed):
                out.value = parsed.values
        elif c.dtype in ("int", "float", "money"):
            parsed = _parse.parse_numbers(col, tmap.decimal or settings.get("decimal"),
                                          money=c.dtype == "money",
                                          percent_ok=c.dtype == "float",
                                          setting=f"[{name}] decimal")
            if not problems(parsed):
                return out
            num = parsed.values
            if dst in tmap.scale:
                num = pc.multiply(num, tmap.scale[dst])
            if c.dtype == "int":
                frac = _present(num) & (_np(pc.fill_null(pc.not_equal(num, pc.floor(num)), False)))
                if frac.any():
                    put("error", where, frac, f"{int(frac.sum())} value(s) are not whole numbers "
                        f"({_sample(col, frac)})", f"{dst} counts {c.unit or 'units'}: check "
                        "these rows")
                    return out
                num = pc.cast(num, pa.int64())
            low = c.minimum is not None and not (name == "orders" and dst == "amount")
            below = _np(pc.fill_null(pc.less(num, c.minimum), False)) if low else np.zeros(n, bool)
            if below.any():
                put("error", where, below, f"{int(below.sum())} value(s) below {c.minimum:g}"
                    f" ({_sample(col, below)})", "check the sign of these values in the export")
                return out
            if dst == "probability":
                over = _np(pc.fill_null(pc.greater(num, 1.0), False))
                if over.any():
                    put("error", where, over, f"{int(over.sum())} probabilities above 1 "
                        f"({_sample(col, over)}): percentages?",
                        f"add [{name}.scale] probability = 0.01 to the mapping file")
                    return out
            out.value = num
        elif c.dtype == "bool":
            text = pc.utf8_lower(pc.utf8_trim_whitespace(col))
            vmap = {k.lower(): v for k, v in tmap.values.get(dst, {}).items()}
            t = pc.is_in(text, value_set=pa.array(list(_TRUE) + [k for k, v in vmap.items() if v]))
            f = pc.is_in(text, value_set=pa.array(list(_FALSE) + [k for k, v in vmap.items() if not v]))
            bad = present & ~(_np(t) | _np(f))
            if bad.any():
                put("error", where, bad, f"{int(bad.sum())} value(s) are not yes/no "
                    f"({_sample(col, bad)})",
                    f"use true/false, or map your values: [{name}.values.{dst}] \"<value>\" = true")
                return out
            out.value = pc.if_else(pa.array(present), t, pa.scalar(None, pa.bool_()))
        else:  # category
            text = pc.utf8_trim_whitespace(col)
            vmap = tmap.values.get(dst, {})
            if vmap:
                src_vals = pa.array(list(vmap), pa.string())
                dst_vals = pa.array(list(vmap.values()), pa.string())
                idx = pc.index_in(text, value_set=src_vals)
                text = pc.coalesce(pc.take(dst_vals, idx), text)
            lower = {v.lower(): v for v in c.allowed}
            lowered_text = pc.utf8_lower(text)
            idx = pc.index_in(lowered_text, value_set=pa.array(list(lower)))
            text = pc.coalesce(pc.take(pa.array(list(lower.values())), idx), text)
            unknown = present & ~_np(pc.is_in(text, value_set=pa.array(c.allowed)))
            if unknown.any() and c.open:   # a descriptive vocabulary: the user's own values
                text = pc.replace_substring_regex(text, _CONTROL, "")
            elif unknown.any():
                found = sorted(set(pc.filter(text, pa.array(unknown)).to_pylist()))
                if dst == "stage":
                    put("warning", where, unknown, f"{int(unknown.sum())} row(s) with unknown "
                        f"stage name(s) {found[:8]}: left out of the funnel",
                        f"map them: [{name}.values.stage] \"{found[0]}\" = "
                        f"\"<one of {', '.join(c.allowed)}>\"")
                    out.drop = unknown
                else:
                    put("error", where, unknown, f"{int(unknown.sum())} value(s) not in "
                        f"{list(c.allowed)}: {found[:8]}",
                        f"map them in the mapping file: [{name}.values.{dst}] "
                        f"\"{found[0]}\" = \"<one of {', '.join(c.allowed)}>\"")
                    return out
            out.value = text
        return out

    items = list(source_of.items())
    if n >= _PARALLEL_ROWS and len(items) > 1:   # Arrow's kernels release the GIL
        with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="column") as pool:
            results = list(pool.map(lambda item: column(*item), items))
    else:
        results = [column(*item) for item in items]
    for (dst, _), res in zip(items, results):
        report.issues.extend(res.issues)
        report.notes.extend(res.notes)
        if res.drop is not None:
            keep &= ~res.drop
        if res.value is not None:
            cols[dst] = res.value
    if len(report.errors) > errors_before:
        return None
    # content rules ----------------------------------------------------------------------
    if "customer_id" in cols:
        no_id = ~_present(cols["customer_id"])
        if no_id.any():
            extra = ""
            if name == "orders" and "amount" in cols:
                extra = f" (total {_total(_np(pc.fill_null(cols['amount'], 0))[no_id], settings)})"
            add("warning", shown("customer_id"), no_id,
                f"{int(no_id.sum())} row(s) have no customer id{extra}: left out")
            keep &= ~no_id
    for c in schema.CORE[name]:
        if c == "customer_id" or c not in cols:
            continue
        empty = ~_present(cols[c]) & keep
        if empty.any():
            add("error", shown(c), empty, f"{int(empty.sum())} row(s) are empty: a value is "
                "needed in every row", "fill them in, or delete the rows in a copy of the export")
    if name == "orders" and "amount" in cols:
        neg = _np(pc.fill_null(pc.less(cols["amount"], 0), False)) & keep
        if neg.any():
            total = _total(_np(cols["amount"])[neg], settings)
            add("warning", shown("amount"), neg, f"{int(neg.sum())} negative amount"
                f"{'s' if neg.sum() > 1 else ''} (refunds or credit notes), total {total}: "
                "left out, so revenue is gross sales")
            keep &= ~neg
    if name in _EVENT_DATES and _EVENT_DATES[name] in cols:
        d = cols[_EVENT_DATES[name]]
        future = _np(pc.fill_null(pc.greater(d, pa.scalar(as_of, pa.date32())), False)) & keep
        if future.any():
            add("warning", shown(_EVENT_DATES[name]), future,
                f"{int(future.sum())} row(s) dated after the extraction date {as_of}: left out", "set [settings] as_of in the mapping file if the extraction "
                "date is later")
            keep &= ~future
    if len(report.errors) > errors_before:
        return None
    # exact duplicates, then duplicate keys (integer codes: no Python objects per row)
    # the id's codes, once: the lead of the exact-duplicate search (equal rows have equal
    # normalised ids) and the duplicate-key check below
    key_codes = _dictionary_codes(cols[spec.key]) if spec.key and spec.key in cols else None
    if cols:
        dup = _duplicate_rows([raw.column(source_of[c]) for c in cols], key_codes) & keep
        if dup.any():
            add("warning", None, dup, f"{int(dup.sum())} row(s) repeat an earlier row exactly: "
                "kept once (export duplicates)")
            keep &= ~dup
    if key_codes is not None:
        codes = key_codes
        kept = codes[keep]
        counts = np.bincount(kept[kept >= 0], minlength=int(codes.max()) + 1)
        dup = keep & (codes >= 0) & (counts[np.maximum(codes, 0)] > 1)
        if dup.any() and spec.lines and "customer_id" in cols:
            # lines of one order share its id and its customer; one id under two customers
            # is two different orders with one number
            cust = _dictionary_codes(cols["customer_id"])
            pairs = np.unique(np.stack([codes[dup], cust[dup]]), axis=1)
            owners = np.bincount(pairs[0], minlength=int(codes.max()) + 1)
            clash = dup & (owners[np.maximum(codes, 0)] > 1)
            if clash.any():
                ids = sorted(set(pc.filter(cols[spec.key], pa.array(clash)).to_pylist()))[:_SHOW]
                add("error", shown(spec.key), clash, f"{int(clash.sum())} rows share an order id "
                    f"with a row of another customer: {ids}",
                    "lines of one order share its id and its customer; give these orders their "
                    "own ids")
                return None
            orders_n = len(np.unique(codes[keep & (codes >= 0)]))
            report.notes.append(f"{label}: {int(keep.sum()):,} rows hold {orders_n:,} orders: rows "
                                f"sharing their {source_of[spec.key]!r} and customer are the lines "
                                "of one order (amounts add up; purchases are counted by order, "
                                "not by line)")
            dup[:] = False
        if dup.any():
            ids = sorted(set(pc.filter(cols[spec.key], pa.array(dup)).to_pylist()))[:_SHOW]
            add("error", shown(spec.key), dup, f"{int(dup.sum())} rows share an id with another "
                f"row that differs: {ids}", "make every id unique (or remove the older rows)")
            return None
        no_key = ~_present(cols[spec.key]) & keep
        if no_key.any():
            add("error", shown(spec.key), no_key, f"{int(no_key.sum())} row(s) have no id",
                "fill in the ids, or leave the column out so rows are numbered")
            return None
    mask = pa.array(keep)
    out = pa.table({c: pc.filter(a, mask) for c, a in cols.items()})
    out = out.append_column(_LINE, pa.array(lines[keep]))
    if spec.key and spec.key not in cols:
        kept_lines = lines[keep]
        prefix = _KEY_PREFIX.get(name, "X")
        out = out.add_column(0, spec.key, pa.array([f"{prefix}{x}" for x in kept_lines], pa.string()))
        report.notes.append(f"{label}: no {spec.key} column; rows numbered by their row in the file "
                            f"({prefix}<row>)")
    report.tables[name] = {"file": label, "rows_read": n, "rows_kept": out.num_rows}
    return out


def _total(values: np.ndarray, settings: dict) -> str:
    """A total for a message, in the data's currency, with cents when there are any."""
    total = float(np.sum(values))
    return money.money(total, 0 if total == round(total) else 2,
                       code=settings.get("currency") or money.DEFAULT_CURRENCY)


def _derive_customers(tables: dict[str, pa.Table], as_of: _dt.date) -> tuple[pa.Table, int]:
    """Customers from the orders and the other tables: id, name if given, first purchase
    and layer.

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


# --- the whole input ---------------------------------------------------------------------

def _read_all(path, mapping, as_of, allow_outside: bool = False, *, currency: str | None = None,
              thresholds=None) -> tuple[Report, dict[str, pa.Table], Mapping]:
    mapping = mapping if isinstance(mapping, Mapping) else read_mapping(mapping)
    if currency or thresholds:
        mapping = _override(mapping, currency, thresholds)
    source = "given" if as_of is not None else ("mapping" if mapping.as_of else "today")
    if as_of is None:
        as_of = mapping.as_of or _dt.date.today()
    elif not isinstance(as_of, _dt.date):
        try:
            as_of = _dt.date.fromisoformat(str(as_of))
        except ValueError:
            raise ValueError(f"as_of {as_of!r} is not a date: expected YYYY-MM-DD") from None
    report = Report(source=Path(path), mapping=mapping.path, as_of=as_of, as_of_source=source,
                    settings=dict(mapping.settings), policy=dict(mapping.policy))
    files = locate(path, mapping, report.notes, allow_outside=allow_outside)
    report.files = dict(files)
    # the files' SHA-256, in a thread of its own while they are read (hashlib releases
    # the GIL): a second pass over the bytes that costs no time
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")
    digests = {f: hashing.submit(_digest, f)
               for f in [*files.values(), *([Path(mapping.path)] if mapping.path else [])]}
    try:
        tables = _read_files(files, mapping, as_of, report)
    finally:
        hashing.shutdown(wait=True)
    for f, digest in digests.items():
        report.digests[f] = digest.result()
    if report.ok and "orders" in tables:
        if "customers" not in tables:
            tables["customers"], n_prospects = _derive_customers(tables, as_of)
            report.notes.append("customers: not supplied; derived from the orders (id, name if "
                                "given, first purchase, customer/inactive layer)"
                                + (f" and {n_prospects:,} prospect(s): accounts in the other "
                                   "tables that never bought" if n_prospects else ""))
        _check_links(tables, files, report)
    return report, tables, mapping


def _read_files(files: dict[str, Path], mapping: Mapping, as_of: _dt.date,
                report: Report) -> dict[str, pa.Table]:
    """Each table read and normalised, in the order of ``files``."""
    tables: dict[str, pa.Table] = {}
    for name, file in files.items():
        tmap = mapping.table(name)
        if file.suffix.lower() in (".xlsx", ".xlsm"):
            expected = set(tmap.columns) | _targets(name)
            got = _read_xlsx(file, tmap, expected, report)
        elif file.suffix.lower() == ".xls":
            report.issues.append(Issue("error", file.name, None, (), 0,
                                       "is an old Excel .xls file", "save it as .xlsx or CSV UTF-8"))
            got = None
        else:
            got = _read_csv(file, report, tmap, set(tmap.columns) | _targets(name))
        if got is None:
            continue
        raw, lines = got
        table = _normalise(name, file, raw, lines, tmap, as_of, report, mapping.settings)
        if table is not None:
            tables[name] = table
    return tables


def _override(mapping: Mapping, currency, thresholds) -> Mapping:
    """``mapping`` with the currency and the pyramid cut-offs given on the command line."""
    import dataclasses as _dc

    settings, policy = dict(mapping.settings), {k: dict(v) for k, v in mapping.policy.items()}
    if currency:
        settings["currency"] = money.unit(currency)
    if thresholds:
        values = tuple(float(x) for x in thresholds)
        if not (values and all(v > 0 for v in values)
                and all(a > b for a, b in zip(values, values[1:]))):
            raise ValueError(f"thresholds {list(thresholds)}: expected decreasing positive "
                             "amounts, e.g. 60000,20000,5000")
        policy.setdefault("pyramid", {})["thresholds"] = values
    return _dc.replace(mapping, settings=settings, policy=policy)


def _check_links(tables: dict[str, pa.Table], files: dict[str, Path], report: Report) -> None:
    for name, t in tables.items():
        for col, target in schema.TABLES[name].references.items():
            if target not in tables or col not in t.column_names:
                continue
            keys = tables[target].column(schema.TABLES[target].key)
            dangling = _np(pc.invert(pc.is_in(t.column(col), value_set=keys))) & _present(t.column(col))
            if dangling.any():
                ids = sorted(set(pc.filter(t.column(col), pa.array(dangling)).to_pylist()))[:_SHOW]
                label = files[name].name if name in files else name
                rows = tuple(int(x) for x in _np(t.column(_LINE))[dangling][:_SHOW]) \
                    if _LINE in t.column_names else ()
                report.issues.append(Issue(
                    "error", label, col, rows, int(dangling.sum()),
                    f"{int(dangling.sum())} row(s) refer to ids missing from {target} ({ids})",
                    f"export every {target} row these refer to, or leave {target} out"))


def neutralise(col) -> pa.Array:
    """Text as written to a CSV output: a leading ``'`` where a spreadsheet would read a
    formula (text starting with ``= + - @``, a tab or a carriage return, the OWASP
    rule), so opening the file in Excel runs nothing.

    Examples
    --------
    >>> neutralise(pa.array(["=1+1", "Acme", "-2", None, "@SUM(A1)"])).to_pylist()
    ["'=1+1", 'Acme', "'-2", None, "'@SUM(A1)"]
    """
    return pc.replace_substring_regex(col, _FORMULA_RE, r"'\1")


def _write_tables(t: pa.Table, name: str, out: Path) -> None:
    """One canonical table: Arrow (exact, for :func:`custlib.data.load`) and CSV UTF-8
    (for people; text that could start a formula is neutralised, see :func:`neutralise`)."""
    import pyarrow.parquet as pq

    from custlib.data import TABLES_DIR

    (out / TABLES_DIR).mkdir(exist_ok=True)
    pq.write_table(t, out / TABLES_DIR / f"{name}.parquet")
    safe = t
    for i, col in enumerate(t.columns):
        if pa.types.is_string(col.type):
            safe = safe.set_column(i, t.column_names[i], neutralise(col.combine_chunks()))
    pacsv.write_csv(safe, out / schema.TABLES[name].filename,
                    pacsv.WriteOptions(quoting_style="needed"))


def _write_settings(out: Path, report: Report, path) -> None:
    import json

    from custlib.data import SETTINGS_FILE, _is_synthetic

    source = Path(path).expanduser()
    stated = report.as_of if report.as_of_source != "today" else None
    settings = {"format": 1,
                "currency": report.settings.get("currency", money.DEFAULT_CURRENCY),
                "as_of": stated.isoformat() if stated else None,
                "policy": {k: {kk: list(vv) if isinstance(vv, tuple) else vv
                               for kk, vv in v.items()} for k, v in report.policy.items()},
                "synthetic": source.is_dir() and _is_synthetic(source),
                "tables": sorted(report.tables)}
    (out / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


def validate(path: str | os.PathLike, mapping=None, as_of=None, *,
             allow_outside: bool = False, currency: str | None = None,
             thresholds=None) -> Report:
    """Check an export and report every problem at once, split into errors and warnings.

    Parameters
    ----------
    path : path-like
        A folder of tables or a single orders file (see :func:`locate`).
    mapping : path-like, Mapping or None
        The mapping file (see :func:`read_mapping`).
    as_of : date-like, optional
        The extraction date; rows dated later are left out. Default: the mapping's
        ``[settings] as_of``, else today.
    allow_outside : bool
        Read files outside the data folder and the mapping's folder (see
        :func:`locate`).
    currency : str, optional
        The currency of the amounts (overrides the mapping's ``[settings] currency``).
    thresholds : sequence of float, optional
        The pyramid's revenue cut-offs (overrides ``[policy.pyramid] thresholds``).

    Returns
    -------
    Report
        ``report.ok`` is True when there is no error.

    Raises
    ------
    FileNotFoundError
        The path, a file named in the mapping, or the orders table is missing.
    InputError
        The mapping file itself is wrong.

    Examples
    --------
    See the module example.
    >>> from custlib.data import DEFAULT_DATA_DIR
    >>> validate(DEFAULT_DATA_DIR, as_of="2025-12-31").ok
    True
    """
    report, _, _ = _read_all(path, mapping, as_of, allow_outside, currency=currency,
                             thresholds=thresholds)
    return report


def import_data(path: str | os.PathLike, out: str | os.PathLike, mapping=None, as_of=None, *,
                pseudonymise: bool = False, key: str | None = None,
                allow_outside: bool = False, currency: str | None = None,
                thresholds=None) -> Report:
    """Validate an export and write its canonical tables (UTF-8 CSV) into ``out``.

    ``out`` must be a new or empty folder outside the input; the input is only read.
    With ``pseudonymise``, names, phones, e-mails, QQ numbers and the customer, contact
    and rep ids are replaced by pseudonyms and birthdays emptied before anything is
    written (see :func:`custlib.pseudonym.pseudonymise_tables`), and ``validation.txt``
    names files without their folders.

    Returns
    -------
    Report
        Also written to ``out/validation.txt``.

    Raises
    ------
    InputError
        There are errors; nothing is written.

    Parameters
    ----------
    path : path-like
        A folder of tables or an orders file.
    out : path-like
        A new or empty folder, not inside the input.
    mapping : path-like or Mapping, optional
        See :func:`read_mapping`.
    as_of : date-like, optional
        The extraction date (see :func:`validate`).
    pseudonymise : bool
        Replace personal fields by pseudonyms.
    key : str, optional
        Secret key of the pseudonyms; default ``$CUSTLIB_PSEUDONYM_KEY``, else a random
        key for this run (see :func:`custlib.pseudonym.resolve_key`).
    allow_outside : bool
        Read files outside the data folder and the mapping's folder (see
        :func:`locate`).
    currency, thresholds : optional
        As for :func:`validate`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from custlib.data import DEFAULT_DATA_DIR, load
    >>> with tempfile.TemporaryDirectory() as d:
    ...     r = import_data(DEFAULT_DATA_DIR / "orders.csv", pathlib.Path(d) / "out", as_of="2025-12-31")
    ...     sorted(load(pathlib.Path(d) / "out").tables)
    ['customers', 'orders']
    """
    report, tables, mapping = _read_all(path, mapping, as_of, allow_outside, currency=currency,
                                        thresholds=thresholds)
    if not report.ok:
        raise InputError(report)
    if pseudonymise:
        tables, notes = pseudonymise_tables(tables, key)
        report.notes.extend(notes)
    out = Path(out)
    src, dst = Path(path).resolve(), out.resolve()
    if dst == src or (src.is_dir() and src in dst.parents) or dst in src.parents:
        raise ValueError(f"the output folder {out} must not be the input {src}, be inside it or "
                         "contain it: the input is only read")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    for name in schema.TABLE_ORDER:
        if name not in tables:
            continue
        t = tables[name]
        if _LINE in t.column_names:
            t = t.drop_columns([_LINE])
        t = t.select([c for c in t.column_names if c in schema.TABLES[name].names])
        _write_tables(t, name, out)
    _write_settings(out, report, path)
    text = report.text()
    if pseudonymise:   # no folder names (they may name a person), no sample values of personal fields
        folder = Path(path).expanduser()
        inputs = [*report.files.values(), report.mapping,
                  (folder, "the data folder") if folder.is_dir() else folder,
                  *([(Path(report.mapping).parent, "the mapping's folder")] if report.mapping else [])]
        report.notes[:] = [without_paths(n, inputs) for n in report.notes]
        personal = {c for cols in PERSONAL.values() for c in cols}
        shown = [dataclasses.replace(i, message=without_samples(i.message))
                 if {i.column, i.canonical} & personal else i for i in report.issues]
        text = without_paths(dataclasses.replace(report, issues=shown).text(), inputs)
    (out / "validation.txt").write_text(text + "\n", encoding="utf-8")
    return report
