"""Benchmark: every step of a large export, each against a baseline run in the same go.

For each size (default 10k, 100k and 1M customers) the dataset is generated once into
``--data``/``<n>`` (reused when present), then each step runs in a fresh process while
this one samples the resident memory of the whole process tree (the step and any
lesson kernels it starts) every 0.1 s:

========================  =================================================================
step                      baseline of the same step, same files, same run
========================  =================================================================
generate                  —
validate (custlib)        pyarrow ``read_csv`` of every file (no checks)
import (custlib)          pyarrow ``read_csv`` of every file
load (imported folder)    pyarrow ``read_table`` of the imported Parquet copies
summary, pandas engine    a hand-written DuckDB query over the imported orders
summary, DuckDB engine    the same hand-written DuckDB query
custlib run               — (``--run`` to include it; minutes at 1M customers)
========================  =================================================================

``--big-orders GB`` also writes an orders file of that size (canonical CSV) and
summarises it through the DuckDB path with a memory limit of a quarter of the
machine's memory, reporting the peak resident memory: the out-of-core path.

Nothing is asserted: this is a measurement, printed as a table (seconds of the step
itself, without starting Python and importing; peak MiB of the process tree; ratio to
the baseline).

    .venv/bin/python benchmarks/bench_scale.py --sizes 10000 100000 --run
    .venv/bin/python benchmarks/bench_scale.py --sizes 1000000 --data /tmp/scale
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PY = sys.executable

BASE_CSV = r"""
import glob, sys, pyarrow.csv as pc
#--
for f in sorted(glob.glob(sys.argv[1] + "/*.csv")):
    pc.read_csv(f)
"""
VALIDATE = r"""
import sys
from custlib.io import validate
#--
r = validate(sys.argv[1])
assert r.ok, r.text()
"""
IMPORT = r"""
import sys
from custlib.io import import_data
#--
import_data(sys.argv[1], sys.argv[2])
"""
BASE_PARQUET = r"""
import glob, sys, pyarrow.parquet as pq
#--
for f in sorted(glob.glob(sys.argv[1] + "/.tables/*.parquet")):
    pq.read_table(f)
"""
LOAD = r"""
import sys
from custlib.io import load
#--
load(sys.argv[1])
"""
HAND_SQL = r"""
import sys, duckdb
#--
duckdb.sql(f'''
    WITH d AS (SELECT customer_id, order_date::DATE AS day, SUM(amount) AS amount
               FROM read_parquet('{sys.argv[1]}/.tables/orders.parquet') GROUP BY ALL)
    SELECT customer_id, MIN(day), MAX(day), COUNT(*), SUM(amount) FROM d GROUP BY ALL
''').df()
"""
SUMMARY = r"""
import sys
import duckdb   # imported before the clock starts, as in the hand-written baseline
from custlib.io import load
from custlib.summary import customer_summary
engine = sys.argv[2]
#--
if engine == "pandas":
    customer_summary(load(sys.argv[1], tables=["orders"]).orders, engine="pandas")
else:
    customer_summary(sys.argv[1], engine="duckdb")
"""
BIG_SUMMARY = r"""
import sys
from custlib.summary import customer_summary
#--
s = customer_summary(sys.argv[1], engine="duckdb", memory_limit=sys.argv[2])
print(len(s))
"""


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            parts = stat[stat.rindex(")") + 2:].split()
            children.setdefault(int(parts[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


#: What the last command printed (``custlib run``'s summary: seconds per lesson).
LAST_OUTPUT: list[str] = []


def measure(args: list[str]) -> tuple[float, float]:
    """Run a command; return (seconds, peak MiB of its process tree).

    The seconds are those the command reports on a line ``ELAPSED <s>`` (the step
    itself, without starting Python and importing), else the wall time. What it
    printed is kept in :data:`LAST_OUTPUT`."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            done.wait(0.1)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    t.join()
    if proc.returncode:
        sys.exit(f"{' '.join(args[:4])} failed:\n{err[-3000:]}")
    LAST_OUTPUT[:] = out.splitlines()
    for line in out.splitlines():
        if line.startswith("ELAPSED "):
            wall = float(line.split()[1])
    return wall, peak[0] / 2**20


