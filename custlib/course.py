"""Run the course: execute every lesson on a data folder and publish it as HTML.

Each lesson is executed in its own kernel. Its data is given papermill-style: a
cell tagged ``injected-parameters`` is inserted after the lesson's ``parameters``
cell, setting ``DATA`` (the validated tables of the run), ``MAPPING`` and ``AS_OF``
(see :func:`inject_parameters`); the environment variable ``CUSTLIB_OUT`` names a
folder where the lesson may write files (Excel workbooks, charts). A lesson's
sections that the data cannot feed are skipped with one line each
(:mod:`custlib.sections`); :func:`lesson_sections` reads which ran and which were
skipped from the executed lesson. The executed lessons are written as one HTML page
each, plus an ``index.html`` linking them and listing those sections.

The pages are handouts that work without the internet: MathJax is copied beside them
(:func:`copy_mathjax`) and nothing else is loaded from elsewhere
(:func:`lesson_exporter`); each page is titled with its lesson's heading and links the
previous lesson, the index and the next lesson (:func:`lesson_nav`).

The output is built in a temporary folder beside ``out`` and moved into place only
when every lesson ran, so a failed run never leaves a half-written report and never
touches a previous one.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from custlib._outdir import (OutputLock, apply_umask, build_prefix, check_inputs_outside,
                             check_out, current_umask, remove_stale, swap_in, write_marker)
from custlib._share import shared

__all__ = ["NOTEBOOK_DIR", "CELL_TIMEOUT", "lessons", "lesson_title", "first_sentence",
           "lesson_requires", "unmet_requirements", "inject_parameters", "lesson_sections",
           "execute_notebook", "execute_notebook_node", "lesson_timings", "for_html", "lesson_exporter",
           "lesson_nav", "copy_mathjax", "MATHJAX_DIR", "run_course",
           "stop_all_kernels", "LessonError", "MAX_JOBS", "PARAMETERS", "DATA_ENV"]

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
    (:mod:`custlib.sections`).

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

    A column counts as present when the table has it with at least one value (the
    test of :func:`custlib.sections.missing`, which a lesson's sections use).

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
    >>> from custlib.data import load
    >>> unmet_requirements(load(), ["orders", "customers.org_type"])
    []
    """
    from custlib.sections import missing

    reasons = []
    for req in requires:
        for table, column in missing(crm, [req]):
            if table == "months":
                why = f"needs orders in both halves of the {column} months up to the analysis date"
            else:
                why = (f"needs the {table} table" if getattr(crm, table, None) is None
                       else f"needs column {column} of {table}")
            if why not in reasons:
                reasons.append(why)
    return reasons


#: A lesson's cells run in seconds on the bundled data; a cell still running after
#: this long is reported as stuck (``custlib run --cell-timeout`` raises it for a
#: very large export).
CELL_TIMEOUT = 120

#: Lessons executed at once by :func:`run_course`: a kernel each, one per core.
MAX_JOBS = 2

#: The manager's workbook in a run's ``files/`` folder.
WORKBOOK_FILE = "customer-analysis-workbook.xlsx"

#: A gap above this between one cell's reply and the next cell's start is reported
#: in the run summary: the client, not the kernel, was waiting.
GAP_WARNING = 30.0


def _quiet_output_widget():
    from nbclient.output_widget import OutputWidget

    class QuietOutputWidget(OutputWidget):
        """nbclient's stand-in for a browser's ``Output`` widget, without the echo.

        nbclient's stand-in sends every captured output back to the kernel as a
        ``comm_msg`` on the shell socket, from the coroutine that reads IOPub, while
        another coroutine awaits the cell's ``execute_reply`` on that same socket.
        ZMQ signals a socket's readiness through an edge-triggered descriptor, and a
        send processes the socket's pending events: when the reply arrives during the
        send, its wake-up is consumed and the waiting poll sees the reply only when
        its timeout expires. The cell then "takes" the whole cell timeout with both
        processes idle (600 s with nbclient's default; nbclient#312, pyzmq#199).
        The kernel needs nothing from the echo (only a browser's view uses that
        state), so it is not sent.
        """

        def sync_state(self) -> None:
            pass

    return QuietOutputWidget


_LIVE: set = set()             # the clients of executions now running
_LIVE_LOCK = threading.Lock()


def stop_all_kernels(wait: float = 10.0) -> None:
    """Kill the kernels of every execution still running (after Ctrl-C), waiting up to
    ``wait`` seconds for those still starting."""
    deadline = time.monotonic() + wait
    while True:
        with _LIVE_LOCK:
            clients = list(_LIVE)
        for client in clients:
            _stop_kernel(client)
        if not clients or time.monotonic() > deadline:
            return
        time.sleep(0.25)


