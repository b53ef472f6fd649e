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
for :func:`custlib.io.load` and the lessons.

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

import dataclasses
import datetime as _dt
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from custlib import money, schema
from custlib.io.files import _digest, _read_csv, _read_xlsx, locate
from custlib.io.issues import _SHOW, InputError, Issue, Report
from custlib.io.mapping import Mapping, _targets, read_mapping
from custlib.io.normalise import _LINE, _WORKERS, _normalise, neutralise
from custlib.io.pseudonym import PERSONAL, pseudonymise_tables, without_paths, without_samples
from custlib.io.rules import _np, _present, prospects


__all__ = ["validate", "import_data"]

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
            tables["customers"], n_prospects = prospects(tables, as_of)
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
    """Every reference to a key of another table names a row there (an error otherwise).

    The lookups (one hash probe per row, by Arrow, which releases the GIL) run side by
    side on :data:`_WORKERS` threads; the issues are reported in the tables' order."""
    links = [(name, col, target) for name, t in tables.items()
             for col, target in schema.TABLES[name].references.items()
             if target in tables and col in t.column_names]

    def dangling(link):
        name, col, target = link
        column = tables[name].column(col)
        keys = tables[target].column(schema.TABLES[target].key)
        return _np(pc.invert(pc.is_in(column, value_set=keys))) & _present(column)

    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="links") as pool:
        found = list(pool.map(dangling, links))
    for (name, col, target), bad in zip(links, found):
        if not bad.any():
            continue
        t = tables[name]
        ids = sorted(set(pc.filter(t.column(col), pa.array(bad)).to_pylist()))[:_SHOW]
        label = files[name].name if name in files else name
        rows = tuple(int(x) for x in _np(t.column(_LINE))[bad][:_SHOW]) \
            if _LINE in t.column_names else ()
        report.issues.append(Issue(
            "error", label, col, rows, int(bad.sum()),
            f"{int(bad.sum())} row(s) refer to ids missing from {target} ({ids})",
            f"export every {target} row these refer to, or leave {target} out"))


def _write_tables(t: pa.Table, name: str, out: Path) -> None:
    """One canonical table: Arrow (exact, for :func:`custlib.io.load`) and CSV UTF-8
    (for people; text that could start a formula is neutralised, see :func:`neutralise`)."""
    import pyarrow.parquet as pq

    from custlib.io.crmdata import TABLES_DIR

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

    from custlib.io.crmdata import SETTINGS_FILE, _is_synthetic

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
    >>> from custlib.io import DEFAULT_DATA_DIR
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
    written (see :func:`custlib.io.pseudonym.pseudonymise_tables`), and ``validation.txt``
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
        key for this run (see :func:`custlib.io.pseudonym.resolve_key`).
    allow_outside : bool
        Read files outside the data folder and the mapping's folder (see
        :func:`locate`).
    currency, thresholds : optional
        As for :func:`validate`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from custlib.io import DEFAULT_DATA_DIR, load
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
    def write(name: str) -> None:
        t = tables[name]
        if _LINE in t.column_names:
            t = t.drop_columns([_LINE])
        _write_tables(t.select([c for c in t.column_names if c in schema.TABLES[name].names]),
                      name, out)

    # the tables are written side by side: Arrow's Parquet and CSV writers release the GIL
    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="write") as pool:
        for done in [pool.submit(write, n) for n in schema.TABLE_ORDER if n in tables]:
            done.result()
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
