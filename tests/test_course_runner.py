"""custlib.course: the lessons run on the chosen data and publish safely."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from custlib.course import LessonError, lessons, run_course

ROOT_DATA = None  # the bundled synthetic data


def _notebook(path, *sources, title="Lesson"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\nA lesson about things. More text.")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)


def _links(page: str, rel: str) -> list[str]:
    """The targets of the page's links ``rel="prev"``, ``"index"`` or ``"next"``."""
    import re

    tags = re.findall(rf'<a\b[^>]*\brel="{rel}"[^>]*>', page)
    return [re.search(r'\bhref="([^"]*)"', t).group(1) for t in tags]


@pytest.fixture
def course(tmp_path):
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    _notebook(nbdir / "00_a.ipynb", "DATA = None", "import os, pathlib\n"
              "pathlib.Path(os.environ['CUSTLIB_OUT'], 'seen.txt').write_text(DATA)",
              title="First lesson")
    nb = nbformat.read(nbdir / "00_a.ipynb", as_version=4)
    nb.cells[1].metadata["tags"] = ["parameters"]
    nbformat.write(nb, nbdir / "00_a.ipynb")
    _notebook(nbdir / "01_b.ipynb", "print(1 + 1)", title="Second lesson")
    (nbdir / "notes.ipynb").write_text("{}")  # not numbered: not a lesson
    return nbdir


def test_runs_every_lesson_and_writes_an_index(course, tmp_path, synthetic_dir):
    res = run_course(None, tmp_path / "out", notebook_dir=course, progress=False)
    out = res["out"]
    assert res["ran"] == ["00_a.ipynb", "01_b.ipynb"] and res["skipped"] == {}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="lessons/00_a.html">First lesson' in index
    assert 'href="lessons/01_b.html">Second lesson' in index
    assert (out / "lessons" / "01_b.html").read_text(encoding="utf-8").count("2") > 0
    # the lessons read the validated copy of the data, written beside the report,
    # given as the lesson's DATA parameter
    assert (out / "files" / "seen.txt").read_text().endswith("/data")
    assert res["sections"] == {"00_a.ipynb": {"ran": [], "skipped": {}},
                               "01_b.ipynb": {"ran": [], "skipped": {}}}
    assert (out / "data" / "orders.csv").read_bytes() == (synthetic_dir / "orders.csv").read_bytes() \
        or (out / "data" / "orders.csv").stat().st_size > 0
    assert "0 error(s), 0 warning(s)" in (out / "data" / "validation.txt").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / "files" / "charts").iterdir()) == \
        ["funnel.png", "pareto.png", "pyramid.png"]
    assert (out / "files" / "customer-analysis-workbook.xlsx").stat().st_size > 10_000
    assert 'href="files/customer-analysis-workbook.xlsx"' in index
    assert [p.name for p in lessons(course)] == ["00_a.ipynb", "01_b.ipynb"]
    # each page is titled with its heading and links the index and its neighbours
    first = (out / "lessons" / "00_a.html").read_text(encoding="utf-8")
    second = (out / "lessons" / "01_b.html").read_text(encoding="utf-8")
    assert "<title>First lesson</title>" in first and "<title>Second lesson</title>" in second
    assert _links(first, "next") == ["01_b.html"] * 2 and _links(first, "prev") == []
    assert _links(second, "prev") == ["00_a.html"] * 2 and _links(second, "next") == []
    assert _links(first, "index") == _links(second, "index") == ["../index.html"] * 2
    assert (out / "lessons" / "mathjax" / "MathJax.js").is_file()


def test_refuses_non_empty_output_without_force(course, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="--force"):
        run_course(None, out, notebook_dir=course, progress=False)
    assert (out / "mine.txt").read_text() == "keep"
    (out / "mine.txt").unlink()
    run_course(None, out, notebook_dir=course, progress=False, workbook=False)  # empty: fine
    run_course(None, out, notebook_dir=course, progress=False, workbook=False,
               force=True)                                                     # its own: replaced
    assert (out / "index.html").exists()


