"""The shared checkers of ``custlib._validate``, and one message per bad argument.

Each checker is tried both ways: a good argument is returned, a bad one raises with the
exact message. Then the same bad argument (a misaligned Series, an ``as_of`` that is not
a date, a probability of 1.5, ...) is given to several public methods: they raise the
same error with the same text, the argument's name aside.
"""

from __future__ import annotations

import datetime
import re
import types

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib import funnel, grading, keyaccount, lifecycle, migration, period, predict, pyramid
from custlib import segmentation, summary, value
from custlib._validate import (check_aligned, check_choice, check_date, check_date_series,
                               check_flag, check_fraction, check_probability, check_scalar)

AS_OF = "2025-12-31"


def _raises(call, error, message):
    with pytest.raises(error) as err:
        call()
    assert type(err.value) is error
    assert str(err.value) == message
    return err


# --- check_scalar -------------------------------------------------------------------------

@pytest.mark.parametrize("x, kwargs", [
    (0, {"low": 0}), (1.0, {"low": 0, "high": 1}), (np.float64(0.5), {"low": 0, "high": 1}),
    (np.int64(3), {"low": 1, "integral": True}), (3.0, {"low": 0, "integral": True}),
    (-0.5, {"low": -1, "include_low": False}), (float("inf"), {"finite": False}),
    (True, {"kind": (bool, int)}), ("text", {"kind": str}),
])
def test_check_scalar_accepts_and_returns(x, kwargs):
    assert check_scalar(x, "x", **kwargs) is x


@pytest.mark.parametrize("x, kwargs, error, message", [
    ("five", {"low": 0}, TypeError, "prospects must be a number, got str 'five'"),
    (None, {}, TypeError, "prospects must be a number, got NoneType None"),
    (True, {}, TypeError, "prospects must be a number, got bool True"),
    (2.0, {"kind": int}, TypeError, "prospects must be an integer, got float 2.0"),
    (1.5, {"integral": True}, ValueError, "prospects must be a whole number, got 1.5"),
    (-1, {"low": 0}, ValueError, "prospects must be >= 0, got -1"),
    (0, {"low": 0, "include_low": False}, ValueError, "prospects must be > 0, got 0"),
    (2, {"high": 1}, ValueError, "prospects must be <= 1, got 2"),
    (1, {"high": 1, "include_high": False}, ValueError, "prospects must be < 1, got 1"),
    (1.5, {"low": 0, "high": 1}, ValueError, "prospects must be between 0 and 1, got 1.5"),
    (1.0, {"low": 0, "high": 1, "include_high": False}, ValueError,
     "prospects must be in [0, 1), got 1.0"),
    (0, {"low": 0, "high": 1, "include_low": False}, ValueError,
     "prospects must be in (0, 1], got 0"),
    (0, {"low": 1, "integral": True}, ValueError, "prospects must be a whole number >= 1, got 0"),
    (float("nan"), {"low": 0}, ValueError, "prospects must be >= 0 and finite, got nan"),
    (float("inf"), {}, ValueError, "prospects must be finite, got inf"),
])
def test_check_scalar_rejects_with_what_was_expected_and_found(x, kwargs, error, message):
    _raises(lambda: check_scalar(x, "prospects", **kwargs), error, message)


bounds = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-1e6, 1e6, allow_nan=False), low=bounds, high=bounds,
       include_low=st.booleans(), include_high=st.booleans())
def test_check_scalar_passes_exactly_the_values_within_the_bounds(x, low, high, include_low,
                                                                  include_high):
    inside = ((low is None or (x >= low if include_low else x > low))
              and (high is None or (x <= high if include_high else x < high)))
    kw = dict(low=low, high=high, include_low=include_low, include_high=include_high)
    if inside:
        assert check_scalar(x, "x", **kw) == x
    else:
        with pytest.raises(ValueError, match=r"^x must be .*, got ") as err:
            check_scalar(x, "x", **kw)
        assert str(err.value).endswith(f", got {x}")


@settings(max_examples=100, deadline=None)
@given(x=st.integers(-10**6, 10**6), low=st.integers(-10, 10))
def test_whole_numbers_as_int_or_float(x, low):
    for v in (x, float(x)):
        if v >= low:
            assert check_scalar(v, "n", low=low, integral=True) == v
        else:
            _raises(lambda v=v: check_scalar(v, "n", low=low, integral=True), ValueError,
                    f"n must be a whole number >= {low}, got {v}")


