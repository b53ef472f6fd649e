"""custlib.grading: the A/B/C/D grades of digest §10, cadence, workload, and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib import schema
from custlib.grading import (GRADES, WEEKS_PER_MONTH, contact_cadence, grade_by_probability,
                             grade_by_time_to_close, grade_characteristics, market_space,
                             rep_workload, user_importance)
from custlib.policy import GRADING

AS_OF = pd.Timestamp("2025-12-31")  # the synthetic snapshot


@pytest.fixture(scope="module")
def opportunities(crm) -> pd.DataFrame:
    return crm.opportunities


@pytest.fixture(scope="module")
def customers(crm) -> pd.DataFrame:
    return crm.customers


def dates(*values) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)))


# --- version 1 --------------------------------------------------------------------------

def test_time_to_close_boundaries_are_calendar_months():
    d = dates("2025-06-01",  # already past: due now
              "2025-12-31", "2026-03-31", "2026-04-01", "2026-06-30", "2026-07-01",
              "2026-12-31", "2027-01-01", None)
    assert grade_by_time_to_close(d, AS_OF).tolist() == [
        "A", "A", "A", "B", "B", "C", "C", "D", "D"]


def test_time_to_close_month_end_is_clipped():
    # 2025-11-30 + 3 calendar months = 2026-02-28 (no 30 February)
    d = dates("2026-02-28", "2026-03-01")
    assert grade_by_time_to_close(d, "2025-11-30").tolist() == ["A", "B"]


def test_time_to_close_policy_is_overridable():
    d = dates("2026-01-15", "2026-02-15", "2026-03-15", "2026-05-15")
    assert grade_by_time_to_close(d, AS_OF, close_months=(1, 2, 3)).tolist() == [
        "A", "B", "C", "D"]


def test_grades_are_ordered_categoricals_keeping_the_index():
    d = pd.Series(pd.to_datetime(["2026-01-15", None]), index=["K1", "K2"])
    g = grade_by_time_to_close(d, AS_OF)
    assert g.index.tolist() == ["K1", "K2"] and g.name == "grade"
    assert g.cat.ordered and g.cat.categories.tolist() == list(GRADES)
    assert g.iloc[0] < g.iloc[1]  # A is better than (comes before) D


def test_characteristics_table_matches_the_digest():
    t = grade_characteristics()
    assert list(t.columns) == ["label", "label_zh", "A", "B", "C", "D"]
    rows = t[list(GRADES)]
    assert rows.loc["objective_need"].tolist() == ["Y", "Y", "Y", "Y"]
    assert rows.loc["subjective_need"].tolist() == ["Y", "Y", "Y", "N"]
    assert rows.loc["resolve"].tolist() == ["high", "high/medium", "medium/low", "low/none"]
    assert rows.loc["feasibility_study"].tolist() == ["Y", "Y/N", "Y/N", "N"]
    assert rows.loc["vendor_selection"].tolist() == ["Y", "N", "N", "N"]
    assert rows.loc["closes_within"].tolist() == ["≤ 3 months", "4–6 months", "7–12 months",
                                                  "later / none"]
    assert t["label_zh"].str.len().gt(0).all()


# --- version 2 --------------------------------------------------------------------------

def test_probability_grades_at_the_boundaries():
    p = pd.Series([0.75, 0.75, 0.50, 0.50, 0.74, 0.20, 0.19, 0.99, 0.95])
    d = dates("2026-01-31",  # exactly one month: A
              "2026-02-01",  # a day later: B
              "2026-03-31",  # exactly three months at 50 %: B
              "2026-04-01",  # a day later: C (still engaged)
              "2026-01-10",  # 74 % within a month: B
              "2027-06-01",  # 20 %, any date: C
              "2026-01-10",  # below 20 %: D
              "2025-11-01",  # overdue: due now, A
              None)          # no date: never A or B
    assert grade_by_probability(p, d, AS_OF).tolist() == [
        "A", "B", "B", "C", "B", "C", "D", "A", "C"]


def test_probability_or_clauses():
    p = pd.Series([0.05, 0.05, 0.05, 0.9, 0.05])
    d = dates("2027-01-01", "2027-01-01", "2027-01-01", "2026-01-15", None)
    influence = pd.Series([True, False, False, False, False])
    system = pd.Series([False, True, False, False, False])
    referrer = pd.Series([False, False, True, True, pd.NA], dtype="boolean")
    g = grade_by_probability(p, d, AS_OF, wide_influence=influence, system_customer=system,
                             loyal_referrer=referrer)
    # an "or" clause never makes a grade worse: the A stays A despite the referrer flag
    assert g.tolist() == ["A", "A", "B", "A", "D"]


def test_probability_policy_is_overridable():
    p = pd.Series([0.6, 0.4, 0.1])
    d = dates("2026-01-10", "2026-05-01", "2026-05-01")
    assert grade_by_probability(p, d, AS_OF).tolist() == ["B", "C", "D"]
    assert grade_by_probability(p, d, AS_OF, min_probability=(0.6, 0.4), within_months=(1, 6),
                                c_min_probability=0.05).tolist() == ["A", "B", "C"]


def test_probability_grades_on_the_synthetic_pipeline(opportunities):
    open_ = opportunities[opportunities["stage"].isin(schema.OPEN_STAGES)]
    g = grade_by_probability(open_["probability"], open_["expected_close_date"], AS_OF)
    assert len(g) == len(open_) and g.notna().all()
    by_stage = pd.crosstab(open_["stage"], g)
    # prospect 3 is the closing stage: nearly all A; opportunities are nearly all D
    assert by_stage.loc["prospect_3", "A"] >= 0.9 * by_stage.loc["prospect_3"].sum()
    assert by_stage.loc["opportunity", "D"] >= 0.9 * by_stage.loc["opportunity"].sum()


# --- properties -------------------------------------------------------------------------

offsets = st.one_of(st.none(), st.integers(-90, 800))
probabilities = st.floats(0, 1, allow_nan=False)
rows = st.lists(st.tuples(probabilities, probabilities, offsets, offsets, st.booleans(),
                          st.booleans()), min_size=1, max_size=60)


def _close(offsets_) -> pd.Series:
    return pd.Series([pd.NaT if o is None else AS_OF + pd.Timedelta(days=o) for o in offsets_],
                     dtype="datetime64[ns]")


def _later(a, b):
    """(sooner, later) of two offsets, None (no date) being the latest."""
    if a is None or (b is not None and b < a):
        return b, a
    return a, b


policies = st.fixed_dictionaries({
    "min_probability": st.tuples(probabilities, probabilities).map(
        lambda t: (max(t), min(t))),
    "within_months": st.tuples(st.integers(0, 12), st.integers(0, 12)).map(sorted).map(tuple),
    "c_min_probability": st.just(0.0),
}).map(lambda kw: {**kw, "c_min_probability": kw["min_probability"][1] / 2})


@settings(max_examples=150, deadline=None)
@given(rows, policies)
def test_probability_grade_is_monotone_in_probability(data, policy):
    lo = pd.Series([min(r[0], r[1]) for r in data])
    hi = pd.Series([max(r[0], r[1]) for r in data])
    close = _close([r[2] for r in data])
    flag = pd.Series([r[4] for r in data])
    ref = pd.Series([r[5] for r in data])
    g_lo = grade_by_probability(lo, close, AS_OF, wide_influence=flag, loyal_referrer=ref,
                                **policy)
    g_hi = grade_by_probability(hi, close, AS_OF, wide_influence=flag, loyal_referrer=ref,
                                **policy)
    assert (g_hi.cat.codes <= g_lo.cat.codes).all()


@settings(max_examples=150, deadline=None)
@given(rows, policies)
def test_grades_are_monotone_in_time_to_close(data, policy):
    pairs = [_later(r[2], r[3]) for r in data]
    sooner, later = _close([p[0] for p in pairs]), _close([p[1] for p in pairs])
    prob = pd.Series([r[0] for r in data])
    ref = pd.Series([r[5] for r in data])
    v2_soon = grade_by_probability(prob, sooner, AS_OF, loyal_referrer=ref, **policy)
    v2_late = grade_by_probability(prob, later, AS_OF, loyal_referrer=ref, **policy)
    assert (v2_soon.cat.codes <= v2_late.cat.codes).all()
    v1_soon, v1_late = grade_by_time_to_close(sooner, AS_OF), grade_by_time_to_close(later, AS_OF)
    assert (v1_soon.cat.codes <= v1_late.cat.codes).all()


@settings(max_examples=100, deadline=None)
@given(rows, st.lists(st.text(min_size=1, max_size=4), min_size=60, max_size=60, unique=True))
def test_every_row_gets_exactly_one_grade(data, labels):
    idx = pd.Index(labels[: len(data)])
    prob = pd.Series([r[0] for r in data], index=idx)
    close = _close([r[2] for r in data]).set_axis(idx)
    for g in (grade_by_probability(prob, close, AS_OF), grade_by_time_to_close(close, AS_OF)):
        assert g.index.equals(idx)
        assert g.notna().all() and g.isin(GRADES).all()
        onehot = pd.get_dummies(g)
        assert (onehot.sum(axis=1) == 1).all()


# --- importance and market space --------------------------------------------------------

@pytest.fixture
def small_customers() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4", "C5"],
                         "estimators": [40, 39, 25, 6, 6],
                         "seats_owned": [40, 30, 5, 2, 2]})


def test_user_importance_criteria(small_customers):
    rev = pd.Series({"C4": 19_000, "C5": 18_999, "C9": 1e6})  # C9 is not a customer here
    t = user_importance(small_customers, rev)
    assert t.index.tolist() == ["C1", "C2", "C3", "C4", "C5"]
    assert t["large"].tolist() == [True, False, False, False, False]
    assert t["add_on"].tolist() == [False, False, True, False, False]
    assert t["able_to_pay"].tolist() == [False, False, False, True, False]
    assert t["importance"].tolist() == ["important", "general", "important", "important",
                                        "general"]
    assert t["importance_zh"].tolist()[:2] == ["重要用户", "一般用户"]


def test_user_importance_flags_and_overrides(small_customers):
    system = pd.Series({"C5": True})
    t = user_importance(small_customers, system_customer=system, important_estimators=None,
                        important_headroom=None)
    assert t["importance"].tolist() == ["general"] * 4 + ["important"]
    assert not t["able_to_pay"].any()  # no revenue given: criterion unused


def test_user_importance_on_the_synthetic_customers(customers):
    """The committed data marks about 6 % important (size, key-tier revenue, a few others)."""
    t = user_importance(customers)
    share = (t["importance"] == "important").mean()
    assert 0.01 <= share <= 0.10
    agree = (t["importance"].astype(str).to_numpy() == customers["importance"].astype(str)).mean()
    assert agree >= 0.9


def test_market_space_quadrants_and_boundaries():
    est = pd.Series([20, 30, 4, 4, 10, 10, 0, 0])
    own = pd.Series([2, 20, 0, 3, 5, 6, 0, 2])
    # headroom 18 pen .1 → A; 10 / .67 → B; 4 / 0 → C; 1 / .75 → D;
    # headroom 5 (= cut-off: high) pen .5 (= cut-off: high) → B; 4 / .6 → D;
    # no estimators and no seats → C; seats but no estimators → D
    assert market_space(est, own).tolist() == ["A", "B", "C", "D", "B", "D", "C", "D"]
    assert market_space(est, own, potential_headroom=1, penetration=0.8).tolist()[:4] == [
        "A", "A", "A", "A"]


def test_market_space_on_the_synthetic_customers(customers):
    ms = market_space(customers["estimators"], customers["seats_owned"])
    assert ms.name == "market_space" and ms.notna().all() and len(ms) == len(customers)
    assert set(ms.unique()) == set(GRADES)


# --- cadence and workload ---------------------------------------------------------------

def test_contact_cadence_table():
    t = contact_cadence()
    assert t.index.tolist() == list(GRADES)
    assert t["visits_per_week"].tolist() == list(GRADING.visits_per_week)
    assert t["calls_per_week"].tolist() == list(GRADING.calls_per_week)
    assert np.allclose(t["calls_per_month"], np.array(GRADING.calls_per_week) * 365.25 / 84)
    assert t.loc["A", "cadence"] == "1 visit a week, 2 calls a week"
    assert t.loc["C", "cadence"] == "1 visit every 4 weeks, 1 call every 2 weeks"
    assert t.loc["D", "cadence_zh"] == "无固定拜访，每4周电话1次"
    assert "three kinds of people" in t.loc["A", "focus"]
    assert "内线" in t.loc["B", "focus_zh"]


def test_contact_cadence_is_overridable():
    t = contact_cadence(visits_per_week=(2, 1, 0.5, 0), weeks_per_month=4)
    assert t["visits_per_month"].tolist() == [8, 4, 2, 0]
    assert t.loc["A", "cadence"].startswith("2 visits a week")


def test_rep_workload_sums_the_cadence():
    g = pd.Series(["A", "A", "B", "C", "D", "D"], index=list("uvwxyz"))
    rep = pd.Series(["R1", "R1", "R1", "R2", "R2", "R2"], index=g.index)
    imp = pd.Series(["general"] * 4 + ["important", "general"], index=g.index)
    w = rep_workload(g, rep, imp)
    assert w[list(GRADES)].to_numpy().tolist() == [[2, 1, 0, 0], [0, 0, 1, 2]]
    assert w["important"].tolist() == [0, 1]
    wpm = WEEKS_PER_MONTH
    assert w.loc["R1", "visits_per_month"] == pytest.approx((1 + 1 + 0.5) * wpm)
    assert w.loc["R1", "calls_per_month"] == pytest.approx((2 + 2 + 1) * wpm)
    # R2: C = 0.25 visits + 0.5 calls; the important D is topped up to 1 call; the other D 0.25
    assert w.loc["R2", "visits_per_month"] == pytest.approx(0.25 * wpm)
    assert w.loc["R2", "calls_per_month"] == pytest.approx((0.5 + 1 + 0.25) * wpm)
    assert (w["contacts_per_month"] == w["visits_per_month"] + w["calls_per_month"]).all()
    plain = rep_workload(g, rep)
    assert plain.loc["R2", "calls_per_month"] == pytest.approx((0.5 + 0.25 + 0.25) * wpm)


def test_rep_workload_on_graded_synthetic_pipeline(opportunities):
    open_ = opportunities[opportunities["stage"].isin(schema.OPEN_STAGES)]
    g = grade_by_probability(open_["probability"], open_["expected_close_date"], AS_OF)
    w = rep_workload(g, open_["rep_id"])
    assert w[list(GRADES)].to_numpy().sum() == len(open_)
    assert (w["contacts_per_month"] > 0).all()


# --- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda: grade_by_time_to_close(pd.Series(["2026-01-01"]), AS_OF), TypeError, "datetime64"),
    (lambda: grade_by_time_to_close([pd.Timestamp("2026-01-01")], AS_OF), TypeError,
     "pandas Series of dates"),
    (lambda: grade_by_time_to_close(dates("2026-01-01"), "not a date"), ValueError,
     "as_of must be a date"),
    (lambda: grade_by_time_to_close(dates("2026-01-01"), AS_OF, close_months=(6, 3, 12)),
     ValueError, "increasing"),
    (lambda: grade_by_probability(pd.Series([75.0]), dates("2026-01-01"), AS_OF), ValueError,
     "between 0.0 and 1.0"),
    (lambda: grade_by_probability(pd.Series([-0.1]), dates("2026-01-01"), AS_OF), ValueError,
     "negative"),
    (lambda: grade_by_probability(pd.Series([0.5, None]), dates("2026-01-01", None), AS_OF),
     ValueError, "missing"),
    (lambda: grade_by_probability(pd.Series([0.5, 0.6]), dates("2026-01-01"), AS_OF),
     ValueError, "same index"),
    (lambda: grade_by_probability(pd.Series([0.5]), dates("2026-01-01"), AS_OF,
                                  wide_influence=pd.Series(["yes"])), TypeError, "boolean"),
    (lambda: grade_by_probability(pd.Series([0.5]), dates("2026-01-01"), AS_OF,
                                  min_probability=(0.5, 0.75)), ValueError, "min_probability"),
    (lambda: user_importance(pd.DataFrame({"customer_id": ["C1"]})), ValueError,
     "missing column"),
    (lambda: user_importance(pd.DataFrame({"customer_id": ["C1", "C1"], "estimators": [1, 2],
                                           "seats_owned": [0, 0]})), ValueError, "duplicate"),
    (lambda: market_space(pd.Series([5, -1]), pd.Series([0, 0])), ValueError, "negative"),
    (lambda: market_space(pd.Series([5]), pd.Series([0, 0])), ValueError, "same index"),
    (lambda: contact_cadence(calls_per_week=(1, 1, 1)), ValueError, "one rate per grade"),
    (lambda: rep_workload(pd.Series(["A", "E"]), pd.Series(["R1", "R1"])), ValueError,
     "one of"),
    (lambda: rep_workload(pd.Series(["A"]), pd.Series(["R1", "R2"])), ValueError, "same index"),
    (lambda: rep_workload(pd.Series(["A"]), pd.Series(["R1"]), pd.Series(["vip"])), ValueError,
     "importance must be one of"),
])
def test_bad_input_is_rejected_with_a_reason(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_empty_input_gives_empty_grades():
    empty = pd.Series([], dtype="datetime64[ns]")
    assert len(grade_by_time_to_close(empty, AS_OF)) == 0
    assert len(grade_by_probability(pd.Series([], dtype=float), empty, AS_OF)) == 0


# --- the important-user revenue follows the data's scale ---------------------------------

def test_important_revenue_follows_the_pyramid_key_cutoff(crm):
    import dataclasses

    from custlib.io import CRMData
    from custlib.grading import important_revenue_for
    from custlib.pyramid import thresholds_for

    assert important_revenue_for(crm) == GRADING.important_revenue == 19_000
    ids = [f"U{i:03d}" for i in range(200)]
    o = pd.DataFrame({"customer_id": ids, "order_date": pd.to_datetime(["2025-06-01"] * 200),
                      "amount": np.arange(1, 201) * 12.5})
    usd = CRMData(path=None, orders=o, currency="USD")
    key = thresholds_for(usd)[1]
    assert important_revenue_for(usd) == key == 190 * 12.5  # 10 of 200 (5 %) above it
    rev = o.set_index("customer_id")["amount"]
    c = pd.DataFrame({"customer_id": ids, "estimators": 0, "seats_owned": 0})
    able = user_importance(c, rev, important_revenue=important_revenue_for(usd))["able_to_pay"]
    assert able.sum() == 11  # "at least": the customer on the cut-off counts too
    # the user's numbers win: the pyramid's key cut-off, then the grading number itself
    mine = dataclasses.replace(usd, policy={"pyramid": {"thresholds": (2_000.0, 1_000.0, 100.0)}})
    assert important_revenue_for(mine) == 1_000.0
    mine = dataclasses.replace(mine, policy={**mine.policy, "grading": {"important_revenue": 1_500}})
    assert important_revenue_for(mine) == 1_500.0
    with pytest.raises(ValueError, match="important_revenue"):
        important_revenue_for(dataclasses.replace(usd, policy={"grading": {"important_revenue": "x"}}))
