"""custlib run never deletes, hides or overwrites what it did not write."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from custlib._outdir import MARKER, OutputError
from custlib.course import run_course


@pytest.fixture
def course(tmp_path):
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# A lesson\n\nText."), nbformat.v4.new_code_cell("1 + 1")]
    nbformat.write(nb, nbdir / "00_a.ipynb")
    return nbdir


def _run(course, data, out, **kw):
    return run_course(data, out, notebook_dir=course, progress=False, workbook=False, **kw)


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_force_refuses_a_folder_custlib_did_not_write(course, tmp_path):
    out = tmp_path / "thesis"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.docx").write_bytes(b"chapter one")
    (out / "sub" / "tax-2025.pdf").write_bytes(b"%PDF-1.4")
    before = _snapshot(out)
    with pytest.raises(OutputError, match=r"was not written by custlib run \(it has no "
                                          r"\.custlib-run\.json\); --force replaces only"):
        _run(course, None, out, force=True)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "thesis"]   # no build, no lock left


def test_force_replaces_its_own_report_but_not_a_file_added_to_it(course, tmp_path):
    out = _run(course, None, tmp_path / "out")["out"]
    manifest = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert manifest["written_by"] == "custlib run" and "index.html" in manifest["files"]
    assert len(manifest["files"]["index.html"]["sha256"]) == 64
    _run(course, None, out, force=True)                      # its own report: replaced
    (out / "lessons" / "my-notes.txt").write_text("keep me")
    before = _snapshot(out)
    with pytest.raises(OutputError, match=r"holds files custlib run did not write "
                                          r"\(lessons/my-notes.txt\)"):
        _run(course, None, out, force=True)
    assert _snapshot(out) == before


def test_out_that_is_a_file_is_an_error_even_with_force(course, tmp_path):
    report = tmp_path / "report.xlsx"
    report.write_bytes(b"PK\x03\x04 a workbook")
    with pytest.raises(OutputError, match=r"report.xlsx is a file, not a folder"):
        _run(course, None, report, force=True)
    assert report.read_bytes() == b"PK\x03\x04 a workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "report.xlsx"]


def test_an_input_inside_the_output_folder_is_never_deleted(course, tmp_path, synthetic_dir):
    out = _run(course, None, tmp_path / "out")["out"]
    # 1. the mapping file lies in the report folder
    mapping = out / "files" / "mine.toml"
    mapping.write_text("[orders]\n", encoding="utf-8")
    with pytest.raises(OutputError, match=r"mine.toml lies inside the output folder"):
        _run(course, None, out, force=True, mapping=mapping)
    assert mapping.read_text(encoding="utf-8") == "[orders]\n"
    mapping.unlink()
    # 2. a table of the data folder is a link to a file inside the report folder
    data = tmp_path / "data"
    data.mkdir()
    kept = out / "data" / "orders.csv"
    (data / "orders.csv").symlink_to(kept)
    before = kept.read_bytes()
    with pytest.raises(ValueError, match=r"orders.csv is a link that points outside the data"):
        _run(course, data, out, force=True)
    with pytest.raises(OutputError, match=r"orders.csv lies inside the output folder"):
        _run(course, data, out, force=True, allow_outside=True)   # allowed out, still kept safe
    assert kept.read_bytes() == before


def test_a_second_run_on_the_same_output_is_refused_while_the_first_lives(course, tmp_path):
    out = tmp_path / "out"
    lock = tmp_path / ".out.lock"
    lock.write_text(f"{os.getppid()}\n")           # a live process holds it
    with pytest.raises(OutputError, match=rf"another custlib run \(pid {os.getppid()}\) is writing"):
        _run(course, None, out)
    assert not out.exists() and lock.read_text() == f"{os.getppid()}\n"
    lock.write_text(f"{_dead_pid()}\n")            # left by a run that was killed
    _run(course, None, out)
    assert (out / "index.html").exists() and not lock.exists()


def test_what_a_killed_run_left_is_removed_by_the_next(course, tmp_path):
    dead = _dead_pid()
    stale_build = tmp_path / f".out.building-{dead}-abcd"
    (stale_build / "data").mkdir(parents=True)
    (stale_build / "data" / "contacts.csv").write_text("name,phone\nWang,13800000000\n")
    stale_old = tmp_path / f".out.old-{dead}"
    stale_old.mkdir()
    live_build = tmp_path / f".out.building-{os.getppid()}-efgh"   # a live run's: kept
    live_build.mkdir()
    res = _run(course, None, tmp_path / "out")
    assert not stale_build.exists() and not stale_old.exists() and live_build.exists()
    assert {stale_build.name, stale_old.name} <= set(res["stale"])


def test_a_report_of_a_version_before_the_marker_is_still_replaced(course, tmp_path):
    out = _run(course, None, tmp_path / "out")["out"]
    (out / MARKER).unlink()                        # as older versions wrote it:
    shutil.rmtree(out / "lessons" / "mathjax")     # no marker, no MathJax of its own
    _run(course, None, out, force=True)
    assert (out / MARKER).exists()
    (out / MARKER).unlink()
    (out / "thesis.docx").write_bytes(b"mine")     # but not with a file of the user's
    with pytest.raises(OutputError, match="was not written by custlib run"):
        _run(course, None, out, force=True)
    assert (out / "thesis.docx").read_bytes() == b"mine"
