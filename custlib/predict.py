"""Early warning of customers in decline and predicted customer value, digest §5 and §6.

The decline stage of the customer lifecycle (客户衰退 / 衰退期, digest §5) asks for an
early warning of at-risk customers, so that the relationship can be extended or a
decision taken on whether it is worth keeping; value analysis (客户价值, digest §6)
asks for priorities by value. This module gives both from the RFM summary of
:func:`custlib.value.rfm_summary` with two probability models of the
"buy till you die" family:

* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
  while alive a customer buys at a Poisson rate λ, λ ~ Gamma(r, α) across customers;
  after each repeat purchase the customer drops out for good with probability p,
  p ~ Beta(a, b). From a customer's ``frequency`` x, ``recency`` t_x and age ``T`` it
  gives the probability that the customer is still alive (:func:`bgnbd_p_alive`)
  and the expected number of purchases in the next t periods
  (:func:`bgnbd_expected_purchases`).
* **Gamma-Gamma** (Fader, Hardie & Lee 2005b, "RFM and CLV: using iso-value
  curves"): each purchase amount is Gamma(p, ν), ν ~ Gamma(q, v) across customers,
  independent of the purchase process; it shrinks a customer's observed mean
  spend towards the population mean (:func:`gamma_gamma_expected_spend`).

:func:`predicted_clv` combines the two into a discounted value over a horizon,
:func:`at_risk` gives the manager's call list (valuable customers who are probably
no longer buying) and :func:`holdout_check` is the test an analyst runs before
trusting the model: fit on a calibration period, predict the holdout, compare.

Definitions match those of the ``lifetimes`` package (``BetaGeoFitter``,
``GammaGammaFitter``, ``customer_lifetime_value``), including the penalizer
convention; only numpy and scipy are used.

Time unit: whatever unit ``recency`` and ``T`` are in (days for
:func:`custlib.value.rfm_summary`). ``alpha`` is in that unit and the predictions
are per that unit. Money: the unit of ``monetary_value`` (CNY per repeat purchase
day for :func:`custlib.value.rfm_summary`; it is revenue, not margin).

Examples
--------
The CDNOW estimates of the BG/NBD paper (time in weeks): a customer with 2 repeat
purchases, the last at week 30.43, observed for 38.86 weeks.

>>> cdnow = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> round(bgnbd_p_alive(cdnow, 2, 30.43, 38.86), 3)
0.727
>>> round(bgnbd_expected_purchases(cdnow, 39, 2, 30.43, 38.86), 3)  # paper: 1.226
1.226
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

from custlib._pandas import isin
from custlib._validate import (check_choice, check_date, check_frame, check_probability,
                               check_scalar)
from custlib.policy import VALUE

__all__ = ["PredictPolicy", "PREDICT", "ConvergenceError", "bgnbd_fit", "bgnbd_p_alive",
           "bgnbd_expected_purchases", "bgnbd_sample", "gamma_gamma_fit", "gamma_gamma_usable",
           "gamma_gamma_expected_spend", "own_mean_spend", "gamma_gamma_sample", "predicted_clv",
           "risk_table", "at_risk",
           "HoldoutCheck", "holdout_check"]


@dataclass(frozen=True)
class PredictPolicy:
    """Numbers of the early warning and the predicted value, digest §5 (stage D) and §6.

    Attributes
    ----------
    months : int
        Horizon of the predicted customer value, in months (the ``lifetimes``
        default).
    discount_rate : float
        Monthly discount rate: the monthly equivalent of the yearly rate of the
        lifetime-value lesson, ``(1 + VALUE.discount_rate) ** (1 / 12) - 1`` = 0.797 %
        a month for 10 % a year (:data:`custlib.policy.VALUE`, digest §6), so the two
        lifetime values discount alike. ``lifetimes`` uses 1 % a month by default.
    min_repeat_customers : int
        Fewest customers with a repeat purchase (frequency > 0) a fit accepts: the
        drop-out process (a, b) and the spend model are estimated from them only.
        A rule of thumb (reading), not a figure of the source material.
    at_risk_p_alive : float
        A customer whose probability of being alive is below this is at risk: the
        early warning of the decline stage (客户衰退: early-warning of at-risk
        customers, extend the life, digest §5).
    value_share : float
        Top share of customers, by predicted value if still alive, that count as
        high value on the call list: the top 20 % of the 20/80 rule (digest §7).
    penalizer : float
        Default L2 penalty on the parameters (none: plain maximum likelihood, as
        ``lifetimes``; a penalty would bias every fit to steady the rare one that runs
        to the edge of the model).
    spend_max_correlation : float
        Largest correlation (Pearson, repeat customers) of ``frequency`` and
        ``monetary_value`` with which :func:`gamma_gamma_usable` accepts the spend model:
        Gamma-Gamma assumes the two independent. 0.3 is a rule of thumb (reading), not
        a figure of the source material.
    months_per_freq : tuple of (str, float)
        Periods per month for each time unit ``freq`` ("D" day, "W" week, "M" month,
        "H" hour), as ``lifetimes`` counts them: a month is 30 days, 4.345 weeks,
        720 hours.
    """

    months: int = 12
    discount_rate: float = (1 + VALUE.discount_rate) ** (1 / 12) - 1
    min_repeat_customers: int = 30
    at_risk_p_alive: float = 0.5
    value_share: float = 0.20
    penalizer: float = 0.0
    spend_max_correlation: float = 0.3
    months_per_freq: tuple[tuple[str, float], ...] = (
        ("D", 30.0), ("W", 4.345), ("M", 1.0), ("H", 720.0))


PREDICT = PredictPolicy()


class ConvergenceError(ValueError):
    """A maximum-likelihood fit did not reach a proper optimum."""


# --------------------------------------------------------------------------- checks

def _as_array(x, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numeric, got {type(x).__name__}") from None
    return a


def _where(mask: np.ndarray, labels) -> list:
    pos = np.flatnonzero(mask.ravel())[:3]
    if labels is None:
        return [int(i) for i in pos]
    return list(labels[pos])


def _arrays(names, values, *, integer=()):
    """Same-length float arrays of ``values``, checked finite and >= 0.

    Scalars broadcast; a pandas index of the first Series is returned for labelling.
    """
    labels = next((v.index for v in values if isinstance(v, pd.Series)), None)
    arrays = [_as_array(v, n) for n, v in zip(names, values)]
    sizes = [a.size for a in arrays if a.ndim > 0]
    if any(a.ndim > 1 for a in arrays) or len(set(sizes)) > 1:
        shown = _join([str(a.size if a.ndim else "scalar") for a in arrays])
        raise ValueError(f"{_join(names)} must have the same length; found {shown}")
    n = sizes[0] if sizes else None
    if labels is not None and len(labels) != n:
        labels = None
    out = []
    for name, a in zip(names, arrays):
        a = np.broadcast_to(a, (n,)) if (n is not None and a.ndim == 0) else a
        bad = ~np.isfinite(a)
        if bad.any():
            raise ValueError(f"{name} must be finite numbers; found {int(bad.sum())} missing or "
                             f"infinite values, e.g. at {_where(bad, labels)}")
        neg = a < 0
        if neg.any():
            raise ValueError(f"{name} must be >= 0; found {int(neg.sum())} negative values, "
                             f"e.g. at {_where(neg, labels)}")
        if name in integer:
            frac = a != np.floor(a)
            if frac.any():
                raise ValueError(f"{name} must be whole numbers (repeat purchase periods); found "
                                 f"{int(frac.sum())} non-integer values, e.g. at {_where(frac, labels)}")
        out.append(a)
    return out, labels, n


def _join(names) -> str:
    names = list(names)
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _rfm(frequency, recency, T):
    """Checked (x, t_x, T) arrays, the labels and the length (None for scalars)."""
    (x, tx, T), labels, n = _arrays(("frequency", "recency", "T"), (frequency, recency, T),
                                    integer=("frequency",))
    late = tx > T
    if late.any():
        raise ValueError(f"recency must be <= T (the last purchase lies within the customer's "
                         f"age); found {int(late.sum())} customers with recency > T, e.g. at "
                         f"{_where(late, labels)}")
    ghost = (x == 0) & (tx > 0)
    if ghost.any():
        raise ValueError(f"recency must be 0 when frequency is 0 (no repeat purchase); found "
                         f"{int(ghost.sum())} customers with frequency 0 and recency > 0, e.g. at "
                         f"{_where(ghost, labels)}")
    return x, tx, T, labels, n


def _params(params, names, what):
    if not isinstance(params, dict) or any(k not in params for k in names):
        found = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"{what} params must be a dict with keys {list(names)}; found {found}")
    vals = [float(params[k]) for k in names]
    bad = [k for k, v in zip(names, vals) if not (np.isfinite(v) and v > 0)]
    if bad:
        raise ValueError(f"{what} params must be finite and > 0; found "
                         f"{ {k: params[k] for k in bad} }")
    return vals


def _out(values, labels, n, name):
    """A float for scalar inputs, a Series when the inputs were Series, else an array."""
    if n is None:
        return float(np.asarray(values).reshape(-1)[0])
    if labels is not None:
        return pd.Series(values, index=labels, name=name)
    return np.asarray(values)


def _min_repeat(n_repeat: float, n_all: float, what: str, minimum: int) -> None:
    if n_repeat < minimum:
        raise ValueError(f"{what} needs at least {minimum} repeat customers (frequency > 0) to "
                         f"estimate; found {n_repeat:g} of {n_all:g} customers")


# --------------------------------------------------------------------------- BG/NBD

_BOUND = 30.0  # |log parameter| bound of the optimiser, in scaled units


def _dot(w, d) -> float:
    """Σ w·d without BLAS: a threaded BLAS dot of a vector is slower than this on a
    busy machine, and the objective is evaluated a few dozen times."""
    return float(np.multiply(w, d).sum())


def _unique_rows(x, tx, T, w):
    """Distinct (x, t_x, T) rows with summed weights: the likelihood is a sum over them."""
    ints = all(np.all(a == np.floor(a)) for a in (tx, T))
    if ints:
        mx, mr, mt = int(x.max()) + 1, int(tx.max()) + 1, int(T.max()) + 1
        ints = float(mx) * mr * mt < 2 ** 62
    if ints:
        key = (x.astype(np.int64) * mr + tx.astype(np.int64)) * mt + T.astype(np.int64)
        if w is None:
            uk, counts = np.unique(key, return_counts=True)
            uw = counts.astype(float)
        else:
            uk, inv = np.unique(key, return_inverse=True)
            uw = np.bincount(inv, weights=w)
        ux, rest = np.divmod(uk, mr * mt)
        utx, uT = np.divmod(rest, mt)
        return ux.astype(float), utx.astype(float), uT.astype(float), uw
    rows = np.column_stack([x, tx, T])
    urows, inv = np.unique(rows, axis=0, return_inverse=True)
    uw = np.bincount(inv.ravel(), weights=None if w is None else w).astype(float)
    return urows[:, 0], urows[:, 1], urows[:, 2], uw


def _levels(x):
    """Distinct values of x and the index of each element in them: the special functions
    of x (lnΓ, ψ) are evaluated once per distinct frequency, not once per row."""
    xl, xi = np.unique(x, return_inverse=True)
    return xl, xi.ravel()


def _bgnbd_terms(theta, x, tx, T, levels=None):
    """Per-row log-likelihood and its parts (params in the units of tx and T)."""
    r, alpha, a, b = theta
    xl, xi = _levels(x) if levels is None else levels
    rx = r + x
    log_aT, log_atx = np.log(alpha + T), np.log(alpha + tx)
    repeat = x > 0
    bx1 = b + np.maximum(x, 1) - 1
    A12 = (gammaln(r + xl) - gammaln(r) + gammaln(a + b) + gammaln(b + xl) - gammaln(b)
           - gammaln(a + b + xl))[xi] + r * np.log(alpha)
    A3 = -rx * log_aT
    A4 = np.where(repeat, np.log(a) - np.log(bx1) - rx * log_atx, -np.inf)
    L = np.logaddexp(A3, A4)
    return A12 + L, A3, A4, L, rx, log_aT, log_atx, bx1


def _bgnbd_objective(logp, x, tx, T, w, wsum, penalizer, levels=None):
    """Mean negative log-likelihood + penalizer · Σ θ², and its gradient in log θ."""
    theta = np.exp(logp)
    r, alpha, a, b = theta
    xl, xi = _levels(x) if levels is None else levels
    ll, A3, A4, L, rx, log_aT, log_atx, bx1 = _bgnbd_terms(theta, x, tx, T, (xl, xi))
    w4 = np.exp(A4 - L)  # share of the "dropped out after the last purchase" branch
    w3 = 1.0 - w4
    g = np.empty(4)
    dr = (digamma(r + xl) - digamma(r))[xi] + np.log(alpha) - w3 * log_aT - w4 * log_atx
    dalpha = r / alpha - rx * (w3 / (alpha + T) + w4 / (alpha + tx))
    dab_l = digamma(a + b) - digamma(a + b + xl)
    da = dab_l[xi] + w4 / a
    db = (dab_l + digamma(b + xl) - digamma(b))[xi] - w4 / bx1
    for i, d in enumerate((dr, dalpha, da, db)):
        g[i] = _dot(w, d)
    f = -_dot(w, ll) / wsum + penalizer * np.sum(theta ** 2)
    grad = -theta * g / wsum + 2.0 * penalizer * theta ** 2
    return f, grad


#: Largest gradient (of the mean log-likelihood per customer, in log-parameters) at which a
#: fit whose line search stopped is accepted as converged. Where parameters run off along a
#: ridge (a, b → ∞ with a/b fixed: hardly any heterogeneity in drop-out) the objective is
#: flat to rounding, and the line search stops with a gradient of about 1e-5; a step along
#: a gradient of 1e-4 would change the log-parameters by about 1e-4 (0.01 %).
_STATIONARY = 1e-4


def _minimize(objective, x0, args, what):
    res = minimize(objective, x0, args=args, jac=True, method="L-BFGS-B",
                   bounds=[(-_BOUND, _BOUND)] * len(x0),
                   options=dict(maxiter=1000, ftol=1e-14, gtol=1e-9))
    # A line search that fails at a stationary point (flat objective, rounding noise)
    # is a converged fit: accept it when the gradient of the mean log-likelihood is nil.
    stationary = np.all(np.isfinite(res.jac)) and np.max(np.abs(res.jac)) < _STATIONARY
    if not (res.success or stationary) or not np.all(np.isfinite(res.x)):
        raise ConvergenceError(f"{what} fit did not converge after {res.nit} iterations "
                               f"({res.message}); try a penalizer > 0, e.g. penalizer=0.001")
    return res


def bgnbd_fit(frequency, recency, T, *, penalizer=PREDICT.penalizer, weights=None,
              min_repeat_customers=PREDICT.min_repeat_customers) -> dict:
    r"""Maximum-likelihood BG/NBD parameters (Fader, Hardie & Lee 2005, section 7).

    The log-likelihood of a customer with ``x`` repeat purchases, the last at ``t_x``,
    observed for ``T`` is ``ℓ = A₁ + A₂ + log(e^{A₃} + δ_{x>0} e^{A₄})`` with

    * ``A₁ = lnΓ(r + x) − lnΓ(r) + r ln α``
    * ``A₂ = lnΓ(a + b) + lnΓ(b + x) − lnΓ(b) − lnΓ(a + b + x)``
    * ``A₃ = −(r + x) ln(α + T)``
    * ``A₄ = ln a − ln(b + x − 1) − (r + x) ln(α + t_x)``

    evaluated with ``logaddexp`` once per distinct (x, t_x, T) row, weighted by the
    number of customers on it. The objective, as in ``lifetimes.BetaGeoFitter``, is
    ``−Σ wℓ / Σ w + penalizer · (r² + α̃² + a² + b²)`` where times are first divided
    by ``max(T)`` and ``α̃ = α / max(T)`` is alpha in that scaled unit. It is minimised
    by L-BFGS-B with the analytic gradient over the log-parameters, bounded to
    ±30, from ``r = a = b = 1`` and ``α = Σ wT / Σ wx`` (the pooled repeat purchase
    rate r/α of the data).

    Parameters
    ----------
    frequency : array-like of int
        Repeat purchase periods x per customer (>= 0).
    recency : array-like
        Age at the last purchase t_x (time units, 0 when x = 0, <= T).
    T : array-like
        Age at the end of the observation period (time units).
    penalizer : float, default ``PREDICT.penalizer`` = 0
        L2 penalty coefficient (``lifetimes``' ``penalizer_coef``); > 0 steadies a fit
        on little or degenerate data at the cost of shrinking the parameters.
    weights : array-like, optional
        Number of customers per row (default 1 each), for summaries already binned.
    min_repeat_customers : int, default ``PREDICT.min_repeat_customers`` = 30
        Fewest (weighted) customers with x > 0 accepted.

    Returns
    -------
    dict
        ``r`` and ``alpha`` (Gamma shape, and scale in the time unit: the mean purchase
        rate while alive is r/α per time unit), ``a`` and ``b`` (Beta parameters of the
        drop-out probability after a purchase, mean a/(a+b)); floats.

    Raises
    ------
    ValueError
        Invalid inputs (lengths differ, negative, non-integer frequency, recency > T,
        frequency 0 with recency > 0), fewer than ``min_repeat_customers`` repeat
        customers, or all T = 0.
    ConvergenceError
        (a ValueError) The optimiser stopped without converging.

    Notes
    -----
    A parameter may run towards 0 or infinity when the data sit at a limit of the
    model, e.g. ``a → 0`` when hardly anyone seems to drop out, or ``r, α → ∞`` (with
    r/α fixed) when customers hardly differ in purchase rate. That is the likelihood's
    answer, not a failure, and the predictions stay valid; a small ``penalizer``
    keeps the parameters finite if wanted.

    Examples
    --------
    >>> data = bgnbd_sample(dict(r=0.24, alpha=4.41, a=0.79, b=2.43), T=[39.0] * 3000, seed=1)
    >>> p = bgnbd_fit(data["frequency"], data["recency"], data["T"])
    >>> sorted(p), round(p["r"] / p["alpha"], 2)   # purchase rate per week: 0.24 / 4.41 = 0.054
    (['a', 'alpha', 'b', 'r'], 0.05)
    """
    x, tx, TT, labels, n = _rfm(frequency, recency, T)
    if n is None:
        x, tx, TT = (np.atleast_1d(v) for v in (x, tx, TT))
    w = None
    if weights is not None:
        (w,), _, nw = _arrays(("weights",), (weights,))
        if nw != x.size:
            raise ValueError(f"weights must have one value per customer; found {nw} for "
                             f"{x.size} customers")
    wt = np.ones_like(x) if w is None else w
    _min_repeat(float(wt[x > 0].sum()), float(wt.sum()), "bgnbd_fit", min_repeat_customers)
    scale = TT.max()
    if scale <= 0:
        raise ValueError("bgnbd_fit needs customers observed for some time; found T = 0 for all")
    ux, utx, uT, uw = _unique_rows(x, tx, TT, w)
    utx, uT = utx / scale, uT / scale
    wsum = uw.sum()
    rate = _dot(uw, ux) / _dot(uw, uT)
    x0 = np.log([1.0, 1.0 / rate, 1.0, 1.0])
    x0 = np.clip(x0, -_BOUND + 1, _BOUND - 1)
    res = _minimize(_bgnbd_objective, x0, (ux, utx, uT, uw, wsum, float(penalizer), _levels(ux)),
                    "BG/NBD")
    r, alpha, a, b = np.exp(res.x)
    return {"r": float(r), "alpha": float(alpha * scale), "a": float(a), "b": float(b)}


def _log_div(theta, x, tx, T):
    r, alpha, a, b = theta
    # (r + x) ln((α + T) / (α + t_x)) + ln(a / (b + x − 1)), exact also for a very large α
    return (r + x) * np.log1p((T - tx) / (alpha + tx)) + np.log(a) - np.log(
        b + np.maximum(x, 1) - 1)


def bgnbd_p_alive(params, frequency, recency, T):
    r"""Probability that a customer is still alive (has not dropped out), BG/NBD.

    ``P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} · a / (b + x − 1) · ((α + T) / (α + t_x))^{r+x})``
    (Fader, Hardie & Lee 2005, eq. 13, as ``lifetimes``'
    ``conditional_probability_alive``): 1 for a customer with no repeat purchase,
    since in the model a customer can drop out only just after a repeat purchase.
    Computed as ``expit(−log(...))``, stable for long silences.

    Parameters
    ----------
    params : dict
        ``r, alpha, a, b`` from :func:`bgnbd_fit` (alpha in the time unit of T).
    frequency, recency, T : scalar or array-like
        As for :func:`bgnbd_fit`; scalars broadcast.

    Returns
    -------
    float, ndarray or Series
        Probability in [0, 1] per customer (a Series with the index of the inputs
        when they are Series; a float for scalars).

    Raises
    ------
    ValueError
        Invalid params or inputs (see :func:`bgnbd_fit`).

    Examples
    --------
    >>> cdnow = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> bgnbd_p_alive(cdnow, 0, 0, 38.86)
    1.0
    >>> bgnbd_p_alive(cdnow, [2, 2], [30.43, 10.0], [38.86, 38.86]).round(3).tolist()
    [0.727, 0.268]
    """
    theta = _params(params, ("r", "alpha", "a", "b"), "BG/NBD")
    x, tx, T, labels, n = _rfm(frequency, recency, T)
    p = np.where(x == 0, 1.0, expit(-_log_div(theta, x, tx, T)))
    return _out(p, labels, n, "p_alive")


def _log_hyp2f1(a, b, c, z):
    """log ₂F₁(a, b; c; z) for a, b, c > 0 and 0 <= z < 1.

    scipy's ``hyp2f1`` first; where it overflows or fails, Euler's transformation
    ``₂F₁(a, b; c; z) = (1 − z)^{c−a−b} ₂F₁(c − a, c − b; c; z)``; where that fails too
    (very large a, tiny z: a fit in which customers hardly differ in purchase rate),
    the defining series, summed in log space (all its terms are positive).
    """
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, b, c, z)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.array(np.log(hyp2f1(a, b, c, z)), dtype=float, ndmin=1)
        bad = ~np.isfinite(out)
        if bad.any():
            a1, b1, c1, z1 = (v.reshape(out.shape)[bad] for v in (a, b, c, z))
            out[bad] = np.log(hyp2f1(c1 - a1, c1 - b1, c1, z1)) + (c1 - a1 - b1) * np.log1p(-z1)
            bad = ~np.isfinite(out)
    if bad.any():
        a1, b1, c1, z1 = (v.reshape(out.shape)[bad] for v in (a, b, c, z))
        out[bad] = _log_hyp2f1_series(a1, b1, c1, z1)
    return out.reshape(np.shape(a))


def _log_hyp2f1_series(a, b, c, z, max_terms=200_000):
    with np.errstate(divide="ignore"):
        log_z = np.log(z)
    log_term = np.zeros_like(a)
    log_sum = np.zeros_like(a)
    active = z > 0
    k = 0
    while active.any() and k < max_terms:
        i = np.flatnonzero(active)
        log_ratio = (np.log(a[i] + k) + np.log(b[i] + k) - np.log(c[i] + k) - np.log(k + 1.0)
                     + log_z[i])
        log_term[i] += log_ratio
        log_sum[i] = np.logaddexp(log_sum[i], log_term[i])
        done = (log_ratio < 0) & (log_term[i] < log_sum[i] - 40)
        active[i[done]] = False
        k += 1
    log_sum[active] = np.nan  # did not converge
    return log_sum


def _expected_if_alive(theta, t, x, tx, T):
    """E[Y(t) | alive at T, x, T]: eq. (10) of the paper without its P(alive) factor."""
    r, alpha, a, b = theta
    if a == 1.0:
        raise ValueError("BG/NBD params a = 1 make the expected purchases 0/0; found a = 1.0")
    ra, rb, c = r + x, b + x, a + b + x - 1
    z = t / (alpha + T + t)
    log_h = _log_hyp2f1(ra, rb, c, z)
    second = -np.expm1(log_h - ra * np.log1p(t / (alpha + T)))
    return (a + b + x - 1) / (a - 1) * second


def bgnbd_expected_purchases(params, t, frequency, recency, T):
    r"""Expected number of purchases in the next ``t`` time units, given the history (BG/NBD).

    Fader, Hardie & Lee (2005), eq. (10), as ``lifetimes``'
    ``conditional_expected_number_of_purchases_up_to_time``::

        E[Y(t) | x, t_x, T] = (a + b + x − 1) / (a − 1)
                              · [1 − ((α + T) / (α + T + t))^{r+x} · ₂F₁(r + x, b + x; a + b + x − 1; t / (α + T + t))]
                              · P(alive | x, t_x, T)

    with :func:`bgnbd_p_alive`. With x = t_x = T = 0 it is the expected number of
    repeat purchases of a new customer in its first t time units (eq. 9). Where the
    hypergeometric series overflows Euler's transformation is used. Precision is
    lost for ``a`` within about 1e-6 of 1 (the formula is 0/0 at a = 1).

    Parameters
    ----------
    params : dict
        ``r, alpha, a, b`` from :func:`bgnbd_fit`.
    t : float or array-like
        Length of the prediction window (time units, >= 0); an array broadcasts
        against the customers.
    frequency, recency, T : scalar or array-like
        As for :func:`bgnbd_fit`.

    Returns
    -------
    float, ndarray or Series
        Expected repeat purchases (purchase periods, e.g. purchase days) per customer.

    Raises
    ------
    ValueError
        Invalid params, negative ``t`` or invalid inputs.

    Examples
    --------
    >>> cdnow = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(bgnbd_expected_purchases(cdnow, 39, 2, 30.43, 38.86), 3)   # paper: 1.226
    1.226
    >>> round(bgnbd_expected_purchases(cdnow, 1, 0, 0, 0), 3)            # new customer, eq. 9
    0.053
    """
    theta = _params(params, ("r", "alpha", "a", "b"), "BG/NBD")
    x, tx, TT, labels, n = _rfm(frequency, recency, T)
    tt = _as_array(t, "t")
    if not np.all(np.isfinite(tt)) or np.any(tt < 0):
        raise ValueError(f"t must be finite and >= 0 (time units ahead); found {t!r}")
    p = np.where(x == 0, 1.0, expit(-_log_div(theta, x, tx, TT)))
    e = _expected_if_alive(theta, tt, x, tx, TT) * p
    if n is None and tt.ndim > 0:
        return e
    return _out(e, labels, n, "expected_purchases")


def bgnbd_sample(params, T, *, seed=None) -> pd.DataFrame:
    """Simulate RFM summaries from the BG/NBD model itself, vectorised.

    Per customer: λ ~ Gamma(r, scale 1/α), p ~ Beta(a, b); the customer drops out just
    after repeat purchase K ~ Geometric(p) (K >= 1); purchases come at Poisson rate λ.
    Observed for ``T``: ``frequency = min(N, K)`` with N ~ Poisson(λT), and, since
    given N the purchase times are N ordered uniforms on (0, T), ``recency`` = T ·
    Beta(x, N − x + 1) (the x-th of them), 0 when x = 0.

    Parameters
    ----------
    params : dict
        ``r, alpha, a, b`` (alpha in the time unit of T).
    T : array-like
        Age of each customer at the end of the observation (time units, >= 0).
    seed : int or numpy Generator, optional
        Random seed.

    Returns
    -------
    DataFrame
        ``frequency`` (int), ``recency`` and ``T`` (float), one row per customer.

    Examples
    --------
    >>> s = bgnbd_sample(dict(r=0.24, alpha=4.41, a=0.79, b=2.43), T=[39.0] * 5, seed=0)
    >>> list(s.columns), len(s), bool((s["recency"] <= s["T"]).all())
    (['frequency', 'recency', 'T'], 5, True)
    """
    r, alpha, a, b = _params(params, ("r", "alpha", "a", "b"), "BG/NBD")
    (TT,), _, n = _arrays(("T",), (T,))
    TT = np.atleast_1d(TT).astype(float)
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, TT.size)
    p = rng.beta(a, b, TT.size)
    k = rng.geometric(np.clip(p, 1e-300, 1.0))
    n_poisson = rng.poisson(lam * TT)
    x = np.minimum(n_poisson, k)
    has = x > 0
    rec = np.zeros(TT.size)
    rec[has] = TT[has] * rng.beta(x[has], n_poisson[has] - x[has] + 1)
    return pd.DataFrame({"frequency": x.astype(np.int64), "recency": rec, "T": TT})


# --------------------------------------------------------------------------- Gamma-Gamma

def _gg_objective(logp, x, m, w, wsum, penalizer, v_unit, levels=None):
    theta = np.exp(logp)
    p, q, v = theta
    xl, xi = _levels(x) if levels is None else levels
    px, pxl = p * x, p * xl
    log_xmv = np.log(x * m + v)
    ll = ((gammaln(pxl + q) - gammaln(pxl) - gammaln(q) + pxl * np.log(xl))[xi] + q * np.log(v)
          + (px - 1) * np.log(m) - (px + q) * log_xmv)
    psi_l = digamma(pxl + q)
    dp = x * ((psi_l - digamma(pxl) + np.log(xl))[xi] + np.log(m) - log_xmv)
    dq = (psi_l - digamma(q))[xi] + np.log(v) - log_xmv
    dv = q / v - (px + q) / (x * m + v)
    g = np.array([_dot(w, dp), _dot(w, dq), _dot(w, dv)])
    pen_theta = theta * np.array([1.0, 1.0, v_unit])  # the penalty is on v in money units
    f = -_dot(w, ll) / wsum + penalizer * np.sum(pen_theta ** 2)
    grad = -theta * g / wsum + 2.0 * penalizer * pen_theta ** 2
    return f, grad


def _spend_inputs(frequency, monetary_value):
    (x, m), labels, n = _arrays(("frequency", "monetary_value"), (frequency, monetary_value),
                                integer=("frequency",))
    zero = (x > 0) & (m <= 0)
    if zero.any():
        raise ValueError(f"monetary_value must be > 0 for repeat customers (frequency > 0); found "
                         f"{int(zero.sum())} with monetary_value 0, e.g. at {_where(zero, labels)}")
    return x, m, labels, n


def gamma_gamma_fit(frequency, monetary_value, *, penalizer=PREDICT.penalizer,
                    min_repeat_customers=PREDICT.min_repeat_customers) -> dict:
    r"""Maximum-likelihood Gamma-Gamma spend parameters (Fader, Hardie & Lee 2005b; Fader & Hardie note 025).

    Only repeat customers (x > 0) are used; ``m`` is the mean of their x repeat
    purchase amounts. Per customer ``ℓ = lnΓ(px + q) − lnΓ(px) − lnΓ(q) + q ln v +
    (px − 1) ln m + px ln x − (px + q) ln(xm + v)``; the objective, as in
    ``lifetimes.GammaGammaFitter``, is ``−mean ℓ + penalizer · (p² + q² + v²)`` with v
    in money units. Minimised by L-BFGS-B with the analytic gradient over log(p, q, v)
    (amounts divided by their mean inside, log bounds ±30) from ``p = 1, q = 2, v =
    mean m`` (a start whose population mean spend pv/(q − 1) is the observed mean).

    The model assumes spend per purchase is independent of the purchase frequency;
    check that ``frequency`` and ``monetary_value`` of the repeat customers are
    hardly correlated before relying on it.

    Parameters
    ----------
    frequency : array-like of int
        Repeat purchase periods x per customer.
    monetary_value : array-like
        Mean spend per repeat purchase m (money units, > 0 where x > 0; ignored where
        x = 0).
    penalizer : float, default ``PREDICT.penalizer`` = 0
        L2 penalty coefficient (``lifetimes``' ``penalizer_coef``).
    min_repeat_customers : int, default ``PREDICT.min_repeat_customers`` = 30
        Fewest repeat customers accepted.

    Returns
    -------
    dict
        ``p`` (shape of the spend per purchase), ``q`` and ``v`` (shape and scale, in
        money units, of the customers' spend rates): floats. The population mean spend
        per purchase is p·v/(q − 1) when q > 1.

    Raises
    ------
    ValueError
        Invalid inputs, monetary_value <= 0 for a repeat customer, or too few repeat
        customers.
    ConvergenceError
        (a ValueError) The optimiser did not converge.

    Examples
    --------
    >>> x = np.repeat([1, 2, 5, 10], 500)
    >>> m = gamma_gamma_sample(dict(p=6.25, q=3.74, v=15.44), x, seed=2)
    >>> g = gamma_gamma_fit(x, m)
    >>> round(g["p"] * g["v"] / (g["q"] - 1) / (6.25 * 15.44 / 2.74), 1)  # mean spend recovered
    1.0
    """
    x, m, labels, n = _spend_inputs(frequency, monetary_value)
    x, m = np.atleast_1d(x), np.atleast_1d(m)
    rep = x > 0
    _min_repeat(float(rep.sum()), float(x.size), "gamma_gamma_fit", min_repeat_customers)
    x, m = x[rep], m[rep]
    unit = m.mean()
    w = np.ones_like(x)
    x0 = np.log([1.0, 2.0, 1.0])
    res = _minimize(_gg_objective, x0, (x, m / unit, w, w.sum(), float(penalizer), unit,
                                        _levels(x)),
                    "Gamma-Gamma")
    p, q, v = np.exp(res.x)
    return {"p": float(p), "q": float(q), "v": float(v * unit)}


#: A Gamma-Gamma fit whose log-parameter (v in units of the mean spend) lies within this of
#: the optimiser's bound ±30 has run to the edge of the model, e.g. p → ∞ (every customer
#: spends the same on every purchase) with q → 1 (no finite mean across customers).
_AT_BOUND = _BOUND - 2.0


def gamma_gamma_usable(frequency, monetary_value, *, penalizer=PREDICT.penalizer,
                       max_correlation=PREDICT.spend_max_correlation,
                       min_repeat_customers=PREDICT.min_repeat_customers):
    r"""Fit Gamma-Gamma if the data suit it; otherwise None and the reason.

    The spend model is not used (``None`` is returned) when, checked in this order:

    1. the correlation (Pearson) of ``frequency`` and ``monetary_value`` over the
       repeat customers (x > 0) is above ``max_correlation`` in size: the model assumes
       spend per purchase independent of how often a customer buys, and with spend
       rising with frequency it shrinks the big buyers' spend towards a mean that is
       not theirs;
    2. :func:`gamma_gamma_fit` raises (too few repeat customers, no convergence);
    3. the fitted ``q`` is <= 1 (no finite population mean spend p·v/(q − 1));
    4. a fitted log-parameter (v in units of the mean ``monetary_value`` of the repeat
       customers) lies within 2 of the optimiser's bound ±30: the fit ran to the edge
       of the model;
    5. the population mean spend p·v/(q − 1) is not within a factor 2 of the mean
       ``monetary_value`` of the repeat customers: a fit near the edge (p → ∞,
       q → 1) that no longer describes the spend it was fitted to.

    Pass the result to :func:`at_risk` or :func:`predicted_clv`: ``None`` there means
    each customer's own mean spend (:func:`own_mean_spend`).

    Parameters
    ----------
    frequency : array-like of int
        Repeat purchase periods x per customer.
    monetary_value : array-like
        Mean spend per repeat purchase (money units, > 0 where x > 0).
    penalizer : float, default ``PREDICT.penalizer`` = 0
        As for :func:`gamma_gamma_fit`.
    max_correlation : float, default ``PREDICT.spend_max_correlation`` = 0.3
        Largest accepted correlation of frequency and spend, in size.
    min_repeat_customers : int, default ``PREDICT.min_repeat_customers`` = 30
        As for :func:`gamma_gamma_fit`.

    Returns
    -------
    params : dict or None
        ``p, q, v`` from :func:`gamma_gamma_fit`, or None when the model should not be
        used.
    reason : str
        Why the model is or is not used, one sentence (shown to the reader).

    Raises
    ------
    ValueError
        Invalid inputs (as for :func:`gamma_gamma_fit`: negative, non-integer
        frequency, monetary_value <= 0 for a repeat customer).

    Examples
    --------
    >>> x = np.repeat([1, 2, 5, 10], 500)
    >>> m = gamma_gamma_sample(dict(p=6.25, q=3.74, v=15.44), x, seed=2)
    >>> gg, why = gamma_gamma_usable(x, m)
    >>> sorted(gg), why
    (['p', 'q', 'v'], 'Gamma-Gamma fitted: frequency and spend per purchase correlate at -0.05')
    >>> gg, why = gamma_gamma_usable(x, m * x)    # spend rises with frequency
    >>> print(gg, why)
    None frequency and spend per purchase correlate at 0.69 (the spend model assumes they do
    not; at most 0.30 in size): own mean spend used
    """
    x, m, labels, n = _spend_inputs(frequency, monetary_value)
    x, m = np.atleast_1d(x), np.atleast_1d(m)
    rep = x > 0
    xr, mr = x[rep], m[rep]
    corr = (float(np.corrcoef(xr, mr)[0, 1]) if rep.sum() > 1 and xr.std() > 0 and mr.std() > 0
            else 0.0)
    if abs(corr) > max_correlation:
        return None, (f"frequency and spend per purchase correlate at {corr:.2f} (the spend model "
                      f"assumes they do not; at most {max_correlation:.2f} in size): own mean "
                      "spend used")
    try:
        gg = gamma_gamma_fit(x, m, penalizer=penalizer, min_repeat_customers=min_repeat_customers)
    except ValueError as err:  # ConvergenceError included
        return None, f"{err}: own mean spend used"
    if gg["q"] <= 1:
        return None, (f"the Gamma-Gamma fit has q = {gg['q']:.3g} <= 1 (no finite mean spend): "
                      "own mean spend used")
    logs = {"p": np.log(gg["p"]), "q": np.log(gg["q"]), "v": np.log(gg["v"] / mr.mean())}
    edge = [k for k, v in logs.items() if abs(v) > _AT_BOUND]
    if edge:
        shown = ", ".join(f"{k} = {gg[k]:.3g}" for k in edge)
        return None, (f"the Gamma-Gamma fit ran to the edge of the model ({shown}): own mean "
                      "spend used")
    ratio = gg["p"] * gg["v"] / (gg["q"] - 1) / mr.mean()
    if not 0.5 <= ratio <= 2:
        return None, (f"the Gamma-Gamma population mean spend is {ratio:.2f} times the observed "
                      "mean spend per repeat purchase: own mean spend used")
    return gg, f"Gamma-Gamma fitted: frequency and spend per purchase correlate at {corr:.2f}"


def own_mean_spend(frequency, monetary_value):
    r"""Spend per future purchase without a spend model: the customer's own mean.

    ``monetary_value`` for a repeat customer (x > 0); for a customer without a repeat
    purchase, the mean ``monetary_value`` of the repeat customers given (the
    population mean). What :func:`at_risk` and :func:`predicted_clv` use with
    ``gg=None``.

    Parameters
    ----------
    frequency : array-like of int
        Repeat purchase periods x per customer.
    monetary_value : array-like
        Mean spend per repeat purchase (money units, > 0 where x > 0).

    Returns
    -------
    float, ndarray or Series
        Spend per future purchase (money units).

    Raises
    ------
    ValueError
        Invalid inputs, or no repeat customer while some customer needs the
        population mean.

    Examples
    --------
    >>> own_mean_spend([0, 2, 5], [0.0, 100.0, 300.0]).tolist()    # one-off: (100 + 300) / 2
    [200.0, 100.0, 300.0]
    """
    x, m, labels, n = _spend_inputs(frequency, monetary_value)
    rep = np.atleast_1d(x) > 0
    if not rep.any():
        raise ValueError("own_mean_spend needs at least one repeat customer (frequency > 0) for "
                         "the population mean of the others; found none")
    pop = float(np.atleast_1d(m)[rep].mean()) if rep.any() else 0.0
    return _out(np.where(x > 0, m, pop), labels, n, "expected_spend")


def gamma_gamma_expected_spend(params, frequency, monetary_value):
    r"""Expected spend per purchase given the history, Gamma-Gamma (note 025, eq. 5).

    ``E[M | x, m] = (q − 1) / (px + q − 1) · pv / (q − 1) + px / (px + q − 1) · m``: a
    weighted mean of the population mean pv/(q − 1) and the customer's own mean m,
    the weight of m growing with the number of repeat purchases x (the population
    mean for x = 0), as ``lifetimes``' ``conditional_expected_average_profit``.

    Parameters
    ----------
    params : dict
        ``p, q, v`` from :func:`gamma_gamma_fit` (q > 1).
    frequency : scalar or array-like of int
        Repeat purchase periods x.
    monetary_value : scalar or array-like
        Mean spend per repeat purchase m (money units; ignored when x = 0).

    Returns
    -------
    float, ndarray or Series
        Expected spend per future purchase (money units).

    Raises
    ------
    ValueError
        Invalid params (q <= 1 gives no finite population mean) or inputs.

    Examples
    --------
    >>> g = dict(p=6.25, q=3.74, v=15.44)                    # note 025's CDNOW estimates
    >>> round(gamma_gamma_expected_spend(g, 0, 0), 2)        # population mean pv/(q-1)
    35.22
    >>> round(gamma_gamma_expected_spend(g, 2, 100.0), 2)    # pulled towards its own 100
    88.35
    """
    p, q, v = _params(params, ("p", "q", "v"), "Gamma-Gamma")
    if q <= 1:
        raise ValueError(f"Gamma-Gamma params q must be > 1 for a finite mean spend p·v/(q − 1); "
                         f"found q = {q}")
    x, m, labels, n = _spend_inputs(frequency, monetary_value)
    px = p * x
    weight = px / (px + q - 1)
    e = (1 - weight) * (p * v / (q - 1)) + weight * m
    return _out(e, labels, n, "expected_spend")


def gamma_gamma_sample(params, frequency, *, seed=None):
    """Simulate mean repeat spend from the Gamma-Gamma model.

    Per customer ν ~ Gamma(q, scale 1/v); each purchase amount is Gamma(p, scale
    1/ν), so the mean of x purchases is Gamma(px, scale 1/ν) / x (0 for x = 0).

    Parameters
    ----------
    params : dict
        ``p, q, v`` (v in money units).
    frequency : array-like of int
        Repeat purchases x per customer.
    seed : int or numpy Generator, optional
        Random seed.

    Returns
    -------
    ndarray
        Mean spend per repeat purchase (money units).

    Examples
    --------
    >>> gamma_gamma_sample(dict(p=6.25, q=3.74, v=15.44), [0, 3], seed=0)[0]
    np.float64(0.0)
    """
    p, q, v = _params(params, ("p", "q", "v"), "Gamma-Gamma")
    (x,), _, _ = _arrays(("frequency",), (frequency,), integer=("frequency",))
    x = np.atleast_1d(x)
    rng = np.random.default_rng(seed)
    nu = rng.gamma(q, 1.0 / v, x.size)
    rep = x > 0
    out = np.zeros(x.size)
    out[rep] = rng.gamma(p * x[rep], 1.0 / nu[rep]) / x[rep]
    return out


# --------------------------------------------------------------------------- value

def _periods_per_month(freq: str) -> float:
    table = dict(PREDICT.months_per_freq)
    return table[check_choice(freq, "freq", sorted(table), note="the time unit of T")]


def _clv_parts(bgnbd, gg, frequency, recency, T, monetary_value, months, discount_rate, freq):
    theta = _params(bgnbd, ("r", "alpha", "a", "b"), "BG/NBD")
    check_scalar(months, "months", low=1, integral=True)
    check_scalar(discount_rate, "discount_rate", low=-1, include_low=False)
    factor = _periods_per_month(freq)
    x, tx, TT, labels, n = _rfm(frequency, recency, T)
    m = _as_array(monetary_value, "monetary_value")
    spend = np.asarray(own_mean_spend(x, m) if gg is None else gamma_gamma_expected_spend(gg, x, m))
    steps = np.arange(0, int(months) + 1, dtype=float)
    shape = (-1,) + (1,) * np.ndim(x)
    cum = _expected_if_alive(theta, (steps * factor).reshape(shape), x, tx, TT)
    disc = (1.0 + discount_rate) ** -steps[1:]
    if_alive = spend * np.tensordot(disc, np.diff(cum, axis=0), axes=(0, 0))
    p = np.where(x == 0, 1.0, expit(-_log_div(theta, x, tx, TT)))
    return p, if_alive, labels, n, x, tx, TT


def predicted_clv(bgnbd, gg, frequency, recency, T, monetary_value, *, months=PREDICT.months,
                  discount_rate=PREDICT.discount_rate, freq="D"):
    r"""Predicted customer value over the next ``months``, discounted (BG/NBD × Gamma-Gamma).

    As ``lifetimes``' ``customer_lifetime_value``: with ``k`` time units a month (30
    days, 4.345 weeks, 1 month or 720 hours for ``freq`` "D", "W", "M", "H") ::

        clv = Σ_{i=1..months} E[M] · (E[Y(i·k)] − E[Y((i−1)·k)]) / (1 + d)^i

    with ``E[Y(t)]`` from :func:`bgnbd_expected_purchases` and ``E[M]`` from
    :func:`gamma_gamma_expected_spend` (:func:`own_mean_spend` when ``gg`` is None): the
    expected purchases of each month, valued at the expected spend per purchase,
    discounted at the monthly rate d to today.

    Parameters
    ----------
    bgnbd : dict
        ``r, alpha, a, b`` from :func:`bgnbd_fit`, alpha in the unit ``freq``.
    gg : dict or None
        ``p, q, v`` from :func:`gamma_gamma_fit` (or :func:`gamma_gamma_usable`);
        None: each customer's own mean spend, :func:`own_mean_spend` (the population
        mean of the customers given for those without a repeat purchase).
    frequency, recency, T : scalar or array-like
        As for :func:`bgnbd_fit`, in the time unit ``freq``.
    monetary_value : scalar or array-like
        Mean spend per repeat purchase (money units, e.g. CNY).
    months : int, default ``PREDICT.months`` = 12
        Horizon in months.
    discount_rate : float, default ``PREDICT.discount_rate`` = 0.797 % (10 % a year)
        Monthly discount rate (fraction).
    freq : {"D", "W", "M", "H"}, default "D"
        Time unit of recency, T and alpha (days for :func:`custlib.value.rfm_summary`).

    Returns
    -------
    float, ndarray or Series
        Present value of the expected spend over the horizon, in the money unit of
        ``monetary_value`` (revenue when it is revenue, margin when it is margin).

    Raises
    ------
    ValueError
        Invalid params or inputs, ``months`` not a whole number >= 1,
        ``discount_rate`` <= −1 or an unknown ``freq``.

    Examples
    --------
    >>> bg = dict(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)   # CDNOW, alpha in days
    >>> gg = dict(p=6.25, q=3.74, v=15.44)
    >>> round(predicted_clv(bg, gg, 2, 213, 272, 100.0), 2)     # CNY over 12 months
    130.1
    >>> predicted_clv(bg, gg, 2, 213, 272, 100.0, discount_rate=0.0) > 128.55
    True
    """
    p, if_alive, labels, n, *_ = _clv_parts(bgnbd, gg, frequency, recency, T, monetary_value,
                                            months, discount_rate, freq)
    return _out(if_alive * p, labels, n, "clv")


def risk_table(summary: pd.DataFrame, bgnbd, gg=None, *, months=PREDICT.months,
               discount_rate=PREDICT.discount_rate, freq="D") -> pd.DataFrame:
    """Every customer's numbers of the early warning, before :func:`at_risk` selects.

    Parameters and the columns are those of :func:`at_risk`, for every row of
    ``summary``: compute it once when both the call list and every customer's
    ``p_alive`` and ``predicted_clv`` are wanted (the workbook), and pass it to
    :func:`at_risk` as ``table``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"frequency": [10, 0], "recency": [100, 0], "T": [720, 720],
    ...                   "monetary_value": [900.0, 0.0]}, index=["gone quiet", "one-off"])
    >>> t = risk_table(s, dict(r=0.243, alpha=30.9, a=0.793, b=2.426))
    >>> t["p_alive"].round(3).tolist(), list(t.columns[:4])
    ([0.0, 1.0], ['frequency', 'recency', 'T', 'days_silent'])
    """
    check_frame(summary, "summary", ["frequency", "recency", "T", "monetary_value"])
    p, if_alive, _, _, x, tx, TT = _clv_parts(
        bgnbd, gg, summary["frequency"], summary["recency"], summary["T"],
        summary["monetary_value"], months, discount_rate, freq)
    return pd.DataFrame({"frequency": x.astype(np.int64), "recency": tx, "T": TT,
                         "days_silent": TT - tx, "p_alive": p, "predicted_clv": p * if_alive,
                         "value_if_alive": if_alive, "value_at_risk": (1 - p) * if_alive},
                        index=summary.index)


def at_risk(summary: pd.DataFrame, bgnbd, gg=None, *, threshold=PREDICT.at_risk_p_alive,
            value_share=PREDICT.value_share, months=PREDICT.months,
            discount_rate=PREDICT.discount_rate, freq="D",
            table: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""The manager's call list: valuable customers who have probably stopped buying.

    The early warning of the decline stage (客户衰退, digest §5: warn about at-risk
    customers, extend their life), by value (digest §6). Per customer:

    * ``p_alive`` from :func:`bgnbd_p_alive`;
    * ``value_if_alive`` = :func:`predicted_clv` / ``p_alive``: the value over the
      horizon if the customer is in fact still buying (what there is to save), each
      expected purchase valued by the Gamma-Gamma model ``gg`` or, when ``gg`` is None,
      at the customer's own mean spend per repeat purchase (:func:`own_mean_spend`:
      ``monetary_value``, and for a customer without a repeat purchase the mean of
      the repeat customers of ``summary``);
    * ``predicted_clv`` = ``p_alive · value_if_alive``;
    * ``value_at_risk`` = ``(1 − p_alive) · value_if_alive``: the value expected to be
      lost.

    A customer is listed when ``p_alive < threshold`` and ``value_if_alive`` is in the
    top ``value_share`` of all customers of ``summary``; the list is sorted by
    ``value_at_risk``, largest first.

    Parameters
    ----------
    summary : DataFrame
        From :func:`custlib.value.rfm_summary`: ``frequency``, ``recency``, ``T``,
        ``monetary_value``, one row per customer.
    bgnbd : dict
        Parameters from :func:`bgnbd_fit`.
    gg : dict or None, default None
        Parameters from :func:`gamma_gamma_fit`, or the first value returned by
        :func:`gamma_gamma_usable`; None (the default, and what that helper returns when
        the spend model does not suit the data): own mean spend.
    threshold : float, default ``PREDICT.at_risk_p_alive`` = 0.5
        A customer with p_alive below this is at risk.
    value_share : float, default ``PREDICT.value_share`` = 0.20
        Top share of customers, by ``value_if_alive``, that counts as high value.
    months, discount_rate, freq
        As for :func:`predicted_clv`.
    table : DataFrame, optional
        :func:`risk_table` of the same arguments, already computed: used instead of
        computing it again.

    Returns
    -------
    DataFrame
        The listed customers (index of ``summary``): ``frequency``, ``recency``, ``T``,
        ``days_silent`` (T − recency, time units since the last purchase),
        ``p_alive``, ``predicted_clv``, ``value_if_alive``, ``value_at_risk`` (money
        units). ``attrs["spend_model"]`` says how purchases were valued:
        ``"gamma-gamma"`` or ``"own mean"``.

    Raises
    ------
    ValueError
        A missing column, an empty summary, invalid params, or ``threshold`` or
        ``value_share`` outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"frequency": [10, 10, 1, 0], "recency": [700, 100, 50, 0],
    ...                   "T": [720, 720, 720, 720], "monetary_value": [900.0, 900.0, 50.0, 0.0]},
    ...                  index=["steady", "gone quiet", "small", "one-off"])
    >>> bg = dict(r=0.243, alpha=30.9, a=0.793, b=2.426)
    >>> gg = dict(p=6.25, q=3.74, v=15.44)
    >>> at_risk(s, bg, gg, value_share=0.5).index.tolist()
    ['gone quiet']
    >>> calls = at_risk(s, bg, value_share=0.5)      # no spend model: own mean spend
    >>> calls.index.tolist(), calls.attrs["spend_model"]
    (['gone quiet'], 'own mean')
    """
    check_frame(summary, "summary", ["frequency", "recency", "T", "monetary_value"])
    for name, value in (("threshold", threshold), ("value_share", value_share)):
        check_probability(value, name)
    if table is None:
        table = risk_table(summary, bgnbd, gg, months=months, discount_rate=discount_rate,
                           freq=freq)
    elif not table.index.equals(summary.index):
        raise ValueError("table must be risk_table(summary, ...): its index differs from "
                         "summary's")
    if_alive = table["value_if_alive"].to_numpy()
    cut = np.quantile(if_alive, 1 - value_share) if value_share > 0 else np.inf
    listed = table[(table["p_alive"] < threshold) & (table["value_if_alive"] >= cut)]
    listed = listed.sort_values("value_at_risk", ascending=False, kind="stable")
    listed.attrs["spend_model"] = "own mean" if gg is None else "gamma-gamma"
    return listed


