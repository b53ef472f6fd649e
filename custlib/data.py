"""Read the canonical CRM tables into typed DataFrames, checking them at the boundary.

Every lesson and the workbook read their data through :func:`load`, from one
folder: the ``path`` argument, else the environment variable ``CUSTLIB_DATA``,
else the bundled ``data/synthetic``. Files are only read, never modified.

Every problem found in a table is reported at once, each naming the file, the
column, what was expected, what was found and the first few line numbers (the
header is line 1), so a user can fix an export in one pass.

Examples
--------
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     _ = (pathlib.Path(d) / "orders.csv").write_text(
...         "order_id,customer_id,order_date,product_line,seats,amount,cost,buyer_kind,is_upgrade\\n"
...         "O1,C1,2024-03-05,rebar,1,-900,500,individual,false\\n", encoding="utf-8")
...     read_table("orders", d)
Traceback (most recent call last):
...
custlib.data.SchemaError: orders.csv, column 'amount': expected values >= 0 (CNY), found 1 below at line 2 (-900)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from custlib import schema

__all__ = ["DEFAULT_DATA_DIR", "data_dir", "SchemaError", "read_table", "load", "CRMData"]

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "synthetic"
_SHOW = 5  # line numbers shown per problem
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


class SchemaError(ValueError):
    """A table does not follow the canonical schema.

    Attributes
    ----------
    file : str
        The file name.
    column : str or None
        The column of the first problem (None for whole-file problems).
    rows : list of int
        Line numbers of the first problem (header = line 1).
    problems : list of str
        Every problem found, one sentence each.
    """

    def __init__(self, file: str, problems: list[tuple[str | None, list[int], str]]):
        self.file = file
        self.column = problems[0][0]
        self.rows = problems[0][1]
        self.problems = [p[2] for p in problems]
        if len(self.problems) == 1:
            msg = f"{file}{self._where(problems[0][0])}: {self.problems[0]}"
        else:
            msg = f"{file} has {len(problems)} problems:\n" + "\n".join(
                f"  - {self._where(c).lstrip(', ') or 'file'}: {p}" for c, _, p in problems)
        super().__init__(msg)

    @staticmethod
    def _where(column: str | None) -> str:
        return f", column '{column}'" if column else ""


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The data folder: ``path``, else ``$CUSTLIB_DATA``, else the bundled synthetic data.

    The first of these that is set is used: the ``path`` argument (unless None or
    empty), the environment variable ``CUSTLIB_DATA``, then :data:`DEFAULT_DATA_DIR`
    (``data/synthetic``). A leading ``~`` is expanded.

    Parameters
    ----------
    path : path-like, optional
        A data folder holding the canonical CSV files.

    Returns
    -------
    Path
        The folder (it exists).

    Raises
    ------
    FileNotFoundError
        The chosen folder does not exist or is not a folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     data_dir(d) == pathlib.Path(d)
    True
    >>> data_dir("/no/such/folder")
    Traceback (most recent call last):
    ...
    FileNotFoundError: data folder /no/such/folder (the path given) does not exist or is not a folder
    """
    chosen = path if path not in (None, "") else os.environ.get("CUSTLIB_DATA") or DEFAULT_DATA_DIR
    folder = Path(chosen).expanduser()
    if not folder.is_dir():
        how = "the path given" if path else ("$CUSTLIB_DATA" if os.environ.get("CUSTLIB_DATA")
                                               else "the default")
        raise FileNotFoundError(f"data folder {folder} ({how}) does not exist or is not a folder")
    return folder


def _lines(mask: np.ndarray) -> list[int]:
    return (np.flatnonzero(mask)[:_SHOW] + 2).tolist()


def _at(mask: np.ndarray, values=None) -> str:
    n = int(mask.sum())
    idx = np.flatnonzero(mask)[:_SHOW]
    lines = ", ".join(str(i + 2) for i in idx)
    more = f" and {n - len(idx)} more" if n > len(idx) else ""
    shown = ""
    if values is not None:
        vals = [values[i] for i in idx]
        shown = " (" + ", ".join(repr(v) if isinstance(v, str) else str(v) for v in vals) + ")"
    return f"at line{'s' if n > 1 else ''} {lines}{more}{shown}"


