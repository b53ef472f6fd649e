"""The synthetic CRM dataset: determinism, drift, integrity, dates and calibration.

The committed files in data/synthetic/ are the source of truth. These tests check
that the generator still reproduces them byte for byte, that they are internally
consistent, and that they carry the digest's cases the lessons rely on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlib import schema
from custlib.pyramid import tier_table, tiers_by_threshold
from custlib.synth import geo
from custlib.synth.generate import SNAPSHOT, file_sha256, generate, read_manifest, write_dataset

TIER_LABELS = ["vip", "key", "mid", "small"]


# --- determinism and drift ----------------------------------------------------------------

def test_same_seed_same_bytes(tmp_path):
    a = write_dataset(tmp_path / "a", seed=7, customers=300)
    b = write_dataset(tmp_path / "b", seed=7, customers=300)
    assert a["files"] == b["files"]
    c = write_dataset(tmp_path / "c", seed=8, customers=300)
    assert c["files"]["orders.csv"]["sha256"] != a["files"]["orders.csv"]["sha256"]


def test_committed_files_match_their_manifest(synthetic_dir):
    manifest = read_manifest(synthetic_dir)
    for name, entry in manifest["files"].items():
        assert file_sha256(synthetic_dir / name) == entry["sha256"], (
            f"data/synthetic/{name} differs from MANIFEST.json: the committed dataset was edited "
            "by hand; regenerate it with the command in data/synthetic/README.md")


def test_generator_reproduces_committed_dataset(synthetic_dir, tmp_path):
    manifest = read_manifest(synthetic_dir)
    fresh = write_dataset(tmp_path, seed=manifest["seed"], customers=manifest["customers"],
                          locale=manifest["locale"])
    changed = [n for n, e in manifest["files"].items() if fresh["files"][n]["sha256"] != e["sha256"]]
    if changed:
        versions = {k: (v, fresh["libraries"][k]) for k, v in manifest["libraries"].items()
                    if fresh["libraries"][k] != v}
        pytest.fail(
            f"regenerating the committed dataset changed {changed}. Library versions "
            f"(committed, now) that differ: {versions or 'none'}. If a library changed, install "
            "the pinned versions (requirements/lock.txt); if the generator changed on purpose, "
            "bump GENERATOR_VERSION, regenerate data/synthetic and review every lesson's numbers.")


def test_manifest_records_parameters_and_versions(synthetic_dir):
    m = read_manifest(synthetic_dir)
    assert (m["seed"], m["customers"], m["locale"]) == (2126, 2126, "en_US")
    assert set(m["libraries"]) == {"faker", "numpy", "pyarrow"}
    assert {f"{t}.csv" for t in schema.TABLE_ORDER} | {"README.md"} == set(m["files"])


def test_data_dictionary_is_current(synthetic_dir):
    from custlib.synth.dictionary import render_dictionary
    from custlib.synth.generate import _dataset_header

    m = read_manifest(synthetic_dir)
    expected = render_dictionary(m["files"], _dataset_header(m["seed"], m["customers"], m["locale"]))
    assert (synthetic_dir / "README.md").read_text(encoding="utf-8") == expected
    for table in schema.TABLES.values():  # every table and column is documented
        for col in table.names:
            assert f"| `{col}` |" in expected


def test_steps_run_in_the_order_of_STEPS():
    """The progress bar counts STEPS; the draws' order (the committed bytes) is theirs."""
    import dataclasses

    from custlib.synth.generate import STEPS, Calibration, _tables

    ran, outputs = [], []

    def step(name, make, *args):
        ran.append(name)
        outputs.append(make(*args))
        return outputs[-1]

    names = [name for name, _ in _tables(1, 150, "en_US", Calibration(), step)]
    assert tuple(ran) == STEPS
    assert sorted(names) == sorted(schema.TABLE_ORDER)
    for out in outputs:  # each step hands on frozen dataclasses, never mutable state
        for part in out if isinstance(out, tuple) else (out,):
            assert dataclasses.is_dataclass(part) and part.__dataclass_params__.frozen


# --- schema, types, integrity --------------------------------------------------------------

