"""Look at a report's pages as a trainer's laptop shows them without the internet.

Each page of a ``custlib run`` folder (``index.html`` and ``lessons/*.html``) is opened
in headless Chromium with every network request sent to a closed port, and

* its text after the scripts ran is checked: formulas typeset by MathJax, none left
  as raw ``$...$``, the what-ifs shown as pictures;
* it is saved as a PNG of its top (the title and the lesson links) and, when the page
  has formulas, a second PNG of the section holding the first one, for a person to
  look at.

Usage::

    .venv/bin/python scripts/check_handouts.py build/workbook --png /tmp/handouts

Exits with 1 when a page left a formula raw or MathJax failed, else 0.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: Every request that is not to a local file goes to this proxy: a closed port.
OFFLINE = ["--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


def chromium() -> str | None:
    """The Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(exe: str, url: str, *args: str, budget_ms: int = 30000) -> subprocess.CompletedProcess:
    """Headless Chromium on ``url``, offline, with a private profile."""
    with tempfile.TemporaryDirectory(prefix="check-handouts-") as profile:
        return subprocess.run(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
             f"--user-data-dir={profile}", *OFFLINE, f"--virtual-time-budget={budget_ms}",
             *args, url],
            capture_output=True, text=True, timeout=180, check=False)


def _strip_code(text: str) -> str:
    return re.sub(r"(?s)<(script|style|code)\b.*?</\1>", "", text)


def raw_formulas(dom: str) -> list[str]:
    """Formulas left as TeX in the prose (Markdown cells) of a page's DOM."""
    cells = re.split(r'<div class="jp-Cell ', _strip_code(dom))
    prose = [html.unescape(re.sub(r"<[^>]+>", " ", c)) for c in cells
             if "jp-MarkdownCell" in c.split('"', 1)[0]]
    return [m.group(0).strip() for t in prose
            for m in re.finditer(r".{0,30}(\$[^$]+\$|\\[(\[]).{0,30}", t)]


#: An element MathJax shows instead of a formula it could not typeset.
MATH_ERROR = re.compile(r'class="(?:[^"]* )?(?:MathJax_Error|noError|merror)[ "]')


def typeset(dom: str) -> int:
    """How many formulas MathJax typeset in a page's DOM."""
    return len(re.findall(r'<span class="MathJax(?: [^"]*)?" id="MathJax-Element-', dom))


def first_formula_anchor(page_html: str) -> str | None:
    """The id of the heading above the first formula of a page (None: no formula)."""
    text = _strip_code(page_html)
    math = re.search(r"\$[^$<]+\$|\\\(|\\\[", text)
    if not math:
        return None
    ids = [m.group(1) for m in re.finditer(r'<h[1-6][^>]* id="([^"]+)"', text[:math.start()])]
    return html.unescape(ids[-1]) if ids else None


def _copy_from(page: Path, anchor: str, folder: Path) -> Path:
    """A copy of ``page`` in ``folder`` that starts at the cell of heading ``anchor``: the
    cells above it are hidden (headless Chromium paints nothing of a page scrolled to a
    ``#fragment``). The report folder is left as it is: the copy reaches MathJax
    through a link.
    """
    (folder / "mathjax").symlink_to(page.parent / "mathjax")
    hide = ("<script>(function () {"
            f"var e = document.getElementById({json.dumps(anchor)});"
            " var cell = e && e.closest('.jp-Cell');"
            " for (var n = cell && cell.previousElementSibling; n; n = n.previousElementSibling) {"
            " if (n.classList.contains('jp-Cell')) { n.style.display = 'none'; } }"
            "})();</script>")
    copy = folder / page.name
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", hide + "</body>", 1),
                    encoding="utf-8")
    return copy


def check_page(exe: str, page: Path, png_dir: Path, width: int, height: int) -> dict:
    """Open ``page`` offline: its figures, and its PNGs written into ``png_dir``."""
    source = page.read_text(encoding="utf-8")
    dom = run_chromium(exe, page.as_uri(), "--dump-dom").stdout
    stem = page.stem if page.parent.name == "lessons" else "index"
    shots = [(png_dir / f"{stem}.png", page)]
    anchor = first_formula_anchor(source)
    with tempfile.TemporaryDirectory(prefix="check-handouts-page-") as tmp:
        if anchor:
            shots.append((png_dir / f"{stem}-formula.png", _copy_from(page, anchor, Path(tmp))))
        for png, path in shots:
            run_chromium(exe, path.as_uri(), f"--screenshot={png}", f"--window-size={width},{height}")
    what_ifs = source.count('class="custlib-what-if"')
    pictures = len(re.findall(r'(?s)<div class="custlib-what-if">.*?<img ', dom))
    return {"page": page.relative_to(page.parents[1] if stem != "index" else page.parent),
            "typeset": typeset(dom), "errors": len(MATH_ERROR.findall(dom)),
            "raw": raw_formulas(dom), "what_ifs": what_ifs, "pictures": pictures,
            "title": (re.search(r"<title>(.*?)</title>", dom) or [None, "?"])[1],
            "pngs": [str(p) for p, _ in shots if p.is_file()], "rendered": "</html>" in dom}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="build/workbook", type=Path,
                        help="the folder custlib run wrote (default build/workbook)")
    parser.add_argument("--png", type=Path, default=None,
                        help="where to write the PNGs (default OUT/../handout-screenshots)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--jobs", type=int, default=2, help="pages opened at once")
    args = parser.parse_args(argv)
    exe = chromium()
    if exe is None:
        print("no chromium found", file=sys.stderr)
        return 2
    out = args.out.resolve()
    pages = [out / "index.html", *sorted((out / "lessons").glob("*.html"))]
    if not pages[0].is_file():
        print(f"{out} holds no index.html: run custlib run first", file=sys.stderr)
        return 2
    png_dir = (args.png or out.parent / "handout-screenshots").resolve()
    png_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda p: check_page(exe, p, png_dir, args.width, args.height),
                                pages))
    bad = 0
    print(f"{'page':45} {'typeset':>7} {'raw':>4} {'what-ifs':>9}  title")
    for r in results:
        problem = (not r["rendered"] or r["raw"] or r["errors"]
                   or r["pictures"] != r["what_ifs"])
        bad += bool(problem)
        print(f"{r['page']!s:45} {r['typeset']:>7} {len(r['raw']):>4} "
              f"{r['pictures']:>4}/{r['what_ifs']:<4}  {r['title'][:60]}{'  <-- CHECK' if problem else ''}")
        for raw in r["raw"][:3]:
            print(f"    raw formula: {raw}")
    print(f"\nPNGs in {png_dir}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
