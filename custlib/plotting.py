"""Chart style for the lessons: large type that reads on a projector, and Chinese glyphs.

Chinese labels need a CJK font; matplotlib's default has none and draws boxes.
:func:`use_course_style` registers Noto Sans CJK SC, shipped inside the
``mplfonts`` package (no download, no root), and puts it after the Latin font
in the fallback chain, so Latin text keeps its usual face and Chinese characters
come from Noto.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> use_course_style()
>>> import matplotlib.pyplot as plt
>>> plt.rcParams["axes.titlesize"]
18.0
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib import font_manager

from custlib import money

__all__ = ["use_course_style", "cjk_font", "yuan", "money_axis", "what_if"]

#: The CJK font file shipped by mplfonts, by preference.
_CJK_FILES = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf")

_STYLE = {
    "figure.figsize": (10, 5.5),
    "figure.dpi": 100,
    "font.size": 14,
    "axes.titlesize": 18,
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def cjk_font() -> str | None:
    """Register a CJK font with matplotlib and return its family name.

    Looks in the fonts folder of the ``mplfonts`` package for Noto Sans CJK SC, then
    SimHei, and registers the first one found with matplotlib's font manager (nothing
    is downloaded and nothing outside the process changes).

    Parameters
    ----------
    None

    Returns
    -------
    str or None
        The font family name (``'Noto Sans CJK SC'`` with the shipped mplfonts), or
        None when mplfonts or its font files are missing.

    Examples
    --------
    >>> cjk_font()
    'Noto Sans CJK SC'
    """
    try:
        import mplfonts
    except ImportError:  # pragma: no cover - mplfonts is a dependency
        return None
    folder = Path(mplfonts.__file__).resolve().parent / "fonts"
    for name in _CJK_FILES:
        path = folder / name
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    return None


def use_course_style() -> None:
    """Apply the course's chart style to matplotlib: large type, a light grid, a CJK fallback.

    Updates ``matplotlib.pyplot.rcParams``: figure size 10 × 5.5 inches, font sizes
    readable on a projector (14 pt text, 18 pt titles), a light grid, no top or right
    spines, and ``font.family = ["DejaVu Sans", <CJK font>]`` so Latin text keeps its
    face and Chinese glyphs come from the font of :func:`cjk_font`.

    Parameters
    ----------
    None

    Returns
    -------
    None
        The style is applied to the global rcParams.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> use_course_style()
    >>> plt.rcParams["font.family"], plt.rcParams["axes.titlesize"]
    (['DejaVu Sans', 'Noto Sans CJK SC'], 18.0)
    """
    plt.rcParams.update(_STYLE)
    family = cjk_font()
    if family:
        plt.rcParams["font.family"] = ["DejaVu Sans", family]  # a list: per-glyph fallback


def yuan(x: float, _pos=None) -> str:
    """Format an amount for an axis tick in the display currency: ``'¥1.23M'``, ``'$45.6k'``.

    The sign is that of the data's currency (:func:`custlib.money.symbol`; ``¥`` for
    the bundled CNY data, ``$`` after loading a mapping with ``currency = "USD"``), so
    a chart drawn with this formatter follows the data it shows; the name is kept
    from when every amount was in yuan. Amounts of at least 1,000,000 in absolute
    value are shown in millions (M), of at least 1,000 in thousands (k), both with 3
    significant digits; smaller amounts are rounded to whole units. A display choice
    only: the values are not changed. Use with
    ``matplotlib.ticker.FuncFormatter(yuan)``; same as :func:`custlib.money.short`.

    Parameters
    ----------
    x : float
        Amount (the display currency).
    _pos : optional
        Tick position; ignored (matplotlib's formatter passes it).

    Returns
    -------
    str
        The amount with the currency's sign.

    Examples
    --------
    >>> yuan(1_234_567), yuan(45_600), yuan(-1_500), yuan(12.4, None)
    ('¥1.23M', '¥45.6k', '¥-1.5k', '¥12')
    >>> yuan(999_999), yuan(999_600_000)  # rounding up to the next unit
    ('¥1M', '¥1B')
    >>> from custlib import money
    >>> money.set_currency("USD"); yuan(45_600); money.set_currency("CNY")
    '$45.6k'
    """
    return money.short(x, _pos)


def money_axis(axis, label: str | None = None, code: str | None = None):
    """Make a matplotlib axis show amounts: currency ticks and, optionally, a label with the unit.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
        ``ax.xaxis`` or ``ax.yaxis``.
    label : str, optional
        Axis label; the unit is added: ``"revenue"`` → ``"revenue (USD)"``.
    code : str, optional
        Currency (default: the display currency, :func:`custlib.money.currency`).

    Returns
    -------
    matplotlib.axis.Axis
        ``axis``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = money_axis(ax.yaxis, "revenue", code="USD")
    >>> ax.get_ylabel(), ax.yaxis.get_major_formatter()(45_600)
    ('revenue (USD)', '$45.6k')
    >>> plt.close(fig)
    """
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda x, pos=None: money.short(x, pos, code=code)))
    if label is not None:
        axis.set_label_text(money.label(label, code))
    return axis


def what_if(function, *, show: bool = True, **controls):
    """Show a function with sliders (an ipywidgets ``interactive``), failing loudly.

    Like ``ipywidgets.interact``: each keyword is a widget, or an abbreviation such as
    a ``(min, max, step)`` tuple, for the argument of the same name, and the function
    runs again whenever one moves. Three things differ from ``interact``:

    * An exception raised on the first run, with the initial values, is raised here
      instead of being printed inside the widget, so a lesson executed without a
      browser (CI, ``custlib run``) fails when its what-if is broken.
    * What the function shows (its charts, tables and printed text) is recorded and
      handed to the widget as its finished outputs, instead of being captured live by
      the ``Output`` widget. The first picture is then part of the widget's state when
      the browser creates it, so it draws on Run All in JupyterLab and the classic
      notebook, whatever the order in which the browser and the kernel exchange
      messages; and a headless runner has no ``Output`` widget to mirror (mirroring
      one is what stalled ``nbclient``, see :mod:`custlib.course`).
    * The displayed widget carries a static copy of the first run (``text/html``) for
      every viewer without a live kernel: the HTML handouts, nbviewer, a notebook
      opened without running it. It says that the sliders work in JupyterLab.

    Charts are the matplotlib figures the function leaves open; each is rendered the
    way the notebook's inline backend would render it, then closed, so no figure is
    shown twice or left behind for another cell.

    Parameters
    ----------
    function : callable
        Draws a chart and/or displays a table from its keyword arguments; its
        defaults are the widgets' initial values.
    show : bool, default True
        Display the widget (False: only build it, e.g. to test the function).
    **controls
        Widgets or abbreviations, one per argument of ``function``.

    Returns
    -------
    ipywidgets.interactive
        The widget (displayed when ``show`` is true); ``.result`` holds the last
        return value of ``function`` and ``.out.outputs`` what it showed, as notebook
        outputs (``display_data`` and ``stream`` dicts).

    Raises
    ------
    Exception
        Whatever ``function`` raised with the initial values.

    Examples
    --------
    >>> def double(x=3):
    ...     print("twice", x)
    ...     return 2 * x
    >>> w = what_if(double, x=(0, 10, 1), show=False)
    >>> w.result, w.out.outputs[0]["text"]
    (6, 'twice 3\\n')
    >>> w.children[0].value = 5          # moving the slider runs it again
    >>> w.result
    10
    """
    from custlib._whatif import WhatIf

    box = WhatIf(function, **controls)
    if box.first_error is not None:
        raise box.first_error
    if show:
        from IPython.display import display

        display(box)
    return box
