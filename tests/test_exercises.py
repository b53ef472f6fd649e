"""custlib.course.exercises: verdicts for right, wrong, rounded and missing answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from custlib.course.exercises import RTOL, Check, Verdict, compare, tolerance

VERDICTS = ("not attempted", "correct", "close: ", "not yet: ")
PER_CENT = "looks like a per cent; the question wants a fraction"


def _kind(verdict: str) -> str:
    assert verdict in ("not attempted", "correct") or verdict.startswith(("close: ", "not yet: ")), verdict
    return verdict.split(":")[0]


def test_not_attempted_correct_and_not_yet(capsys):
    q = Check("Q", lambda: 2_500.0)
    assert q.check(None) == "not attempted"
    assert q(2_500) == "correct"
    assert capsys.readouterr().out == "Q: correct\n"
    assert q.check(2_000) == "not yet: your answer is too low"
    assert "2500" not in q.check(3_000) and "2,500" not in q.check(3_000)  # never the answer


@pytest.mark.parametrize("answer, expected, reason", [
    (0.8, 0.8, None),
    (80, 0.8, PER_CENT),
    (0.25, 25.0, "looks like a fraction; the question wants a per cent"),
    ("R01", "R02", "is not the answer"),
    ([1, 2], [1, 2, 3], "expected 3 items"),
    (["b", "a"], ["a", "b"], "another order"),
    (pd.Series([1, 2], index=["x", "y"]), pd.Series([1, 2], index=["x", "y"]), None),
    (pd.Series([1, 3], index=["x", "y"]), pd.Series([1, 2], index=["x", "y"]), "1 of 2 values differ"),
    (pd.Series([2, 1], index=["y", "x"]), pd.Series([1, 2], index=["x", "y"]), "another order"),
    (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1], "b": [2]}), "shape"),
    ([1, 2], 3, "a single number"),
    ("3", 3, "expected a number"),
    (float("nan"), 0.5, "NaN"),
])
def test_compare_reasons(answer, expected, reason):
    got = compare(answer, expected)
    if reason is None:
        assert got is None
    else:
        assert reason in got and got.startswith("not yet: ")


def test_tolerance_suits_the_answer():
    assert tolerance(0.6486) == (RTOL, 1e-9) == (0.005, 1e-9)   # money, shares, averages
    assert tolerance(215)[0] == 0.0                              # a count is exact
    assert tolerance(0.6486, exact=True)[0] == 0.0
    assert tolerance(0.6486, rtol=1e-3)[0] == 1e-3
    assert Check("Q", 0.6486).check(0.649) == "correct"          # 0.06 % off
    assert Check("Q", 5_211_600.0).check(5_212_000) == "correct"  # an amount rounded to ¥1,000
    assert Check("Q", 215).check(216) == "not yet: your answer is too high"
    assert Check("Q", 215).check(215.0) == "correct"


def test_rounded_answers_are_close_and_say_how_many_decimals():
    assert Check("Q", 0.0712).check(0.07) == "close: your answer looks rounded too far; give it to 3 decimals"
    assert Check("Q", 0.6486, rtol=1e-4).check(0.65) == \
        "close: your answer looks rounded too far; give it to 4 decimals"
    assert Check("Q", 2 / 3, exact=True).check(0.67) == "close: your answer looks rounded; give it unrounded"
    assert Check("Q", 0.6486).check(0.65) == "correct"          # within 0.5 %: no need for more
    assert Check("Q", 0.0712).check(0.0) == "not yet: your answer is too low"   # not a rounding


def test_tolerance_and_hint(capsys):
    q = Check("Q", 1 / 3, rtol=1e-3)
    assert q.check(0.3333) == "correct"
    assert q.check(0.34) == "not yet: your answer is too high"
    assert Check("Q", 1, hint="add them up").hint() == "add them up"
    assert capsys.readouterr().out == "Q — hint: add them up\n"


def test_a_verdict_is_shown_once_in_a_notebook(capsys):
    """A called check prints its line; the returned verdict then displays nothing (the
    displayhook would otherwise show it again); an unprinted verdict shows once."""
    from IPython.core.formatters import DisplayFormatter

    fmt = DisplayFormatter()
    printed = Check("Exercise 1", 0.5)(0.5)
    assert isinstance(printed, Verdict) and printed == "correct" and printed.startswith("corr")
    assert capsys.readouterr().out == "Exercise 1: correct\n"
    assert fmt.format(printed) == ({}, {})                      # nothing more shown
    assert capsys.readouterr().out == ""
    quiet = Check("Exercise 2", 0.5).check(0.4)
    assert capsys.readouterr().out == ""
    assert fmt.format(quiet) == ({}, {})
    assert capsys.readouterr().out == "Exercise 2: not yet: your answer is too low\n"
    fmt.format(quiet)
    assert capsys.readouterr().out == ""                        # once only


# ---------------------------------------------------------------- properties

fractions = st.floats(min_value=0.001, max_value=1.0, allow_nan=False)
amounts = st.floats(min_value=1.0, max_value=1e9, allow_nan=False)
values = st.one_of(fractions, amounts, st.floats(min_value=-1e6, max_value=-0.01))


@settings(max_examples=300, deadline=None)
@given(values, st.floats(min_value=-0.0049, max_value=0.0049))
def test_an_answer_within_the_tolerance_is_always_correct(expected, u):
    assert Check("Q", expected).check(expected * (1 + u)) == "correct"


@settings(max_examples=300, deadline=None)
@given(values, st.floats(min_value=0.0052, max_value=0.5), st.booleans())
def test_an_answer_outside_the_tolerance_is_never_correct(expected, u, up):
    answer = expected * (1 + u if up else 1 - u)
    verdict = Check("Q", expected).check(answer)
    assert _kind(verdict) in ("close", "not yet")


@settings(max_examples=300, deadline=None)
@given(fractions, st.sampled_from([0, 1, 2, 4, None]))
def test_a_fraction_given_as_a_per_cent_always_says_so(expected, digits):
    answer = 100 * expected if digits is None else round(100 * expected, digits)
    assume(answer != 0)
    assume(not math.isclose(answer, expected, rel_tol=RTOL))
    # a per cent rounded so far that it is off by a fifth (2 for 1.56 %) is not recognised
    assume(abs(answer - 100 * expected) < 0.2 * 100 * expected)
    verdict = Check("Q", expected).check(answer)
    assert verdict.startswith("not yet: ") and PER_CENT in verdict


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0.0001, max_value=1.0), st.integers(min_value=1, max_value=4),
       st.sampled_from([None, 1e-4, 0.0]))
def test_a_rounded_answer_is_close_or_correct_never_not_yet(expected, digits, rtol):
    answer = round(expected, digits)
    assume(answer != 0 and abs(answer - expected) < 0.2 * expected)
    verdict = Check("Q", expected, rtol=rtol).check(answer)
    assert _kind(verdict) in ("correct", "close")
    if verdict.startswith("close: "):
        assert repr(expected) not in verdict and str(round(expected, digits + 1)) not in verdict


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=1000))
def test_a_count_must_be_exact(expected, off):
    q = Check("Q", expected)
    assert q.check(expected) == "correct"
    assert q.check(expected + off) == "not yet: your answer is too high"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), values, st.text(max_size=5), st.lists(st.integers(), max_size=3)),
       st.one_of(values, st.integers(), st.text(min_size=1, max_size=5)))
def test_every_verdict_is_one_of_four_and_never_shows_the_answer(answer, expected):
    verdict = Check("Q", expected).check(answer)
    assert verdict.startswith(VERDICTS)
    if verdict.startswith(("close: ", "not yet: ")) and not isinstance(answer, str):
        assert repr(expected) not in verdict.split(":", 1)[1] or repr(expected) in repr(answer)
