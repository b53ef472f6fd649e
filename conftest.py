"""pytest set-up for the whole project (loaded whatever paths pytest is given).

The exercise checks ride along nbval's execution of each lesson. nbval executes
every lesson as committed (answers None: each check says "not attempted"). After a
lesson's last cell, in the same kernel, one extra item per exercise fills in the
hidden solution and asserts that the check says "correct", and one fills in the
plausible wrong answer and asserts "not yet". One execution per lesson serves both
the lesson test and the exercise checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: Each lesson's py:percent pair (jupytext, see notebooks/CONTRIBUTING.md) is a copy of the
#: notebook as text: under --doctest-modules pytest would import, that is run, it. The
#: notebook is what nbval runs; tests/test_notebooks.py checks that the two agree.
collect_ignore_glob = ["notebooks/*.py"]


def pytest_configure(config):
    """A lesson's cells share one kernel, so under pytest-xdist they must run in one worker:
    ``-n N`` alone (xdist's ``--dist load``) would hand a lesson's later cells to a worker
    whose kernel never ran its set-up cell. ``--dist loadfile`` (the Makefile's) keeps each
    file in one worker."""
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadfile"


@pytest.fixture(autouse=True)
def _display_currency_restored():
    """Every test and doctest starts with the display currency it found: loading data
    in another currency sets it (custlib.money), and test files share a worker in any
    order."""
    from custlib import money

    before = money.currency()
    yield
    money.set_currency(before)

def exercise_cells(nb) -> list[tuple[str, str]]:
    """(name, source) of the check cells for a lesson's exercises."""
    import re

    solutions = {}
    for c in nb.cells:
        if "solution" in c.metadata:
            block = re.search(r"```python\n(.*?)```", c.source, re.S)
            solutions[c.metadata["solution"]] = block.group(1) if block else None
    cells = []
    for c in nb.cells:
        if "exercise" not in c.metadata:
            continue
        qid, wrong = c.metadata["exercise"]["id"], c.metadata["exercise"]["wrong"]
        solution = solutions.get(qid)
        if solution is None:
            cells.append((f"exercise {qid}: solution", f"raise AssertionError('{qid} has no solution block')"))
            continue
        cells.append((f"exercise {qid}: solution is correct",
                      f"{solution}\n_verdict = {qid}.check(answer_{qid})\n"
                      f"assert _verdict == 'correct', '{qid}: the solution gets ' + repr(_verdict)"))
        cells.append((f"exercise {qid}: wrong answer is not yet",
                      f"{wrong}\n_verdict = {qid}.check(answer_{qid})\n"
                      f"assert _verdict.startswith('not yet: '), '{qid}: the wrong answer gets ' + repr(_verdict)"))
    return cells


def pytest_collection_modifyitems(session, config, items):
    from collections import defaultdict

    import nbformat

    try:
        from nbval.plugin import IPyNbCell, IPyNbFile
    except ImportError:  # pragma: no cover - nbval is a dev dependency
        return
    from custlib.course import lessons

    lesson_paths = {p.resolve() for p in lessons()}
    out, pending = [], None
    for i, item in enumerate(items + [None]):
        parent = getattr(item, "parent", None)
        if pending is not None and parent is not pending:
            nb = nbformat.read(pending.path, as_version=4)
            for k, (name, source) in enumerate(exercise_cells(nb)):
                out.append(IPyNbCell.from_parent(pending, name=name, cell_num=len(nb.cells) + k,
                                                 cell=nbformat.v4.new_code_cell(source),
                                                 options=defaultdict(bool, check=False)))
            pending = None
        if item is None:
            break
        out.append(item)
        if isinstance(parent, IPyNbFile) and Path(parent.path).resolve() in lesson_paths:
            pending = parent
    items[:] = out
