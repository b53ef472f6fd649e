"""Render the manager's workbook as the printer would: LibreOffice → PDF → PNG per page.

Writes the workbook of the bundled data (or renders a given ``.xlsx``), converts it
to PDF with LibreOffice headless (``soffice``) and the first pages of each sheet to
PNG with ``pdftoppm`` (poppler), named after the sheet, so the print setup (landscape,
one page wide, header rows on every page), the column widths and the fonts can be
looked at. A page is matched to its sheet by the page header, which names the sheet.

Needs ``soffice`` and ``pdftoppm`` on the PATH (Debian/Ubuntu:
``apt-get install libreoffice-calc-nogui poppler-utils fonts-noto-cjk``).

Usage::

    .venv/bin/python scripts/render_workbook.py [--xlsx FILE] [--out DIR] [--pages 1]
                                                 [--sheet master --sheet about ...]

Prints the PNG files written and the number of pages of each sheet.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def have_tools() -> bool:
    """True when ``soffice`` and ``pdftoppm`` (and ``pdftotext``) are installed."""
    return all(shutil.which(t) for t in ("soffice", "pdftoppm", "pdftotext"))


def to_pdf(xlsx: Path, out: Path, timeout: float = 300) -> Path:
    """The PDF of ``xlsx`` in ``out``, by LibreOffice headless (its own profile folder)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out), str(xlsx)],
                       check=True, capture_output=True, timeout=timeout)
    return out / f"{xlsx.stem}.pdf"


def page_sheets(pdf: Path, sheets: list[str]) -> list[str]:
    """The sheet of every page of ``pdf``: the sheet name its page header shows."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    found = []
    for page in text.split("\f")[:-1] if text.endswith("\f") else text.split("\f"):
        head = page.strip().splitlines()[0] if page.strip() else ""
        match = [s for s in sheets if s in head]
        found.append(max(match, key=len) if match else "")
    return found


def render(xlsx: Path, out: Path, only: list[str] | None = None, pages: int = 1,
           dpi: int = 80) -> dict[str, dict]:
    """PNG files of the first ``pages`` pages of each sheet of ``xlsx`` (or of ``only``:
    sheets whose name starts with one of them).

    Returns
    -------
    dict of str to dict
        Per sheet: ``pages`` (count) and ``png`` (the files written).
    """
    import openpyxl

    names = openpyxl.load_workbook(xlsx, read_only=True).sheetnames
    out.mkdir(parents=True, exist_ok=True)
    pdf = to_pdf(xlsx, out)
    of_page = page_sheets(pdf, names)
    result: dict[str, dict] = {n: {"pages": of_page.count(n), "png": []} for n in names}
    for name in names:
        if only and not any(name.startswith(o) for o in only):
            continue
        numbers = [i + 1 for i, s in enumerate(of_page) if s == name][:pages]
        slug = re.sub(r"[^a-z0-9]+", "-", name.split(" · ")[0].lower()).strip("-")
        for k, number in enumerate(numbers, start=1):
            stem = out / f"{slug}-{k}"
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(number), "-l",
                            str(number), "-singlefile", str(pdf), str(stem)], check=True,
                           capture_output=True)
            result[name]["png"].append(stem.with_suffix(".png"))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xlsx", type=Path, help="the workbook to render (default: write the "
                        "bundled data's workbook)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "render",
                        help="folder of the PDF and the PNG files (default build/render)")
    parser.add_argument("--sheet", action="append", help="only sheets whose name starts with "
                        "this (repeatable; default: every sheet)")
    parser.add_argument("--pages", type=int, default=1, help="pages per sheet (default 1)")
    parser.add_argument("--dpi", type=int, default=80)
    args = parser.parse_args(argv)
    if not have_tools():
        print("needs soffice, pdftoppm and pdftotext: apt-get install libreoffice-calc-nogui "
              "poppler-utils fonts-noto-cjk", file=sys.stderr)
        return 2
    xlsx = args.xlsx
    if xlsx is None:
        sys.path.insert(0, str(ROOT))
        from custlib.io import load
        from custlib.report import write_workbook

        args.out.mkdir(parents=True, exist_ok=True)
        xlsx = write_workbook(load(ROOT / "data" / "synthetic"),
                              args.out / "customer-analysis-workbook.xlsx", source="synthetic")
    for name, info in render(xlsx, args.out, args.sheet, args.pages, args.dpi).items():
        print(f"{name}: {info['pages']} page(s)", *[str(p) for p in info["png"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
