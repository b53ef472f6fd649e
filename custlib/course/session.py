"""The set-up cell of every lesson, as one call.

Each lesson starts with its ``parameters`` cell (``DATA``, ``MAPPING``, ``AS_OF``) and
then the same three steps: apply the course's chart style, read the data, fix the
analysis date (分析日期) and the analysis window (the last 12 months up to it). Written
out in every lesson those lines drifted apart; :func:`setup` is them, once::

    crm, (YEAR_START, AS_OF) = course.setup(DATA, MAPPING, AS_OF)

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> crm, (start, end) = setup()
>>> start.date().isoformat(), end.date().isoformat()
('2025-01-01', '2025-12-31')
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from custlib import period
from custlib.io import CRMData, load

__all__ = ["setup", "Setup"]


class Setup(NamedTuple):
    """What :func:`setup` returns: unpacks as ``crm, (start, as_of)``."""

    #: The loaded tables (:func:`custlib.io.load`).
    crm: CRMData
    #: First and last day of the analysis window, both included (:func:`custlib.period.window`);
    #: the last day is the analysis date.
    window: tuple[pd.Timestamp, pd.Timestamp]

    @property
    def as_of(self) -> pd.Timestamp:
        """The analysis date: the window's last day."""
        return self.window[1]


def setup(data=None, mapping=None, as_of=None, *, tables: list[str] | None = None,
          months: int = 12, style: bool = True) -> Setup:
    """Read a lesson's data and fix its analysis date and window: the lessons' set-up cell.

    In order: applies the course's chart style
    (:func:`custlib.plotting.use_course_style`), reads the data with
    ``load(data, tables, mapping=mapping, as_of=as_of)`` (:func:`custlib.io.load`),
    takes the analysis date ``period.as_of(crm, as_of)`` (the date given, else the one
    stated with the data, else its last dated row) and the window
    ``period.window(as_of, months)`` (the ``months`` months up to it, both ends
    included). The arguments are the lesson's parameters, passed on unchanged, so a
    value injected by ``custlib run`` (or ``$CUSTLIB_DATA`` and the other variables read
    by :func:`load`) works as before. Nothing else is read or computed: the tables of a
    folder written by ``custlib run`` are still opened on first use.

    Parameters
    ----------
    data : path-like, optional
        ``DATA``: a folder of tables or one orders file (default ``$CUSTLIB_DATA``, else
        the bundled data).
    mapping : path-like or Mapping, optional
        ``MAPPING``: the mapping file for the export's own column names.
    as_of : date-like, optional
        ``AS_OF``: the analysis date; rows dated after it are left out.
    tables : list of str, optional
        Read only these tables (``orders`` always), for a lesson that needs a few
        tables of a big export.
    months : int, default 12
        Length of the analysis window.
    style : bool, default True
        Apply the course's chart style (large type, Chinese glyphs).

    Returns
    -------
    Setup
        A named tuple ``(crm, window)``: the loaded :class:`custlib.io.CRMData` and
        ``(start, as_of)``, two Timestamps at midnight; ``.as_of`` is the window's last
        day. Unpack it as ``crm, (YEAR_START, AS_OF) = setup(DATA, MAPPING, AS_OF)``.

    Raises
    ------
    FileNotFoundError, custlib.io.SchemaError
        As :func:`custlib.io.load`: the data is missing or has errors.
    ValueError
        ``as_of`` is not a date, or there is no dated row to take it from.

    Examples
    --------
    The bundled data, as a lesson with its parameters left at None reads it:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> crm, (YEAR_START, AS_OF) = setup(None, None, None)
    >>> crm.tables
    ['reps', 'customers', 'contacts', 'orders', 'opportunities', 'activities', 'events']
    >>> YEAR_START, AS_OF
    (Timestamp('2025-01-01 00:00:00'), Timestamp('2025-12-31 00:00:00'))

    An earlier analysis date cuts the later rows (``load`` warns that it left them out),
    and moves the window with it:

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     s = setup(as_of="2025-06-30", tables=["customers"], style=False)
    >>> s.crm.tables, s.crm.orders["order_date"].max() <= s.as_of
    (['customers', 'orders'], True)
    >>> [d.date().isoformat() for d in s.window]
    ['2024-07-01', '2025-06-30']
    """
    if style:
        from custlib.plotting import use_course_style

        use_course_style()
    crm = load(data, tables, mapping=mapping, as_of=as_of)
    when = period.as_of(crm, as_of)
    return Setup(crm, period.window(when, months))
