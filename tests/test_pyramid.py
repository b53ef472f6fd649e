"""custlib.pyramid against the digest's §7 case, and its invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import indexes

from custlib.pyramid import tier_table, tiers_by_share, tiers_by_threshold, top_share

CASE_COUNTS = [21, 85, 319, 1_701]
CASE_AVG = [114_000, 31_600, 9_100, 1_160]


@pytest.fixture
def case_revenue() -> pd.Series:
    """2,126 customers at the case's tier averages (year-2 revenue is built the same way)."""
    values = np.repeat(CASE_AVG, CASE_COUNTS)
    return pd.Series(values, index=[f"C{i:04d}" for i in range(len(values))])


def test_case_tier_table_exactly(case_revenue):
    for tier in (tiers_by_threshold(case_revenue), tiers_by_share(case_revenue)):
        t = tier_table(case_revenue, tier)
        assert t["customers"].tolist() == CASE_COUNTS
        assert t["revenue"].tolist() == [2_394_000, 2_686_000, 2_902_900, 1_973_160]
        assert t["avg_revenue"].tolist() == CASE_AVG
        assert t["revenue"].sum() == 9_956_060
        assert np.round(t["share_customers"] * 100).tolist() == [1, 4, 15, 80]
        assert np.round(t["share_revenue"] * 100).tolist() == [24, 27, 29, 20]


def test_case_top_20_percent(case_revenue):
    tier = tiers_by_share(case_revenue)
    top = tier.isin(["vip", "key", "mid"])
    assert top.sum() == 425
    assert case_revenue[top].sum() == 7_982_900  # the source rounds to ¥7,983,000
    assert round(top_share(case_revenue, 0.20), 2) == 0.80


def test_case_year_two_revenue():
    """Year two: 29 / 95 / 337 / 1,665 customers at the year-one averages = ¥11,306,100."""
    counts = [29, 95, 337, 1_665]
    revenue = pd.Series(np.repeat(CASE_AVG, counts))
    t = tier_table(revenue, tiers_by_threshold(revenue))
    assert t["customers"].tolist() == counts and sum(counts) == 2_126
    assert t["revenue"].sum() == 11_306_100


def test_thresholds_are_overridable():
    r = pd.Series([90_000, 70_000, 30_000, 1_000])
    assert tiers_by_threshold(r, thresholds=(80_000, 20_000, 5_000)).tolist() == [
        "vip", "key", "key", "small"]


@pytest.mark.parametrize("bad, message", [
    (pd.Series([], dtype=float), "empty"),
    (pd.Series([1.0, -5.0]), "negative"),
    (pd.Series(["a", "b"]), "numeric"),
    (pd.Series([1.0, None]), "missing"),
])
def test_bad_revenue_is_rejected_with_a_reason(bad, message):
    with pytest.raises((ValueError, TypeError), match=message):
        tiers_by_share(bad)


def test_bad_policy_is_rejected():
    r = pd.Series([3.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="sum to 1"):
        tiers_by_share(r, shares=(0.5, 0.2, 0.2, 0.2))
    with pytest.raises(ValueError, match="decreasing"):
        tiers_by_threshold(r, thresholds=(1, 2, 3))


revenues = st.builds(
    lambda values, idx: pd.Series(values, index=idx[: len(values)]),
    st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=300),
    indexes(elements=st.text(min_size=1, max_size=6), unique=True, min_size=300, max_size=300),
)


@settings(max_examples=60, deadline=None)
@given(revenues)
def test_tiers_partition_customers_and_shares_sum_to_one(revenue):
    for tier in (tiers_by_share(revenue), tiers_by_threshold(revenue)):
        assert tier.notna().all() and tier.index.equals(revenue.index)
        t = tier_table(revenue, tier)
        assert t["customers"].sum() == len(revenue)
        assert np.isclose(t["share_customers"].sum(), 1)
        if revenue.sum() > 0:
            assert np.isclose(t["share_revenue"].sum(), 1)
            assert np.isclose(t["revenue"].sum(), revenue.sum())


@settings(max_examples=60, deadline=None)
@given(revenues)
def test_higher_revenue_never_in_a_lower_tier(revenue):
    for tier in (tiers_by_share(revenue), tiers_by_threshold(revenue)):
        codes = tier.cat.codes.to_numpy()
        order = np.argsort(-revenue.to_numpy(), kind="stable")
        assert (np.diff(codes[order]) >= 0).all()


