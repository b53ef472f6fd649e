"""Prospect management and funnel math (潜在客户管理), digest §12.

An opportunity moves through the pipeline categories

    opportunity (销售机会) → first appointment (首次会晤对象) → active prospect 1
    (有效潜在客户一) → 2 (有效潜在客户二) → 3 (有效潜在客户三) → won (成交)

or drops out as lost. The ``opportunities`` table holds the date each category was
entered (``schema.STAGE_DATE_COLUMNS``; empty = not reached). From it this module
counts the funnel (:func:`funnel_counts`), its stage-to-stage conversion
(:func:`conversion_rates`), the time spent in each stage (:func:`time_in_stage`),
the win rate (:func:`win_rate`), the weighted forecast (:func:`weighted_forecast`),
and the shape of each rep's open pipeline (:func:`pipeline_shape`).

The planning arithmetic of the handout works on plain numbers: the one-in-five case
(:func:`expected_closes`, :func:`prospects_remaining`, :func:`prospects_needed`),
activity per week (:func:`activity_needed`), the rule of thirds
(:func:`rule_of_thirds`) and sales velocity (:func:`sales_velocity`).

Policy numbers come from :data:`custlib.policy.FUNNEL` as keyword defaults.

Examples
--------
The one-in-five case (五分之一): 20 prospects at one in five, four closed.

>>> expected_closes(20)
4.0
>>> prospects_remaining(20, closed=4)
0.0
>>> prospects_needed(1)
5
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from custlib._validate import (check_choice, check_date, check_flag, check_frame,
                               check_probability, check_scalar, check_series)
from custlib import labels
from custlib.policy import FUNNEL
from custlib.schema import OPEN_STAGES, STAGE_DATE_COLUMNS, STAGES

__all__ = ["FUNNEL_STAGES", "STAGE_LABELS_ZH", "stage_reached", "funnel_counts",
           "conversion_rates", "time_in_stage", "expected_closes", "prospects_remaining",
           "prospects_needed", "activity_needed", "rule_of_thirds", "weighted_forecast",
           "pipeline_coverage", "win_rate", "sales_velocity", "pipeline_shape",
           "classify_prospect", "work_priorities"]

#: The funnel: the open categories in order, then won.
FUNNEL_STAGES = OPEN_STAGES + ("won",)
#: Chinese names of the stages (digest §12).
STAGE_LABELS_ZH = labels.FUNNEL_STAGES
_FUNNEL_DATES = [STAGE_DATE_COLUMNS[s] for s in FUNNEL_STAGES]
_ALL_DATES = [STAGE_DATE_COLUMNS[s] for s in STAGES]
_EPOCH = pd.Timestamp("1970-01-01")


# --- boundary helpers -------------------------------------------------------------------

def _stage(opportunities: pd.DataFrame) -> pd.Series:
    return check_choice(opportunities["stage"], "opportunities['stage']", STAGES).astype(object)


def _amount(x, name: str, *, positive: bool = False):
    """A non-negative number or Series of numbers, returned unchanged in kind."""
    if isinstance(x, pd.Series):
        check_series(x, name)
        bad = (x <= 0) if positive else None
        if bad is not None and bad.any():
            raise ValueError(f"{name} must be > 0; found {int(bad.sum())} values <= 0, e.g. at "
                             f"{list(x.index[bad][:3])}")
        return x.astype(float)
    return float(check_scalar(x, name, low=0, include_low=not positive))


def _rate(x, name: str):
    """A fraction in (0, 1], scalar or Series."""
    if isinstance(x, pd.Series):
        check_series(x, name)
        bad = (x <= 0) | (x > 1)
        if bad.any():
            raise ValueError(f"{name} must be in (0, 1]; found {int(bad.sum())} values outside, "
                             f"e.g. at {list(x.index[bad][:3])}")
        return x.astype(float)
    return check_scalar(check_probability(x, name), name, low=0, include_low=False)


def _days(opportunities: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Stage dates as float days since 1970 (NaN where not reached), one column each."""
    if not columns:
        return np.empty((len(opportunities), 0))
    return np.column_stack([((opportunities[c] - _EPOCH) / pd.Timedelta(days=1)).to_numpy(
        dtype=float, na_value=np.nan) for c in columns])


# --- the funnel -------------------------------------------------------------------------

