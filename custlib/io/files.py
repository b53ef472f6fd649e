"""Finding the files of an export and reading them: CSV in UTF-8 or GB18030 (detected,
reported, never assumed), ``.xlsx`` through :mod:`custlib.io.xlsx`, a header below a
title block, footers and totals rows."""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from custlib import schema
from custlib.io import rules
from custlib.io.issues import _SHOW, Issue, Report
from custlib.io.mapping import Mapping, TableMapping


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
    >>> from custlib.io import DEFAULT_DATA_DIR
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
    if encoding == "utf8":
        # Arrow checks the rest of the file's UTF-8 as it reads it (the header row was
        # checked above); when it finds a bad byte, the file is read as another encoding
        issues, notes = len(report.issues), len(report.notes)
        got = _parse_csv(file, report, tmap, expected, head, encoding)
        if got is not _NOT_UTF8:
            return got
        del report.issues[issues:], report.notes[notes:]
    encoding = _other_encoding(file, report)
    if encoding is None:
        return None
    got = _parse_csv(file, report, tmap, expected, head, encoding)
    return None if got is _NOT_UTF8 else got


#: What :func:`_parse_csv` returns for a file it was told is UTF-8 and is not.
_NOT_UTF8 = object()


def _other_encoding(file: Path, report: Report) -> str | None:
    """The encoding of a file that is not UTF-8: GB18030 (with a warning), or None with
    the error (mixed encodings, or neither)."""
    raw = file.read_bytes()
    mixed = _mixed_encoding(raw)
    if mixed:
        report.issues.append(Issue("error", file.name, None, mixed[1][:_SHOW], len(mixed[1]),
                                   mixed[0], "save the whole file in one encoding: open it "
                                   "in Excel or a text editor and save it as CSV UTF-8"))
        return None
    if rules.gb18030(raw) is not None:
        report.issues.append(Issue("warning", file.name, None, (), 0,
                                   "is not UTF-8; it decodes as GB18030 (GBK) with Chinese "
                                   "text, so it was read as GB18030: check a few names in "
                                   "the output"))
        return "gb18030"
    line = raw[: _first_bad_utf8(raw)].count(b"\n") + 1
    report.issues.append(Issue("error", file.name, None, (line,), 1,
                               "is neither UTF-8 nor GB18030/GBK (first undecodable byte "
                               "on this row)", "save it as CSV UTF-8"))
    return None


def _parse_csv(file: Path, report: Report, tmap: TableMapping | None, expected: set[str],
               head: bytes, encoding: str):
    """The table of a CSV file in ``encoding`` (title rows above the header and a
    report footer left out), or None with the error; :data:`_NOT_UTF8` when told UTF-8
    and a byte is not."""
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
        if encoding == "utf8" and "invalid UTF8" in msg:
            return _NOT_UTF8
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
    from custlib.io.xlsx import SheetError, read_sheet

    try:  # streamed, bounded by the real content (see custlib.io.xlsx)
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
