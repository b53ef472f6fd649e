"""custlib.value: lifetime profit, retention economics and RFM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlib.value import (LIFETIME_COMPONENTS, clv_finite, clv_perpetual, lifetime_profit,
                           profit_from_orders, reichheld_table, retention_uplift_effect,
                           rfm_scores, rfm_summary)


def test_seven_components_with_signs():
    assert len(LIFETIME_COMPONENTS) == 7
    assert LIFETIME_COMPONENTS["sign"].tolist() == [1, 1, 1, 1, -1, -1, -1]
    ids = pd.Index(["C1", "C2"])
    t = lifetime_profit(base_profit=pd.Series([5_000, 800], index=ids), cross_sell_profit=1_000,
                        cost_savings=200, referral_revenue=pd.Series([300, 0], index=ids),
                        acquisition_cost=1_500, price_concessions=400,
                        negative_referral_cost=pd.Series([0, 900], index=ids))
    assert t["lifetime_profit"].tolist() == [4_600.0, -800.0]
    with pytest.raises(ValueError, match="unknown component"):
        lifetime_profit(profit=1)
    with pytest.raises(ValueError, match="positive amount"):
        lifetime_profit(acquisition_cost=-5)


def test_profit_from_orders_splits_base_and_cross_sell(crm):
    p = profit_from_orders(crm.orders)
    total = (crm.orders["amount"] - crm.orders["cost"]).sum()
    assert np.isclose(p.to_numpy().sum(), total)
    assert (p["cross_sell_profit"] != 0).any() and (p["base_profit"] != 0).any()


def test_finite_tends_to_perpetual_and_one_year_by_hand():
    assert np.isclose(clv_finite(1_000, 0.8, 0.1, 1), 1_000 * 0.8 / 1.1)
    assert np.isclose(clv_finite(1_000, 0.8, 0.1, 2), 1_000 * (0.8 / 1.1 + 0.64 / 1.21))
    assert np.isclose(clv_finite(1_000, 0.8, 0.1, 500), clv_perpetual(1_000, 0.8, 0.1))


def test_reichheld_table_values():
    t = reichheld_table()
    assert len(t) == 12
    assert t["npv_increase"].tolist() == [0.95, 0.90, 0.85, 0.85, 0.84, 0.81, 0.75, 0.50, 0.45,
                                          0.45, 0.40, 0.35]
    assert t.loc["software", "npv_increase"] == 0.35 and t["industry_zh"].notna().all()


def test_retention_mechanism():
    # +5 points moves value more the higher retention already is
    effects = retention_uplift_effect(np.array([0.5, 0.7, 0.8, 0.9]), 0.05, 0.10)
    assert (np.diff(effects) > 0).all()
    # the software figure (+35%) is within reach of this simple model at high retention
    assert retention_uplift_effect(0.80, 0.05, 0.10) < 0.35 < retention_uplift_effect(0.90, 0.05, 0.10)
    with pytest.raises(ValueError, match="below 1"):
        retention_uplift_effect(0.97, 0.05)


@settings(max_examples=80, deadline=None)
@given(st.floats(0, 0.98), st.floats(0, 0.5), st.floats(1, 1e5), st.integers(0, 60))
def test_finite_value_grows_with_horizon_and_stays_below_perpetual(r, d, m, years):
    a, b = clv_finite(m, r, d, years), clv_finite(m, r, d, years + 1)
    assert a <= b + 1e-9 and b <= clv_perpetual(m, r, d) * (1 + 1e-9) + 1e-9


def test_rfm_by_hand_same_day_and_single_purchase():
    o = pd.DataFrame({
        "customer_id": ["A", "A", "A", "A", "B", "C", "C"],
        "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-21",
                                      "2024-01-05", "2024-01-02", "2024-02-10"]),
        "amount": [100, 50, 300, 100, 80, 10, 999]})
    s = rfm_summary(o, as_of="2024-01-31")  # C's February order is after the end
    assert s.loc["A"].tolist() == [2, 20, 30, 200.0]
    assert s.loc["B"].tolist() == [0, 0, 26, 0.0]
    assert s.loc["C"].tolist() == [0, 0, 29, 0.0]


orders_st = st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.integers(0, 400),
                               st.integers(1, 10_000)), min_size=1, max_size=60)


@settings(max_examples=80, deadline=None)
@given(orders_st)
def test_rfm_invariants(rows):
    o = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    o["order_date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(o["day"], unit="D")
    s = rfm_summary(o, as_of="2025-12-31")
    assert (s["frequency"] >= 0).all() and (s["recency"] <= s["T"]).all()
    assert ((s["monetary_value"] == 0) == (s["frequency"] == 0)).all()
    distinct = o.groupby("customer_id")["day"].nunique()
    assert (s["frequency"] == distinct.reindex(s.index) - 1).all()
    sc = rfm_scores(s)
    assert sc[["R", "F", "M"]].isin(range(1, 6)).all().all()


def _rfm_reference(o, as_of):
    """The lifetimes definitions written the slow, obvious way."""
    d = o[o["order_date"] <= as_of].groupby(["customer_id", "order_date"])["amount"].sum()
    rows = {}
    for cid, g in d.groupby(level="customer_id"):
        days = g.index.get_level_values("order_date")
        freq = len(g) - 1
        rows[cid] = (freq, (days.max() - days.min()).days, (as_of - days.min()).days,
                     float(g.iloc[1:].mean()) if freq else 0.0)
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["frequency", "recency", "T", "monetary_value"])


@settings(max_examples=60, deadline=None)
@given(orders_st, st.integers(0, 420))
def test_rfm_matches_the_definition_with_a_cut_off(rows, cut):
    o = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    o["order_date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(o["day"], unit="D")
    as_of = pd.Timestamp("2024-01-01") + pd.Timedelta(days=cut)
    if (o["order_date"] > as_of).all():
        with pytest.raises(ValueError, match="no order on or before"):
            rfm_summary(o, as_of=as_of)
        return
    got = rfm_summary(o, as_of=as_of)
    want = _rfm_reference(o, as_of)
    assert got.index.tolist() == sorted(want.index)
    pd.testing.assert_frame_equal(got, want.loc[got.index], check_dtype=False, check_names=False)


def test_rfm_scores_direction(crm):
    s = rfm_summary(crm.orders, as_of="2025-12-31")
    sc = rfm_scores(s)
    days_since = s["T"] - s["recency"]
    assert days_since[sc["R"] == 5].max() <= days_since[sc["R"] == 1].min()
    assert s["frequency"][sc["F"] == 5].min() >= s["frequency"][sc["F"] == 1].max()


def test_rfm_segments_cover_all_eight_and_follow_the_scores(crm):
    from custlib.value import RFM_SEGMENTS, rfm_segments

    sc = rfm_scores(rfm_summary(crm.orders, as_of="2025-12-31"))
    seg = rfm_segments(sc)
    assert seg.notna().all() and set(seg.unique()) == set(RFM_SEGMENTS.index)
    top = seg == "important_value"
    assert (sc.loc[top, ["R", "F", "M"]] >= 3).all().all()
    assert (sc.loc[seg == "general_win_back", ["R", "F", "M"]] < 3).all().all()
    assert RFM_SEGMENTS["segment_zh"].str.endswith("客户").all()
    flags = RFM_SEGMENTS[["R_high", "F_high", "M_high"]].to_numpy()
    assert (((~flags) * [1, 2, 4]).sum(axis=1) == np.arange(8)).all()  # rows in code order


def test_rfm_rejects_missing_dates():
    o = pd.DataFrame({"customer_id": ["A", "B"], "order_date": pd.to_datetime(["2024-01-01", None]),
                      "amount": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"1 missing date\(s\), first at positions \[1\]"):
        rfm_summary(o, as_of="2024-12-31")
