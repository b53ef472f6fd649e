"""custlib.rollups: the master table and the four roll-ups of digest §11."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from custlib.rollups import (classification_summary, expected_sales_value, master_table,
                             open_opportunities, purchase_summary, upgrade_analysis)

AS_OF = "2025-12-31"


@pytest.fixture(scope="module")
def master(crm):
    return master_table(crm.customers, as_of=AS_OF, orders=crm.orders, contacts=crm.contacts,
                        opportunities=crm.opportunities, activities=crm.activities,
                        events=crm.events)


@pytest.fixture(scope="module")
def open_opps(crm):
    return open_opportunities(crm.opportunities, AS_OF)


def test_expected_sales_value_is_value_times_probability():
    opp = pd.DataFrame({"expected_value": [10_000, 4_000, 0], "probability": [0.8, 0.25, 1.0]})
    assert expected_sales_value(opp).tolist() == [8_000.0, 1_000.0, 0.0]
    with pytest.raises(ValueError, match="between 0 and 1"):
        expected_sales_value(pd.DataFrame({"expected_value": [1], "probability": [1.5]}))
    with pytest.raises(ValueError, match="missing column"):
        expected_sales_value(pd.DataFrame({"expected_value": [1]}))


def test_master_has_one_row_per_customer_and_every_field_group(master, crm):
    assert master.index.equals(pd.Index(crm.customers["customer_id"]))
    for col in ("rep_id", "contact_name", "mobile", "visited_recently", "visits_per_month",
                "importance", "org_type", "business_line", "market_space", "estimators",
                "headroom", "competitor", "revenue_12m", "grade", "expected_sales_value",
                "open_deals", "open_value_total", "expected_sales_value_total", "org_purchase_3m", "individual_purchase_3m", "events_invited"):
        assert col in master.columns, col
    assert (master["headroom"] >= 0).all()


def test_master_totals_match_the_tables(master, crm, open_opps):
    y2 = crm.orders[crm.orders["order_date"].dt.year == 2025]["amount"].sum()
    assert master["revenue_12m"].sum() == y2
    esv = (open_opps["expected_value"] * open_opps["probability"]).sum()
    assert np.isclose(master["expected_sales_value_total"].sum(), esv)
    assert master["open_deals"].sum() == len(open_opps)
    assert master["events_attended"].sum() == crm.events["attended"].sum()
    # a customer's grade is its best open deal's grade; no open deal, no grade
    assert master["grade"].notna().sum() == open_opps["customer_id"].nunique()


def test_main_contact_is_the_decision_maker_when_there_is_one(master, crm):
    dm = crm.contacts[crm.contacts["role"] == "decision_maker"]["customer_id"].unique()
    assert (master.loc[dm, "role"].astype(str) == "decision_maker").all()


def test_classification_summary_counts_partition_each_dimension(master):
    s = classification_summary(master)
    for dim in ("importance", "org_type", "business_line"):
        assert s.loc[dim, "customers"].sum() == len(master)
        assert np.isclose(s.loc[dim, "share_customers"].sum(), 1)
    graded = master["grade"].notna().sum()
    assert s.loc["grade", "customers"].sum() == graded
    assert np.isclose(s.loc["grade", "expected_sales_value"].sum(),
                      master["expected_sales_value_total"].sum())


def test_the_master_row_shows_the_main_deal_and_the_totals_of_all_open_deals(master, open_opps):
    """The main deal's own columns agree with each other; the totals are labelled apart."""
    has = master["open_deals"] > 0
    deal = master[has]
    assert deal["expected_sales_value"].notna().all() and master.loc[~has, "stage"].isna().all()
    # the main deal's expected sales value is its own value times its own probability
    assert np.allclose(deal["expected_sales_value"], deal["expected_value"] * deal["probability"])
    assert (master["expected_sales_value"].dropna()
            <= master.loc[master["expected_sales_value"].notna(), "expected_value"] + 1e-9).all()
    assert (master["expected_sales_value_total"] <= master["open_value_total"] + 1e-9).all()
    # the totals are the sums over the open opportunities
    g = open_opps.groupby("customer_id")
    for total, col in (("open_value_total", "expected_value"),
                       ("expected_sales_value_total", "expected_sales_value")):
        want = g[col].sum().reindex(master.index, fill_value=0.0)
        assert np.allclose(master[total], want), total
    assert (master["open_deals"] == g.size().reindex(master.index, fill_value=0)).all()
    # the main deal is the customer's open deal with the largest expected sales value
    assert np.allclose(deal["expected_sales_value"],
                       g["expected_sales_value"].max().reindex(deal.index))
    two = master[master["open_deals"] >= 2]
    assert len(two) > 0 and (two["expected_sales_value"] < two["expected_sales_value_total"]).all()
    c = master.loc["C02510"]  # two open deals: 9,300 at 0.69, and the total of both
    assert (c["expected_value"], c["probability"], c["open_deals"]) == (9_300, 0.69, 2)
    assert c["expected_sales_value"] == pytest.approx(9_300 * 0.69)
    assert c["expected_sales_value_total"] == pytest.approx(11_845)


