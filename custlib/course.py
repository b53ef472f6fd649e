"""Run the course: execute every lesson on a data folder and publish it as HTML.

Each lesson is executed in its own kernel with the environment variable
``CUSTLIB_DATA`` pointing at the data, and ``CUSTLIB_OUT`` at a folder where it
may write files (Excel workbooks, charts). The executed lessons are written as one
HTML page each, plus an ``index.html`` linking them.

The output is built in a temporary folder beside ``out`` and moved into place only
when every lesson ran, so a failed run never leaves a half-written report and never
touches a previous one.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["NOTEBOOK_DIR", "lessons", "lesson_title", "run_course", "LessonError"]

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"


class LessonError(RuntimeError):
    """A lesson raised while executing."""


def lessons(notebook_dir: str | os.PathLike | None = None) -> list[Path]:
    """The numbered lessons ``NN_*.ipynb`` in order.

    Examples
    --------
    >>> [p.name for p in lessons()][:1]
    ['00_welcome.ipynb']
    """
    folder = Path(notebook_dir) if notebook_dir else NOTEBOOK_DIR
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.is_file())


def lesson_title(path: Path) -> tuple[str, str]:
    """The lesson's first Markdown heading and the first sentence after it."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        lines = "".join(cell.get("source", "")).splitlines()
        for i, line in enumerate(lines):
            if line.startswith("#"):
                rest = " ".join(x.strip() for x in lines[i + 1:] if x.strip() and not x.startswith("#"))
                summary = rest.split(". ")[0].rstrip(".") + "." if rest else ""
                return line.lstrip("#").strip(), summary
    return path.stem, ""


def _execute(path: Path, data: Path, files_out: Path, timeout: int):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    env_before = {k: os.environ.get(k) for k in ("CUSTLIB_DATA", "CUSTLIB_OUT")}
    os.environ.update(CUSTLIB_DATA=str(data), CUSTLIB_OUT=str(files_out))
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    except CellExecutionError as exc:
        raise LessonError(f"lesson {path.name} failed:\n{exc}") from None
    finally:
        for k, v in env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def _index_html(entries: list[tuple[str, str, str]], data: Path, when: str) -> str:
    items = "\n".join(
        f'  <li><a href="{html.escape(href)}">{html.escape(title)}</a>'
        f'<br><span class="s">{html.escape(summary)}</span></li>'
        for href, title, summary in entries)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Customer Analysis Workbook — lessons</title>
<style>body{{font-family:sans-serif;max-width:52em;margin:2em auto;line-height:1.5}}
li{{margin:.6em 0}} .s{{color:#555}} footer{{color:#777;font-size:.9em;margin-top:2em}}</style>
</head><body>
<h1>Customer Analysis Workbook (客户分析)</h1>
<p>The lessons, executed on the data in <code>{html.escape(str(data))}</code>.</p>
<ol start="0">
{items}
</ol>
<p>The manager's workbook (master table, roll-ups, pyramid):
<a href="files/customer-analysis-workbook.xlsx">customer-analysis-workbook.xlsx</a>.
Other files the lessons wrote are in <a href="files/">files/</a>.</p>
<footer>Built {html.escape(when)}.</footer>
</body></html>
"""


def run_course(data: str | os.PathLike | None, out: str | os.PathLike, *, force: bool = False,
               progress: bool = True, notebook_dir: str | os.PathLike | None = None,
               timeout: int = 600, workbook: bool = True) -> Path:
    """Execute every lesson on ``data`` and write HTML pages and an index to ``out``.

    Parameters
    ----------
    data : path-like or None
        The data folder (None: the default of :func:`custlib.data.data_dir`).
    out : path-like
        Output folder: ``index.html``, ``lessons/NN_*.html``, ``notebooks/NN_*.ipynb``
        (executed) and ``files/`` (what the lessons wrote).
    force : bool
        Replace an existing non-empty ``out``; without it such a folder is refused.
    progress : bool
        Show a progress bar.
    workbook : bool
        Also write the manager's Excel workbook (``files/customer-analysis-workbook.xlsx``:
        the master table, its roll-ups and the pyramid, see :mod:`custlib.report`).

    Returns
    -------
    Path
        ``out``.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from tqdm.auto import tqdm

    from custlib.data import data_dir

    data = data_dir(data).resolve()
    out = Path(out).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        raise FileExistsError(f"{out} exists and is not empty; choose another --out or pass "
                              "--force to replace it")
    if data == out or data in out.parents or out in data.parents:
        raise ValueError(f"the output folder {out} must not be inside the data folder {data} "
                         "or contain it: the data is never written to")
    found = lessons(notebook_dir)
    if not found:
        raise FileNotFoundError(f"no lessons (NN_*.ipynb) in {notebook_dir or NOTEBOOK_DIR}")
    out.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        (build / "lessons").mkdir()
        (build / "notebooks").mkdir()
        (build / "files").mkdir()
        exporter = HTMLExporter()
        entries = []
        for path in tqdm(found, desc="lessons", unit="lesson", disable=not progress):
            nb = _execute(path, data, build / "files", timeout)
            nbformat.write(nb, build / "notebooks" / path.name)
            body, _ = exporter.from_notebook_node(nb)
            (build / "lessons" / f"{path.stem}.html").write_text(body, encoding="utf-8")
            title, summary = lesson_title(path)
            entries.append((f"lessons/{path.stem}.html", title, summary))
        if workbook:
            from custlib.data import load
            from custlib.report import write_workbook

            write_workbook(load(data), build / "files" / "customer-analysis-workbook.xlsx")
        when = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        (build / "index.html").write_text(_index_html(entries, data, when), encoding="utf-8")
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
            build.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            build.rename(out)
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
    return out