def stage_reached(opportunities: pd.DataFrame) -> pd.DataFrame:
    """Which funnel stages each opportunity reached (pipeline categories of digest §12).

    An opportunity reached a stage when that stage's date is set, **or** a later funnel
    stage's date is set (it must have passed through), **or** its current ``stage``
    (when the column is present) is that stage or a later one. Lost opportunities
    reached the stages whose dates are set. Every row is therefore a prefix of the
    funnel: True up to some stage, False after.

    Parameters
    ----------
    opportunities : DataFrame
        Needs the date columns of :data:`FUNNEL_STAGES` (``opportunity_date``,
        ``first_appointment_date``, ``prospect_1_date`` … ``won_date``; datetime64, NaT =
        not recorded); uses ``stage`` when present. May be empty.

    Returns
    -------
    DataFrame of bool
        Same index, one column per stage of :data:`FUNNEL_STAGES` (``opportunity`` …
        ``won``).

    Raises
    ------
    ValueError
        A missing date column, or a ``stage`` value outside ``schema.STAGES``.
    TypeError
        A date column that is not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> cols = ["opportunity_date", "first_appointment_date", "prospect_1_date",
    ...         "prospect_2_date", "prospect_3_date", "won_date"]
    >>> opp = pd.DataFrame([["2025-01-02", "2025-01-09", None, None, None, None],
    ...                     ["2025-02-01", None, None, "2025-03-01", None, None]],
    ...                    columns=cols).apply(pd.to_datetime)
    >>> stage_reached(opp).astype(int).values.tolist()
    [[1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0]]
    """
    check_frame(opportunities, "opportunities", _FUNNEL_DATES, allow_empty=True,
                dates=_FUNNEL_DATES)
    has = opportunities[_FUNNEL_DATES].notna().to_numpy(dtype=bool, copy=True)
    if "stage" in opportunities.columns:
        pos = _stage(opportunities).map(
            {s: i for i, s in enumerate(FUNNEL_STAGES)}).to_numpy(dtype=float)
        rows = np.flatnonzero(~np.isnan(pos))
        has[rows, pos[rows].astype(np.int64)] = True
    reached = np.logical_or.accumulate(has[:, ::-1], axis=1)[:, ::-1]
    return pd.DataFrame(reached, index=opportunities.index, columns=list(FUNNEL_STAGES))


def funnel_counts(opportunities: pd.DataFrame, *, by: str | None = None):
    """Opportunities that reached each funnel stage (digest §12); never growing down the stages.

    ``reached[s]`` = number of opportunities for which :func:`stage_reached` is True
    at stage ``s``.

    Parameters
    ----------
    opportunities : DataFrame
        As for :func:`stage_reached`, plus the ``by`` column when given.
    by : str, optional
        Column to count by, e.g. ``"rep_id"``.

    Returns
    -------
    Series or DataFrame
        Without ``by``: counts indexed by ``stage`` (``opportunity`` … ``won``), named
        ``reached``. With ``by``: one row per group, one column of counts per stage.

    Raises
    ------
    ValueError
        A missing column or an unknown ``stage`` value.
    TypeError
        A date column that is not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> opp = pd.DataFrame({"rep_id": ["R1", "R1", "R2", "R2"],
    ...                     "stage": ["won", "lost", "prospect_1", "opportunity"],
    ...                     "opportunity_date": pd.to_datetime(["2025-03-01"] * 4)})
    >>> for c in ["first_appointment_date", "prospect_1_date", "prospect_2_date",
    ...           "prospect_3_date", "won_date"]:
    ...     opp[c] = pd.NaT  # no dates: the current stage implies the earlier ones
    >>> funnel_counts(opp).tolist()
    [4, 2, 2, 1, 1, 1]
    >>> funnel_counts(opp, by="rep_id").loc["R2"].tolist()
    [2, 1, 1, 0, 0, 0]
    """
    reached = stage_reached(opportunities)
    if by is None:
        counts = reached.sum().astype(np.int64).rename("reached")
        counts.index.name = "stage"
        return counts
    check_frame(opportunities, "opportunities", [by], allow_empty=True)
    return reached.groupby(opportunities[by].to_numpy()).sum().astype(np.int64).rename_axis(by)


