"""Read CRM data into typed DataFrames: one reader for the lessons, the workbook and the CLI.

:func:`load` accepts everything ``custlib validate`` accepts — a folder of tables or
a single orders file, CSV (UTF-8, UTF-8 with BOM, GBK) or Excel ``.xlsx``, with a
mapping file for the user's own headers and values — applies the same rules
(:mod:`custlib.io`) and raises the same error, whose message is the report
``custlib validate`` prints. Where the data comes from:

* ``path``, else the environment variable ``CUSTLIB_DATA``, else the bundled
  ``data/synthetic``;
* ``mapping``, else ``CUSTLIB_MAPPING``;
* ``as_of`` (the analysis date), else ``CUSTLIB_AS_OF``, else the mapping's
  ``[settings] as_of``; when none is stated, the lessons use the last dated row
  (:func:`custlib.period.as_of`).

A folder written by :func:`custlib.io.import_data` (``custlib run`` writes one
into its output) holds the validated tables in Arrow form with their settings, and
is read without parsing again. Files are only read, never modified.

Examples
--------
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     f = pathlib.Path(d) / "sales.csv"
...     _ = f.write_text("Customer,Invoice Date,Amount\\nAcme,11/14/2024,\\"7,084.52\\"\\n"
...                      "Acme,3/2/2025,15.50\\n", encoding="utf-8")
...     m = pathlib.Path(d) / "map.toml"
...     _ = m.write_text('[settings]\\ncurrency = "USD"\\n[orders.columns]\\n'
...                      '"Customer" = "customer_id"\\n"Invoice Date" = "order_date"\\n'
...                      '"Amount" = "amount"\\n', encoding="utf-8")
...     crm = load(f, mapping=m, as_of="2025-12-31")
>>> crm.orders["amount"].sum(), crm.currency, crm.orders["order_date"].min().date()
(np.float64(7100.02), 'USD', datetime.date(2024, 11, 14))
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from custlib import money, schema
from custlib._share import shared
from custlib.io.issues import InputError

__all__ = ["DEFAULT_DATA_DIR", "SETTINGS_FILE", "data_dir", "SchemaError", "DataWarning",
           "read_table", "load", "CRMData", "to_pandas"]

DEFAULT_DATA_DIR = shared("data/synthetic")
#: Written by :func:`custlib.io.import_data` beside the canonical tables: the
#: currency, the stated analysis date and the policy overrides of the data.
SETTINGS_FILE = "custlib-data.json"
#: The validated tables in Arrow form, inside a folder written by ``import_data``.
TABLES_DIR = ".tables"

#: The error for data that cannot be analysed (the same as :class:`custlib.io.InputError`).
SchemaError = InputError


class DataWarning(UserWarning):
    """The data was read with warnings: rules were applied (see the message)."""


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The data: ``path``, else ``$CUSTLIB_DATA``, else the bundled synthetic data.

    Parameters
    ----------
    path : path-like, optional
        A data folder or a single orders file. A leading ``~`` is expanded.

    Returns
    -------
    Path
        The folder or file (it exists).

    Raises
    ------
    FileNotFoundError
        The chosen path does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     data_dir(d) == pathlib.Path(d)
    True
    >>> data_dir("/no/such/folder")
    Traceback (most recent call last):
    ...
    FileNotFoundError: data /no/such/folder (the path given) does not exist
    """
    chosen = path if path not in (None, "") else os.environ.get("CUSTLIB_DATA") or DEFAULT_DATA_DIR
    found = Path(chosen).expanduser()
    if not found.exists():
        how = "the path given" if path else ("$CUSTLIB_DATA" if os.environ.get("CUSTLIB_DATA")
                                               else "the default")
        raise FileNotFoundError(f"data {found} ({how}) does not exist")
    return found


def _categories(c: schema.Column, values: pd.Series) -> list[str]:
    cats = list(c.allowed)
    if c.open:
        extra = sorted(set(values.dropna().unique()) - set(cats))
        cats += [str(v) for v in extra]
    return cats


