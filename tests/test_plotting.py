"""Charts with Chinese text render their glyphs (no boxes, no missing-glyph warning)."""

from __future__ import annotations

import pytest
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from custlib.plotting import cjk_font, use_course_style, yuan  # noqa: E402


def test_cjk_font_is_shipped_and_registered():
    assert cjk_font() == "Noto Sans CJK SC"


def test_chinese_chart_renders_without_missing_glyphs(tmp_path):
    use_course_style()
    fig, ax = plt.subplots()
    ax.bar(["客户", "不积极的客户", "潜在客户", "需置疑的客户"], [2126, 154, 250, 1000])
    ax.set_title("客户金字塔 customer pyramid")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "zh.png")
    plt.close(fig)
    glyph = [str(w.message) for w in caught if "missing from font" in str(w.message)
             or "Glyph" in str(w.message)]
    assert not glyph, glyph


def test_default_font_would_miss_the_glyphs(tmp_path):
    """The check above can fail: without the CJK fallback the same chart warns."""
    with plt.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("客户")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(tmp_path / "boxes.png")
        plt.close(fig)
    assert any("missing from font" in str(w.message) or "Glyph" in str(w.message) for w in caught)


def test_yuan_formatter():
    assert [yuan(x) for x in (1_400_000, 800_000, 45_600, 950)] == ["¥1.4M", "¥800k", "¥45.6k", "¥950"]


def test_what_if_raises_what_the_function_raised_on_first_run():
    from custlib.course.whatif import what_if

    def broken(x=1):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError, match="boom"):
        what_if(broken, x=(0, 5, 1), show=False)
    assert what_if(lambda y=2: y + 1, y=(0, 5, 1), show=False).result == 3


def test_yuan_follows_the_display_currency_and_charts_carry_the_sign():
    from matplotlib.ticker import FuncFormatter

    from custlib import money
    from custlib.plotting import money_axis

    try:
        money.set_currency("USD")
        assert yuan(1_234_567.89) == "$1.23M" and yuan(950.5) == "$950"
        fig, ax = plt.subplots()
        ax.bar(["a", "b"], [12_000.5, 48_000.25])
        ax.yaxis.set_major_formatter(FuncFormatter(yuan))
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
        assert labels and all(t.startswith("$") for t in labels), labels
        plt.close(fig)
    finally:
        money.set_currency("CNY")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 2_000_000])
    money_axis(ax.yaxis, "revenue", code="EUR")
    fig.canvas.draw()
    assert ax.get_ylabel() == "revenue (EUR)"
    assert all(t.get_text().startswith("€") for t in ax.get_yticklabels() if t.get_text())
    plt.close(fig)
    assert yuan(45_600) == "¥45.6k"  # back to the bundled data's currency


# ---------------------------------------------------------------- tables

def _tier_table():
    import pandas as pd

    return pd.DataFrame({
        "customers": [21, 2_105],
        "revenue": [2_390_825.0, 7_565_235.0],
        "avg_revenue": [113_849.0, 3_593.871],
        "share_revenue": [0.843626, 0.156374],
        "open value (CNY)": [5_211_600.0, float("nan")],
        "last order": pd.to_datetime(["2025-12-30 00:00", None]),
        "seats": pd.array([3, None], dtype="Int64"),
        "note": ["top", None],
    }, index=pd.Index(["vip", "others"], name="tier"))


def test_table_formats_money_percent_counts_dates_and_na():
    from custlib.plotting import NA_TEXT, format_table

    t = format_table(_tier_table())
    text = t.text()
    assert text["customers"].tolist() == ["21", "2,105"]
    assert text["revenue"].tolist() == ["¥2,390,825", "¥7,565,235"]
    assert text["avg_revenue"].tolist() == ["¥113,849", "¥3,594"]      # no fractions of a cent
    assert text["share_revenue"].tolist() == ["84.4%", "15.6%"]
    assert text["open value (CNY)"].tolist() == ["¥5,211,600", NA_TEXT]
    assert text["last order"].tolist() == ["2025-12-30", NA_TEXT]      # no time, no NaT
    assert text["seats"].tolist() == ["3", NA_TEXT]                    # no <NA>
    assert text["note"].tolist() == ["top", NA_TEXT]
    html = t.to_html()
    for shown in ("¥2,390,825", "84.4%", "2025-12-30", "—", "DejaVu Sans"):
        assert shown in html
    for raw in ("2390825", "0.843626", "NaT", "&lt;NA&gt;", "nan", "00:00:00"):
        assert raw not in html and raw not in repr(t)
    assert t.data is not None and t.data["revenue"].iloc[0] == 2_390_825.0   # values unchanged