def conversion_rates(opportunities: pd.DataFrame, *, closed_only: bool = False) -> pd.DataFrame:
    """Stage-to-stage conversion of the funnel (digest §12).

    ``rate[s] = reached[s] / reached[previous stage]`` (NaN for the first stage or
    when nobody reached the previous one) and ``cumulative[s] = reached[s] /
    reached[opportunity]``; both fractions 0–1. Open opportunities have not finished
    converting, so ``closed_only=True`` counts only won and lost ones, for rates that
    are not biased low.

    Parameters
    ----------
    opportunities : DataFrame
        As for :func:`stage_reached`; needs ``stage`` with ``closed_only``.
    closed_only : bool, default False
        Count only won and lost opportunities.

    Returns
    -------
    DataFrame
        Indexed by ``stage`` (``opportunity`` … ``won``): ``stage_zh`` (Chinese name),
        ``reached`` (count), ``rate`` and ``cumulative`` (fractions).

    Raises
    ------
    ValueError
        A missing column or an unknown ``stage`` value.
    TypeError
        A date column that is not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> opp = pd.DataFrame({"stage": ["won", "lost", "prospect_1", "opportunity"],
    ...                     "opportunity_date": pd.to_datetime(["2025-03-01"] * 4)})
    >>> for c in ["first_appointment_date", "prospect_1_date", "prospect_2_date",
    ...           "prospect_3_date", "won_date"]:
    ...     opp[c] = pd.NaT
    >>> t = conversion_rates(opp)
    >>> t["reached"].tolist(), t["rate"].tolist()
    ([4, 2, 2, 1, 1, 1], [nan, 0.5, 1.0, 0.5, 1.0, 1.0])
    >>> conversion_rates(opp, closed_only=True)["rate"].tolist()
    [nan, 0.5, 1.0, 1.0, 1.0, 1.0]
    """
    if closed_only:
        check_frame(opportunities, "opportunities", ["stage"], allow_empty=True)
        opportunities = opportunities[_stage(opportunities).isin(["won", "lost"]).to_numpy()]
    counts = funnel_counts(opportunities)
    prev = counts.shift(1)
    table = pd.DataFrame({
        "stage_zh": [STAGE_LABELS_ZH[s] for s in counts.index],
        "reached": counts,
        "rate": counts / prev.where(prev > 0),
        "cumulative": counts / counts.iloc[0] if counts.iloc[0] > 0 else np.nan,
    }, index=counts.index)
    return table


def time_in_stage(opportunities: pd.DataFrame, *, summary: bool = True) -> pd.DataFrame:
    """Days spent in each open pipeline stage (digest §12).

    For an opportunity that entered stage ``s`` on ``d_s``: ``days[s] = min(dates of
    all later stages, won, lost) − d_s``. Skipped stages, and the stage an open
    opportunity is still in, have no time (NaN).

    Parameters
    ----------
    opportunities : DataFrame
        Needs every stage date column, ``opportunity_date`` … ``won_date`` and
        ``lost_date`` (datetime64, NaT = not reached). May be empty.
    summary : bool, default True
        True: one row per stage. False: the days per opportunity.

    Returns
    -------
    DataFrame
        With ``summary``: indexed by open ``stage``, columns ``n`` (completed stays),
        ``mean_days`` and ``median_days`` (days). Without: same index as
        ``opportunities``, one column of days per open stage.

    Raises
    ------
    ValueError
        A missing date column, or a later stage dated before an earlier one.
    TypeError
        A date column that is not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> cols = ["opportunity_date", "first_appointment_date", "prospect_1_date",
    ...         "prospect_2_date", "prospect_3_date", "won_date", "lost_date"]
    >>> opp = pd.DataFrame([["2025-01-01", "2025-01-11", None, None, None, None, "2025-02-10"],
    ...                     ["2025-01-01", "2025-01-21", "2025-02-01", None, None, None, None]],
    ...                    columns=cols).apply(pd.to_datetime)
    >>> time_in_stage(opp, summary=False)[["opportunity", "first_appointment"]].to_dict("list")
    {'opportunity': [10.0, 20.0], 'first_appointment': [30.0, 11.0]}
    >>> time_in_stage(opp).loc["first_appointment"].tolist()
    [2.0, 20.5, 20.5]
    """
    check_frame(opportunities, "opportunities", _ALL_DATES, allow_empty=True, dates=_ALL_DATES)
    days = _days(opportunities, _ALL_DATES)
    n_open = len(OPEN_STAGES)
    nxt = np.fmin.accumulate(days[:, ::-1], axis=1)[:, ::-1]  # earliest date from here on
    stay = nxt[:, 1:n_open + 1] - days[:, :n_open]
    if (stay < 0).any():
        rows = opportunities.index[(stay < 0).any(axis=1)]
        raise ValueError(f"stage dates out of order (a later stage dated before an earlier "
                         f"one) in {len(rows)} opportunities, e.g. at {list(rows[:3])}")
    per = pd.DataFrame(stay, index=opportunities.index, columns=list(OPEN_STAGES))
    if not summary:
        return per
    table = pd.DataFrame({"n": per.notna().sum().astype(np.int64), "mean_days": per.mean(),
                          "median_days": per.median()})
    table.index.name = "stage"
    return table


# --- the one-in-five arithmetic ---------------------------------------------------------

def expected_closes(prospects, close_rate: float = FUNNEL.close_rate):
    """Closes to expect from a number of prospects: ``prospects × close_rate`` (digest §12).

    Parameters
    ----------
    prospects : number or Series
        Prospects in the pipeline (count, >= 0).
    close_rate : float, default ``FUNNEL.close_rate`` = 0.2
        Closes per prospect, in (0, 1] ("one in five").

    Returns
    -------
    float or Series
        Expected closes.

    Raises
    ------
    ValueError
        Negative or non-finite ``prospects``, or ``close_rate`` outside (0, 1].
    TypeError
        ``prospects`` is not a number or a Series.

    Examples
    --------
    >>> expected_closes(20)
    4.0
    >>> expected_closes(30, close_rate=0.1)
    3.0
    """
    return _amount(prospects, "prospects") * _rate(close_rate, "close_rate")


