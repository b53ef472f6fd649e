"""Read one sheet of an Excel ``.xlsx`` workbook as rows of text, whatever the file says.

:func:`read_sheet` streams the sheet's XML cell by cell and keeps only what the
sheet really holds, so its memory follows the real content, never what the file
declares:

* the ``<dimension ref="A1:XFD1048576"/>`` a workbook declares is ignored (openpyxl's
  read-only mode pads every row to the declared width, and every missing row up to
  the last one: 17 billion cells for a 5 KB file);
* empty cells at the end of a row and empty rows at the end of the sheet are
  dropped; empty rows *between* rows are one shared empty list each (8 bytes);
* XML elements are discarded as soon as they are read (openpyxl holds a whole
  ``<row>`` element, which a 100 KB file can make gigabytes long).

Values are converted to text by :func:`custlib.io._cell_text`, as for every
other input; dates, shared strings, booleans and the 1904 date system are decoded by
openpyxl's own cell parser.

Limits
------
A sheet beyond any of these stops the read with a :class:`SheetError` that names
the limit (the caller turns it into an :class:`custlib.io.Issue`):

=========================  ============================================================
:data:`MAX_ROWS`            1,048,576 rows and :data:`MAX_COLUMNS` 16,384 columns (XFD),
                            and at most one cell element per column in a row: Excel's
                            own limits, so a sheet beyond them was not written by
                            Excel and is refused as damaged; so are rows out of order
:data:`MAX_CELLS`           20 million cells held (counting the empty cells inside
                            rows): about 1 million rows of 20 columns, some 1.5 GB as
                            Python text; a bigger export belongs in a CSV file, which
                            custlib reads column by column
:data:`MAX_ELEMENTS`        60 million XML elements in the sheet (a cell with a value
                            is two): blank formatted cells count here, so parsing
                            time stays within that of the largest sheet allowed
:data:`MAX_CELL_PARTS`      10,000 elements inside one cell (rich-text runs)
:data:`MAX_QUIET_BYTES`     16 MiB of XML without a complete element (Excel holds at
                            most 32,767 characters in a cell)
:data:`MAX_STRINGS_BYTES`   256 MiB for the shared strings (held in memory, about 3
                            bytes per byte of XML) and :data:`MAX_PART_BYTES` 64 MiB for
                            every other part openpyxl reads whole (styles, workbook,
                            relations), as declared in the zip directory, which bounds
                            what ``zipfile`` decompresses
=========================  ============================================================

A sheet XML with a ``<!DOCTYPE`` (never written by Excel; the way to entity
expansion) is refused as damaged.

Examples
--------
>>> import tempfile, pathlib, openpyxl
>>> with tempfile.TemporaryDirectory() as d:
...     f = pathlib.Path(d) / "t.xlsx"
...     wb = openpyxl.Workbook()
...     wb.active.title = "orders"
...     wb.active.append(["customer_id", "amount", None])
...     wb.active.append(["C1", 1200.0])
...     wb.active["A5"] = " C2 "
...     wb.save(f)
...     read_sheet(f, None)
('orders', [['customer_id', 'amount'], ['C1', '1200'], [], [], ['C2']])
"""

from __future__ import annotations

import warnings
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

from custlib._extras import require
from custlib.io.files import _cell_text

__all__ = ["SheetError", "read_sheet", "MAX_ROWS", "MAX_COLUMNS", "MAX_CELLS"]

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELLS = 20_000_000
MAX_ELEMENTS = 60_000_000
MAX_CELL_PARTS = 10_000
MAX_QUIET_BYTES = 16 << 20
MAX_STRINGS_BYTES = 256 << 20
MAX_PART_BYTES = 64 << 20

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _DATA, _VALUE = _NS + "row", _NS + "c", _NS + "sheetData", _NS + "v"
_TYPES = {"n": "number", "s": "shared string number", "b": "boolean", "d": "date"}
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: encrypted xlsx, or .xls
_RESAVE = "open it in Excel and save it again as .xlsx"
#: The empty row standing for every empty row between two rows with content.
_EMPTY: list = []
#: What a damaged part of the zip or its XML raises while being read.
_DAMAGED = (ParseError, zipfile.BadZipFile, zlib.error, EOFError, ValueError, IndexError,
            KeyError, OverflowError)


class SheetError(Exception):
    """The sheet cannot be read; ``message`` and ``fix`` are meant for the user.

    ``sheet`` is the title of the sheet, or None when the workbook itself is at fault.
    """

    def __init__(self, message: str, fix: str = "", sheet: str | None = None):
        super().__init__(message)
        self.message, self.fix, self.sheet = message, fix, sheet