def test_table_cents_only_when_the_amounts_carry_them_and_currency_follows_the_data():
    import pandas as pd

    from custlib import money
    from custlib.plotting import format_table

    with_cents = pd.DataFrame({"amount": [19.5, 1_200.0], "cost": [19.0, 1_200.0]})
    assert format_table(with_cents).text()["amount"].tolist() == ["¥19.50", "¥1,200.00"]
    assert format_table(with_cents).text()["cost"].tolist() == ["¥19", "¥1,200"]
    try:
        money.set_currency("USD")
        assert format_table(with_cents).text()["cost"].tolist() == ["$19", "$1,200"]
        # a label in yuan stays in yuan: the source's cases
        assert format_table(pd.DataFrame({"avg (CNY)": [9_100.0]})).text().iat[0, 0] == "¥9,100"
    finally:
        money.set_currency("CNY")
    assert format_table(with_cents, code="EUR").text()["cost"].tolist() == ["€19", "€1,200"]


def test_table_arguments_override_the_inferred_kinds_and_name_rows():
    import pandas as pd

    from custlib.plotting import format_table

    df = pd.DataFrame({"gini": [0.4567], "npv_increase": [0.35], "year": [2024], "share": [12.0]})
    text = format_table(df, percent="npv_increase", decimals={"gini": 3}).text()
    assert text.iloc[0].tolist() == ["0.457", "35%", "2024", "12"]   # 12 is no fraction
    summary = pd.Series({"open deals": 215, "open value": 5_211_600.4321, "win rate": 0.3712,
                         "average cycle (days)": 61.234})
    shown = format_table(summary, money="open value").text().iloc[:, 0].tolist()
    assert shown == ["215", "¥5,211,600", "37.1%", "61.23"]
    with pytest.raises(KeyError, match="neither a column nor a row"):
        format_table(df, money="revenue")


def test_table_renders_in_a_what_if_and_as_text():
    import pandas as pd

    from custlib.plotting import format_table
    from custlib.course.whatif import what_if

    def show(k=2):
        from IPython.display import display

        display(format_table(pd.DataFrame({"revenue": [k * 1_000.0]})))

    box = what_if(show, k=(1, 5, 1), show=False)
    assert box.first_error is None
    assert "¥2,000" in repr(format_table(pd.DataFrame({"revenue": [2_000.0]})))


# ---------------------------------------------------------------- sliders

def test_what_if_refuses_a_slider_that_starts_off_its_steps():
    import ipywidgets as widgets

    from custlib.course.whatif import what_if

    def plan(target=33_000):
        return target

    with pytest.raises(ValueError, match=r"'target' starts at 33,000.*steps of 5,000"):
        what_if(plan, target=widgets.IntSlider(value=33_000, min=5_000, max=500_000, step=5_000),
                show=False)
    with pytest.raises(ValueError, match="'target' starts at 33,000"):   # a tuple with the default
        what_if(plan, target=(5_000, 500_000, 5_000), show=False)
    ok = what_if(plan, target=widgets.IntSlider(value=33_000, min=5_000, max=500_000, step=1_000),
                 show=False)
    assert ok.result == 33_000 and ok.children[0].readout_format == ",d"


def test_money_slider_starts_on_the_value_and_reads_like_a_table():
    from custlib.course.whatif import money_slider, what_if

    for value, low, high, step in [(33_000, 5_000, 500_000, 5_000), (12_200, 500, 50_000, 500),
                                   (58_900, 20_000, 150_000, 100), (7, 0, 5, 2), (1_234.5, 0, 10_000, 100)]:
        s = money_slider(value, low, high, step, "target", code="CNY")
        assert s.value == value and s.min <= value <= s.max and s.description == "target ¥"
        assert abs((s.value - s.min) / s.step - round((s.value - s.min) / s.step)) < 1e-9
        assert s.readout_format.startswith(",")
        assert what_if(lambda target=value: target, target=s, show=False).result == value


def test_format_table_of_a_crosstab_of_a_flag():
    import pandas as pd

    from custlib.plotting import format_table

    t = pd.crosstab(pd.Series(["a", "b", "a"], name="q"), pd.Series([True, False, True], name="p"),
                    margins=True)
    text = format_table(t).text()
    assert text.loc["All", "All"] == "3" and list(text.columns) == ["False", "True", "All"]


