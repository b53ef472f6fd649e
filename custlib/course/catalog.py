"""What a lesson is: the numbered notebooks, their titles, what data each requires and
reads, the parameters a run injects, and which sections ran or were skipped."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from custlib._share import shared


NOTEBOOK_DIR = shared("notebooks")


class LessonError(RuntimeError):
    """A lesson raised while executing."""


def lessons(notebook_dir: str | os.PathLike | None = None) -> list[Path]:
    """The numbered lessons ``NN_*.ipynb`` in order.

    Parameters
    ----------
    notebook_dir : path-like, optional
        Default: the project's ``notebooks/``.

    Returns
    -------
    list of Path

    Examples
    --------
    >>> [p.name for p in lessons()][:1]
    ['00_welcome.ipynb']
    """
    folder = Path(notebook_dir) if notebook_dir else NOTEBOOK_DIR
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.is_file())


#: Where a sentence may end: ``.``, ``!`` or ``?`` before a space and a capital, a
#: digit, a quote or a CJK character (so "e.g. the" and "2.5 %" do not end one).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“‘(\u3400-\u9fff])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.", "no.", "fig.")


def _plain(markdown: str) -> str:
    """Markdown text as plain text: links, emphasis, code marks and tags removed."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)      # [text](url)
    text = re.sub(r"<[^>]+>", "", text)                                  # inline HTML
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = text.replace("`", "")
    return " ".join(text.split())


def first_sentence(markdown: str) -> str:
    """The first sentence of a paragraph of Markdown, as plain text.

    A question is kept with the sentence that answers it ("Why? Because …").

    Parameters
    ----------
    markdown : str
        A paragraph.

    Returns
    -------
    str
        Ending in ``.``, ``!`` or ``?``; empty for an empty paragraph.

    Examples
    --------
    >>> first_sentence("Rank the **customers**, e.g. by revenue. Then draw them.")
    'Rank the customers, e.g. by revenue.'
    >>> first_sentence("Why count? Because time is short. More text.")
    'Why count? Because time is short.'
    """
    text = _plain(markdown)
    if not text:
        return ""
    parts = _SENTENCE_END.split(text)
    sentences: list[str] = []
    for part in parts:           # glue back what ended in an abbreviation
        if sentences and sentences[-1].lower().endswith(_ABBREVIATIONS):
            sentences[-1] += " " + part
        else:
            sentences.append(part)
    first = sentences[0]
    if first.endswith("?") and len(sentences) > 1:
        first += " " + sentences[1]
    return first if first.endswith((".", "!", "?")) else first.rstrip(":;,") + "."


def lesson_title(path: Path) -> tuple[str, str]:
    """The lesson's first Markdown heading and its summary for the index page.

    The summary is ``custlib.summary`` of the notebook's metadata when the lesson
    declares one, else the first sentence of the paragraph after the heading
    (:func:`first_sentence`).

    Parameters
    ----------
    path : Path
        A notebook.

    Returns
    -------
    tuple of str
        The heading without ``#`` (the file's stem when there is none) and the
        summary (empty when there is neither).

    Examples
    --------
    >>> lesson_title(lessons()[0])[0]
    '0. Welcome and a tour of the data (欢迎)'
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    declared = nb.get("metadata", {}).get("custlib", {}).get("summary")
    declared = " ".join(str(declared).split()) if declared else ""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        lines = "".join(cell.get("source", "")).splitlines()
        for i, line in enumerate(lines):
            if line.startswith("#"):
                paragraph: list[str] = []
                for rest in lines[i + 1:]:
                    if rest.startswith("#") or (not rest.strip() and paragraph):
                        break
                    if rest.strip():
                        paragraph.append(rest.strip())
                return line.lstrip("#").strip(), declared or first_sentence(" ".join(paragraph))
    return Path(path).stem, declared


def lesson_requires(path: Path) -> list[str]:
    """What a lesson needs from the data: ``table`` or ``table.column`` entries.

    Declared in the notebook metadata as ``{"custlib": {"requires": [...]}}``; a
    lesson that declares nothing needs the orders only. This is what the whole
    lesson needs; what a section needs more is checked in the lesson itself
    (:mod:`custlib.course.sections`).

    Parameters
    ----------
    path : Path
        A notebook.

    Returns
    -------
    list of str

    Examples
    --------
    >>> lesson_requires(lessons()[0])
    ['orders']
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return list(nb.get("metadata", {}).get("custlib", {}).get("requires", ["orders"]))