def test_purchase_summaries_split_the_open_pipeline(open_opps):
    org = purchase_summary(open_opps, "organisation")
    ind = purchase_summary(open_opps, "individual")
    assert org.loc["total", "deals"] + ind.loc["total", "deals"] == len(open_opps)
    assert np.isclose(org.loc["total", "expected_sales_value"] + ind.loc["total", "expected_sales_value"],
                      open_opps["expected_sales_value"].sum())
    assert set(org.index) == {"A", "B", "C", "D", "total"}
    with pytest.raises(ValueError, match="buyer_kind"):
        purchase_summary(open_opps, "company")


def test_upgrade_analysis_totals(open_opps):
    up = upgrade_analysis(open_opps)
    sel = open_opps[open_opps["is_upgrade"]]
    assert up.loc["total", "upgrade_deals"] == len(sel)
    assert up.loc["total", "upgrade_value"] == sel["expected_value"].sum()


def test_excel_workbook_opens_and_holds_the_right_totals(crm, tmp_path):
    import openpyxl

    from custlib.report import HEADER_ROWS, PYRAMID_SHEET, as_of_date, write_workbook

    assert as_of_date(crm) == pd.Timestamp("2025-12-31")
    path = write_workbook(crm, tmp_path / "wb.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["about · 说明", "pyramid · 客户金字塔", "master · 客户分析总表",
                               "classification · 客户分类汇总表", "organisation · 单位购买汇总表",
                               "individual · 个人购买汇总表", "upgrades · 用户升级分析表",
                               "pareto · 二八法则", "lifecycle · 生命周期", "funnel · 销售漏斗",
                               "grades · 客户分级", "early warning · 流失预警"]
    pyramid = pd.read_excel(path, sheet_name=PYRAMID_SHEET, header=HEADER_ROWS - 1, index_col=0)
    y2 = crm.orders.loc[crm.orders["order_date"].dt.year == 2025, "amount"].sum()
    assert pyramid.loc[["vip", "key", "mid", "small"], "revenue"].sum() == y2
    assert pyramid.loc[["inactive", "prospect", "suspect"], "customers"].tolist() == [154, 250, 1_000]
    master = pd.read_excel(path, sheet_name=2, header=HEADER_ROWS - 1, index_col=0)
    assert len(master) == len(crm.customers)
    pareto = pd.read_excel(path, sheet_name="pareto · 二八法则", header=HEADER_ROWS - 1,
                           index_col=0)
    revenue = crm.orders[crm.orders["order_date"].dt.year == 2025].groupby("customer_id")["amount"].sum()
    top = revenue.sort_values(ascending=False)
    assert pareto.loc["revenue share of the top 20% of customers", "value"] == pytest.approx(
        top.iloc[: round(0.2 * len(top))].sum() / top.sum(), abs=0.01)
    assert pareto.filter(like="(ABC)", axis=0)["value"].sum() == len(revenue)
    funnel = pd.read_excel(path, sheet_name="funnel · 销售漏斗", header=HEADER_ROWS - 1,
                           index_col=0)
    assert funnel.loc["opportunity", "reached"] == len(crm.opportunities)
    assert funnel["reached"].is_monotonic_decreasing
    assert [p.name for p in tmp_path.iterdir()] == ["wb.xlsx"]  # no temporary file left


def test_a_very_long_table_goes_to_a_csv_beside_the_workbook(crm, tmp_path, monkeypatch):
    from custlib.report import excel
    from custlib.report import HEADER_ROWS

    monkeypatch.setattr(excel, "EXCEL_INLINE_ROWS", 1_000)
    path = excel.write_workbook(crm, tmp_path / "wb.xlsx")
    pointer = pd.read_excel(path, sheet_name="master · 客户分析总表", header=HEADER_ROWS - 1,
                            index_col=0)
    assert pointer["rows"].tolist() == [len(crm.customers)]
    csv = tmp_path / pointer["file"].iloc[0]
    assert csv.name == "wb-master.csv" and csv.read_bytes()[:3] == b"\xef\xbb\xbf"
    assert len(pd.read_csv(csv, encoding="utf-8-sig")) == len(crm.customers)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wb-master.csv", "wb.xlsx"]