def test_failed_lesson_leaves_previous_output_untouched(course, tmp_path):
    out = run_course(None, tmp_path / "out", notebook_dir=course, progress=False)["out"]
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    _notebook(course / "02_broken.ipynb", "raise RuntimeError('boom in cell')")
    with pytest.raises(LessonError, match=r"02_broken.ipynb failed(.|\n)*boom in cell"):
        run_course(None, out, notebook_dir=course, progress=False, force=True)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "out"]  # no half-written build left


def test_output_inside_the_data_folder_is_refused(course, tmp_path, synthetic_dir):
    with pytest.raises(ValueError, match="never written to"):
        run_course(None, synthetic_dir / "report", notebook_dir=course, progress=False)


def test_lessons_needing_missing_tables_are_skipped_with_the_reason(course, tmp_path):
    nb = nbformat.read(course / "01_b.ipynb", as_version=4)
    nb.metadata["custlib"] = {"requires": ["orders", "opportunities.stage", "customers.org_type"]}
    nbformat.write(nb, course / "01_b.ipynb")
    export = tmp_path / "export.csv"
    export.write_text("customer_id,order_date,amount\nC1,2024-03-05,900\nC2,2024-04-01,50\n",
                      encoding="utf-8")
    res = run_course(export, tmp_path / "out", notebook_dir=course, progress=False)
    assert res["ran"] == ["00_a.ipynb"]
    assert res["skipped"] == {"01_b.ipynb": "needs the opportunities table; "
                                            "needs column org_type of customers"}
    index = (res["out"] / "index.html").read_text(encoding="utf-8")
    assert "Second lesson: <em>needs the opportunities table" in index
    page = (res["out"] / "lessons" / "00_a.html").read_text(encoding="utf-8")
    assert "01_b.html" not in page and _links(page, "next") == []   # no page, no link
    assert not (res["out"] / "lessons" / "01_b.html").exists()


def test_the_report_gets_the_modes_of_the_umask_whatever_wrote_it(course, tmp_path):
    """The build folder of mkdtemp is 0o700 and a file written through mkstemp 0o600: the
    report has the modes mkdir and open give under the user's umask, for sharing."""
    import os
    import stat

    _notebook(course / "02_private.ipynb",
              "import os, tempfile\nd = tempfile.mkdtemp(dir=os.environ['CUSTLIB_OUT'])\n"
              "fd, f = tempfile.mkstemp(dir=d)\nos.write(fd, b'x'); os.close(fd)",
              title="Private files")
    out = tmp_path / "out"
    previous = os.umask(0o002)
    try:
        run_course(None, out, notebook_dir=course, progress=False, workbook=False)
        modes = {p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode)
                 for p in [out, *out.rglob("*")]}
        assert modes["out"] == 0o775
        wrong = {k: oct(m) for k, m in modes.items()
                 if m != (0o775 if (tmp_path / k).is_dir() else 0o664)}
        assert not wrong
    finally:
        os.umask(previous)
    assert len([p for p in (out / "files").rglob("*") if p.is_file()]) >= 2


def test_a_lesson_summary_declared_in_its_metadata_wins(tmp_path):
    from custlib.course import lesson_title

    path = tmp_path / "00_s.ipynb"
    _notebook(path, title="3. Pyramids")
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = ("# 3. Pyramids\n\nRank the **customers** by revenue, e.g. last year.\n"
                          "A shape appears.\n\n* a bullet. Not this.")
    nbformat.write(nb, path)
    assert lesson_title(path) == ("3. Pyramids", "Rank the customers by revenue, e.g. last year.")
    nb.metadata["custlib"] = {"summary": "  Who carries\n the business.  "}
    nbformat.write(nb, path)
    assert lesson_title(path) == ("3. Pyramids", "Who carries the business.")