@settings(max_examples=60, deadline=None)
@given(revenues, st.floats(0, 1), st.floats(0, 1))
def test_top_share_grows_with_the_fraction(revenue, a, b):
    if revenue.sum() == 0:
        return
    lo, hi = sorted((a, b))
    assert top_share(revenue, lo) <= top_share(revenue, hi) + 1e-12
    assert 0 <= top_share(revenue, lo) <= 1 + 1e-12


# --- concentration: 80/20, Lorenz, Gini, ABC, whale curve, layers ------------------------------

from custlib.pyramid import (  # noqa: E402
    abc_classes, customer_layers, gini, group_concentration, layer_counts, lorenz_curve,
    pareto_fraction, whale_curve)


def test_case_pareto_fraction(case_revenue):
    # the case's top 20% bring 80.2%, so 80% needs slightly less than 20% of customers
    x = pareto_fraction(case_revenue, 0.80)
    assert 0.19 < x <= 0.20
    assert top_share(case_revenue, x) >= 0.80


def test_case_retailer_and_bank_tables():
    retailer = group_concentration([0.04, 0.11, 0.14], [0.37, 0.27, 0.16])
    assert retailer["cum_customers"].round(2).tolist() == [0.04, 0.15, 0.29]
    assert retailer["cum_profit"].round(2).tolist() == [0.37, 0.64, 0.80]
    bank = group_concentration([0.10, 0.30, 0.60], [0.93, 0.17, -0.10], share_time=[0.18, 0.28, 0.54],
                               labels=["top", "middle", "bottom"])
    assert round(bank["share_profit"].sum(), 10) == 1.0 and round(bank["share_time"].sum(), 10) == 1.0
    assert round(bank.loc["top", "profit_per_time"], 2) == 5.17  # 93% of profit for 18% of time
    assert bank.loc["bottom", "profit_per_time"] < 0


def test_whale_curve_of_the_case_reading():
    """Top 20% earn 109% of profit, the rest -9% (digest §7 reading)."""
    profit = pd.Series([109.0 / 20] * 20 + [-9.0 / 80] * 80)
    curve = whale_curve(profit)
    assert round(curve["share_profit"].max(), 6) == 1.09
    assert curve["share_profit"].iloc[20] == curve["share_profit"].max()
    assert round(curve["share_profit"].iloc[-1], 12) == 1.0


def test_layers_from_the_synthetic_data(crm):
    # the recorded layer is as of the snapshot: customers bought in the last full year
    layer = customer_layers(crm.customers, crm.orders, crm.opportunities,
                            start="2025-01-01", end="2025-12-31")
    assert layer_counts(layer).tolist() == [2_126, 154, 250, 1_000]
    recorded = crm.customers.set_index("customer_id")["status_layer"].astype(str)
    assert (layer.astype(str) == recorded.reindex(layer.index)).all()


@settings(max_examples=60, deadline=None)
@given(revenues)
def test_lorenz_curve_monotone_convex_and_gini_bounded(values):
    if values.sum() == 0:
        return
    c = lorenz_curve(values)
    x, y = c["share_customers"].to_numpy(), c["share_value"].to_numpy()
    assert y[0] == 0 and np.isclose(y[-1], 1) and (np.diff(y) >= -1e-12).all()
    slopes = np.diff(y) / np.diff(x)
    assert (np.diff(slopes) >= -1e-9 * max(1.0, slopes.max())).all()  # convex
    assert (y <= x + 1e-12).all()  # never above the line of equality
    assert 0 <= gini(values) <= 1


@settings(max_examples=60, deadline=None)
@given(revenues, st.floats(0.01, 1))
def test_abc_partition_and_pareto_consistency(revenue, target):
    if revenue.sum() == 0:
        return
    abc = abc_classes(revenue)
    assert abc.notna().all() and len(abc) == len(revenue)
    order = np.argsort(-revenue.to_numpy(), kind="stable")
    assert (np.diff(abc.cat.codes.to_numpy()[order]) >= 0).all()
    x = pareto_fraction(revenue, target)
    assert top_share(revenue, x) >= target - 1e-9