def execute_notebook_node(nb, *, cwd: str | os.PathLike | None = None, env: dict | None = None,
                          timeout: int = CELL_TIMEOUT, name: str = "notebook", log=None):
    """Execute a notebook in a fresh kernel; return it with outputs and timing metadata.

    The kernel is the current environment's ``python3``, launched over IPC sockets
    (local files, no TCP port to race for and no unencrypted-TCP warning), in its own
    session so that Ctrl-C in the terminal reaches this process only. Each cell gets
    ``timeout`` seconds; its timing is kept in ``cell.metadata.execution``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Executed in place.
    cwd : path-like, optional
        The kernel's working directory.
    env : dict, optional
        Extra environment variables for the kernel; a value None removes the variable.
    timeout : int
        Seconds a cell may run.
    name : str
        How errors name the notebook.
    log : file, optional
        Where the kernel process writes its own messages (default: discarded).

    Returns
    -------
    nbformat.NotebookNode
        ``nb``.

    Raises
    ------
    LessonError
        A cell raised, ran out of time or the kernel died; the message names the
        notebook and the cell.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    # IPC sockets live in a private folder named by an absolute path: a relative
    # name would be resolved against two different working directories.
    # The connection file goes there too, so a run that is killed leaves one folder
    # that the next run removes (_remove_stale_kernel_folders).
    sockets = tempfile.mkdtemp(prefix=f"{_KERNEL_PREFIX}{os.getpid()}-")
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = os.path.join(sockets, "k")
    config.KernelManager.connection_file = os.path.join(sockets, "kernel.json")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", config=config,
                            record_timing=True,
                            resources={"metadata": {"path": str(cwd)}} if cwd else {})
    client.widget_registry["@jupyter-widgets/output"]["OutputModel"] = _quiet_output_widget()
    stream = log if log is not None else subprocess.DEVNULL
    kernel_env = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    # nbclient runs on a thread of its own: off the main thread it installs no signal
    # handlers, so Ctrl-C arrives here as a KeyboardInterrupt, and this thread stops
    # the kernel (nbclient's own handler shut it down and then failed on its cleanup).
    failure: list[BaseException] = []

    def work() -> None:
        try:
            client.execute(env=kernel_env, stdout=stream, stderr=stream)
        except BaseException as exc:  # handed to the calling thread
            failure.append(exc)

    worker = threading.Thread(target=work, name=f"execute {name}", daemon=True)
    with _LIVE_LOCK:
        _LIVE.add(client)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        for _ in range(40):          # the kernel may still be starting
            _stop_kernel(client)
            worker.join(0.25)
            if not worker.is_alive():
                break
        shutil.rmtree(sockets, ignore_errors=True)
        raise
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(client)
    try:
        if failure:
            raise failure[0]
    except CellTimeoutError:
        raise LessonError(f"{name}: {_running_cell(nb)} was still running after {timeout} s "
                          "(pass --cell-timeout to allow more for a large export)") from None
    except DeadKernelError:
        raise LessonError(f"{name}: the kernel died during {_running_cell(nb)} "
                          "(out of memory?)") from None
    except CellExecutionError as exc:
        raise LessonError(f"{name} failed:\n{exc}") from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return nb


_KERNEL_PREFIX = "custlib-kernel-"


def _remove_stale_kernel_folders() -> list[str]:
    """Remove kernel folders (connection file, IPC sockets) of runs that were killed."""
    from custlib._outdir import remove_dead

    return [str(p) for p in remove_dead(Path(tempfile.gettempdir()), (_KERNEL_PREFIX,))]


def _stop_kernel(client) -> None:
    """Kill the kernel of an interrupted execution and remove its connection file."""
    import signal

    km = client.km
    if km is None:
        return
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:  # the connection file and IPC sockets (synchronous; cleanup_resources is async here)
        km.cleanup_connection_file()
        km.cleanup_ipc_files()
    except Exception:  # the kernel may not have started yet
        pass


def _running_cell(nb) -> str:
    """'cell N (first line)' of the first cell without a reply."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "shell.execute_reply" not in cell.metadata.get("execution", {}):
            first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            return f"cell {i} ({first.strip()[:60]})"
    return "a cell"


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
    :func:`custlib.sections.needs` (recorded in the output's metadata); the reasons
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
    >>> from custlib.sections import METADATA_KEY
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("## 1. Tiers"), nbformat.v4.new_code_cell("1"),
    ...     nbformat.v4.new_markdown_cell("## 2. Profit"), nbformat.v4.new_code_cell("2")])
    >>> nb.cells[3].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "x"},
    ...     metadata={METADATA_KEY: {"skipped": "needs `orders` with `cost`"}})]
    >>> lesson_sections(nb)
    {'ran': ['1. Tiers'], 'skipped': {'2. Profit': 'needs `orders` with `cost`'}}
    """
    from custlib.sections import METADATA_KEY

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


def execute_notebook(path: str | os.PathLike, *, data: str | os.PathLike | None = None,
                     mapping: str | os.PathLike | None = None, as_of=None,
                     files_out: str | os.PathLike | None = None, timeout: int = CELL_TIMEOUT,
                     log=None, workbook: str | os.PathLike | None = None):
    """Execute a lesson file in a fresh kernel, its folder as working directory.

    When ``data``, ``mapping`` or ``as_of`` is given, the lesson's parameters
    ``DATA``, ``MAPPING`` and ``AS_OF`` are set by a cell injected after its
    ``parameters`` cell (:func:`inject_parameters`), and ``CUSTLIB_DATA``,
    ``CUSTLIB_MAPPING`` and ``CUSTLIB_AS_OF`` are removed from the kernel's
    environment: the injected values alone say what the lesson reads. Without them
    the lesson runs as committed (its ``load`` then falls back on those variables, as
    in JupyterLab).

    Parameters
    ----------
    path : path-like
        The ``.ipynb`` file (only read).
    data : path-like, optional
        ``DATA``: a data folder or file.
    mapping : path-like, optional
        ``MAPPING``: the mapping file of a raw export.
    as_of : date-like, optional
        ``AS_OF``: the analysis date (``YYYY-MM-DD``).
    files_out : path-like, optional
        ``CUSTLIB_OUT`` for the kernel: where the lesson may write files.
    timeout : int
        Seconds a cell may run.
    log : file, optional
        Where the kernel process writes its own messages.
    workbook : path-like, optional
        ``CUSTLIB_WORKBOOK`` for the kernel: the run's Excel workbook, already written,
        for a lesson that reads it (see :func:`lesson_reads`) instead of writing its own.

    Returns
    -------
    nbformat.NotebookNode
        The executed lesson, with outputs and ``metadata.execution`` timings.

    Examples
    --------
    >>> nb = execute_notebook(lessons()[0], data="data/synthetic")   # doctest: +SKIP
    >>> lesson_timings(nb)["longest_gap"] < 1                          # doctest: +SKIP
    True
    """
    import nbformat

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    env: dict = {}
    if data is not None or mapping is not None or as_of is not None:
        inject_parameters(nb, DATA=None if data is None else str(data),
                          MAPPING=None if mapping is None else str(mapping),
                          AS_OF=None if as_of is None else str(as_of))
        env.update(dict.fromkeys(DATA_ENV))
    if files_out is not None:
        env["CUSTLIB_OUT"] = str(files_out)
    env["CUSTLIB_WORKBOOK"] = None if workbook is None else str(workbook)
    return execute_notebook_node(nb, cwd=path.parent, env=env, timeout=timeout, name=path.name,
                                 log=log)


def _timestamp(value: str) -> float:
    return _dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def lesson_timings(nb) -> dict:
    """The longest cell and the longest gap between cells of an executed notebook.

    A cell's time is its ``shell.execute_reply`` − ``iopub.execute_input`` (the
    kernel's work); a gap is a cell's ``iopub.execute_input`` − the previous cell's
    ``shell.execute_reply`` (the client's wait before sending the next cell: a
    fraction of a second when healthy).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Executed with timing metadata (:func:`execute_notebook`).

    Returns
    -------
    dict
        ``longest_cell`` and ``longest_gap`` (s), ``longest_cell_at`` and
        ``longest_gap_at`` (cell indices, −1 when there are none).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"), nbformat.v4.new_code_cell("2")])
    >>> nb.cells[0].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00.0Z",
    ...                                      "shell.execute_reply": "2026-01-01T00:00:02.5Z"}
    >>> nb.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:03.0Z",
    ...                                      "shell.execute_reply": "2026-01-01T00:00:03.5Z"}
    >>> lesson_timings(nb)
    {'longest_cell': 2.5, 'longest_cell_at': 0, 'longest_gap': 0.5, 'longest_gap_at': 1}
    """
    out = {"longest_cell": 0.0, "longest_cell_at": -1, "longest_gap": 0.0, "longest_gap_at": -1}
    previous = None
    for i, cell in enumerate(nb.cells):
        ex = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" not in ex or "shell.execute_reply" not in ex:
            continue
        start, reply = _timestamp(ex["iopub.execute_input"]), _timestamp(ex["shell.execute_reply"])
        if reply - start > out["longest_cell"]:
            out["longest_cell"], out["longest_cell_at"] = round(reply - start, 3), i
        if previous is not None and start - previous > out["longest_gap"]:
            out["longest_gap"], out["longest_gap_at"] = round(start - previous, 3), i
        previous = reply
    return out


def for_html(nb):
    """A copy of an executed lesson for the static HTML: no live widgets.

    Widget views are replaced by the static copy their bundle carries (a what-if's
    first run, see :func:`custlib.plotting.what_if`) and the widget state is dropped,
    so the page needs no widget manager from the internet and shows every chart.
    """
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    view = "application/vnd.jupyter.widget-view+json"
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if view in data:
                del data[view]
                if "text/html" not in data:
                    data["text/plain"] = "(an interactive widget: run the lesson in JupyterLab)"
    return nb


#: The MathJax 2.7 of ``jupyter-server-mathjax`` is copied into ``lessons/`` under this
#: name: a handout shows its formulas without the internet. Beside the pages, not
#: above them: a browser may refuse web fonts of a ``file://`` page from elsewhere.
MATHJAX_DIR = "mathjax"
#: The combined configuration loaded (the one that package ships: TeX and MathML in,
#: HTML-CSS out, with the STIX-Web fonts) and MathJax's ``Safe`` mode.
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
#: What that configuration loads, or may load on demand for a formula, a menu or a
#: font: not the other outputs (SVG), the other languages or the accessibility
#: explorer (4 MB, off unless chosen in MathJax's menu).
_MATHJAX_FILES = ("LICENSE", "MathJax.js", "config/TeX-AMS-MML_HTMLorMML-full.js",
                  "config/Safe.js", "extensions/*.js", "extensions/TeX/**/*",
                  "extensions/HTML-CSS/**/*", "extensions/MathML/**/*", "jax/element/**/*",
                  "jax/output/HTML-CSS/**/*", "fonts/HTML-CSS/STIX-Web/woff/*",
                  "localization/en/*")


def mathjax_source() -> Path:
    """The folder of MathJax's static files in ``jupyter-server-mathjax``."""
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def copy_mathjax(dest: Path) -> Path:
    """Copy the part of MathJax the lesson pages use into ``dest``; return ``MathJax.js``.

    The files get the modes of new files (``shutil.copyfile``), not those of the
    installed package.

    Parameters
    ----------
    dest : Path
        Created; usually ``<out>/lessons/mathjax``.

    Returns
    -------
    Path
    """
    src = mathjax_source()
    for pattern in _MATHJAX_FILES:
        for f in sorted(src.glob(pattern)):
            if f.is_file():
                target = dest / f.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, target)
    return dest / "MathJax.js"