# --- fractions and probabilities ------------------------------------------------------------

def test_check_fraction_keeps_its_messages():
    assert check_fraction("0.25", "share") == 0.25
    assert check_fraction(1, "share") == 1.0
    _raises(lambda: check_fraction(5, "close_rate"), ValueError,
            "close_rate must be between 0.0 and 1.0, got 5")
    _raises(lambda: check_fraction(float("nan"), "close_rate"), ValueError,
            "close_rate must be between 0.0 and 1.0, got nan")
    _raises(lambda: check_fraction("a lot", "close_rate"), TypeError,
            "close_rate must be a number between 0.0 and 1.0, got 'a lot'")
    _raises(lambda: check_fraction(0.5, "x", low=0.6, high=0.9), ValueError,
            "x must be between 0.6 and 0.9, got 0.5")


def test_check_probability_of_a_number_and_of_a_series():
    assert check_probability(0, "p") == 0.0 and check_probability(1, "p") == 1.0
    s = pd.Series([0.0, 0.5, 1.0])
    assert check_probability(s, "p") is s
    assert check_probability(pd.Series([], dtype=float), "p").empty
    _raises(lambda: check_probability(1.5, "p"), ValueError,
            "p must be between 0.0 and 1.0, got 1.5")
    _raises(lambda: check_probability(-0.1, "p"), ValueError,
            "p must be between 0.0 and 1.0, got -0.1")
    _raises(lambda: check_probability(pd.Series([0.5, 75.0], index=["a", "b"]), "p"),
            ValueError, "p must be between 0.0 and 1.0 (a fraction, not a percentage); "
                        "found 1 values above 1, e.g. at ['b']")
    _raises(lambda: check_probability(pd.Series([-0.5]), "p"), ValueError,
            "p must be >= 0; found 1 negative values, e.g. at [0]")
    _raises(lambda: check_probability(pd.Series([], dtype=float), "p", allow_empty=False),
            ValueError, "p is empty: expected at least one value")


# --- choices, dates, flags, alignment --------------------------------------------------------

def test_check_choice():
    assert check_choice("W", "freq", ["D", "W"]) == "W"
    s = pd.Series(["A", "B"])
    assert check_choice(s, "grades", ("A", "B", "C")) is s
    _raises(lambda: check_choice("Y", "freq", ["D", "W"]), ValueError,
            "freq must be one of ['D', 'W'], got 'Y'")
    _raises(lambda: check_choice(["D"], "freq", ["D", "W"]), ValueError,
            "freq must be one of ['D', 'W'], got ['D']")
    _raises(lambda: check_choice("Y", "freq", {"D": 1}, note="the time unit of T"), ValueError,
            "freq must be one of ['D'] (the time unit of T), got 'Y'")
    _raises(lambda: check_choice(pd.Series(["A", "E", "F", "E"]), "grades", "AB"), ValueError,
            "grades must be one of ['A', 'B']; found 3 other values, e.g. ['E', 'F']")


@pytest.mark.parametrize("good", [
    "2025-12-31", datetime.date(2025, 12, 31), datetime.datetime(2025, 12, 31),
    np.datetime64("2025-12-31"), pd.Timestamp("2025-12-31"),
])
def test_check_date_accepts_the_date_likes(good):
    assert check_date(good, "as_of") == pd.Timestamp("2025-12-31")


@pytest.mark.parametrize("bad", [
    "not a date", "", None, pd.NaT, np.datetime64("NaT"), 20251231, 2025.5, True,
    "2025-13-45", ["2025-12-31"],
])
def test_check_date_rejects_with_one_message(bad):
    _raises(lambda: check_date(bad, "as_of"), ValueError,
            f"as_of must be a date such as '2025-12-31', got {bad!r}")


