"""The optional extras: the methods and the reader work without them, and a command
that needs one says, in one line, which extra to install.

Each check runs in a fresh interpreter in which the extras' modules cannot be imported
(an import hook refuses them), as on a machine with ``pip install custlib`` only.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from custlib._extras import EXTRAS

#: Every module an extra brings, and the packages only they pull in.
BLOCKED = sorted({m for mods in EXTRAS.values() for m in mods} | {"IPython", "jupyterlab"})

HOOK = textwrap.dedent(f"""
    import sys
    BLOCKED = {BLOCKED!r}

    class _Refuse:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, _Refuse())
    import importlib.util
    _find = importlib.util.find_spec
    def _find_spec(name, package=None):
        if name.split(".")[0] in BLOCKED:
            return None
        return _find(name, package)
    importlib.util.find_spec = _find_spec
""")


def run(code: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", HOOK + textwrap.dedent(code)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=240)


def test_the_methods_and_the_reader_need_no_extra(tmp_path):
    done = run("""
        import pandas as pd
        from custlib import (funnel, grading, keyaccount, labels, lifecycle, migration, policy,
                             predict, pyramid, rollups, segmentation, summary, value)
        from custlib.io import load, validate
        crm = load()
        rfm = value.rfm_summary(crm.orders, as_of="2025-12-31")
        revenue = crm.orders.groupby("customer_id")["amount"].sum()
        tiers = pyramid.tier_table(revenue, pyramid.tiers_by_threshold(revenue))
        s = summary.customer_summary(crm.orders, as_of="2025-12-31", engine="auto")
        assert validate(crm.path).ok and len(rfm) == len(s) > 0 and len(tiers) == 4
        leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
        print("ok", leaked)
    """, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[0] == "ok []", done.stdout


def test_a_command_that_needs_an_extra_names_it_in_one_line(tmp_path):
    done = run(f"""
        from custlib import cli
        codes = [cli.main(["generate", "--out", {str(tmp_path / "g")!r}, "--quiet"]),
                 cli.main(["run", "--out", {str(tmp_path / "r")!r}])]
        print(codes)
    """, tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.stdout.strip() == "[1, 1]", done.stdout + done.stderr[-2000:]
    assert lines == [
        "custlib generate: error: custlib generate needs faker, which is not installed: "
        "pip install 'custlib[synth]'",
        "custlib run: error: custlib run needs " + ", ".join(EXTRAS["course"])
        + ", which is not installed: pip install 'custlib[course]'"], done.stderr
    assert not (tmp_path / "g").exists() and not (tmp_path / "r").exists()