def prospects_remaining(prospects, closed, close_rate: float = FUNNEL.close_rate):
    """Prospects left after some closes: ``max(prospects − closed / close_rate, 0)``.

    The reading of the one-in-five case (五分之一, digest §12): each close uses up
    ``1 / close_rate`` prospects, so 20 prospects at one in five are spent after four
    closes — 0 remain, and five new prospects are needed for every further close.

    Parameters
    ----------
    prospects : number or Series
        Prospects at the start (count, >= 0).
    closed : number or Series
        Closes made since (count, >= 0, at most ``prospects``).
    close_rate : float, default ``FUNNEL.close_rate`` = 0.2
        Closes per prospect, in (0, 1].

    Returns
    -------
    float or Series
        Prospects left, >= 0.

    Raises
    ------
    ValueError
        Negative counts, ``closed`` above ``prospects``, or ``close_rate`` outside
        (0, 1].

    Examples
    --------
    >>> prospects_remaining(20, 4)
    0.0
    >>> prospects_remaining(20, 2)
    10.0
    """
    p = _amount(prospects, "prospects")
    c = _amount(closed, "closed")
    if np.any(np.asarray(c) > np.asarray(p)):
        raise ValueError(f"closed ({closed}) cannot exceed prospects ({prospects})")
    left = p - c / _rate(close_rate, "close_rate")
    left = np.maximum(np.round(left, 9), 0.0)
    return float(left) if np.ndim(left) == 0 else left


def prospects_needed(target_closes, close_rate: float = FUNNEL.close_rate):
    """Prospects needed for a target of closes: ``ceil(target_closes / close_rate)`` (digest §12).

    Five prospects per close at one in five. The ratio is rounded to 9 decimals before
    rounding up, so exact ratios such as 3 / 0.3 are not pushed up by floating-point
    error.

    Parameters
    ----------
    target_closes : number or Series
        Closes wanted (>= 0).
    close_rate : float, default ``FUNNEL.close_rate`` = 0.2
        Closes per prospect, in (0, 1].

    Returns
    -------
    int or Series of int
        Whole prospects.

    Raises
    ------
    ValueError
        Negative ``target_closes``, or ``close_rate`` outside (0, 1].

    Examples
    --------
    >>> prospects_needed(1)
    5
    >>> prospects_needed(3, close_rate=0.3)
    10
    """
    t = _amount(target_closes, "target_closes")
    need = np.ceil(np.round(t / _rate(close_rate, "close_rate"), 9))
    return int(need) if np.ndim(need) == 0 else need.astype(np.int64)


def activity_needed(target_closes: float, stage_ratios, weeks: float = 1) -> pd.DataFrame:
    """Activity needed at each stage (in total and per week) for a target of wins (digest §12).

    ``stage_ratios`` gives the conversion *into* each stage from the one before, for a
    contiguous run of funnel stages ending at ``won`` (e.g. the ``rate`` column of
    :func:`conversion_rates`; NaN entries are dropped). Walking back from won::

        needed[won] = target_closes
        needed[s]   = needed[next(s)] / ratio[next(s)]
        per_week    = needed / weeks

    The first row is the stage before the first ratio given. Figures are expected
    counts: round up when planning.

    Parameters
    ----------
    target_closes : float
        Wins wanted in the period (>= 0).
    stage_ratios : Series or mapping
        Stage name → conversion rate into that stage, each in (0, 1].
    weeks : float, default 1
        Length of the period in weeks (> 0).

    Returns
    -------
    DataFrame
        Indexed by ``stage``: ``stage_zh`` (Chinese name), ``ratio`` (conversion into
        the stage; NaN for the first row), ``needed`` (count in the period) and
        ``per_week`` (count per week).

    Raises
    ------
    TypeError
        ``stage_ratios`` is not a Series or a mapping.
    ValueError
        Unknown stages, a run that is not contiguous up to ``won``, a ratio outside
        (0, 1], a negative target, or ``weeks`` <= 0.

    Examples
    --------
    Four wins in four weeks, when half of prospect-1s reach prospect 2, half of those
    reach prospect 3, and 80 % of prospect-3s are won:

    >>> t = activity_needed(4, {"prospect_2": 0.5, "prospect_3": 0.5, "won": 0.8}, weeks=4)
    >>> t.index.tolist()
    ['prospect_1', 'prospect_2', 'prospect_3', 'won']
    >>> t["needed"].tolist(), t["per_week"].tolist()
    ([20.0, 10.0, 5.0, 4.0], [5.0, 2.5, 1.25, 1.0])
    """
    target = _amount(target_closes, "target_closes")
    weeks = _amount(weeks, "weeks", positive=True)
    if isinstance(stage_ratios, Mapping):
        stage_ratios = pd.Series(dict(stage_ratios), dtype=float)
    if not isinstance(stage_ratios, pd.Series):
        raise TypeError(f"stage_ratios must be a pandas Series or a mapping stage -> rate, got "
                        f"{type(stage_ratios).__name__}")
    ratios = stage_ratios.dropna()
    unknown = [s for s in ratios.index if s not in FUNNEL_STAGES[1:]]
    if unknown or len(ratios) == 0:
        raise ValueError(f"stage_ratios must be keyed by stages from {list(FUNNEL_STAGES[1:])}; "
                         f"found {list(ratios.index) if len(ratios) else 'no rates'}")
    start = FUNNEL_STAGES.index(min(ratios.index, key=FUNNEL_STAGES.index)) - 1
    chain = list(FUNNEL_STAGES[start + 1:])
    missing = [s for s in chain if s not in ratios.index]
    if missing:
        raise ValueError(f"stage_ratios must cover every stage from {chain[0]!r} to 'won' "
                         f"(a contiguous run ending at won); missing {missing}")
    r = _rate(ratios.reindex(chain).astype(float), "stage_ratios")
    # needed at each stage = target / product of the ratios after it
    after = np.concatenate([np.cumprod(r.to_numpy()[::-1])[::-1], [1.0]])
    stages = list(FUNNEL_STAGES[start:])
    needed = target / after
    table = pd.DataFrame({
        "stage_zh": [STAGE_LABELS_ZH[s] for s in stages],
        "ratio": np.concatenate([[np.nan], r.to_numpy()]),
        "needed": needed,
        "per_week": needed / weeks,
    }, index=pd.Index(stages, name="stage"))
    return table


