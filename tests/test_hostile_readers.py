"""Readers that cannot be knocked over: hostile and broken files, and the exit codes.

Small broken files live in ``tests/hostile/r*`` (a sheet XML cut short, a
password-protected workbook, binary bytes named .csv, an empty .xlsx, a workbook
without a value, a folder without orders). The bombs are built on the fly from a
real workbook written by openpyxl, with its sheet XML patched: nothing big is
committed. Every case asserts the exact verdict, the exit code, that no traceback
reaches the user, and that the input is byte-identical afterwards.

Before (main at the time of issue 13): the dimension bomb ran out of memory
(MemoryError after 47 s at 3.6 GB under a 4 GB limit), the stray cell cost 447 MB
and 6.8 s, a row flooded with cells 3 GB and 65 s, a corrupt sheet XML, /dev/null
and a FIFO ended in tracebacks, a workbook whose declared dimension is too small lost
its rows silently, and "no orders here" or 1e20 as an amount exited with status 2.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from custlib import cli
from custlib.io import xlsx as _xlsx
from custlib.io.xlsx import SheetError, read_sheet
from custlib.io import validate

HOSTILE = Path(__file__).parent / "hostile"
AS_OF = "2025-12-31"
ROOT = Path(__file__).resolve().parents[1]
RESAVE = "\n  fix: open it in Excel and save it again as .xlsx"


def _digest(path: Path) -> dict[str, str]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _workbook(path: Path, patch=None, extra=()) -> Path:
    """A small real orders workbook; ``patch`` rewrites its sheet XML (bytes -> bytes)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "orders"
    for row in (["customer_id", "order_date", "amount"], ["C1", "2024-03-05", 100],
                ["C2", "2024-03-06", 200]):
        ws.append(row)
    for coordinate, value in extra:
        ws[coordinate] = value
    buf = io.BytesIO()
    wb.save(buf)
    if patch is None:
        path.write_bytes(buf.getvalue())
        return path
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, patch(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    path.write_bytes(out.getvalue())
    return path


def _dimension(ref: str, tail: bytes = b""):
    def patch(xml: bytes) -> bytes:
        xml, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="%s"' % ref.encode(), xml)
        assert n == 1
        return xml.replace(b"</sheetData>", tail + b"</sheetData>")
    return patch


def _peak(fn):
    """fn(), and the peak of the memory Python allocated meanwhile (bytes)."""
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


def _report_issues(stdout: str) -> list[str]:
    """The issues of a ``custlib validate`` report (between the count and the verdict)."""
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if re.match(r"\d+ error\(s\)", ln))
    return lines[start + 1:-1]


MB = 1 << 20


# --- the bombs --------------------------------------------------------------------------

def test_the_dimension_bomb_is_read_in_small_memory(tmp_path, capsys):
    # A1:XFD1048576 declared, and one empty row at the bottom, as Excel writes for a
    # formatted row: openpyxl pads every row to 16,384 cells, every missing row up
    # to 1,048,576 (17 billion cells from 5 KB)
    f = _workbook(tmp_path / "orders.xlsx",
                  _dimension("A1:XFD1048576", b'<row r="1048576" ht="15" customHeight="1"/>'))
    assert f.stat().st_size < 10_000
    before = _digest(f)
    (title, rows), peak = _peak(lambda: read_sheet(f, None))
    assert title == "orders" and rows == [["customer_id", "order_date", "amount"],
                                          ["C1", "2024-03-05", "100"], ["C2", "2024-03-06", "200"]]
    assert peak < 100 * MB, f"{peak / MB:.0f} MB"
    code, out, _ = _cli(capsys, "validate", str(f), "--as-of", AS_OF)
    assert code == 0 and "orders.xlsx: 2 rows read, 2 kept" in out
    assert _digest(f) == before


def test_a_declared_dimension_alone_is_ignored(tmp_path):
    f = _workbook(tmp_path / "o.xlsx", _dimension("A1:XFD1048576"))
    (_, rows), peak = _peak(lambda: read_sheet(f, None))
    assert len(rows) == 3 and max(map(len, rows)) == 3 and peak < 100 * MB


def test_a_dimension_too_small_loses_no_row(tmp_path):
    # some exporters write A1:A1; openpyxl's read-only mode then returned one cell
    f = _workbook(tmp_path / "o.xlsx", _dimension("A1:A1"))
    assert read_sheet(f, None)[1][2] == ["C2", "2024-03-06", "200"]
    assert validate(f, as_of=AS_OF).tables["orders"]["rows_read"] == 2