#: The lesson pages: nbconvert's ``lab`` template, loading nothing from the network.
#: require.js, the widget manager and mermaid would come from a CDN; the pages use
#: none of them (:func:`for_html` turns the what-ifs into pictures). MathJax comes
#: from ``lessons/mathjax`` with the web fonts shipped there. A bar of links to the
#: previous lesson, the index and the next lesson opens and closes the page.
_LESSON_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{% from 'mathjax.html.j2' import mathjax %}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({"HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web",
                                 imageFont: null, linebreaks: {automatic: true}},
                    menuSettings: {zoom: "None"}});
</script>
{{ mathjax(resources.mathjax_url) }}
{%- endblock html_head_js_mathjax -%}
{% block extra_css %}
<style type="text/css">
nav.custlib-nav { display: flex; justify-content: space-between; gap: 1em; align-items: baseline;
  font-family: var(--jp-ui-font-family); font-size: var(--jp-ui-font-size1);
  margin: 0 0 1em; padding: .6em 0; border-bottom: 1px solid var(--jp-border-color2); }
nav.custlib-nav.bottom { margin: 2em 0 0; border-bottom: 0; border-top: 1px solid var(--jp-border-color2); }
nav.custlib-nav a { color: var(--jp-content-link-color); text-decoration: none; }
nav.custlib-nav a:hover { text-decoration: underline; }
nav.custlib-nav .prev, nav.custlib-nav .next { flex: 1 1 0; }
nav.custlib-nav .next { text-align: right; }
@media print { nav.custlib-nav { display: none; } }
</style>
{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ (resources.custlib_nav or '') | replace('custlib-nav', 'custlib-nav top') }}
{%- endblock body_header -%}
{% block body_footer %}
{{ (resources.custlib_nav or '') | replace('custlib-nav', 'custlib-nav bottom') }}
{{ super() }}
{% endblock body_footer %}
"""


def lesson_exporter():
    """The ``HTMLExporter`` of the lesson pages: offline, with links between lessons.

    Every URL a page could load is local: MathJax from ``mathjax/`` beside the pages
    (:func:`copy_mathjax`), require.js, mermaid and the widget manager not at all.
    Render with ``resources={"custlib_nav": ...}`` (:func:`lesson_nav`).

    Returns
    -------
    nbconvert.HTMLExporter
    """
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", raw_template=_LESSON_TEMPLATE,
                        mathjax_url=f"{MATHJAX_DIR}/MathJax.js?config={MATHJAX_CONFIG}",
                        require_js_url="", jquery_url="", mermaid_js_url="",
                        mermaid_layout_elk_js_url="", jupyter_widgets_base_url="",
                        widget_renderer_url="")


def lesson_nav(pages: list[tuple[str, str]], at: int) -> str:
    """The links of lesson page ``at``: the previous lesson, the index, the next lesson.

    Parameters
    ----------
    pages : list of (str, str)
        The file name (``NN_name.html``) and title of each lesson that ran, in order.
    at : int
        This page's place in ``pages``.

    Returns
    -------
    str
        A ``<nav class="custlib-nav">``; the first page has no previous link, the last
        no next one.

    Examples
    --------
    >>> nav = lesson_nav([("00_a.html", "0. A"), ("01_b.html", "1. B")], 0)
    >>> 'rel="prev"' in nav, 'href="../index.html"' in nav, 'rel="next" href="01_b.html"' in nav
    (False, True, True)
    """
    prev = next_ = ""
    if at > 0:
        href, title = pages[at - 1]
        prev = (f'<a rel="prev" href="{html.escape(href)}" title="previous lesson">'
                f"← {html.escape(title)}</a>")
    if at + 1 < len(pages):
        href, title = pages[at + 1]
        next_ = (f'<a rel="next" href="{html.escape(href)}" title="next lesson">'
                 f"{html.escape(title)} →</a>")
    return (f'<nav class="custlib-nav" aria-label="lessons"><span class="prev">{prev}</span>'
            f'<a rel="index" class="index" href="../index.html">All lessons</a>'
            f'<span class="next">{next_}</span></nav>')


def _save_charts(nb, folder: Path, stem: str) -> int:
    """Write every PNG chart of an executed lesson as ``<stem>-<n>.png``; return how many."""
    import base64

    n = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get("image/png")
            if data:
                n += 1
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{stem}-{n}.png").write_bytes(base64.b64decode(data))
    return n


def _sections_html(sections: dict | None) -> str:
    """The sections a lesson ran and skipped, for its entry on the index page."""
    if not sections or not (sections.get("ran") or sections.get("skipped")):
        return ""
    out = ""
    if sections.get("ran"):
        out += ('<br><span class="r">sections run: '
                + "; ".join(html.escape(t) for t in sections["ran"]) + "</span>")
    if sections.get("skipped"):
        rows = "".join(f"<li>{html.escape(t)}: <em>{html.escape(r.replace('`', ''))}</em></li>"
                       for t, r in sections["skipped"].items())
        out += f'<br><span class="k">sections skipped (the data does not hold what they need):</span><ul class="k">{rows}</ul>'
    return out


def _index_html(entries: list[tuple], skipped: list[tuple[str, str]], data: Path,
                when: str, report_lines: list[str]) -> str:
    items = "\n".join(
        f'  <li><a href="{html.escape(href)}">{html.escape(title)}</a>'
        f'<br><span class="s">{html.escape(summary)}</span>'
        f'{_sections_html(sections[0] if sections else None)}</li>'
        for href, title, summary, *sections in entries)
    skipped_html = ""
    if skipped:
        rows = "\n".join(f"  <li>{html.escape(t)}: <em>{html.escape(r)}</em></li>" for t, r in skipped)
        skipped_html = (f"<h2>Lessons skipped</h2>\n<p>The data does not hold what these need:</p>"
                        f"\n<ul>\n{rows}\n</ul>")
    notes = "".join(f"<li>{html.escape(x)}</li>" for x in report_lines)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Customer Analysis Workbook — lessons</title>
<style>body{{font-family:sans-serif;max-width:52em;margin:2em auto;line-height:1.5}}
li{{margin:.6em 0}} ul.lessons{{list-style:none;padding-left:0}} .s{{color:#555}} .r,.k{{font-size:.9em;color:#555}} ul.k{{margin:.2em 0;list-style:disc}}
ul.k li{{margin:.1em 0}} footer{{color:#777;font-size:.9em;margin-top:2em}}</style>
</head><body>
<h1>Customer Analysis Workbook (客户分析)</h1>
<p>The lessons, executed on the data in <code>{html.escape(str(data))}</code>.</p>
<ul class="lessons">
{items}
</ul>
{skipped_html}
<h2>Files for the sales manager</h2>
<ul>
<li><a href="files/customer-analysis-workbook.xlsx">customer-analysis-workbook.xlsx</a>: the
master table, its roll-ups, the pyramid, Pareto, lifecycle, grade and funnel tables, and
the early-warning call list (流失预警)</li>
<li><a href="files/charts/">charts/</a>: the charts as PNG;
<a href="files/">files/</a>: everything the lessons wrote</li>
<li><a href="data/validation.txt">validation.txt</a>: what was read, and every warning</li>
</ul>
<ul class="s">{notes}</ul>
<footer>Built {html.escape(when)}.</footer>
</body></html>
"""


