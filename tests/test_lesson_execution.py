"""Executing lessons headless: no idle stall, loud timeouts, quiet kernels, static what-ifs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from unittest import mock

import nbformat
import pytest

from custlib._outdir import _alive
from custlib.course import LessonError, execute_notebook_node, for_html, lesson_timings
from custlib.course.kernel import _quiet_output_widget


def _nb(*sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_the_output_widget_stand_in_sends_nothing_on_the_shell_socket():
    """The echo of Output-widget state on the shell socket is what lost the reply's
    wake-up; the stand-in must not send it, whatever it is asked to record."""
    kc = mock.Mock()
    executor = mock.Mock(widget_state={"c1": {"outputs": []}})
    widget = _quiet_output_widget()("c1", {"outputs": []}, kc, executor)
    msg = {"parent_header": {"msg_id": "m"}, "msg_type": "stream", "header": {"msg_type": "stream"},
           "content": {"name": "stdout", "text": "hi\n"}}
    widget.output([], msg, None, 0)
    widget.clear_output([], {"parent_header": {}, "content": {"wait": False}}, 0)
    assert not kc.shell_channel.send.called
    assert executor.widget_state["c1"]["outputs"] == []


def test_cells_writing_into_output_widgets_never_wait_for_the_timeout():
    """The reproduction of the stall: every cell writes into an Output widget. With
    nbclient's own stand-in about 6 % of such cells waited the whole cell timeout
    (9 of 150 in benchmarks/stress_lessons.py's set-up); here none may."""
    cell = ("out = w.Output()\ndisplay(out)\nwith out:\n    for i in range(3):\n        print(i)\n")
    nb = _nb("import ipywidgets as w\nfrom IPython.display import display", *[cell] * 60)
    t0 = time.perf_counter()
    execute_notebook_node(nb, timeout=3)
    timings = lesson_timings(nb)
    assert timings["longest_gap"] < 1.5, timings
    assert time.perf_counter() - t0 < 60


def test_a_stuck_cell_fails_fast_naming_the_notebook_and_the_cell():
    nb = _nb("x = 1", "import time\ntime.sleep(30)")
    t0 = time.perf_counter()
    with pytest.raises(LessonError, match=r"07_slow.ipynb: cell 1 \(import time\) was still "
                                          r"running after 2 s \(pass --cell-timeout"):
        execute_notebook_node(nb, timeout=2, name="07_slow.ipynb")
    assert time.perf_counter() - t0 < 25


def test_kernels_run_over_ipc_without_the_tcp_warning(tmp_path):
    log = open(tmp_path / "kernel.log", "w+")
    nb = _nb("import os\nprint(os.environ['CUSTLIB_TEST_MARK'])")
    execute_notebook_node(nb, env={"CUSTLIB_TEST_MARK": "seen"}, log=log)
    log.seek(0)
    assert "TCP" not in log.read()
    assert nb.cells[0].outputs[0]["text"] == "seen\n"
    assert "shell.execute_reply" in nb.cells[0].metadata["execution"]


@pytest.fixture
def ipython_shell():
    """An IPython shell for the test, as a kernel has (display() goes to its publisher)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    yield shell
    InteractiveShell.clear_instance()


def test_what_if_hands_the_widget_its_finished_outputs_in_order(ipython_shell):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from custlib.course.whatif import what_if

    def draw(n=2):
        print("before the chart")
        fig, ax = plt.subplots()
        ax.plot(range(n))
        from IPython.display import display
        display(pd.DataFrame({"n": [n]}))
        return n

    open_before = plt.get_fignums()
    w = what_if(draw, n=(1, 5, 1), show=False)
    kinds = [o["output_type"] for o in w.out.outputs]
    assert kinds == ["stream", "display_data", "display_data"]
    assert w.out.outputs[0]["text"] == "before the chart\n"
    assert "text/html" in w.out.outputs[1]["data"]     # the table, as displayed
    assert "image/png" in w.out.outputs[-1]["data"]
    assert plt.get_fignums() == open_before          # the figure was closed, not left behind
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "run it to move the sliders" in bundle["text/html"]
    assert bundle["text/html"].count("<img") == 1
    w.children[0].value = 4                            # a slider move replaces the outputs
    assert w.result == 4 and len(w.out.outputs) == 3
    assert w._repr_mimebundle_()["text/html"] == bundle["text/html"]   # the static copy stays the first run


def test_what_if_raises_what_its_function_raised_on_the_first_run():
    from custlib.course.whatif import what_if

    def broken(x=1):
        raise KeyError("no such column")

    with pytest.raises(KeyError, match="no such column"):
        what_if(broken, x=(0, 3, 1), show=False)


def test_the_html_copy_has_no_live_widgets():
    nb = _nb("1")
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2,
                                                     "version_minor": 0},
        "text/html": "<p>first run</p>", "text/plain": "interactive(...)"})]
    html_nb = for_html(nb)
    assert "widgets" not in html_nb.metadata and "widgets" in nb.metadata   # a copy
    assert set(html_nb.cells[0].outputs[0]["data"]) == {"text/html", "text/plain"}


def test_an_executed_lesson_exports_its_what_ifs_as_pictures(tmp_path, synthetic_dir):
    """Lesson 7 as the HTML handout sees it: every what-if is an image, no widget script,
    nothing loaded from the internet."""
    import re

    from custlib.course import execute_notebook, lesson_exporter, lessons

    path = next(p for p in lessons() if p.name.startswith("07_"))
    nb = execute_notebook(path, data=synthetic_dir, files_out=tmp_path)
    body, _ = lesson_exporter().from_notebook_node(for_html(nb))
    what_ifs = body.count('class="custlib-what-if"')
    assert what_ifs == path.read_text(encoding="utf-8").count("what_if(") - 1  # one is the import
    assert "@jupyter-widgets/html-manager" not in body
    assert body.count("<img") >= what_ifs
    assert re.findall(r'<script[^>]* src="([^"]*)"', body) == [
        "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"]
    assert "cdnjs" not in body and "unpkg" not in body


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals and /proc")
def test_ctrl_c_prints_one_line_stops_the_kernel_and_writes_nothing(tmp_path):
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    nb = _nb("import os, pathlib\npathlib.Path(os.environ['CUSTLIB_OUT'], '..', '..', 'pid')"
             ".resolve().write_text(str(os.getpid()))", "import time\ntime.sleep(60)")
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# A slow lesson"))
    nbformat.write(nb, nbdir / "00_slow.ipynb")
    out = tmp_path / "work" / "out"
    code = ("import sys; from custlib import cli; from custlib.course import catalog; "
            f"catalog.NOTEBOOK_DIR = __import__('pathlib').Path({str(nbdir)!r}); "
            "sys.exit(cli.main(sys.argv[1:]))")
    # SIGINT as a terminal delivers it: a suite started in the background of a
    # non-interactive shell has it ignored, and children inherit that
    proc = subprocess.Popen([sys.executable, "-c", code, "run", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, env={**os.environ, "CUSTLIB_DATA": ""},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    pid_file = tmp_path / "work" / "pid"
    deadline = time.monotonic() + 120
    while not pid_file.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert pid_file.exists(), proc.communicate()
    kernel = int(pid_file.read_text())
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "custlib run: interrupted: nothing was written"
    assert "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while _alive(kernel) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(kernel), "the kernel outlived the interrupted run"
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["pid"]  # no output, no build folder


def test_a_section_runs_when_the_data_has_what_it_needs_and_else_says_so_in_one_line():
    """%%needs (custlib.course.sections), in a kernel as in JupyterLab: present → the cell runs as
    a cell (its last value shown, its error an error); absent → one visible line, the skip
    recorded in the output's metadata, nothing of the cell run."""
    from custlib.course import lesson_sections
    from custlib.course.sections import METADATA_KEY

    setup = ("import pandas as pd\nfrom custlib.io import CRMData\nimport custlib.course.sections\n"
             "crm = CRMData(path=None, orders=pd.DataFrame({'customer_id': ['A'], 'amount': [1.5],"
             " 'cost': [None]}))")
    nb = _nb(setup, "%%needs orders.amount\nx = 41\nx + 1",
             "%%needs orders.cost activities.activity_type\ny = 1\nprint('ran')",
             "print('y' in globals(), x)",
             "%%needs orders.amount\nx + 1;",
             "%%needs --exercise activities\nanswer_q1 = None")
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("## 1. Present"))
    nb.cells.insert(3, nbformat.v4.new_markdown_cell("## 2. Absent"))
    nb.cells.insert(5, nbformat.v4.new_markdown_cell("## 3. After"))
    nb.cells[-1].metadata["exercise"] = {"id": "q1", "wrong": "answer_q1 = 0"}
    execute_notebook_node(nb)
    present, absent, after, quiet, exercise = (nb.cells[i] for i in (2, 4, 6, 7, 8))
    assert [o["output_type"] for o in present.outputs] == ["execute_result"]
    assert present.outputs[0]["data"]["text/plain"] == "42"
    assert len(absent.outputs) == 1
    line = absent.outputs[0]
    assert line["data"]["text/plain"] == ("This section needs `orders` with `cost`, and `activities` "
                                          "with `activity_type`; see the input contract (README).")
    assert line["metadata"][METADATA_KEY]["skipped"] == \
        "needs `orders` with `cost`, and `activities` with `activity_type`"
    assert after.outputs[0]["text"] == "False 41\n"              # nothing of the skipped cell ran
    assert quiet.outputs == []                                  # a trailing ; still hides the value
    assert exercise.outputs[0]["data"]["text/plain"].startswith("This exercise needs `activities`")
    assert lesson_sections(nb) == {"ran": ["1. Present", "3. After"],
                                   "skipped": {"2. Absent": "needs `orders` with `cost`, and "
                                                            "`activities` with `activity_type`",
                                               "3. After: exercise q1": "needs `activities`"}}
    # an error inside a section that runs fails the lesson, as in any cell
    broken = _nb(setup, "%%needs orders.amount\nraise KeyError('no such column')")
    with pytest.raises(LessonError, match="no such column"):
        execute_notebook_node(broken)
