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
    from custlib.plotting import what_if

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
