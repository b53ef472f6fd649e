"""Benchmark: ``custlib run`` on a large CRM (default 1M customers, about 10M orders).

Generates the dataset once (kept in ``--data``, reused if present), then runs the
whole course on it as the README's command does, as a subprocess, and reports the
wall time and the peak memory of the largest process (``custlib run`` itself or one
of the lesson kernels). Nothing is asserted: this is a measurement, not a test.

    .venv/bin/python benchmarks/bench_run.py --customers 1000000 --data /tmp/crm-1m
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--data", default="/tmp/custlib-bench-data")
    ap.add_argument("--out", default="/tmp/custlib-bench-report")
    args = ap.parse_args()
    data = Path(args.data)
    cli = [sys.executable, "-m", "custlib.cli"]
    if not (data / "MANIFEST.json").exists():
        t0 = time.perf_counter()
        subprocess.run(cli + ["generate", "--customers", str(args.customers), "--out", str(data),
                              "--quiet"], check=True)
        print(f"generated {data} in {time.perf_counter() - t0:.0f} s")
    files = json.loads((data / "MANIFEST.json").read_text())["files"]
    rows = {k: v.get("rows") for k, v in files.items() if k.endswith(".csv")}
    print("rows:", ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run(cli + ["run", "--data", str(data), "--out", args.out, "--force"], check=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"custlib run: {wall:.0f} s wall; peak memory of the largest process "
          f"{max(peak, before) / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
