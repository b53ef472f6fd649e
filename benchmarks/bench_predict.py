"""Benchmark: custlib.predict against lifetimes' BetaGeoFitter and GammaGammaFitter.

On RFM summaries simulated from the BG/NBD and Gamma-Gamma models themselves
(CDNOW-like parameters, time in days, first purchases spread over two years) at
10k, 100k and 1M customers, in one process on the same data:

* fit time of ``custlib.predict.bgnbd_fit`` + ``gamma_gamma_fit`` and of lifetimes'
  ``BetaGeoFitter().fit`` + ``GammaGammaFitter().fit`` (repeat customers only, as
  lifetimes' documentation asks), and their ratio;
* parameter agreement: largest relative difference over r, alpha, a, b and over
  p, q, v (target <= 1 %);
* P(alive): largest absolute difference per customer, each package with its own
  fitted parameters (target <= 1e-4), and with the same parameters (the formulas);
* predicted 12-month value: largest relative difference per customer, each package
  with its own parameters.

lifetimes (0.11, 2020) does not install with pandas 3, so run this in a side
environment with pandas 2.2 (the oldest pandas custlib supports)::

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install "pandas==2.2.3" "numpy<2.3" scipy lifetimes
    /tmp/bench-venv/bin/python benchmarks/bench_predict.py

custlib is imported from this checkout (no install needed). Without lifetimes the
script still times custlib.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custlib.predict import (bgnbd_fit, bgnbd_p_alive, bgnbd_sample,  # noqa: E402
                             gamma_gamma_fit, gamma_gamma_sample, predicted_clv)

#: CDNOW estimates (Fader, Hardie & Lee 2005; note 025), alpha turned from weeks to days.
BGNBD = dict(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)
GG = dict(p=6.25, q=3.74, v=15.44)


def make_summary(n: int, seed: int = 0) -> pd.DataFrame:
    """n customers observed to day 730, first purchase uniform over the two years;
    whole days as :func:`custlib.value.rfm_summary` gives them."""
    rng = np.random.default_rng(seed)
    T = rng.integers(1, 731, n).astype(float)
    s = bgnbd_sample(BGNBD, T, seed=rng)
    s["recency"] = np.floor(s["recency"])
    s["monetary_value"] = gamma_gamma_sample(GG, s["frequency"], seed=rng)
    return s


def best_time(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def ours(s):
    bg = bgnbd_fit(s["frequency"], s["recency"], s["T"])
    gg = gamma_gamma_fit(s["frequency"], s["monetary_value"])
    return bg, gg


def theirs(s):
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bgf = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
        rep = s[s["frequency"] > 0]
        ggf = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    return bgf, ggf


def rel(a: dict, b: dict) -> float:
    return max(abs(a[k] / b[k] - 1) for k in a)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=1, help="fits per method; the best is reported")
    args = ap.parse_args()
    try:
        import lifetimes
    except ImportError:
        lifetimes = None
        print("lifetimes not installed: see this script's docstring for a side environment")
    print(f"numpy {np.__version__}, pandas {pd.__version__}"
          + (f", lifetimes {lifetimes.__version__}" if lifetimes else "")
          + f"; best of {args.repeat} fit(s) each")
    rows = []
    for n in args.sizes:
        s = make_summary(n, seed=n)
        (bg, gg), t_ours = best_time(lambda: ours(s), args.repeat)
        row = {"customers": n, "distinct rows": len(s.groupby(["frequency", "recency", "T"])),
               "custlib s": t_ours}
        if lifetimes:
            (bgf, ggf), t_lt = best_time(lambda: theirs(s), args.repeat)
            lt_bg = {k: float(bgf.params_[k]) for k in ("r", "alpha", "a", "b")}
            lt_gg = {k: float(ggf.params_[k]) for k in ("p", "q", "v")}
            x, tx, T, m = (s[c] for c in ("frequency", "recency", "T", "monetary_value"))
            p_ours = np.asarray(bgnbd_p_alive(bg, x, tx, T))
            p_lt = np.asarray(bgf.conditional_probability_alive(x, tx, T))
            p_same = np.asarray(bgnbd_p_alive(lt_bg, x, tx, T))
            rep = x > 0
            clv_ours = np.asarray(predicted_clv(bg, gg, x[rep], tx[rep], T[rep], m[rep],
                                                   discount_rate=0.01))  # lifetimes' default
            clv_lt = ggf.customer_lifetime_value(bgf, x[rep], tx[rep], T[rep], m[rep],
                                                 time=12, discount_rate=0.01, freq="D").to_numpy()
            row.update({"lifetimes s": t_lt, "speed-up": t_lt / t_ours,
                        "BG/NBD params rel": rel(bg, lt_bg), "GG params rel": rel(gg, lt_gg),
                        "p_alive max abs": np.max(np.abs(p_ours - p_lt)),
                        "p_alive same params": np.max(np.abs(p_same - p_lt)),
                        "clv max rel": np.max(np.abs(clv_ours / clv_lt - 1))})
        rows.append(row)
        print(f"  {n:>9,} customers: custlib {bg} {gg}", flush=True)
        if lifetimes:
            print(f"  {'':>9}  lifetimes {lt_bg} {lt_gg}", flush=True)
    table = pd.DataFrame(rows).set_index("customers")
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.float_format", lambda v: f"{v:.3g}"):
        print(table.to_string())
    if lifetimes:
        ok = ((table["BG/NBD params rel"] <= 0.01) & (table["GG params rel"] <= 0.01)
              & (table["p_alive max abs"] <= 1e-4))
        print("targets (params within 1 %, p_alive within 1e-4):",
              "met" if ok.all() else f"missed at {list(table.index[~ok])}")


if __name__ == "__main__":
    main()
