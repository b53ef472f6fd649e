"""Executing one lesson in its own kernel: parameters injected, a stuck cell reported with
its number after :data:`CELL_TIMEOUT`, the kernel always stopped, the cells' timings read."""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from custlib._extras import require
from custlib.course.catalog import DATA_ENV, LessonError, inject_parameters


#: A lesson's cells run in seconds on the bundled data; a cell still running after
#: this long is reported as stuck (``custlib run --cell-timeout`` raises it for a
#: very large export).
CELL_TIMEOUT = 120

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
    require("course", "executing a lesson")
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
    # Arrow's allocator (mimalloc) gives freed pages back at once rather than after a
    # delay, unless the user says otherwise: two kernels run side by side, and pages
    # kept for reuse count against both (a lesson runs at the same speed)
    env["MIMALLOC_PURGE_DELAY"] = os.environ.get("MIMALLOC_PURGE_DELAY", "0")
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