def rule_of_thirds(n, thirds: tuple[float, float, float] = FUNNEL.thirds) -> pd.DataFrame:
    """The rule of thirds (三分之一规则): who buys anyway, who never buys, who depends on us.

    Digest §12. Of ``n`` prospects presented to, ``n × thirds[0]`` buy whatever we do,
    ``n × thirds[1]`` never buy, ``n × thirds[2]`` depend on our work; closes therefore
    range from ``n × thirds[0]`` (no work) to ``n × (thirds[0] + thirds[2])``.

    Parameters
    ----------
    n : number
        Prospects presented to (>= 0).
    thirds : tuple of 3 float, default ``FUNNEL.thirds`` = (1/3, 1/3, 1/3)
        Shares buying anyway, never buying and depending on us (>= 0, summing to 1).

    Returns
    -------
    DataFrame
        Indexed by ``group`` (``buy_anyway``, ``never_buy``, ``depends_on_us``):
        ``share`` (fraction), ``prospects`` (count), ``description`` and
        ``description_zh``.

    Raises
    ------
    ValueError
        Negative ``n``, or ``thirds`` not 3 shares >= 0 summing to 1.

    Examples
    --------
    >>> t = rule_of_thirds(30)
    >>> t["prospects"].tolist(), t.index.tolist()
    ([10.0, 10.0, 10.0], ['buy_anyway', 'never_buy', 'depends_on_us'])
    """
    n = _amount(n, "n")
    shares = np.asarray(thirds, dtype=float)
    if shares.shape != (3,) or (shares < 0).any() or not np.isclose(shares.sum(), 1.0):
        raise ValueError(f"thirds must be 3 shares >= 0 summing to 1, got {tuple(thirds)}")
    return pd.DataFrame({
        "share": shares,
        "prospects": n * shares,
        "description": ["buy whatever you do", "never buy whatever you do",
                        "depend on your work: manage the prospect base"],
        "description_zh": ["无论你做什么都会买", "无论你做什么都不会买", "取决于你的工作"],
    }, index=pd.Index(["buy_anyway", "never_buy", "depends_on_us"], name="group"))


# --- value of the pipeline --------------------------------------------------------------

def _check_values(opportunities: pd.DataFrame) -> None:
    check_frame(opportunities, "opportunities", ["stage", "expected_value", "probability"],
                allow_empty=True, numeric=["expected_value", "probability"])
    check_series(opportunities["expected_value"], "opportunities['expected_value']",
                 allow_empty=True)
    check_probability(opportunities["probability"], "opportunities['probability']")


