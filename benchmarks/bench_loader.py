"""Benchmark: loading and validating a large export with custlib.io.

Generates a dataset (default 1,000,000 customers, ~9.4M orders) into a temporary
folder, then, in a fresh process, times ``load(tables=["customers", "orders"])``
(read, type conversion, every schema check, referential integrity) and reports
peak memory. Compare with pandas' own ``read_csv`` of the same orders file, run in
the same process first, as the baseline.

    .venv/bin/python benchmarks/bench_loader.py [--customers N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
import pandas as pd
from custlib.io import load
folder = sys.argv[1]
t0 = time.perf_counter()
base = pd.read_csv(f"{folder}/orders.csv", parse_dates=["order_date"], engine="pyarrow")
t_base = time.perf_counter() - t0
n = len(base)
del base
t0 = time.perf_counter()
crm = load(folder, tables=["customers", "orders"])
t_load = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"orders": n, "baseline_s": round(t_base, 2), "load_s": round(t_load, 2),
                  "peak_mib": round(peak)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000)
    args = ap.parse_args()
    from custlib.synth.generate import write_dataset

    with tempfile.TemporaryDirectory() as folder:
        write_dataset(folder, customers=args.customers, force=True)
        run = subprocess.run([sys.executable, "-c", CHILD, folder], capture_output=True, text=True)
        if run.returncode:
            sys.exit(run.stderr)
        r = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"orders: {r['orders']:,}")
    print(f"pandas read_csv (pyarrow engine, no checks): {r['baseline_s']:.1f} s")
    print(f"custlib.io.load (types + every check):      {r['load_s']:.1f} s "
          f"({r['load_s'] / r['baseline_s']:.1f}x the baseline)")
    print(f"peak memory of the process: {r['peak_mib']:,} MiB")


if __name__ == "__main__":
    main()