def test_check_date_series_and_check_flag():
    d = pd.Series(pd.to_datetime(["2025-01-01", None]))
    assert check_date_series(d, "close") is d
    _raises(lambda: check_date_series(["2025-01-01"], "close"), TypeError,
            "close must be a pandas Series of dates, got list")
    _raises(lambda: check_date_series(pd.Series([1, 2]), "close"), TypeError,
            "close must be datetime64 (use custlib.io.load or pd.to_datetime), got dtype int64")
    f = pd.Series([True, False])
    assert check_flag(f, "flag") is f
    _raises(lambda: check_flag([True], "flag"), TypeError,
            "flag must be a boolean pandas Series, got list")
    _raises(lambda: check_flag(pd.Series([1, 0]), "flag"), TypeError,
            "flag must be boolean (True/False), got dtype int64")


def test_check_aligned():
    ref = pd.Series([1, 2, 3], index=["a", "b", "c"])
    x = pd.Series([0, 0, 0], index=["a", "b", "c"])
    assert check_aligned(x, ref, "x", "ref") is x
    assert check_aligned(x.to_frame(), ref.index, "x", "ref") is not None
    head = "x must have the same index as ref (one row each); found "
    _raises(lambda: check_aligned(x.iloc[:2], ref, "x", "ref"), ValueError,
            head + "2 rows against 3")
    _raises(lambda: check_aligned(x.set_axis(["a", "b", "z"]), ref, "x", "ref"), ValueError,
            head + "1 labels not in ref, e.g. ['z']")
    _raises(lambda: check_aligned(x.set_axis(["c", "b", "a"]), ref, "x", "ref"), ValueError,
            head + "the same 3 rows in another order")
    _raises(lambda: check_aligned([0, 0, 0], ref, "x", "ref"), TypeError,
            "x must be a pandas Series with the same index as ref, got list")


# --- the same bad argument, the same message, in every method ---------------------------------

def _dates(*values):
    return pd.Series(pd.to_datetime(list(values)))


ORDERS = pd.DataFrame({"customer_id": ["A", "A", "B"],
                       "order_date": pd.to_datetime(["2025-01-05", "2025-03-01", "2025-02-01"]),
                       "amount": [100.0, 50.0, 80.0]})
CUSTOMERS = pd.DataFrame({"customer_id": ["A", "B"], "estimators": [10, 5],
                          "seats_owned": [2, 5], "competitor_seats": [0, 0],
                          "importance": ["important", "general"],
                          "first_purchase_date": pd.to_datetime(["2020-01-01", "2024-01-01"])})
CRM = types.SimpleNamespace(orders=ORDERS, currency="USD", synthetic=False, policy={},
                            as_of=None)
SUMMARY = pd.DataFrame({"frequency": [1, 0], "recency": [55, 0], "T": [360, 333],
                        "monetary_value": [50.0, 0.0]})
BG = dict(r=0.243, alpha=4.4, a=0.793, b=2.426)


def _same(cases, template):
    """Each call raises ValueError with ``template`` filled with its argument's name(s)."""
    for call, names in cases:
        with pytest.raises(ValueError) as err:
            call()
        assert type(err.value) is ValueError
        assert str(err.value) == template.format(*names), call


MISALIGNED = [
    (lambda: grading.grade_by_probability(pd.Series([0.5, 0.6]), _dates("2026-01-01"), AS_OF),
     ("expected_close", "probability")),
    (lambda: grading.grade_by_probability(pd.Series([0.5, 0.6]), _dates("2026-01-01", None),
                                          AS_OF, loyal_referrer=pd.Series([True])),
     ("loyal_referrer", "probability")),
    (lambda: grading.market_space(pd.Series([5, 6]), pd.Series([0])),
     ("seats_owned", "estimators")),
    (lambda: grading.rep_workload(pd.Series(["A", "B"]), pd.Series(["R1"])), ("rep", "grades")),
    (lambda: grading.rep_workload(pd.Series(["A", "B"]), pd.Series(["R1", "R1"]),
                                  pd.Series(["general"])), ("importance", "grades")),
    (lambda: pyramid.tier_table(pd.Series([5.0, 6.0]), pd.Series(["vip"])), ("tier", "revenue")),
]


def test_a_misaligned_series_gets_the_same_message_everywhere():
    _same(MISALIGNED, "{} must have the same index as {} (one row each); found 1 rows against 2")


