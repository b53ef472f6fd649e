"""custlib.funnel: the one-in-five case of digest §12, funnel invariants, the synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib import schema
from custlib.funnel import (FUNNEL_STAGES, activity_needed, classify_prospect, conversion_rates,
                            expected_closes, funnel_counts, pipeline_coverage, pipeline_shape,
                            prospects_needed, prospects_remaining, rule_of_thirds, sales_velocity,
                            stage_reached, time_in_stage, weighted_forecast, win_rate,
                            work_priorities)
from custlib.policy import FUNNEL

DATE_COLS = [schema.STAGE_DATE_COLUMNS[s] for s in schema.STAGES]


@pytest.fixture(scope="module")
def opportunities(crm) -> pd.DataFrame:
    return crm.opportunities


def history(*rows) -> pd.DataFrame:
    """Opportunities from (stage, [dates of opportunity … prospect_3, won, lost]) rows."""
    frame = pd.DataFrame([list(d) + [None] * (7 - len(d)) for _, d in rows], columns=DATE_COLS)
    frame = frame.apply(pd.to_datetime)
    frame.insert(0, "stage", [s for s, _ in rows])
    return frame


# --- the one-in-five case (五分之一) ---------------------------------------------------

def test_one_in_five_case_exactly():
    """20 prospects at one in five, four closed: 0 left; five prospects per close wanted."""
    assert FUNNEL.close_rate == 1 / 5
    assert expected_closes(20) == 4
    assert prospects_remaining(20, 4) == 0
    assert prospects_remaining(20, 4, close_rate=1 / 5) == 0
    assert prospects_needed(1) == 5
    assert prospects_needed(4) == 20  # refill the spent pipeline for four more closes


def test_one_in_five_generalised():
    assert prospects_remaining(20, 2) == 10
    assert prospects_remaining(20, 6) == 0  # ahead of the rate: never negative
    assert prospects_remaining(50, 4, close_rate=0.25) == 34
    assert prospects_needed(3, close_rate=0.3) == 10  # 3 / 0.3 is 10, not 11
    assert prospects_needed(1, close_rate=0.3) == 4   # rounded up to whole prospects
    s = pd.Series([20, 40], index=["R1", "R2"])
    assert expected_closes(s).tolist() == [4.0, 8.0]
    assert prospects_remaining(s, pd.Series([4, 4], index=s.index)).tolist() == [0.0, 20.0]
    assert prospects_needed(pd.Series([1, 2])).tolist() == [5, 10]


def test_activity_needed_per_week():
    # one first appointment in five won: 0.6 × 0.6 × 0.65 × (1 / 1.17) ≈ 0.2
    ratios = {"first_appointment": 0.5, "prospect_1": 0.6, "prospect_2": 0.6,
              "prospect_3": 0.65, "won": 0.2 / (0.6 * 0.6 * 0.65)}
    t = activity_needed(4, ratios, weeks=4)
    assert t.index.tolist() == list(FUNNEL_STAGES)
    assert t.loc["won", "needed"] == pytest.approx(4)
    assert t.loc["first_appointment", "needed"] == pytest.approx(20)  # 5 per close
    assert t.loc["first_appointment", "per_week"] == pytest.approx(5)
    assert t.loc["opportunity", "per_week"] == pytest.approx(10)
    # a shorter chain starts one stage before its first ratio
    short = activity_needed(2, pd.Series({"prospect_3": 0.5, "won": 0.9}))
    assert short.index.tolist() == ["prospect_2", "prospect_3", "won"]
    assert short["needed"].tolist() == pytest.approx([2 / 0.9 / 0.5, 2 / 0.9, 2])


def test_rule_of_thirds():
    t = rule_of_thirds(30)
    assert t["prospects"].tolist() == pytest.approx([10, 10, 10])
    assert t.index.tolist() == ["buy_anyway", "never_buy", "depends_on_us"]
    assert rule_of_thirds(100, thirds=(0.2, 0.5, 0.3))["prospects"].tolist() == pytest.approx(
        [20, 50, 30])


def test_velocity_and_coverage():
    assert sales_velocity(50, 12_000, 0.2, 120) == pytest.approx(1_000)  # CNY per day
    assert pipeline_coverage(300_000, 100_000) == 3.0
    cov = pipeline_coverage(pd.Series([50.0, 300.0]), pd.Series([100.0, 100.0]))
    assert cov.tolist() == [0.5, 3.0]


# --- funnel counts, conversion, time in stage -----------------------------------------

def test_funnel_counts_and_conversion_on_a_small_history():
    opp = history(
        ("won", ["2025-01-01", "2025-01-05", "2025-01-20", "2025-02-10", "2025-03-01",
                 "2025-03-11"]),
        ("lost", ["2025-01-01", "2025-01-10", "2025-01-30", None, None, None, "2025-02-28"]),
        ("lost", ["2025-01-01", None, None, None, None, None, "2025-01-15"]),
        ("prospect_2", ["2025-02-01", "2025-02-03", None, "2025-03-01"]),  # skipped p1's date
    )
    reached = stage_reached(opp)
    assert reached.loc[3].tolist() == [True, True, True, True, False, False]
    assert funnel_counts(opp).tolist() == [4, 3, 3, 2, 1, 1]
    rates = conversion_rates(opp)
    assert rates["rate"].tolist()[1:] == pytest.approx([3 / 4, 1, 2 / 3, 1 / 2, 1])
    assert rates["cumulative"].tolist() == pytest.approx([1, 3 / 4, 3 / 4, 1 / 2, 1 / 4, 1 / 4])
    closed = conversion_rates(opp, closed_only=True)
    assert closed["reached"].tolist() == [3, 2, 2, 1, 1, 1]
    days = time_in_stage(opp, summary=False)
    assert days.loc[0].tolist() == [4, 15, 21, 19, 10]
    assert days.loc[1].tolist()[:3] == [9, 20, 29]  # lost from prospect 1
    assert days.loc[3, "first_appointment"] == 26   # to prospect 2, the next date entered
    assert np.isnan(days.loc[3, "prospect_2"])      # still there: no completed stay
    summary = time_in_stage(opp)
    assert summary.loc["opportunity", "n"] == 4
    assert summary.loc["opportunity", "median_days"] == pytest.approx(np.median([4, 9, 14, 2]))


def test_funnel_counts_by_rep():
    opp = history(("won", ["2025-01-01"]), ("lost", ["2025-01-01"]), ("prospect_1", ["2025-01-01"]))
    opp["rep_id"] = ["R1", "R1", "R2"]
    by = funnel_counts(opp, by="rep_id")
    assert by.loc["R1"].tolist() == [2, 1, 1, 1, 1, 1]
    assert by.loc["R2"].tolist() == [1, 1, 1, 0, 0, 0]


def test_forecast_and_win_rate():
    opp = pd.DataFrame({
        "rep_id": ["R1", "R1", "R1", "R2", "R2", "R2"],
        "stage": ["prospect_3", "prospect_1", "won", "prospect_2", "lost", "lost"],
        "expected_value": [10_000, 20_000, 30_000, 8_000, 5_000, 5_000],
        "probability": [0.9, 0.3, 1.0, 0.5, 0.0, 0.0],
        "expected_close_date": pd.to_datetime(["2026-01-10", "2026-06-01", "2025-05-01",
                                               "2026-02-01", "2025-03-01", "2025-04-01"]),
    })
    assert weighted_forecast(opp) == pytest.approx(9_000 + 6_000 + 4_000)
    assert weighted_forecast(opp, by="rep_id").to_dict() == {"R1": 15_000, "R2": 4_000}
    assert weighted_forecast(opp, close_by="2026-03-31") == pytest.approx(13_000)
    assert win_rate(opp) == pytest.approx(1 / 3)
    assert win_rate(opp, by="rep_id").to_dict() == {"R1": 1.0, "R2": 0.0}


def test_win_rate_among_those_reaching_a_stage():
    opp = history(("won", ["2025-01-01", "2025-01-02"]), ("lost", ["2025-01-01", "2025-01-02"]),
                  ("lost", ["2025-01-01", None, None, None, None, None, "2025-01-09"]),
                  ("lost", ["2025-01-01", None, None, None, None, None, "2025-01-09"]))
    assert win_rate(opp) == pytest.approx(1 / 4)
    assert win_rate(opp, reached="first_appointment") == pytest.approx(1 / 2)
    assert np.isnan(win_rate(opp.iloc[[]]))


# --- pipeline shape, prospect category, priorities -----------------------------------

def test_pipeline_shape_diagnoses():
    stages = (["opportunity"] * 5 + ["first_appointment"] * 4 + ["prospect_1"] * 3
              + ["prospect_2"] * 2 + ["prospect_3"]                                   # R1
              + ["prospect_1", "prospect_2", "prospect_3", "prospect_3"]              # R2
              + ["opportunity", "first_appointment"] + ["prospect_2"] * 6 + ["won"]   # R3
              + ["won", "lost"])                                                     # R4
    reps = ["R1"] * 15 + ["R2"] * 4 + ["R3"] * 9 + ["R4"] * 2
    shape = pipeline_shape(pd.DataFrame({"rep_id": reps, "stage": stages}))
    assert shape.index.tolist() == ["R1", "R2", "R3", "R4"]
    assert shape.loc["R1", list(schema.OPEN_STAGES)].tolist() == [5, 4, 3, 2, 1]
    assert shape["open"].tolist() == [15, 4, 8, 0]
    assert shape["diagnosis"].tolist() == ["healthy", "empty front", "middle pile-up",
                                           "empty front"]
    assert shape.loc["R3", "diagnosis_zh"] == "中段堆积"
    relaxed = pipeline_shape(pd.DataFrame({"rep_id": reps, "stage": stages}), pileup_share=0.9)
    assert relaxed.loc["R3", "diagnosis"] == "healthy"


def test_classify_prospect():
    f = pd.DataFrame({c: [True] * 4 for c in FUNNEL.prospect2_criteria})
    f.loc[1, "proposal_fits"] = False
    f.loc[2, "talking_to_decision_maker"] = False
    f["further_development"] = pd.array([True, True, True, pd.NA], dtype="boolean")
    assert classify_prospect(f).tolist() == ["prospect_2", "prospect_1", "prospect_1",
                                             "prospect_1"]  # unknown does not hold
    assert classify_prospect(f, criteria=["further_development"]).tolist()[:3] == [
        "prospect_2"] * 3


def test_work_priorities():
    t = work_priorities()
    assert t.index.tolist() == list(range(1, 9))
    assert t["work"].tolist() == list(FUNNEL.priorities)
    assert t.loc[1, "description"] == "call or e-mail new contacts"
    assert t.loc[3, "description_zh"] == "把有效潜在客户三变为成交"
    assert t.loc[8, "work"] == "special_projects"


# --- properties on random valid stage histories ---------------------------------------

@st.composite
def stage_histories(draw, max_size=40):
    """Random valid histories: dates non-decreasing, some intermediate dates left out."""
    n = draw(st.integers(1, max_size))
    rows = []
    for _ in range(n):
        last = draw(st.integers(0, len(schema.OPEN_STAGES) - 1))
        outcome = draw(st.sampled_from(["open", "won", "lost"]))
        if outcome == "won":
            last = len(schema.OPEN_STAGES) - 1
        gaps = draw(st.lists(st.integers(0, 60), min_size=last + 2, max_size=last + 2))
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=draw(st.integers(0, 500)))
        dates = [None] * 7
        for s in range(last + 1):
            day += pd.Timedelta(days=gaps[s])
            if s == 0 or not draw(st.booleans()) or draw(st.booleans()):
                dates[s] = day  # about a quarter of later stage dates go missing
        if outcome != "open":
            dates[5 if outcome == "won" else 6] = day + pd.Timedelta(days=gaps[-1])
        stage = schema.OPEN_STAGES[last] if outcome == "open" else outcome
        value = draw(st.integers(0, 200_000))
        p = draw(st.floats(0, 1)) if outcome == "open" else float(outcome == "won")
        rows.append((stage, dates, value, p))
    frame = pd.DataFrame([r[1] for r in rows], columns=DATE_COLS).apply(
        pd.to_datetime).astype("datetime64[ns]")
    frame.insert(0, "stage", [r[0] for r in rows])
    frame["expected_value"] = [r[2] for r in rows]
    frame["probability"] = [r[3] for r in rows]
    frame["rep_id"] = draw(st.lists(st.sampled_from(["R1", "R2", "R3"]), min_size=n,
                                    max_size=n))
    return frame


@settings(max_examples=150, deadline=None)
@given(stage_histories())
def test_funnel_counts_never_grow_down_the_stages(opp):
    counts = funnel_counts(opp).to_numpy()
    assert (np.diff(counts) <= 0).all()
    assert counts[0] == len(opp)
    by = funnel_counts(opp, by="rep_id").to_numpy()
    assert (np.diff(by, axis=1) <= 0).all()
    # every row reached a prefix of the funnel
    r = stage_reached(opp).to_numpy()
    assert (r[:, 1:] <= r[:, :-1]).all()
    # the date-only view agrees with the stage column for open opportunities
    assert stage_reached(opp.drop(columns="stage"))["won"].sum() == (opp["stage"] == "won").sum()


@settings(max_examples=150, deadline=None)
@given(stage_histories())
def test_conversion_rates_are_fractions(opp):
    for closed_only in (False, True):
        t = conversion_rates(opp, closed_only=closed_only)
        for col in ("rate", "cumulative"):
            v = t[col].dropna()
            assert ((v >= 0) & (v <= 1)).all()
    days = time_in_stage(opp, summary=False).to_numpy()
    assert (days[~np.isnan(days)] >= 0).all()


@settings(max_examples=150, deadline=None)
@given(stage_histories())
def test_forecast_is_at_most_the_sum_of_values(opp):
    open_ = opp["stage"].isin(schema.OPEN_STAGES)
    total = weighted_forecast(opp)
    assert 0 <= total <= opp.loc[open_, "expected_value"].sum() + 1e-6
    by = weighted_forecast(opp, by="rep_id")
    assert by.sum() == pytest.approx(total)
    w = win_rate(opp)
    assert np.isnan(w) or 0 <= w <= 1


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 100))
def test_prospect_arithmetic_is_consistent(target, per_close):
    rate = 1 / per_close
    need = prospects_needed(target, rate)
    assert need >= target and expected_closes(need, rate) >= target - 1e-9
    assert prospects_remaining(need, target, rate) == pytest.approx(need - target * per_close,
                                                                    abs=1e-6)


# --- the committed synthetic data -----------------------------------------------------

def test_one_in_five_first_appointments_won_in_the_synthetic_data(opportunities):
    rate = win_rate(opportunities, reached="first_appointment")
    assert 0.17 <= rate <= 0.24
    counts = funnel_counts(opportunities)
    assert counts.is_monotonic_decreasing
    assert counts["won"] == (opportunities["stage"] == "won").sum()


def test_pipeline_shapes_in_the_synthetic_data(opportunities):
    shape = pipeline_shape(opportunities)
    diag = shape["diagnosis"].value_counts()
    assert diag["empty front"] >= 1
    assert diag["middle pile-up"] >= 1
    assert diag["healthy"] >= len(shape) // 2
    assert shape["open"].sum() == opportunities["stage"].isin(schema.OPEN_STAGES).sum()


def test_synthetic_time_in_stage_and_activity(opportunities):
    t = time_in_stage(opportunities)
    assert (t["median_days"] > 0).all() and (t["n"] > 0).all()
    rates = conversion_rates(opportunities, closed_only=True)
    plan = activity_needed(4, rates["rate"], weeks=4)
    # about five first appointments per close at one in five
    per_close = plan.loc["first_appointment", "needed"] / 4
    assert 4 <= per_close <= 6


# --- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda: stage_reached(pd.DataFrame({"stage": ["won"]})), ValueError, "missing column"),
    (lambda: stage_reached(history(("won", ["2025-01-01"])).astype({"won_date": str})),
     TypeError, "datetime64"),
    (lambda: funnel_counts(history(("closed", ["2025-01-01"]))), ValueError, "must be one of"),
    (lambda: time_in_stage(history(("lost", ["2025-02-01", "2025-01-01"]))), ValueError,
     "out of order"),
    (lambda: expected_closes(-1), ValueError, ">= 0"),
    (lambda: expected_closes(20, close_rate=0), ValueError, "> 0"),
    (lambda: expected_closes(20, close_rate=5), ValueError, "between 0.0 and 1.0"),
    (lambda: prospects_remaining(20, 21), ValueError, "cannot exceed"),
    (lambda: prospects_needed("five"), TypeError, "number"),
    (lambda: activity_needed(4, {"prospect_2": 0.5, "won": 0.9}), ValueError, "contiguous"),
    (lambda: activity_needed(4, {"closing": 0.5}), ValueError, "keyed by stages"),
    (lambda: activity_needed(4, {"won": 0.0}), ValueError, r"\(0, 1\]"),
    (lambda: activity_needed(4, {"won": 0.2}, weeks=0), ValueError, "> 0"),
    (lambda: rule_of_thirds(30, thirds=(0.5, 0.5, 0.5)), ValueError, "summing to 1"),
    (lambda: weighted_forecast(pd.DataFrame({"stage": ["won"], "expected_value": [1],
                                             "probability": [50.0]})), ValueError,
     "between 0.0 and 1.0"),
    (lambda: pipeline_coverage(100, 0), ValueError, "> 0"),
    (lambda: win_rate(pd.DataFrame({"stage": ["won"]}), reached="closing"), ValueError,
     "reached must be one of"),
    (lambda: sales_velocity(10, 1_000, 1.5, 30), ValueError, "win_rate"),
    (lambda: pipeline_shape(pd.DataFrame({"stage": ["won"]})), ValueError, "missing column"),
    (lambda: classify_prospect(pd.DataFrame({c: ["yes"] for c in FUNNEL.prospect2_criteria})),
     TypeError, "boolean"),
    (lambda: work_priorities(("sleep",)), ValueError, "unknown priorities"),
])
def test_bad_input_is_rejected_with_a_reason(call, error, message):
    with pytest.raises(error, match=message):
        call()
