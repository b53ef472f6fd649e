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

import math
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from pandas.io.formats.style import Styler

from custlib import money

__all__ = ["use_course_style", "cjk_font", "yuan", "money_axis", "format_table", "Table", "NA_TEXT",
           "top_rows", "CHART_ROWS", "pyramid_chart", "pareto_chart", "whale_chart",
           "key_account_chart", "migration_chart"]

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


# --------------------------------------------------------------------------- per-rep charts

#: The most rows (reps) a per-rep chart or table shows: 30 bars still read on a projector.
CHART_ROWS = 30


def top_rows(frame: pd.DataFrame, n: int = CHART_ROWS, *, by, ascending=False,
             why: str | None = None, what: str = "reps") -> tuple[pd.DataFrame, str]:
    """The rows a per-rep chart or table should show, and a caption saying which they are.

    A team of 20 reps fits on one chart; a team of 941 does not (the bars become a grey
    band and the chart takes seconds to draw). When ``frame`` has at most ``n`` rows it
    is returned unchanged, in its order, with an empty caption. Otherwise the ``n`` rows
    that rank first by ``by`` are kept, in that ranking order (ties keep the frame's
    order), and the caption names both counts: ``"showing the 30 of 941 reps with the
    lowest coverage"``. Only what is *drawn* is cut: compute counts and totals over the
    whole ``frame``.

    Parameters
    ----------
    frame : DataFrame
        One row per rep (or per whatever ``what`` names).
    n : int, default ``CHART_ROWS`` = 30
        How many rows to keep at most (at least 1).
    by : str, Series, or list of them
        The ranking: a column of ``frame``, or a Series on ``frame``'s index (e.g. a flag
        computed for the chart); several are ranked by the first, then the next.
    ascending : bool or list of bool, default False
        False: the largest values first (the busiest reps); True: the smallest first
        (the lowest coverage). One per key of ``by`` when it is a list.
    why : str, optional
        How the caption describes the ranking (``"with the most open prospects"``);
        default ``"with the highest <by>"`` or ``"with the lowest <by>"``.
    what : str, default "reps"
        What a row is, in the plural, for the caption.

    Returns
    -------
    subset : DataFrame
        ``frame`` itself when it has at most ``n`` rows, else its ``n`` top rows.
    caption : str
        ``""`` when every row is kept, else ``"showing the <n> of <rows> <what> <why>"``.

    Raises
    ------
    TypeError
        ``frame`` is not a DataFrame, or a key of ``by`` is neither a column name nor a
        Series.
    ValueError
        ``n`` is not a whole number of at least 1, ``by`` is empty, ``ascending`` has not
        one value per key, or a Series in ``by`` lacks some of ``frame``'s rows.
    KeyError
        A key of ``by`` is not a column of ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> reps = pd.DataFrame({"open": [5, 40, 12, 40]}, index=["R01", "R02", "R03", "R04"])
    >>> shown, caption = top_rows(reps, 2, by="open", why="with the most open deals")
    >>> shown.index.tolist(), caption
    (['R02', 'R04'], 'showing the 2 of 4 reps with the most open deals')
    >>> top_rows(reps, 3, by="open", ascending=True)[1]
    'showing the 3 of 4 reps with the lowest open'
    >>> shown, caption = top_rows(reps, by="open")     # 4 rows, fewer than CHART_ROWS
    >>> shown is reps, caption
    (True, '')
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"top_rows: frame must be a pandas DataFrame, not {type(frame).__name__}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"top_rows: n is how many rows to show, a whole number of at least 1; got {n!r}")
    keys = list(by) if isinstance(by, (list, tuple)) else [by]
    if not keys:
        raise ValueError("top_rows: by names no column to rank the rows by")
    orders = list(ascending) if isinstance(ascending, (list, tuple)) else [ascending] * len(keys)
    if len(orders) != len(keys):
        raise ValueError(f"top_rows: ascending has {len(orders)} value(s) for {len(keys)} key(s) in by")
    columns = {}
    for k, key in enumerate(keys):
        if isinstance(key, pd.Series):
            if key.index.equals(frame.index):
                values = key.to_numpy()
            elif frame.index.is_unique and key.index.is_unique and frame.index.isin(key.index).all():
                values = key.reindex(frame.index).to_numpy()
            else:
                raise ValueError(f"top_rows: the Series {key.name!r} in by must hold a value for "
                                 f"every row of the frame (its index)")
        elif isinstance(key, str):
            if key not in frame.columns:
                raise KeyError(f"top_rows: by={key!r} is not a column of the frame; its columns: "
                               f"{', '.join(map(str, frame.columns))}")
            values = frame[key].to_numpy()
        else:
            raise TypeError(f"top_rows: by takes column names or Series, not {type(key).__name__}")
        columns[k] = values
    if len(frame) <= n:
        return frame, ""
    ranks = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    order = ranks.sort_values(list(columns), ascending=[bool(a) for a in orders], kind="stable",
                              na_position="last").index.to_numpy()
    if why is None:
        first = keys[0] if isinstance(keys[0], str) else keys[0].name
        why = f"with the {'lowest' if orders[0] else 'highest'} {first}"
    caption = f"showing the {n:,} of {len(frame):,} {what}" + (f" {why}" if why else "")
    return frame.iloc[order[:n]], caption


# --------------------------------------------------------------------------- tables

#: What an empty value (NA, NaN, NaT) shows in a table.
NA_TEXT = "—"

#: The course's table look: the charts' fonts and sizes, a light rule under each row.
_TABLE_STYLES = [
    {"selector": "", "props": "font-family: 'DejaVu Sans', 'Noto Sans CJK SC', sans-serif; "
                              "font-size: 14px; border-collapse: collapse; margin: 4px 0;"},
    {"selector": "th", "props": "font-weight: bold; padding: 4px 12px; text-align: right; "
                                "border-bottom: 1px solid #4d4d4d; vertical-align: bottom;"},
    {"selector": "th.row_heading", "props": "text-align: left; font-weight: normal; "
                                            "border-bottom: 1px solid rgba(0, 0, 0, 0.12);"},
    {"selector": "th.index_name", "props": "text-align: left;"},
    {"selector": "td", "props": "padding: 4px 12px; text-align: right; white-space: nowrap; "
                                "font-variant-numeric: tabular-nums; "
                                "border-bottom: 1px solid rgba(0, 0, 0, 0.12);"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-size: 16px; "
                                     "font-weight: bold; padding-bottom: 6px;"},
]

#: A label ending in a currency unit, as written by :func:`custlib.money.label`:
#: ``"revenue (CNY)"``, ``"sales velocity (USD a day)"``.
_UNIT = re.compile(r"\(([A-Z]{3})(?:\s[^()]*)?\)\s*$")
#: Words that name a fraction (shown as a per cent) when the values look like one.
_PERCENT_WORDS = {"share", "rate", "probability", "retention"}
_KINDS = ("money", "percent", "count", "date", "number", "text")


def _money_names() -> frozenset:
    """Column names that hold money: the workbook's and the input contract's."""
    from custlib import schema
    from custlib.report import MONEY_COLUMNS

    contract = {c.name for t in schema.TABLES.values() for c in t.columns if c.dtype == "money"}
    return frozenset(MONEY_COLUMNS) | contract


def _is_na(x) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):  # a list or an array in a cell
        return False


def _labels(spec) -> list:
    if spec is None:
        return []
    if isinstance(spec, (str, int, float, tuple)) and not isinstance(spec, list):
        return [spec]
    return list(spec)


def _infer(name, values: pd.Series, money_names: frozenset) -> tuple[str, str | None]:
    """The kind of a column (or row) from its label and dtype, and its currency."""
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date", None
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return "text", None
    text = str(name)
    if "%" in text:                      # a per cent already multiplied by 100: leave it
        return "number", None
    unit = _UNIT.search(text)
    if unit and (unit.group(1) in money.CURRENCIES or unit.group(1) == money.currency()):
        return "money", unit.group(1)
    if isinstance(name, str) and name in money_names:
        return "money", None
    words = set(re.split(r"[^a-z]+", text.lower()))
    if words & _PERCENT_WORDS and (np.abs(_floats(values)) <= 2).all():
        return "percent", None
    if pd.api.types.is_integer_dtype(dtype):
        if text.lower() in {"year", "month"} or text.lower().endswith("_id"):
            return "text", None
        return "count", None
    return "number", None


def _floats(values) -> np.ndarray:
    """The finite values as float64 (any dtype: numpy, nullable, Arrow; text dropped)."""
    numbers = pd.to_numeric(pd.Series(values).astype(object), errors="coerce")
    arr = np.asarray(numbers, dtype="float64")
    return arr[np.isfinite(arr)]


def _auto_decimals(kind: str, values: pd.Series) -> int | None:
    finite = _floats(values)
    if kind == "money":
        # cents when the amounts carry them: whole cents, not all whole units
        cents = np.round(finite * 100, 6)
        if len(finite) and (cents == np.round(cents)).all() and (finite != np.round(finite)).any():
            return 2
        return 0
    if kind == "percent":
        return 0 if (np.round(finite * 100, 9) % 1 == 0).all() else 1
    if kind == "number":
        if (finite == np.round(finite)).all():
            return 0
        largest = np.abs(finite).max() if len(finite) else 0
        if 0 < largest < 0.1:            # small numbers: 3 significant digits
            return min(12, 2 - math.floor(math.log10(largest)))
        return 2
    return 0


def _format_cell(x, kind: str, decimals: int | None, code: str | None) -> str:
    if _is_na(x):
        return NA_TEXT
    if kind == "text" or (kind not in {"date"} and isinstance(x, (str, bool))):
        return str(x)
    if kind == "date":
        return pd.Timestamp(x).strftime("%Y-%m-%d")
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if kind == "money":
        return money.money(x, decimals or 0, code=code)
    if kind == "percent":
        return f"{100 * x:,.{decimals or 0}f}%"
    if kind == "count":
        return f"{x:,.{decimals or 0}f}"
    if decimals is None:
        return f"{x:,.3g}"
    return f"{x:,.{decimals}f}"


class Table(Styler):
    """A formatted table: a pandas ``Styler`` that also reads as text.

    Made by :func:`format_table`. In JupyterLab and in the HTML handouts it renders as HTML
    (``_repr_html_``); its text form (``repr``, what a terminal or a text-only viewer
    shows) holds the same formatted values. ``.data`` is the table itself, unchanged;
    :meth:`text` gives the formatted values as a DataFrame of strings.
    """

    _col_formats: list | None = None
    _row_formats: dict | None = None

    def text(self) -> pd.DataFrame:
        """The formatted values as a DataFrame of strings (same labels as ``.data``)."""
        data = self.data
        out = pd.DataFrame(index=data.index, columns=data.columns, dtype=object)
        cols, rows = self._col_formats or [], self._row_formats or {}
        for i in range(data.shape[0]):
            for j in range(data.shape[1]):
                fmt = rows.get(i) or (cols[j] if j < len(cols) else None)
                x = data.iat[i, j]
                out.iat[i, j] = fmt(x) if fmt else (NA_TEXT if _is_na(x) else str(x))
        if isinstance(out.index, pd.DatetimeIndex):
            out.index = out.index.strftime("%Y-%m-%d")
        return out

    def __repr__(self) -> str:
        text = self.text().to_string()
        caption = self.caption if isinstance(getattr(self, "caption", None), str) else None
        return f"{caption}\n{text}" if caption else text

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(repr(self))


def format_table(data, *, money=None, percent=None, count=None, date=None, text=None, decimals=None,
          code: str | None = None, caption: str | None = None, infer: bool = True) -> Table:
    """Show a table the way the charts show numbers: currency, per cents, separators, dates.

    A display choice only: the values of ``data`` are not changed (``.data`` holds
    them), so compute with the table and show it with ``format_table(...)``. Each column (or
    row, see below) is formatted as one of these kinds:

    * **money** — the currency's sign and thousands separators (:func:`custlib.money.money`):
      ``¥2,390,825``; cents only when the amounts carry them (every value a whole
      number of cents and some not a whole unit), so averages and weighted sums are
      rounded to whole units;
    * **percent** — a fraction shown per cent, like the charts' axes: ``84.4%`` (no
      decimal when every value is a whole per cent);
    * **count** — a whole number with separators: ``2,126``;
    * **date** — the day, without a time: ``2025-12-31``;
    * **number** — separators and 2 decimals (none for whole numbers, 3 significant
      digits for numbers below 0.1);
    * **text** — as it is.

    An empty value (NA, NaN, NaT) shows as ``—`` in every kind. Kinds are inferred
    from the labels and dtypes where that is safe, and any label named in an argument
    takes that kind instead:

    * money: a label ending in a currency unit, as :func:`custlib.money.label` writes
      it (``"revenue (CNY)"``, in yuan whatever the display currency), or a money
      column of the workbook (:data:`custlib.report.MONEY_COLUMNS`: ``revenue``,
      ``avg_revenue`` …) or of the input contract (dtype ``money`` in
      :mod:`custlib.schema`: ``amount``, ``expected_value`` …), in ``code``;
    * percent: a label with the word *share*, *rate*, *probability* or *retention* whose
      values all lie between −2 and 2 (``share_revenue``, ``"win rate"``);
    * count: an integer column (not one named ``year`` or ``…_id``);
    * date: a datetime column; the index too when it holds dates;
    * a label holding ``%`` is a per cent already multiplied by 100: a plain number.

    Parameters
    ----------
    data : DataFrame or Series
        The table (a Series is shown as a one-column table; its index labels are
        then inferred like column labels, one row each).
    money, percent, count, date, text : label or list of labels, optional
        Columns, or rows (index labels that are not columns), of that kind.
    decimals : int or dict, optional
        Decimals of the plain numbers (an int); or ``{label: decimals}`` for given
        columns or rows of any kind (``{"open value": 2}`` shows cents).
    code : str, optional
        Currency of the money columns without a unit in their label (default: the
        display currency, :func:`custlib.money.currency`); ``"CNY"`` for the source's
        worked cases.
    caption : str, optional
        A title above the table.
    infer : bool, default True
        Infer the kinds of the labels not named; False: only the named ones are
        formatted (the others as numbers or text).

    Returns
    -------
    Table
        A pandas ``Styler`` (chain ``.highlight_max()`` and the like) with the course's
        look, whose text form shows the same formatted values.

    Raises
    ------
    KeyError
        A label named in an argument is neither a column nor a row.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"customers": [21, 2_105], "revenue": [2_390_825.0, 7_565_235.0],
    ...                   "avg_revenue": [113_849.0, 3_593.871], "share_revenue": [0.240125, 0.759875],
    ...                   "last order": pd.to_datetime(["2025-12-30", None])},
    ...                  index=pd.Index(["vip", "others"], name="tier"))
    >>> format_table(t)
           customers     revenue avg_revenue share_revenue  last order
    tier
    vip           21  ¥2,390,825    ¥113,849         24.0%  2025-12-30
    others     2,105  ¥7,565,235      ¥3,594         76.0%           —
    >>> format_table(pd.Series({"open deals": 215, "open value (CNY)": 5_211_600.0, "win rate": 0.3712}),
    ...       decimals={"win rate": 2})
                              0
    open deals              215
    open value (CNY) ¥5,211,600
    win rate             37.12%
    >>> format_table(pd.DataFrame({"amount": [19.5, 1_200.0]}), code="USD").text()["amount"].tolist()
    ['$19.50', '$1,200.00']
    >>> format_table(t).data is t                     # the values themselves are not changed
    True
    """
    series = isinstance(data, pd.Series)
    frame = data.to_frame() if series else data
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"format_table() shows a DataFrame or a Series, not {type(data).__name__}")
    if any(isinstance(x, (bool, np.bool_)) for x in [*frame.columns, *frame.index]):
        # True / False labels (a crosstab of a flag) would read as a mask: show them as text
        frame = frame.copy()
        frame.columns = pd.Index([str(c) if isinstance(c, (bool, np.bool_)) else c
                                  for c in frame.columns], name=frame.columns.name)
        frame.index = pd.Index([str(i) if isinstance(i, (bool, np.bool_)) else i
                                for i in frame.index], name=frame.index.name)
    names = _money_names() if infer else frozenset()
    columns, rows = list(frame.columns), list(frame.index)

    explicit: dict = {}
    for kind, spec in zip(("money", "percent", "count", "date", "text"),
                          (money, percent, count, date, text)):
        for lab in _labels(spec):
            if lab not in columns and lab not in rows:
                raise KeyError(f"format_table(): {lab!r} is neither a column nor a row of the table")
            explicit[lab] = kind
    per_label = dict(decimals) if isinstance(decimals, dict) else {}
    for lab in per_label:
        if lab not in columns and lab not in rows:
            raise KeyError(f"format_table(): decimals for {lab!r}, neither a column nor a row")
    plain = decimals if isinstance(decimals, int) and not isinstance(decimals, bool) else None

    def spec_for(lab, values):
        kind, unit = _infer(lab, values, names) if infer else (
            ("text", None) if not pd.api.types.is_numeric_dtype(values.dtype)
            or pd.api.types.is_bool_dtype(values.dtype) else ("number", None))
        if not infer and pd.api.types.is_datetime64_any_dtype(values.dtype):
            kind = "date"
        kind = explicit.get(lab, kind)
        cur = (unit or code) if kind == "money" else None
        if kind == "money" and unit is None:
            found = _UNIT.search(str(lab))
            cur = found.group(1) if found else code
        if lab in per_label:
            dec = per_label[lab]
        elif kind == "number" and plain is not None:
            dec = plain
        else:
            dec = _auto_decimals(kind, values)
        return kind, dec, cur

    # one format per column; rows named (or, for a Series, inferred) override it
    col_specs = [spec_for(c, frame.iloc[:, j]) for j, c in enumerate(columns)]
    row_specs = {}
    for i, r in enumerate(rows):
        if (r in explicit or r in per_label or series) and (series or r not in columns):
            row_specs[i] = spec_for(r, pd.Series(list(frame.iloc[i, :])).infer_objects())

    def formatter(spec):
        kind, dec, cur = spec
        return lambda x: _format_cell(x, kind, dec, cur)

    styler = Table(frame, caption=caption)
    styler._col_formats = [formatter(sp) for sp in col_specs]
    styler._row_formats = {i: formatter(sp) for i, sp in row_specs.items()}
    for j, fmt in enumerate(styler._col_formats):
        styler.format(fmt, subset=pd.IndexSlice[:, frame.columns[[j]]])
    for i, fmt in styler._row_formats.items():
        styler.format(fmt, subset=pd.IndexSlice[frame.index[[i]], :])
    if isinstance(frame.index, pd.DatetimeIndex):
        styler.format_index(lambda d: NA_TEXT if _is_na(d) else pd.Timestamp(d).strftime("%Y-%m-%d"))
    left = [c for j, c in enumerate(columns) if col_specs[j][0] == "text" and not row_specs]
    styler.set_table_styles(_TABLE_STYLES)
    if left:
        styler.set_properties(subset=left, **{"text-align": "left", "white-space": "normal"})
    return styler


# --------------------------------------------------------------------------- lesson charts
# The charts a lesson and the report both draw. Each takes what the lesson computed (a
# tier table, a Lorenz or whale curve, scores and quadrants, a transition matrix) and
# only draws it: the computation stays in the lesson, where it is taught.

def _tier_labels() -> dict:
    from custlib.policy import PYRAMID

    return {t: f"{t} · {zh}" for t, zh in zip(PYRAMID.tiers, PYRAMID.tiers_zh)}


def pyramid_chart(table: pd.DataFrame, code: str | None = None, *,
                  title: str = "The customer pyramid (客户金字塔), last 12 months",
                  labels: dict | None = None):
    """The customer pyramid (客户金字塔) as a butterfly chart: customers left, revenue right.

    One bar per tier, the top tier at the top. The left panel is the pyramid: each
    tier's share of the customers (bars pointing left, labelled with the head count and
    the share); the right panel turns it upside down: each tier's revenue (in the
    currency, labelled with its share of revenue). Rows without revenue (the layers
    below the pyramid of the workbook's sheet) and a ``total`` row are left out.

    Parameters
    ----------
    table : DataFrame
        A tier table (:func:`custlib.pyramid.tier_table`), one row per tier, with
        ``customers``, ``revenue``, ``share_customers`` and ``share_revenue``.
    code : str, optional
        Currency of the revenue axis (default: the display currency).
    title : str, optional
        Title above both panels.
    labels : dict, optional
        Tier name → label on the axis (default ``"vip · VIP客户"`` and so on, from
        :data:`custlib.policy.PYRAMID`); a tier not listed shows its name.

    Returns
    -------
    matplotlib.figure.Figure
        Not closed: show it (``plt.show()``) or save it. ``fig.axes[0]`` is the revenue
        panel, ``fig.axes[1]`` the customers panel.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from custlib.pyramid import tier_table, tiers_by_share
    >>> revenue = pd.Series([120_000.0, 60_000, 9_000, 8_000] + [1_000.0] * 96)
    >>> fig = pyramid_chart(tier_table(revenue, tiers_by_share(revenue)), code="USD")
    >>> revenue_ax, customers_ax = fig.axes
    >>> revenue_ax.get_xlabel(), revenue_ax.xaxis.get_major_formatter()(45_000.5)
    ('revenue (USD)', '$45k')
    >>> [t.get_text() for t in customers_ax.get_yticklabels()]   # from the top down
    ['vip · VIP客户', 'key · 大客户', 'mid · 中级客户', 'small · 小客户']
    >>> plt.close(fig)
    """
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    names = {**_tier_labels(), **(labels or {})}
    tiers = table.dropna(subset=["revenue"]) if "revenue" in table else table
    tiers = tiers[[str(i) != "total" for i in tiers.index]]
    y = np.arange(len(tiers))[::-1]                       # the top tier at the top
    n = tiers["customers"].to_numpy()
    sc = tiers["share_customers"].fillna(0).to_numpy(dtype=float)
    rv = tiers["revenue"].fillna(0).to_numpy(dtype=float)
    sr = tiers["share_revenue"].fillna(0).to_numpy(dtype=float)

    fig = plt.figure(figsize=(12, 5), layout="constrained")
    grid = fig.add_gridspec(1, 2)
    right = fig.add_subplot(grid[0, 1])                   # first: fig.axes[0] carries the money
    left = fig.add_subplot(grid[0, 0], sharey=right)
    left.barh(y, sc, color="#6baed6", height=0.7)
    right.barh(y, rv, color="#08519c", height=0.7)
    for yi, k, c, r, s in zip(y, n, sc, rv, sr):
        left.text(c, yi, f" {k:,} ({c:.0%}) ", ha="right", va="center", fontsize=13)
        right.text(r, yi, f" {s:.0%}", ha="left", va="center", fontsize=13)
    left.set_xlim(max(sc.max(), 0.01) * 1.6, 0)            # bars point left from the middle
    right.set_xlim(0, max(rv.max(), 1.0) * 1.2)
    ticks = MaxNLocator(5).tick_values(0, max(sc.max(), 0.01))
    left.set_xticks([t for t in ticks if 0 <= t <= min(1, left.get_xlim()[0])])
    left.set_yticks(y, [names.get(str(k), str(k)) for k in tiers.index])
    left.tick_params(axis="y", length=0)
    right.tick_params(axis="y", left=False, labelleft=False)
    left.spines["left"].set_visible(False)
    left.spines["right"].set_visible(True)
    left.xaxis.set_major_formatter(PercentFormatter(1, decimals=0))
    left.set_xlabel("share of customers")
    left.set_title("← customers (客户数占比)", fontsize=15)
    money_axis(right.xaxis, "revenue", code)
    right.set_title("revenue and its share (收入占比) →", fontsize=15)
    for ax in (left, right):
        ax.grid(axis="y", visible=False)
    fig.suptitle(title)
    return fig


def _percent_axes(ax) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1))
    ax.yaxis.set_major_formatter(PercentFormatter(1))


def pareto_chart(curve: pd.DataFrame, x_target: float | None = None, *, target: float = 0.80,
                 compare: pd.DataFrame | None = None, compare_label: str = "the source's case",
                 label: str = "our customers", title: str = "Pareto curve (二八法则)", ax=None):
    """The Pareto curve (二八法则): cumulative share of revenue, customers largest first.

    Draws the Lorenz curve of :func:`custlib.pyramid.lorenz_curve` read from the other
    end — point ``(1 − p, 1 − L(p))`` for each point ``(p, L(p))`` — with the diagonal
    of a base where everyone buys the same and, when ``x_target`` is given, the red
    point where the curve reaches ``target`` (the share of customers that bring 80 %
    of revenue, :func:`custlib.pyramid.pareto_fraction`); without it, a red line at
    ``target``.

    Parameters
    ----------
    curve : DataFrame
        ``lorenz_curve(revenue)``: columns ``share_customers`` and ``share_value``.
    x_target : float, optional
        The share of customers, largest first, that brings ``target`` of revenue.
    target : float, default 0.80
        The share of revenue marked.
    compare : DataFrame, optional
        A second Lorenz curve drawn dashed in grey (the source's case).
    compare_label, label : str, optional
        Legend entries of ``compare`` and of ``curve``.
    title : str, optional
        The Axes' title.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (not shown, not closed).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from custlib.pyramid import lorenz_curve, pareto_fraction
    >>> revenue = pd.Series([800.0, 100, 50, 30, 20])
    >>> ax = pareto_chart(lorenz_curve(revenue), pareto_fraction(revenue, 0.80))
    >>> line = ax.get_lines()[0]
    >>> line.get_label(), line.get_xydata()[1].round(2).tolist()   # the largest: 20 %, 80 %
    ('our customers', [0.2, 0.8])
    >>> ax.get_title(), ax.get_xlabel()
    ('Pareto curve (二八法则)', 'share of customers, largest first')
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 6))

    def turned(c):   # the Lorenz curve read from the other end: largest customers first
        return (1 - c["share_customers"].to_numpy(dtype=float)[::-1],
                1 - c["share_value"].to_numpy(dtype=float)[::-1])

    ax.plot(*turned(curve), lw=3, label=label)
    if compare is not None:
        ax.plot(*turned(compare), ls="--", color="grey", label=compare_label)
    ax.plot([0, 1], [0, 1], ls=":", color="#bbbbbb", label="everyone buys the same")
    if x_target is None:
        ax.axhline(target, color="#d62728", lw=0.8)
    else:
        ax.plot([x_target, x_target, 0], [0, target, target], color="#d62728", lw=1, ls=":")
        ax.scatter([x_target], [target], color="#d62728", s=80, zorder=3)
        ax.annotate(f"the top {x_target:.1%} of customers\nbring {target:.0%} of revenue",
                    (x_target, target), (min(x_target + 0.12, 0.5), target - 0.25),
                    arrowprops={"arrowstyle": "->"}, fontsize=13)
    ax.set_title(title)
    ax.set_xlabel("share of customers, largest first")
    ax.set_ylabel("cumulative share of revenue")
    ax.legend(loc="lower right")
    _percent_axes(ax)
    return ax