def run_course(data: str | os.PathLike | None, out: str | os.PathLike, *, force: bool = False,
               progress: bool = True, notebook_dir: str | os.PathLike | None = None,
               timeout: int = CELL_TIMEOUT, workbook: bool = True, mapping=None, as_of=None,
               pseudonymise: bool = False, key: str | None = None, jobs: int | None = None,
               allow_outside: bool = False, currency: str | None = None,
               thresholds=None) -> dict:
    """Execute every lesson the data allows and write HTML pages, an index, the Excel
    workbook and the charts to ``out``.

    The input is first validated and normalised by :func:`custlib.ingest.import_data`
    into ``out/data`` (the input itself is only read); the lessons then run on that
    folder (injected as each lesson's ``DATA``), each in its own kernel. Lessons whose
    tables or columns are missing (see :func:`lesson_requires`) are skipped with the
    reason; inside a lesson that runs, the sections the data cannot feed are skipped
    with one line each, and listed on the index page.

    Parameters
    ----------
    data : path-like or None
        A folder of tables or a single orders file (None: ``$CUSTLIB_DATA``, else the
        bundled synthetic data).
    out : path-like
        Output folder: ``index.html``, ``lessons/NN_*.html`` (with ``lessons/mathjax/``
        for their formulas), ``notebooks/NN_*.ipynb``
        (executed), ``files/`` (the workbook, ``charts/`` and what the lessons wrote)
        and ``data/`` (the normalised tables and ``validation.txt``).
    force : bool
        Replace an existing non-empty ``out``; without it such a folder is refused.
    progress : bool
        Show a progress bar.
    timeout : int
        Seconds a lesson cell may run before the run stops with an error naming the
        lesson and the cell (default :data:`CELL_TIMEOUT`).
    workbook : bool
        Also write the manager's Excel workbook and the PNG charts
        (:func:`custlib.report.write_workbook`, :func:`custlib.report.write_charts`).
    mapping : path-like, optional
        Mapping file for the export (see :func:`custlib.ingest.read_mapping`).
    as_of : date-like, optional
        Extraction date (default: the mapping's, else today).
    pseudonymise : bool
        Replace names, phones, e-mails and QQ numbers by stable pseudonyms everywhere.
    key : str, optional
        Secret key of the pseudonyms (default ``$CUSTLIB_PSEUDONYM_KEY``).
    jobs : int, optional
        Lessons executed at once (default: the number of cores, at most
        :data:`MAX_JOBS`).
    allow_outside : bool
        Read files outside the data folder and the mapping's folder (see
        :func:`custlib.ingest.locate`).
    currency : str, optional
        Currency of the amounts (default: the mapping's, else CNY).
    thresholds : sequence of float, optional
        The pyramid's revenue cut-offs (default: the mapping's, else fitted to the data,
        see :func:`custlib.pyramid.thresholds_for`).

    Returns
    -------
    dict
        ``out`` (Path), ``ran`` (lesson names), ``skipped`` ({lesson: reason}),
        ``sections`` ({lesson: {"ran": [titles], "skipped": {title: reason}}}, see
        :func:`lesson_sections`), ``report`` (the :class:`custlib.ingest.Report`),
        ``timings`` ({lesson: :func:`lesson_timings` plus ``wall`` in s}), ``stale``
        (what interrupted runs had left and this run removed).

    Raises
    ------
    custlib.ingest.InputError
        The data has errors (nothing is written).
    FileExistsError
        (:class:`custlib._outdir.OutputError`) ``out`` is a file; or it is not empty
        and ``force`` is not set, or custlib did not write it, or it holds files the
        run did not write, or a file the run reads lies inside it, or another run is
        writing it. Nothing is changed.
    custlib.course.LessonError
        A lesson failed (nothing is written; a previous ``out`` is left as it was).

    Examples
    --------
    ``make workbook`` runs ``custlib run``, which calls::

        run_course("data/synthetic", "build/workbook", force=True)
    """
    from custlib.data import DEFAULT_DATA_DIR

    if data in (None, ""):
        data = os.environ.get("CUSTLIB_DATA") or DEFAULT_DATA_DIR
    data = Path(data).expanduser().resolve()
    if not data.exists():
        raise FileNotFoundError(f"{data} does not exist: expected a folder of tables or an orders file")
    out = Path(os.path.abspath(Path(out).expanduser()))
    if mapping is not None:
        check_inputs_outside(out, [Path(mapping)])
    check_out(out, force)
    src = data
    if src == out or (src.is_dir() and src in out.parents) or out in src.parents:
        raise ValueError(f"the output folder {out} must not be inside the data folder {src} "
                         "or contain it: the data is never written to")
    found = lessons(notebook_dir)
    if not found:
        raise FileNotFoundError(f"no lessons (NN_*.ipynb) in {notebook_dir or NOTEBOOK_DIR}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with OutputLock(out):
        stale = remove_stale(out) + _remove_stale_kernel_folders()
        result = _build_and_swap(data, out, found, force=force, progress=progress,
                                 timeout=timeout, workbook=workbook, mapping=mapping,
                                 as_of=as_of, pseudonymise=pseudonymise, key=key, jobs=jobs,
                                 allow_outside=allow_outside, currency=currency,
                                 thresholds=thresholds)
    result["stale"] = stale
    return result


def _write_deliverables(held: list, files: Path, report) -> None:
    """The manager's Excel workbook and the PNG charts, for the analysis date of the run
    (the one given, else the latest date in the data).

    ``held`` holds the only reference to the tables, taken out here: once the files are
    written the tables are freed and the memory given back to the system (Arrow's
    allocator keeps freed memory for reuse otherwise), while the lessons still run."""
    import gc

    import pyarrow as pa

    from custlib.report import write_charts, write_workbook

    crm = held.pop()
    when = report.as_of if report.as_of_source != "today" else None
    # the cover names what was read: the files' names, never a folder
    source = ", ".join(dict.fromkeys(p.name for p in report.files.values()))
    write_workbook(crm, files / WORKBOOK_FILE, as_of=when, source=source)
    write_charts(crm, files / "charts", as_of=when)
    del crm
    gc.collect()
    pa.default_memory_pool().release_unused()


def _relocate(nb, build: Path, out: Path) -> None:
    """Point an executed lesson at where its files end up: the injected ``DATA`` becomes
    ``"../data"`` (right for the copy in ``OUT/notebooks/``), and the temporary build
    folder named in any output becomes ``OUT``."""
    data, tmp = repr(str(build / "data")), str(build)

    def fix(obj):
        if isinstance(obj, str):
            return obj.replace(data, repr("../data")).replace(tmp, str(out))
        if isinstance(obj, list):
            return [fix(x) for x in obj]
        if isinstance(obj, dict):
            for k in list(obj):
                obj[k] = fix(obj[k])
        return obj

    for cell in nb.cells:
        cell.source = fix(cell.source)
        if cell.cell_type == "code":
            cell.outputs = fix(cell.outputs)


def _build_and_swap(data: Path, out: Path, found: list[Path], *, force, progress, timeout,
                    workbook, mapping, as_of, pseudonymise, key, jobs, allow_outside,
                    currency=None, thresholds=None) -> dict:
    import nbformat
    from tqdm.auto import tqdm

    from custlib.data import load
    from custlib.ingest import import_data

    umask = current_umask()      # read before any thread of the run starts
    build = Path(tempfile.mkdtemp(prefix=build_prefix(out), dir=out.parent))
    try:
        os.chmod(build, 0o777 & ~umask)      # mkdtemp's 0o700 would become out's mode
        report = import_data(data, build / "data", mapping=mapping, as_of=as_of,
                             pseudonymise=pseudonymise, key=key, allow_outside=allow_outside,
                             currency=currency, thresholds=thresholds)
        check_inputs_outside(out, [data, *report.files.values()]
                             + ([report.mapping] if report.mapping else []))
        crm = load(build / "data")
        for sub in ("lessons", "notebooks", "files"):
            (build / sub).mkdir()
        copy_mathjax(build / "lessons" / MATHJAX_DIR)
        exporter = lesson_exporter()
        entries, skipped = [], {}
        todo = []
        for path in found:
            reasons = unmet_requirements(crm, lesson_requires(path))
            if reasons:
                skipped[path.name] = "; ".join(reasons)
            else:
                todo.append(path)
        # the pages link the lessons that run, in order (a skipped lesson has no page)
        titles = {path.name: lesson_title(path) for path in found}
        pages = [(f"{path.stem}.html", titles[path.name][0]) for path in todo]
        timings, sections = {}, {}
        reads = {path.name: lesson_reads(path) for path in todo}
        book_file = build / "files" / WORKBOOK_FILE

        def run_one(path: Path):
            given = None
            if "workbook" in reads[path.name] and book is not None:
                book.result()            # a lesson reading the workbook starts after it
                given = book_file
            t0 = time.perf_counter()
            with tempfile.TemporaryFile(mode="w+") as log:   # the kernel's own messages
                try:
                    nb = execute_notebook(path, data=build / "data", files_out=build / "files",
                                          timeout=timeout, log=log, workbook=given)
                except LessonError as exc:
                    log.seek(0)
                    tail = "".join(log.readlines()[-15:]).strip()
                    if tail and "died" in str(exc):
                        raise LessonError(f"{exc}\n\nkernel messages:\n{tail}") from None
                    raise
            return nb, time.perf_counter() - t0

        # Lessons are independent: up to `jobs` run at once, each in its own kernel;
        # results are collected in lesson order. The manager's workbook and charts are
        # the first job, written in this process (one thread draws: the only matplotlib
        # user here) while the first lessons run: one job per core, and this process
        # holds its copy of the tables only until the workbook is written.
        workers = max(1, min(jobs or (os.cpu_count() or 1), MAX_JOBS,
                             len(todo) + bool(workbook) or 1))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lesson")
        held = [crm]
        del crm          # the writer takes the last reference: freed once the workbook is written
        book = pool.submit(_write_deliverables, held, build / "files", report) if workbook else None
        del held
        futures = []
        try:
            futures = [pool.submit(run_one, path) for path in todo]
            for at, (path, future) in enumerate(tqdm(list(zip(todo, futures)), desc="lessons",
                                                     unit="lesson", disable=not progress)):
                nb, wall = future.result()
                timings[path.name] = {**lesson_timings(nb), "wall": round(wall, 3)}
                sections[path.name] = lesson_sections(nb)
                _relocate(nb, build, out)
                nbformat.write(nb, build / "notebooks" / path.name)
                _save_charts(nb, build / "files" / "charts", path.stem)
                title, summary = titles[path.name]
                page = for_html(nb)
                page.metadata["title"] = title             # the browser tab's name
                body, _ = exporter.from_notebook_node(
                    page, resources={"custlib_nav": lesson_nav(pages, at)})
                (build / "lessons" / f"{path.stem}.html").write_text(body, encoding="utf-8")
                entries.append((f"lessons/{path.stem}.html", title, summary, sections[path.name]))
        except BaseException:
            for future in futures:
                future.cancel()
            stop_all_kernels()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            if book is not None:
                book.result()
        when = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        skipped_titles = [(titles[p.name][0], skipped[p.name]) for p in found if p.name in skipped]
        notes = [f"{len(report.warnings)} warning(s) from validation; see validation.txt"] + \
            [str(n) for n in report.notes]
        # a pseudonymised report names no folder (a folder name may name a person)
        shown = Path(data.name if data.is_file() else "the data folder") if pseudonymise else data
        (build / "index.html").write_text(_index_html(entries, skipped_titles, shown, when, notes),
                                          encoding="utf-8")
        from custlib import __version__

        write_marker(build, {"custlib": __version__,
                             # a pseudonymised run records no path: a folder may name a person
                             "data": None if pseudonymise else str(data),
                             "mapping": str(report.mapping) if report.mapping and not pseudonymise
                             else None,
                             "lessons": [p.name for p in todo]})
        # whatever wrote them (a lesson, a library through mkstemp), the report's folders
        # and files get the user's usual modes: the folder is for sharing
        apply_umask(build, umask)
        swap_in(build, out, force)
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
    return {"out": out, "ran": [p.name for p in todo], "skipped": skipped, "report": report,
            "timings": timings, "sections": sections}
