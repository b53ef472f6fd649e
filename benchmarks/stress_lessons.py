"""Stress test: execute the lessons headless many times under CPU load and report stalls.

Every lesson is executed ``--repeat`` times, one after another, while a second
process keeps one core busy (``--no-load`` turns it off). After each execution the
cells' timing metadata (``metadata.execution``, written by nbclient) is read and two
figures are reported per lesson run:

* the longest cell: ``shell.execute_reply`` − ``iopub.execute_input``, the time
  the kernel spent on a cell;
* the longest gap between cells: the next cell's ``iopub.execute_input`` − the
  previous cell's ``shell.execute_reply``, the time the *client* took to notice
  that a cell had finished and send the next one. The kernel is idle during a gap:
  a healthy run keeps it under a second; a stall shows as a gap equal to the cell
  timeout (the reply sits unread until the client's poll times out).

The run fails (exit 1) if any gap exceeds ``--max-gap`` seconds.

Two executors can be compared in the same run:

* ``--executor custlib`` (default): :func:`custlib.course.execute_notebook`, what
  ``custlib run`` and the test suite use;
* ``--executor stock``: a plain ``nbclient.NotebookClient``, the baseline.

Examples::

    .venv/bin/python benchmarks/stress_lessons.py --repeat 5            # 50 executions
    .venv/bin/python benchmarks/stress_lessons.py --executor stock --timeout 30
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _stock_execute(path: Path, timeout: int):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="executions of each lesson (default 5)")
    ap.add_argument("--executor", choices=("custlib", "stock"), default="custlib")
    ap.add_argument("--timeout", type=int, default=30, help="per-cell timeout in s (default 30)")
    ap.add_argument("--max-gap", type=float, default=10.0, help="a gap above this is a stall (s)")
    ap.add_argument("--no-load", action="store_true", help="no concurrent CPU-bound process")
    ap.add_argument("--lessons", nargs="*", help="lesson file names (default: all)")
    args = ap.parse_args()

    from custlib.course import lesson_timings, lessons

    found = [p for p in lessons() if not args.lessons or p.name in args.lessons]
    load = None if args.no_load else subprocess.Popen(
        [sys.executable, "-c", "while True: pass"], stdin=subprocess.DEVNULL)
    stalls, runs, worst_gap, t0 = [], 0, 0.0, time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as files_out:
            os.environ.setdefault("CUSTLIB_OUT", files_out)
            for k in range(args.repeat):
                for path in found:
                    t1 = time.perf_counter()
                    if args.executor == "stock":
                        nb = _stock_execute(path, args.timeout)
                    else:
                        from custlib.course import execute_notebook

                        nb = execute_notebook(path, timeout=args.timeout)
                    wall = time.perf_counter() - t1
                    t = lesson_timings(nb)
                    longest, li, gap, gi = (t["longest_cell"], t["longest_cell_at"],
                                            t["longest_gap"], t["longest_gap_at"])
                    runs += 1
                    worst_gap = max(worst_gap, gap)
                    flag = ""
                    if gap > args.max_gap:
                        stalls.append((path.name, k, gi, gap))
                        flag = "  <-- STALL"
                    print(f"[{k + 1}/{args.repeat}] {path.name:42s} {wall:6.1f} s  "
                          f"longest cell {longest:5.1f} s (#{li})  longest gap {gap:6.2f} s "
                          f"(before #{gi}){flag}", flush=True)
    finally:
        if load is not None:
            load.kill()
            load.wait()
    print(f"\n{runs} lesson execution(s) with the {args.executor} executor in "
          f"{time.perf_counter() - t0:.0f} s, {'no load' if args.no_load else 'one core loaded'}; "
          f"largest gap between cells {worst_gap:.2f} s; stalls (gap > {args.max_gap:g} s): {len(stalls)}")
    for name, k, cell, gap in stalls:
        print(f"  stall: {name} run {k + 1}, {gap:.1f} s before cell #{cell}")
    return 1 if stalls else 0


if __name__ == "__main__":
    sys.exit(main())
