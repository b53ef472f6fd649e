"""custlib.migration against the year-two and meeting cases of digest §7, and its invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib.migration import (LOST, meeting_effect, meeting_what_if, move_up, project,
                               revenue_from_counts, transition_matrix)
from custlib.pyramid import tiers_by_threshold

TIERS = ["vip", "key", "mid", "small"]
YEAR1 = pd.Series([21, 85, 319, 1_701], index=TIERS)
AVG = [114_000, 31_600, 9_100, 1_160]


def test_year_two_case_exactly():
    year2 = move_up(YEAR1, {"vip": 8, "key": 10, "mid": 18})
    assert year2.tolist() == [29, 95, 337, 1_665] and year2.sum() == 2_126
    assert (year2 - YEAR1).tolist() == [8, 10, 18, -36]
    assert revenue_from_counts(year2, AVG) == 11_306_100
    assert revenue_from_counts(YEAR1, AVG) == 9_956_060
    assert round(36 / 1_701, 3) == 0.021  # "2 % of small customers move up"


def test_move_up_rejects_impossible_moves():
    with pytest.raises(ValueError, match="cannot leave"):
        move_up(YEAR1, {"vip": 2_000})
    with pytest.raises(ValueError, match="unknown tier"):
        move_up(YEAR1, {"gold": 1})


def test_meeting_case_what_if():
    assert round(meeting_what_if(1_000, 1.0)) == 1_060
    assert round(meeting_what_if(1_000, 0.0)) == 920
    assert np.isclose(meeting_what_if(1_000, 4 / 7), 1_000)  # break-even share


def test_meeting_effect_in_the_synthetic_data(crm, yearly_revenue):
    r = yearly_revenue[yearly_revenue["y1"] > 0]
    met = crm.activities.loc[crm.activities["activity_type"] == "meeting", "customer_id"].unique()
    effect = meeting_effect(r["y1"], r["y2"], pd.Series(True, index=met))
    assert effect["customers"].sum() == 2_126
    assert abs(effect.loc["meeting", "growth"] - 0.06) < 0.01
    assert abs(effect.loc["no meeting", "growth"] + 0.08) < 0.01


def test_transition_matrix_of_the_synthetic_years(yearly_revenue):
    r = yearly_revenue[yearly_revenue["y1"] > 0]
    t1, t2 = tiers_by_threshold(r["y1"]), tiers_by_threshold(r["y2"])
    counts = transition_matrix(t1, t2, normalize=False)
    assert counts.to_numpy().sum() == 2_126 and counts[LOST].sum() == 0
    probs = transition_matrix(t1, t2)
    assert np.allclose(probs.sum(axis=1), 1)
    up_from_small = probs.loc["small", ["vip", "key", "mid"]].sum()
    assert 0.02 <= up_from_small <= 0.10  # a few per cent of small customers move up


def test_lost_customers_and_projection():
    a = pd.Series(["small"] * 4 + ["mid"] * 2, index=[f"C{i}" for i in range(6)])
    b = pd.Series(["small", "small", "mid", None, "mid"], index=["C0", "C1", "C2", "C3", "C4"])
    m = transition_matrix(a, b)
    assert m.loc["small", LOST] == 0.25 and m.loc["mid", LOST] == 0.5
    path = project(pd.Series({"mid": 2, "small": 4}), m, periods=3)
    assert np.allclose(path.sum(axis=1), 6)  # lost customers are kept, in the lost column
    assert (np.diff(path[LOST]) >= 0).all()


states = st.sampled_from(TIERS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(states, st.one_of(st.none(), states)), min_size=1, max_size=200),
       st.integers(1, 5))
def test_rows_sum_to_one_and_projection_preserves_total(pairs, periods):
    ids = [f"C{i}" for i in range(len(pairs))]
    a = pd.Series(pd.Categorical([p[0] for p in pairs], categories=TIERS), index=ids)
    b = pd.Series([p[1] for p in pairs], index=ids, dtype=object)
    m = transition_matrix(a, b)
    sums = m.sum(axis=1)
    assert np.allclose(sums[sums > 0], 1) and ((sums == 0) | np.isclose(sums, 1)).all()
    start = a.value_counts().reindex(TIERS, fill_value=0)
    path = project(start, m, periods)
    assert np.allclose(path.sum(axis=1), start.sum())