def _categorical(arr, c: schema.Column) -> pd.Categorical:
    """A text column as :func:`to_pandas` types it, from its Arrow dictionary encoding: the
    schema's values as categories, then (open vocabularies) the others in sorted order."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr.cast(pa.string()))
    values = [str(v) for v in arr.dictionary.to_pylist()]
    cats = list(c.allowed)
    if c.open:
        cats += sorted(set(values) - set(cats))
    where = {v: i for i, v in enumerate(cats)}
    lookup = np.array([where.get(v, -1) for v in values] + [-1], dtype=np.int64)
    idx = pc.fill_null(arr.indices, len(values)).to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(lookup[idx], categories=cats)


def to_pandas(table: pa.Table, name: str) -> pd.DataFrame:
    """One canonical table as a DataFrame with the schema's types.

    Text is pandas ``string``; categories ``Categorical`` (the schema's values, then
    the user's own for an open vocabulary); whole numbers ``int64`` (``Int64`` with
    blanks); amounts and other real numbers ``float64`` (cents kept); dates
    ``datetime64[s]``; booleans ``bool`` (``boolean`` with blanks). Blank values stay
    NA. Schema columns the data lacks are added empty (all NA: :meth:`CRMData.has` says
    whether a column holds anything); other columns are not kept.
    """
    spec = schema.TABLES[name]
    # categories are built from Arrow's dictionary encoding (no Python object per row),
    # dates arrive as datetime64 rather than Python dates
    coded = {c.name: _categorical(table.column(c.name), c) for c in spec.columns
             if c.dtype == "category" and c.name in table.column_names}
    rest = table.drop_columns(list(coded))
    df = rest.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get,
                        date_as_object=False)
    df = df[[c for c in df.columns if not c.startswith("__")]]
    n = table.num_rows
    out = {}
    for c in spec.columns:
        if c.name in coded:
            out[c.name] = coded[c.name]
            continue
        col = df[c.name] if c.name in df.columns else pd.Series(pd.NA, index=pd.RangeIndex(n))
        if c.dtype == "string":
            col = col.astype(pd.StringDtype("pyarrow"))
        elif c.dtype == "category":
            text = col.astype(object).where(col.notna(), None)
            col = pd.Categorical(text, categories=_categories(c, text))
        elif c.dtype == "int":
            col = col.astype("Int64") if col.isna().any() else col.astype("int64")
        elif c.dtype in ("float", "money"):
            col = pd.to_numeric(col, errors="coerce").astype("float64")
        elif c.dtype == "date":
            col = pd.to_datetime(col).astype("datetime64[s]") if n else col.astype("datetime64[s]")
        elif c.dtype == "bool":
            col = col.astype("boolean") if col.isna().any() else col.astype(bool)
        out[c.name] = col
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)   # the arrays are new


def has_values(df: pd.DataFrame | None, column: str) -> bool:
    """True when ``df`` has ``column`` with at least one value (a column the export
    lacks is all NA, see :func:`to_pandas`)."""
    return df is not None and column in df.columns and bool(df[column].notna().any())


def read_table(name: str, path: str | os.PathLike | None = None, *, mapping=None,
               as_of=None) -> pd.DataFrame:
    """One table of :func:`load` (the data must hold orders, as every analysis needs them).

    Examples
    --------
    >>> read_table("reps")["region"].dtype.name
    'category'
    """
    if name not in schema.TABLES:
        raise ValueError(f"unknown table {name!r}; expected one of {list(schema.TABLE_ORDER)}")
    return getattr(load(path, mapping=mapping, as_of=as_of), name)


_TABLE_NAMES = frozenset(schema.TABLE_ORDER)
_DEFER_LOCK = threading.RLock()


@dataclass(frozen=True)
class CRMData:
    """The canonical tables of one dataset (``None`` where a table is absent), and its
    settings."""

    path: Path
    reps: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    contacts: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    opportunities: pd.DataFrame | None = None
    activities: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    #: ISO 4217 code of the amounts
    currency: str = money.DEFAULT_CURRENCY
    #: the analysis date stated with the data (None: the lessons take the last dated row)
    as_of: pd.Timestamp | None = None
    #: policy numbers set for this data, e.g. ``{"pyramid": {"thresholds": (60000.0, ...)}}``
    policy: dict = field(default_factory=dict)
    #: the bundled (or a generated) synthetic dataset, calibrated to the source's case
    synthetic: bool = False
    #: what validation found (None for a folder written by ``import_data``)
    report: object = field(default=None, repr=False, compare=False)
    # Tables of a folder written by ``import_data`` are read on first use (a lesson
    # reads only the tables it touches): ``_deferred`` maps a table to the function
    # returning it (see :func:`_defer`). It is not a field: ``dataclasses.replace`` and
    # ``==`` see every table, read.
    _deferred = {}   # never mutated: an instance gets its own (_defer)

    def __getattribute__(self, name):
        if name in _TABLE_NAMES:
            deferred = object.__getattribute__(self, "_deferred")
            if name in deferred:
                with _DEFER_LOCK:
                    if name in deferred:
                        object.__setattr__(self, name, deferred[name]())
                        del deferred[name]
        return object.__getattribute__(self, name)

    @property
    def tables(self) -> list[str]:
        """Names of the tables the data holds (read or still to be read), in schema order."""
        deferred = object.__getattribute__(self, "_deferred")
        return [t for t in schema.TABLE_ORDER
                if t in deferred or object.__getattribute__(self, t) is not None]

    def has(self, table: str, column: str | None = None) -> bool:
        """Whether the data holds ``table`` and, when given, a ``column`` of it with at
        least one value: the one answer to "can this section, sheet or lesson run".

        A table not read yet is not read for it: only that column is.

        Examples
        --------
        >>> import pandas as pd
        >>> crm = CRMData(path=None, orders=pd.DataFrame({"amount": [1.0], "cost": [None]}))
        >>> crm.has("orders"), crm.has("orders", "amount"), crm.has("orders", "cost")
        (True, True, False)
        >>> crm.has("customers"), crm.has("customers", "province")
        (False, False)
        """
        deferred = object.__getattribute__(self, "_deferred")
        reader = deferred.get(table)
        if reader is not None:
            return column is None or reader.has(column)
        frame = getattr(self, table, None)
        if frame is None:
            return False
        return column is None or has_values(frame, column)

    def rows(self, table: str) -> int:
        """How many rows ``table`` has (0 when absent), without reading a table not read
        yet.

        Examples
        --------
        >>> load().rows("orders") == len(load().orders)
        True
        """
        deferred = object.__getattribute__(self, "_deferred")
        reader = deferred.get(table)
        if reader is not None and hasattr(reader, "rows"):
            return reader.rows()
        frame = getattr(self, table)
        return 0 if frame is None else len(frame)

    def last_date(self, table: str, column: str):
        """The latest ``column`` of ``table`` (NaT when none), without reading the rest
        of a table not read yet."""
        deferred = object.__getattribute__(self, "_deferred")
        reader = deferred.get(table)
        if reader is not None and hasattr(reader, "last_date"):
            return reader.last_date(column)
        frame = getattr(self, table)
        if frame is None or column not in frame or not len(frame):
            return pd.NaT
        return frame[column].max()


def _is_synthetic(folder: Path) -> bool:
    manifest = folder / "MANIFEST.json"
    if not manifest.is_file():
        return False
    try:
        return "generator_version" in json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def load(path: str | os.PathLike | None = None, tables: list[str] | None = None, *,
         mapping=None, as_of=None, columns: dict[str, list[str]] | None = None) -> CRMData:
    """Read, check and type a dataset: the one reader of the lessons and the workbook.

    Parameters
    ----------
    path : path-like, optional
        A folder of tables or an orders file (see :func:`data_dir`).
    tables : list of str, optional
        Keep only these tables (``orders`` always).
    mapping : path-like or Mapping, optional
        The mapping file (see :func:`custlib.io.read_mapping`); default
        ``$CUSTLIB_MAPPING``. Ignored for a folder written by ``import_data``.
    as_of : date-like, optional
        The analysis date; default ``$CUSTLIB_AS_OF``, else the mapping's. Rows dated
        after it are left out (see :data:`custlib.io.RULES`).
    columns : dict of str to list of str, optional
        Read only these columns of these tables (other tables whole): the others are
        empty, as in an export without them. Memory at scale: the manager's workbook
        reads 3 of the 7 columns of the activities (see
        :data:`custlib.report.WORKBOOK_COLUMNS`).

    Returns
    -------
    CRMData
        One DataFrame per table (see :func:`to_pandas`), ``currency``, ``as_of``,
        ``policy`` and ``synthetic``. The currency becomes the display currency of
        :mod:`custlib.money`.

    Raises
    ------
    FileNotFoundError
        The data, a mapped file or the orders are missing.
    SchemaError
        (:class:`custlib.io.InputError`) The data has errors; the message lists
        them as ``custlib validate`` does, with file, column and rows.

    Warns
    -----
    DataWarning
        The data was read with warnings (rules applied), listed in the message.

    Examples
    --------
    >>> crm = load()
    >>> crm.tables
    ['reps', 'customers', 'contacts', 'orders', 'opportunities', 'activities', 'events']
    >>> crm.orders["order_date"].dtype.kind, crm.orders["amount"].dtype.name, crm.currency
    ('M', 'float64', 'CNY')
    """
    source = data_dir(path)
    if tables is not None:
        unknown = [t for t in tables if t not in schema.TABLES]
        if unknown:
            raise ValueError(f"unknown table(s) {unknown}; expected names from "
                             f"{list(schema.TABLE_ORDER)}")
    for t, cols in (columns or {}).items():
        if t not in schema.TABLES:
            raise ValueError(f"columns: unknown table {t!r}; expected names from "
                             f"{list(schema.TABLE_ORDER)}")
        unknown = [c for c in cols if c not in schema.TABLES[t].names]
        if unknown:
            raise ValueError(f"columns: unknown column(s) {unknown} of {t}; expected names "
                             f"from {list(schema.TABLES[t].names)}")
    if as_of in (None, ""):
        as_of = os.environ.get("CUSTLIB_AS_OF") or None
    if source.is_dir() and (source / SETTINGS_FILE).is_file():
        # an imported folder: only the tables asked for are opened, each on first use,
        # and of those only the columns asked for
        crm = _load_imported(source, as_of, tables, columns)
    else:
        crm = _load_export(source, mapping if mapping not in (None, "") else
                           os.environ.get("CUSTLIB_MAPPING") or None, as_of, columns)
        if tables is not None:
            keep = set(tables) | {"orders"}
            crm = CRMData(**{**{k: getattr(crm, k) for k in crm.__dataclass_fields__},
                             **{t: None for t in schema.TABLE_ORDER if t not in keep}})
    money.set_currency(crm.currency)
    return crm


def _project(table: pa.Table, name: str, columns: dict | None) -> pa.Table:
    """``table`` with only the columns of ``columns[name]`` (all when not given):
    :func:`to_pandas` then gives the others empty, as for an export without them."""
    keep = (columns or {}).get(name)
    return table if keep is None else table.select([c for c in table.column_names if c in keep])


def _load_export(source: Path, mapping, as_of, columns: dict | None = None) -> CRMData:
    from custlib.io import ingest

    report, tables, parsed = ingest._read_all(source, mapping, as_of)
    if not report.ok:
        raise InputError(report)
    if report.warnings:
        warnings.warn(f"{source.name}: read with {len(report.warnings)} warning(s), each "
                      "handled by the rule it states:\n" + "\n".join(map(str, report.warnings)),
                      DataWarning, stacklevel=3)
    frames = {name: to_pandas(_project(t, name, columns), name) for name, t in tables.items()}
    stated = report.as_of if report.as_of_source != "today" else None
    folder = source if source.is_dir() else source.parent
    return CRMData(path=source, **frames, currency=report.settings.get("currency",
                                                                     money.DEFAULT_CURRENCY),
                   as_of=pd.Timestamp(stated) if stated else None, policy=dict(report.policy),
                   synthetic=source.is_dir() and _is_synthetic(folder), report=report)


class _ParquetTable:
    """Reads one table of an imported folder when first used (see ``CRMData.deferred``),
    rows after the analysis date left out as :func:`load` does."""

    #: the dated tables whose later rows :func:`load` leaves out
    CUT = {"orders": "order_date", "activities": "activity_date"}

    def __init__(self, file: Path, name: str, cut: pd.Timestamp | None, columns=None):
        self.file, self.name, self.cut, self.columns = file, name, cut, columns

    def _filtered(self, table: pa.Table) -> pa.Table:
        column = self.CUT.get(self.name)
        if self.cut is None or column is None or column not in table.column_names:
            return table
        dates = table.column(column)
        later = pc.fill_null(pc.greater(dates, pa.scalar(self.cut.date(), dates.type)
                                        if pa.types.is_date(dates.type)
                                        else pa.scalar(self.cut, dates.type)), False)
        return table.filter(pc.invert(later))

    def __call__(self) -> pd.DataFrame:
        # categories come dictionary-encoded, as Parquet stores them: no re-encoding
        cats = [c.name for c in schema.TABLES[self.name].columns if c.dtype == "category"]
        names = pq.ParquetFile(self.file).schema_arrow.names
        read = None
        if self.columns is not None:   # and the date the analysis date cuts on
            wanted = {*self.columns, *([self.CUT[self.name]] if self.name in self.CUT else [])}
            read = [c for c in names if c in wanted]
        table = pq.read_table(self.file, columns=read,
                              read_dictionary=[c for c in cats if c in names])
        table = _project(self._filtered(table), self.name, {self.name: self.columns}
                         if self.columns is not None else None)
        frame = to_pandas(table, self.name)
        del table
        # the decoded pages and the copies made for pandas are freed now, but Arrow's
        # pool keeps them for reuse: at a million customers 670 MB after the orders, in
        # every lesson kernel, given back here
        pa.default_memory_pool().release_unused()
        return frame

    def rows(self) -> int:
        column = self.CUT.get(self.name)
        if self.cut is None or column is None:
            return pq.ParquetFile(self.file).metadata.num_rows
        return self._filtered(pq.read_table(self.file, columns=[column])).num_rows

    def has(self, column: str) -> bool:
        if column not in pq.ParquetFile(self.file).schema_arrow.names or (
                self.columns is not None and column not in self.columns):
            return False
        t = self._filtered(pq.read_table(self.file, columns=list({column, *(
            [self.CUT[self.name]] if self.name in self.CUT else [])})))
        return t.column(column).null_count < t.num_rows

    def last_date(self, column: str):
        if self.columns is not None and column not in self.columns:
            return pd.NaT
        t = self._filtered(pq.read_table(self.file, columns=list({column, *(
            [self.CUT[self.name]] if self.name in self.CUT else [])})))
        if column not in t.column_names:
            return pd.NaT
        last = pc.max(t.column(column)).as_py()
        return pd.Timestamp(last) if last is not None else pd.NaT


def _load_imported(folder: Path, as_of, tables: list[str] | None = None,
                   columns: dict[str, list[str]] | None = None) -> CRMData:
    settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    files = {name: folder / TABLES_DIR / f"{name}.parquet" for name in schema.TABLE_ORDER}
    files = {name: f for name, f in files.items() if f.is_file()
             and (tables is None or name in tables or name == "orders")}
    if "orders" not in files:
        raise FileNotFoundError(f"{folder}: {SETTINGS_FILE} is there but not the orders "
                                f"({TABLES_DIR}/orders.parquet): write the folder again with "
                                "custlib run or custlib.io.import_data")
    stated = as_of or settings.get("as_of")
    cut = pd.Timestamp(as_of) if as_of else None
    readers = {name: _ParquetTable(f, name, cut, (columns or {}).get(name))
               for name, f in files.items()}
    orders = readers.pop("orders")()       # every analysis needs them: read now
    policy = {k: {kk: tuple(vv) if isinstance(vv, list) else vv for kk, vv in v.items()}
              for k, v in settings.get("policy", {}).items()}
    crm = CRMData(path=folder, orders=orders,
                  currency=settings.get("currency", money.DEFAULT_CURRENCY),
                  as_of=pd.Timestamp(stated) if stated else None, policy=policy,
                  synthetic=bool(settings.get("synthetic")))
    object.__setattr__(crm, "_deferred", readers)
    return crm