def test_loads_with_canonical_types(crm):
    for name in schema.TABLE_ORDER:
        df = getattr(crm, name)
        table = schema.TABLES[name]
        assert list(df.columns) == table.names, name
        for col in table.columns:
            s = df[col.name]
            if col.dtype == "date":
                assert pd.api.types.is_datetime64_any_dtype(s), (name, col.name)
            elif col.dtype == "category":
                assert list(s.cat.categories) == list(col.allowed), (name, col.name)
            elif col.dtype == "int":
                assert pd.api.types.is_integer_dtype(s), (name, col.name)
            elif col.dtype == "bool":
                assert pd.api.types.is_bool_dtype(s), (name, col.name)
            if not col.nullable:
                assert s.notna().all(), (name, col.name)


def test_referential_integrity(crm):
    cust = set(crm.customers["customer_id"])
    reps = set(crm.reps["rep_id"])
    for name in ("contacts", "orders", "opportunities", "activities", "events"):
        assert set(getattr(crm, name)["customer_id"]) <= cust, name
    for name in ("customers", "opportunities", "activities"):
        assert set(getattr(crm, name)["rep_id"]) <= reps, name
    # an activity's contact works for the customer the activity is with
    act = crm.activities.merge(crm.contacts[["contact_id", "customer_id"]], on="contact_id",
                               how="left", suffixes=("", "_of_contact"))
    assert (act["customer_id"] == act["customer_id_of_contact"]).all()


def test_keys_unique_and_names_unique(crm):
    for name in schema.TABLE_ORDER:
        key = schema.TABLES[name].key
        assert getattr(crm, name)[key].is_unique, name
    assert crm.customers["customer_name"].is_unique


def test_amounts_and_costs_positive(crm):
    o = crm.orders
    assert (o["amount"] > 0).all() and (o["cost"] > 0).all()
    assert (crm.opportunities["expected_value"] > 0).all()
    p = crm.opportunities["probability"]
    assert p.between(0, 1).all()


def test_no_date_outside_the_simulated_period(crm):
    start, snap = pd.Timestamp("2017-01-01"), pd.Timestamp(str(SNAPSHOT))
    for name in schema.TABLE_ORDER:
        df = getattr(crm, name)
        for col in schema.TABLES[name].columns:
            if col.dtype != "date" or col.name in ("birthday", "hire_date", "expected_close_date"):
                continue
            s = df[col.name].dropna()
            assert s.between(start, snap).all(), f"{name}.{col.name}: {s.min()} .. {s.max()}"
    assert crm.orders["order_date"].min() >= pd.Timestamp("2019-01-01")
    assert (crm.reps["hire_date"] <= snap).all()
    opp = crm.opportunities
    open_ = opp["stage"].isin(schema.OPEN_STAGES)
    assert (opp.loc[open_, "expected_close_date"] > snap).all()  # forecasts only
    assert (opp.loc[open_, "expected_close_date"] <= snap + pd.Timedelta(days=300)).all()


def test_stage_dates_are_ordered_and_match_the_stage(crm):
    opp = crm.opportunities
    cols = [schema.STAGE_DATE_COLUMNS[s] for s in schema.OPEN_STAGES]
    d = opp[cols + ["won_date", "lost_date"]]
    filled = d.ffill(axis=1)  # a stage date is never before the previous one reached
    prev = filled.shift(axis=1)
    ok = (d.isna() | prev.isna() | (d >= prev)).all(axis=1)
    assert ok.all(), opp.loc[~ok, "opportunity_id"].head().tolist()
    # the reached stages are a prefix of the funnel
    reached = opp[cols].notna().to_numpy()
    assert (reached[:, 1:] <= reached[:, :-1]).all()
    assert (opp["won_date"].notna() == (opp["stage"] == "won")).all()
    assert (opp["lost_date"].notna() == (opp["stage"] == "lost")).all()
    assert (opp["lost_reason"].notna() == (opp["stage"] == "lost")).all()
    open_ = opp[opp["stage"].isin(schema.OPEN_STAGES)]
    last = open_[cols].notna().sum(axis=1) - 1
    assert (np.array(schema.OPEN_STAGES)[last] == open_["stage"].astype(str)).all()


def test_first_contact_precedes_everything(crm):
    c = crm.customers.set_index("customer_id")
    assert (c["first_purchase_date"].isna() | (c["first_contact_date"] <= c["first_purchase_date"])).all()
    first_order = crm.orders.groupby("customer_id")["order_date"].min()
    assert (first_order == c.loc[first_order.index, "first_purchase_date"]).all()
    first_act = crm.activities.groupby("customer_id")["activity_date"].min()
    assert (c.loc[first_act.index, "first_contact_date"] <= first_act).all()


