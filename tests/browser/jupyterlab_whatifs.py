"""Every what-if draws on Run All in a real JupyterLab: a browser check you run by hand.

Starts JupyterLab on 127.0.0.1 (no network needed) on a copy of ``notebooks/`` (it
saves what it runs), opens each lesson in headless
Chromium driven by Playwright, runs all cells, waits for the kernel to finish, then
looks at every what-if (an ``ipywidgets`` interactive): it must show at least one
chart whose image has loaded (``naturalWidth > 0``). Then it moves the first slider
of the first what-if with the keyboard and checks that the chart is redrawn.
Screenshots of every what-if are written to ``--shots``.

Needs Debian's ``chromium`` and the ``playwright`` Python package (its own browsers
are not used)::

    apt-get install chromium
    .venv/bin/pip install playwright
    .venv/bin/python tests/browser/jupyterlab_whatifs.py --repeat 1

Exit status 1 if any what-if is blank.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "custlib-browser-check"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(port: int, path: str, method: str = "GET"):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
        return json.loads(body) if body else None


def _shutdown_kernels(port: int) -> None:
    for session in _api(port, "/api/sessions") or []:
        try:
            _api(port, f"/api/sessions/{session['id']}", method="DELETE")
        except Exception:
            pass


def _start_lab(port: int, workdir: Path, log: Path) -> subprocess.Popen:
    lab = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={workdir}",
         "--LabApp.expose_app_in_browser=True"] + (["--allow-root"] if os.geteuid() == 0 else []),
        stdout=subprocess.DEVNULL, stderr=open(log, "w"), cwd=workdir)
    for _ in range(120):
        try:
            _api(port, "/api/status")
            return lab
        except Exception:
            time.sleep(0.5)
    lab.kill()
    raise RuntimeError(f"JupyterLab did not start; see {log}")


def check_lesson(page, port: int, name: str, shots: Path, k: int, move: bool) -> tuple[list[str], int]:
    """Run all cells of one lesson; return the problems found (empty: all drew) and the
    number of what-ifs."""
    page.goto(f"http://127.0.0.1:{port}/lab/tree/notebooks/{name}?token={TOKEN}")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                           timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # done when every code cell has an execution count and the kernel is idle
    try:
        page.wait_for_function("""() => {
            const nb = window.jupyterapp.shell.currentWidget;
            const k = nb.sessionContext.session.kernel;
            const cells = nb.content.widgets.filter(c => c.model.type === 'code');
            return k.status === 'idle' && cells.every(c => c.model.executionCount !== null);
        }""", timeout=240_000, polling=500)
    except Exception:
        state = page.evaluate("""() => {
            const nb = window.jupyterapp.shell.currentWidget;
            const cells = nb.content.widgets;
            const waiting = cells.map((c, i) => [i, c.model.type, c.model.executionCount])
                                 .filter(x => x[1] === 'code' && x[2] === null).map(x => x[0]);
            return {kernel: nb.sessionContext.session.kernel.status, waiting};
        }""")
        page.screenshot(path=str(shots / f"{Path(name).stem}-stuck-try{k}.png"), full_page=True)
        return [f"{name}: Run All did not finish in 240 s (kernel {state['kernel']}, "
                f"cells without a count: {state['waiting'][:8]})"], 0
    page.wait_for_timeout(3000)   # let the widget views render
    boxes = page.locator(".widget-interact")
    n = boxes.count()
    problems = []
    for i in range(n):
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        ok = box.evaluate("""b => {
            const imgs = [...b.querySelectorAll('img')];
            return imgs.length > 0 && imgs.every(im => im.complete && im.naturalWidth > 0);
        }""")
        text = box.evaluate("b => b.innerText.slice(0, 200)")
        box.screenshot(path=str(shots / f"{Path(name).stem}-whatif{i + 1}-try{k}.png"))
        if not ok and "must fall" not in text:
            problems.append(f"{name}: what-if {i + 1} shows no chart")
    if move and n:
        box = boxes.nth(0)
        before = box.evaluate("b => [...b.querySelectorAll('img')].map(i => i.src.length).join()")
        slider = box.locator(".widget-slider .noUi-handle, .widget-slider [role=slider]").first
        if slider.count():
            slider.focus()
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(4000)
            after = box.evaluate("b => [...b.querySelectorAll('img')].map(i => i.src.length).join()")
            box.screenshot(path=str(shots / f"{Path(name).stem}-whatif1-moved-try{k}.png"))
            if not after or after == before:
                problems.append(f"{name}: what-if 1 did not redraw after its slider moved")
    return problems, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1, help="tries per lesson (default 1)")
    ap.add_argument("--lessons", nargs="*", help="lesson file names (default: all with a what-if)")
    ap.add_argument("--shots", default="build/browser-check", help="folder for screenshots")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from custlib.course import lessons

    names = args.lessons or [p.name for p in lessons() if "what_if(" in p.read_text(encoding="utf-8")]
    shots = Path(args.shots).resolve()
    shots.mkdir(parents=True, exist_ok=True)
    # JupyterLab saves what it runs: it works on a copy, never on the committed lessons
    import shutil
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="custlib-browser-"))
    shutil.copytree(ROOT / "notebooks", work / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "kernel-*"))
    port = _free_port()
    lab = _start_lab(port, work, shots / "jupyterlab.log")
    problems, total, t0 = [], 0, time.perf_counter()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"])
            for k in range(1, args.repeat + 1):
                for name in names:
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    found, n = check_lesson(page, port, name, shots, k, move=(k == 1))
                    total += n
                    print(f"[try {k}] {name}: {n} what-if(s), "
                          f"{'all drew' if not found else '; '.join(found)}", flush=True)
                    problems += found
                    page.close()
                    _shutdown_kernels(port)
            browser.close()
    finally:
        _shutdown_kernels(port)
        lab.terminate()
        lab.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{total} what-if(s) checked in {time.perf_counter() - t0:.0f} s; "
          f"{len(problems)} blank; screenshots in {shots}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
