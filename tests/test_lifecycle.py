"""custlib.lifecycle: every customer gets one stage by the stated rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib.lifecycle import SCHEMES, lifecycle_features, lifecycle_stage, stage_tasks


@pytest.fixture(scope="module")
def features(crm):
    return lifecycle_features(crm.orders, "2025-12-31", customers=crm.customers["customer_id"])


def test_stages_on_the_synthetic_data(crm, features):
    stage = lifecycle_stage(features)
    layer = crm.customers.set_index("customer_id")["status_layer"].reindex(stage.index).astype(str)
    assert (stage[layer == "inactive"] == "exit").all()          # bought before, not since
    assert (stage[layer.isin(["prospect", "suspect"])] == "acquisition").all()
    buyers = stage[layer == "customer"]
    assert set(buyers) == {"growth", "maturity", "decline"}       # the year-2 meeting effect
    textbook = lifecycle_stage(features, scheme="textbook")
    assert (textbook[stage.isin(["decline", "exit"])] == "decline").all()


def test_features_by_hand():
    o = pd.DataFrame({"customer_id": ["A", "A", "B"], "amount": [100, 300, 50],
                      "order_date": pd.to_datetime(["2024-06-01", "2025-06-01", "2025-12-01"])})
    f = lifecycle_features(o, "2025-12-31", customers=["A", "B", "P"])
    assert f.loc["A", ["tenure", "recency"]].tolist() == [578, 213]
    assert f.loc["A", "trend"] == 2.0 and f.loc["B", "trend"] == np.inf
    assert np.isnan(f.loc["P", "tenure"]) and lifecycle_stage(f)["P"] == "acquisition"


def test_bad_scheme_and_policy():
    f = pd.DataFrame({"tenure": [1], "recency": [1], "trend": [0.0]})
    with pytest.raises(ValueError, match="scheme"):
        lifecycle_stage(f, scheme="telecom")
    with pytest.raises(ValueError, match="decline < 0 < growth"):
        lifecycle_stage(f, growth=-0.1)
    assert list(stage_tasks("textbook").index) == [s for s, _ in SCHEMES["textbook"]]


feature_rows = st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 3000)), st.integers(0, 3000),
                                  st.floats(-1, 5)), min_size=1, max_size=50)


def _frame(rows):
    tenure = [np.nan if t is None else float(t) for t, _, _ in rows]
    recency = [np.nan if t is None else float(min(r, t)) for t, r, _ in rows]
    return pd.DataFrame({"tenure": tenure, "recency": recency, "trend": [x for *_, x in rows]},
                        index=[f"C{i}" for i in range(len(rows))])


@settings(max_examples=80, deadline=None)
@given(feature_rows, st.sampled_from(list(SCHEMES)))
def test_one_stage_each_and_permutation_invariant(rows, scheme):
    f = _frame(rows)
    stage = lifecycle_stage(f, scheme)
    assert stage.notna().all() and len(stage) == len(f)
    shuffled = f.sample(frac=1, random_state=0)
    assert (lifecycle_stage(shuffled, scheme).reindex(f.index) == stage).all()


@settings(max_examples=80, deadline=None)
@given(feature_rows)
def test_past_exit_days_is_always_exit(rows):
    f = _frame(rows)
    f["tenure"] = f["tenure"].fillna(0) + 1_000
    f["recency"] = 1_000
    assert (lifecycle_stage(f) == "exit").all()
    assert (lifecycle_stage(f, scheme="textbook") == "decline").all()