def read_sheet(file: Path, sheet: str | int | None) -> tuple[str, list[list[str | None]]]:
    """The title and the rows of one sheet, each row a list of cell texts.

    Parameters
    ----------
    file : Path
        The ``.xlsx`` (or ``.xlsm``) workbook; it is only read.
    sheet : str, int or None
        The sheet's name, its number counting from 1, or None for the first.

    Returns
    -------
    (str, list of list of str or None)
        ``rows[i]`` is the sheet's row ``i + 1``, ``rows[i][j]`` its column ``j + 1``
        as text (None for an empty cell). Rows end at their last non-empty cell; the
        list ends at the last row with content. Empty rows between rows are one
        shared empty list: do not modify the rows in place.

    Raises
    ------
    SheetError
        The file is not a workbook or is damaged, the sheet does not exist, or the
        sheet exceeds a limit (see the module documentation).
    """
    file = Path(file)
    try:
        with open(file, "rb") as fh:
            magic = fh.read(len(_CFB))
    except OSError as exc:
        raise SheetError(f"cannot be opened as an Excel workbook ({type(exc).__name__})",
                         _RESAVE) from None
    if not magic:
        raise SheetError("is empty (0 bytes), not an Excel workbook",
                         "export the table again; check the export filter")
    if magic == _CFB:
        raise SheetError("cannot be opened as an Excel workbook (it is password-protected, "
                         "or an old .xls file named .xlsx)",
                         "remove the password (Excel: File > Info > Protect Workbook), or "
                         + _RESAVE)
    try:
        with zipfile.ZipFile(file) as zf:
            _check_parts(zf)
    except SheetError:
        raise
    except Exception as exc:  # zipfile raises many types for a damaged file
        raise SheetError(f"cannot be opened as an Excel workbook ({type(exc).__name__})",
                         _RESAVE) from None

    require("excel", "reading an .xlsx export")
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on styles and odd dates
        reader = None
        try:
            # what load_workbook(read_only=True) does, less opening every sheet to
            # read its declared size (which parses the whole sheet when there is none)
            reader = ExcelReader(str(file), read_only=True, data_only=True, keep_links=False)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            sheets = [(s.name, rel.target, "chartsheet" in rel.Type)
                      for s, rel in reader.parser.find_sheets()
                      if rel.target in reader.valid_files]
        except Exception as exc:  # openpyxl raises many types for a damaged file
            if reader is not None:
                reader.archive.close()
            raise SheetError(f"cannot be opened as an Excel workbook ({type(exc).__name__})",
                             _RESAVE) from None
        try:
            title, path, chart = _pick(sheets, sheet)
            if chart:
                raise SheetError("is a chart, not a table",
                                 "set sheet = ... in the mapping file to the sheet holding "
                                 "the data", title)
            return title, _rows(reader, title, path)
        finally:
            reader.archive.close()


def _pick(sheets: list[tuple[str, str, bool]], sheet) -> tuple[str, str, bool]:
    """The sheet asked for; the messages are those custlib has always given."""
    names = [name for name, _, _ in sheets]
    tables = [s for s in sheets if not s[2]]
    if sheet is None:
        if not tables:
            raise SheetError("cannot be opened as an Excel workbook (it has no worksheet)",
                             _RESAVE)
        return tables[0]
    if isinstance(sheet, int):
        if not 1 <= sheet <= len(tables):
            raise SheetError(f"has no sheet number {sheet}; it has {len(tables)}: {names}")
        return tables[sheet - 1]
    if sheet in names:
        return sheets[names.index(sheet)]
    raise SheetError(f"has no sheet {sheet!r}; its sheets are {names}",
                     "set sheet = ... in the mapping file to one of them")


def _check_parts(zf: zipfile.ZipFile) -> None:
    """Refuse, before openpyxl reads them whole, parts too big to be real.

    ``zipfile`` never decompresses more than the size the directory declares (it
    stops there and checks the CRC), so the declared size is a true bound.
    """
    for info in zf.infolist():
        name = info.filename
        if name.startswith(("xl/worksheets/", "xl/chartsheets/", "xl/pivotCache/",
                            "xl/externalLinks/", "xl/drawings/", "xl/charts/", "xl/media/")):
            continue  # streamed (the sheets), or never read
        if not name.endswith((".xml", ".rels")):
            continue
        limit = MAX_STRINGS_BYTES if name.lower().endswith("sharedstrings.xml") else MAX_PART_BYTES
        if info.file_size > limit:
            raise SheetError(f"cannot be opened as an Excel workbook (its part {name} unpacks "
                             f"to {info.file_size:,} bytes; custlib reads at most "
                             f"{limit:,})", "save the data as CSV UTF-8, or " + _RESAVE)


class _Guarded:
    """The sheet XML as ``iterparse`` reads it, refusing a DOCTYPE and any stretch of
    more than MAX_QUIET_BYTES in which the parser completes no element."""

    def __init__(self, src, where: str):
        self.src, self.where = src, where
        self.read_bytes = self.event_at = 0
        self.tail = b""  # the end of the last block, for a DOCTYPE cut in two
        self.in_prolog = True  # before the root element

    def read(self, n: int = -1) -> bytes:
        data = self.src.read(1 << 16)
        self.read_bytes += len(data)
        if self.in_prolog:
            seen, self.tail = self.tail + data, data[-16:]
            if b"<!DOCTYPE" in seen or b"<!ENTITY" in seen:
                raise SheetError("cannot be opened as an Excel workbook (the sheet is damaged: "
                                 "it declares a DOCTYPE, which Excel never writes)",
                                 _RESAVE, self.where)
        if self.read_bytes - self.event_at > MAX_QUIET_BYTES:
            raise SheetError("cannot be opened as an Excel workbook (the sheet is damaged: "
                             f"more than {MAX_QUIET_BYTES:,} bytes of XML in one place; "
                             "Excel writes no cell that big)", _RESAVE, self.where)
        return data