def _decode_problem(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
        return ""
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
    try:
        raw.decode("gb18030")
        return (f"is not UTF-8 (from line {line}; it looks like GBK/GB18030, a common export "
                "encoding of Chinese Excel): save it as UTF-8 (in Excel: Save As > CSV UTF-8)")
    except UnicodeDecodeError:
        return f"is not UTF-8 (first undecodable byte on line {line}): save it as UTF-8"


def _read_strings(file: Path) -> pa.Table:
    """The whole file as string columns, empty fields as null."""
    with open(file, "rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise SchemaError(file.name, [(None, [], "is empty: expected a header row and data rows")])
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    try:  # the header alone, so every column can be read as text
        names = pacsv.read_csv(pa.py_buffer(first + b"\n")).column_names
    except pa.ArrowInvalid:
        names = []
    try:
        table = pacsv.read_csv(
            file,
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if "UTF8" in text or "utf8" in text.lower() or not names:
            problem = _decode_problem(file.read_bytes())
            if problem:
                raise SchemaError(file.name, [(None, [], problem)]) from None
        if "Empty CSV file" in text:
            raise SchemaError(file.name, [(None, [], "is empty: expected a header row")]) from None
        raise SchemaError(file.name, [(None, [], f"cannot be read as CSV: {text}")]) from None
    if table.num_rows == 0:
        raise SchemaError(file.name, [(None, [], "has a header but no data rows")])
    return table


def _convert(col: pa.ChunkedArray, spec: schema.Column, problems: list) -> pa.ChunkedArray | None:
    """Convert one string column to its canonical type, recording problems."""
    present = pc.is_valid(col).to_numpy(zero_copy_only=False)
    name = spec.name
    if not spec.nullable and not present.all():
        problems.append((name, _lines(~present), f"expected a value in every row, found "
                                                 f"{int((~present).sum())} empty {_at(~present)}"))
    if spec.dtype == "string":
        return col
    values = None
    if spec.dtype in ("int", "float"):
        clean = pc.replace_substring_regex(pc.utf8_trim_whitespace(col), r"^\+", "")
        pattern = r"^-?\d+$" if spec.dtype == "int" else r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
        ok = pc.fill_null(pc.match_substring_regex(clean, pattern), True).to_numpy(zero_copy_only=False)
        if spec.dtype == "int" and not ok.all():
            floaty = pc.fill_null(pc.match_substring_regex(clean, r"^-?\d+\.0*$"), False)
            floaty = floaty.to_numpy(zero_copy_only=False)
            clean = pc.replace_substring_regex(clean, r"\.0*$", "")
            ok = ok | floaty
        if not ok.all():
            raw = col.to_pylist() if (~ok).sum() else None
            kind = "whole numbers" if spec.dtype == "int" else "numbers"
            problems.append((name, _lines(~ok), f"expected {kind}, found {int((~ok).sum())} "
                                                f"other values {_at(~ok, raw)}"))
            return None
        values = pc.cast(clean, pa.int64() if spec.dtype == "int" else pa.float64())
        if spec.minimum is not None:
            below = pc.fill_null(pc.less(values, spec.minimum), False).to_numpy(zero_copy_only=False)
            if below.any():
                unit = f" ({spec.unit})" if spec.unit else ""
                problems.append((name, _lines(below),
                                 f"expected values >= {spec.minimum:g}{unit}, found "
                                 f"{int(below.sum())} below {_at(below, values.to_pylist())}"))
        return values
    if spec.dtype == "date":
        trimmed = pc.utf8_trim_whitespace(col)
        parsed = pc.strptime(trimmed, format="%Y-%m-%d", unit="s", error_is_null=True)
        bad = present & ~pc.is_valid(parsed).to_numpy(zero_copy_only=False)
        if bad.any():
            problems.append((name, _lines(bad), f"expected dates written YYYY-MM-DD, found "
                                                f"{int(bad.sum())} unparseable {_at(bad, col.to_pylist())}"))
            return None
        return parsed
    if spec.dtype == "bool":
        trimmed = pc.utf8_trim_whitespace(col)
        is_true = pc.is_in(trimmed, value_set=pa.array(_TRUE))
        is_false = pc.is_in(trimmed, value_set=pa.array(_FALSE))
        bad = present & ~(pc.or_(is_true, is_false).to_numpy(zero_copy_only=False))
        if bad.any():
            problems.append((name, _lines(bad), f"expected true or false, found "
                                                f"{int(bad.sum())} other values {_at(bad, col.to_pylist())}"))
            return None
        return pc.if_else(pc.is_valid(col), is_true, pa.scalar(None, pa.bool_()))
    if spec.dtype == "category":
        trimmed = pc.utf8_trim_whitespace(col)
        known = pc.is_in(trimmed, value_set=pa.array(spec.allowed)).to_numpy(zero_copy_only=False)
        bad = present & ~known
        if bad.any():
            found = sorted(set(pc.filter(trimmed, pa.array(bad)).to_pylist()))[:_SHOW]
            problems.append((name, _lines(bad),
                             f"expected one of {list(spec.allowed)}, found {int(bad.sum())} other "
                             f"values {_at(bad)}: {found}"))
            return None
        return trimmed
    raise AssertionError(spec.dtype)  # pragma: no cover


_ARROW_TYPE = {"string": pa.string(), "category": pa.string(), "int": pa.int64(),
               "float": pa.float64(), "date": pa.timestamp("s"), "bool": pa.bool_()}


def _to_pandas(table: pa.Table, spec: schema.Table, absent=()) -> pd.DataFrame:
    df = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get,
                         self_destruct=True)
    for c in spec.columns:
        if c.name not in df.columns:
            continue
        nullable = c.nullable or c.name in absent
        if c.dtype == "category":
            df[c.name] = pd.Categorical(df[c.name].astype(object).where(df[c.name].notna(), None),
                                        categories=list(c.allowed))
        elif c.dtype == "int" and nullable:
            df[c.name] = df[c.name].astype("Int64")
        elif c.dtype == "bool" and nullable:
            df[c.name] = df[c.name].astype("boolean")
    if absent:
        df.attrs["absent_columns"] = list(absent)
    return df


def read_table(name: str, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read one canonical table (``<name>.csv``) with canonical types, checking it.

    The file must be UTF-8 CSV with a header row; every column is checked against
    :mod:`custlib.schema` and every problem is reported at once, with file, column,
    what was expected, what was found and line numbers (header = line 1). Optional
    columns the export lacks are added empty.

    Parameters
    ----------
    name : str
        Table name, one of :data:`custlib.schema.TABLE_ORDER` (``"reps"``,
        ``"customers"``, ``"contacts"``, ``"orders"``, ``"opportunities"``,
        ``"activities"``, ``"events"``).
    path : path-like, optional
        The data folder (see :func:`data_dir`).

    Returns
    -------
    DataFrame
        One row per data line, columns in schema order (extra columns kept as text
        after them): text as pandas ``string``, categories as ``Categorical`` with the
        schema's values, whole numbers ``int64`` (``Int64`` when nullable), dates
        ``datetime64``, booleans ``bool`` (``boolean`` when nullable). Amounts are CNY.

    Raises
    ------
    ValueError
        An unknown table name.
    FileNotFoundError
        The folder or the file does not exist.
    SchemaError
        Listing every problem: encoding, empty file, missing columns, empty required
        fields, wrong types, unparseable dates, values below the minimum, unknown
        categories, duplicate keys.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (pathlib.Path(d) / "reps.csv").write_text(
    ...         "rep_id,rep_name,region,hire_date\\nR1,Li Wei,east,2020-03-01\\n"
    ...         "R2,Wang Fang,north,2022-09-15\\nR3,Zhao Lei,east,2019-01-07\\n", encoding="utf-8")
    ...     reps = read_table("reps", d)
    >>> reps["region"].tolist(), reps["region"].dtype.name, reps["hire_date"].dt.year.tolist()
    (['east', 'north', 'east'], 'category', [2020, 2022, 2019])
    """
    if name not in schema.TABLES:
        raise ValueError(f"unknown table {name!r}; expected one of {list(schema.TABLE_ORDER)}")
    spec = schema.TABLES[name]
    file = data_dir(path) / spec.filename
    if not file.is_file():
        raise FileNotFoundError(f"{file} not found; a data folder holds the tables "
                                f"{[schema.TABLES[t].filename for t in schema.TABLE_ORDER]} "
                                "(orders.csv at least)")
    table = _read_strings(file)
    missing = [c for c in schema.CORE[name] if c not in table.column_names]
    if missing:
        raise SchemaError(file.name, [(missing[0], [], f"missing column(s) {missing}; the file has "
                                                       f"{table.column_names}")])
    problems: list = []
    converted = {}
    absent = [c.name for c in spec.columns if c.name not in table.column_names]
    for c in spec.columns:
        if c.name in absent:  # an optional column the export does not have: empty
            converted[c.name] = pa.nulls(table.num_rows, _ARROW_TYPE[c.dtype])
        else:
            converted[c.name] = _convert(table.column(c.name), c, problems)
    if spec.key and spec.key not in absent:
        key = table.column(spec.key).to_pandas()
        dup = key.duplicated(keep=False).to_numpy() & key.notna().to_numpy()
        if dup.any():
            ids = sorted(set(key[dup].head(50)))[:_SHOW]
            problems.append((spec.key, _lines(dup), f"expected unique ids, found "
                                                    f"{int(dup.sum())} rows sharing {ids} {_at(dup)}"))
    if problems:
        raise SchemaError(file.name, problems)
    extra = [c for c in table.column_names if c not in spec.names]
    out = pa.table({**converted, **{c: table.column(c) for c in extra}})
    del table
    return _to_pandas(out, spec, absent)


@dataclass(frozen=True)
class CRMData:
    """The canonical tables of one data folder (``None`` where a table is absent)."""

    path: Path
    reps: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    contacts: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    opportunities: pd.DataFrame | None = None
    activities: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    _names: tuple[str, ...] = field(default=(), repr=False)

    @property
    def tables(self) -> list[str]:
        """Names of the tables loaded, in schema order."""
        return [t for t in schema.TABLE_ORDER if getattr(self, t) is not None]


def _check_references(frames: dict[str, pd.DataFrame]) -> None:
    for name, df in frames.items():
        spec = schema.TABLES[name]
        problems = []
        for col, target in spec.references.items():
            if target not in frames:
                continue
            keys = frames[target][schema.TABLES[target].key]
            dangling = (~df[col].isin(keys) & df[col].notna()).to_numpy()
            if dangling.any():
                ids = sorted(set(df.loc[dangling, col].head(50)))[:_SHOW]
                problems.append((col, _lines(dangling),
                                 f"expected ids that exist in {schema.TABLES[target].filename}, "
                                 f"found {int(dangling.sum())} that do not {_at(dangling)}: {ids}"))
        if problems:
            raise SchemaError(spec.filename, problems)


def load(path: str | os.PathLike | None = None, tables: list[str] | None = None) -> CRMData:
    """Read every canonical table of a data folder and check the links between them.

    Parameters
    ----------
    path : path-like, optional
        The data folder (see :func:`data_dir`).
    tables : list of str, optional
        Only these tables (each must exist). ``orders`` is always required.

    Returns
    -------
    CRMData
        One attribute per table.

    Examples
    --------
    >>> crm = load()
    >>> crm.tables
    ['reps', 'customers', 'contacts', 'orders', 'opportunities', 'activities', 'events']
    >>> crm.orders["order_date"].dtype.kind
    'M'
    """
    folder = data_dir(path)
    if tables is None:
        names = [t for t in schema.TABLE_ORDER if (folder / schema.TABLES[t].filename).is_file()]
        if "orders" not in names:
            raise FileNotFoundError(f"{folder / 'orders.csv'} not found: every analysis needs the "
                                    "orders (customer id, date, amount)")
    else:
        unknown = [t for t in tables if t not in schema.TABLES]
        if unknown:
            raise ValueError(f"unknown table(s) {unknown}; expected names from {list(schema.TABLE_ORDER)}")
        names = [t for t in schema.TABLE_ORDER if t in set(tables) | {"orders"}]
    frames = {name: read_table(name, folder) for name in names}
    _check_references(frames)
    return CRMData(path=folder, **frames)
