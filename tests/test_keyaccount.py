"""custlib.keyaccount: scores, quadrants, the key-account test and role coverage."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib.keyaccount import (KEY_ACCOUNT_TESTS, criteria_frame, decision_structure,
                                is_key_account, matrix, quadrant_strategies, role_coverage, score)
from custlib.policy import KEY_ACCOUNT


@pytest.fixture(scope="module")
def criteria(crm):
    return criteria_frame(crm.customers, crm.orders, crm.activities, "2025-12-31")


def test_default_criteria_and_matrix_on_the_data(criteria):
    assert len(criteria) == 2_126
    assert set(dict(KEY_ACCOUNT.attractiveness)) | set(dict(KEY_ACCOUNT.advantage)) <= set(criteria.columns)
    a = score(criteria, KEY_ACCOUNT.attractiveness)
    b = score(criteria, KEY_ACCOUNT.advantage)
    assert a.between(0, 1).all() and b.between(0, 1).all()
    q = matrix(a, b)
    assert set(q.unique()) == set(KEY_ACCOUNT.quadrants)  # all four quadrants occur
    # key accounts bring more revenue on average than opportunistic ones
    rev = criteria["revenue"].groupby(q, observed=False).mean()
    assert rev["key"] > rev["opportunistic"]


def test_quadrant_table_and_decision_structure():
    assert list(quadrant_strategies().index) == list(KEY_ACCOUNT.quadrants)
    assert decision_structure()["role"].tolist() == ["decision_maker", "influencer", "user", "coach"]


def test_is_key_account_any_test_met():
    c = pd.DataFrame({"large_orders": [True, False, False], "influence": [True, False, True]},
                     index=["C1", "C2", "C3"])
    r = is_key_account(c)
    assert r["key_account"].tolist() == [True, False, True]
    assert r.loc["C1", "reasons"] == "large_orders, influence" and len(KEY_ACCOUNT_TESTS) == 5
    with pytest.raises(ValueError, match="unknown test"):
        is_key_account(pd.DataFrame({"rich": [True]}))


def test_role_coverage(crm):
    cov = role_coverage(crm.contacts, crm.customers["customer_id"])
    assert len(cov) == len(crm.customers)
    assert cov["has_decision_maker"].sum() == crm.contacts.loc[
        crm.contacts["role"] == "decision_maker", "customer_id"].nunique()
    assert (~cov["has_decision_maker"]).any()  # the lesson has gaps to find


def test_bad_weights():
    c = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match=">= 0"):
        score(c, {"x": -1})
    with pytest.raises(ValueError, match="positive"):
        score(c, {"x": 0})
    with pytest.raises(ValueError, match="missing column"):
        score(c, {"y": 1})


rows = st.lists(st.tuples(st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0, 1)), min_size=2, max_size=100)


@settings(max_examples=80, deadline=None)
@given(rows, st.integers(0, 99))
def test_partition_and_more_attractiveness_never_lowers_the_row(data, pick):
    f = pd.DataFrame(data, columns=["size", "potential", "share"])
    a = score(f, {"size": 0.6, "potential": 0.4})
    b = score(f, {"share": 1.0})
    q = matrix(a, b)
    assert q.notna().all() and len(q) == len(f)
    i = f.index[pick % len(f)]
    bumped = a.copy()
    bumped[i] = min(1.0, a[i] + 0.3)
    high = {"key", "key_development"}
    if q[i] in high:
        assert matrix(bumped, b)[i] in high