def test_seats_owned_and_competitor_fields(crm):
    c = crm.customers
    assert (c["seats_owned"] + c["competitor_seats"] <= c["estimators"]).all()
    assert (c["competitor"].notna() == (c["competitor_seats"] > 0)).all()
    assert (c.loc[c["status_layer"].isin(["prospect", "suspect"]), "seats_owned"] == 0).all()


# --- calibration (digest §7, §12) ------------------------------------------------------------

def test_population_layers_match_the_case(crm):
    counts = crm.customers["status_layer"].value_counts()
    assert counts.to_dict() == {"customer": 2126, "suspect": 1000, "prospect": 250, "inactive": 154}


def test_layers_follow_from_the_data(crm, yearly_revenue):
    c = crm.customers.set_index("customer_id")
    buyers_y1 = set(yearly_revenue.index[yearly_revenue["y1"] > 0])
    assert set(c.index[c["status_layer"] == "customer"]) == buyers_y1
    ever = set(crm.orders["customer_id"])
    assert set(c.index[c["status_layer"] == "inactive"]) == ever - buyers_y1
    met = crm.opportunities.loc[crm.opportunities["first_appointment_date"].notna(), "customer_id"]
    prospects = set(c.index[c["status_layer"] == "prospect"])
    assert prospects <= set(met) and not prospects & ever


def test_year1_tiers_within_the_case_bands(yearly_revenue):
    r1 = yearly_revenue.loc[yearly_revenue["y1"] > 0, "y1"]
    table = tier_table(r1, tiers_by_threshold(r1))  # the case thresholds are the default
    counts, shares = table["customers"], table["share_revenue"]
    case_counts = {"vip": 21, "key": 85, "mid": 319, "small": 1701}
    case_shares = {"vip": 0.24, "key": 0.27, "mid": 0.29, "small": 0.20}
    for t in TIER_LABELS:
        assert abs(counts[t] - case_counts[t]) <= 0.10 * case_counts[t], (t, counts[t])
        assert abs(shares[t] - case_shares[t]) <= 0.03, (t, shares[t])
    assert abs(r1.sum() - 9_956_060) <= 0.05 * 9_956_060


def test_year2_meeting_effect_and_movers(crm, yearly_revenue):
    met = set(crm.activities.loc[crm.activities["activity_type"] == "meeting", "customer_id"])
    r = yearly_revenue[yearly_revenue["y1"] > 0]
    got = r.index.isin(met)
    growth_met = r.loc[got, "y2"].sum() / r.loc[got, "y1"].sum() - 1
    growth_not = r.loc[~got, "y2"].sum() / r.loc[~got, "y1"].sum() - 1
    assert 0.04 <= growth_met <= 0.08 and -0.10 <= growth_not <= -0.06
    # more visits for those who had the meeting
    visits = crm.activities[(crm.activities["activity_type"] == "visit")
                            & (crm.activities["activity_date"].dt.year == 2025)]
    per = visits.groupby("customer_id").size().reindex(r.index, fill_value=0)
    assert per[got].mean() > 2 * per[~got].mean()
    # a few per cent of small customers move up a tier, and the count stays 2,126
    t1 = tiers_by_threshold(r["y1"]).cat.codes
    t2 = tiers_by_threshold(r["y2"]).cat.codes
    small = t1 == 3
    up = (small & (t2 < 3)).sum() / small.sum()
    assert 0.02 <= up <= 0.10
    assert (r["y2"] > 0).all()


def test_one_in_five_first_appointments_won(crm):
    opp = crm.opportunities
    closed = opp[opp["first_appointment_date"].notna() & opp["stage"].isin(["won", "lost"])]
    rate = (closed["stage"] == "won").mean()
    assert 0.17 <= rate <= 0.24
    # funnel counts never grow down the stages
    reached = [opp[schema.STAGE_DATE_COLUMNS[s]].notna().sum() for s in schema.OPEN_STAGES]
    reached.append((opp["stage"] == "won").sum())
    assert reached == sorted(reached, reverse=True)