BAD_DATE = "not a date"
BAD_AS_OF = [
    (lambda: grading.grade_by_time_to_close(_dates("2026-01-01"), BAD_DATE), ("as_of",)),
    (lambda: grading.grade_by_probability(pd.Series([0.5]), _dates("2026-01-01"), BAD_DATE),
     ("as_of",)),
    (lambda: grading.important_revenue_for(CRM, BAD_DATE), ("as_of",)),
    (lambda: value.rfm_summary(ORDERS, as_of=BAD_DATE), ("as_of",)),
    (lambda: lifecycle.lifecycle_features(ORDERS, BAD_DATE), ("as_of",)),
    (lambda: segmentation.relationship_classes(_dates("2025-01-01"), _dates("2025-01-01"),
                                               pd.Series([1.0]), BAD_DATE), ("as_of",)),
    (lambda: keyaccount.criteria_frame(CUSTOMERS, ORDERS, None, BAD_DATE), ("as_of",)),
    (lambda: summary.customer_summary(ORDERS, BAD_DATE, engine="pandas"), ("as_of",)),
    (lambda: predict.holdout_check(ORDERS, "2025-02-01", BAD_DATE), ("as_of",)),
    (lambda: predict.holdout_check(ORDERS, BAD_DATE), ("calibration_end",)),
    (lambda: pyramid.pyramid_cutoffs(CRM, BAD_DATE), ("as_of",)),
    (lambda: pyramid.thresholds_for(CRM, BAD_DATE), ("as_of",)),
    (lambda: pyramid.customer_layers(CUSTOMERS, ORDERS, start=BAD_DATE, end=AS_OF), ("start",)),
    (lambda: period.as_of(CRM, BAD_DATE), ("as_of",)),
    (lambda: funnel.weighted_forecast(
        pd.DataFrame({"stage": ["prospect_1"], "expected_value": [1.0], "probability": [0.5],
                      "expected_close_date": pd.to_datetime(["2026-01-01"])}),
        close_by=BAD_DATE), ("close_by",)),
]


def test_a_bad_date_gets_the_same_message_everywhere():
    _same(BAD_AS_OF, "{} must be a date such as '2025-12-31', got 'not a date'")


@pytest.mark.parametrize("bad", [None, pd.NaT, "", 20251231])
def test_every_kind_of_bad_as_of_is_caught_before_it_reaches_pandas(bad):
    for call in (lambda: lifecycle.lifecycle_features(ORDERS, bad),
                 lambda: keyaccount.criteria_frame(CUSTOMERS, ORDERS, None, bad),
                 lambda: segmentation.relationship_classes(_dates("2025-01-01"),
                                                           _dates("2025-01-01"),
                                                           pd.Series([1.0]), bad),
                 lambda: grading.grade_by_time_to_close(_dates("2026-01-01"), bad)):
        _raises(call, ValueError, f"as_of must be a date such as '2025-12-31', got {bad!r}")


R = pd.Series([5.0, 3.0, 1.0], index=["a", "b", "c"])
P = 1.5
BAD_PROBABILITY = [
    (lambda: segmentation.management_roles(R, R * 0, R * 0 + 2, key_share=P), ("key_share",)),
    (lambda: segmentation.relationship_classes(_dates("2025-01-01"), _dates("2025-01-01"),
                                               pd.Series([1.0]), AS_OF, big_share=P),
     ("big_share",)),
    (lambda: keyaccount.matrix(R / 5, R / 5, cutoff=P), ("cutoff",)),
    (lambda: migration.meeting_what_if(1_000_000, P), ("share_met",)),
    (lambda: funnel.sales_velocity(10, 1_000, P, 30), ("win_rate",)),
    (lambda: funnel.expected_closes(20, close_rate=P), ("close_rate",)),
    (lambda: funnel.pipeline_shape(pd.DataFrame({"rep_id": ["R1"], "stage": ["won"]}),
                                   pileup_share=P), ("pileup_share",)),
    (lambda: pyramid.top_share(R, P), ("fraction",)),
    (lambda: pyramid.abc_classes(R, cutoffs=(0.5, P)), ("cutoff",)),
    (lambda: predict.at_risk(SUMMARY, BG, threshold=P), ("threshold",)),
    (lambda: predict.at_risk(SUMMARY, BG, value_share=P), ("value_share",)),
]


def test_a_probability_of_one_and_a_half_gets_the_same_message_everywhere():
    _same(BAD_PROBABILITY, "{} must be between 0.0 and 1.0, got 1.5")


