"""BG/NBD and Gamma-Gamma: recovery from simulated data, published figures, invariants, errors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.optimize import OptimizeResult, approx_fprime
from scipy.special import gammaln

import custlib.predict as P
from custlib.predict import (PREDICT, ConvergenceError, at_risk, bgnbd_expected_purchases,
                             bgnbd_fit, bgnbd_p_alive, bgnbd_sample, gamma_gamma_expected_spend,
                             gamma_gamma_fit, gamma_gamma_sample, gamma_gamma_usable,
                             holdout_check, own_mean_spend, predicted_clv, risk_table)

#: BG/NBD estimates on CDNOW (Fader, Hardie & Lee 2005), time in weeks.
CDNOW = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
#: Gamma-Gamma estimates on CDNOW (Fader & Hardie, note 025), dollars.
CDNOW_GG = dict(p=6.25, q=3.74, v=15.44)


# --------------------------------------------------------------------------- helpers

def _log_se(objective, logp, args, n):
    """Standard errors of the log-parameters from the observed information.

    ``objective`` is a mean negative log-likelihood, so the information of the sample
    is ``n`` times its Hessian (by central differences of the analytic gradient).
    """
    k, h = len(logp), 1e-5
    H = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h
        H[:, i] = (objective(logp + e, *args)[1] - objective(logp - e, *args)[1]) / (2 * h)
    return np.sqrt(np.diag(np.linalg.inv(n * (H + H.T) / 2)))


def _posterior_integrals(p, x, tx, T, t):
    """P(alive) and E[Y(t)] by integrating the BG/NBD posterior, without its closed forms.

    Alive at T after x repeat purchases: (1 − q)^x λ^x e^{−λT}; dropped out just after
    the x-th: q (1 − q)^{x−1} λ^x e^{−λ t_x}; an alive customer expects
    (1 − e^{−λqt}) / q purchases in the next t. Against the Gamma(r, α) prior the λ
    integrals are Gamma integrals, ∫ λ^{r+x−1} e^{−cλ} dλ ∝ c^{−(r+x)}; the integral
    over the drop-out probability q against its Beta(a, b) prior is done numerically
    (quadrature with the algebraic weight q^{a−1} (1 − q)^{b−1}), where the closed
    forms need the hypergeometric function.
    """
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    k = r + x

    def G(c):
        return c ** -k

    def quad(f, da, db):
        return integrate.quad(f, 0, 1, weight="alg", wvar=(a - 1 + da, b - 1 + db),
                              epsabs=0, epsrel=1e-11, limit=200)[0]

    alive = quad(lambda q: 1.0, 0, x) * G(alpha + T)
    dead = quad(lambda q: 1.0, 1, x - 1) * G(alpha + tx) if x > 0 else 0.0
    def bought(q):  # (1 − E[e^{−λqt}]) / q over the λ posterior; k t / (α + T) at q = 0
        if q == 0:
            return G(alpha + T) * k * t / (alpha + T)
        return G(alpha + T) * -np.expm1(-k * np.log1p(q * t / (alpha + T))) / q

    future = quad(bought, 0, x)
    return alive / (alive + dead), future / (alive + dead)


def _lifetimes_style_objective(logp, x, tx, T, penalizer):
    """lifetimes' BetaGeoFitter objective written out (times scaled by max T)."""
    s = 1 / T.max()
    tx, T = tx * s, T * s
    r, alpha, a, b = np.exp(logp)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    A4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(tx + alpha)
    ll = A1 + A2 + np.log(np.exp(A3) + np.exp(A4) * (x > 0))
    return -ll.mean() + penalizer * np.sum(np.exp(logp) ** 2)


@pytest.fixture(scope="module")
def simulated():
    """4,000 CDNOW-like customers (first purchase spread over 12 weeks, 39-week window)."""
    rng = np.random.default_rng(20240601)
    T = np.round(rng.uniform(27, 39, 4000), 2)
    return bgnbd_sample(dict(r=0.24, alpha=4.41, a=0.79, b=2.43), T, seed=rng)


# --------------------------------------------------------------------------- recovery