# ---------------------------------------------------------------- per-rep charts

def _reps(count):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    return pd.DataFrame({"open": rng.integers(0, 60, count),
                         "coverage": rng.uniform(0.1, 6.0, count).round(3)},
                        index=pd.Index([f"R{k:04d}" for k in range(count)], name="rep_id"))


def test_top_rows_keeps_a_small_frame_unchanged_in_its_order():
    from custlib.plotting import CHART_ROWS, top_rows

    assert CHART_ROWS == 30
    for count in (1, 20, CHART_ROWS):
        reps = _reps(count).iloc[::-1]            # an order that is not the ranking's
        shown, caption = top_rows(reps, by="open")
        assert shown is reps and caption == ""
        assert shown.index.tolist() == reps.index.tolist()
    shown, caption = top_rows(_reps(5), 5, by="coverage", ascending=True)
    assert caption == "" and shown.index.tolist() == [f"R{k:04d}" for k in range(5)]


def test_top_rows_keeps_the_n_that_rank_first_and_the_caption_says_of_how_many():
    from custlib.plotting import CHART_ROWS, top_rows

    reps = _reps(941)
    shown, caption = top_rows(reps, by="coverage", ascending=True, why="with the lowest coverage")
    assert len(shown) == CHART_ROWS
    assert shown.index.tolist() == reps["coverage"].sort_values(kind="stable").index[:CHART_ROWS].tolist()
    assert shown["coverage"].max() <= reps.drop(shown.index)["coverage"].min()
    assert caption == "showing the 30 of 941 reps with the lowest coverage"
    assert shown.columns.tolist() == reps.columns.tolist()
    assert (shown == reps.loc[shown.index]).all().all()                 # rows untouched

    busiest, caption = top_rows(reps, 10, by="open")
    assert busiest["open"].is_monotonic_decreasing and len(busiest) == 10
    assert busiest["open"].min() >= reps.drop(busiest.index)["open"].max()
    assert caption == "showing the 10 of 941 reps with the highest open"

    big = _reps(9_400)
    assert top_rows(big, by="open", what="sales reps")[1].startswith("showing the 30 of 9,400 sales reps")


def test_top_rows_ranks_by_a_flag_then_a_column_and_ties_keep_the_frame_order():
    import pandas as pd

    from custlib.plotting import top_rows

    shape = pd.DataFrame({"open": [9, 3, 3, 12, 3, 7],
                          "diagnosis": ["healthy", "empty front", "healthy", "healthy",
                                        "middle pile-up", "empty front"]},
                         index=["A", "B", "C", "D", "E", "F"])
    flagged = shape["diagnosis"] != "healthy"
    shown, caption = top_rows(shape, 4, by=[flagged, "open"], why="unhealthy first")
    assert shown.index.tolist() == ["F", "B", "E", "D"]    # the three flagged (most open first), then D
    assert caption == "showing the 4 of 6 reps unhealthy first"
    # a Series on the same labels in another order is aligned by label, not position
    shown, _ = top_rows(shape, 2, by=shape["open"].iloc[::-1], ascending=True)
    assert shown.index.tolist() == ["B", "C"]
    shown, _ = top_rows(shape, 3, by=["open", "diagnosis"], ascending=[False, True])
    assert shown.index.tolist() == ["D", "A", "F"]


def test_top_rows_explains_a_wrong_argument():
    from custlib.plotting import top_rows

    reps = _reps(40)
    with pytest.raises(KeyError, match="by='revenue' is not a column of the frame; its columns: open, coverage"):
        top_rows(reps, by="revenue")
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="n is how many rows to show, a whole number of at least 1"):
            top_rows(reps, bad, by="open")
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame, not Series"):
        top_rows(reps["open"], by="open")
    with pytest.raises(ValueError, match="ascending has 1 value"):
        top_rows(reps, by=["open", "coverage"], ascending=[True])
    with pytest.raises(ValueError, match="names no column"):
        top_rows(reps, by=[])
    with pytest.raises(ValueError, match="must hold a value for every row"):
        top_rows(reps, by=reps["open"].iloc[:10])
    with pytest.raises(TypeError, match="column names or Series, not int"):
        top_rows(reps, by=3)
    with pytest.raises(KeyError, match="not a column"):       # checked even when nothing is cut
        top_rows(reps.iloc[:5], by="revenue")


# ---------------------------------------------------------------- the lessons' and the report's charts