BAD_PROBABILITIES = [
    (lambda: grading.grade_by_probability(pd.Series([P]), _dates("2026-01-01"), AS_OF),
     ("probability",)),
    (lambda: funnel.weighted_forecast(pd.DataFrame({"stage": ["prospect_1"],
                                                    "expected_value": [1.0],
                                                    "probability": [P]})),
     ("opportunities['probability']",)),
    (lambda: funnel.sales_velocity(10, 1_000, pd.Series([P]), 30), ("win_rate",)),
]


def test_a_series_of_percentages_gets_the_same_message_everywhere():
    _same(BAD_PROBABILITIES, "{} must be between 0.0 and 1.0 (a fraction, not a percentage); "
                             "found 1 values above 1, e.g. at [0]")


def test_a_bad_count_of_months_gets_the_same_message_everywhere():
    _same([(lambda: predict.predicted_clv(BG, None, 1, 1, 2, 10.0, months=0), ("months",)),
           (lambda: predict.at_risk(SUMMARY, BG, months=0), ("months",)),
           (lambda: summary.customer_summary(ORDERS, AS_OF, months=0), ("months",))],
          "{} must be a whole number >= 1, got 0")


@pytest.mark.parametrize("call, message", [
    (lambda: predict.predicted_clv(BG, None, 1, 1, 2, 10.0, months=0),
     "months must be a whole number >= 1, got 0"),
    (lambda: summary.customer_summary(ORDERS, AS_OF, months=0),
     "months must be a whole number >= 1, got 0"),
    (lambda: value.clv_finite(1_000, 0.8, 0.1, 2.5), "years must be a whole number >= 0, got 2.5"),
    (lambda: value.rfm_scores(SUMMARY, bins=1), "bins must be a whole number >= 2, got 1"),
    (lambda: value.clv_perpetual(1_000, [0.5, 1.2]), "retention must be in [0, 1), got 1.2"),
    (lambda: value.clv_perpetual(1_000, 0.5, -1), "discount_rate must be > -1, got -1.0"),
    (lambda: predict.predicted_clv(BG, None, 1, 1, 2, 10.0, discount_rate=-1),
     "discount_rate must be > -1, got -1"),
    (lambda: grading.contact_cadence(weeks_per_month=0), "weeks_per_month must be > 0, got 0"),
    (lambda: grading.rep_workload(pd.Series(["A"]), pd.Series(["R1"]), weeks_per_month=0),
     "weeks_per_month must be > 0, got 0"),
    (lambda: funnel.activity_needed(4, {"won": 0.2}, weeks=0), "weeks must be > 0, got 0"),
    (lambda: funnel.expected_closes(-1), "prospects must be >= 0, got -1"),
])
def test_numbers_out_of_range_read_alike(call, message):
    _raises(call, ValueError, message)


@pytest.mark.parametrize("call, message", [
    (lambda: lifecycle.lifecycle_stage(pd.DataFrame({"tenure": [1], "recency": [1],
                                                     "trend": [0.0]}), "bogus"),
     "scheme must be one of ['operator', 'textbook'], got 'bogus'"),
    (lambda: lifecycle.stage_tasks("bogus"),
     "scheme must be one of ['operator', 'textbook'], got 'bogus'"),
    (lambda: summary.customer_summary(ORDERS, engine="bogus"),
     "engine must be one of ['auto', 'pandas', 'duckdb'], got 'bogus'"),
    (lambda: funnel.win_rate(pd.DataFrame({"stage": ["won"]}), reached="bogus"),
     ("reached must be one of ['opportunity', 'first_appointment', 'prospect_1', 'prospect_2', "
      "'prospect_3', 'won'], got 'bogus'")),
    (lambda: predict.predicted_clv(BG, None, 1, 1, 2, 10.0, freq="bogus"),
     "freq must be one of ['D', 'H', 'M', 'W'] (the time unit of T), got 'bogus'"),
])
def test_a_value_not_among_the_choices_reads_alike(call, message):
    _raises(call, ValueError, message)


def test_no_method_writes_the_alignment_message_itself():
    """The one wording lives in check_aligned; the method modules call it."""
    from pathlib import Path

    package = Path(value.__file__).parent
    writers = [p.name for p in package.glob("*.py")
               if p.name != "_validate.py"
               and re.search(r"must have the same index", p.read_text(encoding="utf-8"))]
    assert writers == []