def test_a_stray_cell_at_the_bottom_costs_little_and_is_reported_with_its_row(tmp_path, capsys):
    f = _workbook(tmp_path / "orders.xlsx", extra=[("Z1048576", "x")])
    before = _digest(f)
    (_, rows), peak = _peak(lambda: read_sheet(f, None))
    # 1,048,576 rows, the empty ones one shared list: 8 bytes a row
    assert len(rows) == 1_048_576 and rows[-1] == [None] * 25 + ["x"]
    assert peak < 100 * MB, f"{peak / MB:.0f} MB"
    code, out, _ = _cli(capsys, "validate", str(f), "--as-of", AS_OF)
    assert code == 0
    issues = _report_issues(out)
    assert len(issues) == 1 and issues[0].startswith(
        "warning: orders.xlsx, column 'customer_id', row 1048576: 1 row(s) have no customer id")
    assert _digest(f) == before


def test_a_row_flooded_with_cells_is_refused_in_small_memory(tmp_path, capsys):
    # 2 million <c r="A5"/> in one row: 100 KB zipped; openpyxl builds the whole row
    f = _workbook(tmp_path / "orders.xlsx", lambda x: x.replace(
        b"</sheetData>", b'<row r="5">' + b'<c r="A5"/>' * 2_000_000 + b"</row></sheetData>"))
    def attempt():
        try:
            read_sheet(f, None)
        except SheetError as exc:
            return exc

    err, peak = _peak(attempt)
    assert err.message == ("cannot be opened as an Excel workbook (the sheet is damaged: "
                           "row 5 has more than 16,384 cells; Excel has 16,384 columns)")
    assert peak < 100 * MB, f"{peak / MB:.0f} MB"
    code, out, _ = _cli(capsys, "validate", str(f), "--as-of", AS_OF)
    assert code == 1 and "\n".join(_report_issues(out)) == (
        "error: orders.xlsx (sheet 'orders'): " + err.message + RESAVE)