def _pyramid_tiers():
    import pandas as pd

    from custlib.pyramid import tier_table, tiers_by_share

    revenue = pd.Series([120_000.0, 60_000, 9_000, 8_000, 5_000] + [1_000.0] * 95)
    return tier_table(revenue, tiers_by_share(revenue))


def _texts(fig):
    return [[t.get_text() for t in ax.texts] + [t.get_text() for t in ax.get_yticklabels()]
            + [ax.get_xlabel(), ax.get_title()] for ax in fig.axes]


def test_the_report_draws_the_lessons_pyramid():
    """custlib.report.pyramid_chart (pyramid.png) is lesson 3's chart: one drawing, in the
    data's currency, the layers below the pyramid left out."""
    import pandas as pd

    from custlib.plotting import pyramid_chart
    from custlib.report import pyramid_chart as report_pyramid

    table = _pyramid_tiers()
    with_layers = pd.concat([table, pd.DataFrame({"customers": [40, 90]}, index=["inactive", "prospect"])])
    lesson, report = pyramid_chart(table, "USD"), report_pyramid(with_layers, "USD")
    assert _texts(lesson) == _texts(report)
    revenue, customers = lesson.axes
    assert revenue.get_xlabel() == "revenue (USD)"
    assert [t.get_text() for t in customers.texts] == [" 1 (1%) ", " 4 (4%) ", " 15 (15%) ", " 80 (80%) "]
    assert [t.get_text() for t in revenue.texts][0].strip() == f"{table['share_revenue'].iloc[0]:.0%}"
    plt.close("all")


def test_the_chart_helpers_draw_what_they_are_given():
    import pandas as pd

    from custlib.migration import LOST
    from custlib.plotting import key_account_chart, migration_chart, pareto_chart, whale_chart
    from custlib.pyramid import lorenz_curve, pareto_fraction, whale_curve

    revenue = pd.Series([800.0, 100, 50, 30, 20])
    curve = lorenz_curve(revenue)
    ax = pareto_chart(curve, pareto_fraction(revenue, 0.8), compare=curve, compare_label="again")
    xy = ax.get_lines()[0].get_xydata()
    assert xy[0].tolist() == [0.0, 0.0] and xy[-1].round(12).tolist() == [1.0, 1.0]
    assert [ln.get_label() for ln in ax.get_lines()][:3] == ["our customers", "again", "everyone buys the same"]
    assert "the top 20.0% of customers" in ax.texts[0].get_text()
    assert list(pareto_chart(curve).get_lines()[-1].get_ydata()) == [0.8, 0.8]   # no point: a line at 80 %

    whale = whale_curve(pd.Series([50.0, 30, -5, -15]))
    ax = whale_chart(whale)
    peak = whale["share_profit"].max()
    assert ax.texts[0].get_text().startswith(f"peak: {peak:.0%} of total profit")

    a, b = pd.Series([0.9, 0.1, 0.7]), pd.Series([0.8, 0.2, 0.3])
    ax = key_account_chart(a, b, pd.Series(["key", "opportunistic", "key_development"]), cutoff=0.6)
    assert [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_xdata()[0] == ln.get_xdata()[-1]] == [0.6]
    assert sorted(t.get_text().splitlines()[1] for t in ax.texts) == ["0 customers", "1 customers",
                                                                      "1 customers", "1 customers"]

    n = pd.DataFrame([[3, 1], [2, 8]], index=["key", "small"], columns=["key", LOST])
    ax = migration_chart(n.div(n.sum(axis=1), axis=0), n, labels={"key": "K"})
    assert [t.get_text() for t in ax.get_xticklabels()] == ["K", "lost\n流失"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["K", "small\n小客户"]
    plt.close("all")


def test_the_reports_pareto_png_is_drawn_by_the_lessons_helper(monkeypatch, tmp_path):
    import pathlib

    import pandas as pd

    from custlib import plotting
    from custlib.io import CRMData
    from custlib.report import write_charts

    calls = []
    real = plotting.pareto_chart

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(plotting, "pareto_chart", spy)
    o = pd.DataFrame({"customer_id": ["A", "B", "C"],
                      "order_date": pd.to_datetime(["2025-02-01", "2025-11-30", "2025-03-01"]),
                      "amount": [80_000.0, 12_000.0, 3_000.0]})
    write_charts(CRMData(path=pathlib.Path(tmp_path), orders=o), tmp_path)
    (curve, x80), kwargs = calls[0]
    assert list(curve.columns) == ["share_customers", "share_value"] and 0 < x80 <= 1
    assert kwargs["title"] == "Pareto curve (二八法则), last 12 months"
