"""The ``custlib`` command line.

Exit status
-----------
0
    OK (``validate``: no error; warnings allowed).
1
    The data or the run has errors: validation errors, a lesson that failed, an output
    folder refused, a path that cannot be read. The reason is printed on stderr as one
    line ``custlib <command>: error: <message>`` (``validate`` prints its whole report).
2
    Usage: unknown command or option, or a bad argument value (from argparse).
130
    Interrupted (Ctrl-C); nothing was written.

No traceback reaches the user, whatever the input: an unexpected exception is printed
as one line and the advice to run again with ``--debug``, which shows the traceback.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import re
import stat
import sys
import time
import traceback
from pathlib import Path

from custlib import __version__, schema
from custlib._extras import MissingExtra, require

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_STATUS = ("exit status: 0 = OK; 1 = the data or the run has errors (validation errors, "
               "a lesson failed, the output folder was refused, a path cannot be read); "
               "2 = usage (a bad command, option or argument value); 130 = interrupted. "
               "Errors are printed as one line; --debug shows the traceback.")


def _cmd_generate(args: argparse.Namespace) -> int:
    require("synth", "custlib generate")
    from custlib.synth import generate

    manifest = generate.write_dataset(
        args.out,
        seed=args.seed,
        customers=args.customers,
        locale=args.locale,
        force=args.force,
        progress=not args.quiet,
    )
    rows = sum(f.get("rows", 0) for f in manifest["files"].values())
    print(f"wrote {len(schema.TABLE_ORDER)} tables ({rows:,} rows) and a data dictionary "
          f"to {args.out}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    require("course", "custlib run")
    from custlib.course import GAP_WARNING, run_course

    _check_input(args.data or os.environ.get("CUSTLIB_DATA") or None, "--data")
    _check_input(args.mapping, "--mapping")
    t0 = time.perf_counter()
    result = run_course(args.data, args.out, force=args.force, progress=not args.quiet,
                        mapping=args.mapping, as_of=args.as_of, pseudonymise=args.pseudonymise,
                        allow_outside=args.allow_outside, currency=args.currency,
                        thresholds=args.thresholds, jobs=args.jobs,
                        **({"timeout": args.cell_timeout} if args.cell_timeout else {}))
    out, report = result["out"], result["report"]
    print(f"validated the data: {len(report.warnings)} warning(s), see {out / 'data' / 'validation.txt'}")
    for name in result.get("stale", []):
        print(f"removed {name}: left by a custlib run that was killed")
    for name, reason in result["skipped"].items():
        print(f"skipped {name}: {reason}")
    timings = result["timings"]
    summary = f"\nDone: {len(result['ran'])} lesson(s) ran in {time.perf_counter() - t0:.0f} s."
    if timings:
        cell = max(timings.items(), key=lambda kv: kv[1]["longest_cell"])
        gap = max(timings.items(), key=lambda kv: kv[1]["longest_gap"])
        summary += (f" Slowest cell: {cell[1]['longest_cell']:.1f} s ({cell[0]}, cell "
                    f"{cell[1]['longest_cell_at']}); largest gap between cells: "
                    f"{gap[1]['longest_gap']:.2f} s ({gap[0]}).")
        summary += "\nseconds per lesson (each in its own kernel): " + ", ".join(
            f"{name.split('_')[0]} {t['wall']:.1f}" for name, t in timings.items())
        if gap[1]["longest_gap"] > GAP_WARNING:
            summary += (f"\nwarning: {gap[0]} waited {gap[1]['longest_gap']:.0f} s before cell "
                        f"{gap[1]['longest_gap_at']} with the kernel idle; please report it.")
    print(summary)
    print(f"Open {out / 'index.html'} in a browser;")
    print(f"the manager's workbook and the charts are in {out / 'files'}.")
    print("To teach or change the lessons interactively: .venv/bin/jupyter lab notebooks/")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from custlib.io import validate

    _check_input(args.path, "PATH")
    _check_input(args.mapping, "--mapping")
    report = validate(args.path, mapping=args.mapping, as_of=args.as_of,
                      allow_outside=args.allow_outside, currency=args.currency,
                      thresholds=args.thresholds)
    print(report.text())
    return 0 if report.ok else 1


def _cmd_summary(args: argparse.Namespace) -> int:
    import csv
    import tempfile

    from custlib._outdir import current_umask
    from custlib.report import csv_safe
    from custlib.summary import customer_summary

    _check_input(args.orders, "ORDERS")
    src, out = Path(args.orders).expanduser().resolve(), Path(args.out).expanduser().absolute()
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise ValueError(f"--out {args.out}: expected a .csv or .parquet file name")
    if out.resolve() == src or (src.is_dir() and src in out.resolve().parents):
        raise ValueError(f"--out {args.out} must not be the orders or lie inside their folder: "
                         "the input is only read")
    if out.exists() and not args.force:
        raise FileExistsError(f"{out} exists: give --force to replace it")
    if not out.parent.is_dir():
        raise FileNotFoundError(f"{out.parent}: the folder of --out does not exist")
    t0 = time.perf_counter()
    table = customer_summary(src, args.as_of, months=args.months, engine=args.engine,
                             memory_limit=args.memory_limit)
    # written beside the target, then renamed: never half a file
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    try:
        if out.suffix.lower() == ".parquet":
            table.to_parquet(tmp)
        else:   # ids are text a spreadsheet must not read as a formula
            table.index = table.index.map(csv_safe)
            table.to_csv(tmp, encoding="utf-8", quoting=csv.QUOTE_NONNUMERIC)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"summarised {len(table):,} customers in {time.perf_counter() - t0:.1f} s "
          f"into {out}")
    return 0


_KINDS = {stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device",
          stat.S_ISFIFO: "a named pipe (FIFO)", stat.S_ISSOCK: "a socket"}


def _check_input(path, what: str) -> None:
    """Refuse a path that is neither a folder nor a regular file before anything opens
    it (reading ``/dev/zero`` never ends; opening a FIFO waits for a writer)."""
    if path is None:
        return
    try:
        mode = os.stat(Path(path).expanduser()).st_mode
    except OSError:
        return  # missing or unreadable: the reader says so, naming the path
    for test, kind in _KINDS.items():
        if test(mode) and what == "--mapping":
            raise ValueError(f"--mapping {path} is {kind}, not a file: give a TOML file")
        if test(mode):
            raise ValueError(f"{what} {path} is {kind}, not a folder or a file: give a folder "
                             "of tables or an orders file")


def _date(text: str) -> str:
    """An --as-of value: checked here (a bad one is a usage error), passed on as given."""
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: expected YYYY-MM-DD") from None
    return text


def _at_least(low: int):
    def number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="custlib",
        description="Customer-analysis workbook: generate synthetic CRM data, "
        "validate a CRM export, run the lessons and the workbook.",
        epilog=EXIT_STATUS,
    )
    parser.add_argument("--version", action="version", version=f"custlib {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an unexpected error instead of one line")
    # also accepted after the command; SUPPRESS keeps a value given before it
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the traceback of an unexpected error instead of one line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    # how the export is read: the same options for validate and run
    source = argparse.ArgumentParser(add_help=False)
    source.add_argument("--mapping", metavar="FILE", default=None,
                        help="TOML file renaming your columns and values (see examples/mappings/)")
    source.add_argument("--as-of", metavar="DATE", default=None, type=_date,
                        help="extraction date YYYY-MM-DD (default: the mapping's, else today)")
    source.add_argument("--allow-outside", action="store_true",
                        help="read files a mapping names (or links point to) outside the data "
                        "folder and the mapping's folder; refused by default")
    source.add_argument("--currency", metavar="CODE", default=None, type=_currency,
                        help="currency of the amounts, e.g. USD (default: the mapping's "
                        "[settings] currency, else CNY)")
    source.add_argument("--thresholds", metavar="A,B,C", default=None, type=_thresholds,
                        help="the pyramid's revenue cut-offs for vip, key and mid customers, "
                        "e.g. 60000,20000,5000 (default: fitted to your data; see the README)")

    gen = sub.add_parser(
        "generate",
        help="write a synthetic CRM dataset",
        description="Write a deterministic synthetic CRM dataset (the same seed, size and "
        "locale give byte-identical files). The default arguments reproduce the "
        "committed dataset in data/synthetic/.",
        parents=[debug], epilog=EXIT_STATUS,
    )
    gen.add_argument("--seed", type=int, default=2126, help="random seed (default: 2126)")
    gen.add_argument(
        "--customers", type=_at_least(100), default=2126, metavar="N",
        help="number of buying customers in year 1; inactive customers, prospects and "
        "suspects scale with it (default: 2126, as in the case)",
    )
    gen.add_argument("--locale", choices=["en_US", "zh_CN"], default="en_US",
                     help="language of names and places (default: en_US)")
    gen.add_argument("--out", required=True, metavar="DIR", help="folder to write the CSV files to")
    gen.add_argument("--force", action="store_true",
                     help="write into DIR even if it is not empty (its CSV tables are replaced)")
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    gen.set_defaults(func=_cmd_generate)

    run = sub.add_parser(
        "run",
        help="run every lesson on a data folder and publish the results",
        description="Execute every lesson on the data folder and write an HTML page per "
        "lesson, an index.html and the files the lessons produce into the output folder. "
        "The data is only read. A failed run leaves no half-written output.",
        parents=[debug, source], epilog=EXIT_STATUS,
    )
    run.add_argument("--data", metavar="PATH", default=None,
                     help="folder holding the tables (orders.csv, customers.csv, ... or .xlsx), "
                     "or a single orders file; default: $CUSTLIB_DATA, else the bundled "
                     "data/synthetic")
    run.add_argument("--pseudonymise", action="store_true",
                     help="replace names, phones, e-mails, QQ numbers and ids by pseudonyms and "
                     "empty the birthdays in every output (key: $CUSTLIB_PSEUDONYM_KEY, else "
                     "a random key for this run)")
    run.add_argument("--out", metavar="DIR", default="build/workbook",
                     help="output folder (default: build/workbook)")
    run.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--cell-timeout", type=_at_least(1), default=None, metavar="SECONDS",
                     help="stop with an error when a lesson cell runs longer than this "
                     "(default: 120; raise it for an export of millions of rows)")
    run.add_argument("--jobs", type=_at_least(1), default=None, metavar="N",
                     help="lessons executed at once, each in its own kernel (default: one per "
                     "core, at most 2); 1 holds the least memory, for a very large export on "
                     "a small machine")
    run.set_defaults(func=_cmd_run)

    val = sub.add_parser(
        "validate",
        help="check a CRM export and list every problem",
        description="Check a folder of tables (or a single orders file) against the input "
        "contract and list every problem at once, with file, column, rows and a fix: errors "
        "(the analysis cannot run) and warnings (handled by the stated rule). Exit status 0 "
        "when there is no error, 1 otherwise. Files are only read.",
        parents=[debug, source], epilog=EXIT_STATUS,
    )
    val.add_argument("path", metavar="PATH", help="folder of tables, or an orders file")
    val.set_defaults(func=_cmd_validate)

    summ = sub.add_parser(
        "summary",
        help="one row per customer from an orders file, out of core if need be",
        description="Summarise canonical orders (customer_id, order_date, amount) into one "
        "row per customer: first and last order, purchase days, revenue, the last 12 "
        "months and the 12 before, frequency, recency, T and monetary value (see "
        "custlib.summary). ORDERS is a .parquet or .csv file with those columns, or a "
        "folder written by custlib run (its data/ folder). With the DuckDB engine (the "
        "default for a file) the file is read in place, in parallel and out of core: an "
        "orders file larger than memory is summarised within --memory-limit.",
        parents=[debug], epilog=EXIT_STATUS,
    )
    summ.add_argument("orders", metavar="ORDERS", help="orders file (.parquet/.csv) or a run's data/ folder")
    summ.add_argument("--out", required=True, metavar="FILE",
                      help="the summary to write: a .csv or .parquet file")
    summ.add_argument("--engine", choices=["auto", "duckdb", "pandas"], default="auto",
                      help="auto (default): DuckDB for a file; pandas needs the orders in memory")
    summ.add_argument("--as-of", metavar="DATE", default=None, type=_date,
                      help="analysis date YYYY-MM-DD (default: the last order date)")
    summ.add_argument("--months", type=_at_least(1), default=12, metavar="N",
                      help="length of the revenue windows (default: 12)")
    summ.add_argument("--memory-limit", metavar="SIZE", default=None,
                      help="DuckDB's memory limit, e.g. 4GB; it spills to disk beyond it "
                      "(default: 80%% of the memory)")
    summ.add_argument("--force", action="store_true", help="replace an existing --out file")
    summ.set_defaults(func=_cmd_summary)
    return parser


def _currency(text: str) -> str:
    from custlib import money

    try:
        return money.unit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _thresholds(text: str) -> tuple[float, ...]:
    from custlib.pyramid import check_thresholds

    try:
        return tuple(check_thresholds(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PACKAGE = str(Path(__file__).resolve().parent)


def _one_line(exc: BaseException) -> tuple[str, bool]:
    """The message of ``exc`` as one line, and whether it is custlib's own message to the
    user (raised on purpose by custlib about the input, the output or a lesson) rather
    than an unexpected error, for which the traceback may be wanted."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = (isinstance(exc, (ValueError, OSError, RuntimeError)) and bool(frames)
            and Path(frames[-1].filename).resolve().is_relative_to(_PACKAGE))
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}"
    else:
        text = str(exc)
    lines = [ln.strip() for ln in _ANSI.sub("", text).splitlines() if ln.strip()]
    if not lines:
        return type(exc).__name__, ours
    if len(lines) > 1:  # e.g. a lesson's failure: its first line and the error it ended with
        return f"{lines[0].rstrip(':')}: {lines[-1]}", False
    return (lines[0] if ours else f"{type(exc).__name__}: {lines[0]}"), ours


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module documentation)."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with status 2 on a usage error
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"\ncustlib {args.command}: interrupted: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        from custlib.io import InputError

        if isinstance(exc, InputError):
            print(exc.report.text(), file=sys.stderr)
            return EXIT_ERRORS
        if isinstance(exc, MissingExtra):
            print(f"custlib {args.command}: error: {exc}", file=sys.stderr)
            return EXIT_ERRORS
        if args.debug:
            raise
        message, ours = _one_line(exc)
        print(f"custlib {args.command}: error: {message}", file=sys.stderr)
        if not ours:
            print("run again with --debug to see the traceback", file=sys.stderr)
        return EXIT_ERRORS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