def weighted_forecast(opportunities: pd.DataFrame, *, by: str | None = None, close_by=None):
    """Weighted forecast of the open pipeline: ``Σ expected_value × probability`` (CNY).

    Digest §12. Only open opportunities count (``stage`` in ``schema.OPEN_STAGES``; won and lost
    are excluded) and, with ``close_by``, only those with ``expected_close_date <=
    close_by``. Never more than the open value, since probabilities are at most 1.

    Parameters
    ----------
    opportunities : DataFrame
        Needs ``stage``, ``expected_value`` (CNY, >= 0) and ``probability`` (0–1);
        ``expected_close_date`` (datetime64) with ``close_by``.
    by : str, optional
        Column to group by, e.g. ``"rep_id"``.
    close_by : date-like, optional
        Count only deals expected to close on or before this date.

    Returns
    -------
    float or Series
        Total (CNY), or per ``by`` group a Series named ``weighted_forecast`` (CNY).

    Raises
    ------
    ValueError
        A missing column, an unknown stage, a negative value, or a probability
        outside 0–1.
    TypeError
        Non-numeric values or probabilities, or ``expected_close_date`` not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> opp = pd.DataFrame({"rep_id": ["R1", "R1", "R2", "R2"],
    ...                     "stage": ["prospect_3", "prospect_1", "prospect_2", "won"],
    ...                     "expected_value": [10_000, 20_000, 8_000, 50_000],
    ...                     "probability": [0.9, 0.3, 0.5, 1.0]})
    >>> weighted_forecast(opp)
    19000.0
    >>> weighted_forecast(opp, by="rep_id").to_dict()
    {'R1': 15000.0, 'R2': 4000.0}
    """
    _check_values(opportunities)
    open_ = _stage(opportunities).isin(OPEN_STAGES).to_numpy(copy=True)
    if close_by is not None:
        close_by = check_date(close_by, "close_by")
        check_frame(opportunities, "opportunities", ["expected_close_date"], allow_empty=True,
                    dates=["expected_close_date"])
        open_ &= (opportunities["expected_close_date"] <= close_by).to_numpy(
            dtype=bool)
    weighted = (opportunities["expected_value"].astype(float)
                * opportunities["probability"].astype(float)).where(open_, 0.0)
    if by is None:
        return float(weighted.sum())
    check_frame(opportunities, "opportunities", [by], allow_empty=True)
    return weighted.groupby(opportunities[by].to_numpy()).sum().rename_axis(by).rename(
        "weighted_forecast")


def pipeline_coverage(pipeline_value, target):
    """Pipeline coverage: ``pipeline_value / target`` (a ratio; 3 means three times the target).

    A check on the prospect base of digest §12: is there enough open pipeline to make
    the period's target?

    Parameters
    ----------
    pipeline_value : number or Series
        Open pipeline value (CNY, >= 0).
    target : number or Series
        Sales target for the same period (CNY, > 0).

    Returns
    -------
    float or Series
        The coverage ratio.

    Raises
    ------
    ValueError
        Negative ``pipeline_value`` or ``target`` <= 0.
    TypeError
        Arguments that are neither numbers nor Series.

    Examples
    --------
    >>> pipeline_coverage(300_000, 100_000)
    3.0
    """
    return _amount(pipeline_value, "pipeline_value") / _amount(target, "target", positive=True)


def win_rate(opportunities: pd.DataFrame, *, reached: str | None = None, by: str | None = None):
    """Win rate: ``won / (won + lost)`` among closed opportunities (digest §12).

    With ``reached``, only closed opportunities that reached that funnel stage count
    (e.g. ``"first_appointment"``: the share of first appointments won — "one in
    five").

    Parameters
    ----------
    opportunities : DataFrame
        Needs ``stage``; with ``reached``, the stage date columns (see
        :func:`stage_reached`).
    reached : str, optional
        A funnel stage (:data:`FUNNEL_STAGES`) the closed opportunities must have
        reached.
    by : str, optional
        Column to group by, e.g. ``"rep_id"``.

    Returns
    -------
    float or Series
        Fraction 0–1 (NaN where nothing is closed); per ``by`` group a Series named
        ``win_rate``.

    Raises
    ------
    ValueError
        A missing column, an unknown stage, or an unknown ``reached``.

    Examples
    --------
    >>> import pandas as pd
    >>> opp = pd.DataFrame({"rep_id": ["R1", "R1", "R2", "R2", "R2"],
    ...                     "stage": ["won", "lost", "lost", "lost", "prospect_1"]})
    >>> win_rate(opp)
    0.25
    >>> win_rate(opp, by="rep_id").to_dict()
    {'R1': 0.5, 'R2': 0.0}
    """
    check_frame(opportunities, "opportunities", ["stage"], allow_empty=True)
    stage = _stage(opportunities)
    closed = stage.isin(["won", "lost"]).to_numpy(copy=True)
    if reached is not None:
        check_choice(reached, "reached", FUNNEL_STAGES)
        closed &= stage_reached(opportunities)[reached].to_numpy()
    won = pd.Series((stage == "won").to_numpy() & closed, index=opportunities.index)
    if by is None:
        return float(won.sum() / closed.sum()) if closed.any() else float("nan")
    check_frame(opportunities, "opportunities", [by], allow_empty=True)
    g = opportunities[by].to_numpy()
    n_closed = pd.Series(closed, index=opportunities.index).groupby(g).sum()
    return (won.groupby(g).sum() / n_closed.where(n_closed > 0)).rename_axis(by).rename("win_rate")


