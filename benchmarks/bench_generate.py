"""Benchmark: synthetic-data generation time and peak memory by size.

Each size runs in a fresh subprocess, so the peak resident memory reported is that
run's own. Writes the CSV files to a temporary folder and deletes it afterwards.

    .venv/bin/python benchmarks/bench_generate.py                 # 2,126 and 1,000,000 customers
    .venv/bin/python benchmarks/bench_generate.py --sizes 100000

Targets (issue: foundation): 1M customers / ~10M orders in under 60 s and under 4 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time, tempfile
from custlib.synth.generate import write_dataset
n, locale = int(sys.argv[1]), sys.argv[2]
with tempfile.TemporaryDirectory() as d:
    t0 = time.perf_counter()
    m = write_dataset(d, seed=2126, customers=n, locale=locale, force=True, progress=True)
    elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux -> MiB
rows = {k: v["rows"] for k, v in m["files"].items() if "rows" in v}
print(json.dumps({"customers": n, "locale": locale, "seconds": round(elapsed, 2),
                  "peak_mib": round(peak), "rows": rows}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[2126, 1_000_000])
    ap.add_argument("--locale", default="en_US", choices=["en_US", "zh_CN"])
    args = ap.parse_args()
    print(f"{'customers':>10} {'locale':>6} {'seconds':>8} {'peak MiB':>9} {'orders':>11} {'all rows':>11}")
    for n in args.sizes:
        run = subprocess.run([sys.executable, "-c", CHILD, str(n), args.locale],
                             capture_output=True, text=True)
        if run.returncode:
            sys.exit(f"generation of {n:,} customers failed:\n{run.stderr}")
        out = run.stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{n:>10,} {args.locale:>6} {r['seconds']:>8.1f} {r['peak_mib']:>9,} "
              f"{r['rows']['orders.csv']:>11,} {sum(r['rows'].values()):>11,}")


if __name__ == "__main__":
    main()