def test_bgnbd_recovers_known_parameters(simulated):
    true = dict(r=0.24, alpha=4.41, a=0.79, b=2.43)
    x, tx, T = (simulated[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    est = bgnbd_fit(x, tx, T)
    names = ["r", "alpha", "a", "b"]
    logp = np.log([est["r"], est["alpha"] / T.max(), est["a"], est["b"]])
    w = np.ones_like(x)
    se = _log_se(P._bgnbd_objective, logp, (x, tx / T.max(), T / T.max(), w, w.sum(), 0.0),
                 len(x))
    z = (np.log([est[k] for k in names]) - np.log([true[k] for k in names])) / se
    # 4,000 customers pin the log-parameters to within 10-40 % (1 s.e.); the estimate
    # lies within 3.5 standard errors of the truth (p ≈ 0.002 per parameter by chance).
    assert np.all(se < 0.5), dict(zip(names, se))
    assert np.all(np.abs(z) < 3.5), dict(zip(names, z))


def test_gamma_gamma_recovers_known_parameters(simulated):
    x = simulated["frequency"].to_numpy()
    x = np.concatenate([x[x > 0], np.repeat([1, 2, 3, 5, 8], 400)])  # ~3,000 repeat customers
    m = gamma_gamma_sample(CDNOW_GG, x, seed=7)
    est = gamma_gamma_fit(x, m)
    names = ["p", "q", "v"]
    unit = m.mean()
    logp = np.log([est["p"], est["q"], est["v"] / unit])
    w = np.ones(len(x), dtype=float)
    se = _log_se(P._gg_objective, logp, (x.astype(float), m / unit, w, w.sum(), 0.0, unit), len(x))
    z = (np.log([est[k] for k in names]) - np.log([CDNOW_GG[k] for k in names])) / se
    assert np.all(se < 0.5), dict(zip(names, se))
    assert np.all(np.abs(z) < 3.5), dict(zip(names, z))
    # the quantity the model is used for, the population mean spend, to a few per cent
    mean = est["p"] * est["v"] / (est["q"] - 1)
    assert mean == pytest.approx(6.25 * 15.44 / 2.74, rel=0.05)


def test_weights_and_binning_give_the_same_fit(simulated):
    head = simulated.iloc[:1500]
    x, tx, T = (head[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    once = bgnbd_fit(x, tx, T)
    doubled = bgnbd_fit(np.r_[x, x], np.r_[tx, tx], np.r_[T, T])
    weighted = bgnbd_fit(x, tx, T, weights=np.full(len(x), 2.0))
    non_integer = bgnbd_fit(x, tx + 1e-9 * (tx > 0), T)  # the general (non-integer) binning path
    for k in once:
        assert doubled[k] == pytest.approx(once[k], rel=1e-6)
        assert weighted[k] == pytest.approx(once[k], rel=1e-6)
        assert non_integer[k] == pytest.approx(once[k], rel=1e-5)


@pytest.mark.parametrize("penalizer", [0.0, 0.05])
def test_fit_minimises_the_lifetimes_objective(simulated, penalizer):
    """Same likelihood and penalizer convention as lifetimes: its objective is stationary."""
    head = simulated.iloc[:2000]
    x, tx, T = (head[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    est = bgnbd_fit(x, tx, T, penalizer=penalizer)
    logp = np.log([est["r"], est["alpha"] / T.max(), est["a"], est["b"]])
    grad = approx_fprime(logp, _lifetimes_style_objective, 1e-7, x, tx, T, penalizer)
    assert np.max(np.abs(grad)) < 1e-5
    if penalizer:
        plain = bgnbd_fit(x, tx, T)
        assert est["r"] ** 2 + est["a"] ** 2 + est["b"] ** 2 < plain["r"] ** 2 + plain["a"] ** 2 + plain["b"] ** 2


# --------------------------------------------------------------------------- hand checks

def test_p_alive_is_one_without_repeat_purchase():
    assert bgnbd_p_alive(CDNOW, 0, 0, 38.86) == 1.0
    assert bgnbd_p_alive(CDNOW, [0, 0], [0, 0], [1, 1e6]).tolist() == [1.0, 1.0]


def test_conditional_expectation_matches_the_paper():
    # Fader, Hardie & Lee (2005): x = 2, t_x = 30.43, T = 38.86 weeks -> 1.226 in 39 weeks
    assert bgnbd_expected_purchases(CDNOW, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=1e-3)


def test_new_customer_expectation_matches_hardies_sheet():
    # eq. (9), Hardie's spreadsheet (unrounded estimates; the rounded ones agree to 1e-3)
    t = np.array([0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00])
    sheet = np.array([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576])
    got = bgnbd_expected_purchases(CDNOW, t, 0, 0, 0)
    np.testing.assert_allclose(got, sheet, atol=4e-3)
    assert bgnbd_expected_purchases(CDNOW, 0, 3, 20, 30) == 0.0


@pytest.mark.parametrize("x, tx, T, t", [(2, 30.43, 38.86, 39.0), (5, 20.0, 60.0, 10.0)])
def test_closed_forms_match_numerical_integration(x, tx, T, t):
    p_alive, expected = _posterior_integrals(CDNOW, x, tx, T, t)
    assert bgnbd_p_alive(CDNOW, x, tx, T) == pytest.approx(p_alive, rel=1e-8)
    assert bgnbd_expected_purchases(CDNOW, t, x, tx, T) == pytest.approx(expected, rel=1e-8)


def test_degenerate_fit_still_predicts():
    """r, α → ∞ (no heterogeneity) makes scipy's hyp2f1 fail; the series fallback holds."""
    theta = dict(r=8.5e6, alpha=1.08e9, a=3.3e-4, b=9182.0)
    e = bgnbd_expected_purchases(theta, 181, [0, 2, 6], [0, 144, 358], [100, 249, 365])
    rate = 8.5e6 / 1.08e9 * 181  # Poisson limit, hardly anyone drops out
    np.testing.assert_allclose(e, rate, rtol=1e-3)


def test_expected_spend_by_hand():
    # population mean 6.25 · 15.44 / 2.74 = 35.219; weight of m for x = 2: 12.5 / 15.24
    assert gamma_gamma_expected_spend(CDNOW_GG, 0, 0) == pytest.approx(35.2190, abs=1e-4)
    w = 12.5 / 15.24
    assert gamma_gamma_expected_spend(CDNOW_GG, 2, 100.0) == pytest.approx(
        (1 - w) * 6.25 * 15.44 / 2.74 + w * 100)


def test_predicted_clv_is_the_discounted_monthly_sum():
    bg = dict(CDNOW, alpha=CDNOW["alpha"] * 7)  # per day
    x, tx, T, m = np.array([0, 2, 7]), np.array([0, 213, 250]), np.array([100, 272, 272]), \
        np.array([0.0, 100.0, 40.0])
    spend = gamma_gamma_expected_spend(CDNOW_GG, x, m)
    expected = np.zeros(3)
    for i in range(1, 13):  # lifetimes' loop, month by month
        bought = (bgnbd_expected_purchases(bg, 30 * i, x, tx, T)
                  - bgnbd_expected_purchases(bg, 30 * (i - 1), x, tx, T))
        expected += spend * bought / 1.01 ** i
    np.testing.assert_allclose(predicted_clv(bg, CDNOW_GG, x, tx, T, m, discount_rate=0.01),
                               expected, rtol=1e-12)
    # the default discounts as the lifetime-value lesson does: 10 % a year
    yearly = predicted_clv(bg, CDNOW_GG, x, tx, T, m, months=12,
                           discount_rate=1.10 ** (1 / 12) - 1)
    np.testing.assert_allclose(predicted_clv(bg, CDNOW_GG, x, tx, T, m), yearly, rtol=1e-12)
    one_month = predicted_clv(bg, CDNOW_GG, x, tx, T, m, months=1, discount_rate=0.0)
    np.testing.assert_allclose(one_month, spend * bgnbd_expected_purchases(bg, 30, x, tx, T))
    weekly = predicted_clv(CDNOW, CDNOW_GG, 2, 30.43, 38.86, 100.0, freq="W", months=1,
                           discount_rate=0.0)
    assert weekly == pytest.approx(gamma_gamma_expected_spend(CDNOW_GG, 2, 100.0)
                                   * bgnbd_expected_purchases(CDNOW, 4.345, 2, 30.43, 38.86))


def test_series_in_series_out():
    idx = pd.Index(["A", "B"], name="customer_id")
    x, tx, T = (pd.Series(v, index=idx) for v in ([0, 3], [0, 20.0], [30.0, 30.0]))
    p = bgnbd_p_alive(CDNOW, x, tx, T)
    assert isinstance(p, pd.Series) and p.index.equals(idx) and p.name == "p_alive"
    clv = predicted_clv(CDNOW, CDNOW_GG, x, tx, T, pd.Series([0.0, 50.0], index=idx), freq="W")
    assert isinstance(clv, pd.Series) and clv.name == "clv"


# --------------------------------------------------------------------------- properties

params_st = st.fixed_dictionaries({
    "r": st.floats(0.05, 5), "alpha": st.floats(0.5, 100),
    "a": st.one_of(st.floats(0.1, 0.9), st.floats(1.1, 5)), "b": st.floats(1.0, 10)})


@st.composite
def history(draw):
    T = draw(st.floats(0, 1000))
    x = draw(st.integers(0, 60))
    tx = 0.0 if x == 0 else draw(st.floats(0, T))
    return x, tx, T


@settings(max_examples=150, deadline=None)
@given(params_st, history())
def test_p_alive_is_a_probability(params, h):
    p = bgnbd_p_alive(params, *h)
    assert 0.0 <= p <= 1.0


@settings(max_examples=100, deadline=None)
@given(params_st, history(), st.floats(0.1, 500), st.floats(0.1, 500))
def test_expected_purchases_nonnegative_and_increasing(params, h, t1, dt):
    e1 = bgnbd_expected_purchases(params, t1, *h)
    e2 = bgnbd_expected_purchases(params, t1 + dt, *h)
    assert e1 >= 0
    assert e2 >= e1 * (1 - 1e-9)


@settings(max_examples=100, deadline=None)
@given(params_st, st.integers(1, 60), st.floats(0, 500), st.floats(0, 500), st.floats(0.01, 500))
def test_p_alive_falls_with_silence(params, x, tx, gap, more):
    """Longer silence after the same history (larger T) never raises P(alive);
    a later last purchase (larger t_x, same T) never lowers it."""
    T = tx + gap
    assert bgnbd_p_alive(params, x, tx, T + more) <= bgnbd_p_alive(params, x, tx, T)
    assert bgnbd_p_alive(params, x, tx + gap / 2, T) >= bgnbd_p_alive(params, x, tx, T)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.5, 20), st.floats(1.1, 20), st.floats(1, 1000), st.integers(0, 100),
       st.floats(0.01, 1e5))
def test_expected_spend_lies_between_own_and_population_mean(p, q, v, x, m):
    e = gamma_gamma_expected_spend(dict(p=p, q=q, v=v), x, m)
    pop = p * v / (q - 1)
    lo, hi = (min(m, pop), max(m, pop)) if x > 0 else (pop, pop)
    assert lo * (1 - 1e-12) <= e <= hi * (1 + 1e-12)


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("args, message", [
    (([-1, 2], [0, 1], [3, 4]), "frequency must be >= 0; found 1 negative values, e.g. at [0]"),
    (([1, 2], [5, 1], [3, 4]), "recency must be <= T (the last purchase lies within the "
                               "customer's age); found 1 customers with recency > T, e.g. at [0]"),
    (([0, 2], [1, 1], [3, 4]), "recency must be 0 when frequency is 0 (no repeat purchase); "
                               "found 1 customers with frequency 0 and recency > 0, e.g. at [0]"),
    (([1, 2, 3], [1, 1, 1], [3, 4]), "frequency, recency and T must have the same length; "
                                     "found 3, 3 and 2"),
    (([1.5, 2], [1, 1], [3, 4]), "frequency must be whole numbers (repeat purchase periods); "
                                 "found 1 non-integer values, e.g. at [0]"),
    (([1, 2], [1, np.nan], [3, 4]), "recency must be finite numbers; found 1 missing or "
                                    "infinite values, e.g. at [1]"),
])
def test_invalid_histories(args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        bgnbd_p_alive(CDNOW, *args)
    with pytest.raises(ValueError, match=re.escape(message)):
        bgnbd_fit(*args)


def test_errors_name_the_customers_of_a_series():
    idx = ["A", "B", "C"]
    x, tx, T = (pd.Series(v, index=idx) for v in ([1, 2, 0], [1, 9, 0], [3, 4, 5]))
    with pytest.raises(ValueError, match=re.escape("recency > T, e.g. at ['B']")):
        bgnbd_expected_purchases(CDNOW, 10, x, tx, T)


def test_too_few_repeat_customers():
    x = np.r_[np.ones(2), np.zeros(38)]
    with pytest.raises(ValueError, match=re.escape(
            "bgnbd_fit needs at least 30 repeat customers (frequency > 0) to estimate; found 2 of "
            "40 customers")):
        bgnbd_fit(x, x * 5, np.full(40, 10.0))
    with pytest.raises(ValueError, match=re.escape(
            "gamma_gamma_fit needs at least 30 repeat customers (frequency > 0) to estimate; "
            "found 2 of 40 customers")):
        gamma_gamma_fit(x, x * 100)


def test_non_convergence_is_an_error(monkeypatch, simulated):
    def failing(fun, x0, **kw):
        return OptimizeResult(x=np.asarray(x0), success=False, nit=3, jac=np.ones(len(x0)),
                              message="STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT")

    monkeypatch.setattr(P, "minimize", failing)
    with pytest.raises(ConvergenceError, match=re.escape(
            "BG/NBD fit did not converge after 3 iterations (STOP: TOTAL NO. OF ITERATIONS "
            "REACHED LIMIT); try a penalizer > 0, e.g. penalizer=0.001")):
        bgnbd_fit(simulated["frequency"], simulated["recency"], simulated["T"])
    with pytest.raises(ValueError, match="Gamma-Gamma fit did not converge"):
        gamma_gamma_fit(np.ones(50, dtype=int), np.linspace(1, 50, 50))


def test_invalid_params_and_options():
    with pytest.raises(ValueError, match=re.escape(
            "BG/NBD params must be a dict with keys ['r', 'alpha', 'a', 'b']; found ['a', 'b', 'r']")):
        bgnbd_p_alive(dict(r=1, a=1, b=1), 1, 1, 2)
    with pytest.raises(ValueError, match=re.escape(
            "BG/NBD params must be finite and > 0; found {'alpha': -1}")):
        bgnbd_p_alive(dict(r=1, alpha=-1, a=1, b=1), 1, 1, 2)
    with pytest.raises(ValueError, match=re.escape(
            "Gamma-Gamma params q must be > 1 for a finite mean spend p·v/(q − 1); found q = 0.8")):
        gamma_gamma_expected_spend(dict(p=1, q=0.8, v=1), 1, 10.0)
    with pytest.raises(ValueError, match=re.escape(
            "monetary_value must be > 0 for repeat customers (frequency > 0); found 1 with "
            "monetary_value 0, e.g. at [1]")):
        gamma_gamma_expected_spend(CDNOW_GG, [0, 2], [0.0, 0.0])
    with pytest.raises(ValueError, match=re.escape(
            "freq must be one of ['D', 'H', 'M', 'W'] (the time unit of T), got 'Y'")):
        predicted_clv(CDNOW, CDNOW_GG, 1, 1, 2, 10.0, freq="Y")
    with pytest.raises(ValueError, match=re.escape("months must be a whole number >= 1, got 0")):
        predicted_clv(CDNOW, CDNOW_GG, 1, 1, 2, 10.0, months=0)
    with pytest.raises(ValueError, match=re.escape("t must be finite and >= 0 (time units ahead); "
                                                   "found -1")):
        bgnbd_expected_purchases(CDNOW, -1, 1, 1, 2)


# --------------------------------------------------------------------------- call list, holdout

def test_at_risk_lists_valuable_silent_customers():
    s = pd.DataFrame({"frequency": [10, 10, 12, 1, 0], "recency": [700, 100, 200, 50, 0],
                      "T": [720] * 5, "monetary_value": [900.0, 900.0, 400.0, 50.0, 0.0]},
                     index=["steady", "gone quiet", "fading", "small", "one-off"])
    bg = dict(CDNOW, alpha=CDNOW["alpha"] * 7)
    listed = at_risk(s, bg, CDNOW_GG, value_share=0.6)
    assert listed.index.tolist() == ["gone quiet", "fading"]
    assert (listed["p_alive"] < PREDICT.at_risk_p_alive).all()
    assert listed["value_at_risk"].is_monotonic_decreasing
    np.testing.assert_allclose(listed["predicted_clv"],
                               predicted_clv(bg, CDNOW_GG, *(listed[c] for c in ("frequency", "recency", "T")),
                                             s.loc[listed.index, "monetary_value"]))
    np.testing.assert_allclose(listed["value_at_risk"] + listed["predicted_clv"], listed["value_if_alive"])
    assert at_risk(s, bg, CDNOW_GG, threshold=0.0).empty


def test_at_risk_chooses_from_the_risk_table_of_every_customer():
    s = pd.DataFrame({"frequency": [10, 10, 12, 1, 0], "recency": [700, 100, 200, 50, 0],
                      "T": [720] * 5, "monetary_value": [900.0, 900.0, 400.0, 50.0, 0.0]},
                     index=["steady", "gone quiet", "fading", "small", "one-off"])
    bg = dict(CDNOW, alpha=CDNOW["alpha"] * 7)
    table = risk_table(s, bg, CDNOW_GG)
    assert table.index.equals(s.index)
    np.testing.assert_array_equal(table["p_alive"], bgnbd_p_alive(bg, s["frequency"], s["recency"], s["T"]))
    np.testing.assert_array_equal(table["predicted_clv"],
                                  predicted_clv(bg, CDNOW_GG, s["frequency"], s["recency"], s["T"],
                                                s["monetary_value"]))
    given = at_risk(s, bg, CDNOW_GG, value_share=0.6, table=table)
    pd.testing.assert_frame_equal(given, at_risk(s, bg, CDNOW_GG, value_share=0.6))
    with pytest.raises(ValueError, match="table must be risk_table"):
        at_risk(s, bg, CDNOW_GG, table=table.iloc[:2])


def test_holdout_check_on_bundled_data(crm):
    chk = holdout_check(crm.orders, "2024-12-31", "2025-12-31")
    assert chk.holdout_days == 365
    assert list(chk.table.columns) == ["frequency", "recency", "T", "p_alive", "predicted", "actual"]
    figures = [chk.mae, chk.rmse, chk.baseline_mae, chk.predicted_total, chk.actual_total, chk.ratio]
    assert np.all(np.isfinite(figures)) and chk.actual_total > 0
    assert 0.5 < chk.ratio < 2
    assert chk.by_frequency["customers"].sum() == len(chk.table)
    assert chk.predicted_total == pytest.approx(chk.table["predicted"].sum())


def test_holdout_check_errors(crm):
    with pytest.raises(ValueError, match=re.escape(
            "calibration_end must be before as_of; found calibration_end 2025-12-31 and as_of "
            "2025-01-01")):
        holdout_check(crm.orders, "2025-12-31", "2025-01-01")
    with pytest.raises(ValueError, match=re.escape("no orders on or before calibration_end 2000-01-01")):
        holdout_check(crm.orders, "2000-01-01", "2025-01-01")


# --------------------------------------------------------------------------- spend model fallback

def test_gamma_gamma_usable_accepts_the_model_on_its_own_data():
    x = np.repeat([1, 2, 5, 10], 500)
    m = gamma_gamma_sample(CDNOW_GG, x, seed=2)
    gg, why = gamma_gamma_usable(x, m)
    assert gg == gamma_gamma_fit(x, m)
    assert why == "Gamma-Gamma fitted: frequency and spend per purchase correlate at -0.05"


def test_gamma_gamma_usable_refuses_with_a_reason(monkeypatch):
    x = np.repeat([1, 2, 5, 10], 500)
    m = gamma_gamma_sample(CDNOW_GG, x, seed=2)
    # 1. spend rising with frequency breaks the model's independence assumption
    assert gamma_gamma_usable(x, m * x) == (None, (
        "frequency and spend per purchase correlate at 0.69 (the spend model assumes they do "
        "not; at most 0.30 in size): own mean spend used"))
    assert gamma_gamma_usable(x, m * x, max_correlation=1.0)[0] is not None
    # 2. the fit raises
    few = np.r_[np.ones(2), np.zeros(38)]
    assert gamma_gamma_usable(few, few * 100) == (None, (
        "gamma_gamma_fit needs at least 30 repeat customers (frequency > 0) to estimate; found 2 "
        "of 40 customers: own mean spend used"))
    # 3.-5. a fit without a finite mean, at the edge, or far from the data's mean
    for params, reason in [
            (dict(p=11.6, q=0.587, v=11.5), "the Gamma-Gamma fit has q = 0.587 <= 1 (no finite "
                                            "mean spend): own mean spend used"),
            (dict(p=2e12, q=1.26, v=1e-9), "the Gamma-Gamma fit ran to the edge of the model "
                                           "(p = 2e+12): own mean spend used"),
            (dict(p=870_000.0, q=1.26, v=6e-4), "the Gamma-Gamma population mean spend is 50.19 "
                                                "times the observed mean spend per repeat "
                                                "purchase: own mean spend used")]:
        monkeypatch.setattr(P, "gamma_gamma_fit", lambda *a, params=params, **k: dict(params))
        assert gamma_gamma_usable(x, np.full(len(x), 40.0)) == (None, reason)


def test_at_risk_with_own_mean_spend():
    s = pd.DataFrame({"frequency": [10, 10, 12, 1, 0], "recency": [700, 100, 200, 50, 0],
                      "T": [720] * 5, "monetary_value": [900.0, 900.0, 400.0, 50.0, 0.0]},
                     index=["steady", "gone quiet", "fading", "small", "one-off"])
    bg = dict(CDNOW, alpha=CDNOW["alpha"] * 7)
    own = at_risk(s, bg, value_share=0.6)
    assert own.attrs == {"spend_model": "own mean"}
    assert at_risk(s, bg, CDNOW_GG, value_share=0.6).attrs == {"spend_model": "gamma-gamma"}
    assert own.index.tolist() == ["gone quiet", "fading"]
    # each expected purchase valued at the customer's own mean spend
    x, tx, T = (s[c] for c in ("frequency", "recency", "T"))
    # a Gamma-Gamma with p → ∞ trusts the customer's own mean (weight px / (px + q − 1) → 1)
    trusting = predicted_clv(bg, dict(p=1e12, q=2.0, v=1e-10), x, tx, T, s["monetary_value"])
    np.testing.assert_allclose(own["predicted_clv"], trusting.loc[own.index], rtol=1e-9)
    np.testing.assert_allclose(predicted_clv(bg, None, x, tx, T, s["monetary_value"]).iloc[:4],
                               trusting.iloc[:4], rtol=1e-9)
    # a one-off customer is valued at the mean of the repeat customers: (900 + 900 + 400 + 50) / 4
    spend = own_mean_spend(s["frequency"], s["monetary_value"])
    assert spend.tolist() == [900, 900, 400, 50, 562.5]
    with pytest.raises(ValueError, match=re.escape(
            "own_mean_spend needs at least one repeat customer (frequency > 0) for the population "
            "mean of the others; found none")):
        predicted_clv(bg, None, 0, 0, 720, 0.0)


def test_at_risk_finds_the_drop_outs_of_the_synthetic_data():
    """The synthetic data (seed 2126, with its 2025 drop-out): the spend model does not suit
    it, the call list values purchases at the customers' own mean and lists big customers
    who have been silent since the first months of 2025."""
    from custlib.synth.generate import generate
    from custlib.value import rfm_summary

    o = generate(seed=2126, customers=2126)["orders"].to_pandas()
    o["order_date"] = pd.to_datetime(o["order_date"])
    s = rfm_summary(o, as_of="2025-12-31")
    gg, why = gamma_gamma_usable(s["frequency"], s["monetary_value"])
    assert gg is None and why.startswith("frequency and spend per purchase correlate at 0.6")
    calls = at_risk(s, bgnbd_fit(s["frequency"], s["recency"], s["T"]), gg)
    assert calls.attrs["spend_model"] == "own mean"
    assert len(calls) >= 1 and (calls["days_silent"] > 300).all()
    assert (calls["frequency"] >= 10).all() and (calls["p_alive"] < 0.5).all()


def test_a_stopped_line_search_on_a_flat_ridge_is_accepted(monkeypatch, simulated):
    """L-BFGS-B may stop ("ABNORMAL") where a and b run off together and the objective is
    flat to rounding; a gradient under 1e-4 is accepted, a larger one is not."""
    for g, ok in ((5e-5, True), (5e-4, False)):
        def stopped(fun, x0, g=g, **kw):
            return OptimizeResult(x=np.asarray(x0), success=False, nit=37, message="ABNORMAL: ",
                                  jac=np.full(len(x0), g))
        monkeypatch.setattr(P, "minimize", stopped)
        if ok:
            fit = bgnbd_fit(simulated["frequency"], simulated["recency"], simulated["T"])
            assert sorted(fit) == ["a", "alpha", "b", "r"]
        else:
            with pytest.raises(ConvergenceError, match=re.escape(
                    "BG/NBD fit did not converge after 37 iterations (ABNORMAL: )")):
                bgnbd_fit(simulated["frequency"], simulated["recency"], simulated["T"])