def test_parameters_are_injected_after_the_parameters_cell(tmp_path, monkeypatch):
    """papermill-style: DATA, MAPPING and AS_OF in a cell tagged injected-parameters right
    after the cell tagged parameters; the data variables of this process do not reach
    the kernel, so the injected values alone say what the lesson reads."""
    from custlib.course import execute_notebook

    path = tmp_path / "00_p.ipynb"
    _notebook(path, "DATA = None\nMAPPING = None\nAS_OF = None",
              "import os\nprint(DATA, MAPPING, AS_OF, os.environ.get('CUSTLIB_DATA'),\n"
              "      os.environ.get('CUSTLIB_MAPPING'), os.environ.get('CUSTLIB_OUT'))")
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].metadata["tags"] = ["parameters"]
    nbformat.write(nb, path)
    before = path.read_bytes()
    monkeypatch.setenv("CUSTLIB_DATA", "/somewhere/raw")
    monkeypatch.setenv("CUSTLIB_MAPPING", "/somewhere/raw.toml")
    nb = execute_notebook(path, data=tmp_path / "data", as_of="2025-06-30", files_out=tmp_path)
    assert nb.cells[2].metadata["tags"] == ["injected-parameters"]
    assert nb.cells[2].source == (f"# Parameters\nDATA = {str(tmp_path / 'data')!r}\n"
                                  "MAPPING = None\nAS_OF = '2025-06-30'")
    assert nb.cells[3].outputs[0]["text"] == f"{tmp_path / 'data'} None 2025-06-30 None None {tmp_path}\n"
    assert path.read_bytes() == before                     # the lesson file is only read
    # without parameters the lesson runs as committed, on the environment's data
    nb = execute_notebook(path)
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert nb.cells[2].outputs[0]["text"].startswith("None None None /somewhere/raw /somewhere/raw.toml")


EXPORTS = Path(__file__).resolve().parent / "exports"