def lesson_reads(path: Path) -> list[str]:
    """What a lesson reads of the run's own output, declared in the notebook metadata as
    ``{"custlib": {"reads": ["workbook"]}}``: such a lesson starts only once the run has
    written its workbook, and finds it at ``$CUSTLIB_WORKBOOK`` (one workbook per run,
    written once).

    Examples
    --------
    >>> lesson_reads(lessons()[-1]), lesson_reads(lessons()[0])
    (['workbook'], [])
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return list(nb.get("metadata", {}).get("custlib", {}).get("reads", []))


def unmet_requirements(crm, requires: list[str]) -> list[str]:
    """Why ``crm`` cannot run a lesson needing ``requires`` (empty list: it can).

    A column counts as present when the table has it with at least one value
    (:meth:`custlib.io.CRMData.has`, the test a lesson's sections use too).

    Parameters
    ----------
    crm : CRMData
        The loaded tables.
    requires : list of str
        From :func:`lesson_requires`.

    Returns
    -------
    list of str
        One reason per unmet need.

    Examples
    --------
    >>> from custlib.io import load
    >>> unmet_requirements(load(), ["orders", "customers.org_type"])
    []
    """
    from custlib.course.sections import missing

    reasons = []
    for req in requires:
        for table, column in missing(crm, [req]):
            if table == "months":
                why = f"needs orders in both halves of the {column} months up to the analysis date"
            else:
                why = (f"needs the {table} table" if not crm.has(table)
                       else f"needs column {column} of {table}")
            if why not in reasons:
                reasons.append(why)
    return reasons


#: The parameters of a lesson, in its cell tagged ``parameters``.
PARAMETERS = ("DATA", "MAPPING", "AS_OF")
#: The environment variables a lesson's ``load`` falls back on; removed from the
#: kernel's environment when the parameters are injected, so that they alone say
#: what the lesson reads.
DATA_ENV = ("CUSTLIB_DATA", "CUSTLIB_MAPPING", "CUSTLIB_AS_OF")


def inject_parameters(nb, **values):
    """Insert a cell setting ``values`` after the cell tagged ``parameters``.

    Papermill's convention: the new cell is tagged ``injected-parameters`` and
    overrides the defaults of the ``parameters`` cell; without such a cell it goes
    first. An earlier injected cell is replaced.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Changed in place.
    **values
        Names and values (written with ``repr``: str, numbers, None).

    Returns
    -------
    nbformat.NotebookNode
        ``nb``.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A"),
    ...                                      nbformat.v4.new_code_cell("DATA = None")])
    >>> nb.cells[1].metadata["tags"] = ["parameters"]
    >>> cell = inject_parameters(nb, DATA="/data/x", AS_OF=None).cells[2]
    >>> print(cell.source)
    # Parameters
    DATA = '/data/x'
    AS_OF = None
    >>> cell.metadata["tags"]
    ['injected-parameters']
    """
    import nbformat

    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    source = "# Parameters\n" + "\n".join(f"{k} = {v!r}" for k, v in values.items())
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["injected-parameters"]
    at = next((i + 1 for i, c in enumerate(nb.cells)
               if "parameters" in c.get("metadata", {}).get("tags", [])), 0)
    nb.cells.insert(at, cell)
    return nb


#: Sections not listed on the index page (the data set-up and the pointer onwards).
_NOT_SECTIONS = ("Where the data comes from", "Next")


def lesson_sections(nb) -> dict:
    """The sections of an executed lesson that ran and were skipped.

    A section is a ``##`` heading with its code cells, up to the next ``##`` or
    ``###`` heading; a ``###`` heading starts a subsection, named ``"<section> ›
    <subsection>"``. A section is skipped when one of its cells showed the line of
    :func:`custlib.course.sections.needs` (recorded in the output's metadata); the reasons
    of its cells are joined. A skipped exercise is listed as ``"<section>: exercise
    qN"``. Sections without code, the data set-up and "Next" are not listed.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed lesson.

    Returns
    -------
    dict
        ``ran`` (list of titles, in order) and ``skipped`` ({title: reason}).

    Examples
    --------
    >>> import nbformat
    >>> from custlib.course.sections import METADATA_KEY
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("## 1. Tiers"), nbformat.v4.new_code_cell("1"),
    ...     nbformat.v4.new_markdown_cell("## 2. Profit"), nbformat.v4.new_code_cell("2")])
    >>> nb.cells[3].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "x"},
    ...     metadata={METADATA_KEY: {"skipped": "needs `orders` with `cost`"}})]
    >>> lesson_sections(nb)
    {'ran': ['1. Tiers'], 'skipped': {'2. Profit': 'needs `orders` with `cost`'}}
    """
    from custlib.course.sections import METADATA_KEY

    order: list[str] = []
    skipped: dict[str, list[str]] = {}
    top = sub = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("## "):
                    top, sub = line[3:].strip(), None
                elif line.startswith("### ") and top is not None:
                    sub = line[4:].strip()
            continue
        if cell.cell_type != "code" or top is None or top.startswith(_NOT_SECTIONS):
            continue
        title = top if sub is None else f"{top} › {sub}"
        if title not in order:
            order.append(title)
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get(METADATA_KEY)
            if not record:
                continue
            exercise = cell.get("metadata", {}).get("exercise", {}).get("id")
            key = f"{title}: exercise {exercise}" if exercise else title
            reasons = skipped.setdefault(key, [])
            if record["skipped"] not in reasons:
                reasons.append(record["skipped"])
    return {"ran": [t for t in order if t not in skipped],
            "skipped": {k: "; ".join([v[0]] + [r.removeprefix("needs ") for r in v[1:]])
                        for k, v in skipped.items()}}