def sales_velocity(n_opportunities, avg_value, win_rate, cycle_days):
    """Sales velocity: ``n_opportunities × avg_value × win_rate / cycle_days`` (CNY per day).

    How fast the pipeline of digest §12 turns into revenue.

    Parameters
    ----------
    n_opportunities : number
        Open opportunities (count, >= 0).
    avg_value : number
        Average deal value (CNY, >= 0).
    win_rate : float or Series
        Won / closed, a fraction 0–1.
    cycle_days : number
        Average days from opportunity to close (> 0).

    Returns
    -------
    float or Series
        Expected revenue per day (CNY per day).

    Raises
    ------
    ValueError
        A negative count or value, ``win_rate`` outside 0–1, or ``cycle_days`` <= 0.

    Examples
    --------
    >>> sales_velocity(50, 12_000, 0.2, 120)
    1000.0
    """
    n = _amount(n_opportunities, "n_opportunities")
    v = _amount(avg_value, "avg_value")
    w = check_probability(win_rate, "win_rate", allow_empty=False)
    return n * v * w / _amount(cycle_days, "cycle_days", positive=True)


# --- pipeline shape, prospect category, priorities -------------------------------------

_DIAGNOSES = tuple(labels.DIAGNOSES)
_DIAGNOSES_ZH = tuple(labels.DIAGNOSES.values())


def pipeline_shape(opportunities: pd.DataFrame, *, by: str = "rep_id",
                   empty_front_share: float = FUNNEL.empty_front_share,
                   pileup_share: float = FUNNEL.pileup_share) -> pd.DataFrame:
    """Shape of each rep's open pipeline and its diagnosis (digest §12).

    Counts open opportunities per stage, then::

        front_share  = (opportunity + first_appointment) / open
        middle_share = (prospect_1 + prospect_2) / open

    * **empty front** (前端空缺) — nothing open, or ``front_share < empty_front_share``:
      a newcomer, or a veteran who just closed a lot, has stopped prospecting;
    * else **middle pile-up** (中段堆积) — ``middle_share > pileup_share``: the
      "proposal-pending" shape;
    * else **healthy** (健康).

    Every value of ``by`` in the table appears, even with nothing open.

    Parameters
    ----------
    opportunities : DataFrame
        Needs ``stage`` and the ``by`` column.
    by : str, default "rep_id"
        Column holding the rep.
    empty_front_share : float, default ``FUNNEL.empty_front_share`` = 0.25
        Front share (fraction) below which the front is empty.
    pileup_share : float, default ``FUNNEL.pileup_share`` = 0.55
        Middle share (fraction) above which the middle is piled up.

    Returns
    -------
    DataFrame
        Indexed by ``by`` (sorted): open opportunities per open stage
        (``opportunity`` … ``prospect_3``), ``open`` (count), ``front_share`` and
        ``middle_share`` (fractions; NaN when nothing is open), ``diagnosis``
        (categorical) and ``diagnosis_zh``.

    Raises
    ------
    ValueError
        A missing column, an unknown stage, or a threshold outside 0–1.

    Examples
    --------
    >>> import pandas as pd
    >>> opp = pd.DataFrame({"rep_id": ["R1", "R2", "R3", "R3", "R3", "R3"],
    ...                     "stage": ["opportunity", "prospect_3", "first_appointment",
    ...                               "prospect_1", "prospect_2", "prospect_2"]})
    >>> shape = pipeline_shape(opp)
    >>> shape["front_share"].tolist(), shape["middle_share"].tolist()
    ([1.0, 0.0, 0.25], [0.0, 0.0, 0.75])
    >>> shape["diagnosis"].tolist()
    ['healthy', 'empty front', 'middle pile-up']
    """
    check_frame(opportunities, "opportunities", [by, "stage"], allow_empty=True)
    for name, v in (("empty_front_share", empty_front_share), ("pileup_share", pileup_share)):
        check_probability(v, name)
    stage = _stage(opportunities)
    groups = pd.Index(opportunities[by].dropna().unique(), name=by).sort_values()
    open_ = stage.isin(OPEN_STAGES).to_numpy()
    onehot = pd.DataFrame({s: (stage == s).to_numpy() & open_ for s in OPEN_STAGES},
                          index=opportunities.index).astype(np.int64)
    counts = onehot.groupby(opportunities[by].to_numpy()).sum().reindex(groups, fill_value=0)
    counts.index.name = by
    n = counts.sum(axis=1)
    counts["open"] = n
    denom = n.where(n > 0)
    counts["front_share"] = (counts["opportunity"] + counts["first_appointment"]) / denom
    counts["middle_share"] = (counts["prospect_1"] + counts["prospect_2"]) / denom
    empty = (n == 0) | (counts["front_share"] < empty_front_share)
    pile = ~empty & (counts["middle_share"] > pileup_share)
    code = np.select([empty.to_numpy(), pile.to_numpy()], [1, 2], default=0)
    counts["diagnosis"] = pd.Categorical.from_codes(code, categories=list(_DIAGNOSES))
    counts["diagnosis_zh"] = np.array(_DIAGNOSES_ZH)[code]
    return counts