def test_pipeline_shapes_visible_per_rep(crm):
    opp = crm.opportunities
    open_ = opp[opp["stage"].isin(schema.OPEN_STAGES)]
    counts = pd.crosstab(open_["rep_id"], open_["stage"]).reindex(
        columns=list(schema.OPEN_STAGES), fill_value=0)
    front = counts["opportunity"] + counts["first_appointment"]
    middle = counts["prospect_1"] + counts["prospect_2"]
    assert ((front <= 1) & (middle + counts["prospect_3"] >= 3)).any(), "no rep with an empty front"
    assert (counts["prospect_2"] >= 2 * counts["prospect_2"].median() + 4).any(), "no middle pile-up"
    assert (front >= middle).sum() >= len(counts) // 3, "too few healthy funnels"


def test_profit_concentration_reading(crm):
    """Digest §7 reading: the top 20% earn about 109% of profit, the rest about -9%."""
    o = crm.orders[crm.orders["order_date"].dt.year == 2024]
    by = o.groupby("customer_id")[["amount", "cost"]].sum()
    by["profit"] = by["amount"] - by["cost"]
    top = by["amount"].rank(ascending=False, method="first") <= round(0.2 * len(by))
    share = by.loc[top, "profit"].sum() / by["profit"].sum()
    assert 1.0 <= share <= 1.2
    assert by.loc[~top, "profit"].sum() < 0


@pytest.mark.parametrize("seed", [1, 99])
def test_calibration_holds_for_other_seeds(seed):
    t = generate(seed=seed, customers=2126)
    o = t["orders"].to_pandas()
    o = o[pd.to_datetime(o["order_date"]).dt.year == 2024]
    r1 = o.groupby("customer_id")["amount"].sum()
    shares = tier_table(r1, tiers_by_threshold(r1))["share_revenue"]
    assert np.allclose(shares[TIER_LABELS], [0.24, 0.27, 0.29, 0.20], atol=0.03)
    assert abs(r1.sum() / 9_956_060 - 1) < 0.05


# --- drop-out (digest §5 stage D, 客户衰退) ------------------------------------------------------

@pytest.fixture(scope="module")
def drop_outs():
    """Year-1 customers of seed 2126 who drop out during year 2, found against the same
    dataset generated without the year-2 drop-out (its own random stream: nothing else moves)."""
    from custlib.synth.generate import Calibration

    with_, without = (generate(seed=2126, customers=2126, calibration=cal)
                      for cal in (None, Calibration(churn_hazard=(0.0, 0.0, 0.0, 0.0))))
    frames = {k: (with_[k].to_pandas(), without[k].to_pandas()) for k in ("orders", "customers")}
    o, o0 = frames["orders"]
    for d in (o, o0):
        d["order_date"] = pd.to_datetime(d["order_date"])
    c = frames["customers"][0].set_index("customer_id")
    buyers = c.index[c["status_layer"] == "customer"]
    last = o.groupby("customer_id")["order_date"].max().reindex(buyers)
    gone = last < o0.groupby("customer_id")["order_date"].max().reindex(buyers)
    act = with_["activities"].to_pandas()
    act["activity_date"] = pd.to_datetime(act["activity_date"])
    return {"orders": o, "orders0": o0, "activities": act, "buyers": buyers, "gone": gone,
            "last": last}


def test_drop_out_moves_timing_only(drop_outs):
    o, o0 = drop_outs["orders"], drop_outs["orders0"]
    per_year = [d.groupby(["customer_id", d["order_date"].dt.year])["amount"].agg(["sum", "size"])
                for d in (o, o0)]
    pd.testing.assert_frame_equal(per_year[0], per_year[1])  # same orders and totals per year
    gone, last = drop_outs["gone"], drop_outs["last"]
    assert 0.05 <= gone.mean() <= 0.20
    assert (last[gone].dt.year == 2025).all()  # they still buy in year 2 (the case's count)
    assert (last[gone] <= pd.Timestamp("2025-03-01")).all()  # silent ten months and more


