"""The project's set-up files agree with each other."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(meta["dependencies"]) + [r for extra in meta["optional-dependencies"].values()
                                         for r in extra]
    return {_name(r): r.replace(" ", "") for r in reqs if _name(r) != "custlib"}


def _extra(name: str) -> set[str]:
    """The distributions of one extra, its references to other extras expanded."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]
    out = set()
    for r in extras[name]:
        if _name(r) == "custlib":
            for other in r[r.index("[") + 1:r.index("]")].split(","):
                out |= _extra(other.strip())
        else:
            out.add(_name(r))
    return out


def test_each_extra_brings_the_modules_that_ask_for_it():
    # custlib._extras.require names an extra; pyproject.toml must install those modules
    from custlib._extras import EXTRAS

    for extra, modules in EXTRAS.items():
        missing = {m.replace("_", "-") for m in modules} - _extra(extra)
        assert not missing, f"pyproject.toml's [{extra}] extra lacks {sorted(missing)}"
    assert _extra("all") == set().union(*(_extra(e) for e in EXTRAS)), "[all] is every extra"


def _environment_requirements() -> dict[str, str]:
    yaml = pytest.importorskip("yaml")
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    for d in env["dependencies"]:  # PyPI-only packages sit in the pip section
        if isinstance(d, dict):
            deps += [x for x in d.get("pip", []) if not x.startswith("-")]
    return {_name(d): d.replace(" ", "") for d in deps if _name(d) not in {"python", "pip"}}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    py, conda = _pyproject_requirements(), _environment_requirements()
    assert sorted(py) == sorted(conda), (
        f"only in pyproject.toml: {sorted(set(py) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(py))}")
    assert py == conda, "version bounds differ: " + str(
        {k: (py[k], conda[k]) for k in py if py[k] != conda[k]})


def test_lock_file_pins_every_dependency():
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            pins[_name(name)] = version
    missing = [n for n in _pyproject_requirements() if n not in pins]
    assert not missing, f"requirements/lock.txt does not pin {missing}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()
          if ln.strip() and not ln.lstrip().startswith("#")]
    assert ci[-1] == "make test"
    assert "\nmake test\n" in readme and "\nmake workbook\n" in readme


def _subcommands() -> list[str]:
    from custlib.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")  # noqa: SLF001
    return sorted(sub.choices)


@pytest.mark.parametrize("command", [[]] + [[c] for c in _subcommands()])
def test_every_cli_command_has_help(command):
    out = subprocess.run([sys.executable, "-m", "custlib.cli", *command, "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("usage: custlib")
    assert len(out.splitlines()) > 3


def test_generate_is_a_cli_command():
    assert "generate" in _subcommands()


def test_a_hung_test_fails_fast_with_its_stack(request):
    """pytest-timeout is active with a limit far below CI's, and nbval's cells have
    their own (a lesson cell runs in seconds; nbval's default is 2000 s)."""
    assert request.config.pluginmanager.hasplugin("timeout")
    assert 0 < float(request.config.getini("timeout")) <= 600
    assert 0 < float(request.config.option.nbval_cell_timeout) <= 300


@pytest.mark.slow
def test_a_wheel_installed_in_a_clean_venv_runs_the_course(tmp_path):
    """The wheel carries the lessons and the bundled data: installed into a new venv
    outside the project (its dependencies seen through a .pth file, custlib itself only
    from the wheel), ``custlib run`` runs every lesson and writes the workbook."""
    import os
    import shutil
    import sysconfig
    import zipfile

    src = tmp_path / "src"          # the sources as a clone has them, nothing built
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for folder in ("custlib", "notebooks", "data/synthetic"):
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, src / name)

    def run(*args, **kw):
        done = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                              timeout=600, **kw)
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
        return done.stdout

    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "--quiet", "-w", tmp_path / "dist", src)
    wheel = next((tmp_path / "dist").glob("custlib-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"custlib/_share/notebooks/00_welcome.ipynb", "custlib/_share/notebooks/09_capstone_workbook.ipynb",
            "custlib/_share/data/synthetic/orders.csv", "custlib/_share/data/synthetic/MANIFEST.json"} <= names

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "--quiet", wheel)
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    (purelib / "_custlib_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CUSTLIB_", "PYTHON"))}
    # the dependencies' data files (nbconvert's templates) are under their own prefix
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    where = run(python, "-c", "import custlib.course as c, custlib.io as d; "
                "print(c.__file__); print(c.NOTEBOOK_DIR); print(d.DEFAULT_DATA_DIR)",
                cwd=tmp_path, env=env).split()
    assert all(Path(w).is_relative_to(venv) for w in where), where
    said = run(venv / "bin" / "custlib", "run", "--out", tmp_path / "report", "--quiet",
               cwd=tmp_path, env=env)
    assert "Done: 10 lesson(s) ran" in said
    report = tmp_path / "report"
    assert len(list((report / "lessons").glob("*.html"))) == 10
    assert (report / "files" / "customer-analysis-workbook.xlsx").stat().st_size > 0