def test_wide_sparse_rows_stop_at_the_cell_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(_xlsx, "MAX_CELLS", 100_000)
    rows = b"".join(b'<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i)
                    for i in range(10, 30))
    f = _workbook(tmp_path / "o.xlsx", lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>"))
    with pytest.raises(SheetError) as err:
        read_sheet(f, None)
    assert err.value.sheet == "orders" and err.value.message == (
        "holds more than 100,000 cells (counting the empty cells inside rows); custlib reads "
        "at most that many from Excel")
    assert err.value.fix == "save only the rows and columns needed, or save the data as CSV UTF-8"


def test_a_huge_cell_is_refused_before_it_is_held(tmp_path, monkeypatch):
    monkeypatch.setattr(_xlsx, "MAX_QUIET_BYTES", 1 * MB)
    f = _workbook(tmp_path / "o.xlsx", lambda x: x.replace(
        b"</sheetData>", b'<row r="4"><c r="A4" t="inlineStr"><is><t>' + b"y" * (3 * MB)
        + b"</t></is></c></row></sheetData>"))
    with pytest.raises(SheetError, match=r"the sheet is damaged: more than 1,048,576 bytes of "
                                         r"XML in one place"):
        read_sheet(f, None)


def test_shared_strings_too_big_are_refused_before_they_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(_xlsx, "MAX_STRINGS_BYTES", 100)
    f = _workbook(tmp_path / "o.xlsx")
    table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + \
        b"<si><t>x</t></si>" * 1000 + b"</sst>"
    with zipfile.ZipFile(f, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", table)
    size = len(table)
    with pytest.raises(SheetError) as err:
        read_sheet(f, None)
    assert err.value.message == (f"cannot be opened as an Excel workbook (its part "
                                 f"xl/sharedStrings.xml unpacks to {size:,} bytes; custlib "
                                 "reads at most 100)")


@pytest.mark.parametrize("patch, detail", [
    (lambda x: x.replace(b'<row r="3"', b'<row r="1048577"'),
     "row 1,048,577; Excel has 1,048,576 rows"),
    (lambda x: x.replace(b'<row r="3"', b'<row r="1"'), "row 1 comes after row 2"),
    (lambda x: x.replace(b'<row r="3"', b'<row r="x"'), "row number 'x'"),
    (lambda x: x.replace(b'r="C3"', b'r="ZZZ3"'), "a cell in column 18,278 of row 3; Excel has "
     "16,384 columns"),
    (lambda x: b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + x.split(b"?>", 1)[-1],
     "it declares a DOCTYPE, which Excel never writes"),
    (lambda x: x.replace(b"<v>100</v>", b"<v>a lot</v>"),
     "cell C2 holds 'a lot', which is not a valid number"),
    (lambda x: x.replace(b'<c r="A2" t="inlineStr"><is><t>C1</t></is></c>', b'<c r="A2" t="s"><v>7</v></c>'),
     "cell A2 holds '7', which is not a valid shared string number"),
], ids=["row beyond Excel", "rows out of order", "row number", "column beyond Excel", "DOCTYPE",
        "number", "shared string"])
def test_a_damaged_sheet_is_refused_with_the_reason(tmp_path, patch, detail):
    f = _workbook(tmp_path / "o.xlsx", patch)
    with pytest.raises(SheetError) as err:
        read_sheet(f, None)
    assert err.value.message == f"cannot be opened as an Excel workbook (the sheet is damaged: {detail})"
    assert err.value.sheet == "orders"


def test_the_sheet_is_chosen_as_before(tmp_path):
    f = _workbook(tmp_path / "o.xlsx")
    wb = openpyxl.load_workbook(f)
    wb.create_sheet("2025").append(["x"])
    wb.save(f)
    assert read_sheet(f, "2025") == ("2025", [["x"]])
    assert read_sheet(f, 2) == ("2025", [["x"]])
    with pytest.raises(SheetError, match=r"^has no sheet number 3; it has 2: \['orders', '2025'\]$"):
        read_sheet(f, 3)
    with pytest.raises(SheetError, match=r"^has no sheet 'x'; its sheets are \['orders', '2025'\]$"):
        read_sheet(f, "x")


# --- broken files and paths through the command line ------------------------------------

READ_CASES = {
    "r01_corrupt_sheet_xml.xlsx": "error: r01_corrupt_sheet_xml.xlsx (sheet 'orders'): cannot be "
        "opened as an Excel workbook (the sheet is damaged: unclosed token: line 1, column 691)"
        + RESAVE,
    "r02_password_protected.xlsx": "error: r02_password_protected.xlsx: cannot be opened as an "
        "Excel workbook (it is password-protected, or an old .xls file named .xlsx)\n  fix: remove "
        "the password (Excel: File > Info > Protect Workbook), or open it in Excel and save it "
        "again as .xlsx",
    "r03_binary.csv": "error: r03_binary.csv, row 2: is neither UTF-8 nor GB18030/GBK (first "
        "undecodable byte on this row)\n  fix: save it as CSV UTF-8",
    "r04_empty.xlsx": "error: r04_empty.xlsx: is empty (0 bytes), not an Excel workbook\n  fix: "
        "export the table again; check the export filter",
    "r05_blank_workbook.xlsx": "error: r05_blank_workbook.xlsx (sheet 'Sheet'): is empty\n  fix: "
        "check the sheet name; the data may be on another sheet",
}


@pytest.mark.parametrize("name", sorted(READ_CASES))
def test_a_broken_file_gets_one_error_and_no_traceback(name, capsys):
    path = HOSTILE / name
    before = _digest(path)
    code, out, _ = _cli(capsys, "validate", str(path), "--as-of", AS_OF)
    assert code == 1
    assert "\n".join(_report_issues(out)) == READ_CASES[name]
    assert out.splitlines()[0] == f"custlib validate: {path}"  # the report names the path
    assert _digest(path) == before


def _no_orders():
    return HOSTILE / "r06_no_orders"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX")
@pytest.mark.parametrize("how", ["/dev/null", "fifo", "no orders", "missing", "mapping fifo"])
def test_a_path_that_is_no_export_gets_one_line(how, tmp_path, capsys):
    args = ["validate"]
    if how == "/dev/null":
        path = Path("/dev/null")
        expected = ("PATH /dev/null is a character device, not a folder or a file: give a folder "
                    "of tables or an orders file")
    elif how == "fifo":
        path = tmp_path / "orders.csv"
        os.mkfifo(path)  # opening it would wait for a writer forever
        expected = (f"PATH {path} is a named pipe (FIFO), not a folder or a file: give a folder "
                    "of tables or an orders file")
    elif how == "no orders":
        path = _no_orders()
        expected = (f"no orders table in {path}: expected orders.csv or orders.xlsx (or [orders] "
                    "file = ... in a mapping file); found ['notes.txt']")
    elif how == "missing":
        path = tmp_path / "nowhere"
        expected = f"{path} does not exist: expected a folder of tables or an orders file"
    else:
        path = HOSTILE / "r03_binary.csv"
        fifo = tmp_path / "map.toml"
        os.mkfifo(fifo)
        args += ["--mapping", str(fifo)]
        expected = f"--mapping {fifo} is a named pipe (FIFO), not a file: give a TOML file"
    before = _digest(path) if path.is_dir() or path.is_file() else None
    code, out, err = _cli(capsys, *args, str(path), "--as-of", AS_OF)
    assert (code, out, err) == (1, "", f"custlib validate: error: {expected}\n")
    if before is not None:
        assert _digest(path) == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their permissions")
def test_a_file_without_read_permission_gets_one_line(tmp_path, capsys):
    f = tmp_path / "orders.csv"
    f.write_text("customer_id,order_date,amount\nC1,2024-03-05,1\n", encoding="utf-8")
    f.chmod(0)
    try:
        code, out, err = _cli(capsys, "validate", str(f), "--as-of", AS_OF)
    finally:
        f.chmod(0o600)
    assert (code, err) == (1, f"custlib validate: error: {f}: Permission denied\n")


def test_an_amount_of_1e20_gets_a_clear_error(tmp_path, capsys):
    # before: "custlib validate: error: Float value 100000000000000000000.000000 was
    # truncated converting to int64", exit status 2
    f = tmp_path / "orders.csv"
    f.write_text("customer_id,order_date,amount\nC1,2024-03-05,1e20\nC2,2024-03-06,5\n",
                 encoding="utf-8")
    code, out, err = _cli(capsys, "validate", str(f), "--as-of", AS_OF)
    assert code == 1 and err == ""
    errors = [ln for ln in _report_issues(out) if ln.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: orders.csv, column 'amount', row 2: ")
    assert "'1e20'" in errors[0]


# --- exit codes -------------------------------------------------------------------------

def test_exit_0_when_the_data_is_fine(tmp_path, capsys):
    f = tmp_path / "orders.csv"
    f.write_text("customer_id,order_date,amount\nC1,2024-03-05,100\n", encoding="utf-8")
    assert _cli(capsys, "validate", str(f), "--as-of", AS_OF)[0] == 0


def test_exit_1_when_the_data_has_errors(capsys):
    code, out, err = _cli(capsys, "validate", str(HOSTILE / "r04_empty.xlsx"), "--as-of", AS_OF)
    assert code == 1 and out.rstrip().endswith("NOT OK: fix the errors above and run custlib "
                                               "validate again.")


def test_exit_1_when_the_output_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "data"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"mine")
    code, _, err = _cli(capsys, "generate", "--customers", "100", "--out", str(out), "--quiet")
    assert code == 1 and err.startswith("custlib generate: error: ") and len(err.splitlines()) == 1
    assert (out / "thesis.docx").read_bytes() == b"mine"


@pytest.mark.parametrize("argv", [["validate"], ["frobnicate"], ["validate", "x", "--as-of", "soon"],
                                  ["generate", "--out", "x", "--customers", "10"],
                                  ["run", "--cell-timeout", "0"], ["run", "--jobs", "0"]])
def test_exit_2_on_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: custlib") and "Traceback" not in err


def test_exit_2_from_the_installed_command():
    proc = subprocess.run([sys.executable, "-m", "custlib.cli", "validate", "--as-of", "soon", "x"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and proc.stderr.splitlines()[-1] == (
        "custlib validate: error: argument --as-of: 'soon' is not a date: expected YYYY-MM-DD")


def test_exit_130_when_interrupted(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_validate", interrupted)
    code, _, err = _cli(capsys, "validate", "x")
    assert code == 130 and err == "\ncustlib validate: interrupted: nothing was written\n"


def test_the_exit_codes_are_documented():
    text = cli.build_parser().format_help()
    assert all(s in " ".join(text.split()) for s in ("0 = OK", "1 = the data or the run has errors",
                                                     "2 = usage", "130 = interrupted"))
    assert "130" in cli.__doc__ and "--debug" in cli.__doc__


# --- unexpected errors: one line, or the traceback with --debug -------------------------

def _boom(args):
    return {}["no such key"]  # an error in custlib itself


def test_an_unexpected_error_is_one_line_and_a_hint(monkeypatch, capsys):
    monkeypatch.setattr(cli, "_cmd_validate", _boom)
    code, out, err = _cli(capsys, "validate", "x")
    assert (code, out, err) == (1, "", "custlib validate: error: KeyError: 'no such key'\n"
                                       "run again with --debug to see the traceback\n")


@pytest.mark.parametrize("argv", [["--debug", "validate", "x"], ["validate", "x", "--debug"]])
def test_debug_shows_the_traceback(argv, monkeypatch):
    monkeypatch.setattr(cli, "_cmd_validate", _boom)
    with pytest.raises(KeyError):
        cli.main(argv)


def test_a_failed_lesson_is_one_line_without_its_traceback(monkeypatch, capsys):
    from custlib.course import LessonError

    def failed(args):
        raise LessonError("03_pyramid_and_pareto.ipynb failed:\nAn error occurred while executing "
                          "the following cell:\n------------------\nx = 1/0\n------------------\n\n"
                          "\x1b[0;31mZeroDivisionError\x1b[0m Traceback (most recent call last)\n"
                          "----> 1 x = 1/0\n\nZeroDivisionError: division by zero")

    monkeypatch.setattr(cli, "_cmd_run", failed)
    code, _, err = _cli(capsys, "run", "--out", "x")
    assert (code, err) == (1, "custlib run: error: 03_pyramid_and_pareto.ipynb failed: "
                              "ZeroDivisionError: division by zero\n"
                              "run again with --debug to see the traceback\n")