def whale_chart(whale: pd.DataFrame, *, compare: pd.DataFrame | None = None,
                compare_label: str = "the source's reading", label: str = "our customers",
                title: str = "Whale curve: cumulative profit, most profitable first (利润鲸鱼曲线)",
                ax=None):
    """The profit whale curve (利润鲸鱼曲线), its peak marked.

    Draws :func:`custlib.pyramid.whale_curve` (cumulative share of total profit, the
    customers most profitable first), the 100 % line, and a red point at the curve's
    highest point with what it says: how much of the profit the top customers earn
    before the loss-makers give part of it back.

    Parameters
    ----------
    whale : DataFrame
        ``whale_curve(profit)``: columns ``share_customers`` and ``share_profit``.
    compare : DataFrame, optional
        A second whale curve drawn dashed in grey (the source's reading).
    compare_label, label : str, optional
        Legend entries of ``compare`` and of ``whale``.
    title : str, optional
        The Axes' title.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (not shown, not closed).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from custlib.pyramid import whale_curve
    >>> ax = whale_chart(whale_curve(pd.Series([109.0 / 20] * 20 + [-9.0 / 80] * 80)))
    >>> print(ax.texts[0].get_text())
    peak: 109% of total profit
    from the top 20% of customers
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = plt.subplots()
    x = whale["share_customers"].to_numpy(dtype=float)
    y = whale["share_profit"].to_numpy(dtype=float)
    peak = int(y.argmax())
    ax.plot(x, y, lw=3, label=label)
    if compare is not None:
        ax.plot(compare["share_customers"], compare["share_profit"], ls="--", color="grey",
                label=compare_label)
    ax.axhline(1, color="black", lw=1)
    ax.scatter([x[peak]], [y[peak]], color="#d62728", s=80, zorder=3)
    ax.annotate(f"peak: {y[peak]:.0%} of total profit\nfrom the top {x[peak]:.0%} of customers",
                (x[peak], y[peak]), (0.45, 0.55), arrowprops={"arrowstyle": "->"}, fontsize=13)
    _percent_axes(ax)
    ax.set_title(title)
    ax.set_xlabel("share of customers, most profitable first")
    ax.set_ylabel("share of total profit")
    ax.legend(loc="lower right")
    return ax


#: The key-account quadrants' colours, and where each one's name sits on the chart.
_QUADRANT_COLOURS = ("#d62728", "#ff7f0e", "#2ca02c", "#7f7f7f")
_QUADRANT_CORNERS = {"key": (0.98, 0.98, "right", "top"), "key_development": (0.02, 0.98, "left", "top"),
                     "maintenance": (0.98, 0.02, "right", "bottom"),
                     "opportunistic": (0.02, 0.02, "left", "bottom")}


def key_account_chart(attractiveness: pd.Series, advantage: pd.Series, quadrant: pd.Series,
                      cutoff: float | None = None, *,
                      title: str = "Key-account selection matrix (关键客户选择矩阵)", ax=None):
    """The key-account selection matrix (关键客户选择矩阵): one point per customer.

    Relative advantage across, customer attractiveness up, the two cut-off lines, each
    quadrant in its colour with its name (English and Chinese) and head count in its
    corner.

    Parameters
    ----------
    attractiveness, advantage : Series
        The two scores, 0–1 (:func:`custlib.keyaccount.score`), on the same customers.
    quadrant : Series
        Each customer's quadrant (:func:`custlib.keyaccount.matrix`), named as in
        :data:`custlib.policy.KEY_ACCOUNT` ``.quadrants``.
    cutoff : float, optional
        Where both axes are cut (default ``KEY_ACCOUNT.cutoff``, 0.5).
    title : str, optional
        The Axes' title.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (not shown, not closed).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> a, b = pd.Series([0.9, 0.8, 0.2]), pd.Series([0.7, 0.1, 0.3])
    >>> q = pd.Series(["key", "key_development", "opportunistic"])
    >>> ax = key_account_chart(a, b, q)
    >>> print(ax.texts[0].get_text())
    key 关键客户
    1 customers
    >>> plt.close(ax.figure)
    """
    from custlib.policy import KEY_ACCOUNT

    cutoff = KEY_ACCOUNT.cutoff if cutoff is None else cutoff
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 7.5))
    counts = quadrant.value_counts()
    a, b = np.asarray(attractiveness, dtype=float), np.asarray(advantage, dtype=float)
    for name, zh, colour in zip(KEY_ACCOUNT.quadrants, KEY_ACCOUNT.quadrants_zh, _QUADRANT_COLOURS):
        sel = (quadrant == name).to_numpy()
        ax.scatter(b[sel], a[sel], s=10, color=colour, alpha=0.5)
        x, y, ha, va = _QUADRANT_CORNERS.get(name, (0.5, 0.5, "center", "center"))
        ax.text(x, y, f"{name.replace('_', ' ')} {zh}\n{counts.get(name, 0):,} customers",
                transform=ax.transAxes, ha=ha, va=va, color=colour, fontsize=13)
    ax.axhline(cutoff, color="black", lw=1)
    ax.axvline(cutoff, color="black", lw=1)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.22, 1.22)   # room for the quadrant names above and below the points
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_xlabel("relative advantage, score 0-1 (相对优势)")
    ax.set_ylabel("customer attractiveness, score 0-1 (客户吸引力)")
    ax.set_title(title)
    return ax


def migration_chart(shares: pd.DataFrame, counts: pd.DataFrame, *,
                    title: str = "Tier migration, year one → year two (客户迁移矩阵)",
                    labels: dict | None = None, ax=None):
    """The tier migration matrix (客户迁移矩阵) as a heat map: year one down, year two across.

    Each cell shows the share of the year-one tier (row) found in the year-two tier
    (column), and in brackets the number of customers.

    Parameters
    ----------
    shares : DataFrame
        The transition matrix (:func:`custlib.migration.transition_matrix`): rows sum
        to 1.
    counts : DataFrame
        The customers behind each share, same rows and columns.
    title : str, optional
        The Axes' title.
    labels : dict, optional
        Tier name → tick label (default: the tier and its Chinese name on two lines,
        ``lost`` as ``"lost\\n流失"``).
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (not shown, not closed); the colour bar is beside it.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> n = pd.DataFrame([[3, 1], [2, 8]], index=["key", "small"], columns=["key", "small"])
    >>> ax = migration_chart(n.div(n.sum(axis=1), axis=0), n)
    >>> [t.get_text() for t in ax.texts]
    ['75%\\n(3)', '25%\\n(1)', '20%\\n(2)', '80%\\n(8)']
    >>> plt.close(ax.figure)
    """
    from matplotlib.ticker import PercentFormatter

    from custlib.migration import LOST
    from custlib.policy import PYRAMID

    names = {**{t: f"{t}\n{zh}" for t, zh in zip(PYRAMID.tiers, PYRAMID.tiers_zh)},
             LOST: "lost\n流失", **(labels or {})}
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 6.5))
    im = ax.imshow(shares.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=1)
    for i in range(shares.shape[0]):
        for j in range(shares.shape[1]):
            v = shares.iat[i, j]
            ax.text(j, i, f"{v:.0%}\n({counts.iat[i, j]:,})", ha="center", va="center", fontsize=13,
                    color="white" if v > 0.5 else "black")
    ax.set_xticks(range(shares.shape[1]), [names.get(c, c) for c in shares.columns])
    ax.set_yticks(range(shares.shape[0]), [names.get(r, r) for r in shares.index])
    ax.set_xlabel("tier in year two (第二年)")
    ax.set_ylabel("tier in year one (第一年)")
    ax.grid(False)
    ax.figure.colorbar(im, ax=ax, format=PercentFormatter(1), label="share of the year-one tier")
    ax.set_title(title)
    return ax