def classify_prospect(criteria_frame: pd.DataFrame, *,
                      criteria: tuple[str, ...] = FUNNEL.prospect2_criteria) -> pd.Series:
    """Active prospect 1 or 2 (有效潜在客户一 / 二) from the five criteria of category 2.

    Digest §12. A prospect is ``prospect_2`` when **all** ``criteria`` hold — talking to
    the real decision maker; the proposal suits the customer; budget reasonable and
    our price acceptable; the timeline fits our normal cycle; there is further
    development — and ``prospect_1`` otherwise. A missing (unknown) criterion does not
    hold.

    Parameters
    ----------
    criteria_frame : DataFrame
        One boolean column per criterion, one row per prospect.
    criteria : tuple of str, default ``FUNNEL.prospect2_criteria``
        Names of the criterion columns (``talking_to_decision_maker``,
        ``proposal_fits``, ``budget_and_price_accepted``, ``timeline_fits``,
        ``further_development``).

    Returns
    -------
    Series
        Categorical ``prospect_1`` / ``prospect_2`` named ``category``, same index.

    Raises
    ------
    ValueError
        A criterion column missing.
    TypeError
        A criterion column that is not boolean.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({c: [True, True, True] for c in FUNNEL.prospect2_criteria})
    >>> f.loc[1, "timeline_fits"] = False
    >>> classify_prospect(f).tolist()
    ['prospect_2', 'prospect_1', 'prospect_2']
    """
    criteria = list(criteria)
    check_frame(criteria_frame, "criteria_frame", criteria, allow_empty=True)
    for c in criteria:
        check_flag(criteria_frame[c], f"criteria_frame[{c!r}]")
    met = criteria_frame[criteria].fillna(False).to_numpy(dtype=bool).all(axis=1)
    cat = pd.Categorical.from_codes(met.astype(np.int64), categories=["prospect_1", "prospect_2"])
    return pd.Series(cat, index=criteria_frame.index, name="category")


_PRIORITY_TEXT = {
    "contact_new_leads": ("call or e-mail new contacts", "给新联系人打电话或发邮件"),
    "first_meetings": ("first meetings with new contacts", "与新联系人首次会晤"),
    "prospect_3_to_closed": ("turn prospect 3 into closed", "把有效潜在客户三变为成交"),
    "prospect_2_to_3": ("turn prospect 2 into prospect 3", "把有效潜在客户二变为三"),
    "prospect_1_to_2": ("turn prospect 1 into prospect 2", "把有效潜在客户一变为二"),
    "after_sales_calls": ("after-sales calls to new and existing customers",
                          "对新老客户的售后回访"),
    "fallback_first_meetings": ("first meetings with fallback opportunities",
                                "与后退客户的首次会晤"),
    "special_projects": ("special projects (reports, paperwork)", "特殊项目（报告、文书工作）"),
}


def work_priorities(priorities: tuple[str, ...] = FUNNEL.priorities) -> pd.DataFrame:
    """The eight kinds of a salesperson's work, most important first (digest §12).

    Parameters
    ----------
    priorities : tuple of str, default ``FUNNEL.priorities``
        Keys of the kinds of work, most important first (a reordering or subset of
        the eight known keys).

    Returns
    -------
    DataFrame
        Indexed by ``rank`` (1 = most important): ``work`` (key), ``description``
        (English) and ``description_zh`` (Chinese).

    Raises
    ------
    ValueError
        An unknown key.

    Examples
    --------
    >>> t = work_priorities()
    >>> t.loc[[1, 3], "description"].tolist()
    ['call or e-mail new contacts', 'turn prospect 3 into closed']
    >>> t.loc[8, "work"]
    'special_projects'
    """
    unknown = [p for p in priorities if p not in _PRIORITY_TEXT]
    if unknown:
        raise ValueError(f"unknown priorities {unknown}; known: {list(_PRIORITY_TEXT)}")
    return pd.DataFrame({
        "work": list(priorities),
        "description": [_PRIORITY_TEXT[p][0] for p in priorities],
        "description_zh": [_PRIORITY_TEXT[p][1] for p in priorities],
    }, index=pd.Index(range(1, len(priorities) + 1), name="rank"))
