"""custlib.course: the lessons run on the chosen data and publish safely."""

from __future__ import annotations

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


@pytest.fixture
def course(tmp_path):
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    _notebook(nbdir / "00_a.ipynb", "import os, pathlib\n"
              "pathlib.Path(os.environ['CUSTLIB_OUT'], 'seen.txt').write_text(os.environ['CUSTLIB_DATA'])",
              title="First lesson")
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
    # the lessons read the validated copy of the data, written beside the report
    assert (out / "files" / "seen.txt").read_text().endswith("/data")
    assert (out / "data" / "orders.csv").read_bytes() == (synthetic_dir / "orders.csv").read_bytes() \
        or (out / "data" / "orders.csv").stat().st_size > 0
    assert "0 error(s), 0 warning(s)" in (out / "data" / "validation.txt").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / "files" / "charts").iterdir()) == \
        ["funnel.png", "pareto.png", "pyramid.png"]
    assert (out / "files" / "customer-analysis-workbook.xlsx").stat().st_size > 10_000
    assert 'href="files/customer-analysis-workbook.xlsx"' in index
    assert [p.name for p in lessons(course)] == ["00_a.ipynb", "01_b.ipynb"]


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
