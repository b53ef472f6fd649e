"""custlib.segmentation: each scheme partitions the customers by its stated rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib.segmentation import (management_roles, relationship_classes, segment_profile,
                                  value_tiers)

AS_OF = pd.Timestamp("2025-12-31")


@pytest.fixture(scope="module")
def buyers(crm):
    o = crm.orders
    y2 = o[o["order_date"].dt.year == 2025]
    c = crm.customers.set_index("customer_id")
    frame = pd.DataFrame({
        "revenue": y2.groupby("customer_id")["amount"].sum(),
        "profit": (y2["amount"] - y2["cost"]).groupby(y2["customer_id"]).sum(),
        "n_orders": o.groupby("customer_id").size(),
    }).dropna()
    frame["headroom"] = (c["estimators"] - c["seats_owned"]).reindex(frame.index)
    return frame


def test_value_tiers_on_the_data(buyers):
    tier = value_tiers(buyers["profit"])
    counts = tier.value_counts(sort=False)
    assert counts["platinum"] == round(0.05 * len(buyers))
    assert counts["platinum"] + counts["gold"] == round(0.20 * len(buyers))
    assert (buyers.loc[tier == "lead", "profit"] <= 0).all()
    assert counts["lead"] > 0  # small customers are loss-making once service costs count


def test_management_roles_rules(buyers):
    role = management_roles(buyers["revenue"], buyers["headroom"], buyers["n_orders"])
    assert (role == "key").sum() == round(0.05 * len(buyers))
    assert (buyers.loc[role == "temporary", "n_orders"] <= 1).all()
    assert (buyers.loc[role == "potential", "headroom"] >= 5).all()
    assert (buyers.loc[role == "regular", "headroom"] < 5).all()


def test_relationship_classes_by_hand():
    ids = ["never", "new", "big", "old", "lapsed"]
    first = pd.Series(pd.to_datetime([None, "2025-09-01", "2020-01-01", "2021-01-01", "2019-01-01"]), index=ids)
    last = pd.Series(pd.to_datetime([None, "2025-09-01", "2025-11-01", "2025-10-01", "2023-05-01"]), index=ids)
    revenue = pd.Series([0, 500, 90_000, 2_000, 0], index=ids)
    got = relationship_classes(first, last, revenue, AS_OF, big_share=0.34)
    assert got.astype(str).tolist() == ["potential", "new", "big", "old", "small"]


def test_relationship_classes_on_the_data(crm):
    o = crm.orders
    ids = crm.customers["customer_id"]
    first = o.groupby("customer_id")["order_date"].min().reindex(ids)
    last = o.groupby("customer_id")["order_date"].max().reindex(ids)
    rev = o[o["order_date"].dt.year == 2025].groupby("customer_id")["amount"].sum()
    cls = relationship_classes(first.set_axis(ids), last.set_axis(ids), rev, AS_OF)
    layer = crm.customers.set_index("customer_id")["status_layer"].astype(str)
    assert ((cls == "potential") == layer.isin(["prospect", "suspect"]).to_numpy()).all()
    assert (cls[layer.to_numpy() == "inactive"] == "small").all()
    profile = segment_profile(cls, rev)
    assert profile["customers"].sum() == len(ids) and np.isclose(profile["share_revenue"].sum(), 1)


profits = st.lists(st.floats(-1e5, 1e6, allow_nan=False), min_size=1, max_size=200)


@settings(max_examples=80, deadline=None)
@given(profits)
def test_value_tiers_partition_and_are_monotone(values):
    profit = pd.Series(values)
    tier = value_tiers(profit)
    assert tier.notna().all() and len(tier) == len(profit)
    codes = tier.cat.codes.to_numpy()
    order = np.argsort(-profit.to_numpy(), kind="stable")
    assert (np.diff(codes[order]) >= 0).all()  # more profit never in a lower tier


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e6, allow_nan=False), st.integers(0, 50), st.integers(0, 30)),
                min_size=1, max_size=200))
def test_management_roles_partition(rows):
    f = pd.DataFrame(rows, columns=["revenue", "headroom", "n_orders"])
    role = management_roles(f["revenue"], f["headroom"], f["n_orders"])
    assert role.notna().all() and len(role) == len(f)


def test_bad_input():
    with pytest.raises(ValueError, match="more than 1"):
        value_tiers(pd.Series([1.0]), shares=(0.8, 0.5))
    with pytest.raises(TypeError, match="numeric"):
        value_tiers(pd.Series(["a"]))