def py(code: str, *argv) -> tuple[float, float]:
    """Run a snippet in a fresh Python; what follows its ``#--`` line is timed."""
    head, body = code.split("#--\n")
    timed = (head + "import time as _t\n_t0 = _t.perf_counter()\n" + body
             + "\nprint('ELAPSED', _t.perf_counter() - _t0)\n")
    return measure([PY, "-c", timed, *map(str, argv)])


def one_size(n: int, root: Path, run: bool) -> list[tuple]:
    data = root / f"{n}"
    rows = []
    if not (data / "MANIFEST.json").exists():
        rows.append(("generate", *measure([PY, "-m", "custlib.cli", "generate", "--customers", str(n),
                                           "--out", str(data), "--quiet"]), None))
    files = json.loads((data / "MANIFEST.json").read_text())["files"]
    orders = files.get("orders.csv", {}).get("rows")
    base = py(BASE_CSV, data)
    rows.append(("pyarrow read_csv (all files)", *base, None))
    v = py(VALIDATE, data)
    rows.append(("validate", *v, v[0] / base[0]))
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        imported = Path(tmp) / "data"
        i = py(IMPORT, data, imported)
        rows.append(("import", *i, i[0] / base[0]))
        bp = py(BASE_PARQUET, imported)
        rows.append(("pyarrow read_table (Parquet)", *bp, None))
        ld = py(LOAD, imported)
        rows.append(("load imported folder", *ld, ld[0] / bp[0]))
        hand = py(HAND_SQL, imported)
        rows.append(("hand-written DuckDB summary", *hand, None))
        for engine in ("pandas", "duckdb"):
            s = py(SUMMARY, imported, engine)
            rows.append((f"customer_summary ({engine})", *s, s[0] / hand[0]))
    if run:
        with tempfile.TemporaryDirectory(dir=root) as tmp:
            r = measure([PY, "-m", "custlib.cli", "run", "--data", str(data), "--out",
                         str(Path(tmp) / "report"), "--force"])
            rows.append(("custlib run", *r, None))
            said = [line for line in LAST_OUTPUT if "lesson" in line or "Slowest" in line]
    print(f"\n{n:,} customers, {orders:,} orders" if orders else f"\n{n:,} customers")
    print(f"{'step':32s} {'seconds':>9s} {'peak MiB':>9s} {'ratio':>7s}")
    for name, wall, peak, ratio in rows:
        print(f"{name:32s} {wall:9.1f} {peak:9,.0f} {'' if ratio is None else f'{ratio:6.1f}x':>7s}")
    if run:
        print("custlib run said:", *said, sep="\n  ")
    return rows


def big_orders(root: Path, gigabytes: float) -> None:
    """An orders CSV of about ``gigabytes`` GB, summarised out of core."""
    path = root / f"orders-{gigabytes:g}GB.csv"
    if not path.exists():
        import duckdb

        rows = int(gigabytes * 1e9 / 28)  # about 28 bytes a row (4.85 GB for 171M rows)
        duckdb.sql(f"""
            COPY (SELECT 'C' || lpad(CAST(hash(i) % 5000000 AS VARCHAR), 7, '0') AS customer_id,
                         DATE '2021-01-01' + CAST(hash(i * 7) % 1800 AS INTEGER) AS order_date,
                         round((hash(i * 13) % 2000000) / 100.0, 2) AS amount
                  FROM range({rows}) t(i)) TO '{path}' (HEADER)""")
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limit = f"{mem // 4 // 2**20}MB"
    wall, peak = py(BIG_SUMMARY, path, limit)
    print(f"\nout of core: {path.stat().st_size / 1e9:.1f} GB orders file "
          f"(machine {mem / 2**30:.0f} GiB, limit {limit}): {wall:.0f} s, peak {peak:,.0f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--data", default="/tmp/custlib-scale")
    ap.add_argument("--run", action="store_true", help="also time custlib run")
    ap.add_argument("--big-orders", type=float, metavar="GB",
                    help="also summarise an orders file of this size out of core")
    args = ap.parse_args()
    root = Path(args.data)
    root.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        one_size(n, root, args.run)
    if args.big_orders:
        big_orders(root, args.big_orders)


if __name__ == "__main__":
    main()
