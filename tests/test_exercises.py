"""custlib.exercises: verdicts for right, wrong and missing answers."""

from __future__ import annotations

import pandas as pd
import pytest

from custlib.exercises import Check, compare


def test_not_attempted_correct_and_not_yet(capsys):
    q = Check("Q", lambda: 2_500.0)
    assert q.check(None) == "not attempted"
    assert q(2_500) == "correct"
    assert capsys.readouterr().out == "Q: correct\n"
    assert q.check(2_000) == "not yet: your answer is too low"
    assert "2500" not in q.check(3_000) and "2,500" not in q.check(3_000)  # never the answer


@pytest.mark.parametrize("answer, expected, reason", [
    (0.8, 0.8, None),
    (80, 0.8, "percentage instead of a fraction"),
    ("R01", "R02", "is not the answer"),
    ([1, 2], [1, 2, 3], "expected 3 items"),
    (["b", "a"], ["a", "b"], "another order"),
    (pd.Series([1, 2], index=["x", "y"]), pd.Series([1, 2], index=["x", "y"]), None),
    (pd.Series([1, 3], index=["x", "y"]), pd.Series([1, 2], index=["x", "y"]), "1 of 2 values differ"),
    (pd.Series([2, 1], index=["y", "x"]), pd.Series([1, 2], index=["x", "y"]), "another order"),
    (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1], "b": [2]}), "shape"),
    ([1, 2], 3, "a single number"),
    ("3", 3, "expected a number"),
])
def test_compare_reasons(answer, expected, reason):
    got = compare(answer, expected)
    if reason is None:
        assert got is None
    else:
        assert reason in got


def test_tolerance_and_hint(capsys):
    q = Check("Q", 1 / 3, rtol=1e-3)
    assert q.check(0.3333) == "correct"
    assert q.check(0.34) == "not yet: your answer is too high"
    assert Check("Q", 1, hint="add them up").hint() == "add them up"
    assert capsys.readouterr().out == "Q — hint: add them up\n"