# --------------------------------------------------------------------------- holdout check

@dataclass(frozen=True)
class HoldoutCheck:
    """Result of :func:`holdout_check`.

    Attributes
    ----------
    table : DataFrame
        Per calibration customer: ``frequency``, ``recency``, ``T`` (calibration
        summary), ``p_alive`` at the calibration end, ``predicted`` and ``actual``
        repeat purchase days in the holdout.
    by_frequency : DataFrame
        Mean predicted and actual holdout purchases and number of customers by
        calibration frequency 0, 1, …, 6, "7+" (the check of the BG/NBD paper).
    params : dict
        BG/NBD parameters fitted on the calibration period (alpha in days).
    holdout_days : int
        Length of the holdout period (days).
    mae, rmse : float
        Mean absolute and root mean squared error per customer (purchases).
    baseline_mae : float
        MAE of the naive forecast ``frequency / T · holdout_days`` (the calibration
        rate carried forward); the model should beat it.
    predicted_total, actual_total : float
        Purchases predicted and made in the holdout, all calibration customers.
    ratio : float
        ``predicted_total / actual_total`` (1 = right in aggregate; NaN when there were
        no holdout purchases).
    new_customers : int
        Customers whose first order falls in the holdout (not predicted).
    """

    table: pd.DataFrame
    by_frequency: pd.DataFrame
    params: dict
    holdout_days: int
    mae: float
    rmse: float
    baseline_mae: float
    predicted_total: float
    actual_total: float
    ratio: float
    new_customers: int


