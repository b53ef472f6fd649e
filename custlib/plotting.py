"""Chart style for the lessons: large type that reads on a projector.

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

import matplotlib.pyplot as plt

__all__ = ["use_course_style", "yuan"]

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


def use_course_style() -> None:
    """Apply the course's chart style to matplotlib."""
    plt.rcParams.update(_STYLE)


def yuan(x: float, _pos=None) -> str:
    """Axis formatter for CNY: 1,234,567 -> '¥1.23M', 45,600 -> '¥45.6k'."""
    if abs(x) >= 1e6:
        return f"¥{x / 1e6:.2f}M"
    if abs(x) >= 1e3:
        return f"¥{x / 1e3:.1f}k"
    return f"¥{x:.0f}"