# --- the workbook of other data: the data's currency, cents and cut-offs ------------------------

def _usd_export(folder):
    """A transactions-only US export: two years, amounts with cents, US dates."""
    rng = np.random.default_rng(11)
    rows = []
    for year in (2024, 2025):
        for i in range(300):
            for _ in range(int(rng.integers(1, 4))):
                day = pd.Timestamp(f"{year}-01-01") + pd.Timedelta(days=int(rng.integers(0, 365)))
                rows.append((f"A{i:03d}", day.strftime("%m/%d/%Y"),
                             f"{rng.lognormal(7, 1.2):,.2f}"))
    pd.DataFrame(rows, columns=["Account", "Close Date", "Amount"]).to_csv(
        folder / "deals.csv", index=False)
    (folder / "mapping.toml").write_text(
        '[settings]\ncurrency = "USD"\nas_of = "2025-12-31"\n\n[orders]\nfile = "deals.csv"\n\n'
        '[orders.columns]\n"Account" = "customer_id"\n"Close Date" = "order_date"\n'
        '"Amount" = "amount"\n', encoding="utf-8")
    return folder / "deals.csv", folder / "mapping.toml"


@pytest.fixture
def usd(tmp_path):
    from custlib import money
    from custlib.io import load

    data, mapping = _usd_export(tmp_path)
    try:
        yield load(data, mapping=mapping)
    finally:
        money.set_currency("CNY")  # load makes the data's currency the display currency


def _money_cells(sheet, column: str):
    from custlib.report import HEADER_ROWS

    header = [c.value for c in sheet[HEADER_ROWS]]   # the English header row
    j = header.index(column) + 1
    return [row[0] for row in sheet.iter_rows(min_row=HEADER_ROWS + 1, min_col=j, max_col=j)
            if row[0].value is not None]


