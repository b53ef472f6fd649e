"""The mapping file (TOML): which file holds which table, how its columns and values
are named, and the settings of the data (as-of date, currency, decimal mark, policy)."""

from __future__ import annotations

import datetime as _dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from custlib import money, schema
from custlib.io.issues import InputError, Issue, Report

#: Columns of the customers an orders or opportunities file may carry (used for the
#: derived customers when no customer table is supplied).
_ORDER_EXTRAS = {"customer_name": "customers"}
_EXTRAS_IN = ("orders", "opportunities")


#: Map a column to this in ``[table.columns]`` to leave it unread.
IGNORE = "_ignore"
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