def test_the_course_on_an_orders_only_export_runs_what_the_data_allows(tmp_path):
    """An invoice export with customer, date and amount only (US dates, dollars and
    cents) through its mapping: eight of the ten lessons run, each skipping with one
    line the sections that need more, and the index page says which."""
    import hashlib
    import json

    src = EXPORTS / "orders_only_usd"
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in src.iterdir()}
    res = run_course(src, tmp_path / "out", mapping=src / "mapping.toml", progress=False)
    out = res["out"]
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in src.iterdir()} == digest

    assert res["ran"] == ["00_welcome.ipynb", "01_needs_and_profiles.ipynb",
                          "02_value_chain_and_lifecycle.ipynb", "03_pyramid_and_pareto.ipynb",
                          "04_customer_value.ipynb", "05_segmentation_and_key_accounts.ipynb",
                          "08_migration_and_growth.ipynb", "09_capstone_workbook.ipynb"]
    assert set(res["skipped"]) == {"06_prospect_grading.ipynb", "07_funnel_math.ipynb"}
    assert res["skipped"]["07_funnel_math.ipynb"] == "needs the opportunities table"

    sec = res["sections"]
    def ran(lesson, prefix):
        return any(t.startswith(prefix) for t in sec[lesson]["ran"])
    def skipped(lesson, prefix):
        return next((r for t, r in sec[lesson]["skipped"].items() if t.startswith(prefix)), None)
    assert sec["00_welcome.ipynb"]["skipped"] == {"Your turn: exercise q2": "needs `customers` with `rep_id`"}
    assert ran("00_welcome.ipynb", "Four layers") and ran("00_welcome.ipynb", "Revenue month by month")
    assert ran("02_value_chain_and_lifecycle.ipynb", "2. The customer lifecycle")
    assert skipped("02_value_chain_and_lifecycle.ipynb", "3. Lifetime profit") == \
        "needs `orders` with `cost`, `product_line` and `is_upgrade`"
    assert ran("03_pyramid_and_pareto.ipynb", "1. Four tiers: the customer pyramid (客户金字塔) › Our customers")
    assert ran("03_pyramid_and_pareto.ipynb", "3. ABC classes")
    assert skipped("03_pyramid_and_pareto.ipynb", "4. Profit: the whale curve") == "needs `orders` with `cost`"
    assert sec["04_customer_value.ipynb"]["skipped"] == {}
    assert ran("05_segmentation_and_key_accounts.ipynb", "2. By value")
    assert ran("05_segmentation_and_key_accounts.ipynb", "4. By relationship")
    assert skipped("05_segmentation_and_key_accounts.ipynb", "5. The key-account selection matrix")
    assert ran("08_migration_and_growth.ipynb", "2. Who moved where")
    assert ran("08_migration_and_growth.ipynb", "3. If the moves repeat")
    assert skipped("08_migration_and_growth.ipynb", "4. The customer meeting (客户会谈) › Our customers") == \
        "needs `activities` with `activity_type` and `activity_date`"
    assert ran("09_capstone_workbook.ipynb", "1. The master table")
    assert skipped("09_capstone_workbook.ipynb", "3. The four roll-ups").startswith(
        "needs `opportunities` with `stage`, `expected_value`")

    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("sections skipped") == sum(bool(s["skipped"]) for s in sec.values())
    assert "3. Lifetime profit (客户生命周期利润): <em>needs orders with cost, product_line and is_upgrade</em>" in index
    for name in res["ran"]:
        nb = json.loads((out / "notebooks" / name).read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for o in cell.get("outputs", []):
                text = "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                assert o["output_type"] != "error" and "Traceback" not in text, (name, text[:500])
                if o.get("name") == "stderr":   # a warning is a bug on a real export too
                    raise AssertionError(f"{name}: {text[:500]}")
    # the data's currency, not the case's, in the lessons' own tables
    page = (out / "lessons" / "03_pyramid_and_pareto.html").read_text(encoding="utf-8")
    assert "revenue (USD)" in page and "This section needs <code>orders</code> with <code>cost</code>" in page
    # one workbook per run: lesson 9 opens the run's own instead of writing a second copy
    nb9 = json.loads((out / "notebooks" / "09_capstone_workbook.ipynb").read_text(encoding="utf-8"))
    said = "".join("".join(o.get("text", "")) for c in nb9["cells"] for o in c.get("outputs", []))
    assert "the run's workbook: files/customer-analysis-workbook.xlsx" in said
    assert sorted(p.name for p in (out / "files").glob("*.xlsx")) == ["customer-analysis-workbook.xlsx"]


def test_a_lesson_reading_the_workbook_waits_for_it_and_one_without_a_workbook_writes_its_own(tmp_path):
    """A lesson declaring ``reads: ["workbook"]`` starts once the run's workbook is
    written and finds it at ``$CUSTLIB_WORKBOOK``; a run without a workbook gives it none."""
    from custlib.course import lesson_reads

    import json

    (tmp_path / "lessons").mkdir()
    lesson = tmp_path / "lessons" / "00_reader.ipynb"
    _notebook(lesson, "import os\nfrom pathlib import Path\nbook = os.environ.get('CUSTLIB_WORKBOOK')\n"
              "print('book:', Path(book).stat().st_size > 0 if book else None)")
    nb = nbformat.read(lesson, as_version=4)
    nb.metadata["custlib"] = {"reads": ["workbook"]}
    nbformat.write(nb, lesson)
    assert lesson_reads(lesson) == ["workbook"]
    for workbook, said in ((True, "book: True"), (False, "book: None")):
        out = tmp_path / f"out-{workbook}"
        run_course(EXPORTS / "orders_only_usd", out, notebook_dir=tmp_path / "lessons",
                   mapping=EXPORTS / "orders_only_usd" / "mapping.toml", progress=False,
                   workbook=workbook)
        run = json.loads((out / "notebooks" / "00_reader.ipynb").read_text(encoding="utf-8"))
        assert said in "".join(run["cells"][-1]["outputs"][0]["text"])


def test_jobs_on_the_command_line_reach_the_runner(monkeypatch):
    """custlib run --jobs 1 executes one lesson at a time (the least memory); without it
    the runner chooses (one per core, at most MAX_JOBS)."""
    import custlib.course
    from custlib import cli

    seen = []

    def fake(data, out, **kwargs):
        seen.append(kwargs["jobs"])
        raise KeyboardInterrupt

    monkeypatch.setattr(custlib.course, "run_course", fake)
    for argv, jobs in ((["run", "--jobs", "1"], 1), (["run"], None)):
        try:
            cli.main(argv)
        except (KeyboardInterrupt, SystemExit):
            pass
        assert seen[-1] == jobs

