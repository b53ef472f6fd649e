"""Checks for the lessons' "your turn" exercises.

A check compares the learner's answer with the expected one and says one of:

* ``not attempted`` — the answer is still ``None`` (so an untouched lesson runs);
* ``correct``;
* ``not yet: <why>`` — what is off (too high, wrong length, wrong labels…) without
  printing the expected answer.

The expected answer is given as a value or as a function computed when checking,
so a lesson can compute it from whatever data it was run on.

Examples
--------
>>> q = Check("Total revenue", expected=lambda: 1_000)
>>> q.check(None)
'not attempted'
>>> q.check(1_000)
'correct'
>>> q.check(1_200)
'not yet: your answer is too high'
>>> Check("Top rep", expected="R007").check("R001")
"not yet: 'R001' is not the answer"
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Check", "compare"]


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def compare(answer: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> str | None:
    """Compare a learner's answer with the expected one: ``None`` if it matches, else a reason.

    The reason says what is off without revealing the expected answer:

    * numbers — match when ``|a − e| <= max(rtol · max(|a|, |e|), atol)``
      (``math.isclose``); otherwise "too high" / "too low", or a hint when the answer
      is exactly 100 times the expected one (a percentage instead of a fraction);
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
    rtol : float, default 1e-6
        Relative tolerance for numbers.
    atol : float, default 1e-9
        Absolute tolerance for numbers.

    Returns
    -------
    str or None
        ``None`` when the answer matches, else the reason (one short sentence).

    Examples
    --------
    >>> compare(0.5, 0.5), compare(5, 4), compare(50, 0.5)
    (None, 'your answer is too high', 'your answer is 100 times too large: a percentage instead of a fraction?')
    >>> import pandas as pd
    >>> compare(pd.Series([1, 2, 4]), pd.Series([1, 2, 3])), compare(["b", "a"], ["a", "b"])
    ('1 of 3 values differ', 'right items, but in another order')
    """
    if _is_number(expected):
        if isinstance(answer, (pd.Series, pd.DataFrame, list, tuple, np.ndarray)):
            return "expected a single number, got a collection"
        if not _is_number(answer):
            return f"expected a number, got {type(answer).__name__}"
        if math.isclose(float(answer), float(expected), rel_tol=rtol, abs_tol=atol):
            return None
        ratio = float(answer) / float(expected) if expected else math.inf
        if expected and math.isclose(ratio, 100, rel_tol=1e-6):
            return "your answer is 100 times too large: a percentage instead of a fraction?"
        return "your answer is too high" if answer > expected else "your answer is too low"
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


class Check:
    """One exercise's check.

    Parameters
    ----------
    name : str
        Shown with the verdict.
    expected : value or callable
        The right answer, or a function of no arguments returning it.
    rtol, atol : float
        Tolerances for numbers.
    hint : str, optional
        Shown by :meth:`hint`.
    """

    def __init__(self, name: str, expected: Any | Callable[[], Any], *, rtol: float = 1e-6,
                 atol: float = 1e-9, hint: str | None = None) -> None:
        self.name, self._expected, self.rtol, self.atol, self._hint = name, expected, rtol, atol, hint

    def expected(self) -> Any:
        return self._expected() if callable(self._expected) else self._expected

    def check(self, answer: Any, quiet: bool = True) -> str:
        """The verdict for ``answer``: 'not attempted', 'correct' or 'not yet: …'."""
        if answer is None or answer is Ellipsis:
            verdict = "not attempted"
        else:
            reason = compare(answer, self.expected(), self.rtol, self.atol)
            verdict = "correct" if reason is None else f"not yet: {reason}"
        if not quiet:
            print(f"{self.name}: {verdict}")
        return verdict

    def __call__(self, answer: Any) -> str:
        """Print and return the verdict (what a lesson cell calls)."""
        return self.check(answer, quiet=False)

    def hint(self) -> str:
        text = self._hint or "no hint for this one: re-read the section above the exercise"
        print(f"{self.name} — hint: {text}")
        return text
