"""The ``custlib`` command line."""

from __future__ import annotations

import argparse
import sys

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
    from custlib.course import run_course

    out = run_course(args.data, args.out, force=args.force, progress=not args.quiet)
    print(f"\nDone. Open {out / 'index.html'} in a browser for the executed lessons;")
    print(f"files the lessons wrote are in {out / 'files'}.")
    print("To teach or change the lessons interactively: .venv/bin/jupyter lab notebooks/")
    return 0


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
                     help="folder holding the tables (orders.csv, customers.csv, ...); default: "
                     "$CUSTLIB_DATA, else the bundled data/synthetic")
    run.add_argument("--out", metavar="DIR", default="build/workbook",
                     help="output folder (default: build/workbook)")
    run.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=_cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileExistsError, FileNotFoundError, RuntimeError) as exc:
        print(f"custlib {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
