"""Checks for the lessons' "your turn" exercises.

A check compares the learner's answer with the expected one and says exactly one of:

* ``not attempted`` — the answer is still ``None`` (so an untouched lesson runs);
* ``correct``;
* ``close: <what to fix>`` — the right number, rounded too far (``0.65`` when the
  tolerance asks for ``0.649``): give more decimals;
* ``not yet: <why>`` — what is off (too high, a per cent instead of a fraction, wrong
  length, wrong labels…).

No verdict prints the expected answer. The expected answer is given as a value or
as a function computed when checking, so a lesson can compute it from whatever data
it was run on.

How close is close enough depends on the answer (:func:`tolerance`): a whole number
(a count) must be exact; any other number (money, a share, an average) is correct
within 0.5 % of the expected value, so a share given as ``0.649`` for ``0.6486`` or
an amount rounded to the yuan passes. ``Check(..., exact=True)`` asks for the exact
value (float noise aside) and ``Check(..., rtol=...)`` sets a tolerance of its own.

Examples
--------
>>> q = Check("Total revenue", expected=lambda: 1_000.0)
>>> q.check(None)
'not attempted'
>>> q.check(1_003), q.check(1_200)
('correct', 'not yet: your answer is too high')
>>> share = Check("Share", 0.0712)
>>> share.check(0.07)
'close: your answer looks rounded too far; give it to 3 decimals'
>>> share.check(7.12)
'not yet: your answer looks like a per cent; the question wants a fraction (0.25, not 25)'
>>> Check("Top rep", expected="R007").check("R001")
"not yet: 'R001' is not the answer"
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Check", "Verdict", "compare", "tolerance", "RTOL"]


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _is_whole_type(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


#: Relative tolerance of a number that is not a count: money, shares, averages.
RTOL = 0.005
#: Absolute tolerance for float noise (an expected 0 is matched within it).
ATOL = 1e-9


def tolerance(expected: Any, rtol: float | None = None, atol: float | None = None,
              exact: bool = False) -> tuple[float, float]:
    """The (relative, absolute) tolerance a check uses for ``expected``.

    Parameters
    ----------
    expected : object
        The right answer (a number, or a collection of numbers).
    rtol, atol : float, optional
        Tolerances given by the exercise; they win.
    exact : bool, default False
        The exercise asks for the exact value: relative tolerance 0 (``atol`` still
        absorbs float noise).

    Returns
    -------
    tuple of float
        ``(rtol, atol)``: exact for whole numbers (counts) and ``exact=True``, else
        :data:`RTOL` (0.5 %).

    Examples
    --------
    >>> tolerance(0.6486), tolerance(42), tolerance(0.6486, exact=True), tolerance(1.0, rtol=0.01)
    ((0.005, 1e-09), (0.0, 1e-09), (0.0, 1e-09), (0.01, 1e-09))
    """
    if rtol is None:
        whole = _is_whole_type(expected) or (
            isinstance(expected, (list, tuple, set, np.ndarray, pd.Series, pd.DataFrame))
            and _all_whole(expected))
        rtol = 0.0 if exact or whole else RTOL
    return float(rtol), float(ATOL if atol is None else atol)


def _all_whole(values) -> bool:
    if isinstance(values, pd.DataFrame):
        return all(pd.api.types.is_integer_dtype(t) for t in values.dtypes)
    if isinstance(values, (pd.Series, np.ndarray)):
        return pd.api.types.is_integer_dtype(values.dtype)
    items = list(values)
    return bool(items) and all(_is_whole_type(x) for x in items)


def _close(a: float, e: float, rtol: float, atol: float) -> bool:
    return math.isclose(a, e, rel_tol=rtol, abs_tol=atol)


def _decimals(x: float) -> int:
    """Decimals written in ``x`` (``0.65`` → 2, ``12.0`` → 0)."""
    if float(x).is_integer():
        return 0
    text = repr(float(x))
    if "e" in text:
        return 99
    return len(text.split(".")[1])


def _rounded_from(a: float, e: float, shift: int = 0) -> bool:
    """Is ``a`` the value ``e · 10**shift`` rounded to the decimals ``a`` is written with?"""
    d = _decimals(a)
    if d > 12 or a == 0:
        return False
    scaled = e * 10 ** shift
    return abs(a - scaled) <= 0.5 * 10 ** -d * (1 + 1e-9) + 1e-12 and abs(a - scaled) < 0.2 * abs(scaled)


def _number_reason(answer, expected, rtol: float, atol: float) -> str | None:
    a, e = float(answer), float(expected)
    if math.isnan(a):
        return "not yet: your answer is NaN (a division by zero, or an empty selection?)"
    if _close(a, e, rtol, atol):
        return None
    if e != 0:
        loose = max(rtol, RTOL)
        if _close(a / 100, e, loose, atol) or _rounded_from(a, e, 2):
            return ("not yet: your answer looks like a per cent; the question wants a fraction "
                    "(0.25, not 25)")
        if _close(a * 100, e, loose, atol) or _rounded_from(a * 100, e):
            return ("not yet: your answer looks like a fraction; the question wants a per cent "
                    "(25, not 0.25)")
    if _rounded_from(a, e):
        for n in range(_decimals(a) + 1, 13):
            if _close(round(e, n), e, rtol, atol):
                break
        if n > 6:
            return "close: your answer looks rounded; give it unrounded"
        return f"close: your answer looks rounded too far; give it to {n} decimals"
    return "not yet: your answer is too high" if a > e else "not yet: your answer is too low"


def compare(answer: Any, expected: Any, rtol: float | None = None, atol: float | None = None,
            exact: bool = False) -> str | None:
    """Compare a learner's answer with the expected one: ``None`` if it matches, else a reason.

    The reason says what is off without revealing the expected answer:

    * numbers — match when ``|a − e| <= max(rtol · max(|a|, |e|), atol)``
      (``math.isclose``) with the tolerance of :func:`tolerance` (exact for whole
      numbers, 0.5 % otherwise); otherwise "close: …" when the answer is the expected
      value rounded to fewer decimals than the tolerance needs, a hint when it is the
      expected value as a per cent (×100) or as a fraction (÷100), else "too high" /
      "too low";
    * text — the answer, stripped of surrounding spaces, must equal the expected text;
    * DataFrame — same shape, labels and values (values within the tolerances, dtypes
      ignored);
    * Series — same length and labels in the same order, values within the tolerances
      (numeric) or equal as text;
    * list, tuple, array — same length and items in order (numbers within the
      tolerances); a ``set`` in any order;
    * anything else — ``answer == expected``.

    Parameters
    ----------
    answer : object
        The learner's answer.
    expected : object
        The right answer; its type decides how the two are compared.
    rtol, atol : float, optional
        Tolerances (default: :func:`tolerance`).
    exact : bool, default False
        Ask for the exact value.

    Returns
    -------
    str or None
        ``None`` when the answer matches, else the verdict's reason, starting with
        ``close:`` or ``not yet:``.

    Examples
    --------
    >>> compare(0.649, 0.6486), compare(5, 4), compare(64.86, 0.6486)
    (None, 'not yet: your answer is too high', 'not yet: your answer looks like a per cent; the question wants a fraction (0.25, not 25)')
    >>> compare(0.67, 2 / 3, exact=True)
    'close: your answer looks rounded; give it unrounded'
    >>> compare(0.65, 0.6486, rtol=1e-4)
    'close: your answer looks rounded too far; give it to 4 decimals'
    >>> import pandas as pd
    >>> compare(pd.Series([1, 2, 4]), pd.Series([1, 2, 3])), compare(["b", "a"], ["a", "b"])
    ('not yet: 1 of 3 values differ', 'not yet: right items, but in another order')
    """
    reason = _compare(answer, expected, *tolerance(expected, rtol, atol, exact))
    if reason is None or reason.startswith(("close: ", "not yet: ")):
        return reason
    return f"not yet: {reason}"


def _compare(answer: Any, expected: Any, rtol: float, atol: float) -> str | None:
    if _is_number(expected):
        if isinstance(answer, (pd.Series, pd.DataFrame, list, tuple, np.ndarray)):
            return "expected a single number, got a collection"
        if not _is_number(answer):
            return f"expected a number, got {type(answer).__name__}"
        return _number_reason(answer, expected, rtol, atol)
    if isinstance(expected, str):
        if not isinstance(answer, str):
            return f"expected text, got {type(answer).__name__}"
        return None if answer.strip() == expected else f"{answer!r} is not the answer"
    if isinstance(expected, pd.DataFrame):
        if not isinstance(answer, pd.DataFrame):
            return f"expected a DataFrame, got {type(answer).__name__}"
        if answer.shape != expected.shape:
            return f"expected a table of shape {expected.shape}, yours is {answer.shape}"
        try:
            pd.testing.assert_frame_equal(answer, expected, check_dtype=False, check_names=False,
                                          check_exact=False, rtol=rtol, atol=atol,
                                          check_categorical=False)
        except AssertionError:
            return "same shape, but some labels or values differ"
        return None
    if isinstance(expected, pd.Series):
        if not isinstance(answer, pd.Series):
            return f"expected a Series, got {type(answer).__name__}"
        if len(answer) != len(expected):
            return f"expected {len(expected)} values, yours has {len(answer)}"
        if not answer.index.equals(expected.index):
            if set(answer.index) == set(expected.index):
                return "right labels, but in another order"
            return "the labels (index) differ"
        a = answer.to_numpy()
        e = expected.to_numpy()
        if pd.api.types.is_numeric_dtype(expected) and pd.api.types.is_numeric_dtype(answer):
            ok = np.isclose(a.astype(float), e.astype(float), rtol=rtol, atol=atol)
        else:
            ok = a.astype(str) == e.astype(str)
        return None if ok.all() else f"{int((~ok).sum())} of {len(ok)} values differ"
    if isinstance(expected, (list, tuple, set, np.ndarray)):
        if not isinstance(answer, (list, tuple, set, np.ndarray, pd.Series, pd.Index)):
            return f"expected a list, got {type(answer).__name__}"
        a, e = list(answer), list(expected)
        if len(a) != len(e):
            return f"expected {len(e)} items, yours has {len(a)}"
        if isinstance(expected, set):
            return None if set(a) == set(e) else "some items differ"
        if all(_is_number(x) for x in e) and all(_is_number(x) for x in a):
            ok = np.isclose(np.asarray(a, float), np.asarray(e, float), rtol=rtol, atol=atol)
            return None if ok.all() else f"{int((~ok).sum())} of {len(e)} items differ"
        if sorted(map(str, a)) == sorted(map(str, e)) and a != e:
            return "right items, but in another order"
        return None if [str(x) for x in a] == [str(x) for x in e] else "some items differ"
    return None if answer == expected else "that is not the answer"


class Verdict(str):
    """A check's verdict: a ``str`` (``==``, ``startswith`` work) shown once in a notebook.

    :meth:`Check.__call__` prints the verdict with the exercise's name and returns it;
    IPython would then show the returned string a second time as the cell's result.
    A verdict that was printed displays nothing; one that was not (from
    :meth:`Check.check`) prints its line once when displayed.
    """

    line: str = ""
    shown: bool = False

    def __new__(cls, text: str, line: str = "", shown: bool = False):
        self = super().__new__(cls, text)
        self.line, self.shown = line or text, shown
        return self

    def _ipython_display_(self) -> None:
        if not self.shown:
            self.shown = True
            print(self.line)


class Check:
    """One exercise's check.

    Parameters
    ----------
    name : str
        Shown with the verdict.
    expected : value or callable
        The right answer, or a function of no arguments returning it.
    rtol, atol : float, optional
        Tolerances for numbers (default: :func:`tolerance`: exact for a count, 0.5 %
        for any other number).
    exact : bool, default False
        The exercise asks for the exact value.
    hint : str, optional
        Shown by :meth:`hint`.

    Examples
    --------
    >>> q = Check("Exercise 1", 0.6486)
    >>> v = q(0.6486)
    Exercise 1: correct
    >>> v == "correct", isinstance(v, str)
    (True, True)
    """

    def __init__(self, name: str, expected: Any | Callable[[], Any], *, rtol: float | None = None,
                 atol: float | None = None, exact: bool = False, hint: str | None = None) -> None:
        self.name, self._expected, self._hint = name, expected, hint
        self.rtol, self.atol, self.exact = rtol, atol, exact

    def expected(self) -> Any:
        return self._expected() if callable(self._expected) else self._expected

    def check(self, answer: Any, quiet: bool = True) -> Verdict:
        """The verdict for ``answer``: 'not attempted', 'correct', 'close: …' or 'not yet: …'."""
        if answer is None or answer is Ellipsis:
            verdict = "not attempted"
        else:
            reason = compare(answer, self.expected(), self.rtol, self.atol, self.exact)
            verdict = "correct" if reason is None else reason
        line = f"{self.name}: {verdict}"
        if not quiet:
            print(line)
        return Verdict(verdict, line, shown=not quiet)

    def __call__(self, answer: Any) -> Verdict:
        """Print the verdict and return it (what a lesson cell calls); shown once."""
        return self.check(answer, quiet=False)

    def hint(self) -> str:
        text = self._hint or "no hint for this one: re-read the section above the exercise"
        print(f"{self.name} — hint: {text}")
        return text
