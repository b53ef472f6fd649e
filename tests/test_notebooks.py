"""The lessons: committed without outputs, and their exercise checks work both ways.

Each exercise's answer cell carries metadata ``exercise: {id, wrong}`` and its
solution is the Python block of the markdown cell with metadata ``solution: id``.
Running a lesson with every solution filled in must make every check say
"correct"; with the plausible wrong answer it must say "not yet".
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from custlib.course import NOTEBOOK_DIR, lessons

ALL = sorted(NOTEBOOK_DIR.glob("**/*.ipynb"))
LESSONS = lessons()


def test_lessons_are_found_in_order():
    names = [p.name for p in LESSONS]
    assert names and names[0].startswith("00_") and names == sorted(names)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} keep outputs; clear them (see notebooks/CONTRIBUTING.md)"


def _exercises(nb):
    answers = {c.metadata["exercise"]["id"]: c for c in nb.cells if "exercise" in c.metadata}
    solutions = {}
    for c in nb.cells:
        if "solution" in c.metadata:
            block = re.search(r"```python\n(.*?)```", c.source, re.S)
            assert block, f"solution {c.metadata['solution']} has no python block"
            solutions[c.metadata["solution"]] = block.group(1)
    return answers, solutions


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_lesson_has_three_exercises_with_solutions(path):
    answers, solutions = _exercises(nbformat.read(path, as_version=4))
    assert len(answers) >= 3 and set(answers) == set(solutions)
    for qid, cell in answers.items():
        assert f"answer_{qid} = None" in cell.source  # untouched lessons run in CI
        assert cell.metadata["exercise"]["wrong"].strip()


def test_every_exercise_is_checked_both_ways_after_its_lesson(request):
    """tests/conftest.py adds, after each lesson's cells in nbval's kernel, a check that
    the solution is "correct" and one that the wrong answer is "not yet"."""
    plugin = next(p for p in request.config.pluginmanager.get_plugins() if hasattr(p, "exercise_cells"))
    exercise_cells = plugin.exercise_cells
    for path in LESSONS:
        answers, _ = _exercises(nbformat.read(path, as_version=4))
        names = [n for n, _ in exercise_cells(nbformat.read(path, as_version=4))]
        assert len(names) == 2 * len(answers) and len(answers) >= 3, path.name
        if request.config.option.nbval_lax:
            collected = {i.name for i in request.session.items if getattr(i, "path", None) == path}
            if collected:  # the lesson is part of this run
                assert set(names) <= collected, f"{path.name}: exercise checks not collected"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_the_configured_stripper_leaves_committed_lessons_unchanged(path, tmp_path):
    """``make hooks`` installs nbstripout --keep-id as a git filter; a committed lesson must
    already be what it produces, so the filter never rewrites a lesson behind your back."""
    import shutil
    import subprocess
    import sys

    copy = tmp_path / path.name
    shutil.copy(path, copy)
    subprocess.run([sys.executable, "-m", "nbstripout", "--keep-id", str(copy)], check=True)
    assert copy.read_bytes() == path.read_bytes()


def test_every_lesson_is_in_the_map_and_the_trainers_guide():
    guide = (NOTEBOOK_DIR / "README.md").read_text(encoding="utf-8")
    for path in LESSONS:
        assert f"]({path.name})" in guide, f"notebooks/README.md does not link {path.name}"


def test_every_lesson_declares_what_it_needs_from_the_data():
    from custlib import schema

    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        requires = nb.metadata.get("custlib", {}).get("requires")
        assert requires, f"{path.name} has no metadata custlib.requires"
        for req in requires:
            if req.startswith("months:"):  # orders covering that many months
                assert int(req.split(":")[1]) > 0, req
                continue
            table, _, column = req.partition(".")
            assert table in schema.TABLES and (not column or column in schema.TABLES[table].names), req


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_lesson_takes_data_mapping_and_date_as_parameters(path):
    nb = nbformat.read(path, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{path.name}: one cell tagged parameters"
    names = [ln.split("=")[0].strip() for ln in params[0].source.splitlines() if "=" in ln]
    assert names == ["DATA", "MAPPING", "AS_OF"]
    assert all(ln.split("=")[1].split("#")[0].strip() == "None" and "#" in ln
               for ln in params[0].source.splitlines()), "each None, with a comment"
    setup = nb.cells[nb.cells.index(params[0]) + 1].source
    # one call reads the data, fixes the analysis date and window and applies the style
    # (custlib.course.setup): no lesson writes those steps out again and drifts
    assert "course.setup(DATA, MAPPING, AS_OF)" in setup, \
        f"{path.name}: the set-up cell calls crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)"
    for step in ("load(", "period.as_of(", "use_course_style(", "as_of_date"):
        assert step not in setup, f"{path.name}: the set-up cell does {step!r} itself; course.setup does it"


def test_every_guarded_cell_names_real_tables_and_columns():
    """A ``%%needs`` line names tables and columns of the input contract; a lesson that
    guards a section imports custlib.course.sections (which registers the magic) in its set-up."""
    from custlib import schema

    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        guarded = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%needs")]
        if guarded:
            setup = next(c for c in nb.cells if c.cell_type == "code" and "course.setup(" in c.source).source
            assert "from custlib.course.sections import" in setup, path.name
        for cell in guarded:
            words = [w for w in cell.source.splitlines()[0].split()[1:] if w != "--exercise"]
            assert words, (path.name, cell.id)
            for req in words:
                table, _, column = req.partition(".")
                assert table in schema.TABLES and (not column or column in schema.TABLES[table].names), \
                    (path.name, cell.id, req)
            if "exercise" in cell.metadata:
                assert "--exercise" in cell.source.splitlines()[0], (path.name, cell.id)


# ---------------------------------------------------------------- the py:percent pairs

#: How to bring a lesson and its text file back together.
_RESYNC = ".venv/bin/jupytext --sync notebooks/NN_*.ipynb"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_every_lesson_is_paired_with_its_py_percent_file(path):
    """Each lesson has a ``.py`` twin in jupytext's py:percent format, declared in the
    notebook's metadata so JupyterLab (with jupytext) saves both; the two hold the same
    cells. The ``.ipynb`` is what runs; the ``.py`` is for reading diffs and editing as text."""
    jupytext = pytest.importorskip("jupytext")

    twin = path.with_suffix(".py")
    assert twin.is_file(), (f"{path.name} has no paired {twin.name}: run "
                            f"`.venv/bin/jupytext --set-formats ipynb,py:percent notebooks/{path.name}`")
    formats = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("jupytext", {}).get("formats")
    assert formats == "ipynb,py:percent", \
        f"{path.name}: metadata jupytext.formats is {formats!r}, not 'ipynb,py:percent'"
    nb, text = jupytext.read(path), jupytext.read(twin)
    ours = [(c.cell_type, c.source) for c in nb.cells]
    theirs = [(c.cell_type, c.source) for c in text.cells]
    if ours != theirs:
        at = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        raise AssertionError(
            f"{path.name} and {twin.name} disagree from cell {at} on ({len(ours)} cells in the notebook, "
            f"{len(theirs)} in the text file): the lesson was edited on one side only. Re-sync with "
            f"`{_RESYNC.replace('NN_*', path.stem)}` (the newer file wins), then clear the outputs.")
    metadata = [c.metadata for c in nb.cells]
    assert metadata == [c.metadata for c in text.cells], \
        f"{path.name}: a cell's tags or exercise metadata differ in {twin.name}; re-sync with `{_RESYNC}`"


def test_pytest_does_not_import_the_py_pairs(request):
    """The pairs are lessons as scripts: importing one (``--doctest-modules``) would run it.
    conftest.py's ``collect_ignore_glob`` keeps them out of every run."""
    import subprocess
    import sys

    root = request.config.rootpath
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "-p", "no:xdist", "notebooks"], cwd=root, capture_output=True, text=True)
    collected = [ln for ln in out.stdout.splitlines() if "::" in ln]
    assert collected, out.stdout + out.stderr
    assert not [ln for ln in collected if ln.split("::")[0].endswith(".py")], out.stdout
