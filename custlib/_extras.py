"""Optional dependencies: what each extra of ``pip install 'custlib[...]'`` brings.

The methods and the reader need only numpy, pandas, pyarrow and scipy. The rest is
imported where it is used, and each such place first calls :func:`require`, so a
missing package is one line that names the extra to install, not a traceback:

* ``course`` — running and publishing the lessons (JupyterLab, nbclient, widgets,
  matplotlib); it brings ``excel`` too, since a run writes the workbook;
* ``excel`` — writing the workbook (XlsxWriter) and reading ``.xlsx`` exports (openpyxl);
* ``synth`` — generating synthetic data (Faker);
* ``scale`` — the out-of-core customer summary (DuckDB).

Examples
--------
>>> require("excel", "the Excel workbook")
>>> EXTRAS["synth"]
('faker',)
"""

from __future__ import annotations

from importlib.util import find_spec

__all__ = ["EXTRAS", "MissingExtra", "require"]

#: The importable modules of each extra (their distributions are in pyproject.toml).
EXTRAS = {
    "course": ("matplotlib", "mplfonts", "ipywidgets", "ipykernel", "nbclient", "nbconvert",
               "nbformat", "jinja2", "jupyter_server_mathjax", "xlsxwriter", "openpyxl"),
    "excel": ("xlsxwriter", "openpyxl"),
    "synth": ("faker",),
    "scale": ("duckdb",),
}


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message says which extra to install."""


def _installed(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(extra: str, what: str) -> None:
    """Raise :class:`MissingExtra` naming ``pip install 'custlib[extra]'`` when a module
    of ``extra`` is missing; ``what`` says what needed it."""
    missing = [m for m in EXTRAS[extra] if not _installed(m)]
    if missing:
        raise MissingExtra(f"{what} needs {', '.join(missing)}, which is not installed: "
                           f"pip install 'custlib[{extra}]'")