def _rows(reader, title: str, path: str) -> list[list[str | None]]:
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = reader.wb
    # the same decoding as openpyxl's read-only rows (ReadOnlyWorksheet._cells_by_row)
    cells = WorkSheetParser(None, reader.shared_strings, data_only=True, epoch=wb.epoch,
                            date_formats=wb._date_formats,
                            timedelta_formats=wb._timedelta_formats)

    def limit(message: str, fix: str = "save only the rows and columns needed, or save "
              "the data as CSV UTF-8"):
        return SheetError(message, fix, title)

    def damaged(detail: str):
        return SheetError(f"cannot be opened as an Excel workbook (the sheet is damaged: "
                          f"{detail})", _RESAVE, title)

    rows: list[list[str | None]] = []
    held = elements = 0
    row: list[str | None] | None = None
    row_no = row_cells = 0
    stack: list = []  # the open elements
    in_cell = parts = 0
    try:
        with reader.archive.open(path) as raw:
            src = _Guarded(raw, title)
            for event, el in iterparse(src, events=("start", "end")):
                src.event_at = src.read_bytes
                src.in_prolog = False
                tag = el.tag
                if event == "start":
                    stack.append(el)
                    if in_cell:
                        parts += 1
                        if parts > MAX_CELL_PARTS:
                            raise damaged(f"a cell holds more than {MAX_CELL_PARTS:,} elements")
                    elif tag == _CELL:
                        in_cell, parts = 1, 0
                    elif tag == _ROW:
                        if row is not None:
                            raise damaged(f"a row inside row {row_no}")
                        given = el.get("r")
                        number = row_no + 1 if given is None else _row_number(given)
                        if number is None or number < 1:
                            raise damaged(f"row number {given!r}")
                        if number > MAX_ROWS:
                            raise damaged(f"row {number:,}; Excel has {MAX_ROWS:,} rows")
                        if number <= row_no:
                            raise damaged(f"row {number} comes after row {row_no}")
                        row_no, row, row_cells = number, [], 0
                        cells.row_counter, cells.col_counter = number, 0
                    continue
                stack.pop()
                elements += 1
                if elements > MAX_ELEMENTS:
                    raise limit(f"has more than {MAX_ELEMENTS:,} XML elements; custlib reads at "
                                "most that many from Excel")
                if tag == _CELL and in_cell:
                    in_cell = 0
                    if row is not None:
                        row_cells += 1
                        if row_cells > MAX_COLUMNS:
                            raise damaged(f"row {row_no} has more than {MAX_COLUMNS:,} cells; "
                                          f"Excel has {MAX_COLUMNS:,} columns")
                        try:
                            cell = cells.parse_cell(el)
                        except (ValueError, IndexError, KeyError, OverflowError):
                            where = el.get("r") or f"{cells.col_counter + 1} of row {row_no}"
                            raise damaged(f"cell {where} holds {el.findtext(_VALUE)!r}, which "
                                          f"is not a valid {_TYPES.get(el.get('t', 'n'), 'value')}"
                                          ) from None
                        column = cell["column"]
                        if not 1 <= column <= MAX_COLUMNS:
                            raise damaged(f"a cell in column {column:,} of row {row_no}; "
                                          f"Excel has {MAX_COLUMNS:,} columns")
                        text = _cell_text(cell["value"])
                        if text is not None:
                            if column > len(row):
                                row.extend([None] * (column - len(row)))
                            row[column - 1] = text
                        elif column <= len(row):
                            row[column - 1] = None
                elif in_cell:
                    continue  # a part of the cell: read with the cell
                elif tag == _ROW and row is not None:
                    while row and row[-1] is None:
                        row.pop()
                    if row:
                        held += len(row)
                        if held > MAX_CELLS:
                            raise limit(f"holds more than {MAX_CELLS:,} cells (counting the "
                                        "empty cells inside rows); custlib reads at most that "
                                        "many from Excel")
                        rows.extend([_EMPTY] * (row_no - 1 - len(rows)))
                        rows.append(row)
                    row = None
                elif tag == _DATA:
                    break  # nothing after the data is needed
                if stack:
                    stack[-1].remove(el)  # read: let it go
    except SheetError:
        raise
    except _DAMAGED as exc:
        raise damaged(str(exc) or type(exc).__name__) from None
    except Exception as exc:
        from openpyxl.utils.exceptions import CellCoordinatesException

        if isinstance(exc, CellCoordinatesException):
            raise damaged(str(exc)) from None
        raise
    return rows


def _row_number(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return None
        return int(value) if value.is_integer() else None