# --- cut-offs that fit the data (thresholds_for) -----------------------------------------------

import dataclasses  # noqa: E402

from custlib.io import CRMData  # noqa: E402
from custlib.policy import PYRAMID  # noqa: E402
from custlib.pyramid import (  # noqa: E402
    check_thresholds, fit_thresholds, pyramid_cutoffs, thresholds_for, thresholds_note)

CASE_CUTOFFS = (58_900.0, 19_000.0, 4_820.0)


def _wanted(n: int) -> list[int]:
    return [int(k) for k in np.round(np.asarray(PYRAMID.fit_ranks) * n)]


def _above(revenue, cutoffs) -> list[int]:
    r = np.asarray(revenue, dtype=float)
    return [int((r > t).sum()) for t in cutoffs]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 10**9), min_size=1, max_size=2_000, unique=True))
def test_fitted_cutoffs_put_1_5_20_percent_above_distinct_revenues(cents):
    revenue = pd.Series(np.asarray(cents, dtype=float) / 100)  # money with cents
    t = fit_thresholds(revenue)
    assert len(t) == 3 and t[0] > t[1] > t[2] >= 0
    assert _above(revenue, t) == _wanted(len(revenue))
    tier = tiers_by_threshold(revenue, t)  # usable as they are
    assert tier_table(revenue, tier)["customers"].tolist()[:3] == list(
        np.diff([0, *_wanted(len(revenue))]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.5, 10.0, 10.01, 99.99, 250.0, 1e6]), min_size=1,
                max_size=500))
def test_fitted_cutoffs_stay_decreasing_with_ties_and_never_put_too_many_above(values):
    revenue = pd.Series(values)
    t = fit_thresholds(revenue)
    assert t[0] > t[1] > t[2] >= 0
    assert all(a <= w for a, w in zip(_above(revenue, t), _wanted(len(revenue))))
    tiers_by_threshold(revenue, t)  # accepted


def test_fitted_cutoffs_of_the_case_pyramid_put_its_tiers_back(case_revenue):
    t = fit_thresholds(case_revenue)
    assert t == (31_600.0, 9_100.0, 1_160.0)  # the next tier's average: ties at every cut
    table = tier_table(case_revenue, tiers_by_threshold(case_revenue, t))
    assert table["customers"].tolist() == CASE_COUNTS


def _crm(orders: pd.DataFrame, **settings_) -> CRMData:
    return CRMData(path=None, orders=orders, **settings_)


def _two_years(n: int = 400, seed: int = 7, growth: float = 1.0) -> pd.DataFrame:
    """n customers buying once a year in 2024 and 2025, amounts with cents."""
    rng = np.random.default_rng(seed)
    ids = [f"U{i:04d}" for i in range(n)]
    y1 = np.round(rng.lognormal(7, 1.3, n), 2)
    days = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 366, n), unit="D")
    return pd.DataFrame({
        "customer_id": ids * 2,
        "order_date": list(days) + list(days + pd.DateOffset(years=1)),
        "amount": np.concatenate([y1, np.round(y1 * growth, 2)]),
    }).assign(order_date=lambda d: d["order_date"].clip(upper=pd.Timestamp("2025-12-31")))


def test_bundled_data_gets_the_case_cutoffs(crm):
    c = pyramid_cutoffs(crm)
    assert c.rule == "case" and c.thresholds == CASE_CUTOFFS == thresholds_for(crm)
    assert "¥58,900 / ¥19,000 / ¥4,820" in c.note and "--thresholds" in thresholds_note(crm)


def test_a_user_override_wins_on_the_bundled_and_on_other_data(crm):
    mine = {"pyramid": {"thresholds": (60_000.0, 20_000.0, 5_000.0)}}
    assert thresholds_for(dataclasses.replace(crm, policy=mine)) == (60_000.0, 20_000.0, 5_000.0)
    usd = _crm(_two_years(), currency="USD", policy={"pyramid": {"thresholds": [900, 300.5, 10]}})
    c = pyramid_cutoffs(usd)
    assert c.rule == "mapping" and c.thresholds == (900.0, 300.5, 10.0)
    assert "$900.00 / $300.50 / $10.00" in c.note
    with pytest.raises(ValueError, match="decreasing"):
        thresholds_for(_crm(_two_years(), policy={"pyramid": {"thresholds": [1, 2, 3]}}))


