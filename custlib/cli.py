"""The ``custlib`` command line."""

from __future__ import annotations

import argparse
import sys
import time

from custlib import __version__, schema


def _cmd_generate(args: argparse.Namespace) -> int:
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
    from custlib.course import GAP_WARNING, run_course

    t0 = time.perf_counter()
    result = run_course(args.data, args.out, force=args.force, progress=not args.quiet,
                        mapping=args.mapping, as_of=args.as_of, pseudonymise=args.pseudonymise,
                        allow_outside=args.allow_outside,
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
        if gap[1]["longest_gap"] > GAP_WARNING:
            summary += (f"\nwarning: {gap[0]} waited {gap[1]['longest_gap']:.0f} s before cell "
                        f"{gap[1]['longest_gap_at']} with the kernel idle; please report it.")
    print(summary)
    print(f"Open {out / 'index.html'} in a browser;")
    print(f"the manager's workbook and the charts are in {out / 'files'}.")
    print("To teach or change the lessons interactively: .venv/bin/jupyter lab notebooks/")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from custlib.ingest import validate

    report = validate(args.path, mapping=args.mapping, as_of=args.as_of,
                      allow_outside=args.allow_outside)
    print(report.text())
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="custlib",
        description="Customer-analysis workbook: generate synthetic CRM data, "
        "validate a CRM export, run the lessons and the workbook.",
    )
    parser.add_argument("--version", action="version", version=f"custlib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    gen = sub.add_parser(
        "generate",
        help="write a synthetic CRM dataset",
        description="Write a deterministic synthetic CRM dataset (the same seed, size and "
        "locale give byte-identical files). The default arguments reproduce the "
        "committed dataset in data/synthetic/.",
    )
    gen.add_argument("--seed", type=int, default=2126, help="random seed (default: 2126)")
    gen.add_argument(
        "--customers", type=int, default=2126, metavar="N",
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
    )
    run.add_argument("--data", metavar="PATH", default=None,
                     help="folder holding the tables (orders.csv, customers.csv, ... or .xlsx), "
                     "or a single orders file; default: $CUSTLIB_DATA, else the bundled "
                     "data/synthetic")
    run.add_argument("--mapping", metavar="FILE", default=None,
                     help="TOML file renaming your columns and values (see examples/mappings/)")
    run.add_argument("--as-of", metavar="DATE", default=None,
                     help="extraction date YYYY-MM-DD (default: the mapping's, else today)")
    run.add_argument("--pseudonymise", action="store_true",
                     help="replace names, phones, e-mails and QQ numbers by stable pseudonyms "
                     "in every output (key: $CUSTLIB_PSEUDONYM_KEY)")
    run.add_argument("--allow-outside", action="store_true",
                     help="read files a mapping names (or links point to) outside the data "
                     "folder and the mapping's folder; refused by default")
    run.add_argument("--out", metavar="DIR", default="build/workbook",
                     help="output folder (default: build/workbook)")
    run.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--cell-timeout", type=int, default=None, metavar="SECONDS",
                     help="stop with an error when a lesson cell runs longer than this "
                     "(default: 120; raise it for an export of millions of rows)")
    run.set_defaults(func=_cmd_run)

    val = sub.add_parser(
        "validate",
        help="check a CRM export and list every problem",
        description="Check a folder of tables (or a single orders file) against the input "
        "contract and list every problem at once, with file, column, rows and a fix: errors "
        "(the analysis cannot run) and warnings (handled by the stated rule). Exit status 0 "
        "when there is no error, 1 otherwise. Files are only read.",
    )
    val.add_argument("path", metavar="PATH", help="folder of tables, or an orders file")
    val.add_argument("--mapping", metavar="FILE", default=None,
                     help="TOML file renaming your columns and values")
    val.add_argument("--as-of", metavar="DATE", default=None,
                     help="extraction date YYYY-MM-DD (default: the mapping's, else today)")
    val.add_argument("--allow-outside", action="store_true",
                     help="read files a mapping names (or links point to) outside the data "
                     "folder and the mapping's folder; refused by default")
    val.set_defaults(func=_cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"\ncustlib {args.command}: interrupted: nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:
        from custlib.ingest import InputError

        if isinstance(exc, InputError):
            print(exc.report.text(), file=sys.stderr)
            return 1
        if isinstance(exc, (ValueError, FileExistsError, FileNotFoundError, RuntimeError)):
            print(f"custlib {args.command}: error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