def test_drop_out_hazard_by_tier_and_visits(drop_outs):
    o, gone, buyers = drop_outs["orders"], drop_outs["gone"], drop_outs["buyers"]
    r1 = o[o["order_date"].dt.year == 2024].groupby("customer_id")["amount"].sum().reindex(buyers)
    by_tier = gone.groupby(tiers_by_threshold(r1).astype(str)).mean()
    # the big customers drop out more often (the rates are the dataset's): they buy often
    # enough for the early warning to see them go
    assert min(by_tier["key"], by_tier["mid"]) > 1.3 * by_tier["small"]
    act = drop_outs["activities"]
    met = pd.Series(buyers.isin(act.loc[act["activity_type"] == "meeting", "customer_id"]), buyers)
    by_met = gone.groupby(met).mean()
    assert by_met[False] > 2 * by_met[True]
    # the warning sign: fewer visits, and few in the last three months before the snapshot
    visits = act[act["activity_type"] == "visit"]
    v25 = visits[visits["activity_date"].dt.year == 2025].groupby("customer_id").size()
    recent = visits[visits["activity_date"] >= "2025-10-01"].groupby("customer_id").size()
    v25, recent = (v.reindex(buyers, fill_value=0) for v in (v25, recent))
    assert v25[gone].mean() < 0.8 * v25[~gone].mean()
    assert (recent[gone] > 0).mean() < 0.6 * (recent[~gone] > 0).mean()


def test_p_alive_spread_on_the_dataset(crm):
    """BG/NBD (custlib.predict) sees the drop-out: some customers fall below 0.5 and the
    long-silent ones, inactive customers above all, score lower."""
    from custlib.predict import bgnbd_fit, bgnbd_p_alive
    from custlib.value import rfm_summary

    s = rfm_summary(crm.orders, as_of=str(SNAPSHOT))
    params = bgnbd_fit(s["frequency"], s["recency"], s["T"])
    p = pd.Series(np.asarray(bgnbd_p_alive(params, s["frequency"], s["recency"], s["T"])), s.index)
    layer = crm.customers.set_index("customer_id")["status_layer"].astype(str).reindex(s.index)
    assert 10 <= (p < 0.5).sum() <= 0.25 * len(p)
    assert p[layer == "inactive"].mean() < p[layer == "customer"].mean() - 0.1
    silent = (s["T"] - s["recency"]) > 180
    buyers = layer == "customer"
    assert p[buyers & silent].mean() < p[buyers & ~silent].mean()


# --- locales ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def zh():
    return {k: v.to_pandas() for k, v in generate(seed=3, customers=400, locale="zh_CN").items()}


def test_zh_cn_cities_inside_their_province(zh):
    truth = {c_zh + "市": p.zh for p in geo.PROVINCES for c_zh, _ in p.cities}
    c = zh["customers"]
    assert (c["city"].map(truth) == c["province"]).all()
    # provinces weighted like the digest §13 table: Guangdong most, Jiangsu second
    top = c["province"].value_counts().index[:2].tolist()
    assert top == ["广东省", "江苏省"]


def test_zh_cn_names_phones_qq(zh):
    c, p = zh["customers"], zh["contacts"]
    assert c["customer_name"].is_unique
    assert c["customer_name"].str.contains("[\u4e00-\u9fff]").all()
    assert c.apply(lambda r: r["customer_name"].startswith(r["city"].removesuffix("市")), axis=1).all()
    assert p["contact_name"].str.fullmatch("[\u4e00-\u9fff]{2,4}").all()
    assert p["mobile"].str.fullmatch(r"1[3-9]\d{9}").all()
    qq = p["qq"].dropna()
    assert len(qq) > 0.7 * len(p) and qq.str.fullmatch(r"[1-9]\d{4,9}").all()


def test_en_us_has_no_qq_and_ascii_names(crm):
    assert crm.contacts["qq"].isna().all()
    assert crm.customers["customer_name"].str.fullmatch(r"[\x20-\x7e]+").all()


# --- command line -------------------------------------------------------------------------------

def test_cli_generate_and_refuse_non_empty(tmp_path, capsys):
    from custlib.cli import main

    out = tmp_path / "data"
    assert main(["generate", "--seed", "5", "--customers", "150", "--out", str(out), "--quiet"]) == 0
    assert (out / "orders.csv").exists() and (out / "MANIFEST.json").exists()
    before = (out / "orders.csv").read_bytes()
    assert main(["generate", "--seed", "6", "--customers", "150", "--out", str(out), "--quiet"]) == 1
    assert "is not empty" in capsys.readouterr().err
    assert (out / "orders.csv").read_bytes() == before
    assert main(["generate", "--seed", "6", "--customers", "150", "--out", str(out), "--quiet",
                 "--force"]) == 0
    assert (out / "orders.csv").read_bytes() != before


def test_generate_rejects_bad_arguments():
    with pytest.raises(ValueError, match="locale"):
        generate(customers=200, locale="fr_FR")
    with pytest.raises(ValueError, match="at least 100"):
        generate(customers=10)