def test_other_data_is_cut_at_the_ranks_of_its_first_full_year():
    orders = _two_years(growth=1.5)  # year two: everyone buys 50 % more
    usd = _crm(orders, currency="USD", as_of=pd.Timestamp("2025-12-31"))
    c = pyramid_cutoffs(usd)
    assert c.rule == "first_full_year" and c.customers == 400
    assert (c.start, c.end) == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    y1 = orders[orders["order_date"].dt.year == 2024].groupby("customer_id")["amount"].sum()
    assert _above(y1, c.thresholds) == [4, 20, 80]
    assert c.thresholds != CASE_CUTOFFS and c.note.startswith("pyramid cut-offs $")
    # year two against the fixed cut-offs of year one: the tiers grow, as in the case
    y2 = orders[orders["order_date"].dt.year == 2025].groupby("customer_id")["amount"].sum()
    counts = tier_table(y2, tiers_by_threshold(y2, c.thresholds))["customers"].tolist()
    assert counts[0] > 4 and sum(counts[:3]) > 80
    # the default analysis date is the last order: same year read
    assert thresholds_for(dataclasses.replace(usd, as_of=None)) == c.thresholds


def test_less_than_a_year_of_orders_falls_back_to_the_last_12_months():
    orders = _two_years()
    recent = orders[orders["order_date"] >= "2025-03-01"]
    c = pyramid_cutoffs(_crm(recent, currency="EUR"))
    assert c.rule == "last_12_months" and "last 12 months" in c.note and "€" in c.note
    assert c.end == recent["order_date"].max().normalize()
    assert _above(recent.groupby("customer_id")["amount"].sum(), c.thresholds) == _wanted(
        recent["customer_id"].nunique())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 600), st.integers(0, 10_000))
def test_fitted_cutoffs_of_loaded_data_hold_about_1_5_20_percent(n, seed):
    orders = _two_years(n=n, seed=seed)
    c = pyramid_cutoffs(_crm(orders, currency="USD"))
    assert c.thresholds[0] > c.thresholds[1] > c.thresholds[2]
    y1 = orders[orders["order_date"].between(c.start, c.end)]  # the year the cut-offs read
    revenue = y1.groupby("customer_id")["amount"].sum()
    assert c.customers == len(revenue)
    above = _above(revenue, c.thresholds)
    assert all(a <= w for a, w in zip(above, _wanted(len(revenue))))
    assert all(abs(a / len(revenue) - s) <= 0.5 / len(revenue) + 2 / len(revenue)
               for a, s in zip(above, PYRAMID.fit_ranks))


def test_no_sale_in_the_year_read_is_a_clear_error():
    o = pd.DataFrame({"customer_id": ["A"], "order_date": pd.to_datetime(["2025-01-01"]),
                      "amount": [0.0]})
    with pytest.raises(ValueError, match="cannot be read from the data.*--thresholds"):
        thresholds_for(_crm(o, currency="USD"))


@pytest.mark.parametrize("bad, message", [
    ("60000,20000", "expected 3 numbers"), ("a,b,c", "expected 3 numbers"),
    ([5000, 20000, 60000], "strictly decreasing"), ([10, 5, -1], ">= 0"),
    ([10, 10, 5], "strictly decreasing"),
])
def test_check_thresholds(bad, message):
    with pytest.raises(ValueError, match=message):
        check_thresholds(bad)
    assert check_thresholds("60_000;20000; 4820.5") == (60_000.0, 20_000.0, 4_820.5)


def test_a_first_year_without_sales_is_skipped():
    orders = _two_years()
    late = orders[orders["order_date"].dt.year == 2025]
    gap = pd.concat([pd.DataFrame({"customer_id": ["U0000"], "amount": [50.0],
                                   "order_date": pd.to_datetime(["2023-06-01"])}), late])
    c = pyramid_cutoffs(_crm(gap, currency="USD"))  # 2024 is the first full year: no sale
    assert c.rule == "first_full_year" and c.start == pd.Timestamp("2025-01-01")
    assert "first full year of the data with sales" in c.note