def test_the_workbook_of_a_usd_export_has_dollar_formats_and_keeps_the_cents(usd, tmp_path):
    import openpyxl

    from custlib.pyramid import pyramid_cutoffs
    from custlib.report import HEADER_ROWS, PYRAMID_SHEET, write_workbook

    assert usd.currency == "USD" and not usd.synthetic
    path = write_workbook(usd, tmp_path / "wb.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["pyramid · 客户金字塔"]
    cells = _money_cells(sheet, "revenue")
    assert len(cells) == 4 and all(c.number_format == '"$"#,##0.00;-"$"#,##0.00' for c in cells)
    assert all(c.number_format.startswith('"$"') for c in _money_cells(sheet, "avg_revenue"))
    assert not any("¥" in c.number_format for row in sheet.iter_rows() for c in row)
    # the values are the amounts to the cent, not rounded
    y2 = usd.orders.loc[usd.orders["order_date"].dt.year == 2025, "amount"]
    assert sum(c.value for c in cells) == pytest.approx(y2.sum(), abs=0.005)
    assert any(c.value != round(c.value) for c in cells)
    assert y2.sum() != round(y2.sum())
    # the cut-offs are the data's own (its first full year), not the case's yuan ones
    cut = pyramid_cutoffs(usd)
    assert cut.rule == "first_full_year" and cut.start == pd.Timestamp("2024-01-01")
    pyramid = pd.read_excel(path, sheet_name=PYRAMID_SHEET, header=HEADER_ROWS - 1, index_col=0)
    assert pyramid.loc[["vip", "key", "mid"], "cut_off"].tolist() == list(cut.thresholds)
    counts = pyramid.loc[["vip", "key", "mid", "small"], "customers"]
    assert (counts > 0).all() and counts["small"] < 0.9 * counts.sum()
    # the note under the table, in lines no wider than the table
    column_a = [c.value for c in sheet["A"]][HEADER_ROWS:]
    below = column_a[column_a.index(None) + 1:]
    assert " ".join(below) == cut.note and "$" in cut.note and "first full year" in cut.note


def test_the_charts_of_a_usd_export_carry_the_dollar_sign(usd, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from custlib.report import PYRAMID_SHEET, pyramid_chart, workbook_tables, write_charts

    fig = pyramid_chart(workbook_tables(usd)[PYRAMID_SHEET], code=usd.currency)
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(t.startswith("$") for t in labels), labels
    assert ax.get_xlabel() == "revenue (USD)"
    plt.close(fig)
    assert [p.name for p in write_charts(usd, tmp_path / "charts")] == ["pyramid.png", "pareto.png"]


def test_the_bundled_workbook_shows_whole_yuan(crm, tmp_path):
    import openpyxl

    from custlib.report import write_workbook

    small = dataclasses.replace(crm, customers=None, opportunities=None)  # quick: no master
    book = openpyxl.load_workbook(write_workbook(small, tmp_path / "wb.xlsx"))
    sheet = book["pyramid · 客户金字塔"]
    assert {c.number_format for c in _money_cells(sheet, "revenue")} == {'"¥"#,##0;-"¥"#,##0'}
    assert [c.value for c in _money_cells(sheet, "cut_off")][:3] == [58_900, 19_000, 4_820]


def test_every_window_is_the_period_helpers(crm):
    """The workbook's year is period.window up to period.as_of: same as the lessons'."""
    from custlib import period
    from custlib.report import PYRAMID_SHEET, as_of_date, workbook_tables

    assert as_of_date(crm) == period.as_of(crm)
    stated = dataclasses.replace(crm, as_of=pd.Timestamp("2025-06-30"))
    assert as_of_date(stated) == pd.Timestamp("2025-06-30")
    revenue = period.revenue_by_customer(crm.orders, *period.window("2025-06-30"))
    pyramid = workbook_tables(dataclasses.replace(stated, customers=None,
                                                  opportunities=None))[PYRAMID_SHEET]
    assert pyramid["revenue"].sum() == pytest.approx(revenue.sum())
    m = master_table(crm.customers, as_of="2025-06-30", orders=crm.orders)
    assert m["revenue_12m"].sum() == pytest.approx(revenue.sum())


def test_charts_drawn_from_the_workbook_tables_are_the_charts_drawn_alone(crm, tmp_path):
    # custlib run computes the sheets once and draws the charts from them
    import matplotlib

    matplotlib.use("Agg")
    from custlib import period
    from custlib.report import workbook_tables, write_charts

    alone = write_charts(crm, tmp_path / "alone")
    shared = write_charts(crm, tmp_path / "shared",
                          sheets=workbook_tables(crm, period.as_of(crm, None)))
    assert [p.name for p in alone] == [p.name for p in shared] == \
        ["pyramid.png", "pareto.png", "funnel.png"]
    for a, b in zip(alone, shared):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.parametrize("imported", [False, True], ids=["export", "imported folder"])
def test_the_workbook_read_from_its_columns_is_the_workbook_read_whole(crm, tmp_path, imported):
    """custlib run loads only WORKBOOK_COLUMNS of the activities: every sheet is the same
    as from all the columns, so the list cannot fall behind what the sheets use (the
    bundled data fills every column)."""
    from custlib import period
    from custlib.io import DEFAULT_DATA_DIR, import_data, load
    from custlib.report import WORKBOOK_COLUMNS, workbook_tables

    source = DEFAULT_DATA_DIR
    if imported:
        import_data(DEFAULT_DATA_DIR, tmp_path / "data")
        source = tmp_path / "data"
    narrow = load(source, columns=WORKBOOK_COLUMNS)
    whole = load(source)
    acts = narrow.activities
    assert list(acts.columns) == list(whole.activities.columns)
    assert (acts.dtypes == whole.activities.dtypes.replace({np.dtype(bool): "boolean"})).all()
    for c in acts.columns:     # the others are empty, as in an export without them
        assert acts[c].isna().all() != (c in WORKBOOK_COLUMNS["activities"]), c
    assert not narrow.has("activities", "outcome") and narrow.has("activities", "activity_type")
    a = workbook_tables(whole, period.as_of(whole, None))
    b = workbook_tables(narrow, period.as_of(narrow, None))
    assert list(a) == list(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def test_columns_of_load_name_tables_and_columns_of_the_schema():
    from custlib.io import load

    with pytest.raises(ValueError, match=r"columns: unknown table 'visits'"):
        load(columns={"visits": ["customer_id"]})
    with pytest.raises(ValueError, match=r"columns: unknown column\(s\) \['note'\] of activities"):
        load(columns={"activities": ["customer_id", "note"]})
