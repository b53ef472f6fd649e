"""Run the course: execute every lesson on a data folder and publish it as HTML.

Each lesson is executed in its own kernel. Its data is given papermill-style: a
cell tagged ``injected-parameters`` is inserted after the lesson's ``parameters``
cell, setting ``DATA`` (the validated tables of the run), ``MAPPING`` and ``AS_OF``
(see :func:`inject_parameters`); the environment variable ``CUSTLIB_OUT`` names a
folder where the lesson may write files (Excel workbooks, charts). A lesson's
sections that the data cannot feed are skipped with one line each
(:mod:`custlib.course.sections`); :func:`lesson_sections` reads which ran and which were
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
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from custlib._outdir import (OutputLock, apply_umask, build_prefix, check_inputs_outside,
                             check_out, current_umask, remove_stale, swap_in, write_marker)
from custlib.course.catalog import (LessonError, NOTEBOOK_DIR, lesson_reads, lesson_requires,
                                    lesson_sections, lesson_title, lessons, unmet_requirements)
from custlib.course.handouts import (MATHJAX_DIR, _index_html, _save_charts, copy_mathjax, for_html,
                                     lesson_exporter, lesson_nav)
from custlib.course.kernel import (CELL_TIMEOUT, _remove_stale_kernel_folders, execute_notebook,
                                   lesson_timings, stop_all_kernels)


#: Lessons executed at once by :func:`run_course`: a kernel each, one per core.
MAX_JOBS = 2

#: The manager's workbook in a run's ``files/`` folder.
WORKBOOK_FILE = "customer-analysis-workbook.xlsx"

def run_course(data: str | os.PathLike | None, out: str | os.PathLike, *, force: bool = False,
               progress: bool = True, notebook_dir: str | os.PathLike | None = None,
               timeout: int = CELL_TIMEOUT, workbook: bool = True, mapping=None, as_of=None,
               pseudonymise: bool = False, key: str | None = None, jobs: int | None = None,
               allow_outside: bool = False, currency: str | None = None,
               thresholds=None) -> dict:
    """Execute every lesson the data allows and write HTML pages, an index, the Excel
    workbook and the charts to ``out``.

    The input is first validated and normalised by :func:`custlib.io.import_data`
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
        Mapping file for the export (see :func:`custlib.io.read_mapping`).
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
        :func:`custlib.io.locate`).
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
        :func:`lesson_sections`), ``report`` (the :class:`custlib.io.Report`),
        ``timings`` ({lesson: :func:`lesson_timings` plus ``wall`` in s}), ``stale``
        (what interrupted runs had left and this run removed).

    Raises
    ------
    custlib.io.InputError
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
    from custlib.io import DEFAULT_DATA_DIR

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


def _write_deliverables(data: Path, files: Path, report) -> None:
    """The manager's Excel workbook and the PNG charts, for the analysis date of the run
    (the one given, else the latest date in the data).

    The tables are read here, only the columns the workbook uses
    (:data:`custlib.report.WORKBOOK_COLUMNS`); once the files are written they are freed
    and the memory given back to the system (:func:`_give_back_memory`), while the
    lessons still run."""
    from custlib import period
    from custlib.io import load
    from custlib.report import WORKBOOK_COLUMNS, workbook_tables, write_charts, write_workbook

    crm = load(data, columns=WORKBOOK_COLUMNS)
    when = report.as_of if report.as_of_source != "today" else None
    # the cover names what was read: the files' names, never a folder
    source = ", ".join(dict.fromkeys(p.name for p in report.files.values()))
    # the tables once, for the workbook and the charts drawn from them
    sheets = workbook_tables(crm, period.as_of(crm, when))
    write_workbook(crm, files / WORKBOOK_FILE, as_of=when, source=source, sheets=sheets)
    write_charts(crm, files / "charts", as_of=when, sheets=sheets)
    del crm, sheets
    _give_back_memory()


def _give_back_memory() -> None:
    """Return freed memory to the system, for the lesson kernels running beside this process.

    Arrow's allocator keeps freed memory for reuse, and so does the C library's heap
    (the many small blocks of text values): at 100,000 customers this process held
    660 MB after the import and 510 MB after the workbook, against 250 and 360 MB once
    given back. ``malloc_trim`` is glibc's (Linux); elsewhere only Arrow's pool is
    released."""
    import ctypes
    import ctypes.util
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):     # not glibc: nothing more to give back
        pass


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

    from custlib.io import load
    from custlib.io import import_data

    umask = current_umask()      # read before any thread of the run starts
    build = Path(tempfile.mkdtemp(prefix=build_prefix(out), dir=out.parent))
    try:
        os.chmod(build, 0o777 & ~umask)      # mkdtemp's 0o700 would become out's mode
        report = import_data(data, build / "data", mapping=mapping, as_of=as_of,
                             pseudonymise=pseudonymise, key=key, allow_outside=allow_outside,
                             currency=currency, thresholds=thresholds)
        _give_back_memory()      # what the import parsed is written: the lessons read that
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
        del crm          # the workbook reads the columns it needs itself
        book = pool.submit(_write_deliverables, build / "data", build / "files", report) \
            if workbook else None
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
