"""Where the lessons and the bundled dataset are.

In a source checkout they are the project's own folders, ``notebooks/`` and
``data/synthetic/``; a wheel carries copies of them inside the package, under
``custlib/_share/`` (written by ``setup.py`` when the wheel is built), found through
:mod:`importlib.resources`. The checkout wins when both exist, so an edited lesson is
the one that runs.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["shared", "SHARED"]

#: What a wheel carries: folder of the checkout -> the files of it that are copied.
SHARED = {"notebooks": ("*.ipynb", "*.py", "*.md"), "data/synthetic": ("*.csv", "*.json", "*.md")}

_CHECKOUT = Path(__file__).resolve().parents[1]


def shared(folder: str) -> Path:
    """The folder ``folder`` of :data:`SHARED`: the checkout's, else the package's copy.

    Examples
    --------
    >>> shared("notebooks").name, shared("data/synthetic").name
    ('notebooks', 'synthetic')
    """
    if folder not in SHARED:
        raise ValueError(f"{folder!r} is not shipped with custlib; expected one of {list(SHARED)}")
    checkout = _CHECKOUT.joinpath(folder)
    if (_CHECKOUT / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return Path(str(resources.files("custlib").joinpath("_share", folder)))
