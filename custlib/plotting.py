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

__all__ = ["use_course_style", "cjk_font", "yuan", "what_if"]

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
    """Register a CJK font with matplotlib and return its family name (None if none found).

    Returns
    -------
    str or None
        The font family name (Noto Sans CJK SC from mplfonts), or None if no CJK font
        file is found.

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
    """Apply the course's chart style (sizes, grid, a CJK fallback font) to matplotlib.

    Sets font sizes readable on a projector, a light grid, no top/right spines, and the
    font list ``["DejaVu Sans", <CJK font>]`` so Chinese glyphs fall back to the CJK font.

    Returns
    -------
    None

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> use_course_style()
    >>> plt.rcParams["font.family"][-1]
    'Noto Sans CJK SC'
    """
    plt.rcParams.update(_STYLE)
    family = cjk_font()
    if family:
        plt.rcParams["font.family"] = ["DejaVu Sans", family]  # a list: per-glyph fallback


def yuan(x: float, _pos=None) -> str:
    """Axis formatter for CNY: 1,234,567 -> '¥1.23M', 45,600 -> '¥45.6k'.

    Parameters
    ----------
    x : float
        Amount in CNY.
    _pos : optional
        Tick position (ignored; matplotlib passes it).

    Returns
    -------
    str

    Examples
    --------
    >>> yuan(1_234_567), yuan(45_600), yuan(12)
    ('¥1.23M', '¥45.6k', '¥12')
    """
    if abs(x) >= 1e6:
        return f"¥{x / 1e6:.3g}M"
    if abs(x) >= 1e3:
        return f"¥{x / 1e3:.3g}k"
    return f"¥{x:.0f}"


def what_if(function, *, show: bool = True, **controls):
    """Show ``function`` with sliders (an ipywidgets ``interactive``), failing loudly.

    Like ``ipywidgets.interact``: each keyword is a widget (or an abbreviation such as
    a ``(min, max, step)`` tuple) for the argument of the same name, and the function
    runs again whenever one moves. Unlike ``interact``, an exception raised on the
    first run, with the initial values, is raised again here instead of being printed
    inside the widget — so a lesson executed without a browser (CI, ``custlib run``)
    fails when its what-if is broken.

    Parameters
    ----------
    function : callable
        Draws a chart and/or displays a table from its keyword arguments.
    show : bool
        Display the widget (False: only build it, e.g. to test the function).
    **controls
        Widgets or abbreviations, one per argument of ``function``.

    Returns
    -------
    ipywidgets.interactive
        The widget (already displayed).

    Raises
    ------
    Exception
        Whatever ``function`` raised with the initial values.

    Examples
    --------
    >>> def double(x=3):
    ...     return 2 * x
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter the widget prints codes
    ...     w = what_if(double, x=(0, 10, 1), show=False)
    >>> w.result
    6
    """
    import ipywidgets as widgets
    from IPython.display import display

    import functools

    failures = []

    @functools.wraps(function)  # keeps the signature, so the defaults are the initial values
    def run(**kwargs):
        try:
            return function(**kwargs)
        except Exception as exc:
            failures.append(exc)
            raise

    box = widgets.interactive(run, **controls)
    if show:
        display(box)
    if failures:
        raise failures[0]
    return box