def holdout_check(orders: pd.DataFrame, calibration_end, as_of=None, *,
                  penalizer=PREDICT.penalizer) -> HoldoutCheck:
    """Fit BG/NBD on a calibration period and compare its forecast with the holdout.

    Orders on or before ``calibration_end`` give the calibration summary
    (:func:`custlib.value.rfm_summary` at ``calibration_end``, daily periods) and the
    fitted parameters; for each calibration customer the expected purchases over the
    ``holdout_days = as_of − calibration_end`` days (:func:`bgnbd_expected_purchases`)
    are compared with the actual number of distinct purchase days after
    ``calibration_end`` up to ``as_of`` (all of them repeat purchases).

    Parameters
    ----------
    orders : DataFrame
        Needs ``customer_id``, ``order_date`` (datetime64) and ``amount`` (CNY).
    calibration_end : date-like
        Last day of the calibration period.
    as_of : date-like, optional
        Last day of the holdout (default: the last order date).
    penalizer : float, default ``PREDICT.penalizer`` = 0
        As for :func:`bgnbd_fit`.

    Returns
    -------
    HoldoutCheck
        The per-customer table and the error figures.

    Raises
    ------
    ValueError
        A missing column, ``calibration_end`` not before ``as_of``, no calibration
        orders, or the errors of :func:`bgnbd_fit`.
    TypeError
        ``order_date`` not datetime64.

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> n = rng.integers(1, 8, 400)                     # orders of each of 400 customers
    >>> orders = pd.DataFrame({
    ...     "customer_id": np.repeat([f"C{i:03d}" for i in range(400)], n),
    ...     "order_date": pd.Timestamp("2024-01-01")
    ...                   + pd.to_timedelta(rng.integers(0, 546, n.sum()), unit="D"),
    ...     "amount": 100.0})
    >>> chk = holdout_check(orders, "2024-12-31", "2025-06-30")
    >>> chk.holdout_days, bool(np.isfinite(chk.mae) and chk.ratio > 0)
    (181, True)
    """
    from custlib.value import rfm_summary

    check_frame(orders, "orders", ["customer_id", "order_date", "amount"], dates=["order_date"],
                numeric=["amount"])
    cal_end = check_date(calibration_end, "calibration_end")
    end = check_date(as_of, "as_of") if as_of is not None else orders["order_date"].max()
    if not cal_end < end:
        raise ValueError(f"calibration_end must be before as_of; found calibration_end "
                         f"{cal_end.date()} and as_of {end.date()}")
    dates = orders["order_date"]
    if not (dates <= cal_end).any():
        raise ValueError(f"no orders on or before calibration_end {cal_end.date()}; the first "
                         f"order is on {dates.min().date()}")
    cal = rfm_summary(orders, as_of=cal_end)
    params = bgnbd_fit(cal["frequency"], cal["recency"], cal["T"], penalizer=penalizer)
    holdout_days = int((end.normalize() - cal_end.normalize()).days)
    hold = orders.loc[(dates > cal_end) & (dates <= end), ["customer_id", "order_date"]]
    days = hold.assign(day=hold["order_date"].dt.normalize()).drop_duplicates(
        ["customer_id", "day"])
    counts = days.groupby(days["customer_id"].astype(str)).size()
    cal_ids = cal.index.astype(str)
    actual = counts.reindex(cal_ids, fill_value=0).to_numpy(dtype=float)
    new_customers = int((~isin(counts.index, cal_ids)).sum())
    x, tx, TT = (cal[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    predicted = np.asarray(bgnbd_expected_purchases(params, holdout_days, x, tx, TT))
    table = pd.DataFrame({"frequency": cal["frequency"].to_numpy(), "recency": tx, "T": TT,
                          "p_alive": np.asarray(bgnbd_p_alive(params, x, tx, TT)),
                          "predicted": predicted, "actual": actual}, index=cal.index)
    err = predicted - actual
    naive = np.divide(x, TT, out=np.zeros_like(x), where=TT > 0) * holdout_days
    group = np.minimum(x, 7).astype(int)
    by = table.groupby(group).agg(customers=("actual", "size"), predicted=("predicted", "mean"),
                                  actual=("actual", "mean"))
    by.index = [str(i) if i < 7 else "7+" for i in by.index]
    by.index.name = "frequency"
    total_p, total_a = float(predicted.sum()), float(actual.sum())
    return HoldoutCheck(table=table, by_frequency=by, params=params, holdout_days=holdout_days,
                        mae=float(np.abs(err).mean()), rmse=float(np.sqrt((err ** 2).mean())),
                        baseline_mae=float(np.abs(naive - actual).mean()),
                        predicted_total=total_p, actual_total=total_a,
                        ratio=total_p / total_a if total_a > 0 else float("nan"),
                        new_customers=new_customers)
